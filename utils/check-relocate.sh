#!/usr/bin/env bash
# check-relocate.sh - relocate the module BTF of one kernel ABI onto another's.
#
# Usage: utils/check-relocate.sh OLD_CORPUS NEW_CORPUS [BUILD] [WORKDIR]
#   OLD_CORPUS, NEW_CORPUS: two corpora made by shared/corpus/fetch-kernel.sh
#   (e.g. ABI=6.1.0-53 and 6.1.0-56): vmlinux (with .BTF) and shipped-ko/.
#   BUILD: the build directory (default: build). WORKDIR: where the results
#   go (default: a temporary directory, removed at the end).
#   MAX=N limits the run to the first N modules (sorted by path); REUSE=1
#   keeps the relocations of an earlier run in WORKDIR.
#
# For every module that both ABIs ship, its shipped split BTF (made against
# OLD's vmlinux) goes through
#   llvm-btf-split --relocate --btf-base NEW/vmlinux --old-btf-base OLD/vmlinux
# onto NEW's vmlinux. Then:
#   - modules with neither a referenced kernel type changed (no 'changed
#     in' warning) nor one of their own types (utils/module-type-changes.py
#     compares the two shipped builds) are "unchanged": they must give BTF
#     equivalent (btfcmp) to NEW's shipped module BTF;
#   - the others are relocated with their changed types listed, or refused;
#   - every relocated result must pass --verify against NEW's vmlinux.
# Prints one line per figure; exits nonzero when an unchanged module is not
# equivalent, a relocated one fails --verify, or a run crashes.
set -euo pipefail

OLD=${1:?usage: $0 OLD_CORPUS NEW_CORPUS [BUILD] [WORKDIR]}
NEW=${2:?usage: $0 OLD_CORPUS NEW_CORPUS [BUILD] [WORKDIR]}
BUILD=${3:-build}
WORK=${4:-}
HERE=$(cd "$(dirname "$0")" && pwd)
TOOL=$(cd "$BUILD" && pwd)/bin/llvm-btf-split
BTFCMP=${BTFCMP:-$HERE/../../shared/tools/btfcmp.py}
[ -x "$TOOL" ] || { echo "no $TOOL: build first" >&2; exit 2; }
[ -f "$BTFCMP" ] || { echo "no btfcmp.py at $BTFCMP (set BTFCMP=)" >&2; exit 2; }
if [ -z "$WORK" ]; then
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK/rel" "$WORK/log"

(cd "$OLD/shipped-ko" && find . -name '*.ko' | sort) > "$WORK/old.list"
(cd "$NEW/shipped-ko" && find . -name '*.ko' | sort) > "$WORK/new.list"
comm -12 "$WORK/old.list" "$WORK/new.list" > "$WORK/both.list"
if [ -n "${MAX:-}" ]; then
  head -n "$MAX" "$WORK/both.list" > "$WORK/both.tmp"
  mv "$WORK/both.tmp" "$WORK/both.list"
fi
echo "modules shipped by both ABIs: $(wc -l < "$WORK/both.list")"

# One module: relocate, record the exit status and the warnings.
export TOOL OLD NEW WORK
relocate_one() {
  local m=$1 key out
  key=$(echo "$m" | sed 's|^\./||; s|/|__|g')
  out="$WORK/rel/${m#./}"
  mkdir -p "$(dirname "$out")"
  if "$TOOL" --relocate --btf-base "$NEW/vmlinux" --old-btf-base "$OLD/vmlinux" \
       "$OLD/shipped-ko/$m" --detached "$out" 2> "$WORK/log/$key.err"; then
    if "$TOOL" --verify --btf-base "$NEW/vmlinux" "$out" 2>> "$WORK/log/$key.err"; then
      echo "$m relocated verified" > "$WORK/log/$key.st"
    else
      echo "$m relocated rejected" > "$WORK/log/$key.st"
    fi
  else
    rc=$?
    echo "$m refused rc=$rc" > "$WORK/log/$key.st"
  fi
}
export -f relocate_one
# REUSE=1: keep the relocations of an earlier run in WORKDIR.
if [ -z "${REUSE:-}" ] || ! ls "$WORK"/log/*.st > /dev/null 2>&1; then
  xargs -P 2 -I{} bash -c 'relocate_one "$@"' _ {} < "$WORK/both.list"
fi

cat "$WORK"/log/*.st | sort > "$WORK/status.txt"
crashed=$(grep -c 'refused rc=\(1[3-9][0-9]\|[2-9][0-9][0-9]\)' "$WORK/status.txt" || true)
# Changed: the module refers to a kernel type whose layout differs.
: > "$WORK/changed.list"
for st in "$WORK"/log/*.st; do
  err=${st%.st}.err
  if grep -q 'changed in\|cannot relocate' "$err"; then
    awk '{print $1}' "$st" >> "$WORK/changed.list"
  fi
done
sort -o "$WORK/changed.list" "$WORK/changed.list"

python3 "$BTFCMP" cmpdir "$WORK/rel" "$NEW/shipped-ko" --base "$NEW/vmlinux" \
  --glob '*.ko' > "$WORK/cmpdir.txt" 2>&1 || true
{ grep '^EQUIV' "$WORK/cmpdir.txt" || true; } | awk '{print "./" $2}' | sort > "$WORK/equiv.list"

# The module's own types (not the kernel's) that differ between the two
# shipped builds: relocation cannot carry those over.
python3 "$HERE/module-type-changes.py" "$BTFCMP" "$OLD" "$NEW" "$WORK/both.list" \
  > "$WORK/own-changes.txt"
cut -f1 "$WORK/own-changes.txt" | sort > "$WORK/own.list"

nown=$(wc -l < "$WORK/own.list")
nchanged=$(wc -l < "$WORK/changed.list")
sort -u "$WORK/changed.list" "$WORK/own.list" > "$WORK/any.list"
comm -23 "$WORK/both.list" "$WORK/any.list" > "$WORK/unchanged.list"
nunchanged=$(wc -l < "$WORK/unchanged.list")
unch_equiv=$(comm -12 "$WORK/unchanged.list" "$WORK/equiv.list" | wc -l)
comm -23 "$WORK/unchanged.list" "$WORK/equiv.list" > "$WORK/unchanged-not-equiv.list"
refused=$(grep -c ' refused ' "$WORK/status.txt" || true)
relocated=$(grep -c ' relocated ' "$WORK/status.txt" || true)
verified=$(grep -c ' relocated verified' "$WORK/status.txt" || true)
ch_refused=$({ grep ' refused ' "$WORK/status.txt" || true; } | awk '{print $1}' | comm -12 - "$WORK/changed.list" | wc -l)
ch_relocated=$((nchanged - ch_refused))
ch_equiv=$(comm -12 "$WORK/changed.list" "$WORK/equiv.list" | wc -l)
own_only=$(comm -23 "$WORK/own.list" "$WORK/changed.list" | wc -l)
own_equiv=$(comm -23 "$WORK/own.list" "$WORK/changed.list" | comm -12 - "$WORK/equiv.list" | wc -l)
nany=$(wc -l < "$WORK/any.list")

echo "unchanged (neither the kernel types it uses nor its own types changed): $nunchanged; equivalent to the new ABI's shipped BTF: $unch_equiv/$nunchanged"
echo "changed: $nany"
echo "  kernel types it uses changed: $nchanged; relocated with the changes listed: $ch_relocated (equivalent to shipped all the same: $ch_equiv); refused: $ch_refused"
echo "  only its own types changed (shared headers of modules; relocation keeps the old ones): $own_only (equivalent all the same: $own_equiv)"
echo "verify against the new vmlinux: $verified/$relocated relocated results accepted"
echo "refused overall: $refused; crashes: $crashed"
if [ -s "$WORK/unchanged-not-equiv.list" ]; then
  echo "unchanged but not equivalent:"
  sed 's/^/  /' "$WORK/unchanged-not-equiv.list" | head -20 || true
fi
if [ -s "$WORK/own-changes.txt" ]; then
  echo "most frequent own-type changes:"
  cut -f3 "$WORK/own-changes.txt" | sort | uniq -c | sort -rn | head -5 | sed 's/^/  /' || true
fi
# The most frequent changes, as the tool words them.
cat "$WORK"/log/*.err | sed -n 's/.*changed in [^:]*: //p' | sort | uniq -c |
  sort -rn | head -10 | sed 's/^/  /' > "$WORK/top-changes.txt" || true
if [ -s "$WORK/top-changes.txt" ]; then
  echo "most frequent changes:"
  cat "$WORK/top-changes.txt"
fi
{ grep -h 'vanished\|ambiguous\|changed: .*embedded' "$WORK"/log/*.err || true; } |
  sed 's/^ */  /' | sort | uniq -c | sort -rn | head -10 || true

status=0
[ "$unch_equiv" -eq "$nunchanged" ] || status=1
[ "$verified" -eq "$relocated" ] || status=1
[ "$crashed" -eq 0 ] || status=1
echo "check-relocate: $([ $status -eq 0 ] && echo ok || echo FAILED)"
exit $status
