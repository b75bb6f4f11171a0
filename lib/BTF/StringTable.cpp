//===- StringTable.cpp - Hashed BTF string section ------------------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "BTF/StringTable.h"
#include "Support/MemoryPolicy.h"
#include "llvm/Support/xxhash.h"
#include <cstring>

using namespace llvm;
using namespace btfsplit;

static constexpr uint32_t EmptySlot = UINT32_MAX;

void StringTable::borrow(StringRef Data) {
  Blob.clear();
  View = Data;
  Borrowed = true;
  Slots.clear();
  SlotTags.clear();
  NumEntries = 0;
  Indexed = false;
}

void StringTable::assign(StringRef Data) {
  Borrowed = false;
  View = {};
  Blob.clear();
  Blob.reserve(Data.size());
  prefaultForWrite(Blob.data(), Data.size());
  Blob.append(Data.begin(), Data.end());
  Slots.clear();
  SlotTags.clear();
  NumEntries = 0;
  Indexed = false;
}

StringRef StringTable::at(uint32_t Off) const {
  StringRef Bytes = data();
  assert(Off < Bytes.size() && "string offset out of range");
  const char *Begin = Bytes.data() + Off;
  const void *Nul = std::memchr(Begin, 0, Bytes.size() - Off);
  size_t Len =
      Nul ? static_cast<const char *>(Nul) - Begin : Bytes.size() - Off;
  return {Begin, Len};
}

bool StringTable::isTerminated(uint32_t Off) const {
  StringRef Bytes = data();
  return Off < Bytes.size() &&
         std::memchr(Bytes.data() + Off, 0, Bytes.size() - Off) != nullptr;
}

static uint64_t hashString(StringRef S) {
  return xxh3_64bits(
      ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(S.data()), S.size()));
}

static uint16_t tagOf(uint64_t Hash) { return Hash >> 48; }

std::optional<uint32_t> StringTable::lookup(StringRef S, uint64_t Hash) const {
  if (Slots.empty())
    return std::nullopt;
  size_t Mask = Slots.size() - 1;
  uint16_t Tag = tagOf(Hash);
  for (size_t I = Hash & Mask;; I = (I + 1) & Mask) {
    uint32_t Off = Slots[I];
    if (Off == EmptySlot)
      return std::nullopt;
    if (SlotTags[I] == Tag && at(Off) == S)
      return Off;
  }
}

void StringTable::insert(uint32_t Off, uint64_t Hash) const {
  if ((NumEntries + 1) * 4 >= Slots.size() * 3) {
    size_t NewSize = Slots.empty() ? 1024 : Slots.size() * 2;
    std::vector<uint32_t> OldSlots(NewSize, EmptySlot);
    OldSlots.swap(Slots);
    SlotTags.assign(NewSize, 0);
    size_t Mask = Slots.size() - 1;
    for (uint32_t Old : OldSlots) {
      if (Old == EmptySlot)
        continue;
      uint64_t H = hashString(at(Old));
      size_t I = H & Mask;
      while (Slots[I] != EmptySlot)
        I = (I + 1) & Mask;
      Slots[I] = Old;
      SlotTags[I] = tagOf(H);
    }
  }
  size_t Mask = Slots.size() - 1;
  size_t I = Hash & Mask;
  while (Slots[I] != EmptySlot)
    I = (I + 1) & Mask;
  Slots[I] = Off;
  SlotTags[I] = tagOf(Hash);
  ++NumEntries;
}

void StringTable::buildIndex() const {
  if (Indexed)
    return;
  Indexed = true;
  // Count the strings first so that the table is sized once.
  StringRef Bytes = data();
  size_t Count = 0;
  for (char C : Bytes)
    Count += C == 0;
  size_t Size = 1024;
  while (Size * 3 <= (Count + 1) * 4)
    Size *= 2;
  assignPrefaulted(Slots, Size, EmptySlot);
  assignPrefaulted(SlotTags, Size, uint16_t(0));
  NumEntries = 0;
  // The table is touched at random: strings are hashed Ahead strings before
  // they are inserted and their slots prefetched then.
  constexpr unsigned Ahead = 16;
  struct Pending {
    StringRef S;
    uint64_t Hash;
    uint32_t Off;
  } Ring[Ahead];
  uint32_t Scout = 0;
  unsigned Queued = 0;
  auto Prepare = [&](Pending &P) {
    P.Off = Scout;
    P.S = at(Scout);
    P.Hash = hashString(P.S);
    size_t Slot = P.Hash & (Slots.size() - 1);
    __builtin_prefetch(&Slots[Slot]);
    __builtin_prefetch(&SlotTags[Slot]);
    Scout += P.S.size() + 1;
  };
  for (; Queued < Ahead && Scout < Bytes.size(); ++Queued)
    Prepare(Ring[Queued]);
  for (unsigned I = 0; Queued; ++I, --Queued) {
    Pending P = Ring[I % Ahead];
    if (Scout < Bytes.size()) {
      Prepare(Ring[I % Ahead]);
      ++Queued;
    }
    // Keep the first occurrence of a duplicated string.
    if (!lookup(P.S, P.Hash))
      insert(P.Off, P.Hash);
  }
}

std::optional<uint32_t> StringTable::find(StringRef S) const {
  buildIndex();
  return lookup(S, hashString(S));
}

uint32_t StringTable::add(StringRef S) {
  buildIndex();
  uint64_t H = hashString(S);
  if (std::optional<uint32_t> Off = lookup(S, H))
    return *Off;
  if (Borrowed) {
    Blob.assign(View.begin(), View.end());
    Borrowed = false;
    View = {};
  }
  // A blob read from a file may lack its final NUL; keep strings apart.
  if (!Blob.empty() && Blob.back() != 0)
    Blob.push_back(0);
  uint32_t Off = Blob.size();
  Blob.append(S.begin(), S.end());
  Blob.push_back(0);
  insert(Off, H);
  return Off;
}
