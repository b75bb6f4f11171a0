#!/usr/bin/env python3
"""Check llvm-btf-split --dedup against the kernel corpus.

Two experiments, each run with our deduplicator and, when available, with
libbpf's btf__dedup() (utils/libbpf-dedup, the oracle) on the same inputs:

modules   For every shipped module, "un-split" its BTF: copy every base
          (vmlinux) type it references, transitively, into it and give all
          strings a local copy, so that it is self-contained and duplicates
          the base. Dedup that against the vmlinux base; the result must be
          equivalent to the shipped split BTF (btfcmp.py cmpdir).
          libbpf's dedup is not idempotent: shipped module BTF sometimes
          keeps a copy of a base type whose graph did not match the base
          during pahole's run but is identical to it afterwards, and any
          second dedup merges it. So results are also compared with
          libbpf's dedup of the shipped BTF itself ("redup").
vmlinux   vmlinux's BTF followed by a perturbed copy of itself (IDs shuffled,
          strings duplicated in another order, some structs/unions of the
          copy replaced by FWDs) as one BTF. Dedup must give back a BTF
          equivalent to the original.

Prints counts of equivalent results, the differences by kind, whether ours
and libbpf's outputs are byte-identical, and timings. Exit status 0 when
ours is byte-identical to libbpf's on every input (or, without the oracle,
equivalent to the shipped BTF) and the perturbed vmlinux comes back.

Full run (2026-11-25, 2 shared cores): 1121/1121 modules byte-identical to
libbpf 1.1; 1070/1121 equivalent to the shipped BTF; the 51 others differ
because libbpf's re-dedup of the shipped BTF differs from it too (47 of them
equal to that re-dedup; 4 where the un-split copies add duplicates libbpf
1.1 cannot match, libbpf giving the same bytes).
"""

import argparse
import collections
import concurrent.futures
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import time

# BTF kinds.
INT, PTR, ARRAY, STRUCT, UNION, ENUM, FWD, TYPEDEF, VOLATILE, CONST, \
    RESTRICT, FUNC, FUNC_PROTO, VAR, DATASEC, FLOAT, DECL_TAG, TYPE_TAG, \
    ENUM64 = range(1, 20)
REF_KINDS = {PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, TYPE_TAG, VAR,
             DECL_TAG}


def tail_words(kind, vlen):
    if kind in (INT, VAR, DECL_TAG):
        return 1
    if kind == ARRAY:
        return 3
    if kind in (STRUCT, UNION, ENUM64, DATASEC):
        return 3 * vlen
    if kind in (ENUM, FUNC_PROTO):
        return 2 * vlen
    if kind in (PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT,
                TYPE_TAG):
        return 0
    raise ValueError('unknown BTF kind %d' % kind)


def kind_of(t):
    return (t[1] >> 24) & 0x1f


def vlen_of(t):
    return t[1] & 0xffff


def type_ref_slots(t):
    """Indices of the type-ID words of type t (a list of words)."""
    k = kind_of(t)
    if k in REF_KINDS:
        return [2]
    if k == ARRAY:
        return [3, 4]
    if k in (STRUCT, UNION):
        return [3 + 3 * i + 1 for i in range(vlen_of(t))]
    if k == FUNC_PROTO:
        return [2] + [3 + 2 * i + 1 for i in range(vlen_of(t))]
    if k == DATASEC:
        return [3 + 3 * i for i in range(vlen_of(t))]
    return []


def str_slots(t):
    """Indices of the string-offset words of type t."""
    k = kind_of(t)
    n = vlen_of(t)
    if k in (STRUCT, UNION, ENUM64):
        return [0] + [3 + 3 * i for i in range(n)]
    if k in (ENUM, FUNC_PROTO):
        return [0] + [3 + 2 * i for i in range(n)]
    return [0]


class RawBTF:
    """Raw little-endian BTF: types as word lists, the string blob."""

    def __init__(self, data, start_id=1, start_str=0):
        magic, ver, flags, hdr_len = struct.unpack_from('<HBBI', data, 0)
        if magic != 0xeb9f:
            raise ValueError('not little-endian raw BTF')
        type_off, type_len, str_off, str_len = struct.unpack_from(
            '<IIII', data, 8)
        words = struct.unpack_from('<%dI' % (type_len // 4), data,
                                   hdr_len + type_off)
        self.types = []
        i = 0
        while i < len(words):
            n = 3 + tail_words((words[i + 1] >> 24) & 0x1f,
                               words[i + 1] & 0xffff)
            self.types.append(list(words[i:i + n]))
            i += n
        self.strs = data[hdr_len + str_off:hdr_len + str_off + str_len]
        self.start_id = start_id
        self.start_str = start_str

    def count(self):
        return self.start_id + len(self.types)

    def local_str(self, off):
        end = self.strs.index(b'\0', off)
        return self.strs[off:end]


class Strings:
    """A string section being built: bytes -> offset."""

    def __init__(self, start, leading_empty):
        self.start = start
        self.blob = bytearray(b'\0' if leading_empty else b'')
        self.index = {b'': 0} if leading_empty else {}

    def add(self, s):
        if s == b'':
            return 0
        off = self.index.get(s)
        if off is None:
            off = self.index[s] = len(self.blob)
            self.blob += s + b'\0'
        return self.start + off


def encode(types, strs):
    body = b''.join(struct.pack('<%dI' % len(t), *t) for t in types)
    hdr = struct.pack('<HBBIIIII', 0xeb9f, 1, 0, 24, 0, len(body), len(body),
                      len(strs))
    return hdr + body + bytes(strs)


def unsplit(base, mod, seed=None):
    """Raw split BTF on `base` holding mod's types plus copies of every base
    type they reach, with no reference into the base and local strings."""
    start = mod.start_id
    need = []
    seen = set()
    stack = [r for t in mod.types for r in
             (t[s] for s in type_ref_slots(t)) if 0 < r < start]
    while stack:
        r = stack.pop()
        if r in seen:
            continue
        seen.add(r)
        need.append(r)
        t = base.types[r - 1]
        stack.extend(t[s] for s in type_ref_slots(t) if t[s] != 0)
    need.sort()
    # Old ID of every output type, in output order.
    olds = [('m', start + i) for i in range(len(mod.types))] + \
           [('b', r) for r in need]
    if seed is not None:
        random.Random(seed).shuffle(olds)
    new_id = {}
    for i, o in enumerate(olds):
        new_id[o] = start + i

    def ref(r, frm_base):
        if r == 0:
            return 0
        if frm_base or r < start:
            return new_id[('b', r)]
        return new_id[('m', r)]

    def string(off):
        if off < mod.start_str:
            return base.local_str(off)
        return mod.local_str(off - mod.start_str)

    strs = Strings(mod.start_str, leading_empty=False)
    out = []
    for src, oid in olds:
        t = list(base.types[oid - 1] if src == 'b' else
                 mod.types[oid - start])
        for s in type_ref_slots(t):
            t[s] = ref(t[s], src == 'b')
        for s in str_slots(t):
            t[s] = strs.add(string(t[s]))
        out.append(t)
    return encode(out, strs.blob), len(need)


def perturbed_concat(base, seed, fwd_fraction, unique_only):
    """base's types, then a shuffled copy of them in which a fraction of the
    named structs/unions are FWDs (only those whose name no other struct or
    union has, if unique_only), with the copy's strings re-added as
    duplicates in shuffled order. VAR and DATASEC are left out of the copy:
    btf__dedup never merges them."""
    rng = random.Random(seed)
    n = len(base.types)
    name_count = collections.Counter(
        t[0] for t in base.types if kind_of(t) in (STRUCT, UNION))
    order = [i for i in range(1, n + 1)
             if kind_of(base.types[i - 1]) not in (VAR, DATASEC)]
    rng.shuffle(order)
    copy_id = {old: n + 1 + i for i, old in enumerate(order)}
    # The original strings keep their bytes and offsets; the copy's strings
    # are appended again, in another order.
    copy_strs = Strings(len(base.strs), leading_empty=False)
    names = sorted({base.local_str(t[s]) for t in base.types
                    for s in str_slots(t)} - {b''})
    rng.shuffle(names)
    for s in names:
        copy_strs.add(s)
    nfwd = 0
    copy = []
    for old in order:
        t = list(base.types[old - 1])
        k = kind_of(t)
        if k in (STRUCT, UNION) and t[0] and \
                (not unique_only or name_count[t[0]] == 1) and \
                rng.random() < fwd_fraction:
            t = [t[0], (FWD << 24) | ((1 << 31) if k == UNION else 0), 0]
            nfwd += 1
        for s in type_ref_slots(t):
            if t[s]:
                t[s] = copy_id[t[s]]
        for s in str_slots(t):
            if t[s]:
                t[s] = copy_strs.add(base.local_str(t[s]))
        copy.append(t)
    return encode(base.types + copy, base.strs + copy_strs.blob), nfwd


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, **kw)


def timed(cmd):
    """(seconds, peak RSS in KB, stderr) of cmd under /usr/bin/time -v."""
    t0 = time.time()
    p = run(['/usr/bin/time', '-v'] + cmd)
    dt = time.time() - t0
    if p.returncode:
        raise RuntimeError('%s failed: %s' % (' '.join(cmd), p.stderr))
    m = re.search(r'Maximum resident set size \(kbytes\): (\d+)', p.stderr)
    return dt, int(m.group(1)) if m else 0, p.stderr


def parse_cmpdir(out):
    """Counts and per-kind differences from btfcmp.py cmpdir output."""
    kinds = collections.Counter()
    diffs = []
    for line in out.splitlines():
        if line.startswith('DIFF') or line.startswith('ERROR') or \
                line.startswith('MISSING'):
            diffs.append(line)
            for side in ('A', 'B'):
                m = re.search(r'only in %s: ([^;]*)' % side, line)
                if m:
                    for k, c in re.findall(r'([A-Z_0-9]+)[ :=]+(\d+)',
                                           m.group(1)):
                        kinds['%s only in %s' % (k, side)] += int(c)
    summary = [l for l in out.splitlines() if l.startswith('# ') and
               'equivalent' in l]
    return summary[-1] if summary else '(no summary)', diffs, kinds


def check_modules(a, work):
    vml = os.path.join(work, 'vmlinux.btf')
    ko_root = os.path.join(a.corpus, 'shipped-ko')
    rels = []
    for d, _, files in os.walk(ko_root):
        for f in files:
            if f.endswith('.ko'):
                rels.append(os.path.relpath(os.path.join(d, f), ko_root))
    rels.sort()
    if a.limit:
        rels = rels[:a.limit]
    with open(vml, 'rb') as f:
        base = RawBTF(f.read())
    dirs = {k: os.path.join(work, k)
            for k in ('unsplit', 'ours', 'libbpf', 'shipped', 'redup')}
    for d in dirs.values():
        shutil.rmtree(d, ignore_errors=True)

    def one(rel):
        shipped = os.path.join(ko_root, rel)
        paths = {k: os.path.join(d, rel) for k, d in dirs.items()}
        for p in paths.values():
            os.makedirs(os.path.dirname(p), exist_ok=True)
        # The shipped modules compared, as a tree of links.
        os.symlink(shipped, paths['shipped'])
        raw = paths['unsplit'] + '.shipped'
        p = run([a.tool, '--roundtrip', '--btf-base', vml, shipped,
                 '--detached', raw])
        if p.returncode:
            return rel, 'read failed: ' + p.stderr.strip(), 0, 0, 0
        with open(raw, 'rb') as f:
            mod = RawBTF(f.read(), base.count(), len(base.strs))
        os.unlink(raw)
        blob, ncopied = unsplit(base, mod, a.shuffle_seed)
        with open(paths['unsplit'], 'wb') as f:
            f.write(blob)
        t0 = time.time()
        p = run([a.tool, '--dedup', '--btf-base', vml, paths['unsplit'],
                 '--detached', paths['ours']])
        t_ours = time.time() - t0
        if p.returncode:
            return rel, 'our dedup failed: ' + p.stderr.strip(), 0, 0, 0
        t_lib = 0
        same = None
        if a.libbpf_dedup:
            t0 = time.time()
            p = run([a.libbpf_dedup, '--base', vml, paths['unsplit'],
                     paths['libbpf']])
            t_lib = time.time() - t0
            if p.returncode:
                return rel, 'libbpf dedup failed: ' + p.stderr.strip(), 0, 0, 0
            p = run([a.libbpf_dedup, '--base', vml, shipped, paths['redup']])
            if p.returncode:
                return rel, 'libbpf redup failed: ' + p.stderr.strip(), 0, 0, 0
            with open(paths['ours'], 'rb') as f1, \
                    open(paths['libbpf'], 'rb') as f2:
                same = f1.read() == f2.read()
        return rel, same, ncopied, t_ours, t_lib

    t0 = time.time()
    results = []
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        for r in ex.map(one, rels):
            results.append(r)
    t_run = time.time() - t0
    failed = [r for r in results if isinstance(r[1], str)]
    same = sum(1 for r in results if r[1] is True)
    differ = [r[0] for r in results if r[1] is False]
    print('== modules: %d un-split and deduplicated in %.1fs (wall, -j%d)'
          % (len(rels), t_run, a.jobs))
    print('   base types copied into the modules: %d in total'
          % sum(r[2] for r in results if not isinstance(r[1], str)))
    print('   llvm-btf-split --dedup: %.1fs summed over modules'
          % sum(r[3] for r in results))
    if a.libbpf_dedup:
        print('   libbpf-dedup:           %.1fs summed over modules'
              % sum(r[4] for r in results))
        print('   ours byte-identical to libbpf 1.1: %d/%d'
              % (same, len(rels) - len(failed)))
        for rel in differ:
            print('   NOT IDENTICAL to libbpf: %s' % rel)
    for rel, msg, *_ in failed:
        print('   FAILED %s: %s' % (rel, msg))
    ok = not failed and not differ

    pairs = [('ours', 'shipped')]
    if a.libbpf_dedup:
        pairs += [('libbpf', 'shipped'), ('redup', 'shipped'),
                  ('ours', 'redup')]
    for who, ref in pairs:
        t0 = time.time()
        p = run([sys.executable, a.btfcmp, 'cmpdir', dirs[who], dirs[ref],
                 '--base', vml, '--glob', '*.ko', '-q', '--show',
                 str(a.show)])
        summary, diffs, kinds = parse_cmpdir(p.stdout)
        print('   %s vs %s: %s (btfcmp %.1fs)'
              % (who, ref, summary.lstrip('# '), time.time() - t0))
        for k, c in sorted(kinds.items()):
            print('     %-28s %d' % (k, c))
        if a.verbose or a.show:
            print(p.stdout)
        else:
            for d in diffs:
                print('     ' + d)
        # With the oracle, passing means byte-identity with libbpf 1.1 on
        # the same input (checked above); differences from the shipped BTF
        # are then libbpf's too and only reported. Without it, ours must be
        # equivalent to the shipped BTF.
        if p.returncode and not a.libbpf_dedup:
            ok = False
    return ok


# (seed, fraction of structs/unions made FWDs, only uniquely named ones,
#  must come back equivalent to the original)
PERTURBATIONS = [(1, 0.0, True, True), (2, 0.1, True, True),
                 (3, 0.5, True, True), (4, 0.1, False, False)]


def check_vmlinux(a, work):
    vml = os.path.join(work, 'vmlinux.btf')
    with open(vml, 'rb') as f:
        base = RawBTF(f.read())
    nvar = sum(1 for t in base.types if kind_of(t) in (VAR, DATASEC))
    ok = True
    for seed, frac, unique, must_match in PERTURBATIONS:
        blob, nfwd = perturbed_concat(base, seed, frac, unique)
        inp = os.path.join(work, 'vmlinux-perturbed-%d.btf' % seed)
        with open(inp, 'wb') as f:
            f.write(blob)
        print('== vmlinux + perturbed copy (seed %d): %d types, %d %s '
              'structs/unions of the copy made FWDs'
              % (seed, 2 * len(base.types) - nvar, nfwd,
                 'uniquely named' if unique else 'named'))
        cmds = {'ours': [a.tool, '--dedup', inp, '--detached']}
        if a.libbpf_dedup:
            cmds['libbpf'] = [a.libbpf_dedup, '--time', inp]
        files = {}
        for who, cmd in cmds.items():
            out = os.path.join(work, 'vmlinux-perturbed-%d.%s' % (seed, who))
            dt, rss, err = timed(cmd + [out])
            inner = re.search(r'btf__dedup: ([0-9.]+) s', err)
            files[who] = out
            p = run([sys.executable, a.btfcmp, 'cmp', out, vml, '--show',
                     str(a.show)])
            verdict = p.stdout.strip().splitlines()
            print('   %-6s %.2fs wall, peak RSS %d MB%s; vs original: %s'
                  % (who, dt, rss // 1024,
                     ' (btf__dedup alone %ss)' % inner.group(1) if inner
                     else '', 'EQUIVALENT' if p.returncode == 0 else
                     'NOT EQUIVALENT'))
            if p.returncode:
                if must_match:
                    ok = False
                print('\n'.join('     ' + l for l in verdict
                                if l.startswith(('result', 'only in')) or
                                a.verbose))
        if 'libbpf' in files:
            with open(files['ours'], 'rb') as f1, \
                    open(files['libbpf'], 'rb') as f2:
                same = f1.read() == f2.read()
            print('   ours byte-identical to libbpf 1.1: %s'
                  % ('yes' if same else 'NO'))
            ok = ok and same
    return ok


def main():
    src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--corpus', required=True,
                    help='the corpus (made by fetch-kernel.sh)')
    ap.add_argument('--tool', default=os.path.join(src, 'build', 'bin',
                                                   'llvm-btf-split'))
    ap.add_argument('--libbpf-dedup', default=os.path.join(
        src, 'build', 'utils', 'libbpf-dedup', 'libbpf-dedup'),
        help="libbpf oracle ('' to skip)")
    ap.add_argument('--btfcmp', default=os.path.join(
        os.path.dirname(src), 'shared', 'tools', 'btfcmp.py'),
        help='btfcmp.py (default: ../shared/tools/btfcmp.py beside the clone)')
    ap.add_argument('--work', default='check-corpus-dedup.out',
                    help='work directory for the outputs')
    ap.add_argument('--only', choices=['modules', 'vmlinux'])
    ap.add_argument('--limit', type=int, default=0,
                    help='only the first N modules')
    ap.add_argument('--shuffle-seed', type=int, default=None,
                    help='also shuffle the type order of un-split modules')
    ap.add_argument('-j', '--jobs', type=int, default=2)
    ap.add_argument('--show', type=int, default=0,
                    help='btfcmp examples per difference')
    ap.add_argument('-v', '--verbose', action='store_true')
    a = ap.parse_args()
    if a.libbpf_dedup and not os.path.exists(a.libbpf_dedup):
        print('note: %s not built; libbpf comparison skipped'
              % a.libbpf_dedup)
        a.libbpf_dedup = ''
    os.makedirs(a.work, exist_ok=True)
    p = run([a.tool, '--roundtrip', os.path.join(a.corpus, 'vmlinux'),
             '--detached', os.path.join(a.work, 'vmlinux.btf')])
    if p.returncode:
        sys.exit('cannot read vmlinux BTF: ' + p.stderr)
    ok = True
    if a.only in (None, 'vmlinux'):
        ok = check_vmlinux(a, a.work) and ok
    if a.only in (None, 'modules'):
        ok = check_modules(a, a.work) and ok
    print('== result: %s' % ('PASS' if ok else 'FAIL'))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
