#!/bin/bash
# tests/integ/no_silent_loss.sh: a page the input declares but cannot give is never a quiet zero page in a complete-marked dump (docs/robustness.md "No silent loss").
#
# The rule (core/loss.h, engine/job.c account_losses): every such page is counted by
# reason, reported in one line per reason naming the count and the first pfn, marks
# the output incomplete (kdump status 0x8, ELF e_flags bit 0) and fails the run (exit
# 1); --allow-incomplete keeps the mark and the lines but exits 0. Checked for every
# page descriptor field, every missing piece of a split set, cut points of every input
# format (kdump, flattened, ELF, split piece), every kdump status bit and the ELF
# incomplete flag, in dump, -F, -E, --mem-usage and --dump-dmesg modes; and the reader
# survives a small stack / address space (no large stack buffers).
. "$(dirname "$0")/lib.sh"
[ -x "$CORESIEVE" ] || skip_all "no $CORESIEVE"
[ -x "$MKVMCORE" ] || skip_all "no $MKVMCORE"
D=$(scratch)
TO=${FAULT_TIMEOUT:-120}
KP() { "$PYTHON" "$CS_ROOT/tests/integ/kdump_pages.py" "$@"; }

"$MKVMCORE" --ram 256M --seed 11 -o "$D/g.elf" >/dev/null 2>&1 || { not_ok "mkvmcore"; done_testing; exit 1; }
# zlib, so that kdump_pages.py can read every page without a library.
"$CORESIEVE" -c -d 31 "$D/g.elf" "$D/g.kdump" >/dev/null 2>&1 || { not_ok "make g.kdump"; done_testing; exit 1; }

# run NAME ARGS...: coresieve ARGS NAME.out under timeout; RC, ERR (stderr without progress lines).
run() {
	local name=$1; shift
	OUT=$D/$name.out
	rm -f "$OUT"
	timeout -s KILL "$TO" "$CORESIEVE" "$@" "$OUT" >"$D/$name.stdout" 2>"$D/$name.err"
	RC=$?
	ERR=$(tr '\r' '\n' <"$D/$name.err" | grep -v -E '^\s*$|%\]')
}
status_of() { KP status "$1" 2>/dev/null || echo none; }
marked() { local v; v=$(status_of "$1"); [ "$v" != none ] && [ $(( v & ${2:-8} )) -ne 0 ]; }
# lossy NAME WHY COUNT PFN: exit 1, output marked incomplete, the line "COUNT page(s) lost, the first at pfn PFN: WHY".
lossy() {
	local s=s; [ "$3" = 1 ] && s=
	check_eq "$1: exit 1" "$RC" 1
	check "$1: output marked incomplete (status $(status_of "$OUT"))" marked "$OUT"
	check "$1: one line: $3 page$s lost, the first at pfn $4: $2" \
		grep -q ": $3 page$s lost, the first at pfn $4: $2" <<<"$ERR"
}
# never_silent NAME: never a signal, never exit 0 with an output marked complete.
never_silent() {
	if [ "$RC" -gt 1 ]; then
		not_ok "$1: exit $RC ($(tail -1 <<<"$ERR"))"
	elif [ "$RC" -eq 0 ] && ! marked "$OUT"; then
		# Complete is right only when nothing was lost (e.g. a stream cut in its end marker).
		check "$1: exit 0, complete: every page equals the source's" KP same "$OUT" "$D/g.kdump"
	elif [ "$RC" -eq 1 ] && [ -e "$OUT" ] && ! marked "$OUT"; then
		not_ok "$1: exit 1 left an output that looks complete"
	else
		ok "$1: exit $RC, output $( [ -e "$OUT" ] && status_of "$OUT" || echo absent)"
	fi
}
mdf_note() { # NAME ARGS...: what makedumpfile does with the same input (information only)
	local name=$1; shift
	[ -n "$MDF" ] || return 0
	rm -f "$D/$name.mdf"
	timeout -s KILL "$TO" "$MDF" "$@" "$D/$name.mdf" >/dev/null 2>&1
	echo "# $name: makedumpfile exits $?"
	rm -f "$D/$name.mdf"
}

# --- control: the re-filter of the intact file keeps every page, byte-equal -----------------------
run base -c -d 31 "$D/g.kdump"
check_eq "intact re-filter: exit 0" "$RC" 0
check_eq "intact re-filter: status complete" "$(status_of "$OUT")" 0x1
check "intact re-filter: every kept page equals the source's" KP same "$OUT" "$D/g.kdump"

# --- case 1, every descriptor field (one compressed page, pfn PFN) -----------------------------
read -r PFN IDX _ < <(KP desc "$D/g.kdump" 50)
HPFN=$(printf '0x%x' "$PFN")
FSIZE=$(stat -c %s "$D/g.kdump")
BAD="corrupt page descriptor"
for c in "offset 0 $BAD" "offset -4096 $BAD" "offset $((FSIZE + 4096)) descriptor or data past the end" \
	"offset $((FSIZE - 10)) descriptor or data past the end" "size 0 $BAD" "size 4097 $BAD" \
	"flags 0 $BAD" "flags 0x40 $BAD" "flags 2 data that does not decompress" \
	"data 255 data that does not decompress"; do
	read -r field val why <<<"$c"
	cp "$D/g.kdump" "$D/d.kdump"
	KP patch "$D/d.kdump" "$IDX" "$field" "$val"
	run "d_${field}_$val" -c -d 31 "$D/d.kdump"
	lossy "descriptor $field=$val" "$why" 1 "$HPFN"
	mdf_note "d_${field}_$val" -c -d 31 "$D/d.kdump"
done
# Not losses: page_flags is unused by every reader; with several codec bits the first of
# zlib, lzo, snappy, zstd decodes the page (makedumpfile's order).
for c in "page_flags 0xdead" "flags 3" "flags 0x21"; do
	read -r field val <<<"$c"
	cp "$D/g.kdump" "$D/d.kdump"
	KP patch "$D/d.kdump" "$IDX" "$field" "$val"
	run "d_${field}_$val" -c -d 31 "$D/d.kdump"
	check_eq "descriptor $field=$val: exit 0" "$RC" 0
	check "descriptor $field=$val: every page equals the source's" KP same "$OUT" "$D/g.kdump"
done
cp "$D/g.kdump" "$D/d.kdump"

# --allow-incomplete: the same mark and line, exit 0, every other page intact.
KP patch "$D/d.kdump" "$IDX" offset 0
run allow -c -d 31 --allow-incomplete "$D/d.kdump"
check_eq "--allow-incomplete: exit 0" "$RC" 0
check "--allow-incomplete: output marked incomplete" marked "$OUT"
check "--allow-incomplete: the line is printed" grep -q ": 1 page lost, the first at pfn $HPFN: $BAD" <<<"$ERR"
check "--allow-incomplete: every other page equals the source's" KP same "$OUT" "$D/g.kdump" "$HPFN"
# ... and in the other output formats: a stream (-F, rebuilt with -R) and ELF (-E).
rm -f "$D/allow.flat.kdump"
"$CORESIEVE" -F -c -d 31 "$D/d.kdump" >"$D/allow.flat" 2>/dev/null
check_eq "lost page, -F: exit 1" "$?" 1
"$CORESIEVE" -R "$D/allow.flat.kdump" <"$D/allow.flat" >/dev/null 2>&1
check "lost page, -F: the stream carries the incomplete flag (-R: status $(status_of "$D/allow.flat.kdump"))" \
	marked "$D/allow.flat.kdump"
run elf -E -d 31 "$D/d.kdump"
check_eq "lost page, -E: exit 1" "$RC" 1
check "lost page, -E: e_flags marks the ELF file incomplete" marked "$OUT" 1
rm -f "$D/allow.eflat.elf"
"$CORESIEVE" -E -F -d 31 "$D/d.kdump" >"$D/allow.eflat" 2>/dev/null
check_eq "lost page, -E -F: exit 1" "$?" 1
"$CORESIEVE" -R "$D/allow.eflat.elf" <"$D/allow.eflat" >/dev/null 2>&1
check "lost page, -E -F: the stream carries the ELF incomplete flag (-R: e_flags $(status_of "$D/allow.eflat.elf"))" \
	marked "$D/allow.eflat.elf" 1

# --- case 2, every piece of a split set missing --------------------------------------------------
"$CORESIEVE" -c -d 31 --split "$D/g.elf" "$D/p1" "$D/p2" "$D/p3" >/dev/null 2>&1 || not_ok "make the split set"
run split_all -c -d 31 "$D/p1" "$D/p2" "$D/p3"
check_eq "split set, all pieces: exit 0" "$RC" 0
check "split set, all pieces: every page equals the source's" KP same "$OUT" "$D/g.kdump"
for miss in 1 2 3; do
	given=()
	for i in 1 2 3; do [ $i = $miss ] || given+=("$D/p$i"); done
	read -r lo hi < <(KP piece "$D/p$miss")
	read -r n first < <(KP dumpable "$D/p$miss" "$lo" "$hi")
	run "split_no_p$miss" -c -d 31 "${given[@]}"
	lossy "split set without piece $miss" "in no piece of the split set" "$n" "$first"
done

# --reassemble says so too: a corrupt descriptor in a piece, and pieces flagged incomplete.
read -r RPFN RIDX _ < <(KP desc "$D/p2" 5)
cp "$D/p2" "$D/p2.bad"
KP patch "$D/p2.bad" "$RIDX" size 0
rm -f "$D/rs.out"
timeout -s KILL "$TO" "$CORESIEVE" --reassemble "$D/p1" "$D/p2.bad" "$D/p3" "$D/rs.out" >"$D/rs.log" 2>&1
check_eq "--reassemble, a corrupt descriptor in piece 2: exit 1" "$?" 1
check "--reassemble, a corrupt descriptor in piece 2: output marked incomplete" marked "$D/rs.out"
check "--reassemble, a corrupt descriptor in piece 2: one line with its pfn" \
	grep -q ": 1 page lost, the first at pfn $(printf '0x%x' "$RPFN"): $BAD" "$D/rs.log"
# Only the middle piece marked incomplete: the line names it, not the first piece given.
cp "$D/p2" "$D/p2.inc"
KP setstatus "$D/p2.inc" 8
rm -f "$D/rs.out"
timeout -s KILL "$TO" "$CORESIEVE" --reassemble "$D/p1" "$D/p2.inc" "$D/p3" "$D/rs.out" >"$D/rs.log" 2>&1
check_eq "--reassemble, piece 2 marked incomplete: exit 1" "$?" 1
check "--reassemble, piece 2 marked incomplete: the line names piece 2" \
	grep -qF "$D/p2.inc: the input is marked incomplete" "$D/rs.log"
rm -f "$D/l1" "$D/l2" "$D/l3" "$D/rs.out"
"$CORESIEVE" -c -d 31 -L 4M --split "$D/g.elf" "$D/l1" "$D/l2" "$D/l3" >/dev/null 2>&1
for m in "" "--allow-incomplete"; do
	rm -f "$D/rs.out"
	timeout -s KILL "$TO" "$CORESIEVE" --reassemble $m "$D/l1" "$D/l2" "$D/l3" "$D/rs.out" >"$D/rs.log" 2>&1
	rc=$?
	want=1; [ -n "$m" ] && want=0
	check_eq "--reassemble $m of pieces cut by -L: exit $want" "$rc" "$want"
	check "--reassemble $m of pieces cut by -L: output marked, a piece said incomplete" \
		sh -c 'grep -q "the input is marked incomplete" "$1" && grep -qE "pages? lost, the first at pfn" "$1"' _ "$D/rs.log"
	check "--reassemble $m of pieces cut by -L: output marked incomplete" marked "$D/rs.out"
done

# --- case 3 and the general class: every cut point of every input format ------------------------------
"$CORESIEVE" -F -c -d 31 "$D/g.elf" >"$D/g.flat" 2>/dev/null || not_ok "make the flattened stream"
cut_all() { # FORMAT FILE ARGS...: cut FILE at fractions of its size and at size-1, re-filter each
	local fmt=$1 file=$2 size; shift 2
	size=$(stat -c %s "$file")
	for frac in 5 20 40 60 80 95 last; do
		local at=$((size * ${frac/last/100} / 100)); [ $frac = last ] && at=$((size - 1))
		head -c "$at" "$file" >"$D/cut.$fmt"
		run "cut_${fmt}_$frac" "$@" -c -d 31 "$D/cut.$fmt"
		never_silent "$fmt cut at $frac% ($at of $size bytes)"
	done
}
cut_all kdump "$D/g.kdump"
cut_all flat "$D/g.flat"
cut_all elf "$D/g.elf"
for frac in 30 70; do
	size=$(stat -c %s "$D/p2")
	head -c $((size * frac / 100)) "$D/p2" >"$D/p2.cut"
	run "cut_piece_$frac" -c -d 31 "$D/p1" "$D/p2.cut" "$D/p3"
	never_silent "split piece 2 cut at $frac%"
done
# The flattened cut that used to re-filter with exit 0 and status complete, and its -R.
head -c $(( $(stat -c %s "$D/g.flat") / 2 )) "$D/g.flat" >"$D/half.flat"
run half_flat -c -d 31 "$D/half.flat"
check_eq "flattened stream cut in half: exit 1" "$RC" 1
check "flattened stream cut in half: output marked incomplete" marked "$OUT"
check "flattened stream cut in half: the loss is one line naming count and pfn" \
	grep -qE ': [0-9]+ pages? lost, the first at pfn 0x[0-9a-f]+: descriptor or data past the end' <<<"$ERR"
mdf_note half_flat -c -d 31 "$D/half.flat"
check "flattened stream cut in half: says what the output holds, not that the rest did not fit" \
	sh -c 'grep -q "holds [0-9]* pages" "$1" && ! grep -q "did not fit" "$1"' _ "$D/half_flat.stdout"

# --- a header whose max_mapnr was shrunk hides dumpable pages: they are losses, not a smaller dump ---
cp "$D/g.kdump" "$D/mm.kdump"
"$PYTHON" - "$D/mm.kdump" <<'EOF'
import struct, sys
p = sys.argv[1]; d = bytearray(open(p, "rb").read())
bs = struct.unpack_from("<I", d, 428)[0]
struct.pack_into("<I", d, 440, 0x4000)        # disk_dump_header.max_mapnr
struct.pack_into("<Q", d, bs + 96, 0x4000)    # kdump_sub_header.max_mapnr_64
open(p, "wb").write(d)
EOF
run mm -c -d 31 "$D/mm.kdump"
check_eq "max_mapnr shrunk to 0x4000: exit 1" "$RC" 1
check "max_mapnr shrunk: output marked incomplete" marked "$OUT"
check "max_mapnr shrunk: one line naming the count and the first pfn above it" \
	grep -qE ': [0-9]+ pages? lost, the first at pfn 0x4[0-9a-f]{3}: marked dumpable beyond the header.s max_mapnr' <<<"$ERR"

# --- case 4 and every status bit ---------------------------------------------------------------
for b in 0x1 0x2 0x4 0x10 0x20 0x40 0x80 0x100 0x10000 0x80000000; do
	cp "$D/g.kdump" "$D/st.kdump"
	KP setstatus "$D/st.kdump" "$b"
	run "st_$b" -c -d 31 "$D/st.kdump"
	check_eq "input status bit $b: exit 0" "$RC" 0
	check "input status bit $b: output complete, every page equals the source's" \
		sh -c '[ $(( $1 & 8 )) -eq 0 ] && "$2" "$3" same "$4" "$5" >/dev/null' _ "$(status_of "$OUT")" \
		"$PYTHON" "$CS_ROOT/tests/integ/kdump_pages.py" "$OUT" "$D/g.kdump"
done
cp "$D/g.kdump" "$D/inc.kdump"
KP setstatus "$D/inc.kdump" 0x8
run inc -c -d 31 "$D/inc.kdump"
check_eq "input marked incomplete (0x8): exit 1" "$RC" 1
check "input marked incomplete: the output carries the mark" marked "$OUT"
check "input marked incomplete: said in one line" grep -q "the input is marked incomplete (kdump header status 0x8)" <<<"$ERR"
mdf_note inc -c -d 31 "$D/inc.kdump"
run inc_allow -c -d 31 --allow-incomplete "$D/inc.kdump"
check_eq "input marked incomplete, --allow-incomplete: exit 0" "$RC" 0
check "input marked incomplete, --allow-incomplete: the output carries the mark" marked "$OUT"
check "input marked incomplete, --allow-incomplete: every page equals the source's" KP same "$OUT" "$D/g.kdump"
# A real interrupted dump (-L): its unwritten descriptors are lost pages of their own reason.
rm -f "$D/lim.kdump"
"$CORESIEVE" -c -d 31 -L 8M "$D/g.elf" "$D/lim.kdump" >/dev/null 2>&1
run lim -c -d 31 "$D/lim.kdump"
check_eq "-L-cut input: exit 1" "$RC" 1
check "-L-cut input: output marked incomplete" marked "$OUT"
check "-L-cut input: the unwritten pages are one line" \
	grep -qE ': [0-9]+ pages? lost, the first at pfn 0x[0-9a-f]+: page descriptor never written' <<<"$ERR"
# ELF e_flags bit 0 (makedumpfile's DUMP_ELF_INCOMPLETE).
cp --sparse=always "$D/g.elf" "$D/inc.elf"
KP setstatus "$D/inc.elf" 0x1
run inc_elf -c -d 31 "$D/inc.elf"
check_eq "ELF input marked incomplete: exit 1" "$RC" 1
check "ELF input marked incomplete: the kdump output carries the mark" marked "$OUT"
check "ELF input marked incomplete: said in one line" grep -q "the input is marked incomplete (ELF e_flags bit 0)" <<<"$ERR"
rm -f "$D/inc_elf.out"

# --- --mem-usage and --dump-dmesg say it too ------------------------------------------------------
for m in "--mem-usage" "--mem-usage --allow-incomplete"; do
	timeout -s KILL "$TO" "$CORESIEVE" $m "$D/inc.kdump" >"$D/mu.log" 2>&1
	rc=$?
	want=1; [[ $m == *allow* ]] && want=0
	check_eq "$m of an incomplete input: exit $want" "$rc" "$want"
	check "$m of an incomplete input: says so" grep -q "the input is marked incomplete" "$D/mu.log"
done
# The generator's printk ring is not a real one: a broken ring still says why the dump may be broken.
rm -f "$D/inc.dmesg"
timeout -s KILL "$TO" "$CORESIEVE" --dump-dmesg "$D/inc.elf" "$D/inc.dmesg" >"$D/dm.log" 2>&1
rc=$?
check_eq "--dump-dmesg of an incomplete input: exit 1" "$rc" 1
check "--dump-dmesg of an incomplete input: says it is incomplete" grep -q "the input is marked incomplete" "$D/dm.log"
# With a real dump (the realcore fixtures, when built): the log is written and kept.
RC_ELF=${REALCORE_FIXTURES:-$CS_BUILD/realcore/fixtures}/l4.elf
if [ -r "$RC_ELF" ]; then
	cp --sparse=always "$RC_ELF" "$D/rc.elf" && KP setstatus "$D/rc.elf" 0x1
	for m in "" "--allow-incomplete"; do
		rm -f "$D/rc.dmesg"
		timeout -s KILL "$TO" "$CORESIEVE" --dump-dmesg $m "$D/rc.elf" "$D/rc.dmesg" >"$D/dm.log" 2>&1
		rc=$?
		want=1; [ -n "$m" ] && want=0
		check_eq "--dump-dmesg $m of an incomplete real dump: exit $want" "$rc" "$want"
		check "--dump-dmesg $m of an incomplete real dump: says so, keeps the log" \
			sh -c 'grep -q "the input is marked incomplete" "$1" && [ -s "$2" ]' _ "$D/dm.log" "$D/rc.dmesg"
	done
	rm -f "$D/rc.elf"
else
	echo "# no $RC_ELF: --dump-dmesg of a real incomplete dump not checked"
fi

# --- no large stack buffers: a small stack or address space fails in one line, never by a signal ---
for lim in "-s 128" "-v 16384" "-v 24576"; do
	rm -f "$D/lim_run.out"
	( ulimit $lim; exec "$CORESIEVE" -c -d 31 "$D/g.kdump" "$D/lim_run.out" ) >"$D/ulimit.log" 2>&1
	rc=$?
	check "ulimit $lim: exit $rc (0 or 1, never a signal)" [ "$rc" -le 1 ]
done

done_testing
