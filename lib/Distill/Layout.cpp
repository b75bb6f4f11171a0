//===- Layout.cpp - Names and layout differences of BTF types -------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// What a kernel user needs to read a BTF mismatch: a type's C spelling, and
/// how a type of one kernel differs from the type of the same name in
/// another. Members of anonymous structs and unions are compared as C
/// accesses them, by name at their offset in the outer type.
///
//===----------------------------------------------------------------------===//

#include "Distill/Distill.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"

using namespace llvm;
using namespace btfsplit;

static StringRef nameOf(const BTFObject &O, const BTF::CommonType *T) {
  return T->NameOff ? O.str(T->NameOff) : StringRef();
}

std::string btfsplit::typeLabel(const BTFObject &O, uint32_t Id) {
  if (!Id)
    return "void";
  const BTF::CommonType *T = O.type(Id);
  StringRef Name = nameOf(O, T);
  std::string N = Name.empty() ? std::string("(anon)") : Name.str();
  switch (T->getKind()) {
  case BTF::BTF_KIND_STRUCT:
    return "struct " + N;
  case BTF::BTF_KIND_UNION:
    return "union " + N;
  case BTF::BTF_KIND_ENUM:
  case BTF::BTF_KIND_ENUM64:
    return "enum " + N;
  case BTF::BTF_KIND_FWD:
    return (kindFlag(T) ? "union " : "struct ") + N + " (declaration)";
  case BTF::BTF_KIND_TYPEDEF:
    return "typedef " + N;
  default:
    return N;
  }
}

static std::string spell(const BTFObject &O, uint32_t Id, unsigned Depth) {
  if (!Id)
    return "void";
  if (Depth > 16 || Id >= O.typeCount())
    return "...";
  const BTF::CommonType *T = O.type(Id);
  StringRef Name = nameOf(O, T);
  std::string N = Name.empty() ? std::string("(anon)") : Name.str();
  switch (T->getKind()) {
  case BTF::BTF_KIND_STRUCT:
    return "struct " + N;
  case BTF::BTF_KIND_UNION:
    return "union " + N;
  case BTF::BTF_KIND_ENUM:
  case BTF::BTF_KIND_ENUM64:
    return "enum " + N;
  case BTF::BTF_KIND_FWD:
    return (kindFlag(T) ? "union " : "struct ") + N;
  case BTF::BTF_KIND_PTR:
    return spell(O, T->Type, Depth + 1) + " *";
  case BTF::BTF_KIND_CONST:
    return "const " + spell(O, T->Type, Depth + 1);
  case BTF::BTF_KIND_VOLATILE:
    return "volatile " + spell(O, T->Type, Depth + 1);
  case BTF::BTF_KIND_RESTRICT:
    return spell(O, T->Type, Depth + 1) + " restrict";
  case BTF::BTF_KIND_TYPE_TAG:
    return spell(O, T->Type, Depth + 1);
  case BTF::BTF_KIND_ARRAY: {
    ArrayRef<uint32_t> A = tailWords(T);
    return spell(O, A[0], Depth + 1) + "[" + std::to_string(A[2]) + "]";
  }
  case BTF::BTF_KIND_FUNC_PROTO: {
    std::string S = spell(O, T->Type, Depth + 1) + "(";
    ArrayRef<uint32_t> P = tailWords(T);
    for (size_t I = 0; I + 1 < P.size(); I += 2) {
      if (I)
        S += ", ";
      S += P[I + 1] ? spell(O, P[I + 1], Depth + 1) : "...";
    }
    return S + ")";
  }
  default:
    return N;
  }
}

std::string btfsplit::typeSpelling(const BTFObject &O, uint32_t Id) {
  return spell(O, Id, 0);
}

namespace {
struct FlatMember {
  std::string Name;
  uint64_t BitOffset;
  uint32_t BitfieldSize;
  std::string Type;
};
} // namespace

/// The type \p Id stands for once modifiers and type tags are skipped.
static uint32_t skipModifiers(const BTFObject &O, uint32_t Id) {
  for (unsigned I = 0; Id && I < 16; ++I) {
    const BTF::CommonType *T = O.type(Id);
    switch (T->getKind()) {
    case BTF::BTF_KIND_CONST:
    case BTF::BTF_KIND_VOLATILE:
    case BTF::BTF_KIND_RESTRICT:
    case BTF::BTF_KIND_TYPE_TAG:
      Id = T->Type;
      continue;
    default:
      return Id;
    }
  }
  return Id;
}

/// The members of composite \p Id as C names them: those of anonymous
/// struct/union members are pulled up, with their offsets added.
static void flatten(const BTFObject &O, uint32_t Id, uint64_t Base,
                    std::vector<FlatMember> &Out, unsigned Depth) {
  const BTF::CommonType *T = O.type(Id);
  ArrayRef<uint32_t> M = tailWords(T);
  for (size_t I = 0; I + 2 < M.size(); I += 3) {
    StringRef Name = M[I] ? O.str(M[I]) : StringRef();
    uint32_t Type = M[I + 1];
    uint64_t Off = Base + memberBitOffset(T, M[I + 2]);
    uint32_t Bits = memberBitfieldSize(T, M[I + 2]);
    if (Name.empty()) {
      uint32_t Inner = skipModifiers(O, Type);
      if (Inner && Inner < O.typeCount() && Depth < 16) {
        const BTF::CommonType *IT = O.type(Inner);
        if ((IT->getKind() == BTF::BTF_KIND_STRUCT ||
             IT->getKind() == BTF::BTF_KIND_UNION) &&
            !IT->NameOff) {
          flatten(O, Inner, Off, Out, Depth + 1);
          continue;
        }
      }
      // An unnamed bitfield (padding): not part of the interface.
      continue;
    }
    Out.push_back({Name.str(), Off, Bits, typeSpelling(O, Type)});
  }
}

static std::string offsetText(uint64_t Bits) {
  if (Bits % 8 == 0)
    return std::to_string(Bits / 8);
  return formatv("{0} (bit {1})", Bits / 8, Bits % 8).str();
}

std::vector<std::string> btfsplit::layoutChanges(const BTFObject &OldBase,
                                                 uint32_t OldId,
                                                 const BTFObject &NewBase,
                                                 uint32_t NewId) {
  std::vector<std::string> Out;
  const BTF::CommonType *A = OldBase.type(OldId);
  const BTF::CommonType *B = NewBase.type(NewId);
  unsigned KA = A->getKind(), KB = B->getKind();
  if (KA != KB) {
    Out.push_back(formatv("was {0}, is now {1}", typeLabel(OldBase, OldId),
                          typeLabel(NewBase, NewId))
                      .str());
    return Out;
  }
  switch (KA) {
  case BTF::BTF_KIND_INT:
  case BTF::BTF_KIND_FLOAT:
  case BTF::BTF_KIND_STRUCT:
  case BTF::BTF_KIND_UNION:
  case BTF::BTF_KIND_ENUM:
  case BTF::BTF_KIND_ENUM64:
    if (A->Size != B->Size)
      Out.push_back(
          formatv("size changed from {0} to {1} bytes", A->Size, B->Size)
              .str());
    break;
  default:
    break;
  }
  switch (KA) {
  case BTF::BTF_KIND_INT: {
    uint32_t EA = tailWords(A)[0], EB = tailWords(B)[0];
    if (EA != EB)
      Out.push_back(formatv("encoding changed from {0} bits to {1} bits",
                            intBits(EA), intBits(EB))
                        .str());
    break;
  }
  case BTF::BTF_KIND_TYPEDEF: {
    std::string SA = typeSpelling(OldBase, A->Type);
    std::string SB = typeSpelling(NewBase, B->Type);
    if (SA != SB)
      Out.push_back(formatv("was '{0}', is now '{1}'", SA, SB).str());
    break;
  }
  case BTF::BTF_KIND_ENUM:
  case BTF::BTF_KIND_ENUM64: {
    auto Values = [](const BTFObject &O, const BTF::CommonType *T) {
      std::vector<std::pair<std::string, int64_t>> V;
      ArrayRef<uint32_t> W = tailWords(T);
      bool Is64 = T->getKind() == BTF::BTF_KIND_ENUM64;
      size_t Stride = Is64 ? 3 : 2;
      for (size_t I = 0; I + Stride - 1 < W.size(); I += Stride) {
        int64_t Val = Is64 ? int64_t(uint64_t(W[I + 2]) << 32 | W[I + 1])
                           : int64_t(int32_t(W[I + 1]));
        V.emplace_back(O.str(W[I]).str(), Val);
      }
      return V;
    };
    auto VA = Values(OldBase, A), VB = Values(NewBase, B);
    StringMap<int64_t> InB;
    for (auto &[N, V] : VB)
      InB[N] = V;
    StringMap<bool> InA;
    for (auto &[N, V] : VA) {
      InA[N] = true;
      auto It = InB.find(N);
      if (It == InB.end())
        Out.push_back(formatv("enumerator '{0}' removed", N).str());
      else if (It->second != V)
        Out.push_back(formatv("enumerator '{0}' changed from {1} to {2}", N, V,
                              It->second)
                          .str());
    }
    for (auto &[N, V] : VB)
      if (!InA.count(N))
        Out.push_back(formatv("enumerator '{0}' = {1} added", N, V).str());
    break;
  }
  case BTF::BTF_KIND_STRUCT:
  case BTF::BTF_KIND_UNION: {
    std::vector<FlatMember> MA, MB;
    flatten(OldBase, OldId, 0, MA, 0);
    flatten(NewBase, NewId, 0, MB, 0);
    StringMap<const FlatMember *> InB;
    for (const FlatMember &M : MB)
      InB.try_emplace(M.Name, &M);
    StringMap<bool> InA;
    for (const FlatMember &M : MA) {
      InA[M.Name] = true;
      auto It = InB.find(M.Name);
      if (It == InB.end()) {
        Out.push_back(formatv("member '{0}' removed (was at offset {1})",
                              M.Name, offsetText(M.BitOffset))
                          .str());
        continue;
      }
      const FlatMember &N = *It->second;
      if (M.BitOffset != N.BitOffset)
        Out.push_back(formatv("member '{0}' moved from offset {1} to {2}",
                              M.Name, offsetText(M.BitOffset),
                              offsetText(N.BitOffset))
                          .str());
      if (M.Type != N.Type)
        Out.push_back(formatv("member '{0}' changed type from '{1}' to '{2}'",
                              M.Name, M.Type, N.Type)
                          .str());
      if (M.BitfieldSize != N.BitfieldSize)
        Out.push_back(formatv("member '{0}' bitfield width changed from {1} "
                              "to {2}",
                              M.Name, M.BitfieldSize, N.BitfieldSize)
                          .str());
    }
    for (const FlatMember &M : MB)
      if (!InA.count(M.Name))
        Out.push_back(formatv("member '{0}' added at offset {1}", M.Name,
                              offsetText(M.BitOffset))
                          .str());
    break;
  }
  default:
    break;
  }
  return Out;
}
