//===- DriverOptions.cpp - Command line of llvm-btf-split -----------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "DriverOptions.h"
#include "DWARF2BTF/UnitChecks.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/Option/Arg.h"
#include "llvm/Option/ArgList.h"
#include "llvm/Option/Option.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/Path.h"
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

namespace pahole_opt {
enum ID {
  PAHOLE_INVALID = 0,
#define OPTION(...) LLVM_MAKE_OPT_ID_WITH_ID_PREFIX(PAHOLE_, __VA_ARGS__),
#include "PaholeOpts.inc"
#undef OPTION
};

#define OPTTABLE_STR_TABLE_CODE
#include "PaholeOpts.inc"
#undef OPTTABLE_STR_TABLE_CODE

#define OPTTABLE_PREFIXES_TABLE_CODE
#include "PaholeOpts.inc"
#undef OPTTABLE_PREFIXES_TABLE_CODE

static constexpr opt::OptTable::Info InfoTable[] = {
#define OPTION(...)                                                            \
  LLVM_CONSTRUCT_OPT_INFO_WITH_ID_PREFIX(PAHOLE_, __VA_ARGS__),
#include "PaholeOpts.inc"
#undef OPTION
};

class PaholeOptTable : public opt::GenericOptTable {
public:
  PaholeOptTable()
      : GenericOptTable(OptionStrTable, OptionPrefixesTable, InfoTable) {}
};
} // namespace pahole_opt
using namespace pahole_opt;

static BTFSplitOptTable &optTable() {
  static BTFSplitOptTable T;
  return T;
}

static PaholeOptTable &paholeOptTable() {
  static PaholeOptTable T;
  return T;
}

//===----------------------------------------------------------------------===//
// BTF features
//===----------------------------------------------------------------------===//

namespace {
/// One row of pahole's --btf_features table (BTF.md §2.3).
struct FeatureInfo {
  StringLiteral Name;
  /// The member it sets; null for features llvm-btf-split does not
  /// implement. This table is the one place to update when the encoder
  /// learns a feature (and PaholeVersionMinor when kbuild's flags for a newer
  /// pahole are all implemented, see docs/pahole.md).
  bool BTFFeatures::*Field;
  /// Enabled by --btf_features=default.
  bool InDefault;
  /// Implemented from level 1.30 on only (1.24 did not have it).
  bool Modern = false;
  bool implemented() const { return Field != nullptr; }
  bool implementedAt(PaholeLevel L) const {
    return Field && (!Modern || L != PaholeLevel::V1_24);
  }
};
} // namespace

/// pahole 1.30's and 1.31's feature table, in its order.
static constexpr FeatureInfo FeatureTable[] = {
    {"encode_force", &BTFFeatures::EncodeForce, true},
    {"var", &BTFFeatures::Var, true},
    {"float", &BTFFeatures::Float, true},
    {"decl_tag", &BTFFeatures::DeclTag, true},
    {"type_tag", &BTFFeatures::TypeTag, true},
    {"enum64", &BTFFeatures::Enum64, true},
    {"optimized_func", &BTFFeatures::OptimizedFunc, true, true},
    {"consistent_func", &BTFFeatures::ConsistentFunc, true, true},
    {"decl_tag_kfuncs", &BTFFeatures::DeclTagKfuncs, true, true},
    // Our output is deterministic for every -j: nothing to do.
    {"reproducible_build", nullptr, false},
    {"distilled_base", &BTFFeatures::DistilledBase, false},
    {"global_var", &BTFFeatures::GlobalVar, false, true},
    {"attributes", &BTFFeatures::Attributes, false, true},
};

/// Features that need no member because they are always honoured.
static bool alwaysHonoured(StringRef Name) {
  return Name == "reproducible_build";
}

static const FeatureInfo *findFeature(StringRef Name) {
  for (const FeatureInfo &F : FeatureTable)
    if (F.Name == Name)
      return &F;
  return nullptr;
}

/// "unknown BTF feature 'flaot' in '--btf-features' (did you mean 'float'?)":
/// the closest feature name (or "default"/"all") when one is close enough.
static std::string unknownFeatureMessage(StringRef Name, StringRef Option) {
  std::string Msg =
      ("unknown BTF feature '" + Name + "' in '" + Option + "'").str();
  StringRef Best;
  unsigned BestDist = ~0u;
  auto Consider = [&](StringRef Candidate) {
    unsigned D = Name.edit_distance(Candidate, /*AllowReplacements=*/true);
    if (D < BestDist) {
      Best = Candidate;
      BestDist = D;
    }
  };
  for (const FeatureInfo &F : FeatureTable)
    Consider(F.Name);
  Consider("default");
  Consider("all");
  if (BestDist <= 2 || BestDist * 3 <= Name.size())
    Msg += (" (did you mean '" + Best + "'?)").str();
  return Msg;
}

void btfsplit::printBTFFeatures(raw_ostream &OS, PaholeLevel Level) {
  if (Level == PaholeLevel::V1_24) {
    for (const FeatureInfo &F : FeatureTable) {
      if (F.Name == "attributes")
        continue;
      OS << F.Name << (F.InDefault ? " (default)" : "")
         << (F.implementedAt(Level) || alwaysHonoured(F.Name)
                 ? ""
                 : " (not implemented)")
         << '\n';
    }
    return;
  }
  // As pahole 1.30 and 1.31 print it (their libbpf passes every feature
  // check): the names, comma-separated, in table order.
  ListSeparator LS(",");
  for (const FeatureInfo &F : FeatureTable)
    OS << LS << F.Name;
  OS << '\n';
}

std::optional<PaholeLevel> btfsplit::parsePaholeLevel(StringRef S) {
  if (S == "1.24")
    return PaholeLevel::V1_24;
  if (S == "1.30")
    return PaholeLevel::V1_30;
  if (S == "1.31")
    return PaholeLevel::V1_31;
  return std::nullopt;
}

/// The features on by default for \p Level: 1.24 the 6.1 kernel's set,
/// from 1.30 the set kbuild 6.12 passes (pahole's "default").
static void setDefaultFeatures(BTFFeatures &F, PaholeLevel Level) {
  F = BTFFeatures();
  if (Level == PaholeLevel::V1_24)
    return;
  for (const FeatureInfo &I : FeatureTable)
    if (I.implemented() && I.InDefault)
      F.*I.Field = true;
}

static StringRef modeName(Mode M) {
  switch (M) {
  case Mode::Encode:
    return "encode";
  case Mode::Dump:
    return "dump";
  case Mode::Verify:
    return "verify";
  case Mode::Dedup:
    return "dedup";
  case Mode::Roundtrip:
    return "roundtrip";
  case Mode::Distill:
    return "distill";
  case Mode::Relocate:
    return "relocate";
  case Mode::Check:
    return "check";
  }
  llvm_unreachable("unknown mode");
}

void btfsplit::printDriverConfig(const DriverConfig &C, raw_ostream &OS) {
  OS << "personality: " << (C.Pahole ? "pahole" : "llvm-btf-split") << '\n';
  OS << "mode: " << modeName(C.Action) << '\n';
  OS << "input: " << C.Input << '\n';
  OS << "output: " << C.Output << '\n';
  OS << "detached: " << C.Detached << '\n';
  if (C.Batch) {
    OS << "batch:";
    for (const std::string &In : C.Inputs)
      OS << ' ' << In;
    OS << '\n';
    OS << "detached-dir: " << C.DetachedDir << '\n';
  }
  OS << "base: " << C.BaseFile << '\n';
  if (!C.OldBaseFile.empty())
    OS << "old-base: " << C.OldBaseFile << '\n';
  if (!C.DetachedBase.empty())
    OS << "detached-base: " << C.DetachedBase << '\n';
  OS << "btf-source: " << C.BTFSource << '\n';
  OS << "threads: " << C.Threads << '\n';
  OS << "only-if-changed: " << (C.OnlyIfChanged ? "yes" : "no") << '\n';
  OS << "depfile: " << C.DepFile << '\n';
  if (C.Level != PaholeLevel::V1_24)
    OS << "pahole-compat: " << unsigned(C.Level) / 100 << '.'
       << unsigned(C.Level) % 100 << '\n';
  OS << "features:";
  for (const FeatureInfo &F : FeatureTable)
    if (F.implementedAt(C.Level) && C.Features.*F.Field)
      OS << ' ' << F.Name;
  OS << '\n';
  OS << "lang-exclude:";
  for (unsigned L : C.LangExclude)
    OS << ' ' << languageName(L);
  OS << '\n';
}

namespace {
/// Applies feature options in command-line order, as pahole does.
class FeatureParser {
public:
  /// \p WarnUnknown: warn about unknown names in a non-strict list. pahole
  /// ignores them quietly, so that kbuild can pass names of newer pahole
  /// versions; the pahole personality does the same.
  FeatureParser(DriverConfig &C, bool WarnUnknown)
      : C(C), WarnUnknown(WarnUnknown) {}

  /// pahole --btf_features[_strict]=LIST: the first one switches every
  /// feature off, then each list turns on the features it names; "default"
  /// (or 1.26's "all") turns on the default set. Unknown names are skipped
  /// (with a warning naming the closest known name when WarnUnknown), the
  /// rest of the list still applies; with \p Strict they are an error.
  Error parseList(StringRef Option, StringRef List, bool Strict) {
    if (!SeenList) {
      for (const FeatureInfo &F : FeatureTable)
        if (F.implementedAt(C.Level))
          C.Features.*F.Field = false;
      SeenList = true;
    }
    // "+list" (pahole 1.27+): the default set plus the listed features.
    if (List.consume_front("+"))
      for (const FeatureInfo &F : FeatureTable)
        if (F.InDefault)
          if (Error E = enable(Option, F, Strict, /*Explicit=*/false))
            return E;
    SmallVector<StringRef, 16> Names;
    List.split(Names, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
    for (StringRef Name : Names) {
      Name = Name.trim();
      if (Name == "default" || Name == "all") {
        for (const FeatureInfo &F : FeatureTable)
          if (F.InDefault)
            if (Error E = enable(Option, F, Strict, /*Explicit=*/false))
              return E;
        continue;
      }
      const FeatureInfo *F = findFeature(Name);
      if (!F) {
        if (Strict)
          return createStringError(errc::invalid_argument,
                                   unknownFeatureMessage(Name, Option));
        if (WarnUnknown)
          C.Warnings.push_back(unknownFeatureMessage(Name, Option) +
                               "; ignoring it");
        continue;
      }
      if (Error E = enable(Option, *F, Strict, /*Explicit=*/true))
        return E;
    }
    return Error::success();
  }

  /// A legacy option that sets feature \p Name to \p On.
  Error set(StringRef Option, StringRef Name, bool On) {
    const FeatureInfo *F = findFeature(Name);
    assert(F && "unknown feature in the option table");
    if (On && !F->implementedAt(C.Level))
      return createStringError(errc::not_supported,
                               "option '%s' (BTF feature '%s') is not "
                               "implemented",
                               Option.str().c_str(), F->Name.data());
    if (F->implementedAt(C.Level))
      C.Features.*F->Field = On;
    return Error::success();
  }

private:
  Error enable(StringRef Option, const FeatureInfo &F, bool Strict,
               bool Explicit) {
    if (F.implementedAt(C.Level)) {
      C.Features.*F.Field = true;
      return Error::success();
    }
    if (alwaysHonoured(F.Name))
      return Error::success();
    if (Strict && Explicit)
      return createStringError(errc::not_supported,
                               "BTF feature '%s' in '%s' is not implemented",
                               F.Name.data(), Option.str().c_str());
    if (Warned.insert(F.Name).second)
      C.Warnings.push_back(
          ("BTF feature '" + F.Name + "' is not implemented; not encoding it")
              .str());
    return Error::success();
  }

  DriverConfig &C;
  bool WarnUnknown;
  bool SeenList = false;
  StringSet<> Warned;
};
} // namespace

/// pahole --lang_exclude=LIST: DWARF language names without "DW_LANG_",
/// any case ("rust", "c89"), resolved to their DW_LANG_ codes once, here.
static Error parseLanguages(StringRef Option, StringRef List,
                            std::vector<unsigned> &Out) {
  SmallVector<StringRef, 4> Names;
  List.split(Names, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (StringRef Name : Names) {
    std::optional<unsigned> Lang = languageByName(Name);
    if (!Lang)
      return createStringError(errc::invalid_argument,
                               "unknown language '%s' in '%s'",
                               Name.str().c_str(), Option.str().c_str());
    Out.push_back(*Lang);
  }
  return Error::success();
}

static Error parseThreads(StringRef V, unsigned &Threads) {
  if (V.getAsInteger(10, Threads))
    return createStringError(errc::invalid_argument,
                             "invalid thread count '%s'", V.str().c_str());
  return Error::success();
}

//===----------------------------------------------------------------------===//
// llvm-btf-split personality
//===----------------------------------------------------------------------===//

void btfsplit::printDriverHelp(StringRef ToolName) {
  optTable().printHelp(
      outs(),
      (ToolName + " [options] <input> [<output>]\n       " + ToolName +
       " --batch [options] <input>...")
          .str()
          .c_str(),
      "LLVM BTF encoder and split-BTF generator\n\n"
      "  Writes the BTF into <output>, or into <input> in place, as a .BTF "
      "section\n  (or to --detached <file> as raw BTF). Called through a name "
      "ending in\n  'pahole', it takes pahole's command line instead.");
}

/// --batch: every positional argument is an input, written as a one-input
/// run writes it; the options that name one output file do not apply.
static Expected<DriverConfig> finishBatchConfig(const InputArgList &Args,
                                                std::vector<std::string> Inputs,
                                                DriverConfig &Config) {
  if (Config.Action != Mode::Encode)
    return createStringError(errc::invalid_argument,
                             "--batch encodes: it does not combine with "
                             "--dump, --verify, --dedup or --roundtrip");
  if (Args.hasArg(OPT_o) || !Config.Detached.empty())
    return createStringError(errc::invalid_argument,
                             "--batch writes each input in place or to "
                             "--detached-dir: -o and --detached do not apply");
  if (!Config.DepFile.empty() || !Config.TimeTrace.empty())
    return createStringError(errc::invalid_argument,
                             "--depfile and --time-trace do not combine with "
                             "--batch");
  if (Config.DetachedDir == "-")
    return createStringError(errc::invalid_argument,
                             "--detached-dir needs a directory, not stdout");
  // Two writers of one file would race: inputs, and with --detached-dir the
  // file names they give, must be distinct.
  StringSet<> Seen;
  for (const std::string &In : Inputs) {
    StringRef Key =
        Config.DetachedDir.empty() ? StringRef(In) : sys::path::filename(In);
    if (Seen.insert(Key).second)
      continue;
    if (Config.DetachedDir.empty())
      return createStringError(errc::invalid_argument,
                               "--batch: input '%s' is given twice",
                               Key.str().c_str());
    return createStringError(errc::invalid_argument,
                             "--batch: two inputs are named '%s': their "
                             "--detached-dir outputs would collide",
                             Key.str().c_str());
  }
  Config.Input = Inputs.front();
  Config.Inputs = std::move(Inputs);
  return std::move(Config);
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
  Config.PrintConfig = Args.hasArg(OPT_print_config);

  unsigned Modes = 0;
  for (const Arg *A :
       Args.filtered(OPT_dump_btf, OPT_verify, OPT_dedup, OPT_roundtrip,
                     OPT_distill, OPT_relocate, OPT_check)) {
    ++Modes;
    switch (A->getOption().getID()) {
    case OPT_distill:
      Config.Action = Mode::Distill;
      break;
    case OPT_relocate:
      Config.Action = Mode::Relocate;
      break;
    case OPT_check:
      Config.Action = Mode::Check;
      break;
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
        "--dump, --verify, --dedup, --roundtrip, --distill, --relocate and "
        "--check are mutually exclusive");

  Config.BaseFile = Args.getLastArgValue(OPT_btf_base).str();
  Config.Detached = Args.getLastArgValue(OPT_detached).str();
  if (const Arg *A = Args.getLastArg(OPT_threads))
    if (Error E = parseThreads(A->getValue(), Config.Threads))
      return std::move(E);
  Config.BTFSource = Args.getLastArgValue(OPT_from_btf).str();
  if (!Config.BTFSource.empty() && Config.Action != Mode::Roundtrip &&
      Config.Action != Mode::Dedup && Config.Action != Mode::Distill)
    return createStringError(errc::invalid_argument,
                             "--from-btf needs --roundtrip, --dedup or "
                             "--distill");
  Config.OldBaseFile = Args.getLastArgValue(OPT_old_btf_base).str();
  if (!Config.OldBaseFile.empty() && Config.Action != Mode::Relocate &&
      Config.Action != Mode::Check)
    return createStringError(errc::invalid_argument,
                             "--old-btf-base needs --relocate or --check");
  Config.DetachedBase = Args.getLastArgValue(OPT_detached_base).str();
  Config.DepFile = Args.getLastArgValue(OPT_depfile).str();
  Config.OnlyIfChanged =
      Args.hasFlag(OPT_only_if_changed, OPT_no_only_if_changed, true);
  if (const Arg *A = Args.getLastArg(OPT_elf_writer)) {
    StringRef V = A->getValue();
    if (V == "auto")
      Config.Writer = ELFWriterKind::Auto;
    else if (V == "objcopy")
      Config.Writer = ELFWriterKind::ObjCopy;
    else if (V == "append")
      Config.Writer = ELFWriterKind::Append;
    else
      return createStringError(errc::invalid_argument,
                               "invalid --elf-writer '%s' (auto, objcopy or "
                               "append)",
                               V.str().c_str());
  }
  Config.BTFBaseSection = Args.getLastArgValue(OPT_btf_base_section).str();
  Config.RemoveBTFBaseSection = Args.hasArg(OPT_remove_btf_base_section);
  if (!Config.BTFBaseSection.empty() && Config.RemoveBTFBaseSection)
    return createStringError(errc::invalid_argument,
                             "--btf-base-section and --remove-btf-base-section "
                             "are mutually exclusive");
  Config.Stats = Args.hasArg(OPT_stats);
  Config.TimeTrace = Args.getLastArgValue(OPT_time_trace).str();
  if (const Arg *A = Args.getLastArg(OPT_time_trace_granularity)) {
    StringRef V = A->getValue();
    if (V.getAsInteger(10, Config.TimeTraceGranularity))
      return createStringError(errc::invalid_argument,
                               "invalid --time-trace-granularity '%s'",
                               V.str().c_str());
  }

  if (const Arg *A = Args.getLastArg(OPT_pahole_compat)) {
    std::optional<PaholeLevel> L = parsePaholeLevel(A->getValue());
    if (!L)
      return createStringError(errc::invalid_argument,
                               "unknown --pahole-compat level '%s' (known: "
                               "1.24, 1.30, 1.31)",
                               A->getValue());
    Config.Level = *L;
  }
  setDefaultFeatures(Config.Features, Config.Level);
  FeatureParser Features(Config, /*WarnUnknown=*/true);
  for (const Arg *A : Args.filtered(OPT_btf_features, OPT_btf_features_strict))
    if (Error E =
            Features.parseList(A->getSpelling(), A->getValue(),
                               A->getOption().matches(OPT_btf_features_strict)))
      return std::move(E);
  for (const Arg *A : Args.filtered(OPT_lang_exclude))
    if (Error E =
            parseLanguages(A->getSpelling(), A->getValue(), Config.LangExclude))
      return std::move(E);
  BTFFeatures &F = Config.Features;
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
  Config.NoDedup = Args.hasArg(OPT_no_dedup);

  std::vector<std::string> Positional = Args.getAllArgValues(OPT_INPUT);
  if (Positional.empty())
    return createStringError(errc::invalid_argument, "no input file");
  Config.Batch = Args.hasArg(OPT_batch);
  Config.DetachedDir = Args.getLastArgValue(OPT_detached_dir).str();
  if (!Config.DetachedDir.empty() && !Config.Batch)
    return createStringError(errc::invalid_argument,
                             "--detached-dir needs --batch");
  if (Config.Batch)
    return finishBatchConfig(Args, std::move(Positional), Config);
  if (Positional.size() > 2)
    return createStringError(errc::invalid_argument,
                             "too many positional arguments");
  Config.Input = Positional[0];
  if (Positional.size() == 2)
    Config.Output = Positional[1];
  if (const Arg *A = Args.getLastArg(OPT_o)) {
    if (!Config.Output.empty())
      return createStringError(errc::invalid_argument,
                               "-o and a positional output file are both "
                               "given");
    Config.Output = A->getValue();
  }

  bool Writes = Config.Action == Mode::Encode || Config.Action == Mode::Dedup ||
                Config.Action == Mode::Roundtrip ||
                Config.Action == Mode::Distill ||
                Config.Action == Mode::Relocate;
  bool HasOutput = !Config.Output.empty() || !Config.Detached.empty() ||
                   !Config.DepFile.empty();
  if (Config.Action == Mode::Check && HasOutput)
    return createStringError(errc::invalid_argument,
                             "--check writes no output file");
  if (!Writes && !Config.DepFile.empty())
    return createStringError(errc::invalid_argument,
                             "--depfile needs an output file: --dump and "
                             "--verify write none");
  if (!Writes && HasOutput)
    return createStringError(errc::invalid_argument,
                             "--dump and --verify write no output file");
  bool NeedsBase = Config.Action == Mode::Distill ||
                   Config.Action == Mode::Relocate ||
                   Config.Action == Mode::Check;
  if (NeedsBase && Config.BaseFile.empty())
    return createStringError(errc::invalid_argument, "%s needs --btf-base",
                             Config.Action == Mode::Distill    ? "--distill"
                             : Config.Action == Mode::Relocate ? "--relocate"
                                                               : "--check");
  // Writing a distilled base: .BTF.base beside .BTF, or a second file.
  bool WritesBase =
      Config.Action == Mode::Distill ||
      (Config.Action == Mode::Encode && Config.Features.DistilledBase);
  if (!Config.DetachedBase.empty() && (!WritesBase || Config.Detached.empty()))
    return createStringError(errc::invalid_argument,
                             "--detached-base needs --detached and a "
                             "distilled base (--distill or "
                             "--btf-features=distilled_base)");
  if (WritesBase && Config.Detached == "-" && Config.DetachedBase.empty())
    return createStringError(errc::invalid_argument,
                             "a distilled base written to stdout needs "
                             "--detached-base <file> for the base");
  if (WritesBase && !Config.Detached.empty() && Config.DetachedBase.empty())
    Config.DetachedBase = Config.Detached + ".base";
  if (Config.Action == Mode::Encode && Config.Features.DistilledBase &&
      Config.BaseFile.empty())
    return createStringError(errc::invalid_argument,
                             "BTF feature 'distilled_base' needs --btf-base: "
                             "only a module's split BTF has a distilled base");
  if (!Config.Detached.empty() && !Config.Output.empty())
    return createStringError(errc::invalid_argument,
                             "--detached and an output ELF file are mutually "
                             "exclusive");
  if (!Config.DepFile.empty() &&
      (Config.Detached == "-" || Config.Output == "-"))
    return createStringError(errc::invalid_argument,
                             "--depfile needs an output file, not stdout");
  return Config;
}

//===----------------------------------------------------------------------===//
// pahole personality
//===----------------------------------------------------------------------===//

/// The "-1.NN" suffix of a pahole personality's name, if any.
static std::optional<PaholeLevel> nameLevel(StringRef Name, StringRef &Stem) {
  Stem = Name;
  size_t Dash = Name.rfind('-');
  if (Dash == StringRef::npos)
    return std::nullopt;
  std::optional<PaholeLevel> L = parsePaholeLevel(Name.substr(Dash + 1));
  if (L)
    Stem = Name.take_front(Dash);
  return L;
}

bool btfsplit::isPaholeName(StringRef ToolName) {
  StringRef Name = sys::path::filename(ToolName);
  Name.consume_back_insensitive(".exe");
  StringRef Stem;
  nameLevel(Name, Stem);
  return Stem.ends_with("pahole");
}

PaholeLevel btfsplit::paholeLevelForName(StringRef ToolName) {
  StringRef Name = sys::path::filename(ToolName);
  Name.consume_back_insensitive(".exe");
  StringRef Stem;
  return nameLevel(Name, Stem).value_or(NewestPaholeLevel);
}

std::string btfsplit::paholeVersionString(PaholeLevel Level) {
  return ("v" + Twine(unsigned(Level) / 100) + "." +
          Twine(unsigned(Level) % 100))
      .str();
}

void btfsplit::printPaholeHelp(StringRef ToolName, PaholeLevel Level) {
  paholeOptTable().printHelp(
      outs(), (ToolName + " [OPTION...] FILE").str().c_str(),
      ("pahole-compatible BTF encoder (llvm-btf-split), reporting pahole " +
       paholeVersionString(Level) +
       "\n\n  Only BTF encoding is supported: -J "
       "FILE writes .BTF into FILE in place,\n  "
       "--btf_encode_detached=OUT writes raw BTF. "
       "LLVM_OBJCOPY is accepted and not\n  used: "
       ".BTF is written with LLVM's ObjCopy library.")
          .c_str());
}

Expected<DriverConfig> btfsplit::parsePaholeOptions(ArrayRef<const char *> Argv,
                                                    PaholeLevel Level) {
  DriverConfig Config;
  Config.Pahole = true;
  Config.Level = Level;
  // pahole is single-threaded without -j, and always rewrites its output
  // (kbuild's Make rules rely on the new mtime).
  Config.Threads = 1;
  Config.OnlyIfChanged = false;
  // pahole's -J defaults without --btf_features: no FLOAT
  // (--btf_gen_floats), no --btf_encode_force; nor (1.30+) optimized_func,
  // consistent_func, decl_tag_kfuncs.
  setDefaultFeatures(Config.Features, PaholeLevel::V1_24);
  Config.Features.Float = false;
  Config.Features.EncodeForce = false;

  unsigned MissingIndex, MissingCount;
  InputArgList Args =
      paholeOptTable().ParseArgs(Argv, MissingIndex, MissingCount);
  if (MissingCount)
    return createStringError(errc::invalid_argument,
                             "option '%s' requires an argument",
                             Args.getArgString(MissingIndex));
  if (Args.hasArg(PAHOLE_help)) {
    Config.ShowHelp = true;
    return Config;
  }
  if (Args.hasArg(PAHOLE_version)) {
    Config.ShowVersion = true;
    return Config;
  }
  if (Args.hasArg(PAHOLE_numeric_version)) {
    Config.ShowNumericVersion = true;
    return Config;
  }
  if (Args.hasArg(PAHOLE_supported_btf_features)) {
    Config.ShowFeatures = true;
    return Config;
  }
  for (const Arg *A : Args.filtered(PAHOLE_UNKNOWN))
    return createStringError(errc::invalid_argument,
                             "unrecognized option '%s' (this pahole only "
                             "encodes BTF)",
                             A->getAsString(Args).c_str());
  Config.PrintConfig = Args.hasArg(PAHOLE_print_config);

  bool Encode = false;
  FeatureParser Features(Config, /*WarnUnknown=*/false);
  for (const Arg *A : Args) {
    StringRef Spelling = A->getSpelling();
    switch (A->getOption().getID()) {
    case PAHOLE_btf_encode:
      Encode = true;
      break;
    case PAHOLE_btf_encode_detached:
      Encode = true;
      Config.Detached = A->getValue();
      break;
    case PAHOLE_btf_base:
      Config.BaseFile = A->getValue();
      break;
    case PAHOLE_jobs: {
      StringRef V = A->getValue();
      Config.Threads = 0; // -j alone: all CPUs
      if (!V.empty())
        if (Error E = parseThreads(V, Config.Threads))
          return std::move(E);
      break;
    }
    case PAHOLE_btf_encode_force:
      if (Error E = Features.set(Spelling, "encode_force", true))
        return std::move(E);
      break;
    case PAHOLE_btf_gen_floats:
    case PAHOLE_btf_gen_all:
      if (Error E = Features.set(Spelling, "float", true))
        return std::move(E);
      break;
    case PAHOLE_btf_gen_optimized:
      if (Error E = Features.set(Spelling, "optimized_func", true))
        return std::move(E);
      break;
    case PAHOLE_skip_encoding_btf_inconsistent_proto:
      if (Error E = Features.set(Spelling, "consistent_func", true))
        return std::move(E);
      break;
    case PAHOLE_skip_encoding_btf_vars:
      cantFail(Features.set(Spelling, "var", false));
      break;
    case PAHOLE_skip_encoding_btf_decl_tag:
      cantFail(Features.set(Spelling, "decl_tag", false));
      break;
    case PAHOLE_skip_encoding_btf_type_tag:
      cantFail(Features.set(Spelling, "type_tag", false));
      break;
    case PAHOLE_skip_encoding_btf_enum64:
      cantFail(Features.set(Spelling, "enum64", false));
      break;
    case PAHOLE_btf_features:
    case PAHOLE_btf_features_strict:
      if (Error E = Features.parseList(
              Spelling, A->getValue(),
              A->getOption().matches(PAHOLE_btf_features_strict)))
        return std::move(E);
      break;
    case PAHOLE_lang_exclude:
      if (Error E = parseLanguages(Spelling, A->getValue(), Config.LangExclude))
        return std::move(E);
      break;
    default:
      break;
    }
  }
  if (!Encode)
    return createStringError(errc::invalid_argument,
                             "only BTF encoding is supported: pass -J or "
                             "--btf_encode_detached=FILE");

  std::vector<std::string> Positional = Args.getAllArgValues(PAHOLE_INPUT);
  if (Positional.empty())
    return createStringError(errc::invalid_argument, "no input file");
  if (Positional.size() > 1)
    return createStringError(errc::invalid_argument,
                             "only one input file is supported");
  Config.Input = Positional[0];
  Config.Action = Mode::Encode;
  return Config;
}
