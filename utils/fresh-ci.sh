#!/usr/bin/env bash
# utils/fresh-ci.sh - run .ci/run as CI does on a fresh machine: a clean clone of this
# repository's HEAD commit in a new Debian 12 chroot (debootstrap --variant=minbase bookworm),
# with ../shared beside the clone, read-only.
#
# Usage (as root, from anywhere in a clone):
#   utils/fresh-ci.sh TARGET_DIR [CORPUS_DIR]
#
# TARGET_DIR    where the chroot goes; it must not exist or be empty. It is left in place
#               afterwards (for a look at the build), with nothing mounted in it.
# CORPUS_DIR    a corpus made by fetch-kernel.sh, bound read-only at /corpus in the chroot and
#               passed as CORPUS=/corpus; without it .ci/run runs with CORPUS=none.
#
# The log is TARGET_DIR/fresh-ci.log; the script prints its last lines and the time taken,
# and exits with .ci/run's status.
#
# Environment:
#   REF                 the commit to clone (default HEAD); uncommitted changes are not seen
#   SHARED              the shared/ directory to bind as ../shared (default: ../shared
#                       beside the top of this clone)
#   DEBOOTSTRAP_CACHE   a directory for debootstrap --cache-dir (reused between runs)
#   APT_CACHE           a host directory bound at the chroot's /var/cache/apt/archives, so
#                       a second run does not download the packages again
#   CI_ENV              more VAR=value words for .ci/run (e.g. "SANITIZE=0 JOBS=1")
#
# The chroot gets the host's apt sources and Acquire settings (the packages come from the
# same Debian archive the machine uses) and its resolv.conf; everything else is what
# debootstrap installs.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 TARGET_DIR [CORPUS_DIR]" >&2
  exit 2
fi
[ "$(id -u)" = 0 ] || { echo "error: $0 needs root (debootstrap, chroot, mount)" >&2; exit 2; }
command -v debootstrap >/dev/null ||
  { echo "error: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 2; }

SRC="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
ROOT="$1"
CORPUS_DIR="${2:-}"
SHARED="${SHARED:-$SRC/../shared}"
REF="${REF:-HEAD}"
COMMIT="$(git -C "$SRC" rev-parse --verify "$REF^{commit}")"

if [ -e "$ROOT" ] && [ -n "$(ls -A "$ROOT")" ]; then
  echo "error: $ROOT exists and is not empty" >&2
  exit 2
fi
[ -d "$SHARED" ] || { echo "error: no shared directory '$SHARED' (set SHARED)" >&2; exit 2; }
if [ -n "$CORPUS_DIR" ] && [ ! -e "$CORPUS_DIR/vmlinux" ]; then
  echo "error: no vmlinux in corpus '$CORPUS_DIR'" >&2
  exit 2
fi
mkdir -p "$ROOT"
ROOT="$(cd "$ROOT" && pwd)"
SHARED="$(cd "$SHARED" && pwd)"
LOG="$ROOT/fresh-ci.log"
t0=$(date +%s)
step() { echo "== fresh-ci [$(($(date +%s) - t0))s] $*"; }

mounts=()
cleanup() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    umount -R "${mounts[i]}" 2>/dev/null || umount -R -l "${mounts[i]}" 2>/dev/null || true
  done
}
trap cleanup EXIT
bind() { # bind SRC DEST [ro]
  mkdir -p "$2"
  mount --rbind "$1" "$2"
  mount --make-rslave "$2"
  mounts+=("$2")
  if [ "${3:-}" = ro ]; then
    mount -o remount,bind,ro "$2"
  fi
}

step "debootstrap --variant=minbase bookworm $ROOT"
cache=()
if [ -n "${DEBOOTSTRAP_CACHE:-}" ]; then
  mkdir -p "$DEBOOTSTRAP_CACHE"
  cache=(--cache-dir="$(cd "$DEBOOTSTRAP_CACHE" && pwd)")
fi
debootstrap --variant=minbase "${cache[@]}" bookworm "$ROOT" >"$ROOT.debootstrap.log" 2>&1 ||
  { tail -n 30 "$ROOT.debootstrap.log"; exit 1; }
mv "$ROOT.debootstrap.log" "$ROOT/debootstrap.log"

# The host's apt sources and Acquire settings, and its resolver.
rm -f "$ROOT/etc/apt/sources.list"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] && cp "$f" "$ROOT$f"
done
for f in /etc/apt/apt.conf.d/*; do
  if [ -f "$f" ] && [ ! -e "$ROOT$f" ] && grep -q '^Acquire::' "$f"; then
    cp "$f" "$ROOT$f"
  fi
done
cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"

# The clone, and ../shared beside it (read-only, as CI's copy has no write bits).
step "clone $COMMIT"
mkdir -p "$ROOT/ci"
git clone -q --no-checkout "$SRC" "$ROOT/ci/llvm-btf-split"
git -C "$ROOT/ci/llvm-btf-split" checkout -q --detach "$COMMIT"
bind "$SHARED" "$ROOT/ci/shared" ro

mount -t proc proc "$ROOT/proc" && mounts+=("$ROOT/proc")
mount -t sysfs sysfs "$ROOT/sys" && mounts+=("$ROOT/sys")
bind /dev "$ROOT/dev"
if [ -n "${APT_CACHE:-}" ]; then
  mkdir -p "$APT_CACHE"
  bind "$APT_CACHE" "$ROOT/var/cache/apt/archives"
fi
corpus_env=CORPUS=none
if [ -n "$CORPUS_DIR" ]; then
  bind "$CORPUS_DIR" "$ROOT/corpus" ro
  corpus_env=CORPUS=/corpus
fi

step "bash .ci/run ($corpus_env ${CI_ENV:-}), log $LOG"
rc=0
# shellcheck disable=SC2086 # CI_ENV is a list of words
chroot "$ROOT" /usr/bin/env -i CI=true HOME=/root LANG=C.UTF-8 \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  "$corpus_env" ${CI_ENV:-} \
  /bin/bash -c 'cd /ci/llvm-btf-split && exec bash .ci/run' </dev/null >"$LOG" 2>&1 || rc=$?
tail -n 15 "$LOG"
step "done: .ci/run exited $rc after $(($(date +%s) - t0))s in all"
exit "$rc"
