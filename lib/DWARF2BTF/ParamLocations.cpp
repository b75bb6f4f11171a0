//===- ParamLocations.cpp - Where a parameter lives on entry --------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "DWARF2BTF/ParamLocations.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/DebugInfo/DWARF/DWARFLocationExpression.h"
#include "llvm/DebugInfo/DWARF/DWARFUnit.h"
#include "llvm/DebugInfo/DWARF/LowLevel/DWARFExpression.h"
#include "llvm/Support/LEB128.h"

using namespace llvm;
using namespace btfsplit;

RegisterParams btfsplit::registerParamsFor(uint16_t EMachine) {
  RegisterParams R;
  auto Set = [&](std::initializer_list<int> Regs) {
    unsigned I = 0;
    for (int Reg : Regs)
      R.Expected[I++] = dwarf::DW_OP_reg0 + Reg;
  };
  switch (EMachine) {
  case ELF::EM_S390:
    R.Count = 5;
    Set({2, 3, 4, 5, 6});
    break;
  case ELF::EM_SPARC:
  case ELF::EM_SPARCV9:
    R.Count = 6;
    break;
  case ELF::EM_X86_64:
    // %rdi, %rsi, %rdx, %rcx, %r8, %r9
    R.Count = 6;
    Set({5, 4, 1, 2, 8, 9});
    break;
  case ELF::EM_ARM:
  case ELF::EM_AARCH64:
    R.Count = 8;
    Set({0, 1, 2, 3, 4, 5, 6, 7});
    break;
  case ELF::EM_ARC:
  case ELF::EM_MIPS:
  case ELF::EM_PPC:
  case ELF::EM_PPC64:
  case ELF::EM_RISCV:
    R.Count = 8;
    break;
  default:
    break;
  }
  return R;
}

namespace {
/// The operations of one DWARF expression, as libdw lists them.
struct Ops {
  SmallVector<uint8_t, 4> Codes;
  /// Start and end offsets of each operation.
  SmallVector<std::pair<uint64_t, uint64_t>, 4> Spans;
  bool Bad = false;
};
} // namespace

static Ops decode(ArrayRef<uint8_t> Bytes, const DWARFUnit &U) {
  Ops O;
  DataExtractor Data(toStringRef(Bytes), U.isLittleEndian(),
                     U.getAddressByteSize());
  DWARFExpression Expr(Data, U.getAddressByteSize(), U.getFormat());
  uint64_t Start = 0;
  // LLVM reads DW_OP_entry_value's operand as its size only and lists the
  // operations of the sub-expression after it; libdw (and so pahole) reads
  // the sub-expression as the operand: one operation that spans it.
  uint64_t InsideUntil = 0;
  for (const DWARFExpression::Operation &Op : Expr) {
    if (Op.isError()) {
      O.Bad = true;
      break;
    }
    uint64_t End = Op.getEndOffset();
    if (End <= InsideUntil) {
      O.Spans.back().second = End;
      Start = End;
      continue;
    }
    if (InsideUntil > Start) {
      // An operation that straddles the end of a sub-expression.
      O.Bad = true;
      break;
    }
    O.Codes.push_back(Op.getCode());
    O.Spans.push_back({Start, End});
    if (Op.getCode() == dwarf::DW_OP_entry_value ||
        Op.getCode() == dwarf::DW_OP_GNU_entry_value) {
      InsideUntil = End + Op.getRawOperand(0);
      if (InsideUntil > Bytes.size()) {
        O.Bad = true;
        break;
      }
      if (InsideUntil > End)
        O.Spans.back().second = InsideUntil;
    }
    Start = End;
  }
  if (InsideUntil > Start)
    O.Bad = true;
  return O;
}

/// pahole's parameter__reg(): the register the location shows on entry, or
/// -1. DW_OP_regN counts in the first location only, DW_OP_entry_value
/// (DW_OP_regN) in any; a match with \p Expected ends the search, else the
/// last register seen is the answer.
static int parameterReg(const DWARFLocationExpressionsVector &Locs,
                        const DWARFUnit &U, int Expected) {
  int Ret = -1;
  int LocNum = -1;
  for (const DWARFLocationExpression &L : Locs) {
    ++LocNum;
    Ops O = decode(L.Expr, U);
    if (O.Bad)
      continue;
    size_t Len = O.Codes.size();
    // (X DW_OP_stack_value) reads as (X).
    if (Len > 1 && O.Codes.back() == dwarf::DW_OP_stack_value)
      --Len;
    if (Len != 1)
      continue;
    uint8_t Atom = O.Codes[0];
    if (Atom >= dwarf::DW_OP_reg0 && Atom <= dwarf::DW_OP_reg31) {
      if (LocNum != 0)
        continue;
      Ret = Atom;
      if (Ret == Expected)
        return Ret;
      continue;
    }
    if (Atom != dwarf::DW_OP_entry_value &&
        Atom != dwarf::DW_OP_GNU_entry_value)
      continue;
    // The sub-expression: a ULEB128 length, then that many bytes; it
    // counts when it is one operation.
    auto [Begin, End] = O.Spans[0];
    ArrayRef<uint8_t> Op = ArrayRef<uint8_t>(L.Expr).slice(Begin, End - Begin);
    unsigned N = 0;
    const char *Err = nullptr;
    uint64_t Size = decodeULEB128(Op.data() + 1, &N, Op.end(), &Err);
    if (Err || 1 + N + Size > Op.size())
      continue;
    Ops Sub = decode(Op.slice(1 + N, Size), U);
    if (Sub.Bad || Sub.Codes.size() != 1)
      continue;
    Ret = Sub.Codes[0];
    if (Ret == Expected)
      return Ret;
  }
  return Ret;
}

ParamLocation btfsplit::paramLocation(const DWARFDie &P, unsigned Index,
                                      const RegisterParams &Regs) {
  ParamLocation R;
  if (Index >= Regs.Count)
    return R;
  if (P.find(dwarf::DW_AT_location)) {
    Expected<DWARFLocationExpressionsVector> LocsOrErr =
        P.getLocations(dwarf::DW_AT_location);
    DWARFLocationExpressionsVector Locs;
    if (LocsOrErr)
      Locs = std::move(*LocsOrErr);
    else
      consumeError(LocsOrErr.takeError());
    int Expected = Regs.Expected[Index];
    int Actual = parameterReg(Locs, *P.getDwarfUnit(), Expected);
    if (Actual < 0)
      R.Optimized = true;
    else if (Expected >= 0 && Expected != Actual)
      R.UnexpectedReg = true;
  } else if (P.find(dwarf::DW_AT_const_value)) {
    R.Optimized = true;
  }
  return R;
}
