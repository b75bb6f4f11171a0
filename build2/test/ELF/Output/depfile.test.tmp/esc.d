o\ \#.btf: \
  dir\ with\ space/m\#1$$.o \
  base.o \
  /work/wt/writer/build2/bin/llvm-btf-split
