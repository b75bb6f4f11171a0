#!/usr/bin/env python3
"""elfcmp.py - do two ELF files read back the same?

Compares what a reader of the files sees: the ELF header (all fields but
e_shoff), the program headers, and section by section every header field and
the contents. Section offsets are compared too, except for the sections named
with --moved (by default .BTF, .BTF.base and .shstrtab: the sections the
append writer places at the end of the file, where ObjCopy puts them
elsewhere). Bytes no header refers to are not compared.

Usage: elfcmp.py A B [--moved NAME,...]
Prints "identical readback" or the differences; exits 1 on a difference.
"""

import argparse
import struct
import sys


def parse(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF":
        sys.exit("%s: not an ELF file" % path)
    is64 = data[4] == 2
    end = "<" if data[5] == 1 else ">"
    if is64:
        eh = struct.unpack_from(end + "16sHHIQQQIHHHHHH", data, 0)
    else:
        eh = struct.unpack_from(end + "16sHHIIIIIHHHHHH", data, 0)
    (ident, etype, mach, ver, entry, phoff, shoff, flags, ehsize, phentsize,
     phnum, shentsize, shnum, shstrndx) = eh
    header = dict(ident=ident, type=etype, machine=mach, version=ver,
                  entry=entry, phoff=phoff, flags=flags, ehsize=ehsize,
                  phentsize=phentsize, phnum=phnum, shentsize=shentsize,
                  shnum=shnum, shstrndx=shstrndx)
    phdrs = []
    for i in range(phnum):
        off = phoff + i * phentsize
        if is64:
            t, fl, o, va, pa, fs, ms, al = struct.unpack_from(
                end + "IIQQQQQQ", data, off)
        else:
            t, o, va, pa, fs, ms, fl, al = struct.unpack_from(
                end + "IIIIIIII", data, off)
        phdrs.append((t, fl, o, va, pa, fs, ms, al))
    shdrs = []
    for i in range(shnum):
        off = shoff + i * shentsize
        if is64:
            f = struct.unpack_from(end + "IIQQQQIIQQ", data, off)
        else:
            f = struct.unpack_from(end + "IIIIIIIIII", data, off)
        shdrs.append(dict(name=f[0], type=f[1], flags=f[2], addr=f[3],
                          offset=f[4], size=f[5], link=f[6], info=f[7],
                          align=f[8], entsize=f[9]))
    strtab = shdrs[shstrndx] if shstrndx < len(shdrs) else None
    for s in shdrs:
        if strtab:
            o = strtab["offset"] + s["name"]
            s["str"] = data[o:data.index(b"\0", o)].decode(errors="replace")
        nobits = s["type"] == 8
        s["contents"] = b"" if nobits else data[s["offset"]:s["offset"] +
                                                 s["size"]]
    return header, phdrs, shdrs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--moved", default=".BTF,.BTF.base,.shstrtab")
    args = ap.parse_args()
    moved = set(filter(None, args.moved.split(",")))
    ha, pa, sa = parse(args.a)
    hb, pb, sb = parse(args.b)
    diffs = []
    for k in ha:
        if ha[k] != hb[k]:
            diffs.append("ELF header %s: %r vs %r" % (k, ha[k], hb[k]))
    if pa != pb:
        diffs.append("program headers differ")
    for i in range(max(len(sa), len(sb))):
        if i >= len(sa) or i >= len(sb):
            diffs.append("section %d exists in one file only" % i)
            continue
        x, y = sa[i], sb[i]
        name = x.get("str", str(i))
        for k in ("str", "name", "type", "flags", "addr", "size", "link",
                  "info", "align", "entsize", "offset"):
            if k == "offset" and name in moved:
                continue
            if x.get(k) != y.get(k):
                diffs.append("section %d (%s) %s: %r vs %r" % (
                    i, name, k, x.get(k), y.get(k)))
        if x["contents"] != y["contents"]:
            diffs.append("section %d (%s): contents differ" % (i, name))
    if diffs:
        print("\n".join(diffs))
        sys.exit(1)
    print("identical readback: %d sections, %d program headers" % (
        len(sa), len(pa)))


if __name__ == "__main__":
    main()
