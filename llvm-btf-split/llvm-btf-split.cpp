//===- llvm-btf-split.cpp - LLVM BTF encoder and split-BTF tool -----------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The driver: parses the command line (llvm-btf-split's, or pahole's when
/// called through a name ending in "pahole") and hands the work to lib/.
///
/// Every mode that produces BTF (encode, --dedup, --roundtrip) returns a
/// BTFObject from produceBTF(); writeResult() is the single place where such
/// a result is written: raw to --detached, or as the .BTF section of the
/// output ELF file (in place when there is none), plus the depfile.
///
//===----------------------------------------------------------------------===//

#include "BTF/BTFDump.h"
#include "BTF/BTFReader.h"
#include "BTF/BTFVerifier.h"
#include "BTF/BTFWriter.h"
#include "DWARF2BTF/DWARFToBTF.h"
#include "Dedup/BTFDedup.h"
#include "DriverOptions.h"
#include "ELF/BTFSection.h"
#include "Pipeline/EncodeDedup.h"
#include "Support/OutputFile.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Parallel.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/TimeProfiler.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"
#include <chrono>
#include <optional>

using namespace llvm;
using namespace btfsplit;

static StringRef ToolName;
/// The running executable, a dependency of every output (--depfile).
static std::string ToolPath;

namespace {
/// What --stats prints.
struct RunStats {
  struct PhaseTime {
    std::string Name;
    double Seconds;
  };
  std::vector<PhaseTime> Phases;
  uint32_t BaseTypes = 0;
  uint32_t Types = 0;
  uint32_t StringBytes = 0;
  size_t RawBytes = 0;
  std::string Output;
  std::optional<OutputStatus> Status;
  /// Which ELF writer wrote the output, and why not the append writer.
  ELFWriteInfo Writer;
};

/// One phase of the run: a --time-trace event and a --stats line.
class Phase {
public:
  Phase(RunStats &S, StringRef Name, StringRef Detail = "")
      : S(S), Name(Name.str()), Trace(Name, Detail),
        Start(std::chrono::steady_clock::now()) {}
  ~Phase() {
    std::chrono::duration<double> D = std::chrono::steady_clock::now() - Start;
    S.Phases.push_back({Name, D.count()});
  }

private:
  RunStats &S;
  std::string Name;
  TimeTraceScope Trace;
  std::chrono::steady_clock::time_point Start;
};
} // namespace

static Expected<std::unique_ptr<BTFObject>> readBase(const DriverConfig &C,
                                                     RunStats &S) {
  if (C.BaseFile.empty())
    return nullptr;
  Phase P(S, "Read base", C.BaseFile);
  return readBaseBTFFile(C.BaseFile);
}

/// Encode mode: the BTF of the DWARF in C.Input, deduplicated unless
/// --no-dedup, split on \p Base if given (\p BaseIdx: its shared dedup
/// index, or null).
static Expected<std::unique_ptr<BTFObject>>
encodeInput(const DriverConfig &C, const BTFObject *Base,
            const DedupBaseIndex *BaseIdx, RunStats &S) {
  Expected<object::OwningBinary<object::ObjectFile>> ObjOrErr =
      openELFFile(C.Input);
  if (!ObjOrErr)
    return ObjOrErr.takeError();
  if (!hasDWARF(*ObjOrErr->getBinary()))
    return createFileError(C.Input,
                           createStringError(errc::invalid_argument,
                                             "no DWARF (.debug_info) to "
                                             "encode BTF from"));
  EncodeDedupOptions Opts;
  Opts.Encoder.Features = C.Features;
  Opts.Encoder.LangExclude = C.LangExclude;
  Opts.Encoder.Threads = C.Threads;
  Opts.Encoder.Level = C.Level;
  Opts.Encoder.Warn = [](const std::string &W) {
    WithColor::warning(errs(), ToolName) << W << '\n';
  };
  Opts.Dedup = !C.NoDedup;
  Opts.BaseIndex = BaseIdx;
  auto OnPhase = [&S](StringRef Name, double Seconds) {
    S.Phases.push_back({Name.str(), Seconds});
  };
  Opts.OnPhase = OnPhase;
  return encodeAndDedup(std::move(*ObjOrErr), C.Input, Base, Opts);
}

/// Where --roundtrip and --dedup read their BTF: --from-btf, else <input>.
static StringRef btfSource(const DriverConfig &C) {
  return C.BTFSource.empty() ? StringRef(C.Input) : StringRef(C.BTFSource);
}

/// The BTF a writing mode produces.
static Expected<std::unique_ptr<BTFObject>>
produceBTF(const DriverConfig &C, const BTFObject *Base, RunStats &S) {
  switch (C.Action) {
  case Mode::Encode:
    return encodeInput(C, Base, /*BaseIdx=*/nullptr, S);
  case Mode::Roundtrip: {
    StringRef Source = btfSource(C);
    Phase P(S, "Read BTF", Source);
    return readBTFFile(Source, Base);
  }
  case Mode::Dedup: {
    StringRef Source = btfSource(C);
    Expected<std::unique_ptr<BTFObject>> ObjOrErr = readBTFFile(Source, Base);
    if (!ObjOrErr)
      return ObjOrErr.takeError();
    Phase P(S, "Dedup", Source);
    if (Error E = dedupBTF(**ObjOrErr))
      return createFileError(Source, std::move(E));
    return ObjOrErr;
  }
  default:
    return createStringError(errc::function_not_supported,
                             "this mode is not implemented yet");
  }
}

/// Where the result of \p C goes: the detached file or the output ELF file.
static StringRef outputPath(const DriverConfig &C) {
  if (!C.Detached.empty())
    return C.Detached;
  return C.Output.empty() ? StringRef(C.Input) : StringRef(C.Output);
}

/// Write \p O where \p C says, then the depfile. The one place a BTFObject
/// result leaves the program.
static Error writeResult(const DriverConfig &C, const BTFObject &O,
                         RunStats &S) {
  SmallVector<char, 0> Raw;
  {
    Phase P(S, "Serialize BTF");
    writeBTF(O, Raw);
  }
  S.BaseTypes = O.isSplit() ? O.startId() : 0;
  S.Types = O.localCount();
  S.StringBytes = O.strings().size();
  S.RawBytes = Raw.size();

  StringRef Out = outputPath(C);
  S.Output = Out.str();
  Expected<OutputStatus> StatusOrErr = OutputStatus::Written;
  if (!C.Detached.empty()) {
    Phase P(S, "Write detached BTF", Out);
    OutputOptions Opts;
    Opts.OnlyIfChanged = C.OnlyIfChanged;
    StatusOrErr = writeOutputFile(Out, Raw, Opts);
  } else {
    Phase P(S, "Write ELF", Out);
    BTFSectionOptions Opts;
    Opts.OnlyIfChanged = C.OnlyIfChanged;
    Opts.Writer = C.Writer;
    std::vector<SectionUpdate> Updates(1);
    Updates[0].Name = BTFSectionName.str();
    Updates[0].Data = Raw;
    std::unique_ptr<MemoryBuffer> BaseSection;
    if (!C.BTFBaseSection.empty()) {
      ErrorOr<std::unique_ptr<MemoryBuffer>> BufOrErr =
          MemoryBuffer::getFile(C.BTFBaseSection, /*IsText=*/false,
                                /*RequiresNullTerminator=*/false);
      if (!BufOrErr)
        return createFileError(C.BTFBaseSection,
                               errorCodeToError(BufOrErr.getError()));
      BaseSection = std::move(*BufOrErr);
      Updates.push_back({BTFBaseSectionName.str(),
                         ArrayRef<char>(BaseSection->getBufferStart(),
                                        BaseSection->getBufferSize())});
    } else if (C.RemoveBTFBaseSection) {
      Updates.push_back({BTFBaseSectionName.str(), {}, /*Remove=*/true});
    }
    StatusOrErr = writeELFSections(C.Input, Out, Updates, Opts, &S.Writer);
  }
  if (!StatusOrErr)
    return StatusOrErr.takeError();
  S.Status = *StatusOrErr;

  if (C.DepFile.empty())
    return Error::success();
  // The output depends on the input, the base and the tool; a file is never
  // listed as a dependency of itself (in place).
  std::vector<std::string> Deps;
  for (StringRef D : {StringRef(C.Input), StringRef(C.BTFSource),
                      StringRef(C.BaseFile), StringRef(ToolPath)})
    if (!D.empty() && D != Out)
      Deps.push_back(D.str());
  Phase P(S, "Write depfile", C.DepFile);
  return writeDepFile(C.DepFile, Out, Deps);
}

static Error run(const DriverConfig &C, RunStats &S) {
  Expected<std::unique_ptr<BTFObject>> BaseOrErr = readBase(C, S);
  if (!BaseOrErr)
    return BaseOrErr.takeError();
  const BTFObject *Base = BaseOrErr->get();

  switch (C.Action) {
  case Mode::Verify: {
    Phase P(S, "Verify", C.Input);
    Expected<std::vector<uint8_t>> BytesOrErr = loadBTFBytes(C.Input);
    if (!BytesOrErr)
      return BytesOrErr.takeError();
    if (Error E = verifyBTF(*BytesOrErr, Base))
      return createFileError(C.Input, std::move(E));
    return Error::success();
  }
  case Mode::Dump: {
    Phase P(S, "Dump", C.Input);
    Expected<std::unique_ptr<BTFObject>> ObjOrErr = readBTFFile(C.Input, Base);
    if (!ObjOrErr)
      return ObjOrErr.takeError();
    dumpBTF(**ObjOrErr, outs());
    return Error::success();
  }
  case Mode::Encode:
  case Mode::Dedup:
  case Mode::Roundtrip: {
    // Fail before any work when the result could not be written anyway.
    if (C.Detached.empty())
      if (Error E = checkBTFSectionTarget(C.Input))
        return E;
    Expected<std::unique_ptr<BTFObject>> ResultOrErr = produceBTF(C, Base, S);
    if (!ResultOrErr)
      return ResultOrErr.takeError();
    return writeResult(C, **ResultOrErr, S);
  }
  }
  llvm_unreachable("unknown mode");
}

//===----------------------------------------------------------------------===//
// --batch
//===----------------------------------------------------------------------===//

static void printStats(const DriverConfig &C, const RunStats &S, double Total);

/// Encode and write one input of a batch, as run() does for a one-input
/// command line (\p C is that command line).
static Error runBatchInput(const DriverConfig &C, const BTFObject *Base,
                           const DedupBaseIndex *BaseIdx, RunStats &S) {
  if (C.Detached.empty())
    if (Error E = checkBTFSectionTarget(C.Input))
      return E;
  // The base index is built once in runBatch() and shared.
  Expected<std::unique_ptr<BTFObject>> ResultOrErr =
      encodeInput(C, Base, BaseIdx, S);
  if (!ResultOrErr)
    return ResultOrErr.takeError();
  return writeResult(C, **ResultOrErr, S);
}

/// --batch: read the base once, then encode C.Threads inputs at a time, each
/// single-threaded and written exactly as a one-input run writes it
/// (atomically). A failed input does not stop the others; the errors are
/// reported in input order and make the exit status 1.
static int runBatch(const DriverConfig &C) {
  auto Start = std::chrono::steady_clock::now();
  RunStats BaseStats;
  Expected<std::unique_ptr<BTFObject>> BaseOrErr = readBase(C, BaseStats);
  if (!BaseOrErr) {
    logAllUnhandledErrors(BaseOrErr.takeError(),
                          WithColor::error(errs(), ToolName));
    return 1;
  }
  const BTFObject *Base = BaseOrErr->get();
  // Shared read-only by the workers: build its lazy string index and the
  // deduplication index of its types now, once.
  std::unique_ptr<DedupBaseIndex> BaseIdx;
  if (Base) {
    Base->strings().buildIndex();
    if (!C.NoDedup) {
      Expected<std::unique_ptr<DedupBaseIndex>> IdxOrErr =
          DedupBaseIndex::create(*Base);
      if (!IdxOrErr) {
        logAllUnhandledErrors(createFileError(C.BaseFile, IdxOrErr.takeError()),
                              WithColor::error(errs(), ToolName));
        return 1;
      }
      BaseIdx = std::move(*IdxOrErr);
    }
  }
  if (C.Stats && Base) {
    DriverConfig BaseConfig;
    BaseConfig.Input = C.BaseFile;
    printStats(
        BaseConfig, BaseStats,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - Start)
            .count());
  }

  struct InputResult {
    DriverConfig Config;
    RunStats Stats;
    double Seconds = 0;
    Error Err = Error::success();
  };
  std::vector<InputResult> Results(C.Inputs.size());
  for (size_t I = 0; I < C.Inputs.size(); ++I) {
    DriverConfig &IC = Results[I].Config;
    IC = C;
    IC.Batch = false;
    IC.Inputs.clear();
    IC.Input = C.Inputs[I];
    IC.Threads = 1;
    if (!C.DetachedDir.empty()) {
      SmallString<256> Path(C.DetachedDir);
      sys::path::append(Path, sys::path::filename(IC.Input) + ".btf");
      IC.Detached = std::string(Path);
    }
  }
  {
    DefaultThreadPool Pool(hardware_concurrency(C.Threads));
    for (InputResult &R : Results)
      Pool.async([&R, Base, &BaseIdx] {
        auto T0 = std::chrono::steady_clock::now();
        R.Err = runBatchInput(R.Config, Base, BaseIdx.get(), R.Stats);
        R.Seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - T0)
                .count();
      });
    Pool.wait();
  }
  size_t Failed = 0;
  for (InputResult &R : Results) {
    if (C.Stats)
      printStats(R.Config, R.Stats, R.Seconds);
    if (R.Err) {
      ++Failed;
      logAllUnhandledErrors(std::move(R.Err),
                            WithColor::error(errs(), ToolName));
    }
  }
  if (!Failed)
    return 0;
  WithColor::error(errs(), ToolName)
      << Failed << " of " << Results.size() << " inputs failed\n";
  return 1;
}

static void printStats(const DriverConfig &C, const RunStats &S, double Total) {
  raw_ostream &OS = errs();
  OS << ToolName << ": statistics for '" << C.Input << "'\n";
  for (const RunStats::PhaseTime &P : S.Phases)
    OS << formatv("  {0,-28} {1,10:f4} s\n", P.Name, P.Seconds);
  OS << formatv("  {0,-28} {1,10:f4} s\n", "Total", Total);
  if (S.Status) {
    OS << formatv("  base types: {0}, new types: {1}, string bytes: {2}, "
                  "raw BTF bytes: {3}\n",
                  S.BaseTypes, S.Types, S.StringBytes, S.RawBytes);
    OS << "  output '" << S.Output << "': "
       << (*S.Status == OutputStatus::Written ? "written" : "unchanged");
    if (!S.Writer.Writer.empty())
      OS << " by " << S.Writer.Writer;
    OS << '\n';
    if (!S.Writer.FallbackReason.empty())
      OS << "  append writer not used: " << S.Writer.FallbackReason << '\n';
  }
}

int main(int Argc, char **Argv) {
  InitLLVM X(Argc, Argv);
  ToolName = sys::path::filename(Argv[0]);
  ToolPath = sys::fs::getMainExecutable(Argv[0],
                                        reinterpret_cast<void *>(&printStats));
  bool Pahole = isPaholeName(Argv[0]);
  ArrayRef<const char *> Args(Argv + 1, Argv + Argc);
  Expected<DriverConfig> ConfigOrErr =
      Pahole ? parsePaholeOptions(Args, paholeLevelForName(Argv[0]))
             : parseDriverOptions(Args);
  if (!ConfigOrErr) {
    WithColor::error(errs(), ToolName)
        << toString(ConfigOrErr.takeError()) << '\n';
    return 1;
  }
  DriverConfig &C = *ConfigOrErr;
  if (C.ShowHelp) {
    Pahole ? printPaholeHelp(ToolName, C.Level) : printDriverHelp(ToolName);
    return 0;
  }
  if (C.ShowVersion) {
    if (Pahole)
      outs() << paholeVersionString(C.Level) << '\n';
    else
      outs() << "llvm-btf-split version " << BTFSPLIT_VERSION
             << " (pahole personality: " << paholeVersionString(C.Level)
             << ")\n";
    return 0;
  }
  if (C.ShowNumericVersion) {
    outs() << unsigned(C.Level) << '\n';
    return 0;
  }
  if (C.ShowFeatures) {
    printBTFFeatures(outs(), C.Level);
    return 0;
  }
  for (const std::string &W : C.Warnings)
    WithColor::warning(errs(), ToolName) << W << '\n';
  if (C.PrintConfig) {
    printDriverConfig(C, outs());
    return 0;
  }

  if (C.Batch) {
    // Parallel over inputs only: each input is encoded single-threaded.
    parallel::strategy = hardware_concurrency(1);
    return runBatch(C);
  }
  parallel::strategy = hardware_concurrency(C.Threads);
  if (!C.TimeTrace.empty())
    timeTraceProfilerInitialize(C.TimeTraceGranularity, ToolName);

  RunStats S;
  auto Start = std::chrono::steady_clock::now();
  Error E = Error::success();
  {
    TimeTraceScope Scope("llvm-btf-split", C.Input);
    E = run(C, S);
  }
  std::chrono::duration<double> Total =
      std::chrono::steady_clock::now() - Start;

  if (!C.TimeTrace.empty()) {
    SmallVector<char, 0> Trace;
    raw_svector_ostream OS(Trace);
    timeTraceProfilerWrite(OS);
    timeTraceProfilerCleanup();
    Expected<OutputStatus> StatusOrErr =
        writeOutputFile(C.TimeTrace, Trace, OutputOptions());
    if (!StatusOrErr)
      E = joinErrors(std::move(E), StatusOrErr.takeError());
  }
  if (C.Stats)
    printStats(C, S, Total.count());
  if (E) {
    logAllUnhandledErrors(std::move(E), WithColor::error(errs(), ToolName));
    return 1;
  }
  return 0;
}
