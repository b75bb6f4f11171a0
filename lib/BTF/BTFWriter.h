//===- BTFWriter.h - Serialize a BTFObject ----------------------*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Writes a BTFObject as raw BTF: a 24-byte header, the type section, then
/// the string section, in the object's byte order. This is the layout libbpf
/// and pahole produce, so reading then writing their output gives back the
/// same bytes.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_BTF_BTFWRITER_H
#define LLVM_BTF_SPLIT_LIB_BTF_BTFWRITER_H

#include "BTF/BTFObject.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

namespace btfsplit {

/// Append the raw BTF of \p O to \p Out.
void writeBTF(const BTFObject &O, llvm::SmallVectorImpl<char> &Out);

/// Write the raw BTF of \p O to \p Path atomically ("-" is stdout).
llvm::Error writeBTFFile(const BTFObject &O, llvm::StringRef Path);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_BTF_BTFWRITER_H
