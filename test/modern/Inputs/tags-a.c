/* clang annotations for test/modern/tags.test: btf_type_tag chains on
   pointers (one and two tags, inside unions, function pointers, typedefs),
   btf_decl_tag on structs, members, unions, typedefs, functions, parameters
   and variables. */
#define __user __attribute__((btf_type_tag("user")))
#define __rcu __attribute__((btf_type_tag("rcu")))
#define __percpu __attribute__((btf_type_tag("percpu")))
#define __tag(x) __attribute__((btf_decl_tag(x)))
struct list {
  struct list *next, *prev;
};
struct foo {
  int a __tag("m0");
  char __user *p;
  struct foo __rcu *next __tag("m2") __tag("m2b");
  int __percpu __rcu * __user * pp;
  union {
    long u1;
    int __user *u2 __tag("um");
  } __tag("un");
} __tag("s1") __tag("s2");
typedef struct foo foo_t __tag("td");
typedef int __user *uptr_t;
struct bar {
  long x;
  int __user *q;
  void (*cb)(int __user *, struct foo __rcu *);
};
extern int ext(struct list *l);
int gv __tag("var") = 3;
int use(struct foo *f, foo_t *g, struct bar *b, uptr_t u __tag("param"))
    __tag("fn");
int use(struct foo *f, foo_t *g, struct bar *b, uptr_t u) {
  int x[4] = {1};
  return f->a + g->a + (int)b->x + x[f->a & 3] + gv;
}
int use2(int __user *p, struct bar __rcu **b) { return p != 0; }
