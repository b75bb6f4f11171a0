//===- Check.h - Will this kernel accept this module's BTF? -----*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The diagnosis behind `llvm-btf-split --check`: whether a kernel accepts a
/// module's BTF when it loads the module, and if not, why, in the words of a
/// kernel user (the base the BTF was made for against this kernel's, which
/// referenced kernel types still match, which changed and how, which
/// vanished), plus what `--relocate` would do.
///
/// The kernel reads a module's `.BTF` as split BTF on its own vmlinux BTF,
/// by type ID and string offset: it fits only the exact base it was made
/// against. With `.BTF.base` (a distilled base, kernels 6.11+) the kernel
/// first relocates the module's BTF by name onto the running vmlinux.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_DISTILL_CHECK_H
#define LLVM_BTF_SPLIT_LIB_DISTILL_CHECK_H

#include "BTF/BTFObject.h"
#include "llvm/Support/raw_ostream.h"
#include <optional>
#include <string>
#include <vector>

namespace btfsplit {

enum class Verdict { Fits = 0, DoesNotFit = 1, CannotTell = 2 };

/// The BTF sections of a module file.
struct ModuleBTF {
  /// The file, as the user named it.
  std::string Path;
  /// `.BTF`, when the module has one.
  std::optional<std::vector<uint8_t>> BTF;
  /// `.BTF.base`, when the module has one.
  std::optional<std::vector<uint8_t>> Base;
};

struct CheckInput {
  const ModuleBTF *Module = nullptr;
  /// The kernel's BTF (standalone) and how the user named it.
  const BTFObject *Kernel = nullptr;
  std::string KernelPath;
  /// The BTF the module was made against, if the user gave it.
  const BTFObject *OldBase = nullptr;
  std::string OldBasePath;
};

/// Base type and string counts a split BTF was made for, inferred from its
/// references (split BTF does not record them): the first local string is
/// at the base's string size; the local type a FUNC or DATASEC entry refers
/// to must be a FUNC_PROTO or VAR. Unset when they cannot be told.
struct MadeFor {
  std::optional<uint32_t> Types;   ///< base type count, without void
  std::optional<uint32_t> Strings; ///< base string section bytes
};
MadeFor inferMadeFor(llvm::ArrayRef<uint8_t> SplitBTF);

/// Print the diagnosis to \p OS and return the verdict.
Verdict checkModule(const CheckInput &In, llvm::raw_ostream &OS);

/// 2104113 -> "2,104,113".
std::string groupDigits(uint64_t N);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_DISTILL_CHECK_H
