#!/usr/bin/env python3
"""kill-loop.py - crash safety of in-place .BTF writes.

Runs `llvm-btf-split [--btf-base BASE] FILE` in place on a copy of INPUT over
and over, killing it at a random moment of its run, and checks after every
kill that FILE is byte-identical either to the original or to the complete
new output (computed once beforehand): never a mix, never truncated.

The append writer (--elf-writer=append or auto) writes in place after the
end of the file and rewrites the ELF header last: a kill before that leaves
the original file followed by bytes nothing refers to. Such a file is counted
as "original + unreferenced tail" (its first bytes are the original, byte for
byte); any other file is corrupted.

With --output, runs `llvm-btf-split ... INPUT -o OUT` instead, OUT holding
a copy of INPUT beforehand: OUT must be that copy or the complete new output
after every kill, and INPUT must never change.

Usage: kill-loop.py --tool T --input ELF [--base B] [--kills N] [--seed S]
                    [--signals KILL,TERM,INT] [--output] [--arg A]...
Prints the counts and exits 1 if any file was corrupted.
"""

import argparse
import glob
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time


def digest(path, size=None):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        left = size
        while True:
            chunk = f.read(1 << 22 if left is None else min(1 << 22, left))
            if not chunk:
                break
            h.update(chunk)
            if left is not None:
                left -= len(chunk)
                if not left:
                    break
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tool", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--base")
    ap.add_argument("--kills", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--signals", default="KILL,TERM,INT")
    ap.add_argument("--output", action="store_true",
                    help="write with -o to a second file, not in place")
    ap.add_argument("--arg", action="append", default=[],
                    help="pass this argument to the tool (repeatable)")
    args = ap.parse_args()
    print("kill-loop: seed %d, %d kills, %s" % (
        args.seed, args.kills, "-o" if args.output else "in place"))
    rng = random.Random(args.seed)
    sigs = [getattr(signal, "SIG" + s) for s in args.signals.split(",")]

    work = tempfile.mkdtemp(prefix="btf-kill-")
    target = os.path.join(work, os.path.basename(args.input))
    source = target
    cmd = [args.tool] + args.arg + (["--btf-base", args.base]
                                    if args.base else [])
    if args.output:
        source = os.path.join(work, "in-" + os.path.basename(args.input))
        shutil.copyfile(args.input, source)
        cmd += [source, "-o", target]
    else:
        cmd.append(target)
    src_digest = digest(args.input)

    # The complete new output, and how long a run takes.
    shutil.copyfile(args.input, target)
    old = digest(target)
    old_size = os.path.getsize(target)
    t0 = time.monotonic()
    subprocess.run(cmd, check=True)
    full = time.monotonic() - t0
    new = digest(target)
    if new == old:
        sys.exit("the tool did not change %s; nothing to test" % args.input)

    counts = {"original": 0, "new": 0, "corrupted": 0, "finished": 0,
              "temp-left": 0, "tail": 0}
    for i in range(args.kills):
        shutil.copyfile(args.input, target)
        os.chmod(target, 0o644)
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, full * 1.1))
        sig = rng.choice(sigs)
        if p.poll() is None:
            p.send_signal(sig)
        else:
            counts["finished"] += 1
        p.wait()
        d = digest(target)
        if d == old:
            counts["original"] += 1
        elif d == new:
            counts["new"] += 1
        elif (os.path.getsize(target) > old_size and
              digest(target, old_size) == old):
            counts["tail"] += 1
        else:
            counts["corrupted"] += 1
            shutil.copyfile(target, os.path.join(work, "corrupted-%d" % i))
            print("kill %d (%s): corrupted output kept in %s" % (
                i, signal.Signals(sig).name, work), file=sys.stderr)
        leftovers = [f for f in glob.glob(os.path.join(work, "*"))
                     if f != target and not os.path.basename(f).startswith(
                         "corrupted-")]
        if args.output and digest(source) != src_digest:
            counts["corrupted"] += 1
            print("kill %d: the input changed" % i, file=sys.stderr)
            shutil.copyfile(args.input, source)
        leftovers = [f for f in leftovers if f != source]
        if leftovers:
            counts["temp-left"] += 1
            for f in leftovers:
                os.unlink(f)

    print("kills: %d (run takes %.3f s; %d runs had finished before the "
          "signal)" % (args.kills, full, counts["finished"]))
    print("original intact: %d, original + unreferenced tail: %d, complete "
          "new output: %d, corrupted: %d" % (
              counts["original"], counts["tail"], counts["new"],
              counts["corrupted"]))
    print("runs that left a temporary file behind (SIGKILL cannot be "
          "caught): %d" % counts["temp-left"])
    if not counts["corrupted"]:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if counts["corrupted"] else 0)


if __name__ == "__main__":
    main()
