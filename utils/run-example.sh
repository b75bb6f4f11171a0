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
# the BTF with pahole's when pahole and btfcmp.py are at hand). Outputs go to
# BUILD_DIR/example/out/.
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

# With the encoder, compare with pahole's BTF when the comparator is at hand.
btfcmp="${BTFCMP:-}"
if [ -z "$btfcmp" ] && [ -f "$src/../shared/tools/btfcmp.py" ]; then
  btfcmp="$src/../shared/tools/btfcmp.py"
fi
if command -v pahole >/dev/null && [ -n "$btfcmp" ]; then
  echo "== comparing with pahole -J (btfcmp.py cmp; informational)"
  mkdir -p pahole
  cp vmlinux pahole/vmlinux
  pahole -J --btf_gen_floats --lang_exclude=rust pahole/vmlinux
  python3 "$btfcmp" cmp vmlinux.btf pahole/vmlinux --show 3 | tail -n 1 | sed 's/^/   vmlinux: /' || true
  for m in "${modules[@]}"; do
    cp "$m.ko" "pahole/$m.ko"
    pahole -J --btf_gen_floats --lang_exclude=rust --btf_base pahole/vmlinux "pahole/$m.ko"
    python3 "$btfcmp" cmp "$m.btf" "pahole/$m.ko" --base vmlinux.btf --base-b pahole/vmlinux --show 3 |
      tail -n 1 | sed "s/^/   $m: /" || true
  done
fi

echo "== outputs in $OUT"
if [ "$failed" != 0 ]; then
  echo "run-example: FAILED" >&2
  exit 1
fi
echo "run-example: ok"
