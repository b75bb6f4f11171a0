//===- DriverOptions.h - Command line of llvm-btf-split ---------*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The command line, in two personalities that fill the same DriverConfig:
///
/// - llvm-btf-split's own (Opts.td): LLVM spellings, `--x=v` / `--x v`;
/// - pahole's (PaholeOpts.td), chosen when the program is called through a
///   name ending in "pahole" (the installed llvm-btf-split-pahole link): the
///   command lines kbuild passes to `$(PAHOLE)`, see docs/pahole.md.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_DRIVEROPTIONS_H
#define LLVM_BTF_SPLIT_DRIVEROPTIONS_H

#include "DWARF2BTF/DWARFToBTF.h"
#include "ELF/BTFSection.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <optional>
#include <string>
#include <vector>

namespace btfsplit {

enum class Mode {
  Encode,
  Dump,
  Verify,
  Dedup,
  Roundtrip,
  Distill,
  Relocate,
  Check
};

/// The pahole personality reports the version of the level it follows
/// (--version "v1.30", --numeric_version "130"): kbuild derives its pahole
/// flags from it, see docs/pahole.md.

/// Everything the command line says, validated.
struct DriverConfig {
  Mode Action = Mode::Encode;
  std::string Input;
  std::string Output;
  std::string BaseFile;
  std::string Detached;
  unsigned Threads = 0;
  bool ShowHelp = false;
  bool ShowVersion = false;

  /// --relocate/--check: the base the module's BTF was made against (when
  /// it has no .BTF.base).
  std::string OldBaseFile;
  /// With distilled_base and --detached: where the distilled base goes
  /// (default: the --detached path plus ".base").
  std::string DetachedBase;
  /// --roundtrip/--dedup read their BTF from here instead of Input.
  std::string BTFSource;
  /// Write a Make-syntax depfile for the output here.
  std::string DepFile;
  /// Leave an output whose bytes would not change untouched (Ninja restat).
  bool OnlyIfChanged = true;
  /// Which writer puts .BTF into an ELF output (--elf-writer).
  ELFWriterKind Writer = ELFWriterKind::Auto;
  /// Also set .BTF.base to this file's bytes, or remove .BTF.base (hidden
  /// test options for the writers).
  std::string BTFBaseSection;
  bool RemoveBTFBaseSection = false;
  /// Print counts and per-phase timings to stderr.
  bool Stats = false;
  /// Write a Chrome trace (clang -ftime-trace format) here.
  std::string TimeTrace;
  unsigned TimeTraceGranularity = 500;
  /// What to encode (lib/DWARF2BTF's BTFFeatures: pahole's names).
  BTFFeatures Features;
  /// Whose rules the encoder follows (--pahole-compat, or the pahole
  /// link's name).
  PaholeLevel Level = NewestPaholeLevel;
  /// Write the encoder's output without deduplication (for tests).
  bool NoDedup = false;
  /// DW_AT_language codes whose CUs are skipped (pahole --lang_exclude).
  std::vector<unsigned> LangExclude;
  /// Called through the pahole personality.
  bool Pahole = false;
  /// pahole --numeric_version / --supported_btf_features.
  bool ShowNumericVersion = false;
  bool ShowFeatures = false;
  /// --print-config: print this configuration and exit.
  bool PrintConfig = false;
  /// --batch: encode each of Inputs as a one-input run would (Input is the
  /// first), raw BTF into DetachedDir when set; Threads inputs at a time.
  bool Batch = false;
  std::vector<std::string> Inputs;
  std::string DetachedDir;
  /// Diagnostics from parsing that do not stop the run.
  std::vector<std::string> Warnings;
};

/// True when a program called \p ToolName (argv[0]) is the pahole
/// personality: its file name, minus any ".exe", ends in "pahole" or in
/// "pahole-1.NN".
bool isPaholeName(llvm::StringRef ToolName);

/// The level a pahole personality called \p ToolName follows: "...-1.24",
/// "-1.30", "-1.31"; the newest for a plain "...pahole".
PaholeLevel paholeLevelForName(llvm::StringRef ToolName);

/// "1.24", "1.30" or "1.31" as a level; none for anything else.
std::optional<PaholeLevel> parsePaholeLevel(llvm::StringRef S);

/// Parse \p Argv (without the program name) into a DriverConfig, with the
/// llvm-btf-split personality.
llvm::Expected<DriverConfig>
parseDriverOptions(llvm::ArrayRef<const char *> Argv);

/// Parse \p Argv (without the program name) with the pahole personality.
llvm::Expected<DriverConfig>
parsePaholeOptions(llvm::ArrayRef<const char *> Argv, PaholeLevel Level);

/// Print --help for \p ToolName.
void printDriverHelp(llvm::StringRef ToolName);
void printPaholeHelp(llvm::StringRef ToolName, PaholeLevel Level);

/// "v1.30", as that pahole's --version prints it.
std::string paholeVersionString(PaholeLevel Level);

/// Print \p C as "key: value" lines (--print-config).
void printDriverConfig(const DriverConfig &C, llvm::raw_ostream &OS);

/// --supported_btf_features as the pahole of \p Level prints it (1.24 has
/// no such option: one line per feature this tool knows).
void printBTFFeatures(llvm::raw_ostream &OS, PaholeLevel Level);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_DRIVEROPTIONS_H
