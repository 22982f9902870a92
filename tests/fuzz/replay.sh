#!/bin/bash
# tests/fuzz/replay.sh: replay every corpus file through the regression builds of the targets (what `make fuzz-replay` calls).
#
#   tests/fuzz/replay.sh BINDIR      (BINDIR holds fuzz_TARGET built with regression_driver.c)
#
# Prints one ok / not ok line per target; exits 0 when every input ran clean.
set -u
cd "$(dirname "$0")/../.."
bindir=${1:?usage: replay.sh BINDIR}
n=0 failed=0
for dir in tests/fuzz/corpus/*/; do
	t=$(basename "$dir")
	bin=$bindir/fuzz_$t
	n=$((n + 1))
	if [ ! -x "$bin" ]; then
		echo "not ok $n - fuzz_$t: no replay binary $bin"; failed=$((failed + 1)); continue
	fi
	log=$(mktemp)
	if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		timeout 600 "$bin" "$dir" >"$log" 2>&1; then
		echo "ok $n - fuzz_$t: $(tail -1 "$log" | sed 's/.*: //')"
	else
		echo "not ok $n - fuzz_$t"
		grep -m10 -E 'ERROR|invariant|SUMMARY|running|#[0-9] ' "$log" | sed 's/^/#   /'
		FUZZ_VERBOSE=1 timeout 600 "$bin" "$dir" 2>&1 | grep '^running' | tail -1 | sed 's/^/#   last input: /'
		failed=$((failed + 1))
	fi
	rm -f "$log"
done
echo "# $n targets, $failed failed"
[ $failed -eq 0 ]
