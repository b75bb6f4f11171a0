t.btf: \
  mod.o \
  base.o \
  /work/wt/writer/build2/bin/llvm-btf-split
