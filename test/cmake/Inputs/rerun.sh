#!/bin/bash
# rerun.sh GENERATOR WORKDIR PACKAGE_DIR [C_COMPILER]
#
# Builds the project of Inputs/project with GENERATOR, changes one thing at a
# time, and prints after each step which logged commands ran, as
#   <step>: <sorted tags>
# so that a FileCheck file states exactly what must rerun when.
set -u
gen=$1 work=$2 pkg=$3 cc=${4:-cc}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
cp -r "$here/project" "$work/src"
export BTF_TEST_LOG="$work/log"
build="$work/build"

configure() {
  cmake -G "$gen" -S "$work/src" -B "$build" -DLLVMBTFSplit_DIR="$pkg" \
    -DCMAKE_C_COMPILER="$cc" -DLOG_SCRIPT="$here/log.sh" ${FAKE_TOOL:+-DLLVM_BTF_SPLIT_EXECUTABLE=$FAKE_TOOL} "$@" \
    > "$work/configure.log" 2>&1 || { cat "$work/configure.log"; exit 1; }
}

# step NAME [expect-fail]: build and print the tags logged meanwhile.
step() {
  : > "$BTF_TEST_LOG"
  if cmake --build "$build" -j2 > "$work/build-$1.log" 2>&1; then
    status=ok
  else
    status=failed
  fi
  echo "$1: $status: $(sort "$BTF_TEST_LOG" | tr '\n' ' ' | sed 's/ $//')"
}

# Make's timestamps are compared with the file system's resolution.
later() { sleep 1.1; }

configure
step initial
step nothing
later; touch "$build/vmlinux.unbtf"
step touch-vmlinux-input
later; touch "$build/vmlinux"
step touch-vmlinux
later; touch "$work/src/mod1/mod1.c"
step touch-mod1-source
configure -DMOD1_FLAGS=-DMOD1_EXTRA
step mod1-flags
step nothing-after-flags
configure -DMOD1_FLAGS=-DMOD1_EXTRA -DBTF_FEATURES=encode_force,var
step btf-features

# A failing BTF step: the module input is garbage. The old .ko must stay
# byte-identical, and the next build must try again.
cp "$build/mod1.ko" "$work/mod1.ko.saved"
later; echo garbage > "$build/mod1.ko.o"
step broken-module
cmp -s "$build/mod1.ko" "$work/mod1.ko.saved" && echo "mod1.ko intact" \
  || echo "mod1.ko CHANGED"
step broken-module-again
later; touch "$work/src/mod1/mod1.c"
step repaired
step nothing-at-end
