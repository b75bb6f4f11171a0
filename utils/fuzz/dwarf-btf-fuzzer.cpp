//===- dwarf-btf-fuzzer.cpp - Fuzz the DWARF to BTF path ------------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Feeds arbitrary bytes as an ELF file (relocatable or linked) to the
/// encoder and runs what the driver runs in memory: encodeBTF, then dedup,
/// then writes the result and reads it back. Seeds are small objects
/// compiled from the test suite's C inputs (utils/fuzz/corpus/dwarf-btf).
///
//===----------------------------------------------------------------------===//

#include "BTF/BTFReader.h"
#include "BTF/BTFVerifier.h"
#include "BTF/BTFWriter.h"
#include "Dedup/BTFDedup.h"
#include "Pipeline/EncodeDedup.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;
using namespace btfsplit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  MemoryBufferRef Buf(StringRef(reinterpret_cast<const char *>(Data), Size),
                      "fuzz-input");
  Expected<std::unique_ptr<object::ObjectFile>> ObjOrErr =
      object::ObjectFile::createObjectFile(Buf);
  if (!ObjOrErr) {
    consumeError(ObjOrErr.takeError());
    return 0;
  }
  if (!isa<object::ELFObjectFileBase>(**ObjOrErr))
    return 0;
  EncodeDedupOptions Opts;
  Opts.Encoder.Threads = 1;
  Expected<std::unique_ptr<BTFObject>> BTFOrErr = encodeAndDedup(
      object::OwningBinary<object::ObjectFile>(std::move(*ObjOrErr), nullptr),
      "fuzz-input", nullptr, Opts);
  if (!BTFOrErr) {
    consumeError(BTFOrErr.takeError());
    return 0;
  }
  SmallVector<char, 0> Out;
  writeBTF(**BTFOrErr, Out);
  ArrayRef<uint8_t> Bytes(reinterpret_cast<const uint8_t *>(Out.data()),
                          Out.size());
  consumeError(verifyBTF(Bytes));
  Expected<std::unique_ptr<BTFObject>> BackOrErr = readRawBTF(Bytes);
  if (!BackOrErr)
    consumeError(BackOrErr.takeError());
  return 0;
}
