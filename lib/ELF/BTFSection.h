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
/// A `.BTF` that is SHF_ALLOC (a linked vmlinux, where the linker script
/// placed it in a loadable segment) is refused: replacing it by a non-alloc
/// section would leave the loaded image with the old bytes. kbuild encodes
/// into the not-yet-BTF'd `.tmp_vmlinux.btf`, which has no `.BTF`.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_ELF_BTFSECTION_H
#define LLVM_BTF_SPLIT_LIB_ELF_BTFSECTION_H

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

struct BTFSectionOptions {
  /// Leave the output alone when its bytes would not change (Ninja restat).
  bool OnlyIfChanged = false;
};

/// Check that \p Path is an ELF object file (any class, either byte order).
/// Errors name the file.
llvm::Error checkELFFile(llvm::StringRef Path);

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

/// One section to put into an ELF file: its name and contents.
struct SectionContents {
  llvm::StringRef Name;
  llvm::ArrayRef<char> Data;
};

/// Write ELF file \p In to \p Out with each of \p Sections added (replacing
/// a section of the same name) and each section named in \p Remove removed,
/// as `llvm-objcopy --remove-section ... --add-section NAME=DATA ...` would;
/// new sections are appended in the order given (`.BTF`, then `.BTF.base`,
/// as pahole adds them). The BTF sections must be in the ELF file's byte
/// order; a section to replace or remove must not be SHF_ALLOC. Output as
/// writeBTFSection().
llvm::Expected<OutputStatus>
writeSections(llvm::StringRef In, llvm::StringRef Out,
              llvm::ArrayRef<SectionContents> Sections,
              llvm::ArrayRef<llvm::StringRef> Remove,
              const BTFSectionOptions &Opts);

/// Write ELF file \p In with its `.BTF` section set to \p RawBTF to \p Out
/// ("-" is stdout; empty or equal to \p In means in place). The output is
/// written atomically with \p In's permissions; on error \p In and any
/// existing \p Out are left as they were.
llvm::Expected<OutputStatus> writeBTFSection(llvm::StringRef In,
                                             llvm::StringRef Out,
                                             llvm::ArrayRef<char> RawBTF,
                                             const BTFSectionOptions &Opts);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_ELF_BTFSECTION_H
