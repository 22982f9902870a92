#!/bin/bash
# tests/kdump/test_kdump.sh - coresieve as the core_collector of a real kdump (issue 7).
#
# Runs tests/kdump/make-kdumps.sh (Debian's kernel under QEMU: crashkernel=256M and
# crashkernel=512M-2G:192M,2G-:256M, kexec -p, sysrq-c; the capture kernel runs the
# kdump.conf core_collector, makedumpfile -l -d 31 and a raw copy of /proc/vmcore), then
# checks on the host, for each run:
#   - the reservation is what crashkernel= asks for the guest's RAM; the capture kernel was
#     loaded (kexec_crash_loaded=1); the collector exited 0 without a /tmp
#   - libkdumpfile and drgn open the dump and read memory (dumpcheck.py open)
#   - every page the dump keeps equals the raw /proc/vmcore copy's; dropped pages are absent
#   - the kept pages (2nd bitmap, zero-page set, 1st bitmap) equal makedumpfile -d 31's,
#     run on the host on the raw copy and in the capture kernel on /proc/vmcore
#   - the paging mode (VMCOREINFO pgtable_l5_enabled) is the guest's
#   - `coresieve --dump-dmesg` of the dump has the crash ("sysrq: Trigger a crash") and the
#     test's marker (skipped while --dump-dmesg is not implemented); makedumpfile
#     --dump-dmesg reads the same lines out of our dump
# and prints the capture kernel's wall time and peak RSS of the collector and makedumpfile.
# Exit 0 all passed, 1 a check failed, 77 "SKIP: <reason>" when QEMU or the kernel
# package is unavailable. Knobs: tests/kdump/lib.sh (COLLECTOR, KD_CORE_COLLECTOR,
# KD_RUNS, KD_FORCE=1, ...); CORESIEVE (default build/coresieve) for --dump-dmesg.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
CORESIEVE=${CORESIEVE:-$RC_REPO/build/coresieve}
PY=$RC_PY
ORACLE=$KD_HERE/../realcore/oracle.py
N=0 FAILED=0
ok()     { N=$((N + 1)); echo "ok $N - $*"; }
not_ok() { N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - $*"; }
skip()   { N=$((N + 1)); echo "ok $N - $1 # SKIP $2"; }
note()   { echo "# $*"; }
# check NAME CMD...: ok when CMD succeeds; its output goes after the name / below it
check() {
  local name=$1 out rc
  shift
  out=$("$@" 2>&1); rc=$?
  if [ $rc = 0 ]; then ok "$name${out:+: ${out//$'\n'/; }}"; else not_ok "$name"; printf '%s\n' "$out" | sed 's/^/#   /'; fi
  return $rc
}

command -v qemu-system-x86_64 >/dev/null || rc_skip "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
[ -x "$PY" ] && "$PY" -c 'import kdumpfile, drgn' 2>/dev/null ||
  { echo "note: $PY cannot import kdumpfile and drgn (apt-get install python3-libkdumpfile python3-drgn)"; exit 1; }
command -v makedumpfile >/dev/null || { echo "note: makedumpfile is needed as the reference"; exit 1; }

# The collector: build/coresieve-static (make static). Without it, prove the plumbing with
# makedumpfile as the core_collector, and say so.
if [ ! -x "$COLLECTOR" ] && [ "${KD_CORE_COLLECTOR%% *}" = coresieve ]; then
  not_ok "collector binary $COLLECTOR exists (run make static); testing the flow with makedumpfile as the collector"
  export KD_CORE_COLLECTOR="makedumpfile -l --message-level 1 -d 31"
elif [ -x "$COLLECTOR" ] && [ -x "$RC_REPO/build/coresieve" ] && [ "$COLLECTOR" -ot "$RC_REPO/build/coresieve" ]; then
  note "warning: $COLLECTOR is older than build/coresieve (run make static)"
fi
note "core_collector: $KD_CORE_COLLECTOR (binary: $COLLECTOR)"

LOG=$KD_DATA/make-kdumps.log
mkdir -p "$KD_DATA"
t0=$(date +%s)
"$KD_HERE/make-kdumps.sh" > "$LOG" 2>&1
rc=$?
if [ $rc = 77 ]; then grep -m1 '^SKIP' "$LOG" || echo "SKIP: make-kdumps.sh skipped"; exit 77; fi
note "make-kdumps.sh: exit $rc in $(( $(date +%s) - t0 ))s (log: $LOG)"
if [ $rc = 0 ]; then ok "kdump runs (make-kdumps.sh)"; else not_ok "kdump runs (make-kdumps.sh exit $rc)"; tail -n 30 "$LOG" | sed 's/^/#   /'; fi

declare -A want_l5=([ck256]=0 [ckrange]=1)
for run in ${KD_RUNS:-ck256 ckrange}; do
  D=$KD_DATA/$run
  newer=
  con=$D/console.log
  res=$D/dump/results.txt
  if [ ! -f "$res" ]; then not_ok "$run: no results (see $con)"; continue; fi
  crl=$(tr -d '\r' < "$con")

  # reservation: guest's reading and the host's (dumpcheck.py crashsize) must agree
  line=$(grep -m1 'coresieve-kdump: CRASHKERNEL' <<< "$crl")
  param=$(sed -n 's/.* param=\([^ ]*\).*/\1/p' <<< "$line")
  ram=$(sed -n 's/.* system_ram=\([0-9]*\).*/\1/p' <<< "$line")
  actual=$(sed -n 's/.* kexec_crash_size=\([0-9]*\).*/\1/p' <<< "$line")
  want=$([ -n "$param" ] && "$PY" "$KD_HERE/dumpcheck.py" crashsize "$param" "${ram:-0}")
  if [ -n "$actual" ] && [ "$actual" = "$want" ] && [ "$actual" != 0 ]; then
    ok "$run: crashkernel=$param with $ram bytes of RAM reserves $actual bytes ($((actual >> 20)) MiB), as expected"
  else
    not_ok "$run: crashkernel=${param:-?}: kexec_crash_size=${actual:-?}, expected ${want:-?} (RAM ${ram:-?})"
  fi
  if grep -q 'coresieve-kdump: LOADED kexec_crash_loaded=1' <<< "$crl"; then
    ok "$run: kexec -p loaded the capture kernel (kexec_crash_loaded=1)"
  else
    not_ok "$run: capture kernel not loaded"
  fi
  if grep -q 'sysrq: Trigger a crash' <<< "$crl" && grep -q 'coresieve-kdump: CAPTURE' <<< "$crl"; then
    ok "$run: sysrq-c crashed into the capture kernel ($(grep -o 'cmdline: .*' <<< "$(grep -m1 'coresieve-kdump: CAPTURE' <<< "$crl")" | cut -c10-))"
  else
    not_ok "$run: no crash / capture kernel boot in the console log"
  fi
  coll=$(grep '^collector ' "$res")
  if grep -q '^collector rc=0 ' "$res" && [ -s "$D/dump/vmcore" ]; then
    ok "$run: core_collector exited 0 without a /tmp, wrote $(stat -c %s "$D/dump/vmcore") bytes"
  else
    not_ok "$run: core_collector failed: ${coll:-no result} (console: $con)"
    continue
  fi
  cmp_line=$(grep '^compare ' "$res")
  raw_line=$(grep '^raw_copy ' "$res")
  note "$run capture kernel: MemTotal $(sed -n 's/^mem_total_kb //p' "$res") kB, /proc/vmcore $(sed -n 's/^vmcore_size //p' "$res") bytes"
  note "$run   ${coll}"
  note "$run   ${cmp_line:-compare: not run}"
  note "$run   ${raw_line:-raw copy: not run}"
  note "$run   host: $(tr '\n' ' ' < "$D/run.txt")"

  V=$D/dump/vmcore
  check "$run: header" "$PY" "$KD_HERE/dumpcheck.py" info "$V"
  check "$run: libkdumpfile and drgn open the dump" "$PY" "$KD_HERE/dumpcheck.py" open "$V"
  l5=$("$PY" "$KD_HERE/dumpcheck.py" vmcoreinfo "$V" 'NUMBER(pgtable_l5_enabled)' 2>&1)
  if [ "$l5" = "${want_l5[$run]:-$l5}" ]; then
    ok "$run: VMCOREINFO NUMBER(pgtable_l5_enabled)=$l5 ($([ "$l5" = 1 ] && echo 5 || echo 4)-level paging)"
  else
    not_ok "$run: NUMBER(pgtable_l5_enabled)=$l5, want ${want_l5[$run]}"
  fi

  if [ -s "$D/vmcore.raw" ]; then
    check "$run: every kept page equals the raw /proc/vmcore copy's" \
      "$PY" "$KD_HERE/dumpcheck.py" pages "$V" "$D/vmcore.raw"
    rm -f "$D/mdf-host.vmcore"
    newer=
    "$PY" "$ORACLE" newer "$D/vmcore.raw" && newer=1
    if [ -n "$newer" ]; then
      # 6.12+ page types, which makedumpfile 1.7.2 predates (tests/realcore/oracle.py)
      check "$run: kept pages = the oracle's -d 31 on the raw copy (6.12+ page types)" \
        "$PY" "$ORACLE" sameset "$V" "$D/vmcore.raw" 31
    fi
    if makedumpfile -l -d 31 --message-level 1 "$D/vmcore.raw" "$D/mdf-host.vmcore" > "$D/mdf-host.log" 2>&1; then
      if [ -n "$newer" ]; then
        note "$run: makedumpfile 1.7.2 on this kernel: $("$PY" "$KD_HERE/dumpcheck.py" sameset "$V" "$D/mdf-host.vmcore" 2>&1 | head -n1)"
      else
        check "$run: kept pages = makedumpfile -l -d 31 on the raw copy's" \
          "$PY" "$KD_HERE/dumpcheck.py" sameset "$V" "$D/mdf-host.vmcore"
      fi
    else
      not_ok "$run: makedumpfile -d 31 on the raw copy failed (see $D/mdf-host.log)"
    fi
  else
    skip "$run: pages vs the raw copy" "no raw copy (KD_RAW=0)"
  fi
  if [ -s "$D/dump/makedumpfile.vmcore" ] && [ -z "${newer:-}" ]; then
    check "$run: kept pages = makedumpfile -l -d 31 in the capture kernel" \
      "$PY" "$KD_HERE/dumpcheck.py" sameset "$V" "$D/dump/makedumpfile.vmcore"
    if cmp -s "$V" "$D/dump/makedumpfile.vmcore"; then
      note "$run: the dump is byte-identical to makedumpfile's"
    fi
  fi

  # the kernel log in the dump
  rm -f "$D/dmesg.coresieve" "$D/dmesg.makedumpfile"
  if [ ! -x "$CORESIEVE" ]; then
    skip "$run: coresieve --dump-dmesg" "$CORESIEVE not built"
  else
    out=$("$CORESIEVE" --dump-dmesg "$V" "$D/dmesg.coresieve" 2>&1); rc=$?
    if [ $rc != 0 ] && grep -qi 'not implemented' <<< "$out"; then
      skip "$run: coresieve --dump-dmesg has the crash" "--dump-dmesg not implemented yet"
    elif [ $rc = 0 ] && grep -q 'sysrq: Trigger a crash' "$D/dmesg.coresieve" &&
         grep -q 'coresieve-kdump-marker: crashing now' "$D/dmesg.coresieve"; then
      ok "$run: coresieve --dump-dmesg has 'sysrq: Trigger a crash' and the marker"
    else
      not_ok "$run: coresieve --dump-dmesg (exit $rc): crash line or marker missing"
      printf '%s\n' "$out" | tail -n 5 | sed 's/^/#   /'
    fi
  fi
  if makedumpfile --dump-dmesg "$V" "$D/dmesg.makedumpfile" > /dev/null 2>&1 &&
     grep -q 'sysrq: Trigger a crash' "$D/dmesg.makedumpfile" &&
     grep -q 'coresieve-kdump-marker: crashing now' "$D/dmesg.makedumpfile"; then
    ok "$run: makedumpfile --dump-dmesg of the dump has the crash and the marker"
  else
    not_ok "$run: makedumpfile --dump-dmesg of the dump: crash line or marker missing"
  fi
done

echo "# $N checks, $FAILED failed"
[ $FAILED = 0 ]
