//===- ELFSymbols.h - ELF facts pahole's selection rules need ---*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// What pahole 1.24 reads from the ELF symbol table to choose functions and
/// variables (BTF.md section 2.2):
///  - the names of all STT_FUNC symbols: a DWARF function becomes a FUNC only
///    if a symbol of exactly its name exists, and only once per name;
///  - the per-CPU variables: STT_OBJECT symbols of non-zero size in
///    '.data..percpu', keyed by their section-relative address.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_DWARF2BTF_ELFSYMBOLS_H
#define LLVM_BTF_SPLIT_LIB_DWARF2BTF_ELFSYMBOLS_H

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/Error.h"
#include <optional>
#include <vector>

namespace btfsplit {

/// A per-CPU variable symbol.
struct PercpuSymbol {
  llvm::StringRef Name;
  uint32_t Size = 0;
};

/// A section, as pahole 1.28+'s variable rules see it.
struct ELFSection {
  llvm::StringRef Name;
  uint32_t Type = 0;
  uint64_t Addr = 0;
  uint64_t Size = 0;
};

struct ELFSymbols {
  /// ET_REL: DWARF addresses are section offsets after relocation.
  bool IsRelocatable = false;
  /// The file has a symbol table; without one pahole keeps only external
  /// functions.
  bool HasSymtab = false;
  llvm::StringSet<> FunctionNames;

  /// Section index, address and size of '.data..percpu', if present.
  std::optional<uint64_t> PercpuIndex;
  uint64_t PercpuAddr = 0;
  uint64_t PercpuSize = 0;
  /// Section-relative address -> symbol (the first in symbol table order).
  llvm::DenseMap<uint64_t, PercpuSymbol> PercpuVars;

  /// Every section by index (pahole 1.28+'s secinfo).
  std::vector<ELFSection> Sections;
  /// Names of STT_OBJECT symbols -> the sections they are in.
  llvm::StringMap<llvm::SmallVector<uint32_t, 1>> ObjectSections;
  /// ELF e_machine.
  uint16_t Machine = 0;

  /// The per-CPU symbol at section-relative \p Addr, if any.
  const PercpuSymbol *percpuAt(uint64_t Addr) const {
    auto It = PercpuVars.find(Addr);
    return It == PercpuVars.end() ? nullptr : &It->second;
  }
};

/// Collect the symbol facts of \p Obj, which must be an ELF file.
llvm::Expected<ELFSymbols> readELFSymbols(const llvm::object::ObjectFile &Obj);

/// Check every relocation section of \p Obj (entry size and bounds, symbol
/// indexes, offsets inside the section they apply to in a relocatable file)
/// so that LLVM's DWARF reader, which treats a bad table as fatal, can apply
/// them. Reads every entry: only for files whose relocations LLVM applies.
llvm::Error checkRelocations(const llvm::object::ObjectFile &Obj);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_DWARF2BTF_ELFSYMBOLS_H
