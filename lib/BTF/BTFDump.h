//===- BTFDump.h - bpftool-compatible raw dump ------------------*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Prints the types of a BTFObject in exactly the text that
/// `bpftool btf dump file FILE [base BASE] format raw` prints (bpftool 7.1).
/// For split BTF only the object's own types are printed, as bpftool does.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_BTF_BTFDUMP_H
#define LLVM_BTF_SPLIT_LIB_BTF_BTFDUMP_H

#include "BTF/BTFObject.h"
#include "llvm/Support/raw_ostream.h"

namespace btfsplit {

/// Print every type of \p O (not of its base), one bpftool line each.
void dumpBTF(const BTFObject &O, llvm::raw_ostream &OS);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_BTF_BTFDUMP_H
