//===- ELFFunctions.h - pahole 1.30/1.31's ELF function table ---*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The table of ELF STT_FUNC symbols that pahole 1.30 and 1.31 match DWARF
/// functions against (docs/DWARF2BTF.md, "Function selection from 1.30").
///
/// pahole sorts it with glibc's qsort and searches it with glibc's bsearch,
/// with a comparator that treats "foo" and "foo.isra.0" as equal when sorting
/// but compares whole names when looking up a name exactly. Which entry a
/// lookup finds (or whether it finds one) depends on that, so the table is
/// sorted and searched here by the same algorithms (glibc's top-down merge
/// sort and its binary search) with the same comparator: the results are the
/// same entries, bug for bug.
///
/// The kfunc marks come from the kfunc sets of '.BTF_ids' (Kfuncs.cpp).
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_DWARF2BTF_ELFFUNCTIONS_H
#define LLVM_BTF_SPLIT_LIB_DWARF2BTF_ELFFUNCTIONS_H

#include "DWARF2BTF/DWARFToBTF.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/Error.h"
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace btfsplit {

/// One STT_FUNC symbol (1.30) or one name key with its addresses (1.31).
struct ELFFunction {
  /// 1.30: the symbol's name. 1.31: the key (the name up to the first '.').
  llvm::StringRef Name;
  /// Length of the name up to its first '.' (pahole's prefixlen).
  uint32_t PrefixLen = 0;
  /// 1.31: the group's symbols are at different addresses.
  bool AmbiguousAddr = false;
  /// Marked by a kfunc set of '.BTF_ids', with the flags of its entry.
  bool Kfunc = false;
  uint32_t KfuncFlags = 0;
};

/// strcmp and strncmp of pahole's C strings (names hold no NUL).
int cStrCmp(llvm::StringRef A, llvm::StringRef B);
int cStrNCmp(llvm::StringRef A, llvm::StringRef B, size_t N);

namespace detail {
template <typename T, typename CmpFn>
void glibcMergeSort(std::vector<T> &V, std::vector<T> &Tmp, size_t B, size_t N,
                    CmpFn &Cmp) {
  if (N <= 1)
    return;
  size_t N1 = N / 2, N2 = N - N1;
  glibcMergeSort(V, Tmp, B, N1, Cmp);
  glibcMergeSort(V, Tmp, B + N1, N2, Cmp);
  size_t I = B, J = B + N1, K = 0;
  size_t IEnd = B + N1, JEnd = B + N;
  while (I < IEnd && J < JEnd) {
    if (Cmp(V[I], V[J]) <= 0)
      Tmp[K++] = std::move(V[I++]);
    else
      Tmp[K++] = std::move(V[J++]);
  }
  while (I < IEnd)
    Tmp[K++] = std::move(V[I++]);
  // The rest of the second run is in place already.
  for (size_t X = 0; X < K; ++X)
    V[B + X] = std::move(Tmp[X]);
}
} // namespace detail

/// glibc's qsort (a stable top-down merge sort, as glibc 2.36-2.41 build it
/// for these element sizes): the same comparisons in the same order, hence
/// the same result for a comparator that is not a strict weak order.
template <typename T, typename CmpFn>
void glibcMergeSort(std::vector<T> &V, CmpFn Cmp) {
  std::vector<T> Tmp(V.size());
  detail::glibcMergeSort(V, Tmp, 0, V.size(), Cmp);
}

class ELFFunctionTable {
public:
  /// Build the table of \p Obj's symbols for \p Level (1.30 or 1.31).
  static llvm::Expected<ELFFunctionTable>
  create(const llvm::object::ObjectFile &Obj, PaholeLevel Level);

  bool empty() const { return Entries.empty(); }
  size_t size() const { return Entries.size(); }
  const ELFFunction &operator[](size_t I) const { return Entries[I]; }
  ELFFunction &operator[](size_t I) { return Entries[I]; }
  /// Number of names with a '.' (1.30's suffix_cnt).
  unsigned suffixCount() const { return SuffixCount; }

  /// pahole's comparator of two entries (functions_cmp, with the first
  /// argument as the key).
  static int compare(llvm::StringRef AName, uint32_t APrefixLen,
                     const ELFFunction &B);
  /// glibc bsearch for \p Name: exactly (\p PrefixLen 0) or, with
  /// \p PrefixLen = Name.size(), any entry whose name up to its first '.'
  /// is \p Name. -1 when not found. Answered from the table of every
  /// search that can succeed, made by create() with bsearch().
  int find(llvm::StringRef Name, uint32_t PrefixLen) const;
  /// The search itself.
  int bsearch(llvm::StringRef Name, uint32_t PrefixLen) const;

  /// Mark the kfuncs of \p Obj's '.BTF_ids' kfunc sets (Kfuncs.cpp). Errors
  /// name \p FileName; what pahole skips with a warning goes to
  /// \p Warnings.
  llvm::Error markKfuncs(const llvm::object::ObjectFile &Obj,
                         llvm::StringRef FileName,
                         std::vector<std::string> &Warnings);

private:
  std::vector<ELFFunction> Entries;
  /// 1.31: keys are copies (names are cut at their first '.'); owned here,
  /// where moving the table does not move them.
  std::unique_ptr<std::deque<std::string>> KeyStore;
  unsigned SuffixCount = 0;
  PaholeLevel Level = PaholeLevel::V1_30;
  /// bsearch()'s answers for the keys it can find: every name and, at 1.30
  /// with suffixed names, every prefix. A search for any other key compares
  /// unequal with every entry: -1. An open-addressing table of indices into
  /// Memos (0: empty), by the key's hash.
  struct Memo {
    uint32_t Hash;         // of the key, low half
    uint32_t Entry : 31;   // whose name, or prefix, is the key
    uint32_t IsPrefix : 1; // the key is the entry's name up to its first '.'
    int32_t Exact;         // bsearch(Key, 0)
    int32_t Prefixed;      // bsearch(Key, Key.size()), at 1.30
  };
  std::vector<Memo> Memos;
  std::vector<uint32_t> Slots;
  llvm::StringRef memoKey(const Memo &M) const;
  const Memo *findMemo(llvm::StringRef Key, uint32_t Hash) const;
  void memoize();
};

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_DWARF2BTF_ELFFUNCTIONS_H
