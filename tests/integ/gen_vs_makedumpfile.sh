#!/bin/bash
# tests/integ/gen_vs_makedumpfile.sh: makedumpfile 1.7.2's page counts on mkvmcore dumps equal the manifest's, at every dump level.
#
# For 4- and 5-level paging, several seeds, --unaligned dumps and one with extra
# holes (absent sections, a whole absent mem_section root), in both of
# makedumpfile's bitmap modes (cyclic, and non-cyclic when max_mapnr % 4 == 0), run
#   makedumpfile --dry-run --message-level 16 -d L DUMP OUT
# for L in 0 1 2 4 8 16 31 and compare every number of its report with
# DUMP.manifest.json. Then write real kdump files (-l) at some levels and check
# them pfn by pfn against the truth file (mkvmcore --verify-kdump: 1st and 2nd
# bitmap, shared zero page). Prints "ok - ..." / "not ok - ..." per check; exit 1
# on any failure, 77 ("SKIP: ...") without makedumpfile.
#
# Environment: MKVMCORE (default build/mkvmcore), MAKEDUMPFILE (default: PATH,
# /usr/sbin, /sbin), JOBS (parallel cases, default 2), GEN_WORKDIR (default
# build/integ/gen_vs_makedumpfile), GEN_KEEP=1 keeps the dumps.
#
# Each case deletes its dump as soon as it is checked: a freshly written file
# still in the page cache is dropped for free, while one whose blocks were
# allocated costs a discard per block on filesystems mounted with "discard".
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MKV=${MKVMCORE:-$ROOT/build/mkvmcore}
MDF=${MAKEDUMPFILE:-$(command -v makedumpfile || true)}
for c in /usr/sbin/makedumpfile /sbin/makedumpfile /usr/bin/makedumpfile; do
	[ -n "$MDF" ] || { [ -x "$c" ] && MDF=$c; }
done
if [ -z "$MDF" ] || [ ! -x "$MDF" ]; then
	echo "SKIP: makedumpfile not installed"
	exit 77
fi
WORK=${GEN_WORKDIR:-$ROOT/build/integ/gen_vs_makedumpfile}
mkdir -p "$WORK/tmp" || exit 1
export TMPDIR=$WORK/tmp # makedumpfile writes its bitmap/vmcoreinfo temp files there
fails=0
checks=0

ok() { checks=$((checks + 1)); echo "ok - $*"; }
notok() { checks=$((checks + 1)); fails=$((fails + 1)); echo "not ok - $*"; }

if [ ! -x "$MKV" ]; then
	notok "generator $MKV is not built"
	exit 1
fi

# manifest_level FILE LEVEL -> "zero cache cache_private user free hwpoison offline remaining hole total"
manifest_level() {
	local line
	line=$(grep -E "^ *\"$2\": \{" "$1") || return 1
	for k in zero cache cache_private user free hwpoison offline remaining hole total; do
		printf '%s ' "$(sed -E "s/.*\"$k\": ([0-9]+).*/\1/" <<<"$line")"
	done
}

# report_numbers FILE -> the same ten numbers from makedumpfile's report, as unsigned decimals
report_numbers() {
	local f=$1 label v
	for label in 'Pages filled with zero' 'Non-private cache pages' 'Private cache pages' \
		'User process data pages' 'Free pages' 'Hwpoison pages' 'Offline pages' \
		'Remaining pages' 'Memory Hole' 'Total pages'; do
		v=$(grep -E "^ *$label *: 0x[0-9a-f]+" "$f" | head -n1 | sed -E 's/.*: 0x([0-9a-f]+).*/\1/')
		[ -n "$v" ] || { printf 'missing '; continue; }
		# bash arithmetic is signed 64-bit: print through printf %u to keep wrapped values
		printf '%u ' "0x$v"
	done
}

NAMES=(zero cache cache_private user free hwpoison offline remaining hole total)

# compare NAME DUMP MANIFEST: run makedumpfile at every level and compare
compare() {
	local name=$1 dump=$2 man=$3 level want got log out
	for level in 0 1 2 4 8 16 31; do
		log=$WORK/$name.d$level.log
		out=$WORK/$name.d$level.out
		rm -f "$out"
		# kdump format without a codec: the same counts (the zero test does not
		# depend on compression), a third of the CPU time of -l.
		if ! "$MDF" --dry-run --message-level 16 -d "$level" "$dump" "$out" >"$log" 2>&1; then
			notok "$name -d $level: makedumpfile failed: $(grep -v '^$' "$log" | tail -n1)"
			continue
		fi
		want=$(manifest_level "$man" "$level") || { notok "$name -d $level: level missing in $man"; continue; }
		got=$(report_numbers "$log")
		if [ "$want" = "$got" ]; then
			ok "$name -d $level: report = manifest ($got)"
		else
			local diff="" i=0 w g
			read -ra W <<<"$want"
			read -ra G <<<"$got"
			for i in "${!NAMES[@]}"; do
				w=${W[$i]:-?}
				g=${G[$i]:-?}
				[ "$w" = "$g" ] || diff="$diff ${NAMES[$i]}: makedumpfile $g, manifest $w;"
			done
			notok "$name -d $level:$diff"
		fi
	done
}

# verify NAME LEVELS: makedumpfile -l at each level, then the per-pfn check against the truth file
verify() {
	local name=$1 level kd res
	for level in $2; do
		kd=$WORK/$name.d$level.kdump
		rm -f "$kd"
		if ! "$MDF" -l --message-level 1 -d "$level" "$WORK/$name.vmcore" "$kd" >"$WORK/$name.v$level.log" 2>&1; then
			notok "$name -d $level: makedumpfile -l failed: $(grep -v '^$' "$WORK/$name.v$level.log" | tail -n1)"
			continue
		fi
		if res=$("$MKV" --verify-kdump "$kd" --truth "$WORK/$name.truth" --level "$level" 2>&1); then
			ok "$name -d $level: kdump bitmaps and zero pages = truth file, pfn by pfn"
		else
			notok "$name -d $level: $(tr '\n' ' ' <<<"$res")"
		fi
		# Negative control, once: the same file must disagree with another level's rules.
		if [ "$level" = 31 ] && [ "$name" = l4-seed1 ]; then
			if "$MKV" --verify-kdump "$kd" --truth "$WORK/$name.truth" --level 16 >/dev/null 2>&1; then
				notok "negative control: a -d 31 file passed verification as -d 16"
			else
				ok "negative control: a -d 31 file fails verification as -d 16"
			fi
		fi
		rm -f "$kd"
	done
}

# gen NAME ARGS...: generate build/integ/.../NAME.vmcore
gen() {
	local name=$1
	shift
	if "$MKV" "$@" -o "$WORK/$name.vmcore" --truth "$WORK/$name.truth" 2>"$WORK/$name.gen.log"; then
		local max mode
		max=$(sed -nE 's/.*"max_pfn": ([0-9]+).*/\1/p' "$WORK/$name.vmcore.manifest.json")
		mode=$(sed -nE 's/.*"makedumpfile_mode": "([a-z-]+)".*/\1/p' "$WORK/$name.vmcore.manifest.json")
		if [ "$(stat -c %s "$WORK/$name.truth")" = "$max" ]; then
			ok "$name: generated ($*), $mode, truth file has max_pfn=$max bytes"
		else
			notok "$name: truth file size $(stat -c %s "$WORK/$name.truth") != max_pfn $max"
		fi
		return 0
	fi
	notok "$name: mkvmcore $* failed: $(cat "$WORK/$name.gen.log")"
	return 1
}

# Small RAM sizes keep the whole script well under two minutes. The 3 GiB cases
# cross the 3-4 GiB PCI hole (RAM above 4 GiB, a third PT_LOAD) and reach past
# 32 GiB (an absent mem_section root); they use mostly-zero content so that
# little is written to disk, while the small cases carry rich content.
# NAME|LEVELS checked pfn by pfn on real kdump output|mkvmcore arguments
CASES=(
	"l4-seed1|0 1 31|--ram 1G --seed 1 --paging 4"
	"l4-seed2|31|--ram 768M --seed 2 --paging 4 --mix zero=25,freezero=60"
	"l5-seed3|31|--ram 1G --seed 3 --paging 5"
	"l5-seed4|31|--ram 3G --seed 4 --paging 5 --mix zero=95,freezero=99.5"
	"l4-unaligned|1 31|--ram 3200M --seed 5 --paging 4 --unaligned --mix zero=95,freezero=99.5"
	"l5-unaligned|31|--ram 768M --seed 6 --paging 5 --unaligned --mix zero=30,freezero=70"
	"l5-noncyclic|1 31|--ram 512M --seed 11 --paging 5 --unaligned --holes none"
	"l4-noncyclic|31|--ram 1G --seed 12 --paging 4 --unaligned --holes 0x100000-0x200000"
	"l4-holes|31|--ram 3G --seed 7 --paging 4 --mix zero=95,freezero=99.5 --holes default,0x30000000+256M,1536M-1600M,4G+256M,4608M-40G"
)

# run_case NAME LEVELS ARGS: generate, compare, verify; its "ok"/"not ok" lines go to NAME.result
run_case() {
	local name=$1 vlevels=$2 args=$3
	checks=0
	fails=0
	{
		# shellcheck disable=SC2086
		gen "$name" $args && compare "$name" "$WORK/$name.vmcore" "$WORK/$name.vmcore.manifest.json" &&
			verify "$name" "$vlevels"
		echo "# $checks $fails"
	} >"$WORK/$name.result"
	[ "${GEN_KEEP:-0}" = 1 ] || rm -f "$WORK/$name.vmcore" "$WORK/$name.truth" "$WORK/$name".d*.out
}

# Cases run in parallel (JOBS, default 2); results are printed in case order.
jobs_max=${JOBS:-2}
for c in "${CASES[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
		wait -n
	done
	rest=${c#*|}
	run_case "${c%%|*}" "${rest%%|*}" "${rest#*|}" &
done
wait
for c in "${CASES[@]}"; do
	r=$WORK/${c%%|*}.result
	if [ ! -f "$r" ]; then
		notok "${c%%|*}: no result"
		continue
	fi
	grep -v '^# ' "$r"
	read -r _ n f < <(grep '^# ' "$r" | tail -n1)
	checks=$((checks + ${n:-0}))
	fails=$((fails + ${f:-1}))
done

# Both bitmap modes of makedumpfile must have been exercised.
for mode in cyclic non-cyclic; do
	if grep -qs "\"makedumpfile_mode\": \"$mode\"" "$WORK"/*.vmcore.manifest.json; then
		ok "coverage: a case ran makedumpfile in $mode mode"
	else
		notok "coverage: no case ran makedumpfile in $mode mode"
	fi
done

# The comparison must be able to fail: another seed's manifest must not match this dump.
if [ -f "$WORK/l4-seed1.d31.log" ] && [ -f "$WORK/l4-seed2.vmcore.manifest.json" ]; then
	if [ "$(manifest_level "$WORK/l4-seed2.vmcore.manifest.json" 31)" != "$(report_numbers "$WORK/l4-seed1.d31.log")" ]; then
		ok "negative control: seed 2's manifest differs from makedumpfile's report on seed 1"
	else
		notok "negative control: seed 2's manifest matches seed 1's report"
	fi
fi

# Determinism: the same options give the same bytes.
if "$MKV" --ram 512M --seed 9 -o "$WORK/det-a.vmcore" 2>/dev/null &&
	"$MKV" --ram 512M --seed 9 -o "$WORK/det-b.vmcore" 2>/dev/null &&
	cmp -s "$WORK/det-a.vmcore" "$WORK/det-b.vmcore" &&
	cmp -s "$WORK/det-a.vmcore.manifest.json" "$WORK/det-b.vmcore.manifest.json"; then
	ok "determinism: two runs with seed 9 give identical dumps and manifests"
else
	notok "determinism: two runs with seed 9 differ"
fi
rm -f "$WORK/det-a.vmcore" "$WORK/det-b.vmcore"

if [ "${GEN_KEEP:-0}" != 1 ]; then
	rm -f "$WORK"/*.result
	rm -rf "$WORK/tmp"
fi
echo "# $checks checks, $fails failed"
[ "$fails" -eq 0 ]
