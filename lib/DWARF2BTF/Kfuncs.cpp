//===- Kfuncs.cpp - kfunc sets of .BTF_ids (decl_tag_kfuncs) --------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// pahole 1.27+'s decl_tag_kfuncs: the kernel's BTF_KFUNCS_START() sets are
/// '__BTF_ID__set8__NAME' symbols in '.BTF_ids' whose btf_id_set8 header
/// (u32 cnt, u32 flags) has BTF_SET8_KFUNCS in its flags. Every
/// '__BTF_ID__func__NAME__N' symbol inside such a set's [value, value+size)
/// names a kfunc; its entry (u32 id, u32 flags) gives the kfunc flags
/// (KF_FASTCALL adds the "bpf_fastcall" tag). The kfunc is looked up in the
/// ELF function table exactly as pahole does (its bsearch), and marked.
///
//===----------------------------------------------------------------------===//

#include "DWARF2BTF/ELFFunctions.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/FormatVariadic.h"

using namespace llvm;
using namespace llvm::object;
using namespace btfsplit;

/// BTF_SET8_KFUNCS in the kernel's include/linux/btf_ids.h.
constexpr uint32_t SetKfuncsFlag = 1u << 0;

/// pahole's get_func_name(): "__BTF_ID__func__vfs_close__1" -> "vfs_close";
/// none for other names or a malformed one.
static std::optional<StringRef> kfuncName(StringRef Sym) {
  if (!Sym.consume_front("__BTF_ID__func__"))
    return std::nullopt;
  if (!Sym.contains("__"))
    return std::nullopt;
  size_t Last = Sym.rfind('_');
  if (Last == StringRef::npos || Last == 0 || Sym[Last - 1] != '_')
    return std::nullopt;
  return Sym.take_front(Last - 1);
}

template <class ELFT>
static Error markKfuncsImpl(const ELFObjectFile<ELFT> &Obj,
                            ELFFunctionTable &Table, StringRef FileName,
                            std::vector<std::string> &Warnings) {
  const ELFFile<ELFT> &EF = Obj.getELFFile();
  Expected<typename ELFT::ShdrRange> SecsOrErr = EF.sections();
  if (!SecsOrErr)
    return SecsOrErr.takeError();
  // As pahole: the last SHT_SYMTAB and the last '.BTF_ids' count.
  const typename ELFT::Shdr *SymTab = nullptr, *Ids = nullptr;
  size_t IdsIndex = 0;
  for (const typename ELFT::Shdr &S : *SecsOrErr) {
    if (S.sh_type == ELF::SHT_SYMTAB) {
      SymTab = &S;
      continue;
    }
    Expected<StringRef> NameOrErr = EF.getSectionName(S);
    if (!NameOrErr) {
      consumeError(NameOrErr.takeError());
      continue;
    }
    if (*NameOrErr == ".BTF_ids") {
      Ids = &S;
      IdsIndex = &S - &(*SecsOrErr)[0];
    }
  }
  if (!SymTab || !Ids)
    return Error::success();
  ArrayRef<uint8_t> Data;
  if (Ids->sh_type != ELF::SHT_NOBITS) {
    Expected<ArrayRef<uint8_t>> DataOrErr = EF.getSectionContents(*Ids);
    if (!DataOrErr)
      return createStringError(errc::invalid_argument,
                               "cannot read section '.BTF_ids': %s",
                               toString(DataOrErr.takeError()).c_str());
    Data = *DataOrErr;
  }
  uint64_t IdsAddr = Ids->sh_addr;
  auto Word = [&](uint64_t Off) {
    return support::endian::read<uint32_t>(Data.data() + Off, ELFT::Endianness);
  };
  Expected<typename ELFT::SymRange> SymsOrErr = EF.symbols(SymTab);
  if (!SymsOrErr)
    return SymsOrErr.takeError();
  Expected<StringRef> StrTabOrErr = EF.getStringTableForSymtab(*SymTab);
  if (!StrTabOrErr)
    return StrTabOrErr.takeError();
  auto SymName = [&](const typename ELFT::Sym &S) -> StringRef {
    Expected<StringRef> N = S.getName(*StrTabOrErr);
    if (!N) {
      consumeError(N.takeError());
      return {};
    }
    return *N;
  };
  struct Range {
    uint64_t Begin, End;
  };
  std::vector<Range> Ranges;
  for (const typename ELFT::Sym &S : *SymsOrErr) {
    if (S.st_shndx != IdsIndex)
      continue;
    StringRef Name = SymName(S);
    if (!Name.starts_with("__BTF_ID__set8__"))
      continue;
    uint64_t Off = S.st_value - IdsAddr;
    // pahole skips a set outside the section with a warning (and reads
    // past the end of the section for a set header cut by its end: such a
    // set is skipped here too).
    if (S.st_value < IdsAddr || Off >= Data.size() || Data.size() - Off < 8) {
      Warnings.push_back(
          formatv("{0}: kfunc set '{1}' lies outside section '.BTF_ids'; "
                  "ignored",
                  FileName, Name)
              .str());
      continue;
    }
    if (!(Word(Off + 4) & SetKfuncsFlag))
      continue;
    Ranges.push_back({S.st_value, S.st_value + S.st_size});
  }
  for (const typename ELFT::Sym &S : *SymsOrErr) {
    if (S.st_shndx != IdsIndex)
      continue;
    std::optional<StringRef> Func = kfuncName(SymName(S));
    if (!Func)
      continue;
    uint64_t Addr = S.st_value;
    bool Found = false;
    for (const Range &R : Ranges)
      if (R.Begin <= Addr && Addr < R.End) {
        Found = true;
        break;
      }
    if (!Found)
      continue;
    uint64_t Off = Addr - IdsAddr;
    if (Addr < IdsAddr || Off > Data.size() || Data.size() - Off < 8)
      return createStringError(errc::invalid_argument,
                               "kfunc '%s' at 0x%" PRIx64
                               " lies outside section '.BTF_ids' (size "
                               "0x%zx)",
                               Func->str().c_str(), Addr, Data.size());
    int Idx = Table.find(*Func, 0);
    if (Idx < 0)
      continue;
    Table[Idx].Kfunc = true;
    Table[Idx].KfuncFlags = Word(Off + 4);
  }
  return Error::success();
}

Error ELFFunctionTable::markKfuncs(const ObjectFile &Obj, StringRef FileName,
                                   std::vector<std::string> &Warnings) {
  Error E = Error::success();
  if (const auto *O = dyn_cast<ELF64LEObjectFile>(&Obj))
    E = markKfuncsImpl(*O, *this, FileName, Warnings);
  else if (const auto *O = dyn_cast<ELF64BEObjectFile>(&Obj))
    E = markKfuncsImpl(*O, *this, FileName, Warnings);
  else if (const auto *O = dyn_cast<ELF32LEObjectFile>(&Obj))
    E = markKfuncsImpl(*O, *this, FileName, Warnings);
  else if (const auto *O = dyn_cast<ELF32BEObjectFile>(&Obj))
    E = markKfuncsImpl(*O, *this, FileName, Warnings);
  if (E)
    return createFileError(FileName, std::move(E));
  return Error::success();
}
