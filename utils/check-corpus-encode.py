#!/usr/bin/env python3
"""Encode the corpus with llvm-btf-split and compare with what pahole made.

  vmlinux: ours (from pristine/vmlinux) against pahole 1.24 -j1 with the 6.1
           kernel's flags (run here when pahole is installed, or --pahole-vmlinux
           FILE) and against the shipped .BTF with
           'btfcmp.py cmp --ignore-kinds FUNC,FUNC_PROTO --prune'.
  modules: ours (from pristine/modules/**.ko, split on the shipped vmlinux
           .BTF) against shipped-ko/<same path> with 'btfcmp.py cmpdir'.

Prints: modules equivalent / total, the kinds of any difference, the total
split BTF bytes ours vs shipped, and time / peak memory of every run (and of
pahole's when --pahole is given).

Until lib/Dedup is merged the encoder can only write raw (undeduplicated)
BTF: pass --raw-dedup 'CMD' to run 'llvm-btf-split --no-dedup' and then
'CMD IN OUT [BASE]' (a test-only deduplicator, e.g. one built on libbpf).
"""

import argparse
import collections
import concurrent.futures
import os
import re
import shlex
import shutil
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PAHOLE_FLAGS = ['--btf_gen_floats', '--lang_exclude=rust']


def run_measured(cmd):
    """Run cmd; return (returncode, wall seconds, peak RSS KiB, stderr)."""
    t0 = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = b''
    # Read stderr before waiting so that a chatty child cannot block.
    err = p.stderr.read()
    _pid, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, time.time() - t0, ru.ru_maxrss, err.decode(
        errors='replace')


def btf_section_size(path):
    """Size of the .BTF section of an ELF file, or of the whole raw file."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:4] != b'\x7fELF':
        return len(data)
    if data[4] != 2:
        raise ValueError('%s: only ELF64 is supported' % path)
    e = '<' if data[5] == 1 else '>'
    shoff, = struct.unpack_from(e + 'Q', data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from(e + 'HHH', data, 0x3a)
    def sh(i):
        return struct.unpack_from(e + 'IIQQQQIIQQ', data, shoff + i * shentsize)
    stroff = sh(shstrndx)[4]
    for i in range(shnum):
        s = sh(i)
        end = data.index(b'\0', stroff + s[0])
        if data[stroff + s[0]:end] == b'.BTF':
            return s[5]
    return 0


def encode(args, inp, out, base=None):
    """Encode inp to raw BTF at out; returns a list of measured steps."""
    os.makedirs(os.path.dirname(out), exist_ok=True)
    cmd = [args.tool, '--pahole-compat=' + args.pahole_compat, '-j',
           str(args.threads)]
    if base:
        cmd += ['--btf-base', base]
    if args.raw_dedup:
        cmd += ['--no-dedup']
    raw = out + '.raw' if args.raw_dedup else out
    cmd += [inp, '--detached', raw]
    steps = [('encode',) + run_measured(cmd)]
    if args.raw_dedup and steps[-1][1] == 0:
        dcmd = shlex.split(args.raw_dedup) + [raw, out] + ([base] if base else [])
        steps.append(('dedup',) + run_measured(dcmd))
        os.unlink(raw)
    return steps


def pahole(args, inp, out, base=None):
    cmd = ['pahole', '-J', '--btf_encode_detached=' + out] + PAHOLE_FLAGS
    if base:
        cmd += ['--btf_base', base]
    return run_measured(cmd + [inp])


def fmt_steps(steps):
    return ', '.join('%s %.2fs %d MiB' % (s[0], s[2], s[3] // 1024)
                     for s in steps)


def check_vmlinux(args, btfcmp):
    c = args.corpus
    ours = os.path.join(args.out, 'vmlinux.btf')
    steps = encode(args, os.path.join(c, 'pristine', 'vmlinux'), ours)
    for s in steps:
        if s[1] != 0:
            print('vmlinux: %s failed: %s' % (s[0], s[4].strip()))
            return False
    print('vmlinux: ours: %s' % fmt_steps(steps))
    ok = True
    ref = args.pahole_vmlinux
    if not ref and shutil.which('pahole'):
        ref = os.path.join(args.out, 'vmlinux.pahole.btf')
        rc, secs, rss, err = pahole(args, os.path.join(c, 'pristine', 'vmlinux'),
                                    ref)
        if rc != 0:
            print('vmlinux: pahole failed: %s' % err.strip())
            ref = None
        else:
            print('vmlinux: pahole -j1: %.2fs %d MiB' % (secs, rss // 1024))
    if ref:
        r = subprocess.run(btfcmp + ['cmp', ours, ref, '--show', '5'],
                           capture_output=True, text=True)
        last = [l for l in r.stdout.splitlines() if l.startswith('result:')]
        print('vmlinux vs pahole -j1: %s' % (last[-1] if last else r.stderr))
        ok &= r.returncode == 0 and 'NOT' not in ''.join(last)
        if args.verbose and r.returncode:
            print(r.stdout)
    r = subprocess.run(btfcmp + ['cmp', ours, os.path.join(c, 'vmlinux'),
                                 '--ignore-kinds', 'FUNC,FUNC_PROTO', '--prune',
                                 '--show', '5'],
                       capture_output=True, text=True)
    last = [l for l in r.stdout.splitlines() if l.startswith('result:')]
    print('vmlinux vs shipped (--ignore-kinds FUNC,FUNC_PROTO --prune): %s'
          % (last[-1] if last else r.stderr))
    if args.verbose and r.returncode:
        print(r.stdout)
    ok &= r.returncode == 0 and 'NOT' not in ''.join(last)
    print('vmlinux BTF bytes: ours %d, shipped %d' % (
        btf_section_size(ours), btf_section_size(os.path.join(c, 'vmlinux'))))
    return ok


def check_modules(args, btfcmp):
    c = args.corpus
    src = os.path.join(c, 'pristine', 'modules')
    mods = []
    for root, _dirs, files in os.walk(src):
        for fn in files:
            if fn.endswith('.ko'):
                mods.append(os.path.relpath(os.path.join(root, fn), src))
    mods.sort()
    if args.sample:
        step = max(1, len(mods) // args.sample)
        mods = mods[::step][:args.sample]
    base = os.path.join(c, 'vmlinux')
    ours_dir = os.path.join(args.out, 'modules')
    pahole_dir = os.path.join(args.out, 'pahole-modules')
    shutil.rmtree(ours_dir, ignore_errors=True)
    failures = []
    totals = collections.Counter()
    peak = collections.Counter()

    def one(rel):
        steps = encode(args, os.path.join(src, rel),
                       os.path.join(ours_dir, rel), base)
        ph = None
        if args.pahole:
            out = os.path.join(pahole_dir, rel)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            ph = pahole(args, os.path.join(src, rel), out, base)
        return rel, steps, ph

    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        for rel, steps, ph in ex.map(one, mods):
            for s in steps:
                totals[s[0]] += s[2]
                peak[s[0]] = max(peak[s[0]], s[3])
                if s[1] != 0:
                    failures.append((rel, s[0], s[4].strip()))
            if ph:
                totals['pahole'] += ph[1]
                peak['pahole'] = max(peak['pahole'], ph[2])
    wall = time.time() - t0
    for rel, step, msg in failures:
        print('FAILED  %s (%s): %s' % (rel, step, msg))
    print('modules: %d encoded in %.1fs wall (-P %d); summed: %s' % (
        len(mods), wall, args.jobs, ', '.join(
            '%s %.1fs (peak %d MiB)' % (k, totals[k], peak[k] // 1024)
            for k in totals)))

    # Compare with the shipped modules (only those we encoded).
    shipped = os.path.join(args.out, 'shipped-links')
    shutil.rmtree(shipped, ignore_errors=True)
    for rel in mods:
        dst = os.path.join(shipped, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        os.symlink(os.path.join(c, 'shipped-ko', rel), dst)
    r = subprocess.run(btfcmp + ['cmpdir', ours_dir, shipped, '--base', base,
                                 '--glob', '*.ko', '-q'],
                       capture_output=True, text=True)
    kinds = collections.Counter()
    ndiff = 0
    for line in r.stdout.splitlines():
        if line.startswith(('DIFF', 'ERROR', 'MISSING')):
            ndiff += 1
            print(line)
            m = re.search(r'only in A: (.*); only in B: (.*)$', line)
            if m:
                for side, text in (('ours', m.group(1)), ('shipped', m.group(2))):
                    for k, n in re.findall(r'([A-Z_0-9]+) (\d+)', text):
                        kinds['%s only in %s' % (k, side)] += int(n)
    summary = [l for l in r.stdout.splitlines() if l.startswith('# ')]
    for l in summary:
        print(l)
    m = re.search(r'# (\d+) equivalent', r.stdout)
    neq = int(m.group(1)) if m else 0
    ours_bytes = sum(btf_section_size(os.path.join(ours_dir, rel))
                     for rel in mods
                     if os.path.exists(os.path.join(ours_dir, rel)))
    shipped_bytes = sum(btf_section_size(os.path.join(c, 'shipped-ko', rel))
                        for rel in mods)
    if args.pahole:
        # Which differences does pahole 1.24 -j1 share with us?
        for label, a, b in (('ours vs pahole -j1', ours_dir, pahole_dir),
                            ('pahole -j1 vs shipped', pahole_dir, shipped)):
            r2 = subprocess.run(btfcmp + ['cmpdir', a, b, '--base', base,
                                          '--glob', '*.ko', '-q'],
                                capture_output=True, text=True)
            for line in r2.stdout.splitlines():
                if line.startswith(('DIFF', 'ERROR', 'MISSING')):
                    print('  %s: %s' % (label, line))
            m2 = re.search(r'# (\d+) equivalent', r2.stdout)
            print('%s: %s / %d equivalent' % (label, m2.group(1) if m2 else '?',
                                              len(mods)))
    print('modules equivalent: %d / %d' % (neq, len(mods)))
    print('difference kinds: %s' % (', '.join(
        '%s %d' % kv for kv in sorted(kinds.items())) or 'none'))
    print('split BTF bytes: ours %d, shipped %d' % (ours_bytes, shipped_bytes))
    return neq == len(mods)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--corpus', required=True,
                   help='the corpus (made by fetch-kernel.sh)')
    p.add_argument('--tool', default=os.path.join(HERE, '..', 'build', 'bin',
                                                  'llvm-btf-split'))
    p.add_argument('--btfcmp', default=os.path.join(
        HERE, '..', '..', 'shared', 'tools', 'btfcmp.py'),
        help='btfcmp.py (default: ../shared/tools/btfcmp.py beside the clone)')
    p.add_argument('--out', default='corpus-encode.out',
                   help='work directory for the outputs')
    p.add_argument('--raw-dedup', metavar='CMD',
                   help='encode with --no-dedup, then run CMD IN OUT [BASE]')
    p.add_argument('--pahole-compat', default='1.24',
                   help="llvm-btf-split's --pahole-compat level (default 1.24, "
                   'the level of the 6.1 corpus)')
    p.add_argument('-j', '--threads', type=int, default=1,
                   help='threads of each llvm-btf-split run')
    p.add_argument('-P', '--jobs', type=int, default=2,
                   help='modules encoded at the same time')
    p.add_argument('--sample', type=int, default=0,
                   help='only N modules spread over the sorted list')
    p.add_argument('--no-vmlinux', action='store_true')
    p.add_argument('--no-modules', action='store_true')
    p.add_argument('--pahole', action='store_true',
                   help='also time pahole 1.24 on every module')
    p.add_argument('--pahole-vmlinux', metavar='FILE',
                   help='pahole -j1 output for vmlinux (default: run pahole)')
    p.add_argument('-v', '--verbose', action='store_true')
    args = p.parse_args()
    args.tool = os.path.abspath(args.tool)
    os.makedirs(args.out, exist_ok=True)
    btfcmp = [sys.executable, args.btfcmp]
    ok = True
    if not args.no_vmlinux:
        ok &= check_vmlinux(args, btfcmp)
    if not args.no_modules:
        ok &= check_modules(args, btfcmp)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
