/* GCC emits these as clones only: scale() as scale.constprop.0 (its second
   argument is always 3), check() as check.isra.0 or check.part.0. */
struct big {
  int a, b, c, d;
};

static __attribute__((noinline)) int scale(int x, int factor) {
  return x * factor + (x >> 3);
}

static __attribute__((noinline)) int check(struct big *p, int flag) {
  if (flag)
    return p->a + p->d;
  return p->b;
}

int kernel_entry(int v, struct big *p) {
  return scale(v, 3) + scale(v + 1, 3) + check(p, 1) + check(p + 1, 1);
}
