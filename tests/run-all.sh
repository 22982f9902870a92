#!/bin/bash
# tests/run-all.sh: run every test tier this machine can run; the last line is "N passed, N failed".
#
# Tiers: unit (plain), unit under ASan+UBSan, integration (generated dumps, shell),
# real-kernel (Debian kernel under QEMU), fresh (a clone's `make demo` on a bare Debian root
# built with debootstrap, tests/fresh/). A test exits 0 (pass), 77 (skip: it prints
# "SKIP: reason") or anything else (fail). Logs go to build/test-logs/.
# Select tiers with TIERS="unit asan integ realcore fresh" (default: all).
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
export CS_ROOT=$ROOT
export CS_BUILD=${CS_BUILD:-$ROOT/build}
export CORESIEVE=${CORESIEVE:-$CS_BUILD/coresieve}
export MKVMCORE=${MKVMCORE:-$CS_BUILD/mkvmcore}
export CS_TMP=${CS_TMP:-$CS_BUILD/test-tmp}
export PYTHON=/usr/bin/python3
LOGS=$CS_BUILD/test-logs
TIERS=${TIERS:-unit asan tsan integ asan-integ realcore fresh}
mkdir -p "$LOGS" "$CS_TMP"

# Disk: a whole run holds about 6 GiB at its peak (two real-kernel fixture trees of ~2.5 GiB,
# the biggest test's scratch ~2 GiB) because each test's scratch goes as soon as it ends.
free_mib() { df -Pm "$CS_BUILD" | awk 'NR==2 {print $4}'; }
echo "disk: $(free_mib) MiB free under ${CS_BUILD#$ROOT/}/"
[ "$(free_mib)" -ge 8192 ] || echo "warning: a full run needs about 8 GiB free; tests may fail with 'No space left on device'"

pass=0 fail=0 skip=0
failed_names=()

run_one() { # tier name cmd...
	local tier=$1 name=$2; shift 2
	local log="$LOGS/$tier-$(basename "$name").log" t0=$SECONDS rc
	timeout --foreground 2400 "$@" >"$log" 2>&1
	rc=$?
	local dt=$((SECONDS - t0))
	drop_scratch "$name" $rc
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); printf 'PASS  %-8s %s (%ss)\n' "$tier" "$name" "$dt"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1))
		printf 'SKIP  %-8s %s: %s\n' "$tier" "$name" "$(grep -m1 '^SKIP' "$log" | sed 's/^SKIP:* *//')"
	else
		fail=$((fail + 1)); failed_names+=("$tier/$name")
		printf 'FAIL  %-8s %s (exit %s, %ss; log %s)\n' "$tier" "$name" "$rc" "$dt" "${log#$ROOT/}"
		grep -E '^not ok|FAIL|rror' "$log" | head -15 | sed 's/^/      /'
		grep -q 'No space left on device' "$log" && echo "      (the disk is full: $(free_mib) MiB free under ${CS_BUILD#$ROOT/}/)"
	fi
}

# A test's scratch (tests/integ/lib.sh: scratch, private_workdir; the unit tests' build/tmp/NAME)
# goes when it ends, so one test's leftovers never fill the disk under the next. After a failure
# only files over 1 MiB go: the logs and small inputs stay for the post-mortem.
drop_scratch() { # name rc
	local d base=$(basename "$1")
	for d in "$CS_TMP/$base" "$CS_TMP/$base".* "$CS_BUILD/tmp/$base"; do
		[ -d "$d" ] || continue
		mountpoint -q "$d" && continue  # a tmpfs the test still owns
		if [ "$2" -eq 0 ]; then rm -rf "$d"; else find "$d" -xdev -type f -size +1M -delete 2>/dev/null; fi
	done
}

# A real-kernel series' dumps (~2.5 GiB) are a cache that makes the next local run quick; a CI
# clone never runs again, so there they go once the series' tests are done (CS_KEEP_FIXTURES=1 keeps them).
drop_fixtures() { # rc_data
	[ -n "${CI:-}" ] && [ "${CS_KEEP_FIXTURES:-0}" != 1 ] || return 0
	rm -rf "$1/fixtures" "$1/kdump" "$1/work"
}

for tier in $TIERS; do
	case $tier in
	unit)
		for t in "$CS_BUILD"/unit/test_*; do [ -x "$t" ] && run_one unit "$(basename "$t")" "$t"; done ;;
	asan)
		for t in "$CS_BUILD"/san-address-undefined/unit/test_*; do
			[ -x "$t" ] && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
				run_one asan "$(basename "$t")" "$t"
		done ;;
	tsan)
		for t in test_pipeline test_proc_windows test_memmap; do
			[ -x "$CS_BUILD/san-thread/unit/$t" ] &&
				TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" run_one tsan $t "$CS_BUILD/san-thread/unit/$t"
		done ;;
	integ)
		for t in tests/integ/*.sh; do [ -x "$t" ] && run_one integ "$(basename "$t" .sh)" "$t"; done ;;
	asan-integ)
		# The end-to-end tests again, with coresieve built with ASan+UBSan (any report fails the run).
		# (faults_security runs coresieve under strace, where LeakSanitizer cannot work.)
		san=$CS_BUILD/san-address-undefined/coresieve
		if [ -x "$san" ]; then
			for t in cli_options dump_gen elf_out refilter split limits cyclic dmesg faults_input faults_signals adapt; do
				[ -x "tests/integ/$t.sh" ] && CORESIEVE=$san ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
					UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 run_one asan-int "$t" "tests/integ/$t.sh"
			done
		fi ;;
	realcore)
		for t in tests/realcore/test_*.sh tests/kdump/test_*.sh; do
			[ -x "$t" ] && run_one realcore "$(basename "$t" .sh)" "$t"
		done
		drop_fixtures "${RC_DATA:-$CS_BUILD/realcore}"
		# The classification, reader and kdump-capture tests again on the newest kernel series apt offers
		# (Debian 12: 6.12, whose struct page differs from 6.1's), in a fixture tree of its own.
		newer=$(bash -c '. tests/realcore/lib.sh && rc_newer_krel' 2>/dev/null)
		if [ -n "$newer" ]; then
			for t in realcore/test_classify realcore/test_readers realcore/test_dmesg kdump/test_kdump; do
				RC_KREL=$newer RC_DATA=$CS_BUILD/realcore-$newer \
					run_one realcore "${t#*/}-${newer%%-*}" "tests/$t.sh"
			done
			drop_fixtures "$CS_BUILD/realcore-$newer"
		fi ;;
	fresh)
		for t in tests/fresh/test_*.sh; do [ -x "$t" ] && run_one fresh "$(basename "$t" .sh)" "$t"; done ;;
	esac
done

echo
[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
[ $skip -gt 0 ] && echo "($skip skipped)"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
