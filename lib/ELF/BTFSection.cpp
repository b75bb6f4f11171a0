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

Error btfsplit::checkELFFile(StringRef Path) {
  return openELFFile(Path).takeError();
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

/// Refuse inputs whose \p Names sections we cannot replace or remove the way
/// pahole's flow expects.
static Error checkExistingSections(const ObjectFile &Obj,
                                   ArrayRef<StringRef> Names) {
  for (const SectionRef &Sec : Obj.sections()) {
    Expected<StringRef> NameOrErr = Sec.getName();
    if (!NameOrErr)
      return NameOrErr.takeError();
    if (!is_contained(Names, *NameOrErr))
      continue;
    if (ELFSectionRef(Sec).getFlags() & ELF::SHF_ALLOC)
      return createStringError(
          errc::not_supported,
          "section '%s' is allocated (SHF_ALLOC, part of the loaded image); "
          "replacing it would leave the old bytes in the image (use "
          "--detached)",
          NameOrErr->str().c_str());
  }
  return Error::success();
}

static Error checkExistingBTF(const ObjectFile &Obj) {
  return checkExistingSections(Obj, {BTFSectionName});
}

Error btfsplit::checkBTFSectionTarget(StringRef Path) {
  Expected<OwningBinary<ObjectFile>> ObjOrErr = openELFFile(Path);
  if (!ObjOrErr)
    return ObjOrErr.takeError();
  if (Error E = checkExistingBTF(*ObjOrErr->getBinary()))
    return createFileError(Path, std::move(E));
  return Error::success();
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

Expected<OutputStatus> btfsplit::writeSections(
    StringRef In, StringRef Out, ArrayRef<SectionContents> Sections,
    ArrayRef<StringRef> Remove, const BTFSectionOptions &Opts) {
  if (Out.empty())
    Out = In;
  Expected<OwningBinary<ObjectFile>> ObjOrErr = openELFFile(In);
  if (!ObjOrErr)
    return ObjOrErr.takeError();
  ObjectFile &Obj = *ObjOrErr->getBinary();
  SmallVector<StringRef, 4> Touched(Remove.begin(), Remove.end());
  for (const SectionContents &S : Sections)
    Touched.push_back(S.Name);
  if (Error E = checkExistingSections(Obj, Touched))
    return createFileError(In, std::move(E));
  // The kernel reads BTF in the byte order of the ELF file it sits in.
  for (const SectionContents &S : Sections) {
    if (S.Data.size() < 2)
      continue;
    bool BTFLittle = static_cast<uint8_t>(S.Data[0]) == 0x9f &&
                     static_cast<uint8_t>(S.Data[1]) == 0xeb;
    if (BTFLittle != Obj.isLittleEndian())
      return createFileError(
          In, createStringError(errc::invalid_argument,
                                "the BTF is %s-endian but the ELF file is "
                                "%s-endian",
                                BTFLittle ? "little" : "big",
                                Obj.isLittleEndian() ? "little" : "big"));
  }

  // llvm-objcopy --remove-section NAME --add-section NAME=<raw>: removal
  // runs before addition, so this both adds and replaces.
  objcopy::ConfigManager Config;
  Config.Common.InputFilename = In;
  Config.Common.OutputFilename = Out;
  for (StringRef Name : Touched)
    if (Error E =
            Config.Common.ToRemove.addMatcher(objcopy::NameOrPattern::create(
                Name, objcopy::MatchStyle::Literal, [](Error E) { return E; })))
      return std::move(E);
  for (const SectionContents &S : Sections)
    Config.Common.AddSection.emplace_back(
        S.Name, MemoryBuffer::getMemBuffer(
                    StringRef(S.Data.data(), S.Data.size()), S.Name,
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
btfsplit::writeBTFSection(StringRef In, StringRef Out, ArrayRef<char> RawBTF,
                          const BTFSectionOptions &Opts) {
  SectionContents BTF{BTFSectionName, RawBTF};
  return writeSections(In, Out, BTF, {}, Opts);
}
