#!/usr/bin/env python3
"""Assemble raw BTF from a small text description (for lit tests).

One type per line, in type-ID order; lines starting with '#' or ';' are
comments:

    LABEL = KIND args...

Types are referred to by LABEL, by '#N' (a type ID) or by 'void'. Names are
quoted ('' is anonymous); '@N' as a name is the raw string offset N (to
make broken BTF). Kinds and arguments:

    INT 'name' SIZE BITS [signed|char|bool] [off=N]
    PTR T | CONST T | VOLATILE T | RESTRICT T
    TYPEDEF 'name' T | TYPE_TAG 'name' T
    ARRAY ELEM INDEX NELEMS
    STRUCT 'name' SIZE [kflag] [m:T@BITOFF[:BITSIZE] ...]     (UNION alike;
                                               m may be empty: ':T@0')
    ENUM 'name' SIZE [signed] [A=1 ...]        (no values: enum forward)
    ENUM64 'name' SIZE [signed] [A=1 ...]
    FWD 'name' [union]
    FUNC 'name' PROTO [static|global|extern]
    FUNC_PROTO RET [p:T ...]                   (':void' is a vararg)
    VAR 'name' T [static|global]
    DATASEC 'name' SIZE [VAR@OFF:SIZE ...]
    FLOAT 'name' SIZE
    DECL_TAG 'name' T [IDX]

With --base BASE.txt the output is split BTF on top of BASE.txt assembled
the same way: IDs continue after the base's, string offsets after the
base's string section (every name gets a local copy, even names the base
has), and the base's labels can be used.
"""

import argparse
import shlex
import struct
import sys

KINDS = {'INT': 1, 'PTR': 2, 'ARRAY': 3, 'STRUCT': 4, 'UNION': 5, 'ENUM': 6,
         'FWD': 7, 'TYPEDEF': 8, 'VOLATILE': 9, 'CONST': 10, 'RESTRICT': 11,
         'FUNC': 12, 'FUNC_PROTO': 13, 'VAR': 14, 'DATASEC': 15, 'FLOAT': 16,
         'DECL_TAG': 17, 'TYPE_TAG': 18, 'ENUM64': 19}


class Error(Exception):
    pass


def parse(path):
    """[(label, kind, args)] of the file."""
    out = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith(('#', ';')):
                continue
            try:
                label, rest = [x.strip() for x in line.split('=', 1)]
                words = shlex.split(rest, posix=True)
            except ValueError:
                raise Error('%s:%d: expected LABEL = KIND ...' % (path, n))
            if not words or words[0] not in KINDS:
                raise Error('%s:%d: unknown kind' % (path, n))
            out.append((label, words[0], words[1:], '%s:%d' % (path, n)))
    return out


class Assembler:
    def __init__(self, start_id, str_start, labels):
        self.start_id = start_id
        self.str_start = str_start
        self.labels = dict(labels)
        self.strs = bytearray(b'' if str_start else b'\0')
        self.str_index = {} if str_start else {'': 0}
        self.words = []

    def string(self, s):
        if s == '':
            return 0
        if s.startswith('@') and s[1:].isdigit():
            return int(s[1:])
        if s not in self.str_index:
            self.str_index[s] = len(self.strs)
            self.strs += s.encode() + b'\0'
        return self.str_start + self.str_index[s]

    def ref(self, t, where):
        if t == 'void':
            return 0
        if t.startswith('#'):
            return int(t[1:])
        if t not in self.labels:
            raise Error('%s: unknown type %r' % (where, t))
        return self.labels[t]

    def assemble(self, items):
        for i, (label, _, _, where) in enumerate(items):
            if label in self.labels:
                raise Error('%s: label %r defined twice' % (where, label))
            self.labels[label] = self.start_id + i
        for label, kind, a, where in items:
            try:
                self.words += self.one(KINDS[kind], a, where)
            except (IndexError, ValueError):
                raise Error('%s: bad arguments for %s' % (where, kind))

    def one(self, k, a, where):
        def info(vlen=0, kflag=0):
            return (kflag << 31) | (k << 24) | vlen

        if k == 1:
            size, bits = int(a[1]), int(a[2])
            enc = 0
            off = 0
            for x in a[3:]:
                if x.startswith('off='):
                    off = int(x[4:])
                else:
                    enc |= {'signed': 1, 'char': 2, 'bool': 4}[x]
            return [self.string(a[0]), info(), size,
                    (enc << 24) | (off << 16) | bits]
        if k in (2, 9, 10, 11):
            return [0, info(), self.ref(a[0], where)]
        if k in (8, 18):
            return [self.string(a[0]), info(), self.ref(a[1], where)]
        if k == 3:
            return [0, info(), 0, self.ref(a[0], where),
                    self.ref(a[1], where), int(a[2])]
        if k in (4, 5):
            size = int(a[1])
            rest = a[2:]
            kflag = 1 if rest and rest[0] == 'kflag' else 0
            members = rest[kflag:]
            w = [self.string(a[0]), info(len(members), kflag), size]
            for m in members:
                name, rest = m.split(':', 1)
                t, off = rest.split('@', 1)
                bits = 0
                if ':' in off:
                    off, bits = off.split(':')
                    bits = int(bits)
                off = int(off)
                w += [self.string(name), self.ref(t, where),
                      (bits << 24) | off if kflag else off]
            return w
        if k in (6, 19):
            size = int(a[1])
            rest = a[2:]
            signed = 1 if rest and rest[0] == 'signed' else 0
            vals = rest[signed:]
            w = [self.string(a[0]), info(len(vals), signed), size]
            for v in vals:
                name, val = v.split('=')
                val = int(val, 0)
                if k == 6:
                    w += [self.string(name), val & 0xffffffff]
                else:
                    w += [self.string(name), val & 0xffffffff,
                          (val >> 32) & 0xffffffff]
            return w
        if k == 7:
            return [self.string(a[0]),
                    info(0, 1 if a[1:] == ['union'] else 0), 0]
        if k == 12:
            link = {'static': 0, 'global': 1, 'extern': 2}[
                a[2] if len(a) > 2 else 'global']
            return [self.string(a[0]), info(link), self.ref(a[1], where)]
        if k == 13:
            params = a[1:]
            w = [0, info(len(params)), self.ref(a[0], where)]
            for p in params:
                name, t = p.split(':', 1)
                w += [self.string(name), self.ref(t, where)]
            return w
        if k == 14:
            link = {'static': 0, 'global': 1}[a[2] if len(a) > 2 else
                                              'static']
            return [self.string(a[0]), info(), self.ref(a[1], where), link]
        if k == 15:
            secs = a[2:]
            w = [self.string(a[0]), info(len(secs)), int(a[1])]
            for s in secs:
                v, rest = s.split('@')
                off, size = rest.split(':')
                w += [self.ref(v, where), int(off), int(size)]
            return w
        if k == 16:
            return [self.string(a[0]), info(), int(a[1])]
        if k == 17:
            idx = int(a[2]) if len(a) > 2 else -1
            return [self.string(a[0]), info(), self.ref(a[1], where),
                    idx & 0xffffffff]
        raise Error('%s: unsupported kind' % where)

    def blob(self):
        body = struct.pack('<%dI' % len(self.words), *self.words)
        hdr = struct.pack('<HBBIIIII', 0xeb9f, 1, 0, 24, 0, len(body),
                          len(body), len(self.strs))
        return hdr + body + bytes(self.strs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('input')
    ap.add_argument('-o', '--output', required=True)
    ap.add_argument('--base', help='text of the base BTF (input is split)')
    a = ap.parse_args()
    try:
        start_id, str_start, labels = 1, 0, {}
        if a.base:
            base = Assembler(1, 0, {})
            base.assemble(parse(a.base))
            start_id = 1 + len(parse(a.base))
            str_start = len(base.strs)
            labels = base.labels
        asm = Assembler(start_id, str_start, labels)
        asm.assemble(parse(a.input))
    except Error as e:
        sys.exit('btf-asm: %s' % e)
    with open(a.output, 'wb') as f:
        f.write(asm.blob())
    return 0


if __name__ == '__main__':
    sys.exit(main())
