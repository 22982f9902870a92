#!/bin/bash
# tests/integ/cli_options.sh: makedumpfile-compatible command line: messages and exit codes.
. "$(dirname "$0")/lib.sh"
D=$(scratch)
cd "$D"

run() { out=$("$CORESIEVE" "$@" 2>err.txt); rc=$?; err=$(cat err.txt); }

run
check_eq "no arguments exits 1" "$rc" 1
check "no arguments: makedumpfile's message" grep -q "Commandline parameter is invalid." <<<"$out"
check "no arguments: ends with Failed" grep -q "^coresieve Failed.$" <<<"$out"

run -d 40 a b
check_eq "-d 40 exits 1" "$rc" 1
check "-d 40: Dump_level(40) is invalid." grep -qx "Dump_level(40) is invalid." <<<"$out"

run -d 1,99 a b
check "-d 1,99 names the bad level" grep -qx "Dump_level(99) is invalid." <<<"$out"

run --message-level 99 a b
check "--message-level 99 is refused" grep -qx "Message_level(99) is invalid." <<<"$out"

run --num-threads 5223023572093018873 a b
check_eq "absurd --num-threads exits 1" "$rc" 1
check "absurd --num-threads names the option" grep -q -- "--num-threads 5223023572093018873 is invalid" <<<"$out"

run -i x -x y a b
check_eq "-i with -x exits 1" "$rc" 1

run --check-params -d 31 -l a b
check_eq "--check-params on a valid line exits 0" "$rc" 0
check "--check-params prints no Completed" test -z "$out"

run --check-params -E -l -d 31 a b
check_eq "-E with -l is refused, as makedumpfile 1.7.9" "$rc" 1
check "-E with -l: Commandline parameter is invalid." grep -qx "Commandline parameter is invalid." <<<"$out"

# --compress-level: per-codec ranges; zstd's fast modes are negative; a capture must not fail on it.
run --check-params -z --compress-level -3 -d 31 a b
check_eq "-z --compress-level -3 (zstd fast mode) is valid" "$rc" 0
run --check-params -z --compress-level 0 -d 31 a b
check_eq "--compress-level 0 exits 1" "$rc" 1
check "--compress-level 0 names the ranges" grep -q -- "--compress-level 0 is invalid (-c: 1..12, -z: -50..-1 or 1..22)" <<<"$out"
run --check-params -l --compress-level 3 -d 31 a b
check_eq "-l with --compress-level is downgraded, not refused" "$rc" 0
check "-l with --compress-level warns (a common message, as makedumpfile's)" grep -q -- "-l has no levels; --compress-level is ignored" <<<"$out"
run --check-params -c --compress-level -2 -d 31 a b
check_eq "-c with a negative level is downgraded, not refused" "$rc" 0
check "-c with a negative level warns" grep -q -- "--compress-level -2 is out of range for -c" <<<"$out"

run -v
check_eq "-v exits 0" "$rc" 0
check "-v names the codecs" grep -q "^lzo" <<<"$out"

run --help
check_eq "--help exits 0" "$rc" 0
check "--help shows usage" grep -q "Usage:" <<<"$out"

run -d 1 /nonexistent/vmcore out
check_eq "missing input exits 1" "$rc" 1
check "missing input: one line naming the file" grep -q "/nonexistent/vmcore" <<<"$err"

run -F -d 1 /nonexistent/vmcore
check "-F: messages go to stderr, stdout stays clean" test -z "$out"

: > existing
run -d 1 /nonexistent/vmcore existing
check_eq "existing output without -f exits 1" "$rc" 1

done_testing
