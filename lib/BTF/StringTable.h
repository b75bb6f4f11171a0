//===- StringTable.h - Hashed BTF string section ----------------*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The string section of one BTF object: a blob of NUL-terminated strings
/// addressed by byte offset, with a hash index from string to offset so that
/// adding or finding a string never scans the blob (libbpf strset style).
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_BTF_STRINGTABLE_H
#define LLVM_BTF_SPLIT_LIB_BTF_STRINGTABLE_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include <optional>
#include <vector>

namespace btfsplit {

class StringTable {
public:
  StringTable() = default;

  /// Replace the contents with a copy of \p Data (raw string section bytes).
  /// The index is built lazily, on the first find() or add().
  void assign(llvm::StringRef Data);

  /// Use \p Data (raw string section bytes) in place, without a copy:
  /// \p Data must outlive the table, or its first change (add(), which
  /// copies the bytes first).
  void borrow(llvm::StringRef Data);

  /// The raw bytes of the section.
  llvm::StringRef data() const {
    return Borrowed ? View : llvm::StringRef(Blob.data(), Blob.size());
  }
  uint32_t size() const { return data().size(); }
  bool empty() const { return data().empty(); }

  /// The string that starts at \p Off. \p Off must be < size(); the string
  /// ends at the next NUL or at the end of the blob.
  llvm::StringRef at(uint32_t Off) const;

  /// Whether a NUL terminates the string at \p Off inside the blob.
  bool isTerminated(uint32_t Off) const;

  /// Offset of a string equal to \p S. Only whole strings are found: those
  /// starting at offset 0 or right after a NUL.
  std::optional<uint32_t> find(llvm::StringRef S) const;

  /// Offset of \p S, appending it when it is not present yet.
  uint32_t add(llvm::StringRef S);

  /// Build the index now (call before sharing the table between threads).
  void buildIndex() const;

private:
  std::optional<uint32_t> lookup(llvm::StringRef S, uint64_t Hash) const;
  void insert(uint32_t Off, uint64_t Hash) const;

  llvm::SmallVector<char, 0> Blob;
  /// The bytes in use when Borrowed (Blob is then empty).
  llvm::StringRef View;
  bool Borrowed = false;
  /// Open-addressing table of offsets (UINT32_MAX = empty), sized to a
  /// power of two; 16 bits of each hash (above the bits that pick the slot
  /// in any table up to 2^32 slots) are stored beside them to skip most
  /// string compares. Rehashing recomputes the hashes.
  mutable std::vector<uint32_t> Slots;
  mutable std::vector<uint16_t> SlotTags;
  mutable uint32_t NumEntries = 0;
  mutable bool Indexed = false;
};

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_BTF_STRINGTABLE_H
