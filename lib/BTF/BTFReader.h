//===- BTFReader.h - Read raw BTF and the .BTF of ELF files -----*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Turns raw BTF bytes, or the `.BTF` section of an ELF file read with LLVM
/// libObject, into a BTFObject. The reader checks only what it needs to walk
/// the data safely (header, section bounds, known kinds, tails that fit); the
/// kernel's full rules are the validator's (BTFVerifier.h).
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_BTF_BTFREADER_H
#define LLVM_BTF_SPLIT_LIB_BTF_BTFREADER_H

#include "BTF/BTFObject.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"
#include <memory>

namespace btfsplit {

/// The fields of a BTF header, in native byte order.
struct BTFHeader {
  uint16_t Magic = 0;
  uint8_t Version = 0;
  uint8_t Flags = 0;
  uint32_t HdrLen = 0;
  uint32_t TypeOff = 0;
  uint32_t TypeLen = 0;
  uint32_t StrOff = 0;
  uint32_t StrLen = 0;
  llvm::endianness Endian = llvm::endianness::native;
};

/// Decode the header of \p Data: enough bytes, a BTF magic in either byte
/// order (which sets Endian), HdrLen within the data.
llvm::Expected<BTFHeader> readBTFHeader(llvm::ArrayRef<uint8_t> Data);

/// Parse raw BTF. With \p Base, \p Data is split BTF whose type IDs and
/// string offsets continue \p Base's; \p Base must outlive the result.
/// Without, split BTF (a string section that does not start with the empty
/// string) is an error: "split BTF: give --btf-base".
/// With \p Backing, the buffer \p Data lies in, the result keeps it and uses
/// the type and string sections in place when it can (BTFObject::borrow).
llvm::Expected<std::unique_ptr<BTFObject>>
readRawBTF(llvm::ArrayRef<uint8_t> Data, const BTFObject *Base = nullptr,
           std::unique_ptr<llvm::MemoryBuffer> Backing = nullptr);

/// Parse raw BTF without a base, split or not, as its bytes stand: a split
/// BTF's type IDs and name offsets are then its local ones, which name
/// nothing. For what looks only at those numbers (the --check diagnosis).
llvm::Expected<std::unique_ptr<BTFObject>>
readRawBTFAsIs(llvm::ArrayRef<uint8_t> Data);

/// The BTF bytes of the file in \p Buf: its `.BTF` section if it is an ELF
/// file, all of it otherwise (for the validator, which reports a bad magic
/// as the kernel does).
llvm::Expected<std::vector<uint8_t>> extractBTFBytes(llvm::MemoryBufferRef Buf);

/// The BTF bytes of file \p Path: the contents of its `.BTF` section if it is
/// an ELF file, the whole file otherwise. Errors name the file.
llvm::Expected<std::vector<uint8_t>> loadBTFBytes(llvm::StringRef Path);

/// The BTF of file \p Path (its `.BTF` if it is an ELF file, else raw BTF:
/// "not an ELF file or raw BTF" when it does not start with the BTF magic)
/// read with readRawBTF(); errors name the file.
llvm::Expected<std::unique_ptr<BTFObject>>
readBTFFile(llvm::StringRef Path, const BTFObject *Base = nullptr);

/// readBTFFile() of a file given as a base (--btf-base): split BTF there is
/// "split BTF cannot be a base".
llvm::Expected<std::unique_ptr<BTFObject>>
readBaseBTFFile(llvm::StringRef Path);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_BTF_BTFREADER_H
