#!/usr/bin/env python3
"""Encode the Debian 13 6.12 corpus as kbuild 6.12 does, byte for byte.

kbuild 6.12 with pahole >= 1.26 (scripts/Makefile.btf, link-vmlinux.sh,
Makefile.modfinal) runs:

  vmlinux: PAHOLE -J -j --btf_features=encode_force,var,float,enum64,decl_tag,
           type_tag,optimized_func,consistent_func,decl_tag_kfuncs
           --lang_exclude=rust .tmp_vmlinux1          (in place)
  modules: PAHOLE -J <same flags> --btf_base vmlinux M.ko        (in place)

This script does exactly that with PAHOLE = <bindir>/llvm-btf-split-pahole-LEVEL
on copies of CORPUS/pristine/ (vmlinux, then every module, --jobs at a time),
then compares the .BTF section of each result, byte for byte, with the
reference:

  --reference shipped     the .BTF the Debian kernel ships (made by pahole
                          1.30): CORPUS/vmlinux and CORPUS/dbg-modules/<rel>.ko
  --reference PAHOLE      the .BTF that PAHOLE (e.g. a pahole 1.31 binary) makes
                          with the same command lines on the same copies (kept in
                          SCRATCH/ref-<name>/ and reused when present)

Prints 'vmlinux: identical' (or 'differs'), 'modules: N/M identical', each
module that differs or fails, and exits 1 if anything differs or fails.
"""

import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import time

KBUILD_612_FLAGS = [
    '-j',
    '--btf_features=encode_force,var,float,enum64,decl_tag,type_tag,'
    'optimized_func,consistent_func,decl_tag_kfuncs',
    '--lang_exclude=rust',
]


def dump_btf(objcopy, elf, out):
    """Write the .BTF section of elf to out; False if it has none."""
    if os.path.exists(out):
        os.unlink(out)
    r = subprocess.run([objcopy, '--dump-section', '.BTF=' + out, elf,
                        os.devnull], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    # llvm-objcopy writes the dump before it fails on /dev/null as output.
    return os.path.exists(out)


def run(cmd, log):
    t0 = time.time()
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
    except OSError as e:
        if log is not None:
            log.append('%s: %s' % (' '.join(cmd), e))
        return 127, time.time() - t0
    if r.returncode and log is not None:
        log.append('%s: exit %d: %s' % (' '.join(cmd), r.returncode,
                                        r.stdout.decode(errors='replace')[:500]))
    return r.returncode, time.time() - t0


def fresh_copy(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(src, dst)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('corpus', help='the 6.12 corpus (fetch-kernel-6.12.sh DIR)')
    ap.add_argument('bindir', help='directory with llvm-btf-split-pahole-LEVEL')
    ap.add_argument('scratch', help='scratch directory (a few GB)')
    ap.add_argument('--level', default='1.30', choices=['1.30', '1.31'])
    ap.add_argument('--reference', default='shipped',
                    help="'shipped' or a pahole binary (default: shipped)")
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--limit', type=int, default=0,
                    help='only the first N modules (sorted by path)')
    ap.add_argument('--only', default='',
                    help='only modules whose path contains this string')
    ap.add_argument('--objcopy', default=shutil.which('llvm-objcopy-22') or
                    shutil.which('llvm-objcopy') or 'llvm-objcopy')
    ap.add_argument('--skip-vmlinux', action='store_true',
                    help='reuse SCRATCH/ours/vmlinux from an earlier run')
    ap.add_argument('--resume', action='store_true',
                    help='skip the modules SCRATCH/verdicts-LEVEL.txt has as '
                    'identical (each verdict is appended there as it comes)')
    args = ap.parse_args()

    tool = os.path.join(args.bindir, 'llvm-btf-split-pahole-' + args.level)
    if not os.path.exists(tool):
        sys.exit('no %s' % tool)
    pristine = os.path.join(args.corpus, 'pristine')
    ours = os.path.join(args.scratch, 'ours-' + args.level)
    if args.reference == 'shipped':
        ref = None
        refname = 'shipped'
    else:
        ref = os.path.abspath(args.reference)
        refname = 'ref-' + os.path.basename(os.path.dirname(os.path.dirname(
            ref))) + '-' + os.path.basename(ref)
    refdir = os.path.join(args.scratch, refname)
    btfdir = os.path.join(args.scratch, 'btf')
    os.makedirs(btfdir, exist_ok=True)
    log = []
    bad = []

    # vmlinux, in place on a copy of .tmp_vmlinux1's stand-in.
    vm = os.path.join(ours, 'vmlinux')
    def tmp_vmlinux1(dst):
        # pristine/vmlinux keeps an empty (allocated) .BTF; kbuild's
        # .tmp_vmlinux1 has none.
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        subprocess.run([args.objcopy, '--remove-section', '.BTF',
                        os.path.join(pristine, 'vmlinux'), dst], check=True)

    if not args.skip_vmlinux:
        tmp_vmlinux1(vm)
        rc, secs = run([tool, '-J'] + KBUILD_612_FLAGS + [vm], log)
        print('vmlinux: encoded in %.1f s (exit %d)' % (secs, rc), flush=True)
    refvm = os.path.join(args.corpus, 'vmlinux')
    if ref:
        refvm = os.path.join(refdir, 'vmlinux')
        if not os.path.exists(refvm):
            tmp_vmlinux1(refvm + '.tmp')
            rc, secs = run([ref, '-J'] + KBUILD_612_FLAGS + [refvm + '.tmp'],
                           log)
            os.replace(refvm + '.tmp', refvm)
            print('vmlinux: reference encoded in %.1f s' % secs, flush=True)
    a, b = os.path.join(btfdir, 'vmlinux.ours'), os.path.join(btfdir,
                                                              'vmlinux.ref')
    same = (dump_btf(args.objcopy, vm, a) and dump_btf(args.objcopy, refvm, b)
            and open(a, 'rb').read() == open(b, 'rb').read())
    print('vmlinux: %s' % ('identical' if same else 'differs'), flush=True)
    if not same:
        bad.append('vmlinux')

    # Modules, as Makefile.modfinal: in place, split on vmlinux.
    mods = []
    for root, _dirs, files in os.walk(os.path.join(pristine, 'modules')):
        for f in files:
            if f.endswith('.ko'):
                mods.append(os.path.relpath(os.path.join(root, f),
                                            os.path.join(pristine, 'modules')))
    mods.sort()
    if args.only:
        mods = [m for m in mods if args.only in m]
    if args.limit:
        mods = mods[:args.limit]
    verdicts = os.path.join(args.scratch, 'verdicts-%s.txt' % args.level)
    resumed = set()
    if args.resume and os.path.exists(verdicts):
        resumed = {l.split(None, 1)[1].strip() for l in open(verdicts)
                   if l.startswith('identical ')}
    vlog = open(verdicts, 'a')
    # The debug modules carry the shipped .BTF.
    dbg = os.path.join(args.corpus, 'dbg-modules')

    def one(rel):
        errs = []
        src = os.path.join(pristine, 'modules', rel)
        dst = os.path.join(ours, 'modules', rel)
        fresh_copy(src, dst)
        rc, secs = run([tool, '-J'] + KBUILD_612_FLAGS + ['--btf_base', vm,
                                                          dst], errs)
        if rc:
            return rel, 'failed', errs
        if ref:
            refko = os.path.join(refdir, 'modules', rel)
            if not os.path.exists(refko):
                fresh_copy(src, refko + '.tmp')
                rc, _ = run([ref, '-J'] + KBUILD_612_FLAGS +
                            ['--btf_base', refvm, refko + '.tmp'], errs)
                os.replace(refko + '.tmp', refko)
        else:
            refko = os.path.join(dbg, rel)
        key = rel.replace('/', '_')
        a = os.path.join(btfdir, key + '.ours')
        b = os.path.join(btfdir, key + '.ref')
        ha, hb = dump_btf(args.objcopy, dst, a), dump_btf(args.objcopy, refko, b)
        if not ha and not hb:
            return rel, 'identical', errs  # neither has BTF
        if ha and hb and open(a, 'rb').read() == open(b, 'rb').read():
            os.unlink(a)
            os.unlink(b)
            return rel, 'identical', errs
        return rel, 'differs', errs

    counts = {'identical': 0, 'differs': 0, 'failed': 0}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        counts['identical'] = len([m for m in mods if m in resumed])
        for rel, verdict, errs in ex.map(one, [m for m in mods
                                               if m not in resumed]):
            vlog.write('%s %s\n' % (verdict, rel))
            vlog.flush()
            counts[verdict] += 1
            if verdict != 'identical':
                bad.append(rel)
                print('module %s: %s' % (rel, verdict), flush=True)
                for e in errs:
                    print('  ' + e)
    print('modules: %d/%d identical, %d differ, %d failed (level %s, '
          'reference %s)' % (counts['identical'], len(mods), counts['differs'],
                             counts['failed'], args.level, refname))
    for l in log:
        print(l)
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
