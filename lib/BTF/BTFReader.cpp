//===- BTFReader.cpp - Read raw BTF and the .BTF of ELF files -------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "BTF/BTFReader.h"
#include "Support/Errors.h"
#include "Support/MemoryPolicy.h"
#include "llvm/BinaryFormat/Magic.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;
using namespace btfsplit;

Expected<BTFHeader> btfsplit::readBTFHeader(ArrayRef<uint8_t> Data) {
  BTFHeader H;
  // As the kernel (btf_parse_hdr) reads it: hdr_len must be there; a header
  // shorter than struct btf_header is copied into a zeroed one.
  if (Data.size() < 8)
    return makeError("btf header is truncated: {0} bytes, need at least 8",
                     Data.size());
  uint16_t LE = support::endian::read16le(Data.data());
  if (LE == BTF::MAGIC)
    H.Endian = endianness::little;
  else if (support::endian::read16be(Data.data()) == BTF::MAGIC)
    H.Endian = endianness::big;
  else
    return makeError("invalid btf magic 0x{0:x-4}", LE);
  uint32_t HdrLen = support::endian::read32(Data.data() + 4, H.Endian);
  if (HdrLen < 8)
    return makeError("btf header length {0} is shorter than 8", HdrLen);
  if (HdrLen > Data.size())
    return makeError("btf header length {0} exceeds the data size {1}", HdrLen,
                     Data.size());
  uint8_t Copy[BTF::HeaderSize] = {};
  memcpy(Copy, Data.data(), std::min<size_t>(HdrLen, BTF::HeaderSize));
  auto R32 = [&](size_t Off) {
    return support::endian::read32(Copy + Off, H.Endian);
  };
  H.Magic = BTF::MAGIC;
  H.Version = Copy[2];
  H.Flags = Copy[3];
  H.HdrLen = HdrLen;
  H.TypeOff = R32(8);
  H.TypeLen = R32(12);
  H.StrOff = R32(16);
  H.StrLen = R32(20);
  return H;
}

namespace {
/// What readRaw() does with split BTF given without its base.
enum class SplitAlone {
  Refuse,       ///< "split BTF: give --btf-base"
  RefuseAsBase, ///< the data is to be a base (--btf-base)
  Keep,         ///< read it as its bytes stand (readRawBTFAsIs)
};
} // namespace

/// readRawBTF(); \p Alone: what split data read without \p Base is told.
static Expected<std::unique_ptr<BTFObject>>
readRaw(ArrayRef<uint8_t> Data, const BTFObject *Base,
        std::unique_ptr<MemoryBuffer> Backing, SplitAlone Alone) {
  Expected<BTFHeader> HOrErr = readBTFHeader(Data);
  if (!HOrErr)
    return HOrErr.takeError();
  const BTFHeader &H = *HOrErr;
  if (H.Version != BTF::VERSION)
    return makeError("unsupported btf version {0}", unsigned(H.Version));
  uint64_t Avail = Data.size() - H.HdrLen;
  if (uint64_t(H.TypeOff) + H.TypeLen > Avail)
    return makeError("type section (offset {0}, length {1}) runs past the end "
                     "of the data ({2} bytes after the header)",
                     H.TypeOff, H.TypeLen, Avail);
  if (uint64_t(H.StrOff) + H.StrLen > Avail)
    return makeError("string section (offset {0}, length {1}) runs past the "
                     "end of the data ({2} bytes after the header)",
                     H.StrOff, H.StrLen, Avail);
  if (H.TypeLen % 4)
    return makeError("type section length {0} is not a multiple of 4",
                     H.TypeLen);
  // Base BTF's strings start with the empty string (the kernel and libbpf
  // refuse others); split BTF's continue its base's, without one. Read
  // without its base, split BTF's names and type IDs would all be wrong.
  if (!Base && Alone != SplitAlone::Keep &&
      (H.StrLen ? Data[H.HdrLen + H.StrOff] != 0 : H.TypeLen != 0)) {
    if (Alone == SplitAlone::RefuseAsBase)
      return makeError("split BTF cannot be a base: --btf-base needs base "
                       "BTF, such as vmlinux's");
    return makeError("split BTF: give --btf-base (its strings and type IDs "
                     "continue those of a base BTF)");
  }

  auto Obj =
      Base ? std::make_unique<BTFObject>(Base) : std::make_unique<BTFObject>();
  Obj->setEndian(H.Endian);
  const uint8_t *Types = Data.data() + H.HdrLen + H.TypeOff;
  StringRef Strs(reinterpret_cast<const char *>(Data.data()) + H.HdrLen +
                     H.StrOff,
                 H.StrLen);
  // In a file mapping, native-order and aligned sections are used in place:
  // copying vmlinux's 4 MB would cost each module run a thousand freshly
  // touched pages.
  bool InPlace = Backing && H.Endian == endianness::native &&
                 reinterpret_cast<uintptr_t>(Types) % alignof(uint32_t) == 0;
  std::vector<uint32_t> &Words = Obj->words();
  ArrayRef<uint32_t> W;
  if (InPlace) {
    W = ArrayRef<uint32_t>(reinterpret_cast<const uint32_t *>(Types),
                           H.TypeLen / 4);
  } else if (H.Endian == endianness::native) {
    // One copy, no zero-fill first: the base BTF of vmlinux is 5 MB.
    const uint32_t *Begin = reinterpret_cast<const uint32_t *>(Types);
    if (reinterpret_cast<uintptr_t>(Types) % alignof(uint32_t) == 0) {
      Words.reserve(H.TypeLen / 4);
      prefaultForWrite(Words.data(), H.TypeLen);
      Words.assign(Begin, Begin + H.TypeLen / 4);
    } else if (H.TypeLen != 0) {
      // memcpy's arguments must be non-null even for a zero length.
      Words.resize(H.TypeLen / 4);
      memcpy(Words.data(), Types, H.TypeLen);
    }
  } else {
    Words.resize(H.TypeLen / 4);
    for (size_t I = 0; I < Words.size(); ++I)
      Words[I] = support::endian::read32(Types + I * 4, H.Endian);
  }
  if (!InPlace)
    W = Words;

  std::vector<uint32_t> &Offsets = Obj->typeOffsets();
  // A type has at least 3 words. Reserving the most it can need costs only
  // address space (pages are touched as offsets are written) and saves the
  // copies of a growing vector.
  Offsets.reserve(W.size() / 3);
  for (size_t I = 0; I < W.size();) {
    uint32_t Id = Obj->startId() + Offsets.size();
    if (W.size() - I < 3)
      return makeError("type [{0}]: truncated at byte {1} of the type section",
                       Id, I * 4);
    uint32_t Info = W[I + 1];
    unsigned Kind = (Info >> 24) & 0x1f;
    int64_t Tail = tailSize(Kind, Info & 0xffff);
    if (Tail < 0)
      return makeError("type [{0}]: invalid kind {1}", Id, Kind);
    if (uint64_t(W.size() - I - 3) * 4 < uint64_t(Tail))
      return makeError("type [{0}]: {1} with vlen {2} runs past the end of the "
                       "type section",
                       Id, kindName(Kind), Info & 0xffff);
    Offsets.push_back(I);
    I += 3 + Tail / 4;
  }
  if (InPlace)
    Obj->borrow(std::move(Backing), W, Strs);
  else
    Obj->strings().assign(Strs);
  return std::move(Obj);
}

Expected<std::unique_ptr<BTFObject>>
btfsplit::readRawBTF(ArrayRef<uint8_t> Data, const BTFObject *Base,
                     std::unique_ptr<MemoryBuffer> Backing) {
  return readRaw(Data, Base, std::move(Backing), SplitAlone::Refuse);
}

Expected<std::unique_ptr<BTFObject>>
btfsplit::readRawBTFAsIs(ArrayRef<uint8_t> Data) {
  return readRaw(Data, nullptr, nullptr, SplitAlone::Keep);
}

/// The BTF bytes in \p Buf, in place: its .BTF section when it is an ELF
/// file (only the section headers and .BTF itself are read, a large mapped
/// vmlinux is otherwise left untouched), else all of it; with
/// \p RequireMagic, only when it starts with the BTF magic.
static Expected<ArrayRef<uint8_t>> findBTFBytes(MemoryBufferRef Buf,
                                                bool RequireMagic) {
  StringRef Bytes = Buf.getBuffer();
  file_magic Magic = identify_magic(Bytes);
  if (Magic != file_magic::elf_relocatable &&
      Magic != file_magic::elf_executable &&
      Magic != file_magic::elf_shared_object && Magic != file_magic::elf_core &&
      Magic != file_magic::elf) {
    // Raw BTF starts with its magic, in either byte order.
    if (!RequireMagic ||
        (Bytes.size() >= 2 &&
         (support::endian::read16le(Bytes.data()) == BTF::MAGIC ||
          support::endian::read16be(Bytes.data()) == BTF::MAGIC)))
      return arrayRefFromStringRef(Bytes);
    return makeError("not an ELF file or raw BTF");
  }
  Expected<std::unique_ptr<object::ObjectFile>> ObjOrErr =
      object::ObjectFile::createObjectFile(Buf);
  if (!ObjOrErr)
    return ObjOrErr.takeError();
  for (const object::SectionRef &Sec : (*ObjOrErr)->sections()) {
    Expected<StringRef> NameOrErr = Sec.getName();
    if (!NameOrErr)
      return NameOrErr.takeError();
    if (*NameOrErr != ".BTF")
      continue;
    Expected<StringRef> DataOrErr = Sec.getContents();
    if (!DataOrErr)
      return DataOrErr.takeError();
    return arrayRefFromStringRef(*DataOrErr);
  }
  return makeError("no .BTF section");
}

Expected<std::vector<uint8_t>> btfsplit::extractBTFBytes(MemoryBufferRef Buf) {
  // The validator reports a bad magic as the kernel does.
  Expected<ArrayRef<uint8_t>> BytesOrErr =
      findBTFBytes(Buf, /*RequireMagic=*/false);
  if (!BytesOrErr)
    return BytesOrErr.takeError();
  return std::vector<uint8_t>(BytesOrErr->begin(), BytesOrErr->end());
}

Expected<std::vector<uint8_t>> btfsplit::loadBTFBytes(StringRef Path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> BufOrErr =
      MemoryBuffer::getFileOrSTDIN(Path, /*IsText=*/false,
                                   /*RequiresNullTerminator=*/false);
  if (!BufOrErr)
    return createFileError(Path, errorCodeToError(BufOrErr.getError()));
  Expected<std::vector<uint8_t>> BytesOrErr =
      extractBTFBytes((*BufOrErr)->getMemBufferRef());
  if (!BytesOrErr)
    return createFileError(Path, BytesOrErr.takeError());
  return BytesOrErr;
}

static Expected<std::unique_ptr<BTFObject>>
readFile(StringRef Path, const BTFObject *Base, SplitAlone Alone) {
  // Parse straight from the mapped file: no intermediate copy of the bytes.
  ErrorOr<std::unique_ptr<MemoryBuffer>> BufOrErr =
      MemoryBuffer::getFileOrSTDIN(Path, /*IsText=*/false,
                                   /*RequiresNullTerminator=*/false);
  if (!BufOrErr)
    return createFileError(Path, errorCodeToError(BufOrErr.getError()));
  Expected<ArrayRef<uint8_t>> BytesOrErr =
      findBTFBytes((*BufOrErr)->getMemBufferRef(), /*RequireMagic=*/true);
  if (!BytesOrErr)
    return createFileError(Path, BytesOrErr.takeError());
  Expected<std::unique_ptr<BTFObject>> ObjOrErr =
      readRaw(*BytesOrErr, Base, std::move(*BufOrErr), Alone);
  if (!ObjOrErr)
    return createFileError(Path, ObjOrErr.takeError());
  return ObjOrErr;
}

Expected<std::unique_ptr<BTFObject>>
btfsplit::readBTFFile(StringRef Path, const BTFObject *Base) {
  return readFile(Path, Base, SplitAlone::Refuse);
}

Expected<std::unique_ptr<BTFObject>> btfsplit::readBaseBTFFile(StringRef Path) {
  return readFile(Path, nullptr, SplitAlone::RefuseAsBase);
}
