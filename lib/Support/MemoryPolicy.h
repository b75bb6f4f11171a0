//===- MemoryPolicy.h - How the tool uses memory ----------------*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Every decision about how llvm-btf-split uses memory, in one place:
///
/// - prefaultForWrite() / assignPrefaulted(): a module run fills fresh
///   buffers of a few hundred KB to a few MB (the deduplication maps and
///   index of the base, the string index, relocated DWARF sections). Filled
///   page by page, each 4 KiB page costs a page fault, which is expensive in a
///   virtual machine: one madvise(MADV_POPULATE_WRITE) maps them first. Only
///   pages about to be written anyway: the peak RSS does not change.
/// - PageReleaser: drops the pages of mapped DWARF sections that the encoder
///   has read, so that they stop counting in the resident set (vmlinux's
///   .debug_info is as large as everything else together).
/// - tuneAllocatorForVmlinux(): glibc's thresholds for encoding vmlinux.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_SUPPORT_MEMORYPOLICY_H
#define LLVM_BTF_SPLIT_LIB_SUPPORT_MEMORYPOLICY_H

#include "llvm/ADT/StringRef.h"
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

/// Drops the pages of a mapped file section that have been read, so that
/// they stop counting in the resident set. Only for read-only file
/// mappings, from which the pages refault when read again; otherwise it does
/// nothing.
class PageReleaser {
public:
  explicit PageReleaser(llvm::StringRef Data);
  /// All the whole pages of the data.
  void release() { releaseRange(Begin, End); }
  /// Only the whole pages of bytes [Offset, Offset + Size) of the data.
  void release(uint64_t Offset, uint64_t Size);

private:
  static void releaseRange(uintptr_t B, uintptr_t E);
  uintptr_t Page = 1, Base = 0, Begin = 0, End = 0;
};

/// Encoding vmlinux allocates and frees the same kinds of buffers over and
/// over (each batch of units: parsed DIEs, unit BTF, a chunk to
/// deduplicate). glibc returns large freed blocks to the kernel (munmap, heap
/// trimming), and every reuse faults the pages in again: on vmlinux about a
/// tenth of the run. This keeps blocks up to 32 MiB (glibc's largest mmap
/// threshold) in the heap and does not trim it, so freed memory is reused.
/// Not for modules: they allocate once, and freed blocks that stay resident
/// raise their peak (mlx5_core: 98 -> 135 MB).
/// With \p Threads workers, at most that many heaps (glibc arenas): the
/// main thread, which makes each batch's DWARF context and chunk, shares
/// one with a worker instead of keeping a heap of its own whose freed blocks
/// the workers cannot reuse (6.12 vmlinux -j2: peak RSS -10 MB, same time).
void tuneAllocatorForVmlinux(unsigned Threads);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_SUPPORT_MEMORYPOLICY_H
