out.o: \
  rel.o \
  base.btf \
  /work/wt/writer/build2/bin/llvm-btf-split
