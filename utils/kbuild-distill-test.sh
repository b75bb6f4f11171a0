#!/bin/sh
# kbuild-distill-test.sh - an out-of-tree module built with real kbuild
# (make M=) against Debian's 6.12 headers, where kbuild asks pahole for a
# distilled base (--btf_features=distilled_base): .BTF and .BTF.base from
# pahole 1.30 and from llvm-btf-split must be byte-identical.
#
# kbuild 6.12 (scripts/Makefile.modfinal) runs, for an external module,
#   LLVM_OBJCOPY=... $(PAHOLE) -J $(PAHOLE_FLAGS) $(MODULE_PAHOLE_FLAGS) --btf_base vmlinux M.ko
# with MODULE_PAHOLE_FLAGS = --btf_features=distilled_base when the kernel
# was configured with pahole >= 1.26 (CONFIG_PAHOLE_VERSION, frozen in the
# headers' auto.conf). Debian's 6.12 headers ship a vmlinux with .BTF (the
# base for out-of-tree modules); --vmlinux replaces it. Debian 13's 6.12
# headers (6.12.N+deb13) were configured with pahole 1.30 and are built with
# gcc-14, which Debian 12 lacks: --chroot runs the build in a Debian 13 root.
# Debian 12's 6.12 headers (bookworm-security and bookworm-backports) were
# configured with pahole 1.24 (124), so kbuild would not ask; make is then
# given CONFIG_PAHOLE_VERSION=130, as Debian 13's 6.12 was configured
# (--pahole-version N to change it). The build tree is Debian's
# linux-headers-<abi>, copied to a private directory (kbuild makes module BTF
# only when $(objtree)/vmlinux exists): /usr/src is never modified.
#
# Builds: (1) PAHOLE=pahole 1.30, the reference; (2) PAHOLE=a wrapper that
# lets pahole 1.30 encode plain split BTF (--btf_encode_detached, which
# ignores distilled_base) and writes .BTF and .BTF.base into the module with
# `llvm-btf-split --distill --from-btf`: our distillation and ELF writing
# inside kbuild; (3) with --ours LINK, PAHOLE=LINK (our pahole link at the
# 1.30 level, e.g. llvm-btf-split-pahole-1.30): our encoder end to end.
#
# Usage: kbuild-distill-test.sh --pahole PAHOLE_1_30 [options]
#   --vmlinux FILE   the base BTF (default: the headers' own vmlinux)
#   --tool-dir DIR   directory holding llvm-btf-split (default: build/bin
#                    next to this script's source tree)
#   --ours LINK      also build with this pahole personality
#   --abi ABI        headers to use (default: the newest installed
#                    linux-headers-6.12*-cloud-amd64)
#   --work DIR       scratch directory (default: a new mktemp -d, kept)
#   --pahole-version N  CONFIG_PAHOLE_VERSION for make when the headers'
#                    is below 126 (default 130)
#   --install ABI    apt-get install linux-headers-ABI first (Debian 12:
#                    bookworm-security has 6.12.N+deb12-cloud-amd64)
#   --chroot DIR     run the builds inside DIR, a Debian 13 root made with
#                      debootstrap --variant=minbase \
#                        --include=gcc-14,make,libelf1t64,libdw1t64,binutils trixie DIR
#                    pahole's prefix (its RUNPATH names it), llvm-btf-split
#                    and this script are copied in; the work directory is
#                    DIR/opt/kbuild-distill/work (--work is not used)
#   --debs DIR       with --chroot: dpkg -x every .deb in DIR into the root
#                    first: linux-headers-ABI, linux-headers-ABI-common and
#                    linux-kbuild-ABI of Debian 13 (apt-get download from
#                    trixie)
# Environment: MAKE (default make), JOBS (default 2).
# Exit status: 0 identical, 1 failure or difference, 77 a prerequisite is
# missing (skipped).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
tool_dir="$here/../build/bin"
pahole= vmlinux= ours= abi= work= phver=130 chroot= debs=
while [ $# -gt 0 ]; do
  case "$1" in
    --tool-dir) tool_dir=$2; shift 2 ;;
    --pahole) pahole=$2; shift 2 ;;
    --vmlinux) vmlinux=$2; shift 2 ;;
    --ours) ours=$2; shift 2 ;;
    --abi) abi=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --pahole-version) phver=$2; shift 2 ;;
    --chroot) chroot=$2; shift 2 ;;
    --debs) debs=$2; shift 2 ;;
    --install)
      apt-get install -y --no-install-recommends "linux-headers-$2" >&2 ||
        { echo "SKIP: cannot install linux-headers-$2" >&2; exit 77; }
      abi=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -eu/p' "$0" | sed 's/^# \{0,1\}//;/^set -eu/d'; exit 0 ;;
    *) echo "kbuild-distill-test.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
MAKE=${MAKE:-make}
JOBS=${JOBS:-2}
skip() { echo "SKIP: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
say() { echo "== $*"; }

[ -n "$pahole" ] && [ -x "$pahole" ] || skip "no pahole 1.30 (--pahole)"
[ -z "$vmlinux" ] || [ -f "$vmlinux" ] || skip "no $vmlinux"
tool=$(cd "$tool_dir" 2>/dev/null && pwd)/llvm-btf-split
[ -x "$tool" ] || skip "no $tool (build llvm-btf-split first)"
[ -z "$debs" ] || [ -n "$chroot" ] || fail "--debs needs --chroot"
if [ -n "$chroot" ]; then
  # Copy what the build runs into the root, then run this script there.
  [ -x "$chroot/usr/bin/make" ] || skip "$chroot: no make (see --chroot)"
  ls "$chroot"/usr/bin/gcc-* >/dev/null 2>&1 || skip "$chroot: no gcc"
  if [ -n "$debs" ]; then
    for d in "$debs"/*.deb; do
      [ -f "$d" ] || skip "no .deb in $debs"
      say "dpkg -x $(basename "$d") $chroot"
      dpkg -x "$d" "$chroot"
    done
  fi
  inner=/opt/kbuild-distill
  rm -rf "${chroot:?}$inner"
  mkdir -p "$chroot$inner/bin"
  cp -a "$(dirname "$tool")"/llvm-btf-split* "$chroot$inner/bin/"
  cp "$0" "$chroot$inner/kbuild-distill-test.sh"
  pprefix=$(cd "$(dirname "$pahole")/.." && pwd)
  mkdir -p "$chroot$pprefix"
  cp -a "$pprefix/." "$chroot$pprefix/"
  set -- --pahole "$pprefix/bin/$(basename "$pahole")" --tool-dir "$inner/bin" \
    --work "$inner/work" --pahole-version "$phver"
  [ -z "$ours" ] || set -- "$@" --ours "$inner/bin/$(basename "$ours")"
  [ -z "$abi" ] || set -- "$@" --abi "$abi"
  if [ -n "$vmlinux" ]; then
    cp "$vmlinux" "$chroot$inner/vmlinux"
    set -- "$@" --vmlinux "$inner/vmlinux"
  fi
  say "chroot $chroot sh $inner/kbuild-distill-test.sh $*"
  exec chroot "$chroot" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root MAKE="$MAKE" JOBS="$JOBS" sh "$inner/kbuild-distill-test.sh" "$@"
fi
if [ -z "$abi" ]; then
  abi=$(ls -d /usr/src/linux-headers-6.12*-cloud-amd64 2>/dev/null | sort -V | tail -n 1)
  abi=${abi#/usr/src/linux-headers-}
fi
[ -n "$abi" ] || skip "no linux-headers-6.12*-cloud-amd64 installed (--install ABI)"
headers=/usr/src/linux-headers-$abi
[ -d "$headers" ] || skip "no $headers"
command -v "$MAKE" >/dev/null || skip "no make"
objcopy=$(command -v llvm-objcopy-22 || command -v llvm-objcopy ||
          echo /usr/lib/llvm-22/bin/llvm-objcopy)
# Only to dump sections: binutils' objcopy does as well (in a chroot).
[ -x "$objcopy" ] || objcopy=$(command -v objcopy) || skip "no objcopy"
say "headers $headers"
grep '^CONFIG_PAHOLE_VERSION=' "$headers/include/config/auto.conf" | sed 's/^/   /'
grep -q '^CONFIG_DEBUG_INFO_BTF_MODULES=y' "$headers/include/config/auto.conf" ||
  skip "$headers: CONFIG_DEBUG_INFO_BTF_MODULES is not set"
hdrver=$(sed -n 's/^CONFIG_PAHOLE_VERSION=//p' "$headers/include/config/auto.conf")
makevars=
if [ "${hdrver:-0}" -lt 126 ]; then
  makevars="CONFIG_PAHOLE_VERSION=$phver"
  say "the headers say CONFIG_PAHOLE_VERSION=$hdrver: make gets $makevars"
fi

[ -n "$work" ] || work=$(mktemp -d /tmp/kbuild-distill-test.XXXXXX)
mkdir -p "$work"
work=$(cd "$work" && pwd)
say "work directory $work"

# A private build tree: the headers directory, links made absolute, plus
# the vmlinux.
kb=$work/kbuild
rm -rf "$kb"
cp -a "$headers" "$kb"
find "$kb" -type l | while read -r link; do
  rel=${link#"$kb"/}
  target=$(readlink -f "$headers/$rel")
  rm "$link"
  ln -s "$target" "$link"
done
if [ -n "$vmlinux" ]; then
  rm -f "$kb/vmlinux"
  ln -s "$(readlink -f "$vmlinux")" "$kb/vmlinux"
fi
[ -f "$kb/vmlinux" ] || skip "$headers has no vmlinux: give --vmlinux"

write_module() {
  mkdir -p "$1"
  echo 'obj-m := distill_test.o' > "$1/Makefile"
  cat > "$1/distill_test.c" <<'SRC'
// SPDX-License-Identifier: GPL-2.0
#include <linux/init.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>

struct distill_item {
	struct list_head node;
	struct sk_buff *skb;
	u64 value;
	unsigned int flags : 3;
	struct { int a, b; } pair;
	int (*cb)(struct distill_item *item, struct sk_buff *skb);
};

static DEFINE_PER_CPU(u64, distill_count);
static LIST_HEAD(distill_items);
static DEFINE_SPINLOCK(distill_lock);

int distill_add(struct distill_item *item, struct sk_buff *skb)
{
	spin_lock(&distill_lock);
	item->skb = skb;
	list_add_tail(&item->node, &distill_items);
	spin_unlock(&distill_lock);
	this_cpu_inc(distill_count);
	return skb ? skb->len : 0;
}
EXPORT_SYMBOL_GPL(distill_add);

static int __init distill_init(void) { return 0; }
static void __exit distill_exit(void) { }
module_init(distill_init);
module_exit(distill_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("llvm-btf-split distilled base kbuild test");
SRC
}

# build NAME PAHOLE: build the module with kbuild's PAHOLE set, dump its
# .BTF and .BTF.base.
build() {
  name=$1 ph=$2
  dir=$work/$name
  rm -rf "$dir"
  write_module "$dir"
  say "building with PAHOLE=$ph"
  # resolve_btfids is not in the headers package; the module has no
  # .BTF_ids: `true` stands in for it in every build.
  if ! "$MAKE" -C "$kb" M="$dir" PAHOLE="$ph" RESOLVE_BTFIDS=true V=1 $makevars \
       -j"$JOBS" modules > "$dir/build.log" 2>&1; then
    tail -n 30 "$dir/build.log" >&2
    fail "kbuild failed with PAHOLE=$ph (log: $dir/build.log)"
  fi
  grep -o -- "$ph -J[^;]*" "$dir/build.log" | sed 's/^/   /' ||
    fail "kbuild did not run $ph -J (log: $dir/build.log)"
  "$objcopy" --dump-section .BTF="$work/$name.btf" \
    --dump-section .BTF.base="$work/$name.base" \
    "$dir/distill_test.ko" "$work/$name.scratch.o" ||
    fail "$dir/distill_test.ko lacks .BTF or .BTF.base"
  say "$name: .BTF $(wc -c < "$work/$name.btf") bytes, .BTF.base $(wc -c < "$work/$name.base") bytes"
}

compare() {
  if cmp -s "$work/pahole.btf" "$work/$1.btf" && cmp -s "$work/pahole.base" "$work/$1.base"; then
    say "$1: .BTF and .BTF.base byte-identical to pahole's"
  else
    fail "$1: .BTF or .BTF.base differs from pahole's ($work)"
  fi
}

build pahole "$(cd "$(dirname "$pahole")" && pwd)/$(basename "$pahole")"
"$tool" --check --btf-base "$kb/vmlinux" "$work/pahole/distill_test.ko" | sed 's/^/   /' || true

# The wrapper: pahole encodes plain split BTF, llvm-btf-split distills it
# and writes both sections. Its name ends in "pahole" only to read like one
# in the logs.
wrap=$work/distill-wrapper-pahole
cat > "$wrap" <<WRAP
#!/bin/sh
set -e
case "\$1" in --version) exec "$pahole" --version ;; esac
base= file= prev=
for a in "\$@"; do
  [ "\$prev" = --btf_base ] && base=\$a
  prev=\$a file=\$a
done
"$pahole" "\$@" --btf_encode_detached="\$file.plain.btf"
"$tool" --distill --btf-base "\$base" --from-btf "\$file.plain.btf" "\$file"
rm -f "\$file.plain.btf"
WRAP
chmod +x "$wrap"
build distill "$wrap"
compare distill

if [ -n "$ours" ]; then
  build ours "$(cd "$(dirname "$ours")" && pwd)/$(basename "$ours")"
  compare ours
fi
echo "PASS: identical"
