#!/usr/bin/env bash
# check-distill.sh - distilled base BTF (.BTF.base) against pahole's.
#
# Usage: utils/check-distill.sh CORPUS PAHOLE [BUILD] [WORKDIR]
#   CORPUS: a kernel corpus made by shared/corpus/fetch-kernel-6.12.sh
#   (pristine/modules/, vmlinux with .BTF). PAHOLE: the reference pahole
#   (1.30, built by shared/anchors/build-pahole.sh). BUILD: the build
#   directory (default: build). WORKDIR: kept results (default: a temporary
#   directory, removed at the end).
#   MAX=N: the first N modules by path (default 60).
#   EVERY=K: every K-th module by path (the 1st, the K+1-th, ...), then MAX:
#   a sample of the whole tree rather than its first directory.
#   MODDIR=DIR: take the modules from DIR instead of CORPUS/pristine/modules
#   (e.g. CORPUS/dbg-modules: pahole then replaces the shipped .BTF).
#   OURS_PAHOLE=PATH: also encode each module with this pahole personality
#   (e.g. build/bin/llvm-btf-split-pahole-1.30) and the same flags, and
#   compare its .BTF and .BTF.base with pahole's byte for byte.
#
# For each module, as kbuild 6.12 builds an external module (M=):
#   pahole -J $PAHOLE_FLAGS --btf_features=distilled_base --btf_base vmlinux M.ko
# gives the reference .BTF and .BTF.base. The same pahole without
# distilled_base gives plain split BTF, which
#   llvm-btf-split --distill --btf-base vmlinux M.ko --detached OUT
# must turn into the same two sections, byte for byte.
set -euo pipefail

CORPUS=${1:?usage: $0 CORPUS PAHOLE [BUILD] [WORKDIR]}
PAHOLE=${2:?usage: $0 CORPUS PAHOLE [BUILD] [WORKDIR]}
BUILD=${3:-build}
WORK=${4:-}
MAX=${MAX:-60}
TOOL=$(cd "$BUILD" && pwd)/bin/llvm-btf-split
OBJCOPY=${LLVM_OBJCOPY:-$(command -v llvm-objcopy-22 || echo /usr/lib/llvm-22/bin/llvm-objcopy)}
export LLVM_OBJCOPY=$OBJCOPY
[ -x "$TOOL" ] || { echo "no $TOOL: build first" >&2; exit 2; }
if [ -z "$WORK" ]; then
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK"
FLAGS="-J -j1 --btf_features=encode_force,var,float,enum64,decl_tag,type_tag,optimized_func,consistent_func,decl_tag_kfuncs --lang_exclude=rust"
VMLINUX=$CORPUS/vmlinux
MODDIR=${MODDIR:-$CORPUS/pristine/modules}

EVERY=${EVERY:-1}
# No `| head` here: with pipefail, a writer killed by SIGPIPE when head has
# read enough would end the script silently.
(cd "$MODDIR" && find . -name '*.ko' | sort) > "$WORK/all"
awk -v k="$EVERY" -v max="$MAX" '(NR - 1) % k == 0 && n < max { print; n++ }' \
  "$WORK/all" > "$WORK/list"
n=0 same=0 encsame=0 empty=0
while read -r m; do
  n=$((n + 1))
  d="$WORK/m$n"
  mkdir -p "$d"
  cp "$MODDIR/$m" "$d/plain.ko"
  cp "$MODDIR/$m" "$d/dist.ko"
  "$PAHOLE" $FLAGS --btf_base "$VMLINUX" "$d/plain.ko" > "$d/pahole.log" 2>&1
  "$PAHOLE" $FLAGS --btf_features=distilled_base --btf_base "$VMLINUX" "$d/dist.ko" >> "$d/pahole.log" 2>&1
  if ! "$OBJCOPY" --dump-section .BTF="$d/ref.btf" --dump-section .BTF.base="$d/ref.base" \
       "$d/dist.ko" "$d/junk" 2> /dev/null; then
    # No types at all: pahole writes nothing.
    empty=$((empty + 1))
    echo "EMPTY  $m"
    continue
  fi
  if "$TOOL" --distill --btf-base "$VMLINUX" "$d/plain.ko" --detached "$d/ours.btf" &&
     cmp -s "$d/ours.btf" "$d/ref.btf" && cmp -s "$d/ours.btf.base" "$d/ref.base"; then
    same=$((same + 1))
    echo "SAME   $m ($(stat -c %s "$d/ref.btf") + $(stat -c %s "$d/ref.base") bytes)"
  else
    echo "DIFF   $m"
  fi
  if [ -n "${OURS_PAHOLE:-}" ]; then
    cp "$MODDIR/$m" "$d/enc.ko"
    if "$OURS_PAHOLE" $FLAGS --btf_features=distilled_base --btf_base "$VMLINUX" "$d/enc.ko" &&
       "$OBJCOPY" --dump-section .BTF="$d/enc.btf" --dump-section .BTF.base="$d/enc.base" \
         "$d/enc.ko" "$d/junk" &&
       cmp -s "$d/enc.btf" "$d/ref.btf" && cmp -s "$d/enc.base" "$d/ref.base"; then
      encsame=$((encsame + 1))
    else
      echo "ENCODE-DIFF $m"
    fi
  fi
  rm -f "$d"/*.ko "$d/junk"
done < "$WORK/list"

checked=$((n - empty))
echo "distill: $same/$checked modules with .BTF and .BTF.base byte-identical to $PAHOLE's ($empty without BTF)"
status=0
[ "$same" -eq "$checked" ] || status=1
if [ -n "${OURS_PAHOLE:-}" ]; then
  echo "encode: $encsame/$checked modules encoded by $OURS_PAHOLE byte-identical"
  [ "$encsame" -eq "$checked" ] || status=1
fi
echo "check-distill: $([ $status -eq 0 ] && echo ok || echo FAILED)"
exit $status
