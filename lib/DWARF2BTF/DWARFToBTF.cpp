//===- DWARFToBTF.cpp - Encode the DWARF of an ELF file as BTF ------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Encoder flow (pahole 1.24's btf_encoder__encode_cu, per compile unit):
///  1. Every type DIE of the unit becomes one BTF type (a pointer with
///     btf_type_tag annotations becomes PTR plus a TYPE_TAG chain; atomic and
///     unspecified types are transparent). IDs are local to the unit.
///  2. Arrays index an 'int' of the unit, else the first 'int' of an earlier
///     unit, else an '__ARRAY_SIZE_TYPE__' added after the unit's types.
///  3. Functions that pass the DWARF checks and match an ELF STT_FUNC symbol
///     are candidates; at merge time only the first of each name (in unit
///     order) becomes FUNC_PROTO + FUNC.
///  4. Per-CPU variables become VAR; one '.data..percpu' DATASEC closes the
///     object.
/// Units are converted in parallel, each into its own BTFObject, and merged
/// in unit order: the output does not depend on the thread count.
///
//===----------------------------------------------------------------------===//

#include "DWARF2BTF/DWARFToBTF.h"
#include "BTF/Prefault.h"
#include "DWARF2BTF/ELFSymbols.h"
#include "DWARF2BTF/RelocatedDWARF.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/DebugInfo/DWARF/DWARFAbbreviationDeclaration.h"
#include "llvm/DebugInfo/DWARF/DWARFContext.h"
#include "llvm/DebugInfo/DWARF/DWARFDebugAbbrev.h"
#include "llvm/DebugInfo/DWARF/DWARFDie.h"
#include "llvm/DebugInfo/DWARF/DWARFFormValue.h"
#include "llvm/DebugInfo/DWARF/DWARFObject.h"
#include "llvm/DebugInfo/DWARF/DWARFUnit.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/RelocationResolver.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/LEB128.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include <algorithm>
#include <array>
#include <deque>
#include <utility>
#ifdef __linux__
#include <sys/mman.h>
#endif
#include <fstream>
#include <mutex>

using namespace llvm;
using namespace llvm::object;
using namespace btfsplit;

//===----------------------------------------------------------------------===//
// Features
//===----------------------------------------------------------------------===//

static bool setFeature(BTFFeatures &F, StringRef Name, bool On) {
  if (Name == "encode_force")
    F.EncodeForce = On;
  else if (Name == "var")
    F.Var = On;
  else if (Name == "float")
    F.Float = On;
  else if (Name == "decl_tag")
    F.DeclTag = On;
  else if (Name == "type_tag")
    F.TypeTag = On;
  else if (Name == "enum64")
    F.Enum64 = On;
  else
    return false;
  return true;
}

/// Features of current pahole that change which functions are encoded or
/// add kinds this encoder does not produce yet.
static bool isUnimplementedFeature(StringRef Name) {
  return Name == "optimized_func" || Name == "consistent_func" ||
         Name == "decl_tag_kfuncs" || Name == "global_var" ||
         Name == "distilled_base" || Name == "attributes" ||
         Name == "true_signature" || Name == "layout";
}

Error btfsplit::parseBTFFeatures(StringRef List, BTFFeatures &F, bool Strict) {
  BTFFeatures None;
  None.EncodeForce = None.Var = None.Float = None.DeclTag = None.TypeTag =
      None.Enum64 = false;
  BTFFeatures Result = None;
  SmallVector<StringRef, 16> Names;
  List.split(Names, ',', -1, /*KeepEmpty=*/false);
  for (StringRef Name : Names) {
    Name = Name.trim();
    if (Name == "default" || Name == "all") {
      BTFFeatures Defaults;
      Result = Defaults;
      continue;
    }
    if (Name.consume_front("+")) {
      BTFFeatures Defaults;
      if (!setFeature(Defaults, Name, true) && !isUnimplementedFeature(Name) &&
          Strict)
        return createStringError(errc::invalid_argument,
                                 "unknown BTF feature '%s'",
                                 Name.str().c_str());
      Result = Defaults;
    }
    if (isUnimplementedFeature(Name))
      return createStringError(errc::function_not_supported,
                               "BTF feature '%s' is not implemented",
                               Name.str().c_str());
    if (!setFeature(Result, Name, true) && Strict)
      return createStringError(errc::invalid_argument,
                               "unknown BTF feature '%s'", Name.str().c_str());
  }
  F = Result;
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Helpers on DIEs
//===----------------------------------------------------------------------===//

/// An integer attribute as pahole's attr_numeric() reads it: DW_FORM_sdata
/// sign-extended, the fixed-size data forms zero-extended.
static std::optional<int64_t> formInt(const DWARFFormValue &V) {
  switch (V.getForm()) {
  case dwarf::DW_FORM_sdata:
  case dwarf::DW_FORM_implicit_const:
    return V.getAsSignedConstant();
  default:
    if (std::optional<uint64_t> U = V.getAsUnsignedConstant())
      return static_cast<int64_t>(*U);
    return std::nullopt;
  }
}

/// formInt of an attribute that may be absent (null).
static std::optional<int64_t> formInt(const DWARFFormValue *V) {
  return V ? formInt(*V) : std::nullopt;
}

/// formInt as unsigned; 0 when absent or not a constant.
static uint64_t formUInt(const DWARFFormValue *V) {
  std::optional<int64_t> I = formInt(V);
  return I ? static_cast<uint64_t>(*I) : 0;
}

static uint64_t attrUInt(const DWARFDie &D, dwarf::Attribute A) {
  std::optional<DWARFFormValue> V = D.find(A);
  return formUInt(V ? &*V : nullptr);
}

static StringRef dieName(const DWARFDie &D) {
  if (const char *N = D.getShortName())
    return N;
  return {};
}

/// Where the unit converter running on this thread records the first
/// malformed DIE it meets in a helper that cannot return an Error (hostile
/// input: a name that does not decode, a reference that does not resolve).
static thread_local std::string *MalformedSlot = nullptr;

static void noteMalformed(const DWARFDie &D, const Twine &Msg) {
  if (MalformedSlot && MalformedSlot->empty())
    *MalformedSlot = formatv("DIE {0:x8}: {1}", D.getOffset(), Msg.str());
}

/// The DIE's own DW_AT_name, not through specification/abstract origin.
static StringRef ownName(const DWARFDie &D) {
  if (std::optional<DWARFFormValue> V = D.find(dwarf::DW_AT_name)) {
    if (Expected<const char *> S = V->getAsCString())
      return *S;
    else
      noteMalformed(D, "DW_AT_name: " + toString(S.takeError()));
  }
  return {};
}

static bool isTypeTag(dwarf::Tag T) {
  switch (T) {
  case dwarf::DW_TAG_base_type:
  case dwarf::DW_TAG_pointer_type:
  case dwarf::DW_TAG_reference_type:
  case dwarf::DW_TAG_rvalue_reference_type:
  case dwarf::DW_TAG_const_type:
  case dwarf::DW_TAG_volatile_type:
  case dwarf::DW_TAG_restrict_type:
  case dwarf::DW_TAG_atomic_type:
  case dwarf::DW_TAG_typedef:
  case dwarf::DW_TAG_structure_type:
  case dwarf::DW_TAG_union_type:
  case dwarf::DW_TAG_class_type:
  case dwarf::DW_TAG_enumeration_type:
  case dwarf::DW_TAG_array_type:
  case dwarf::DW_TAG_subroutine_type:
  case dwarf::DW_TAG_unspecified_type:
    return true;
  default:
    return false;
  }
}

/// Number of elements of an array DIE: the product of its dimensions, as
/// pahole 1.24 encodes multi-dimensional arrays as one flat ARRAY.
static uint64_t arrayElements(const DWARFDie &D) {
  uint64_t N = 1;
  bool Any = false;
  for (DWARFDie C : D.children()) {
    if (C.getTag() != dwarf::DW_TAG_subrange_type)
      continue;
    Any = true;
    uint64_t Dim = 0;
    if (std::optional<DWARFFormValue> V = C.find(dwarf::DW_AT_upper_bound)) {
      if (std::optional<int64_t> U = formInt(*V))
        Dim = static_cast<uint64_t>(*U) + 1;
    } else if (std::optional<DWARFFormValue> V = C.find(dwarf::DW_AT_count)) {
      if (std::optional<int64_t> U = formInt(*V))
        Dim = static_cast<uint64_t>(*U);
    }
    N *= Dim;
  }
  return Any ? N : 0;
}

/// How far typedef/qualifier/array chains are followed for a size (pahole
/// recurses without a bound; a chain this long only comes from a cycle in
/// hostile DWARF, which dedup then reports as a reference loop).
constexpr unsigned MaxTypeChain = 1024;

/// Byte size of the type \p D as pahole's tag__size() computes it.
static uint64_t typeSize(DWARFDie D, unsigned Depth = 0) {
  if (!D || Depth > MaxTypeChain)
    return 0;
  switch (D.getTag()) {
  case dwarf::DW_TAG_pointer_type:
  case dwarf::DW_TAG_reference_type:
  case dwarf::DW_TAG_rvalue_reference_type:
    return D.getDwarfUnit()->getAddressByteSize();
  case dwarf::DW_TAG_typedef:
  case dwarf::DW_TAG_const_type:
  case dwarf::DW_TAG_volatile_type:
  case dwarf::DW_TAG_restrict_type:
  case dwarf::DW_TAG_atomic_type:
    return typeSize(D.getAttributeValueAsReferencedDie(dwarf::DW_AT_type),
                    Depth + 1);
  case dwarf::DW_TAG_array_type:
    return arrayElements(D) *
           typeSize(D.getAttributeValueAsReferencedDie(dwarf::DW_AT_type),
                    Depth + 1);
  default:
    return attrUInt(D, dwarf::DW_AT_byte_size);
  }
}

/// The type under typedefs and qualifiers (pahole's
/// tag__strip_typedefs_and_modifiers), for the size of a bitfield's storage.
static DWARFDie stripTypedefsAndModifiers(DWARFDie D) {
  for (unsigned I = 0; D && I < MaxTypeChain; ++I) {
    switch (D.getTag()) {
    case dwarf::DW_TAG_typedef:
    case dwarf::DW_TAG_const_type:
    case dwarf::DW_TAG_volatile_type:
    case dwarf::DW_TAG_restrict_type:
    case dwarf::DW_TAG_atomic_type:
      D = D.getAttributeValueAsReferencedDie(dwarf::DW_AT_type);
      continue;
    default:
      return D;
    }
  }
  return D;
}

/// DW_AT_data_member_location as a constant or a DW_OP_plus_uconst /
/// DW_OP_constu expression.
static uint64_t memberLocation(const DWARFFormValue *V) {
  if (!V)
    return 0;
  if (std::optional<int64_t> C = formInt(*V))
    return *C;
  if (std::optional<ArrayRef<uint8_t>> B = V->getAsBlock()) {
    if (B->size() < 2 ||
        ((*B)[0] != dwarf::DW_OP_plus_uconst && (*B)[0] != dwarf::DW_OP_constu))
      return 0;
    uint64_t Val = 0;
    unsigned Shift = 0;
    for (size_t I = 1; I < B->size() && Shift < 64; ++I, Shift += 7) {
      Val |= uint64_t((*B)[I] & 0x7f) << Shift;
      if (!((*B)[I] & 0x80))
        break;
    }
    return Val;
  }
  return 0;
}

namespace {

//===----------------------------------------------------------------------===//
// Per-CU conversion
//===----------------------------------------------------------------------===//

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
};

struct VarCandidate {
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
  StringRef DebugStr;
  uint32_t IntId = 0; // first base type named "int", local ID
  bool NeedIndexType = false;
  std::vector<FuncCandidate> Funcs;
  std::vector<VarCandidate> Vars;
  Error Err = Error::success();
  bool Skipped = false;
};

struct EncodeContext {
  const ObjectFile &Obj;
  StringRef FileName;
  const DWARFContext &DICtx;
  const ELFSymbols &Syms;
  const EncoderOptions &Opts;
  /// Offset in .debug_info of the section slice the context reads.
  uint64_t InfoBase = 0;
};

class CUConverter {
public:
  CUConverter(const EncodeContext &EC, DWARFUnit &U, CUResult &R)
      : EC(EC), F(EC.Opts.Features), U(U), R(R) {
    R.Types = std::make_unique<BTFObject>();
  }

  Error run();

private:
  enum class ItemKind { Die, TypeTag, DeclTag };
  struct Item {
    ItemKind Kind;
    uint32_t Id;
    DWARFDie Die;        // Die: the type; TypeTag: the pointer
    StringRef Value;     // TypeTag / DeclTag value
    uint32_t Target = 0; // TypeTag: next in chain; DeclTag: tagged type
    int32_t Component = -1;
  };

  uint32_t typeId(DWARFDie D, unsigned Depth = 0);
  uint32_t typeOf(const DWARFDie &D) {
    std::optional<DWARFFormValue> V = D.find(dwarf::DW_AT_type);
    return V ? typeOf(D, *V) : 0;
  }
  /// The type ID of \p D's DW_AT_type \p V.
  uint32_t typeOf(const DWARFDie &D, const DWARFFormValue &V) {
    DWARFDie T = referencedDie(D, V);
    if (!T)
      noteMalformed(D, formatv("DW_AT_type does not refer to a DIE of the "
                               "file (form {0})",
                               dwarf::FormEncodingString(V.getForm())));
    return typeId(T);
  }
  uint32_t typeOf(const DWARFDie &D, const DWARFFormValue *V) {
    return V ? typeOf(D, *V) : 0;
  }
  /// The DIE that \p V, an attribute of \p D, refers to; a reference into
  /// the unit through the table of DIE offsets (see UnitTables).
  DWARFDie referencedDie(const DWARFDie &D, const DWARFFormValue &V) {
    if (std::optional<uint64_t> Rel = V.getAsRelativeReference())
      if (*Rel < T.IndexByOffset.size() && UnitTablesReady) {
        uint32_t Index = T.IndexByOffset[*Rel];
        if (Index < NumDIEs) {
          DWARFDie Found = U.getDIEAtIndex(Index);
          if (Found.getOffset() == U.getOffset() + *Rel)
            return Found;
        }
      }
    return D.getAttributeValueAsReferencedDie(V);
  }
  /// The slot of \p D's type ID + 1 (0: none yet).
  uint32_t &idSlot(const DWARFDie &D) {
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
    std::array<DWARFFormValue, NumDieAttrs> V;
    unsigned Present = 0;
    const DWARFFormValue *operator[](DieAttr A) const {
      return Present >> A & 1 ? &V[A] : nullptr;
    }
  };
  void readAttrs(const DWARFDie &D, Attrs &Out);
  /// The DieAttr of \p Attr, or -1 for an attribute readAttrs does not want.
  static int dieAttrIndex(dwarf::Attribute Attr);
  /// Where readAttrs finds the attributes of a DIE of each abbreviation of
  /// the unit, by position in its set: when all the wanted ones sit at fixed
  /// offsets (State Fixed), PlanEntries[Begin, Begin + Count) give them.
  struct PlanEntry {
    uint32_t Offset; // from the end of the abbreviation code
    dwarf::Form Form;
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
  const Plan &planFor(const DWARFAbbreviationDeclaration &Abbrev);
  uint32_t reserve(Item I) {
    I.Id = NextId++;
    Queue.push_back(I);
    return I.Id;
  }
  Error drain();
  Error emit(const Item &I);
  Error emitDie(const DWARFDie &D, uint32_t Id);
  void addDeclTags(const DWARFDie &Owner, uint32_t Target, int32_t Component);
  void collectAnnotations(const DWARFDie &D, StringRef Kind,
                          SmallVectorImpl<StringRef> &Out);
  Error visitFunction(const DWARFDie &D);
  Error visitVariable(const DWARFDie &D);
  std::optional<std::pair<uint64_t, std::optional<uint64_t>>>
  variableAddress(const DWARFDie &D);
  Error dieError(const DWARFDie &D, const Twine &Msg) {
    return createStringError(errc::invalid_argument,
                             "%s: DIE 0x%08" PRIx64 ": %s",
                             EC.FileName.str().c_str(),
                             EC.InfoBase + D.getOffset(), Msg.str().c_str());
  }
  uint32_t str(StringRef S) { return R.Types->addString(S); }
  /// str() of the name \p V (DW_AT_name of \p D), remembered by
  /// string-section offset: names repeat, and each lookup costs a strlen and
  /// a hash. With \p Strict, a name that does not decode makes the unit an
  /// error (as for the names of types); otherwise it reads as "".
  uint32_t nameStr(const DWARFDie &D, const DWARFFormValue *V, bool Strict) {
    if (!V)
      return 0;
    // A DW_FORM_strp name is its offset: nothing to remember.
    if (V->getForm() == dwarf::DW_FORM_strp)
      if (std::optional<uint32_t> Tagged = debugStrRef(*V))
        return *Tagged;
    uint64_t Key;
    switch (V->getForm()) {
    case dwarf::DW_FORM_strp:
      Key = V->getRawUValue();
      break;
    case dwarf::DW_FORM_line_strp:
      Key = V->getRawUValue() | 1ull << 63;
      break;
    case dwarf::DW_FORM_strx:
    case dwarf::DW_FORM_strx1:
    case dwarf::DW_FORM_strx2:
    case dwarf::DW_FORM_strx3:
    case dwarf::DW_FORM_strx4:
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
    StringRef S;
    if (Expected<const char *> CS = V->getAsCString())
      S = *CS;
    else if (Strict)
      noteMalformed(D, "DW_AT_name: " + toString(CS.takeError()));
    else
      consumeError(CS.takeError());
    uint32_t Off = str(S);
    if (Key != UINT64_MAX)
      NameCache.try_emplace(Key, Off);
    return Off;
  }

  /// DebugStrTag | the offset in .debug_str of the string of \p V, when it
  /// is there (DW_FORM_strp, DW_FORM_strx*) and the offset is inside the
  /// section and fits in 31 bits.
  std::optional<uint32_t> debugStrRef(const DWARFFormValue &V) {
    uint64_t Off;
    switch (V.getForm()) {
    case dwarf::DW_FORM_strp:
      Off = V.getRawUValue();
      break;
    case dwarf::DW_FORM_strx:
    case dwarf::DW_FORM_strx1:
    case dwarf::DW_FORM_strx2:
    case dwarf::DW_FORM_strx3:
    case dwarf::DW_FORM_strx4: {
      Expected<uint64_t> OffOrErr =
          U.getStringOffsetSectionItem(V.getRawUValue());
      if (!OffOrErr) {
        consumeError(OffOrErr.takeError());
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
    StringRef Sec = U.getStringSection();
    if (Off >= DebugStrTag || Off >= Sec.size())
      return std::nullopt;
    R.DebugStr = Sec;
    return DebugStrTag | uint32_t(Off);
  }

  const EncodeContext &EC;
  const BTFFeatures &F;
  DWARFUnit &U;
  CUResult &R;
  DWARFDataExtractor Info{U.getDebugInfoExtractor()};
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
  /// IDs of DIEs of other units (DW_FORM_ref_addr) or of a unit too large
  /// for the tables.
  DenseMap<uint64_t, uint32_t> ForeignIds;
  DenseMap<uint64_t, uint32_t> NameCache;
  std::deque<Item> Queue;
  std::string Malformed; // see MalformedSlot
  uint32_t NextId = 1;
};

} // namespace

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
  if (!D.hasChildren())
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
    return createStringError(errc::invalid_argument, "%s: %s",
                             EC.FileName.str().c_str(), Malformed.c_str());
  return Error::success();
}

Error CUConverter::emit(const Item &I) {
  BTFObject &L = *R.Types;
  uint32_t Got = 0;
  switch (I.Kind) {
  case ItemKind::TypeTag:
    Got = L.addRef(BTF::BTF_KIND_TYPE_TAG, I.Value, I.Target);
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
  BTFObject &L = *R.Types;
  Attrs A;
  readAttrs(D, A);
  // Names of types are taken by .debug_str offset (see nameStr), read only
  // by the kinds that have one.
  auto Name = [&]() { return nameStr(D, A[AName], /*Strict=*/true); };
  switch (D.getTag()) {
  case dwarf::DW_TAG_base_type: {
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
        L.addType(
            {Name(), makeInfo(BTF::BTF_KIND_FLOAT, 0), uint32_t(ByteSize)});
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
  case dwarf::DW_TAG_pointer_type:
  case dwarf::DW_TAG_reference_type:
  case dwarf::DW_TAG_rvalue_reference_type: {
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
  case dwarf::DW_TAG_const_type:
    L.addRef(BTF::BTF_KIND_CONST, "", typeOf(D, A[AType]));
    return Error::success();
  case dwarf::DW_TAG_volatile_type:
    L.addRef(BTF::BTF_KIND_VOLATILE, "", typeOf(D, A[AType]));
    return Error::success();
  case dwarf::DW_TAG_restrict_type:
    L.addRef(BTF::BTF_KIND_RESTRICT, "", typeOf(D, A[AType]));
    return Error::success();
  case dwarf::DW_TAG_typedef: {
    uint32_t NameOff = Name();
    L.addType(
        {NameOff, makeInfo(BTF::BTF_KIND_TYPEDEF, 0), typeOf(D, A[AType])});
    addDeclTags(D, Id, -1);
    return Error::success();
  }
  case dwarf::DW_TAG_structure_type:
  case dwarf::DW_TAG_union_type:
  case dwarf::DW_TAG_class_type: {
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
    if (Members.size() > MaxVlen)
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
      MemberTypes.push_back(MA[AType] ? std::optional(*MA[AType])
                                      : std::nullopt);
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
      MW[2] = HasBitfield ? (BitfieldSize << 24 | (BitOffset & 0xffffff))
                          : BitOffset;
    }
    W[0] = Name();
    W[1] = makeInfo(IsUnion ? BTF::BTF_KIND_UNION : BTF::BTF_KIND_STRUCT, Vlen,
                    HasBitfield);
    W[2] = formUInt(A[AByteSize]);
    L.addType(W);
    addDeclTags(D, Id, -1);
    for (uint32_t K = 0; K < Vlen; ++K)
      addDeclTags(Members[K], Id, K);
    return Error::success();
  }
  case dwarf::DW_TAG_enumeration_type: {
    uint64_t Size = formUInt(A[AByteSize]);
    if (!Size)
      Size = 4;
    bool IsSigned = false;
    if (DWARFDie T = A[AType] ? D.getAttributeValueAsReferencedDie(*A[AType])
                              : DWARFDie()) {
      uint64_t Enc = attrUInt(T, dwarf::DW_AT_encoding);
      IsSigned =
          Enc == dwarf::DW_ATE_signed || Enc == dwarf::DW_ATE_signed_char;
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
    if (Vlen > MaxVlen)
      return dieError(D, "too many enumerators for BTF");
    W[0] = Name();
    W[1] = Is64 ? makeInfo(BTF::BTF_KIND_ENUM64, Vlen, IsSigned)
                : makeInfo(BTF::BTF_KIND_ENUM, Vlen, Negative);
    W[2] = Size;
    L.addType(W);
    return Error::success();
  }
  case dwarf::DW_TAG_array_type: {
    uint64_t N = arrayElements(D);
    R.NeedIndexType = true;
    L.addArray(typeOf(D, A[AType]), IndexTypePlaceholder, uint32_t(N));
    return Error::success();
  }
  case dwarf::DW_TAG_subroutine_type: {
    std::vector<uint32_t> W(3);
    uint32_t Vlen = 0;
    SmallVector<DWARFDie, 8> Params;
    bool Varargs = false;
    for (DWARFDie P : D.children()) {
      if (P.getTag() == dwarf::DW_TAG_formal_parameter)
        Params.push_back(P);
      else if (P.getTag() == dwarf::DW_TAG_unspecified_parameters)
        Varargs = true;
    }
    Attrs PA;
    for (DWARFDie P : Params) {
      readAttrs(P, PA);
      W.push_back(nameStr(P, PA[AName], /*Strict=*/false));
      W.push_back(typeOf(P, PA[AType]));
      ++Vlen;
    }
    if (Varargs) {
      W.push_back(0);
      W.push_back(0);
      ++Vlen;
    }
    if (Vlen > MaxVlen)
      return dieError(D, "too many parameters for BTF");
    W[0] = 0;
    W[1] = makeInfo(BTF::BTF_KIND_FUNC_PROTO, Vlen);
    W[2] = typeOf(D, A[AType]);
    L.addType(W);
    return Error::success();
  }
  default:
    return dieError(D, "unsupported DWARF tag " + dwarf::TagString(D.getTag()));
  }
}

Error CUConverter::visitFunction(const DWARFDie &D) {
  if (D.find(dwarf::DW_AT_declaration))
    return Error::success();
  StringRef Name = dieName(D);
  if (Name.empty())
    return Error::success();
  // Every parameter needs a name (pahole's has_arg_names), taken through
  // DW_AT_abstract_origin as pahole's recode does.
  SmallVector<DWARFDie, 8> Params;
  bool Varargs = false;
  for (DWARFDie P : D.children()) {
    if (P.getTag() == dwarf::DW_TAG_formal_parameter) {
      if (dieName(P).empty())
        return Error::success();
      Params.push_back(P);
    } else if (P.getTag() == dwarf::DW_TAG_unspecified_parameters) {
      Varargs = true;
    }
  }
  if (EC.Syms.HasSymtab) {
    if (!EC.Syms.FunctionNames.contains(Name))
      return Error::success();
  } else if (!D.find(dwarf::DW_AT_external)) {
    return Error::success();
  }
  FuncCandidate C;
  C.NameOff = str(Name);
  std::vector<uint32_t> &W = C.ProtoWords;
  W.resize(3);
  uint32_t Vlen = 0;
  for (DWARFDie P : Params) {
    W.push_back(str(dieName(P)));
    // A parameter of a concrete instance takes its type from its abstract
    // origin when it has none.
    DWARFDie T = P.getAttributeValueAsReferencedDie(dwarf::DW_AT_type);
    if (!T)
      if (DWARFDie O =
              P.getAttributeValueAsReferencedDie(dwarf::DW_AT_abstract_origin))
        T = O.getAttributeValueAsReferencedDie(dwarf::DW_AT_type);
    W.push_back(typeId(T));
    ++Vlen;
  }
  if (Varargs) {
    W.push_back(0);
    W.push_back(0);
    ++Vlen;
  }
  if (Vlen > MaxVlen)
    return dieError(D, "too many parameters for BTF");
  W[0] = 0;
  W[1] = makeInfo(BTF::BTF_KIND_FUNC_PROTO, Vlen);
  // pahole 1.24 reads the return type from the DIE itself: a concrete
  // out-of-line instance (DW_AT_abstract_origin, no DW_AT_type) returns void.
  W[2] = typeOf(D);
  if (F.DeclTag) {
    SmallVector<StringRef, 4> Values;
    collectAnnotations(D, "btf_decl_tag", Values);
    for (StringRef V : Values)
      C.Tags.push_back({str(V), -1});
    for (size_t K = 0; K < Params.size(); ++K) {
      Values.clear();
      collectAnnotations(Params[K], "btf_decl_tag", Values);
      for (StringRef V : Values)
        C.Tags.push_back({str(V), int32_t(K)});
    }
  }
  R.Funcs.push_back(std::move(C));
  return Error::success();
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
  // Depth-first over the whole unit: types may sit inside functions and
  // lexical blocks; functions and variables count only at the top level.
  // Every DIE is visited once; more visits than the unit has DIEs means a
  // malformed tree whose sibling chain loops (hostile input).
  prepareUnitTables();
  size_t Visits = 0, MaxVisits = NumDIEs;
  SmallVector<DWARFDie, 64> Stack;
  for (DWARFDie C : CUDie.children()) {
    if (Stack.size() > MaxVisits)
      return dieError(CUDie, "malformed DIE tree: a DIE is reached twice");
    Stack.push_back(C);
  }
  std::reverse(Stack.begin(), Stack.end());
  while (!Stack.empty()) {
    DWARFDie D = Stack.pop_back_val();
    if (++Visits > MaxVisits)
      return dieError(D, "malformed DIE tree: a DIE is reached twice");
    dwarf::Tag T = D.getTag();
    bool TopLevel = D.getParent() == CUDie;
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
    if (Error E = drain())
      return E;
    if (D.hasChildren() && T != dwarf::DW_TAG_enumeration_type) {
      size_t Mark = Stack.size();
      for (DWARFDie C : D.children()) {
        if (Stack.size() > MaxVisits)
          return dieError(D, "malformed DIE tree: a DIE is reached twice");
        Stack.push_back(C);
      }
      std::reverse(Stack.begin() + Mark, Stack.end());
    }
  }
  return drain();
}

//===----------------------------------------------------------------------===//
// Merge
//===----------------------------------------------------------------------===//

/// The string at \p Off of a .debug_str section; "" when no NUL ends it (as
/// LLVM's getAsCString fails on it).
static StringRef debugStrAt(StringRef Sec, uint32_t Off) {
  StringRef S = Sec.substr(Off);
  size_t Nul = S.find('\0');
  return Nul == StringRef::npos ? StringRef() : S.take_front(Nul);
}

namespace {
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

  /// Send the following units to \p Chunk, an empty base BTFObject.
  void startChunk(BTFObject &Chunk) {
    Cur = &Chunk;
    CurIndexId = 0;
    DebugStrIds.clear();
  }
  Error merge(CUResult &R);
  /// The offset in the current target of the string at \p Off in \p Sec
  /// (a name tagged DebugStrTag; "" when no NUL ends it).
  uint32_t debugStr(StringRef Sec, uint32_t Off);
  /// Close \p Out (the output, holding every unit's types): the per-CPU
  /// DATASEC over the VARs of \p Out, which are those merge() made, in
  /// order.
  Error finish(BTFObject &Out);

private:
  BTFObject *Cur;
  /// The array index type: found (an 'int' of a unit, or the
  /// '__ARRAY_SIZE_TYPE__' added after a unit), its words and name, and its
  /// ID in the current target (0: not there yet).
  bool HasIndexType = false;
  std::vector<uint32_t> IndexWords;
  std::string IndexName;
  uint32_t CurIndexId = 0;
  StringSet<> Generated;
  /// .debug_str offset -> offset in the current target, for DebugStrTag.
  DenseMap<uint32_t, uint32_t> DebugStrIds;
  StringRef DebugStrSec;
  struct SecInfo {
    uint32_t Type, Offset, Size;
  };
  std::vector<SecInfo> Percpu;
};
} // namespace

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
    IndexName = "__ARRAY_SIZE_TYPE__";
    uint32_t Got = Out.addInt(IndexName, 4, 0, 32);
    (void)Got;
    assert(Got == IndexId && "index type lands after the unit's types");
    ArrayRef<uint32_t> IW = Out.typeWords(Got);
    IndexWords.assign(IW.begin(), IW.end());
    HasIndexType = true;
  }
  if (NewIndexType && HasIndexType)
    CurIndexId = IndexId;
  for (FuncCandidate &C : R.Funcs) {
    StringRef Name = L.str(C.NameOff);
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
    Percpu.push_back({0, C.Offset, C.Size});
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

/// Append the types of base BTF \p Chunk to \p Out.
static void appendChunk(BTFObject &Out, const BTFObject &Chunk) {
  uint32_t Base = Out.typeCount() - 1;
  StrXlat Xlat(Chunk, Out);
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
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

/// Whether [\p Begin, \p End) lies in one read-only mapping of a file, whose
/// pages may be dropped and refault from the file.
static bool isReadOnlyFileMapping(uintptr_t Begin, uintptr_t End) {
#ifdef __linux__
  std::ifstream Maps("/proc/self/maps");
  std::string Line;
  while (std::getline(Maps, Line)) {
    // start-end perms offset dev inode [path]
    StringRef L(Line);
    auto [Range, Rest] = L.split(' ');
    auto [Lo, Hi] = Range.split('-');
    uint64_t MapBegin, MapEnd;
    if (Lo.getAsInteger(16, MapBegin) || Hi.getAsInteger(16, MapEnd))
      continue;
    if (Begin < MapBegin || End > MapEnd)
      continue;
    SmallVector<StringRef, 6> Fields;
    Rest.split(Fields, ' ', 4, /*KeepEmpty=*/false);
    uint64_t Inode = 0;
    return Fields.size() >= 4 && Fields[0].starts_with("r-") &&
           !Fields[3].getAsInteger(10, Inode) && Inode != 0;
  }
#endif
  (void)Begin;
  (void)End;
  return false;
}

/// Whether the abbreviation set at \p Off uses a form that refers to DIEs of
/// other units (DW_FORM_ref_addr, DW_FORM_GNU_ref_alt). A malformed set
/// says no: the DWARF parser reports it.
static bool abbrevSetRefersToOtherUnits(const DataExtractor &Data,
                                        uint64_t Off) {
  DataExtractor::Cursor C(Off);
  while (C && Data.isValidOffset(C.tell())) {
    if (Data.getULEB128(C) == 0) // the set's end
      break;
    Data.getULEB128(C); // tag
    Data.getU8(C);      // children
    while (C) {
      uint64_t Attr = Data.getULEB128(C);
      uint64_t Form = Data.getULEB128(C);
      if (Attr == 0 && Form == 0)
        break;
      if (Form == dwarf::DW_FORM_ref_addr ||
          Form == dwarf::DW_FORM_GNU_ref_alt) {
        consumeError(C.takeError());
        return true;
      }
      if (Form == dwarf::DW_FORM_implicit_const)
        Data.getSLEB128(C);
    }
  }
  consumeError(C.takeError());
  return false;
}

namespace {
/// Drops the pages of mapped DWARF sections that the encoder has read, so
/// that they stop counting in the resident set: vmlinux's .debug_info is as
/// large as everything else together. Only for read-only file mappings, from
/// which the pages refault when read again.
class PageReleaser {
public:
  explicit PageReleaser(StringRef Data) {
#ifdef __linux__
    Page = sys::Process::getPageSizeEstimate();
    Base = reinterpret_cast<uintptr_t>(Data.data());
    uintptr_t E = Base + Data.size();
    Begin = alignTo(Base, Page);
    End = E & ~(Page - 1);
    if (Begin >= End || !isReadOnlyFileMapping(Base, E))
      Begin = End = 0;
#else
    (void)Data;
#endif
  }
  void release() { releaseRange(Begin, End); }
  /// Only the whole pages of bytes [Offset, Offset + Size) of the data.
  void release(uint64_t Offset, uint64_t Size) {
    if (Begin < End)
      releaseRange(std::max(Begin, alignTo(Base + Offset, Page)),
                   std::min(End, (Base + Offset + Size) & ~(Page - 1)));
  }

private:
  void releaseRange(uintptr_t B, uintptr_t E) {
#ifdef __linux__
    if (B < E)
      ::madvise(reinterpret_cast<void *>(B), E - B, MADV_DONTNEED);
#else
    (void)B;
    (void)E;
#endif
  }

  uintptr_t Page = 1, Base = 0, Begin = 0, End = 0;
};
} // namespace

/// pahole's language names: the DW_LANG_ constant without its prefix, in
/// lower case ("rust", "c89", "c_plus_plus_14", ...).
static Expected<SmallVector<unsigned, 4>>
resolveLanguages(ArrayRef<std::string> Names, StringRef FileName) {
  SmallVector<unsigned, 4> Out;
  for (const std::string &N : Names) {
    bool Found = false;
    for (unsigned L = 0; L < 0x10000 && !Found; ++L) {
      StringRef S = dwarf::LanguageString(L);
      if (S.consume_front("DW_LANG_") && S.equals_insensitive(N)) {
        Out.push_back(L);
        Found = true;
      }
      if (L == 0x100)
        L = 0x7fff; // jump to the vendor range
    }
    if (!Found)
      return createStringError(errc::invalid_argument,
                               "unknown language '%s' in --lang-exclude",
                               N.c_str());
  }
  (void)FileName;
  return Out;
}

/// LLVM's DIE extraction reads out of bounds when an attribute's length (a
/// block, a form read through DW_FORM_indirect) jumps past the end of
/// .debug_info (DataExtractor::getULEB128 then walks memory; llvm-dwarfdump
/// crashes the same way). Walk the unit's attribute encodings first, bounded
/// by the unit's end, so that such input is an error; what LLVM reports
/// itself (a missing abbreviation) is left to it.
/// \p InfoBase is added to offsets in messages (units read from a slice of
/// .debug_info).
static Error checkUnitBounds(DWARFUnit &U, StringRef FileName,
                             uint64_t InfoBase = 0) {
  const DWARFAbbreviationDeclarationSet *Abbrevs = U.getAbbreviations();
  if (!Abbrevs)
    return Error::success();
  DWARFDataExtractor Data = U.getDebugInfoExtractor();
  uint64_t End =
      std::min<uint64_t>(U.getNextUnitOffset(), Data.getData().size());
  uint64_t Off = U.getOffset() + U.getHeaderSize();
  dwarf::FormParams Params = U.getFormParams();
  auto Fail = [&](uint64_t DieOff) {
    return createStringError(errc::invalid_argument,
                             "%s: DIE 0x%08" PRIx64 ": an attribute runs past "
                             "the end of its unit (0x%08" PRIx64 ")",
                             FileName.str().c_str(), InfoBase + DieOff,
                             InfoBase + End);
  };
  // The size of each abbreviation's attributes when they are all of fixed
  // size, by code (-1: variable or no such code): most DIEs are skipped by a
  // table lookup.
  SmallVector<int64_t, 256> FixedSize;
  uint32_t FirstCode = Abbrevs->getFirstAbbrCode();
  if (FirstCode != UINT32_MAX)
    for (const DWARFAbbreviationDeclaration &A : *Abbrevs) {
      std::optional<size_t> Size = A.getFixedAttributesByteSize(U);
      FixedSize.push_back(Size ? int64_t(*Size) : -1);
    }
  const uint8_t *Bytes = Data.getData().bytes_begin();
  while (Off < End) {
    uint64_t DieOff = Off;
    // The abbreviation code, a ULEB128 that must end inside the unit
    // (decoded as DataExtractor::getULEB128 does, without its overhead).
    unsigned Len = 0;
    const char *LEBErr = nullptr;
    uint64_t Code = decodeULEB128(Bytes + Off, &Len, Bytes + End, &LEBErr);
    if (LEBErr)
      return Fail(DieOff);
    Off += Len;
    if (!Code)
      continue;
    // Most DIEs have only fixed-size attributes: skip them at once.
    uint64_t Index = Code - FirstCode;
    if (Code >= FirstCode && Index < FixedSize.size() &&
        FixedSize[Index] >= 0) {
      if (uint64_t(FixedSize[Index]) > End - Off)
        return Fail(DieOff);
      Off += FixedSize[Index];
      continue;
    }
    const DWARFAbbreviationDeclaration *A =
        Abbrevs->getAbbreviationDeclaration(Code);
    if (!A)
      return Error::success();
    for (const DWARFAbbreviationDeclaration::AttributeSpec &Spec :
         A->attributes()) {
      if (Spec.isImplicitConst())
        continue;
      uint64_t Before = Off;
      if (!DWARFFormValue::skipValue(Spec.Form, Data, &Off, Params) ||
          Off > End || Off < Before)
        return Fail(DieOff);
    }
  }
  return Error::success();
}

Expected<std::unique_ptr<BTFObject>>
btfsplit::encodeBTF(const ObjectFile &Obj, StringRef FileName,
                    const BTFObject *Base, const EncoderOptions &Opts) {
  Expected<ELFSymbols> SymsOrErr = readELFSymbols(Obj);
  if (!SymsOrErr)
    return createFileError(FileName, SymsOrErr.takeError());
  const ELFSymbols &Syms = *SymsOrErr;

  Expected<SmallVector<unsigned, 4>> LangsOrErr =
      resolveLanguages(Opts.LangExclude, FileName);
  if (!LangsOrErr)
    return LangsOrErr.takeError();

  // vmlinux keeps the .rela.debug_* of --emit-relocs, already applied:
  // only relocatable files (modules) get their DWARF relocated.
  std::mutex DiagMutex;
  std::string FirstDiag;
  auto OnError = [&](Error E) {
    std::lock_guard<std::mutex> Lock(DiagMutex);
    std::string Msg = toString(std::move(E));
    std::replace(Msg.begin(), Msg.end(), '\n', ' ');
    if (FirstDiag.empty())
      FirstDiag = StringRef(Msg).rtrim(" :").str();
  };
  // LLVM's DWARF parser warns about what it cannot read (an invalid
  // abbreviation code, a relocation it cannot apply, a unit it skips) and
  // goes on with less: for BTF that would silently lose types, so a warning
  // is an error here too.
  auto OnWarning = OnError;
  // Modules: relocate the debug sections once into owned buffers
  // (RelocatedDWARF.h) rather than through LLVM's per-relocation maps; LLVM's
  // reader remains the fallback for the cases that does not handle.
  std::unique_ptr<RelocatedDWARF> Relocated;
  if (Syms.IsRelocatable) {
    Expected<std::unique_ptr<RelocatedDWARF>> RelocatedOrErr =
        RelocatedDWARF::create(Obj, FileName);
    if (!RelocatedOrErr)
      return RelocatedOrErr.takeError();
    Relocated = std::move(*RelocatedOrErr);
    // RelocatedDWARF checks what it applies; LLVM's reader, where it takes
    // over, needs the tables checked first (it treats bad ones as fatal).
    if (!Relocated)
      if (Error E = checkRelocations(Obj))
        return createFileError(FileName, std::move(E));
  }
  auto MakeContext = [&]() -> std::unique_ptr<DWARFContext> {
    if (Relocated)
      return std::make_unique<DWARFContext>(Relocated->makeObject(), "",
                                            OnError, OnWarning);
    return DWARFContext::create(
        Obj,
        Syms.IsRelocatable ? DWARFContext::ProcessDebugRelocations::Process
                           : DWARFContext::ProcessDebugRelocations::Ignore,
        nullptr, "", OnError, OnWarning);
  };
  auto DiagError = [&]() {
    return createStringError(errc::invalid_argument, "%s: %s",
                             FileName.str().c_str(), FirstDiag.c_str());
  };
  std::unique_ptr<DWARFContext> DICtx = MakeContext();
  size_t NumUnits = DICtx->getNumCompileUnits();
  if (!FirstDiag.empty())
    return DiagError();
  if (NumUnits == 0)
    return createStringError(errc::invalid_argument,
                             "%s: no DWARF compile units",
                             FileName.str().c_str());

  // DW_FORM_ref_addr (LTO) lets a unit refer to DIEs of any other unit. Then
  // every unit's DIEs are extracted up front (GSYM DwarfTransformer
  // pattern: abbreviations serially, DIEs in parallel) so that workers only
  // read. Otherwise each batch of units gets its own DWARFContext, dropped
  // after the batch: the parsed DIEs of vmlinux never all live at once.
  StringRef InfoData;
  DICtx->getDWARFObj().forEachInfoSections([&](const DWARFSection &S) {
    if (InfoData.empty())
      InfoData = S.Data;
  });
  PageReleaser Release(InfoData);

  // The abbreviation sets are scanned raw: parsing them all into the
  // context costs as much memory as the rest of the encoder.
  bool CrossUnitRefs = false;
  {
    DataExtractor AbbrevData(DICtx->getDWARFObj().getAbbrevSection(),
                             DICtx->isLittleEndian(), 0);
    DenseSet<uint64_t> Seen;
    for (const std::unique_ptr<DWARFUnit> &CU : DICtx->compile_units())
      if (Seen.insert(CU->getAbbreviationsOffset()).second &&
          abbrevSetRefersToOtherUnits(AbbrevData,
                                      CU->getAbbreviationsOffset())) {
        CrossUnitRefs = true;
        break;
      }
  }
  // Reading the unit headers mapped pages all over .debug_info.
  Release.release();
  unsigned Threads = Opts.Threads;
  std::optional<DefaultThreadPool> Pool;
  if (Threads != 1)
    Pool.emplace(hardware_concurrency(Threads));
  // A context keeps the abbreviation sets it parsed in one table that two
  // threads may not fill at once: each worker parses the set of its unit
  // under this lock; later lookups read the unit's own pointer to it.
  std::mutex AbbrevMutex;
  auto ParseAbbrevs = [&](DWARFUnit &CU) {
    std::lock_guard<std::mutex> Lock(AbbrevMutex);
    CU.getAbbreviations();
  };
  if (CrossUnitRefs) {
    auto Extract = [&](DWARFUnit *CU) {
      ParseAbbrevs(*CU);
      if (Error E = checkUnitBounds(*CU, FileName))
        return OnError(std::move(E));
      CU->getUnitDIE(false);
    };
    for (const std::unique_ptr<DWARFUnit> &CU : DICtx->compile_units()) {
      if (Pool)
        Pool->async(Extract, CU.get());
      else
        Extract(CU.get());
    }
    if (Pool)
      Pool->wait();
    if (!FirstDiag.empty())
      return DiagError();
  }

  auto Out =
      Base ? std::make_unique<BTFObject>(Base) : std::make_unique<BTFObject>();
  // The undeduplicated BTF is about as large as .debug_info: reserve that
  // much address space up front (untouched pages cost nothing) instead of
  // copying a growing vector.
  size_t InfoSize = 0;
  DICtx->getDWARFObj().forEachInfoSections(
      [&](const DWARFSection &S) { InfoSize += S.Data.size(); });
  Out->words().reserve(InfoSize / 4 + 1024);

  Out->typeOffsets().reserve(InfoSize / 64 + 1024);
  Merger M(*Out);

  auto Convert = [&](const EncodeContext &EC, DWARFUnit *CU, CUResult &R) {
    ParseAbbrevs(*CU);
    if (!CrossUnitRefs)
      if (Error E = checkUnitBounds(*CU, FileName, EC.InfoBase)) {
        R.Err = std::move(E);
        return;
      }
    DWARFDie CUDie = CU->getUnitDIE(false);
    if (!LangsOrErr->empty()) {
      uint64_t Lang = attrUInt(CUDie, dwarf::DW_AT_language);
      if (is_contained(*LangsOrErr, Lang)) {
        R.Skipped = true;
        return;
      }
    }
    CUConverter C(EC, *CU, R);
    R.Err = C.run();
  };

  // Chunked mode (see EncoderOptions::ChunkPass): every ChunkBatches
  // batches start a new chunk; chunk passes run on the pool, beside the
  // conversion of later batches, and finished chunks are appended to Out in
  // order. On vmlinux one batch per chunk (44 chunks of ~77k raw types,
  // ~5k after deduplication) keeps memory low and leaves the final
  // deduplication ~230k types.
  const size_t Batch = Relocated ? 4 : 64;
  const size_t ChunkBatches = 1;
  bool Chunked = Opts.ChunkPass && !Base && NumUnits > Batch * ChunkBatches;
  // Chunks in order; those before Appended are in Out already and freed.
  // Whichever thread ends the pass of the next chunk in order appends it
  // (and any passed chunks after it) to Out, as units are merged: the
  // appending overlaps the conversion of later units. ChunkMutex guards
  // Chunks' structure, Passed and the Append* state.
  struct Chunk {
    std::unique_ptr<BTFObject> Obj;
    Error Err = Error::success();
    bool Passed = false;
  };
  std::deque<Chunk> Chunks;
  std::mutex ChunkMutex;
  size_t Appended = 0;
  bool Appending = false;
  bool AppendStopped = false; // on the first chunk that failed its pass
  Error AppendErr = Error::success();
  std::optional<ThreadPoolTaskGroup> ChunkGroup;
  if (Pool)
    ChunkGroup.emplace(*Pool);
  auto OpenChunk = [&](size_t InfoBytes) {
    auto Obj = std::make_unique<BTFObject>();
    // About as many words as the units have bytes of DWARF / 4 (reserved
    // address space, touched as used).
    Obj->words().reserve(InfoBytes / 4 + 1024);
    Obj->typeOffsets().reserve(InfoBytes / 16 + 256);
    M.startChunk(*Obj);
    std::lock_guard<std::mutex> Lock(ChunkMutex);
    Chunks.emplace_back();
    Chunks.back().Obj = std::move(Obj);
  };
  auto AppendPassed = [&]() {
    std::unique_lock<std::mutex> Lock(ChunkMutex);
    if (Appending)
      return; // that thread will take the chunks passed since
    Appending = true;
    while (!AppendStopped && Appended < Chunks.size() &&
           Chunks[Appended].Passed) {
      Chunk &C = Chunks[Appended];
      Lock.unlock();
      Error E = std::move(C.Err);
      if (!E)
        appendChunk(*Out, *C.Obj);
      C.Obj.reset();
      Lock.lock();
      if (E) {
        AppendErr = std::move(E);
        AppendStopped = true;
      } else {
        ++Appended;
      }
    }
    Appending = false;
  };
  // Run the pass of chunk \p C (with \p Pass) on the pool, then append it.
  auto CloseChunk = [&](Chunk *C, bool Pass) {
    auto Run = [C, Pass, &Opts, &ChunkMutex, &AppendPassed]() {
      Error E = Pass ? Opts.ChunkPass(*C->Obj) : Error::success();
      {
        std::lock_guard<std::mutex> Lock(ChunkMutex);
        C->Err = std::move(E);
        C->Passed = true;
      }
      AppendPassed();
    };
    if (ChunkGroup)
      ChunkGroup->async(Run);
    else
      Run();
  };
  auto LastChunk = [&]() {
    std::lock_guard<std::mutex> Lock(ChunkMutex);
    return &Chunks.back();
  };
  auto TakeAppendErr = [&]() -> Error {
    std::lock_guard<std::mutex> Lock(ChunkMutex);
    return std::move(AppendErr);
  };
  // On the way out with an error: let running passes end, drop their
  // results.
  auto AbandonChunks = [&]() {
    if (ChunkGroup)
      ChunkGroup->wait();
    consumeError(TakeAppendErr());
    for (Chunk &C : Chunks)
      consumeError(std::move(C.Err));
  };

  // vmlinux: each batch gets a context over its slice of .debug_info and
  // the whole other sections, when none is compressed.
  std::optional<StringMap<std::unique_ptr<MemoryBuffer>>> SliceSections;
  std::unique_ptr<DWARFContext> BatchCtx;
  if (!CrossUnitRefs && !Syms.IsRelocatable && NumUnits > Batch) {
    SliceSections.emplace();
    for (const SectionRef &Sec : Obj.sections()) {
      Expected<StringRef> Name = Sec.getName();
      if (!Name) {
        consumeError(Name.takeError());
        continue;
      }
      if (!Name->starts_with(".debug_") || *Name == ".debug_info")
        continue;
      Expected<StringRef> Contents = Sec.getContents();
      if (!Contents || ELFSectionRef(Sec).getFlags() & ELF::SHF_COMPRESSED) {
        if (!Contents)
          consumeError(Contents.takeError());
        SliceSections.reset();
        break;
      }
      (*SliceSections)[Name->drop_front()] = MemoryBuffer::getMemBuffer(
          *Contents, *Name, /*RequiresNullTerminator=*/false);
    }
  }

  // NextCtx: a context over the slice of .debug_info of the batch that
  // starts at unit \p Begin (parsing the unit headers of the whole section
  // again would cost more than the batch). Each is made on this thread while
  // the workers convert the batch before it. The sections' data are the
  // file mapping, which no context owns.
  std::unique_ptr<DWARFContext> NextCtx;
  auto MakeNextContext = [&](size_t Begin) -> Error {
    if (!SliceSections || Begin >= NumUnits)
      return Error::success();
    size_t End = std::min(NumUnits, Begin + Batch);
    uint64_t InfoBase = DICtx->getUnitAtIndex(Begin)->getOffset();
    uint64_t InfoEnd = DICtx->getUnitAtIndex(End - 1)->getNextUnitOffset();
    (*SliceSections)["debug_info"] = MemoryBuffer::getMemBuffer(
        InfoData.slice(InfoBase, InfoEnd), "debug_info",
        /*RequiresNullTerminator=*/false);
    NextCtx = DWARFContext::create(*SliceSections, Obj.getBytesInAddress(),
                                   Obj.isLittleEndian(), OnError, OnWarning);
    if (NextCtx->getNumCompileUnits() != End - Begin)
      return createStringError(errc::invalid_argument,
                               "%s: DWARF units changed while reading",
                               FileName.str().c_str());
    return Error::success();
  };
  // The slice of the last batch, whose pages of .debug_info have been read;
  // they are dropped once the next batch's units are queued.
  uint64_t ReadBase = 0, ReadEnd = 0;
  auto ReleaseRead = [&]() {
    Release.release(ReadBase, ReadEnd - ReadBase);
    ReadBase = ReadEnd = 0;
  };
  if (Error E = MakeNextContext(0))
    return E;

  // Convert in batches, merging each batch in unit order before the next,
  // to bound the memory held by unit results and parsed DIEs.
  for (size_t Begin = 0; Begin < NumUnits; Begin += Batch) {
    size_t End = std::min(NumUnits, Begin + Batch);
    // A new context per batch frees the parsed DIEs of the last one. For
    // modules that LLVM's reader relocates, its relocation maps are too
    // costly to rebuild: they keep their one context.
    DWARFContext *Ctx = DICtx.get();
    size_t First = 0;
    uint64_t InfoBase = 0;
    std::unique_ptr<DWARFContext> DoneCtx;
    if (SliceSections) {
      DoneCtx = std::move(BatchCtx);
      BatchCtx = std::move(NextCtx);
      InfoBase = DICtx->getUnitAtIndex(Begin)->getOffset();
      Ctx = BatchCtx.get();
      First = Begin;
    } else if (!CrossUnitRefs && (!Syms.IsRelocatable || Relocated) &&
               Begin != 0) {
      DICtx.reset();
      DICtx = MakeContext();
      if (DICtx->getNumCompileUnits() != NumUnits)
        return createStringError(errc::invalid_argument,
                                 "%s: DWARF units changed while reading",
                                 FileName.str().c_str());
      Ctx = DICtx.get();
      // Reading the unit headers again mapped pages all over the section.
      Release.release();
    }
    // With a pool, the pass of the chunk just ended is queued behind this
    // batch's units: a worker out of units takes it while the other ends
    // the batch, instead of both waiting for the batch's last unit.
    Chunk *Ended = nullptr;
    if (Chunked && Begin % (Batch * ChunkBatches) == 0) {
      if (!Chunks.empty()) {
        Ended = LastChunk();
        if (!Pool) {
          CloseChunk(Ended, /*Pass=*/true);
          Ended = nullptr;
        }
      }
      if (Error E = TakeAppendErr()) {
        AbandonChunks();
        return createFileError(FileName, std::move(E));
      }
      size_t ChunkEnd = std::min(NumUnits, Begin + Batch * ChunkBatches);
      OpenChunk(DICtx->getUnitAtIndex(ChunkEnd - 1)->getNextUnitOffset() -
                DICtx->getUnitAtIndex(Begin)->getOffset());
    }
    EncodeContext EC{Obj, FileName, *Ctx, Syms, Opts, InfoBase};
    std::vector<CUResult> Results(End - Begin);
    // Units are merged in order as soon as they are converted, by whichever
    // thread converted the next one: merging overlaps the conversion of the
    // rest of the batch. The first error in unit order (a unit's own or its
    // merge's) stops the merging; later units are converted for nothing.
    std::mutex MergeMutex;
    std::vector<char> Converted(End - Begin);
    size_t NextMerge = 0;
    bool Merging = false;
    Error StopErr = Error::success();
    bool Stopped = false;
    auto ConvertAndMerge = [&](size_t I) {
      Convert(EC, Ctx->getUnitAtIndex(I - First), Results[I - Begin]);
      std::unique_lock<std::mutex> Lock(MergeMutex);
      Converted[I - Begin] = 1;
      if (Merging)
        return; // the merging thread will take this unit when it gets here
      Merging = true;
      while (!Stopped && NextMerge < End - Begin && Converted[NextMerge]) {
        CUResult &R = Results[NextMerge++];
        Lock.unlock();
        Error E = std::move(R.Err);
        if (!E && !R.Skipped && R.Types) {
          E = M.merge(R);
          R.Types.reset();
        }
        Lock.lock();
        if (E) {
          StopErr = std::move(E);
          Stopped = true;
        }
      }
      Merging = false;
    };
    // The last batch's context and pages go once this batch's units are
    // queued; the next batch's context is made while they convert.
    auto FreeLast = [&]() {
      DoneCtx.reset();
      ReleaseRead();
    };
    Error NextErr = Error::success();
    if (Pool) {
      ThreadPoolTaskGroup Group(*Pool);
      for (size_t I = Begin; I < End; ++I)
        Group.async([&, I]() { ConvertAndMerge(I); });
      if (Ended)
        CloseChunk(Ended, /*Pass=*/true);
      FreeLast();
      NextErr = MakeNextContext(End);
      Group.wait();
    } else {
      FreeLast();
      for (size_t I = Begin; I < End; ++I)
        ConvertAndMerge(I);
      NextErr = MakeNextContext(End);
    }
    if (SliceSections) {
      ReadBase = InfoBase;
      ReadEnd = DICtx->getUnitAtIndex(End - 1)->getNextUnitOffset();
    } else if (!CrossUnitRefs && !Syms.IsRelocatable) {
      Release.release();
    }
    for (CUResult &R : Results)
      consumeError(std::move(R.Err));
    if (!FirstDiag.empty()) {
      consumeError(std::move(StopErr));
      consumeError(std::move(NextErr));
      AbandonChunks();
      return DiagError();
    }
    if (StopErr) {
      consumeError(std::move(NextErr));
      AbandonChunks();
      return std::move(StopErr);
    }
    if (NextErr) {
      AbandonChunks();
      return std::move(NextErr);
    }
  }
  ReleaseRead();
  if (Chunked) {
    // The last chunk goes to the final deduplication as it is: its own pass
    // would run alone, with no unit left to convert beside it.
    CloseChunk(LastChunk(), /*Pass=*/false);
    if (ChunkGroup)
      ChunkGroup->wait();
    if (Error E = TakeAppendErr()) {
      AbandonChunks();
      return createFileError(FileName, std::move(E));
    }
  }
  if (Error E = M.finish(*Out))
    return createFileError(FileName, std::move(E));
  return std::move(Out);
}
