#!/usr/bin/env python3
"""module-type-changes.py - which modules' own types changed between two ABIs.

Usage: module-type-changes.py BTFCMP OLD_CORPUS NEW_CORPUS LIST

For each module path in LIST (relative to shipped-ko/, as "./kernel/..."),
reads its shipped split BTF in both corpora (on each corpus's vmlinux) with
btfcmp.py's reader and compares the module's own named types (structs,
unions, enums, typedefs, functions, variables; anonymous types by their
spelling) by name: size, members (names, offsets,
type spellings), enumerators, typedef targets, prototypes. Prints one line
per module whose own types differ: the path, the number of differing names
and the first one. Relocation cannot carry such changes over: they are the
module's own definitions (a shared header of several modules changed, say).
"""

import collections
import importlib.util
import os
import sys


def main():
    btfcmp_path, old, new, listfile = sys.argv[1:5]
    spec = importlib.util.spec_from_file_location('btfcmp', btfcmp_path)
    bc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bc)

    def spell(btf, tid, depth=0):
        # A C-like spelling without type IDs; anonymous composites spelled
        # out member by member, so that a change inside them counts.
        if tid == 0:
            return 'void'
        if depth > 8:
            return '...'
        o, k = btf.locate(tid)
        kind, name, ex = o.kinds[k], o.tname_of(k), o.extra(k)
        ref = o.sots[k]
        if kind in (4, 5):
            head = 'struct' if kind == 4 else 'union'
            if name:
                return '%s %s' % (head, name)
            return '%s{%d:%s}' % (head, ref, ';'.join(
                '%s@%d:%s' % (o.name(ex[i]), ex[i + 2],
                              spell(o, ex[i + 1], depth + 1))
                for i in range(0, len(ex), 3)))
        if kind in (6, 19):
            return 'enum %s' % name if name else 'enum{%d:%s}' % (
                ref, ','.join(o.name(ex[i]) for i in range(
                    0, len(ex), 2 if kind == 6 else 3)))
        if kind == 7:
            return 'fwd %s' % name
        if kind == 2:
            return spell(o, ref, depth + 1) + ' *'
        if kind in (9, 10, 11, 18):
            return '%s %s' % ({9: 'volatile', 10: 'const', 11: 'restrict',
                               18: 'tag:' + name}[kind],
                              spell(o, ref, depth + 1))
        if kind == 3:
            return '%s[%d]' % (spell(o, ex[0], depth + 1), ex[2])
        if kind == 13:
            return '%s(%s)' % (spell(o, ref, depth + 1), ','.join(
                spell(o, ex[i + 1], depth + 1) for i in range(0, len(ex), 2)))
        return name

    def sigs(btf):
        out = collections.defaultdict(list)
        for k in range(btf.count):
            kind = btf.kinds[k]
            name = btf.tname_of(k)
            if not name:
                # Anonymous types count by their spelling (the modversions
                # array grows with the symbols a module imports).
                out[('anonymous', spell(btf, btf.start_id + k))].append(())
                continue
            if kind not in (4, 5, 6, 8, 12, 14, 19):
                continue
            ex = btf.extra(k)
            if kind in (4, 5):
                members = []
                for i in range(0, len(ex), 3):
                    members.append((btf.name(ex[i]), ex[i + 2],
                                    spell(btf, ex[i + 1])))
                sig = ('struct' if kind == 4 else 'union', btf.sots[k],
                       tuple(members))
            elif kind in (6, 19):
                step = 2 if kind == 6 else 3
                sig = ('enum', btf.sots[k],
                       tuple((btf.name(ex[i]),) + tuple(ex[i + 1:i + step])
                             for i in range(0, len(ex), step)))
            elif kind == 8:
                sig = ('typedef', spell(btf, btf.sots[k]))
            elif kind == 14:
                sig = ('var', spell(btf, btf.sots[k]), ex[0])
            else:
                sig = ('func', spell(btf, btf.sots[k]))
            out[(sig[0], name)].append(sig)
        return out

    with open(listfile) as f:
        mods = [line.strip() for line in f if line.strip()]
    for m in mods:
        rel = m[2:] if m.startswith('./') else m
        try:
            a = bc.load(os.path.join(old, 'shipped-ko', rel),
                        os.path.join(old, 'vmlinux'))
            b = bc.load(os.path.join(new, 'shipped-ko', rel),
                        os.path.join(new, 'vmlinux'))
            sa, sb = sigs(a), sigs(b)
        except Exception as ex:  # unreadable: count as changed
            print('%s\t1\tcannot read: %s' % (m, ex))
            continue
        diff = []
        for key in sorted(set(sa) | set(sb)):
            if sorted(sa.get(key, [])) != sorted(sb.get(key, [])):
                diff.append('%s %s' % key)
        if diff:
            print('%s\t%d\t%s' % (m, len(diff), diff[0]))


if __name__ == '__main__':
    main()
