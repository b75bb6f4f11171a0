llvm-btf-split/PaholeOpts.inc: \
  /usr/lib/llvm-22/include/llvm/Option/OptParser.td
