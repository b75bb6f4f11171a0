//===- CPUTime.cpp - CPU time of threads and of parts of a run ------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "Support/CPUTime.h"
#include <ctime>
#if defined(__unix__)
#include <sys/resource.h>
#endif

using namespace btfsplit;

double btfsplit::processCPUSeconds() {
#if defined(__unix__)
  rusage RU;
  if (getrusage(RUSAGE_SELF, &RU) == 0)
    return double(RU.ru_utime.tv_sec + RU.ru_stime.tv_sec) +
           double(RU.ru_utime.tv_usec + RU.ru_stime.tv_usec) / 1e6;
#endif
  return 0;
}

uint64_t btfsplit::threadCPUNanos() {
#if defined(CLOCK_THREAD_CPUTIME_ID)
  timespec TS;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &TS) == 0)
    return uint64_t(TS.tv_sec) * 1000000000u + uint64_t(TS.tv_nsec);
#endif
  return 0;
}
