/* LTO: with -flto the link produces units that refer to each other. */
struct s {
  int a;
  long b;
};
int helper(struct s *p);
int main_fn(struct s *p) { return helper(p) * 2; }
