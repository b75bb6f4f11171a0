//===- Merger.cpp - Unit results appended in unit order -------------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "DWARF2BTF/Merger.h"
#include "llvm/Support/Errc.h"
#include <algorithm>

using namespace llvm;
using namespace btfsplit;

/// The string at \p Off of a .debug_str section; "" when no NUL ends it (as
/// LLVM's getAsCString fails on it).
static StringRef debugStrAt(StringRef Sec, uint32_t Off) {
  StringRef S = Sec.substr(Off);
  size_t Nul = S.find('\0');
  return Nul == StringRef::npos ? StringRef() : S.take_front(Nul);
}

Error Merger::merge(CUResult &R) {
  BTFObject &L = *R.Types;
  BTFObject &Out = *Cur;
  // A chunk after the one that holds the index type gets its own copy, an
  // INT equal to it (deduplication merges them), before the unit's types.
  if (HasIndexType && !CurIndexId && R.NeedIndexType) {
    std::vector<uint32_t> W = IndexWords;
    W[0] = Out.addString(IndexName);
    CurIndexId = Out.addType(W);
  }
  // Local ID k lands at Base + k.
  uint32_t Base = Out.typeCount() - 1;
  uint32_t IndexId = CurIndexId;
  bool NewIndexType = false;
  if (!HasIndexType) {
    NewIndexType = true;
    if (R.IntId) {
      HasIndexType = true;
      IndexId = Base + R.IntId;
      ArrayRef<uint32_t> IW = L.typeWords(R.IntId);
      IndexWords.assign(IW.begin(), IW.end());
      IndexName = IW[0] & DebugStrTag
                      ? debugStrAt(R.DebugStr, IW[0] & ~DebugStrTag).str()
                      : L.str(IW[0]).str();
    } else {
      IndexId = Out.typeCount() + L.localCount();
    }
  }
  StrXlat Xlat(L, Out);
  auto MapName = [&](uint32_t &Off) {
    Off = Off & DebugStrTag ? debugStr(R.DebugStr, Off & ~DebugStrTag)
                            : Xlat(Off);
  };
  auto MapType = [&](uint32_t &Id) {
    if (Id == IndexTypePlaceholder)
      Id = IndexId;
    else if (Id)
      Id += Base;
  };
  // The unit's types are appended in one copy, then rewritten in place.
  uint32_t FirstNew = Out.typeCount();
  size_t WordBase = Out.words().size();
  ArrayRef<uint32_t> LocalWords = std::as_const(L).words();
  Out.words().insert(Out.words().end(), LocalWords.begin(), LocalWords.end());
  for (uint32_t Off : L.typeOffsets())
    Out.typeOffsets().push_back(WordBase + Off);
  for (uint32_t Id = FirstNew; Id < Out.typeCount(); ++Id) {
    BTF::CommonType *T = Out.localType(Id);
    forEachStrRef(T, MapName);
    forEachTypeRef(T, MapType);
  }
  if (R.NeedIndexType && !HasIndexType) {
    // pahole 1.24 named it __ARRAY_SIZE_TYPE__; 1.30 adds a signed 'int'.
    IndexName = States ? "int" : "__ARRAY_SIZE_TYPE__";
    uint32_t Got =
        Out.addInt(IndexName, 4, States ? uint32_t(BTF::INT_SIGNED) : 0, 32);
    (void)Got;
    assert(Got == IndexId && "index type lands after the unit's types");
    ArrayRef<uint32_t> IW = Out.typeWords(Got);
    IndexWords.assign(IW.begin(), IW.end());
    HasIndexType = true;
  }
  if (NewIndexType && HasIndexType)
    CurIndexId = IndexId;
  // From 1.30: the DECL_TAGs of the unit's types, after the index type.
  for (auto &[Target, T] : R.TypeDeclTags)
    Out.addDeclTag(L.str(T.ValueOff), Base + Target, T.Component);
  for (FuncCandidate &C : R.Funcs) {
    StringRef Name = L.str(C.NameOff);
    if (States) {
      // Saved with the output's type IDs and strings; emitted by finish().
      BTF::CommonType *P =
          reinterpret_cast<BTF::CommonType *>(C.ProtoWords.data());
      forEachStrRef(P, MapName);
      forEachTypeRef(P, MapType);
      FuncState S;
      S.Elf = C.Elf;
      S.UnexpectedReg = C.UnexpectedReg;
      S.RetType = C.ProtoWords[2];
      for (size_t K = 3; K + 1 < C.ProtoWords.size(); K += 2)
        S.Params.push_back({C.ProtoWords[K], C.ProtoWords[K + 1]});
      for (const DeclTagInfo &T : C.Tags)
        S.Annots.push_back({Out.addString(L.str(T.ValueOff)), T.Component});
      if (Pending)
        Pending->push_back({std::move(S), C.PrefixMatched,
                            C.PrefixMatched ? Name.str() : std::string()});
      else
        States->save(std::move(S), C.PrefixMatched, Name);
      continue;
    }
    if (!Generated.insert(Name).second)
      continue;
    forEachStrRef(reinterpret_cast<BTF::CommonType *>(C.ProtoWords.data()),
                  MapName);
    forEachTypeRef(reinterpret_cast<BTF::CommonType *>(C.ProtoWords.data()),
                   MapType);
    uint32_t Proto = Out.addType(C.ProtoWords);
    uint32_t Func = Out.addFunc(Name, Proto, BTF::FUNC_STATIC);
    for (const DeclTagInfo &T : C.Tags)
      Out.addDeclTag(L.str(T.ValueOff), Func, T.Component);
  }
  for (VarCandidate &C : R.Vars) {
    uint32_t Type = C.Type;
    MapType(Type);
    uint32_t Var = Out.addVar(L.str(C.NameOff), Type, C.Linkage);
    for (const DeclTagInfo &T : C.Tags)
      Out.addDeclTag(L.str(T.ValueOff), Var, T.Component);
    Percpu.push_back({0, C.Offset, C.Size, C.Section});
  }
  return Error::success();
}

uint32_t Merger::debugStr(StringRef Sec, uint32_t Off) {
  if (Sec.data() != DebugStrSec.data() || Sec.size() != DebugStrSec.size()) {
    DebugStrIds.clear();
    DebugStrSec = Sec;
  }
  auto [It, Inserted] = DebugStrIds.try_emplace(Off, 0);
  if (Inserted)
    It->second = Cur->addString(debugStrAt(Sec, Off));
  return It->second;
}

Error Merger::finish(BTFObject &Out) {
  if (States)
    if (Error E = States->emit(Out))
      return E;
  if (Percpu.empty())
    return Error::success();
  size_t NextVar = 0;
  for (uint32_t Id = Out.startId(); Id < Out.typeCount(); ++Id) {
    if (Out.type(Id)->getKind() != BTF::BTF_KIND_VAR)
      continue;
    if (NextVar == Percpu.size())
      break;
    Percpu[NextVar++].Type = Id;
  }
  if (NextVar != Percpu.size())
    return createStringError(errc::invalid_argument,
                             "internal error: %zu per-CPU variables, %zu VARs",
                             Percpu.size(), NextVar);
  if (States) {
    // pahole 1.28+: one DATASEC per section, in section order, entries
    // sorted by offset (glibc's qsort: stable here).
    std::stable_sort(Percpu.begin(), Percpu.end(),
                     [](const SecInfo &A, const SecInfo &B) {
                       return A.Section != B.Section ? A.Section < B.Section
                                                     : A.Offset < B.Offset;
                     });
    for (size_t I = 0, J; I < Percpu.size(); I = J) {
      for (J = I + 1;
           J < Percpu.size() && Percpu[J].Section == Percpu[I].Section;)
        ++J;
      const SecInfo &Last = Percpu[J - 1];
      std::vector<uint32_t> W = {
          Out.addString(Syms->Sections[Percpu[I].Section].Name),
          makeInfo(BTF::BTF_KIND_DATASEC, J - I), Last.Offset + Last.Size};
      for (size_t K = I; K < J; ++K) {
        W.push_back(Percpu[K].Type);
        W.push_back(Percpu[K].Offset);
        W.push_back(Percpu[K].Size);
      }
      Out.addType(W);
    }
    return Error::success();
  }
  std::stable_sort(
      Percpu.begin(), Percpu.end(),
      [](const SecInfo &A, const SecInfo &B) { return A.Offset < B.Offset; });
  // pahole sizes the DATASEC to the end of its last variable, not to the
  // ELF section.
  const SecInfo &Last = Percpu.back();
  std::vector<uint32_t> W = {Out.addString(".data..percpu"),
                             makeInfo(BTF::BTF_KIND_DATASEC, Percpu.size()),
                             Last.Offset + Last.Size};
  for (const SecInfo &S : Percpu) {
    W.push_back(S.Type);
    W.push_back(S.Offset);
    W.push_back(S.Size);
  }
  Out.addType(W);
  return Error::success();
}

void btfsplit::appendChunk(BTFObject &Out, const BTFObject &Chunk,
                           const ChunkFuncStates *Funcs) {
  uint32_t Base = Out.typeCount() - 1;
  StrXlat Xlat(Chunk, Out);
  if (Funcs)
    for (uint32_t Off = Chunk.startStrOff() + 1; Off < Chunk.strEnd();) {
      StringRef S = Chunk.str(Off);
      Xlat(Off);
      Off += S.size() + 1;
    }
  std::vector<uint32_t> W;
  for (uint32_t Id = Chunk.startId(); Id < Chunk.typeCount(); ++Id) {
    ArrayRef<uint32_t> Src = Chunk.typeWords(Id);
    W.assign(Src.begin(), Src.end());
    forEachStrRef(reinterpret_cast<BTF::CommonType *>(W.data()),
                  [&](uint32_t &Off) { Off = Xlat(Off); });
    forEachTypeRef(reinterpret_cast<BTF::CommonType *>(W.data()),
                   [&](uint32_t &Id) {
                     if (Id)
                       Id += Base;
                   });
    Out.addType(W);
  }
  if (!Funcs)
    return;
  auto MapType = [&](uint32_t &Id) {
    if (!Id)
      return;
    if (!Funcs->Remap.empty())
      Id = Funcs->Remap[Id];
    Id += Base;
  };
  for (PendingFuncState &P : Funcs->Pending) {
    FuncState &S = P.S;
    MapType(S.RetType);
    for (FuncState::Param &Pa : S.Params) {
      Pa.NameOff = Xlat(Pa.NameOff);
      MapType(Pa.Type);
    }
    for (FuncState::Annot &A : S.Annots)
      A.ValueOff = Xlat(A.ValueOff);
    Funcs->States.save(std::move(S), P.PrefixMatched, P.DwarfName);
  }
  Funcs->Pending.clear();
}

//===----------------------------------------------------------------------===//
// Driver
