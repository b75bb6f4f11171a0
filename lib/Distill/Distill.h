//===- Distill.h - Distilled base BTF and relocation ------------*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Split BTF that survives a change of vmlinux, with the semantics of libbpf's
/// btf__distill_base() and btf__relocate() (libbpf 1.5+, kernel 6.11+):
///
/// - distillBase() turns split BTF on a full base (vmlinux) into split BTF on
///   a small *distilled* base: the named INT, FLOAT and FWD types it refers
///   to, each named STRUCT/UNION as a memberless type of the same size, each
///   named ENUM/ENUM64 as a valueless ENUM of the same size. Every other base
///   type it refers to (pointers, arrays, typedefs, modifiers, prototypes,
///   anonymous composites and enums) is copied into the split BTF. pahole's
///   `--btf_features=distilled_base` writes the two as `.BTF` and `.BTF.base`.
/// - relocateBTF() maps such split BTF onto another full base: each distilled
///   type to the base type of the same name (and kind, and size where the
///   name alone is ambiguous or the type is embedded in a split struct), type
///   IDs and string offsets shifted past the new base. The kernel does this
///   when it loads a module that has `.BTF.base`.
///
/// Everything here also reports *why*: which distilled types match, which
/// vanished, which changed size; and, given the full base a module was made
/// against, which referenced types changed layout (member by member).
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_DISTILL_DISTILL_H
#define LLVM_BTF_SPLIT_LIB_DISTILL_DISTILL_H

#include "BTF/BTFObject.h"
#include "llvm/Support/Error.h"
#include <memory>
#include <string>
#include <vector>

namespace btfsplit {

/// Split BTF on its own distilled base. Split's base is Base.
struct DistilledBTF {
  std::unique_ptr<BTFObject> Base;
  std::unique_ptr<BTFObject> Split;
  /// For each type ID of Base (index 0 is void), the ID of the type of the
  /// original full base it stands for.
  std::vector<uint32_t> OriginalIds;
};

/// Check that the type references and name offsets of the types of \p O
/// (its own, not its base's) are in range, so that passes can follow them.
/// Errors name the type ID.
llvm::Error checkReferences(const BTFObject &O);

/// Check that \p O, read without a base, is standalone BTF (a string section
/// that starts with the empty string, references and names in range): what
/// `--btf-base` must name. Split BTF read alone fails this.
llvm::Error checkStandalone(const BTFObject &O);

/// The message for a split BTF given where standalone BTF is needed.
llvm::StringRef splitBaseMessage();

/// btf__distill_base(): \p Split (split BTF on a full base) as split BTF on a
/// distilled base. Fails when \p Split refers to base types a distilled base
/// cannot stand for (FUNC, VAR, DATASEC, DECL_TAG), as libbpf does.
llvm::Expected<DistilledBTF> distillBase(const BTFObject &Split);

/// One type of a distilled base and what relocation found for it.
struct RelocatedType {
  enum Outcome {
    Matched,   ///< mapped to a base type of the same name (and size)
    Vanished,  ///< no type of this name and kind in the new base
    Resized,   ///< embedded in a split struct, but its size changed
    Ambiguous, ///< several new base types fit equally well
  };
  Outcome Result = Matched;
  uint32_t DistId = 0;
  /// The new base type (Matched), or a candidate of another size (Resized).
  uint32_t BaseId = 0;
  /// "struct sk_buff (232 bytes)", as a kernel user reads it.
  std::string Desc;
  /// For Resized and Ambiguous: what was found instead.
  std::string Detail;
};

struct RelocationReport {
  std::vector<RelocatedType> Types;
  bool ok() const {
    for (const RelocatedType &T : Types)
      if (T.Result != RelocatedType::Matched)
        return false;
    return true;
  }
};

/// btf__relocate(): \p Split, split BTF on a distilled base, as split BTF on
/// \p NewBase (which must outlive the result). Fills \p Report (when given)
/// with the outcome for every distilled type, also when relocation fails.
llvm::Expected<std::unique_ptr<BTFObject>>
relocateBTF(const BTFObject &Split, const BTFObject &NewBase,
            RelocationReport *Report = nullptr);

/// After relocateBTF() of split BTF that distillBase() made: the types that
/// distillation moved from the old base into the split BTF (pointers,
/// typedefs, arrays, modifiers, prototypes, anonymous structs and enums:
/// types [\p FirstMoved, end) of \p Rel) become references to the identical
/// types of the new base where it has them; the module's own types stay as
/// they are, references renumbered. So a module whose types did not change
/// comes out as its build against the new base would have made it, without
/// deduplicating its own types a second time. Returns how many moved types
/// had no identical type in the new base (they stay in the split BTF).
llvm::Expected<unsigned> mergeMovedTypes(BTFObject &Rel, uint32_t FirstMoved);

/// How a type of an old base differs from the type of the same name in a new
/// base, as lines such as "member 'mark' moved from offset 168 to 172"; empty
/// when their layouts (sizes, members with names, offsets and type names,
/// enumerator values, typedef targets) are the same.
std::vector<std::string> layoutChanges(const BTFObject &OldBase, uint32_t OldId,
                                       const BTFObject &NewBase,
                                       uint32_t NewId);

/// "struct sk_buff", "typedef u32", "int": kind and name of type \p Id.
std::string typeLabel(const BTFObject &O, uint32_t Id);

/// A C-like spelling of type \p Id ("struct sk_buff *", "char[16]").
std::string typeSpelling(const BTFObject &O, uint32_t Id);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_DISTILL_DISTILL_H
