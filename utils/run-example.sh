#!/usr/bin/env bash
# run-example.sh - build the example kernel in example/ and run llvm-btf-split on it.
#
# Usage: utils/run-example.sh [BUILD_DIR]      (BUILD_DIR defaults to ./build, where
#                                               llvm-btf-split must already be built)
# Environment: CC=gcc builds the example with gcc and GNU ld (default: clang-22 and
#   ld.lld); EXAMPLE_DEBUG_FLAGS (default -g) sets the example's debug-info flags;
#   EXAMPLE_BUILD_DIR (default BUILD_DIR/example) is where the example is built;
#   LLVM_BTF_SPLIT (default BUILD_DIR/bin/llvm-btf-split) is the tool to run; BTFCMP
#   (default ../shared/tools/btfcmp.py beside the clone, when present) is the comparator.
#
# The main job, as kbuild does it with pahole, but with llvm-btf-split, run by the
# example's own build through the CMake functions (cmake/modules/):
#   llvm-btf-split vmlinux.unbtf vmlinux                        # vmlinux with .BTF
#   llvm-btf-split --btf-base vmlinux MOD.ko.o MOD.ko           # split BTF, per module
# then --verify and --dump of each result (and the dump compared with bpftool's,
# the BTF with pahole's when pahole and btfcmp.py are at hand: BTFCMP=PATH, else
# ../shared/tools/btfcmp.py beside the checkout; PAHOLE=PATH picks the pahole).
# Any rejected BTF, dump difference or pahole difference fails the run (exit 1).
# Outputs go to BUILD_DIR/example/out/.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
src="$(cd "$here/.." && pwd)"
BUILD="${1:-$src/build}"
TOOL="${LLVM_BTF_SPLIT:-$BUILD/bin/llvm-btf-split}"
[ -x "$TOOL" ] || { echo "error: '$TOOL' not found: build llvm-btf-split first (ninja -C $BUILD)" >&2; exit 1; }
TOOL="$(cd "$(dirname "$TOOL")" && pwd)/$(basename "$TOOL")"

EX="${EXAMPLE_BUILD_DIR:-$BUILD/example}"
mkdir -p "$EX"
EX="$(cd "$EX" && pwd)"
OUT="$EX/out"
cmake_args=(-G Ninja -S "$src/example" -B "$EX" "-DEXAMPLE_DEBUG_FLAGS=${EXAMPLE_DEBUG_FLAGS:--g}"
  "-DLLVMBTFSplit_DIR=$BUILD/lib/cmake/LLVMBTFSplit" "-DLLVM_BTF_SPLIT_EXECUTABLE=$TOOL")
[ -n "${CC:-}" ] && cmake_args+=("-DCMAKE_C_COMPILER=$CC")

echo "== building the example kernel in $EX"
cmake "${cmake_args[@]}" >"$EX/configure.log" 2>&1 || { cat "$EX/configure.log" >&2; exit 1; }
ninja -C "$EX" >"$EX/build.log" 2>&1 || { cat "$EX/build.log" >&2; exit 1; }
rm -rf "$OUT"
mkdir -p "$OUT"
cp "$EX/vmlinux" "$OUT/vmlinux"
mapfile -t modules <"$EX/modules.txt"
for m in "${modules[@]}"; do cp "$EX/modules/$m.ko" "$OUT/$m.ko"; done
cd "$OUT"
echo "   vmlinux and ${#modules[@]} modules: ${modules[*]}"

base=vmlinux
obj() { if [ "$1" = vmlinux ]; then echo vmlinux; else echo "$1.ko"; fi; }
for f in vmlinux "${modules[@]}"; do
  llvm-objcopy-22 --dump-section ".BTF=$f.btf" "$(obj "$f")" "$f.scratch" 2>/dev/null ||
    /usr/lib/llvm-22/bin/llvm-objcopy --dump-section ".BTF=$f.btf" "$(obj "$f")" "$f.scratch"
  rm -f "$f.scratch"
done

failed=0
echo "== verify"
for f in vmlinux "${modules[@]}"; do
  args=()
  [ "$f" = vmlinux ] || args=(--btf-base "$base")
  if "$TOOL" "${args[@]}" --verify "$(obj "$f")"; then
    echo "   $f: ok ($(wc -c <"$f.btf") bytes of BTF)"
  else
    echo "   $f: REJECTED"
    failed=1
  fi
done

for f in vmlinux "${modules[@]}"; do
  args=()
  [ "$f" = vmlinux ] || args=(--btf-base "$base")
  "$TOOL" "${args[@]}" --dump "$(obj "$f")" >"$f.dump.txt"
  if command -v bpftool >/dev/null; then
    bargs=()
    [ "$f" = vmlinux ] || bargs=(-B "$base")
    bpftool "${bargs[@]}" btf dump file "$(obj "$f")" format raw >"$f.bpftool.txt"
    if cmp -s "$f.dump.txt" "$f.bpftool.txt"; then
      same="identical to bpftool's"
    else
      same="DIFFERS from bpftool's"
      failed=1
    fi
  else
    same="bpftool not installed, not compared"
  fi
  echo "== llvm-btf-split ${args[*]}${args[*]:+ }--dump $(obj "$f") | head   ($(wc -l <"$f.dump.txt") lines, $same)"
  head -n 12 "$f.dump.txt"
done

# Compare with pahole's BTF when pahole and the comparator are at hand: a
# difference fails the run. Each line shows btfcmp.py's verdict ('result:').
btfcmp="${BTFCMP:-}"
if [ -z "$btfcmp" ] && [ -f "$src/../shared/tools/btfcmp.py" ]; then
  btfcmp="$src/../shared/tools/btfcmp.py"
fi
PAHOLE="${PAHOLE:-pahole}"
# cmp_pahole NAME BTCMP-ARGS...: run btfcmp.py cmp, print its verdict, and on
# a difference also its first details; a difference fails the run.
cmp_pahole() {
  local name="$1" log
  shift
  log="pahole/$name.cmp.txt"
  if python3 "$btfcmp" cmp "$@" --show 3 >"$log" 2>&1; then
    echo "   $name: $(grep -m1 '^result:' "$log" || tail -n 1 "$log")"
  else
    echo "   $name: $(grep -m1 '^result:' "$log" || echo "btfcmp.py failed: $(tail -n 1 "$log")")"
    sed -n '1,20p' "$log" | sed 's/^/      /'
    failed=1
  fi
}
if command -v "$PAHOLE" >/dev/null && [ -n "$btfcmp" ]; then
  echo "== comparing with $PAHOLE -J (btfcmp.py cmp)"
  mkdir -p pahole
  cp vmlinux pahole/vmlinux
  "$PAHOLE" -J --btf_gen_floats --lang_exclude=rust pahole/vmlinux
  cmp_pahole vmlinux vmlinux.btf pahole/vmlinux
  for m in "${modules[@]}"; do
    cp "$m.ko" "pahole/$m.ko"
    "$PAHOLE" -J --btf_gen_floats --lang_exclude=rust --btf_base pahole/vmlinux "pahole/$m.ko"
    cmp_pahole "$m" "$m.btf" "pahole/$m.ko" --base vmlinux.btf --base-b pahole/vmlinux
  done
elif [ -n "$btfcmp" ]; then
  echo "== $PAHOLE not installed: not compared with pahole"
else
  echo "== btfcmp.py not found (BTFCMP=PATH, or ../shared/tools/btfcmp.py): not compared with pahole"
fi

echo "== outputs in $OUT"
if [ "$failed" != 0 ]; then
  echo "run-example: FAILED" >&2
  exit 1
fi
echo "run-example: ok"
