//===- FunctionStates.cpp - pahole 1.30+'s saved function states ----------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "DWARF2BTF/FunctionStates.h"
#include "llvm/Support/Errc.h"

using namespace llvm;
using namespace btfsplit;

/// FWD counts as the STRUCT or UNION it declares.
static unsigned fwdKind(const BTF::CommonType *T) {
  unsigned K = T->getKind();
  if (K == BTF::BTF_KIND_FWD)
    return kindFlag(T) ? BTF::BTF_KIND_UNION : BTF::BTF_KIND_STRUCT;
  return K;
}

static bool namesMatch(const BTFObject &O, const BTF::CommonType *A,
                       const BTF::CommonType *B) {
  return A->NameOff == B->NameOff || O.str(A->NameOff) == O.str(B->NameOff);
}

bool btfsplit::typesMatch(const BTFObject &O, uint32_t Id1, uint32_t Id2) {
  // A chain of modifiers is followed in a loop, as pahole does; a loop in
  // the types (only malformed input) ends the comparison.
  for (unsigned Steps = 0; Steps < (1u << 20); ++Steps) {
    if (Id1 == Id2)
      return true;
    if (!Id1 || !Id2)
      return false;
    if (Id1 >= O.typeCount() || Id2 >= O.typeCount())
      return false;
    const BTF::CommonType *T1 = O.type(Id1), *T2 = O.type(Id2);
    unsigned K1 = fwdKind(T1), K2 = fwdKind(T2);
    if (K1 != K2) {
      // const and non-const parameters match.
      if (K1 == BTF::BTF_KIND_CONST) {
        Id1 = T1->Type;
        continue;
      }
      if (K2 == BTF::BTF_KIND_CONST) {
        Id2 = T2->Type;
        continue;
      }
      return false;
    }
    switch (K1) {
    case BTF::BTF_KIND_INT:
      if (T1->Size != T2->Size || tailWords(T1)[0] != tailWords(T2)[0])
        return false;
      return namesMatch(O, T1, T2);
    case BTF::BTF_KIND_FLOAT:
      if (T1->Size != T2->Size)
        return false;
      return namesMatch(O, T1, T2);
    case BTF::BTF_KIND_TYPEDEF:
    case BTF::BTF_KIND_STRUCT:
    case BTF::BTF_KIND_UNION:
    case BTF::BTF_KIND_ENUM:
    case BTF::BTF_KIND_ENUM64:
      return namesMatch(O, T1, T2);
    case BTF::BTF_KIND_PTR:
    case BTF::BTF_KIND_VOLATILE:
    case BTF::BTF_KIND_CONST:
    case BTF::BTF_KIND_RESTRICT:
    case BTF::BTF_KIND_TYPE_TAG:
      Id1 = T1->Type;
      Id2 = T2->Type;
      continue;
    case BTF::BTF_KIND_ARRAY: {
      ArrayRef<uint32_t> A1 = tailWords(T1), A2 = tailWords(T2);
      if (A1[2] != A2[2])
        return false;
      Id1 = A1[0];
      Id2 = A2[0];
      continue;
    }
    case BTF::BTF_KIND_FUNC_PROTO: {
      if (T1->getVlen() != T2->getVlen())
        return false;
      if (!typesMatch(O, T1->Type, T2->Type))
        return false;
      // pahole 1.30/1.31 bug, kept: the loop over the parameters compares
      // the return types again, never the parameters (fixed upstream after
      // 1.31 by 2f9a77e).
      for (unsigned I = 0; I < T1->getVlen(); ++I)
        if (!typesMatch(O, T1->Type, T2->Type))
          return false;
      return true;
    }
    default:
      return false;
    }
  }
  return false;
}

bool btfsplit::funcsMatch(const BTFObject &O, const FuncState &A,
                          const FuncState &B) {
  if (A.Params.size() != B.Params.size())
    return false;
  if (!typesMatch(O, A.RetType, B.RetType))
    return false;
  for (size_t I = 0; I < A.Params.size(); ++I)
    if (!typesMatch(O, A.Params[I].Type, B.Params[I].Type))
      return false;
  return true;
}

void FunctionStates::save(FuncState S, bool PrefixMatched,
                          StringRef DwarfName) {
  if (PrefixMatched && Aliases[S.Elf].empty())
    Aliases[S.Elf] = DwarfName.str();
  States.push_back(std::move(S));
}

/// KF_FASTCALL and KF_ARENA_* in the kernel's include/linux/btf.h.
constexpr uint32_t KfFastcall = 1u << 12;
constexpr uint32_t KfArenaRet = 1u << 13;
constexpr uint32_t KfArenaArg1 = 1u << 14;
constexpr uint32_t KfArenaArg2 = 1u << 15;

/// pahole 1.30's btf__tag_bpf_arena_ptr: for the pointer \p PtrId, a
/// TYPE_TAG "address_space(1)" with kflag 1 (a type attribute) on its
/// pointee, and a new pointer to that tag; the new pointer's ID.
static Expected<uint32_t> tagArenaPointer(BTFObject &Out, uint32_t PtrId,
                                          StringRef Func) {
  if (!PtrId || PtrId >= Out.typeCount() ||
      Out.type(PtrId)->getKind() != BTF::BTF_KIND_PTR)
    return createStringError(errc::invalid_argument,
                             "arena kfunc '%s': type %u is not a pointer",
                             Func.str().c_str(), PtrId);
  uint32_t Pointee = Out.type(PtrId)->Type;
  uint32_t Tag =
      Out.addType({Out.addString("address_space(1)"),
                   makeInfo(BTF::BTF_KIND_TYPE_TAG, 0, true), Pointee});
  return Out.addRef(BTF::BTF_KIND_PTR, "", Tag);
}

Error FunctionStates::emit(BTFObject &Out) {
  if (States.empty())
    return Error::success();
  bool V130 = Level == PaholeLevel::V1_30;
  // pahole sorts the states with glibc's qsort by their ELF entries:
  // 1.30 with functions_cmp (so "foo" and "foo.isra.0" group together),
  // 1.31 by key.
  glibcMergeSort(States, [&](const FuncState &A, const FuncState &B) {
    const ELFFunction &EA = Table[A.Elf], &EB = Table[B.Elf];
    if (V130)
      return ELFFunctionTable::compare(EA.Name, EA.PrefixLen, EB);
    return cStrCmp(EA.Name, EB.Name);
  });
  auto SameFunction = [&](const FuncState &A, const FuncState &B) {
    if (!V130)
      return A.Elf == B.Elf;
    const ELFFunction &EA = Table[A.Elf], &EB = Table[B.Elf];
    return cStrNCmp(EA.Name, EB.Name, std::max(EA.PrefixLen, EB.PrefixLen)) ==
           0;
  };
  for (size_t I = 0, J; I < States.size(); I = J) {
    FuncState &S = States[I];
    // saved_functions_combine: the first state of the group takes the
    // flags of every other and is compared with each while it is clean.
    for (J = I + 1; J < States.size() && SameFunction(S, States[J]); ++J) {
      FuncState &T = States[J];
      bool Unexpected = S.UnexpectedReg || T.UnexpectedReg;
      bool Inconsistent = S.InconsistentProto || T.InconsistentProto;
      bool Uncertain = S.UncertainParmLoc || T.UncertainParmLoc;
      if (!Unexpected && !Inconsistent && !funcsMatch(Out, S, T))
        Inconsistent = true;
      S.UnexpectedReg = T.UnexpectedReg = Unexpected;
      S.InconsistentProto = T.InconsistentProto = Inconsistent;
      S.UncertainParmLoc = T.UncertainParmLoc = Uncertain;
    }
    const ELFFunction &E = Table[S.Elf];
    bool Add = !F.ConsistentFunc;
    Add |= !S.UnexpectedReg && !S.InconsistentProto &&
           (V130 || (!S.UncertainParmLoc && !E.AmbiguousAddr));
    if (!Add)
      continue;
    // attributes: arena kfuncs' pointers, before the FUNC_PROTO.
    if (E.Kfunc && F.DeclTagKfuncs && F.Attributes) {
      auto Tag = [&](uint32_t &Id) -> Error {
        Expected<uint32_t> New = tagArenaPointer(Out, Id, E.Name);
        if (!New)
          return New.takeError();
        Id = *New;
        return Error::success();
      };
      if (E.KfuncFlags & KfArenaRet)
        if (Error Err = Tag(S.RetType))
          return Err;
      for (unsigned I = 0; I < 2; ++I) {
        if (!(E.KfuncFlags & (I ? KfArenaArg2 : KfArenaArg1)))
          continue;
        if (S.Params.size() <= I)
          return createStringError(errc::invalid_argument,
                                   "arena kfunc '%s' has no argument %u",
                                   E.Name.str().c_str(), I + 1);
        if (Error Err = Tag(S.Params[I].Type))
          return Err;
      }
    }
    std::vector<uint32_t> W = {
        0, makeInfo(BTF::BTF_KIND_FUNC_PROTO, S.Params.size()), S.RetType};
    for (const FuncState::Param &P : S.Params) {
      W.push_back(P.NameOff);
      W.push_back(P.Type);
    }
    uint32_t Proto = Out.addType(W);
    StringRef Name =
        V130 && !Aliases[S.Elf].empty() ? StringRef(Aliases[S.Elf]) : E.Name;
    uint32_t Func = Out.addFunc(Name, Proto, BTF::FUNC_STATIC);
    if (E.Kfunc && F.DeclTagKfuncs && F.DeclTag) {
      Out.addDeclTag("bpf_kfunc", Func, -1);
      if (E.KfuncFlags & KfFastcall)
        Out.addDeclTag("bpf_fastcall", Func, -1);
    }
    for (const FuncState::Annot &A : S.Annots)
      Out.addDeclTag(Out.str(A.ValueOff).str(), Func, A.Component);
  }
  States.clear();
  return Error::success();
}
