#!/usr/bin/env python3
"""growth.py - how the cost of pahole 1.24 and llvm-btf-split grows with the input.

Runs both tools, one process per input and single-threaded (-j1 for both), on
a spread of corpus modules (picked evenly over the sorted input sizes, so
small and large ones are both there) and on vmlinux, and reports for each
input its size (bytes of .debug_info), CPU time (user+sys), wall time and
peak RSS. Modules are split against the vmlinux base as kbuild does;
vmlinux is encoded to a detached file. Writes a Markdown table and an SVG
plot (log-log: CPU seconds and peak RSS against .debug_info bytes).

With --batch-corpus DIR (a fetch-kernel-6.12.sh corpus, e.g. the amd64
flavour's) it also runs `--batch -j2` on the first N of that corpus's
modules spread evenly over its sorted list, for each N of --batch-points
(0: all), and adds a third panel: the batch's peak RSS and CPU time against
the number of modules (bounded memory: the base is read once, each worker
holds one module at a time). The batch runs at the 1.30 level with kbuild
6.12's features when the tool has --pahole-compat.

Usage: growth.py --corpus DIR [--tool PATH] [--pahole PATH] [--modules N]
                 [--runs N] [--markdown FILE] [--svg FILE]
                 [--batch-corpus DIR [--batch-points N,N,...]]
"""

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

# The same command runner and pahole flags as the benchmark (utils/bench.py).
from bench import PAHOLE_FLAGS, PAHOLE_FLAGS_612, run


def debug_info_size(path):
    """Size of .debug_info from the ELF section headers (llvm-readelf)."""
    readelf = shutil.which("llvm-readelf-22") or "/usr/lib/llvm-22/bin/llvm-readelf"
    out = subprocess.run([readelf, "-S", "-W", path], capture_output=True,
                         text=True, check=True).stdout
    for line in out.splitlines():
        f = line.replace("]", "] ").split()
        if ".debug_info" in f:
            i = f.index(".debug_info")
            return int(f[i + 4], 16)
    return 0


def batch_panel(parts, ox, W, H, M, scale):
    """Third panel: --batch -j2 peak RSS (MB, left axis, blue) and CPU
    seconds (right axis, grey) against the number of modules, linear."""
    nmax = max(n for n, _, _, _ in scale)
    rmax = max(r for _, _, _, r in scale) * 1.25
    cmax = max(c for _, _, c, _ in scale) * 1.25

    def X(n):
        return ox + M + n / nmax * (W - 2 * M)

    def Y(v, vmax):
        return H - M + 20 - v / vmax * (H - 2 * M)

    parts.append('<text x="%d" y="16" font-weight="bold">--batch -j2, amd64 '
                 'flavour: memory stays flat</text>' % (ox + M))
    parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" '
                 'stroke="#888"/>' % (ox + M, M - 10, W - 2 * M, H - 2 * M + 30))
    for n, _, _, _ in scale:
        parts.append('<text x="%.1f" y="%d" text-anchor="middle">%d</text>' % (
            X(n), H - M + 36, n))
    for frac in (0, 0.5, 1):
        parts.append('<text x="%d" y="%.1f" text-anchor="end" fill="#1f77b4">'
                     '%.0f</text>' % (ox + M - 4, Y(rmax * frac / 1.25, rmax) + 4,
                                      rmax * frac / 1.25))
        parts.append('<text x="%d" y="%.1f" fill="#555">%.0f</text>' % (
            ox + W - M + 4, Y(cmax * frac / 1.25, cmax) + 4, cmax * frac / 1.25))
    parts.append('<text x="%d" y="%d" text-anchor="middle">modules in the '
                 'batch</text>' % (ox + W / 2, H + 24))
    parts.append('<text x="%d" y="%d" transform="rotate(-90 %d %d)" '
                 'text-anchor="middle" fill="#1f77b4">peak RSS, MB</text>' % (
                     ox + 12, H / 2, ox + 12, H / 2))
    parts.append('<text x="%d" y="%d" transform="rotate(90 %d %d)" '
                 'text-anchor="middle" fill="#555">CPU s (user+sys)</text>' % (
                     ox + W - 8, H / 2, ox + W - 8, H / 2))
    for key, idx, vmax, color in (("rss", 3, rmax, "#1f77b4"),
                                  ("cpu", 2, cmax, "#555")):
        pts = " ".join("%.1f,%.1f" % (X(e[0]), Y(e[idx], vmax)) for e in scale)
        parts.append('<polyline points="%s" fill="none" stroke="%s"%s/>' % (
            pts, color, ' stroke-dasharray="4 3"' if key == "cpu" else ""))
        for e in scale:
            parts.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (
                X(e[0]), Y(e[idx], vmax), color))


def svg_plot(points, path, scale=None):
    """points: list of (size, tool, cpu, rss). Two log-log panels, and the
    --batch panel when scale (list of (modules, wall, cpu, rss MB)) is
    given."""
    W, H, M = 420, 300, 50
    colors = {"pahole 1.24": "#d62728", "llvm-btf-split": "#1f77b4"}
    xs = [p[0] for p in points if p[0] > 0]
    lx0, lx1 = math.log10(min(xs)), math.log10(max(xs))
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
             'font-family="sans-serif" font-size="11">' % (
                 (3 if scale else 2) * W, H + 30)]

    def panel(ox, idx, title, unit):
        ys = [p[idx] for p in points if p[idx] > 0]
        ly0, ly1 = math.log10(min(ys)), math.log10(max(ys))
        if ly1 - ly0 < 1e-9:
            ly1 = ly0 + 1

        def X(v):
            return ox + M + (math.log10(v) - lx0) / (lx1 - lx0) * (W - 2 * M)

        def Y(v):
            return H - M + 20 - (math.log10(v) - ly0) / (ly1 - ly0) * (H - 2 * M)

        parts.append('<text x="%d" y="16" font-weight="bold">%s</text>' % (
            ox + M, title))
        parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" '
                     'stroke="#888"/>' % (ox + M, M - 30 + 20, W - 2 * M,
                                           H - 2 * M + 30))
        for e in range(math.floor(lx0), math.ceil(lx1) + 1):
            v = 10 ** e
            if lx0 <= e <= lx1:
                parts.append('<text x="%.1f" y="%d" text-anchor="middle">'
                             '1e%d</text>' % (X(v), H - M + 36, e))
        for e in range(math.floor(ly0), math.ceil(ly1) + 1):
            v = 10 ** e
            if ly0 <= e <= ly1:
                parts.append('<text x="%d" y="%.1f" text-anchor="end">%g</text>'
                             % (ox + M - 4, Y(v) + 4, v))
        parts.append('<text x="%d" y="%d" text-anchor="middle">.debug_info '
                     'bytes</text>' % (ox + W / 2, H + 24))
        parts.append('<text x="%d" y="%d" transform="rotate(-90 %d %d)" '
                     'text-anchor="middle">%s</text>' % (
                         ox + 12, H / 2, ox + 12, H / 2, unit))
        for size, tool, *vals in points:
            v = vals[idx - 2]
            if size > 0 and v > 0:
                parts.append('<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s" '
                             'fill-opacity="0.7"/>' % (X(size), Y(v),
                                                       colors[tool]))

    panel(0, 2, "CPU time (user+sys), one process", "seconds")
    panel(W, 3, "peak RSS, one process", "MB")
    if scale:
        batch_panel(parts, 2 * W, W, H, M, scale)
    y = 30
    for tool, c in colors.items():
        parts.append('<circle cx="%d" cy="%d" r="4" fill="%s"/><text x="%d" '
                     'y="%d">%s</text>' % (W - 130, y, c, W - 122, y + 4, tool))
        y += 14
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--tool", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "build", "bin",
        "llvm-btf-split"))
    ap.add_argument("--pahole", default=shutil.which("pahole") or "pahole")
    ap.add_argument("--pahole-compat", default="1.24",
                    help="llvm-btf-split's --pahole-compat level (default 1.24,"
                    " the level of the 6.1 corpus and of pahole 1.24)")
    ap.add_argument("--modules", type=int, default=40,
                    help="number of modules, spread over the sizes")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--markdown")
    ap.add_argument("--svg")
    ap.add_argument("--batch-corpus")
    ap.add_argument("--batch-points", default="500,1000,2000,0",
                    help="module counts for --batch-corpus; 0 = all")
    args = ap.parse_args()

    corpus = os.path.abspath(args.corpus)
    # The tool and its compatibility level: every run of ours starts with it.
    tool = [os.path.abspath(args.tool), "--pahole-compat=" + args.pahole_compat]
    base = os.path.join(corpus, "vmlinux")
    moddir = os.path.join(corpus, "pristine", "modules")
    mods = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(moddir)
                  for f in fs if f.endswith(".ko"))
    sized = sorted((debug_info_size(m), m) for m in mods)
    n = min(args.modules, len(sized))
    picks = [sized[round(i * (len(sized) - 1) / max(1, n - 1))]
             for i in range(n)]
    picks = sorted(set(picks))
    vml = os.path.join(corpus, "pristine", "vmlinux")
    inputs = picks + [(debug_info_size(vml), vml)]
    work = tempfile.mkdtemp(prefix="btf-growth-")
    rows, points = [], []
    for size, path in inputs:
        is_vml = path == vml
        pa_out = os.path.join(work, "p.btf")
        our_out = os.path.join(work, "o.btf")
        pa = [args.pahole, "-J"] + PAHOLE_FLAGS + [
            "--btf_encode_detached=" + pa_out]
        ours = tool + ["-j1", path, "--detached", our_out]
        if not is_vml:
            pa += ["--btf_base", base]
            ours += ["--btf-base", base]
        pa.append(path)
        res = {}
        for tag, cmd in (("pahole 1.24", pa), ("llvm-btf-split", ours)):
            # run() gives peak RSS in KB; the table and plot use MB.
            runs = [(w, c, kb / 1024.0)
                    for w, c, kb in (run(cmd) for _ in range(args.runs))]
            res[tag] = tuple(statistics.median(r[i] for r in runs)
                             for i in range(3))
            points.append((size, tag, res[tag][1], res[tag][2]))
        name = "vmlinux" if is_vml else os.path.basename(path)
        rows.append((name, size, res["pahole 1.24"], res["llvm-btf-split"]))
        print("  %s done" % name, file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)

    lines = ["| input | .debug_info bytes | pahole CPU s | ours CPU s | CPU "
             "ratio | pahole RSS MB | ours RSS MB | RSS ratio |",
             "|---|---|---|---|---|---|---|---|"]
    for name, size, p, o in rows:
        lines.append("| %s | %d | %.3f | %.3f | %.2f | %.1f | %.1f | %.2f |" % (
            name, size, p[1], o[1], o[1] / p[1] if p[1] else 0, p[2], o[2],
            o[2] / p[2] if p[2] else 0))
    # Cost per MB of .debug_info, modules summed vs vmlinux.
    msz = sum(r[1] for r in rows if r[0] != "vmlinux")
    for tag, idx in (("pahole 1.24", 2), ("llvm-btf-split", 3)):
        mcpu = sum(r[idx][1] for r in rows if r[0] != "vmlinux")
        v = [r for r in rows if r[0] == "vmlinux"][0]
        lines.append("")
        lines.append("%s: modules above %.1f s CPU per 100 MB of .debug_info, "
                     "vmlinux %.1f s per 100 MB" % (
                         tag, mcpu / msz * 1e8, v[idx][1] / v[1] * 1e8))
    lines.append("")
    lines.append("one process per input, -j1, median of %d run(s); %d modules "
                 "picked evenly over the sorted .debug_info sizes, plus vmlinux"
                 % (args.runs, len(picks)))
    print("\n".join(lines))
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n".join(lines) + "\n")
    scale = batch_scale(args, tool) if args.batch_corpus else None
    if scale:
        lines += ["", "| modules | `--batch -j2` wall s | CPU s | peak RSS MB "
                  "| CPU ms per module |", "|---|---|---|---|---|"]
        for n, w, c, r in scale:
            lines.append("| %d | %.2f | %.2f | %.1f | %.1f |" % (
                n, w, c, r, c / n * 1000))
        print("\n".join(lines[-len(scale) - 2:]))
        if args.markdown:
            with open(args.markdown, "w") as f:
                f.write("\n".join(lines) + "\n")
    if args.svg:
        svg_plot(points, args.svg, scale)


def batch_scale(args, tool):
    """--batch -j2 on N modules of --batch-corpus, spread evenly over the
    sorted list, for each N of --batch-points: (N, wall, CPU, peak RSS MB)."""
    corpus = os.path.abspath(args.batch_corpus)
    base = os.path.join(corpus, "vmlinux")
    moddir = os.path.join(corpus, "pristine", "modules")
    mods = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(moddir)
                  for f in fs if f.endswith(".ko"))
    help_text = subprocess.run(tool + ["--help"], capture_output=True,
                               text=True).stdout
    extra = ["--btf-features=" + PAHOLE_FLAGS_612[0].split("=", 1)[1]]
    if "--pahole-compat" in help_text:
        extra.append("--pahole-compat=1.30")
    out = []
    for n in (int(x) for x in args.batch_points.split(",")):
        n = n if 0 < n < len(mods) else len(mods)
        pick = [mods[i * len(mods) // n] for i in range(n)]
        work = tempfile.mkdtemp(prefix="btf-batch-")
        w, c, kb = run(tool + ["-j2", "--btf-base", base, "--detached-dir",
                              work, "--batch"] + extra + pick)
        shutil.rmtree(work, ignore_errors=True)
        out.append((n, w, c, kb / 1024.0))
        print("  batch of %d modules done" % n, file=sys.stderr)
    return out


if __name__ == "__main__":
    main()
