#!/bin/bash
# tests/integ/adapt.sh: -z --adapt (engine/adapt.c): the level follows the output's speed (higher
# through a 20 MB/s stream than to a fast file), every reader gets the same pages, the levels
# used are reported, and --adapt is refused where it cannot work.
. "$(dirname "$0")/lib.sh"
[ -x "$CORESIEVE" ] || skip_all "no $CORESIEVE"
[ -x "$MKVMCORE" ] || skip_all "no $MKVMCORE"
"$CORESIEVE" -v | grep -q '^zstd' || skip_all "this build has no zstd"
D=$(scratch)
KB=$CS_ROOT/tests/integ/kdump_bitmap.py
VERIFY=$CS_ROOT/tests/integ/kdump_verify.py
"$MKVMCORE" --ram 320M --seed 11 --truth "$D/a.truth" -o "$D/a" >/dev/null || { not_ok "mkvmcore"; done_testing; exit 1; }
cc -O2 -o "$D/throttle" "$CS_ROOT/bench/throttle.c" || { not_ok "build bench/throttle.c"; done_testing; exit 1; }

# levels LOG: "level:pages ..." from the "--adapt: pages by zstd level: L: N, ..." line.
levels() { sed -n 's/^--adapt: pages by zstd level: \(.*\)\.$/\1/p' "$1" | sed 's/, /\n/g; s/: /:/g'; }
sum_pages() { levels "$1" | awk -F: '{s += $2} END {print s + 0}'; }
max_level() { levels "$1" | awk -F: 'NR == 1 || $1 > m {m = $1} END {print m}'; }
min_level() { levels "$1" | awk -F: 'NR == 1 || $1 < m {m = $1} END {print m}'; }

# A fast target (a file in the page cache): compression is the bottleneck, the level goes down.
"$CORESIEVE" -z --adapt -d 31 "$D/a" "$D/fast.kdump" >"$D/fast.log" 2>&1
check_eq "fast file: exit" "$?" 0
check "fast file: kept set equals the generator's truth" $PYTHON "$KB" kept "$D/fast.kdump" "$D/a.truth" 31
check "fast file: libkdumpfile reads every kept page identically" $PYTHON "$VERIFY" "$D/fast.kdump" "$D/a"
echo "# fast file: levels $(levels "$D/fast.log" | tr '\n' ' ')"
check "fast file: the report names the levels used" [ "$(sum_pages "$D/fast.log")" -gt 0 ]
# (The page cache takes a page in about a microsecond: the level stays low, where exactly
# depends on how fast this machine compresses.)
check "fast file: the level stays low (highest: $(max_level "$D/fast.log"))" [ "$(max_level "$D/fast.log")" -le 3 ]

# A 20 MB/s stream (kdump.conf's ssh target runs the collector with -F into a pipe): the output is
# the bottleneck, the level goes up; -R rebuilds a file every reader opens.
"$CORESIEVE" -F -z --adapt -d 31 "$D/a" 2>"$D/slow.log" | "$D/throttle" 20 "$D/slow.flat" 2>/dev/null
check_eq "20 MB/s stream: exit" "${PIPESTATUS[0]}" 0
"$CORESIEVE" -R "$D/slow.kdump" <"$D/slow.flat" >/dev/null 2>&1
check_eq "20 MB/s stream: -R" "$?" 0
check "20 MB/s stream: kept set equals the generator's truth" $PYTHON "$KB" kept "$D/slow.kdump" "$D/a.truth" 31
check "20 MB/s stream: libkdumpfile reads every kept page identically" $PYTHON "$VERIFY" "$D/slow.kdump" "$D/a"
echo "# 20 MB/s: levels $(levels "$D/slow.log" | tr '\n' ' ')"
check "20 MB/s stream: it climbs above the fast file's levels (highest: $(max_level "$D/slow.log"), fast: $(max_level "$D/fast.log"))" \
	[ "$(max_level "$D/slow.log")" -gt "$(max_level "$D/fast.log")" ]
check_eq "the same pages are reported either way" "$(sum_pages "$D/slow.log")" "$(sum_pages "$D/fast.log")"
check "bounds hold: --adapt=min=2,max=4" sh -c '"$1" -F -z --adapt=min=2,max=4 -d 31 "$2" 2>"$3" | "$4" 20 >/dev/null 2>&1' _ \
	"$CORESIEVE" "$D/a" "$D/bounds.log" "$D/throttle"
check "bounds hold: every level in 2..4 ($(levels "$D/bounds.log" | tr '\n' ' '))" \
	sh -c '[ "$1" -ge 2 ] && [ "$2" -le 4 ]' _ "$(min_level "$D/bounds.log")" "$(max_level "$D/bounds.log")"
# --split: each piece adapts on its own; the set reassembles to the same pages.
"$CORESIEVE" -z --adapt -d 31 --split "$D/a" "$D/p1" "$D/p2" >"$D/split.log" 2>&1
check_eq "--split --adapt: exit" "$?" 0
"$CORESIEVE" --reassemble "$D/p1" "$D/p2" "$D/re.kdump" >/dev/null 2>&1
check "--split --adapt: the reassembled set reads every kept page identically" $PYTHON "$VERIFY" "$D/re.kdump" "$D/a"
check_eq "--split --adapt: the pieces' levels add up to the whole" "$(sum_pages "$D/split.log")" "$(sum_pages "$D/fast.log")"

# Refused in one line, exit 1, nothing written.
for args in "-l --adapt" "-c --adapt" "--adapt" "-z --adapt=min=5,max=3" "-z --adapt=fast" "-z --adapt=min=0" "-E --adapt"; do
	rm -f "$D/no"
	"$CORESIEVE" $args -d 31 "$D/a" "$D/no" >"$D/ref.log" 2>&1
	rc=$?
	check "refused: $args (exit $rc: $(grep -m1 -- 'adapt\|usage\|invalid' "$D/ref.log"))" sh -c '[ "$1" = 1 ] && [ ! -e "$2" ]' _ "$rc" "$D/no"
done
rm -f "$D"/a "$D"/*.kdump "$D"/*.flat "$D"/p1 "$D"/p2
done_testing
