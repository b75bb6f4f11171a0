//===- BTFWriter.cpp - Serialize a BTFObject ------------------------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "BTF/BTFWriter.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace btfsplit;

void btfsplit::writeBTF(const BTFObject &O, SmallVectorImpl<char> &Out) {
  endianness E = O.endian();
  uint32_t TypeLen = O.words().size() * 4;
  uint32_t StrLen = O.strings().size();
  size_t Start = Out.size();
  Out.resize(Start + BTF::HeaderSize + TypeLen);
  char *P = Out.data() + Start;
  support::endian::write16(P, BTF::MAGIC, E);
  P[2] = BTF::VERSION;
  P[3] = 0;
  support::endian::write32(P + 4, BTF::HeaderSize, E);
  support::endian::write32(P + 8, 0, E);
  support::endian::write32(P + 12, TypeLen, E);
  support::endian::write32(P + 16, TypeLen, E);
  support::endian::write32(P + 20, StrLen, E);
  P += BTF::HeaderSize;
  for (uint32_t W : O.words()) {
    support::endian::write32(P, W, E);
    P += 4;
  }
  StringRef Strs = O.strings().data();
  Out.append(Strs.begin(), Strs.end());
}

Error btfsplit::writeBTFFile(const BTFObject &O, StringRef Path) {
  SmallVector<char, 0> Buf;
  writeBTF(O, Buf);
  return writeToOutput(Path, [&](raw_ostream &OS) -> Error {
    OS.write(Buf.data(), Buf.size());
    return Error::success();
  });
}
