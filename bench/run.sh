#!/bin/bash
# bench/run.sh: coresieve against makedumpfile on the same input, in one run, alternating.
#
#   bench/run.sh INPUT [ROUNDS]
#
# For each case (codec x dump level) both tools run ROUNDS times, alternating, writing to
# OUTDIR (default build/bench-out, on the same file system as INPUT is best). Reported per
# tool: median wall time, median CPU time (user+sys), peak RSS (/usr/bin/time -v), output
# bytes, and coresieve/makedumpfile ratios against makedumpfile's best thread setting.
# Environment: CASES="-l:31 -l:1 -c:31 -z:31 ...", THREADS (coresieve --num-threads,
# default: online CPUs), MDF_THREADS (makedumpfile's threaded variant, default 2),
# DRY=1 adds the --dry-run classification pass.
set -euo pipefail
cd "$(dirname "$0")/.."
INPUT=${1:?usage: bench/run.sh INPUT [ROUNDS]}
ROUNDS=${2:-3}
OUT=${OUTDIR:-build/bench-out}
CS=${CORESIEVE:-build/coresieve}
MDF=${MAKEDUMPFILE:-makedumpfile}
CASES=${CASES:--l:31 -l:1 -c:31 -c:1 -z:31 -z:1}
THREADS=${THREADS:-$(nproc)}
MDF_THREADS=${MDF_THREADS:-2}
mkdir -p "$OUT"
RES=$OUT/results.tsv
: > "$RES"

mdf_has() { # codec flag -> is it built into makedumpfile?
	case $1 in
	-c) return 0 ;;
	-l) "$MDF" -v 2>&1 | grep -q 'lzo.*enabled' ;;
	-p) "$MDF" -v 2>&1 | grep -q 'snappy.*enabled' ;;
	-z) "$MDF" -v 2>&1 | grep -q 'zstd.*enabled' ;;
	esac
}

run() { # label outfile cmd... ; appends "label wall cpu rss bytes" to RES
	local label=$1 outf=$2; shift 2
	rm -f "$outf"
	sync
	/usr/bin/time -f '%e %U %S %M' -o "$OUT/time.txt" "$@" >/dev/null 2>"$OUT/stderr.txt" ||
		{ echo "FAILED: $*" >&2; tail -5 "$OUT/stderr.txt" >&2; return 1; }
	read -r wall user sys rss < "$OUT/time.txt"
	local bytes=0
	[ -f "$outf" ] && bytes=$(stat -c %s "$outf")
	printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$wall" "$(awk "BEGIN{print $user + $sys}")" "$rss" "$bytes" >> "$RES"
	rm -f "$outf"
}

echo "input: $INPUT ($(du -h --apparent-size "$INPUT" | cut -f1) apparent, $(du -h "$INPUT" | cut -f1) on disk)"
echo "rounds: $ROUNDS; coresieve threads: $THREADS; makedumpfile threaded variant: $MDF_THREADS"
cat "$INPUT" > /dev/null # warm the page cache once, so that every run reads from memory

for case in $CASES; do
	codec=${case%%:*} level=${case##*:}
	for r in $(seq "$ROUNDS"); do
		run "cs $codec -d $level" "$OUT/cs.out" "$CS" $codec -d "$level" --message-level 0 \
			--num-threads "$THREADS" "$INPUT" "$OUT/cs.out"
		if mdf_has "$codec"; then
			run "mdf $codec -d $level" "$OUT/mdf.out" "$MDF" $codec -d "$level" --message-level 0 \
				"$INPUT" "$OUT/mdf.out"
			run "mdf $codec -d $level threads" "$OUT/mdf.out" "$MDF" $codec -d "$level" \
				--message-level 0 --num-threads "$MDF_THREADS" "$INPUT" "$OUT/mdf.out"
		fi
	done
done
if [ "${DRY:-0}" = 1 ]; then
	for r in $(seq "$ROUNDS"); do
		run "cs dry-run -d 31" "$OUT/none" "$CS" -d 31 --dry-run --message-level 0 "$INPUT" "$OUT/none"
		run "mdf dry-run -d 31" "$OUT/none" "$MDF" -d 31 --dry-run --message-level 0 "$INPUT" "$OUT/none"
	done
fi

/usr/bin/python3 - "$RES" <<'PY'
import sys, statistics, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    label, wall, cpu, rss, size = line.rstrip("\n").split("\t")
    rows[label].append((float(wall), float(cpu), int(rss), int(size)))
med = {k: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v),
           max(r[2] for r in v), v[0][3]) for k, v in rows.items()}
print(f"{'case':<28}{'wall s':>9}{'cpu s':>9}{'rss MiB':>9}{'bytes':>14}")
for k, (w, c, rss, size) in med.items():
    print(f"{k:<28}{w:>9.2f}{c:>9.2f}{rss/1024:>9.1f}{size:>14}")
print()
print(f"{'ratio cs/mdf (best mdf)':<28}{'wall':>9}{'cpu':>9}{'rss':>9}{'bytes':>14}")
for k in med:
    if not k.startswith("cs "):
        continue
    rest = k[3:]
    cands = [med[m] for m in (f"mdf {rest}", f"mdf {rest} threads") if m in med]
    if not cands:
        print(f"{rest:<28}{'(makedumpfile lacks this codec)':>41}")
        continue
    best = min(cands, key=lambda t: t[0])
    w, c, rss, size = med[k]
    print(f"{rest:<28}{w/best[0]:>9.2f}{c/max(best[1],1e-9):>9.2f}{rss/best[2]:>9.2f}"
          f"{(size/best[3] if best[3] else 0):>14.3f}")
PY
