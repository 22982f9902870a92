#!/bin/bash
# tests/integ/interop_edges.sh: makedumpfile --split sets with empty pieces, outputs that are not regular files, -R that fails part way.
#
# Found by a randomized campaign against makedumpfile 1.7.2:
#  - makedumpfile --split cuts pieces at 1 GiB, so a dump smaller than (pieces - 1) GiB has
#    empty pieces, and it does not write the tail of their bitmaps: re-filtering such a set
#    failed ("the bitmaps end ... beyond the end of the file");
#  - -f with a FIFO or device as DUMPFILE chmod'ed it 0600 and unlinked it on failure (it
#    deleted /dev/full once); a FIFO without a reader blocked in open();
#  - -R that fails part way (cut stream, full disk) left a file that looked complete.
. "$(dirname "$0")/lib.sh"
[ -x "$CORESIEVE" ] || skip_all "$CORESIEVE is not built"
[ -x "$MKVMCORE" ] || skip_all "$MKVMCORE is not built"
C=$CORESIEVE
D=$(scratch)
KH=("$PYTHON" -c 'import sys
sys.path.insert(0, sys.argv[1]); import dumpcheck
h = dumpcheck.KdumpHeader(sys.argv[2]); print(hex(h.status))' "$CS_ROOT/tests/kdump")

"$MKVMCORE" --ram 600M --seed 11 -o "$D/v" >/dev/null 2>&1 || { not_ok "mkvmcore"; done_testing; exit 1; }
"$C" -l -d 10 "$D/v" "$D/direct" >/dev/null 2>&1
check_eq "direct -l -d 10" "$?" 0

# (1) makedumpfile --split with empty pieces, given in any order
if command -v makedumpfile >/dev/null; then
	makedumpfile --split -l -d 8 "$D/v" "$D/p1" "$D/p2" "$D/p3" "$D/p4" >/dev/null 2>&1
	check_eq "makedumpfile --split into 4 pieces" "$?" 0
	short=$(for p in p2 p3 p4; do [ "$(stat -c %s "$D/$p")" -lt "$(stat -c %s "$D/direct")" ] && echo y; done | wc -l)
	check_eq "... pieces 2-4 are empty (the case needs them)" "$short" 3
	"$C" -l -d 10 "$D/p4" "$D/p2" "$D/p1" "$D/p3" "$D/refilt" >"$D/refilt.log" 2>&1
	rc=$?
	check_eq "re-filtering the set (empty piece first) to -d 10 exits 0" "$rc" 0
	[ $rc = 0 ] || tail -n 2 "$D/refilt.log" | sed 's/^/#   /'
	check "... = the direct -d 10 dump" cmp -s "$D/refilt" "$D/direct"
	rm -f "$D"/p? "$D/refilt"
else
	ok "makedumpfile --split with empty pieces # skip: no makedumpfile"
fi

# (2) a DUMPFILE that is not a regular file: refused in one line, left as it was
mkfifo "$D/fifo"
timeout -k 5 20 "$C" -f -l -d 31 "$D/v" "$D/fifo" >"$D/fifo.log" 2>&1
rc=$?
check_eq "-f into a FIFO: exit 1, no hang" "$rc" 1
check "... says it is not a regular file" grep -q "cannot write the dump to '$D/fifo': not a regular file" "$D/fifo.log"
fifo_ok=no; [ -p "$D/fifo" ] && [ "$(stat -c %a "$D/fifo")" != 600 ] && fifo_ok=yes
check_eq "... the FIFO is still there, mode unchanged" "$fifo_ok" yes
"$C" --split -l -d 31 "$D/v" "$D/s1" "$D/s2" >/dev/null 2>&1
timeout -k 5 20 "$C" --reassemble -f "$D/s1" "$D/s2" "$D/fifo" >"$D/fifo2.log" 2>&1
check_eq "--reassemble into a FIFO: exit 1, no hang" "$?" 1
check "... says it is not a regular file" grep -q "not a regular file" "$D/fifo2.log"

# (3) -R of a cut stream: the partial file is marked incomplete (kdump status bit 0x8)
"$C" -F -l -d 31 "$D/v" 2>/dev/null | head -c 3000000 >"$D/cut.flat"
"$C" -R "$D/cutR" <"$D/cut.flat" >"$D/cutR.log" 2>&1
check_eq "-R of a cut stream exits 1" "$?" 1
st=$("${KH[@]}" "$D/cutR" 2>/dev/null)
check_eq "... the file is marked incomplete (status $st)" "$(( ${st:-0} & 8 ))" 8

done_testing
