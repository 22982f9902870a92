#!/bin/bash
# tests/integ/faults_corpus.sh: the reader fuzz seeds and crash inputs (tests/fuzz/corpus/{elf,kdump,flat}) through the whole CLI (scan, pipeline, writer), under ASan+UBSan when built: exit 0 or 1, never a crash or a hang.
. "$(dirname "$0")/lib.sh"
SAN=$CS_BUILD/san-address-undefined/coresieve
BIN=$CORESIEVE
[ -x "$SAN" ] && BIN=$SAN
[ -x "$BIN" ] || skip_all "no $CORESIEVE"
D=$(scratch)
echo "# using $BIN"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Seeds and past crashes by default; FAULTS_CORPUS_ALL=1 adds the coverage inputs (cov-*),
# a few of which run into open issue C of docs/robustness.md (minutes for -E).
for f in "$CS_ROOT"/tests/fuzz/corpus/{elf,kdump,flat}/*; do
	[ -f "$f" ] || continue
	case $(basename "$f") in cov-*) [ "${FAULTS_CORPUS_ALL:-0}" = 1 ] || continue ;; esac
	name=$(basename "$(dirname "$f")")/$(basename "$f")
	for args in "-d 31 -l" "-d 1 -E" "--dump-dmesg"; do
		rm -f "$D/out"
		# shellcheck disable=SC2086
		timeout -s KILL 60 "$BIN" $args "$f" "$D/out" >"$D/log" 2>&1
		rc=$?
		if [ $rc -eq 0 ] || [ $rc -eq 1 ]; then
			ok "$name ($args): exit $rc"
		else
			not_ok "$name ($args): exit $rc"
			grep -m3 -E 'ERROR|SUMMARY|runtime error' "$D/log" | sed 's/^/#   /'
		fi
		if grep -q -E 'ERROR: AddressSanitizer|runtime error|ERROR: LeakSanitizer' "$D/log"; then
			not_ok "$name ($args): sanitizer report"
			grep -m3 -E 'ERROR|SUMMARY|runtime error' "$D/log" | sed 's/^/#   /'
		fi
	done
done
done_testing
