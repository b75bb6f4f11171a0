/* A kfunc set as the kernel's BTF_KFUNCS_START()/BTF_ID_FLAGS() lay it out in
   .BTF_ids: a btf_id_set8 (u32 cnt, u32 flags with BTF_SET8_KFUNCS = 1)
   named __BTF_ID__set8__<set>, then one (u32 id, u32 flags) per kfunc, each
   at a symbol __BTF_ID__func__<name>__<n>. kf_fast has KF_FASTCALL
   (1 << 12). kf_plain is in a set without the kfunc flag. */
__attribute__((noinline)) int kf_one(int x) { return x + 1; }
__attribute__((noinline)) int kf_fast(int x) { return x + 2; }
__attribute__((noinline)) int kf_plain(int x) { return x + 3; }

asm(".pushsection .BTF_ids,\"a\"\n"
    "__BTF_ID__set8__test_kfunc_set:\n"
    "  .long 0\n  .long 1\n"
    "__BTF_ID__func__kf_one__1:\n  .long 0\n  .long 0\n"
    "__BTF_ID__func__kf_fast__2:\n  .long 0\n  .long 0x1000\n"
    "  .size __BTF_ID__set8__test_kfunc_set, 24\n"
    "__BTF_ID__set8__test_other_set:\n"
    "  .long 0\n  .long 0\n"
    "__BTF_ID__func__kf_plain__3:\n  .long 0\n  .long 0\n"
    "  .size __BTF_ID__set8__test_other_set, 16\n"
    ".popsection\n");
