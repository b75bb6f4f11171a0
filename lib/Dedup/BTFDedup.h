//===- BTFDedup.h - BTF deduplication with libbpf semantics -----*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Type and string deduplication of a BTFObject, with the semantics of
/// libbpf 1.1's btf__dedup() (the libbpf pahole 1.24 links, which made the
/// kernel BTF we must match). Works in place, on base BTF or on split BTF
/// whose base is left untouched: split types equal to base types disappear
/// and references to them point at the base IDs.
///
/// The algorithm and how it differs from today's libbpf are described at the
/// top of BTFDedup.cpp.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_DEDUP_BTFDEDUP_H
#define LLVM_BTF_SPLIT_LIB_DEDUP_BTFDEDUP_H

#include "BTF/BTFObject.h"
#include "llvm/Support/Error.h"

namespace btfsplit {

struct DedupOptions {
  /// Run the string pass: keep only strings that types use, merge duplicate
  /// strings and, for split BTF, reuse base offsets of strings the base has.
  /// libbpf skips this pass for BTF it built itself with btf__add_*() (its
  /// `strs_deduped` flag), whose strings are already unique; an encoder that
  /// builds through BTFObject::addString() may clear it to keep that order.
  bool DedupStrings = true;
};

/// Deduplicate the types and strings of \p O in place. For split \p O, the
/// base is only read. Type IDs of \p O are renumbered; base IDs never are.
/// Fails, naming the type, on references to type IDs that do not exist,
/// invalid string offsets and reference loops without a struct or union;
/// \p O must then be discarded.
llvm::Error dedupBTF(BTFObject &O, const DedupOptions &Opts = {});

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_DEDUP_BTFDEDUP_H
