//===- CPUTime.h - CPU time of threads and of parts of a run ----*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// CPU time for --stats: of the process, of the calling thread, and summed
/// over the threads that ran a part of a run (CPUCounter, CPUScope). A
/// counter costs two clock reads per scope; a null counter costs nothing.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_SUPPORT_CPUTIME_H
#define LLVM_BTF_SPLIT_LIB_SUPPORT_CPUTIME_H

#include <atomic>
#include <cstdint>

namespace btfsplit {

/// User + system CPU time of the whole process (every thread), in seconds.
double processCPUSeconds();

/// CPU time of the calling thread, in nanoseconds.
uint64_t threadCPUNanos();

/// CPU time summed over every scope that counted into it, from any thread.
class CPUCounter {
public:
  void add(uint64_t Nanos) {
    Total.fetch_add(Nanos, std::memory_order_relaxed);
  }
  double seconds() const {
    return double(Total.load(std::memory_order_relaxed)) / 1e9;
  }

private:
  std::atomic<uint64_t> Total{0};
};

/// Adds the calling thread's CPU time from construction to destruction to a
/// counter, if one is given.
class CPUScope {
public:
  explicit CPUScope(CPUCounter *C) : C(C), Start(C ? threadCPUNanos() : 0) {}
  ~CPUScope() {
    if (C)
      C->add(threadCPUNanos() - Start);
  }
  CPUScope(const CPUScope &) = delete;
  CPUScope &operator=(const CPUScope &) = delete;

private:
  CPUCounter *C;
  uint64_t Start;
};

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_SUPPORT_CPUTIME_H
