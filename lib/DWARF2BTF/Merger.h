//===- Merger.h - Unit results appended in unit order -----------*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The in-order merge (pahole's btf_encoder__add_encoder / btf__add_btf of
/// each unit's BTF): each CUResult's types are appended to the output (or to
/// the chunk being built) with their IDs and strings translated, then the
/// functions the unit offers that no earlier unit gave (first of each name
/// wins), then its per-CPU VARs; finish() closes the object with the
/// '.data..percpu' DATASEC.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_DWARF2BTF_MERGER_H
#define LLVM_BTF_SPLIT_LIB_DWARF2BTF_MERGER_H

#include "BTF/BTFObject.h"
#include "DWARF2BTF/CUConverter.h"
#include "DWARF2BTF/FunctionStates.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"
#include <string>
#include <vector>

namespace btfsplit {

/// Offsets of the strings of \p From in \p To, each string added to \p To
/// once, on first use (types repeat names: hashing each use is costly).
class StrXlat {
public:
  StrXlat(const BTFObject &From, BTFObject &To)
      : From(From), To(To), Map(From.strEnd(), 0) {}
  uint32_t operator()(uint32_t Off) {
    if (!Off)
      return 0;
    if (Off >= Map.size())
      return To.addString(From.str(Off));
    uint32_t &M = Map[Off];
    if (!M)
      M = To.addString(From.str(Off));
    return M;
  }

private:
  const BTFObject &From;
  BTFObject &To;
  std::vector<uint32_t> Map;
};

/// A function state saved while units go to a chunk (from pahole 1.30): its
/// type IDs and strings are the chunk's until the chunk is appended to the
/// output, which translates them and saves it in FunctionStates.
struct PendingFuncState {
  FuncState S;
  bool PrefixMatched = false;
  /// The DWARF name, kept when PrefixMatched (FunctionStates::save).
  std::string DwarfName;
};

/// Appends unit results, in unit order, to the current target: the output
/// itself, or the chunk being built (see EncoderOptions::ChunkPass).
class Merger {
public:
  explicit Merger(BTFObject &Out) : Cur(&Out) {}
  /// From pahole 1.30: functions are saved in \p S, emitted by finish();
  /// the index type is a signed 'int'; each section of \p Sy with variables
  /// gets its DATASEC.
  void setModern(FunctionStates *S, const ELFSymbols *Sy) {
    States = S;
    Syms = Sy;
  }

  /// Send the following units to \p Chunk, an empty base BTFObject; with
  /// function states (setModern), they are saved in \p Pending, with the
  /// chunk's IDs and strings, for appendChunk.
  void startChunk(BTFObject &Chunk,
                  std::vector<PendingFuncState> *Pending = nullptr) {
    Cur = &Chunk;
    CurIndexId = 0;
    DebugStrIds.clear();
    this->Pending = Pending;
  }
  llvm::Error merge(CUResult &R);
  /// The offset in the current target of the string at \p Off in \p Sec
  /// (a name tagged DebugStrTag; "" when no NUL ends it).
  uint32_t debugStr(llvm::StringRef Sec, uint32_t Off);
  /// Close \p Out (the output, holding every unit's types): the per-CPU
  /// DATASEC over the VARs of \p Out, which are those merge() made, in
  /// order.
  llvm::Error finish(BTFObject &Out);

private:
  BTFObject *Cur;
  FunctionStates *States = nullptr;
  std::vector<PendingFuncState> *Pending = nullptr;
  const ELFSymbols *Syms = nullptr;
  /// The array index type: found (an 'int' of a unit, or the
  /// '__ARRAY_SIZE_TYPE__' added after a unit), its words and name, and its
  /// ID in the current target (0: not there yet).
  bool HasIndexType = false;
  std::vector<uint32_t> IndexWords;
  std::string IndexName;
  uint32_t CurIndexId = 0;
  llvm::StringSet<> Generated;
  /// .debug_str offset -> offset in the current target, for DebugStrTag.
  llvm::DenseMap<uint32_t, uint32_t> DebugStrIds;
  llvm::StringRef DebugStrSec;
  struct SecInfo {
    uint32_t Type, Offset, Size, Section;
  };
  std::vector<SecInfo> Percpu;
};

/// The function states of a chunk (from pahole 1.30), for appendChunk.
struct ChunkFuncStates {
  /// Old -> new type IDs of the chunk's deduplication (empty: not
  /// deduplicated).
  llvm::ArrayRef<uint32_t> Remap;
  std::vector<PendingFuncState> &Pending;
  FunctionStates &States;
};

/// Append the types of base BTF \p Chunk to \p Out. With \p Funcs, every
/// string of the chunk first, in the chunk's order (the output keeps the
/// strings of types deduplication dropped, in the order they were added,
/// as the unchunked encoding does), then the types; the pending function
/// states are translated to the output's IDs and strings and saved.
void appendChunk(BTFObject &Out, const BTFObject &Chunk,
                 const ChunkFuncStates *Funcs = nullptr);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_DWARF2BTF_MERGER_H
