//===- OutputFile.h - Atomic, restat-friendly output files ------*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// How llvm-btf-split writes every file it produces:
///
/// - atomically: the bytes go to a temporary file next to the output, which
///   gets its permissions and is then renamed over the output, so an error at
///   any step leaves the old output (or the input, when writing in place)
///   byte-identical; the temporary is flock'ed while it exists, and a run
///   removes the unlocked temporaries of its output that a SIGKILL'ed run
///   left;
/// - with the permissions of a source file, as llvm-objcopy keeps them
///   (in place: mode and, under root, owner; otherwise mode minus umask and
///   set-id bits);
/// - optionally only if changed: when the output already holds exactly the
///   new bytes it is left alone, mtime included, so Ninja's `restat` sees
///   that nothing downstream needs to run.
///
/// Depfiles (gcc `-M` / Make syntax) for Ninja's and CMake's DEPFILE are
/// written the same way.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_SUPPORT_OUTPUTFILE_H
#define LLVM_BTF_SPLIT_LIB_SUPPORT_OUTPUTFILE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"
#include <string>

namespace btfsplit {

/// What happened to an output file.
enum class OutputStatus {
  Written,  ///< the file was (re)written
  Unchanged ///< the file already held these bytes and was left alone
};

struct OutputOptions {
  /// Leave an output that already holds the new bytes untouched.
  bool OnlyIfChanged = false;
  /// Take the permissions from this file (empty: new-file defaults).
  std::string PermissionsFrom;
};

/// Write \p Bytes to \p Path ("-" is stdout) atomically, honouring \p Opts.
/// Errors name \p Path.
llvm::Expected<OutputStatus> writeOutputFile(llvm::StringRef Path,
                                             llvm::ArrayRef<char> Bytes,
                                             const OutputOptions &Opts);

/// Write what \p Write writes to \p Path ("-" is stdout) atomically,
/// honouring \p Opts. The bytes go straight into the temporary file, never
/// whole into memory (an ELF output is as large as vmlinux); with
/// OnlyIfChanged the temporary file is compared with \p Path afterwards and
/// dropped when they are equal. An error of \p Write is returned as it is
/// (the temporary file removed); the others name \p Path.
llvm::Expected<OutputStatus>
writeOutputStream(llvm::StringRef Path,
                  llvm::function_ref<llvm::Error(llvm::raw_ostream &)> Write,
                  const OutputOptions &Opts);

/// A temporary file next to \p Path ("<Path>.temp-btf-XXXXXX"), to be
/// completed by the caller and then handed to commitOutputTemp(). Errors name
/// \p Path.
llvm::Expected<llvm::sys::fs::TempFile> createOutputTemp(llvm::StringRef Path);

/// Finish a temporary file from createOutputTemp(): with Opts.OnlyIfChanged,
/// drop it when \p Path already holds the same bytes; else give it the
/// permissions of Opts.PermissionsFrom and rename it over \p Path. On error
/// the temporary file is removed and \p Path left as it was.
llvm::Expected<OutputStatus> commitOutputTemp(llvm::sys::fs::TempFile &Temp,
                                              llvm::StringRef Path,
                                              const OutputOptions &Opts);

/// Copy all of \p FromFD into \p ToFD (an empty file), sharing blocks when
/// the file system can (FICLONE), else with copy_file_range, else by reading
/// and writing.
std::error_code copyFileData(int FromFD, int ToFD);

/// Escape \p Path for a Make rule (spaces, '#', '$', and backslashes that
/// precede them), as gcc -M does.
std::string escapeMakePath(llvm::StringRef Path);

/// Write a Make-syntax depfile: `Target: Deps...`, one dependency per line,
/// each path escaped. Written atomically and only if changed.
llvm::Error writeDepFile(llvm::StringRef DepFile, llvm::StringRef Target,
                         llvm::ArrayRef<std::string> Deps);

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_SUPPORT_OUTPUTFILE_H
