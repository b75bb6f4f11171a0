//===- CUConverter.cpp - One compile unit's DWARF as BTF ------------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "DWARF2BTF/CUConverter.h"
#include "Support/Errors.h"
#include "Support/MemoryPolicy.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/DebugInfo/DWARF/DWARFDebugAbbrev.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/RelocationResolver.h"
#include <algorithm>

using namespace llvm;
using namespace llvm::object;
using namespace btfsplit;

int CUConverter::dieAttrIndex(dwarf::Attribute Attr) {
  int I = -1;
  switch (Attr) {
  case dwarf::DW_AT_name:
    I = AName;
    break;
  case dwarf::DW_AT_type:
    I = AType;
    break;
  case dwarf::DW_AT_byte_size:
    I = AByteSize;
    break;
  case dwarf::DW_AT_encoding:
    I = AEncoding;
    break;
  case dwarf::DW_AT_declaration:
    I = ADeclaration;
    break;
  case dwarf::DW_AT_bit_size:
    I = ABitSize;
    break;
  case dwarf::DW_AT_data_bit_offset:
    I = ADataBitOffset;
    break;
  case dwarf::DW_AT_bit_offset:
    I = ABitOffset;
    break;
  case dwarf::DW_AT_data_member_location:
    I = AMemberLocation;
    break;
  case dwarf::DW_AT_const_value:
    I = AConstValue;
    break;
  default:
    break;
  }
  return I;
}

const CUConverter::Plan &
CUConverter::planFor(const DWARFAbbreviationDeclaration &Abbrev) {
  static const Plan VariablePlan{Plan::Variable, 0, 0};
  const DWARFAbbreviationDeclarationSet *Set = U.getAbbreviations();
  if (!Set || Set->begin() == Set->end())
    return VariablePlan;
  size_t Pos = &Abbrev - &*Set->begin();
  if (Pos >= size_t(Set->end() - Set->begin()))
    return VariablePlan;
  if (Plans.empty())
    Plans.resize(Set->end() - Set->begin());
  Plan &P = Plans[Pos];
  if (P.State != Plan::Unbuilt)
    return P;
  P.State = Plan::Fixed;
  P.Begin = PlanEntries.size();
  uint64_t Off = 0;
  bool Known = true; // Off is the offset of the current attribute
  unsigned Seen = 0;
  for (const DWARFAbbreviationDeclaration::AttributeSpec &Spec :
       Abbrev.attributes()) {
    int I = dieAttrIndex(Spec.Attr);
    if (I >= 0 && !(Seen >> I & 1)) {
      if (!Known && !Spec.isImplicitConst()) {
        P.State = Plan::Variable;
        break;
      }
      Seen |= 1u << I;
      PlanEntries.push_back(
          {uint32_t(Off), Spec.Form, uint8_t(I), Spec.isImplicitConst(),
           Spec.isImplicitConst() ? Spec.getImplicitConstValue() : 0});
    }
    std::optional<int64_t> Size = Spec.getByteSize(U);
    if (Size && Known && Off + *Size <= UINT32_MAX)
      Off += *Size;
    else
      Known = false;
  }
  if (P.State == Plan::Variable)
    PlanEntries.resize(P.Begin);
  else
    P.Count = PlanEntries.size() - P.Begin;
  return P;
}

void CUConverter::readAttrs(const DWARFDie &D, Attrs &Out) {
  Out.Present = 0;
  const DWARFAbbreviationDeclaration *Abbrev =
      D.getAbbreviationDeclarationPtr();
  if (!Abbrev)
    return;
  uint64_t Off = D.getOffset() + Abbrev->getCodeByteSize();
  const dwarf::FormParams &Params = U.getFormParams();
  const Plan &P = planFor(*Abbrev);
  if (P.State == Plan::Fixed) {
    for (uint32_t K = P.Begin; K < P.Begin + P.Count; ++K) {
      const PlanEntry &E = PlanEntries[K];
      if (E.Implicit) {
        Out.V[E.Index] = DWARFFormValue::createFromSValue(E.Form, E.Value);
      } else {
        uint64_t At = Off + E.Offset;
        Out.V[E.Index] = DWARFFormValue(E.Form);
        if (!Out.V[E.Index].extractValue(Info, &At, Params, &U))
          return;
      }
      Out.Present |= 1u << E.Index;
    }
    return;
  }
  for (const DWARFAbbreviationDeclaration::AttributeSpec &Spec :
       Abbrev->attributes()) {
    int I = dieAttrIndex(Spec.Attr);
    if (I >= 0 && !(Out.Present >> I & 1)) {
      if (Spec.isImplicitConst()) {
        Out.V[I] = DWARFFormValue::createFromSValue(
            Spec.Form, Spec.getImplicitConstValue());
        Out.Present |= 1u << I;
        continue;
      }
      Out.V[I] = DWARFFormValue(Spec.Form);
      // A value that does not extract is absent, as for DWARFDie::find;
      // the rest of the DIE is then unreadable.
      if (!Out.V[I].extractValue(Info, &Off, Params, &U))
        return;
      Out.Present |= 1u << I;
      continue;
    }
    if (std::optional<int64_t> Size = Spec.getByteSize(U))
      Off += *Size;
    else if (!DWARFFormValue::skipValue(Spec.Form, Info, &Off, Params))
      return;
  }
}

void CUConverter::collectAnnotations(const DWARFDie &D, StringRef Kind,
                                     SmallVectorImpl<StringRef> &Out) {
  if (!D.hasChildren() || !mayHaveAnnotations(D))
    return;
  for (DWARFDie C : D.children()) {
    if (C.getTag() != dwarf::DW_TAG_LLVM_annotation || ownName(C) != Kind)
      continue;
    if (std::optional<DWARFFormValue> V = C.find(dwarf::DW_AT_const_value)) {
      if (Expected<const char *> S = V->getAsCString())
        Out.push_back(*S);
      else
        consumeError(S.takeError());
    }
  }
}

void CUConverter::addDeclTags(const DWARFDie &Owner, uint32_t Target,
                              int32_t Component) {
  if (!F.DeclTag)
    return;
  SmallVector<StringRef, 4> Values;
  collectAnnotations(Owner, "btf_decl_tag", Values);
  for (StringRef V : Values)
    reserve({ItemKind::DeclTag, 0, Owner, V, Target, Component});
}

void CUConverter::prepareUnitTables() {
  // A unit larger than this (hostile input) uses ForeignIds and LLVM's
  // search instead: the tables take 4 bytes per byte of the unit. So do
  // modules (relocatable files): their peak memory is dominated by the
  // base, their conversion is short, and the tables would add up to ~1 MB
  // to small runs (above pahole's peak on 35 of 300 modules).
  constexpr uint64_t MaxTableUnit = 64 << 20;
  uint64_t Size = U.getNextUnitOffset() - U.getOffset();
  NumDIEs = U.getNumDIEs();
  UnitHasAnnotations = true;
  if (const DWARFAbbreviationDeclarationSet *Abbrevs = U.getAbbreviations())
    UnitHasAnnotations =
        any_of(*Abbrevs, [](const DWARFAbbreviationDeclaration &A) {
          return A.getTag() == dwarf::DW_TAG_LLVM_annotation;
        });
  if (Size > MaxTableUnit || EC.Syms.IsRelocatable)
    return;
  if (++T.Gen == 0) {
    std::fill(T.IdByIndex.begin(), T.IdByIndex.end(), IdEntry{0, 0});
    T.Gen = 1;
  }
  // Grown to the largest unit yet; dropped entries were of earlier units.
  if (T.IdByIndex.size() < NumDIEs)
    assignPrefaulted(T.IdByIndex, NumDIEs, IdEntry{0, 0});
  if (T.IndexByOffset.size() < Size)
    assignPrefaulted(T.IndexByOffset, Size, uint32_t(0));
  uint64_t Base = U.getOffset();
  for (uint32_t I = 0; I < NumDIEs; ++I) {
    uint64_t Off = U.getDIEAtIndex(I).getOffset() - Base;
    if (Off < Size)
      T.IndexByOffset[Off] = I;
  }
  UnitTablesReady = true;
}

uint32_t CUConverter::typeId(DWARFDie D, unsigned Depth) {
  if (!D)
    return 0;
  uint32_t &Slot = idSlot(D);
  if (Slot)
    return Slot - 1;
  uint32_t Id = 0;
  switch (D.getTag()) {
  case dwarf::DW_TAG_atomic_type:
    // pahole drops _Atomic: the qualifier is transparent.
    Id = Depth > MaxTypeChain
             ? 0
             : typeId(D.getAttributeValueAsReferencedDie(dwarf::DW_AT_type),
                      Depth + 1);
    break;
  case dwarf::DW_TAG_unspecified_type:
    Id = 0;
    break;
  default:
    if (!isTypeTag(D.getTag()))
      return 0;
    Id = reserve({ItemKind::Die, 0, D});
    break;
  }
  // idSlot again: the recursion above may have moved ForeignIds.
  idSlot(D) = Id + 1;
  return Id;
}

Error CUConverter::drain() {
  while (!Queue.empty()) {
    Item I = Queue.front();
    Queue.pop_front();
    if (Error E = emit(I))
      return E;
  }
  if (!Malformed.empty())
    return createFileError(EC.FileName, makeError(Malformed));
  return Error::success();
}

Error CUConverter::emit(const Item &I) {
  BTFObject &L = *R.Types;
  uint32_t Got = 0;
  switch (I.Kind) {
  case ItemKind::TypeTag:
    Got = L.addRef(BTF::BTF_KIND_TYPE_TAG, I.Value,
                   I.TargetIsPointee ? typeOf(I.Die) : I.Target);
    break;
  case ItemKind::DeclTag:
    Got = L.addDeclTag(I.Value, I.Target, I.Component);
    break;
  case ItemKind::Die:
    if (Error E = emitDie(I.Die, I.Id))
      return E;
    Got = I.Id;
    break;
  }
  if (Got != I.Id || L.typeCount() != I.Id + 1)
    return dieError(I.Die, "internal error: type IDs out of order");
  return Error::success();
}

Error CUConverter::emitDie(const DWARFDie &D, uint32_t Id) {
  Attrs A;
  readAttrs(D, A);
  switch (D.getTag()) {
  case dwarf::DW_TAG_base_type:
    return visitBaseType(D, A);
  case dwarf::DW_TAG_pointer_type:
  case dwarf::DW_TAG_reference_type:
  case dwarf::DW_TAG_rvalue_reference_type:
    return visitPointer(D, A, Id);
  case dwarf::DW_TAG_const_type:
    R.Types->addRef(BTF::BTF_KIND_CONST, "", typeOf(D, A[AType]));
    return Error::success();
  case dwarf::DW_TAG_volatile_type:
    R.Types->addRef(BTF::BTF_KIND_VOLATILE, "", typeOf(D, A[AType]));
    return Error::success();
  case dwarf::DW_TAG_restrict_type:
    R.Types->addRef(BTF::BTF_KIND_RESTRICT, "", typeOf(D, A[AType]));
    return Error::success();
  case dwarf::DW_TAG_typedef:
    return visitTypedef(D, A, Id);
  case dwarf::DW_TAG_structure_type:
  case dwarf::DW_TAG_union_type:
  case dwarf::DW_TAG_class_type:
    return visitStruct(D, A, Id);
  case dwarf::DW_TAG_enumeration_type:
    return visitEnum(D, A);
  case dwarf::DW_TAG_array_type:
    R.NeedIndexType = true;
    R.Types->addArray(typeOf(D, A[AType]), IndexTypePlaceholder,
                      uint32_t(arrayElements(D)));
    return Error::success();
  case dwarf::DW_TAG_subroutine_type:
    return visitSubroutineType(D, A);
  default:
    return dieError(D, "unsupported DWARF tag " + dwarf::TagString(D.getTag()));
  }
}

Error CUConverter::visitBaseType(const DWARFDie &D, const Attrs &A) {
  BTFObject &L = *R.Types;
  // Names of types are taken by .debug_str offset (see nameStr), read only
  // by the kinds that have one.
  auto Name = [&]() { return nameStr(D, A[AName], /*Strict=*/true); };

  uint64_t ByteSize = formUInt(A[AByteSize]);
  uint64_t Enc = formUInt(A[AEncoding]);
  bool IsFloat = Enc == dwarf::DW_ATE_float ||
                 Enc == dwarf::DW_ATE_complex_float ||
                 Enc == dwarf::DW_ATE_imaginary_float;
  uint32_t BTFEnc = 0;
  if (Enc == dwarf::DW_ATE_signed || Enc == dwarf::DW_ATE_signed_char)
    BTFEnc = BTF::INT_SIGNED;
  else if (Enc == dwarf::DW_ATE_boolean)
    BTFEnc = BTF::INT_BOOL;
  else if (IsFloat && F.Float) {
    if (Enc == dwarf::DW_ATE_float) {
      L.addType({Name(), makeInfo(BTF::BTF_KIND_FLOAT, 0), uint32_t(ByteSize)});
      return Error::success();
    }
    if (!F.EncodeForce)
      return dieError(D, "complex and imaginary float types are not "
                         "supported in BTF ('" +
                             ownName(D) + "')");
    ByteSize = 0; // sanitized below
  }
  // DWARF 5 DW_ATE_[un]signed_<N> helper types of odd sizes: pahole
  // replaces them with a fake 4-byte int.
  if (ByteSize == 0 || (ByteSize & (ByteSize - 1)) || ByteSize > 16) {
    L.addInt("__SANITIZED_FAKE_INT__", 4, BTFEnc, 32);
    return Error::success();
  }
  L.addType({Name(), makeInfo(BTF::BTF_KIND_INT, 0), uint32_t(ByteSize),
             (BTFEnc & 0xf) << 24 | uint32_t(ByteSize * 8)});
  return Error::success();
}

Error CUConverter::visitPointer(const DWARFDie &D, const Attrs &A,
                                uint32_t Id) {
  BTFObject &L = *R.Types;
  // From 1.30 the chain was numbered before the pointer.
  if (auto It = TaggedPointers.find(Id); It != TaggedPointers.end()) {
    L.addRef(BTF::BTF_KIND_PTR, "", It->second);
    return Error::success();
  }

  SmallVector<StringRef, 2> Tags;
  if (F.TypeTag)
    collectAnnotations(D, "btf_type_tag", Tags);
  if (Tags.empty()) {
    L.addRef(BTF::BTF_KIND_PTR, "", typeOf(D, A[AType]));
    return Error::success();
  }
  // pahole chains the tags in reverse DWARF order:
  // PTR -> TYPE_TAG(last) -> ... -> TYPE_TAG(first) -> pointee.
  uint32_t Pointee = typeOf(D, A[AType]);
  uint32_t First = NextId;
  for (size_t K = 0; K < Tags.size(); ++K) {
    uint32_t Next = K + 1 < Tags.size() ? First + K + 1 : Pointee;
    reserve({ItemKind::TypeTag, 0, D, Tags[Tags.size() - 1 - K], Next});
  }
  L.addRef(BTF::BTF_KIND_PTR, "", First);
  return Error::success();
}

Error CUConverter::visitTypedef(const DWARFDie &D, const Attrs &A,
                                uint32_t Id) {
  BTFObject &L = *R.Types;
  // Names of types are taken by .debug_str offset (see nameStr), read only
  // by the kinds that have one.
  auto Name = [&]() { return nameStr(D, A[AName], /*Strict=*/true); };

  uint32_t NameOff = Name();
  L.addType({NameOff, makeInfo(BTF::BTF_KIND_TYPEDEF, 0), typeOf(D, A[AType])});
  if (modern())
    addTypeDeclTagsModern(D, Id);
  else
    addDeclTags(D, Id, -1);
  return Error::success();
}

Error CUConverter::visitStruct(const DWARFDie &D, const Attrs &A, uint32_t Id) {
  BTFObject &L = *R.Types;
  // Names of types are taken by .debug_str offset (see nameStr), read only
  // by the kinds that have one.
  auto Name = [&]() { return nameStr(D, A[AName], /*Strict=*/true); };

  bool IsUnion = D.getTag() == dwarf::DW_TAG_union_type;
  if (A[ADeclaration]) {
    L.addType({Name(), makeInfo(BTF::BTF_KIND_FWD, 0, IsUnion), 0});
    return Error::success();
  }
  std::vector<uint32_t> W;
  bool HasBitfield = false;
  uint32_t Vlen = 0;
  SmallVector<DWARFDie, 32> Members;
  for (DWARFDie M : D.children())
    if (M.getTag() == dwarf::DW_TAG_member)
      Members.push_back(M);
  if (Members.size() > BTF::MAX_VLEN)
    return dieError(D, "too many members for BTF");
  W.resize(3 + Members.size() * 3);
  // Each member's DW_AT_type, resolved after the layout.
  SmallVector<std::optional<DWARFFormValue>, 32> MemberTypes;
  Attrs MA;
  for (DWARFDie M : Members) {
    readAttrs(M, MA);
    uint32_t BitfieldSize = formUInt(MA[ABitSize]);
    uint64_t BitOffset;
    if (std::optional<int64_t> DBO = formInt(MA[ADataBitOffset])) {
      BitOffset = *DBO;
    } else {
      BitOffset = memberLocation(MA[AMemberLocation]) * 8;
      if (BitfieldSize) {
        // DWARF 2-4 DW_AT_bit_offset counts from the MSB of the storage
        // unit; turn it into an offset from the struct start.
        int64_t Legacy = formInt(MA[ABitOffset]).value_or(0);
        uint64_t StorageSize = formUInt(MA[AByteSize]);
        if (!StorageSize)
          StorageSize = typeSize(stripTypedefsAndModifiers(
              M.getAttributeValueAsReferencedDie(dwarf::DW_AT_type)));
        if (EC.Obj.isLittleEndian())
          BitOffset += int64_t(StorageSize * 8) - Legacy - BitfieldSize;
        else
          BitOffset += Legacy;
      }
    }
    if (BitfieldSize)
      HasBitfield = true;
    uint32_t *MW = &W[3 + Vlen * 3];
    MW[0] = nameStr(M, MA[AName], /*Strict=*/false);
    MemberTypes.push_back(MA[AType] ? std::optional(*MA[AType]) : std::nullopt);
    MW[1] = BitfieldSize;        // patched below
    MW[2] = uint32_t(BitOffset); // patched below
    ++Vlen;
  }
  // Member types are resolved after the layout so that reserving IDs does
  // not disturb the vector above.
  for (uint32_t K = 0; K < Vlen; ++K) {
    uint32_t *MW = &W[3 + K * 3];
    uint32_t BitfieldSize = MW[1];
    uint32_t BitOffset = MW[2];
    MW[1] = MemberTypes[K] ? typeOf(Members[K], *MemberTypes[K]) : 0;
    MW[2] =
        HasBitfield ? (BitfieldSize << 24 | (BitOffset & 0xffffff)) : BitOffset;
  }
  W[0] = Name();
  W[1] = makeInfo(IsUnion ? BTF::BTF_KIND_UNION : BTF::BTF_KIND_STRUCT, Vlen,
                  HasBitfield);
  W[2] = formUInt(A[AByteSize]);
  L.addType(W);
  if (modern()) {
    addTypeDeclTagsModern(D, Id);
    return Error::success();
  }
  addDeclTags(D, Id, -1);
  for (uint32_t K = 0; K < Vlen; ++K)
    addDeclTags(Members[K], Id, K);
  return Error::success();
}

Error CUConverter::visitEnum(const DWARFDie &D, const Attrs &A) {
  BTFObject &L = *R.Types;
  // Names of types are taken by .debug_str offset (see nameStr), read only
  // by the kinds that have one.
  auto Name = [&]() { return nameStr(D, A[AName], /*Strict=*/true); };

  uint64_t Size = formUInt(A[AByteSize]);
  if (!Size)
    Size = 4;
  bool IsSigned = false;
  if (DWARFDie T = A[AType] ? D.getAttributeValueAsReferencedDie(*A[AType])
                            : DWARFDie()) {
    uint64_t Enc = attrUInt(T, dwarf::DW_AT_encoding);
    IsSigned = Enc == dwarf::DW_ATE_signed || Enc == dwarf::DW_ATE_signed_char;
  }
  bool Is64 = Size > 4 && F.Enum64;
  std::vector<uint32_t> W(3);
  uint32_t Vlen = 0;
  bool Negative = false;
  Attrs EA;
  for (DWARFDie E : D.children()) {
    if (E.getTag() != dwarf::DW_TAG_enumerator)
      continue;
    readAttrs(E, EA);
    int64_t V = formInt(EA[AConstValue]).value_or(0);
    W.push_back(nameStr(E, EA[AName], /*Strict=*/false));
    if (Is64) {
      W.push_back(uint32_t(uint64_t(V)));
      W.push_back(uint32_t(uint64_t(V) >> 32));
    } else {
      if (F.Enum64 && V < 0)
        Negative = true;
      W.push_back(uint32_t(V));
    }
    ++Vlen;
  }
  if (Vlen > BTF::MAX_VLEN)
    return dieError(D, "too many enumerators for BTF");
  W[0] = Name();
  W[1] = Is64 ? makeInfo(BTF::BTF_KIND_ENUM64, Vlen, IsSigned)
              : makeInfo(BTF::BTF_KIND_ENUM, Vlen, Negative);
  W[2] = Size;
  L.addType(W);
  return Error::success();
}

Error CUConverter::visitSubroutineType(const DWARFDie &D, const Attrs &A) {
  SmallVector<DWARFDie, 8> Params;
  bool Varargs = formalParameters(D, Params);
  std::vector<uint32_t> W;
  Attrs PA;
  for (DWARFDie P : Params) {
    readAttrs(P, PA);
    W.push_back(nameStr(P, PA[AName], /*Strict=*/false));
    W.push_back(typeOf(P, PA[AType]));
  }
  // The return type after the parameters': the order in which IDs are
  // reserved is pahole's.
  if (Error E = makeProto(D, typeOf(D, A[AType]), Varargs, W))
    return E;
  R.Types->addType(W);
  return Error::success();
}

bool CUConverter::formalParameters(const DWARFDie &D,
                                   SmallVectorImpl<DWARFDie> &Params) {
  bool Varargs = false;
  for (DWARFDie P : D.children()) {
    if (P.getTag() == dwarf::DW_TAG_formal_parameter)
      Params.push_back(P);
    else if (P.getTag() == dwarf::DW_TAG_unspecified_parameters)
      Varargs = true;
  }
  return Varargs;
}

Error CUConverter::makeProto(const DWARFDie &D, uint32_t RetType, bool Varargs,
                             std::vector<uint32_t> &W) {
  if (Varargs) {
    W.push_back(0);
    W.push_back(0);
  }
  size_t Vlen = W.size() / 2;
  if (Vlen > BTF::MAX_VLEN)
    return dieError(D, "too many parameters for BTF");
  W.insert(W.begin(),
           {0, makeInfo(BTF::BTF_KIND_FUNC_PROTO, uint32_t(Vlen)), RetType});
  return Error::success();
}

Error CUConverter::visitFunction(const DWARFDie &D) {
  if (modern())
    return visitFunctionSaved(D);
  if (D.find(dwarf::DW_AT_declaration))
    return Error::success();
  StringRef Name = dieName(D);
  if (Name.empty())
    return Error::success();
  // Every parameter needs a name (pahole's has_arg_names), taken through
  // DW_AT_abstract_origin as pahole's recode does.
  SmallVector<DWARFDie, 8> Params;
  bool Varargs = formalParameters(D, Params);
  for (DWARFDie P : Params)
    if (dieName(P).empty())
      return Error::success();
  if (EC.Syms.HasSymtab) {
    if (!EC.Syms.FunctionNames.contains(Name))
      return Error::success();
  } else if (!D.find(dwarf::DW_AT_external)) {
    return Error::success();
  }
  FuncCandidate C;
  C.NameOff = str(Name);
  std::vector<uint32_t> &W = C.ProtoWords;
  for (DWARFDie P : Params) {
    W.push_back(str(dieName(P)));
    // A parameter of a concrete instance takes its type from its origin.
    W.push_back(typeOf(typeHolder(P)));
  }
  // The return type of a concrete out-of-line instance (clang emits it
  // before the abstract DIE, with no DW_AT_type) is its origin's, as pahole
  // resolves it (cu__resolve_func_ret_types_optimized).
  if (Error E = makeProto(D, typeOf(typeHolder(D)), Varargs, W))
    return E;
  if (F.DeclTag)
    collectFuncDeclTags(D, Params, C.Tags);
  R.Funcs.push_back(std::move(C));
  return Error::success();
}

/// The btf_decl_tag annotations of function \p D (component -1) and of its
/// parameters \p Params (component = parameter index).
void CUConverter::collectFuncDeclTags(const DWARFDie &D,
                                      ArrayRef<DWARFDie> Params,
                                      std::vector<DeclTagInfo> &Tags) {
  SmallVector<StringRef, 4> Values;
  collectAnnotations(D, "btf_decl_tag", Values);
  for (StringRef V : Values)
    Tags.push_back({str(V), -1});
  for (size_t K = 0; K < Params.size(); ++K) {
    Values.clear();
    collectAnnotations(Params[K], "btf_decl_tag", Values);
    for (StringRef V : Values)
      Tags.push_back({str(V), int32_t(K)});
  }
}

/// The address in DW_AT_location when it starts with DW_OP_addr/addrx, and
/// for relocatable files the index of the section it points into.
std::optional<std::pair<uint64_t, std::optional<uint64_t>>>
CUConverter::variableAddress(const DWARFDie &D) {
  std::optional<DWARFFormValue> V = D.find(dwarf::DW_AT_location);
  if (!V)
    return std::nullopt;
  std::optional<ArrayRef<uint8_t>> B = V->getAsBlock();
  if (!B || B->empty())
    return std::nullopt;
  uint8_t AddrSize = U.getAddressByteSize();
  if ((*B)[0] == dwarf::DW_OP_addr) {
    if (B->size() < 1u + AddrSize)
      return std::nullopt;
    uint64_t Raw = 0;
    for (unsigned K = 0; K < AddrSize; ++K) {
      unsigned Idx = EC.Obj.isLittleEndian() ? K : AddrSize - 1 - K;
      Raw |= uint64_t((*B)[1 + Idx]) << (8 * K);
    }
    if (!EC.Syms.IsRelocatable)
      return std::make_pair(Raw, std::optional<uint64_t>());
    // Relocatable file: the value is in the RELA entry for these bytes.
    const DWARFSection &Info = U.getInfoSection();
    const uint8_t *Start = reinterpret_cast<const uint8_t *>(Info.Data.data());
    if (B->data() < Start || B->data() >= Start + Info.Data.size())
      return std::nullopt;
    uint64_t Pos = (B->data() - Start) + 1;
    std::optional<RelocAddrEntry> E = EC.DICtx.getDWARFObj().find(Info, Pos);
    if (!E)
      return std::make_pair(Raw, std::optional<uint64_t>());
    uint64_t Value =
        object::resolveRelocation(E->Resolver, E->Reloc, E->SymbolValue, Raw);
    return std::make_pair(Value, std::optional<uint64_t>(E->SectionIndex));
  }
  if ((*B)[0] == dwarf::DW_OP_addrx || (*B)[0] == dwarf::DW_OP_GNU_addr_index) {
    uint64_t Index = 0;
    unsigned Shift = 0;
    for (size_t K = 1; K < B->size() && Shift < 64; ++K, Shift += 7) {
      Index |= uint64_t((*B)[K] & 0x7f) << Shift;
      if (!((*B)[K] & 0x80))
        break;
    }
    std::optional<object::SectionedAddress> A =
        U.getAddrOffsetSectionItem(Index);
    if (!A)
      return std::nullopt;
    std::optional<uint64_t> Sec;
    if (EC.Syms.IsRelocatable &&
        A->SectionIndex != object::SectionedAddress::UndefSection)
      Sec = A->SectionIndex;
    return std::make_pair(A->Address, Sec);
  }
  return std::nullopt;
}

Error CUConverter::visitVariable(const DWARFDie &D) {
  if (modern())
    return visitVariableModern(D);
  const ELFSymbols &S = EC.Syms;
  if (!F.Var || !S.PercpuIndex || D.find(dwarf::DW_AT_declaration))
    return Error::success();
  auto AddrOrNone = variableAddress(D);
  if (!AddrOrNone)
    return Error::success();
  auto [Addr, SecIndex] = *AddrOrNone;
  uint64_t Offset;
  if (S.IsRelocatable) {
    if (!SecIndex || *SecIndex != *S.PercpuIndex)
      return Error::success();
    Offset = Addr;
  } else {
    if (Addr < S.PercpuAddr || Addr >= S.PercpuAddr + S.PercpuSize)
      return Error::success();
    Offset = Addr - S.PercpuAddr;
  }
  const PercpuSymbol *Sym = S.percpuAt(Offset);
  if (!Sym)
    return Error::success();
  // Many special variables sit at address 0 too: the DWARF name must be the
  // symbol's.
  StringRef Name = dieName(D);
  if (Name != Sym->Name)
    return Error::success();
  DWARFDie Decl = D;
  if (DWARFDie Spec =
          D.getAttributeValueAsReferencedDie(dwarf::DW_AT_specification))
    Decl = Spec;
  DWARFDie T = Decl.getAttributeValueAsReferencedDie(dwarf::DW_AT_type);
  if (!T) {
    if (F.EncodeForce)
      return Error::success();
    return dieError(D, "per-CPU variable '" + Name + "' has void type");
  }
  if (typeSize(T) == 0)
    return Error::success();
  VarCandidate C;
  C.NameOff = str(Name);
  C.Type = typeId(T);
  C.Linkage = Decl.find(dwarf::DW_AT_external) ? BTF::VAR_GLOBAL_ALLOCATED
                                               : BTF::VAR_STATIC;
  C.Offset = uint32_t(Offset);
  C.Size = Sym->Size;
  if (F.DeclTag) {
    SmallVector<StringRef, 4> Values;
    collectAnnotations(D, "btf_decl_tag", Values);
    if (Decl != D)
      collectAnnotations(Decl, "btf_decl_tag", Values);
    for (StringRef V : Values)
      C.Tags.push_back({str(V), -1});
  }
  R.Vars.push_back(std::move(C));
  return Error::success();
}

Error CUConverter::run() {
  MalformedSlot = &Malformed;
  scope_exit ClearSlot([] { MalformedSlot = nullptr; });
  DWARFDie CUDie = U.getUnitDIE(false);
  if (!CUDie) {
    R.Skipped = true;
    return Error::success();
  }
  // Hostile input: a unit of an unknown type, or whose first DIE is not a
  // unit DIE, is not something to take types from.
  if (U.getVersion() >= 5 && (U.getUnitType() < dwarf::DW_UT_compile ||
                              U.getUnitType() > dwarf::DW_UT_split_type))
    return dieError(
        CUDie, formatv("unknown unit type {0:x2}", unsigned(U.getUnitType())));
  if (CUDie.getTag() != dwarf::DW_TAG_compile_unit &&
      CUDie.getTag() != dwarf::DW_TAG_partial_unit &&
      CUDie.getTag() != dwarf::DW_TAG_type_unit &&
      CUDie.getTag() != dwarf::DW_TAG_skeleton_unit)
    return dieError(
        CUDie,
        formatv("the unit's first DIE is {0}, not a "
                "compile unit",
                dwarf::TagString(CUDie.getTag()).empty()
                    ? formatv("tag {0:x}", unsigned(CUDie.getTag())).str()
                    : dwarf::TagString(CUDie.getTag()).str()));
  // Over the whole unit in DIE order: types may sit inside functions and
  // lexical blocks; functions and variables count only at the top level.
  prepareUnitTables();
  if (modern())
    if (Error E = numberTypes())
      return E;
  auto Visit = [&](const DWARFDie &D, bool TopLevel) -> Error {
    dwarf::Tag T = D.getTag();
    if (isTypeTag(T)) {
      uint32_t Id = typeId(D);
      if (T == dwarf::DW_TAG_base_type && !R.IntId && ownName(D) == "int")
        R.IntId = Id;
    } else if (TopLevel && T == dwarf::DW_TAG_subprogram) {
      if (Error E = visitFunction(D))
        return E;
    } else if (TopLevel && T == dwarf::DW_TAG_variable) {
      if (Error E = visitVariable(D))
        return E;
    }
    return drain();
  };
  if (Error E = walkUnitDIEs(U, Visit, [](const DWARFDie &) {}))
    return E;
  if (Error E = drain())
    return E;
  if (modern())
    finishFunctionStates();
  return Error::success();
}
