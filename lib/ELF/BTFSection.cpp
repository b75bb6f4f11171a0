//===- BTFSection.cpp - Put .BTF into an ELF file -------------------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "ELF/BTFSection.h"
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
    if (ELFSectionRef(Sec).getFlags() & ELF::SHF_ALLOC)
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

Expected<OutputStatus>
btfsplit::writeBTFSection(StringRef In, StringRef Out, ArrayRef<char> RawBTF,
                          const BTFSectionOptions &Opts) {
  if (Out.empty())
    Out = In;
  Expected<OwningBinary<ObjectFile>> ObjOrErr = openELFFile(In);
  if (!ObjOrErr)
    return ObjOrErr.takeError();
  ObjectFile &Obj = *ObjOrErr->getBinary();
  if (Error E = checkExistingBTF(Obj))
    return createFileError(In, std::move(E));
  // The kernel reads .BTF in the byte order of the ELF file it sits in.
  if (RawBTF.size() >= 2) {
    bool BTFLittle = static_cast<uint8_t>(RawBTF[0]) == 0x9f &&
                     static_cast<uint8_t>(RawBTF[1]) == 0xeb;
    if (BTFLittle != Obj.isLittleEndian())
      return createFileError(
          In, createStringError(errc::invalid_argument,
                                "the BTF is %s-endian but the ELF file is "
                                "%s-endian",
                                BTFLittle ? "little" : "big",
                                Obj.isLittleEndian() ? "little" : "big"));
  }

  // llvm-objcopy --remove-section .BTF --add-section .BTF=<raw>: removal
  // runs before addition, so this both adds and replaces.
  objcopy::ConfigManager Config;
  Config.Common.InputFilename = In;
  Config.Common.OutputFilename = Out;
  if (Error E =
          Config.Common.ToRemove.addMatcher(objcopy::NameOrPattern::create(
              BTFSectionName, objcopy::MatchStyle::Literal,
              [](Error E) { return E; })))
    return std::move(E);
  Config.Common.AddSection.emplace_back(
      BTFSectionName,
      MemoryBuffer::getMemBuffer(StringRef(RawBTF.data(), RawBTF.size()),
                                 BTFSectionName,
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
