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
