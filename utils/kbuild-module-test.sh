#!/bin/sh
# kbuild-module-test.sh - build a tiny out-of-tree kernel module with real
# kbuild, once with pahole and once with llvm-btf-split's pahole link, and
# check that the two .BTF sections are equivalent.
#
# The kernel build tree is Debian's linux-headers-<abi> for the ABI of the
# corpus vmlinux (6.1.0-56-cloud-amd64 for fetch-kernel.sh's corpus), copied to a private
# directory with the corpus vmlinux added (kbuild only makes module BTF when
# $(objtree)/vmlinux exists), so /usr/src is never modified. kbuild calls
#   LLVM_OBJCOPY="$(OBJCOPY)" $(PAHOLE) -J $(PAHOLE_FLAGS) --btf_base vmlinux M.ko
# with PAHOLE_FLAGS from scripts/pahole-flags.sh, which runs `$(PAHOLE)
# --version`: with our link reporting v1.24 kbuild passes the same flags as
# for pahole 1.24 (--btf_gen_floats -j --lang_exclude=rust).
#
# Usage: kbuild-module-test.sh [options]
#   --tool-dir DIR   directory holding llvm-btf-split-pahole (default: the
#                    build/bin next to this script's source tree)
#   --corpus DIR     corpus with vmlinux (required, or the CORPUS variable)
#   --work DIR       scratch directory (default: a new `mktemp -d` in $TMPDIR, kept)
#   --pahole-only    only build with pahole (works without the encoder)
#   --ours-only      only build with our link
#   --writer-only    instead of our link, a wrapper that encodes with pahole
#                    (--btf_encode_detached) and writes .BTF into the module
#                    with `llvm-btf-split --roundtrip --from-btf`: checks our
#                    ELF writing inside kbuild without the DWARF encoder
#   --install        apt-get install the matching headers if missing
#   --copy-vmlinux   copy the corpus vmlinux into the build tree (default: a
#                    symlink; kbuild only tests `-f vmlinux` and reads it)
# Environment: PAHOLE (the oracle, default pahole), BTFCMP (default
# ../shared/tools/btfcmp.py beside the clone), CORPUS (the corpus when no
# --corpus), MAKE (default make), JOBS (default 2).
#
# Exit status: 0 equivalent (or the requested builds succeeded), 1 failure
# or difference, 77 a prerequisite is missing (skipped).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
tool_dir="$here/../build/bin"
corpus=${CORPUS:-}
work=
run_pahole=1
run_ours=1
install=0
copy_vmlinux=0
writer_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --tool-dir) tool_dir=$2; shift 2 ;;
    --tool-dir=*) tool_dir=${1#*=}; shift ;;
    --corpus) corpus=$2; shift 2 ;;
    --corpus=*) corpus=${1#*=}; shift ;;
    --work) work=$2; shift 2 ;;
    --work=*) work=${1#*=}; shift ;;
    --pahole-only) run_ours=0; shift ;;
    --ours-only) run_pahole=0; shift ;;
    --writer-only) writer_only=1; shift ;;
    --install) install=1; shift ;;
    --copy-vmlinux) copy_vmlinux=1; shift ;;
    -h|--help) sed -n '2,/^set -eu/p' "$0" | sed 's/^# \{0,1\}//;/^set -eu/d'; exit 0 ;;
    *) echo "kbuild-module-test.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done

PAHOLE_ORACLE=${PAHOLE:-pahole}
BTFCMP=${BTFCMP:-$here/../../shared/tools/btfcmp.py}
MAKE=${MAKE:-make}
JOBS=${JOBS:-2}

skip() { echo "SKIP: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
say() { echo "== $*"; }

[ -n "$corpus" ] || { echo "kbuild-module-test.sh: give --corpus DIR (or CORPUS=DIR)" >&2; exit 2; }

# The ABI of the corpus kernel, from the name the vmlinux link points to
# (vmlinux-6.1.0-56-cloud-amd64).
[ -e "$corpus/vmlinux" ] || skip "no $corpus/vmlinux"
abi=$(basename "$(readlink -f "$corpus/vmlinux")")
abi=${abi#vmlinux-}
case "$abi" in
  [0-9]*) ;;
  *) skip "cannot tell the kernel ABI from $(readlink -f "$corpus/vmlinux")" ;;
esac
say "kernel ABI $abi"

headers=/usr/src/linux-headers-$abi
if [ ! -d "$headers" ]; then
  echo "linux-headers-$abi is not installed; apt-cache says:"
  apt-cache policy "linux-headers-$abi" 2>/dev/null | sed 's/^/  /' || true
  if [ $install = 1 ]; then
    apt-get install -y --no-install-recommends "linux-headers-$abi" ||
      skip "cannot install linux-headers-$abi"
  else
    skip "install linux-headers-$abi (or pass --install)"
  fi
fi
grep -q '^CONFIG_DEBUG_INFO_BTF_MODULES=y' "$headers/include/config/auto.conf" ||
  skip "$headers: CONFIG_DEBUG_INFO_BTF_MODULES is not set"
command -v "$MAKE" >/dev/null || skip "no make"
command -v gcc >/dev/null || skip "no gcc"
objcopy=$(command -v llvm-objcopy || command -v /usr/lib/llvm-22/bin/llvm-objcopy ||
          command -v objcopy) || skip "no objcopy"
[ -f "$BTFCMP" ] || skip "no btfcmp.py at $BTFCMP"
if [ $run_pahole = 1 ]; then
  command -v "$PAHOLE_ORACLE" >/dev/null || skip "no $PAHOLE_ORACLE"
fi
ours=$(cd "$tool_dir" 2>/dev/null && pwd)/llvm-btf-split-pahole-1.24
if [ $run_ours = 1 ] && [ $writer_only = 0 ]; then
  [ -x "$ours" ] || skip "no $ours (build llvm-btf-split first)"
fi
if [ $writer_only = 1 ]; then
  [ -x "$tool_dir/llvm-btf-split" ] || skip "no $tool_dir/llvm-btf-split"
  command -v "$PAHOLE_ORACLE" >/dev/null || skip "no $PAHOLE_ORACLE"
fi

[ -n "$work" ] || work=$(mktemp -d -t kbuild-module-test.XXXXXX)
mkdir -p "$work"
work=$(cd "$work" && pwd)
say "work directory $work"

# A private kernel build tree: the arch headers directory, with its relative
# links made absolute, and the corpus vmlinux.
kb=$work/kbuild
rm -rf "$kb"
cp -a "$headers" "$kb"
find "$kb" -type l | while read -r link; do
  rel=${link#"$kb"/}
  target=$(readlink -f "$headers/$rel")
  rm "$link"
  ln -s "$target" "$link"
done
if [ $copy_vmlinux = 1 ]; then
  cp "$(readlink -f "$corpus/vmlinux")" "$kb/vmlinux"
else
  ln -s "$(readlink -f "$corpus/vmlinux")" "$kb/vmlinux"
fi

# The module: a struct, a list, a per-CPU variable, an exported function.
write_module() {
  mkdir -p "$1"
  cat > "$1/Makefile" <<'MK'
obj-m := btfsplit_test.o
MK
  cat > "$1/btfsplit_test.c" <<'SRC'
// SPDX-License-Identifier: GPL-2.0
#include <linux/init.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>

enum btfsplit_state { BTFSPLIT_IDLE, BTFSPLIT_BUSY, BTFSPLIT_DONE };

struct btfsplit_item {
	struct list_head node;
	u64 value;
	unsigned int flags : 3;
	unsigned int kind : 5;
	enum btfsplit_state state;
	const char *name;
	int (*cb)(struct btfsplit_item *item, void *arg);
};

struct btfsplit_stats {
	u64 adds;
	u64 drops;
};

static DEFINE_PER_CPU(struct btfsplit_stats, btfsplit_pcpu_stats);
static LIST_HEAD(btfsplit_items);
static DEFINE_SPINLOCK(btfsplit_lock);

int btfsplit_add(struct btfsplit_item *item)
{
	spin_lock(&btfsplit_lock);
	list_add_tail(&item->node, &btfsplit_items);
	item->state = BTFSPLIT_BUSY;
	spin_unlock(&btfsplit_lock);
	this_cpu_inc(btfsplit_pcpu_stats.adds);
	return 0;
}
EXPORT_SYMBOL_GPL(btfsplit_add);

static int __init btfsplit_init(void)
{
	pr_info("btfsplit_test loaded\n");
	return 0;
}

static void __exit btfsplit_exit(void)
{
	pr_info("btfsplit_test unloaded\n");
}

module_init(btfsplit_init);
module_exit(btfsplit_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("llvm-btf-split kbuild test module");
SRC
}

# build NAME PAHOLE: build the module in $work/NAME with kbuild's PAHOLE set.
build() {
  name=$1 pahole=$2
  dir=$work/$name
  rm -rf "$dir"
  write_module "$dir"
  say "building with PAHOLE=$pahole ($("$pahole" --version))"
  flags=$(PAHOLE=$pahole "$kb/scripts/pahole-flags.sh")
  say "kbuild's PAHOLE_FLAGS: $flags"
  # resolve_btfids is not shipped in the headers package and the module has
  # no .BTF_ids; both builds use `true` in its place.
  if ! "$MAKE" -C "$kb" M="$dir" PAHOLE="$pahole" RESOLVE_BTFIDS=true V=1 \
       -j"$JOBS" modules > "$dir/build.log" 2>&1; then
    tail -n 30 "$dir/build.log" >&2
    fail "kbuild failed with PAHOLE=$pahole (log: $dir/build.log)"
  fi
  grep -q -- "$pahole -J" "$dir/build.log" ||
    fail "kbuild did not run $pahole -J (log: $dir/build.log)"
  grep -- "$pahole -J" "$dir/build.log" | sed 's/^/   /'
  # An explicit scratch output: without one objcopy rewrites its input.
  "$objcopy" --dump-section .BTF="$work/$name.btf" "$dir/btfsplit_test.ko" \
    "$work/$name.scratch.o" ||
    fail "$dir/btfsplit_test.ko has no .BTF"
  say "$name: .BTF of $(wc -c < "$work/$name.btf") bytes"
}

if [ $run_pahole = 1 ]; then
  build pahole "$(command -v "$PAHOLE_ORACLE")"
  python3 "$BTFCMP" stats "$work/pahole.btf" --base "$kb/vmlinux"
fi
if [ $writer_only = 1 ]; then
  # pahole encodes, llvm-btf-split writes: the name ends in "pahole" only so
  # that it reads like one in the logs; it is a shell script.
  ours=$work/writer-pahole
  cat > "$ours" <<WRAP
#!/bin/sh
set -e
case "\$1" in --version) exec "$(command -v "$PAHOLE_ORACLE")" --version ;; esac
base= file=
prev=
for a in "\$@"; do
  [ "\$prev" = --btf_base ] && base=\$a
  prev=\$a file=\$a
done
tmp=\$file.writer.btf
"$(command -v "$PAHOLE_ORACLE")" "\$@" --btf_encode_detached="\$tmp"
"$(cd "$tool_dir" && pwd)/llvm-btf-split" --roundtrip \${base:+--btf-base "\$base"} \
  --from-btf "\$tmp" "\$file"
rm -f "\$tmp"
WRAP
  chmod +x "$ours"
fi
if [ $run_ours = 1 ]; then
  build ours "$ours"
  python3 "$BTFCMP" stats "$work/ours.btf" --base "$kb/vmlinux"
fi
if [ $run_pahole = 1 ] && [ $run_ours = 1 ]; then
  say "comparing the module BTF of pahole and of llvm-btf-split"
  if python3 "$BTFCMP" cmp "$work/pahole.btf" "$work/ours.btf" --base "$kb/vmlinux"; then
    say "PASS: equivalent"
  else
    fail "the two .BTF differ"
  fi
fi
