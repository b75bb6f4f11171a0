/* Two static functions named hash() with different prototypes, in two
   units: pahole 1.30's consistent_func leaves hash out of BTF (a BPF program
   attached to 'hash' could see either). same() agrees in both units. */
static __attribute__((noinline, used)) unsigned int hash(unsigned int x) {
  return x * 2654435761u;
}

static __attribute__((noinline, used)) int same(const char *s) { return s[0]; }

unsigned int use_a(unsigned int v) { return hash(v) + same("a"); }
