#!/usr/bin/env python3
"""mkbtf.py - assemble raw BTF from a small text description (for tests).

Usage: mkbtf.py [--base BASE.btf] [-o OUT] [INPUT]   (INPUT/OUT default: stdin/stdout)

One type per line, in ID order ('#' starts a comment). Names are quoted
('foo' or "foo"); '' is anonymous (offset 0) and @N is a raw string offset.
Type IDs are plain numbers. An optional leading [N] asserts the type's ID.

  INT 'int' size=4 bits=32 [offset=0] [enc=SIGNED|CHAR|BOOL|NONE|<n>]
  PTR type=N          CONST type=N     VOLATILE type=N    RESTRICT type=N
  TYPEDEF 'name' type=N                TYPE_TAG 'user' type=N
  ARRAY type=N index=N nelems=N
  STRUCT 'foo' size=8 { 'a' 1 0; 'b' 1 32 bitfield=3 }   (also UNION)
      member: name type bit_offset [bitfield=N]; any bitfield= sets kind_flag
      and encodes the offset as bitfield<<24 | bit_offset
  ENUM 'e' size=4 [signed] { 'A' 0; 'B' -1 }            (also ENUM64)
  FWD 'name' [union]
  FUNC 'name' type=N [linkage=static|global|extern|<n>]
  FUNC_PROTO ret=N { 'a' 1; '' 2; ... }                 ('...' = varargs)
  VAR 'name' type=N [linkage=static|global|extern|<n>]
  DATASEC '.data' size=N { VAR_ID OFFSET SIZE; ... }
  FLOAT 'double' size=8
  DECL_TAG 'tag' type=N [idx=-1]

Any type line also takes raw overrides: kind=N, vlen=N, kflag=0|1,
info=0xNNNNNNNN (the whole info word), size=N / type=N (third word).

Directives (to craft corrupt files):
  RAW w1 w2 ...          append raw 32-bit words to the type section
  .endian big|little     byte order of the output (default little)
  .header k=v ...        override header fields after layout: magic, version,
                         flags, hdr_len, type_off, type_len, str_off, str_len
  .hdr_extra b1 b2 ...   extra header bytes (hex) after the 24-byte header;
                         hdr_len grows to match unless overridden
  .strings "bytes"       replace the string section (Python escapes, e.g.
                         "\\0foo\\0"); names must then be given as @N
  .order strings-first   put the string section before the type section
  .append b1 b2 ...      raw bytes (hex) appended after everything
  .truncate N            cut the output to N bytes

With --base (raw BTF), the output is split BTF: type IDs continue after the
base's last type and string offsets after the base's string section; a name
found in the base's strings reuses the base's offset.
"""

import argparse
import ast
import re
import struct
import sys

KINDS = {
    "INT": 1, "PTR": 2, "ARRAY": 3, "STRUCT": 4, "UNION": 5, "ENUM": 6,
    "FWD": 7, "TYPEDEF": 8, "VOLATILE": 9, "CONST": 10, "RESTRICT": 11,
    "FUNC": 12, "FUNC_PROTO": 13, "VAR": 14, "DATASEC": 15, "FLOAT": 16,
    "DECL_TAG": 17, "TYPE_TAG": 18, "ENUM64": 19,
}
ENCODINGS = {"NONE": 0, "SIGNED": 1, "CHAR": 2, "BOOL": 4}
LINKAGES = {"static": 0, "global": 1, "extern": 2}
TOKEN = re.compile(r"'[^']*'|\"[^\"]*\"|[{};]|[^\s{};]+")


def fail(msg):
    sys.exit("mkbtf.py: error: " + msg)


def num(s):
    return int(s, 0)


class Strings:
    """String section being built; offsets continue the base's."""

    def __init__(self, base_strs):
        self.base = base_strs
        self.start = len(base_strs)
        self.data = bytearray() if base_strs else bytearray(b"\0")
        self.index = {} if base_strs else {b"": 0}
        self.base_index = {}
        pos = 0
        for s in base_strs.split(b"\0"):
            self.base_index.setdefault(s, pos)
            pos += len(s) + 1

    def add(self, s):
        b = s.encode()
        if not b:
            return 0
        if b in self.base_index:
            return self.base_index[b]
        if b not in self.index:
            self.index[b] = len(self.data)
            self.data += b + b"\0"
        return self.start + self.index[b]


def tail_size(kind, vlen):
    return {1: 4, 3: 12, 4: 12 * vlen, 5: 12 * vlen, 6: 8 * vlen, 13: 8 * vlen,
            14: 4, 15: 12 * vlen, 17: 4, 19: 12 * vlen}.get(kind, 0)


def read_base(path):
    data = open(path, "rb").read()
    if data[:2] == b"\x9f\xeb":
        e = "<"
    elif data[:2] == b"\xeb\x9f":
        e = ">"
    else:
        fail("%s: not raw BTF" % path)
    hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from(
        e + "5I", data, 4)
    types = data[hdr_len + type_off:hdr_len + type_off + type_len]
    strs = data[hdr_len + str_off:hdr_len + str_off + str_len]
    count, pos = 1, 0
    while pos + 12 <= len(types):
        info = struct.unpack_from(e + "I", types, pos + 4)[0]
        pos += 12 + tail_size((info >> 24) & 0x1f, info & 0xffff)
        count += 1
    return count, bytes(strs)


def assemble(lines, base):
    next_id, base_strs = base if base else (1, b"")
    strs = Strings(base_strs)
    words = []
    opts = {"endian": "<", "header": {}, "hdr_extra": b"", "raw_strs": None,
            "strings_first": False, "append": b"", "truncate": None}

    def name(tok):
        if tok.startswith("@"):
            return num(tok[1:])
        if tok[:1] in "'\"":
            return strs.add(tok[1:-1])
        fail("expected a quoted name or @offset, got %r" % tok)

    for lineno, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        toks = TOKEN.findall(line)
        try:
            if toks[0].startswith("["):
                if num(toks[0][1:-1]) != next_id:
                    fail("line %d: expected type [%d]" % (lineno, next_id))
                toks = toks[1:]
            head = toks[0]
            if head == "RAW":
                words += [num(t) & 0xffffffff for t in toks[1:]]
                continue
            if head.startswith("."):
                directive(head, toks[1:], line, opts)
                continue
            words += type_words(head, toks[1:], name)
            next_id += 1
        except (ValueError, IndexError, KeyError) as e:
            fail("line %d: cannot parse %r (%s)" % (lineno, line, e))
    return layout(words, strs, opts)


def directive(head, args, line, opts):
    if head == ".endian":
        opts["endian"] = {"little": "<", "big": ">"}[args[0]]
    elif head == ".header":
        for a in args:
            k, v = a.split("=")
            opts["header"][k] = num(v)
    elif head == ".hdr_extra":
        opts["hdr_extra"] = bytes(num("0x" + b) for b in args)
    elif head == ".strings":
        lit = line.split(None, 1)[1]
        opts["raw_strs"] = ast.literal_eval("b" + lit)
    elif head == ".order":
        opts["strings_first"] = args[0] == "strings-first"
    elif head == ".append":
        opts["append"] += bytes(num("0x" + b) for b in args)
    elif head == ".truncate":
        opts["truncate"] = num(args[0])
    else:
        raise KeyError(head)


def split_entries(toks):
    """Split 'a b c { x y; z w }' into (plain tokens, [entry token lists])."""
    if "{" not in toks:
        return toks, []
    i = toks.index("{")
    body = toks[i + 1:toks.index("}")]
    entries, cur = [], []
    for t in body:
        if t == ";":
            entries.append(cur)
            cur = []
        else:
            cur.append(t)
    if cur:
        entries.append(cur)
    return toks[:i], [e for e in entries if e]


def type_words(head, toks, name):
    kind = KINDS[head]
    plain, entries = split_entries(toks)
    name_off = 0
    kv, flags = {}, set()
    for t in plain:
        if t[:1] in "'\"@":
            name_off = name(t)
        elif "=" in t:
            k, v = t.split("=", 1)
            kv[k] = v
        else:
            flags.add(t)
    kflag = 0
    third = 0
    tail = []
    vlen = len(entries)
    if kind == 1:
        enc = kv.get("enc", "NONE")
        enc = ENCODINGS[enc] if enc in ENCODINGS else num(enc)
        third = num(kv["size"])
        tail = [(enc << 24) | (num(kv.get("offset", "0")) << 16) |
                num(kv["bits"])]
    elif kind in (2, 8, 9, 10, 11, 18):
        third = num(kv.get("type", "0"))
    elif kind == 3:
        tail = [num(kv["type"]), num(kv["index"]), num(kv["nelems"])]
    elif kind in (4, 5):
        third = num(kv["size"])
        for e in entries:
            off = num(e[2])
            bf = [x for x in e[3:] if x.startswith("bitfield=")]
            if bf:
                kflag = 1
                off |= num(bf[0].split("=")[1]) << 24
            tail += [name(e[0]), num(e[1]), off & 0xffffffff]
    elif kind in (6, 19):
        third = num(kv["size"])
        kflag = 1 if "signed" in flags else 0
        for e in entries:
            v = num(e[1])
            if kind == 6:
                tail += [name(e[0]), v & 0xffffffff]
            else:
                v &= 0xffffffffffffffff
                tail += [name(e[0]), v & 0xffffffff, v >> 32]
    elif kind == 7:
        kflag = 1 if "union" in flags else 0
    elif kind == 12:
        third = num(kv["type"])
        link = kv.get("linkage", "static")
        vlen = LINKAGES[link] if link in LINKAGES else num(link)
    elif kind == 13:
        third = num(kv.get("ret", "0"))
        for e in entries:
            tail += [0, 0] if e == ["..."] else [name(e[0]), num(e[1])]
    elif kind == 14:
        third = num(kv["type"])
        link = kv.get("linkage", "static")
        tail = [LINKAGES[link] if link in LINKAGES else num(link)]
    elif kind == 15:
        third = num(kv["size"])
        for e in entries:
            tail += [num(e[0]), num(e[1]), num(e[2])]
    elif kind == 16:
        third = num(kv["size"])
    elif kind == 17:
        third = num(kv["type"])
        tail = [num(kv.get("idx", "-1")) & 0xffffffff]
    # Raw overrides.
    kind = num(kv.get("kind", str(kind)))
    vlen = num(kv.get("vlen", str(vlen)))
    kflag = num(kv.get("kflag", str(kflag)))
    if "size" in kv and kind not in (3,):
        third = num(kv["size"])
    if "type" in kv and kind in (2, 7, 8, 9, 10, 11, 12, 14, 17, 18):
        third = num(kv["type"])
    info = (kflag << 31) | ((kind & 0x1f) << 24) | (vlen & 0xffff)
    info = num(kv.get("info", str(info)))
    return [name_off & 0xffffffff, info & 0xffffffff, third & 0xffffffff] + tail


def layout(words, strs, opts):
    e = opts["endian"]
    types = b"".join(struct.pack(e + "I", w) for w in words)
    sdata = opts["raw_strs"] if opts["raw_strs"] is not None else bytes(
        strs.data)
    extra = opts["hdr_extra"]
    h = {"magic": 0xEB9F, "version": 1, "flags": 0,
         "hdr_len": 24 + len(extra)}
    if opts["strings_first"]:
        h.update(str_off=0, str_len=len(sdata), type_off=len(sdata),
                 type_len=len(types))
        body = sdata + types
    else:
        h.update(type_off=0, type_len=len(types), str_off=len(types),
                 str_len=len(sdata))
        body = types + sdata
    h.update(opts["header"])
    hdr = struct.pack(e + "HBBIIIII", h["magic"], h["version"], h["flags"],
                      h["hdr_len"], h["type_off"], h["type_len"],
                      h["str_off"], h["str_len"])
    out = hdr + extra + body + opts["append"]
    if opts["truncate"] is not None:
        out = out[:opts["truncate"]]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input", nargs="?", default="-")
    ap.add_argument("-o", "--output", default="-")
    ap.add_argument("--base", help="raw base BTF: emit split BTF")
    a = ap.parse_args()
    src = sys.stdin if a.input == "-" else open(a.input)
    out = assemble(src.read().splitlines(), read_base(a.base) if a.base
                   else None)
    if a.output == "-":
        sys.stdout.buffer.write(out)
    else:
        with open(a.output, "wb") as f:
            f.write(out)


if __name__ == "__main__":
    main()
