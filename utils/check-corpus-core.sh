#!/usr/bin/env bash
# check-corpus-core.sh - check the BTF core (reader, dump, verifier, writer) on the kernel corpus.
#
# Usage: utils/check-corpus-core.sh CORPUS_DIR [BUILD_DIR]
#
# For CORPUS/vmlinux and every module in CORPUS/shipped-ko (read as split BTF on
# top of CORPUS/vmlinux), this checks the .BTF that shipped:
#   dump:      `llvm-btf-split [--btf-base vmlinux] --dump X` is byte-identical to
#              `bpftool [-B vmlinux] btf dump file X format raw`
#   verify:    `llvm-btf-split [--btf-base vmlinux] --verify X` accepts X
#   roundtrip: `llvm-btf-split [--btf-base vmlinux] --roundtrip X --detached OUT`
#              writes OUT byte-identical to X's .BTF section (llvm-objcopy --dump-section)
# It prints one count line per check and exits nonzero on any mismatch.
#
# Environment: JOBS (parallel jobs, default 2, at most 2: the machines have 2 cores),
#   LIMIT (check only the first N modules in sorted order, for a quick run),
#   KEEP_TMP=1 (keep the work directory), LLVM_TOOLS_DIR (default /usr/lib/llvm-22/bin),
#   OBJCOPY (default LLVM_TOOLS_DIR/llvm-objcopy),
#   BPFTOOL (default: bpftool on PATH, or /usr/sbin/bpftool),
#   LLVM_BTF_SPLIT (default BUILD_DIR/bin/llvm-btf-split).
set -euo pipefail

usage() { echo "usage: $0 CORPUS_DIR [BUILD_DIR]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
here="$(cd "$(dirname "$0")" && pwd)"
CORPUS="$(cd "$1" && pwd)" || usage
BUILD="${2:-$here/../build}"
TOOL="${LLVM_BTF_SPLIT:-$BUILD/bin/llvm-btf-split}"
LLVM_TOOLS_DIR="${LLVM_TOOLS_DIR:-/usr/lib/llvm-22/bin}"
OBJCOPY="${OBJCOPY:-$LLVM_TOOLS_DIR/llvm-objcopy}"
BPFTOOL="${BPFTOOL:-$(command -v bpftool || echo /usr/sbin/bpftool)}"
JOBS="${JOBS:-2}"
[ "$JOBS" -ge 1 ] && [ "$JOBS" -le 2 ] || { echo "error: JOBS must be 1 or 2" >&2; exit 2; }

VMLINUX="$CORPUS/vmlinux"
TOOL="$(command -v "$TOOL" || echo "$TOOL")"
OBJCOPY="$(command -v "$OBJCOPY" || echo "$OBJCOPY")"
for f in "$TOOL" "$OBJCOPY" "$BPFTOOL"; do
  [ -x "$f" ] || { echo "error: '$f' not found or not executable" >&2; exit 2; }
done
[ -e "$VMLINUX" ] || { echo "error: '$VMLINUX' not found" >&2; exit 2; }
[ -d "$CORPUS/shipped-ko" ] || { echo "error: '$CORPUS/shipped-ko' not found" >&2; exit 2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/check-corpus-core.XXXXXX")"
cleanup() { [ "${KEEP_TMP:-0}" = 1 ] && echo "work directory kept: $WORK" || rm -rf "$WORK"; }
trap cleanup EXIT

start=$(date +%s)

# check_one NAME FILE [BASE]: runs the three checks on one file and prints one
# result line per check: "<check> ok|FAIL <name> [reason]".
check_one() {
  local name="$1" file="$2" base="${3:-}"
  local d="$WORK/$(printf '%s' "$name" | tr '/' '_')"
  mkdir -p "$d"
  local ours=() theirs=()
  if [ -n "$base" ]; then
    ours=(--btf-base "$base")
    theirs=(-B "$base")
  fi

  # dump
  if ! "$BPFTOOL" "${theirs[@]}" btf dump file "$file" format raw >"$d/bpftool.txt" 2>"$d/bpftool.err"; then
    echo "dump FAIL $name bpftool failed: $(head -c 200 "$d/bpftool.err" | tr '\n' ' ')"
  elif ! "$TOOL" "${ours[@]}" --dump "$file" >"$d/ours.txt" 2>"$d/ours.err"; then
    echo "dump FAIL $name llvm-btf-split --dump failed: $(head -c 200 "$d/ours.err" | tr '\n' ' ')"
  elif ! cmp -s "$d/bpftool.txt" "$d/ours.txt"; then
    echo "dump FAIL $name differs from bpftool: $(diff "$d/bpftool.txt" "$d/ours.txt" | head -n 3 | tr '\n' ' ' | head -c 300)"
  else
    echo "dump ok $name"
  fi

  # verify
  if "$TOOL" "${ours[@]}" --verify "$file" >"$d/verify.out" 2>&1; then
    echo "verify ok $name"
  else
    echo "verify FAIL $name $(head -c 300 "$d/verify.out" | tr '\n' ' ')"
  fi

  # roundtrip: read and write back, compare with the section's bytes
  if ! "$OBJCOPY" --only-section=.BTF --dump-section ".BTF=$d/orig.btf" "$file" "$d/only-btf.o" 2>"$d/objcopy.err"; then
    echo "roundtrip FAIL $name llvm-objcopy failed: $(head -c 200 "$d/objcopy.err" | tr '\n' ' ')"
  elif ! "$TOOL" "${ours[@]}" --roundtrip "$file" --detached "$d/rt.btf" 2>"$d/rt.err"; then
    echo "roundtrip FAIL $name llvm-btf-split --roundtrip failed: $(head -c 200 "$d/rt.err" | tr '\n' ' ')"
  elif ! cmp -s "$d/orig.btf" "$d/rt.btf"; then
    echo "roundtrip FAIL $name $(wc -c <"$d/rt.btf") vs $(wc -c <"$d/orig.btf") bytes, $(cmp "$d/orig.btf" "$d/rt.btf" 2>&1 | head -n 1 | sed 's/.* differ: /first difference at /')"
  else
    echo "roundtrip ok $name"
  fi
  rm -rf "$d"
}
export -f check_one
export WORK TOOL OBJCOPY BPFTOOL

# The module list, relative to shipped-ko/, sorted so that runs are comparable.
(cd "$CORPUS/shipped-ko" && find . -name '*.ko' -type f | sed 's|^\./||' | LC_ALL=C sort) >"$WORK/modules.txt"
if [ -n "${LIMIT:-}" ]; then
  head -n "$LIMIT" "$WORK/modules.txt" >"$WORK/modules.limit" && mv "$WORK/modules.limit" "$WORK/modules.txt"
fi
nmod=$(wc -l <"$WORK/modules.txt")
[ "$nmod" -gt 0 ] || { echo "error: no modules in '$CORPUS/shipped-ko'" >&2; exit 2; }
total=$((nmod + 1))
echo "checking vmlinux and $nmod modules from $CORPUS with $JOBS job(s)"

{
  check_one vmlinux "$VMLINUX"
  export CORPUS VMLINUX
  # shellcheck disable=SC2016
  tr '\n' '\0' <"$WORK/modules.txt" |
    xargs -0 -P "$JOBS" -n 1 bash -c 'check_one "$1" "$CORPUS/shipped-ko/$1" "$VMLINUX"' _
} >"$WORK/results.txt"

status=0
summary() { # check word
  local n fails
  n=$(grep -c "^$1 ok " "$WORK/results.txt" || true)
  fails=$(grep -c "^$1 FAIL " "$WORK/results.txt" || true)
  echo "$1: $n/$total $2"
  if [ "$n" -ne "$total" ]; then
    status=1
    echo "  $fails failed, $((total - n - fails)) missing; first failures:"
    grep "^$1 FAIL " "$WORK/results.txt" | LC_ALL=C sort | head -n 10 | sed 's/^/    /'
  fi
}
summary dump identical
summary verify accepted
summary roundtrip identical
echo "took $(($(date +%s) - start)) s"
exit $status
