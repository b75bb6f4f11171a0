//===- BTFSection.h - Put .BTF into an ELF file -----------------*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Adds or replaces the `.BTF` section of an ELF file through LLVM's ObjCopy
/// library, exactly as `llvm-objcopy --remove-section .BTF --add-section
/// .BTF=<raw>` would: the old section (if any) is removed first, then a new
/// SHT_PROGBITS section with no flags and alignment 1 is appended; this is
/// what pahole produces (directly, or through `$LLVM_OBJCOPY --add-section`).
/// Every other section keeps its bytes, and segments keep their layout.
///
/// A `.BTF` that is SHF_ALLOC and holds bytes (a linked vmlinux, where the
/// linker script placed it in a loadable segment) is refused: replacing it by
/// a non-alloc section would leave the loaded image with the old bytes. An
/// empty SHF_ALLOC `.BTF` (ld.lld keeps the linker script's output section in
/// kbuild's `.tmp_vmlinux1`) is filled as pahole fills it: the section keeps
/// its name, index, flags and address, and gets the BTF (AppendWriter.h).
///
/// Two writers produce the same result: LLVM's ObjCopy library (rewrites the
/// whole file), and the append writer (AppendWriter.h: appends the new
/// sections and section headers, no copy in place). By default the append
/// writer is used wherever it knows its result reads back as ObjCopy's, and
/// ObjCopy everywhere else.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_ELF_BTFSECTION_H
#define LLVM_BTF_SPLIT_LIB_ELF_BTFSECTION_H

#include "ELF/AppendWriter.h"
#include "Support/OutputFile.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/Error.h"
#include <string>
#include <utility>
#include <vector>

namespace btfsplit {

/// Name of the section pahole and the kernel use.
constexpr llvm::StringLiteral BTFSectionName = ".BTF";

/// Name of the section pahole 1.28+ writes a distilled base into.
constexpr llvm::StringLiteral BTFBaseSectionName = ".BTF.base";

/// Which writer puts the sections into the file.
enum class ELFWriterKind {
  Auto,    ///< append where it is known to be safe, ObjCopy elsewhere
  ObjCopy, ///< always LLVM's ObjCopy (except filling an empty alloc .BTF)
  Append   ///< always the append writer; an error where it is not safe
};

struct BTFSectionOptions {
  /// Leave the output alone when its bytes would not change (Ninja restat).
  bool OnlyIfChanged = false;
  ELFWriterKind Writer = ELFWriterKind::Auto;
};

/// What writeELFSections() did (for --stats).
struct ELFWriteInfo {
  /// "append", "append (fill)" or "objcopy".
  std::string Writer;
  /// Why the append writer was not used, when Auto fell back to ObjCopy.
  std::string FallbackReason;
};

/// Check everything writeBTFSection() would refuse about \p Path as its
/// input (not ELF, an allocated .BTF), so a caller can fail before doing the
/// expensive work. Errors name the file.
llvm::Error checkBTFSectionTarget(llvm::StringRef Path);

/// Name and contents of every section of ELF file \p Path whose name is in
/// \p Names (absent ones are left out). Errors name the file.
llvm::Expected<std::vector<std::pair<std::string, std::vector<uint8_t>>>>
readSections(llvm::StringRef Path, llvm::ArrayRef<llvm::StringRef> Names);

/// Open \p Path as an ELF object file; "not an ELF file" errors name it.
llvm::Expected<llvm::object::OwningBinary<llvm::object::ObjectFile>>
openELFFile(llvm::StringRef Path);

/// True when \p Obj has DWARF type information (a non-empty .debug_info).
bool hasDWARF(const llvm::object::ObjectFile &Obj);

/// Write ELF file \p In with its sections changed by \p Updates (in order:
/// every section named by an update is removed, then each update that is not
/// a removal adds its section, as `llvm-objcopy --remove-section N ...
/// --add-section N=F ...` does) to \p Out ("-" is stdout; empty or equal to
/// \p In means in place). Atomic (ObjCopy) or crash-safe (append), with
/// \p In's permissions; on error \p In and any existing \p Out are left as
/// they were.
llvm::Expected<OutputStatus>
writeELFSections(llvm::StringRef In, llvm::StringRef Out,
                 llvm::ArrayRef<SectionUpdate> Updates,
                 const BTFSectionOptions &Opts, ELFWriteInfo *Info = nullptr);

/// Write ELF file \p In with its `.BTF` section set to \p RawBTF to \p Out
/// ("-" is stdout; empty or equal to \p In means in place). The output is
/// written atomically with \p In's permissions; on error \p In and any
/// existing \p Out are left as they were.
llvm::Expected<OutputStatus> writeBTFSection(llvm::StringRef In,
                                             llvm::StringRef Out,
                                             llvm::ArrayRef<char> RawBTF,
                                             const BTFSectionOptions &Opts,
                                             ELFWriteInfo *Info = nullptr);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_ELF_BTFSECTION_H
