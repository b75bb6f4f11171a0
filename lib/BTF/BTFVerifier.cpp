//===- BTFVerifier.cpp - The kernel's BTF checks --------------------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The rules of kernel/bpf/btf.c (Linux 6.1.y, x86-64), reimplemented from
/// their description: the checks of btf_parse() for user BTF, which are a
/// superset of what the kernel runs for vmlinux and modules.
///
///  1. Header: hdr_len present and within the data, header bytes past the
///     24 we know are zero, magic, version 1, flags 0, "No data", and the
///     type and string sections tile the data after the header exactly.
///  2. String section: ends the data; base: non-empty, at most 16 MiB, first
///     and last byte NUL; split: may be empty, else ends in NUL.
///  3. Type section: type_off 4-aligned, base must have a type, then one
///     meta check per type (info bits, kind, name offset, kind rules).
///  4. Resolution: a depth-first walk of every type that refers to others,
///     with at most 32 vertices on its stack, detecting loops and checking
///     sizes (members fitting their struct, arrays not overflowing u32,
///     FUNC -> FUNC_PROTO, function arguments and returns).
///  5. Type tag chains: TYPE_TAGs only before other modifiers, chains of at
///     most 32 modifiers.
///
/// Deliberate choices, where the kernel depends on its build:
///  - names follow 6.1.y stable, which has "bpf/btf: Accept function names
///    that contain dots": every identifier and section name matches
///    [A-Za-z_.][A-Za-z0-9_.]* and is at most KSYM_NAME_LEN (512) long;
///  - pointers are 8 bytes (64-bit kernel);
///  - both byte orders are accepted (the kernel takes its native one);
///  - the 16 MiB cap of BPF_BTF_LOAD is not applied (vmlinux and modules are
///    not subject to it).
///
/// For split BTF, the base is resolved first (the kernel keeps the base's
/// resolved IDs and sizes from when it was loaded) and the split types are
/// then checked as the kernel checks the types of one BTF object whose
/// earlier IDs are already resolved.
///
/// Everything is iterative with fixed bounds, so no input can make it
/// recurse deeply or loop forever.
///
//===----------------------------------------------------------------------===//

#include "BTF/BTFVerifier.h"
#include "Support/Errors.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include <algorithm>

using namespace llvm;
using namespace btfsplit;

namespace {

// The kernel's limits and constants (include/uapi/linux/btf.h, btf.c).
constexpr uint32_t InfoMask = 0x9f00ffff;
constexpr uint32_t IntMask = 0x0fffffff;
constexpr uint32_t MaxResolveDepth = 32;
constexpr uint32_t MaxChain = 32;
constexpr uint32_t KsymNameLen = 512;
constexpr uint32_t PtrSize = 8;
constexpr uint32_t BitsPerU128 = 128;

/// A type as the kernel sees it: a pointer to its words (name_off, info,
/// size/type, then the kind's tail). Null means "no such type".
using TypeP = const uint32_t *;

/// Type 0, void: all fields zero, kind UNKN.
const uint32_t VoidWords[3] = {0, 0, 0};

unsigned kindOf(TypeP T) { return (T[1] >> 24) & 0x1f; }
uint32_t vlenOf(TypeP T) { return T[1] & 0xffff; }
bool kflagOf(TypeP T) { return T[1] >> 31; }
uint32_t nameOf(TypeP T) { return T[0]; }
uint32_t sizeOf(TypeP T) { return T[2]; }
uint32_t refOf(TypeP T) { return T[2]; }
TypeP tailOf(TypeP T) { return T + 3; }

bool isVoid(TypeP T) { return T == VoidWords; }
bool isModifier(TypeP T) {
  switch (kindOf(T)) {
  case BTF::BTF_KIND_TYPEDEF:
  case BTF::BTF_KIND_VOLATILE:
  case BTF::BTF_KIND_CONST:
  case BTF::BTF_KIND_RESTRICT:
  case BTF::BTF_KIND_TYPE_TAG:
    return true;
  }
  return false;
}
bool isKind(TypeP T, unsigned K) { return !isVoid(T) && kindOf(T) == K; }
bool isStructOrUnion(TypeP T) {
  return isKind(T, BTF::BTF_KIND_STRUCT) || isKind(T, BTF::BTF_KIND_UNION);
}
bool isNoSize(TypeP T) {
  return isVoid(T) || isKind(T, BTF::BTF_KIND_FWD) ||
         isKind(T, BTF::BTF_KIND_FUNC) || isKind(T, BTF::BTF_KIND_FUNC_PROTO);
}
bool isNoSizeOrNull(TypeP T) { return !T || isNoSize(T); }
/// VAR, DECL_TAG and DATASEC refer to others but nothing may refer to them
/// (except DATASEC -> VAR).
bool isSourceOnly(TypeP T) {
  return isKind(T, BTF::BTF_KIND_VAR) || isKind(T, BTF::BTF_KIND_DECL_TAG) ||
         isKind(T, BTF::BTF_KIND_DATASEC);
}
bool needsResolve(TypeP T) {
  return isModifier(T) || isKind(T, BTF::BTF_KIND_PTR) || isStructOrUnion(T) ||
         isKind(T, BTF::BTF_KIND_ARRAY) || isKind(T, BTF::BTF_KIND_VAR) ||
         isKind(T, BTF::BTF_KIND_FUNC) || isKind(T, BTF::BTF_KIND_DECL_TAG) ||
         isKind(T, BTF::BTF_KIND_DATASEC);
}
bool hasSize(TypeP T) {
  switch (kindOf(T)) {
  case BTF::BTF_KIND_INT:
  case BTF::BTF_KIND_STRUCT:
  case BTF::BTF_KIND_UNION:
  case BTF::BTF_KIND_ENUM:
  case BTF::BTF_KIND_DATASEC:
  case BTF::BTF_KIND_FLOAT:
  case BTF::BTF_KIND_ENUM64:
    return !isVoid(T);
  }
  return false;
}
bool isDeclTagTarget(TypeP T) {
  return isKind(T, BTF::BTF_KIND_FUNC) || isStructOrUnion(T) ||
         isKind(T, BTF::BTF_KIND_VAR) || isKind(T, BTF::BTF_KIND_TYPEDEF);
}

uint32_t bitsRoundDownBytes(uint32_t Bits) { return Bits >> 3; }
uint32_t bitsRoundUpBytes(uint32_t Bits) {
  return (Bits >> 3) + ((Bits & 7) != 0);
}
uint32_t bitsMasked(uint32_t Bits) { return Bits & 7; }

/// A "regular" int: not a bitfield, 1/2/4/8/16 bytes.
bool intIsRegular(TypeP T) {
  uint32_t Data = tailOf(T)[0];
  uint32_t Bits = intBits(Data);
  uint32_t Bytes = bitsRoundUpBytes(Bits);
  if (bitsMasked(Bits) || intOffset(Data) ||
      (Bytes != 1 && Bytes != 2 && Bytes != 4 && Bytes != 8 && Bytes != 16))
    return false;
  return true;
}

bool nameCharOk(char C, bool First) {
  if (C == '_' || C == '.')
    return true;
  return First ? isAlpha(C) : isAlnum(C);
}

enum VisitState : uint8_t { NotVisited, Visited, Resolved };
enum ResolveMode { ResolveTBD, ResolvePtr, ResolveStructOrArray };
/// Outcome of one resolve step: OK, an error already described in Msg,
/// the stack being full, or a type pushed twice (a loop).
enum Status { OK, Invalid, TooDeep, Loop };

struct Vertex {
  TypeP T;
  uint32_t Id;
  uint32_t NextMember;
};

/// The header as the kernel copies it: min(hdr_len, 24) bytes, the rest 0.
struct Header {
  uint16_t Magic = 0;
  uint8_t Version = 0;
  uint8_t Flags = 0;
  uint32_t HdrLen = 0;
  uint32_t TypeOff = 0, TypeLen = 0, StrOff = 0, StrLen = 0;
};

class Verifier {
public:
  Verifier(ArrayRef<uint8_t> Data, const BTFObject *Base)
      : Data(Data), Base(Base), StartId(Base ? Base->typeCount() : 1),
        StartStrOff(Base ? Base->strEnd() : 0) {}

  Error run();

private:
  // Phases, in the kernel's order.
  Error parseHeader();
  Error checkSections();
  Error parseStrings();
  Error checkAllMetas();
  Error checkAllTypes(uint32_t First, uint32_t End, uint32_t LevelStart);
  Error checkTypeTags();

  // String helpers.
  bool nameOffsetValid(uint32_t Off) const;
  StringRef strAt(uint32_t Off) const;
  bool nameValid(uint32_t Off) const;
  std::string nameForMsg(uint32_t Off) const;

  // Meta checks: return the tail size in bytes or an error.
  Expected<uint32_t> checkMeta(TypeP T, uint32_t Id, uint64_t MetaLeft);

  // Type lookup through the base; null when the ID does not exist (or is
  // not visible from the level being resolved).
  TypeP typeById(uint64_t Id) const;

  // Resolution (btf_check_all_types and its helpers).
  bool isResolved(uint32_t Id) const {
    return Id < LevelStart || State[Id] == Resolved;
  }
  bool isSink(TypeP Next) const;
  Status push(TypeP T, uint32_t Id);
  void popResolved(uint32_t ResolvedId, uint32_t ResolvedSize);
  TypeP idSize(uint32_t &Id, uint32_t *Size = nullptr) const;
  TypeP idResolve(uint32_t &Id) const {
    Id = ResolvedIds[Id];
    return typeById(Id);
  }
  Status resolve(TypeP T, uint32_t Id);
  bool resolveValid(TypeP T, uint32_t Id);
  Status resolveStep(Vertex &V);
  Status resolveModifierOrPtr(Vertex &V);
  Status resolveVar(Vertex &V);
  Status resolveArray(Vertex &V);
  Status resolveStruct(Vertex &V);
  Status resolveDatasec(Vertex &V);
  Status resolveDeclTag(Vertex &V);
  Status resolveFunc(Vertex &V);
  Status checkFuncProto(TypeP T, uint32_t Id);
  Status checkMember(TypeP S, uint32_t SId, TypeP M, TypeP MT);
  Status checkMemberAs(TypeP S, uint32_t SId, TypeP M, uint32_t MOff,
                       uint32_t MTypeId, TypeP MT, bool KFlag);

  // Messages.
  std::string typeDesc(TypeP T, uint32_t Id) const;
  std::string memberDesc(TypeP S, TypeP M) const;
  Status fail(TypeP T, uint32_t Id, const Twine &Reason);
  Status failMember(TypeP S, uint32_t SId, TypeP M, const Twine &Reason);
  Error typeError(TypeP T, uint32_t Id, const Twine &Reason) const;

  ArrayRef<uint8_t> Data;
  const BTFObject *Base;
  endianness Endian = endianness::little;
  Header H;
  uint32_t StartId;
  uint32_t StartStrOff;
  StringRef Strs;

  /// The local types, converted to native words.
  std::vector<uint32_t> Words;
  std::vector<uint32_t> Offsets;

  // Resolution state over all IDs (base and local).
  std::vector<uint8_t> State;
  std::vector<uint32_t> ResolvedIds;
  std::vector<uint32_t> ResolvedSizes;
  Vertex Stack[MaxResolveDepth];
  uint32_t Top = 0;
  ResolveMode Mode = ResolveTBD;
  /// IDs below LevelStart belong to a BTF object resolved earlier; IDs at
  /// or above LevelEnd are not visible from the object being resolved.
  uint32_t LevelStart = 1;
  uint64_t LevelEnd = 0;
  std::string Msg;
};

} // namespace

//===----------------------------------------------------------------------===//
// Messages
//===----------------------------------------------------------------------===//

std::string Verifier::nameForMsg(uint32_t Off) const {
  if (Off == 0)
    return "(anon)";
  if (!nameOffsetValid(Off))
    return "(invalid-name-offset)";
  StringRef S = strAt(Off);
  std::string Out;
  raw_string_ostream OS(Out);
  printEscapedString(S.take_front(KsymNameLen), OS);
  if (S.size() > KsymNameLen)
    OS << "...";
  return Out;
}

std::string Verifier::typeDesc(TypeP T, uint32_t Id) const {
  return formatv("type [{0}] {1} '{2}'", Id, kindName(kindOf(T)),
                 nameForMsg(nameOf(T)))
      .str();
}

std::string Verifier::memberDesc(TypeP S, TypeP M) const {
  if (kflagOf(S))
    return formatv("member '{0}' type_id={1} bitfield_size={2} bits_offset={3}",
                   nameForMsg(M[0]), M[1], M[2] >> 24, M[2] & 0xffffff)
        .str();
  return formatv("member '{0}' type_id={1} bits_offset={2}", nameForMsg(M[0]),
                 M[1], M[2])
      .str();
}

Error Verifier::typeError(TypeP T, uint32_t Id, const Twine &Reason) const {
  return makeError(typeDesc(T, Id) + ": " + Reason);
}

Status Verifier::fail(TypeP T, uint32_t Id, const Twine &Reason) {
  Msg = typeDesc(T, Id) + ": " + Reason.str();
  return Invalid;
}

Status Verifier::failMember(TypeP S, uint32_t SId, TypeP M,
                            const Twine &Reason) {
  Msg = typeDesc(S, SId) + ": " + memberDesc(S, M) + ": " + Reason.str();
  return Invalid;
}

//===----------------------------------------------------------------------===//
// Header, sections, strings
//===----------------------------------------------------------------------===//

Error Verifier::parseHeader() {
  // btf_parse_hdr: the hdr_len field must be there, and hdr_len bytes.
  if (Data.size() < 8)
    return makeError(formatv("btf header: hdr_len not found: the data is "
                             "only {0} bytes",
                             Data.size()));
  if (support::endian::read16be(Data.data()) == BTF::MAGIC)
    Endian = endianness::big;
  uint32_t HdrLen = support::endian::read32(Data.data() + 4, Endian);
  if (Data.size() < HdrLen)
    return makeError(formatv("btf header: btf_header not found: hdr_len {0} "
                             "exceeds the data size {1}",
                             HdrLen, Data.size()));
  for (uint32_t I = BTF::HeaderSize; I < HdrLen; ++I)
    if (Data[I])
      return makeError(formatv("btf header: unsupported btf_header: byte {0} "
                               "of the {1}-byte header is not zero",
                               I, HdrLen));
  uint8_t Copy[BTF::HeaderSize] = {};
  memcpy(Copy, Data.data(), std::min(HdrLen, uint32_t(BTF::HeaderSize)));
  auto R32 = [&](unsigned Off) {
    return support::endian::read32(Copy + Off, Endian);
  };
  H.Magic = support::endian::read16(Copy, Endian);
  H.Version = Copy[2];
  H.Flags = Copy[3];
  H.HdrLen = R32(4);
  H.TypeOff = R32(8);
  H.TypeLen = R32(12);
  H.StrOff = R32(16);
  H.StrLen = R32(20);
  if (H.Magic != BTF::MAGIC)
    return makeError(formatv("btf header: invalid magic 0x{0:x-4}",
                             support::endian::read16le(Data.data())));
  if (H.Version != BTF::VERSION)
    return makeError(
        formatv("btf header: unsupported version {0}", unsigned(H.Version)));
  if (H.Flags)
    return makeError(
        formatv("btf header: unsupported flags {0:x}", unsigned(H.Flags)));
  if (!Base && Data.size() == H.HdrLen)
    return makeError("btf header: no data after the header");
  return checkSections();
}

Error Verifier::checkSections() {
  // btf_check_sec_info: sorted by offset (then length, compared as the
  // kernel does, through a signed difference), the sections must follow
  // each other without gap or overlap and fill the data after the header.
  struct Sec {
    const char *Name;
    uint32_t Off, Len;
  } Secs[2] = {{"type", H.TypeOff, H.TypeLen}, {"string", H.StrOff, H.StrLen}};
  auto Less = [](const Sec &X, const Sec &Y) {
    int C = int(X.Off - Y.Off);
    if (!C)
      C = int(X.Len - Y.Len);
    return C < 0;
  };
  if (Less(Secs[1], Secs[0]))
    std::swap(Secs[0], Secs[1]);
  uint32_t Total = 0;
  // The kernel subtracts the copied hdr_len, which is 0 when hdr_len < 8.
  uint32_t Expected = Data.size() - H.HdrLen;
  for (const Sec &S : Secs) {
    if (Expected < S.Off)
      return makeError(formatv("btf header: invalid section offset: the {0} "
                               "section starts at {1}, past the {2} bytes "
                               "after the header",
                               S.Name, S.Off, Expected));
    if (Total < S.Off)
      return makeError(formatv("btf header: unsupported section found: gap "
                               "of {0} bytes before the {1} section",
                               S.Off - Total, S.Name));
    if (Total > S.Off)
      return makeError(formatv("btf header: section overlap found: the {0} "
                               "section starts at {1}, before the end of the "
                               "previous one at {2}",
                               S.Name, S.Off, Total));
    if (Expected - Total < S.Len)
      return makeError(formatv("btf header: total section length too long: "
                               "the {0} section (offset {1}, length {2}) runs "
                               "past the {3} bytes after the header",
                               S.Name, S.Off, S.Len, Expected));
    Total += S.Len;
  }
  if (Expected != Total)
    return makeError(formatv("btf header: unsupported section found: {0} "
                             "bytes after the last section",
                             Expected - Total));
  return Error::success();
}

Error Verifier::parseStrings() {
  // btf_parse_str_sec.
  const uint8_t *NoHdr = Data.data() + H.HdrLen;
  if (uint64_t(H.HdrLen) + H.StrOff + H.StrLen != Data.size())
    return makeError("string section: the string section is not at the end");
  Strs = StringRef(reinterpret_cast<const char *>(NoHdr) + H.StrOff, H.StrLen);
  if (Base && Strs.empty())
    return Error::success();
  if (Strs.empty())
    return makeError("string section: invalid string section: empty");
  if (Strs.size() - 1 > MaxNameOffset)
    return makeError(formatv("string section: invalid string section: {0} "
                             "bytes, more than {1}",
                             Strs.size(), MaxNameOffset + 1));
  if (Strs.back())
    return makeError(
        "string section: invalid string section: the last byte is not NUL");
  if (!Base && Strs.front())
    return makeError(
        "string section: invalid string section: the first byte is not NUL "
        "(split BTF without its base?)");
  return Error::success();
}

bool Verifier::nameOffsetValid(uint32_t Off) const {
  if (Off > MaxNameOffset)
    return false;
  // Offsets below StartStrOff are in the base's string section.
  if (Off < StartStrOff)
    return true;
  return Off - StartStrOff < Strs.size();
}

StringRef Verifier::strAt(uint32_t Off) const {
  if (Off < StartStrOff)
    return Base->str(Off);
  uint32_t Local = Off - StartStrOff;
  if (Local >= Strs.size())
    return {};
  StringRef S = Strs.drop_front(Local);
  return S.take_until([](char C) { return C == 0; });
}

bool Verifier::nameValid(uint32_t Off) const {
  // __btf_name_valid: Off is known to be valid.
  StringRef S = strAt(Off);
  if (S.empty() || !nameCharOk(S[0], true))
    return false;
  if (S.size() > KsymNameLen)
    return false;
  return all_of(S.drop_front(), [](char C) { return nameCharOk(C, false); });
}

//===----------------------------------------------------------------------===//
// Meta checks (btf_check_all_metas)
//===----------------------------------------------------------------------===//

TypeP Verifier::typeById(uint64_t Id) const {
  if (Id == 0)
    return VoidWords;
  if (Id >= LevelEnd)
    return nullptr;
  if (Id < StartId)
    return reinterpret_cast<TypeP>(Base->type(Id));
  uint64_t Idx = Id - StartId;
  if (Idx >= Offsets.size())
    return nullptr;
  return Words.data() + Offsets[Idx];
}

Expected<uint32_t> Verifier::checkMeta(TypeP T, uint32_t Id,
                                       uint64_t MetaLeft) {
  unsigned Kind = kindOf(T);
  uint32_t Vlen = vlenOf(T);
  bool KFlag = kflagOf(T);
  auto Err = [&](const Twine &Reason) { return typeError(T, Id, Reason); };
  auto NeedTail = [&](uint64_t Needed) -> Error {
    if (MetaLeft < Needed)
      return makeError(formatv("type [{0}] {1}: runs past the end of the "
                               "type section (meta_left:{2} meta_needed:{3})",
                               Id, kindName(Kind), MetaLeft, Needed));
    return Error::success();
  };
  auto CheckRef = [&]() -> Error {
    // btf_ref_type_check_meta.
    if (Vlen)
      return Err("vlen != 0");
    if (KFlag)
      return Err("invalid btf_info kind_flag");
    if (refOf(T) > MaxType)
      return Err("invalid type_id");
    if (Kind == BTF::BTF_KIND_TYPEDEF) {
      if (!nameOf(T) || !nameValid(nameOf(T)))
        return Err("invalid name");
    } else if (Kind == BTF::BTF_KIND_TYPE_TAG) {
      if (strAt(nameOf(T)).empty())
        return Err("invalid name");
    } else if (nameOf(T)) {
      return Err("invalid name");
    }
    return Error::success();
  };

  switch (Kind) {
  case BTF::BTF_KIND_INT: {
    if (Error E = NeedTail(4))
      return std::move(E);
    if (Vlen)
      return Err("vlen != 0");
    if (KFlag)
      return Err("invalid btf_info kind_flag");
    uint32_t Data = tailOf(T)[0];
    if (Data & ~IntMask)
      return Err(formatv("invalid int_data:{0:x}", Data));
    uint32_t Bits = intBits(Data) + intOffset(Data);
    if (Bits > BitsPerU128)
      return Err(formatv("nr_bits exceeds {0}", BitsPerU128));
    if (bitsRoundUpBytes(Bits) > sizeOf(T))
      return Err("nr_bits exceeds type_size");
    uint32_t Enc = intEncoding(Data);
    if (Enc && Enc != BTF::INT_SIGNED && Enc != BTF::INT_CHAR &&
        Enc != BTF::INT_BOOL)
      return Err(formatv("unsupported encoding {0:x}", Enc));
    return 4;
  }
  case BTF::BTF_KIND_PTR:
  case BTF::BTF_KIND_TYPEDEF:
  case BTF::BTF_KIND_VOLATILE:
  case BTF::BTF_KIND_CONST:
  case BTF::BTF_KIND_RESTRICT:
  case BTF::BTF_KIND_TYPE_TAG:
    if (Error E = CheckRef())
      return std::move(E);
    return 0;
  case BTF::BTF_KIND_ARRAY: {
    if (Error E = NeedTail(12))
      return std::move(E);
    if (nameOf(T))
      return Err("invalid name");
    if (Vlen)
      return Err("vlen != 0");
    if (KFlag)
      return Err("invalid btf_info kind_flag");
    if (sizeOf(T))
      return Err("size != 0");
    TypeP A = tailOf(T);
    if (!A[0] || A[0] > MaxType)
      return Err("invalid elem");
    if (!A[1] || A[1] > MaxType)
      return Err("invalid index");
    return 12;
  }
  case BTF::BTF_KIND_STRUCT:
  case BTF::BTF_KIND_UNION: {
    uint32_t Needed = Vlen * 12;
    if (Error E = NeedTail(Needed))
      return std::move(E);
    if (nameOf(T) && !nameValid(nameOf(T)))
      return Err("invalid name");
    uint32_t Last = 0;
    for (uint32_t I = 0; I < Vlen; ++I) {
      TypeP M = tailOf(T) + 3 * I;
      auto MErr = [&](const Twine &Reason) {
        return makeError(typeDesc(T, Id) + ": " + memberDesc(T, M) + ": " +
                         Reason);
      };
      if (!nameOffsetValid(M[0]))
        return MErr(formatv("invalid member name_offset:{0}", M[0]));
      if (M[0] && !nameValid(M[0]))
        return MErr("invalid name");
      if (!M[1] || M[1] > MaxType)
        return MErr("invalid type_id");
      uint32_t Off = KFlag ? M[2] & 0xffffff : M[2];
      if (Kind == BTF::BTF_KIND_UNION && Off)
        return MErr("invalid member bits_offset");
      if (Last > Off)
        return MErr(formatv("invalid member bits_offset: less than the "
                            "previous member's {0}",
                            Last));
      if (bitsRoundUpBytes(Off) > sizeOf(T))
        return MErr("member bits_offset exceeds its struct size");
      Last = Off;
    }
    return Needed;
  }
  case BTF::BTF_KIND_ENUM:
  case BTF::BTF_KIND_ENUM64: {
    uint32_t EntSize = Kind == BTF::BTF_KIND_ENUM ? 8 : 12;
    uint32_t Needed = Vlen * EntSize;
    if (Error E = NeedTail(Needed))
      return std::move(E);
    if (sizeOf(T) > 8 || !isPowerOf2_32(sizeOf(T)))
      return Err(formatv("unexpected size {0}", sizeOf(T)));
    if (nameOf(T) && !nameValid(nameOf(T)))
      return Err("invalid name");
    for (uint32_t I = 0; I < Vlen; ++I) {
      uint32_t NameOff = tailOf(T)[I * (EntSize / 4)];
      if (!nameOffsetValid(NameOff))
        return Err(
            formatv("enumerator #{0}: invalid name_offset:{1}", I, NameOff));
      if (!NameOff || !nameValid(NameOff))
        return Err(formatv("enumerator #{0} '{1}': invalid name", I,
                           nameForMsg(NameOff)));
    }
    return Needed;
  }
  case BTF::BTF_KIND_FWD:
    if (Vlen)
      return Err("vlen != 0");
    if (refOf(T))
      return Err("type != 0");
    if (!nameOf(T) || !nameValid(nameOf(T)))
      return Err("invalid name");
    return 0;
  case BTF::BTF_KIND_FUNC:
    if (!nameOf(T) || !nameValid(nameOf(T)))
      return Err("invalid name");
    if (Vlen > BTF::FUNC_GLOBAL)
      return Err(formatv("invalid func linkage {0}", Vlen));
    if (KFlag)
      return Err("invalid btf_info kind_flag");
    return 0;
  case BTF::BTF_KIND_FUNC_PROTO: {
    uint32_t Needed = Vlen * 8;
    if (Error E = NeedTail(Needed))
      return std::move(E);
    if (nameOf(T))
      return Err("invalid name");
    if (KFlag)
      return Err("invalid btf_info kind_flag");
    return Needed;
  }
  case BTF::BTF_KIND_VAR: {
    if (Error E = NeedTail(4))
      return std::move(E);
    if (Vlen)
      return Err("vlen != 0");
    if (KFlag)
      return Err("invalid btf_info kind_flag");
    if (!nameOf(T) || !nameValid(nameOf(T)))
      return Err("invalid name");
    if (!refOf(T) || refOf(T) > MaxType)
      return Err("invalid type_id");
    uint32_t Linkage = tailOf(T)[0];
    if (Linkage != BTF::VAR_STATIC && Linkage != BTF::VAR_GLOBAL_ALLOCATED)
      return Err(formatv("linkage not supported: {0}", Linkage));
    return 4;
  }
  case BTF::BTF_KIND_DATASEC: {
    uint32_t Needed = Vlen * 12;
    if (Error E = NeedTail(Needed))
      return std::move(E);
    if (!sizeOf(T))
      return Err("size == 0");
    if (KFlag)
      return Err("invalid btf_info kind_flag");
    if (!nameOf(T) || !nameValid(nameOf(T)))
      return Err("invalid name");
    uint64_t LastEnd = 0, Sum = 0;
    for (uint32_t I = 0; I < Vlen; ++I) {
      TypeP V = tailOf(T) + 3 * I;
      auto VErr = [&](const Twine &Reason) {
        return Err(Twine(formatv("var type_id={0} offset={1} size={2}: ", V[0],
                                 V[1], V[2])
                             .str()) +
                   Reason);
      };
      if (!V[0] || V[0] > MaxType)
        return VErr("invalid type_id");
      if (V[1] < LastEnd || V[1] >= sizeOf(T))
        return VErr("invalid offset");
      if (!V[2] || V[2] > sizeOf(T))
        return VErr("invalid size");
      LastEnd = uint64_t(V[1]) + V[2];
      if (LastEnd > sizeOf(T))
        return VErr("invalid offset+size");
      Sum += V[2];
    }
    if (sizeOf(T) < Sum)
      return Err("invalid btf_info size");
    return Needed;
  }
  case BTF::BTF_KIND_FLOAT:
    if (Vlen)
      return Err("vlen != 0");
    if (KFlag)
      return Err("invalid btf_info kind_flag");
    switch (sizeOf(T)) {
    case 2:
    case 4:
    case 8:
    case 12:
    case 16:
      return 0;
    }
    return Err(formatv("invalid type_size {0}", sizeOf(T)));
  case BTF::BTF_KIND_DECL_TAG: {
    if (Error E = NeedTail(4))
      return std::move(E);
    if (strAt(nameOf(T)).empty())
      return Err("invalid value");
    if (Vlen)
      return Err("vlen != 0");
    if (KFlag)
      return Err("invalid btf_info kind_flag");
    if (int32_t(tailOf(T)[0]) < -1)
      return Err(formatv("invalid component_idx {0}", int32_t(tailOf(T)[0])));
    return 4;
  }
  }
  llvm_unreachable("kind checked by the caller");
}

Error Verifier::checkAllMetas() {
  // btf_parse_type_sec, then btf_check_all_metas.
  if (H.TypeOff & 3)
    return makeError(
        formatv("type section: unaligned type_off {0}", H.TypeOff));
  if (!Base && !H.TypeLen)
    return makeError("type section: no type found");

  const uint8_t *Sec = Data.data() + H.HdrLen + H.TypeOff;
  Words.resize((uint64_t(H.TypeLen) + 3) / 4);
  for (uint32_t I = 0; I < H.TypeLen / 4; ++I)
    Words[I] = support::endian::read32(Sec + I * 4, Endian);
  // The kernel's type table grows in steps and stops at BTF_MAX_TYPE.
  uint64_t TableSize = 0, NrTypes = 0;
  uint64_t KernelStart = Base ? StartId : 0;

  uint32_t Id = StartId;
  for (uint64_t Cur = 0; Cur < H.TypeLen; ++Id) {
    uint64_t MetaLeft = H.TypeLen - Cur;
    if (MetaLeft < 12)
      return makeError(formatv("type [{0}]: runs past the end of the type "
                               "section (meta_left:{1} meta_needed:12)",
                               Id, MetaLeft));
    TypeP T = Words.data() + Cur / 4;
    if (T[1] & ~InfoMask)
      return makeError(
          formatv("type [{0}]: invalid btf_info 0x{1:x-8}", Id, T[1]));
    unsigned Kind = kindOf(T);
    if (Kind == BTF::BTF_KIND_UNKN || Kind > MaxKind)
      return makeError(formatv("type [{0}]: invalid kind {1}", Id, Kind));
    if (!nameOffsetValid(nameOf(T)))
      return makeError(formatv("type [{0}] {1}: invalid name_offset:{2}", Id,
                               kindName(Kind), nameOf(T)));
    Expected<uint32_t> TailOrErr = checkMeta(T, Id, MetaLeft - 12);
    if (!TailOrErr)
      return TailOrErr.takeError();
    // btf_add_type.
    if (TableSize == NrTypes) {
      if (KernelStart + TableSize >= MaxType)
        return makeError(formatv("type [{0}]: exceeded max num of types", Id));
      TableSize = std::min<uint64_t>(
          MaxType, TableSize + std::max<uint64_t>(TableSize >> 2, 16));
      if (NrTypes == 0 && !Base)
        ++NrTypes;
    }
    ++NrTypes;
    Offsets.push_back(Cur / 4);
    Cur += 12 + *TailOrErr;
  }
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Resolution (btf_check_all_types)
//===----------------------------------------------------------------------===//

bool Verifier::isSink(TypeP Next) const {
  switch (Mode) {
  case ResolveTBD:
    return !needsResolve(Next);
  case ResolvePtr:
    return !isModifier(Next) && !isKind(Next, BTF::BTF_KIND_PTR);
  case ResolveStructOrArray:
    return !isModifier(Next) && !isKind(Next, BTF::BTF_KIND_ARRAY) &&
           !isStructOrUnion(Next);
  }
  llvm_unreachable("bad mode");
}

Status Verifier::push(TypeP T, uint32_t Id) {
  if (Top == MaxResolveDepth)
    return TooDeep;
  if (Id < LevelStart || State[Id] != NotVisited)
    return Loop;
  State[Id] = Visited;
  Stack[Top++] = {T, Id, 0};
  if (Mode == ResolveTBD) {
    if (isKind(T, BTF::BTF_KIND_PTR))
      Mode = ResolvePtr;
    else if (isStructOrUnion(T) || isKind(T, BTF::BTF_KIND_ARRAY))
      Mode = ResolveStructOrArray;
  }
  return OK;
}

void Verifier::popResolved(uint32_t ResolvedId, uint32_t ResolvedSize) {
  uint32_t Id = Stack[--Top].Id;
  ResolvedIds[Id] = ResolvedId;
  ResolvedSizes[Id] = ResolvedSize;
  State[Id] = Resolved;
}

/// btf_type_id_size: the type with a size that \p Id stands for (following
/// a resolved modifier or var), updating \p Id; null when there is none.
TypeP Verifier::idSize(uint32_t &Id, uint32_t *Size) const {
  uint32_t SizeId = Id;
  uint32_t Sz = 0;
  TypeP T = typeById(SizeId);
  if (isNoSizeOrNull(T))
    return nullptr;
  if (hasSize(T)) {
    Sz = sizeOf(T);
  } else if (isKind(T, BTF::BTF_KIND_ARRAY)) {
    Sz = ResolvedSizes[SizeId];
  } else if (isKind(T, BTF::BTF_KIND_PTR)) {
    Sz = PtrSize;
  } else {
    if (!isModifier(T) && !isKind(T, BTF::BTF_KIND_VAR))
      return nullptr;
    SizeId = ResolvedIds[SizeId];
    T = typeById(SizeId);
    if (isNoSizeOrNull(T))
      return nullptr;
    if (hasSize(T))
      Sz = sizeOf(T);
    else if (isKind(T, BTF::BTF_KIND_ARRAY))
      Sz = ResolvedSizes[SizeId];
    else if (isKind(T, BTF::BTF_KIND_PTR))
      Sz = PtrSize;
    else
      return nullptr;
  }
  Id = SizeId;
  if (Size)
    *Size = Sz;
  return T;
}

Status Verifier::resolveModifierOrPtr(Vertex &V) {
  // btf_modifier_resolve and btf_ptr_resolve.
  uint32_t NextId = refOf(V.T);
  TypeP Next = typeById(NextId);
  if (!Next || isSourceOnly(Next))
    return fail(V.T, V.Id, "invalid type_id");
  if (!isSink(Next) && !isResolved(NextId))
    return push(Next, NextId);
  if (isKind(V.T, BTF::BTF_KIND_PTR) && isModifier(Next)) {
    // Continue from the pointer a modifier may have stopped at, so that it
    // cannot lead back to this one.
    uint32_t RId = NextId;
    TypeP RT = idResolve(RId);
    if (RT && isKind(RT, BTF::BTF_KIND_PTR) && !isSink(RT) && !isResolved(RId))
      return push(RT, RId);
  }
  if (!idSize(NextId)) {
    if (isResolved(NextId))
      Next = idResolve(NextId);
    // "typedef void new_void", "const void", pointers to void, forward
    // declarations and functions.
    if (!Next || (!isVoid(Next) && !isKind(Next, BTF::BTF_KIND_FWD) &&
                  !isKind(Next, BTF::BTF_KIND_FUNC_PROTO)))
      return fail(V.T, V.Id, "invalid type_id");
  }
  popResolved(NextId, 0);
  return OK;
}

Status Verifier::resolveVar(Vertex &V) {
  uint32_t NextId = refOf(V.T);
  TypeP Next = typeById(NextId);
  if (!Next || isSourceOnly(Next))
    return fail(V.T, V.Id, "invalid type_id");
  if (!isSink(Next) && !isResolved(NextId))
    return push(Next, NextId);
  if (isModifier(Next)) {
    uint32_t RId = NextId;
    TypeP RT = idResolve(RId);
    if (RT && isKind(RT, BTF::BTF_KIND_PTR) && !isSink(RT) && !isResolved(RId))
      return push(RT, RId);
  }
  // A variable must have a concrete type: no void, forward or function.
  if (!idSize(NextId))
    return fail(V.T, V.Id, "invalid type_id");
  popResolved(NextId, 0);
  return OK;
}

Status Verifier::resolveArray(Vertex &V) {
  TypeP A = tailOf(V.T);
  uint32_t IndexId = A[1];
  TypeP Index = typeById(IndexId);
  if (isNoSizeOrNull(Index) || isSourceOnly(Index))
    return fail(V.T, V.Id, "invalid index");
  if (!isSink(Index) && !isResolved(IndexId))
    return push(Index, IndexId);
  Index = idSize(IndexId);
  if (!Index || !isKind(Index, BTF::BTF_KIND_INT) || !intIsRegular(Index))
    return fail(V.T, V.Id, "invalid index");

  uint32_t ElemId = A[0];
  TypeP Elem = typeById(ElemId);
  if (isNoSizeOrNull(Elem) || isSourceOnly(Elem))
    return fail(V.T, V.Id, "invalid elem");
  if (!isSink(Elem) && !isResolved(ElemId))
    return push(Elem, ElemId);
  uint32_t ElemSize = 0;
  Elem = idSize(ElemId, &ElemSize);
  if (!Elem)
    return fail(V.T, V.Id, "invalid elem");
  if (isKind(Elem, BTF::BTF_KIND_INT) && !intIsRegular(Elem))
    return fail(V.T, V.Id, "invalid array of int");
  uint32_t Nelems = A[2];
  if (Nelems && ElemSize > UINT32_MAX / Nelems)
    return fail(V.T, V.Id,
                formatv("array size overflows U32_MAX ({0} elements of {1} "
                        "bytes)",
                        Nelems, ElemSize));
  popResolved(ElemId, ElemSize * Nelems);
  return OK;
}

Status Verifier::checkMember(TypeP S, uint32_t SId, TypeP M, TypeP MT) {
  return checkMemberAs(S, SId, M, M[2], M[1], MT, kflagOf(S));
}

/// The check_member / check_kflag_member callbacks of the member's kind.
/// \p MOff is the member's offset word, \p MTypeId its (possibly
/// resolved) type ID and \p MT that type.
Status Verifier::checkMemberAs(TypeP S, uint32_t SId, TypeP M, uint32_t MOff,
                               uint32_t MTypeId, TypeP MT, bool KFlag) {
  uint32_t SSize = sizeOf(S);
  auto Fail = [&](const Twine &Reason) {
    return failMember(S, SId, M, Reason);
  };
  unsigned Kind = kindOf(MT);
  if (isVoid(MT))
    Kind = BTF::BTF_KIND_UNKN;

  // btf_generic_check_kflag_member: no bitfield size, then as without
  // kind_flag.
  if (KFlag && (Kind == BTF::BTF_KIND_PTR || Kind == BTF::BTF_KIND_ARRAY ||
                Kind == BTF::BTF_KIND_STRUCT || Kind == BTF::BTF_KIND_UNION ||
                Kind == BTF::BTF_KIND_FLOAT)) {
    if (MOff >> 24)
      return Fail("invalid member bitfield_size");
    KFlag = false;
  }

  switch (Kind) {
  case BTF::BTF_KIND_INT: {
    uint32_t IntData = tailOf(MT)[0];
    if (!KFlag) {
      uint32_t BitsOff = MOff;
      if (UINT32_MAX - BitsOff < intOffset(IntData))
        return Fail("bits_offset exceeds U32_MAX");
      BitsOff += intOffset(IntData);
      uint32_t BytesOff = bitsRoundDownBytes(BitsOff);
      uint32_t CopyBits = intBits(IntData) + bitsMasked(BitsOff);
      if (CopyBits > BitsPerU128)
        return Fail("nr_copy_bits exceeds 128");
      if (SSize < BytesOff || SSize - BytesOff < bitsRoundUpBytes(CopyBits))
        return Fail("member exceeds struct_size");
      return OK;
    }
    if (!intIsRegular(MT))
      return Fail("invalid member base type");
    uint32_t NrBits = MOff >> 24;
    uint32_t BitsOff = MOff & 0xffffff;
    if (!NrBits) {
      if (bitsMasked(BitsOff))
        return Fail("invalid member offset");
      NrBits = intBits(IntData);
    } else if (NrBits > intBits(IntData)) {
      return Fail("invalid member bitfield_size");
    }
    uint32_t BytesOff = bitsRoundDownBytes(BitsOff);
    uint32_t CopyBits = NrBits + bitsMasked(BitsOff);
    if (CopyBits > BitsPerU128)
      return Fail("nr_copy_bits exceeds 128");
    if (SSize < BytesOff || SSize - BytesOff < bitsRoundUpBytes(CopyBits))
      return Fail("member exceeds struct_size");
    return OK;
  }
  case BTF::BTF_KIND_PTR:
    if (bitsMasked(MOff))
      return Fail("member is not byte aligned");
    if (SSize - bitsRoundDownBytes(MOff) < PtrSize)
      return Fail("member exceeds struct_size");
    return OK;
  case BTF::BTF_KIND_ARRAY: {
    if (bitsMasked(MOff))
      return Fail("member is not byte aligned");
    uint32_t ArrayId = MTypeId, ArraySize = 0;
    idSize(ArrayId, &ArraySize);
    if (SSize - bitsRoundDownBytes(MOff) < ArraySize)
      return Fail("member exceeds struct_size");
    return OK;
  }
  case BTF::BTF_KIND_STRUCT:
  case BTF::BTF_KIND_UNION:
  case BTF::BTF_KIND_ENUM:
  case BTF::BTF_KIND_ENUM64:
    if (KFlag) {
      // btf_enum_check_kflag_member: a non-bitfield enum counts as an int.
      uint32_t BitsOff = MOff & 0xffffff;
      uint32_t NrBits = MOff >> 24;
      if (!NrBits) {
        if (bitsMasked(BitsOff))
          return Fail("member is not byte aligned");
        NrBits = 32;
      } else if (NrBits > 32) {
        return Fail("invalid member bitfield_size");
      }
      if (SSize < bitsRoundUpBytes(BitsOff + NrBits))
        return Fail("member exceeds struct_size");
      return OK;
    }
    if (bitsMasked(MOff))
      return Fail("member is not byte aligned");
    if (SSize - bitsRoundDownBytes(MOff) < sizeOf(MT))
      return Fail("member exceeds struct_size");
    return OK;
  case BTF::BTF_KIND_FLOAT: {
    uint64_t AlignBits = std::min<uint64_t>(PtrSize, sizeOf(MT)) * 8;
    if (!AlignBits || MOff % AlignBits)
      return Fail("member is not properly aligned");
    if (uint64_t(MOff / 8) + sizeOf(MT) > SSize)
      return Fail("member exceeds struct_size");
    return OK;
  }
  case BTF::BTF_KIND_TYPEDEF:
  case BTF::BTF_KIND_VOLATILE:
  case BTF::BTF_KIND_CONST:
  case BTF::BTF_KIND_RESTRICT:
  case BTF::BTF_KIND_TYPE_TAG: {
    // btf_modifier_check_member: check as the type the modifier resolves
    // to.
    uint32_t RId = MTypeId;
    TypeP RT = idSize(RId);
    if (!RT)
      return Fail("invalid member");
    if (isModifier(RT))
      return Fail("invalid member");
    return checkMemberAs(S, SId, M, MOff, RId, RT, KFlag);
  }
  default:
    return Fail(KFlag ? "unsupported check_kflag_member"
                      : "unsupported check_member");
  }
}

Status Verifier::resolveStruct(Vertex &V) {
  // Before going on, check the member whose type was just resolved.
  if (V.NextMember) {
    TypeP Last = tailOf(V.T) + 3 * (V.NextMember - 1);
    TypeP LastT = typeById(Last[1]);
    if (!LastT || !isResolved(Last[1]))
      return failMember(V.T, V.Id, Last, "invalid member");
    if (Status S = checkMember(V.T, V.Id, Last, LastT))
      return S;
  }
  for (uint32_t I = V.NextMember, E = vlenOf(V.T); I < E; ++I) {
    TypeP M = tailOf(V.T) + 3 * I;
    TypeP MT = typeById(M[1]);
    if (isNoSizeOrNull(MT) || isSourceOnly(MT))
      return failMember(V.T, V.Id, M, "invalid member");
    if (!isSink(MT) && !isResolved(M[1])) {
      V.NextMember = I + 1;
      return push(MT, M[1]);
    }
    if (Status S = checkMember(V.T, V.Id, M, MT))
      return S;
  }
  popResolved(0, 0);
  return OK;
}

Status Verifier::resolveDatasec(Vertex &V) {
  for (uint32_t I = V.NextMember, E = vlenOf(V.T); I < E; ++I) {
    TypeP VSI = tailOf(V.T) + 3 * I;
    auto Fail = [&](const Twine &Reason) {
      return fail(V.T, V.Id,
                  Twine(formatv("var type_id={0} offset={1} size={2}: ", VSI[0],
                                VSI[1], VSI[2])
                            .str()) +
                      Reason);
    };
    TypeP VarT = typeById(VSI[0]);
    if (!VarT || !isKind(VarT, BTF::BTF_KIND_VAR))
      return Fail("not a VAR kind member");
    if (!isSink(VarT) && !isResolved(VSI[0])) {
      V.NextMember = I + 1;
      return push(VarT, VSI[0]);
    }
    uint32_t TypeId = refOf(VarT), TypeSize = 0;
    if (!idSize(TypeId, &TypeSize))
      return Fail("invalid type");
    if (VSI[2] < TypeSize)
      return Fail(formatv("invalid size: the variable is {0} bytes", TypeSize));
  }
  popResolved(0, 0);
  return OK;
}

Status Verifier::resolveDeclTag(Vertex &V) {
  uint32_t NextId = refOf(V.T);
  TypeP Next = typeById(NextId);
  if (!Next || !isDeclTagTarget(Next))
    return fail(V.T, V.Id, "invalid type_id");
  if (!isSink(Next) && !isResolved(NextId))
    return push(Next, NextId);
  int32_t Idx = int32_t(tailOf(V.T)[0]);
  if (Idx != -1) {
    if (isKind(Next, BTF::BTF_KIND_VAR) || isKind(Next, BTF::BTF_KIND_TYPEDEF))
      return fail(V.T, V.Id, formatv("invalid component_idx {0}", Idx));
    uint32_t Vlen;
    if (isStructOrUnion(Next)) {
      Vlen = vlenOf(Next);
    } else {
      TypeP Proto = typeById(refOf(Next));
      if (!Proto)
        return fail(V.T, V.Id, "invalid type_id");
      Vlen = vlenOf(Proto);
    }
    if (uint32_t(Idx) >= Vlen)
      return fail(V.T, V.Id, formatv("invalid component_idx {0}", Idx));
  }
  popResolved(NextId, 0);
  return OK;
}

Status Verifier::resolveFunc(Vertex &V) {
  // btf_func_check.
  TypeP Proto = typeById(refOf(V.T));
  if (!Proto || !isKind(Proto, BTF::BTF_KIND_FUNC_PROTO))
    return fail(V.T, V.Id, "invalid type_id: not a FUNC_PROTO");
  for (uint32_t I = 0, E = vlenOf(Proto); I < E; ++I) {
    TypeP P = tailOf(Proto) + 2 * I;
    if (!P[0] && P[1])
      return fail(V.T, V.Id, formatv("invalid arg#{0}: no name", I + 1));
  }
  popResolved(refOf(V.T), 0);
  return OK;
}

Status Verifier::resolveStep(Vertex &V) {
  if (isModifier(V.T) || isKind(V.T, BTF::BTF_KIND_PTR))
    return resolveModifierOrPtr(V);
  switch (kindOf(V.T)) {
  case BTF::BTF_KIND_VAR:
    return resolveVar(V);
  case BTF::BTF_KIND_ARRAY:
    return resolveArray(V);
  case BTF::BTF_KIND_STRUCT:
  case BTF::BTF_KIND_UNION:
    return resolveStruct(V);
  case BTF::BTF_KIND_DATASEC:
    return resolveDatasec(V);
  case BTF::BTF_KIND_DECL_TAG:
    return resolveDeclTag(V);
  case BTF::BTF_KIND_FUNC:
    return resolveFunc(V);
  default:
    return fail(V.T, V.Id, "unsupported resolve");
  }
}

bool Verifier::resolveValid(TypeP T, uint32_t Id) {
  if (!isResolved(Id))
    return false;
  if (isStructOrUnion(T) || isKind(T, BTF::BTF_KIND_DATASEC))
    return !ResolvedIds[Id] && !ResolvedSizes[Id];
  if (isKind(T, BTF::BTF_KIND_DECL_TAG) || isKind(T, BTF::BTF_KIND_FUNC))
    return ResolvedIds[Id] && !ResolvedSizes[Id];
  if (isModifier(T) || isKind(T, BTF::BTF_KIND_PTR) ||
      isKind(T, BTF::BTF_KIND_VAR)) {
    uint32_t RId = Id;
    TypeP RT = idResolve(RId);
    return RT && !isModifier(RT) && !isKind(RT, BTF::BTF_KIND_VAR) &&
           !isKind(RT, BTF::BTF_KIND_DATASEC);
  }
  if (isKind(T, BTF::BTF_KIND_ARRAY)) {
    TypeP A = tailOf(T);
    uint32_t ElemId = A[0], ElemSize = 0;
    TypeP Elem = idSize(ElemId, &ElemSize);
    return Elem && !isModifier(Elem) && A[2] * ElemSize == ResolvedSizes[Id];
  }
  return false;
}

Status Verifier::resolve(TypeP T, uint32_t Id) {
  Mode = ResolveTBD;
  Status S = push(T, Id);
  while (S == OK && Top)
    S = resolveStep(Stack[Top - 1]);
  if (S == TooDeep) {
    Msg = typeDesc(T, Id) +
          formatv(": exceeded max resolving depth:{0}", MaxResolveDepth).str();
  } else if (S == Loop) {
    Msg = typeDesc(T, Id) + ": loop detected";
  }
  if (S == OK && !resolveValid(T, Id))
    return fail(T, Id, "invalid resolve state");
  Top = 0;
  return S;
}

Status Verifier::checkFuncProto(TypeP T, uint32_t Id) {
  // btf_func_proto_check.
  if (uint32_t RetId = refOf(T)) {
    TypeP Ret = typeById(RetId);
    if (!Ret)
      return fail(T, Id, "invalid return type");
    if (needsResolve(Ret) && !isResolved(RetId))
      if (Status S = resolve(Ret, RetId))
        return S;
    if (!idSize(RetId))
      return fail(T, Id, "invalid return type");
  }
  uint32_t NrArgs = vlenOf(T);
  if (!NrArgs)
    return OK;
  TypeP Args = tailOf(T);
  // A last argument of type void is "...".
  if (!Args[2 * (NrArgs - 1) + 1]) {
    if (Args[2 * (NrArgs - 1)])
      return fail(T, Id,
                  formatv("invalid arg#{0}: varargs with a name", NrArgs));
    --NrArgs;
  }
  for (uint32_t I = 0; I < NrArgs; ++I) {
    uint32_t NameOff = Args[2 * I], ArgId = Args[2 * I + 1];
    TypeP Arg = typeById(ArgId);
    if (!Arg)
      return fail(T, Id, formatv("invalid arg#{0}: invalid type_id", I + 1));
    if (NameOff && (!nameOffsetValid(NameOff) || !nameValid(NameOff)))
      return fail(T, Id, formatv("invalid arg#{0}: invalid name", I + 1));
    if (needsResolve(Arg) && !isResolved(ArgId))
      if (Status S = resolve(Arg, ArgId))
        return S;
    if (!idSize(ArgId))
      return fail(T, Id, formatv("invalid arg#{0}: type without size", I + 1));
  }
  return OK;
}

Error Verifier::checkAllTypes(uint32_t First, uint32_t End,
                              uint32_t LevelStartId) {
  LevelStart = LevelStartId;
  LevelEnd = End;
  for (uint32_t Id = First; Id < End; ++Id) {
    TypeP T = typeById(Id);
    Status S = OK;
    if (needsResolve(T) && !isResolved(Id))
      S = resolve(T, Id);
    if (S == OK && isKind(T, BTF::BTF_KIND_FUNC_PROTO))
      S = checkFuncProto(T, Id);
    if (S != OK)
      return makeError(Msg);
  }
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Type tags (btf_check_type_tags)
//===----------------------------------------------------------------------===//

Error Verifier::checkTypeTags() {
  uint64_t End = LevelEnd;
  uint64_t Good = StartId - 1;
  for (uint64_t I = StartId; I < End; ++I) {
    TypeP T = typeById(I);
    if (!isModifier(T))
      continue;
    uint32_t Limit = MaxChain;
    uint64_t Cur = I;
    bool InTags = isKind(T, BTF::BTF_KIND_TYPE_TAG);
    while (isModifier(T)) {
      if (!Limit--)
        return typeError(typeById(I), I, "max chain length or cycle detected");
      if (isKind(T, BTF::BTF_KIND_TYPE_TAG)) {
        if (!InTags)
          return typeError(typeById(I), I, "type tags don't precede modifiers");
      } else {
        InTags = false;
      }
      if (Cur <= Good)
        break;
      Cur = refOf(T);
      T = typeById(Cur);
      if (!T)
        return typeError(typeById(I), I,
                         formatv("invalid type_id {0} in the chain", Cur));
    }
    Good = I;
  }
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

Error Verifier::run() {
  if (Error E = parseHeader())
    return E;
  if (Error E = parseStrings())
    return E;
  if (Error E = checkAllMetas())
    return E;

  uint64_t Total = uint64_t(StartId) + Offsets.size();
  State.assign(Total, NotVisited);
  ResolvedIds.assign(Total, 0);
  ResolvedSizes.assign(Total, 0);
  if (Base) {
    // The kernel resolved the base when it loaded it; do the same so that
    // the split types see its resolved IDs and sizes.
    if (Error E = checkAllTypes(1, StartId, 1))
      return makeError("base btf: " + toString(std::move(E)));
  }
  if (Error E = checkAllTypes(StartId, Total, StartId))
    return E;
  return checkTypeTags();
}

Error btfsplit::verifyBTF(ArrayRef<uint8_t> Data, const BTFObject *Base) {
  return Verifier(Data, Base).run();
}
