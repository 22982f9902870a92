#!/bin/bash
# tests/fuzz/run.sh: run libFuzzer targets for N seconds each (what `make fuzz` calls).
#
#   tests/fuzz/run.sh BINDIR SECONDS [TARGET...]     (TARGET: elf kdump flat ...; default all)
#
# Each target starts from tests/fuzz/corpus/TARGET (the committed seeds and past
# crashes) and grows a working corpus under build/fuzz/work/TARGET; crashes, leaks,
# timeouts and OOMs land in build/fuzz/artifacts/TARGET/ and fail the run. Stats
# (executions, exec/s, coverage) go to build/fuzz/logs/TARGET.log; the last lines
# of each log are printed. Copy a crash into tests/fuzz/corpus/TARGET/ once fixed.
set -u
cd "$(dirname "$0")/../.."
bindir=${1:?usage: run.sh BINDIR SECONDS [TARGET...]}
secs=${2:?usage: run.sh BINDIR SECONDS [TARGET...]}
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for b in "$bindir"/fuzz_*; do [ -x "$b" ] && targets+=("${b##*/fuzz_}"); done
fi
rc=0
for t in "${targets[@]}"; do
	bin=$bindir/fuzz_$t
	[ -x "$bin" ] || { echo "no fuzz target $bin"; rc=1; continue; }
	work=build/fuzz/work/$t art=build/fuzz/artifacts/$t log=build/fuzz/logs/$t.log
	mkdir -p "$work" "$art" "$(dirname "$log")" "tests/fuzz/corpus/$t"
	dict=()
	[ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
	# Inputs up to 64 KiB (the seeds are at most that); 10 s per input is a hang.
	"$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$art/" "${dict[@]}" \
		"$work" "tests/fuzz/corpus/$t" >"$log" 2>&1
	st=$?
	echo "== $t (exit $st): $(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -1)"
	grep -E '^stat::' "$log" | tr '\n' ' '; echo
	if [ $st -ne 0 ]; then
		rc=1
		grep -m5 -E 'ERROR|invariant|SUMMARY|Test unit written' "$log" | sed 's/^/   /'
	fi
done
exit $rc
