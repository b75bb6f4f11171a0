//===- RelocatedDWARF.h - DWARF of a relocatable ELF file, relocated once -===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The DWARF of a kernel module (ET_REL) is useless without its relocations:
/// every relocated field holds 0 and the value is in a RELA addend. LLVM's
/// object-backed DWARFObject keeps a map entry per relocation (a
/// RelocationRef, its resolver and the symbol's value) and resolves one at
/// every read: for the 1.07 M entries of mlx5_core's .rela.debug_* that map
/// dominates time and memory.
///
/// createRelocatedDWARF() instead copies each .debug_* section that has a
/// .rela section into an owned buffer, applies the RELA entries once (S + A
/// with S the symbol's st_value, as LLVM's resolver computes for relocatable
/// files, whose sections all sit at address 0), and serves the buffers to
/// DWARFContext. The only thing a reader still asks of the relocation is the
/// index of the section an address points into (per-CPU variables): find()
/// answers it for relocations against allocated sections, with a resolver
/// that returns the already relocated value unchanged.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_DWARF2BTF_RELOCATEDDWARF_H
#define LLVM_BTF_SPLIT_LIB_DWARF2BTF_RELOCATEDDWARF_H

#include "llvm/DebugInfo/DWARF/DWARFObject.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/Error.h"
#include <memory>

namespace btfsplit {

/// The relocated debug sections of a relocatable file; DWARFContexts read
/// them through makeObject() views, so that a context can be dropped and
/// rebuilt (to free parsed DIEs) without relocating again.
class RelocatedDWARF {
public:
  /// The debug sections of \p Obj with their relocations applied, or nullptr
  /// when \p Obj is not a case this handles (not ELF64 little-endian x86-64
  /// ET_REL, compressed or duplicated debug sections, extended section
  /// indexes, .debug_types): the caller then falls back to LLVM's own
  /// relocation handling. An unknown relocation type or a relocation outside
  /// its section is an error naming \p FileName.
  static llvm::Expected<std::unique_ptr<RelocatedDWARF>>
  create(const llvm::object::ObjectFile &Obj, llvm::StringRef FileName);
  ~RelocatedDWARF();

  /// A DWARFObject for DWARFContext over these sections; *this must outlive
  /// it.
  std::unique_ptr<llvm::DWARFObject> makeObject() const;

  struct Data;

private:
  RelocatedDWARF();
  std::unique_ptr<Data> D;
};

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_DWARF2BTF_RELOCATEDDWARF_H
