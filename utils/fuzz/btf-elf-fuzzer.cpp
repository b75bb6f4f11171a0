//===- btf-elf-fuzzer.cpp - Fuzz the ELF .BTF section path ----------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Feeds arbitrary bytes as a file to the path that finds `.BTF` in an ELF
/// file (or takes the file as raw BTF), then reads and validates what it got.
///
//===----------------------------------------------------------------------===//

#include "BTF/BTFReader.h"
#include "BTF/BTFVerifier.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;
using namespace btfsplit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  MemoryBufferRef Buf(StringRef(reinterpret_cast<const char *>(Data), Size),
                      "fuzz-input");
  Expected<std::vector<uint8_t>> BytesOrErr = extractBTFBytes(Buf);
  if (!BytesOrErr) {
    consumeError(BytesOrErr.takeError());
    return 0;
  }
  consumeError(verifyBTF(*BytesOrErr));
  Expected<std::unique_ptr<BTFObject>> ObjOrErr = readRawBTF(*BytesOrErr);
  if (!ObjOrErr)
    consumeError(ObjOrErr.takeError());
  return 0;
}
