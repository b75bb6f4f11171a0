//===- EncodeDedup.cpp - DWARF to deduplicated BTF, in one call -----------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "Pipeline/EncodeDedup.h"
#include "Dedup/BTFDedup.h"
#include "Support/CPUTime.h"
#include "Support/MemoryPolicy.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/TimeProfiler.h"
#include <chrono>

using namespace llvm;
using namespace btfsplit;

namespace {
/// One phase: a --time-trace event and, when it ends, OnPhase.
class PhaseScope {
public:
  PhaseScope(const EncodeDedupOptions &Opts, StringRef Name, StringRef File)
      : Opts(Opts), Name(Name), Trace(Name, File),
        Start(std::chrono::steady_clock::now()),
        StartCPU(Opts.OnPhase ? processCPUSeconds() : 0) {}
  ~PhaseScope() {
    std::chrono::duration<double> D = std::chrono::steady_clock::now() - Start;
    if (Opts.OnPhase)
      Opts.OnPhase(Name, D.count(), processCPUSeconds() - StartCPU);
  }

private:
  const EncodeDedupOptions &Opts;
  StringRef Name;
  TimeTraceScope Trace;
  std::chrono::steady_clock::time_point Start;
  double StartCPU;
};
} // namespace

Expected<std::unique_ptr<BTFObject>>
btfsplit::encodeAndDedup(object::OwningBinary<object::ObjectFile> File,
                         StringRef FileName, const BTFObject *Base,
                         const EncodeDedupOptions &Opts) {
  EncoderOptions EO = Opts.Encoder;
  // Large base BTF (vmlinux) is deduplicated chunk by chunk while it is
  // encoded, then as a whole below. The encoder adds every string once:
  // chunks skip the string pass (the final deduplication drops the strings
  // only dropped types used).
  if (Opts.Dedup && !Base)
    EO.ChunkPass = [CPU = EO.CPU](BTFObject &O, std::vector<uint32_t> *Remap) {
      DedupOptions DO;
      DO.DedupStrings = false;
      DO.CPU = CPU ? &CPU->ChunkPass : nullptr;
      DO.Remap = Remap;
      return dedupBTF(O, DO);
    };
  if (!Base)
    tuneAllocatorForVmlinux(
        EO.Threads == 1
            ? 1
            : hardware_concurrency(EO.Threads).compute_thread_count());
  Expected<std::unique_ptr<BTFObject>> BTFOrErr = [&] {
    PhaseScope P(Opts, "Encode", FileName);
    return encodeBTF(*File.getBinary(), FileName, Base, EO);
  }();
  File = object::OwningBinary<object::ObjectFile>();
  if (!BTFOrErr || !Opts.Dedup)
    return BTFOrErr;
  PhaseScope P(Opts, "Dedup", FileName);
  // libbpf skips its string pass on BTF it built with btf__add_*() (the
  // strings are unique already): from pahole 1.30 the strings of types that
  // deduplication drops, and the parameter names of functions left out,
  // stay, in the order pahole added them. The 1.24 level keeps the string
  // pass (the same bytes on its output, where every string added is used).
  // 1.31's libbpf also takes two pointers to one type as identical.
  DedupOptions DO;
  DO.DedupStrings = EO.Level == PaholeLevel::V1_24;
  DO.IdenticalPtrs = EO.Level == PaholeLevel::V1_31;
  if (Error E = dedupBTF(**BTFOrErr, DO, Opts.BaseIndex))
    return createFileError(FileName, std::move(E));
  return BTFOrErr;
}
