#!/usr/bin/env python3
"""bench.py - pahole 1.24 vs llvm-btf-split, side by side, in one run.

Runs both tools on the same machine in the same invocation and prints, for
each measurement, the median over --runs repetitions of: wall time, user+sys
CPU time, peak RSS and output bytes, with the ratios ours/pahole.

Measurements (inputs from fetch-kernel.sh's pristine/ copies, without .BTF):
  vmlinux-detached   encode vmlinux to a raw BTF file, -j1 and -j2 in turns;
                     the -j1 -> -j2 speed-up is the median of each run's
                     pair, and every -j2 output is compared with -j1's
  vmlinux-elf        encode vmlinux and write .BTF into (a copy of) the ELF, -j2
  vmlinux-elf-objcopy-only
                     reference: llvm-objcopy-22 --add-section .BTF=<our BTF>
                     on the same copy, i.e. the ObjCopy step alone, which
                     bounds any ELF write through LLVM's ObjCopy library
  modules-serial     every module, split against the vmlinux BTF, one at a time
  modules-inplace    the same, .BTF written into (a copy of) each module
                     in place, as kbuild's Makefile.modfinal does; output
                     bytes are the sizes of the written files
  modules-2jobs      the same with two processes at a time
  modules-batch-jN  ours only: --batch, one process, base loaded once, -j1
                     and -j2; outputs checked against modules-serial's

With the module measurements, per-module lines follow the table: median
module, peak RSS module by module against pahole's, the slowest module.

With --corpus612 DIR (a fetch-kernel-6.12.sh corpus) the same measurements
run on Debian 13's 6.12 kernel, named "612-...", against pahole 1.30
(--pahole130 PATH, required then) with kbuild 6.12's flags, ours through the
llvm-btf-split-pahole-1.30 link beside --tool with the same command line
(the 1.30 compatibility level); without that link, through
llvm-btf-split-pahole with those flags (1.24 rules: the table says so).
--corpus may then be omitted.

Usage: bench.py [--corpus DIR] [--corpus612 DIR --pahole130 PATH]
                [--tool PATH] [--runs N] [--modules N] [--module-stride N]
                [--only NAME,...] [--markdown FILE]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

PAHOLE_FLAGS = ["--btf_gen_floats", "--lang_exclude=rust"]
# kbuild 6.12's PAHOLE_FLAGS for pahole >= 1.26 (scripts/Makefile.btf), -j
# aside: bench.py passes -jN itself.
PAHOLE_FLAGS_612 = [
    "--btf_features=encode_force,var,float,enum64,decl_tag,type_tag,"
    "optimized_func,consistent_func,decl_tag_kfuncs", "--lang_exclude=rust"]


class Suite:
    """One corpus and the two tools' command lines for it."""

    def __init__(self, prefix, corpus, pahole, pahole_tag, pahole_flags,
                 ours_pahole, ours_args, ours_tag):
        self.prefix, self.corpus = prefix, corpus
        self.pahole, self.pahole_tag = pahole, pahole_tag
        self.pahole_flags = pahole_flags
        # Ours through the pahole personality (6.12) or its own CLI (6.1).
        self.ours_pahole, self.ours_args = ours_pahole, ours_args
        self.ours_tag = ours_tag


class Sample:
    def __init__(self, wall=0.0, cpu=0.0, rss_kb=0, out_bytes=0, count=0):
        self.wall, self.cpu, self.rss_kb = wall, cpu, rss_kb
        self.out_bytes, self.count = out_bytes, count
        # Per command of run_many: key -> (wall, cpu, rss_kb).
        self.per = {}


def run(cmd, env=None):
    """Run cmd; return (wall, user+sys, maxrss KB). Fails loudly."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         env=env)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit("command failed (%d): %s\n%s" % (p.returncode, " ".join(cmd),
                                                  err.decode(errors="replace")))
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def run_many(cmds, jobs, keys=None, env=None):
    """Run a list of commands, `jobs` at a time; return a Sample with the
    total wall time, summed CPU and the largest peak RSS of one process, and
    per command (keyed by `keys`) its own wall, CPU and peak RSS."""
    lock = threading.Lock()
    todo = list(zip(keys or range(len(cmds)), cmds))
    agg = Sample()

    def worker():
        while True:
            with lock:
                if not todo:
                    return
                key, cmd = todo.pop(0)
            wall, cpu, rss = run(cmd, env=env)
            with lock:
                agg.cpu += cpu
                agg.rss_kb = max(agg.rss_kb, rss)
                agg.count += 1
                agg.per[key] = (wall, cpu, rss)

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    agg.wall = time.monotonic() - t0
    return agg


def size_of(paths):
    return sum(os.path.getsize(p) for p in paths if os.path.exists(p))


def llvm_objcopy():
    return (shutil.which("llvm-objcopy-22") or
            "/usr/lib/llvm-22/bin/llvm-objcopy")


def btf_bytes_of_elf(path, work):
    """Size of the .BTF section of an ELF (via llvm-objcopy)."""
    out = os.path.join(work, "btf.section")
    subprocess.run([llvm_objcopy(), "--dump-section", ".BTF=" + out, path,
                    os.path.join(work, "junk")], check=True)
    return os.path.getsize(out)


def median_sample(samples):
    m = Sample(statistics.median(s.wall for s in samples),
               statistics.median(s.cpu for s in samples),
               int(statistics.median(s.rss_kb for s in samples)),
               samples[-1].out_bytes, samples[-1].count)
    # Per command: the median over the runs of each figure.
    for key in samples[-1].per:
        runs = [s.per[key] for s in samples if key in s.per]
        m.per[key] = tuple(statistics.median(r[i] for r in runs)
                           for i in range(3))
    return m


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus")
    ap.add_argument("--corpus612")
    ap.add_argument("--pahole130")
    ap.add_argument("--tool", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "build", "bin",
        "llvm-btf-split"))
    ap.add_argument("--pahole", default=shutil.which("pahole") or "pahole")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--modules", type=int, default=0,
                    help="use only the first N modules (sorted); 0 = all")
    ap.add_argument("--module-stride", type=int, default=1,
                    help="use every Nth module of the sorted list (a sample "
                    "spread over the whole corpus)")
    ap.add_argument("--only", default="",
                    help="comma-separated measurement names to run")
    ap.add_argument("--pahole-compat", default="1.24",
                    help="llvm-btf-split's --pahole-compat level on the 6.1 "
                    "corpus (default 1.24, the level of pahole 1.24)")
    ap.add_argument("--markdown", help="also write the table to this file")
    args = ap.parse_args()
    if not args.corpus and not args.corpus612:
        ap.error("--corpus or --corpus612 is required")
    if args.corpus612 and not args.pahole130:
        ap.error("--corpus612 needs --pahole130 PATH (pahole 1.30)")
    tool = os.path.abspath(args.tool)
    suites = []
    if args.corpus:
        suites.append(Suite("", os.path.abspath(args.corpus), args.pahole,
                            "pahole 1.24", PAHOLE_FLAGS, None, [],
                            "llvm-btf-split"))
    if args.corpus612:
        link = os.path.join(os.path.dirname(tool), "llvm-btf-split-pahole-1.30")
        tag = "llvm-btf-split 1.30"
        if not os.path.exists(link):
            link = os.path.join(os.path.dirname(tool), "llvm-btf-split-pahole")
            tag = "llvm-btf-split (1.24 rules)"
        suites.append(Suite("612-", os.path.abspath(args.corpus612),
                            os.path.abspath(args.pahole130), "pahole 1.30",
                            PAHOLE_FLAGS_612, link, PAHOLE_FLAGS_612, tag))
    lines = []
    for suite in suites:
        lines += run_suite(args, tool, suite)
        lines.append("")
    print("\n".join(lines))
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n".join(lines) + "\n")


def run_suite(args, tool_path, suite):
    # Every run of ours starts with the tool and its compatibility level.
    tool = [tool_path]
    # (A binary from before the compatibility levels follows 1.24's rules.)
    if "--pahole-compat" in subprocess.run([tool_path, "--help"],
                                           capture_output=True,
                                           text=True).stdout:
        tool.append("--pahole-compat=" + args.pahole_compat)
    corpus = suite.corpus
    pahole = suite.pahole
    P = suite.prefix
    PF = suite.pahole_flags
    vmlinux = os.path.join(corpus, "pristine", "vmlinux")
    base = os.path.join(corpus, "vmlinux")
    moddir = os.path.join(corpus, "pristine", "modules")
    modules = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(moddir)
                     for f in fs if f.endswith(".ko"))
    if args.module_stride > 1:
        modules = modules[::args.module_stride]
    if args.modules:
        modules = modules[:args.modules]
    only = set(filter(None, args.only.split(",")))
    work = tempfile.mkdtemp(prefix="btf-bench-")
    results = []  # (name, pahole Sample, ours Sample or None)

    def want(name):
        return not only or name in only or name[len(P):] in only

    raw = {}  # name -> (pahole Samples, our Samples), run by run

    def measure_group(entries):
        """Run each (name, pahole_fn, ours_fn) of entries --runs times,
        interleaved run by run, so that figures compared across entries
        (the -j1 -> -j2 speed-up) come from runs close in time."""
        entries = [e for e in entries if want(e[0])]
        if not entries:
            return
        acc = {name: ([], []) for name, _, _ in entries}
        for r in range(args.runs):
            for name, pahole_fn, ours_fn in entries:
                # Alternate the order so that cache effects fall on both
                # sides.
                order = [(pahole_fn, acc[name][0]), (ours_fn, acc[name][1])]
                if r % 2:
                    order.reverse()
                for fn, samples in order:
                    if fn:
                        samples.append(fn())
                print("  %s run %d/%d done" % (name, r + 1, args.runs),
                      file=sys.stderr)
        for name, _, _ in entries:
            ps, os_ = acc[name]
            raw[name] = acc[name]
            results.append((name, median_sample(ps) if ps else None,
                            median_sample(os_) if os_ else None))

    def measure(name, pahole_fn, ours_fn):
        measure_group([(name, pahole_fn, ours_fn)])

    def vm_detached(cmd_fn, out):
        def f():
            if os.path.exists(out):
                os.unlink(out)
            w, c, m = run(cmd_fn(out))
            return Sample(w, c, m, os.path.getsize(out), 1)
        return f

    # kbuild runs pahole on .tmp_vmlinux.btf, which has no .BTF yet; the
    # corpus's pristine vmlinux keeps an emptied, allocated .BTF (in a
    # segment), which llvm-btf-split refuses to replace (and objcopy cannot
    # remove: --emit-relocs relocations name __start_BTF). Both tools get a
    # copy with it renamed, made once outside the timing, and add a .BTF.
    nobtf = os.path.join(work, "vmlinux.nobtf")

    objcopy = llvm_objcopy()
    # pahole runs llvm-objcopy to add .BTF: the one kbuild names.
    pahole_env = dict(os.environ, LLVM_OBJCOPY=objcopy)
    help_text = subprocess.run(tool + ["--help"], capture_output=True,
                               text=True).stdout
    batch_args = []
    if suite.ours_pahole:
        batch_args = ["--btf-features=" + PF[0].split("=", 1)[1]]
        if "--pahole-compat" in help_text and "1.30" in suite.ours_tag:
            batch_args.append("--pahole-compat=1.30")

    def ours_vm(j, extra, path):
        """Our command for vmlinux at -jJ: detached (extra) or in place."""
        if suite.ours_pahole:
            det = ["--btf_encode_detached=" + extra[1]] if extra else []
            return [suite.ours_pahole, "-J", "-j%d" % j] + PF + det + [path]
        return tool + ["-j%d" % j, path] + extra

    def vm_fill(cmd_fn, name):
        def f():
            copy = os.path.join(work, name)
            shutil.copyfile(vmlinux, copy)
            w, c, m = run(cmd_fn(copy), env=pahole_env)
            return Sample(w, c, m, btf_bytes_of_elf(copy, work), 1)
        return f

    def vm_elf(cmd_fn, name):
        def f():
            if not os.path.exists(nobtf):
                subprocess.run([objcopy, "--rename-section=.BTF=.BTF.old",
                                vmlinux, nobtf], check=True)
            copy = os.path.join(work, name)
            shutil.copyfile(nobtf, copy)
            w, c, m = run(cmd_fn(copy), env=pahole_env)
            return Sample(w, c, m, btf_bytes_of_elf(copy, work), 1)
        return f

    # -j1 and -j2 run in turns; every -j2 output is compared with the -j1
    # output of the same run, which must be byte-identical.
    jobs_mismatch = []

    def ours_detached(j):
        out = os.path.join(work, "ours-j%d.btf" % j)
        f = vm_detached(lambda o: ours_vm(j, ["--detached", o], vmlinux), out)
        if j == 1:
            return f

        def g():
            s = f()
            j1_out = os.path.join(work, "ours-j1.btf")
            if os.path.exists(j1_out):
                with open(out, "rb") as a, open(j1_out, "rb") as b:
                    if a.read() != b.read():
                        jobs_mismatch.append(out)
            return s
        return g

    measure_group([(P + "vmlinux-detached-j%d" % j,
                    vm_detached(lambda o, pj=pj: [pahole, "-J"] + pj +
                                PF + ["--btf_encode_detached=" + o,
                                      vmlinux],
                                os.path.join(work, "pahole-j%d.btf" % j)),
                    ours_detached(j))
                   for j, pj in ((1, []), (2, ["-j2"] if P else ["-j"]))])
    measure(P + "vmlinux-elf-j2",
            vm_elf(lambda c: [pahole, "-J", "-j2" if P else "-j"] + PF + [c],
                   "vmlinux.pahole"),
            vm_elf(lambda c: ours_vm(2, [], c), "vmlinux.ours"))
    # kbuild with ld.lld: .tmp_vmlinux1 keeps an empty, allocated .BTF (as
    # the corpus's pristine vmlinux has it). pahole rewrites the whole file
    # through libelf; ours fills the section by appending.
    measure(P + "vmlinux-fill-j2",
            vm_fill(lambda c: [pahole, "-J", "-j2" if P else "-j"] + PF + [c],
                    "vmlinux.pahole-fill"),
            vm_fill(lambda c: ours_vm(2, [], c), "vmlinux.ours-fill"))
    # The raw BTF that llvm-objcopy adds is made once, outside the timing.
    oc_btf = os.path.join(work, "objcopy-input.btf")

    def oc_cmd(c):
        if not os.path.exists(oc_btf):
            subprocess.run(ours_vm(2, ["--detached", oc_btf], vmlinux),
                           check=True)
        return [objcopy, "--add-section", ".BTF=" + oc_btf, c]
    measure(P + "vmlinux-elf-objcopy-only", None,
            vm_elf(oc_cmd, "vmlinux.objcopy"))

    def mod_out(tag, m):
        return os.path.join(work, tag, os.path.relpath(m, moddir) + ".btf")

    for tag in ("pahole", "ours"):
        for m in modules:
            os.makedirs(os.path.dirname(mod_out(tag, m)), exist_ok=True)

    def pahole_mod(m):
        return [pahole, "-J", "--btf_base", base] + PF + [
            "--btf_encode_detached=" + mod_out("pahole", m), m]

    def ours_mod(m):
        if suite.ours_pahole:
            return [suite.ours_pahole, "-J", "--btf_base", base] + PF + [
                "--btf_encode_detached=" + mod_out("ours", m), m]
        return tool + ["-j1", "--btf-base", base, m, "--detached",
                mod_out("ours", m)]

    def mods(fn, tag, jobs):
        def f():
            s = run_many([fn(m) for m in modules], jobs,
                         [os.path.relpath(m, moddir) for m in modules])
            s.out_bytes = size_of(mod_out(tag, m) for m in modules)
            return s
        return f

    measure(P + "modules-serial", mods(pahole_mod, "pahole", 1),
            mods(ours_mod, "ours", 1))

    # As kbuild's Makefile.modfinal: .BTF written into each module in place,
    # one process at a time, on copies made outside the timing (pahole adds
    # the section with llvm-objcopy).
    def mods_inplace(tag, cmd_fn):
        def f():
            d = os.path.join(work, "inplace-" + tag)
            shutil.rmtree(d, ignore_errors=True)
            copies = []
            for m in modules:
                c = os.path.join(d, os.path.relpath(m, moddir))
                os.makedirs(os.path.dirname(c), exist_ok=True)
                shutil.copyfile(m, c)
                copies.append(c)
            s = run_many([cmd_fn(c) for c in copies], 1,
                         [os.path.relpath(m, moddir) for m in modules],
                         env=pahole_env)
            s.out_bytes = sum(os.path.getsize(c) for c in copies)
            shutil.rmtree(d, ignore_errors=True)
            return s
        return f

    def ours_inplace(c):
        if suite.ours_pahole:
            return [suite.ours_pahole, "-J", "--btf_base", base] + PF + [c]
        return tool + ["-j1", "--btf-base", base, c]
    measure(P + "modules-inplace",
            mods_inplace("pahole",
                         lambda c: [pahole, "-J", "--btf_base", base] + PF +
                         [c]),
            mods_inplace("ours", ours_inplace))
    measure(P + "modules-2jobs", mods(pahole_mod, "pahole", 2),
            mods(ours_mod, "ours", 2))

    # The batch form: one process, the base loaded once, every module
    # written as the one-module command writes it (checked below against the
    # modules-serial outputs when those ran).
    batch_mismatch = []

    def ours_batch(jobs):
        def f():
            outdir = os.path.join(work, "batch")
            shutil.rmtree(outdir, ignore_errors=True)
            os.makedirs(outdir)
            cmd = tool + ["-j%d" % jobs, "--btf-base", base, "--detached-dir",
                   outdir, "--batch"] + batch_args + modules
            w, c, m = run(cmd)
            for mod in modules:
                single = mod_out("ours", mod)
                got = os.path.join(outdir, os.path.basename(mod) + ".btf")
                if os.path.exists(single):
                    with open(single, "rb") as a, open(got, "rb") as b:
                        if a.read() != b.read():
                            batch_mismatch.append(mod)
            return Sample(w, c, m, sum(os.path.getsize(os.path.join(outdir, f))
                                       for f in os.listdir(outdir)),
                          len(modules))
        return f
    probe = subprocess.run(tool + ["--help"], capture_output=True, text=True)
    for jobs in (1, 2):
        if "--batch" in probe.stdout:
            measure(P + "modules-batch-j%d" % jobs, None, ours_batch(jobs))

    shutil.rmtree(work, ignore_errors=True)
    lines = ["%s: %s vs %s (%s)" % (corpus, suite.pahole_tag, suite.ours_tag,
                                    " ".join(PF))]
    lines += report(results, args, len(modules), suite)
    lines += speedup_report(raw, jobs_mismatch, suite)
    lines += per_module_report(results, suite)
    if batch_mismatch:
        lines.append("batch outputs differing from the one-module command: "
                     "%d (%s)" % (len(batch_mismatch),
                                  ", ".join(batch_mismatch[:5])))
    return lines


def fmt_ratio(a, b):
    return "%.2f" % (a / b) if a and b else "-"


def speedup_report(raw, jobs_mismatch, suite):
    """The -j1 -> -j2 speed-up on vmlinux, run by run."""
    P = suite.prefix
    if P + "vmlinux-detached-j1" not in raw or \
            P + "vmlinux-detached-j2" not in raw:
        return []
    out = [""]
    for i, tag in ((0, "%s (-j1 -> -j%s)" % (suite.pahole_tag,
                                             "2" if P else "")),
                   (1, "%s (-j1 -> -j2)" % suite.ours_tag)):
        j1, j2 = (raw[P + "vmlinux-detached-j1"][i],
                  raw[P + "vmlinux-detached-j2"][i])
        if not j1 or not j2:
            continue
        pairs = [a.wall / b.wall for a, b in zip(j1, j2)]
        out.append("vmlinux speed-up, %s: median %.2fx over %d runs "
                   "(each run's -j1 wall / its -j2 wall: %s)" % (
                       tag, statistics.median(pairs), len(pairs),
                       ", ".join("%.2f" % p for p in pairs)))
    if raw[P + "vmlinux-detached-j2"][1]:
        out.append("llvm-btf-split -j2 output differing from -j1: %d of %d "
                   "runs" % (len(jobs_mismatch),
                             len(raw[P + "vmlinux-detached-j2"][1])))
    return out


def per_module_report(results, suite):
    """Per-module lines: median module, RSS module by module, the largest."""
    P = suite.prefix
    by_name = {name: (p, o) for name, p, o in results}
    out = []
    serial = by_name.get(P + "modules-serial")
    if serial and serial[0] and serial[1] and serial[0].per:
        p, o = serial
        keys = sorted(set(p.per) & set(o.per))
        pw = statistics.median(p.per[k][0] for k in keys)
        ow = statistics.median(o.per[k][0] for k in keys)
        out.append("")
        out.append("per module (modules-serial, %d modules): median wall "
                   "pahole %.3f s, ours %.3f s (ratio %s); median peak RSS "
                   "pahole %.1f MB, ours %.1f MB" % (
                       len(keys), pw, ow, fmt_ratio(ow, pw),
                       statistics.median(p.per[k][2] for k in keys) / 1024.0,
                       statistics.median(o.per[k][2] for k in keys) / 1024.0))
        over = [k for k in keys if o.per[k][2] > p.per[k][2]]
        worst = max(keys, key=lambda k: o.per[k][2] / p.per[k][2])
        out.append("peak RSS above pahole's on %d of %d modules; highest "
                   "ratio %s: ours %.1f MB, pahole %.1f MB" % (
                       len(over), len(keys), worst, o.per[worst][2] / 1024.0,
                       p.per[worst][2] / 1024.0))
        big = max(keys, key=lambda k: p.per[k][0])
        out.append("slowest for pahole, %s: pahole %.2f s (%.2f s CPU, "
                   "%.1f MB), ours %.2f s (%.2f s CPU, %.1f MB)" % (
                       big, p.per[big][0], p.per[big][1],
                       p.per[big][2] / 1024.0, o.per[big][0], o.per[big][1],
                       o.per[big][2] / 1024.0))
    if serial and serial[0]:
        for name in (P + "modules-batch-j1", P + "modules-batch-j2"):
            if name in by_name and by_name[name][1]:
                b = by_name[name][1]
                out.append("%s vs pahole modules-serial: wall %s, CPU %s" % (
                    name, fmt_ratio(b.wall, serial[0].wall),
                    fmt_ratio(b.cpu, serial[0].cpu)))
    return out


def report(results, args, nmods, suite):
    out = ["| measurement | tool | wall s | user+sys s | peak RSS MB | output bytes | wall ratio | CPU ratio | RSS ratio |",
           "|---|---|---|---|---|---|---|---|---|"]
    for name, p, o in results:
        ours = ("llvm-objcopy-22 alone"
                if name.endswith("vmlinux-elf-objcopy-only")
                else suite.ours_tag)
        for tag, s in ((suite.pahole_tag, p), (ours, o)):
            if not s:
                continue
            ratios = ["", "", ""]
            if tag != suite.pahole_tag and p:
                ratios = [fmt_ratio(s.wall, p.wall), fmt_ratio(s.cpu, p.cpu),
                          fmt_ratio(s.rss_kb, p.rss_kb)]
            out.append("| %s | %s | %.2f | %.2f | %.1f | %d | %s |" % (
                name, tag, s.wall, s.cpu, s.rss_kb / 1024.0, s.out_bytes,
                " | ".join(ratios)))
    out.append("")
    out.append("median of %d runs; %d modules; machine: %d cores; ratios are "
               "ours/pahole (below 1 is better)" % (args.runs, nmods,
                                                     os.cpu_count()))
    return out


if __name__ == "__main__":
    main()
