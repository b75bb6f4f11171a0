out.o: \
  rel.o \
  mod.btf \
  base.o \
  /work/wt/writer/build2/bin/llvm-btf-split
