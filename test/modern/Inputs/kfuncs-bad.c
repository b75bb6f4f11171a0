/* Malformed kfunc sets (hostile input): the set's size runs past the end of
   .BTF_ids and a kfunc symbol of the set lies past the end too; a second set
   is misaligned (pahole reads its words unaligned, so do we). */
__attribute__((noinline)) int kf_one(int x) { return x + 1; }
__attribute__((noinline)) int kf_two(int x) { return x + 2; }

asm(".pushsection .BTF_ids,\"a\"\n"
    "  .byte 0\n"
    "__BTF_ID__set8__odd_set:\n"
    "  .long 0\n  .long 1\n"
    "__BTF_ID__func__kf_two__1:\n  .long 0\n  .long 0\n"
    "  .size __BTF_ID__set8__odd_set, 16\n"
    "__BTF_ID__set8__long_set:\n"
    "  .long 0\n  .long 1\n"
    "  .size __BTF_ID__set8__long_set, 64\n"
    ".popsection\n"
    ".set __BTF_ID__func__kf_one__2, __BTF_ID__set8__long_set + 40\n");
