#!/usr/bin/env python3
"""make-bad-inputs.py - crafted bad inputs for llvm-btf-split, and a check.

Builds bad files from one good relocatable object with DWARF (a small
module compiled by the test) -- truncated at every section boundary, bad ELF
headers and section headers, corrupted abbreviations, DW_FORM misuse, bad
DWARF unit headers and references, bad relocations, wrong or broken bases,
big-endian and 32-bit ELF, non-ELF files, an empty file, a directory, an
unreadable file -- then runs the tool on each twice, in place and with -o,
and checks every run:

  * no crash: no signal, no sanitizer report, no LLVM stack dump;
  * the exit code is nonzero, unless the case is marked valid (a file the
    tool rightly accepts, e.g. a well-formed 32-bit ELF object);
  * a failing run prints exactly one line, "llvm-btf-split: error: ..."
    naming the input (or the base, for base errors);
  * the input is byte-identical afterwards (and keeps its mode);
  * with -o, no output file is left when the run failed; no temporary file
    is ever left in the directory.

Usage: make-bad-inputs.py --tool T --good GOOD.o --base BASE --other-base B2
                          --work DIR [--extra NAME=PATH[:valid]]...
                          [--table OUT.md]
Prints one line per case and a summary; exits 1 if any check failed.
"""

import argparse
import os
import shutil
import signal
import stat
import struct
import subprocess
import sys

# --------------------------------------------------------------------------
# Minimal ELF64 little-endian and DWARF reading, enough to aim corruptions.


class Elf:
    def __init__(self, data):
        self.data = bytearray(data)
        d = self.data
        assert d[:4] == b"\x7fELF" and d[4] == 2 and d[5] == 1, "want ELF64 LE"
        self.shoff = struct.unpack_from("<Q", d, 0x28)[0]
        self.shentsize, self.shnum, self.shstrndx = struct.unpack_from(
            "<HHH", d, 0x3A)
        self.secs = []
        for i in range(self.shnum):
            off = self.shoff + i * self.shentsize
            f = struct.unpack_from("<IIQQQQIIQQ", d, off)
            self.secs.append({"hdr": off, "name_off": f[0], "type": f[1],
                              "offset": f[4], "size": f[5], "link": f[6],
                              "info": f[7], "entsize": f[9], "index": i})
        strtab = self.secs[self.shstrndx]
        for s in self.secs:
            o = strtab["offset"] + s["name_off"]
            s["name"] = bytes(d[o:d.index(b"\0", o)]).decode()

    def sec(self, name):
        for s in self.secs:
            if s["name"] == name:
                return s
        return None

    def copy(self):
        return Elf(bytes(self.data))

    # Section header field writers (offsets inside an Elf64_Shdr).
    FIELDS = {"name_off": (0, "<I"), "type": (4, "<I"), "offset": (24, "<Q"),
              "size": (32, "<Q"), "link": (40, "<I"), "info": (44, "<I"),
              "entsize": (56, "<Q")}

    def set_shdr(self, s, field, value):
        off, fmt = self.FIELDS[field]
        struct.pack_into(fmt, self.data, s["hdr"] + off, value)


def uleb(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return v, i


def parse_abbrevs(b, start=0):
    """{code: (tag, children, [(attr, form, attr_pos, form_pos)])}"""
    out = {}
    i = start
    while i < len(b):
        code, i = uleb(b, i)
        if code == 0:
            break
        tag, i = uleb(b, i)
        children = b[i]
        i += 1
        attrs = []
        while True:
            apos = i
            a, i = uleb(b, i)
            fpos = i
            f, i = uleb(b, i)
            if a == 0 and f == 0:
                break
            if f == 0x21:  # DW_FORM_implicit_const
                _, i = uleb(b, i)
            attrs.append((a, f, apos, fpos))
        out[code] = (tag, children, attrs)
    return out


FIXED = {0x01: 8, 0x0B: 1, 0x05: 2, 0x06: 4, 0x07: 8, 0x0C: 1, 0x0E: 4,
         0x10: 4, 0x11: 1, 0x12: 2, 0x13: 4, 0x14: 8, 0x17: 4, 0x19: 0,
         0x1F: 4, 0x21: 0, 0x25: 1, 0x26: 2, 0x27: 3, 0x28: 4, 0x29: 1,
         0x2A: 2, 0x2B: 3, 0x2C: 4, 0x1E: 16, 0x20: 8, 0x1D: 4}


def walk_dies(info, abbrev):
    """Yield (die_offset, tag, {attr: (form, value_pos)}) of the first unit."""
    length = struct.unpack_from("<I", info, 0)[0]
    version = struct.unpack_from("<H", info, 4)[0]
    if version >= 5:
        abbr_off = struct.unpack_from("<I", info, 8)[0]
        i = 12
    else:
        abbr_off = struct.unpack_from("<I", info, 6)[0]
        i = 11
    abbrevs = parse_abbrevs(abbrev, abbr_off)
    end = 4 + length
    while i < end:
        die = i
        code, i = uleb(info, i)
        if code == 0:
            continue
        tag, _, attrs = abbrevs[code]
        vals = {}
        for a, f, _, _ in attrs:
            vals[a] = (f, i)
            if f in FIXED:
                i += FIXED[f]
            elif f == 0x08:  # string
                i = info.index(b"\0", i) + 1
            elif f in (0x0F, 0x0D, 0x15, 0x1A, 0x1B, 0x22, 0x23):  # LEBs
                _, i = uleb(info, i)
            elif f in (0x18, 0x09):  # exprloc, block
                n, i = uleb(info, i)
                i += n
            elif f == 0x0A:
                i += 1 + info[i]
            else:
                raise ValueError("form 0x%x not handled" % f)
        yield die, tag, vals


# --------------------------------------------------------------------------
# The cases.

DW_AT_type, DW_AT_name, DW_AT_byte_size = 0x49, 0x03, 0x0B
DW_TAG_typedef, DW_TAG_structure_type, DW_TAG_member = 0x16, 0x13, 0x0D


def make_cases(good, base, other_base, extras):
    """[(name, description, kind, payload, opts)]: kind 'bytes' (payload is
    the file's bytes), 'special' (payload says what to make); opts: dict with
    'base' (path or None), 'valid' (bool)."""
    cases = []
    e0 = Elf(good)

    def add(name, desc, data, **opts):
        cases.append((name, desc, "bytes", bytes(data), opts))

    # Truncated at every section boundary (and inside the ELF header).
    points = {1, 4, 16, 63, 64, e0.shoff, e0.shoff + e0.shentsize // 2,
              e0.shoff + e0.shentsize * (e0.shnum // 2)}
    for s in e0.secs[1:]:
        if s["type"] == 8:  # NOBITS
            continue
        points.add(s["offset"])
        points.add(s["offset"] + s["size"])
    points = sorted(p for p in points if 0 < p < len(good))
    for p in points:
        where = [s["name"] for s in e0.secs[1:]
                 if s["offset"] == p or s["offset"] + s["size"] == p]
        desc = "truncated to %d bytes" % p
        if where:
            desc += " (boundary of %s)" % ", ".join(sorted(set(where))[:2])
        elif p == e0.shoff:
            desc += " (start of the section headers)"
        elif p < 64:
            desc += " (inside the ELF header)"
        add("trunc-%d" % p, desc, good[:p])

    # ELF header.
    def hdr(name, desc, off, fmt, value):
        e = e0.copy()
        struct.pack_into(fmt, e.data, off, value)
        add(name, desc, e.data)
    hdr("class-none", "EI_CLASS = 0", 4, "<B", 0)
    hdr("class-32-body-64", "EI_CLASS = ELFCLASS32 on a 64-bit file", 4,
        "<B", 1)
    hdr("data-swapped", "EI_DATA = big-endian on a little-endian file", 5,
        "<B", 2)
    hdr("data-none", "EI_DATA = 0", 5, "<B", 0)
    hdr("type-core", "e_type = ET_CORE", 0x10, "<H", 4)
    hdr("shoff-beyond", "e_shoff past the end of the file", 0x28, "<Q",
        len(good) + 4096)
    hdr("shoff-huge", "e_shoff = 2^63", 0x28, "<Q", 1 << 63)
    hdr("shnum-huge", "e_shnum = 0xffff", 0x3C, "<H", 0xFFFF)
    hdr("shstrndx-bad", "e_shstrndx out of range", 0x3E, "<H", 0xFFF0)
    hdr("shentsize-bad", "e_shentsize = 32", 0x3A, "<H", 32)

    # Section headers.
    def shdr(name, desc, sec, field, value):
        e = e0.copy()
        s = e.sec(sec)
        if s is None:
            return
        e.set_shdr(s, field, value)
        add(name, desc, e.data)
    shdr("info-offset-beyond", ".debug_info sh_offset past the end",
         ".debug_info", "offset", len(good) + 100)
    shdr("info-size-huge", ".debug_info sh_size = 2^40", ".debug_info",
         "size", 1 << 40)
    shdr("abbrev-size-0", ".debug_abbrev sh_size = 0", ".debug_abbrev",
         "size", 0)
    shdr("str-size-0", ".debug_str sh_size = 0", ".debug_str", "size", 0)
    shdr("info-name-bad", ".debug_info sh_name out of the string table",
         ".debug_info", "name_off", 0xFFFFFF)
    shdr("symtab-entsize-0", ".symtab sh_entsize = 0", ".symtab", "entsize",
         0)
    shdr("symtab-link-bad", ".symtab sh_link = 999", ".symtab", "link", 999)
    shdr("symtab-size-odd", ".symtab sh_size not a multiple of 24",
         ".symtab", "size", e0.sec(".symtab")["size"] - 5)

    # Abbreviations.
    ab = e0.sec(".debug_abbrev")
    info = e0.sec(".debug_info")
    abbrev = bytes(good[ab["offset"]:ab["offset"] + ab["size"]])
    infob = bytes(good[info["offset"]:info["offset"] + info["size"]])

    def patch(name, desc, off, new, **opts):
        d = bytearray(good)
        d[off:off + len(new)] = new
        add(name, desc, d, **opts)
    patch("abbrev-zeros", ".debug_abbrev all zero", ab["offset"],
          bytes(ab["size"]))
    patch("abbrev-ff", ".debug_abbrev all 0xff", ab["offset"],
          b"\xff" * ab["size"])
    shdr("abbrev-half", ".debug_abbrev cut in half (sh_size)",
         ".debug_abbrev", "size", ab["size"] // 2)
    abbrevs = parse_abbrevs(abbrev)
    dies = list(walk_dies(infob, abbrev))
    version = struct.unpack_from("<H", infob, 4)[0]

    # Aim at DIEs the encoder reads: types and members (a global variable
    # or a function without an ELF symbol is never looked at).
    read_tags = (0x16, 0x0F, 0x0D, 0x26, 0x35, 0x01, 0x13, 0x24)

    def form_pos(attr):
        for code, (t, _, attrs) in sorted(abbrevs.items()):
            if t not in read_tags:
                continue
            for a, f, apos, fpos in attrs:
                if a == attr and f < 0x80:
                    return code, f, fpos
        return None
    # The first abbreviation's tag and first form: unknown values.
    first_tag = abbrev.index(b"\x01") + 1
    patch("abbrev-tag-unknown", "first abbreviation's tag = 0x7f (unknown)",
          ab["offset"] + first_tag, b"\x7f")
    _, _, a0 = abbrevs[1]
    patch("abbrev-form-invalid", "first attribute's form = 0x7f (invalid)",
          ab["offset"] + a0[0][3], b"\x7f")
    patch("abbrev-children-2", "DW_CHILDREN = 2 on the unit's abbreviation",
          ab["offset"] + first_tag + 1, b"\x02",
          valid="LLVM reads DW_CHILDREN other than 1 as 'no children': the "
          "unit is its DIE alone and gives no types (output: empty BTF)")
    # DW_FORM misuse on DW_AT_type / DW_AT_name / DW_AT_byte_size.
    for attr, aname, forms in (
            (DW_AT_type, "DW_AT_type", [(0x10, "ref_addr"), (0x08, "string"),
                                        (0x14, "ref8"), (0x0B, "data1"),
                                        (0x16, "indirect"),
                                        (0x1E, "data16")]),
            (DW_AT_name, "DW_AT_name", [(0x0B, "data1"), (0x0A, "block1"),
                                        (0x13, "ref4")]),
            (DW_AT_byte_size, "DW_AT_byte_size", [(0x0A, "block1"),
                                                  (0x08, "string")])):
        hit = form_pos(attr)
        if not hit:
            continue
        code, f, fpos = hit
        for nf, fname in forms:
            if nf == f:
                continue
            if fname == "ref_addr" and version >= 2:
                # One unit at offset 0: a unit-relative and a section
                # offset are the same number, the file stays correct.
                opts = {"valid": "one unit at offset 0: DW_FORM_ref_addr "
                                 "reads the same offsets"}
            else:
                opts = {}
            patch("form-%s-%s" % (aname[6:].replace("_", ""), fname),
                  "%s of abbreviation %d: form 0x%x -> DW_FORM_%s" % (
                      aname, code, f, fname), ab["offset"] + fpos,
                  bytes([nf]), **opts)

    # Unit header.
    patch("unit-length-huge", "unit_length 0xfffffff0 (reserved)",
          info["offset"], struct.pack("<I", 0xFFFFFFF0))
    patch("unit-length-past", "unit_length past the end of .debug_info",
          info["offset"], struct.pack("<I", info["size"] + 64))
    patch("unit-dwarf64-garbage", "unit_length 0xffffffff (DWARF64) with a "
          "garbage 64-bit length", info["offset"],
          struct.pack("<I", 0xFFFFFFFF))
    patch("unit-version-1", "unit version 1", info["offset"] + 4,
          struct.pack("<H", 1))
    patch("unit-version-99", "unit version 99", info["offset"] + 4,
          struct.pack("<H", 99))
    if version >= 5:
        patch("unit-type-bad", "unit_type 0x7f", info["offset"] + 6, b"\x7f")
        patch("unit-addr-size-3", "address_size 3", info["offset"] + 7,
              b"\x03")
        patch("unit-abbrev-off-bad", "debug_abbrev_offset past the end "
              "(raw bytes; the field is relocated)",
              info["offset"] + 8, struct.pack("<I", 0xFFFF00),
              valid="the field has a RELA relocation: its raw bytes are "
              "never read, the addend gives the offset")
    else:
        patch("unit-addr-size-3", "address_size 3", info["offset"] + 10,
              b"\x03")
        patch("unit-abbrev-off-bad", "debug_abbrev_offset past the end "
              "(raw bytes; the field is relocated)",
              info["offset"] + 6, struct.pack("<I", 0xFFFF00),
              valid="the field has a RELA relocation: its raw bytes are "
              "never read, the addend gives the offset")

    # References: DW_AT_type (ref4) aimed outside the unit, at the unit
    # header, into the middle of a DIE, and a typedef at itself.
    refs = [(die, tag, vals[DW_AT_type][1]) for die, tag, vals in dies
            if DW_AT_type in vals and vals[DW_AT_type][0] == 0x13 and
            tag in read_tags]
    quals = [r for r in refs if r[1] in (0x16, 0x26, 0x35)]
    if refs:
        die, tag, pos = refs[0]
        patch("ref-outside-unit", "DW_AT_type of DIE 0x%x -> 0xffffff "
              "(outside the unit)" % die, info["offset"] + pos,
              struct.pack("<I", 0xFFFFFF))
        patch("ref-unit-header", "DW_AT_type of DIE 0x%x -> 2 (inside the "
              "unit header)" % die, info["offset"] + pos,
              struct.pack("<I", 2))
        d = bytearray(good)
        for _, _, p in refs:
            d[info["offset"] + p:info["offset"] + p + 4] = struct.pack(
                "<I", die + 1)
        add("ref-mid-die", "every DW_AT_type -> 0x%x (not a DIE start)" % (
            die + 1), d)
    tdefs = [(die, vals[DW_AT_type][1]) for die, tag, vals in dies
             if tag == DW_TAG_typedef and DW_AT_type in vals and
             vals[DW_AT_type][0] == 0x13]
    if tdefs:
        die, pos = tdefs[0]
        patch("typedef-self-loop", "typedef DIE 0x%x whose DW_AT_type is "
              "itself" % die, info["offset"] + pos, struct.pack("<I", die))
    if len(quals) >= 2:
        d = bytearray(good)
        (d1, _, p1), (d2, _, p2) = quals[0], quals[1]
        d[info["offset"] + p1:info["offset"] + p1 + 4] = struct.pack("<I", d2)
        d[info["offset"] + p2:info["offset"] + p2 + 4] = struct.pack("<I", d1)
        add("ref-two-cycle", "typedef/const/volatile DIEs 0x%x and 0x%x name "
            "each other as DW_AT_type" % (d1, d2), d)
    patch("info-ff-tail", "second half of .debug_info all 0xff",
          info["offset"] + info["size"] // 2,
          b"\xff" * (info["size"] - info["size"] // 2))
    so = e0.sec(".debug_str_offsets")
    if so:
        patch("str-offsets-ff", ".debug_str_offsets all 0xff", so["offset"],
              b"\xff" * so["size"])

    # Relocations of .debug_info.
    rela = e0.sec(".rela.debug_info")
    if rela:
        r0 = rela["offset"]
        patch("rela-sym-bad", "first .rela.debug_info entry names symbol "
              "0xffffff", r0 + 8, struct.pack("<Q", (0xFFFFFF << 32) | 10))
        patch("rela-offset-bad", "first .rela.debug_info entry at offset "
              "0xfffffff0 (past .debug_info)", r0, struct.pack("<Q",
                                                               0xFFFFFFF0))
        info_word = struct.unpack_from("<Q", good, r0 + 8)[0]
        patch("rela-type-unknown", "first .rela.debug_info entry of type "
              "0xff (unknown)", r0 + 8, struct.pack(
                  "<Q", (info_word & ~0xFFFFFFFF) | 0xFF))
        shdr("rela-info-bad", ".rela.debug_info sh_info = 999",
             ".rela.debug_info", "info", 999)
        shdr("rela-link-bad", ".rela.debug_info sh_link = 999",
             ".rela.debug_info", "link", 999)
        shdr("rela-entsize-bad", ".rela.debug_info sh_entsize = 7",
             ".rela.debug_info", "entsize", 7)
        shdr("rela-size-past", ".rela.debug_info sh_size past the end",
             ".rela.debug_info", "size", len(good))

    # Not ELF at all.
    add("empty", "empty file", b"")
    add("text", "a text file", b"not an object file\n")
    add("elf-magic-only", "the 4 bytes \\x7fELF", b"\x7fELF")
    add("ar-archive", "an ar archive header", b"!<arch>\n")
    add("random-4k", "4 KiB of pseudo-random bytes",
        bytes((i * 2654435761 >> 13) & 0xFF for i in range(4096)))
    with open(base, "rb") as f:
        braw = f.read()
    if braw[:4] != b"\x7fELF":
        add("raw-btf", "raw BTF (no DWARF) as the input", braw)

    # Special files.
    cases.append(("directory", "a directory", "special", "dir", {}))
    cases.append(("unreadable", "mode 000 (unreadable unless root)",
                  "special", "unreadable", {}))
    cases.append(("missing", "a path that does not exist", "special",
                  "missing", {}))

    # Bases: wrong or broken.
    add("base-text", "--btf-base is a text file", good, base_kind="text")
    add("base-no-btf", "--btf-base is an ELF file without .BTF", good,
        base_kind="self")
    add("base-truncated", "--btf-base is raw BTF cut to 20 bytes", good,
        base_kind="trunc")
    add("base-empty", "--btf-base is an empty file", good, base_kind="empty")
    add("base-missing", "--btf-base does not exist", good,
        base_kind="missing")
    add("split-wrong-base", "module .BTF split on base A, re-read (--dedup) "
        "with base B", good, base_kind="other", mode="split-dedup")
    add("split-no-base", "module .BTF split on base A, re-read (--dedup) "
        "without a base", good, base_kind="none", mode="split-dedup")

    for spec in extras:
        name, _, path = spec.partition("=")
        path, _, valid = path.partition(":")
        with open(path, "rb") as f:
            add(name, "%s (%s)" % (name, os.path.basename(path)), f.read(),
                valid=valid)
    return cases


# --------------------------------------------------------------------------
# Running.

CRASH_MARKS = ("Stack dump", "PLEASE submit", "AddressSanitizer",
               "runtime error:", "LeakSanitizer", "LLVM ERROR",
               "UndefinedBehaviorSanitizer")


def run_case(tool, work, case, base, other_base):
    name, desc, kind, payload, opts = case
    d = os.path.join(work, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    inp = os.path.join(d, "input.o")
    base_kind = opts.get("base_kind")
    mode = opts.get("mode")
    args = []
    if kind == "bytes":
        with open(inp, "wb") as f:
            f.write(payload)
    elif payload == "dir":
        os.mkdir(inp)
    elif payload == "unreadable":
        with open(inp, "wb") as f:
            f.write(b"\x7fELF" + bytes(60))
        os.chmod(inp, 0)
    elif payload == "missing":
        pass
    base_path = None
    if base_kind == "text":
        base_path = os.path.join(d, "base.txt")
        open(base_path, "w").write("not btf\n")
    elif base_kind == "self":
        base_path = os.path.join(d, "nobtf.o")
        open(base_path, "wb").write(payload)
    elif base_kind == "trunc":
        base_path = os.path.join(d, "base-trunc.btf")
        open(base_path, "wb").write(raw_btf(tool, base, d)[:20])
    elif base_kind == "empty":
        base_path = os.path.join(d, "base-empty")
        open(base_path, "wb").close()
    elif base_kind == "missing":
        base_path = os.path.join(d, "no-such-base")
    elif base_kind == "other":
        base_path = other_base
    if mode == "split-dedup":
        # Make a module whose .BTF is split on `base`, then re-read it.
        subprocess.run([tool, "--btf-base", base, inp], check=True,
                       stdout=subprocess.DEVNULL)
        args = ["--dedup"] + (["--btf-base", base_path] if base_path else [])
    elif base_path:
        args = ["--btf-base", base_path]

    def snapshot():
        if not os.path.lexists(inp):
            return None
        st = os.lstat(inp)
        if stat.S_ISDIR(st.st_mode):
            return ("dir", st.st_mode)
        if not os.access(inp, os.R_OK):
            return ("unreadable", st.st_mode, st.st_size)
        with open(inp, "rb") as f:
            return (f.read(), st.st_mode)
    before = snapshot()
    before_files = sorted(os.listdir(d))
    results = []
    for how in ("in-place", "-o"):
        cmd = [tool] + args + [inp]
        out = os.path.join(d, "out.o")
        if how == "-o":
            cmd += ["-o", out]
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, cwd=d, timeout=60)
        err = p.stderr.decode(errors="replace")
        problems = []
        if p.returncode < 0:
            problems.append("killed by %s" % signal.Signals(
                -p.returncode).name)
        if any(m in err for m in CRASH_MARKS):
            problems.append("crash report on stderr")
        valid = opts.get("valid", False)
        lines = [l for l in err.splitlines() if l.strip()]
        if valid:
            if p.returncode != 0:
                problems.append("valid input rejected")
        else:
            if p.returncode == 0:
                problems.append("exit code 0")
            if len(lines) != 1 or not lines[0].startswith(
                    "llvm-btf-split: error: "):
                problems.append("not one error line")
            elif ("input.o" not in lines[0] and
                  (not base_path or os.path.basename(base_path)
                   not in lines[0])):
                problems.append("error does not name the file")
        after = snapshot()
        if not valid or how == "-o":
            if after != before:
                problems.append("input changed")
        files = sorted(os.listdir(d))
        extra = [f for f in files if f not in before_files]
        if how == "-o" and p.returncode == 0 and "out.o" in extra:
            extra.remove("out.o")
        if extra:
            problems.append("left %s" % ",".join(extra))
        for f in extra:
            fp = os.path.join(d, f)
            if os.path.isdir(fp):
                shutil.rmtree(fp)
            else:
                os.unlink(fp)
        if how == "in-place" and valid and kind == "bytes":
            with open(inp, "wb") as f:  # restore for the -o run
                f.write(payload)
        msg = lines[0] if lines else ""
        results.append((how, p.returncode, msg.replace(d + "/", ""),
                        problems))
    if os.path.lexists(inp) and not os.path.isdir(inp):
        os.chmod(inp, 0o644)
    return results


_raw_cache = {}


def raw_btf(tool, base, d):
    if base not in _raw_cache:
        with open(base, "rb") as f:
            data = f.read()
        if data[:4] == b"\x7fELF":
            out = os.path.join(d, "base.btf")
            subprocess.run([tool, "--roundtrip", base, "--detached", out],
                           check=True)
            with open(out, "rb") as f:
                data = f.read()
            os.unlink(out)
        _raw_cache[base] = data
    return _raw_cache[base]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tool", required=True)
    ap.add_argument("--good", required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--other-base", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--extra", action="append", default=[])
    ap.add_argument("--table")
    args = ap.parse_args()
    for a in ("tool", "good", "base", "other_base", "work"):
        if os.path.exists(getattr(args, a)) or a == "work":
            setattr(args, a, os.path.abspath(getattr(args, a)))
    with open(args.good, "rb") as f:
        good = f.read()
    os.makedirs(args.work, exist_ok=True)
    cases = make_cases(good, args.base, args.other_base, args.extra)
    rows = []
    failed = 0
    root = os.geteuid() == 0
    for case in cases:
        res = run_case(args.tool, args.work, case, args.base, args.other_base)
        problems = [p for _, _, _, ps in res for p in ps]
        note = ""
        if case[0] == "unreadable" and root:
            note = "run as root: the file is readable"
        status = "FAIL" if problems else "ok"
        failed += bool(problems)
        print("%-4s %-28s %s" % (status, case[0], "; ".join(
            "%s: exit %d %s" % (h, rc, ("[" + ", ".join(ps) + "]")
                                if ps else "") for h, rc, _, ps in res)))
        for h, rc, msg, ps in res:
            if ps:
                print("     %s: %s" % (h, msg))
        rows.append((case, res, note))
    print("%d inputs, %d runs, %d inputs with problems" % (
        len(cases), 2 * len(cases), failed))
    if args.table:
        with open(args.table, "w") as f:
            f.write("| # | input | what is wrong | exit (in place, -o) | "
                    "error (in place) | checks |\n|---|---|---|---|---|---|\n")
            for i, (case, res, note) in enumerate(rows, 1):
                msg = res[0][2].replace("|", "\\|").replace("`", "'")
                checks = "; ".join(p for _, _, _, ps in res for p in ps) or \
                    "ok"
                if note:
                    checks += " (%s)" % note
                v = case[4].get("valid")
                if v:
                    checks += " (accepted: %s)" % (
                        v if isinstance(v, str) else "valid input")
                f.write("| %d | %s | %s | %d, %d | `%s` | %s |\n" % (
                    i, case[0], case[1].replace("|", "\\|"), res[0][1],
                    res[1][1], msg, checks))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
