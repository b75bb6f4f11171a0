/* Arena kfuncs (kbuild 6.16+ passes --btf_features=attributes): the pointer
   a KF_ARENA_RET (1 << 13) kfunc returns, and the first argument of a
   KF_ARENA_ARG1 (1 << 14) one, live in the BPF arena: pahole 1.30 tags them
   with a type attribute address_space(1). */
struct page_info {
  long nr;
};

__attribute__((noinline)) void *arena_alloc(struct page_info *pi, int n) {
  return (char *)pi + n;
}
__attribute__((noinline)) int arena_free(void *p, struct page_info *pi) {
  return p == pi;
}

asm(".pushsection .BTF_ids,\"a\"\n"
    "__BTF_ID__set8__arena_kfunc_set:\n"
    "  .long 0\n  .long 1\n"
    "__BTF_ID__func__arena_alloc__1:\n  .long 0\n  .long 0x2000\n"
    "__BTF_ID__func__arena_free__2:\n  .long 0\n  .long 0x4000\n"
    "  .size __BTF_ID__set8__arena_kfunc_set, 24\n"
    ".popsection\n");
