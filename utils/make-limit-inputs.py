#!/usr/bin/env python3
"""make-limit-inputs.py - C sources past the BTF encoder's limits (for tests).

Usage: make-limit-inputs.py KIND N > out.c
  members N     a struct with N members (BTF vlen is 16 bits: > 65535 fails)
  enumerators N an enum with N enumerators
  params N      a function pointer type with N int parameters (gcc; clang
                refuses more than 65535)
  typedefs N    a chain of N typedefs over int, used by a variable
  blocks N      a typedef N lexical blocks deep inside a function
  name N        a struct whose name is N characters long
"""
import sys

kind, n = sys.argv[1], int(sys.argv[2])
out = sys.stdout
if kind == "members":
    out.write("struct wide {\n%s};\nstruct wide w;\n" % "".join(
        "  char m%d;\n" % i for i in range(n)))
elif kind == "enumerators":
    out.write("enum big {\n%s};\nenum big e;\n" % "".join(
        "  E%d,\n" % i for i in range(n)))
elif kind == "params":
    out.write("typedef void (*fp)(%s);\nfp f;\n" % ", ".join(["int"] * n))
elif kind == "typedefs":
    out.write("typedef int t0;\n")
    for i in range(1, n):
        out.write("typedef t%d t%d;\n" % (i - 1, i))
    out.write("t%d deep;\n" % (n - 1))
elif kind == "blocks":
    out.write("int f(void) {\n" + "{\n" * n +
              "typedef struct inner { int x; } inner_t;\n"
              "volatile inner_t v = {1}; return v.x;\n" + "}\n" * n + "}\n")
elif kind == "name":
    out.write("struct %s { int a; } longname;\n" % ("n" * n))
else:
    sys.exit("unknown kind " + kind)
