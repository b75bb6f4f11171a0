//===- Relocate.cpp - Split BTF onto another base (btf__relocate) ---------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// relocateBTF() with libbpf's btf__relocate() semantics (the kernel runs the
/// same code, kernel/bpf/btf_relocate.c, when it loads a module that has
/// `.BTF.base`):
///
/// - A distilled base holds only named INT, FLOAT, ENUM, STRUCT, UNION and
///   FWD types.
/// - A distilled struct or union that a split struct or union embeds (a
///   member of that type, through modifiers, typedefs and arrays but not
///   pointers) must keep its size.
/// - Each type of the new base with a name is matched against the distilled
///   types of that name: INT, FLOAT and ENUM/ENUM64 by name and size (INT
///   also by encoding, ENUM matches ENUM64), FWD by name and union-ness
///   (a FWD also matches a struct or union of the right flavour), STRUCT and
///   UNION by name, and by size as well when the new base has several
///   composites of that name. Two base types matching one distilled type is
///   an error, and so is a distilled type left unmatched.
/// - Type IDs of split types move up by the difference between the base
///   sizes; names that were the distilled base's take the matched type's
///   name offset, the split's own strings move past the new base's.
///
/// Unlike libbpf, every distilled type's outcome is recorded (in the
/// RelocationReport) before failing, so that a user sees all of them.
///
//===----------------------------------------------------------------------===//

#include "Distill/Distill.h"
#include "Support/Errors.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/Hashing.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/FormatVariadic.h"
#include <algorithm>

using namespace llvm;
using namespace btfsplit;

static bool isComposite(unsigned Kind) {
  return Kind == BTF::BTF_KIND_STRUCT || Kind == BTF::BTF_KIND_UNION;
}

/// "struct sk_buff (232 bytes)" for a distilled type.
static std::string distDesc(const BTFObject &Dist, uint32_t Id) {
  const BTF::CommonType *T = Dist.type(Id);
  std::string S = typeLabel(Dist, Id);
  switch (T->getKind()) {
  case BTF::BTF_KIND_FWD:
    return S;
  default:
    return S + formatv(" ({0} bytes)", T->Size).str();
  }
}

/// Whether distilled type \p D may stand for base type \p B (same name).
static bool compatible(const BTF::CommonType *D, const BTF::CommonType *B) {
  unsigned DK = D->getKind(), BK = B->getKind();
  switch (DK) {
  case BTF::BTF_KIND_FWD:
    if (BK == BTF::BTF_KIND_FWD)
      return kindFlag(D) == kindFlag(B);
    if (BK == BTF::BTF_KIND_STRUCT)
      return !kindFlag(D);
    if (BK == BTF::BTF_KIND_UNION)
      return kindFlag(D);
    return false;
  case BTF::BTF_KIND_INT:
    return BK == DK &&
           intEncoding(tailWords(B)[0]) == intEncoding(tailWords(D)[0]);
  case BTF::BTF_KIND_FLOAT:
    return BK == DK;
  case BTF::BTF_KIND_ENUM:
    return BK == BTF::BTF_KIND_ENUM || BK == BTF::BTF_KIND_ENUM64;
  case BTF::BTF_KIND_STRUCT:
  case BTF::BTF_KIND_UNION:
    // libbpf compares no kinds here: a distilled struct matches a base union
    // of the same name.
    return true;
  default:
    return false;
  }
}

Expected<std::unique_ptr<BTFObject>>
btfsplit::relocateBTF(const BTFObject &Split, const BTFObject &NewBase,
                      RelocationReport *Report) {
  if (!Split.isSplit())
    return makeError("not split BTF: nothing to relocate");
  const BTFObject &Dist = *Split.base();
  if (Dist.isSplit() || NewBase.isSplit())
    return makeError("relocation needs standalone bases");
  const uint32_t NDist = Dist.typeCount();
  const uint32_t NBase = NewBase.typeCount();
  const uint32_t End = Split.typeCount();

  // The distilled base holds named INT, FLOAT, ENUM, STRUCT, UNION, FWD.
  for (uint32_t Id = 1; Id < NDist; ++Id) {
    const BTF::CommonType *T = Dist.type(Id);
    switch (T->getKind()) {
    case BTF::BTF_KIND_INT:
    case BTF::BTF_KIND_FLOAT:
    case BTF::BTF_KIND_ENUM:
    case BTF::BTF_KIND_STRUCT:
    case BTF::BTF_KIND_UNION:
    case BTF::BTF_KIND_FWD:
      if (T->NameOff && !Dist.str(T->NameOff).empty())
        break;
      return makeError("distilled base type [{0}] ({1}) has no name: a "
                       "distilled base holds only named types",
                       Id, kindName(T->getKind()));
    default:
      return makeError("distilled base type [{0}] is a {1}: a distilled base "
                       "holds only INT, FLOAT, ENUM, STRUCT, UNION and FWD",
                       Id, kindName(T->getKind()));
    }
  }
  if (Error E = checkReferences(Split))
    return std::move(E);

  // Distilled composites a split composite embeds must keep their size.
  std::vector<bool> Embedded(NDist, false);
  for (uint32_t Id = Split.startId(); Id < End; ++Id) {
    const BTF::CommonType *T = Split.type(Id);
    if (!isComposite(T->getKind()))
      continue;
    forEachTypeRef(T, [&](const uint32_t &Ref) {
      uint32_t Next = Ref;
      // Bounded: corrupt input may have a loop of typedefs.
      for (unsigned Steps = 0; Next && Steps < End; ++Steps) {
        const BTF::CommonType *M = Split.type(Next);
        switch (M->getKind()) {
        case BTF::BTF_KIND_CONST:
        case BTF::BTF_KIND_RESTRICT:
        case BTF::BTF_KIND_VOLATILE:
        case BTF::BTF_KIND_TYPEDEF:
        case BTF::BTF_KIND_TYPE_TAG:
          Next = M->Type;
          continue;
        case BTF::BTF_KIND_ARRAY:
          Next = tailWords(M)[0];
          continue;
        case BTF::BTF_KIND_STRUCT:
        case BTF::BTF_KIND_UNION:
          if (Next < NDist)
            Embedded[Next] = true;
          break;
        default:
          break;
        }
        break;
      }
    });
  }

  // Distilled types by name, largest size first (libbpf's sort order).
  StringMap<SmallVector<uint32_t, 1>> ByName;
  for (uint32_t Id = 1; Id < NDist; ++Id)
    ByName[Dist.str(Dist.type(Id)->NameOff)].push_back(Id);
  for (auto &Entry : ByName)
    llvm::stable_sort(Entry.second, [&](uint32_t A, uint32_t B) {
      return Dist.type(A)->Size > Dist.type(B)->Size;
    });

  // How many composites of each name the new base has.
  DenseMap<uint32_t, unsigned> CompositeNames;
  for (uint32_t Id = 1; Id < NBase; ++Id) {
    const BTF::CommonType *T = NewBase.type(Id);
    if (isComposite(T->getKind()) && T->NameOff)
      ++CompositeNames[T->NameOff];
  }

  std::vector<RelocatedType> Outcome(NDist);
  std::vector<uint32_t> IdMap(End, 0);
  for (uint32_t Id = 1; Id < NDist; ++Id) {
    Outcome[Id].DistId = Id;
    Outcome[Id].Desc = distDesc(Dist, Id);
  }
  for (uint32_t Id = 1; Id < NBase; ++Id) {
    const BTF::CommonType *B = NewBase.type(Id);
    if (!B->NameOff)
      continue;
    bool NeedsSize;
    switch (B->getKind()) {
    case BTF::BTF_KIND_INT:
    case BTF::BTF_KIND_FLOAT:
    case BTF::BTF_KIND_ENUM:
    case BTF::BTF_KIND_ENUM64:
      NeedsSize = true;
      break;
    case BTF::BTF_KIND_FWD:
      NeedsSize = false;
      break;
    case BTF::BTF_KIND_STRUCT:
    case BTF::BTF_KIND_UNION:
      NeedsSize = CompositeNames.lookup(B->NameOff) > 1;
      break;
    default:
      continue;
    }
    auto It = ByName.find(NewBase.str(B->NameOff));
    if (It == ByName.end())
      continue;
    for (uint32_t D : It->second) {
      const BTF::CommonType *DT = Dist.type(D);
      if (NeedsSize && DT->Size != B->Size)
        continue;
      if (!compatible(DT, B))
        continue;
      // As libbpf: the size of an embedded type is checked until it has a
      // match (a second candidate then makes it ambiguous).
      if (isComposite(DT->getKind()) && Embedded[D] && !IdMap[D] &&
          DT->Size != B->Size)
        continue;
      RelocatedType &O = Outcome[D];
      if (IdMap[D]) {
        if (O.Result != RelocatedType::Ambiguous) {
          O.Result = RelocatedType::Ambiguous;
          O.Detail = formatv("this kernel has several: types [{0}] and [{1}]",
                             IdMap[D], Id)
                         .str();
        }
        continue;
      }
      IdMap[D] = Id;
      O.BaseId = Id;
    }
  }

  // What became of the distilled types nothing matched.
  for (uint32_t Id = 1; Id < NDist; ++Id) {
    RelocatedType &O = Outcome[Id];
    if (IdMap[Id] || O.Result != RelocatedType::Matched)
      continue;
    const BTF::CommonType *DT = Dist.type(Id);
    O.Result = RelocatedType::Vanished;
    if (!isComposite(DT->getKind()) && DT->getKind() != BTF::BTF_KIND_INT &&
        DT->getKind() != BTF::BTF_KIND_FLOAT &&
        DT->getKind() != BTF::BTF_KIND_ENUM)
      continue;
    // Same name and kind, another size?
    StringRef Name = Dist.str(DT->NameOff);
    for (uint32_t B = 1; B < NBase; ++B) {
      const BTF::CommonType *BT = NewBase.type(B);
      if (!BT->NameOff || NewBase.str(BT->NameOff) != Name ||
          !compatible(DT, BT) || BT->Size == DT->Size)
        continue;
      O.Result = RelocatedType::Resized;
      O.BaseId = B;
      O.Detail = formatv("{0} bytes in this kernel", BT->Size).str();
      break;
    }
  }
  if (Report)
    Report->Types.assign(Outcome.begin() + 1, Outcome.end());
  for (uint32_t Id = 1; Id < NDist; ++Id) {
    const RelocatedType &O = Outcome[Id];
    switch (O.Result) {
    case RelocatedType::Matched:
      continue;
    case RelocatedType::Vanished:
      return makeError("distilled base type [{0}], {1}, is not in the new "
                       "base",
                       Id, O.Desc);
    case RelocatedType::Resized:
      return makeError("distilled base type [{0}], {1}, is embedded in a "
                       "split type but has {2}",
                       Id, O.Desc, O.Detail);
    case RelocatedType::Ambiguous:
      return makeError("distilled base type [{0}], {1}, is ambiguous: {2}", Id,
                       O.Desc, O.Detail);
    }
  }

  // Name offsets of the distilled base's strings in the new base.
  DenseMap<uint32_t, uint32_t> StrMap;
  for (uint32_t Id = 1; Id < NDist; ++Id)
    StrMap[Dist.type(Id)->NameOff] = NewBase.type(IdMap[Id])->NameOff;
  for (uint32_t Id = NDist; Id < End; ++Id)
    IdMap[Id] = Id + NBase - NDist;

  auto Out = std::make_unique<BTFObject>(&NewBase);
  Out->setEndian(Split.endian());
  Out->words().assign(Split.words().begin(), Split.words().end());
  Out->typeOffsets() = Split.typeOffsets();
  Out->strings().assign(Split.strings().data());
  const uint32_t DistStrLen = Dist.strEnd();
  const uint32_t BaseStrLen = NewBase.strEnd();
  for (uint32_t Id = Out->startId(); Id < Out->typeCount(); ++Id) {
    BTF::CommonType *T = Out->localType(Id);
    forEachTypeRef(T, [&](uint32_t &Ref) { Ref = IdMap[Ref]; });
    Error E = Error::success();
    forEachStrRef(T, [&](uint32_t &Off) {
      if (!Off || E)
        return;
      if (Off >= DistStrLen) {
        Off += BaseStrLen - DistStrLen;
        return;
      }
      auto It = StrMap.find(Off);
      if (It == StrMap.end()) {
        E = makeError("type [{0}] uses the distilled base's string '{1}' "
                      "(offset {2}), which names no distilled type",
                      Id, Dist.str(Off), Off);
        return;
      }
      Off = It->second;
    });
    if (E)
      return std::move(E);
  }
  return std::move(Out);
}

namespace {
/// Hash of a type's words.
struct WordsKey {
  static unsigned hash(ArrayRef<uint32_t> W) {
    return unsigned(hash_combine_range(W.begin(), W.end()));
  }
};
} // namespace

/// Whether a moved type of kind \p Kind may have a twin in the base.
static bool isMovedKind(unsigned Kind) {
  switch (Kind) {
  case BTF::BTF_KIND_PTR:
  case BTF::BTF_KIND_TYPEDEF:
  case BTF::BTF_KIND_ARRAY:
  case BTF::BTF_KIND_CONST:
  case BTF::BTF_KIND_VOLATILE:
  case BTF::BTF_KIND_RESTRICT:
  case BTF::BTF_KIND_TYPE_TAG:
  case BTF::BTF_KIND_FUNC_PROTO:
  case BTF::BTF_KIND_STRUCT:
  case BTF::BTF_KIND_UNION:
  case BTF::BTF_KIND_ENUM:
  case BTF::BTF_KIND_ENUM64:
    return true;
  default:
    return false;
  }
}

Expected<unsigned> btfsplit::mergeMovedTypes(BTFObject &Rel,
                                             uint32_t FirstMoved) {
  if (!Rel.isSplit())
    return makeError("not split BTF");
  const BTFObject &Base = *Rel.base();
  const uint32_t Start = Rel.startId(), End = Rel.typeCount();
  if (FirstMoved < Start || FirstMoved > End)
    return makeError("moved types [{0}, {1}) are not types of this BTF",
                     FirstMoved, End);

  // The base's types of the kinds distillation moves, by their words.
  DenseMap<unsigned, SmallVector<uint32_t, 1>> Index;
  for (uint32_t Id = 1; Id < Base.typeCount(); ++Id) {
    const BTF::CommonType *T = Base.type(Id);
    if (!isMovedKind(T->getKind()))
      continue;
    const uint32_t *W = reinterpret_cast<const uint32_t *>(T);
    size_t N = 3 + tailSize(T->getKind(), T->getVlen()) / 4;
    Index[WordsKey::hash(ArrayRef<uint32_t>(W, N))].push_back(Id);
  }
  auto Find = [&](ArrayRef<uint32_t> W) -> uint32_t {
    auto It = Index.find(WordsKey::hash(W));
    if (It == Index.end())
      return 0;
    for (uint32_t Id : It->second) {
      const BTF::CommonType *T = Base.type(Id);
      size_t N = 3 + tailSize(T->getKind(), T->getVlen()) / 4;
      if (ArrayRef<uint32_t>(reinterpret_cast<const uint32_t *>(T), N) == W)
        return Id;
    }
    return 0;
  };

  // Moved types refer only to the base and to other moved types (they came
  // from a base): resolve them leaves first, until nothing more resolves.
  enum State : uint8_t { Open, Mapped, Local };
  const uint32_t NMoved = End - FirstMoved;
  std::vector<State> St(NMoved, Open);
  std::vector<uint32_t> Map(NMoved, 0);
  for (bool Progress = true; Progress;) {
    Progress = false;
    for (uint32_t I = 0; I < NMoved; ++I) {
      if (St[I] != Open)
        continue;
      uint32_t Id = FirstMoved + I;
      ArrayRef<uint32_t> Orig = Rel.typeWords(Id);
      SmallVector<uint32_t, 16> W(Orig.begin(), Orig.end());
      auto *T = reinterpret_cast<BTF::CommonType *>(W.data());
      bool Wait = false, NoTwin = !isMovedKind(T->getKind());
      forEachTypeRef(T, [&](uint32_t &Ref) {
        if (Ref < Start)
          return;
        if (Ref < FirstMoved) {
          NoTwin = true; // refers to a module type: cannot be the base's
          return;
        }
        State RS = St[Ref - FirstMoved];
        if (RS == Open)
          Wait = true;
        else if (RS == Local)
          NoTwin = true;
        else
          Ref = Map[Ref - FirstMoved];
      });
      forEachStrRef(T, [&](uint32_t &Off) {
        if (!Off || Off < Base.strEnd())
          return;
        if (std::optional<uint32_t> B = Base.findString(Rel.str(Off)))
          Off = *B;
        else
          NoTwin = true;
      });
      if (NoTwin) {
        St[I] = Local;
        Progress = true;
        continue;
      }
      if (Wait)
        continue;
      if (uint32_t B = Find(W)) {
        St[I] = Mapped;
        Map[I] = B;
      } else {
        St[I] = Local;
      }
      Progress = true;
    }
  }
  // What is still open refers to itself in a loop: it stays.
  unsigned Kept = 0;
  std::vector<uint32_t> NewId(NMoved, 0);
  uint32_t Next = FirstMoved;
  for (uint32_t I = 0; I < NMoved; ++I) {
    if (St[I] == Mapped)
      continue;
    St[I] = Local;
    NewId[I] = Next++;
    ++Kept;
  }

  // Rebuild the type section without the mapped types.
  std::vector<uint32_t> Words;
  std::vector<uint32_t> Offsets;
  for (uint32_t Id = Start; Id < End; ++Id) {
    if (Id >= FirstMoved && St[Id - FirstMoved] == Mapped)
      continue;
    ArrayRef<uint32_t> TW = Rel.typeWords(Id);
    Offsets.push_back(Words.size());
    Words.insert(Words.end(), TW.begin(), TW.end());
  }
  Rel.words() = std::move(Words);
  Rel.typeOffsets() = std::move(Offsets);
  for (uint32_t Id = Start; Id < Rel.typeCount(); ++Id)
    forEachTypeRef(Rel.localType(Id), [&](uint32_t &Ref) {
      if (Ref < FirstMoved)
        return;
      uint32_t I = Ref - FirstMoved;
      Ref = St[I] == Mapped ? Map[I] : NewId[I];
    });
  return Kept;
}
