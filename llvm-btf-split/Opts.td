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
  HelpText<"Deduplicate the BTF of <input> and write it to --detached">;
def roundtrip : Flag<["--"], "roundtrip">,
  HelpText<"Read the BTF of <input> and write it back unchanged to --detached">;

defm btf_base : Eq<"btf-base", "Read <input> as split BTF on top of the BTF of <file>">,
  MetaVarName<"<file>">;
defm detached : Eq<"detached", "Write raw BTF to <file> ('-' for stdout)">,
  MetaVarName<"<file>">;
defm threads : Eq<"threads", "Use <n> threads (0: all cores)">,
  MetaVarName<"<n>">;
def : JoinedOrSeparate<["-"], "j">, Alias<threads>, HelpText<"Alias for --threads">;

// Encoder (default mode): pahole's BTF feature switches.
defm btf_features : Eq<"btf-features",
  "BTF features to encode, pahole's names: encode_force,var,float,decl_tag,type_tag,enum64 (default: all of these)">,
  MetaVarName<"<list>">;
def btf_features_strict : Flag<["--"], "btf-features-strict">,
  HelpText<"Reject unknown names in --btf-features">;
defm lang_exclude : Eq<"lang-exclude",
  "Skip compile units in these DWARF languages (comma-separated, e.g. rust)">,
  MetaVarName<"<list>">;
def btf_gen_floats : Flag<["--"], "btf-gen-floats">,
  HelpText<"Encode floats as FLOAT (pahole --btf_gen_floats; feature 'float')">;
def skip_encoding_btf_vars : Flag<["--"], "skip-encoding-btf-vars">,
  HelpText<"Do not encode per-CPU variables (feature 'var' off)">;
def skip_encoding_btf_enum64 : Flag<["--"], "skip-encoding-btf-enum64">,
  HelpText<"Encode 64-bit enums as 32-bit ENUM (feature 'enum64' off)">;
def skip_encoding_btf_decl_tag : Flag<["--"], "skip-encoding-btf-decl-tag">,
  HelpText<"Do not encode DECL_TAG (feature 'decl_tag' off)">;
def skip_encoding_btf_type_tag : Flag<["--"], "skip-encoding-btf-type-tag">,
  HelpText<"Do not encode TYPE_TAG (feature 'type_tag' off)">;
def no_dedup : Flag<["--"], "no-dedup">,
  HelpText<"Write the encoder's output without deduplication">;
