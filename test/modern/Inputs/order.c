/* Type order from pahole 1.30: types in DIE order, a struct after the types
   nested in it; then all FUNCs sorted by name; then the DATASEC. */
struct outer {
  struct inner {
    int x;
  } in;
  const char *name;
};

__attribute__((section(".data..percpu"), used)) int pcpu_zeta = 2;

__attribute__((noinline)) int zeta(struct outer *o) { return o->in.x; }
__attribute__((noinline)) int alpha(const char *s) { return s[0]; }
__attribute__((noinline)) long mid(long a, long b) { return a - b; }
