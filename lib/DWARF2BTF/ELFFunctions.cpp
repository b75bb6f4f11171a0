//===- ELFFunctions.cpp - pahole 1.30/1.31's ELF function table -----------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "DWARF2BTF/ELFFunctions.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/xxhash.h"
#include <cstring>

using namespace llvm;
using namespace llvm::object;
using namespace btfsplit;

int btfsplit::cStrCmp(StringRef A, StringRef B) {
  size_t N = std::min(A.size(), B.size());
  if (int R = N ? std::memcmp(A.data(), B.data(), N) : 0)
    return R;
  return A.size() == B.size() ? 0 : (A.size() < B.size() ? -1 : 1);
}

int btfsplit::cStrNCmp(StringRef A, StringRef B, size_t N) {
  return cStrCmp(A.take_front(N), B.take_front(N));
}

static uint32_t prefixLen(StringRef Name) {
  size_t Dot = Name.find('.');
  return Dot == StringRef::npos ? Name.size() : Dot;
}

int ELFFunctionTable::compare(StringRef AName, uint32_t APrefixLen,
                              const ELFFunction &B) {
  // pahole 1.30's functions_cmp: a key with a prefix length compares only
  // that many bytes with an entry of the same prefix length.
  if (APrefixLen && APrefixLen == B.PrefixLen)
    return cStrNCmp(AName, B.Name, B.PrefixLen);
  return cStrCmp(AName, B.Name);
}

int ELFFunctionTable::find(StringRef Name, uint32_t PrefixLen) const {
  // At 1.31 a search compares whole names, whatever PrefixLen says.
  bool Prefix = PrefixLen && Level == PaholeLevel::V1_30;
  if (Prefix && PrefixLen != Name.size())
    return bsearch(Name, PrefixLen);
  // An entry compares equal only with its name or (at 1.30, for a search
  // with a prefix length) its name up to the first '.': with neither,
  // bsearch ends without a match.
  const Memo *M = findMemo(Name, uint32_t(xxh3_64bits(Name)));
  if (!M)
    return -1;
  return Prefix ? M->Prefixed : M->Exact;
}

StringRef ELFFunctionTable::memoKey(const Memo &M) const {
  const ELFFunction &E = Entries[M.Entry];
  return M.IsPrefix ? E.Name.take_front(E.PrefixLen) : E.Name;
}

const ELFFunctionTable::Memo *ELFFunctionTable::findMemo(StringRef Key,
                                                         uint32_t Hash) const {
  if (Slots.empty())
    return nullptr;
  size_t Mask = Slots.size() - 1;
  for (size_t I = Hash & Mask;; I = (I + 1) & Mask) {
    uint32_t Slot = Slots[I];
    if (!Slot)
      return nullptr;
    const Memo &M = Memos[Slot - 1];
    if (M.Hash == Hash && memoKey(M) == Key)
      return &M;
  }
}

void ELFFunctionTable::memoize() {
  // The answers of the bisection, not the positions of equal keys: with
  // 1.30's comparator the order is not a total one, and bsearch can miss a
  // name that the table holds.
  bool Prefixes = Level == PaholeLevel::V1_30 && SuffixCount;
  size_t Keys = Entries.size() + (Prefixes ? SuffixCount : 0);
  Memos.reserve(Keys);
  Slots.assign(PowerOf2Ceil(2 * Keys + 2), 0); // at most half full
  auto Add = [&](uint32_t Entry, bool IsPrefix) {
    Memo M{0, Entry, IsPrefix, -1, -1};
    StringRef Key = memoKey(M);
    M.Hash = uint32_t(xxh3_64bits(Key));
    if (findMemo(Key, M.Hash))
      return;
    M.Exact = bsearch(Key, 0);
    if (Prefixes)
      M.Prefixed = bsearch(Key, Key.size());
    size_t Mask = Slots.size() - 1, I = M.Hash & Mask;
    while (Slots[I])
      I = (I + 1) & Mask;
    Memos.push_back(M);
    Slots[I] = Memos.size();
  };
  for (uint32_t I = 0; I < Entries.size(); ++I) {
    Add(I, false);
    if (Prefixes && Entries[I].PrefixLen != Entries[I].Name.size())
      Add(I, true);
  }
}

int ELFFunctionTable::bsearch(StringRef Name, uint32_t PrefixLen) const {
  // glibc's bsearch.
  size_t L = 0, U = Entries.size();
  while (L < U) {
    size_t Idx = (L + U) / 2;
    int C = Level == PaholeLevel::V1_30 ? compare(Name, PrefixLen, Entries[Idx])
                                        : cStrCmp(Name, Entries[Idx].Name);
    if (C < 0)
      U = Idx;
    else if (C > 0)
      L = Idx + 1;
    else
      return int(Idx);
  }
  return -1;
}

/// pahole 1.31's str_contains_non_fn_suffix: ".cold" or ".part" anywhere
/// after the first '.'.
static bool hasNonFunctionSuffix(StringRef Name) {
  size_t Dot = Name.find('.');
  if (Dot == StringRef::npos)
    return false;
  StringRef Suffix = Name.substr(Dot);
  return Suffix.contains(".cold") || Suffix.contains(".part");
}

Expected<ELFFunctionTable> ELFFunctionTable::create(const ObjectFile &Obj,
                                                    PaholeLevel Level) {
  const auto *ELF = dyn_cast<ELFObjectFileBase>(&Obj);
  if (!ELF)
    return createStringError(errc::invalid_argument, "not an ELF file");
  ELFFunctionTable T;
  T.Level = Level;
  struct Sym {
    StringRef Name;
    uint64_t Addr;
  };
  std::vector<Sym> Syms;
  // pahole reads the first SHT_SYMTAB (elf_symtab__new): LLVM's symbols()
  // is the same table.
  for (const ELFSymbolRef S : ELF->symbols()) {
    if (S.getELFType() != ELF::STT_FUNC)
      continue;
    Expected<StringRef> NameOrErr = S.getName();
    if (!NameOrErr) {
      consumeError(NameOrErr.takeError());
      continue;
    }
    Expected<uint64_t> AddrOrErr = S.getValue();
    uint64_t Addr = 0;
    if (AddrOrErr)
      Addr = *AddrOrErr;
    else
      consumeError(AddrOrErr.takeError());
    Syms.push_back({*NameOrErr, Addr});
  }
  if (Level == PaholeLevel::V1_30) {
    // Every STT_FUNC symbol, sorted with functions_cmp (names with the same
    // prefix length compare equal on that prefix: "foo" == "foo.isra.0").
    T.Entries.reserve(Syms.size());
    for (const Sym &S : Syms) {
      ELFFunction F;
      F.Name = S.Name;
      F.PrefixLen = prefixLen(S.Name);
      if (F.PrefixLen != S.Name.size())
        ++T.SuffixCount;
      T.Entries.push_back(F);
    }
    glibcMergeSort(T.Entries, [](const ELFFunction &A, const ELFFunction &B) {
      return compare(A.Name, A.PrefixLen, B);
    });
    T.memoize();
    return std::move(T);
  }
  // 1.31: one entry per key (the name up to its first '.'), without the
  // .cold and .part symbols; a key whose symbols have different addresses
  // is ambiguous.
  struct Entry {
    size_t Key; // into KeyStore
    uint64_t Addr;
  };
  std::vector<Entry> Raw;
  T.KeyStore = std::make_unique<std::deque<std::string>>();
  std::deque<std::string> &Keys = *T.KeyStore;
  for (const Sym &S : Syms) {
    if (hasNonFunctionSuffix(S.Name))
      continue;
    Keys.push_back(S.Name.take_front(prefixLen(S.Name)).str());
    Raw.push_back({Keys.size() - 1, S.Addr});
  }
  glibcMergeSort(Raw, [&](const Entry &A, const Entry &B) {
    return cStrCmp(Keys[A.Key], Keys[B.Key]);
  });
  // Group equal keys. As pahole, a group's ambiguity is decided when the
  // next group starts: the last group is never checked.
  auto Ambiguous = [&](size_t Begin, size_t End) {
    if (End - Begin <= 1)
      return false;
    uint64_t Addr = 0;
    for (size_t I = Begin; I < End; ++I) {
      if (Addr && Addr != Raw[I].Addr)
        return true;
      Addr = Raw[I].Addr;
    }
    return false;
  };
  size_t Begin = 0;
  for (size_t J = 1; J <= Raw.size(); ++J) {
    if (J < Raw.size() && Keys[Raw[J].Key] == Keys[Raw[Begin].Key])
      continue;
    ELFFunction F;
    F.Name = Keys[Raw[Begin].Key];
    F.PrefixLen = F.Name.size();
    F.AmbiguousAddr = J < Raw.size() && Ambiguous(Begin, J);
    T.Entries.push_back(F);
    Begin = J;
  }
  T.memoize();
  return std::move(T);
}
