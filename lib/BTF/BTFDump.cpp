//===- BTFDump.cpp - bpftool-compatible raw dump --------------------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "BTF/BTFDump.h"
#include "llvm/Support/Format.h"

using namespace llvm;
using namespace btfsplit;

namespace {

class Dumper {
public:
  Dumper(const BTFObject &O, raw_ostream &OS) : O(O), OS(OS) {}
  void dumpType(uint32_t Id);

private:
  /// bpftool prints "(anon)" for offset 0 and "(invalid)" for bad offsets.
  StringRef name(uint32_t Off) const {
    if (Off == 0)
      return "(anon)";
    if (!O.isValidStrOff(Off))
      return "(invalid)";
    return O.str(Off);
  }
  static StringRef intEncodingName(uint32_t Enc) {
    switch (Enc) {
    case 0:
      return "(none)";
    case BTF::INT_SIGNED:
      return "SIGNED";
    case BTF::INT_CHAR:
      return "CHAR";
    case BTF::INT_BOOL:
      return "BOOL";
    default:
      return "UNKN";
    }
  }
  static StringRef linkageName(uint32_t L) {
    switch (L) {
    case 0:
      return "static";
    case 1:
      return "global";
    case 2:
      return "extern";
    default:
      return "(unknown)";
    }
  }

  const BTFObject &O;
  raw_ostream &OS;
};

} // namespace

void Dumper::dumpType(uint32_t Id) {
  const BTF::CommonType *T = O.type(Id);
  unsigned Kind = T->getKind();
  uint32_t Vlen = T->getVlen();
  ArrayRef<uint32_t> Tail = tailWords(T);
  OS << '[' << Id << "] " << kindName(Kind) << " '" << name(T->NameOff) << '\'';
  switch (Kind) {
  case BTF::BTF_KIND_INT: {
    uint32_t W = Tail[0];
    OS << " size=" << T->Size << " bits_offset=" << intOffset(W)
       << " nr_bits=" << intBits(W)
       << " encoding=" << intEncodingName(intEncoding(W));
    break;
  }
  case BTF::BTF_KIND_PTR:
  case BTF::BTF_KIND_CONST:
  case BTF::BTF_KIND_VOLATILE:
  case BTF::BTF_KIND_RESTRICT:
  case BTF::BTF_KIND_TYPEDEF:
  case BTF::BTF_KIND_TYPE_TAG:
    OS << " type_id=" << T->Type;
    break;
  case BTF::BTF_KIND_ARRAY:
    OS << " type_id=" << Tail[0] << " index_type_id=" << Tail[1]
       << " nr_elems=" << Tail[2];
    break;
  case BTF::BTF_KIND_STRUCT:
  case BTF::BTF_KIND_UNION:
    OS << " size=" << T->Size << " vlen=" << Vlen;
    for (const BTF::BTFMember &M : cast<BTF::StructType>(T)->members()) {
      OS << "\n\t'" << name(M.NameOff) << "' type_id=" << M.Type
         << " bits_offset=" << memberBitOffset(T, M.Offset);
      if (uint32_t Size = memberBitfieldSize(T, M.Offset))
        OS << " bitfield_size=" << Size;
    }
    break;
  case BTF::BTF_KIND_ENUM:
    OS << " encoding=" << (kindFlag(T) ? "SIGNED" : "UNSIGNED")
       << " size=" << T->Size << " vlen=" << Vlen;
    for (const BTF::BTFEnum &E : cast<BTF::EnumType>(T)->values()) {
      OS << "\n\t'" << name(E.NameOff) << "' val=";
      if (kindFlag(T))
        OS << E.Val;
      else
        OS << static_cast<uint32_t>(E.Val);
    }
    break;
  case BTF::BTF_KIND_ENUM64:
    OS << " encoding=" << (kindFlag(T) ? "SIGNED" : "UNSIGNED")
       << " size=" << T->Size << " vlen=" << Vlen;
    for (const BTF::BTFEnum64 &E : cast<BTF::Enum64Type>(T)->values()) {
      uint64_t V = uint64_t(E.Val_Hi32) << 32 | E.Val_Lo32;
      OS << "\n\t'" << name(E.NameOff) << "' val=";
      if (kindFlag(T))
        OS << static_cast<int64_t>(V) << "LL";
      else
        OS << V << "ULL";
    }
    break;
  case BTF::BTF_KIND_FWD:
    OS << " fwd_kind=" << (kindFlag(T) ? "union" : "struct");
    break;
  case BTF::BTF_KIND_FUNC:
    OS << " type_id=" << T->Type << " linkage=" << linkageName(Vlen);
    break;
  case BTF::BTF_KIND_FUNC_PROTO:
    OS << " ret_type_id=" << T->Type << " vlen=" << Vlen;
    for (uint32_t I = 0; I < Vlen; ++I)
      OS << "\n\t'" << name(Tail[2 * I]) << "' type_id=" << Tail[2 * I + 1];
    break;
  case BTF::BTF_KIND_VAR:
    OS << " type_id=" << T->Type << ", linkage=" << linkageName(Tail[0]);
    break;
  case BTF::BTF_KIND_DATASEC:
    OS << " size=" << T->Size << " vlen=" << Vlen;
    for (uint32_t I = 0; I < Vlen; ++I) {
      uint32_t VarId = Tail[3 * I];
      OS << "\n\ttype_id=" << VarId << " offset=" << Tail[3 * I + 1]
         << " size=" << Tail[3 * I + 2];
      if (VarId < O.typeCount()) {
        const BTF::CommonType *V = O.type(VarId);
        OS << " (" << kindName(V->getKind()) << " '" << name(V->NameOff)
           << "')";
      }
    }
    break;
  case BTF::BTF_KIND_FLOAT:
    OS << " size=" << T->Size;
    break;
  case BTF::BTF_KIND_DECL_TAG:
    OS << " type_id=" << T->Type
       << " component_idx=" << static_cast<int32_t>(Tail[0]);
    break;
  default:
    break;
  }
  OS << '\n';
}

void btfsplit::dumpBTF(const BTFObject &O, raw_ostream &OS) {
  Dumper D(O, OS);
  for (uint32_t Id = O.startId(); Id < O.typeCount(); ++Id)
    D.dumpType(Id);
}
