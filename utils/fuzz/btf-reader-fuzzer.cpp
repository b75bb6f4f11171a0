//===- btf-reader-fuzzer.cpp - Fuzz the BTF reader and validator ----------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Feeds arbitrary bytes to the raw BTF reader, the validator, the dumper and
/// the writer, as base BTF and as split BTF on top of a small fixed base.
/// Whatever the validator accepts must also read, dump and round-trip.
///
//===----------------------------------------------------------------------===//

#include "BTF/BTFDump.h"
#include "BTF/BTFReader.h"
#include "BTF/BTFVerifier.h"
#include "BTF/BTFWriter.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdlib>

using namespace llvm;
using namespace btfsplit;

static const BTFObject &fixedBase() {
  static BTFObject *Base = [] {
    auto *B = new BTFObject();
    uint32_t Int = B->addInt("int", 4, BTF::INT_SIGNED, 32);
    uint32_t Ptr = B->addRef(BTF::BTF_KIND_PTR, "", Int);
    B->addRef(BTF::BTF_KIND_TYPEDEF, "intptr", Ptr);
    B->addFwd("task_struct", false);
    B->strings().buildIndex();
    return B;
  }();
  return *Base;
}

/// The dump of what \p ObjOrErr read; aborts when it read nothing (the bytes
/// were read successfully before).
static std::string dumpOrAbort(Expected<std::unique_ptr<BTFObject>> ObjOrErr) {
  if (!ObjOrErr)
    abort();
  std::string Text;
  raw_string_ostream OS(Text);
  dumpBTF(**ObjOrErr, OS);
  return Text;
}

static void checkOne(ArrayRef<uint8_t> Data, const BTFObject *Base) {
  Error VerifyErr = verifyBTF(Data, Base);
  bool Valid = !VerifyErr;
  consumeError(std::move(VerifyErr));
  Expected<std::unique_ptr<BTFObject>> ObjOrErr = readRawBTF(Data, Base);
  if (!ObjOrErr) {
    consumeError(ObjOrErr.takeError());
    // The validator must never accept what the reader cannot read.
    if (Valid)
      abort();
    return;
  }
  std::string Text;
  raw_string_ostream OS(Text);
  dumpBTF(**ObjOrErr, OS);
  // The same bytes read in place from a buffer the object keeps (as
  // readBTFFile reads a mapped file: BTFObject::borrow) read the same.
  std::unique_ptr<MemoryBuffer> Buf =
      MemoryBuffer::getMemBufferCopy(llvm::toStringRef(Data));
  ArrayRef<uint8_t> InBuf(
      reinterpret_cast<const uint8_t *>(Buf->getBufferStart()),
      Buf->getBufferSize());
  if (dumpOrAbort(readRawBTF(InBuf, Base, std::move(Buf))) != Text)
    abort();
  if (!Valid)
    return;
  // Valid BTF round-trips: writing what was read and reading it back gives
  // the same dump.
  SmallVector<char, 0> Bytes;
  writeBTF(**ObjOrErr, Bytes);
  if (dumpOrAbort(readRawBTF(
          ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(Bytes.data()),
                            Bytes.size()),
          Base)) != Text)
    abort();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  ArrayRef<uint8_t> Bytes(Data, Size);
  checkOne(Bytes, nullptr);
  checkOne(Bytes, &fixedBase());
  return 0;
}
