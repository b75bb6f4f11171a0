#!/usr/bin/env python3
"""check-elf-writers.py - the append writer against ObjCopy on a corpus.

For vmlinux (a copy with its emptied .BTF renamed, as kbuild's
.tmp_vmlinux.btf has none) and the first N modules (sorted) of
CORPUS/pristine/modules, each given the shipped BTF (CORPUS/vmlinux,
CORPUS/shipped-ko/<module>) through `llvm-btf-split --roundtrip --from-btf`:

  to a path   the output of the append writer is `llvm-objcopy --add-section
              .BTF=<raw>`'s output, byte for byte (cmp)
  in place    the file reads back as that output (elfcmp.py: ELF and program
              headers, every section header and its contents; the offsets of
              .BTF and .shstrtab aside), and the append writer wrote it
  objcopy     --elf-writer=objcopy's output is llvm-objcopy's, byte for byte

and, on the pristine vmlinux itself (its .BTF is empty and SHF_ALLOC, as
ld.lld leaves it in .tmp_vmlinux1), the fill: .BTF holds the BTF, everything
else reads back as before.

Usage: check-elf-writers.py --corpus DIR --tool T [--modules N] [--work DIR]
Prints one line per check and a summary; exits 1 on any mismatch.
"""

import argparse
import functools
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
print = functools.partial(print, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def same(a, b):
    return subprocess.run(["cmp", "-s", a, b]).returncode == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--tool", required=True)
    ap.add_argument("--objcopy", default=shutil.which("llvm-objcopy-22") or
                    "llvm-objcopy")
    ap.add_argument("--modules", type=int, default=40)
    ap.add_argument("--work")
    ap.add_argument("--no-vmlinux", action="store_true")
    args = ap.parse_args()
    corpus = os.path.abspath(args.corpus)
    work = args.work or tempfile.mkdtemp(prefix="btf-writers-")
    os.makedirs(work, exist_ok=True)
    elfcmp = [sys.executable, os.path.join(HERE, "elfcmp.py")]
    base = os.path.join(corpus, "vmlinux")
    moddir = os.path.join(corpus, "pristine", "modules")
    mods = sorted(os.path.relpath(os.path.join(dp, f), moddir)
                  for dp, _, fs in os.walk(moddir) for f in fs
                  if f.endswith(".ko"))
    mods = [m for m in mods
            if os.path.exists(os.path.join(corpus, "shipped-ko", m))]
    mods = mods[:args.modules]
    failures = []
    counts = {"path": 0, "inplace": 0, "objcopy": 0}

    def check(name, src, btf_source, base_args):
        raw = os.path.join(work, "raw.btf")
        run([args.tool, "--roundtrip", "--from-btf", btf_source] + base_args +
            [src, "--detached", raw])
        ref = os.path.join(work, "objcopy.elf")
        run([args.objcopy, "--remove-section", ".BTF", "--add-section",
             ".BTF=" + raw, src, ref])
        out = os.path.join(work, "append.elf")
        cmd = [args.tool, "--roundtrip", "--from-btf", btf_source] + base_args
        p = run(cmd + ["--stats", src, out], capture_output=True, text=True)
        ok_path = same(out, ref) and "written by append" in p.stderr
        os.unlink(out)
        shutil.copyfile(src, out)
        p = run(cmd + ["--stats", out], capture_output=True, text=True)
        c = subprocess.run(elfcmp + [out, ref], capture_output=True,
                           text=True)
        ok_inplace = c.returncode == 0 and "written by append" in p.stderr
        os.unlink(out)
        run(cmd + ["--elf-writer=objcopy", src, out])
        ok_objcopy = same(out, ref)
        os.unlink(out)
        os.unlink(ref)
        for k, ok in (("path", ok_path), ("inplace", ok_inplace),
                      ("objcopy", ok_objcopy)):
            counts[k] += ok
            if not ok:
                failures.append("%s: %s" % (name, k))
                print("MISMATCH %s (%s)" % (name, k))
                if k == "inplace":
                    print(p.stderr + c.stdout)

    if not args.no_vmlinux:
        vm = os.path.join(work, "vmlinux.nobtf")
        run([args.objcopy, "--rename-section=.BTF=.BTF.old",
             os.path.join(corpus, "pristine", "vmlinux"), vm])
        check("vmlinux", vm, base, [])
        os.unlink(vm)
        # The fill: pristine vmlinux's empty allocated .BTF.
        fill = os.path.join(work, "vmlinux.fill")
        shutil.copyfile(os.path.join(corpus, "pristine", "vmlinux"), fill)
        p = run([args.tool, "--roundtrip", "--from-btf", base, "--stats",
                 fill], capture_output=True, text=True)
        raw = os.path.join(work, "raw.btf")
        run([args.tool, "--roundtrip", base, "--detached", raw])
        got = os.path.join(work, "fill.btf")
        run([args.objcopy, "--dump-section", ".BTF=" + got, fill,
             os.path.join(work, "junk")])
        c = subprocess.run(elfcmp + [os.path.join(corpus, "pristine",
                                                  "vmlinux"), fill],
                           capture_output=True, text=True)
        rest = [l for l in c.stdout.splitlines() if "(.BTF)" not in l]
        ok = same(got, raw) and not rest and "(fill)" in p.stderr
        print("vmlinux fill of the empty allocated .BTF: %s" %
              ("ok" if ok else "MISMATCH"))
        if not ok:
            failures.append("vmlinux: fill")
            print(p.stderr + c.stdout)
        for f in (fill, got, os.path.join(work, "junk")):
            if os.path.exists(f):
                os.unlink(f)
        print("vmlinux: path %s, in place %s, objcopy writer %s" % tuple(
            "ok" if counts[k] else "MISMATCH"
            for k in ("path", "inplace", "objcopy")))
    vm_counts = dict(counts)
    for m in mods:
        check(m, os.path.join(moddir, m),
              os.path.join(corpus, "shipped-ko", m), ["--btf-base", base])
    n = len(mods)
    print("modules: %d; to a path byte-identical to llvm-objcopy: %d/%d; in "
          "place reading back as llvm-objcopy's: %d/%d; objcopy writer "
          "identical: %d/%d" % (
              n, counts["path"] - vm_counts["path"], n,
              counts["inplace"] - vm_counts["inplace"], n,
              counts["objcopy"] - vm_counts["objcopy"], n))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
