// The pahole personality: the options kbuild passes to $(PAHOLE), spelled as
// pahole (argp) spells them. Anything else is an unknown-option error.
include "llvm/Option/OptParser.td"

// pahole's long options take `--opt=value` and `--opt value`.
multiclass Eq<string name, string help> {
  def NAME : Separate<["--"], name>;
  def NAME #_eq : Joined<["--"], name #"=">,
                  Alias<!cast<Separate>(NAME)>,
                  HelpText<help>;
}

def help : Flag<["--"], "help">, HelpText<"Give this help list">;
def : Flag<["-"], "?">, Alias<help>;
def : Flag<["--"], "usage">, Alias<help>;
def version : Flag<["--"], "version">, HelpText<"Print program version">;
def numeric_version : Flag<["--"], "numeric_version">,
  HelpText<"Print a numeric version, i.e. 124 instead of v1.24">;
def supported_btf_features : Flag<["--"], "supported_btf_features">,
  HelpText<"Show the BTF features --btf_features knows and exit">;

def btf_encode : Flag<["-"], "J">, HelpText<"Encode as BTF">;
def : Flag<["--"], "btf_encode">, Alias<btf_encode>;
defm btf_encode_detached : Eq<"btf_encode_detached", "Encode as BTF in a detached file">,
  MetaVarName<"FILENAME">;
defm btf_base : Eq<"btf_base", "Path to the base BTF file">, MetaVarName<"PATH">;

// -j, -jN, --jobs, --jobs=N (argp: the argument is optional and joined).
def jobs : Joined<["-"], "j">, HelpText<"Run N jobs in parallel (-j alone: all CPUs)">,
  MetaVarName<"[N]">;
def : Flag<["--"], "jobs">, Alias<jobs>;
def : Joined<["--"], "jobs=">, Alias<jobs>;

def btf_encode_force : Flag<["--"], "btf_encode_force">,
  HelpText<"Ignore those symbols found invalid when encoding BTF">;
def btf_gen_floats : Flag<["--"], "btf_gen_floats">,
  HelpText<"Allow producing BTF_KIND_FLOAT entries">;
def btf_gen_all : Flag<["--"], "btf_gen_all">,
  HelpText<"Allow using all the BTF features supported by pahole">;
def btf_gen_optimized : Flag<["--"], "btf_gen_optimized">,
  HelpText<"Generate BTF for functions with optimization-related suffixes">;
def skip_encoding_btf_vars : Flag<["--"], "skip_encoding_btf_vars">,
  HelpText<"Do not encode VARs in BTF">;
def skip_encoding_btf_decl_tag : Flag<["--"], "skip_encoding_btf_decl_tag">,
  HelpText<"Do not encode decl tags in BTF">;
def skip_encoding_btf_type_tag : Flag<["--"], "skip_encoding_btf_type_tag">,
  HelpText<"Do not encode type tags in BTF">;
def skip_encoding_btf_enum64 : Flag<["--"], "skip_encoding_btf_enum64">,
  HelpText<"Do not encode ENUM64s in BTF">;
def skip_encoding_btf_inconsistent_proto : Flag<["--"], "skip_encoding_btf_inconsistent_proto">,
  HelpText<"Skip functions with inconsistent prototypes">;
defm btf_features : Eq<"btf_features", "Encode the BTF features in FEATURE_LIST">,
  MetaVarName<"FEATURE_LIST">;
defm btf_features_strict : Eq<"btf_features_strict", "As --btf_features, but unknown features are an error">,
  MetaVarName<"FEATURE_LIST">;
defm lang_exclude : Eq<"lang_exclude", "Don't consider compilation units written in these languages">,
  MetaVarName<"LANGUAGES">;

// Not pahole's: prints what the command line maps to, for the tests.
def print_config : Flag<["--"], "print-config">, Flags<[HelpHidden]>,
  HelpText<"Print the parsed command line and exit (for tests)">;
