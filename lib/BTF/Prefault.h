//===- Prefault.h - Map a fresh buffer's pages in one go --------*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// A module run fills fresh buffers of a few hundred KB to a few MB (the
/// deduplication maps and index of the base, the string index, relocated
/// DWARF sections). Filled page by page, each 4 KiB page costs a page fault,
/// which is expensive in a virtual machine. prefaultForWrite() maps a
/// buffer's pages with one madvise(MADV_POPULATE_WRITE) before it is filled.
/// Only pages about to be written anyway: the peak RSS does not change.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_BTF_PREFAULT_H
#define LLVM_BTF_SPLIT_LIB_BTF_PREFAULT_H

#include <cstddef>
#include <cstdint>
#include <vector>
#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace btfsplit {

/// Map the pages of [P, P + Len) for writing, when the system can and the
/// buffer is large enough to matter; a hint, failures are ignored.
inline void prefaultForWrite(void *P, size_t Len) {
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
  if (!P || Len < (size_t(1) << 16))
    return;
  uintptr_t Begin = reinterpret_cast<uintptr_t>(P) & ~uintptr_t(4095);
  uintptr_t End = reinterpret_cast<uintptr_t>(P) + Len;
  (void)madvise(reinterpret_cast<void *>(Begin), End - Begin,
                MADV_POPULATE_WRITE);
#else
  (void)P;
  (void)Len;
#endif
}

/// V.assign(N, Val), the pages of the new contents mapped at once first
/// (prefaultForWrite) rather than faulted in one by one by the fill.
template <typename T>
void assignPrefaulted(std::vector<T> &V, size_t N, const T &Val) {
  if (V.capacity() < N) {
    V.clear();
    V.reserve(N);
    prefaultForWrite(V.data(), N * sizeof(T));
  }
  V.assign(N, Val);
}

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_BTF_PREFAULT_H
