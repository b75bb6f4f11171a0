/* Second unit of test/modern/tags.test: struct foo again (deduplicated)
   and a const/volatile between tags. */
#define __user __attribute__((btf_type_tag("user")))
#define __tag(x) __attribute__((btf_decl_tag(x)))
struct foo {
  int a __tag("m0");
  char __user *p;
} __tag("s1");
struct baz {
  struct foo f;
  const char __user *volatile *vp;
} __tag("bz");
int use3(struct baz *z) { return z->f.a; }
