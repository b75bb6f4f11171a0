//===- DIEUtils.h - What the encoder reads from DWARF DIEs ------*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Small readers of DIE attributes shared by the per-unit converter
/// (CUConverter) and the pipeline (DWARFToBTF): integers as pahole's
/// attr_numeric() reads them, names, type sizes as tag__size() computes them,
/// member locations. A helper that meets a malformed DIE and cannot return an
/// Error records it with noteMalformed(); the converter turns the first such
/// note into its unit's error.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_DWARF2BTF_DIEUTILS_H
#define LLVM_BTF_SPLIT_LIB_DWARF2BTF_DIEUTILS_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Twine.h"
#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/DebugInfo/DWARF/DWARFDebugInfoEntry.h"
#include "llvm/DebugInfo/DWARF/DWARFDie.h"
#include "llvm/DebugInfo/DWARF/DWARFFormValue.h"
#include "llvm/DebugInfo/DWARF/DWARFUnit.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <optional>
#include <string>

namespace btfsplit {

/// An integer attribute as pahole's attr_numeric() reads it: DW_FORM_sdata
/// sign-extended, the fixed-size data forms zero-extended.
inline std::optional<int64_t> formInt(const llvm::DWARFFormValue &V) {
  switch (V.getForm()) {
  case llvm::dwarf::DW_FORM_sdata:
  case llvm::dwarf::DW_FORM_implicit_const:
    return V.getAsSignedConstant();
  default:
    if (std::optional<uint64_t> U = V.getAsUnsignedConstant())
      return static_cast<int64_t>(*U);
    return std::nullopt;
  }
}

/// formInt of an attribute that may be absent (null).
inline std::optional<int64_t> formInt(const llvm::DWARFFormValue *V) {
  return V ? formInt(*V) : std::nullopt;
}

/// formInt as unsigned; 0 when absent or not a constant.
inline uint64_t formUInt(const llvm::DWARFFormValue *V) {
  std::optional<int64_t> I = formInt(V);
  return I ? static_cast<uint64_t>(*I) : 0;
}

inline uint64_t attrUInt(const llvm::DWARFDie &D, llvm::dwarf::Attribute A) {
  std::optional<llvm::DWARFFormValue> V = D.find(A);
  return formUInt(V ? &*V : nullptr);
}

/// The DIE's name, through DW_AT_specification / DW_AT_abstract_origin.
inline llvm::StringRef dieName(const llvm::DWARFDie &D) {
  if (const char *N = D.getShortName())
    return N;
  return {};
}

/// Where the unit converter running on this thread records the first
/// malformed DIE it meets in a helper that cannot return an Error (hostile
/// input: a name that does not decode, a reference that does not resolve).
extern thread_local std::string *MalformedSlot;

void noteMalformed(const llvm::DWARFDie &D, const llvm::Twine &Msg);

/// The DIE's own DW_AT_name, not through specification/abstract origin.
llvm::StringRef ownName(const llvm::DWARFDie &D);

/// The DIE whose DW_AT_type is the type of function or parameter \p D, as
/// pahole resolves it: \p D when it has a DW_AT_type, else its
/// DW_AT_abstract_origin (one step, pahole's ftype__recode_dwarf_types for
/// parameters and cu__resolve_func_ret_types_optimized for the return type;
/// neither follows DW_AT_specification for types), else \p D (void). A
/// concrete out-of-line instance (clang emits it before the abstract DIE for
/// a function it also inlines) has no DW_AT_type of its own.
llvm::DWARFDie typeHolder(const llvm::DWARFDie &D);

/// Whether DIEs with tag \p T are types that become BTF types.
bool isTypeTag(llvm::dwarf::Tag T);

/// Walks the DIEs under \p U's unit DIE in DIE order, which is the order of
/// a depth-first walk over children() (each DIE before its children, those
/// in sibling order), without the children of enumeration types. Calls
/// \p Visit(DIE, TopLevel) for each DIE (TopLevel: a child of the unit DIE)
/// and \p Leave(DIE) for each DIE with children once they end, innermost
/// first. A linear scan of the unit's DIE array: children that never end
/// (hostile input) end with the unit, and no DIE is visited twice. Stops at
/// the first error \p Visit returns.
template <typename VisitFn, typename LeaveFn>
llvm::Error walkUnitDIEs(llvm::DWARFUnit &U, VisitFn Visit, LeaveFn Leave) {
  llvm::SmallVector<uint32_t, 32> Open; // DIEs whose children are not done
  uint32_t SkipEnum = 0;                // 0, or the enumeration being skipped
  uint32_t N = U.getNumDIEs();
  for (uint32_t I = 1; I < N; ++I) {
    llvm::DWARFDie D = U.getDIEAtIndex(I);
    const llvm::DWARFDebugInfoEntry *E = D.getDebugInfoEntry();
    uint32_t Parent = E->getParentIdx().value_or(0);
    if (!E->getAbbreviationDeclarationPtr()) { // the NULL ending Parent's
      if (SkipEnum) {                          // children
        if (Parent == SkipEnum)
          SkipEnum = 0;
        continue;
      }
      if (Parent == 0)
        break; // the unit DIE's children end
      if (!Open.empty() && Open.back() == Parent) {
        Open.pop_back();
        Leave(U.getDIEAtIndex(Parent));
      }
      continue;
    }
    if (SkipEnum)
      continue;
    if (llvm::Error Err = Visit(D, Parent == 0))
      return Err;
    if (E->hasChildren()) {
      if (E->getTag() == llvm::dwarf::DW_TAG_enumeration_type)
        SkipEnum = I;
      else
        Open.push_back(I);
    }
  }
  while (!Open.empty())
    Leave(U.getDIEAtIndex(Open.pop_back_val()));
  return llvm::Error::success();
}

/// Number of elements of an array DIE: the product of its dimensions, as
/// pahole 1.24 encodes multi-dimensional arrays as one flat ARRAY.
uint64_t arrayElements(const llvm::DWARFDie &D);

/// How far typedef/qualifier/array chains are followed for a size (pahole
/// recurses without a bound; a chain this long only comes from a cycle in
/// hostile DWARF, which dedup then reports as a reference loop).
constexpr unsigned MaxTypeChain = 1024;

/// Byte size of the type \p D as pahole's tag__size() computes it.
uint64_t typeSize(llvm::DWARFDie D, unsigned Depth = 0);

/// The type under typedefs and qualifiers (pahole's
/// tag__strip_typedefs_and_modifiers), for the size of a bitfield's storage.
llvm::DWARFDie stripTypedefsAndModifiers(llvm::DWARFDie D);

/// DW_AT_data_member_location as a constant or a DW_OP_plus_uconst /
/// DW_OP_constu expression.
uint64_t memberLocation(const llvm::DWARFFormValue *V);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_DWARF2BTF_DIEUTILS_H
