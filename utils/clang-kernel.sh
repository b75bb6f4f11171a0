#!/usr/bin/env bash
# clang-kernel.sh - a real clang-built kernel, end to end: Debian's 6.12 source
# built with `make LLVM=1` (clang-22, ld.lld-22) and a small config
# (utils/clang-kernel.config on top of tinyconfig), its BTF made by a reference
# pahole and by llvm-btf-split-pahole from the same configured tree, compared
# file by file, and the kernel with our BTF booted under qemu with its modules
# and a CO-RE BPF program (fentry on a kernel and a module function).
#
# Usage: utils/clang-kernel.sh --cache DIR [options] [STEP...]
#   --cache DIR        keeps the source tree, the configured build tree, bpftool
#                      and the results between runs (required)
#   --tool PATH        the pahole to test (default: BUILD/bin/llvm-btf-split-pahole,
#                      BUILD=./build of this checkout)
#   --ref-pahole PATH  the reference pahole (default: $REF_PAHOLE, else pahole on PATH)
#   --results DIR      where the builds' outputs and the comparison go (default
#                      DIR/results; one per pair of paholes compared)
#   --source TARBALL   the kernel source (default: Debian's linux-source-6.12
#                      package file, /usr/src/linux-source-6.12.tar.xz)
#   -j N               make jobs (default 2; make runs under nice -n 10)
# Steps (default: all of them, in this order):
#   prepare            extract the source, configure DIR/build (once; again when
#                      the config fragment changes)
#   build-ref          build with the reference pahole: a full build the first
#                      time, later only what depends on BTF (vmlinux and the .ko
#                      files are relinked), nothing when the tree's last build
#                      used the same pahole; BTF, bzImage and modules are saved
#                      in DIR/results/ref
#   build-ours         the same with --tool, saved in DIR/results/ours
#   compare            every file's .BTF, ref against ours: byte-identical, or
#                      btfcmp.py's verdict (BTFCMP=PATH, else ../shared/tools/
#                      btfcmp.py); DIR/results/compare.txt
#   boot               boot ours under qemu-system-x86_64 (TCG): load the modules,
#                      check /sys/kernel/btf, dump vmlinux.h with bpftool, compile
#                      utils/clang-kernel-bpf.c against it, boot again and run it
# Prints a summary; DIR/results/summary.txt has the figures. Exit status: 0 when
# every step passed and every BTF is identical or equivalent, else 1.
# Needs: linux-source-6.12, clang-22, lld-22, llvm-22, make, flex, bison, bc,
# libelf-dev, libssl-dev, cpio, qemu-system-x86, busybox-static, python3.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
src="$(cd "$here/.." && pwd)"
CACHE="" TOOL="" REF="${REF_PAHOLE:-}" JOBS=2 RES=""
TARBALL=/usr/src/linux-source-6.12.tar.xz
steps=()
while [ $# -gt 0 ]; do
  case "$1" in
  --cache) CACHE="$2"; shift 2 ;;
  --tool) TOOL="$2"; shift 2 ;;
  --ref-pahole) REF="$2"; shift 2 ;;
  --source) TARBALL="$2"; shift 2 ;;
  --results) RES="$2"; shift 2 ;;
  -j) JOBS="$2"; shift 2 ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  -*) echo "error: unknown option '$1'" >&2; exit 2 ;;
  *) steps+=("$1"); shift ;;
  esac
done
[ -n "$CACHE" ] || { echo "error: --cache DIR is required" >&2; exit 2; }
[ ${#steps[@]} -gt 0 ] || steps=(prepare build-ref build-ours compare boot)
mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd)"
TOOL="${TOOL:-$src/build/bin/llvm-btf-split-pahole}"
REF="${REF:-$(command -v pahole || true)}"
abspath() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
KSRC="$CACHE/linux-source-6.12"
KOUT="$CACHE/build"
RES="${RES:-$CACHE/results}"
FRAG="$here/clang-kernel.config"
BPFSRC="$here/clang-kernel-bpf.c"
mkdir -p "$RES"
RES="$(cd "$RES" && pwd)"
SUMMARY="$RES/summary.txt"
note() { echo "$*" | tee -a "$SUMMARY"; }
kmake() { nice -n 10 make -C "$KSRC" O="$KOUT" LLVM=-22 "$@"; }
btfcmp="${BTFCMP:-}"
[ -z "$btfcmp" ] && [ -f "$src/../shared/tools/btfcmp.py" ] && btfcmp="$src/../shared/tools/btfcmp.py"
OBJCOPY=llvm-objcopy-22
failed=0

step_prepare() {
  if [ ! -f "$KSRC/.extracted" ]; then
    [ -f "$TARBALL" ] || { echo "error: $TARBALL not found: apt-get install linux-source-6.12 (bookworm-security)" >&2; exit 1; }
    echo "== extracting $TARBALL"
    rm -rf "$KSRC"
    tar -C "$CACHE" -xf "$TARBALL"
    touch "$KSRC/.extracted"
  fi
  local sum
  sum="$(sha256sum "$FRAG" | cut -d' ' -f1)"
  if [ -f "$KOUT/.config" ] && [ "$(cat "$KOUT/.fragment-sha256" 2>/dev/null)" = "$sum" ]; then
    echo "== $KOUT is configured"
    return
  fi
  [ -x "$REF" ] || { echo "error: reference pahole '$REF' not found (--ref-pahole)" >&2; exit 1; }
  echo "== configuring $KOUT: tinyconfig + $(basename "$FRAG")"
  mkdir -p "$KOUT"
  kmake -s PAHOLE="$REF" tinyconfig
  "$KSRC/scripts/kconfig/merge_config.sh" -m -O "$KOUT" "$KOUT/.config" "$FRAG" >"$KOUT/merge.log"
  kmake -s PAHOLE="$REF" olddefconfig
  local missing=0 l
  while read -r l; do
    grep -qx "$l" "$KOUT/.config" || { echo "error: $l did not make it into .config" >&2; missing=1; }
  done < <(grep '^CONFIG_' "$FRAG")
  [ $missing = 0 ] || exit 1
  echo "$sum" >"$KOUT/.fragment-sha256"
}

# build NAME PAHOLE: build (first time: everything; then what depends on BTF)
# and save the results in $RES/NAME.
build_with() {
  local name="$1" pahole="$2" kind t0="" t1
  [ -x "$pahole" ] || { echo "error: pahole '$pahole' not found" >&2; exit 1; }
  pahole="$(abspath "$pahole")"
  local stamp="$pahole $(sha256sum "$(readlink -f "$pahole")" | cut -d' ' -f1)"
  if [ -f "$KOUT/vmlinux" ] && [ "$(cat "$KOUT/.last-pahole" 2>/dev/null)" = "$stamp" ]; then
    kind="the tree's last build, made with the same PAHOLE"
    t0=$(date +%s)
  elif [ -f "$KOUT/vmlinux" ]; then
    kind="rebuild (vmlinux and modules relinked, changed objects recompiled)"
    rm -f "$KOUT/vmlinux" "$KOUT/arch/x86/boot/bzImage"
    find "$KOUT" -name '*.ko' -delete
  else
    kind="full build"
  fi
  echo "== $name: $kind with PAHOLE=$pahole ($("$pahole" --version)), make -j$JOBS"
  if [ -z "${t0:-}" ]; then
    rm -f "$KOUT/.last-pahole"
    t0=$(date +%s)
    if ! kmake -j"$JOBS" PAHOLE="$pahole" all >"$RES/build-$name.log" 2>&1; then
      tail -n 30 "$RES/build-$name.log" >&2
      echo "error: the $name build failed (log: $RES/build-$name.log)" >&2
      exit 1
    fi
    echo "$stamp" >"$KOUT/.last-pahole"
  fi
  t1=$(date +%s)
  rm -rf "${RES:?}/$name"
  mkdir -p "$RES/$name/btf" "$RES/$name/modules"
  cp "$KOUT/arch/x86/boot/bzImage" "$RES/$name/"
  $OBJCOPY --dump-section ".BTF=$RES/$name/btf/vmlinux.btf" "$KOUT/vmlinux" "$RES/$name/scratch"
  local ko rel n=0
  while read -r ko; do
    rel="${ko#"$KOUT"/}"
    cp "$ko" "$RES/$name/modules/"
    mkdir -p "$RES/$name/btf/$(dirname "$rel")"
    $OBJCOPY --dump-section ".BTF=$RES/$name/btf/$rel.btf" "$ko" "$RES/$name/scratch"
    n=$((n + 1))
  done < <(find "$KOUT" -name '*.ko' | sort)
  rm -f "$RES/$name/scratch"
  grep -m1 'PAHOLE_VERSION=' "$KOUT/.config" >"$RES/$name/pahole-version"
  local ncc=0
  [ -f "$RES/build-$name.log" ] && ncc=$(grep -c '^  CC ' "$RES/build-$name.log" || true)
  note "$name: $kind$([ "$t1" = "$t0" ] || echo " in $((t1 - t0)) s, $ncc files compiled"); PAHOLE $("$pahole" --version) ($(cat "$RES/$name/pahole-version")); vmlinux .BTF $(wc -c <"$RES/$name/btf/vmlinux.btf") bytes, $n modules"
}

step_compare() {
  local a="$RES/ref/btf" b="$RES/ours/btf" f out verdict same=0 equiv=0 differ=0
  out="$RES/compare.txt"
  mkdir -p "$RES/compare"
  : >"$out"
  while read -r f; do
    f="${f#"$a"/}"
    if [ ! -f "$b/$f" ]; then
      verdict="MISSING in ours"
      differ=$((differ + 1))
    elif cmp -s "$a/$f" "$b/$f"; then
      verdict="identical ($(wc -c <"$a/$f") bytes)"
      same=$((same + 1))
    elif [ -n "$btfcmp" ]; then
      local args=() log
      log="$RES/compare/$(echo "$f" | tr / _).txt"
      [ "$f" = vmlinux.btf ] || args=(--base "$a/vmlinux.btf" --base-b "$b/vmlinux.btf")
      if python3 "$btfcmp" cmp "$a/$f" "$b/$f" "${args[@]}" --show 5 >"$log" 2>&1; then
        verdict="bytes differ ($(wc -c <"$a/$f") / $(wc -c <"$b/$f")), $(grep -m1 '^result:' "$log")"
        equiv=$((equiv + 1))
      else
        verdict="bytes differ ($(wc -c <"$a/$f") / $(wc -c <"$b/$f")), $(grep -m1 '^result:' "$log" || echo 'btfcmp.py failed')"
        differ=$((differ + 1))
      fi
    else
      verdict="bytes differ ($(wc -c <"$a/$f") / $(wc -c <"$b/$f")), not compared (no btfcmp.py)"
      differ=$((differ + 1))
    fi
    printf '%-40s %s\n' "${f%.btf}" "$verdict" >>"$out"
  done < <(find "$a" -name '*.btf' | sort)
  cat "$out"
  note "compare ref ($(cat "$RES/ref/pahole-version")) vs ours ($(cat "$RES/ours/pahole-version")): $same identical, $equiv equivalent (order), $differ different"
  [ "$differ" = 0 ] || failed=1
}

# The bpftool of the kernel tree (v7.5: 'prog loadall ... autoattach'; Debian
# 12's 7.1 cannot attach fentry programs), built once.
build_bpftool() {
  local bt="$CACHE/bpftool"
  [ -x "$bt/bpftool" ] && return
  echo "== building bpftool from $KSRC/tools/bpf/bpftool"
  mkdir -p "$bt"
  # Without LLVM/libbfd (JIT disassembly) and skeletons: fewer libraries to
  # copy into the initramfs, and no bootstrap build.
  nice -n 10 make -C "$KSRC/tools/bpf/bpftool" OUTPUT="$bt/" feature-llvm=0 feature-libbfd=0 \
    feature-libbfd-liberty=0 feature-libbfd-liberty-z=0 feature-clang-bpf-co-re=0 \
    -j"$JOBS" >"$bt/build.log" 2>&1 || { tail -n 20 "$bt/build.log" >&2; exit 1; }
}

# make_initramfs NAME MODE OUT: busybox, the modules of NAME, bpftool and its
# libraries, the BPF object (mode bpf), and an init that runs the checks.
make_initramfs() {
  local name="$1" mode="$2" out="$3" root lib
  root="$CACHE/vm/root-$mode"
  rm -rf "$root"
  mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,modules,bpf,lib64,usr/bin,usr/sbin}
  cp /bin/busybox "$root/bin/busybox"
  cp "$CACHE/bpftool/bpftool" "$root/bin/bpftool"
  for lib in $(ldd "$CACHE/bpftool/bpftool" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  cp "$RES/$name/modules/"*.ko "$root/modules/"
  [ "$mode" = bpf ] && cp "$RES/$name/vm/clang-kernel-bpf.o" "$root/bpf/prog.o"
  cp "$here/clang-kernel-init.sh" "$root/init"
  chmod +x "$root/init"
  (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
}

# run_vm NAME MODE: boot NAME's bzImage with the initramfs of MODE; the serial
# console goes to $RES/NAME/vm/boot-MODE.log.
run_vm() {
  local name="$1" mode="$2" vm="$RES/$1/vm" t0 t1
  make_initramfs "$name" "$mode" "$vm/initramfs-$mode.cpio.gz"
  t0=$(date +%s.%N)
  timeout 600 qemu-system-x86_64 -accel tcg -m 512M -smp 1 -no-reboot -nographic \
    -kernel "$RES/$name/bzImage" -initrd "$vm/initramfs-$mode.cpio.gz" \
    -append "console=ttyS0 panic=-1 no_timer_check clang_kernel=$mode" </dev/null >"$vm/boot-$mode.log" 2>&1 || true
  t1=$(date +%s.%N)
  tr -d '\r' <"$vm/boot-$mode.log" >"$vm/boot-$mode.txt"
  note "boot ($mode): qemu ran $(printf '%.1f' "$(echo "$t1 - $t0" | bc)") s; $(grep -m1 'clang-kernel: booted' "$vm/boot-$mode.txt" || echo 'NO boot line')"
}

step_boot() {
  local name=ours vm="$RES/ours/vm" h
  build_bpftool
  mkdir -p "$vm"
  echo "== boot 1: load the modules, check the BTF, dump vmlinux.h"
  run_vm "$name" dump
  local log="$vm/boot-dump.txt"
  grep 'clang-kernel:' "$log" | tee -a "$SUMMARY"
  # The kernel's own lines (the init's start with 'clang-kernel:').
  if grep -v '^clang-kernel:' "$log" | grep -q 'failed to validate module BTF\|BTF: .*[Ii]nvalid'; then
    note "ERROR: the kernel rejected BTF:"
    grep -v '^clang-kernel:' "$log" | grep 'failed to validate module BTF\|BTF: ' | tee -a "$SUMMARY"
    failed=1
  fi
  sed -n '/^----- vmlinux.h begin/,/^----- vmlinux.h end/p' "$log" | sed '1d;$d' | base64 -d | gunzip >"$vm/vmlinux.h"
  h="$(sha256sum "$vm/vmlinux.h" | cut -d' ' -f1)"
  if grep -q "clang-kernel: vmlinux.h sha256 $h" "$log"; then
    note "vmlinux.h from /sys/kernel/btf/vmlinux: $(wc -l <"$vm/vmlinux.h") lines, sha256 $h (as the VM computed it)"
  else
    note "ERROR: vmlinux.h did not come through the serial console intact"
    failed=1
    return
  fi
  clang-22 -target bpf -O2 -g -D__TARGET_ARCH_x86 -I "$vm" -c "$BPFSRC" -o "$vm/clang-kernel-bpf.o"
  echo "== boot 2: load and attach the CO-RE program with bpftool, run it"
  run_vm "$name" bpf
  log="$vm/boot-bpf.txt"
  grep 'clang-kernel:' "$log" | tee -a "$SUMMARY"
  sed -n '/^----- bpf begin/,/^----- bpf end/p' "$log" | sed '1d;$d' >"$vm/bpf-output.txt"
  cat "$vm/bpf-output.txt"
  if grep -q 'clang-kernel: bpf ok' "$log"; then
    note "BPF program: loaded, attached and ran (output in $vm/bpf-output.txt)"
  else
    note "ERROR: the BPF program did not run (see $log)"
    failed=1
  fi
}

for s in "${steps[@]}"; do
  case "$s" in
  prepare) step_prepare ;;
  build-ref) build_with ref "$REF" ;;
  build-ours) build_with ours "$TOOL" ;;
  compare) step_compare ;;
  boot) step_boot ;;
  *) echo "error: unknown step '$s'" >&2; exit 2 ;;
  esac
done
if [ "$failed" != 0 ]; then
  echo "clang-kernel: FAILED" >&2
  exit 1
fi
echo "clang-kernel: ok"
