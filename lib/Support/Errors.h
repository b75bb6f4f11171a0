//===- Errors.h - The one way lib/ makes an error message -------*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// makeError(): an llvm::Error carrying a message (lowercase, naming the type
/// ID where there is one), with errc::invalid_argument. Callers that know the
/// file wrap it with llvm::createFileError(Path, E), which prints
/// "'<path>': <message>": the one form a file is named in.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_SUPPORT_ERRORS_H
#define LLVM_BTF_SPLIT_LIB_SUPPORT_ERRORS_H

#include "llvm/ADT/Twine.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FormatVariadic.h"
#include <utility>

namespace btfsplit {

/// An error whose message is \p Msg.
inline llvm::Error makeError(const llvm::Twine &Msg) {
  return llvm::createStringError(llvm::errc::invalid_argument, Msg);
}

/// An error whose message is formatv(\p Fmt, \p Vals...).
template <typename T, typename... Ts>
llvm::Error makeError(const char *Fmt, T &&Val, Ts &&...Vals) {
  return makeError(
      llvm::formatv(Fmt, std::forward<T>(Val), std::forward<Ts>(Vals)...));
}

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_SUPPORT_ERRORS_H
