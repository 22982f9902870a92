#!/bin/bash
# tests/realcore/test_classify.sh - page classification on real Debian-kernel dumps (issue 3).
#
# For l4.vmcore and l5.vmcore (tests/realcore/make-dumps.sh) and each dump level
# 0 1 2 4 8 16 31:
#   coresieve -d L --dry-run --report-json OUT.json --message-level 16 VMCORE DUMMY
#   makedumpfile -d L --dry-run --message-level 16 VMCORE DUMMY
# must give the same counts: zero, cache, cache_private, user, free, hwpoison, offline,
# remaining, hole, total (the JSON, and coresieve's printed report when it prints one).
# On 6.12+ kernels (page types in the top byte), which makedumpfile 1.7.2 predates, a
# difference passes when coresieve equals tests/realcore/oracle.py's counts instead.
# Then coresieve on QEMU's raw ELF dumps (l4.elf, l5.elf; makedumpfile refuses them) must
# give the same counts as on the .vmcore copy.
# Exit 0 all passed, 1 a check failed, 77 "SKIP: <reason>" (make-dumps.sh skipped).
# CORESIEVE overrides the binary (default build/coresieve); RC_LEVELS the levels.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
CORESIEVE=${CORESIEVE:-$RC_REPO/build/coresieve}
LEVELS=${RC_LEVELS:-0 1 2 4 8 16 31}
N=0 FAILED=0
ok()     { N=$((N + 1)); echo "ok $N - $*"; }
not_ok() { N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - $*"; }

command -v makedumpfile >/dev/null || rc_skip "makedumpfile (the reference) is not installed"
mkdir -p "$RC_DATA"
log=$RC_DATA/make-dumps.log
"$RC_HERE/make-dumps.sh" > "$log" 2>&1
rc=$?
if [ $rc = 77 ]; then grep -m1 '^SKIP' "$log" || echo "SKIP: make-dumps.sh skipped"; exit 77; fi
if [ $rc != 0 ]; then not_ok "make-dumps.sh (exit $rc, log $log)"; tail -n 20 "$log" | sed 's/^/#   /'; exit 1; fi
ok "fixtures (make-dumps.sh)"

if [ ! -x "$CORESIEVE" ]; then not_ok "$CORESIEVE is built"; echo "# $N checks, $FAILED failed"; exit 1; fi
if ! "$CORESIEVE" --help 2>&1 | grep -q -- '--report-json'; then
  not_ok "$CORESIEVE --help lists --report-json"
  echo "# $N checks, $FAILED failed"
  exit 1
fi

W=$RC_WORK/classify
rm -rf "$W"; mkdir -p "$W"
RP=("$RC_PY" "$RC_HERE/report.py")

# cs_counts INPUT L TAG: run coresieve; echo the normalised counts of its JSON; the printed
# report's counts go to $W/TAG.text-counts ("" when it prints none).
cs_counts() {
  local in=$1 l=$2 tag=$3 rc
  rm -f "$W/$tag.json"
  "$CORESIEVE" -d "$l" --dry-run --report-json "$W/$tag.json" --message-level 16 "$in" "$W/dummy.$tag" \
    > "$W/$tag.out" 2>&1
  rc=$?
  if [ $rc != 0 ]; then echo "exit $rc: $(tail -n 2 "$W/$tag.out" | tr '\n' ' ')"; return 1; fi
  "${RP[@]}" text "$W/$tag.out" > "$W/$tag.text-counts" 2>/dev/null || : > "$W/$tag.text-counts"
  "${RP[@]}" json "$W/$tag.json"
}

for name in l4 l5; do
  V=$RC_FIX/$name.vmcore E=$RC_FIX/$name.elf
  [ -s "$V" ] || { not_ok "$name: $V missing"; continue; }
  for l in $LEVELS; do
    tag=$name-d$l
    makedumpfile -d "$l" --dry-run --message-level 16 "$V" "$W/dummy.$tag" > "$W/$tag.mdf" 2>&1
    if ! want=$("${RP[@]}" text "$W/$tag.mdf"); then
      not_ok "$name -d $l: makedumpfile report: $want (see $W/$tag.mdf)"; continue
    fi
    if ! got=$(cs_counts "$V" "$l" "$tag"); then
      not_ok "$name -d $l: coresieve: $got"; continue
    fi
    if [ "$got" = "$want" ]; then
      ok "$name.vmcore -d $l: coresieve = makedumpfile: $got"
    elif "$RC_PY" "$RC_HERE/oracle.py" newer "$V" && want2=$("$RC_PY" "$RC_HERE/oracle.py" counts "$V" "$l") &&
         [ "$got" = "$want2" ]; then
      # 6.12+ page types: makedumpfile 1.7.2 is no reference there (see oracle.py)
      ok "$name.vmcore -d $l: coresieve = oracle (6.12+ page types): $got"
      echo "#   makedumpfile 1.7.2: $want"
      want=$want2
    else
      not_ok "$name.vmcore -d $l: counts differ"
      echo "#   makedumpfile: $want"
      echo "#   coresieve:    $got"
    fi
    text=$(cat "$W/$tag.text-counts")
    if [ -n "$text" ] && [ "$text" != "$want" ]; then
      not_ok "$name.vmcore -d $l: coresieve's printed report differs from makedumpfile's"
      echo "#   makedumpfile: $want"
      echo "#   printed:      $text"
    elif [ -z "$text" ]; then
      echo "# $name -d $l: coresieve printed no report block at --message-level 16"
    fi

    # QEMU's raw ELF: makedumpfile cannot read it; coresieve must count as on the .vmcore
    if [ -s "$E" ]; then
      if ! got_elf=$(cs_counts "$E" "$l" "$tag-elf"); then
        not_ok "$name.elf -d $l: coresieve: $got_elf"
      elif [ "$got_elf" = "$got" ]; then
        ok "$name.elf -d $l: same counts as $name.vmcore"
      else
        not_ok "$name.elf -d $l: counts differ from $name.vmcore"
        echo "#   .vmcore: $got"
        echo "#   .elf:    $got_elf"
      fi
    fi
  done
done

echo "# $N checks, $FAILED failed"
[ $FAILED = 0 ]
