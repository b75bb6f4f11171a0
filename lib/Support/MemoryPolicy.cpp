//===- MemoryPolicy.cpp - How the tool uses memory ------------------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "Support/MemoryPolicy.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Process.h"
#include <algorithm>
#include <fstream>
#include <string>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

using namespace llvm;
using namespace btfsplit;

/// Whether [\p Begin, \p End) lies in one read-only mapping of a file, whose
/// pages may be dropped and refault from the file.
static bool isReadOnlyFileMapping(uintptr_t Begin, uintptr_t End) {
#ifdef __linux__
  std::ifstream Maps("/proc/self/maps");
  std::string Line;
  while (std::getline(Maps, Line)) {
    // start-end perms offset dev inode [path]
    StringRef L(Line);
    auto [Range, Rest] = L.split(' ');
    auto [Lo, Hi] = Range.split('-');
    uint64_t MapBegin, MapEnd;
    if (Lo.getAsInteger(16, MapBegin) || Hi.getAsInteger(16, MapEnd))
      continue;
    if (Begin < MapBegin || End > MapEnd)
      continue;
    SmallVector<StringRef, 6> Fields;
    Rest.split(Fields, ' ', 4, /*KeepEmpty=*/false);
    uint64_t Inode = 0;
    return Fields.size() >= 4 && Fields[0].starts_with("r-") &&
           !Fields[3].getAsInteger(10, Inode) && Inode != 0;
  }
#endif
  (void)Begin;
  (void)End;
  return false;
}

PageReleaser::PageReleaser(StringRef Data) {
#ifdef __linux__
  Page = sys::Process::getPageSizeEstimate();
  Base = reinterpret_cast<uintptr_t>(Data.data());
  uintptr_t E = Base + Data.size();
  Begin = alignTo(Base, Page);
  End = E & ~(Page - 1);
  if (Begin >= End || !isReadOnlyFileMapping(Base, E))
    Begin = End = 0;
#else
  (void)Data;
#endif
}

void PageReleaser::release(uint64_t Offset, uint64_t Size) {
  if (Begin < End)
    releaseRange(std::max(Begin, alignTo(Base + Offset, Page)),
                 std::min(End, (Base + Offset + Size) & ~(Page - 1)));
}

void PageReleaser::releaseRange(uintptr_t B, uintptr_t E) {
#ifdef __linux__
  if (B < E)
    ::madvise(reinterpret_cast<void *>(B), E - B, MADV_DONTNEED);
#else
  (void)B;
  (void)E;
#endif
}

void btfsplit::tuneAllocatorForVmlinux(unsigned Threads) {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_ARENA_MAX, int(std::clamp(Threads, 1u, 1024u)));
#else
  (void)Threads;
#endif
}
