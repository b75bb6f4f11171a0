//===- DWARFToBTF.cpp - Encode the DWARF of an ELF file as BTF ------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The pipeline (pahole 1.24's btf_encoder over every compile unit):
///  1. Every type DIE of a unit becomes one BTF type (CUConverter). IDs are
///     local to the unit.
///  2. Arrays index an 'int' of the unit, else the first 'int' of an earlier
///     unit, else an '__ARRAY_SIZE_TYPE__' added after the unit's types
///     (Merger).
///  3. Functions that pass the DWARF checks and match an ELF STT_FUNC symbol
///     are candidates; at merge time only the first of each name (in unit
///     order) becomes FUNC_PROTO + FUNC.
///  4. Per-CPU variables become VAR; one '.data..percpu' DATASEC closes the
///     object.
/// Units are converted in parallel, each into its own BTFObject, and merged
/// in unit order (InOrder): the output does not depend on the thread count.
///
/// Encoder::run() names the steps: read the ELF symbols, open the DWARF
/// (relocated for modules), scan the abbreviations for cross-unit
/// references, then convert the units batch by batch, each batch with its
/// own DWARF context so that the parsed DIEs of vmlinux never all live at
/// once, and with chunks (see EncoderOptions::ChunkPass) deduplicated while
/// later batches convert.
///
//===----------------------------------------------------------------------===//

#include "DWARF2BTF/DWARFToBTF.h"
#include "DWARF2BTF/CUConverter.h"
#include "DWARF2BTF/ELFSymbols.h"
#include "DWARF2BTF/FunctionStates.h"
#include "DWARF2BTF/InOrder.h"
#include "DWARF2BTF/Merger.h"
#include "DWARF2BTF/RelocatedDWARF.h"
#include "DWARF2BTF/UnitChecks.h"
#include "Support/MemoryPolicy.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/DebugInfo/DWARF/DWARFContext.h"
#include "llvm/DebugInfo/DWARF/DWARFObject.h"
#include "llvm/DebugInfo/DWARF/DWARFUnit.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include <algorithm>
#include <mutex>

using namespace llvm;
using namespace llvm::object;
using namespace btfsplit;

namespace {

class Encoder {
public:
  Encoder(const ObjectFile &Obj, StringRef FileName, const BTFObject *Base,
          const EncoderOptions &Opts)
      : Obj(Obj), FileName(FileName), Base(Base), Opts(Opts) {}
  ~Encoder() { abandonChunks(); }

  Expected<std::unique_ptr<BTFObject>> run();

private:
  // The steps of run(), in order.
  Error readSymbols();
  /// From pahole 1.30: the ELF function table, its kfunc marks, the store
  /// of saved function states (FunctionStates.h).
  Error readFunctionTable(std::vector<std::string> &Warnings);
  Error openDWARF();
  void scanAbbreviations();
  Error extractAllUnits();
  void createOutput();
  void prepareSlices();
  Error convertBatch(size_t Begin);
  Error finishChunks();

  std::unique_ptr<DWARFContext> makeContext();
  /// A context over the slice of .debug_info of the batch that starts at
  /// unit \p Begin, in NextCtx.
  Error makeNextContext(size_t Begin);
  /// The first diagnostic of LLVM's DWARF parser, as an error.
  Error diagError() {
    return createStringError(errc::invalid_argument, "%s: %s",
                             FileName.str().c_str(), FirstDiag.c_str());
  }
  bool hasDiag() {
    std::lock_guard<std::mutex> Lock(DiagMutex);
    return !FirstDiag.empty();
  }
  void onDiag(Error E);
  void parseAbbrevs(DWARFUnit &CU) {
    std::lock_guard<std::mutex> Lock(AbbrevMutex);
    CU.getAbbreviations();
  }
  void convert(const EncodeContext &EC, DWARFUnit *CU, CUResult &R);
  /// The counter of one part in Opts.CPU (--stats), or null.
  CPUCounter *cpu(CPUCounter EncoderCPUTimes::*Part) const {
    return Opts.CPU ? &(Opts.CPU->*Part) : nullptr;
  }

  // Chunks (see EncoderOptions::ChunkPass).
  struct Chunk {
    std::unique_ptr<BTFObject> Obj;
    Error Err = Error::success();
    /// From pahole 1.30: the function states of the chunk's units, and the
    /// old -> new IDs of its pass.
    std::vector<PendingFuncState> Pending;
    std::vector<uint32_t> Remap;
  };
  void openChunk(size_t Index, size_t InfoBytes);
  /// Run the pass of chunk \p Index (with \p Pass) on the pool, then append
  /// it to the output in order.
  void closeChunk(size_t Index, bool Pass);
  /// On the way out with an error: let running passes end, drop their
  /// results.
  void abandonChunks();

  const ObjectFile &Obj;
  StringRef FileName;
  const BTFObject *Base;
  const EncoderOptions &Opts;

  std::optional<ELFSymbols> Syms;
  bool Modern = false;
  std::optional<ELFFunctionTable> Funcs;
  std::optional<FunctionStates> States;
  RegisterParams Regs;
  std::mutex DiagMutex;
  std::string FirstDiag;
  std::unique_ptr<RelocatedDWARF> Relocated;
  std::unique_ptr<DWARFContext> DICtx;
  size_t NumUnits = 0;
  StringRef InfoData;
  std::optional<PageReleaser> Release;
  /// vmlinux: the sections units read from besides .debug_info (location
  /// and range lists, from the 1.30 level's parameter locations on), whose
  /// pages are dropped after each batch as .debug_info's are.
  std::vector<PageReleaser> SideReleases;
  bool CrossUnitRefs = false;
  std::optional<DefaultThreadPool> Pool;
  /// A context keeps the abbreviation sets it parsed in one table that two
  /// threads may not fill at once: each worker parses the set of its unit
  /// under this lock; later lookups read the unit's own pointer to it.
  std::mutex AbbrevMutex;
  std::unique_ptr<BTFObject> Out;
  std::optional<Merger> M;

  /// Units per batch: each batch is converted in parallel and merged in
  /// order before the next, bounding the memory held by unit results and
  /// parsed DIEs.
  size_t Batch = 64;
  /// Batches per chunk. On vmlinux one batch per chunk (44 chunks of ~77k raw
  /// types, ~5k after deduplication) keeps memory low and leaves the final
  /// deduplication ~230k types.
  static constexpr size_t ChunkBatches = 1;
  bool Chunked = false;
  std::vector<Chunk> Chunks;
  std::optional<InOrder> ChunkOrder;
  std::optional<ThreadPoolTaskGroup> ChunkGroup;
  size_t OpenChunkIndex = 0;

  /// vmlinux: each batch gets a context over its slice of .debug_info and
  /// the whole other sections, when none is compressed.
  std::optional<StringMap<std::unique_ptr<MemoryBuffer>>> SliceSections;
  std::unique_ptr<DWARFContext> BatchCtx, NextCtx;
  /// The slice of the last batch, whose pages of .debug_info have been read;
  /// they are dropped once the next batch's units are queued.
  uint64_t ReadBase = 0, ReadEnd = 0;
};

} // namespace

void Encoder::onDiag(Error E) {
  std::lock_guard<std::mutex> Lock(DiagMutex);
  std::string Msg = toString(std::move(E));
  std::replace(Msg.begin(), Msg.end(), '\n', ' ');
  if (FirstDiag.empty())
    FirstDiag = StringRef(Msg).rtrim(" :").str();
}

Error Encoder::readSymbols() {
  Expected<ELFSymbols> SymsOrErr = readELFSymbols(Obj);
  if (!SymsOrErr)
    return createFileError(FileName, SymsOrErr.takeError());
  Syms = std::move(*SymsOrErr);
  return Error::success();
}

Error Encoder::readFunctionTable(std::vector<std::string> &Warnings) {
  CPUScope CPU(cpu(&EncoderCPUTimes::Functions));
  Expected<ELFFunctionTable> FuncsOrErr =
      ELFFunctionTable::create(Obj, Opts.Level);
  if (!FuncsOrErr)
    return createFileError(FileName, FuncsOrErr.takeError());
  Funcs.emplace(std::move(*FuncsOrErr));
  if (Opts.Features.DeclTagKfuncs)
    if (Error E = Funcs->markKfuncs(Obj, FileName, Warnings))
      return E;
  States.emplace(Opts.Level, Opts.Features, *Funcs);
  return Error::success();
}

std::unique_ptr<DWARFContext> Encoder::makeContext() {
  // LLVM's DWARF parser warns about what it cannot read (an invalid
  // abbreviation code, a relocation it cannot apply, a unit it skips) and
  // goes on with less: for BTF that would silently lose types, so a warning
  // is an error here too.
  auto OnDiag = [this](Error E) { onDiag(std::move(E)); };
  if (Relocated)
    return std::make_unique<DWARFContext>(Relocated->makeObject(), "", OnDiag,
                                          OnDiag);
  return DWARFContext::create(
      Obj,
      Syms->IsRelocatable ? DWARFContext::ProcessDebugRelocations::Process
                          : DWARFContext::ProcessDebugRelocations::Ignore,
      nullptr, "", OnDiag, OnDiag);
}

Error Encoder::openDWARF() {
  // vmlinux keeps the .rela.debug_* of --emit-relocs, already applied: only
  // relocatable files (modules) get their DWARF relocated, once, into owned
  // buffers (RelocatedDWARF.h) rather than through LLVM's per-relocation
  // maps; LLVM's reader remains the fallback for the cases that does not
  // handle.
  if (Syms->IsRelocatable) {
    Expected<std::unique_ptr<RelocatedDWARF>> RelocatedOrErr =
        RelocatedDWARF::create(Obj, FileName);
    if (!RelocatedOrErr)
      return RelocatedOrErr.takeError();
    Relocated = std::move(*RelocatedOrErr);
    // RelocatedDWARF checks what it applies; LLVM's reader, where it takes
    // over, needs the tables checked first (it treats bad ones as fatal).
    if (!Relocated)
      if (Error E = checkRelocations(Obj))
        return createFileError(FileName, std::move(E));
  }
  Batch = Relocated ? 4 : 64;
  DICtx = makeContext();
  NumUnits = DICtx->getNumCompileUnits();
  if (hasDiag())
    return diagError();
  if (NumUnits == 0)
    return createStringError(errc::invalid_argument,
                             "%s: no DWARF compile units",
                             FileName.str().c_str());
  DICtx->getDWARFObj().forEachInfoSections([&](const DWARFSection &S) {
    if (InfoData.empty())
      InfoData = S.Data;
  });
  Release.emplace(InfoData);
  return Error::success();
}

void Encoder::scanAbbreviations() {
  // DW_FORM_ref_addr (LTO) lets a unit refer to DIEs of any other unit. The
  // abbreviation sets are scanned raw: parsing them all into the context
  // costs as much memory as the rest of the encoder.
  DataExtractor AbbrevData(DICtx->getDWARFObj().getAbbrevSection(),
                           DICtx->isLittleEndian(), 0);
  DenseSet<uint64_t> Seen;
  for (const std::unique_ptr<DWARFUnit> &CU : DICtx->compile_units())
    if (Seen.insert(CU->getAbbreviationsOffset()).second &&
        abbrevSetRefersToOtherUnits(AbbrevData, CU->getAbbreviationsOffset())) {
      CrossUnitRefs = true;
      break;
    }
  // Reading the unit headers mapped pages all over .debug_info.
  Release->release();
}

Error Encoder::extractAllUnits() {
  // With cross-unit references every unit's DIEs are extracted up front
  // (GSYM DwarfTransformer pattern: abbreviations serially, DIEs in
  // parallel) so that workers only read. Otherwise each batch of units gets
  // its own DWARFContext, dropped after the batch.
  if (!CrossUnitRefs)
    return Error::success();
  auto Extract = [&](DWARFUnit *CU) {
    CPUScope CPU(cpu(&EncoderCPUTimes::Convert));
    parseAbbrevs(*CU);
    if (Error E = checkUnitBounds(*CU, FileName))
      return onDiag(std::move(E));
    CU->getUnitDIE(false);
  };
  for (const std::unique_ptr<DWARFUnit> &CU : DICtx->compile_units()) {
    if (Pool)
      Pool->async(Extract, CU.get());
    else
      Extract(CU.get());
  }
  if (Pool)
    Pool->wait();
  return hasDiag() ? diagError() : Error::success();
}

void Encoder::createOutput() {
  Out =
      Base ? std::make_unique<BTFObject>(Base) : std::make_unique<BTFObject>();
  // The undeduplicated BTF is about as large as .debug_info: reserve that
  // much address space up front (untouched pages cost nothing) instead of
  // copying a growing vector.
  size_t InfoSize = 0;
  DICtx->getDWARFObj().forEachInfoSections(
      [&](const DWARFSection &S) { InfoSize += S.Data.size(); });
  Out->words().reserve(InfoSize / 4 + 1024);
  Out->typeOffsets().reserve(InfoSize / 64 + 1024);
  M.emplace(*Out);
  if (Modern)
    M->setModern(&*States, &*Syms);

  // From 1.30 functions are saved with IDs and strings of the chunk, and
  // translated when it is appended (appendChunk).
  Chunked = Opts.ChunkPass && !Base && NumUnits > Batch * ChunkBatches;
  if (Chunked) {
    size_t PerChunk = Batch * ChunkBatches;
    Chunks.resize((NumUnits + PerChunk - 1) / PerChunk);
    ChunkOrder.emplace(Chunks.size());
    if (Pool)
      ChunkGroup.emplace(*Pool);
  }
}

void Encoder::prepareSlices() {
  if (CrossUnitRefs || Syms->IsRelocatable || NumUnits <= Batch)
    return;
  SliceSections.emplace();
  for (const SectionRef &Sec : Obj.sections()) {
    Expected<StringRef> Name = Sec.getName();
    if (!Name) {
      consumeError(Name.takeError());
      continue;
    }
    if (!Name->starts_with(".debug_") || *Name == ".debug_info")
      continue;
    Expected<StringRef> Contents = Sec.getContents();
    if (!Contents || ELFSectionRef(Sec).getFlags() & ELF::SHF_COMPRESSED) {
      if (!Contents)
        consumeError(Contents.takeError());
      SliceSections.reset();
      SideReleases.clear();
      return;
    }
    (*SliceSections)[Name->drop_front()] = MemoryBuffer::getMemBuffer(
        *Contents, *Name, /*RequiresNullTerminator=*/false);
    if (*Name == ".debug_loclists" || *Name == ".debug_loc" ||
        *Name == ".debug_rnglists" || *Name == ".debug_ranges")
      SideReleases.emplace_back(*Contents);
  }
}

Error Encoder::makeNextContext(size_t Begin) {
  // Parsing the unit headers of the whole section again would cost more
  // than the batch. Each is made on this thread while the workers convert
  // the batch before it. The sections' data are the file mapping, which no
  // context owns.
  if (!SliceSections || Begin >= NumUnits)
    return Error::success();
  CPUScope CPU(cpu(&EncoderCPUTimes::Contexts));
  size_t End = std::min(NumUnits, Begin + Batch);
  uint64_t InfoBase = DICtx->getUnitAtIndex(Begin)->getOffset();
  uint64_t InfoEnd = DICtx->getUnitAtIndex(End - 1)->getNextUnitOffset();
  (*SliceSections)["debug_info"] = MemoryBuffer::getMemBuffer(
      InfoData.slice(InfoBase, InfoEnd), "debug_info",
      /*RequiresNullTerminator=*/false);
  auto OnDiag = [this](Error E) { onDiag(std::move(E)); };
  NextCtx = DWARFContext::create(*SliceSections, Obj.getBytesInAddress(),
                                 Obj.isLittleEndian(), OnDiag, OnDiag);
  if (NextCtx->getNumCompileUnits() != End - Begin)
    return createStringError(errc::invalid_argument,
                             "%s: DWARF units changed while reading",
                             FileName.str().c_str());
  return Error::success();
}

void Encoder::convert(const EncodeContext &EC, DWARFUnit *CU, CUResult &R) {
  CPUScope CPU(cpu(&EncoderCPUTimes::Convert));
  parseAbbrevs(*CU);
  if (!CrossUnitRefs)
    if (Error E = checkUnitBounds(*CU, FileName, EC.InfoBase)) {
      R.Err = std::move(E);
      return;
    }
  DWARFDie CUDie = CU->getUnitDIE(false);
  if (!Opts.LangExclude.empty()) {
    uint64_t Lang = attrUInt(CUDie, dwarf::DW_AT_language);
    if (is_contained(Opts.LangExclude, Lang)) {
      R.Skipped = true;
      return;
    }
  }
  CUConverter C(EC, *CU, R);
  R.Err = C.run();
}

void Encoder::openChunk(size_t Index, size_t InfoBytes) {
  auto Obj = std::make_unique<BTFObject>();
  // About as many words as the units have bytes of DWARF / 4 (reserved
  // address space, touched as used).
  Obj->words().reserve(InfoBytes / 4 + 1024);
  Obj->typeOffsets().reserve(InfoBytes / 16 + 256);
  M->startChunk(*Obj, Modern ? &Chunks[Index].Pending : nullptr);
  Chunks[Index].Obj = std::move(Obj);
  OpenChunkIndex = Index;
}

void Encoder::closeChunk(size_t Index, bool Pass) {
  // Whichever thread ends the pass of the next chunk in order appends it
  // (and any passed chunks after it) to Out: the appending overlaps the
  // conversion of later units.
  auto Run = [this, Index, Pass]() {
    Chunk &C = Chunks[Index];
    {
      CPUScope CPU(cpu(&EncoderCPUTimes::ChunkPass));
      C.Err = Pass ? Opts.ChunkPass(*C.Obj, Modern ? &C.Remap : nullptr)
                   : Error::success();
    }
    ChunkOrder->markReady(Index, [this](size_t K) -> Error {
      CPUScope CPU(cpu(&EncoderCPUTimes::ChunkAppend));
      Chunk &Done = Chunks[K];
      Error E = std::move(Done.Err);
      if (!E && Modern) {
        ChunkFuncStates Funcs{Done.Remap, Done.Pending, *States};
        appendChunk(*Out, *Done.Obj, &Funcs);
      } else if (!E) {
        appendChunk(*Out, *Done.Obj);
      }
      Done.Obj.reset();
      Done.Remap = {};
      Done.Pending = {};
      return E;
    });
  };
  if (ChunkGroup)
    ChunkGroup->async(Run);
  else
    Run();
}

void Encoder::abandonChunks() {
  if (ChunkGroup)
    ChunkGroup->wait();
  if (ChunkOrder)
    consumeError(ChunkOrder->takeError());
  for (Chunk &C : Chunks)
    consumeError(std::move(C.Err));
}

Error Encoder::convertBatch(size_t Begin) {
  size_t End = std::min(NumUnits, Begin + Batch);
  // A new context per batch frees the parsed DIEs of the last one. For
  // modules that LLVM's reader relocates, its relocation maps are too costly
  // to rebuild: they keep their one context.
  DWARFContext *Ctx = DICtx.get();
  size_t First = 0;
  uint64_t InfoBase = 0;
  std::unique_ptr<DWARFContext> DoneCtx;
  if (SliceSections) {
    DoneCtx = std::move(BatchCtx);
    BatchCtx = std::move(NextCtx);
    InfoBase = DICtx->getUnitAtIndex(Begin)->getOffset();
    Ctx = BatchCtx.get();
    First = Begin;
  } else if (!CrossUnitRefs && (!Syms->IsRelocatable || Relocated) &&
             Begin != 0) {
    CPUScope CPU(cpu(&EncoderCPUTimes::Contexts));
    DICtx.reset();
    DICtx = makeContext();
    if (DICtx->getNumCompileUnits() != NumUnits)
      return createStringError(errc::invalid_argument,
                               "%s: DWARF units changed while reading",
                               FileName.str().c_str());
    Ctx = DICtx.get();
    // Reading the unit headers again mapped pages all over the section.
    Release->release();
  }
  // With a pool, the pass of the chunk just ended is queued behind this
  // batch's units: a worker out of units takes it while the other ends the
  // batch, instead of both waiting for the batch's last unit.
  std::optional<size_t> Ended;
  if (Chunked && Begin % (Batch * ChunkBatches) == 0) {
    size_t Index = Begin / (Batch * ChunkBatches);
    if (Index > 0) {
      if (Pool)
        Ended = Index - 1;
      else
        closeChunk(Index - 1, /*Pass=*/true);
    }
    if (Error E = ChunkOrder->takeError())
      return createFileError(FileName, std::move(E));
    size_t ChunkEnd = std::min(NumUnits, Begin + Batch * ChunkBatches);
    openChunk(Index, DICtx->getUnitAtIndex(ChunkEnd - 1)->getNextUnitOffset() -
                         DICtx->getUnitAtIndex(Begin)->getOffset());
  }
  EncodeContext EC{
      Obj, FileName, *Ctx, *Syms, Opts, InfoBase, Funcs ? &*Funcs : nullptr,
      Regs};
  std::vector<CUResult> Results(End - Begin);
  // Units are merged in order as soon as they are converted, by whichever
  // thread converted the next one: merging overlaps the conversion of the
  // rest of the batch. The first error in unit order (a unit's own or its
  // merge's) stops the merging; later units are converted for nothing.
  InOrder MergeOrder(End - Begin);
  auto ConvertAndMerge = [&](size_t I) {
    convert(EC, Ctx->getUnitAtIndex(I - First), Results[I - Begin]);
    MergeOrder.markReady(I - Begin, [&](size_t K) -> Error {
      CPUScope CPU(cpu(&EncoderCPUTimes::Merge));
      CUResult &R = Results[K];
      Error E = std::move(R.Err);
      if (!E && !R.Skipped && R.Types) {
        E = M->merge(R);
        R.Types.reset();
      }
      return E;
    });
  };
  // The last batch's context and pages go once this batch's units are
  // queued; the next batch's context is made while they convert.
  auto FreeLast = [&]() {
    CPUScope CPU(cpu(&EncoderCPUTimes::Contexts));
    DoneCtx.reset();
    Release->release(ReadBase, ReadEnd - ReadBase);
    ReadBase = ReadEnd = 0;
  };
  Error NextErr = Error::success();
  if (Pool) {
    ThreadPoolTaskGroup Group(*Pool);
    for (size_t I = Begin; I < End; ++I)
      Group.async([&, I]() { ConvertAndMerge(I); });
    if (Ended)
      closeChunk(*Ended, /*Pass=*/true);
    FreeLast();
    NextErr = makeNextContext(End);
    Group.wait();
  } else {
    FreeLast();
    for (size_t I = Begin; I < End; ++I)
      ConvertAndMerge(I);
    NextErr = makeNextContext(End);
  }
  if (SliceSections) {
    ReadBase = InfoBase;
    ReadEnd = DICtx->getUnitAtIndex(End - 1)->getNextUnitOffset();
    // No unit reads them until the next batch starts.
    for (PageReleaser &R : SideReleases)
      R.release();
  } else if (!CrossUnitRefs && !Syms->IsRelocatable) {
    Release->release();
  }
  for (CUResult &R : Results)
    consumeError(std::move(R.Err));
  Error StopErr = MergeOrder.takeError();
  if (hasDiag()) {
    consumeError(std::move(StopErr));
    consumeError(std::move(NextErr));
    return diagError();
  }
  if (StopErr) {
    consumeError(std::move(NextErr));
    return StopErr;
  }
  return NextErr;
}

Error Encoder::finishChunks() {
  Release->release(ReadBase, ReadEnd - ReadBase);
  ReadBase = ReadEnd = 0;
  if (!Chunked)
    return Error::success();
  // The last chunk goes to the final deduplication as it is: its own pass
  // would run alone, with no unit left to convert beside it.
  closeChunk(OpenChunkIndex, /*Pass=*/false);
  if (ChunkGroup)
    ChunkGroup->wait();
  if (Error E = ChunkOrder->takeError())
    return createFileError(FileName, std::move(E));
  return Error::success();
}

Expected<std::unique_ptr<BTFObject>> Encoder::run() {
  {
    CPUScope CPU(cpu(&EncoderCPUTimes::Symbols));
    if (Error E = readSymbols())
      return E;
  }
  Regs = registerParamsFor(Syms->Machine);
  Modern = Opts.Level != PaholeLevel::V1_24;
  if (Opts.Threads != 1)
    Pool.emplace(hardware_concurrency(Opts.Threads));
  // From 1.30, the ELF function table: it reads only the ELF file, so with
  // a pool it is made while the DWARF is opened. Errors keep their order:
  // the DWARF's first.
  std::vector<std::string> FuncWarnings;
  Error FuncErr = Error::success();
  std::optional<ThreadPoolTaskGroup> FuncGroup;
  if (Modern) {
    auto Read = [&]() { FuncErr = readFunctionTable(FuncWarnings); };
    if (Pool) {
      FuncGroup.emplace(*Pool);
      FuncGroup->async(Read);
    } else {
      Read();
    }
  }
  auto JoinFunctionTable = [&]() -> Error {
    if (FuncGroup)
      FuncGroup->wait();
    if (FuncErr)
      return std::move(FuncErr);
    if (Opts.Warn)
      for (const std::string &W : FuncWarnings)
        Opts.Warn(W);
    return Error::success();
  };
  {
    CPUScope CPU(cpu(&EncoderCPUTimes::OpenDWARF));
    if (Error E = openDWARF()) {
      consumeError(JoinFunctionTable());
      return E;
    }
  }
  {
    CPUScope CPU(cpu(&EncoderCPUTimes::Abbrevs));
    scanAbbreviations();
  }
  if (Error E = JoinFunctionTable())
    return E;
  if (Error E = extractAllUnits())
    return E;
  createOutput();
  prepareSlices();
  if (Error E = makeNextContext(0))
    return E;
  for (size_t Begin = 0; Begin < NumUnits; Begin += Batch)
    if (Error E = convertBatch(Begin))
      return E;
  if (Error E = finishChunks())
    return E;
  CPUScope CPU(cpu(&EncoderCPUTimes::Finish));
  if (Error E = M->finish(*Out))
    return createFileError(FileName, std::move(E));
  return std::move(Out);
}

Expected<std::unique_ptr<BTFObject>>
btfsplit::encodeBTF(const ObjectFile &Obj, StringRef FileName,
                    const BTFObject *Base, const EncoderOptions &Opts) {
  Encoder E(Obj, FileName, Base, Opts);
  return E.run();
}
