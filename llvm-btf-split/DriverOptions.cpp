//===- DriverOptions.cpp - Command line of llvm-btf-split -----------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "DriverOptions.h"
#include "llvm/Option/Arg.h"
#include "llvm/Option/ArgList.h"
#include "llvm/Option/Option.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace llvm::opt;
using namespace btfsplit;

namespace {
enum ID {
  OPT_INVALID = 0,
#define OPTION(...) LLVM_MAKE_OPT_ID(__VA_ARGS__),
#include "Opts.inc"
#undef OPTION
};

#define OPTTABLE_STR_TABLE_CODE
#include "Opts.inc"
#undef OPTTABLE_STR_TABLE_CODE

#define OPTTABLE_PREFIXES_TABLE_CODE
#include "Opts.inc"
#undef OPTTABLE_PREFIXES_TABLE_CODE

static constexpr opt::OptTable::Info InfoTable[] = {
#define OPTION(...) LLVM_CONSTRUCT_OPT_INFO(__VA_ARGS__),
#include "Opts.inc"
#undef OPTION
};

class BTFSplitOptTable : public opt::GenericOptTable {
public:
  BTFSplitOptTable()
      : GenericOptTable(OptionStrTable, OptionPrefixesTable, InfoTable) {}
};
} // namespace

static BTFSplitOptTable &optTable() {
  static BTFSplitOptTable T;
  return T;
}

void btfsplit::printDriverHelp(StringRef ToolName) {
  optTable().printHelp(
      outs(), (ToolName + " [options] <input> [<output>]").str().c_str(),
      "LLVM BTF encoder and split-BTF generator");
}

Expected<DriverConfig>
btfsplit::parseDriverOptions(ArrayRef<const char *> Argv) {
  DriverConfig Config;
  unsigned MissingIndex, MissingCount;
  InputArgList Args = optTable().ParseArgs(Argv, MissingIndex, MissingCount);
  if (MissingCount)
    return createStringError(errc::invalid_argument,
                             "missing argument to option '%s'",
                             Args.getArgString(MissingIndex));
  if (Args.hasArg(OPT_help)) {
    Config.ShowHelp = true;
    return Config;
  }
  if (Args.hasArg(OPT_version)) {
    Config.ShowVersion = true;
    return Config;
  }
  for (const Arg *A : Args.filtered(OPT_UNKNOWN))
    return createStringError(errc::invalid_argument, "unknown argument '%s'",
                             A->getAsString(Args).c_str());

  unsigned Modes = 0;
  for (const Arg *A :
       Args.filtered(OPT_dump_btf, OPT_verify, OPT_dedup, OPT_roundtrip)) {
    ++Modes;
    switch (A->getOption().getID()) {
    case OPT_dump_btf:
      Config.Action = Mode::Dump;
      break;
    case OPT_verify:
      Config.Action = Mode::Verify;
      break;
    case OPT_dedup:
      Config.Action = Mode::Dedup;
      break;
    default:
      Config.Action = Mode::Roundtrip;
      break;
    }
  }
  if (Modes > 1)
    return createStringError(
        errc::invalid_argument,
        "--dump, --verify, --dedup and --roundtrip are mutually exclusive");

  Config.BaseFile = Args.getLastArgValue(OPT_btf_base).str();
  Config.Detached = Args.getLastArgValue(OPT_detached).str();
  if (const Arg *A = Args.getLastArg(OPT_threads)) {
    StringRef V = A->getValue();
    if (V.getAsInteger(10, Config.Threads))
      return createStringError(errc::invalid_argument,
                               "invalid thread count '%s'", V.str().c_str());
  }

  if (const Arg *A = Args.getLastArg(OPT_btf_features))
    if (Error E = parseBTFFeatures(A->getValue(), Config.Encoder.Features,
                                   Args.hasArg(OPT_btf_features_strict)))
      return std::move(E);
  BTFFeatures &F = Config.Encoder.Features;
  if (Args.hasArg(OPT_btf_gen_floats))
    F.Float = true;
  if (Args.hasArg(OPT_skip_encoding_btf_vars))
    F.Var = false;
  if (Args.hasArg(OPT_skip_encoding_btf_enum64))
    F.Enum64 = false;
  if (Args.hasArg(OPT_skip_encoding_btf_decl_tag))
    F.DeclTag = false;
  if (Args.hasArg(OPT_skip_encoding_btf_type_tag))
    F.TypeTag = false;
  for (const Arg *A : Args.filtered(OPT_lang_exclude)) {
    SmallVector<StringRef, 4> Langs;
    StringRef(A->getValue()).split(Langs, ',', -1, false);
    for (StringRef L : Langs)
      Config.Encoder.LangExclude.push_back(L.trim().str());
  }
  Config.Encoder.Threads = Config.Threads;
  Config.NoDedup = Args.hasArg(OPT_no_dedup);

  std::vector<std::string> Positional = Args.getAllArgValues(OPT_INPUT);
  if (Positional.empty())
    return createStringError(errc::invalid_argument, "no input file");
  if (Positional.size() > 2)
    return createStringError(errc::invalid_argument,
                             "too many positional arguments");
  Config.Input = Positional[0];
  if (Positional.size() == 2)
    Config.Output = Positional[1];
  if ((Config.Action == Mode::Dedup || Config.Action == Mode::Roundtrip) &&
      Config.Detached.empty())
    return createStringError(errc::invalid_argument,
                             "--dedup and --roundtrip need --detached <file>");
  if (Config.Action == Mode::Encode && Config.Detached.empty())
    return createStringError(
        errc::invalid_argument,
        "encoding needs --detached <file> (writing .BTF into an ELF file "
        "is not implemented yet)");
  return Config;
}
