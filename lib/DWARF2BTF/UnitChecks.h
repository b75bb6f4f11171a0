//===- UnitChecks.h - What is checked before a unit is read -----*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// DWARF pre-checks: what the pipeline looks at before LLVM's DWARF parser
/// extracts a unit's DIEs (hostile input must be an error, not a crash), and
/// pahole's language names for --lang_exclude.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_DWARF2BTF_UNITCHECKS_H
#define LLVM_BTF_SPLIT_LIB_DWARF2BTF_UNITCHECKS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/DebugInfo/DWARF/DWARFUnit.h"
#include "llvm/Support/DataExtractor.h"
#include "llvm/Support/Error.h"
#include <optional>
#include <string>

namespace btfsplit {

/// Whether the abbreviation set at \p Off uses a form that refers to DIEs of
/// other units (DW_FORM_ref_addr, DW_FORM_GNU_ref_alt). A malformed set
/// says no: the DWARF parser reports it.
bool abbrevSetRefersToOtherUnits(const llvm::DataExtractor &Data, uint64_t Off);

/// LLVM's DIE extraction reads out of bounds when an attribute's length (a
/// block, a form read through DW_FORM_indirect) jumps past the end of
/// .debug_info (DataExtractor::getULEB128 then walks memory; llvm-dwarfdump
/// crashes the same way). Walk the unit's attribute encodings first, bounded
/// by the unit's end, so that such input is an error; what LLVM reports
/// itself (a missing abbreviation) is left to it. \p InfoBase is added to
/// offsets in messages (units read from a slice of .debug_info).
llvm::Error checkUnitBounds(llvm::DWARFUnit &U, llvm::StringRef FileName,
                            uint64_t InfoBase = 0);

/// The DW_LANG_ code of one of pahole's language names: the constant without
/// its prefix, in any case ("rust", "c89", "c_plus_plus_14").
std::optional<unsigned> languageByName(llvm::StringRef Name);

/// pahole's name of DW_LANG_ code \p Lang, in lower case.
std::string languageName(unsigned Lang);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_DWARF2BTF_UNITCHECKS_H
