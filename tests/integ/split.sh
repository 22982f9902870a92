#!/bin/bash
# tests/integ/split.sh: --split pieces (one scan, threads) and --reassemble, against a direct dump and makedumpfile.
. "$(dirname "$0")/lib.sh"

[ -x "$CORESIEVE" ] || skip_all "$CORESIEVE is not built"
[ -x "$MKVMCORE" ] || skip_all "$MKVMCORE is not built"
C=$CORESIEVE
private_workdir split 2g

# pieceinfo FILE...: "split start end kept" per piece, then "same-bitmaps yes|no"
pieceinfo() {
	"$PYTHON" - "$@" <<'EOF'
import struct, sys
bms = set()
for p in sys.argv[1:]:
    f = open(p, 'rb'); d = f.read(464)
    bs, sub, bb = struct.unpack_from('<iiI', d, 428)
    f.seek(bs); sh = f.read(104)
    split, = struct.unpack_from('<i', sh, 12)
    s64, e64, mm = struct.unpack_from('<QQQ', sh, 80)
    f.seek((1 + sub) * bs); bm = f.read(bb * bs); bms.add(bm)
    b2 = bm[bb // 2 * bs:]
    kept = sum(1 for q in range(s64, e64) if (b2[q >> 3] >> (q & 7)) & 1)
    print(split, s64, e64, kept)
print('same-bitmaps', 'yes' if len(bms) == 1 else 'no')
EOF
}

"$MKVMCORE" --ram 1G --seed 31 -o "$W/v" >/dev/null || { not_ok "mkvmcore"; done_testing; exit 1; }
"$C" -l -d 31 "$W/v" "$W/direct31" >/dev/null 2>&1
"$C" -c -d 1 "$W/v" "$W/direct1" >/dev/null 2>&1

for n in 2 3; do
	pieces=()
	for i in $(seq 1 $n); do pieces+=("$W/p$n.$i"); done
	"$C" --split -l -d 31 "$W/v" "${pieces[@]}" >"$W/split$n.log" 2>&1
	check_eq "--split into $n: exit status" "$?" 0
	check "--split into $n: makedumpfile's 'The dumpfiles are saved to' line" \
		grep -q "The dumpfiles are saved to .*, and .*p$n.$n\.$" "$W/split$n.log"
	info=$(pieceinfo "${pieces[@]}")
	check_eq "--split into $n: every piece has split=1 and the full, identical bitmaps" \
		"$(awk '$1 == 1' <<<"$info" | wc -l) $(tail -n1 <<<"$info")" "$n same-bitmaps yes"
	ranges=$(awk 'NF == 4 {printf "%s-%s ", $2, $3}' <<<"$info")
	total=$(awk 'NF == 4 {s += $4} END {print s}' <<<"$info")
	contiguous=$(awk -v mm="$(awk 'NF == 4 {e = $3} END {print e}' <<<"$info")" '
		NF == 4 {if ($2 != prev) bad = 1; prev = $3} END {print bad ? "no" : "yes"}' prev=0 <<<"$info")
	check_eq "--split into $n: pieces cover [0, max_mapnr) in order ($ranges)" "$contiguous" yes
	balanced=$(awk -v t="$total" -v n=$n 'NF == 4 {d = $4 - t / n; if (d < 0) d = -d; if (d > 64) bad = 1}
		END {print bad ? "no" : "yes"}' <<<"$info")
	check_eq "--split into $n: kept pages balanced within 64 of $total/$n" "$balanced" yes

	# Reassemble in another order: the same file as a direct dump.
	rev=()
	for ((i = ${#pieces[@]} - 1; i >= 0; i--)); do rev+=("${pieces[i]}"); done
	"$C" --reassemble "${rev[@]}" "$W/r$n" >/dev/null 2>&1
	check_eq "--reassemble $n pieces: exit status" "$?" 0
	check "--reassemble $n pieces: byte-identical to a direct -d 31 dump" cmp -s "$W/r$n" "$W/direct31"
	if [ -n "$MDF" ]; then
		"$MDF" --reassemble "${pieces[@]}" "$W/rm$n" >/dev/null 2>&1
		check_eq "makedumpfile --reassemble of our $n pieces: exit status" "$?" 0
		check "makedumpfile --reassemble of our $n pieces: the same file as ours" cmp -s "$W/rm$n" "$W/r$n"
		rm -f "$W/rm$n"
	fi
	rm -f "${pieces[@]}"
done

"$PYTHON" "$CS_ROOT/tests/integ/kdump_verify.py" "$W/r3" "$W/v" >"$W/verify.log" 2>&1
rc=$?
if [ $rc = 77 ]; then ok "libkdumpfile reads the reassembled file # skip"; else
	check_eq "libkdumpfile reads every page of the reassembled file as the original" "$rc" 0; fi

# Level 1: each piece has its own zero page; reassembly shares one again.
"$C" --split -c -d 1 --num-threads 2 "$W/v" "$W/z1" "$W/z2" >/dev/null 2>&1 &&
	"$C" --reassemble "$W/z1" "$W/z2" "$W/rz" >/dev/null 2>&1
check "-d 1 pieces (own zero pages) reassemble into the direct -d 1 dump" cmp -s "$W/rz" "$W/direct1"

if [ -n "$MDF" ]; then
	# --splitblock-size gives makedumpfile's own boundaries: then the pieces are its very files.
	"$MDF" --split -l -d 31 --splitblock-size 131072 "$W/v" "$W/m1" "$W/m2" "$W/m3" >/dev/null 2>&1
	"$C" --split -l -d 31 --splitblock-size 131072 "$W/v" "$W/o1" "$W/o2" "$W/o3" >/dev/null 2>&1
	same=yes
	for i in 1 2 3; do cmp -s "$W/m$i" "$W/o$i" || same=no; done
	check_eq "--splitblock-size: pieces byte-identical to makedumpfile --split's" "$same" yes
	"$C" --reassemble "$W/m1" "$W/m2" "$W/m3" "$W/rmo" >/dev/null 2>&1
	"$MDF" --reassemble "$W/m1" "$W/m2" "$W/m3" "$W/rmm" >/dev/null 2>&1
	check "makedumpfile's pieces: our --reassemble writes makedumpfile's file" cmp -s "$W/rmo" "$W/rmm"
fi

# Refused: -E or -F with --split; a missing piece; a stranger among the pieces.
"$C" --split -E -d 31 "$W/v" "$W/e1" "$W/e2" >/dev/null 2>&1
check_eq "--split -E is refused" "$?" 1
"$C" --split -l -d 31 "$W/v" "$W/q1" "$W/q2" "$W/q3" >/dev/null 2>&1
"$C" --reassemble "$W/q1" "$W/q3" "$W/rq" >"$W/missing.log" 2>&1
check_eq "--reassemble with a piece missing fails" "$?" 1
check "... naming the pfns no piece holds" grep -q "no piece holds pfns" "$W/missing.log"
check "... and leaves no output" test ! -e "$W/rq"
"$C" --reassemble "$W/q1" "$W/direct31" "$W/rq" >/dev/null 2>&1
check_eq "--reassemble of a non-split file fails" "$?" 1

done_testing
