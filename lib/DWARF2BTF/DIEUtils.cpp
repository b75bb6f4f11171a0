//===- DIEUtils.cpp - What the encoder reads from DWARF DIEs --------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "DWARF2BTF/DIEUtils.h"
#include "llvm/DebugInfo/DWARF/DWARFUnit.h"
#include "llvm/Support/FormatVariadic.h"

using namespace llvm;
using namespace btfsplit;

thread_local std::string *btfsplit::MalformedSlot = nullptr;

void btfsplit::noteMalformed(const DWARFDie &D, const Twine &Msg) {
  if (MalformedSlot && MalformedSlot->empty())
    *MalformedSlot = formatv("DIE {0:x8}: {1}", D.getOffset(), Msg.str());
}

DWARFDie btfsplit::typeHolder(const DWARFDie &D) {
  if (D.find(dwarf::DW_AT_type))
    return D;
  if (DWARFDie O =
          D.getAttributeValueAsReferencedDie(dwarf::DW_AT_abstract_origin))
    return O;
  return D;
}

/// The DIE's own DW_AT_name, not through specification/abstract origin.
StringRef btfsplit::ownName(const DWARFDie &D) {
  if (std::optional<DWARFFormValue> V = D.find(dwarf::DW_AT_name)) {
    if (Expected<const char *> S = V->getAsCString())
      return *S;
    else
      noteMalformed(D, "DW_AT_name: " + toString(S.takeError()));
  }
  return {};
}

bool btfsplit::isTypeTag(dwarf::Tag T) {
  switch (T) {
  case dwarf::DW_TAG_base_type:
  case dwarf::DW_TAG_pointer_type:
  case dwarf::DW_TAG_reference_type:
  case dwarf::DW_TAG_rvalue_reference_type:
  case dwarf::DW_TAG_const_type:
  case dwarf::DW_TAG_volatile_type:
  case dwarf::DW_TAG_restrict_type:
  case dwarf::DW_TAG_atomic_type:
  case dwarf::DW_TAG_typedef:
  case dwarf::DW_TAG_structure_type:
  case dwarf::DW_TAG_union_type:
  case dwarf::DW_TAG_class_type:
  case dwarf::DW_TAG_enumeration_type:
  case dwarf::DW_TAG_array_type:
  case dwarf::DW_TAG_subroutine_type:
  case dwarf::DW_TAG_unspecified_type:
    return true;
  default:
    return false;
  }
}

/// Number of elements of an array DIE: the product of its dimensions, as
/// pahole 1.24 encodes multi-dimensional arrays as one flat ARRAY.
uint64_t btfsplit::arrayElements(const DWARFDie &D) {
  uint64_t N = 1;
  bool Any = false;
  for (DWARFDie C : D.children()) {
    if (C.getTag() != dwarf::DW_TAG_subrange_type)
      continue;
    Any = true;
    uint64_t Dim = 0;
    if (std::optional<DWARFFormValue> V = C.find(dwarf::DW_AT_upper_bound)) {
      if (std::optional<int64_t> U = formInt(*V))
        Dim = static_cast<uint64_t>(*U) + 1;
    } else if (std::optional<DWARFFormValue> V = C.find(dwarf::DW_AT_count)) {
      if (std::optional<int64_t> U = formInt(*V))
        Dim = static_cast<uint64_t>(*U);
    }
    N *= Dim;
  }
  return Any ? N : 0;
}

/// Byte size of the type \p D as pahole's tag__size() computes it.
uint64_t btfsplit::typeSize(DWARFDie D, unsigned Depth) {
  if (!D || Depth > MaxTypeChain)
    return 0;
  switch (D.getTag()) {
  case dwarf::DW_TAG_pointer_type:
  case dwarf::DW_TAG_reference_type:
  case dwarf::DW_TAG_rvalue_reference_type:
    return D.getDwarfUnit()->getAddressByteSize();
  case dwarf::DW_TAG_typedef:
  case dwarf::DW_TAG_const_type:
  case dwarf::DW_TAG_volatile_type:
  case dwarf::DW_TAG_restrict_type:
  case dwarf::DW_TAG_atomic_type:
    return typeSize(D.getAttributeValueAsReferencedDie(dwarf::DW_AT_type),
                    Depth + 1);
  case dwarf::DW_TAG_array_type:
    return arrayElements(D) *
           typeSize(D.getAttributeValueAsReferencedDie(dwarf::DW_AT_type),
                    Depth + 1);
  default:
    return attrUInt(D, dwarf::DW_AT_byte_size);
  }
}

/// The type under typedefs and qualifiers (pahole's
/// tag__strip_typedefs_and_modifiers), for the size of a bitfield's storage.
DWARFDie btfsplit::stripTypedefsAndModifiers(DWARFDie D) {
  for (unsigned I = 0; D && I < MaxTypeChain; ++I) {
    switch (D.getTag()) {
    case dwarf::DW_TAG_typedef:
    case dwarf::DW_TAG_const_type:
    case dwarf::DW_TAG_volatile_type:
    case dwarf::DW_TAG_restrict_type:
    case dwarf::DW_TAG_atomic_type:
      D = D.getAttributeValueAsReferencedDie(dwarf::DW_AT_type);
      continue;
    default:
      return D;
    }
  }
  return D;
}

/// DW_AT_data_member_location as a constant or a DW_OP_plus_uconst /
/// DW_OP_constu expression.
uint64_t btfsplit::memberLocation(const DWARFFormValue *V) {
  if (!V)
    return 0;
  if (std::optional<int64_t> C = formInt(*V))
    return *C;
  if (std::optional<ArrayRef<uint8_t>> B = V->getAsBlock()) {
    if (B->size() < 2 ||
        ((*B)[0] != dwarf::DW_OP_plus_uconst && (*B)[0] != dwarf::DW_OP_constu))
      return 0;
    uint64_t Val = 0;
    unsigned Shift = 0;
    for (size_t I = 1; I < B->size() && Shift < 64; ++I, Shift += 7) {
      Val |= uint64_t((*B)[I] & 0x7f) << Shift;
      if (!((*B)[I] & 0x80))
        break;
    }
    return Val;
  }
  return 0;
}
