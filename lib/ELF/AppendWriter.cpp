//===- AppendWriter.cpp - Put sections into an ELF file by appending ------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
//
// The rules that make the result read back as ObjCopy's are those of LLVM's
// ObjCopy ELF writer (llvm/lib/ObjCopy/ELF), restated here as checks:
//
// - ObjCopy lays segments out one after another, each at the first offset
//   congruent to its address modulo its alignment (a segment inside another
//   keeps its place in it), then the sections outside segments in order of
//   their offsets, each at the next offset its alignment allows, then the
//   section header table at the next multiple of the address size. A file
//   that is already laid out this way keeps every offset; the writer checks
//   it, and that removing the replaced sections moves nothing.
// - ObjCopy rebuilds every non-allocated string table from the names it
//   holds (StringTableBuilder, ELF kind, suffixes shared): the writer checks
//   that the symbol string table already is that table, with each symbol's
//   name at the offset the builder gives, and writes `.shstrtab` as the
//   builder does. A non-allocated string table that is neither would be
//   emptied by ObjCopy: refused.
// - ObjCopy rewrites the symbol table (locals first, sh_info one past the
//   last local), relocation sections, groups and the ELF header from what it
//   read; the writer checks that these already hold what ObjCopy writes, and
//   refuses section types whose contents ObjCopy regenerates in other ways
//   (SHT_SYMTAB_SHNDX, SHT_LLVM_ADDRSIG, CREL, ...), compressed sections, and
//   removals that would renumber sections or drop symbols.
//
//===----------------------------------------------------------------------===//

#include "ELF/AppendWriter.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/MC/StringTableBuilder.h"
#include "llvm/Object/ELF.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

using namespace llvm;
using namespace llvm::object;
using namespace btfsplit;

char AppendRefusal::ID = 0;

void AppendRefusal::log(raw_ostream &OS) const {
  OS << "cannot append: " << Reason;
}

std::error_code AppendRefusal::convertToErrorCode() const {
  return std::make_error_code(std::errc::not_supported);
}

static Error refuse(const Twine &Why) {
  return make_error<AppendRefusal>(Why.str());
}

namespace {

/// A segment as ObjCopy's layout sees it (the ELF header and the program
/// header table count as two more).
struct LayoutSegment {
  uint64_t Offset, FileSize, VAddr, MemSize, Align;
  uint32_t Type;
  unsigned Index;
  const LayoutSegment *Parent = nullptr;
  uint64_t NewOffset = 0;
};

/// ObjCopy's order of segments: by offset, then the larger alignment first,
/// then by index.
bool segmentBefore(const LayoutSegment *A, const LayoutSegment *B) {
  if (A->Offset != B->Offset)
    return A->Offset < B->Offset;
  if (A->Align != B->Align)
    return A->Align > B->Align;
  return A->Index < B->Index;
}

template <class ELFT> class Planner {
  using Elf_Ehdr = typename ELFT::Ehdr;
  using Elf_Shdr = typename ELFT::Shdr;
  using Elf_Phdr = typename ELFT::Phdr;
  using Elf_Sym = typename ELFT::Sym;
  using Elf_Addr = typename ELFT::Addr;

public:
  Planner(MemoryBufferRef Buf, ArrayRef<SectionUpdate> Updates)
      : Buf(Buf), Updates(Updates) {}

  Expected<AppendPlan> plan();

private:
  MemoryBufferRef Buf;
  ArrayRef<SectionUpdate> Updates;
  std::optional<ELFFile<ELFT>> File;
  ArrayRef<Elf_Shdr> Shdrs;
  std::vector<StringRef> Names;
  unsigned ShStrNdx = 0;

  bool inSegment(const Elf_Shdr &S, const LayoutSegment &Seg) const;
  /// Where ObjCopy puts things (checkLayout's findings).
  struct LayoutResult {
    uint64_t End = 0;         ///< end of the last section ObjCopy lays out
    uint64_t ShStrOffset = 0; ///< where it puts .shstrtab
    /// Bytes ObjCopy leaves zero that are not zero in the file.
    std::vector<std::pair<uint64_t, uint64_t>> NonZeroGaps;
  };
  Error checkLayout(ArrayRef<LayoutSegment> Segs,
                    const std::vector<bool> &Removed, uint64_t NewShStrSize,
                    bool CheckEnd, LayoutResult &R);
  Error checkObjCopyIdentity(const std::vector<bool> &Removed);
  Error checkSymbols(unsigned SymTabIdx, const std::vector<bool> &Removed);
};

} // namespace

/// ObjCopy's rule for a section inside a segment; an empty section counts as
/// one byte long, so that it belongs to the segment it starts.
template <class ELFT>
bool Planner<ELFT>::inSegment(const Elf_Shdr &S,
                              const LayoutSegment &Seg) const {
  uint64_t Size = S.sh_size ? uint64_t(S.sh_size) : 1;
  if (S.sh_type == ELF::SHT_NOBITS) {
    if (!(S.sh_flags & ELF::SHF_ALLOC))
      return false;
    if (bool(S.sh_flags & ELF::SHF_TLS) != (Seg.Type == ELF::PT_TLS))
      return false;
    return Seg.VAddr <= S.sh_addr &&
           Seg.VAddr + Seg.MemSize >= S.sh_addr + Size;
  }
  return Seg.Offset <= S.sh_offset &&
         Seg.Offset + Seg.FileSize >= S.sh_offset + Size;
}

/// Check that ObjCopy, laying out the file without the \p Removed sections
/// (and with .shstrtab \p NewShStrSize long), keeps every segment and every
/// remaining section at its offset; with \p CheckEnd, also that the section
/// header table is where ObjCopy would put it and ends the file.
template <class ELFT>
Error Planner<ELFT>::checkLayout(ArrayRef<LayoutSegment> Segs,
                                 const std::vector<bool> &Removed,
                                 uint64_t NewShStrSize, bool CheckEnd,
                                 LayoutResult &R) {
  // ObjCopy's output buffer starts out zero: every byte it writes neither
  // from a segment nor from a section stays zero.
  auto Gap = [&](uint64_t From, uint64_t To) {
    StringRef B = Buf.getBuffer();
    if (!CheckEnd || From >= To || From >= B.size())
      return;
    To = std::min<uint64_t>(To, B.size());
    if (B.substr(From, To - From).find_first_not_of('\0') != StringRef::npos)
      R.NonZeroGaps.push_back({From, To});
  };
  std::vector<LayoutSegment> S(Segs.begin(), Segs.end());
  const Elf_Ehdr &Eh = File->getHeader();
  unsigned N = S.size();
  LayoutSegment Ehdr{0, sizeof(Elf_Ehdr), 0, sizeof(Elf_Ehdr),
                     0, ELF::PT_PHDR,     N};
  uint64_t PhSize = uint64_t(Eh.e_phentsize) * Eh.e_phnum;
  LayoutSegment Phdr{Eh.e_phoff,       PhSize,       Eh.e_phoff, PhSize,
                     sizeof(Elf_Addr), ELF::PT_PHDR, N + 1};
  S.push_back(Ehdr);
  S.push_back(Phdr);
  // A segment's parent: the first (in ObjCopy's order) real segment whose
  // range holds its start.
  for (LayoutSegment &C : S)
    for (unsigned I = 0; I < N; ++I) {
      const LayoutSegment &P = S[I];
      if (&P == &C ||
          !(P.Offset <= C.Offset && P.Offset + P.FileSize > C.Offset))
        continue;
      if (segmentBefore(&P, &C) && (!C.Parent || segmentBefore(&P, C.Parent)))
        C.Parent = &P;
    }
  std::vector<LayoutSegment *> Order;
  for (LayoutSegment &Seg : S)
    Order.push_back(&Seg);
  llvm::stable_sort(Order, segmentBefore);
  uint64_t Off = 0;
  for (LayoutSegment *Seg : Order) {
    if (Seg->Parent)
      Seg->NewOffset =
          Seg->Parent->NewOffset + (Seg->Offset - Seg->Parent->Offset);
    else
      Seg->NewOffset =
          alignTo(Off, std::max<uint64_t>(Seg->Align, 1), Seg->VAddr);
    if (Seg->NewOffset != Seg->Offset)
      return refuse(formatv("ObjCopy would move {0} from offset {1:x} to {2:x}",
                            Seg->Index < N
                                ? formatv("segment {0}", Seg->Index).str()
                                : std::string("the headers"),
                            Seg->Offset, Seg->NewOffset)
                        .str());
    if (!Seg->Parent)
      Gap(Off, Seg->NewOffset);
    Off = std::max(Off, Seg->NewOffset + Seg->FileSize);
  }

  std::vector<unsigned> Outside;
  for (unsigned I = 1; I < Shdrs.size(); ++I) {
    if (Removed[I])
      continue;
    if (llvm::none_of(ArrayRef(S).take_front(N), [&](const LayoutSegment &Seg) {
          return inSegment(Shdrs[I], Seg);
        }))
      Outside.push_back(I);
  }
  llvm::stable_sort(Outside, [&](unsigned A, unsigned B) {
    return Shdrs[A].sh_offset < Shdrs[B].sh_offset;
  });
  for (unsigned I : Outside) {
    const Elf_Shdr &Sh = Shdrs[I];
    uint64_t Aligned =
        alignTo(Off, Sh.sh_addralign ? uint64_t(Sh.sh_addralign) : 1);
    Gap(Off, Aligned);
    Off = Aligned;
    if (I == ShStrNdx)
      R.ShStrOffset = Off;
    if (Off != Sh.sh_offset && !(I == ShStrNdx && !CheckEnd))
      return refuse(formatv("ObjCopy would move section '{0}' from offset "
                            "{1:x} to {2:x}",
                            Names[I], uint64_t(Sh.sh_offset), Off)
                        .str());
    uint64_t Size = I == ShStrNdx ? NewShStrSize : uint64_t(Sh.sh_size);
    if (Sh.sh_type != ELF::SHT_NOBITS)
      Off += Size;
  }
  R.End = Off;
  if (CheckEnd) {
    uint64_t ShOff = alignTo(Off, sizeof(Elf_Addr));
    if (ShOff != Eh.e_shoff)
      return refuse(formatv("the section header table is at {0:x}, not right "
                            "after the last section ({1:x})",
                            uint64_t(Eh.e_shoff), ShOff)
                        .str());
    if (Eh.e_shoff + Shdrs.size() * sizeof(Elf_Shdr) != Buf.getBufferSize())
      return refuse("bytes follow the section header table");
  }
  return Error::success();
}

template <class ELFT>
Error Planner<ELFT>::checkSymbols(unsigned SymTabIdx,
                                  const std::vector<bool> &Removed) {
  const Elf_Shdr &SymTab = Shdrs[SymTabIdx];
  if (SymTab.sh_entsize != sizeof(Elf_Sym) ||
      SymTab.sh_addralign != (ELFT::Is64Bits ? 8 : 4))
    return refuse("the symbol table has an entry size or alignment ObjCopy "
                  "would change");
  if (SymTab.sh_link == ShStrNdx)
    return refuse("symbol names share the section name table");
  Expected<typename ELFFile<ELFT>::Elf_Sym_Range> SymsOrErr =
      File->symbols(&SymTab);
  if (!SymsOrErr)
    return SymsOrErr.takeError();
  Expected<StringRef> StrTabOrErr = File->getStringTableForSymtab(SymTab);
  if (!StrTabOrErr)
    return StrTabOrErr.takeError();
  auto Syms = *SymsOrErr;
  if (Syms.size() <= 1 && File->getHeader().e_type != ELF::ET_REL)
    return refuse("ObjCopy would remove the empty symbol table");
  StringTableBuilder Builder(StringTableBuilder::ELF);
  std::vector<StringRef> SymNames(Syms.size());
  size_t LastLocal = 0;
  bool SeenGlobal = false;
  for (size_t I = 0; I < Syms.size(); ++I) {
    const Elf_Sym &Sym = Syms[I];
    Expected<StringRef> NameOrErr = Sym.getName(*StrTabOrErr);
    if (!NameOrErr)
      return NameOrErr.takeError();
    SymNames[I] = *NameOrErr;
    Builder.add(*NameOrErr);
    if (Sym.getBinding() == ELF::STB_LOCAL) {
      if (SeenGlobal)
        return refuse("a local symbol follows a global one");
      LastLocal = I;
    } else {
      SeenGlobal = true;
    }
    unsigned Shndx = Sym.st_shndx;
    if (Shndx == ELF::SHN_XINDEX)
      return refuse("a symbol has an extended section index");
    if (Shndx >= ELF::SHN_LORESERVE && Shndx != ELF::SHN_ABS &&
        Shndx != ELF::SHN_COMMON)
      return refuse("a symbol has a reserved section index");
    if (Shndx != ELF::SHN_UNDEF && Shndx < ELF::SHN_LORESERVE) {
      if (Shndx >= Shdrs.size())
        return refuse("a symbol's section index is out of range");
      if (Removed[Shndx])
        return refuse(formatv("symbol '{0}' is defined in section '{1}'",
                              *NameOrErr, Names[Shndx])
                          .str());
    }
  }
  if (SymTab.sh_info != LastLocal + 1)
    return refuse("the symbol table's sh_info is not one past its last "
                  "local symbol");
  Builder.finalize();
  if (Builder.getSize() != StrTabOrErr->size())
    return refuse("ObjCopy would rebuild the symbol string table");
  std::string Built;
  raw_string_ostream OS(Built);
  Builder.write(OS);
  if (StringRef(Built) != *StrTabOrErr)
    return refuse("ObjCopy would rebuild the symbol string table");
  for (size_t I = 0; I < Syms.size(); ++I)
    if (Syms[I].st_name != Builder.getOffset(SymNames[I]))
      return refuse("a symbol's name is not where ObjCopy would put it");
  return Error::success();
}

/// Everything ObjCopy rewrites must already be as ObjCopy writes it.
template <class ELFT>
Error Planner<ELFT>::checkObjCopyIdentity(const std::vector<bool> &Removed) {
  const Elf_Ehdr &Eh = File->getHeader();
  for (unsigned I = ELF::EI_PAD; I < ELF::EI_NIDENT; ++I)
    if (Eh.e_ident[I])
      return refuse("the ELF header's identification padding is not zero");
  if (Eh.e_ident[ELF::EI_VERSION] != ELF::EV_CURRENT)
    return refuse("the ELF identification version is not current");
  if (Eh.e_ehsize != sizeof(Elf_Ehdr))
    return refuse("the ELF header size is not the standard one");
  if (Eh.e_phnum ? Eh.e_phentsize != sizeof(Elf_Phdr)
                 : (Eh.e_phentsize != 0 || Eh.e_phoff != 0))
    return refuse("the program header fields are not as ObjCopy writes them");
  if (Eh.e_machine == ELF::EM_MIPS)
    return refuse("MIPS relocations are rewritten by ObjCopy");

  std::optional<unsigned> SymTabIdx;
  for (unsigned I = 1; I < Shdrs.size(); ++I) {
    const Elf_Shdr &S = Shdrs[I];
    if (S.sh_flags & ELF::SHF_COMPRESSED)
      return refuse(formatv("section '{0}' is compressed", Names[I]).str());
    bool Alloc = S.sh_flags & ELF::SHF_ALLOC;
    switch (S.sh_type) {
    case ELF::SHT_PROGBITS:
    case ELF::SHT_NOBITS:
    case ELF::SHT_NOTE:
    case ELF::SHT_INIT_ARRAY:
    case ELF::SHT_FINI_ARRAY:
    case ELF::SHT_PREINIT_ARRAY:
    case ELF::SHT_DYNAMIC:
    case ELF::SHT_DYNSYM:
    case ELF::SHT_HASH:
    case ELF::SHT_GNU_HASH:
    case ELF::SHT_GNU_versym:
    case ELF::SHT_GNU_verdef:
    case ELF::SHT_GNU_verneed:
    case ELF::SHT_X86_64_UNWIND:
    case ELF::SHT_GROUP:
      break;
    case ELF::SHT_SYMTAB:
      if (SymTabIdx)
        return refuse("the file has more than one symbol table");
      SymTabIdx = I;
      break;
    case ELF::SHT_STRTAB:
      break; // checked below, once the symbol table is known
    case ELF::SHT_REL:
    case ELF::SHT_RELA:
      // ObjCopy sets the entry size and the alignment (that of the largest
      // field) of the relocation sections it rewrites.
      if (!Alloc && (S.sh_entsize != (S.sh_type == ELF::SHT_REL
                                          ? sizeof(typename ELFT::Rel)
                                          : sizeof(typename ELFT::Rela)) ||
                     S.sh_addralign != (ELFT::Is64Bits ? 8 : 4)))
        return refuse(formatv("relocation section '{0}' has an entry size or "
                              "alignment ObjCopy would change",
                              Names[I])
                          .str());
      break;
    default:
      return refuse(formatv("section '{0}' has type {1:x}, which ObjCopy may "
                            "rewrite",
                            Names[I], uint32_t(S.sh_type))
                        .str());
    }
  }
  for (unsigned I = 1; I < Shdrs.size(); ++I) {
    const Elf_Shdr &S = Shdrs[I];
    if (S.sh_type == ELF::SHT_STRTAB && !(S.sh_flags & ELF::SHF_ALLOC) &&
        I != ShStrNdx && !(SymTabIdx && Shdrs[*SymTabIdx].sh_link == I))
      return refuse(formatv("string table '{0}' names neither symbols nor "
                            "sections (ObjCopy would empty it)",
                            Names[I])
                        .str());
    if ((S.sh_type == ELF::SHT_REL || S.sh_type == ELF::SHT_RELA) &&
        !(S.sh_flags & ELF::SHF_ALLOC) && S.sh_link != 0 &&
        (!SymTabIdx || S.sh_link != *SymTabIdx))
      return refuse(formatv("relocation section '{0}' does not use the "
                            "symbol table",
                            Names[I])
                        .str());
  }
  if (SymTabIdx)
    return checkSymbols(*SymTabIdx, Removed);
  return Error::success();
}

template <class ELFT> Expected<AppendPlan> Planner<ELFT>::plan() {
  Expected<ELFFile<ELFT>> FileOrErr = ELFFile<ELFT>::create(Buf.getBuffer());
  if (!FileOrErr)
    return FileOrErr.takeError();
  File.emplace(std::move(*FileOrErr));
  const Elf_Ehdr &Eh = File->getHeader();
  if (Eh.e_shoff == 0 || Eh.e_shnum == 0)
    return refuse("the file has no section header table, or uses extended "
                  "section numbering");
  if (Eh.e_shentsize != sizeof(Elf_Shdr))
    return refuse("the section header entry size is not the standard one");
  if (Eh.e_shstrndx == ELF::SHN_UNDEF || Eh.e_shstrndx >= Eh.e_shnum)
    return refuse("the file has no section name table");
  Expected<typename ELFFile<ELFT>::Elf_Shdr_Range> ShdrsOrErr =
      File->sections();
  if (!ShdrsOrErr)
    return ShdrsOrErr.takeError();
  Shdrs = *ShdrsOrErr;
  ShStrNdx = Eh.e_shstrndx;
  Expected<StringRef> ShStrOrErr = File->getSectionStringTable(Shdrs);
  if (!ShStrOrErr)
    return ShStrOrErr.takeError();
  for (const Elf_Shdr &S : Shdrs) {
    Expected<StringRef> NameOrErr = File->getSectionName(S, *ShStrOrErr);
    if (!NameOrErr)
      return NameOrErr.takeError();
    Names.push_back(*NameOrErr);
  }
  if (Shdrs[ShStrNdx].sh_type != ELF::SHT_STRTAB ||
      (Shdrs[ShStrNdx].sh_flags & ELF::SHF_ALLOC))
    return refuse("the section name table is not a plain string table");

  // Which existing sections each update fills, replaces or removes.
  std::vector<bool> Removed(Shdrs.size(), false);
  std::vector<std::optional<unsigned>> Fill(Updates.size());
  bool AnyFill = false, AnyAdd = false;
  for (size_t U = 0; U < Updates.size(); ++U) {
    const SectionUpdate &Up = Updates[U];
    for (size_t V = 0; V < U; ++V)
      if (Updates[V].Name == Up.Name)
        return createStringError(errc::invalid_argument,
                                 "section '%s' is updated twice",
                                 Up.Name.c_str());
    SmallVector<unsigned, 2> Matches;
    for (unsigned I = 1; I < Shdrs.size(); ++I)
      if (Names[I] == Up.Name)
        Matches.push_back(I);
    if (Matches.size() == 1 && !Up.Remove) {
      const Elf_Shdr &S = Shdrs[Matches[0]];
      if ((S.sh_flags & ELF::SHF_ALLOC) && S.sh_size == 0 &&
          S.sh_type != ELF::SHT_NOBITS) {
        Fill[U] = Matches[0];
        AnyFill = true;
        continue;
      }
    }
    for (unsigned I : Matches) {
      if (I == ShStrNdx)
        return refuse("the section name table would be removed");
      if (Shdrs[I].sh_flags & ELF::SHF_ALLOC)
        return refuse(formatv("section '{0}' is allocated", Names[I]).str());
      Removed[I] = true;
    }
    AnyAdd |= !Up.Remove;
  }
  // Removed sections must be the last ones, so that no index changes, and
  // nothing may refer to them.
  unsigned Kept = Shdrs.size();
  while (Kept > 1 && Removed[Kept - 1])
    --Kept;
  for (unsigned I = 1; I < Kept; ++I)
    if (Removed[I])
      return refuse(formatv("section '{0}' is not at the end of the section "
                            "header table; removing it would renumber the "
                            "sections after it",
                            Names[I])
                        .str());
  if (ShStrNdx >= Kept)
    return refuse("the section name table would be removed");
  for (unsigned I = 1; I < Kept; ++I) {
    const Elf_Shdr &S = Shdrs[I];
    bool InfoIsSection = (S.sh_flags & ELF::SHF_INFO_LINK) ||
                         S.sh_type == ELF::SHT_REL ||
                         S.sh_type == ELF::SHT_RELA;
    if ((S.sh_link && S.sh_link < Shdrs.size() && Removed[S.sh_link]) ||
        (InfoIsSection && S.sh_info && S.sh_info < Shdrs.size() &&
         Removed[S.sh_info]))
      return refuse(
          formatv("section '{0}' refers to a section to be removed", Names[I])
              .str());
  }
  size_t NewCount = Kept;
  for (size_t U = 0; U < Updates.size(); ++U)
    if (!Updates[U].Remove && !Fill[U])
      ++NewCount;
  if (NewCount >= ELF::SHN_LORESERVE)
    return refuse("too many sections for the ELF header's count");

  std::vector<LayoutSegment> Segs;
  Expected<typename ELFFile<ELFT>::Elf_Phdr_Range> PhdrsOrErr =
      File->program_headers();
  if (!PhdrsOrErr)
    return PhdrsOrErr.takeError();
  for (const Elf_Phdr &P : *PhdrsOrErr)
    Segs.push_back({P.p_offset, P.p_filesz, P.p_vaddr, P.p_memsz, P.p_align,
                    P.p_type, unsigned(Segs.size())});

  // Section names: as ObjCopy builds .shstrtab, unless only filling (then
  // nothing about names changes).
  std::vector<StringRef> ResultNames(Names.begin(), Names.begin() + Kept);
  for (size_t U = 0; U < Updates.size(); ++U)
    if (!Updates[U].Remove && !Fill[U])
      ResultNames.push_back(Updates[U].Name);
  StringTableBuilder Builder(StringTableBuilder::ELF);
  std::string NewShStr;
  bool NewNames = AnyAdd || llvm::any_of(Removed, [](bool R) { return R; });
  AppendPlan Plan;
  if (NewNames || !AnyFill) {
    for (size_t I = 1; I < ResultNames.size(); ++I)
      Builder.add(ResultNames[I]);
    Builder.finalize();
    raw_string_ostream OS(NewShStr);
    Builder.write(OS);
  }
  bool ShStrChanged =
      (NewNames || !AnyFill) && StringRef(NewShStr) != *ShStrOrErr;
  LayoutResult Kept_, All;
  Error InputNotPacked = Error::success();

  if (!AnyFill) {
    // ObjCopy's result: the file must already be laid out as ObjCopy lays it
    // out, and stay so without the removed sections.
    if (Error E = checkObjCopyIdentity(Removed))
      return std::move(E);
    if (Error E = checkLayout(Segs, Removed, NewShStr.size(), false, Kept_))
      return std::move(E);
    std::vector<bool> None(Shdrs.size(), false);
    if (Error E = checkLayout(Segs, None, Shdrs[ShStrNdx].sh_size, true, All))
      InputNotPacked = std::move(E);
  } else if (Eh.e_shoff + Shdrs.size() * sizeof(Elf_Shdr) >
             Buf.getBufferSize()) {
    return refuse("the section header table is not inside the file");
  }

  // Nothing to do when the updated sections already hold the new bytes, in
  // the order ObjCopy would give them, and nothing is removed: the file is
  // the result (ours, or ObjCopy's) of the same update.
  if (!AnyFill && !ShStrChanged) {
    bool Same = true;
    unsigned Next = Kept;
    for (const SectionUpdate &Up : Updates) {
      if (Up.Remove)
        continue;
      if (Next >= Shdrs.size() || Names[Next] != Up.Name) {
        Same = false;
        break;
      }
      const Elf_Shdr &S = Shdrs[Next++];
      Expected<ArrayRef<uint8_t>> Contents = File->getSectionContents(S);
      if (!Contents)
        return Contents.takeError();
      if (S.sh_type != ELF::SHT_PROGBITS || S.sh_flags || S.sh_addr ||
          S.sh_addralign != 1 || S.sh_link || S.sh_info || S.sh_entsize ||
          Contents->size() != Up.Data.size() ||
          (Up.Data.size() &&
           memcmp(Contents->data(), Up.Data.data(), Up.Data.size())))
        Same = false;
    }
    if (Same && Next == Shdrs.size())
      Plan.Unchanged = true;
  }
  if (InputNotPacked) {
    if (!Plan.Unchanged)
      return std::move(InputNotPacked);
    consumeError(std::move(InputNotPacked));
  }

  // The new bytes, after the end of the file.
  Plan.OldSize = Buf.getBufferSize();
  Plan.Fills = AnyFill;
  uint64_t Off = Plan.OldSize;
  std::vector<Elf_Shdr> NewShdrs(Shdrs.begin(), Shdrs.begin() + Kept);
  for (size_t U = 0; U < Updates.size(); ++U) {
    const SectionUpdate &Up = Updates[U];
    if (Up.Remove)
      continue;
    Elf_Shdr *S;
    if (Fill[U]) {
      S = &NewShdrs[*Fill[U]];
      Off = alignTo(Off, S->sh_addralign ? uint64_t(S->sh_addralign) : 1);
    } else {
      // As ObjCopy's --add-section: PROGBITS, no flags, alignment 1.
      NewShdrs.emplace_back();
      S = &NewShdrs.back();
      memset(S, 0, sizeof(Elf_Shdr));
      S->sh_type = ELF::SHT_PROGBITS;
      S->sh_addralign = 1;
    }
    S->sh_offset = Off;
    S->sh_size = Up.Data.size();
    if (!Up.Data.empty())
      Plan.Pieces.push_back({Off, Up.Data});
    Off += Up.Data.size();
  }
  if (NewNames || !AnyFill) {
    for (size_t I = 1; I < NewShdrs.size(); ++I)
      NewShdrs[I].sh_name = Builder.getOffset(ResultNames[I]);
    Elf_Shdr &ShStr = NewShdrs[ShStrNdx];
    ShStr.sh_size = NewShStr.size();
    if (ShStrChanged) {
      Plan.ShStrTab.assign(NewShStr.begin(), NewShStr.end());
      Off = alignTo(Off, ShStr.sh_addralign ? uint64_t(ShStr.sh_addralign) : 1);
      ShStr.sh_offset = Off;
      Plan.Pieces.push_back({Off, Plan.ShStrTab});
      Off += Plan.ShStrTab.size();
    }
  }
  Off = alignTo(Off, sizeof(Elf_Addr));
  Plan.SectionHeaders.resize(NewShdrs.size() * sizeof(Elf_Shdr));
  memcpy(Plan.SectionHeaders.data(), NewShdrs.data(),
         Plan.SectionHeaders.size());
  Plan.Pieces.push_back({Off, Plan.SectionHeaders});

  Elf_Ehdr NewEh = Eh;
  NewEh.e_shoff = Off;
  NewEh.e_shnum = NewShdrs.size();
  Plan.Header.resize(sizeof(Elf_Ehdr));
  memcpy(Plan.Header.data(), &NewEh, sizeof(Elf_Ehdr));
  if (AnyFill || Plan.Unchanged)
    return Plan;

  // Into a copy: ObjCopy's own layout, byte for byte. The kept sections are
  // where they were; .shstrtab and the new sections go where ObjCopy puts
  // them, then the section header table; bytes ObjCopy leaves zero are zero.
  Plan.HasCopyLayout = true;
  size_t ZeroSize = sizeof(Elf_Addr);
  for (const auto &G : All.NonZeroGaps)
    ZeroSize = std::max<size_t>(ZeroSize, G.second - G.first);
  Plan.Zeros.assign(ZeroSize, 0);
  for (const auto &G : All.NonZeroGaps)
    Plan.CopyPieces.push_back(
        {G.first, ArrayRef<char>(Plan.Zeros).take_front(G.second - G.first)});
  std::vector<Elf_Shdr> CopyShdrs = NewShdrs;
  Elf_Shdr &ShStr = CopyShdrs[ShStrNdx];
  if (ShStrChanged || Kept_.ShStrOffset != Shdrs[ShStrNdx].sh_offset) {
    ShStr.sh_offset = Kept_.ShStrOffset;
    Plan.ShStrTab.assign(NewShStr.begin(), NewShStr.end());
    Plan.CopyPieces.push_back({Kept_.ShStrOffset, Plan.ShStrTab});
  } else {
    ShStr.sh_offset = Shdrs[ShStrNdx].sh_offset;
  }
  uint64_t COff = Kept_.End;
  size_t NewIdx = Kept;
  for (const SectionUpdate &Up : Updates) {
    if (Up.Remove)
      continue;
    Elf_Shdr &S = CopyShdrs[NewIdx++];
    S.sh_offset = COff;
    if (!Up.Data.empty())
      Plan.CopyPieces.push_back({COff, Up.Data});
    COff += Up.Data.size();
  }
  uint64_t ShOff = alignTo(COff, sizeof(Elf_Addr));
  if (ShOff != COff)
    Plan.CopyPieces.push_back(
        {COff, ArrayRef<char>(Plan.Zeros).take_front(ShOff - COff)});
  Plan.CopySectionHeaders.resize(CopyShdrs.size() * sizeof(Elf_Shdr));
  memcpy(Plan.CopySectionHeaders.data(), CopyShdrs.data(),
         Plan.CopySectionHeaders.size());
  Plan.CopyPieces.push_back({ShOff, Plan.CopySectionHeaders});
  Plan.CopySize = ShOff + Plan.CopySectionHeaders.size();
  NewEh.e_shoff = ShOff;
  Plan.CopyHeader.resize(sizeof(Elf_Ehdr));
  memcpy(Plan.CopyHeader.data(), &NewEh, sizeof(Elf_Ehdr));
  return Plan;
}

template <class Fn>
static auto withELFType(MemoryBufferRef Buf, Fn F)
    -> decltype(F(std::declval<ELF64LE *>())) {
  StringRef B = Buf.getBuffer();
  if (B.size() < ELF::EI_NIDENT || !B.starts_with("\x7f"
                                                  "ELF"))
    return createStringError(errc::invalid_argument, "not an ELF file");
  unsigned char Class = B[ELF::EI_CLASS], Data = B[ELF::EI_DATA];
  if (Class == ELF::ELFCLASS64 && Data == ELF::ELFDATA2LSB)
    return F(static_cast<ELF64LE *>(nullptr));
  if (Class == ELF::ELFCLASS64 && Data == ELF::ELFDATA2MSB)
    return F(static_cast<ELF64BE *>(nullptr));
  if (Class == ELF::ELFCLASS32 && Data == ELF::ELFDATA2LSB)
    return F(static_cast<ELF32LE *>(nullptr));
  if (Class == ELF::ELFCLASS32 && Data == ELF::ELFDATA2MSB)
    return F(static_cast<ELF32BE *>(nullptr));
  return createStringError(errc::invalid_argument,
                           "unknown ELF class or byte order");
}

Expected<AppendPlan> btfsplit::planAppend(MemoryBufferRef Buf,
                                          ArrayRef<SectionUpdate> Updates) {
  return withELFType(Buf, [&](auto *T) -> Expected<AppendPlan> {
    using ELFT = std::remove_pointer_t<decltype(T)>;
    return Planner<ELFT>(Buf, Updates).plan();
  });
}

bool btfsplit::hasEmptyAllocSection(MemoryBufferRef Buf, StringRef Name) {
  Expected<bool> R = withELFType(Buf, [&](auto *T) -> Expected<bool> {
    using ELFT = std::remove_pointer_t<decltype(T)>;
    Expected<ELFFile<ELFT>> F = ELFFile<ELFT>::create(Buf.getBuffer());
    if (!F)
      return F.takeError();
    auto Shdrs = F->sections();
    if (!Shdrs)
      return Shdrs.takeError();
    Expected<StringRef> ShStr = F->getSectionStringTable(*Shdrs);
    if (!ShStr)
      return ShStr.takeError();
    for (const auto &S : *Shdrs) {
      Expected<StringRef> N = F->getSectionName(S, *ShStr);
      if (!N) {
        consumeError(N.takeError());
        continue;
      }
      if (*N == Name && (S.sh_flags & ELF::SHF_ALLOC) && S.sh_size == 0 &&
          S.sh_type != ELF::SHT_NOBITS)
        return true;
    }
    return false;
  });
  if (!R) {
    consumeError(R.takeError());
    return false;
  }
  return *R;
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

static std::error_code lastError() {
  return std::error_code(errno, std::generic_category());
}

static std::error_code pwriteAll(int FD, ArrayRef<char> Bytes, uint64_t Off) {
  for (size_t Done = 0; Done < Bytes.size();) {
    ssize_t N = ::pwrite(FD, Bytes.data() + Done, Bytes.size() - Done,
                         static_cast<off_t>(Off + Done));
    if (N < 0) {
      if (errno == EINTR)
        continue;
      return lastError();
    }
    Done += N;
  }
  return std::error_code();
}

/// Write the pieces after the end of the file, then the header.
static std::error_code writePlan(int FD, const AppendPlan &Plan, bool Sync) {
  for (const AppendPlan::Piece &P : Plan.Pieces)
    if (std::error_code EC = pwriteAll(FD, P.Bytes, P.Offset))
      return EC;
  // The new data must be on disk before the header points at it.
  if (Sync && ::fdatasync(FD) != 0)
    return lastError();
  if (std::error_code EC = pwriteAll(FD, Plan.Header, 0))
    return EC;
  if (Sync && ::fdatasync(FD) != 0)
    return lastError();
  return std::error_code();
}

/// Turn a copy of the input into ObjCopy's output.
static std::error_code writeCopyLayout(int FD, const AppendPlan &Plan) {
  if (::ftruncate(FD, static_cast<off_t>(Plan.CopySize)) != 0)
    return lastError();
  for (const AppendPlan::Piece &P : Plan.CopyPieces)
    if (std::error_code EC = pwriteAll(FD, P.Bytes, P.Offset))
      return EC;
  return pwriteAll(FD, Plan.CopyHeader, 0);
}

Expected<OutputStatus> btfsplit::executeAppend(StringRef In, StringRef Out,
                                               const AppendPlan &Plan,
                                               const OutputOptions &Opts) {
  if (Out.empty())
    Out = In;
  if (Out == "-")
    return refuse("the output is stdout");
  sys::fs::file_status OutSt;
  bool OutExists = !sys::fs::status(Out, OutSt);
  if (OutExists && OutSt.type() != sys::fs::file_type::regular_file)
    return refuse("the output is not a regular file");
  bool InPlace = Out == In || (OutExists && sys::fs::equivalent(In, Out));

  if (InPlace) {
    int FD = ::open(In.str().c_str(), O_RDWR | O_CLOEXEC);
    if (FD < 0) {
      if (errno == EACCES || errno == EPERM || errno == EROFS ||
          errno == ETXTBSY)
        return refuse("cannot open the file for writing in place");
      return createFileError(In, lastError());
    }
    struct stat St;
    if (::fstat(FD, &St) != 0) {
      std::error_code EC = lastError();
      ::close(FD);
      return createFileError(In, EC);
    }
    if (St.st_nlink != 1 || uint64_t(St.st_size) != Plan.OldSize) {
      ::close(FD);
      return refuse(St.st_nlink != 1
                        ? "the file has other hard links, which must not "
                          "change"
                        : "the file changed since it was read");
    }
    if (Plan.Unchanged) {
      // The bytes are already right; a caller that wants a new file (make)
      // still gets a new modification time.
      if (!Opts.OnlyIfChanged)
        (void)::futimens(FD, nullptr);
      ::close(FD);
      return Opts.OnlyIfChanged ? OutputStatus::Unchanged
                                : OutputStatus::Written;
    }
    std::error_code EC = writePlan(FD, Plan, /*Sync=*/true);
    if (EC)
      // Nothing refers to the bytes after the old end yet: drop them, so the
      // file is byte for byte the old one.
      (void)::ftruncate(FD, static_cast<off_t>(Plan.OldSize));
    if (::close(FD) != 0 && !EC)
      EC = lastError();
    if (EC)
      return createFileError(In, EC);
    return OutputStatus::Written;
  }

  int InFD = ::open(In.str().c_str(), O_RDONLY | O_CLOEXEC);
  if (InFD < 0)
    return createFileError(In, lastError());
  struct stat St;
  if (::fstat(InFD, &St) != 0 || uint64_t(St.st_size) != Plan.OldSize) {
    ::close(InFD);
    return refuse("the file changed since it was read");
  }
  Expected<sys::fs::TempFile> TempOrErr = createOutputTemp(Out);
  if (!TempOrErr) {
    ::close(InFD);
    return TempOrErr.takeError();
  }
  sys::fs::TempFile &Temp = *TempOrErr;
  std::error_code EC = copyFileData(InFD, Temp.FD);
  ::close(InFD);
  if (!EC && !Plan.Unchanged)
    EC = Plan.HasCopyLayout ? writeCopyLayout(Temp.FD, Plan)
                            : writePlan(Temp.FD, Plan, /*Sync=*/false);
  if (EC)
    return createFileError(Out,
                           joinErrors(errorCodeToError(EC), Temp.discard()));
  OutputOptions O = Opts;
  O.PermissionsFrom = In.str();
  return commitOutputTemp(Temp, Out, O);
}
