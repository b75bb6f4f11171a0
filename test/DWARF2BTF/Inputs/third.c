/* A third unit with another static 'helper': pahole 1.24 encodes the first
 * DWARF function of a name only. */
static __attribute__((noinline)) long helper(long other) { return other - 1; }

long third_func(long v) { return helper(v); }
