//===- BTFSection.cpp - Put .BTF into an ELF file -------------------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "ELF/BTFSection.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/BinaryFormat/Magic.h"
#include "llvm/ObjCopy/ConfigManager.h"
#include "llvm/ObjCopy/ObjCopy.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TimeProfiler.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace llvm::object;
using namespace btfsplit;

static bool isELFMagic(file_magic M) {
  switch (M) {
  case file_magic::elf:
  case file_magic::elf_relocatable:
  case file_magic::elf_executable:
  case file_magic::elf_shared_object:
  case file_magic::elf_core:
    return true;
  default:
    return false;
  }
}

Expected<OwningBinary<ObjectFile>> btfsplit::openELFFile(StringRef Path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> BufOrErr = MemoryBuffer::getFile(
      Path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!BufOrErr)
    return createFileError(Path, errorCodeToError(BufOrErr.getError()));
  if (!isELFMagic(identify_magic((*BufOrErr)->getBuffer())))
    return createFileError(
        Path, createStringError(errc::invalid_argument, "not an ELF file"));
  Expected<std::unique_ptr<ObjectFile>> ObjOrErr =
      ObjectFile::createObjectFile((*BufOrErr)->getMemBufferRef());
  if (!ObjOrErr)
    return createFileError(Path, ObjOrErr.takeError());
  if (!isa<ELFObjectFileBase>(**ObjOrErr))
    return createFileError(
        Path, createStringError(errc::invalid_argument, "not an ELF file"));
  return OwningBinary<ObjectFile>(std::move(*ObjOrErr), std::move(*BufOrErr));
}

bool btfsplit::hasDWARF(const ObjectFile &Obj) {
  for (const SectionRef &Sec : Obj.sections()) {
    Expected<StringRef> NameOrErr = Sec.getName();
    if (!NameOrErr) {
      consumeError(NameOrErr.takeError());
      continue;
    }
    if (*NameOrErr == ".debug_info" && Sec.getSize() != 0)
      return true;
  }
  return false;
}

/// Refuse inputs whose .BTF we cannot replace the way pahole's flow expects.
static Error checkExistingBTF(const ObjectFile &Obj) {
  for (const SectionRef &Sec : Obj.sections()) {
    Expected<StringRef> NameOrErr = Sec.getName();
    if (!NameOrErr)
      return NameOrErr.takeError();
    if (*NameOrErr != BTFSectionName)
      continue;
    // An empty allocated .BTF is filled, as pahole fills it.
    ELFSectionRef ESec(Sec);
    if ((ESec.getFlags() & ELF::SHF_ALLOC) &&
        (ESec.getSize() != 0 || ESec.getType() == ELF::SHT_NOBITS))
      return createStringError(
          errc::not_supported,
          "section '%s' is allocated (SHF_ALLOC, part of the loaded image); "
          "replacing it would leave the old bytes in the image (use "
          "--detached)",
          BTFSectionName.data());
  }
  return Error::success();
}

Error btfsplit::checkBTFSectionTarget(StringRef Path) {
  Expected<OwningBinary<ObjectFile>> ObjOrErr = openELFFile(Path);
  if (!ObjOrErr)
    return ObjOrErr.takeError();
  if (Error E = checkExistingBTF(*ObjOrErr->getBinary()))
    return createFileError(Path, std::move(E));
  return Error::success();
}

/// The ObjCopy writer: `llvm-objcopy --remove-section N... --add-section
/// N=F...` (removal runs before addition, so this both adds and replaces).
static Expected<OutputStatus> writeWithObjCopy(StringRef In, StringRef Out,
                                               ObjectFile &Obj,
                                               ArrayRef<SectionUpdate> Updates,
                                               const BTFSectionOptions &Opts) {
  objcopy::ConfigManager Config;
  Config.Common.InputFilename = In;
  Config.Common.OutputFilename = Out;
  for (const SectionUpdate &U : Updates) {
    if (Error E = Config.Common.ToRemove.addMatcher(
            objcopy::NameOrPattern::create(U.Name, objcopy::MatchStyle::Literal,
                                           [](Error E) { return E; })))
      return std::move(E);
  }
  for (const SectionUpdate &U : Updates)
    if (!U.Remove)
      Config.Common.AddSection.emplace_back(
          U.Name, MemoryBuffer::getMemBuffer(
                      StringRef(U.Data.data(), U.Data.size()), U.Name,
                      /*RequiresNullTerminator=*/false));

  OutputOptions OutOpts;
  OutOpts.OnlyIfChanged = Opts.OnlyIfChanged;
  OutOpts.PermissionsFrom = In.str();
  // ObjCopy writes its output buffer (the size of the file) straight into
  // the temporary output file: no second copy of vmlinux in memory.
  TimeTraceScope Scope("ObjCopy and write", Out);
  return writeOutputStream(
      Out,
      [&](raw_ostream &OS) -> Error {
        if (Error E = objcopy::executeObjcopyOnBinary(Config, Obj, OS))
          return createFileError(In, std::move(E));
        return Error::success();
      },
      OutOpts);
}

Expected<OutputStatus>
btfsplit::writeELFSections(StringRef In, StringRef Out,
                           ArrayRef<SectionUpdate> Updates,
                           const BTFSectionOptions &Opts, ELFWriteInfo *Info) {
  if (Out.empty())
    Out = In;
  ELFWriteInfo Dummy;
  if (!Info)
    Info = &Dummy;
  Expected<OwningBinary<ObjectFile>> ObjOrErr = openELFFile(In);
  if (!ObjOrErr)
    return ObjOrErr.takeError();
  ObjectFile &Obj = *ObjOrErr->getBinary();
  if (Error E = checkExistingBTF(Obj))
    return createFileError(In, std::move(E));
  // The kernel reads .BTF in the byte order of the ELF file it sits in.
  for (const SectionUpdate &U : Updates) {
    if (U.Remove || U.Data.size() < 2)
      continue;
    bool BTFLittle = static_cast<uint8_t>(U.Data[0]) == 0x9f &&
                     static_cast<uint8_t>(U.Data[1]) == 0xeb;
    if (BTFLittle != Obj.isLittleEndian())
      return createFileError(
          In, createStringError(errc::invalid_argument,
                                "the BTF is %s-endian but the ELF file is "
                                "%s-endian",
                                BTFLittle ? "little" : "big",
                                Obj.isLittleEndian() ? "little" : "big"));
  }

  MemoryBufferRef Buf = Obj.getMemoryBufferRef();
  // ObjCopy cannot grow a section inside a segment: an empty allocated .BTF
  // is always filled by the append writer.
  bool Fill = hasEmptyAllocSection(Buf, BTFSectionName);
  if (Opts.Writer != ELFWriterKind::ObjCopy || Fill) {
    TimeTraceScope Scope("Append sections", Out);
    OutputOptions OutOpts;
    OutOpts.OnlyIfChanged = Opts.OnlyIfChanged;
    Expected<AppendPlan> PlanOrErr = planAppend(Buf, Updates);
    Expected<OutputStatus> StatusOrErr =
        PlanOrErr ? executeAppend(In, Out, *PlanOrErr, OutOpts)
                  : Expected<OutputStatus>(PlanOrErr.takeError());
    if (StatusOrErr) {
      Info->Writer = PlanOrErr->Fills ? "append (fill)" : "append";
      return StatusOrErr;
    }
    Error E = StatusOrErr.takeError();
    bool Refused = E.isA<AppendRefusal>();
    if (!Refused || Opts.Writer == ELFWriterKind::Append || Fill)
      // Errors of executeAppend() name their file; the others do not.
      return PlanOrErr && !Refused ? std::move(E)
                                   : createFileError(In, std::move(E));
    handleAllErrors(std::move(E), [&](const AppendRefusal &R) {
      Info->FallbackReason = R.reason();
    });
  }
  Info->Writer = "objcopy";
  return writeWithObjCopy(In, Out, Obj, Updates, Opts);
}

Expected<OutputStatus> btfsplit::writeBTFSection(StringRef In, StringRef Out,
                                                 ArrayRef<char> RawBTF,
                                                 const BTFSectionOptions &Opts,
                                                 ELFWriteInfo *Info) {
  SectionUpdate U;
  U.Name = BTFSectionName.str();
  U.Data = RawBTF;
  return writeELFSections(In, Out, U, Opts, Info);
}

Expected<std::vector<std::pair<std::string, std::vector<uint8_t>>>>
btfsplit::readSections(StringRef Path, ArrayRef<StringRef> Names) {
  Expected<OwningBinary<ObjectFile>> ObjOrErr = openELFFile(Path);
  if (!ObjOrErr)
    return ObjOrErr.takeError();
  std::vector<std::pair<std::string, std::vector<uint8_t>>> Out;
  for (const SectionRef &Sec : ObjOrErr->getBinary()->sections()) {
    Expected<StringRef> NameOrErr = Sec.getName();
    if (!NameOrErr)
      return createFileError(Path, NameOrErr.takeError());
    if (!is_contained(Names, *NameOrErr))
      continue;
    Expected<StringRef> DataOrErr = Sec.getContents();
    if (!DataOrErr)
      return createFileError(Path, DataOrErr.takeError());
    Out.emplace_back(NameOrErr->str(), std::vector<uint8_t>(DataOrErr->begin(),
                                                            DataOrErr->end()));
  }
  return std::move(Out);
}
