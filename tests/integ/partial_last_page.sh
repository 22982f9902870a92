#!/bin/bash
# tests/integ/partial_last_page.sh: a PT_LOAD ending mid-page: re-filtering keeps the header's max_mapnr, --split floors the page as makedumpfile --split does.
#
# makedumpfile's 1st bitmap has the partial last page of a PT_LOAD only in its
# bitmap-file mode (max_mapnr % 4 == 0, at most 16 Mi pfns, see formats/elf_read.c);
# its cyclic mode floors it, and --split always runs cyclic (the bitmap budget
# is divided among the pieces). Either way max_mapnr covers that page.
# Found by a randomized soak: (1) re-filtering a dump whose last pfn is not in
# the 1st bitmap wrote max_mapnr - 1; (2) --split pieces kept the rounded-up
# pages, unlike makedumpfile's pieces.
. "$(dirname "$0")/lib.sh"

[ -x "$CORESIEVE" ] || skip_all "$CORESIEVE is not built"
[ -x "$MKVMCORE" ] || skip_all "$MKVMCORE is not built"
C=$CORESIEVE
private_workdir partial_last_page 2g

# bm FILE: "max_mapnr N bm1 MD5 bm2 MD5"; bit FILE PFN: the 1st bitmap bit of PFN
# (kdump-compressed files, read by tests/kdump/dumpcheck.py's KdumpHeader)
KH=("$PYTHON" -c 'import hashlib, sys
sys.path.insert(0, sys.argv[1]); import dumpcheck
h = dumpcheck.KdumpHeader(sys.argv[2])
if len(sys.argv) > 3:
    p = int(sys.argv[3], 0); print(h.bitmap1[p >> 3] >> (p & 7) & 1)
else:
    print("max_mapnr %d bm1 %s bm2 %s" % (h.max_mapnr, hashlib.md5(h.bitmap1).hexdigest(),
          hashlib.md5(h.bitmap2).hexdigest()))' "$CS_ROOT/tests/kdump")
bm() { "${KH[@]}" "$1"; }
bit() { "${KH[@]}" "$1" "$2"; }

# (1) Cyclic-mode layout (max_mapnr odd): the partial last page is not in the 1st bitmap.
"$MKVMCORE" --ram 1020M --seed 77 --unaligned --holes default,0x20000000+64M -o "$W/c.vmcore" >/dev/null ||
	{ not_ok "mkvmcore c"; done_testing; exit 1; }
"$C" -l -d 31 "$W/c.vmcore" "$W/c.d31" >/dev/null 2>&1 &&
	"$C" -l -d 1 "$W/c.vmcore" "$W/c.k1" >/dev/null 2>&1 &&
	"$C" -l -d 31 "$W/c.k1" "$W/c.r31" >/dev/null 2>&1
check_eq "cyclic layout: direct, -d 1 and its re-filter to -d 31 run" "$?" 0
mm=$(bm "$W/c.d31" | awk '{print $2}')
check_eq "... the last pfn is partial and absent from the 1st bitmap" "$(bit "$W/c.d31" $((mm - 1)))" 0
check_eq "... re-filtering keeps max_mapnr" "$(bm "$W/c.r31" | awk '{print $2}')" "$mm"
check "... re-filtered file = direct file" cmp -s "$W/c.r31" "$W/c.d31"
"$C" -F -l -d 1 "$W/c.vmcore" 2>/dev/null >"$W/c.f1" && "$C" -l -d 31 "$W/c.f1" "$W/c.fr31" >/dev/null 2>&1
check "... a -F stream re-filtered = direct file" cmp -s "$W/c.fr31" "$W/c.d31"
rm -f "$W/c.f1" "$W/c.fr31" "$W/c.r31"
if [ -n "$MDF" ]; then
	"$MDF" -l -d 31 "$W/c.k1" "$W/c.m31" >/dev/null 2>&1
	check "... makedumpfile's re-filter of it = our direct file" cmp -s "$W/c.m31" "$W/c.d31"
	rm -f "$W/c.k1" "$W/c.m31"
	"$MDF" -l -d 1 "$W/c.vmcore" "$W/c.mk1" >/dev/null 2>&1 && "$C" -l -d 31 "$W/c.mk1" "$W/c.mr31" >/dev/null 2>&1
	check "... our re-filter of makedumpfile's -d 1 = direct file" cmp -s "$W/c.mr31" "$W/c.d31"
fi
rm -f "$W"/c.*

# (2) Bitmap-file layout (max_mapnr 69732): partial last pages 0x9f and 0x11063 are in the
# direct dump's 1st bitmap, not in --split pieces'.
"$MKVMCORE" --ram 262156K --seed 77 --unaligned --holes 0-4K,640K-1M,0x8000000+16M -o "$W/b.vmcore" >/dev/null ||
	{ not_ok "mkvmcore b"; done_testing; exit 1; }
"$C" -l -d 31 "$W/b.vmcore" "$W/b.d31" >/dev/null 2>&1 &&
	"$C" --split -l -d 31 --splitblock-size 1024 "$W/b.vmcore" "$W/b.p1" "$W/b.p2" "$W/b.p3" >/dev/null 2>&1
check_eq "file layout: direct and --split run" "$?" 0
check_eq "... direct: partial pages 0x9f 0x11063 present" "$(bit "$W/b.d31" 0x9f)$(bit "$W/b.d31" 0x11063)" 11
check_eq "... pieces: floored away" "$(bit "$W/b.p1" 0x9f)$(bit "$W/b.p3" 0x11063)" 00
check_eq "... pieces: 2nd bitmap and max_mapnr of the direct dump" \
	"$(bm "$W/b.p2" | awk '{print $2, $6}')" "$(bm "$W/b.d31" | awk '{print $2, $6}')"
"$C" --reassemble "$W/b.p3" "$W/b.p1" "$W/b.p2" "$W/b.r" >/dev/null 2>&1 &&
	"$C" -l -d 31 "$W/b.p2" "$W/b.p3" "$W/b.p1" "$W/b.s31" >/dev/null 2>&1
check_eq "... --reassemble and re-filtering the set run" "$?" 0
check "... re-filtering the set = the reassembled file" cmp -s "$W/b.s31" "$W/b.r"
if [ -n "$MDF" ]; then
	"$MDF" --split -l -d 31 --splitblock-size 1024 "$W/b.vmcore" "$W/b.m1" "$W/b.m2" "$W/b.m3" >/dev/null 2>&1
	same=yes
	for i in 1 2 3; do cmp -s "$W/b.p$i" "$W/b.m$i" || same=no; done
	check_eq "... pieces byte-identical to makedumpfile --split's" "$same" yes
	"$MDF" --reassemble "$W/b.m1" "$W/b.m2" "$W/b.m3" "$W/b.mr" >/dev/null 2>&1
	check "... our --reassemble = makedumpfile's" cmp -s "$W/b.r" "$W/b.mr"
fi
"$PYTHON" "$CS_ROOT/tests/integ/kdump_verify.py" "$W/b.r" "$W/b.vmcore" >"$W/verify.log" 2>&1
rc=$?
if [ $rc = 77 ]; then ok "reassembled pages # skip: no python3-libkdumpfile"; else
	check_eq "... libkdumpfile reads every kept page of the reassembled file as the input's" "$rc" 0; fi

done_testing
