//===- FunctionStates.h - pahole 1.30+'s saved function states --*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// From pahole 1.25 on, a function is not encoded by the unit that defines
/// it: each unit saves a "state" per DWARF function that matches the ELF
/// function table (its prototype with type IDs of the whole output, and what
/// the DWARF says about its parameter locations), and once every unit is
/// encoded the states of one ELF function are merged: a function whose
/// states disagree on the prototype (static functions of one name in several
/// files) or that passes a parameter in an unexpected register is left out
/// (consistent_func). The survivors are emitted after all other types,
/// sorted by name, as FUNC_PROTO + FUNC + DECL_TAGs.
///
/// The prototype comparison is pahole's types__match(), with its known
/// quirk kept (function pointer parameters are not compared); see
/// docs/DWARF2BTF.md.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_DWARF2BTF_FUNCTIONSTATES_H
#define LLVM_BTF_SPLIT_LIB_DWARF2BTF_FUNCTIONSTATES_H

#include "BTF/BTFObject.h"
#include "DWARF2BTF/DWARFToBTF.h"
#include "DWARF2BTF/ELFFunctions.h"
#include <string>
#include <vector>

namespace btfsplit {

/// One saved function state, with type IDs and name offsets of the output.
struct FuncState {
  /// Entry of the ELF function table.
  uint32_t Elf = 0;
  bool UnexpectedReg = false;
  bool InconsistentProto = false;
  bool UncertainParmLoc = false;
  uint32_t RetType = 0;
  struct Param {
    uint32_t NameOff;
    uint32_t Type;
  };
  /// The parameters; an unspecified-arguments tail is {0, 0}.
  std::vector<Param> Params;
  struct Annot {
    uint32_t ValueOff;
    int32_t Component;
  };
  std::vector<Annot> Annots;
};

/// pahole's types__match() on the types of \p O (both IDs in \p O).
bool typesMatch(const BTFObject &O, uint32_t Id1, uint32_t Id2);

/// pahole's funcs__match().
bool funcsMatch(const BTFObject &O, const FuncState &A, const FuncState &B);

class FunctionStates {
public:
  FunctionStates(PaholeLevel Level, const BTFFeatures &F,
                 ELFFunctionTable &Table)
      : Level(Level), F(F), Table(Table), Aliases(Table.size()) {}

  /// Save \p S (in unit order). \p PrefixMatched: found by 1.30's prefix
  /// search for \p DwarfName, which then names the FUNC of that ELF entry.
  void save(FuncState S, bool PrefixMatched, llvm::StringRef DwarfName);

  /// Merge the saved states per ELF function and append the FUNCs that
  /// survive to \p Out, sorted by name. Fails as pahole does on an arena
  /// kfunc whose tagged return or argument is not a pointer.
  llvm::Error emit(BTFObject &Out);

  size_t size() const { return States.size(); }

private:
  PaholeLevel Level;
  const BTFFeatures &F;
  ELFFunctionTable &Table;
  std::vector<FuncState> States;
  /// 1.30: the DWARF name a prefix match gave an ELF entry (pahole's
  /// elf_function alias), "" when none.
  std::vector<std::string> Aliases;
};

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_DWARF2BTF_FUNCTIONSTATES_H
