//===- UnitChecks.cpp - What is checked before a unit is read -------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "DWARF2BTF/UnitChecks.h"
#include "Support/Errors.h"
#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/DebugInfo/DWARF/DWARFAbbreviationDeclaration.h"
#include "llvm/DebugInfo/DWARF/DWARFDebugAbbrev.h"
#include "llvm/DebugInfo/DWARF/DWARFFormValue.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/LEB128.h"

using namespace llvm;
using namespace btfsplit;

bool btfsplit::abbrevSetRefersToOtherUnits(const DataExtractor &Data,
                                           uint64_t Off) {
  DataExtractor::Cursor C(Off);
  while (C && Data.isValidOffset(C.tell())) {
    if (Data.getULEB128(C) == 0) // the set's end
      break;
    Data.getULEB128(C); // tag
    Data.getU8(C);      // children
    while (C) {
      uint64_t Attr = Data.getULEB128(C);
      uint64_t Form = Data.getULEB128(C);
      if (Attr == 0 && Form == 0)
        break;
      if (Form == dwarf::DW_FORM_ref_addr ||
          Form == dwarf::DW_FORM_GNU_ref_alt) {
        consumeError(C.takeError());
        return true;
      }
      if (Form == dwarf::DW_FORM_implicit_const)
        Data.getSLEB128(C);
    }
  }
  consumeError(C.takeError());
  return false;
}

Error btfsplit::checkUnitBounds(DWARFUnit &U, StringRef FileName,
                                uint64_t InfoBase) {
  const DWARFAbbreviationDeclarationSet *Abbrevs = U.getAbbreviations();
  if (!Abbrevs)
    return Error::success();
  DWARFDataExtractor Data = U.getDebugInfoExtractor();
  uint64_t End =
      std::min<uint64_t>(U.getNextUnitOffset(), Data.getData().size());
  uint64_t Off = U.getOffset() + U.getHeaderSize();
  dwarf::FormParams Params = U.getFormParams();
  auto Fail = [&](uint64_t DieOff) {
    return createFileError(
        FileName, makeError("DIE 0x{0:x-8}: an attribute runs past the end of "
                            "its unit (0x{1:x-8})",
                            InfoBase + DieOff, InfoBase + End));
  };
  // The size of each abbreviation's attributes when they are all of fixed
  // size, by code (-1: variable or no such code): most DIEs are skipped by a
  // table lookup.
  SmallVector<int64_t, 256> FixedSize;
  uint32_t FirstCode = Abbrevs->getFirstAbbrCode();
  if (FirstCode != UINT32_MAX)
    for (const DWARFAbbreviationDeclaration &A : *Abbrevs) {
      std::optional<size_t> Size = A.getFixedAttributesByteSize(U);
      FixedSize.push_back(Size ? int64_t(*Size) : -1);
    }
  const uint8_t *Bytes = Data.getData().bytes_begin();
  while (Off < End) {
    uint64_t DieOff = Off;
    // The abbreviation code, a ULEB128 that must end inside the unit
    // (decoded as DataExtractor::getULEB128 does, without its overhead).
    unsigned Len = 0;
    const char *LEBErr = nullptr;
    uint64_t Code = decodeULEB128(Bytes + Off, &Len, Bytes + End, &LEBErr);
    if (LEBErr)
      return Fail(DieOff);
    Off += Len;
    if (!Code)
      continue;
    // Most DIEs have only fixed-size attributes: skip them at once.
    uint64_t Index = Code - FirstCode;
    if (Code >= FirstCode && Index < FixedSize.size() &&
        FixedSize[Index] >= 0) {
      if (uint64_t(FixedSize[Index]) > End - Off)
        return Fail(DieOff);
      Off += FixedSize[Index];
      continue;
    }
    const DWARFAbbreviationDeclaration *A =
        Abbrevs->getAbbreviationDeclaration(Code);
    if (!A)
      return Error::success();
    for (const DWARFAbbreviationDeclaration::AttributeSpec &Spec :
         A->attributes()) {
      if (Spec.isImplicitConst())
        continue;
      uint64_t Before = Off;
      if (!DWARFFormValue::skipValue(Spec.Form, Data, &Off, Params) ||
          Off > End || Off < Before)
        return Fail(DieOff);
    }
  }
  return Error::success();
}

std::optional<unsigned> btfsplit::languageByName(StringRef Name) {
  for (unsigned L = 0; L <= 0xffff; ++L) {
    StringRef S = dwarf::LanguageString(L);
    if (!S.empty() && S.consume_front("DW_LANG_") && S.equals_insensitive(Name))
      return L;
  }
  return std::nullopt;
}

std::string btfsplit::languageName(unsigned Lang) {
  StringRef S = dwarf::LanguageString(Lang);
  if (!S.consume_front("DW_LANG_"))
    return ("0x" + Twine::utohexstr(Lang)).str();
  return S.lower();
}
