//===- BTFObject.cpp - In-memory BTF, base or split -----------------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "BTF/BTFObject.h"
#include "llvm/Support/ErrorHandling.h"

using namespace llvm;
using namespace btfsplit;

StringRef btfsplit::kindName(unsigned Kind) {
  switch (Kind) {
#define HANDLE_BTF_KIND(ID, NAME)                                              \
  case ID:                                                                     \
    return #NAME;
#include "llvm/DebugInfo/BTF/BTF.def"
  default:
    return "UNKN";
  }
}

int64_t btfsplit::tailSize(unsigned Kind, uint32_t Vlen) {
  switch (Kind) {
  case BTF::BTF_KIND_INT:
  case BTF::BTF_KIND_VAR:
  case BTF::BTF_KIND_DECL_TAG:
    return 4;
  case BTF::BTF_KIND_ARRAY:
    return BTF::BTFArraySize;
  case BTF::BTF_KIND_STRUCT:
  case BTF::BTF_KIND_UNION:
    return int64_t(Vlen) * BTF::BTFMemberSize;
  case BTF::BTF_KIND_ENUM:
    return int64_t(Vlen) * BTF::BTFEnumSize;
  case BTF::BTF_KIND_ENUM64:
    return int64_t(Vlen) * BTF::BTFEnum64Size;
  case BTF::BTF_KIND_FUNC_PROTO:
    return int64_t(Vlen) * BTF::BTFParamSize;
  case BTF::BTF_KIND_DATASEC:
    return int64_t(Vlen) * BTF::BTFDataSecVarSize;
  case BTF::BTF_KIND_PTR:
  case BTF::BTF_KIND_FWD:
  case BTF::BTF_KIND_TYPEDEF:
  case BTF::BTF_KIND_VOLATILE:
  case BTF::BTF_KIND_CONST:
  case BTF::BTF_KIND_RESTRICT:
  case BTF::BTF_KIND_FUNC:
  case BTF::BTF_KIND_FLOAT:
  case BTF::BTF_KIND_TYPE_TAG:
    return 0;
  default:
    return -1;
  }
}

ArrayRef<uint32_t> btfsplit::tailWords(const BTF::CommonType *T) {
  int64_t Size = tailSize(T->getKind(), T->getVlen());
  if (Size <= 0)
    return {};
  return {reinterpret_cast<const uint32_t *>(T) + 3, size_t(Size / 4)};
}

MutableArrayRef<uint32_t> btfsplit::tailWords(BTF::CommonType *T) {
  int64_t Size = tailSize(T->getKind(), T->getVlen());
  if (Size <= 0)
    return {};
  return {reinterpret_cast<uint32_t *>(T) + 3, size_t(Size / 4)};
}

BTFObject::BTFObject() { Strings.assign(StringRef("", 1)); }

BTFObject::BTFObject(const BTFObject *Base)
    : Base(Base), StartId(Base->typeCount()), StartStrOff(Base->strEnd()) {}

static const BTF::CommonType VoidType = {};

const BTF::CommonType *BTFObject::type(uint32_t Id) const {
  const BTFObject *O = this;
  while (Id < O->StartId) {
    if (!O->Base)
      return &VoidType;
    O = O->Base;
  }
  assert(Id < O->typeCount() && "type ID out of range");
  return reinterpret_cast<const BTF::CommonType *>(
      O->wordData() + O->TypeOffsets[Id - O->StartId]);
}

BTF::CommonType *BTFObject::localType(uint32_t Id) {
  assert(isLocal(Id) && "not a type of this object");
  ownWords();
  return reinterpret_cast<BTF::CommonType *>(Words.data() +
                                             TypeOffsets[Id - StartId]);
}

ArrayRef<uint32_t> BTFObject::typeWords(uint32_t Id) const {
  assert(isLocal(Id) && "not a type of this object");
  ArrayRef<uint32_t> All = words();
  size_t Begin = TypeOffsets[Id - StartId];
  size_t End =
      Id + 1 < typeCount() ? TypeOffsets[Id + 1 - StartId] : All.size();
  return All.slice(Begin, End - Begin);
}

void BTFObject::borrow(std::unique_ptr<MemoryBuffer> Buf,
                       ArrayRef<uint32_t> TypeWords, StringRef Strs) {
  Backing = std::move(Buf);
  Words.clear();
  BorrowedWords = TypeWords;
  WordsBorrowed = true;
  Strings.borrow(Strs);
}

void BTFObject::ownWords() {
  if (!WordsBorrowed)
    return;
  Words.assign(BorrowedWords.begin(), BorrowedWords.end());
  BorrowedWords = {};
  WordsBorrowed = false;
}

StringRef BTFObject::str(uint32_t Off) const {
  const BTFObject *O = this;
  while (Off < O->StartStrOff) {
    if (!O->Base)
      return {};
    O = O->Base;
  }
  uint32_t Local = Off - O->StartStrOff;
  if (Local >= O->Strings.size())
    return {};
  return O->Strings.at(Local);
}

bool BTFObject::isValidStrOff(uint32_t Off) const {
  const BTFObject *O = this;
  while (Off < O->StartStrOff) {
    if (!O->Base)
      return false;
    O = O->Base;
  }
  return O->Strings.isTerminated(Off - O->StartStrOff);
}

std::optional<uint32_t> BTFObject::findString(StringRef S) const {
  if (Base)
    if (std::optional<uint32_t> Off = Base->findString(S))
      return Off;
  if (std::optional<uint32_t> Off = Strings.find(S))
    return StartStrOff + *Off;
  return std::nullopt;
}

uint32_t BTFObject::addString(StringRef S) {
  if (Base)
    if (std::optional<uint32_t> Off = Base->findString(S))
      return *Off;
  return StartStrOff + Strings.add(S);
}

uint32_t BTFObject::addType(ArrayRef<uint32_t> TypeWords) {
  assert(TypeWords.size() >= 3 && "a type has at least 3 words");
  uint32_t Id = typeCount();
  ownWords();
  TypeOffsets.push_back(Words.size());
  Words.insert(Words.end(), TypeWords.begin(), TypeWords.end());
  return Id;
}

uint32_t BTFObject::addInt(StringRef Name, uint32_t Size, uint32_t Encoding,
                           uint32_t Bits, uint32_t BitOffset) {
  uint32_t NameOff = addString(Name);
  return addType(
      {NameOff, makeInfo(BTF::BTF_KIND_INT, 0), Size,
       (Encoding & 0xf) << 24 | (BitOffset & 0xff) << 16 | (Bits & 0xff)});
}

uint32_t BTFObject::addRef(unsigned Kind, StringRef Name, uint32_t Type) {
  uint32_t NameOff = Name.empty() ? 0 : addString(Name);
  return addType({NameOff, makeInfo(Kind, 0), Type});
}

uint32_t BTFObject::addArray(uint32_t Elem, uint32_t Index, uint32_t Nelems) {
  return addType({0, makeInfo(BTF::BTF_KIND_ARRAY, 0), 0, Elem, Index, Nelems});
}

uint32_t BTFObject::addFwd(StringRef Name, bool IsUnion) {
  uint32_t NameOff = addString(Name);
  return addType({NameOff, makeInfo(BTF::BTF_KIND_FWD, 0, IsUnion), 0});
}

uint32_t BTFObject::addFunc(StringRef Name, uint32_t Proto, unsigned Linkage) {
  uint32_t NameOff = addString(Name);
  return addType({NameOff, makeInfo(BTF::BTF_KIND_FUNC, Linkage), Proto});
}

uint32_t BTFObject::addVar(StringRef Name, uint32_t Type, uint32_t Linkage) {
  uint32_t NameOff = addString(Name);
  return addType({NameOff, makeInfo(BTF::BTF_KIND_VAR, 0), Type, Linkage});
}

uint32_t BTFObject::addDeclTag(StringRef Name, uint32_t Type,
                               int32_t Component) {
  uint32_t NameOff = addString(Name);
  return addType({NameOff, makeInfo(BTF::BTF_KIND_DECL_TAG, 0), Type,
                  static_cast<uint32_t>(Component)});
}
