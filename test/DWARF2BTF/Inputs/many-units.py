#!/usr/bin/env python3
"""many-units.py CC OUTDIR N: compile N small C units with CC -g and link
them into OUTDIR/many.so, a linked (not relocatable) ELF with more compile
units than the encoder puts in one batch."""

import os
import subprocess
import sys

cc, outdir, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
objs = []
for i in range(n):
    src = os.path.join(outdir, "u%03d.c" % i)
    with open(src, "w") as f:
        f.write("struct shared { int a; long b; struct shared *next; };\n"
                "struct own_%03d { struct shared s; int v%03d; };\n"
                "int func_%03d(struct own_%03d *p) { return p->v%03d + p->s.a; }\n"
                % ((i,) * 5))
    obj = src[:-2] + ".o"
    subprocess.run([cc, "-g", "-O1", "-fPIC", "-c", src, "-o", obj],
                   check=True)
    objs.append(obj)
subprocess.run([cc, "-shared", "-nostdlib", "-o",
                os.path.join(outdir, "many.so")] + objs, check=True)
