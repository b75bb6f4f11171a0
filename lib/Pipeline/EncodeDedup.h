//===- EncodeDedup.h - DWARF to deduplicated BTF, in one call ---*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Where encoding and deduplication meet: pahole -J's encode, then
/// btf__dedup. For base BTF (vmlinux) the encoder's chunks are deduplicated
/// while later units convert (types only: the encoder adds every string
/// once) and the whole is deduplicated at the end; split BTF (modules) is
/// deduplicated once, against its base, with a shared index of the base when
/// one is given (--batch). The driver, --batch and the fuzzer all call this.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_PIPELINE_ENCODEDEDUP_H
#define LLVM_BTF_SPLIT_LIB_PIPELINE_ENCODEDEDUP_H

#include "BTF/BTFObject.h"
#include "DWARF2BTF/DWARFToBTF.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Object/Binary.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/Error.h"
#include <memory>

namespace btfsplit {

class DedupBaseIndex;

struct EncodeDedupOptions {
  EncoderOptions Encoder;
  /// Deduplicate; off: the encoder's raw output (--no-dedup).
  bool Dedup = true;
  /// Split BTF: an index of the base built once (DedupBaseIndex::create) and
  /// shared by many inputs; null: built for this input.
  const DedupBaseIndex *BaseIndex = nullptr;
  /// Told the name ("Encode", "Dedup"), the duration in seconds and the
  /// process's CPU time in seconds (every thread's) of each phase as it ends
  /// (the driver's --stats); may be empty.
  llvm::function_ref<void(llvm::StringRef, double, double)> OnPhase;
};

/// The deduplicated BTF of the DWARF of \p File, split on \p Base if given
/// (\p Base must outlive the result). \p File is released once encoded: its
/// pages read while encoding would otherwise count through deduplication.
/// For base BTF the allocator is tuned for vmlinux (MemoryPolicy.h). Errors
/// name \p FileName.
llvm::Expected<std::unique_ptr<BTFObject>>
encodeAndDedup(llvm::object::OwningBinary<llvm::object::ObjectFile> File,
               llvm::StringRef FileName, const BTFObject *Base,
               const EncodeDedupOptions &Opts);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_PIPELINE_ENCODEDEDUP_H
