//===- BTFVerifier.h - The kernel's BTF checks ------------------*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// A validator implementing the checks the Linux kernel (kernel/bpf/btf.c)
/// runs before it accepts BTF: header and section rules, string section
/// rules, name validity, per-kind meta checks and the resolution pass (sizes,
/// loops, members fitting, array element sizes), for base and split BTF.
/// The first failure is returned as an error naming the type ID and the rule.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_BTF_BTFVERIFIER_H
#define LLVM_BTF_SPLIT_LIB_BTF_BTFVERIFIER_H

#include "BTF/BTFObject.h"
#include "llvm/Support/Error.h"

namespace btfsplit {

/// Check raw BTF bytes as the kernel would; \p Base (already verified) makes
/// \p Data split BTF on top of it.
llvm::Error verifyBTF(llvm::ArrayRef<uint8_t> Data,
                      const BTFObject *Base = nullptr);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_BTF_BTFVERIFIER_H
