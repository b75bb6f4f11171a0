//===- DWARFToBTF.h - Encode the DWARF of an ELF file as BTF ----*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The DWARF to BTF encoder: reads the DWARF of an ELF file (vmlinux or a
/// relocatable kernel module) with LLVM's DebugInfo/DWARF and produces the
/// BTF pahole -J produces *before* deduplication, by pahole 1.24's rules:
/// every type DIE of every compile unit, the functions that match an ELF
/// STT_FUNC symbol, the per-CPU variables and their DATASEC.
///
/// Compile units are converted in parallel (each into its own small
/// BTFObject) and merged in DWARF order, so the result is byte-identical for
/// every thread count. encodeAndDedup (Pipeline/EncodeDedup.h) is where
/// encoding and deduplication meet.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_DWARF2BTF_DWARFTOBTF_H
#define LLVM_BTF_SPLIT_LIB_DWARF2BTF_DWARFTOBTF_H

#include "BTF/BTFObject.h"
#include "Support/CPUTime.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/Error.h"
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace btfsplit {

/// The pahole release whose rules the encoder follows (--pahole-compat).
/// Each level reproduces that release's output byte for byte (with the
/// libbpf it embeds); docs/DWARF2BTF.md lists the rules of each.
enum class PaholeLevel : unsigned {
  /// pahole 1.24: functions per unit on an exact ELF name match, per-CPU
  /// variables matched to ELF symbols.
  V1_24 = 124,
  /// pahole 1.30: saved function states merged across units, GCC clones,
  /// consistency checks, kfunc tags, 1.28's variable rules, FUNCs last.
  V1_30 = 130,
  /// pahole 1.31: 1.30 plus its ELF table (.cold/.part dropped, ambiguous
  /// addresses).
  V1_31 = 131,
};
constexpr PaholeLevel NewestPaholeLevel = PaholeLevel::V1_31;

/// pahole's BTF features (--btf_features names) that this encoder knows.
struct BTFFeatures {
  /// encode_force: skip what cannot be encoded instead of failing.
  bool EncodeForce = true;
  /// var: per-CPU variables as VAR plus a '.data..percpu' DATASEC.
  bool Var = true;
  /// float: DW_ATE_float as FLOAT (otherwise INT, as before pahole 1.21).
  bool Float = true;
  /// decl_tag: DW_TAG_LLVM_annotation "btf_decl_tag" as DECL_TAG.
  bool DeclTag = true;
  /// type_tag: DW_TAG_LLVM_annotation "btf_type_tag" as TYPE_TAG.
  bool TypeTag = true;
  /// enum64: enums wider than 4 bytes as ENUM64 (otherwise 32-bit ENUM).
  bool Enum64 = true;
  /// optimized_func (1.30): a DWARF function whose only ELF symbol is a
  /// GCC clone (foo.isra.0, foo.constprop.0, ...) is matched by prefix.
  bool OptimizedFunc = false;
  /// consistent_func (1.30): drop functions with inconsistent prototypes or
  /// parameters in unexpected registers.
  bool ConsistentFunc = false;
  /// decl_tag_kfuncs (1.30): DECL_TAG "bpf_kfunc" (and "bpf_fastcall") on
  /// the kfuncs of the .BTF_ids kfunc sets.
  bool DeclTagKfuncs = false;
  /// global_var (1.30): VARs for the globals of every data section.
  bool GlobalVar = false;
  /// attributes (1.30): the pointers an arena kfunc returns or takes first
  /// or second (KF_ARENA_*) get a TYPE_TAG "address_space(1)" (kflag 1).
  bool Attributes = false;
  /// distilled_base: not the encoder's; the driver distills the split BTF
  /// it made (lib/Distill) and writes `.BTF.base` beside `.BTF`.
  bool DistilledBase = false;
};

/// CPU time of the parts of encodeBTF (EncoderOptions::CPU), in the order
/// they first run.
struct EncoderCPUTimes {
  CPUCounter Symbols;     ///< ELF symbols read and indexed
  CPUCounter OpenDWARF;   ///< relocation (modules), unit headers
  CPUCounter Functions;   ///< ELF function table, kfunc sets (1.30 levels)
  CPUCounter Abbrevs;     ///< the scan for cross-unit references
  CPUCounter Contexts;    ///< per-batch contexts made, old ones freed
  CPUCounter Convert;     ///< units converted (bounds checks included)
  CPUCounter Merge;       ///< units merged in order
  CPUCounter ChunkPass;   ///< chunk deduplication passes
  CPUCounter ChunkAppend; ///< passed chunks appended in order
  CPUCounter Finish;      ///< the merger's last step
};

struct EncoderOptions {
  BTFFeatures Features;
  /// Whose rules to follow.
  PaholeLevel Level = PaholeLevel::V1_24;
  /// DWARF languages (DW_LANG_ codes) whose compile units are skipped
  /// (pahole's --lang_exclude; see languageByName in UnitChecks.h).
  std::vector<unsigned> LangExclude;
  /// Worker threads for the per-CU conversion (0: all cores, 1: serial).
  unsigned Threads = 1;
  /// When set and the result is base BTF, units are merged into chunks of
  /// a fixed number of units (independent of Threads) and each chunk but
  /// the last goes through this pass as soon as it is complete, on a worker
  /// thread while later units are converted; the result is the
  /// concatenation of the chunks. Set only by encodeAndDedup
  /// (Pipeline/EncodeDedup.h), whose final deduplication follows and sees
  /// deduplicated chunks and the last one as it is; the pass keeps every
  /// VAR, in order.
  /// With a \p Remap vector (from pahole 1.30: function states hold IDs of
  /// the chunk), the pass fills it with the chunk's old -> new type IDs.
  std::function<llvm::Error(BTFObject &, std::vector<uint32_t> *Remap)>
      ChunkPass;
  /// When set, the CPU time of each part of the encoding, summed over the
  /// threads that ran it (--stats).
  EncoderCPUTimes *CPU = nullptr;
  /// Where warnings go (what pahole skips with a message); may be empty.
  std::function<void(const std::string &)> Warn;
};

/// Encode the DWARF of \p Obj as BTF, not yet deduplicated. With \p Base
/// the result is split BTF on top of it (kernel modules); \p Base must
/// outlive the result. Errors name \p FileName.
llvm::Expected<std::unique_ptr<BTFObject>>
encodeBTF(const llvm::object::ObjectFile &Obj, llvm::StringRef FileName,
          const BTFObject *Base, const EncoderOptions &Opts);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_DWARF2BTF_DWARFTOBTF_H
