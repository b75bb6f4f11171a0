//===- CUConverterModern.cpp - A unit by pahole 1.30/1.31's rules ---------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The parts of the per-unit conversion that change from pahole 1.30 on
/// (docs/DWARF2BTF.md, "Levels 1.30 and 1.31"): the unit's types numbered as
/// dwarf_loader fills its types table; a candidate per DWARF function that
/// matches the ELF function table, with what its parameter locations say
/// (saved, merged across units and emitted by FunctionStates); the variable
/// rules of 1.28.
///
//===----------------------------------------------------------------------===//

#include "DWARF2BTF/CUConverter.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Support/Errc.h"

using namespace llvm;
using namespace btfsplit;

/// pahole's param__is_struct: a struct, or a const or typedef of one.
static bool isStructParam(DWARFDie T) {
  for (unsigned I = 0; T && I < MaxTypeChain; ++I) {
    switch (T.getTag()) {
    case dwarf::DW_TAG_structure_type:
      return true;
    case dwarf::DW_TAG_const_type:
    case dwarf::DW_TAG_typedef:
      T = T.getAttributeValueAsReferencedDie(dwarf::DW_AT_type);
      continue;
    default:
      return false;
    }
  }
  return false;
}

Error CUConverter::visitFunctionSaved(const DWARFDie &D) {
  SmallVector<DWARFDie, 8> Params;
  bool Varargs = formalParameters(D, Params);
  bool Named = true;
  for (const DWARFDie &P : Params)
    if (dieName(P).empty())
      Named = false;
  // Every function shares what its parameters' locations say with their
  // abstract origins (dwarf_loader's ftype__recode_dwarf_types), whether or
  // not it is saved itself.
  auto Located = [&](const DWARFDie &P, unsigned Idx) {
    return paramLocation(P, Idx, EC.Regs);
  };
  auto ShareWithOrigin = [&](const DWARFDie &P, bool Unexpected) {
    if (!Unexpected || P.find(dwarf::DW_AT_type))
      return;
    if (DWARFDie O =
            P.getAttributeValueAsReferencedDie(dwarf::DW_AT_abstract_origin))
      UnexpectedOrigins.insert(O.getOffset());
  };
  StringRef Name = dieName(D);
  int Elf = -1;
  bool PrefixMatched = false;
  if (!D.find(dwarf::DW_AT_declaration) && Named && !Name.empty() &&
      !EC.Funcs->empty()) {
    Elf = EC.Funcs->find(Name, 0);
    if (Elf < 0 && EC.Opts.Level == PaholeLevel::V1_30 && F.OptimizedFunc &&
        EC.Funcs->suffixCount()) {
      Elf = EC.Funcs->find(Name, Name.size());
      PrefixMatched = Elf >= 0;
    }
  }
  if (Elf < 0) {
    for (unsigned I = 0; I < Params.size() && I < EC.Regs.Count; ++I)
      if (!Params[I].find(dwarf::DW_AT_type) &&
          Params[I].find(dwarf::DW_AT_abstract_origin))
        ShareWithOrigin(Params[I], Located(Params[I], I).UnexpectedReg);
    return Error::success();
  }
  FuncCandidate C;
  C.NameOff = str(Name);
  C.Elf = Elf;
  C.PrefixMatched = PrefixMatched;
  std::vector<uint32_t> &W = C.ProtoWords;
  for (unsigned I = 0; I < Params.size(); ++I) {
    const DWARFDie &P = Params[I];
    bool Unexpected = I < EC.Regs.Count && Located(P, I).UnexpectedReg;
    ShareWithOrigin(P, Unexpected);
    C.RegParams.push_back({P.getOffset(), Unexpected});
    DWARFDie T =
        typeHolder(P).getAttributeValueAsReferencedDie(dwarf::DW_AT_type);
    if (!C.HasStructParam && isStructParam(T))
      C.HasStructParam = true;
    W.push_back(str(dieName(P)));
    W.push_back(typeId(T));
  }
  // The return type of an out-of-line instance is its abstract origin's
  // (dwarf_loader's cu__resolve_func_ret_types_optimized).
  DWARFDie Ret =
      typeHolder(D).getAttributeValueAsReferencedDie(dwarf::DW_AT_type);
  if (Error E = makeProto(D, typeId(Ret), Varargs, W))
    return E;
  if (F.DeclTag)
    collectFuncDeclTags(D, Params, C.Tags);
  R.Funcs.push_back(std::move(C));
  return Error::success();
}

void CUConverter::finishFunctionStates() {
  // dwarf_loader's cu__resolve_func_ret_types_optimized: a parameter in an
  // unexpected register (its own or shared by a concrete instance) marks
  // the function, unless a parameter is a struct (passed in several
  // registers, which throws the count off).
  for (FuncCandidate &C : R.Funcs) {
    bool Unexpected = false;
    for (auto [Off, Own] : C.RegParams)
      if (Own || UnexpectedOrigins.contains(Off))
        Unexpected = true;
    C.UnexpectedReg = Unexpected && !C.HasStructParam;
  }
}

/// pahole's btf_name_valid.
static bool isValidVarName(StringRef Name) {
  if (Name.empty() || Name.size() >= 512)
    return false;
  auto Ok = [](char C, bool First) {
    return C == '_' || C == '.' || (First ? isAlpha(C) : isAlnum(C));
  };
  if (!Ok(Name[0], true))
    return false;
  for (char C : Name.drop_front())
    if (!Ok(C, false))
      return false;
  return true;
}

/// pahole 1.28+'s filter_variable_name: prefixes of variables of no use.
static bool isFilteredVarName(StringRef Name) {
  for (StringRef P :
       {"__UNIQUE_ID", "__tpstrtab_", "__exitcall_", "__gendwarfksyms_ptr_",
        "__func_stack_frame_non_standard_"})
    if (Name.starts_with(P))
      return true;
  return false;
}

Error CUConverter::visitVariableModern(const DWARFDie &D) {
  const ELFSymbols &S = EC.Syms;
  if (!F.Var && !F.GlobalVar)
    return Error::success();
  DWARFDie Spec =
      D.getAttributeValueAsReferencedDie(dwarf::DW_AT_specification);
  if (D.find(dwarf::DW_AT_declaration) && !Spec)
    return Error::success();
  if (D.find(dwarf::DW_AT_artificial))
    return Error::success();
  auto AddrOrNone = variableAddress(D);
  if (!AddrOrNone)
    return Error::success();
  auto [Addr, SecIndex] = *AddrOrNone;
  // The section: in a module the one the address is relocated against, in
  // vmlinux the first PROGBITS/NOBITS section that holds the address.
  uint64_t Shndx = 0, Offset = Addr;
  if (S.IsRelocatable) {
    if (!SecIndex || *SecIndex >= S.Sections.size())
      return Error::success();
    Shndx = *SecIndex;
  } else {
    for (uint64_t I = 1; I < S.Sections.size(); ++I) {
      const ELFSection &Sec = S.Sections[I];
      if (Sec.Type != ELF::SHT_PROGBITS && Sec.Type != ELF::SHT_NOBITS)
        continue;
      if (Sec.Addr <= Addr && Addr - Sec.Addr < Sec.Size) {
        Shndx = I;
        break;
      }
    }
    if (!Shndx)
      return Error::success();
    Offset = Addr - S.Sections[Shndx].Addr;
  }
  bool Include =
      F.GlobalVar || (F.Var && S.Sections[Shndx].Name == ".data..percpu");
  if (!Include)
    return Error::success();
  DWARFDie V = Spec ? Spec : D;
  StringRef Name = ownName(V);
  if (Name.empty() || isFilteredVarName(Name))
    return Error::success();
  // Address 0 may be a discarded section: the ELF symbol must be there.
  if (Offset == 0) {
    auto It = S.ObjectSections.find(Name);
    if (It == S.ObjectSections.end() || !is_contained(It->second, Shndx))
      return Error::success();
  }
  if (!isValidVarName(Name)) {
    if (F.EncodeForce)
      return Error::success();
    return dieError(D, "invalid variable name '" + Name + "'");
  }
  DWARFDie T = V.getAttributeValueAsReferencedDie(dwarf::DW_AT_type);
  if (!T) {
    if (F.EncodeForce)
      return Error::success();
    return dieError(D, "variable '" + Name + "' has void type");
  }
  uint64_t Size = typeSize(T);
  if (Size == 0 || Size > UINT32_MAX || Offset > UINT32_MAX)
    return Error::success();
  VarCandidate C;
  C.Section = Shndx;
  C.NameOff = str(Name);
  C.Type = typeId(T);
  C.Linkage = V.find(dwarf::DW_AT_external) ? BTF::VAR_GLOBAL_ALLOCATED
                                            : BTF::VAR_STATIC;
  C.Offset = uint32_t(Offset);
  C.Size = uint32_t(Size);
  if (F.DeclTag) {
    SmallVector<StringRef, 4> Values;
    collectAnnotations(V, "btf_decl_tag", Values);
    for (StringRef Val : Values)
      C.Tags.push_back({str(Val), -1});
  }
  R.Vars.push_back(std::move(C));
  return Error::success();
}

/// From 1.30, a pointer with btf_type_tag annotations: dwarf_loader's
/// die__create_new_pointer_tag adds one TYPE_TAG per annotation to the types
/// table, in DIE order, before the pointer itself; the pointer refers to the
/// last, each tag to the one before it and the first to the pointee
/// (dwarf_cu__recode_btf_type_tag_ptr): PTR -> last -> ... -> first ->
/// pointee, as at 1.24, with the IDs in the other order.
void CUConverter::numberTaggedPointer(const DWARFDie &D) {
  if (!F.TypeTag || idSlot(D))
    return;
  SmallVector<StringRef, 2> Tags;
  collectAnnotations(D, "btf_type_tag", Tags);
  if (Tags.empty())
    return;
  uint32_t Prev = 0;
  for (size_t K = 0; K < Tags.size(); ++K) {
    Item I{ItemKind::TypeTag, 0, D, Tags[K], Prev};
    I.TargetIsPointee = K == 0;
    Prev = reserve(I);
  }
  TaggedPointers[typeId(D)] = Prev;
}

/// From 1.30, the DECL_TAGs of a struct, union or typedef go after the
/// unit's types (R.TypeDeclTags), in the order dwarf_loader reads them:
/// a struct's children in DIE order, a member's annotations with its index,
/// the struct's own with -1.
void CUConverter::addTypeDeclTagsModern(const DWARFDie &D, uint32_t Id) {
  if (!F.DeclTag || !mayHaveAnnotations(D))
    return;
  SmallVector<StringRef, 4> Values;
  auto Add = [&](const DWARFDie &Owner, int32_t Component) {
    Values.clear();
    collectAnnotations(Owner, "btf_decl_tag", Values);
    for (StringRef V : Values)
      R.TypeDeclTags.push_back({Id, {str(V), Component}});
  };
  if (D.getTag() == dwarf::DW_TAG_typedef) {
    Add(D, -1);
    return;
  }
  int32_t Member = 0;
  for (DWARFDie C : D.children()) {
    if (C.getTag() == dwarf::DW_TAG_member) {
      Add(C, Member++);
    } else if (C.getTag() == dwarf::DW_TAG_LLVM_annotation) {
      if (ownName(C) != "btf_decl_tag")
        continue;
      if (std::optional<DWARFFormValue> V = C.find(dwarf::DW_AT_const_value)) {
        if (Expected<const char *> S = V->getAsCString())
          R.TypeDeclTags.push_back({Id, {str(*S), -1}});
        else
          consumeError(S.takeError());
      }
    }
  }
}

/// From pahole 1.30 a unit's types are numbered as dwarf_loader adds them to
/// its types table: in DIE order, except that the types nested in a struct
/// or union come before it (die__process_class adds them while it reads the
/// struct's children, the struct itself after). Every type DIE is numbered
/// here, before anything is emitted, so that references to later DIEs get
/// their final IDs.
Error CUConverter::numberTypes() {
  auto IsComposite = [](dwarf::Tag T) {
    return T == dwarf::DW_TAG_structure_type || T == dwarf::DW_TAG_union_type ||
           T == dwarf::DW_TAG_class_type;
  };
  auto Visit = [&](const DWARFDie &D, bool) {
    dwarf::Tag T = D.getTag();
    if (IsComposite(T)) {
      if (!D.hasChildren())
        typeId(D);
      return Error::success();
    }
    // _Atomic and unspecified types take no ID of their own.
    if (T == dwarf::DW_TAG_pointer_type)
      numberTaggedPointer(D);
    if (isTypeTag(T) && T != dwarf::DW_TAG_atomic_type &&
        T != dwarf::DW_TAG_unspecified_type)
      typeId(D);
    return Error::success();
  };
  // A struct or union after the types nested in it.
  auto Leave = [&](const DWARFDie &D) {
    if (IsComposite(D.getTag()))
      typeId(D);
  };
  return walkUnitDIEs(U, Visit, Leave);
}
