static __attribute__((noinline, used)) unsigned long hash(const char *s,
                                                          int n) {
  unsigned long h = 0;
  while (n--)
    h = h * 31 + *s++;
  return h;
}

static __attribute__((noinline, used)) int same(const char *s) { return s[1]; }

unsigned long use_b(const char *s) { return hash(s, 4) + same(s); }
