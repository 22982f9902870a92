#!/bin/bash
# bench/run.sh: coresieve against makedumpfile on the same input, in one run, alternating.
#
#   bench/run.sh INPUT [ROUNDS]
#
# For each case (codec x dump level) every variant runs ROUNDS times, the variants
# alternating within a round so that background load hits them alike:
#   cs tN    coresieve --num-threads N, for each N in CS_THREADS
#   mdf      makedumpfile (serial)
#   mdf t2   makedumpfile --num-threads MDF_THREADS
# Each run writes to OUTDIR (default build/bench-out; put it on the file system you
# care about), after a `sync` so that the previous run's writeback does not overlap it;
# the output is deleted afterwards. Reported per variant: median wall time, median CPU
# time (user+sys), peak RSS (max over rounds, wait4 via bench/timeit.c), output bytes; then
# coresieve/makedumpfile ratios against makedumpfile's best variant (lowest median wall)
# and, for -z, against makedumpfile's best -l at the same level (the "-z is smaller than
# -l at no more time" goal). coresieve fsyncs its output before exiting; makedumpfile
# does not, so coresieve's wall time includes getting the dump onto the disk.
#
# Environment:
#   CASES="-l:31 -c:31 -z:31 -l:1 ..."  codec:level pairs ("-"/none = uncompressed); a codec may
#                      carry options after '+': "-z+--compress-level=-3:31" (coresieve only)
#   CS_THREADS="1 2"   coresieve thread counts (default: 1 and the online CPUs)
#   MDF_THREADS=2      makedumpfile's threaded variant ("" to skip it)
#   DRY=1              also the --dry-run -d 31 classification pass; DRY=only: just that
#   WARM=1             before every case, an untimed coresieve --dry-run at its level reads what
#                      the case reads into the page cache (0: skip, for inputs larger than RAM)
#   OUTDIR, CORESIEVE, MAKEDUMPFILE  paths
# Results: OUTDIR/results.tsv (one line per run) and the tables on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
INPUT=${1:?usage: bench/run.sh INPUT [ROUNDS]}
ROUNDS=${2:-3}
OUT=${OUTDIR:-build/bench-out}
CS=${CORESIEVE:-build/coresieve}
MDF=${MAKEDUMPFILE:-makedumpfile}
CASES=${CASES:--l:31 -c:31 -z:31 -l:1 -c:1}
NCPU=$(nproc)
CS_THREADS=${CS_THREADS:-$( [ "$NCPU" -gt 1 ] && echo "1 $NCPU" || echo 1)}
MDF_THREADS=${MDF_THREADS-2}
DRY=${DRY:-0}
WARM=${WARM:-1}
mkdir -p "$OUT" build/bench
TIMEIT=build/bench/timeit
cc -O2 -Wall -Wextra -Werror -o "$TIMEIT" bench/timeit.c
RES=$OUT/results.tsv
: > "$RES"

mdf_has() { # codec flag -> is it built into makedumpfile?
	case $1 in
	-c | none) return 0 ;;
	-l) "$MDF" -v 2>&1 | grep -q 'lzo.*enabled' ;;
	-p) "$MDF" -v 2>&1 | grep -q 'snappy.*enabled' ;;
	-z) "$MDF" -v 2>&1 | grep -q 'zstd.*enabled' ;;
	*) return 1 ;;
	esac
}

timed() { # cmd...: run it; "wall user sys maxrss_kib" into $OUT/time.txt, its stderr into $OUT/stderr.txt
	"$TIMEIT" "$OUT/stderr.txt" "$@" >"$OUT/time.txt"
}

run() { # label outfile cmd... ; appends "label wall cpu rss bytes load" to RES
	local label=$1 outf=$2; shift 2
	rm -f "$outf"
	# Memory reclaim (DAMON here) drops parts of an idle input from the page cache within
	# seconds: re-read a small input before every run so that no run reads from the disk.
	[ "$WARM" = 1 ] && [ "$(stat -c %s "$INPUT")" -le $((2 << 30)) ] && cat "$INPUT" >/dev/null
	sync
	local load
	load=$(cut -d' ' -f1 /proc/loadavg)
	# Wall from a monotonic clock, CPU and peak RSS from wait4 (bench/timeit.c).
	# A failed run is retried once (makedumpfile --num-threads fails now and then: "libgcc_s.so.1
	# must be installed for pthread_exit to work").
	timed "$@" || { echo "retrying after: $(tail -1 "$OUT/stderr.txt")" >&2; rm -f "$outf"; sync; timed "$@"; } ||
		{ echo "FAILED: $*" >&2; tail -5 "$OUT/stderr.txt" >&2; return 1; }
	read -r wall user sys rss < "$OUT/time.txt"
	local bytes=0
	[ -f "$outf" ] && bytes=$(stat -c %s "$outf")
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$wall" "$(awk "BEGIN{print $user + $sys}")" \
		"$rss" "$bytes" "$load" >> "$RES"
	rm -f "$outf"
}

warm() { # level: bring what this level reads (mem_map, kept pages) into the page cache, untimed
	[ "$WARM" = 1 ] && "$CS" -d "$1" --dry-run --message-level 0 "$INPUT" "$OUT/warm" > /dev/null
	return 0
}

echo "input: $INPUT ($(du -h --apparent-size "$INPUT" | cut -f1) apparent, $(du -h "$INPUT" | cut -f1) on disk)"
echo "machine: $NCPU CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/Mem:/{print $2}') GiB RAM, kernel $(uname -r)"
echo "tools: $("$CS" -v 2>&1 | head -1); $("$MDF" -v 2>&1 | head -1)"
echo "rounds: $ROUNDS; coresieve threads: $CS_THREADS; makedumpfile threaded variant: ${MDF_THREADS:-none}"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$DRY" != only ]; then
	for case in $CASES; do
		codec=${case%%:*} level=${case##*:}
		cflag=${codec//+/ }
		[ "$codec" = none ] && cflag=
		warm "$level"
		for r in $(seq "$ROUNDS"); do
			for t in $CS_THREADS; do
				run "cs $codec -d $level t$t" "$OUT/cs.out" "$CS" $cflag -d "$level" \
					--message-level 0 --num-threads "$t" "$INPUT" "$OUT/cs.out"
			done
			if [ "$codec" = "${codec%%+*}" ] && mdf_has "$codec"; then
				run "mdf $codec -d $level" "$OUT/mdf.out" "$MDF" $cflag -d "$level" \
					--message-level 0 "$INPUT" "$OUT/mdf.out"
				if [ -n "$MDF_THREADS" ]; then
					run "mdf $codec -d $level t$MDF_THREADS" "$OUT/mdf.out" "$MDF" $cflag \
						-d "$level" --message-level 0 --num-threads "$MDF_THREADS" \
						"$INPUT" "$OUT/mdf.out"
				fi
			fi
		done
	done
fi
if [ "$DRY" != 0 ]; then
	warm 31
	for r in $(seq "$ROUNDS"); do
		run "cs dry-run -d 31 t$NCPU" "$OUT/none" "$CS" -d 31 --dry-run --message-level 0 "$INPUT" "$OUT/none"
		run "mdf dry-run -d 31" "$OUT/none" "$MDF" -d 31 --dry-run --message-level 0 "$INPUT" "$OUT/none"
	done
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

/usr/bin/python3 - "$RES" <<'PY'
import sys, statistics, collections, re
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    label, wall, cpu, rss, size, load = line.rstrip("\n").split("\t")
    rows[label].append((float(wall), float(cpu), int(rss), int(size), float(load)))
med = {k: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v),
           max(r[2] for r in v), v[0][3], statistics.median(r[4] for r in v), len(v))
       for k, v in rows.items()}
print(f"{'variant':<40}{'wall s':>9}{'cpu s':>9}{'rss MiB':>9}{'bytes':>13}{'load':>6}{'n':>3}")
for k, (w, c, rss, size, load, n) in med.items():
    print(f"{k:<40}{w:>9.3f}{c:>9.3f}{rss/1024:>9.1f}{size:>13}{load:>6.1f}{n:>3}")

def case_of(k):  # "cs -l -d 31 t2" -> ("cs", "-l -d 31")
    tool, rest = k.split(" ", 1)
    rest = re.sub(r" t\d+$", "", rest)
    return tool, rest

def mdf_best(case):
    c = [(k, med[k]) for k in med if case_of(k) == ("mdf", case)]
    return min(c, key=lambda kv: kv[1][0]) if c else None

def variant(label):  # "mdf -l -d 31 t2" -> "t2", "mdf -l -d 31" -> "serial"
    m = re.search(r" (t\d+)$", label)
    return m.group(1) if m else "serial"

def ratio_line(k, best, vs):
    w, c, rss, size = med[k][:4]
    b = best[1]
    print(f"{k:<40}{vs:>12}{w/b[0]:>8.2f}{c/max(b[1],1e-9):>8.2f}{rss/b[2]:>8.2f}"
          f"{(size/b[3] if b[3] else 0):>9.3f}")

hdr = f"{'variant':<40}{'vs mdf':>12}{'wall':>8}{'cpu':>8}{'rss':>8}{'bytes':>9}"
print()
print("coresieve / makedumpfile's best variant (lowest median wall) for the same case")
print(hdr)
for k in med:
    tool, case = case_of(k)
    if tool != "cs":
        continue
    best = mdf_best(case)
    if best:
        ratio_line(k, best, variant(best[0]))
    elif not case.startswith("-z"):
        print(f"{k:<40}  (makedumpfile lacks this case)")
zs = [k for k in med if case_of(k)[0] == "cs" and case_of(k)[1].startswith("-z")]
if zs:
    print()
    print("coresieve -z / makedumpfile's best -l variant at the same level")
    print(hdr)
    for k in zs:
        best = mdf_best("-l " + case_of(k)[1].split(" ", 1)[1])
        if best:
            ratio_line(k, best, "-l " + variant(best[0]))
PY
