#!/bin/bash
# tests/realcore/test_readers.sh - other tools read coresieve's output of a real dump.
#
#   - coresieve -l / -c / -z / -p -d 31 of l4.vmcore (and -l of l5.vmcore): libkdumpfile
#     opens each file and every kept page equals the source page; dropped pages read
#     back as absent; the kept set equals makedumpfile -d 31's (tests/kdump/dumpcheck.py)
#   - makedumpfile 1.7.2 re-filters our -l and -c outputs (and a -l -d 1 output) to -d 31
#     and keeps the same pages as its direct -d 31 run on the .vmcore
#   - coresieve -F -c -d 31 (Debian kdump-tools' way) reassembled by makedumpfile -R keeps
#     the same pages
# Exit 0 all passed, 1 a check failed, 77 "SKIP: <reason>" (make-dumps.sh skipped).
# CORESIEVE overrides the binary (default build/coresieve).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
CORESIEVE=${CORESIEVE:-$RC_REPO/build/coresieve}
DC=("$RC_PY" "$RC_HERE/../kdump/dumpcheck.py")
N=0 FAILED=0
ok()     { N=$((N + 1)); echo "ok $N - $*"; }
not_ok() { N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - $*"; }
skip()   { N=$((N + 1)); echo "ok $N - $1 # SKIP $2"; }
check() {
  local name=$1 out rc
  shift
  out=$("$@" 2>&1); rc=$?
  if [ $rc = 0 ]; then ok "$name${out:+: ${out//$'\n'/; }}"; else not_ok "$name"; printf '%s\n' "$out" | sed 's/^/#   /'; fi
  return $rc
}

command -v makedumpfile >/dev/null || rc_skip "makedumpfile (the reference) is not installed"
"$RC_PY" -c 'import kdumpfile, drgn' 2>/dev/null || rc_skip "$RC_PY cannot import kdumpfile and drgn"
mkdir -p "$RC_DATA"
log=$RC_DATA/make-dumps.log
"$RC_HERE/make-dumps.sh" > "$log" 2>&1
rc=$?
if [ $rc = 77 ]; then grep -m1 '^SKIP' "$log" || echo "SKIP: make-dumps.sh skipped"; exit 77; fi
if [ $rc != 0 ]; then not_ok "make-dumps.sh (exit $rc, log $log)"; tail -n 20 "$log" | sed 's/^/#   /'; exit 1; fi
ok "fixtures (make-dumps.sh)"
if [ ! -x "$CORESIEVE" ]; then not_ok "$CORESIEVE is built"; echo "# $N checks, $FAILED failed"; exit 1; fi

W=$RC_WORK/readers
rm -rf "$W"; mkdir -p "$W"
# 6.12+ page types (top byte): makedumpfile 1.7.2 keeps THP/hugetlb tails and drops slab pages
# whose mapping is odd, so the kept sets are checked against tests/realcore/oracle.py instead
OR=("$RC_PY" "$RC_HERE/oracle.py")
NEWER=
"${OR[@]}" newer "$RC_FIX/l4.vmcore" && NEWER=1

# reference: makedumpfile -l -d 31 of each source
for name in l4 l5; do
  if ! makedumpfile -l -d 31 --message-level 1 "$RC_FIX/$name.vmcore" "$W/$name.mdf-d31" > "$W/$name.mdf-d31.log" 2>&1; then
    not_ok "makedumpfile -l -d 31 $name.vmcore (see $W/$name.mdf-d31.log)"
  fi
done

# run_cs NAME OPT LEVEL: coresieve OPT -d LEVEL NAME.vmcore -> $W/NAME.OPT-dLEVEL
run_cs() {
  local out=$W/$1$2-d$3
  "$CORESIEVE" "$2" -d "$3" --message-level 1 "$RC_FIX/$1.vmcore" "$out" > "$out.log" 2>&1
}

for job in "l4 -l" "l4 -c" "l4 -z" "l4 -p" "l5 -l"; do
  # shellcheck disable=SC2086  # "NAME OPT"
  set -- $job
  name=$1 opt=$2 out=$W/$1$2-d31
  if ! run_cs "$name" "$opt" 31; then
    if grep -qi 'not \(implemented\|supported\|compiled\)' "$out.log"; then
      skip "coresieve $opt -d 31 $name.vmcore" "$(tail -n1 "$out.log")"
    else
      not_ok "coresieve $opt -d 31 $name.vmcore: $(tail -n1 "$out.log")"
    fi
    continue
  fi
  check "$name $opt: libkdumpfile reads every kept page as in $name.vmcore" \
    "${DC[@]}" pages "$out" "$RC_FIX/$name.vmcore"
  if [ -n "$NEWER" ]; then
    check "$name $opt: kept pages = the oracle's -d 31 (6.12+ page types)" "${OR[@]}" sameset "$out" "$RC_FIX/$name.vmcore" 31
  elif [ -s "$W/$name.mdf-d31" ]; then
    check "$name $opt: kept pages = makedumpfile -l -d 31's" "${DC[@]}" sameset "$out" "$W/$name.mdf-d31"
  fi
done

# makedumpfile re-filters our output (it reads lzo and zlib; Debian's build has no zstd/snappy)
run_cs l4 -l 1 || not_ok "coresieve -l -d 1 l4.vmcore: $(tail -n1 "$W/l4-l-d1.log")"
for src in l4-l-d31 l4-c-d31 l4-l-d1; do
  [ -s "$W/$src" ] || continue
  if makedumpfile -l -d 31 --message-level 1 "$W/$src" "$W/$src.refiltered" > "$W/$src.refiltered.log" 2>&1; then
    if [ -n "$NEWER" ] && [ "$src" != l4-l-d1 ]; then
      # makedumpfile keeps what we excluded excluded and excludes what its own rules say
      check "makedumpfile -d 31 re-filters coresieve's $src to the oracle's pages and its own" \
        "${OR[@]}" sameset "$W/$src.refiltered" "$RC_FIX/l4.vmcore" 31 "$W/l4.mdf-d31"
    else
      check "makedumpfile -d 31 re-filters coresieve's $src to the pages of its direct -d 31 run" \
        "${DC[@]}" sameset "$W/$src.refiltered" "$W/l4.mdf-d31"
    fi
  else
    not_ok "makedumpfile -d 31 cannot re-filter $src: $(grep -v '^$' "$W/$src.refiltered.log" | tail -n1)"
  fi
done

# Debian's kdump-tools runs `makedumpfile -F -c -d 31 /proc/vmcore | compress > dump.STAMP`:
# the flattened stream must reassemble (makedumpfile -R) into the same pages
if "$CORESIEVE" -F -c -d 31 --message-level 1 "$RC_FIX/l4.vmcore" > "$W/l4-F-c-d31.flat" 2> "$W/l4-F-c-d31.log"; then
  if makedumpfile -R "$W/l4-F-c-d31.flat.R" < "$W/l4-F-c-d31.flat" > "$W/l4-F-c-d31.R.log" 2>&1; then
    if [ -n "$NEWER" ]; then
      check "makedumpfile -R reassembles coresieve -F -c -d 31 into the oracle's -d 31 pages" \
        "${OR[@]}" sameset "$W/l4-F-c-d31.flat.R" "$RC_FIX/l4.vmcore" 31
    else
      check "makedumpfile -R reassembles coresieve -F -c -d 31 into makedumpfile -d 31's pages" \
        "${DC[@]}" sameset "$W/l4-F-c-d31.flat.R" "$W/l4.mdf-d31"
    fi
  else
    not_ok "makedumpfile -R of coresieve -F output: $(grep -v '^$' "$W/l4-F-c-d31.R.log" | tail -n1)"
  fi
else
  not_ok "coresieve -F -c -d 31 l4.vmcore: $(tail -n1 "$W/l4-F-c-d31.log")"
fi

# --split with makedumpfile's block rule: pieces byte-identical to makedumpfile --split's on
# the real dump (partial last pages, which makedumpfile --split floors: partial_last_page.sh).
# Not on kernels newer than makedumpfile, which classifies pages differently there.
if [ -z "$NEWER" ]; then
  rm -f "$W"/l4-split.* "$W"/l4-mdf-split.*
  if "$CORESIEVE" --split --splitblock-size 16384 -l -d 31 --message-level 1 "$RC_FIX/l4.vmcore" \
       "$W/l4-split.1" "$W/l4-split.2" "$W/l4-split.3" > "$W/l4-split.log" 2>&1 &&
     makedumpfile --split --splitblock-size 16384 -l -d 31 --message-level 1 "$RC_FIX/l4.vmcore" \
       "$W/l4-mdf-split.1" "$W/l4-mdf-split.2" "$W/l4-mdf-split.3" > "$W/l4-mdf-split.log" 2>&1; then
    same=yes
    for i in 1 2 3; do cmp -s "$W/l4-split.$i" "$W/l4-mdf-split.$i" || same="no (piece $i: $(cmp "$W/l4-split.$i" "$W/l4-mdf-split.$i" 2>&1 | head -n1))"; done
    if [ "$same" = yes ]; then ok "--split -l -d 31 (16 MiB split blocks): the 3 pieces are byte-identical to makedumpfile's"
    else not_ok "--split pieces differ from makedumpfile's: $same"; fi
  else
    not_ok "--split -l -d 31 by coresieve or makedumpfile failed (see $W/l4-split.log, $W/l4-mdf-split.log)"
  fi
  rm -f "$W"/l4-split.* "$W"/l4-mdf-split.*
fi

echo "# $N checks, $FAILED failed"
[ $FAILED = 0 ]
