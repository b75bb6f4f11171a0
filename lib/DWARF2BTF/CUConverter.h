//===- CUConverter.h - One compile unit's DWARF as BTF ----------*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The per-unit converter (pahole's btf_encoder__encode_cu): every type DIE of
/// one compile unit becomes one BTF type with unit-local IDs and strings, in
/// a CUResult that the Merger appends, in unit order, to the output. One
/// visit function per DWARF kind; functions and per-CPU variables become
/// candidates (FuncCandidate, VarCandidate) that the merger selects.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_DWARF2BTF_CUCONVERTER_H
#define LLVM_BTF_SPLIT_LIB_DWARF2BTF_CUCONVERTER_H

#include "BTF/BTFObject.h"
#include "DWARF2BTF/DIEUtils.h"
#include "DWARF2BTF/DWARFToBTF.h"
#include "DWARF2BTF/ELFFunctions.h"
#include "DWARF2BTF/ELFSymbols.h"
#include "DWARF2BTF/ParamLocations.h"
#include "Support/Errors.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/DebugInfo/DWARF/DWARFAbbreviationDeclaration.h"
#include "llvm/DebugInfo/DWARF/DWARFContext.h"
#include "llvm/DebugInfo/DWARF/DWARFDataExtractor.h"
#include "llvm/DebugInfo/DWARF/DWARFDie.h"
#include "llvm/DebugInfo/DWARF/DWARFUnit.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/FormatVariadic.h"
#include <array>
#include <deque>
#include <memory>
#include <vector>

namespace btfsplit {

/// Marker for "the array index type" in a unit's local BTF; resolved at merge.
constexpr uint32_t IndexTypePlaceholder = 0xffffffff;

/// A name offset with this bit set in a unit's local BTF is not in the
/// unit's string table: the other bits are the offset of the name in the
/// unit's string section (.debug_str), translated at merge. Member,
/// parameter and enumerator names repeat in every unit that includes the
/// same header; this way a unit neither measures, hashes nor stores them,
/// and the merge reads each once per chunk.
constexpr uint32_t DebugStrTag = 0x80000000;

struct DeclTagInfo {
  uint32_t ValueOff; // in the unit's string table
  int32_t Component;
};

struct FuncCandidate {
  uint32_t NameOff;                 // local string offset
  std::vector<uint32_t> ProtoWords; // FUNC_PROTO with local refs/strings
  std::vector<DeclTagInfo> Tags;
  // From pahole 1.30 (see FunctionStates.h):
  int32_t Elf = -1;           // entry of the ELF function table
  bool PrefixMatched = false; // found by 1.30's prefix search
  bool UnexpectedReg = false;
  /// Parameters: DIE offset, own unexpected-register flag; resolved with
  /// the unit's abstract-origin flags at its end (finishFunctionStates).
  llvm::SmallVector<std::pair<uint64_t, bool>, 6> RegParams;
  bool HasStructParam = false;
};

struct VarCandidate {
  uint32_t Section = 0; // from 1.30: the ELF section index
  uint32_t NameOff;
  uint32_t Type; // local
  uint32_t Linkage;
  uint32_t Offset;
  uint32_t Size;
  std::vector<DeclTagInfo> Tags;
};

/// What one unit contributes, with unit-local type IDs (1-based) and string
/// offsets.
struct CUResult {
  std::unique_ptr<BTFObject> Types;
  /// The string section that names tagged with DebugStrTag refer to.
  llvm::StringRef DebugStr;
  uint32_t IntId = 0; // first base type named "int", local ID
  bool NeedIndexType = false;
  std::vector<FuncCandidate> Funcs;
  std::vector<VarCandidate> Vars;
  /// From 1.30: the DECL_TAGs of the unit's structs, unions and typedefs
  /// (Target: local type ID), added after the unit's types and its index
  /// type, in type order (pahole's btf_encoder__encode_cu).
  std::vector<std::pair<uint32_t, DeclTagInfo>> TypeDeclTags;
  llvm::Error Err = llvm::Error::success();
  bool Skipped = false;
};

struct EncodeContext {
  const llvm::object::ObjectFile &Obj;
  llvm::StringRef FileName;
  const llvm::DWARFContext &DICtx;
  const ELFSymbols &Syms;
  const EncoderOptions &Opts;
  /// Offset in .debug_info of the section slice the context reads.
  uint64_t InfoBase = 0;
  /// From pahole 1.30: the ELF function table and the register ABI.
  const ELFFunctionTable *Funcs = nullptr;
  RegisterParams Regs;
};

class CUConverter {
public:
  CUConverter(const EncodeContext &EC, llvm::DWARFUnit &U, CUResult &R)
      : EC(EC), F(EC.Opts.Features), U(U), R(R) {
    R.Types = std::make_unique<BTFObject>();
  }

  llvm::Error run();

private:
  enum class ItemKind { Die, TypeTag, DeclTag };
  struct Item {
    ItemKind Kind;
    uint32_t Id;
    llvm::DWARFDie Die;    // Die: the type; TypeTag: the pointer
    llvm::StringRef Value; // TypeTag / DeclTag value
    uint32_t Target = 0;   // TypeTag: next in chain; DeclTag: tagged type
    int32_t Component = -1;
    /// TypeTag from 1.30: the chain's end, whose target is the pointee of
    /// the pointer \p Die (known when the item is emitted).
    bool TargetIsPointee = false;
  };

  uint32_t typeId(llvm::DWARFDie D, unsigned Depth = 0);
  uint32_t typeOf(const llvm::DWARFDie &D) {
    std::optional<llvm::DWARFFormValue> V = D.find(llvm::dwarf::DW_AT_type);
    return V ? typeOf(D, *V) : 0;
  }
  /// The type ID of \p D's DW_AT_type \p V.
  uint32_t typeOf(const llvm::DWARFDie &D, const llvm::DWARFFormValue &V) {
    llvm::DWARFDie T = referencedDie(D, V);
    if (!T)
      noteMalformed(
          D, llvm::formatv("DW_AT_type does not refer to a DIE of the "
                           "file (form {0})",
                           llvm::dwarf::FormEncodingString(V.getForm())));
    return typeId(T);
  }
  uint32_t typeOf(const llvm::DWARFDie &D, const llvm::DWARFFormValue *V) {
    return V ? typeOf(D, *V) : 0;
  }
  /// The DIE that \p V, an attribute of \p D, refers to; a reference into
  /// the unit through the table of DIE offsets (see UnitTables).
  llvm::DWARFDie referencedDie(const llvm::DWARFDie &D,
                               const llvm::DWARFFormValue &V) {
    // A relative reference is into the DIE's own unit, which is another one
    // for an attribute read through a cross-unit abstract origin.
    if (std::optional<uint64_t> Rel = V.getAsRelativeReference())
      if (*Rel < T.IndexByOffset.size() && UnitTablesReady &&
          D.getDwarfUnit() == &U) {
        uint32_t Index = T.IndexByOffset[*Rel];
        if (Index < NumDIEs) {
          llvm::DWARFDie Found = U.getDIEAtIndex(Index);
          if (Found.getOffset() == U.getOffset() + *Rel)
            return Found;
        }
      }
    return D.getAttributeValueAsReferencedDie(V);
  }
  /// The slot of \p D's type ID + 1 (0: none yet).
  uint32_t &idSlot(const llvm::DWARFDie &D) {
    if (!UnitTablesReady || D.getDwarfUnit() != &U)
      return ForeignIds[D.getOffset()];
    IdEntry &E = T.IdByIndex[U.getDIEIndex(D)];
    if (E.Gen != T.Gen)
      E = {T.Gen, 0};
    return E.Id;
  }
  void prepareUnitTables();

  /// The attributes of a DIE that the converter reads, decoded in one pass
  /// over its abbreviation: DWARFDie::find walks the abbreviation again for
  /// each attribute. The first of repeated attributes counts, as for find.
  enum DieAttr {
    AName,
    AType,
    AByteSize,
    AEncoding,
    ADeclaration,
    ABitSize,
    ADataBitOffset,
    ABitOffset,
    AMemberLocation,
    AConstValue,
    NumDieAttrs
  };
  struct Attrs {
    std::array<llvm::DWARFFormValue, NumDieAttrs> V;
    unsigned Present = 0;
    const llvm::DWARFFormValue *operator[](DieAttr A) const {
      return Present >> A & 1 ? &V[A] : nullptr;
    }
  };
  void readAttrs(const llvm::DWARFDie &D, Attrs &Out);
  /// The DieAttr of \p Attr, or -1 for an attribute readAttrs does not want.
  static int dieAttrIndex(llvm::dwarf::Attribute Attr);
  /// Where readAttrs finds the attributes of a DIE of each abbreviation of
  /// the unit, by position in its set: when all the wanted ones sit at fixed
  /// offsets (State Fixed), PlanEntries[Begin, Begin + Count) give them.
  struct PlanEntry {
    uint32_t Offset; // from the end of the abbreviation code
    llvm::dwarf::Form Form;
    uint8_t Index; // DieAttr
    bool Implicit;
    int64_t Value; // DW_FORM_implicit_const
  };
  struct Plan {
    enum : uint8_t { Unbuilt, Fixed, Variable } State = Unbuilt;
    uint8_t Count = 0;
    uint32_t Begin = 0;
  };
  std::vector<Plan> Plans;
  std::vector<PlanEntry> PlanEntries;
  const Plan &planFor(const llvm::DWARFAbbreviationDeclaration &Abbrev);
  uint32_t reserve(Item I) {
    I.Id = NextId++;
    Queue.push_back(I);
    return I.Id;
  }
  llvm::Error drain();
  llvm::Error emit(const Item &I);
  llvm::Error emitDie(const llvm::DWARFDie &D, uint32_t Id);
  // One per kind of type DIE; \p A holds the DIE's attributes, \p Id its
  // type ID (for the DECL_TAGs that point at it).
  llvm::Error visitBaseType(const llvm::DWARFDie &D, const Attrs &A);
  llvm::Error visitPointer(const llvm::DWARFDie &D, const Attrs &A,
                           uint32_t Id);
  llvm::Error visitTypedef(const llvm::DWARFDie &D, const Attrs &A,
                           uint32_t Id);
  llvm::Error visitStruct(const llvm::DWARFDie &D, const Attrs &A, uint32_t Id);
  llvm::Error visitEnum(const llvm::DWARFDie &D, const Attrs &A);
  llvm::Error visitSubroutineType(const llvm::DWARFDie &D, const Attrs &A);
  /// The DW_TAG_formal_parameter children of \p D in \p Params; whether it
  /// has DW_TAG_unspecified_parameters (varargs).
  static bool formalParameters(const llvm::DWARFDie &D,
                               llvm::SmallVectorImpl<llvm::DWARFDie> &Params);
  /// The FUNC_PROTO of \p D, for a subroutine type or a function: \p W holds
  /// the (name, type) pairs of the parameters and becomes the type's words.
  llvm::Error makeProto(const llvm::DWARFDie &D, uint32_t RetType, bool Varargs,
                        std::vector<uint32_t> &W);
  void addDeclTags(const llvm::DWARFDie &Owner, uint32_t Target,
                   int32_t Component);
  void collectAnnotations(const llvm::DWARFDie &D, llvm::StringRef Kind,
                          llvm::SmallVectorImpl<llvm::StringRef> &Out);
  void collectFuncDeclTags(const llvm::DWARFDie &D,
                           llvm::ArrayRef<llvm::DWARFDie> Params,
                           std::vector<DeclTagInfo> &Tags);
  llvm::Error visitFunction(const llvm::DWARFDie &D);
  llvm::Error visitVariable(const llvm::DWARFDie &D);
  // From pahole 1.30 (CUConverterModern.cpp).
  bool modern() const { return EC.Opts.Level != PaholeLevel::V1_24; }
  llvm::Error numberTypes();
  void numberTaggedPointer(const llvm::DWARFDie &D);
  void addTypeDeclTagsModern(const llvm::DWARFDie &D, uint32_t Id);
  /// From 1.30: pointer type ID -> the ID of the last TYPE_TAG of its chain,
  /// numbered before the pointer (numberTaggedPointer).
  llvm::DenseMap<uint32_t, uint32_t> TaggedPointers;
  llvm::Error visitFunctionSaved(const llvm::DWARFDie &D);
  void finishFunctionStates();
  llvm::Error visitVariableModern(const llvm::DWARFDie &D);
  std::optional<std::pair<uint64_t, std::optional<uint64_t>>>
  variableAddress(const llvm::DWARFDie &D);
  llvm::Error dieError(const llvm::DWARFDie &D, const llvm::Twine &Msg) {
    return llvm::createFileError(
        EC.FileName, makeError("DIE 0x{0:x-8}: {1}",
                               EC.InfoBase + D.getOffset(), Msg.str()));
  }
  uint32_t str(llvm::StringRef S) { return R.Types->addString(S); }
  /// str() of the name \p V (DW_AT_name of \p D), remembered by
  /// string-section offset: names repeat, and each lookup costs a strlen and
  /// a hash. With \p Strict, a name that does not decode makes the unit an
  /// error (as for the names of types); otherwise it reads as "".
  uint32_t nameStr(const llvm::DWARFDie &D, const llvm::DWARFFormValue *V,
                   bool Strict) {
    if (!V)
      return 0;
    // A DW_FORM_strp name is its offset: nothing to remember.
    if (V->getForm() == llvm::dwarf::DW_FORM_strp)
      if (std::optional<uint32_t> Tagged = debugStrRef(*V))
        return *Tagged;
    uint64_t Key;
    switch (V->getForm()) {
    case llvm::dwarf::DW_FORM_strp:
      Key = V->getRawUValue();
      break;
    case llvm::dwarf::DW_FORM_line_strp:
      Key = V->getRawUValue() | 1ull << 63;
      break;
    case llvm::dwarf::DW_FORM_strx:
    case llvm::dwarf::DW_FORM_strx1:
    case llvm::dwarf::DW_FORM_strx2:
    case llvm::dwarf::DW_FORM_strx3:
    case llvm::dwarf::DW_FORM_strx4:
      Key = V->getRawUValue() | 1ull << 62;
      break;
    default:
      Key = UINT64_MAX;
      break;
    }
    if (Key != UINT64_MAX) {
      auto It = NameCache.find(Key);
      if (It != NameCache.end())
        return It->second;
    }
    if (std::optional<uint32_t> Tagged = debugStrRef(*V)) {
      NameCache.try_emplace(Key, *Tagged);
      return *Tagged;
    }
    llvm::StringRef S;
    if (llvm::Expected<const char *> CS = V->getAsCString())
      S = *CS;
    else if (Strict)
      noteMalformed(D, "DW_AT_name: " + llvm::toString(CS.takeError()));
    else
      llvm::consumeError(CS.takeError());
    uint32_t Off = str(S);
    if (Key != UINT64_MAX)
      NameCache.try_emplace(Key, Off);
    return Off;
  }

  /// DebugStrTag | the offset in .debug_str of the string of \p V, when it
  /// is there (DW_FORM_strp, DW_FORM_strx*) and the offset is inside the
  /// section and fits in 31 bits.
  std::optional<uint32_t> debugStrRef(const llvm::DWARFFormValue &V) {
    uint64_t Off;
    switch (V.getForm()) {
    case llvm::dwarf::DW_FORM_strp:
      Off = V.getRawUValue();
      break;
    case llvm::dwarf::DW_FORM_strx:
    case llvm::dwarf::DW_FORM_strx1:
    case llvm::dwarf::DW_FORM_strx2:
    case llvm::dwarf::DW_FORM_strx3:
    case llvm::dwarf::DW_FORM_strx4: {
      llvm::Expected<uint64_t> OffOrErr =
          U.getStringOffsetSectionItem(V.getRawUValue());
      if (!OffOrErr) {
        llvm::consumeError(OffOrErr.takeError());
        return std::nullopt;
      }
      Off = *OffOrErr;
      break;
    }
    default:
      return std::nullopt;
    }
    // A string that runs to the end of the section without a NUL reads as
    // "" (as LLVM's getAsCString fails on it): the merge handles that.
    llvm::StringRef Sec = U.getStringSection();
    if (Off >= DebugStrTag || Off >= Sec.size())
      return std::nullopt;
    R.DebugStr = Sec;
    return DebugStrTag | uint32_t(Off);
  }

  const EncodeContext &EC;
  const BTFFeatures &F;
  llvm::DWARFUnit &U;
  CUResult &R;
  llvm::DWARFDataExtractor Info{U.getDebugInfoExtractor()};
  /// Per thread, reused from unit to unit: the type ID + 1 of each DIE of
  /// the unit by DIE index, valid where its Gen is the table's; and the DIE
  /// index at each DIE's offset in the unit, checked against the DIE found
  /// there (other entries are stale). Flat tables: a hash map lookup per
  /// type reference and a binary search per new type cost more.
  struct IdEntry {
    uint32_t Gen, Id;
  };
  struct UnitTables {
    std::vector<IdEntry> IdByIndex;
    std::vector<uint32_t> IndexByOffset;
    uint32_t Gen = 0;
  };
  static UnitTables &threadTables() {
    static thread_local UnitTables Tables;
    return Tables;
  }
  UnitTables &T = threadTables();
  bool UnitTablesReady = false;
  uint32_t NumDIEs = 0;
  /// The unit's abbreviations include DW_TAG_LLVM_annotation: without one,
  /// none of its DIEs has a btf_type_tag or btf_decl_tag to collect.
  bool UnitHasAnnotations = true;
  bool mayHaveAnnotations(const llvm::DWARFDie &D) const {
    return UnitHasAnnotations || D.getDwarfUnit() != &U;
  }
  /// IDs of DIEs of other units (DW_FORM_ref_addr) or of a unit too large
  /// for the tables.
  llvm::DenseMap<uint64_t, uint32_t> ForeignIds;
  llvm::DenseMap<uint64_t, uint32_t> NameCache;
  std::deque<Item> Queue;
  /// From 1.30: abstract-origin parameters that a concrete instance passes
  /// in an unexpected register (pahole shares the flag with the origin).
  llvm::DenseSet<uint64_t> UnexpectedOrigins;
  std::string Malformed; // see MalformedSlot
  uint32_t NextId = 1;
};

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_DWARF2BTF_CUCONVERTER_H
