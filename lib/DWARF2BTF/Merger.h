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

  /// Send the following units to \p Chunk, an empty base BTFObject.
  void startChunk(BTFObject &Chunk) {
    Cur = &Chunk;
    CurIndexId = 0;
    DebugStrIds.clear();
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

/// Append the types of base BTF \p Chunk to \p Out.
void appendChunk(BTFObject &Out, const BTFObject &Chunk);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_DWARF2BTF_MERGER_H
