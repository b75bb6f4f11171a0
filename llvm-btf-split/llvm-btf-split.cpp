//===- llvm-btf-split.cpp - LLVM BTF encoder and split-BTF tool -----------===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The driver: parses the command line and hands the work to lib/.
///
//===----------------------------------------------------------------------===//

#include "BTF/BTFDump.h"
#include "BTF/BTFReader.h"
#include "BTF/BTFVerifier.h"
#include "BTF/BTFWriter.h"
#include "DWARF2BTF/DWARFToBTF.h"
#include "DriverOptions.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace btfsplit;

static StringRef ToolName;

static Expected<std::unique_ptr<BTFObject>> readBase(const DriverConfig &C) {
  if (C.BaseFile.empty())
    return nullptr;
  return readBTFFile(C.BaseFile);
}

/// Encode the DWARF of C.Input as BTF, deduplicated, split when there is a
/// base; the one place where encoding and deduplication meet.
static Expected<std::unique_ptr<BTFObject>> encodeInput(const DriverConfig &C,
                                                        const BTFObject *Base) {
  Expected<object::OwningBinary<object::ObjectFile>> ObjOrErr =
      object::ObjectFile::createObjectFile(C.Input);
  if (!ObjOrErr)
    return createFileError(C.Input, ObjOrErr.takeError());
  Expected<std::unique_ptr<BTFObject>> BTFOrErr =
      encodeBTF(*ObjOrErr->getBinary(), C.Input, Base, C.Encoder);
  if (!BTFOrErr || C.NoDedup)
    return BTFOrErr;
  // lib/Dedup (dedupBTF) is developed on its own branch; until it is merged
  // the encoder's output can only be written raw.
  return createStringError(errc::function_not_supported,
                           "deduplication is not available in this build; "
                           "use --no-dedup for the raw encoder output");
}

static Error run(const DriverConfig &C) {
  Expected<std::unique_ptr<BTFObject>> BaseOrErr = readBase(C);
  if (!BaseOrErr)
    return BaseOrErr.takeError();
  const BTFObject *Base = BaseOrErr->get();

  switch (C.Action) {
  case Mode::Verify: {
    Expected<std::vector<uint8_t>> BytesOrErr = loadBTFBytes(C.Input);
    if (!BytesOrErr)
      return BytesOrErr.takeError();
    if (Error E = verifyBTF(*BytesOrErr, Base))
      return createFileError(C.Input, std::move(E));
    return Error::success();
  }
  case Mode::Dump:
  case Mode::Roundtrip: {
    Expected<std::unique_ptr<BTFObject>> ObjOrErr = readBTFFile(C.Input, Base);
    if (!ObjOrErr)
      return ObjOrErr.takeError();
    if (C.Action == Mode::Dump) {
      dumpBTF(**ObjOrErr, outs());
      return Error::success();
    }
    return writeBTFFile(**ObjOrErr, C.Detached);
  }
  case Mode::Encode: {
    Expected<std::unique_ptr<BTFObject>> ObjOrErr = encodeInput(C, Base);
    if (!ObjOrErr)
      return ObjOrErr.takeError();
    return writeBTFFile(**ObjOrErr, C.Detached);
  }
  default:
    return createStringError(errc::function_not_supported,
                             "this mode is not implemented yet");
  }
}

int main(int Argc, char **Argv) {
  InitLLVM X(Argc, Argv);
  ToolName = sys::path::filename(Argv[0]);
  Expected<DriverConfig> ConfigOrErr =
      parseDriverOptions(ArrayRef<const char *>(Argv + 1, Argv + Argc));
  if (!ConfigOrErr) {
    WithColor::error(errs(), ToolName)
        << toString(ConfigOrErr.takeError()) << '\n';
    return 1;
  }
  if (ConfigOrErr->ShowHelp) {
    printDriverHelp(ToolName);
    return 0;
  }
  if (ConfigOrErr->ShowVersion) {
    outs() << "llvm-btf-split version " << BTFSPLIT_VERSION << '\n';
    return 0;
  }
  if (Error E = run(*ConfigOrErr)) {
    logAllUnhandledErrors(std::move(E), WithColor::error(errs(), ToolName));
    return 1;
  }
  return 0;
}
