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

/// LLVM's symbol accessors treat an unreadable symbol table as a fatal
/// error: check the symbol tables first, so that a hostile file gets a plain
/// error (ELFFile::symbols checks the entry size and the bounds).
template <class ELFT>
static Error checkSymbolTables(const object::ELFFile<ELFT> &EF) {
  Expected<typename ELFT::ShdrRange> SecsOrErr = EF.sections();
  if (!SecsOrErr)
    return SecsOrErr.takeError();
  for (const typename ELFT::Shdr &Sec : *SecsOrErr) {
    if (Sec.sh_type != ELF::SHT_SYMTAB && Sec.sh_type != ELF::SHT_DYNSYM)
      continue;
    Expected<typename ELFT::SymRange> SymsOrErr = EF.symbols(&Sec);
    if (!SymsOrErr)
      return SymsOrErr.takeError();
  }
  return Error::success();
}

/// LLVM's relocation accessors are as fatal on a hostile table: check the
/// entries and the symbols they name before LLVM's DWARF reader applies them.
template <class ELFT>
static Error checkRelocationSections(const object::ELFFile<ELFT> &EF) {
  Expected<typename ELFT::ShdrRange> SecsOrErr = EF.sections();
  if (!SecsOrErr)
    return SecsOrErr.takeError();
  for (const typename ELFT::Shdr &Sec : *SecsOrErr) {
    if (Sec.sh_type != ELF::SHT_RELA && Sec.sh_type != ELF::SHT_REL)
      continue;
    uint64_t NumSyms = 0;
    if (Sec.sh_link != 0) {
      Expected<const typename ELFT::Shdr *> SymTabOrErr =
          EF.getSection(Sec.sh_link);
      if (!SymTabOrErr)
        return SymTabOrErr.takeError();
      Expected<typename ELFT::SymRange> SymsOrErr = EF.symbols(*SymTabOrErr);
      if (!SymsOrErr)
        return SymsOrErr.takeError();
      NumSyms = SymsOrErr->size();
    }
    // In a relocatable file the relocations apply to section sh_info: an
    // offset outside it would be dropped silently by the DWARF reader.
    uint64_t TargetSize = UINT64_MAX;
    if (EF.getHeader().e_type == ELF::ET_REL && Sec.sh_info != 0) {
      Expected<const typename ELFT::Shdr *> TargetOrErr =
          EF.getSection(Sec.sh_info);
      if (!TargetOrErr)
        return TargetOrErr.takeError();
      TargetSize = (*TargetOrErr)->sh_size;
    }
    auto Check = [&](uint32_t SymIdx, uint64_t Offset, uint64_t I) -> Error {
      unsigned Index = unsigned(&Sec - &(*SecsOrErr)[0]);
      if (Sec.sh_link != 0 && SymIdx >= NumSyms)
        return createStringError(errc::invalid_argument,
                                 "relocation %" PRIu64 " in section [index "
                                 "%u] names symbol %u of %" PRIu64,
                                 I, Index, SymIdx, NumSyms);
      if (Offset >= TargetSize)
        return createStringError(errc::invalid_argument,
                                 "relocation %" PRIu64 " in section [index "
                                 "%u] has offset 0x%" PRIx64 " outside the "
                                 "section it applies to (size 0x%" PRIx64 ")",
                                 I, Index, Offset, TargetSize);
      return Error::success();
    };
    uint64_t I = 0;
    if (Sec.sh_type == ELF::SHT_RELA) {
      Expected<typename ELFT::RelaRange> RelsOrErr = EF.relas(Sec);
      if (!RelsOrErr)
        return RelsOrErr.takeError();
      for (const typename ELFT::Rela &R : *RelsOrErr)
        if (Error E = Check(R.getSymbol(EF.isMips64EL()), R.r_offset, I++))
          return E;
    } else {
      Expected<typename ELFT::RelRange> RelsOrErr = EF.rels(Sec);
      if (!RelsOrErr)
        return RelsOrErr.takeError();
      for (const typename ELFT::Rel &R : *RelsOrErr)
        if (Error E = Check(R.getSymbol(EF.isMips64EL()), R.r_offset, I++))
          return E;
    }
  }
  return Error::success();
}

/// Call \p Check with the ELFFile of \p Obj, whatever its class and
/// endianness; a non-ELF object passes.
template <class CheckFn>
static Error forELFFile(const ObjectFile &Obj, CheckFn Check) {
  if (const auto *O = dyn_cast<ELF64LEObjectFile>(&Obj))
    return Check(O->getELFFile());
  if (const auto *O = dyn_cast<ELF64BEObjectFile>(&Obj))
    return Check(O->getELFFile());
  if (const auto *O = dyn_cast<ELF32LEObjectFile>(&Obj))
    return Check(O->getELFFile());
  if (const auto *O = dyn_cast<ELF32BEObjectFile>(&Obj))
    return Check(O->getELFFile());
  return Error::success();
}

static Error checkSymbolTables(const ObjectFile &Obj) {
  return forELFFile(Obj, [](const auto &EF) { return checkSymbolTables(EF); });
}

Error btfsplit::checkRelocations(const ObjectFile &Obj) {
  return forELFFile(Obj,
                    [](const auto &EF) { return checkRelocationSections(EF); });
}

Expected<ELFSymbols> btfsplit::readELFSymbols(const ObjectFile &Obj) {
  const auto *ELF = dyn_cast<ELFObjectFileBase>(&Obj);
  if (!ELF)
    return createStringError(errc::invalid_argument, "not an ELF file");
  if (Error E = checkSymbolTables(Obj))
    return std::move(E);
  ELFSymbols S;
  S.IsRelocatable = ELF->getEType() == ELF::ET_REL;
  S.Machine = ELF->getEMachine();

  for (const SectionRef &Sec : Obj.sections()) {
    Expected<StringRef> NameOrErr = Sec.getName();
    if (!NameOrErr)
      return NameOrErr.takeError();
    if (S.Sections.size() <= Sec.getIndex())
      S.Sections.resize(Sec.getIndex() + 1);
    S.Sections[Sec.getIndex()] = {*NameOrErr,
                                  uint32_t(ELFSectionRef(Sec).getType()),
                                  Sec.getAddress(), Sec.getSize()};
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
    Expected<section_iterator> SecOrErr = Sym.getSection();
    if (!SecOrErr) {
      consumeError(SecOrErr.takeError());
      continue;
    }
    if (*SecOrErr != Obj.section_end())
      S.ObjectSections[*NameOrErr].push_back((*SecOrErr)->getIndex());
    if (!S.PercpuIndex || Sym.getSize() == 0)
      continue;
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
