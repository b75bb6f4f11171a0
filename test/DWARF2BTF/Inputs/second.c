/* A second compile unit: the same types again (dedup merges them), a static
 * function of the same name as one in constructs.c is not encoded twice. */
struct bits {
  unsigned int a : 3;
  int b : 5;
  unsigned long long c : 40;
  char d;
  _Bool flag;
};

__attribute__((section(".data..percpu"))) struct bits pcpu_second;

static __attribute__((noinline)) int helper(int x) { return x * 3; }

int second_func(struct bits *b, int (*cb)(const char *, ...)) {
  return b->a + cb("x") + helper(b->b);
}
