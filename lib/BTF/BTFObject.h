//===- BTFObject.h - In-memory BTF, base or split ---------------*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The in-memory model of one BTF object, shared by the reader, the writer,
/// the dumper, the validator, the deduplicator and the DWARF encoder.
///
/// Types are kept as they are on disk: one flat vector of 32-bit words in
/// native byte order, each type a `BTF::CommonType` followed by its
/// kind-specific tail, plus the word offset of every type. Views are the
/// structs of `llvm/DebugInfo/BTF/BTF.h` laid over those words, so code reads
/// `cast<BTF::StructType>(T)->members()` as LLVM's BTFParser users do.
///
/// Split BTF (kernel modules) is a BTFObject with a base: its first type ID is
/// the base's type count and its string offsets continue after the base's
/// string section. The base is never modified through the split object.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_BTF_BTFOBJECT_H
#define LLVM_BTF_SPLIT_LIB_BTF_BTFOBJECT_H

#include "BTF/StringTable.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/DebugInfo/BTF/BTF.h"
#include "llvm/Support/Casting.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"
#include <memory>
#include <vector>

namespace btfsplit {

namespace BTF = llvm::BTF;

/// Kinds the kernel accepts are 1..BTF::BTF_KIND_ENUM64.
constexpr unsigned MaxKind = BTF::BTF_KIND_ENUM64;
/// The kernel's limits (include/uapi/linux/btf.h); the vlen limit is
/// BTF::MAX_VLEN.
constexpr uint32_t MaxType = 0x000fffff;
constexpr uint32_t MaxNameOffset = 0x00ffffff;

/// "BTF_KIND_INT" style name of a kind, or "UNKN" for unknown values, without
/// the prefix ("INT", "STRUCT", ...) as bpftool prints it.
llvm::StringRef kindName(unsigned Kind);

/// Byte size of the tail following the common part of a type of \p Kind with
/// \p Vlen entries; -1 for kinds that do not exist.
int64_t tailSize(unsigned Kind, uint32_t Vlen);

inline uint32_t makeInfo(unsigned Kind, uint32_t Vlen, bool KindFlag = false) {
  return (KindFlag ? 1u << 31 : 0) | (Kind & 0x1f) << 24 | (Vlen & 0xffff);
}
inline bool kindFlag(const BTF::CommonType *T) { return T->Info >> 31; }

/// INT encoding word: encoding(4b) << 24 | offset(8b) << 16 | bits(8b).
inline uint32_t intEncoding(uint32_t W) { return (W >> 24) & 0x0f; }
inline uint32_t intOffset(uint32_t W) { return (W >> 16) & 0xff; }
inline uint32_t intBits(uint32_t W) { return W & 0xff; }

/// Member offset word when the struct's kind_flag is set.
inline uint32_t memberBitOffset(const BTF::CommonType *S, uint32_t Off) {
  return kindFlag(S) ? Off & 0xffffff : Off;
}
inline uint32_t memberBitfieldSize(const BTF::CommonType *S, uint32_t Off) {
  return kindFlag(S) ? Off >> 24 : 0;
}

/// The 32-bit words that follow the common part of \p T (its kind tail).
llvm::ArrayRef<uint32_t> tailWords(const BTF::CommonType *T);
/// Mutable variant for in-place rewriting.
llvm::MutableArrayRef<uint32_t> tailWords(BTF::CommonType *T);

/// Call \p F on every type-ID field of \p T, in libbpf's order (the order
/// dedup canonicalizes them in). \p F gets a reference it may write through
/// when \p T is mutable.
template <typename TypeT, typename Fn> void forEachTypeRef(TypeT *T, Fn F) {
  auto Tail = tailWords(T);
  switch (T->getKind()) {
  case BTF::BTF_KIND_PTR:
  case BTF::BTF_KIND_TYPEDEF:
  case BTF::BTF_KIND_VOLATILE:
  case BTF::BTF_KIND_CONST:
  case BTF::BTF_KIND_RESTRICT:
  case BTF::BTF_KIND_FUNC:
  case BTF::BTF_KIND_TYPE_TAG:
  case BTF::BTF_KIND_VAR:
  case BTF::BTF_KIND_DECL_TAG:
    F(T->Type);
    break;
  case BTF::BTF_KIND_ARRAY:
    F(Tail[0]);
    F(Tail[1]);
    break;
  case BTF::BTF_KIND_STRUCT:
  case BTF::BTF_KIND_UNION:
    for (size_t I = 1; I < Tail.size(); I += 3)
      F(Tail[I]);
    break;
  case BTF::BTF_KIND_FUNC_PROTO:
    F(T->Type);
    for (size_t I = 1; I < Tail.size(); I += 2)
      F(Tail[I]);
    break;
  case BTF::BTF_KIND_DATASEC:
    for (size_t I = 0; I < Tail.size(); I += 3)
      F(Tail[I]);
    break;
  default:
    break;
  }
}

/// Call \p F on every string-offset field of \p T, in libbpf's order.
template <typename Fn> void forEachStrRef(BTF::CommonType *T, Fn F) {
  F(T->NameOff);
  llvm::MutableArrayRef<uint32_t> Tail = tailWords(T);
  size_t Stride = 0;
  switch (T->getKind()) {
  case BTF::BTF_KIND_STRUCT:
  case BTF::BTF_KIND_UNION:
  case BTF::BTF_KIND_ENUM64:
    Stride = 3;
    break;
  case BTF::BTF_KIND_ENUM:
  case BTF::BTF_KIND_FUNC_PROTO:
    Stride = 2;
    break;
  default:
    return;
  }
  for (size_t I = 0; I < Tail.size(); I += Stride)
    F(Tail[I]);
}

/// One BTF object: all types and strings of a base BTF, or the types and
/// strings a split BTF adds on top of its base.
class BTFObject {
public:
  /// An empty base BTF: type 0 (void) and the empty string at offset 0.
  BTFObject();
  /// An empty split BTF on top of \p Base, which must outlive this object.
  explicit BTFObject(const BTFObject *Base);

  BTFObject(const BTFObject &) = delete;
  BTFObject &operator=(const BTFObject &) = delete;

  const BTFObject *base() const { return Base; }
  bool isSplit() const { return Base != nullptr; }

  /// ID of the first type this object holds (1 for a base: 0 is void).
  uint32_t startId() const { return StartId; }
  /// Offset of the first byte of this object's string section, as seen
  /// from type name offsets (0 for a base).
  uint32_t startStrOff() const { return StartStrOff; }
  /// One past the last valid type ID, counting the base and void
  /// (libbpf's btf__type_cnt).
  uint32_t typeCount() const { return StartId + localCount(); }
  /// Number of types stored in this object.
  uint32_t localCount() const { return TypeOffsets.size(); }
  bool isLocal(uint32_t Id) const { return Id >= StartId && Id < typeCount(); }

  /// The type with ID \p Id, looked up through the base chain; ID 0 gives a
  /// void type whose fields are all zero. \p Id must be < typeCount().
  const BTF::CommonType *type(uint32_t Id) const;
  /// Mutable access to a type of this object (not of the base).
  BTF::CommonType *localType(uint32_t Id);
  /// The words of local type \p Id: common part and tail.
  llvm::ArrayRef<uint32_t> typeWords(uint32_t Id) const;

  /// String at name offset \p Off, resolved through the base chain. Invalid
  /// offsets give an empty string; use isValidStrOff() to check.
  llvm::StringRef str(uint32_t Off) const;
  bool isValidStrOff(uint32_t Off) const;
  /// Total size of the string space seen by a split BTF on top of this one.
  uint32_t strEnd() const { return StartStrOff + Strings.size(); }

  /// Name offset of \p S, from the base chain if there, else added locally
  /// (libbpf btf__add_str).
  uint32_t addString(llvm::StringRef S);
  /// Name offset of \p S if the base chain or this object already has it.
  std::optional<uint32_t> findString(llvm::StringRef S) const;

  /// Append a type given as raw words (common part + tail, native order).
  /// Returns its ID.
  uint32_t addType(llvm::ArrayRef<uint32_t> Words);
  /// Builders for each kind; each returns the new type's ID.
  uint32_t addInt(llvm::StringRef Name, uint32_t Size, uint32_t Encoding,
                  uint32_t Bits, uint32_t BitOffset = 0);
  uint32_t addRef(unsigned Kind, llvm::StringRef Name, uint32_t Type);
  uint32_t addArray(uint32_t Elem, uint32_t Index, uint32_t Nelems);
  uint32_t addFwd(llvm::StringRef Name, bool IsUnion);
  uint32_t addFunc(llvm::StringRef Name, uint32_t Proto, unsigned Linkage);
  uint32_t addVar(llvm::StringRef Name, uint32_t Type, uint32_t Linkage);
  uint32_t addDeclTag(llvm::StringRef Name, uint32_t Type, int32_t Component);

  /// Use \p TypeWords and \p Strs (this object's type and string sections)
  /// in place, inside \p Backing, which the object keeps: no copy of a large
  /// base. The first change of the object copies them (words(), add*()).
  void borrow(std::unique_ptr<llvm::MemoryBuffer> Backing,
              llvm::ArrayRef<uint32_t> TypeWords, llvm::StringRef Strs);

  /// Direct access for passes that rewrite the whole object (dedup).
  std::vector<uint32_t> &words() {
    ownWords();
    return Words;
  }
  llvm::ArrayRef<uint32_t> words() const {
    return WordsBorrowed ? BorrowedWords : llvm::ArrayRef<uint32_t>(Words);
  }
  std::vector<uint32_t> &typeOffsets() { return TypeOffsets; }
  const std::vector<uint32_t> &typeOffsets() const { return TypeOffsets; }
  StringTable &strings() { return Strings; }
  const StringTable &strings() const { return Strings; }

  /// Byte order of the file this object was read from; the writer keeps it.
  llvm::endianness endian() const { return Endian; }
  void setEndian(llvm::endianness E) { Endian = E; }

private:
  const uint32_t *wordData() const {
    return WordsBorrowed ? BorrowedWords.data() : Words.data();
  }
  /// Copy borrowed words into Words before a change.
  void ownWords();

  const BTFObject *Base = nullptr;
  uint32_t StartId = 1;
  uint32_t StartStrOff = 0;
  std::vector<uint32_t> Words;
  /// The type words in use when WordsBorrowed (Words is then empty), inside
  /// Backing.
  llvm::ArrayRef<uint32_t> BorrowedWords;
  bool WordsBorrowed = false;
  std::unique_ptr<llvm::MemoryBuffer> Backing;
  std::vector<uint32_t> TypeOffsets;
  StringTable Strings;
  llvm::endianness Endian = llvm::endianness::native;
};

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_BTF_BTFOBJECT_H
