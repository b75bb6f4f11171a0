/* btf_decl_tag / btf_type_tag annotations (clang only). */
#define __tag(x) __attribute__((btf_decl_tag(x)))
#define __ttag(x) __attribute__((btf_type_tag(x)))

struct tagged {
  int a __tag("member_a");
  int __ttag("user") __ttag("rcu") * p;
} __tag("struct_tag");

typedef int tagged_int __tag("typedef_tag");

__attribute__((section(".data..percpu"))) int pcpu_tagged __tag("var_tag");

int __tag("func_tag")
    tagged_func(struct tagged *t __tag("param_tag"), tagged_int x) {
  return t->a + x + pcpu_tagged;
}
