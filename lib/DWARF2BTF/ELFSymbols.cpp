//===- ELFSymbols.cpp - ELF facts pahole's selection rules need -----------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "DWARF2BTF/ELFSymbols.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Support/Errc.h"

using namespace llvm;
using namespace llvm::object;
using namespace btfsplit;

/// pahole's btf_name_valid(): a C identifier, possibly with '.' inside.
static bool isValidBTFName(StringRef Name) {
  if (Name.empty() || Name.size() >= 128)
    return false;
  if (!isAlpha(Name[0]) && Name[0] != '_' && Name[0] != '.')
    return false;
  for (char C : Name.drop_front())
    if (!isAlnum(C) && C != '_' && C != '.')
      return false;
  return true;
}

Expected<ELFSymbols> btfsplit::readELFSymbols(const ObjectFile &Obj) {
  const auto *ELF = dyn_cast<ELFObjectFileBase>(&Obj);
  if (!ELF)
    return createStringError(errc::invalid_argument, "not an ELF file");
  ELFSymbols S;
  S.IsRelocatable = ELF->getEType() == ELF::ET_REL;

  for (const SectionRef &Sec : Obj.sections()) {
    Expected<StringRef> NameOrErr = Sec.getName();
    if (!NameOrErr)
      return NameOrErr.takeError();
    if (*NameOrErr == ".data..percpu" && !S.PercpuIndex) {
      S.PercpuIndex = Sec.getIndex();
      S.PercpuAddr = Sec.getAddress();
      S.PercpuSize = Sec.getSize();
    }
  }

  for (const ELFSymbolRef Sym : ELF->symbols()) {
    S.HasSymtab = true;
    uint8_t Type = Sym.getELFType();
    if (Type != ELF::STT_FUNC && Type != ELF::STT_OBJECT)
      continue;
    Expected<StringRef> NameOrErr = Sym.getName();
    if (!NameOrErr) {
      consumeError(NameOrErr.takeError());
      continue;
    }
    if (Type == ELF::STT_FUNC) {
      if (!NameOrErr->empty())
        S.FunctionNames.insert(*NameOrErr);
      continue;
    }
    if (!S.PercpuIndex || Sym.getSize() == 0)
      continue;
    Expected<section_iterator> SecOrErr = Sym.getSection();
    if (!SecOrErr) {
      consumeError(SecOrErr.takeError());
      continue;
    }
    if (*SecOrErr == Obj.section_end() ||
        (*SecOrErr)->getIndex() != *S.PercpuIndex)
      continue;
    if (!isValidBTFName(*NameOrErr))
      continue;
    Expected<uint64_t> ValueOrErr = Sym.getValue();
    if (!ValueOrErr) {
      consumeError(ValueOrErr.takeError());
      continue;
    }
    uint64_t Addr = *ValueOrErr;
    // pahole 1.24 ignores per-CPU symbols at address 0 of an executable:
    // the DEFINE_PER_CPU_FIRST variable (fixed_percpu_data on x86-64).
    // Module variables at offset 0 are kept.
    if (!S.IsRelocatable && Addr == 0)
      continue;
    if (!S.IsRelocatable)
      Addr -= S.PercpuAddr;
    S.PercpuVars.try_emplace(Addr,
                             PercpuSymbol{*NameOrErr, uint32_t(Sym.getSize())});
  }
  return S;
}
