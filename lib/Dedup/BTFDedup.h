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
#include "Support/CPUTime.h"
#include "llvm/Support/Error.h"
#include <memory>
#include <vector>

namespace btfsplit {

struct DedupOptions {
  /// Run the string pass: keep only strings that types use, merge duplicate
  /// strings and, for split BTF, reuse base offsets of strings the base has.
  /// libbpf skips this pass for BTF it built itself with btf__add_*() (its
  /// `strs_deduped` flag), whose strings are already unique; an encoder that
  /// builds through BTFObject::addString() may clear it to keep that order.
  bool DedupStrings = true;
  /// When set, the CPU time of the deduplication (which runs on a thread of
  /// its own) is added to it (--stats).
  CPUCounter *CPU = nullptr;
  /// Also take two pointers to the same type as identical when one
  /// canonical type meets both (libbpf c8a28812, 2025-04: in the libbpf
  /// pahole 1.31 embeds, not in 1.30's).
  bool IdenticalPtrs = false;
  /// When set, filled with the new ID of every type ID of the input
  /// (indexed by the old ID; void and base IDs map to themselves), for
  /// callers that hold type IDs outside the object.
  std::vector<uint32_t> *Remap = nullptr;
};

/// What deduplicating split BTF needs from its base, computed once and then
/// only read: the signature index of the base types, their type pointers and
/// the base structs/unions by name. One index serves any number of split
/// objects on the same base, also from several threads at once.
class DedupBaseIndex {
public:
  /// Index \p Base, which must outlive the index and not change. Fails on
  /// base types that refer to type IDs that do not exist.
  static llvm::Expected<std::unique_ptr<DedupBaseIndex>>
  create(const BTFObject &Base);
  ~DedupBaseIndex();

  const BTFObject &base() const { return Base; }

  struct Data;
  const Data &data() const { return *D; }

private:
  DedupBaseIndex(const BTFObject &Base, std::unique_ptr<Data> D);
  const BTFObject &Base;
  std::unique_ptr<Data> D;
};

/// Deduplicate the types and strings of \p O in place. For split \p O, the
/// base is only read. Type IDs of \p O are renumbered; base IDs never are.
/// Fails, naming the type, on references to type IDs that do not exist,
/// invalid string offsets and reference loops without a struct or union;
/// \p O must then be discarded.
llvm::Error dedupBTF(BTFObject &O, const DedupOptions &Opts = {});

/// Deduplicate split \p O whose base is \p BaseIdx's base, with that index
/// (safe to call from several threads with the same index). Same result as
/// dedupBTF(O, Opts).
llvm::Error dedupBTF(BTFObject &O, const DedupOptions &Opts,
                     const DedupBaseIndex *BaseIdx);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_DEDUP_BTFDEDUP_H
