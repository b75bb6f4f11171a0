/* The ELF function table of pahole 1.30, bug for bug: once zzz is renamed
   foo.isra.0, the table sorted by prefix holds a_first, foo.isra.0, foo (the
   two of prefix length 3 compare equal and keep their symbol-table order),
   and the exact bisection for "foo" lands on foo.isra.0, goes left and
   misses the foo that is there. */
__attribute__((noinline)) int a_first(int x) { return x + 1; }
__attribute__((noinline)) int zzz(int x) { return x * 3; }
__attribute__((noinline)) int foo(int x) { return x - 7; }
int b_entry(int x) { return a_first(x) + zzz(x) + foo(x); }
