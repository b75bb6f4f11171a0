//===- RelocatedDWARF.cpp - DWARF of a relocatable ELF file, relocated once
//===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "DWARF2BTF/RelocatedDWARF.h"
#include "Support/Errors.h"
#include "Support/MemoryPolicy.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/RelocationResolver.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/FileSystem.h"

using namespace llvm;
using namespace llvm::object;
using namespace btfsplit;

namespace {

/// One debug section as served to DWARFContext: its (relocated) bytes, and
/// for relocations against allocated sections, offset -> section index.
struct RelocatedSection : DWARFSection {
  /// (offset, section index), sorted by offset.
  std::vector<std::pair<uint64_t, uint32_t>> AddrSections;
  /// The offsets that have an AddrSections entry: find() runs for every
  /// relocatable field read (each DW_FORM_strp), and most have none.
  BitVector HasAddrSection;
};

/// The value is already relocated in the section bytes: hand it back as is.
uint64_t keepRelocated(uint64_t /*Type*/, uint64_t /*Offset*/, uint64_t /*S*/,
                       uint64_t LocData, int64_t /*Addend*/) {
  return LocData;
}

enum SectionId {
  Info,
  Line,
  Loc,
  Loclists,
  Ranges,
  Rnglists,
  StrOffsets,
  Addr,
  NumSections
};

} // namespace

/// The relocated sections, shared by the DWARFObjects made from them.
struct btfsplit::RelocatedDWARF::Data {
  std::string FileName;
  RelocatedSection Sections[NumSections];
  StringRef Abbrev, Str, LineStr;
  std::vector<std::unique_ptr<uint8_t[]>> Owned;

  /// The slot for a section called \p Name, or nullptr when not served.
  RelocatedSection *sectionFor(StringRef Name) {
    int Id = StringSwitch<int>(Name)
                 .Case(".debug_info", Info)
                 .Case(".debug_line", Line)
                 .Case(".debug_loc", Loc)
                 .Case(".debug_loclists", Loclists)
                 .Case(".debug_ranges", Ranges)
                 .Case(".debug_rnglists", Rnglists)
                 .Case(".debug_str_offsets", StrOffsets)
                 .Case(".debug_addr", Addr)
                 .Default(-1);
    return Id < 0 ? nullptr : &Sections[Id];
  }
  StringRef *plainFor(StringRef Name) {
    return StringSwitch<StringRef *>(Name)
        .Case(".debug_abbrev", &Abbrev)
        .Case(".debug_str", &Str)
        .Case(".debug_line_str", &LineStr)
        .Default(nullptr);
  }
};

namespace {

/// A view of RelocatedDWARF::Data for one DWARFContext.
class RelocatedDWARFObject final : public DWARFObject {
public:
  using Data = RelocatedDWARF::Data;
  RelocatedDWARFObject(const Data &D) : D(D) {}

  StringRef getFileName() const override { return D.FileName; }
  bool isLittleEndian() const override { return true; }
  uint8_t getAddressSize() const override { return 8; }
  void forEachInfoSections(
      function_ref<void(const DWARFSection &)> F) const override {
    F(D.Sections[Info]);
  }
  StringRef getAbbrevSection() const override { return D.Abbrev; }
  StringRef getStrSection() const override { return D.Str; }
  StringRef getLineStrSection() const override { return D.LineStr; }
  const DWARFSection &getLineSection() const override {
    return D.Sections[Line];
  }
  const DWARFSection &getLocSection() const override { return D.Sections[Loc]; }
  const DWARFSection &getLoclistsSection() const override {
    return D.Sections[Loclists];
  }
  const DWARFSection &getRangesSection() const override {
    return D.Sections[Ranges];
  }
  const DWARFSection &getRnglistsSection() const override {
    return D.Sections[Rnglists];
  }
  const DWARFSection &getStrOffsetsSection() const override {
    return D.Sections[StrOffsets];
  }
  const DWARFSection &getAddrSection() const override {
    return D.Sections[Addr];
  }

  std::optional<RelocAddrEntry> find(const DWARFSection &Sec,
                                     uint64_t Pos) const override {
    // Only our own sections carry relocations (not the base class' Dummy).
    std::less<const DWARFSection *> Before;
    if (Before(&Sec, &D.Sections[0]) || !Before(&Sec, &D.Sections[NumSections]))
      return std::nullopt;
    const RelocatedSection *S = static_cast<const RelocatedSection *>(&Sec);
    if (Pos >= S->HasAddrSection.size() || !S->HasAddrSection[Pos])
      return std::nullopt;
    auto It = llvm::lower_bound(S->AddrSections, Pos,
                                [](const std::pair<uint64_t, uint32_t> &E,
                                   uint64_t P) { return E.first < P; });
    if (It == S->AddrSections.end() || It->first != Pos)
      return std::nullopt;
    RelocAddrEntry E;
    E.SectionIndex = It->second;
    // No owning object: resolveRelocation() calls the resolver directly.
    E.Reloc = RelocationRef(DataRefImpl(), nullptr);
    E.SymbolValue = 0;
    E.Resolver = keepRelocated;
    return E;
  }

private:
  const Data &D;
};

} // namespace

namespace {
/// Reads byte ranges of the input with pread when the input file is at hand:
/// the RELA tables and the sources of the relocated copies are read once
/// here, and reading them through the mapping would leave them resident (for
/// mlx5_core 25 MB of .rela.debug_info and 18 MB of .debug_info) for the
/// rest of the run. Falls back to the mapped bytes.
class FileRangeReader {
public:
  FileRangeReader(StringRef FileName, MemoryBufferRef Mapped) : Mapped(Mapped) {
    Expected<sys::fs::file_t> FOrErr = sys::fs::openNativeFileForRead(FileName);
    if (!FOrErr) {
      consumeError(FOrErr.takeError());
      return;
    }
    sys::fs::file_status St;
    // Only the very file that is mapped (same size) is read directly.
    if (sys::fs::status(*FOrErr, St) ||
        St.getSize() != Mapped.getBufferSize()) {
      sys::fs::closeFile(*FOrErr);
      return;
    }
    File = *FOrErr;
  }
  ~FileRangeReader() {
    if (File)
      sys::fs::closeFile(*File);
  }

  /// Copy the bytes of the mapping at \p Src into \p Dst.
  void read(const void *Src, MutableArrayRef<uint8_t> Dst) {
    uint64_t Off = static_cast<const char *>(Src) - Mapped.getBufferStart();
    size_t Done = 0;
    while (File && Done < Dst.size()) {
      Expected<size_t> NOrErr = sys::fs::readNativeFileSlice(
          *File,
          MutableArrayRef<char>(reinterpret_cast<char *>(Dst.data()) + Done,
                                Dst.size() - Done),
          Off + Done);
      if (!NOrErr || *NOrErr == 0) {
        if (!NOrErr)
          consumeError(NOrErr.takeError());
        break;
      }
      Done += *NOrErr;
    }
    if (Done < Dst.size())
      memcpy(Dst.data() + Done, static_cast<const char *>(Src) + Done,
             Dst.size() - Done);
  }

private:
  MemoryBufferRef Mapped;
  std::optional<sys::fs::file_t> File;
};
} // namespace

static Error relocError(StringRef FileName, StringRef Section,
                        const Twine &Msg) {
  return createFileError(FileName, makeError(Section + ": " + Msg));
}

RelocatedDWARF::RelocatedDWARF() : D(std::make_unique<Data>()) {}
RelocatedDWARF::~RelocatedDWARF() = default;

std::unique_ptr<DWARFObject> RelocatedDWARF::makeObject() const {
  return std::make_unique<RelocatedDWARFObject>(*D);
}

Expected<std::unique_ptr<RelocatedDWARF>>
RelocatedDWARF::create(const ObjectFile &Obj, StringRef FileName) {
  const auto *ELFObj = dyn_cast<ELF64LEObjectFile>(&Obj);
  if (!ELFObj)
    return nullptr;
  const ELF64LEFile &EF = ELFObj->getELFFile();
  if (EF.getHeader().e_type != ELF::ET_REL ||
      EF.getHeader().e_machine != ELF::EM_X86_64)
    return nullptr;
  auto SectionsOrErr = EF.sections();
  if (!SectionsOrErr)
    return createFileError(FileName, SectionsOrErr.takeError());
  ELF64LEFile::Elf_Shdr_Range Shdrs = *SectionsOrErr;

  std::unique_ptr<RelocatedDWARF> Result(new RelocatedDWARF());
  Data &Out = *Result->D;
  Out.FileName = FileName.str();
  // Section index -> the slot it fills (relocated sections only).
  DenseMap<uint32_t, RelocatedSection *> Slots;
  DenseMap<uint32_t, MutableArrayRef<uint8_t>> Buffers;
  SmallVector<const ELF64LE::Shdr *, 8> Relas, Rels;
  const ELF64LE::Shdr *SymTab = nullptr;
  for (const ELF64LE::Shdr &Sh : Shdrs) {
    uint32_t Index = &Sh - Shdrs.begin();
    if (Sh.sh_type == ELF::SHT_SYMTAB_SHNDX)
      return nullptr;
    if (Sh.sh_type == ELF::SHT_SYMTAB) {
      SymTab = &Sh;
      continue;
    }
    if (Sh.sh_type == ELF::SHT_RELA) {
      Relas.push_back(&Sh);
      continue;
    }
    if (Sh.sh_type == ELF::SHT_REL) {
      Rels.push_back(&Sh);
      continue;
    }
    Expected<StringRef> NameOrErr = EF.getSectionName(Sh);
    if (!NameOrErr)
      return createFileError(FileName, NameOrErr.takeError());
    StringRef Name = *NameOrErr;
    if (Name.starts_with(".zdebug") || Name == ".debug_types")
      return nullptr;
    if (!Name.starts_with(".debug_"))
      continue;
    if (Sh.sh_flags & ELF::SHF_COMPRESSED)
      return nullptr;
    if (Sh.sh_type == ELF::SHT_NOBITS)
      continue;
    RelocatedSection *Slot = Out.sectionFor(Name);
    StringRef *Plain = Slot ? nullptr : Out.plainFor(Name);
    if (!Slot && !Plain)
      continue;
    // Several sections of one name (COMDAT groups): LLVM's reader knows.
    if ((Slot && !Slot->Data.empty()) || (Plain && !Plain->empty()))
      return nullptr;
    Expected<ArrayRef<uint8_t>> BytesOrErr = EF.getSectionContents(Sh);
    if (!BytesOrErr)
      return createFileError(FileName, BytesOrErr.takeError());
    StringRef Data = toStringRef(*BytesOrErr);
    if (Plain)
      *Plain = Data;
    else {
      Slot->Data = Data;
      Slots[Index] = Slot;
    }
  }

  ArrayRef<ELF64LE::Sym> Syms;
  if (SymTab) {
    auto SymsOrErr = EF.symbols(SymTab);
    if (!SymsOrErr)
      return createFileError(FileName, SymsOrErr.takeError());
    Syms = *SymsOrErr;
  }

  // SHT_REL (implicit addends) does not occur on x86-64: leave it to LLVM.
  // (sh_info is checked against the section count first: a hostile value
  // may be one of DenseMap's reserved keys.)
  for (const ELF64LE::Shdr *Rel : Rels)
    if (Rel->sh_info < Shdrs.size() && Slots.count(Rel->sh_info))
      return nullptr;

  FileRangeReader Reader(FileName, Obj.getMemoryBufferRef());
  std::vector<ELF64LE::Rela> RelaChunk(4096);
  for (const ELF64LE::Shdr *Rela : Relas) {
    // A target that is no section relocates no debug section.
    if (Rela->sh_info >= Shdrs.size())
      continue;
    auto SlotIt = Slots.find(Rela->sh_info);
    if (SlotIt == Slots.end())
      continue;
    RelocatedSection &Sec = *SlotIt->second;
    Expected<StringRef> NameOrErr = EF.getSectionName(Shdrs[Rela->sh_info]);
    if (!NameOrErr)
      return createFileError(FileName, NameOrErr.takeError());
    StringRef Name = *NameOrErr;
    if (Buffers.count(Rela->sh_info))
      return nullptr; // two .rela sections for one section
    if (Rela->sh_link >= Shdrs.size() || &Shdrs[Rela->sh_link] != SymTab)
      return relocError(FileName, Name,
                        "relocation section does not use the symbol table");
    auto RelasOrErr = EF.relas(*Rela);
    if (!RelasOrErr)
      return createFileError(FileName, RelasOrErr.takeError());

    // Own a copy of the section and relocate it in place.
    size_t Size = Sec.Data.size();
    std::unique_ptr<uint8_t[]> Buf(new uint8_t[Size ? Size : 1]);
    prefaultForWrite(Buf.get(), Size);
    Reader.read(Sec.Data.data(), MutableArrayRef<uint8_t>(Buf.get(), Size));
    uint8_t *P = Buf.get();
    ArrayRef<ELF64LE::Rela> AllRelas = *RelasOrErr;
    for (size_t Chunk = 0; Chunk < AllRelas.size(); Chunk += RelaChunk.size()) {
      ArrayRef<ELF64LE::Rela> Src = AllRelas.slice(
          Chunk, std::min(RelaChunk.size(), AllRelas.size() - Chunk));
      Reader.read(Src.data(), MutableArrayRef<uint8_t>(
                                  reinterpret_cast<uint8_t *>(RelaChunk.data()),
                                  Src.size() * sizeof(ELF64LE::Rela)));
      for (const ELF64LE::Rela &R :
           ArrayRef<ELF64LE::Rela>(RelaChunk.data(), Src.size())) {
        uint32_t Type = R.getType(false);
        uint32_t SymIdx = R.getSymbol(false);
        uint64_t Off = R.r_offset;
        int64_t Addend = R.r_addend;
        uint64_t S = 0;
        uint64_t SymSection = SectionedAddress::UndefSection;
        if (SymIdx != 0) {
          if (SymIdx >= Syms.size())
            return relocError(FileName, Name,
                              "relocation at offset 0x" +
                                  utohexstr(Off, /*LowerCase=*/true) +
                                  " refers to symbol index " + Twine(SymIdx) +
                                  " past the symbol table");
          const ELF64LE::Sym &Sym = Syms[SymIdx];
          S = Sym.st_value;
          uint16_t Shndx = Sym.st_shndx;
          if (Shndx != ELF::SHN_UNDEF && Shndx < ELF::SHN_LORESERVE) {
            if (Shndx >= Shdrs.size())
              return relocError(FileName, Name,
                                "relocation at offset 0x" +
                                    utohexstr(Off, /*LowerCase=*/true) +
                                    " refers to a symbol in section " +
                                    Twine(Shndx) + " past the section table");
            SymSection = Shndx;
          }
        }
        unsigned Width;
        uint64_t Value;
        switch (Type) {
        case ELF::R_X86_64_NONE:
          continue;
        case ELF::R_X86_64_64:
        case ELF::R_X86_64_DTPOFF64:
          Width = 8;
          Value = S + Addend;
          break;
        case ELF::R_X86_64_32:
        case ELF::R_X86_64_32S:
        case ELF::R_X86_64_DTPOFF32:
          Width = 4;
          Value = S + Addend;
          break;
        case ELF::R_X86_64_PC32:
          Width = 4;
          Value = S + Addend - Off;
          break;
        case ELF::R_X86_64_PC64:
          Width = 8;
          Value = S + Addend - Off;
          break;
        default:
          return relocError(FileName, Name,
                            "unsupported relocation type " + Twine(Type) +
                                " at offset 0x" +
                                utohexstr(Off, /*LowerCase=*/true));
        }
        if (Off > Size || Size - Off < Width)
          return relocError(FileName, Name,
                            "relocation at offset 0x" +
                                utohexstr(Off, /*LowerCase=*/true) +
                                " is outside the section");
        if (Width == 8)
          support::endian::write64le(P + Off, Value);
        else
          support::endian::write32le(P + Off, uint32_t(Value));
        if (SymSection != SectionedAddress::UndefSection &&
            (Shdrs[SymSection].sh_flags & ELF::SHF_ALLOC)) {
          if (Sec.HasAddrSection.empty())
            Sec.HasAddrSection.resize(Size);
          // Two relocations at one offset: the section of the first, as
          // LLVM's reader keeps it (the value is the last one's in both).
          if (!Sec.HasAddrSection[Off])
            Sec.AddrSections.push_back({Off, uint32_t(SymSection)});
          Sec.HasAddrSection.set(Off);
        }
      }
    }
    llvm::sort(Sec.AddrSections); // unique offsets
    Sec.AddrSections.shrink_to_fit();
    Sec.Data = StringRef(reinterpret_cast<const char *>(P), Size);
    Buffers[Rela->sh_info] = MutableArrayRef<uint8_t>(P, Size);
    Out.Owned.push_back(std::move(Buf));
  }
  return std::move(Result);
}
