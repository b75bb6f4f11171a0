include "llvm/Option/OptParser.td"

multiclass Eq<string name, string help> {
  def NAME : Separate<["--"], name>;
  def NAME #_eq : Joined<["--"], name #"=">,
                  Alias<!cast<Separate>(NAME)>,
                  HelpText<help>;
}


def help : Flag<["--"], "help">, HelpText<"Display this help">;
def : Flag<["-"], "h">, Alias<help>, HelpText<"Alias for --help">;
def version : Flag<["--"], "version">, HelpText<"Display the version">;

def dump_btf : Flag<["--"], "dump">,
  HelpText<"Print the BTF of <input> as 'bpftool btf dump ... format raw' does">;
def verify : Flag<["--"], "verify">,
  HelpText<"Check the BTF of <input> with the kernel's rules">;
def dedup : Flag<["--"], "dedup">,
  HelpText<"Deduplicate the BTF of <input> and write it out (into the ELF file, or to --detached)">;
def roundtrip : Flag<["--"], "roundtrip">,
  HelpText<"Read the BTF of <input> (or --from-btf) and write it out unchanged (into the ELF file, or to --detached)">;

def distill : Flag<["--"], "distill">,
  HelpText<"Write the BTF of <input> (split, on --btf-base) with a distilled base: .BTF plus .BTF.base, as --btf-features=distilled_base encodes">;
def relocate : Flag<["--"], "relocate">,
  HelpText<"Rewrite the split BTF of module <input> onto the kernel BTF of --btf-base, from its .BTF.base or from --old-btf-base">;
def check : Flag<["--"], "check">,
  HelpText<"Tell whether the kernel of --btf-base (/sys/kernel/btf/vmlinux or a vmlinux) accepts the BTF of module <input>, and why not; exit 0 fits, 1 does not fit, 2 cannot tell">;
defm old_btf_base : Eq<"old-btf-base", "With --relocate or --check: the BTF (vmlinux) the module's BTF was made against, when it has no .BTF.base">,
  MetaVarName<"<file>">;
defm detached_base : Eq<"detached-base", "With distilled_base and --detached: write the distilled base to <file> (default: the --detached file plus '.base')">,
  MetaVarName<"<file>">;

defm btf_base : Eq<"btf-base", "Read <input> as split BTF on top of the BTF of <file>">,
  MetaVarName<"<file>">;
defm detached : Eq<"detached", "Write raw BTF to <file> ('-' for stdout)">,
  MetaVarName<"<file>">;
def batch : Flag<["--"], "batch">,
  HelpText<"Encode every <input> (e.g. kernel modules with --btf-base, the base read once), -j inputs at a time; each is written as a one-input run writes it (in place, or to --detached-dir); a failed input does not stop the others">;
defm detached_dir : Eq<"detached-dir", "With --batch: write the raw BTF of each <input> to <dir>/<input file name>.btf instead">,
  MetaVarName<"<dir>">;
defm threads : Eq<"threads", "Use <n> threads (0: all cores)">,
  MetaVarName<"<n>">;
def : JoinedOrSeparate<["-"], "j">, Alias<threads>, HelpText<"Alias for --threads">;

defm from_btf : Eq<"from-btf", "With --roundtrip or --dedup: read the BTF from <file> (raw BTF, or an ELF file's .BTF) instead of <input>">,
  MetaVarName<"<file>">;

def o : JoinedOrSeparate<["-"], "o">, MetaVarName<"<file>">,
  HelpText<"Write the ELF file with its new .BTF to <file>, as <output> does (--output <file> too)">;
def : Separate<["--"], "output">, Alias<o>, Flags<[HelpHidden]>;
def : Joined<["--"], "output=">, Alias<o>, Flags<[HelpHidden]>;

defm depfile : Eq<"depfile", "Write a Make-syntax depfile: the output depends on the input, the base and this tool">,
  MetaVarName<"<file>">;
def only_if_changed : Flag<["--"], "only-if-changed">,
  HelpText<"Leave an output whose bytes would not change untouched, mtime included (default)">;
def no_only_if_changed : Flag<["--"], "no-only-if-changed">,
  HelpText<"Always rewrite the output">;

defm btf_features : Eq<"btf-features", "Encode the BTF features in <list> only (pahole's names; 'default' for pahole's defaults)">,
  MetaVarName<"<list>">;
defm btf_features_strict : Eq<"btf-features-strict", "As --btf-features, but an unknown feature is an error">,
  MetaVarName<"<list>">;
defm pahole_compat : Eq<"pahole-compat", "Follow the rules of pahole <version>: 1.24, 1.30 or 1.31 (default: 1.31); also sets the default --btf-features (1.24: the 6.1 kernel's, 1.30+: pahole's default set, as kbuild 6.12 passes)">,
  MetaVarName<"<version>">;
defm lang_exclude : Eq<"lang-exclude", "Skip compile units in these languages (e.g. rust)">,
  MetaVarName<"<list>">;

defm elf_writer : Eq<"elf-writer", "How .BTF goes into the ELF file: 'auto' (default: append the new sections where the result is known to read back as ObjCopy's, ObjCopy elsewhere), 'objcopy' (LLVM's ObjCopy library) or 'append' (an error where appending is not known to be safe)">,
  MetaVarName<"<writer>">;
defm btf_base_section : Eq<"btf-base-section", "Also set the .BTF.base section of the output ELF file to the raw BTF in <file> (for tests)">,
  MetaVarName<"<file>">, Flags<[HelpHidden]>;
def remove_btf_base_section : Flag<["--"], "remove-btf-base-section">, Flags<[HelpHidden]>,
  HelpText<"Remove the .BTF.base section of the output ELF file (for tests)">;

def stats : Flag<["--"], "stats">,
  HelpText<"Print counts and per-phase timings to stderr">;
defm time_trace : Eq<"time-trace", "Write a Chrome trace (as clang -ftime-trace) to <file>">,
  MetaVarName<"<file>">;
defm time_trace_granularity : Eq<"time-trace-granularity", "Minimum duration in microseconds of a traced event (default 500)">,
  MetaVarName<"<us>">;

def print_config : Flag<["--"], "print-config">, Flags<[HelpHidden]>,
  HelpText<"Print the parsed command line and exit (for tests)">;

// LLVM spellings of pahole's legacy feature switches (pahole: --btf_gen_floats,
// --skip_encoding_btf_*); each sets one --btf-features member.
def btf_gen_floats : Flag<["--"], "btf-gen-floats">,
  HelpText<"Encode floats as FLOAT (feature 'float')">;
def skip_encoding_btf_vars : Flag<["--"], "skip-encoding-btf-vars">,
  HelpText<"Do not encode per-CPU variables (feature 'var' off)">;
def skip_encoding_btf_enum64 : Flag<["--"], "skip-encoding-btf-enum64">,
  HelpText<"Encode 64-bit enums as 32-bit ENUM (feature 'enum64' off)">;
def skip_encoding_btf_decl_tag : Flag<["--"], "skip-encoding-btf-decl-tag">,
  HelpText<"Do not encode DECL_TAG (feature 'decl_tag' off)">;
def skip_encoding_btf_type_tag : Flag<["--"], "skip-encoding-btf-type-tag">,
  HelpText<"Do not encode TYPE_TAG (feature 'type_tag' off)">;
def no_dedup : Flag<["--"], "no-dedup">,
  HelpText<"Write the encoder's output without deduplication (--relocate: libbpf's relocated BTF as it is, not deduplicated against the new base)">;
