/* test/modern/entry-value.test: parameter a is rewritten to start in
   %r15 and to name %rdi only through DW_OP_entry_value. */
extern void use(int v);
extern void other(void);
int second(int a, int b) {
  use(a);
  other();
  return b;
}
