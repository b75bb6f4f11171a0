//===- BTFVerifier.cpp - The kernel's BTF checks --------------------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "BTF/BTFVerifier.h"
#include "BTF/BTFReader.h"

using namespace llvm;
using namespace btfsplit;

Error btfsplit::verifyBTF(ArrayRef<uint8_t> Data, const BTFObject *Base) {
  // FIXME: the kernel's full rule set (issue 2) is being written.
  Expected<std::unique_ptr<BTFObject>> ObjOrErr = readRawBTF(Data, Base);
  if (!ObjOrErr)
    return ObjOrErr.takeError();
  return Error::success();
}
