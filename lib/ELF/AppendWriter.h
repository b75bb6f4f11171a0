//===- AppendWriter.h - Put sections into an ELF file by appending -*- C++ -*-//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// A writer for non-allocated sections such as `.BTF` and `.BTF.base` that
/// never rewrites the file: it appends the new section data, a `.shstrtab`
/// copy when the section names change, and a new section header table at the
/// end of the file, then points the ELF header at them. Every other byte of
/// the file stays where it is, so writing vmlinux in place costs the size of
/// its BTF, not of vmlinux.
///
/// In place the order makes it crash-safe: the new bytes go after the end of
/// the file, are flushed (fdatasync), and only then is the ELF header
/// rewritten and flushed. A kill or crash before the header write leaves the
/// old ELF file, intact, followed by bytes nothing refers to. With an output
/// path, the input is first copied (reflink or copy_file_range) to a
/// temporary file that is renamed over the output once complete.
///
/// The result reads back exactly as LLVM's ObjCopy writes the same change
/// (remove the named sections, then add the new ones in order): the same
/// section headers and contents, program headers and ELF header, except the
/// file offsets of the new sections, `.shstrtab` and the section header
/// table. The writer accepts only layouts where it knows this to hold, and
/// refuses the others with an AppendRefusal error (the caller then uses
/// ObjCopy); see planAppend() for the rules.
///
/// One more case is pahole's own: an empty, allocated `.BTF` (ld.lld keeps
/// the linker script's `.BTF` output section, which holds only the
/// `__start_BTF`/`__stop_BTF` symbols, in kbuild's `.tmp_vmlinux1`). pahole
/// writes the BTF into that section, which keeps its name, flags, address and
/// index; so does this writer ("fill"). ObjCopy cannot grow a section inside
/// a segment, so this case always goes through this writer.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_ELF_APPENDWRITER_H
#define LLVM_BTF_SPLIT_LIB_ELF_APPENDWRITER_H

#include "Support/OutputFile.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace btfsplit {

/// One change to the sections of an ELF file: set section Name to Data
/// (adding it when missing, replacing every section of that name otherwise),
/// or remove every section of that name.
struct SectionUpdate {
  std::string Name;
  llvm::ArrayRef<char> Data;
  bool Remove = false;
};

/// The append writer cannot apply the change to this file and be sure that
/// the result reads back as ObjCopy's; the message says why.
class AppendRefusal : public llvm::ErrorInfo<AppendRefusal> {
public:
  static char ID;
  explicit AppendRefusal(std::string Reason) : Reason(std::move(Reason)) {}
  const std::string &reason() const { return Reason; }
  void log(llvm::raw_ostream &OS) const override;
  std::error_code convertToErrorCode() const override;

private:
  std::string Reason;
};

/// What appending will write, computed from the file's bytes alone.
struct AppendPlan {
  /// The input's size: everything is written at or after this offset, except
  /// the ELF header.
  uint64_t OldSize = 0;
  /// Pieces to write after OldSize, in offset order.
  struct Piece {
    uint64_t Offset;
    llvm::ArrayRef<char> Bytes;
  };
  std::vector<Piece> Pieces;
  /// The new ELF header, written at offset 0 last.
  std::vector<char> Header;
  /// Storage for the new .shstrtab and section header table.
  std::vector<char> ShStrTab, SectionHeaders;
  /// Writing into a copy of the file (an output path) needs no crash safety:
  /// there the result is ObjCopy's output byte for byte. These pieces turn a
  /// copy of the input, truncated to CopySize, into it.
  bool HasCopyLayout = false;
  std::vector<Piece> CopyPieces;
  std::vector<char> CopyHeader, CopySectionHeaders, Zeros;
  uint64_t CopySize = 0;
  /// The file already holds the result (nothing to write).
  bool Unchanged = false;
  /// An empty allocated section is filled (pahole's way); ObjCopy cannot.
  bool Fills = false;
};

/// Work out how to apply \p Updates to the ELF file in \p Buf by appending.
/// Returns an AppendRefusal when the layout is not one known to read back as
/// ObjCopy's result (or, for a fill, not one that is safe to patch), other
/// errors when the file is malformed. \p Updates' Data must outlive the plan.
llvm::Expected<AppendPlan> planAppend(llvm::MemoryBufferRef Buf,
                                      llvm::ArrayRef<SectionUpdate> Updates);

/// True when \p Buf has a section \p Name that is allocated, empty and not
/// SHT_NOBITS: the section planAppend() fills in place of adding one.
bool hasEmptyAllocSection(llvm::MemoryBufferRef Buf, llvm::StringRef Name);

/// Apply \p Plan, made from the current contents of \p In, writing \p Out
/// (empty or equal to \p In: in place). In place the file must be a regular
/// file with one link that this process can write; otherwise (and for a
/// special output) returns an AppendRefusal before changing anything.
llvm::Expected<OutputStatus> executeAppend(llvm::StringRef In,
                                           llvm::StringRef Out,
                                           const AppendPlan &Plan,
                                           const OutputOptions &Opts);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_ELF_APPENDWRITER_H
