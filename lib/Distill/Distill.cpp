//===- Distill.cpp - Distilled base BTF (btf__distill_base) ---------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// distillBase() with libbpf's btf__distill_base() semantics, so that the
/// output is byte-identical to what pahole 1.28+ writes:
///
/// 1. Mark every base type the split types refer to, and, recursively, the
///    base types those refer to; a named struct or union ends the walk (the
///    distilled base keeps no members). Only kinds that can appear in a type
///    graph may be referenced (no FUNC, VAR, DATASEC, DECL_TAG).
/// 2. The new base gets, in base ID order, every marked INT, FLOAT and FWD as
///    it is, every marked named STRUCT/UNION as a memberless one of the same
///    size, every marked named ENUM/ENUM64 as a valueless ENUM of the same
///    size (unsigned). Its strings are added as the types are.
/// 3. The new split BTF gets the old split types in order, then, in base ID
///    order, every other marked base type (anonymous composites and enums in
///    full, and every ARRAY, TYPEDEF, PTR, modifier, FUNC_PROTO, TYPE_TAG).
///    A name the new base has keeps the base offset; the others are added to
///    the split string section in order of first use.
/// 4. References are rewritten: a marked base type to its new ID, an old
///    split ID shifted down by the number of base types that went away.
///
//===----------------------------------------------------------------------===//

#include "Distill/Distill.h"
#include "Support/Errors.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/FormatVariadic.h"

using namespace llvm;
using namespace btfsplit;

StringRef btfsplit::splitBaseMessage() {
  return "split BTF cannot be a base: a base is standalone BTF, such as "
         "vmlinux's";
}

Error btfsplit::checkReferences(const BTFObject &O) {
  uint32_t End = O.typeCount();
  for (uint32_t Id = O.startId(); Id < End; ++Id) {
    // forEachStrRef() takes a mutable type; it only reads here.
    auto *T = const_cast<BTF::CommonType *>(O.type(Id));
    Error E = Error::success();
    forEachTypeRef(static_cast<const BTF::CommonType *>(T),
                   [&](const uint32_t &Ref) {
                     if (!E && Ref >= End)
                       E = makeError("type [{0}] ({1}) refers to type [{2}], "
                                     "but the last type is [{3}]",
                                     Id, kindName(T->getKind()), Ref, End - 1);
                   });
    if (E)
      return E;
    forEachStrRef(T, [&](uint32_t &Off) {
      if (!E && Off && !O.isValidStrOff(Off))
        E = makeError("type [{0}] ({1}) has name offset {2}, outside the "
                      "string section",
                      Id, kindName(T->getKind()), Off);
    });
    if (E)
      return E;
  }
  return Error::success();
}

Error btfsplit::checkStandalone(const BTFObject &O) {
  StringRef Strs = O.strings().data();
  // Base BTF starts its string section with the empty string (offset 0 is
  // "no name"); libbpf's split string sections never do.
  if (O.isSplit() || Strs.empty() || Strs[0] != '\0')
    return makeError(splitBaseMessage());
  if (Error E = checkReferences(O))
    return joinErrors(makeError(splitBaseMessage()), std::move(E));
  return Error::success();
}

static bool isComposite(unsigned Kind) {
  return Kind == BTF::BTF_KIND_STRUCT || Kind == BTF::BTF_KIND_UNION;
}

/// Base kinds a split type may refer to in a distillable BTF.
static bool isDistillableKind(unsigned Kind) {
  switch (Kind) {
  case BTF::BTF_KIND_INT:
  case BTF::BTF_KIND_FLOAT:
  case BTF::BTF_KIND_FWD:
  case BTF::BTF_KIND_ARRAY:
  case BTF::BTF_KIND_STRUCT:
  case BTF::BTF_KIND_UNION:
  case BTF::BTF_KIND_TYPEDEF:
  case BTF::BTF_KIND_ENUM:
  case BTF::BTF_KIND_ENUM64:
  case BTF::BTF_KIND_PTR:
  case BTF::BTF_KIND_CONST:
  case BTF::BTF_KIND_RESTRICT:
  case BTF::BTF_KIND_VOLATILE:
  case BTF::BTF_KIND_FUNC_PROTO:
  case BTF::BTF_KIND_TYPE_TAG:
    return true;
  default:
    return false;
  }
}

/// Append a copy of \p Src's type \p Id to \p Dst, its names added to \p Dst
/// (libbpf btf_add_type through a string pipe). Type references are copied
/// as they are.
static uint32_t copyType(const BTFObject &Src, uint32_t Id, BTFObject &Dst) {
  const BTF::CommonType *T = Src.type(Id);
  size_t Words = 3 + tailSize(T->getKind(), T->getVlen()) / 4;
  SmallVector<uint32_t, 16> W(reinterpret_cast<const uint32_t *>(T),
                              reinterpret_cast<const uint32_t *>(T) + Words);
  forEachStrRef(reinterpret_cast<BTF::CommonType *>(W.data()),
                [&](uint32_t &Off) {
                  if (Off)
                    Off = Dst.addString(Src.str(Off));
                });
  return Dst.addType(W);
}

Expected<DistilledBTF> btfsplit::distillBase(const BTFObject &Split) {
  if (!Split.isSplit())
    return makeError("not split BTF: only a module's split BTF, read on its "
                     "base, can be distilled");
  const BTFObject &Old = *Split.base();
  if (Old.isSplit())
    return makeError("the base is itself split BTF: a distilled base is made "
                     "against standalone (vmlinux) BTF");
  if (Error E = checkReferences(Split))
    return std::move(E);

  const uint32_t SplitStart = Split.startId();
  const uint32_t End = Split.typeCount();
  // Old ID -> new ID; while marking, a marked base type maps to itself.
  std::vector<uint32_t> IdMap(End, 0);

  // 1. Mark the base types the split types need.
  std::vector<uint32_t> Work;
  auto MarkRefsOf = [&](uint32_t From) -> Error {
    Error E = Error::success();
    forEachTypeRef(Split.type(From), [&](const uint32_t &Ref) {
      if (E || !Ref || Ref >= SplitStart || IdMap[Ref])
        return;
      const BTF::CommonType *BT = Old.type(Ref);
      if (!isDistillableKind(BT->getKind())) {
        E = makeError("type [{0}] refers to base type [{1}], a {2}, which a "
                      "distilled base cannot stand for",
                      From, Ref, kindName(BT->getKind()));
        return;
      }
      IdMap[Ref] = Ref;
      // A named struct or union stands for itself in the distilled base,
      // without members: what its members use is not needed.
      if (isComposite(BT->getKind()) && BT->NameOff)
        return;
      Work.push_back(Ref);
    });
    return E;
  };
  for (uint32_t Id = SplitStart; Id < End; ++Id) {
    if (Error E = MarkRefsOf(Id))
      return std::move(E);
    while (!Work.empty()) {
      uint32_t B = Work.back();
      Work.pop_back();
      if (Error E = MarkRefsOf(B))
        return std::move(E);
    }
  }

  DistilledBTF Out;
  Out.Base = std::make_unique<BTFObject>();
  Out.Base->setEndian(Split.endian());
  Out.OriginalIds.push_back(0);

  // 2. The distilled base, in base ID order.
  BTFObject &NB = *Out.Base;
  for (uint32_t Id = 1; Id < SplitStart; ++Id) {
    if (!IdMap[Id])
      continue;
    const BTF::CommonType *T = Old.type(Id);
    StringRef Name = T->NameOff ? Old.str(T->NameOff) : StringRef();
    uint32_t NewId;
    switch (T->getKind()) {
    case BTF::BTF_KIND_INT:
    case BTF::BTF_KIND_FLOAT:
    case BTF::BTF_KIND_FWD:
      NewId = copyType(Old, Id, NB);
      break;
    case BTF::BTF_KIND_STRUCT:
    case BTF::BTF_KIND_UNION:
      if (!T->NameOff)
        continue;
      NewId = NB.addType({Name.empty() ? 0 : NB.addString(Name),
                          makeInfo(T->getKind(), 0), T->Size});
      break;
    case BTF::BTF_KIND_ENUM:
    case BTF::BTF_KIND_ENUM64:
      if (!T->NameOff)
        continue;
      NewId = NB.addType({Name.empty() ? 0 : NB.addString(Name),
                          makeInfo(BTF::BTF_KIND_ENUM, 0), T->Size});
      break;
    default:
      continue;
    }
    IdMap[Id] = NewId;
    Out.OriginalIds.push_back(Id);
  }

  // 3. The new split BTF: the old split types, then the base types that
  //    travel with them.
  Out.Split = std::make_unique<BTFObject>(Out.Base.get());
  BTFObject &NS = *Out.Split;
  NS.setEndian(Split.endian());
  for (uint32_t Id = SplitStart; Id < End; ++Id)
    copyType(Split, Id, NS);
  for (uint32_t Id = 1; Id < SplitStart; ++Id) {
    if (!IdMap[Id])
      continue;
    const BTF::CommonType *T = Old.type(Id);
    switch (T->getKind()) {
    case BTF::BTF_KIND_INT:
    case BTF::BTF_KIND_FLOAT:
    case BTF::BTF_KIND_FWD:
      continue;
    case BTF::BTF_KIND_STRUCT:
    case BTF::BTF_KIND_UNION:
    case BTF::BTF_KIND_ENUM:
    case BTF::BTF_KIND_ENUM64:
      if (T->NameOff)
        continue;
      break;
    default:
      break;
    }
    IdMap[Id] = copyType(Old, Id, NS);
  }

  // 4. Rewrite the references of the new split types.
  uint32_t Shift = SplitStart - NB.typeCount();
  for (uint32_t Id = NS.startId(); Id < NS.typeCount(); ++Id)
    forEachTypeRef(NS.localType(Id), [&](uint32_t &Ref) {
      if (IdMap[Ref])
        Ref = IdMap[Ref];
      else if (Ref >= SplitStart)
        Ref -= Shift;
    });
  return std::move(Out);
}
