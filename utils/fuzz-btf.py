#!/usr/bin/env python3
"""fuzz-btf.py - mutate BTF files and check llvm-btf-split never crashes.

Usage: fuzz-btf.py --tool PATH --seed N --count N [--base BASE] --out DIR
                   FILE...

Each round takes one FILE, applies 1-4 random mutations (byte flips, whole
words set to 0/1/-1/0x80000000, truncation, insertion) and runs --verify,
--dump and --roundtrip on it (also with --btf-base BASE when given). Every
run must exit with 0 or 1 within 20 seconds; anything else (a signal, an
assertion, a hang) is reported and the input kept in DIR. Deterministic for
a given seed. Exit status 1 when something crashed.
"""

import argparse
import os
import random
import subprocess
import sys


def mutate(rng, d):
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        if op < 0.45 and d:
            d[rng.randrange(len(d))] = rng.randrange(256)
        elif op < 0.7 and len(d) > 28:
            p = rng.randrange(24, len(d) - 3) & ~3
            d[p:p + 4] = rng.choice([b"\xff\xff\xff\xff", b"\0\0\0\0",
                                     b"\1\0\0\0", b"\0\0\0\x80",
                                     bytes(rng.randrange(256)
                                           for _ in range(4))])
        elif op < 0.85:
            del d[rng.randrange(len(d) + 1):]
        else:
            p = rng.randrange(len(d) + 1)
            d[p:p] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--base")
    ap.add_argument("--out", required=True)
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    seeds = [open(f, "rb").read() for f in a.files]
    os.makedirs(a.out, exist_ok=True)
    cur = os.path.join(a.out, "cur.btf")
    bad = 0
    for i in range(a.count):
        data = mutate(rng, bytearray(rng.choice(seeds)))
        with open(cur, "wb") as f:
            f.write(data)
        runs = [["--verify", cur], ["--dump", cur],
                ["--roundtrip", cur, "--detached", cur + ".rt"]]
        if a.base:
            runs += [["--verify", "--btf-base", a.base, cur],
                     ["--dump", "--btf-base", a.base, cur]]
        for args in runs:
            try:
                r = subprocess.run([a.tool] + args, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, timeout=20)
                ok = r.returncode in (0, 1)
                why = "exit %d: %s" % (r.returncode, r.stderr[-200:])
            except subprocess.TimeoutExpired:
                ok, why = False, "timeout"
            if not ok:
                bad += 1
                keep = os.path.join(a.out, "crash%d.btf" % bad)
                with open(keep, "wb") as f:
                    f.write(data)
                print("round %d: %s %s -> %s" % (i, " ".join(args), why, keep))
    print("%d rounds, %d failures" % (a.count, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
