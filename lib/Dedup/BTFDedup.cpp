//===- BTFDedup.cpp - BTF deduplication with libbpf semantics -------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
//
// The algorithm is libbpf's btf__dedup() as of libbpf 1.1 (the version that
// pahole 1.24 links and that made the kernel BTF we compare against). Every
// type gets a canonical representative, recorded in Map (type ID ->
// canonical ID, or Unprocessed); types that are their own representative
// survive, all references are redirected to representatives. Candidate
// representatives are found through Index, a multimap from a signature hash
// (kind-specific, see the hash*() functions) to canonical type IDs.
//
// The passes, run by Deduplicator::run() in this order:
//   passPrep         split BTF only: every base type is canonical (Map[id] =
//                    id) and, except VAR and DATASEC, is added to Index.
//   passStrings      strings used by local types are re-added to a fresh
//                    table in first-use order; for split BTF a string the
//                    base has takes the base offset. Unused strings go away.
//   passPrimTypes    INT, FLOAT, FWD, ENUM, ENUM64: first exactly equal
//                    candidate. An enum without values (an enum forward
//                    declaration) matches a full ENUM or ENUM64 of the same
//                    name; a full enum redirects earlier canonical enum
//                    forwards to itself.
//   passStructTypes  STRUCT, UNION: a candidate with equal name, size and
//                    member names/offsets whose type graph is equivalent
//                    (isEquiv, below).
//   passResolveFwds  a FWD still canonical is mapped to the only canonical
//                    struct/union (base or split) of its name and kind.
//   passRefTypes     CONST, VOLATILE, RESTRICT, PTR, TYPEDEF, FUNC,
//                    TYPE_TAG, DECL_TAG, ARRAY, FUNC_PROTO, depth first: the
//                    referenced IDs are first replaced by their canonical
//                    IDs, then the type is compared exactly with candidates.
//                    A loop that does not go through a struct or union is an
//                    error.
//   passCompact      canonical local types are packed in ID order; the old
//                    -> new ID map reuses HypotMap. Base IDs never move.
//   passRemap        every type ID field goes through Map then HypotMap.
//
// Split BTF and DedupBaseIndex. What passPrep computes for a base (type
// pointers, the signature index of its types, its structs/unions by name for
// passResolveFwds) depends on the base alone: DedupBaseIndex computes it
// once, and each split deduplication layers its own CandidateIndex on the
// base's (a key's candidates are copied on first use, with the growth count
// they had, so the libbpf visiting order is the same as with one index).
// Nothing writes to the base index, so one serves many threads; dedupBTF(O)
// on split O builds a temporary one.
//
// Graph equivalence (isEquiv(Cand, Canon)) walks the candidate's type graph
// and the canonical one in lockstep. HypotMap records which candidate type
// each canonical type is assumed equal to; meeting a canonical type again
// with the same candidate closes a cycle, with another candidate it fails
// unless the two candidates are identical arrays or structs (compilers
// sometimes emit duplicates within one unit). FWDs on the canonical side are
// followed to their resolution; a FWD matches a STRUCT/UNION of its kind. If
// that needs a base FWD to become a split struct, the base (immutable) cannot
// change, so the split struct stays distinct (HypotAdjustCanon) while the
// base FWD is still pointed at it so that split FWDs resolve. After a
// successful check mergeHypotMap() records FWD resolutions and maps the
// candidate's not yet mapped structs.
//
// Order of candidates. libbpf's hashmap prepends to a bucket chain and
// reverses the chains whenever it grows, so equally good candidates are
// tried in an order that depends on the insertion history. CandidateIndex
// reproduces that order exactly (it is independent of the hash function),
// so we pick the same representative as libbpf, deterministically.
//
// libbpf 1.1 versus today's libbpf (we follow 1.1):
//   - Typedefs are deduplicated in the reference pass. libbpf 37027144
//     (2025-11) moved them into the struct pass for recursive Go typedefs,
//     and 5b0f3729 (2026-04) fixed its regression.
//   - "Identical types" are arrays equal field by field and structs/unions
//     whose members are equal, identical arrays or identical structs
//     (f3c51fe0, 2022-10). libbpf c8a28812 (2025-04) added identical
//     pointers and 5ee9fbf7 (2025-05) replaced all of it by a generic
//     recursive comparison to depth 16 (whose ARRAY case compares a type
//     with itself at libbpf HEAD). Our struct recursion stops at depth
//     MaxIdenticalDepth, reached only by malformed input (a struct that
//     contains itself), on which libbpf 1.1 overflows its stack.
//   - Split string offsets start at the base's string size; multi-level
//     split BTF (8df8d67f, 0e14a12a, 2025) does not exist here.
//   - No layout section (2026): the header is the 24-byte one.
// Beyond libbpf: dangling type IDs and bad string offsets are reported
// instead of read out of bounds, and the passes run on a thread with a large
// stack so that deep (valid) type chains cannot overflow it.
//
//===----------------------------------------------------------------------===//

#include "Dedup/BTFDedup.h"
#include "Support/Errors.h"
#include "Support/MemoryPolicy.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/thread.h"
#include "llvm/Support/xxhash.h"
#include <algorithm>
#include <optional>

using namespace llvm;
using namespace btfsplit;

namespace {

/// Map values above MaxNrTypes are not type IDs (libbpf's markers).
constexpr uint32_t Unprocessed = UINT32_MAX;
constexpr uint32_t InProgress = UINT32_MAX - 1;
constexpr uint32_t MaxNrTypes = 0x7fffffff;
/// Nesting limit of the identical-structs check (see the file comment).
constexpr unsigned MaxIdenticalDepth = 1024;
/// Stack for the passes: recursion depth follows type chains.
constexpr unsigned DedupStackSize = 256u << 20;

//===----------------------------------------------------------------------===//
// Raw type access
//===----------------------------------------------------------------------===//

unsigned kindOf(const BTF::CommonType *T) { return T->getKind(); }
bool isComposite(const BTF::CommonType *T) {
  return kindOf(T) == BTF::BTF_KIND_STRUCT || kindOf(T) == BTF::BTF_KIND_UNION;
}
bool isAnyEnum(const BTF::CommonType *T) {
  return kindOf(T) == BTF::BTF_KIND_ENUM || kindOf(T) == BTF::BTF_KIND_ENUM64;
}
bool isEnumFwd(const BTF::CommonType *T) {
  return isAnyEnum(T) && T->getVlen() == 0;
}
/// A FWD stands for a union when its kind_flag is set.
unsigned fwdKind(const BTF::CommonType *T) {
  return kindFlag(T) ? BTF::BTF_KIND_UNION : BTF::BTF_KIND_STRUCT;
}
const BTF::BTFArray &arrayOf(const BTF::CommonType *T) {
  return cast<BTF::ArrayType>(T)->getArray();
}
ArrayRef<BTF::BTFMember> membersOf(const BTF::CommonType *T) {
  return cast<BTF::StructType>(T)->members();
}
/// FUNC_PROTO parameters as {name_off, type} word pairs.
ArrayRef<uint32_t> paramWords(const BTF::CommonType *T) { return tailWords(T); }

//===----------------------------------------------------------------------===//
// Signature hashes and equality, per kind (libbpf btf_hash_* / btf_equal_*)
//===----------------------------------------------------------------------===//

/// Collects 32-bit words and hashes them with xxh3. Which fields go in is
/// what matters: types that may be equal must get equal hashes.
class Signature {
public:
  explicit Signature(const BTF::CommonType *T) {
    W.append({T->NameOff, T->Info, T->Size});
  }
  Signature &add(uint32_t V) {
    W.push_back(V);
    return *this;
  }
  uint64_t hash() const {
    return xxh3_64bits(ArrayRef<uint8_t>(
        reinterpret_cast<const uint8_t *>(W.data()), W.size() * 4));
  }

private:
  SmallVector<uint32_t, 64> W;
};

uint64_t hashCommon(const BTF::CommonType *T) { return Signature(T).hash(); }

uint64_t hashIntTag(const BTF::CommonType *T) {
  return Signature(T).add(tailWords(T)[0]).hash();
}

/// Name only: enum forward declarations must meet full enums of any size.
uint64_t hashEnum(const BTF::CommonType *T) {
  return xxh3_64bits(
      ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(&T->NameOff), 4));
}

/// Member types are left out: they may not be canonical yet.
uint64_t hashStruct(const BTF::CommonType *T) {
  Signature S(T);
  for (const BTF::BTFMember &M : membersOf(T))
    S.add(M.NameOff).add(M.Offset);
  return S.hash();
}

uint64_t hashArray(const BTF::CommonType *T) {
  const BTF::BTFArray &A = arrayOf(T);
  return Signature(T).add(A.ElemType).add(A.IndexType).add(A.Nelems).hash();
}

uint64_t hashFnProto(const BTF::CommonType *T) {
  Signature S(T);
  for (uint32_t W : paramWords(T))
    S.add(W);
  return S.hash();
}

bool equalCommon(const BTF::CommonType *A, const BTF::CommonType *B) {
  return A->NameOff == B->NameOff && A->Info == B->Info && A->Size == B->Size;
}

bool equalIntTag(const BTF::CommonType *A, const BTF::CommonType *B) {
  return equalCommon(A, B) && tailWords(A)[0] == tailWords(B)[0];
}

bool equalEnum(const BTF::CommonType *A, const BTF::CommonType *B) {
  // Equal info words imply the same kind and number of values.
  return equalCommon(A, B) && tailWords(A) == tailWords(B);
}

bool compatEnum(const BTF::CommonType *A, const BTF::CommonType *B) {
  if (!isEnumFwd(A) && !isEnumFwd(B))
    return equalEnum(A, B);
  // A forward declaration: kind (ENUM or ENUM64), size and values are not
  // compared.
  return A->NameOff == B->NameOff && isAnyEnum(A) && isAnyEnum(B);
}

bool shallowEqualStruct(const BTF::CommonType *A, const BTF::CommonType *B) {
  if (!equalCommon(A, B))
    return false;
  ArrayRef<BTF::BTFMember> MA = membersOf(A), MB = membersOf(B);
  for (size_t I = 0; I < MA.size(); ++I)
    if (MA[I].NameOff != MB[I].NameOff || MA[I].Offset != MB[I].Offset)
      return false;
  return true;
}

bool equalArray(const BTF::CommonType *A, const BTF::CommonType *B) {
  if (!equalCommon(A, B))
    return false;
  const BTF::BTFArray &AA = arrayOf(A), &AB = arrayOf(B);
  return AA.ElemType == AB.ElemType && AA.IndexType == AB.IndexType &&
         AA.Nelems == AB.Nelems;
}

/// Arrays alike except for the element and index types.
bool compatArray(const BTF::CommonType *A, const BTF::CommonType *B) {
  return equalCommon(A, B) && arrayOf(A).Nelems == arrayOf(B).Nelems;
}

bool equalFnProto(const BTF::CommonType *A, const BTF::CommonType *B) {
  return equalCommon(A, B) && paramWords(A) == paramWords(B);
}

/// Prototypes alike except for the return and parameter types.
bool compatFnProto(const BTF::CommonType *A, const BTF::CommonType *B) {
  if (A->NameOff != B->NameOff || A->Info != B->Info)
    return false;
  ArrayRef<uint32_t> PA = paramWords(A), PB = paramWords(B);
  for (size_t I = 0; I < PA.size(); I += 2)
    if (PA[I] != PB[I])
      return false;
  return true;
}

//===----------------------------------------------------------------------===//
// CandidateIndex
//===----------------------------------------------------------------------===//

/// DenseMap reserves the two largest keys; both indexes group hashes by this
/// key.
uint64_t candidateKey(uint64_t Hash) {
  return Hash >= UINT64_MAX - 1 ? Hash - 2 : Hash;
}

/// How libbpf's `dedup_table` grows (see CandidateIndex): an insertion is
/// preceded, when `(size + 1) * 4 / 3 > capacity` (or capacity is 0), by
/// doubling the capacity (minimum 4). Both indexes count the growths an add
/// sees with this.
struct TableGrowth {
  uint64_t Size = 0;
  uint64_t Capacity = 0;
  uint32_t Growths = 0;
  /// Count one insertion; grow first when libbpf would.
  void countAdd() {
    if (Capacity == 0 || (Size + 1) * 4 / 3 > Capacity) {
      Capacity = Capacity ? Capacity * 2 : 4;
      ++Growths;
    }
    ++Size;
  }
};

/// The state a CandidateIndex (below) reaches after a sequence of add()
/// calls, built in one go and then only read: what DedupBaseIndex keeps of
/// the base types, shared by every split deduplication on that base. Each
/// key's IDs lie contiguously in Ids, in the order and with the growth count
/// the CandidateIndex bucket would have; keys are found through an
/// open-addressing table of group numbers. Flat arrays instead of a DenseMap
/// of small vectors: under half the memory (~2 MB instead of ~5 MB for the
/// 95k vmlinux types) and no per-key allocation, which matters because every
/// module process builds one.
class FrozenCandidateIndex {
public:
  struct Group {
    ArrayRef<uint32_t> Ids;
    /// The growth count the bucket was last normalized at; only its parity
    /// is kept, the only thing CandidateIndex::normalize() looks at.
    uint32_t Growths;
  };

  /// Start indexing types with IDs below \p IdLimit: add() them in
  /// increasing ID order, then finish().
  explicit FrozenCandidateIndex(uint32_t IdLimit) {
    // At most IdLimit keys: the table stays at most 3/4 full.
    size_t TableSize = 16;
    while (TableSize * 3 < size_t(IdLimit) * 4)
      TableSize *= 2;
    Mask = TableSize - 1;
    assignPrefaulted(Slots, TableSize, uint32_t(0));
    Keys.reserve(IdLimit);
    Count.reserve(IdLimit);
    assignPrefaulted(GroupOfId, IdLimit, NoGroup);
  }

  /// Building touches the table at random: the slot a hash will take is
  /// fetched into the cache ahead of add() (prefetchSlot), then the key of
  /// the group in it (prefetchKey), a few types later.
  void prefetchSlot(uint64_t Hash) const {
    __builtin_prefetch(&Slots[candidateKey(Hash) & Mask]);
  }
  void prefetchKey(uint64_t Hash) const {
    if (uint32_t G = Slots[candidateKey(Hash) & Mask])
      __builtin_prefetch(&Keys[G - 1]);
  }

  void add(uint64_t Hash, uint32_t Id) {
    assert(Id < GroupOfId.size() && GroupOfId[Id] == NoGroup);
    uint64_t K = candidateKey(Hash);
    uint32_t &Slot = findSlot(K);
    if (!Slot) {
      Keys.push_back(K);
      Count.push_back(0);
      Slot = Keys.size();
    }
    GroupOfId[Id] = Slot - 1;
    ++Count[Slot - 1];
    ++NumAdds;
  }

  /// Lay the groups out, then replay the adds (in ID order, the order they
  /// came in) as CandidateIndex::add does them: count a growth when the
  /// table would grow, reverse a group on an odd number of growths since its
  /// last add, append.
  void finish() {
    Start.resize(Keys.size() + 1);
    Start[0] = 0;
    for (size_t G = 0; G < Keys.size(); ++G)
      Start[G + 1] = Start[G] + Count[G];
    Ids.resize(NumAdds);
    Parity.resize(Keys.size());
    std::fill(Count.begin(), Count.end(), 0);
    for (uint32_t Id = 0; Id < GroupOfId.size(); ++Id) {
      uint32_t G = GroupOfId[Id];
      if (G == NoGroup)
        continue;
      Table.countAdd();
      bool Odd = Table.Growths & 1;
      uint32_t *First = Ids.data() + Start[G];
      if (Count[G] != 0 && Parity[G] != Odd)
        std::reverse(First, First + Count[G]);
      Parity[G] = Odd;
      First[Count[G]++] = Id;
    }
    // What only building needed.
    Count = {};
    GroupOfId = {};
  }

  /// The IDs of key \p K (see candidateKey), if it has any.
  std::optional<Group> find(uint64_t K) const {
    for (uint64_t S = K & Mask;; S = (S + 1) & Mask) {
      uint32_t G = Slots[S];
      if (!G)
        return std::nullopt;
      if (Keys[G - 1] == K)
        return Group{ArrayRef<uint32_t>(Ids).slice(Start[G - 1],
                                                   Start[G] - Start[G - 1]),
                     Parity[G - 1]};
    }
  }

  /// The CandidateIndex counters after the adds.
  TableGrowth Table;

private:
  static constexpr uint32_t NoGroup = UINT32_MAX;

  uint32_t &findSlot(uint64_t K) {
    for (uint64_t S = K & Mask;; S = (S + 1) & Mask) {
      uint32_t &G = Slots[S];
      if (!G || Keys[G - 1] == K)
        return G;
    }
  }

  /// While adding: the size of every group, the group of every type ID.
  std::vector<uint32_t> Count, GroupOfId;
  uint32_t NumAdds = 0;
  /// Group number + 1 per slot, 0 when empty.
  std::vector<uint32_t> Slots;
  uint64_t Mask = 0;
  std::vector<uint64_t> Keys;
  /// Group G's IDs are Ids[Start[G], Start[G + 1]), its growth count's
  /// parity is Parity[G].
  std::vector<uint32_t> Start;
  std::vector<uint32_t> Ids;
  BitVector Parity;
};

/// Signature hash -> canonical type IDs, visited in exactly the order
/// libbpf's `dedup_table` visits them. That table is a chained hashmap
/// where an insertion is preceded, when `(size + 1) * 4 / 3 > capacity` (or
/// capacity is 0), by doubling the capacity (minimum 4) and re-inserting all
/// entries, and an entry is prepended to its bucket chain. Re-insertion walks
/// each chain from its head and prepends again, so it reverses the order of
/// the entries of every key. Here each key keeps its IDs in a vector whose
/// last element is the chain's head, plus the number of growths it has seen;
/// an odd number of growths since then reverses the vector on next use.
class CandidateIndex {
public:
  /// Call \p F(ID) on the candidates of \p Hash until it returns true. \p F
  /// must not add to the index.
  template <typename Fn> void forEach(uint64_t Hash, Fn F) {
    Bucket *Found = lookup(Hash);
    if (!Found)
      return;
    Bucket &B = normalize(*Found);
    for (size_t I = B.Ids.size(); I-- > 0;)
      if (F(B.Ids[I]))
        return;
  }

  /// The first candidate of \p Hash that \p Equal accepts, or 0 (type IDs
  /// in the index are never 0: void is not hashed).
  template <typename Pred> uint32_t find(uint64_t Hash, Pred Equal) {
    uint32_t Found = 0;
    forEach(Hash, [&](uint32_t C) {
      if (!Equal(C))
        return false;
      Found = C;
      return true;
    });
    return Found;
  }

  void add(uint64_t Hash, uint32_t Id) {
    // libbpf grows the table before it inserts.
    Table.countAdd();
    Bucket *Found = lookup(Hash);
    Bucket &B = Found ? *Found : Buckets[candidateKey(Hash)];
    if (B.Ids.empty())
      B.Growths = Table.Growths;
    normalize(B).Ids.push_back(Id);
  }

  /// Continue \p P, which stays untouched: the candidates of \p P come
  /// first, in the order they would have in one index holding both. Keys
  /// are copied from \p P on first use.
  void layerOn(const FrozenCandidateIndex &P) {
    assert(Buckets.empty() && "layer an empty index");
    Parent = &P;
    Table = P.Table;
  }

private:
  struct Bucket {
    SmallVector<uint32_t, 1> Ids;
    uint32_t Growths = 0;
  };

  Bucket *lookup(uint64_t Hash) {
    uint64_t K = candidateKey(Hash);
    auto It = Buckets.find(K);
    if (It != Buckets.end())
      return &It->second;
    if (!Parent)
      return nullptr;
    std::optional<FrozenCandidateIndex::Group> G = Parent->find(K);
    if (!G)
      return nullptr;
    Bucket &B = Buckets[K];
    B.Ids.assign(G->Ids.begin(), G->Ids.end());
    B.Growths = G->Growths;
    return &B;
  }

  Bucket &normalize(Bucket &B) {
    if ((Table.Growths - B.Growths) & 1)
      std::reverse(B.Ids.begin(), B.Ids.end());
    B.Growths = Table.Growths;
    return B;
  }

  DenseMap<uint64_t, Bucket> Buckets;
  const FrozenCandidateIndex *Parent = nullptr;
  TableGrowth Table;
};

/// The signature a type of the base gets in the index (passPrep); false
/// for VAR and DATASEC, which are not indexed.
bool baseSignature(const BTF::CommonType *T, uint64_t &H) {
  switch (kindOf(T)) {
  case BTF::BTF_KIND_VAR:
  case BTF::BTF_KIND_DATASEC:
    return false;
  case BTF::BTF_KIND_INT:
  case BTF::BTF_KIND_DECL_TAG:
    H = hashIntTag(T);
    return true;
  case BTF::BTF_KIND_ENUM:
  case BTF::BTF_KIND_ENUM64:
    H = hashEnum(T);
    return true;
  case BTF::BTF_KIND_STRUCT:
  case BTF::BTF_KIND_UNION:
    H = hashStruct(T);
    return true;
  case BTF::BTF_KIND_ARRAY:
    H = hashArray(T);
    return true;
  case BTF::BTF_KIND_FUNC_PROTO:
    H = hashFnProto(T);
    return true;
  default:
    H = hashCommon(T);
    return true;
  }
}

} // namespace

struct btfsplit::DedupBaseIndex::Data {
  explicit Data(const BTFObject &B) : Base(&B), Index(B.typeCount()) {}
  /// The base (its types are read through BTFObject::type()).
  const BTFObject *Base = nullptr;
  /// The base types, indexed as passPrep indexes them.
  FrozenCandidateIndex Index;
  /// Name -> the base struct/union of that name, or 0 when there are several
  /// (passResolveFwds).
  DenseMap<uint32_t, uint32_t> Unique;
};

namespace {

//===----------------------------------------------------------------------===//
// Deduplicator
//===----------------------------------------------------------------------===//

class Deduplicator {
public:
  Deduplicator(BTFObject &O, const DedupOptions &Opts,
               const DedupBaseIndex::Data *BaseData)
      : O(O), Opts(Opts), BaseData(BaseData), StartId(O.startId()),
        TypeCnt(O.typeCount()) {}

  Error run();

private:
  Error passPrep();
  Error passStrings();
  Error passPrimTypes();
  Error passStructTypes();
  Error passResolveFwds();
  Error passRefTypes();
  Error passCompact();
  Error passRemap();

  Error checkTypeRefs(uint32_t First);

  const BTF::CommonType *type(uint32_t Id) const {
    return Id >= StartId ? TypePtr[Id - StartId] : BaseTypes->type(Id);
  }
  bool isMapped(uint32_t Id) const { return Map[Id] <= MaxNrTypes; }
  /// Follow Map to the canonical type.
  uint32_t resolve(uint32_t Id) const {
    while (isMapped(Id) && Map[Id] != Id)
      Id = Map[Id];
    return Id;
  }
  /// Follow a FWD to the struct/union it resolved to, if any.
  uint32_t resolveFwd(uint32_t Id) const {
    if (kindOf(type(Id)) != BTF::BTF_KIND_FWD)
      return Id;
    uint32_t R = resolve(Id);
    return kindOf(type(R)) == BTF::BTF_KIND_FWD ? Id : R;
  }

  void clearHypot();
  void addHypot(uint32_t Canon, uint32_t Cand) {
    HypotList.push_back(Canon);
    HypotMap[Canon] = Cand;
  }
  void mergeHypot();
  int isEquiv(uint32_t Cand, uint32_t Canon);
  bool identicalArrays(uint32_t A, uint32_t B) const;
  bool identicalStructs(uint32_t A, uint32_t B, unsigned Depth) const;
  bool identicalPtrs(uint32_t A, uint32_t B) const;
  /// Canonical ID of \p Id after deduplicating it and what it references;
  /// Unprocessed on error (then Failure is set).
  uint32_t dedupRefType(uint32_t Id);

  BTFObject &O;
  const DedupOptions &Opts;
  /// Split BTF: the index of the base (its types are canonical, indexed).
  const DedupBaseIndex::Data *BaseData;
  const uint32_t StartId;
  const uint32_t TypeCnt;
  /// Where the types below StartId are: the base, or O itself when it has
  /// no base (then only void is below StartId).
  const BTFObject *BaseTypes = nullptr;
  /// The local types from StartId on (they point into O's words).
  std::vector<const BTF::CommonType *> TypePtr;
  /// Canonical representative of every type, or Unprocessed/InProgress.
  std::vector<uint32_t> Map;
  /// Hypothetical canonical -> candidate map of the current equivalence
  /// check, and the IDs set in it; after compaction, old -> new IDs.
  std::vector<uint32_t> HypotMap;
  std::vector<uint32_t> HypotList;
  /// The current check would need a base FWD to become a split struct.
  bool HypotAdjustCanon = false;
  CandidateIndex Index;
  /// First error of a recursive step.
  std::optional<std::string> Failure;
};

Error Deduplicator::run() {
  if (BaseData) {
    assert(BaseData->Base->typeCount() == StartId && "index of another base");
    BaseTypes = BaseData->Base;
  } else {
    assert(StartId == 1 && "split BTF without a base index");
    BaseTypes = &O;
  }
  // The passes change the types in place (localType): an object that
  // borrows its words from a file mapping copies them now, before their
  // addresses are taken.
  (void)O.words();
  TypePtr.resize(TypeCnt - StartId);
  for (uint32_t Id = StartId; Id < TypeCnt; ++Id)
    TypePtr[Id - StartId] = O.type(Id);
  // The base's references were checked when it was indexed.
  if (Error E = checkTypeRefs(StartId))
    return E;

  assignPrefaulted(Map, TypeCnt, Unprocessed);
  Map[0] = 0;
  for (uint32_t Id = StartId; Id < TypeCnt; ++Id) {
    unsigned K = kindOf(type(Id));
    // VAR and DATASEC are never deduplicated.
    if (K == BTF::BTF_KIND_VAR || K == BTF::BTF_KIND_DATASEC)
      Map[Id] = Id;
  }
  assignPrefaulted(HypotMap, TypeCnt, Unprocessed);

  if (Error E = passPrep())
    return E;
  if (Error E = passStrings())
    return E;
  if (Error E = passPrimTypes())
    return E;
  if (Error E = passStructTypes())
    return E;
  if (Error E = passResolveFwds())
    return E;
  if (Error E = passRefTypes())
    return E;
  if (Error E = passCompact())
    return E;
  return passRemap();
}

/// Every type-ID field must name an existing type, or the passes would read
/// out of bounds.
Error Deduplicator::checkTypeRefs(uint32_t First) {
  for (uint32_t Id = First; Id < TypeCnt; ++Id) {
    uint32_t Bad = 0;
    forEachTypeRef(type(Id), [&](uint32_t R) {
      if (R >= TypeCnt && !Bad)
        Bad = R;
    });
    if (Bad)
      return makeError("type [{0}] refers to type [{1}], but the last type "
                       "is [{2}]",
                       Id, Bad, TypeCnt - 1);
  }
  return Error::success();
}

Error Deduplicator::passPrep() {
  for (uint32_t Id = 1; Id < StartId; ++Id)
    Map[Id] = Id;
  // Base types are indexed by DedupBaseIndex; BTF without a base has none.
  if (BaseData)
    Index.layerOn(BaseData->Index);
  return Error::success();
}

Error Deduplicator::passStrings() {
  if (!Opts.DedupStrings)
    return Error::success();
  const BTFObject *Base = O.base();
  uint32_t StartStrOff = O.startStrOff();
  StringTable New;
  // Only base BTF has the empty string at offset 0.
  if (!Base)
    New.add("");
  for (uint32_t Id = StartId; Id < TypeCnt; ++Id) {
    uint32_t BadOff = 0;
    forEachStrRef(O.localType(Id), [&](uint32_t &Off) {
      // The empty string and base strings stay.
      if (Off == 0 || Off < StartStrOff)
        return;
      if (!O.isValidStrOff(Off)) {
        BadOff = Off;
        return;
      }
      StringRef S = O.str(Off);
      if (Base)
        if (std::optional<uint32_t> BaseOff = Base->findString(S)) {
          Off = *BaseOff;
          return;
        }
      Off = StartStrOff + New.add(S);
    });
    if (BadOff)
      return makeError("type [{0}] has invalid string offset {1}", Id, BadOff);
  }
  O.strings() = std::move(New);
  return Error::success();
}

Error Deduplicator::passPrimTypes() {
  for (uint32_t Id = StartId; Id < TypeCnt; ++Id) {
    const BTF::CommonType *T = type(Id);
    uint32_t NewId = Id;
    uint64_t H;
    switch (kindOf(T)) {
    case BTF::BTF_KIND_INT:
      H = hashIntTag(T);
      if (uint32_t Cand = Index.find(
              H, [&](uint32_t C) { return equalIntTag(T, type(C)); }))
        NewId = Cand;
      break;
    case BTF::BTF_KIND_ENUM:
    case BTF::BTF_KIND_ENUM64:
      H = hashEnum(T);
      Index.forEach(H, [&](uint32_t C) {
        const BTF::CommonType *CT = type(C);
        if (equalEnum(T, CT)) {
          NewId = C;
          return true;
        }
        if (!compatEnum(T, CT))
          return false;
        if (isEnumFwd(T)) {
          // A forward declaration resolves to the full enum.
          NewId = C;
          return true;
        }
        // A canonical forward declaration resolves to this full enum.
        Map[C] = Id;
        return false;
      });
      break;
    case BTF::BTF_KIND_FWD:
    case BTF::BTF_KIND_FLOAT:
      H = hashCommon(T);
      if (uint32_t Cand = Index.find(
              H, [&](uint32_t C) { return equalCommon(T, type(C)); }))
        NewId = Cand;
      break;
    default:
      continue;
    }
    Map[Id] = NewId;
    if (NewId == Id)
      Index.add(H, Id);
  }
  return Error::success();
}

void Deduplicator::clearHypot() {
  for (uint32_t Id : HypotList)
    HypotMap[Id] = Unprocessed;
  HypotList.clear();
  HypotAdjustCanon = false;
}

bool Deduplicator::identicalArrays(uint32_t A, uint32_t B) const {
  const BTF::CommonType *TA = type(A), *TB = type(B);
  if (kindOf(TA) != BTF::BTF_KIND_ARRAY || kindOf(TB) != BTF::BTF_KIND_ARRAY)
    return false;
  return equalArray(TA, TB);
}

bool Deduplicator::identicalPtrs(uint32_t A, uint32_t B) const {
  const BTF::CommonType *TA = type(A), *TB = type(B);
  return kindOf(TA) == BTF::BTF_KIND_PTR && kindOf(TB) == BTF::BTF_KIND_PTR &&
         TA->Type == TB->Type;
}

bool Deduplicator::identicalStructs(uint32_t A, uint32_t B,
                                    unsigned Depth) const {
  const BTF::CommonType *TA = type(A), *TB = type(B);
  if (!isComposite(TA) || kindOf(TA) != kindOf(TB) || Depth > MaxIdenticalDepth)
    return false;
  if (!shallowEqualStruct(TA, TB))
    return false;
  ArrayRef<BTF::BTFMember> MA = membersOf(TA), MB = membersOf(TB);
  for (size_t I = 0; I < MA.size(); ++I)
    if (MA[I].Type != MB[I].Type && !identicalArrays(MA[I].Type, MB[I].Type) &&
        !identicalStructs(MA[I].Type, MB[I].Type, Depth + 1))
      return false;
  return true;
}

/// 1 if the graph of \p Cand is equivalent to the graph of canonical type
/// \p Canon under the hypotheses made so far, 0 if not, -1 on error.
int Deduplicator::isEquiv(uint32_t Cand, uint32_t Canon) {
  // Both resolve to the same canonical type: equivalent.
  if (resolve(Cand) == resolve(Canon))
    return 1;

  Canon = resolveFwd(Canon);
  uint32_t Hypot = HypotMap[Canon];
  if (Hypot <= MaxNrTypes) {
    if (Hypot == Cand)
      return 1;
    // Compilers may emit identical arrays or structs twice within one unit,
    // so one canonical type meets two candidates that are the same.
    return identicalArrays(Hypot, Cand) || identicalStructs(Hypot, Cand, 0) ||
           (Opts.IdenticalPtrs && identicalPtrs(Hypot, Cand));
  }
  addHypot(Canon, Cand);

  const BTF::CommonType *CandT = type(Cand), *CanonT = type(Canon);
  unsigned CandKind = kindOf(CandT), CanonKind = kindOf(CanonT);
  if (CandT->NameOff != CanonT->NameOff)
    return 0;

  // A FWD is equivalent to a STRUCT/UNION of its kind.
  if ((CandKind == BTF::BTF_KIND_FWD || CanonKind == BTF::BTF_KIND_FWD) &&
      CandKind != CanonKind) {
    unsigned RealKind, FwdKind;
    if (CandKind == BTF::BTF_KIND_FWD) {
      RealKind = CanonKind;
      FwdKind = fwdKind(CandT);
    } else {
      RealKind = CandKind;
      FwdKind = fwdKind(CanonT);
      // The base FWD would have to become the struct; the base is immutable.
      if (FwdKind == RealKind && Canon < StartId)
        HypotAdjustCanon = true;
    }
    return FwdKind == RealKind;
  }

  if (CandKind != CanonKind)
    return 0;

  switch (CandKind) {
  case BTF::BTF_KIND_INT:
    return equalIntTag(CandT, CanonT);
  case BTF::BTF_KIND_ENUM:
  case BTF::BTF_KIND_ENUM64:
    return compatEnum(CandT, CanonT);
  case BTF::BTF_KIND_FWD:
  case BTF::BTF_KIND_FLOAT:
    return equalCommon(CandT, CanonT);
  case BTF::BTF_KIND_CONST:
  case BTF::BTF_KIND_VOLATILE:
  case BTF::BTF_KIND_RESTRICT:
  case BTF::BTF_KIND_PTR:
  case BTF::BTF_KIND_TYPEDEF:
  case BTF::BTF_KIND_FUNC:
  case BTF::BTF_KIND_TYPE_TAG:
    if (CandT->Info != CanonT->Info)
      return 0;
    return isEquiv(CandT->Type, CanonT->Type);
  case BTF::BTF_KIND_ARRAY: {
    if (!compatArray(CandT, CanonT))
      return 0;
    const BTF::BTFArray &CandA = arrayOf(CandT), &CanonA = arrayOf(CanonT);
    int Eq = isEquiv(CandA.IndexType, CanonA.IndexType);
    if (Eq <= 0)
      return Eq;
    return isEquiv(CandA.ElemType, CanonA.ElemType);
  }
  case BTF::BTF_KIND_STRUCT:
  case BTF::BTF_KIND_UNION: {
    if (!shallowEqualStruct(CandT, CanonT))
      return 0;
    ArrayRef<BTF::BTFMember> CandM = membersOf(CandT),
                             CanonM = membersOf(CanonT);
    for (size_t I = 0; I < CandM.size(); ++I) {
      int Eq = isEquiv(CandM[I].Type, CanonM[I].Type);
      if (Eq <= 0)
        return Eq;
    }
    return 1;
  }
  case BTF::BTF_KIND_FUNC_PROTO: {
    if (!compatFnProto(CandT, CanonT))
      return 0;
    int Eq = isEquiv(CandT->Type, CanonT->Type);
    if (Eq <= 0)
      return Eq;
    ArrayRef<uint32_t> CandP = paramWords(CandT), CanonP = paramWords(CanonT);
    for (size_t I = 1; I < CandP.size(); I += 2) {
      Eq = isEquiv(CandP[I], CanonP[I]);
      if (Eq <= 0)
        return Eq;
    }
    return 1;
  }
  default:
    // VAR, DATASEC or DECL_TAG where a type must be: libbpf's -EINVAL.
    Failure = formatv("type [{0}] is a {1} where a data type is expected", Cand,
                      kindName(CandKind))
                  .str();
    return -1;
  }
}

/// Turn the hypotheses of a successful equivalence check into mappings.
void Deduplicator::mergeHypot() {
  for (uint32_t CanonId : HypotList) {
    uint32_t TId = resolve(HypotMap[CanonId]);
    uint32_t CId = resolve(CanonId);
    unsigned TKind = kindOf(type(TId)), CKind = kindOf(type(CId));
    // A canonical FWD resolves to the struct, even a base FWD, so that
    // split FWDs resolved to it follow.
    if (TKind != BTF::BTF_KIND_FWD && CKind == BTF::BTF_KIND_FWD)
      Map[CId] = TId;
    // If the base would have to change, the graphs are not equivalent.
    if (HypotAdjustCanon)
      continue;
    if (TKind == BTF::BTF_KIND_FWD && CKind != BTF::BTF_KIND_FWD)
      Map[TId] = CId;
    // A struct of the candidate graph that is not mapped yet can take the
    // canonical struct, if that one is settled.
    if ((TKind == BTF::BTF_KIND_STRUCT || TKind == BTF::BTF_KIND_UNION) &&
        CKind != BTF::BTF_KIND_FWD && isMapped(CId) && !isMapped(TId))
      Map[TId] = CId;
  }
}

Error Deduplicator::passStructTypes() {
  for (uint32_t Id = StartId; Id < TypeCnt; ++Id) {
    if (isMapped(Id))
      continue;
    const BTF::CommonType *T = type(Id);
    if (!isComposite(T))
      continue;
    uint64_t H = hashStruct(T);
    uint32_t NewId = Id;
    bool Failed = false;
    Index.forEach(H, [&](uint32_t C) {
      // A FWD with a colliding hash must not be taken: FWD and struct are
      // equivalent, which would make a FWD -> struct -> FWD loop.
      if (!shallowEqualStruct(T, type(C)))
        return false;
      clearHypot();
      int Eq = isEquiv(Id, C);
      if (Eq < 0) {
        Failed = true;
        return true;
      }
      if (!Eq)
        return false;
      mergeHypot();
      if (HypotAdjustCanon)
        return false;
      NewId = C;
      return true;
    });
    if (Failed)
      return makeError("{0}", *Failure);
    Map[Id] = NewId;
    if (NewId == Id)
      Index.add(H, Id);
  }
  return Error::success();
}

Error Deduplicator::passResolveFwds() {
  // Name -> the canonical struct/union of that name (base or split), or 0
  // when there are several. Base structs/unions are always canonical: their
  // names are in BaseData->Unique, looked up after the local ones.
  DenseMap<uint32_t, uint32_t> Unique;
  for (uint32_t Id = StartId; Id < TypeCnt; ++Id) {
    const BTF::CommonType *T = type(Id);
    if (!isComposite(T) || Map[Id] != Id)
      continue;
    auto [It, Inserted] = Unique.try_emplace(T->NameOff, Id);
    if (!Inserted)
      It->second = 0;
  }
  for (uint32_t Id = StartId; Id < TypeCnt; ++Id) {
    const BTF::CommonType *T = type(Id);
    if (kindOf(T) != BTF::BTF_KIND_FWD || Map[Id] != Id)
      continue;
    uint32_t Target = 0;
    auto It = Unique.find(T->NameOff);
    if (It != Unique.end())
      Target = It->second;
    if (BaseData) {
      auto BIt = BaseData->Unique.find(T->NameOff);
      if (BIt != BaseData->Unique.end())
        Target = It != Unique.end() ? 0 : BIt->second;
    }
    if (!Target || kindOf(type(Target)) != fwdKind(T))
      continue;
    Map[Id] = Target;
  }
  return Error::success();
}

uint32_t Deduplicator::dedupRefType(uint32_t Id) {
  if (Map[Id] == InProgress) {
    Failure = formatv("type [{0}] is part of a reference loop that does not "
                      "go through a struct or union",
                      Id)
                  .str();
    return Unprocessed;
  }
  if (isMapped(Id))
    return resolve(Id);

  BTF::CommonType *T = O.localType(Id);
  Map[Id] = InProgress;
  uint32_t NewId = Id;
  uint64_t H;
  // Replace the reference in place by its canonical ID.
  auto Canonicalize = [&](uint32_t &Ref) {
    uint32_t R = dedupRefType(Ref);
    if (R == Unprocessed)
      return false;
    Ref = R;
    return true;
  };

  switch (kindOf(T)) {
  case BTF::BTF_KIND_CONST:
  case BTF::BTF_KIND_VOLATILE:
  case BTF::BTF_KIND_RESTRICT:
  case BTF::BTF_KIND_PTR:
  case BTF::BTF_KIND_TYPEDEF:
  case BTF::BTF_KIND_FUNC:
  case BTF::BTF_KIND_TYPE_TAG:
    if (!Canonicalize(T->Type))
      return Unprocessed;
    H = hashCommon(T);
    if (uint32_t Cand =
            Index.find(H, [&](uint32_t C) { return equalCommon(T, type(C)); }))
      NewId = Cand;
    break;
  case BTF::BTF_KIND_DECL_TAG:
    if (!Canonicalize(T->Type))
      return Unprocessed;
    H = hashIntTag(T);
    if (uint32_t Cand =
            Index.find(H, [&](uint32_t C) { return equalIntTag(T, type(C)); }))
      NewId = Cand;
    break;
  case BTF::BTF_KIND_ARRAY: {
    MutableArrayRef<uint32_t> A = tailWords(T);
    // Element first, then index, as libbpf.
    if (!Canonicalize(A[0]) || !Canonicalize(A[1]))
      return Unprocessed;
    H = hashArray(T);
    if (uint32_t Cand =
            Index.find(H, [&](uint32_t C) { return equalArray(T, type(C)); }))
      NewId = Cand;
    break;
  }
  case BTF::BTF_KIND_FUNC_PROTO: {
    if (!Canonicalize(T->Type))
      return Unprocessed;
    MutableArrayRef<uint32_t> P = tailWords(T);
    for (size_t I = 1; I < P.size(); I += 2)
      if (!Canonicalize(P[I]))
        return Unprocessed;
    H = hashFnProto(T);
    if (uint32_t Cand =
            Index.find(H, [&](uint32_t C) { return equalFnProto(T, type(C)); }))
      NewId = Cand;
    break;
  }
  default:
    Failure = formatv("type [{0}]: unexpected {1} in the reference pass", Id,
                      kindName(kindOf(T)))
                  .str();
    return Unprocessed;
  }

  Map[Id] = NewId;
  if (NewId == Id)
    Index.add(H, Id);
  return NewId;
}

Error Deduplicator::passRefTypes() {
  for (uint32_t Id = StartId; Id < TypeCnt; ++Id)
    if (dedupRefType(Id) == Unprocessed)
      return makeError("{0}", *Failure);
  return Error::success();
}

Error Deduplicator::passCompact() {
  // HypotMap now maps old IDs to new ones; base IDs stay.
  for (uint32_t Id = 0; Id < StartId; ++Id)
    HypotMap[Id] = Id;
  std::vector<uint32_t> Words;
  std::vector<uint32_t> Offsets;
  Words.reserve(O.words().size());
  uint32_t Next = StartId;
  for (uint32_t Id = StartId; Id < TypeCnt; ++Id) {
    HypotMap[Id] = Unprocessed;
    if (Map[Id] != Id)
      continue;
    ArrayRef<uint32_t> W = O.typeWords(Id);
    Offsets.push_back(Words.size());
    Words.insert(Words.end(), W.begin(), W.end());
    HypotMap[Id] = Next++;
  }
  // The type pointers into the old words die here.
  TypePtr.clear();
  O.words() = std::move(Words);
  O.typeOffsets() = std::move(Offsets);
  return Error::success();
}

Error Deduplicator::passRemap() {
  for (uint32_t Id = StartId; Id < O.typeCount(); ++Id) {
    uint32_t Bad = 0;
    forEachTypeRef(O.localType(Id), [&](uint32_t &Ref) {
      uint32_t New = HypotMap[resolve(Ref)];
      if (New > MaxNrTypes) {
        Bad = Ref;
        return;
      }
      Ref = New;
    });
    if (Bad)
      return makeError("type [{0}]: referenced type [{1}] has no canonical "
                       "representative",
                       Id, Bad);
  }
  if (Opts.Remap) {
    Opts.Remap->resize(TypeCnt);
    for (uint32_t Id = 0; Id < TypeCnt; ++Id)
      (*Opts.Remap)[Id] = HypotMap[resolve(Id)];
  }
  return Error::success();
}

} // namespace

DedupBaseIndex::DedupBaseIndex(const BTFObject &Base, std::unique_ptr<Data> D)
    : Base(Base), D(std::move(D)) {}
DedupBaseIndex::~DedupBaseIndex() = default;

Expected<std::unique_ptr<DedupBaseIndex>>
DedupBaseIndex::create(const BTFObject &Base) {
  auto D = std::make_unique<Data>(Base);
  uint32_t Cnt = Base.typeCount();
  // The signatures are computed Ahead types before they are added, their
  // slots prefetched then, and their keys half-way (see prefetchSlot).
  constexpr uint32_t Ahead = 16;
  struct Pending {
    uint64_t Hash;
    bool Indexed;
  } Ring[Ahead];
  auto Prepare = [&](uint32_t Id) {
    Pending &P = Ring[Id % Ahead];
    P.Indexed = baseSignature(Base.type(Id), P.Hash);
    if (P.Indexed)
      D->Index.prefetchSlot(P.Hash);
  };
  for (uint32_t Id = 1; Id < Cnt && Id <= Ahead; ++Id)
    Prepare(Id);
  for (uint32_t Id = 1; Id < Cnt; ++Id) {
    Pending P = Ring[Id % Ahead];
    if (Id + Ahead < Cnt)
      Prepare(Id + Ahead);
    if (Id + Ahead / 2 < Cnt && Ring[(Id + Ahead / 2) % Ahead].Indexed)
      D->Index.prefetchKey(Ring[(Id + Ahead / 2) % Ahead].Hash);
    const BTF::CommonType *T = Base.type(Id);
    uint32_t Bad = 0;
    forEachTypeRef(T, [&](uint32_t R) {
      if (R >= Cnt && !Bad)
        Bad = R;
    });
    if (Bad)
      return makeError("base type [{0}] refers to type [{1}], but the last "
                       "base type is [{2}]",
                       Id, Bad, Cnt - 1);
    if (P.Indexed)
      D->Index.add(P.Hash, Id);
    if (isComposite(T)) {
      auto [It, Inserted] = D->Unique.try_emplace(T->NameOff, Id);
      if (!Inserted)
        It->second = 0;
    }
  }
  D->Index.finish();
  // Split objects look base strings up from several threads: build the
  // string indexes now.
  for (const BTFObject *B = &Base; B; B = B->base())
    B->strings().buildIndex();
  return std::unique_ptr<DedupBaseIndex>(
      new DedupBaseIndex(Base, std::move(D)));
}

static Error runDedup(BTFObject &O, const DedupOptions &Opts,
                      const DedupBaseIndex::Data *BaseData) {
  Deduplicator D(O, Opts, BaseData);
  std::optional<Error> Result;
  llvm::thread T(std::optional<unsigned>(DedupStackSize), [&] {
    CPUScope CPU(Opts.CPU);
    Result.emplace(D.run());
  });
  T.join();
  return std::move(*Result);
}

Error btfsplit::dedupBTF(BTFObject &O, const DedupOptions &Opts) {
  if (!O.isSplit())
    return runDedup(O, Opts, nullptr);
  Expected<std::unique_ptr<DedupBaseIndex>> IdxOrErr =
      DedupBaseIndex::create(*O.base());
  if (!IdxOrErr)
    return IdxOrErr.takeError();
  return runDedup(O, Opts, &(*IdxOrErr)->data());
}

Error btfsplit::dedupBTF(BTFObject &O, const DedupOptions &Opts,
                         const DedupBaseIndex *BaseIdx) {
  if (!BaseIdx)
    return dedupBTF(O, Opts);
  if (O.base() != &BaseIdx->base())
    return makeError("split BTF is not on the base BTF of the dedup index");
  return runDedup(O, Opts, &BaseIdx->data());
}
