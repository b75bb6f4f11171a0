//===- DriverOptions.h - Command line of llvm-btf-split ---------*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_DRIVEROPTIONS_H
#define LLVM_BTF_SPLIT_DRIVEROPTIONS_H

#include "DWARF2BTF/DWARFToBTF.h"
#include "llvm/Support/Error.h"
#include <string>

namespace btfsplit {

enum class Mode { Encode, Dump, Verify, Dedup, Roundtrip };

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
  /// Encode mode: pahole-compatible encoder settings.
  EncoderOptions Encoder;
  bool NoDedup = false;
};

/// Parse \p Argv (without the program name) into a DriverConfig.
llvm::Expected<DriverConfig>
parseDriverOptions(llvm::ArrayRef<const char *> Argv);

/// Print --help for \p ToolName.
void printDriverHelp(llvm::StringRef ToolName);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_DRIVEROPTIONS_H
