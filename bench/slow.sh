#!/bin/bash
# bench/slow.sh: dump time to a slow target: each dumper writes the flattened stream (-F, what
# kdump.conf's `ssh` target runs) into bench/throttle.c at RATE MB/s; the time counted is until
# the last byte has been taken, as the crashed machine's owner waits for it.
#
#   bench/slow.sh INPUT [ROUNDS]
#
# Variants (alternating within a round, so background load hits them alike):
#   mdf -l, mdf -c         makedumpfile (MAKEDUMPFILE, default Debian's)
#   mdf179 -z              MAKEDUMPFILE_179 if set (1.7.9 built with zstd)
#   cs -z L                coresieve -z --compress-level L for each L in LEVELS
#   cs -z --adapt          coresieve -z --adapt (ADAPT="" for the default bounds, or "=min=N,max=M")
#   cs -l                  coresieve -l
# for each RATE in RATES (MB/s) and each CPU count in CPUS ("1": taskset to one CPU, as a
# capture kernel with nr_cpus=1; "2": two). Reported per case: median wall, CPU (user+sys of the
# whole pipeline), peak RSS, stream bytes; then --adapt against makedumpfile -l and against
# coresieve's best fixed level.
#
# Environment: RATES="20 50 100 400", CPUS="1 2", LEVELS="-7 -3 -1 1 3 5 9", DUMP_LEVEL=31,
#   TARGET=pipe (the stream into throttle's stdin) or tcp (into a loopback TCP connection, whose
#   socket buffers hold megabytes, as an ssh link's do), CORESIEVE, MAKEDUMPFILE,
#   MAKEDUMPFILE_179, OUTDIR (build/bench-slow).
set -eu
cd "$(dirname "$0")/.."
INPUT=${1:?usage: bench/slow.sh INPUT [ROUNDS]}
ROUNDS=${2:-3}
CS=${CORESIEVE:-build/coresieve}
MDF=${MAKEDUMPFILE:-$(command -v makedumpfile || echo /usr/sbin/makedumpfile)}
MDF179=${MAKEDUMPFILE_179:-}
RATES=${RATES:-20 50 100 400}
CPUS=${CPUS:-1 2}
LEVELS=${LEVELS:--7 -3 -1 1 3 5 9}
ADAPT=${ADAPT:-}
DL=${DUMP_LEVEL:-31}
TARGET=${TARGET:-pipe}
OUT=${OUTDIR:-build/bench-slow}
mkdir -p "$OUT" build/bench
cc -O2 -Wall -Wextra -Werror -o build/bench/timeit bench/timeit.c
cc -O2 -Wall -Wextra -Werror -o build/bench/throttle bench/throttle.c
RES=$OUT/results.tsv
: >"$RES"

run() { # cpus rate label cmd... : the command's -F stream through throttle; appends a result line
	local cpus=$1 rate=$2 label=$3; shift 3
	local pin=()
	[ "$cpus" = 1 ] && pin=(taskset -c 0)
	cat "$INPUT" >/dev/null # the input stays in the page cache: the target is what is measured
	if [ "$TARGET" = tcp ]; then
		# The listener is up before the clock starts; the clock stops when it has read the last byte.
		local port=$((20000 + RANDOM % 20000))
		rm -f "$OUT/throttle.err"
		THROTTLE_PORT=$port build/bench/throttle "$rate" 2>"$OUT/throttle.err" &
		local tpid=$!
		until grep -q listening "$OUT/throttle.err" 2>/dev/null; do sleep 0.01; done
		build/bench/timeit "$OUT/stderr.txt" "${pin[@]}" bash -c \
			'p=$1 t=$2; shift 2; "$@" 2>/dev/null >/dev/tcp/127.0.0.1/$p; while kill -0 $t 2>/dev/null; do sleep 0.002; done' \
			_ "$port" "$tpid" "$@" >"$OUT/time.txt" || { echo "FAILED: $label" >&2; return 1; }
		wait "$tpid" 2>/dev/null || true
		cat "$OUT/throttle.err" >>"$OUT/stderr.txt"
	else
		build/bench/timeit "$OUT/stderr.txt" "${pin[@]}" sh -c '"$@" 2>/dev/null | build/bench/throttle '"$rate" _ "$@" \
			>"$OUT/time.txt" || { echo "FAILED: $label" >&2; tail -3 "$OUT/stderr.txt" >&2; return 1; }
	fi
	read -r wall user sys rss <"$OUT/time.txt"
	local bytes
	bytes=$(tail -1 "$OUT/stderr.txt" | cut -d' ' -f1)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$cpus" "$rate" "$label" "$wall" \
		"$(awk "BEGIN{print $user + $sys}")" "$rss" "$bytes" >>"$RES"
}

echo "input: $INPUT ($(du -h --apparent-size "$INPUT" | cut -f1)), dump level $DL"
echo "tools: $("$CS" -v 2>&1 | head -1); $("$MDF" -v 2>&1 | head -1)${MDF179:+; $("$MDF179" -v 2>&1 | head -1)}"
echo "target: $TARGET; rates: $RATES MB/s; cpus: $CPUS; rounds: $ROUNDS; load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for cpus in $CPUS; do
	t=$cpus
	for rate in $RATES; do
		for r in $(seq "$ROUNDS"); do
			run "$cpus" "$rate" "mdf -l" "$MDF" -F -l -d "$DL" --message-level 0 "$INPUT"
			run "$cpus" "$rate" "mdf -c" "$MDF" -F -c -d "$DL" --message-level 0 "$INPUT"
			[ -n "$MDF179" ] && run "$cpus" "$rate" "mdf179 -z" "$MDF179" -F -z -d "$DL" --message-level 0 "$INPUT"
			[ -n "$MDF179" ] && [ "$cpus" != 1 ] &&
				run "$cpus" "$rate" "mdf179 -z t$t" "$MDF179" -F -z -d "$DL" --num-threads "$t" --message-level 0 "$INPUT"
			run "$cpus" "$rate" "cs -l" "$CS" -F -l -d "$DL" --num-threads "$t" --message-level 0 "$INPUT"
			for l in $LEVELS; do
				run "$cpus" "$rate" "cs -z $l" "$CS" -F -z --compress-level="$l" -d "$DL" \
					--num-threads "$t" --message-level 0 "$INPUT"
			done
			run "$cpus" "$rate" "cs -z --adapt$ADAPT" "$CS" -F -z "--adapt$ADAPT" -d "$DL" \
				--num-threads "$t" --message-level 0 "$INPUT"
		done
	done
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"

/usr/bin/python3 - "$RES" <<'PY'
import sys, statistics, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    cpus, rate, label, wall, cpu, rss, size = line.rstrip("\n").split("\t")
    rows[(cpus, rate, label)].append((float(wall), float(cpu), int(rss), int(size)))
cases = collections.OrderedDict()
for (cpus, rate, label), v in rows.items():
    cases.setdefault((cpus, rate), {})[label] = (statistics.median(x[0] for x in v),
        statistics.median(x[1] for x in v), max(x[2] for x in v), statistics.median(x[3] for x in v), len(v))
for (cpus, rate), var in cases.items():
    print(f"\n{cpus} CPU{'s' if cpus != '1' else ''}, {rate} MB/s")
    print(f"  {'variant':<22}{'wall s':>8}{'cpu s':>8}{'rss MiB':>9}{'bytes':>12}{'n':>3}")
    for k, (w, c, r, b, n) in var.items():
        print(f"  {k:<22}{w:>8.3f}{c:>8.3f}{r/1024:>9.1f}{b:>12.0f}{n:>3}")
    ad = [k for k in var if "--adapt" in k]
    fixed = {k: v for k, v in var.items() if k.startswith("cs -z ") and "--adapt" not in k}
    if ad and fixed:
        a = var[ad[0]][0]
        best = min(fixed, key=lambda k: fixed[k][0])
        line = f"  --adapt: {a:.3f} s; best fixed {best} {fixed[best][0]:.3f} s (x{fixed[best][0] / a:.2f})"
        if "mdf -l" in var:
            line += f"; makedumpfile -l {var['mdf -l'][0]:.3f} s (x{var['mdf -l'][0] / a:.2f} sooner)"
        print(line)
PY
