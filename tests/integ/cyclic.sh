#!/bin/bash
# tests/integ/cyclic.sh: cyclic mode (--cyclic-buffer smaller than a bitmap) writes exactly the whole-bitmap dump.
#
# With --cyclic-buffer KiB below the size of one bitmap, coresieve processes the
# dump in windows of KiB*8192 pfns (rounded to 2^18) and scans mem_map twice.
# The output must not depend on it: for every codec, dump levels 0/1/31, 1/2/8
# threads, -F, --dry-run / --mem-usage and re-filtering, the cyclic file equals
# the one written with whole bitmaps byte for byte (and the report counts equal
# the generator's manifest through the whole-bitmap path, tested elsewhere);
# the report says how many cycles ran; libkdumpfile reads every kept page; and
# makedumpfile's own cyclic run (--cyclic-buffer) keeps the same pages.
. "$(dirname "$0")/lib.sh"

[ -x "$CORESIEVE" ] || skip_all "$CORESIEVE is not built"
[ -x "$MKVMCORE" ] || skip_all "$MKVMCORE is not built"
C=$CORESIEVE
private_workdir cyclic 3g

# Layouts: 4-level with a hole and more pfns than a 2^18 multiple; 5-level, unaligned segments.
"$MKVMCORE" --ram 2600M --seed 21 --paging 4 --holes 0x100000-0x200000 -o "$W/a.vmcore" >"$W/gen.log" 2>&1 &&
	"$MKVMCORE" --ram 1200M --seed 22 --paging 5 --unaligned -o "$W/b.vmcore" >>"$W/gen.log" 2>&1
check_eq "generate two dumps" "$?" 0

json_field() { "$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); k=sys.argv[2]; print(d[k] if k in d else d["pages"][k])' "$1" "$2"; }
pages_json() { "$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(d["pages"], sort_keys=True))' "$1"; }

for t in a b; do
	v=$W/$t.vmcore
	# 32 KiB per bitmap = 2^18 pfns per cycle: a 2600 MiB dump takes 3 cycles, 1200 MiB 2.
	for lvl in 0 1 31; do
		codecs="-l -c -z -p none"
		[ "$lvl" = 0 ] && codecs=-l # -d 0 keeps every page: one codec is enough, and the tmpfs stays small
		for codec in $codecs; do
			opt=$codec; [ "$codec" = none ] && opt=
			name="$t -d $lvl ${codec}"
			rm -f "$W/whole" "$W/cyc"
			"$C" $opt -d "$lvl" --report-json "$W/w.json" "$v" "$W/whole" >"$W/whole.log" 2>&1 ||
				{ not_ok "$name: whole-bitmap run"; continue; }
			"$C" $opt -d "$lvl" --cyclic-buffer 32 --report-json "$W/c.json" "$v" "$W/cyc" >"$W/cyc.log" 2>&1
			check_eq "$name: cyclic run succeeds" "$?" 0
			check "$name: cyclic output is the whole-bitmap output byte for byte" cmp -s "$W/whole" "$W/cyc"
			check_eq "$name: the same report counts" "$(pages_json "$W/c.json")" "$(pages_json "$W/w.json")"
			if [ "$lvl" = 31 ] && [ "$codec" = -l ]; then
				cycles=$(json_field "$W/c.json" cycles)
				total=$(json_field "$W/c.json" total)
				check_eq "$name: cycles = ceil(max_mapnr / 2^18)" "$cycles" $(((total + 262143) / 262144))
				check_eq "$name: whole bitmaps report 0 cycles" "$(json_field "$W/w.json" cycles)" 0
				check "$name: the cycles are announced" grep -q "processing $cycles cycles of 262144 pfns" "$W/cyc.log"
				"$PYTHON" "$CS_ROOT/tests/integ/kdump_verify.py" "$W/cyc" "$v" >"$W/verify.log" 2>&1
				rc=$?
				if [ $rc = 77 ]; then ok "$name: pages # skip: no python3-libkdumpfile"; else
					check_eq "$name: libkdumpfile reads every kept page as the input's" "$rc" 0; fi
				cp "$W/cyc" "$W/$t.cyc31"
			fi
			rm -f "$W/whole" "$W/cyc"
		done
	done

	# Threads, a window per 2^18 pfns or larger windows (64 KiB = 2^19 pfns), -F.
	"$C" -l -d 31 --num-threads 1 --cyclic-buffer 64 "$v" "$W/c64" >/dev/null 2>&1 &&
		cmp -s "$W/c64" "$W/$t.cyc31"
	check_eq "$t: --cyclic-buffer 64, one thread: the same file" "$?" 0
	for n in 2 8; do
		"$C" -l -d 31 --num-threads $n --cyclic-buffer 32 "$v" "$W/cn" >/dev/null 2>&1 && cmp -s "$W/cn" "$W/$t.cyc31"
		check_eq "$t: --num-threads $n cyclic: the same file" "$?" 0
		rm -f "$W/cn"
	done
	"$C" -F -l -d 31 --cyclic-buffer 32 "$v" 2>/dev/null | "$C" -R "$W/fr" >/dev/null 2>&1 && cmp -s "$W/fr" "$W/$t.cyc31"
	check_eq "$t: -F cyclic | -R gives the same file" "$?" 0
	rm -f "$W/c64" "$W/fr"

	# --dry-run and --mem-usage count the same in cycles.
	"$C" -d 31 --dry-run --report-json "$W/dw.json" "$v" "$W/none" >/dev/null 2>&1
	"$C" -d 31 --dry-run --cyclic-buffer 32 --report-json "$W/dc.json" "$v" "$W/none" >/dev/null 2>&1
	check_eq "$t: --dry-run counts in cycles" "$(pages_json "$W/dc.json")" "$(pages_json "$W/dw.json")"
	"$C" --mem-usage "$v" >"$W/mw.txt" 2>/dev/null
	"$C" --mem-usage --cyclic-buffer 32 "$v" >"$W/mc.txt" 2>/dev/null
	check "$t: --mem-usage announces its cycles" grep -q "cycles of 262144 pfns" "$W/mc.txt"
	check "$t: --mem-usage table in cycles" cmp -s "$W/mw.txt" <(grep -v "cycles of 262144 pfns" "$W/mc.txt")

	# Re-filtering a kdump file (its own 2nd bitmap ANDed window by window).
	"$C" -l -d 1 "$v" "$W/k1" >/dev/null 2>&1 &&
		"$C" -l -d 31 --cyclic-buffer 32 "$W/k1" "$W/k31c" >/dev/null 2>&1 &&
		"$C" -l -d 31 "$W/k1" "$W/k31" >/dev/null 2>&1
	check_eq "$t: re-filter -d 1 -> -d 31, whole and in cycles, runs" "$?" 0
	check "$t: re-filtered in cycles = re-filtered whole" cmp -s "$W/k31c" "$W/k31"
	rm -f "$W/k1" "$W/k31" "$W/k31c"

	# -E and --split need whole bitmaps: --cyclic-buffer does not apply (memory permitting).
	e1=$("$C" -E -d 31 --cyclic-buffer 32 "$v" "$W/e" >/dev/null 2>&1 && md5sum <"$W/e")
	rm -f "$W/e"
	e2=$("$C" -E -d 31 "$v" "$W/e" >/dev/null 2>&1 && md5sum <"$W/e")
	rm -f "$W/e"
	check "$t: -E with --cyclic-buffer keeps whole bitmaps: the same file" test -n "$e1" -a "$e1" = "$e2"

	# makedumpfile in its own cyclic mode keeps the same pages.
	if [ -n "$MDF" ]; then
		"$MDF" -l -d 31 --cyclic-buffer 32 "$v" "$W/m31" >"$W/mdf.log" 2>&1
		check_eq "$t: makedumpfile --cyclic-buffer 32 runs" "$?" 0
		check "$t: our cyclic dump keeps makedumpfile's pages" \
			"$PYTHON" "$CS_ROOT/tests/integ/kdump_bitmap.py" same "$W/$t.cyc31" "$W/m31"
		rm -f "$W/m31"
	else
		ok "$t: makedumpfile comparison # skip: makedumpfile not installed"
	fi
	rm -f "$v" "$v".* "$W/$t.cyc31"
done

# A claim no input can back: a 12 KB ELF core whose PT_LOAD says 160 TiB (p_memsz; one page
# of data) would need 10 GiB of bitmaps, in memory or, in cycles, in the output: refused in one line.
"$PYTHON" - "$W/huge.elf" <<'EOF'
import struct, sys
ph_off, data_off = 64, 4096
eh = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9) + struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, ph_off, 0, 0,
                                                           64, 56, 1, 0, 0, 0)
ph = struct.pack("<IIQQQQQQ", 1, 7, data_off, 0xffff888000000000, 0, 4096, 160 << 40, 4096)
img = bytearray(data_off + 2 * 4096 * 2)
img[0:64] = eh
img[ph_off:ph_off + 56] = ph
open(sys.argv[1], "wb").write(img)
EOF
"$C" -l -d 1 "$W/huge.elf" "$W/huge.out" >"$W/huge.log" 2>&1
check_eq "160 TiB claimed by a 12 KB file: exit 1" "$?" 1
check "... with one line naming the claim" grep -q "claims 163840 GiB of physical memory.*implausible" "$W/huge.log"
check "... and no output file" test ! -e "$W/huge.out"
done_testing
