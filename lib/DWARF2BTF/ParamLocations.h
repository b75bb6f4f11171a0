//===- ParamLocations.h - Where a parameter lives on entry ------*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// pahole 1.25+'s reading of parameter locations (dwarf_loader.c
/// parameter__new and parameter__reg): a parameter passed in a register
/// whose DW_AT_location does not show that register on entry is
/// "optimized" (no register at all) or in an "unexpected register" (another
/// one). A function with a parameter in an unexpected register (and no struct
/// parameter, which may take several registers) is left out of BTF by
/// consistent_func: a BPF program attached to it would read the wrong
/// register.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_DWARF2BTF_PARAMLOCATIONS_H
#define LLVM_BTF_SPLIT_LIB_DWARF2BTF_PARAMLOCATIONS_H

#include "llvm/DebugInfo/DWARF/DWARFDie.h"
#include <cstdint>

namespace btfsplit {

/// The calling convention facts pahole knows for an ELF machine.
struct RegisterParams {
  /// Parameters passed in registers (0: none known).
  unsigned Count = 0;
  /// DW_OP_regN expected for parameter I < Count; -1 when not known.
  int Expected[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
};

/// pahole's arch__nr_register_params and arch__set_register_params.
RegisterParams registerParamsFor(uint16_t EMachine);

struct ParamLocation {
  /// No register on entry, or a DW_AT_const_value instead of a location.
  bool Optimized = false;
  /// Lives in another register than the ABI's.
  bool UnexpectedReg = false;
};

/// The flags of formal parameter \p P, the \p Index'th parameter of its
/// function (pahole reads only the DIE's own DW_AT_location and
/// DW_AT_const_value).
ParamLocation paramLocation(const llvm::DWARFDie &P, unsigned Index,
                            const RegisterParams &Regs);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_DWARF2BTF_PARAMLOCATIONS_H
