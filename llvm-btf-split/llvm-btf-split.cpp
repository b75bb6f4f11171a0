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
#include "Distill/Check.h"
#include "Distill/Distill.h"
#include "DriverOptions.h"
#include "ELF/BTFSection.h"
#include "Pipeline/EncodeDedup.h"
#include "Support/CPUTime.h"
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
    /// The process's CPU time (every thread's) during the phase.
    double CPUSeconds;
  };
  std::vector<PhaseTime> Phases;
  /// The encoder's parts (with --stats; not in --batch, where the CPU time
  /// of the process mixes inputs).
  std::unique_ptr<EncoderCPUTimes> EncoderCPU;
  /// Whether the process's CPU time is this run's alone (not in --batch).
  bool ProcessCPU = true;
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
        Start(std::chrono::steady_clock::now()), StartCPU(processCPUSeconds()) {
  }
  ~Phase() {
    std::chrono::duration<double> D = std::chrono::steady_clock::now() - Start;
    S.Phases.push_back({Name, D.count(), processCPUSeconds() - StartCPU});
  }

private:
  RunStats &S;
  std::string Name;
  TimeTraceScope Trace;
  std::chrono::steady_clock::time_point Start;
  double StartCPU;
};
} // namespace

/// Read standalone BTF for --btf-base or --old-btf-base. Split BTF (a
/// module's) is refused by name (readBaseBTFFile), not blamed on the input
/// read on it; \p Deep also checks every reference and name offset.
static Expected<std::unique_ptr<BTFObject>> readStandaloneBase(StringRef Path,
                                                               bool Deep) {
  Expected<std::unique_ptr<BTFObject>> BaseOrErr = readBaseBTFFile(Path);
  if (!BaseOrErr)
    return BaseOrErr.takeError();
  if (Deep)
    if (Error E = checkStandalone(**BaseOrErr))
      return createFileError(Path, std::move(E));
  return BaseOrErr;
}

static Expected<std::unique_ptr<BTFObject>> readBase(const DriverConfig &C,
                                                     RunStats &S) {
  if (C.BaseFile.empty())
    return nullptr;
  Phase P(S, "Read base", C.BaseFile);
  bool Deep = C.Action == Mode::Relocate || C.Action == Mode::Check ||
              C.Action == Mode::Distill;
  return readStandaloneBase(C.BaseFile, Deep);
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
  auto OnPhase = [&S](StringRef Name, double Seconds, double CPUSeconds) {
    S.Phases.push_back({Name.str(), Seconds, CPUSeconds});
  };
  Opts.OnPhase = OnPhase;
  if (C.Stats && S.ProcessCPU && !S.EncoderCPU)
    S.EncoderCPU = std::make_unique<EncoderCPUTimes>();
  Opts.Encoder.CPU = S.EncoderCPU.get();
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
  case Mode::Roundtrip:
  case Mode::Distill: {
    StringRef Source = btfSource(C);
    Phase P(S, "Read BTF", Source);
    Expected<std::unique_ptr<BTFObject>> ObjOrErr = readBTFFile(Source, Base);
    if (ObjOrErr && C.Action == Mode::Distill)
      if (Error E = checkReferences(**ObjOrErr))
        return createFileError(Source, std::move(E));
    return ObjOrErr;
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

/// Where a distilled base goes with --detached.
static std::string detachedBasePath(const DriverConfig &C) {
  return C.DetachedBase.empty() ? C.Detached + ".base" : C.DetachedBase;
}

/// Write \p O where \p C says, then the depfile. The one place a BTFObject
/// result leaves the program. With \p DistBase (\p O's base), the distilled
/// base goes beside it: `.BTF.base`, or the detached base file. With
/// \p RemoveBase, the output ELF file loses its `.BTF.base`.
static Error writeResult(const DriverConfig &C, const BTFObject &O, RunStats &S,
                         const BTFObject *DistBase = nullptr,
                         bool RemoveBase = false) {
  SmallVector<char, 0> Raw, RawBase;
  {
    Phase P(S, "Serialize BTF");
    writeBTF(O, Raw);
    if (DistBase)
      writeBTF(*DistBase, RawBase);
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
    if (DistBase) {
      // The base first: a reader that finds the split file finds its base.
      Expected<OutputStatus> BaseStatus =
          writeOutputFile(detachedBasePath(C), RawBase, Opts);
      if (!BaseStatus)
        return BaseStatus.takeError();
    }
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
    if (DistBase) {
      // .BTF, then .BTF.base, as pahole adds them.
      Updates.push_back({BTFBaseSectionName.str(), RawBase});
    } else if (!C.BTFBaseSection.empty()) {
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
    } else if (C.RemoveBTFBaseSection || RemoveBase) {
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
  for (StringRef D :
       {StringRef(C.Input), StringRef(C.BTFSource), StringRef(C.BaseFile),
        StringRef(C.OldBaseFile), StringRef(ToolPath)})
    if (!D.empty() && D != Out)
      Deps.push_back(D.str());
  Phase P(S, "Write depfile", C.DepFile);
  return writeDepFile(C.DepFile, Out, Deps);
}

/// Whether \p C asks for a distilled base beside the split BTF. pahole
/// writes one only into an ELF file (its detached output ignores the
/// feature); this tool's own personality writes it to a file too.
static bool wantsDistilledBase(const DriverConfig &C) {
  if (C.Action == Mode::Distill)
    return true;
  if (C.Action != Mode::Encode || !C.Features.DistilledBase)
    return false;
  return !(C.Pahole && !C.Detached.empty());
}

/// Write \p O, split BTF on a full base, distilled when \p C asks for it.
static Error writeMaybeDistilled(const DriverConfig &C, const BTFObject &O,
                                 RunStats &S) {
  if (!wantsDistilledBase(C))
    return writeResult(C, O, S);
  if (!O.isSplit())
    return createFileError(
        C.Input, createStringError(errc::invalid_argument,
                                   "cannot make a distilled base: this is "
                                   "not split BTF (give --btf-base)"));
  Expected<DistilledBTF> DOrErr = [&] {
    Phase P(S, "Distill base");
    return distillBase(O);
  }();
  if (!DOrErr)
    return createFileError(C.Input, DOrErr.takeError());
  return writeResult(C, *DOrErr->Split, S, DOrErr->Base.get());
}

//===----------------------------------------------------------------------===//
// --relocate and --check
//===----------------------------------------------------------------------===//

/// The .BTF and .BTF.base of a module file (ELF), or raw BTF.
static Expected<ModuleBTF> readModuleBTF(StringRef Path) {
  ModuleBTF M;
  M.Path = Path.str();
  Expected<object::OwningBinary<object::ObjectFile>> ObjOrErr =
      openELFFile(Path);
  if (!ObjOrErr) {
    // Not ELF: raw BTF (a detached module BTF).
    consumeError(ObjOrErr.takeError());
    Expected<std::vector<uint8_t>> BytesOrErr = loadBTFBytes(Path);
    if (!BytesOrErr)
      return BytesOrErr.takeError();
    M.BTF = std::move(*BytesOrErr);
    return std::move(M);
  }
  Expected<std::vector<std::pair<std::string, std::vector<uint8_t>>>>
      SecsOrErr = readSections(Path, {BTFSectionName, BTFBaseSectionName});
  if (!SecsOrErr)
    return SecsOrErr.takeError();
  for (auto &[Name, Data] : *SecsOrErr) {
    if (Name == BTFSectionName)
      M.BTF = std::move(Data);
    else
      M.Base = std::move(Data);
  }
  return std::move(M);
}

/// Print, as warnings, the referenced types of \p Old whose layout differs
/// in \p New (the relocated module keeps using the old layouts).
static void warnChangedTypes(const DriverConfig &C, const BTFObject &Old,
                             const DistilledBTF &D, const BTFObject &New,
                             const RelocationReport &R) {
  for (const RelocatedType &T : R.Types) {
    if (T.Result != RelocatedType::Matched)
      continue;
    for (const std::string &Change :
         layoutChanges(Old, D.OriginalIds[T.DistId], New, T.BaseId))
      WithColor::warning(errs(), ToolName)
          << C.Input << ": changed in " << C.BaseFile << ": " << T.Desc << ": "
          << Change << '\n';
  }
}

static Error relocationError(const DriverConfig &C, Error E,
                             const RelocationReport &R) {
  std::string Msg = "cannot relocate its BTF onto " + C.BaseFile;
  for (const RelocatedType &T : R.Types) {
    switch (T.Result) {
    case RelocatedType::Matched:
      continue;
    case RelocatedType::Vanished:
      Msg += "\n  vanished: " + T.Desc + ": not in the new base";
      break;
    case RelocatedType::Resized:
      Msg += "\n  changed: " + T.Desc + ": embedded in a module type, but " +
             T.Detail;
      break;
    case RelocatedType::Ambiguous:
      Msg += "\n  ambiguous: " + T.Desc + ": " + T.Detail;
      break;
    }
  }
  if (R.Types.empty() || R.ok())
    Msg += ": " + toString(std::move(E));
  else
    consumeError(std::move(E));
  return createFileError(C.Input,
                         createStringError(errc::invalid_argument, Msg));
}

/// --relocate: the module's split BTF onto the base of --btf-base.
static Error runRelocate(const DriverConfig &C, const BTFObject &NewBase,
                         RunStats &S) {
  Expected<ModuleBTF> MOrErr = readModuleBTF(C.Input);
  if (!MOrErr)
    return MOrErr.takeError();
  ModuleBTF &M = *MOrErr;
  auto Fail = [&](const Twine &Msg) {
    return createFileError(
        C.Input, createStringError(errc::invalid_argument, Msg.str()));
  };
  if (!M.BTF)
    return Fail("no .BTF section: nothing to relocate");
  if (C.Detached.empty())
    if (Error E = checkBTFSectionTarget(C.Input))
      return E;

  std::unique_ptr<BTFObject> Old, Dist, Split;
  std::optional<DistilledBTF> D;
  uint32_t OwnTypes = 0;
  if (M.Base) {
    // As the kernel does: .BTF.base is standalone BTF, .BTF is split on it.
    Expected<std::unique_ptr<BTFObject>> DistOrErr = readRawBTFAsIs(*M.Base);
    if (!DistOrErr)
      return Fail("its .BTF.base is corrupt: " +
                  toString(DistOrErr.takeError()));
    if (Error E = checkStandalone(**DistOrErr))
      return Fail("its .BTF.base is corrupt: " + toString(std::move(E)));
    Dist = std::move(*DistOrErr);
    Expected<std::unique_ptr<BTFObject>> SplitOrErr =
        readRawBTF(*M.BTF, Dist.get());
    if (!SplitOrErr)
      return Fail("its .BTF is corrupt: " + toString(SplitOrErr.takeError()));
    Split = std::move(*SplitOrErr);
  } else {
    if (C.OldBaseFile.empty())
      return Fail("it has no .BTF.base (distilled base): name the BTF it was "
                  "made against with --old-btf-base");
    Expected<std::unique_ptr<BTFObject>> OldOrErr =
        readStandaloneBase(C.OldBaseFile, /*Deep=*/true);
    if (!OldOrErr)
      return OldOrErr.takeError();
    Old = std::move(*OldOrErr);
    Expected<std::unique_ptr<BTFObject>> SplitOrErr =
        readRawBTF(*M.BTF, Old.get());
    if (!SplitOrErr)
      return Fail("its .BTF is corrupt: " + toString(SplitOrErr.takeError()));
    OwnTypes = (*SplitOrErr)->localCount();
    Expected<DistilledBTF> DOrErr = distillBase(**SplitOrErr);
    if (!DOrErr)
      return Fail("its .BTF does not fit " + C.OldBaseFile + ": " +
                  toString(DOrErr.takeError()));
    D = std::move(*DOrErr);
  }
  const BTFObject &ToRelocate = D ? *D->Split : *Split;
  RelocationReport R;
  Expected<std::unique_ptr<BTFObject>> RelOrErr = [&] {
    Phase P(S, "Relocate", C.Input);
    return relocateBTF(ToRelocate, NewBase, &R);
  }();
  if (!RelOrErr)
    return relocationError(C, RelOrErr.takeError(), R);
  if (D)
    warnChangedTypes(C, *Old, *D, NewBase, R);
  BTFObject &Rel = **RelOrErr;
  if (!C.NoDedup && D) {
    // The types distillation moved from the old base into the module
    // (pointers, typedefs, ...) become the new base's identical ones; the
    // module's own types stay exactly as they were built.
    Phase P(S, "Merge into base", C.Input);
    Expected<unsigned> KeptOrErr =
        mergeMovedTypes(Rel, NewBase.typeCount() + OwnTypes);
    if (!KeptOrErr)
      return createFileError(C.Input, KeptOrErr.takeError());
  } else if (!C.NoDedup) {
    // From .BTF.base the module's own types cannot be told from the ones
    // distillation moved: deduplicate against the new base, as encoding
    // against it does.
    Phase P(S, "Dedup", C.Input);
    if (Error E = dedupBTF(Rel))
      return createFileError(C.Input, std::move(E));
  }
  return writeResult(C, Rel, S, nullptr, /*RemoveBase=*/true);
}

/// --check: print the diagnosis; exit status 0 fits, 1 does not, 2 cannot
/// tell (errors included).
static int runCheck(const DriverConfig &C) {
  auto CannotTell = [&](Error E) {
    logAllUnhandledErrors(std::move(E), WithColor::error(errs(), ToolName));
    return int(Verdict::CannotTell);
  };
  Expected<std::unique_ptr<BTFObject>> KOrErr =
      readStandaloneBase(C.BaseFile, /*Deep=*/true);
  if (!KOrErr)
    return CannotTell(KOrErr.takeError());
  std::unique_ptr<BTFObject> Old;
  if (!C.OldBaseFile.empty()) {
    Expected<std::unique_ptr<BTFObject>> OldOrErr =
        readStandaloneBase(C.OldBaseFile, /*Deep=*/true);
    if (!OldOrErr)
      return CannotTell(OldOrErr.takeError());
    Old = std::move(*OldOrErr);
  }
  Expected<ModuleBTF> MOrErr = readModuleBTF(C.Input);
  if (!MOrErr)
    return CannotTell(MOrErr.takeError());
  CheckInput In;
  In.Module = &*MOrErr;
  In.Kernel = KOrErr->get();
  In.KernelPath = C.BaseFile;
  In.OldBase = Old.get();
  In.OldBasePath = C.OldBaseFile;
  Verdict V = checkModule(In, outs());
  outs().flush();
  return int(V);
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
    return writeMaybeDistilled(C, **ResultOrErr, S);
  }
  case Mode::Distill: {
    if (C.Detached.empty())
      if (Error E = checkBTFSectionTarget(C.Input))
        return E;
    Expected<std::unique_ptr<BTFObject>> ResultOrErr = produceBTF(C, Base, S);
    if (!ResultOrErr)
      return ResultOrErr.takeError();
    return writeMaybeDistilled(C, **ResultOrErr, S);
  }
  case Mode::Relocate:
    return runRelocate(C, *Base, S);
  case Mode::Check:
    llvm_unreachable("--check runs in runCheck()");
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
  return writeMaybeDistilled(C, **ResultOrErr, S);
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
    Results[I].Stats.ProcessCPU = false;
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
  // In --batch the process's CPU time mixes the inputs run at once.
  bool CPU = S.ProcessCPU;
  auto Line = [&](StringRef Name, double Seconds, double CPUSeconds) {
    OS << formatv("  {0,-28} {1,10:f4} s", Name, Seconds);
    if (CPU)
      OS << formatv("  cpu {0,8:f4} s", CPUSeconds);
    OS << '\n';
  };
  for (const RunStats::PhaseTime &P : S.Phases) {
    Line(P.Name, P.Seconds, P.CPUSeconds);
    if (P.Name != "Encode" || !CPU || !S.EncoderCPU)
      continue;
    // The encoder's parts, CPU time summed over the threads that ran them.
    const EncoderCPUTimes &E = *S.EncoderCPU;
    std::pair<const char *, const CPUCounter *> Parts[] = {
        {"read ELF symbols", &E.Symbols},
        {"open DWARF", &E.OpenDWARF},
        {"function table, kfuncs", &E.Functions},
        {"scan abbreviations", &E.Abbrevs},
        {"batch contexts", &E.Contexts},
        {"convert units", &E.Convert},
        {"merge units", &E.Merge},
        {"chunk dedup passes", &E.ChunkPass},
        {"chunk appends", &E.ChunkAppend},
        {"finish merge", &E.Finish}};
    for (auto &[Name, Counter] : Parts)
      OS << formatv("    {0,-26} {1,10} {2,-1}  cpu {3,8:f4} s\n", Name, "", "",
                    Counter->seconds());
  }
  OS << formatv("  {0,-28} {1,10:f4} s", "Total", Total);
  if (CPU)
    OS << formatv("  cpu {0,8:f4} s", processCPUSeconds());
  OS << '\n';
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

  if (C.Action == Mode::Check)
    return runCheck(C);

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
