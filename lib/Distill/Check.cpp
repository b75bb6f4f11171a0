//===- Check.cpp - Will this kernel accept this module's BTF? -------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "Distill/Check.h"
#include "BTF/BTFReader.h"
#include "BTF/BTFVerifier.h"
#include "Distill/Distill.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include <algorithm>

using namespace llvm;
using namespace btfsplit;

std::string btfsplit::groupDigits(uint64_t N) {
  std::string S = std::to_string(N);
  for (int I = int(S.size()) - 3; I > 0; I -= 3)
    S.insert(size_t(I), ",");
  return S;
}

MadeFor btfsplit::inferMadeFor(ArrayRef<uint8_t> SplitBTF) {
  MadeFor R;
  // Read as if standalone: the numbers in it are what we look at.
  Expected<std::unique_ptr<BTFObject>> OOrErr = readRawBTFAsIs(SplitBTF);
  if (!OOrErr) {
    consumeError(OOrErr.takeError());
    return R;
  }
  BTFObject &O = **OOrErr;
  const uint32_t Local = O.localCount();

  // Strings: libbpf keeps only strings that types use, so the last local
  // string is used, at the base's string size plus its local offset.
  StringRef Strs = O.strings().data();
  std::vector<uint32_t> Starts;
  for (uint32_t I = 0; I < Strs.size(); ++I)
    if (I == 0 || Strs[I - 1] == '\0')
      Starts.push_back(I);
  std::vector<uint32_t> Offs;
  for (uint32_t Id = 1; Id <= Local; ++Id)
    forEachStrRef(O.localType(Id), [&](uint32_t &Off) {
      if (Off)
        Offs.push_back(Off);
    });
  if (!Starts.empty() && !Offs.empty()) {
    uint32_t Max = *std::max_element(Offs.begin(), Offs.end());
    if (Max >= Starts.back()) {
      uint32_t S = Max - Starts.back();
      bool Ok = S > 0;
      for (uint32_t Off : Offs)
        if (Ok && Off >= S)
          Ok = std::binary_search(Starts.begin(), Starts.end(), Off - S);
      if (Ok)
        R.Strings = S;
    }
  }

  // Types: vote for the base count N that makes FUNCs refer to local
  // FUNC_PROTOs and DATASEC entries to local VARs.
  std::vector<uint32_t> Protos, Vars, FuncRefs, VarRefs;
  uint32_t MaxRef = 0;
  for (uint32_t Id = 1; Id <= Local; ++Id) {
    const BTF::CommonType *T = O.type(Id);
    switch (T->getKind()) {
    case BTF::BTF_KIND_FUNC_PROTO:
      Protos.push_back(Id - 1);
      break;
    case BTF::BTF_KIND_VAR:
      Vars.push_back(Id - 1);
      break;
    case BTF::BTF_KIND_FUNC:
      FuncRefs.push_back(T->Type);
      break;
    case BTF::BTF_KIND_DATASEC: {
      ArrayRef<uint32_t> W = tailWords(T);
      for (size_t I = 0; I < W.size(); I += 3)
        VarRefs.push_back(W[I]);
      break;
    }
    default:
      break;
    }
    forEachTypeRef(
        T, [&](const uint32_t &Ref) { MaxRef = std::max(MaxRef, Ref); });
  }
  if (MaxRef == 0 || (FuncRefs.empty() && VarRefs.empty()))
    return R;
  // A split BTF refers to at least one of its own types: N <= MaxRef, and
  // N + Local > MaxRef.
  uint32_t Lo = MaxRef >= Local ? MaxRef - Local + 1 : 1;
  uint32_t Hi = MaxRef;
  std::vector<uint32_t> Votes(Hi - Lo + 1, 0);
  auto Vote = [&](ArrayRef<uint32_t> Refs, ArrayRef<uint32_t> Targets) {
    for (uint32_t Ref : Refs)
      for (uint32_t J : Targets)
        if (Ref >= J && Ref - J >= Lo && Ref - J <= Hi)
          ++Votes[Ref - J - Lo];
  };
  Vote(FuncRefs, Protos);
  Vote(VarRefs, Vars);
  auto Best = std::max_element(Votes.begin(), Votes.end());
  uint32_t Total = FuncRefs.size() + VarRefs.size();
  if (*Best * 2 > Total && std::count(Votes.begin(), Votes.end(), *Best) == 1)
    R.Types = Lo + uint32_t(Best - Votes.begin()) - 1;
  return R;
}

namespace {
/// What relocating a module's split BTF onto the kernel would give.
struct RelocationView {
  RelocationReport Report;
  bool Relocated = false;
  std::string Error;
  /// Matched types whose layout changed (needs the full old base).
  std::vector<std::pair<std::string, std::vector<std::string>>> Changed;
  unsigned Same = 0;
  bool Layouts = false;
};
} // namespace

static RelocationView viewRelocation(const BTFObject &Split,
                                     const BTFObject &Kernel,
                                     const BTFObject *Old,
                                     ArrayRef<uint32_t> OriginalIds) {
  RelocationView V;
  Expected<std::unique_ptr<BTFObject>> ROrErr =
      relocateBTF(Split, Kernel, &V.Report);
  if (ROrErr)
    V.Relocated = true;
  else
    V.Error = toString(ROrErr.takeError());
  V.Layouts = Old != nullptr;
  for (const RelocatedType &T : V.Report.Types) {
    if (T.Result != RelocatedType::Matched)
      continue;
    if (!Old) {
      ++V.Same;
      continue;
    }
    std::vector<std::string> Changes =
        layoutChanges(*Old, OriginalIds[T.DistId], Kernel, T.BaseId);
    if (Changes.empty())
      ++V.Same;
    else
      V.Changed.emplace_back(T.Desc, std::move(Changes));
  }
  return V;
}

static void printRelocation(const RelocationView &V, raw_ostream &OS) {
  OS << "  relocation onto this kernel (what --relocate does, and the "
        "kernel for a module with .BTF.base):\n";
  OS << formatv("    {0} referenced kernel type{1} match{2} by name and {3}\n",
                groupDigits(V.Same), V.Same == 1 ? "" : "s",
                V.Same == 1 ? "es" : "", V.Layouts ? "layout" : "size");
  for (const auto &[Desc, Changes] : V.Changed)
    for (const std::string &C : Changes)
      OS << "    changed: " << Desc << ": " << C << '\n';
  for (const RelocatedType &T : V.Report.Types) {
    switch (T.Result) {
    case RelocatedType::Matched:
      break;
    case RelocatedType::Vanished:
      OS << "    vanished: " << T.Desc << ": not in this kernel\n";
      break;
    case RelocatedType::Resized:
      OS << "    changed: " << T.Desc << ": embedded in a module type, but "
         << T.Detail << '\n';
      break;
    case RelocatedType::Ambiguous:
      OS << "    ambiguous: " << T.Desc << ": " << T.Detail << '\n';
      break;
    }
  }
  if (V.Relocated && V.Changed.empty())
    OS << "    relocation succeeds\n";
  else if (V.Relocated)
    OS << "    relocation succeeds, but the module was built with the old "
          "layout of the changed types: rebuild it against this kernel\n";
  else
    OS << "    relocation fails: rebuild the module against this kernel\n";
}

static std::string moduleName(StringRef Path) {
  StringRef Name = sys::path::filename(Path);
  Name.consume_back(".ko");
  return Name.str();
}

static void printRefusal(const CheckInput &In, raw_ostream &OS) {
  OS << "  the kernel refuses it when loading the module (\"failed to "
        "validate module ["
     << moduleName(In.Module->Path)
     << "] BTF: -22\"), or loads the module without BTF with "
        "CONFIG_MODULE_ALLOW_BTF_MISMATCH=y\n";
}

static Verdict checkDistilled(const CheckInput &In, raw_ostream &OS) {
  const ModuleBTF &M = *In.Module;
  auto Bad = [&](const Twine &Why) {
    OS << M.Path << ": does not fit " << In.KernelPath << '\n';
    OS << "  " << Why << '\n';
    printRefusal(In, OS);
    return Verdict::DoesNotFit;
  };
  // The kernel's steps: .BTF.base as standalone BTF, then .BTF on it.
  if (Error E = verifyBTF(*M.Base))
    return Bad("its .BTF.base (distilled base) is corrupt: " +
               toString(std::move(E)));
  Expected<std::unique_ptr<BTFObject>> DistOrErr = readRawBTFAsIs(*M.Base);
  if (!DistOrErr)
    return Bad("its .BTF.base (distilled base) is corrupt: " +
               toString(DistOrErr.takeError()));
  if (Error E = checkStandalone(**DistOrErr))
    return Bad("its .BTF.base (distilled base) is corrupt: " +
               toString(std::move(E)));
  if (Error E = verifyBTF(*M.BTF, DistOrErr->get()))
    return Bad("its .BTF does not fit its own .BTF.base: " +
               toString(std::move(E)));
  Expected<std::unique_ptr<BTFObject>> SplitOrErr =
      readRawBTF(*M.BTF, DistOrErr->get());
  if (!SplitOrErr)
    return Bad("its .BTF is corrupt: " + toString(SplitOrErr.takeError()));
  const BTFObject &Dist = **DistOrErr;

  // With the full base it was made against, the old layouts are known: the
  // distilled types are found there by name, kind and size.
  std::vector<uint32_t> OriginalIds;
  const BTFObject *Old = In.OldBase;
  if (Old) {
    OriginalIds.assign(Dist.typeCount(), 0);
    RelocationReport R;
    Expected<std::unique_ptr<BTFObject>> OnOld =
        relocateBTF(**SplitOrErr, *Old, &R);
    if (!OnOld) {
      consumeError(OnOld.takeError());
      OS << "note: " << In.OldBasePath
         << " is not the kernel this module was made for; layouts not "
            "compared\n";
      Old = nullptr;
    } else {
      for (const RelocatedType &T : R.Types)
        OriginalIds[T.DistId] = T.BaseId;
    }
  }
  RelocationView V = viewRelocation(**SplitOrErr, *In.Kernel, Old, OriginalIds);
  bool Fits = V.Relocated;
  OS << M.Path << ": " << (Fits ? "fits " : "does not fit ") << In.KernelPath
     << '\n';
  OS << formatv("  it has a distilled base (.BTF.base, {0} types): the kernel "
                "relocates its BTF by type name onto its own when it loads "
                "the module (Linux 6.11+)\n",
                groupDigits(Dist.typeCount() - 1));
  printRelocation(V, OS);
  if (!Fits)
    OS << "  the kernel refuses it when loading the module (\"failed to "
          "validate module ["
       << moduleName(M.Path) << "] BTF: -22\")\n";
  return Fits ? Verdict::Fits : Verdict::DoesNotFit;
}

Verdict btfsplit::checkModule(const CheckInput &In, raw_ostream &OS) {
  const ModuleBTF &M = *In.Module;
  const BTFObject &K = *In.Kernel;
  const uint32_t KTypes = K.typeCount() - 1, KStrs = K.strEnd();
  if (!M.BTF) {
    OS << M.Path << ": cannot tell: it has no BTF (no .BTF section)\n";
    OS << "  the kernel loads it without BTF, and BPF programs cannot see "
          "its types; to add BTF: llvm-btf-split --btf-base "
       << In.KernelPath << ' ' << M.Path << '\n';
    return Verdict::CannotTell;
  }
  if (M.Base)
    return checkDistilled(In, OS);

  auto DoesNotFit = [&](const Twine &Why) {
    OS << M.Path << ": does not fit " << In.KernelPath << '\n';
    OS << "  " << Why << '\n';
    printRefusal(In, OS);
    return Verdict::DoesNotFit;
  };
  Expected<std::unique_ptr<BTFObject>> AloneOrErr = readRawBTFAsIs(*M.BTF);
  if (!AloneOrErr)
    return DoesNotFit("its .BTF is not valid BTF: " +
                      toString(AloneOrErr.takeError()));
  if (Error E = checkStandalone(**AloneOrErr)) {
    consumeError(std::move(E));
  } else {
    return DoesNotFit(formatv("its .BTF is standalone BTF ({0} types, as a "
                              "vmlinux's), not split BTF: the kernel reads a "
                              "module's .BTF as split BTF on its own vmlinux "
                              "BTF",
                              groupDigits((*AloneOrErr)->typeCount() - 1)));
  }

  MadeFor F = inferMadeFor(*M.BTF);
  if (In.OldBase) {
    // The base the user says it was made against settles the counts.
    F.Types = In.OldBase->typeCount() - 1;
    F.Strings = In.OldBase->strEnd();
  }
  Error VerifyErr = verifyBTF(*M.BTF, &K);
  bool CountsDiffer =
      (F.Types && *F.Types != KTypes) || (F.Strings && *F.Strings != KStrs);
  std::string Counts;
  if (F.Types && F.Strings)
    Counts = formatv("made for a base with {0} types and {1} bytes of strings",
                     groupDigits(*F.Types), groupDigits(*F.Strings));
  else if (F.Strings)
    Counts = formatv("made for a base with {0} bytes of strings",
                     groupDigits(*F.Strings));
  else if (F.Types)
    Counts = formatv("made for a base with {0} types", groupDigits(*F.Types));

  if (!VerifyErr && !CountsDiffer) {
    OS << M.Path << ": fits " << In.KernelPath << '\n';
    OS << "  it is split BTF "
       << (Counts.empty() ? std::string("on this kernel's BTF")
                          : Counts + ", as this kernel's")
       << '\n';
    return Verdict::Fits;
  }

  OS << M.Path << ": does not fit " << In.KernelPath << '\n';
  if (CountsDiffer) {
    // This kernel's counts, those the module's are known for.
    if (F.Types && F.Strings)
      OS << "  " << Counts
         << formatv("; this kernel's has {0} and {1}\n", groupDigits(KTypes),
                    groupDigits(KStrs));
    else if (F.Strings)
      OS << "  " << Counts
         << formatv("; this kernel's has {0}\n", groupDigits(KStrs));
    else
      OS << "  " << Counts
         << formatv("; this kernel's has {0}\n", groupDigits(KTypes));
  }
  if (VerifyErr)
    OS << "  the kernel's checks fail: " << toString(std::move(VerifyErr))
       << '\n';
  else
    consumeError(std::move(VerifyErr));
  OS << "  it is split BTF without a distilled base (.BTF.base): its type "
        "IDs and names point into the exact vmlinux it was made against\n";
  printRefusal(In, OS);

  if (!In.OldBase) {
    OS << "  to see which kernel types it uses changed, name the vmlinux it "
          "was made against: --old-btf-base OLD_VMLINUX; to repair it: "
          "llvm-btf-split --relocate --btf-base "
       << In.KernelPath << " --old-btf-base OLD_VMLINUX " << M.Path << '\n';
    return Verdict::DoesNotFit;
  }
  Expected<std::unique_ptr<BTFObject>> SplitOrErr =
      readRawBTF(*M.BTF, In.OldBase);
  if (!SplitOrErr) {
    OS << "  cannot read it on " << In.OldBasePath << ": "
       << toString(SplitOrErr.takeError()) << '\n';
    return Verdict::DoesNotFit;
  }
  Expected<DistilledBTF> DOrErr = distillBase(**SplitOrErr);
  if (!DOrErr) {
    OS << "  it does not fit " << In.OldBasePath
       << " either: " << toString(DOrErr.takeError()) << '\n';
    return Verdict::DoesNotFit;
  }
  RelocationView V =
      viewRelocation(*DOrErr->Split, K, In.OldBase, DOrErr->OriginalIds);
  printRelocation(V, OS);
  return Verdict::DoesNotFit;
}
