//===- die-floor.cpp - Read every DIE of a file, and nothing else ---------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
//
// The floor under any DWARF -> BTF encoder built on LLVM's DWARF parser: map
// the file, find the compile units, and decode every DIE of every unit with
// DWARFDebugInfoEntry::extractFast (abbreviation lookup and attribute
// skipping, as DWARFUnit does), without keeping the DIEs or reading any
// attribute value. Units are spread over -j threads as llvm-btf-split
// spreads them. Prints the number of units and DIEs.
//
// Usage: die-floor [-j N] FILE
//
//===----------------------------------------------------------------------===//

#include "llvm/DebugInfo/DWARF/DWARFContext.h"
#include "llvm/DebugInfo/DWARF/DWARFDebugInfoEntry.h"
#include "llvm/DebugInfo/DWARF/DWARFUnit.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Parallel.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"
#include <atomic>

using namespace llvm;

static cl::opt<std::string> Input(cl::Positional, cl::desc("<file>"),
                                  cl::Required);
static cl::opt<unsigned> Threads("j", cl::desc("threads"), cl::init(1),
                                 cl::Prefix);

int main(int Argc, char **Argv) {
  InitLLVM X(Argc, Argv);
  cl::ParseCommandLineOptions(Argc, Argv, "read every DIE\n");
  auto BinOrErr = object::ObjectFile::createObjectFile(Input);
  if (!BinOrErr) {
    logAllUnhandledErrors(BinOrErr.takeError(), WithColor::error());
    return 1;
  }
  std::unique_ptr<DWARFContext> Ctx =
      DWARFContext::create(*BinOrErr->getBinary());
  std::vector<DWARFUnit *> Units;
  for (const std::unique_ptr<DWARFUnit> &U : Ctx->info_section_units())
    Units.push_back(U.get());
  parallel::strategy = hardware_concurrency(Threads);
  std::atomic<uint64_t> DIEs{0};
  parallelFor(0, Units.size(), [&](size_t I) {
    DWARFUnit &U = *Units[I];
    DWARFDataExtractor Data = U.getDebugInfoExtractor();
    uint64_t Offset = U.getOffset() + U.getHeaderSize();
    uint64_t End = U.getNextUnitOffset();
    uint64_t N = 0;
    DWARFDebugInfoEntry Entry;
    while (Offset < End &&
           Entry.extractFast(U, &Offset, Data, End, /*ParentIdx=*/0))
      ++N;
    DIEs += N;
  });
  outs() << "units: " << Units.size() << ", DIEs: " << DIEs.load() << '\n';
  return 0;
}
