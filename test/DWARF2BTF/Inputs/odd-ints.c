/* Integer base types BTF cannot hold: pahole replaces them with a fake int. */
struct odd {
  unsigned _BitInt(200) huge;
  _BitInt(24) small;
  _BitInt(48) mid;
} odd_var;
int use_odd(struct odd *o) { return (int)o->small; }
