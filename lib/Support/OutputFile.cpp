//===- OutputFile.cpp - Atomic, restat-friendly output files --------------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//

#include "Support/OutputFile.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <cstring>
#include <optional>
#include <vector>
#if defined(LLVM_ON_UNIX)
#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#endif
#if defined(__linux__)
#include <linux/fs.h>
#include <sys/ioctl.h>
#endif

using namespace llvm;
using namespace btfsplit;

/// True when \p Path is a regular file holding exactly \p Bytes.
static bool holdsBytes(StringRef Path, ArrayRef<char> Bytes) {
  sys::fs::file_status St;
  if (sys::fs::status(Path, St) ||
      St.type() != sys::fs::file_type::regular_file ||
      St.getSize() != Bytes.size())
    return false;
  ErrorOr<std::unique_ptr<MemoryBuffer>> BufOrErr = MemoryBuffer::getFile(
      Path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!BufOrErr)
    return false;
  return (*BufOrErr)->getBuffer() == StringRef(Bytes.data(), Bytes.size());
}

/// Give the open temporary file \p FD the permissions llvm-objcopy gives an
/// output made from \p Src (FilePermissionsApplier's rules), before it is
/// renamed over \p Path, so no failure can leave a replaced output with the
/// wrong mode.
static std::error_code applyPermissions(int FD, StringRef Path, StringRef Src,
                                        const sys::fs::file_status &SrcSt) {
  bool InPlace = sys::fs::equivalent(Src, Path);
  sys::fs::perms Perm = SrcSt.permissions();
  if (!InPlace)
    Perm = static_cast<sys::fs::perms>(Perm & ~sys::fs::getUmask() & ~06000);
#if defined(LLVM_ON_UNIX)
  // Keep the owner when rewriting someone else's file in place as root.
  if (InPlace && ::geteuid() == 0)
    (void)sys::fs::changeFileOwnership(FD, SrcSt.getUser(), SrcSt.getGroup());
#endif
  return sys::fs::setPermissions(FD, Perm);
}

/// True when the regular files \p A and \p B hold the same bytes; read in
/// pieces, so that comparing two vmlinux-sized files does not map them.
static bool sameContents(StringRef A, StringRef B) {
  sys::fs::file_status StA, StB;
  if (sys::fs::status(A, StA) || sys::fs::status(B, StB) ||
      StA.type() != sys::fs::file_type::regular_file ||
      StB.type() != sys::fs::file_type::regular_file ||
      StA.getSize() != StB.getSize())
    return false;
  Expected<sys::fs::file_t> FA = sys::fs::openNativeFileForRead(A);
  if (!FA) {
    consumeError(FA.takeError());
    return false;
  }
  scope_exit CloseA([&] { sys::fs::closeFile(*FA); });
  Expected<sys::fs::file_t> FB = sys::fs::openNativeFileForRead(B);
  if (!FB) {
    consumeError(FB.takeError());
    return false;
  }
  scope_exit CloseB([&] { sys::fs::closeFile(*FB); });
  constexpr size_t Piece = 1 << 20;
  std::vector<char> BufA(Piece), BufB(Piece);
  for (uint64_t Left = StA.getSize(); Left;) {
    size_t N = std::min<uint64_t>(Left, Piece);
    auto ReadAll = [N](sys::fs::file_t F, std::vector<char> &Buf) {
      for (size_t Done = 0; Done < N;) {
        Expected<size_t> Got = sys::fs::readNativeFile(
            F, MutableArrayRef<char>(Buf.data() + Done, N - Done));
        if (!Got || *Got == 0) {
          if (!Got)
            consumeError(Got.takeError());
          return false;
        }
        Done += *Got;
      }
      return true;
    };
    if (!ReadAll(*FA, BufA) || !ReadAll(*FB, BufB) ||
        memcmp(BufA.data(), BufB.data(), N) != 0)
      return false;
    Left -= N;
  }
  return true;
}

/// The suffix of the temporaries of an output: "<output>.temp-btf-XXXXXX".
static constexpr StringLiteral TempSuffix = ".temp-btf-";
static constexpr size_t TempRandomChars = 6;

/// Lock the new temporary \p FD for as long as it is open (the kernel drops
/// the lock when the process dies, SIGKILL included): removeStaleTemps()
/// leaves locked temporaries alone. False when the temporary was removed
/// before it was locked (by a run that took it for a dead run's).
static bool lockTemp(int FD) {
#if defined(LLVM_ON_UNIX)
  if (::flock(FD, LOCK_EX) != 0)
    return true; // no locks on this file system: nothing to coordinate
  struct stat St;
  return ::fstat(FD, &St) != 0 || St.st_nlink > 0;
#else
  (void)FD;
  return true;
#endif
}

/// Remove the temporaries of \p Path that no running process holds: those of
/// runs killed by SIGKILL (which no handler sees). A live writer holds its
/// temporary locked (lockTemp()), so a temporary that can be locked is a dead
/// run's. Best effort: errors leave the file where it is.
static void removeStaleTemps(StringRef Path) {
#if defined(LLVM_ON_UNIX)
  SmallString<256> Dir(sys::path::parent_path(Path));
  if (Dir.empty())
    Dir = ".";
  std::string Prefix = (sys::path::filename(Path) + TempSuffix).str();
  std::error_code EC;
  for (sys::fs::directory_iterator I(Dir, EC), E; I != E && !EC;
       I.increment(EC)) {
    StringRef Name = sys::path::filename(I->path());
    if (!Name.starts_with(Prefix) ||
        Name.size() != Prefix.size() + TempRandomChars)
      continue;
    int FD = ::open(I->path().c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (FD < 0)
      continue;
    struct stat Open, Named;
    // Only a regular file that the name still refers to once it is locked.
    if (::flock(FD, LOCK_EX | LOCK_NB) == 0 && ::fstat(FD, &Open) == 0 &&
        S_ISREG(Open.st_mode) && ::lstat(I->path().c_str(), &Named) == 0 &&
        Named.st_ino == Open.st_ino && Named.st_dev == Open.st_dev)
      ::unlink(I->path().c_str());
    ::close(FD);
  }
#else
  (void)Path;
#endif
}

Expected<OutputStatus>
btfsplit::writeOutputStream(StringRef Path,
                            function_ref<Error(raw_ostream &)> Write,
                            const OutputOptions &Opts) {
  if (Path == "-") {
    if (Error E = Write(outs()))
      return std::move(E);
    outs().flush();
    if (outs().has_error())
      return createFileError("<stdout>", outs().error());
    return OutputStatus::Written;
  }

  // A device or FIFO (/dev/null, a pipe) is written to, never renamed over:
  // as root, that would replace /dev/null by a regular file.
  sys::fs::file_status OutSt;
  if (!sys::fs::status(Path, OutSt) &&
      OutSt.type() != sys::fs::file_type::regular_file &&
      OutSt.type() != sys::fs::file_type::directory_file) {
    std::error_code EC;
    raw_fd_ostream OS(Path, EC, sys::fs::OF_None);
    if (EC)
      return createFileError(Path, EC);
    if (Error E = Write(OS))
      return std::move(E);
    OS.close();
    if (OS.has_error()) {
      EC = OS.error();
      OS.clear_error();
      return createFileError(Path, EC);
    }
    return OutputStatus::Written;
  }

  Expected<sys::fs::TempFile> TempOrErr = createOutputTemp(Path);
  if (!TempOrErr)
    return TempOrErr.takeError();
  sys::fs::TempFile &Temp = *TempOrErr;
  {
    raw_fd_ostream OS(Temp.FD, /*shouldClose=*/false);
    if (Error E = Write(OS)) {
      OS.flush();
      OS.clear_error();
      return joinErrors(std::move(E), Temp.discard());
    }
    OS.flush();
    if (OS.has_error()) {
      std::error_code EC = OS.error();
      OS.clear_error();
      return createFileError(Path,
                             joinErrors(errorCodeToError(EC), Temp.discard()));
    }
  }
  return commitOutputTemp(Temp, Path, Opts);
}

Expected<sys::fs::TempFile> btfsplit::createOutputTemp(StringRef Path) {
  removeStaleTemps(Path);
  // The same scheme as llvm::writeToOutput: a temporary in the output's
  // directory, renamed over the output only once it is complete.
  std::string Model =
      (Path + TempSuffix + std::string(TempRandomChars, '%')).str();
  Expected<sys::fs::TempFile> TempOrErr = sys::fs::TempFile::create(Model);
  // Another run on the same output may take the new temporary for a dead
  // run's before it is locked: then make another.
  for (int Try = 0; TempOrErr && !lockTemp(TempOrErr->FD) && Try < 3; ++Try) {
    consumeError(TempOrErr->discard());
    TempOrErr = sys::fs::TempFile::create(Model);
  }
  if (!TempOrErr)
    return createFileError(Path, TempOrErr.takeError());
  return TempOrErr;
}

Expected<OutputStatus> btfsplit::commitOutputTemp(sys::fs::TempFile &Temp,
                                                  StringRef Path,
                                                  const OutputOptions &Opts) {
  auto Fail = [&](Error E) -> Error {
    return createFileError(Path, joinErrors(std::move(E), Temp.discard()));
  };
  std::optional<sys::fs::file_status> SrcSt;
  if (!Opts.PermissionsFrom.empty()) {
    SrcSt.emplace();
    if (std::error_code EC = sys::fs::status(Opts.PermissionsFrom, *SrcSt))
      return joinErrors(createFileError(Opts.PermissionsFrom, EC),
                        Temp.discard());
  }
  if (Opts.OnlyIfChanged && sameContents(Temp.TmpName, Path)) {
    if (Error E = Temp.discard())
      return createFileError(Path, std::move(E));
    return OutputStatus::Unchanged;
  }
  if (SrcSt)
    if (std::error_code EC =
            applyPermissions(Temp.FD, Path, Opts.PermissionsFrom, *SrcSt))
      return Fail(errorCodeToError(EC));
  if (Error E = Temp.keep(Path))
    return createFileError(Path, std::move(E));
  return OutputStatus::Written;
}

std::error_code btfsplit::copyFileData(int FromFD, int ToFD) {
#if defined(__linux__)
  // A reflink shares the blocks (btrfs, XFS): no data is copied at all.
  if (::ioctl(ToFD, FICLONE, FromFD) == 0)
    return std::error_code();
  // copy_file_range copies inside the kernel (and server-side on NFS).
  for (;;) {
    ssize_t N = ::copy_file_range(FromFD, nullptr, ToFD, nullptr, 1 << 30, 0);
    if (N == 0)
      return std::error_code();
    if (N < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP ||
          errno == EINVAL)
        break; // fall back to read/write, from where copying stopped
      return std::error_code(errno, std::generic_category());
    }
  }
#endif
  std::vector<char> Buf(1 << 20);
  for (;;) {
    ssize_t N = ::read(FromFD, Buf.data(), Buf.size());
    if (N == 0)
      return std::error_code();
    if (N < 0) {
      if (errno == EINTR)
        continue;
      return std::error_code(errno, std::generic_category());
    }
    for (ssize_t Done = 0; Done < N;) {
      ssize_t W = ::write(ToFD, Buf.data() + Done, N - Done);
      if (W < 0) {
        if (errno == EINTR)
          continue;
        return std::error_code(errno, std::generic_category());
      }
      Done += W;
    }
  }
}

Expected<OutputStatus> btfsplit::writeOutputFile(StringRef Path,
                                                 ArrayRef<char> Bytes,
                                                 const OutputOptions &Opts) {
  // Bytes in memory: compare before writing anything.
  if (Path != "-" && Opts.OnlyIfChanged && holdsBytes(Path, Bytes)) {
    removeStaleTemps(Path);
    return OutputStatus::Unchanged;
  }
  OutputOptions NoCompare = Opts;
  NoCompare.OnlyIfChanged = false;
  return writeOutputStream(
      Path,
      [&](raw_ostream &OS) {
        OS.write(Bytes.data(), Bytes.size());
        return Error::success();
      },
      NoCompare);
}

std::string btfsplit::escapeMakePath(StringRef Path) {
  std::string Out;
  for (size_t I = 0, E = Path.size(); I != E; ++I) {
    char C = Path[I];
    if (C == ' ' || C == '\t' || C == '#') {
      // Backslashes right before an escaped character are doubled.
      for (size_t J = I; J > 0 && Path[J - 1] == '\\'; --J)
        Out += '\\';
      Out += '\\';
    } else if (C == '$') {
      Out += '$';
    }
    Out += C;
  }
  return Out;
}

Error btfsplit::writeDepFile(StringRef DepFile, StringRef Target,
                             ArrayRef<std::string> Deps) {
  std::string Text = escapeMakePath(Target) + ":";
  for (const std::string &D : Deps)
    Text += " \\\n  " + escapeMakePath(D);
  Text += "\n";
  OutputOptions Opts;
  Opts.OnlyIfChanged = true;
  Expected<OutputStatus> StatusOrErr =
      writeOutputFile(DepFile, ArrayRef<char>(Text.data(), Text.size()), Opts);
  return StatusOrErr.takeError();
}
