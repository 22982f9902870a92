#!/bin/bash
# tests/integ/faults_input.sh: broken input never crashes, never hangs, never loses a page silently (truncation and corrupted metadata; docs/robustness.md).
#
# Every run is under `timeout`; a run "survives" when it exits 0 or 1 (never by a
# signal, never 2+), and a failure prints one clear line. Truncated data must
# either fail naming the file offset, or complete and say which pages it could
# not read. Corrupted struct page / page-table / mem_section metadata must keep
# the pages it cannot validate (kept_unverified in --report-json), so the dump
# keeps at least what the intact dump keeps.
. "$(dirname "$0")/lib.sh"
[ -x "$CORESIEVE" ] || skip_all "no $CORESIEVE"
[ -x "$MKVMCORE" ] || skip_all "no $MKVMCORE"
D=$(scratch)
TO=${FAULT_TIMEOUT:-120}

"$MKVMCORE" --ram 256M --seed 11 -o "$D/g.elf" >/dev/null 2>&1 || { not_ok "mkvmcore"; done_testing; exit 1; }

# run NAME ARGS...: coresieve under timeout; sets RC, ERR (stderr), JSON (report path).
run() {
	local name=$1; shift
	JSON=$D/$name.json
	rm -f "$D/$name.out" "$JSON"
	timeout -s KILL "$TO" "$CORESIEVE" --report-json "$JSON" "$@" "$D/$name.out" \
		>"$D/$name.stdout" 2>"$D/$name.err"
	RC=$?
	ERR=$(grep -v -E '^\s*$|: \[ *[0-9.]+ ?%\]' "$D/$name.err" | tr '\r' '\n' | grep -v '%\]' | tail -3)
}
survived() { # name: exit 0/1 within the timeout
	if [ "$RC" -eq 0 ] || [ "$RC" -eq 1 ]; then ok "$1: survives (exit $RC)"
	elif [ "$RC" -eq 137 ]; then not_ok "$1: hung (killed after ${TO}s)"
	else not_ok "$1: exit $RC ($(echo "$ERR" | tail -1))"; fi
}
json() { "$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["pages"][sys.argv[2]])' "$JSON" "$1" 2>/dev/null; }
note() { echo "# $*"; }
# not_complete FILE: absent, or a kdump file whose header has the incomplete bit (0x8).
not_complete() {
	[ ! -e "$1" ] || "$PYTHON" -c 'import struct,sys; d=open(sys.argv[1],"rb").read(432); sys.exit(0 if len(d) < 432 or d[:8] != b"KDUMP   " or struct.unpack_from("<I", d, 424)[0] & 8 else 1)' "$1"
}
# todo NAME WHY: a known open issue (docs/robustness.md): "not ok ... # TODO", a failure only with FAULTS_STRICT=1.
todo() {
	if [ "${FAULTS_STRICT:-1}" = 1 ]; then not_ok "$1"; else T_N=$((T_N + 1)); echo "not ok $T_N - $1 # TODO $2"; fi
}

# --- baseline: what the intact dump keeps (coresieve's own count) ---------------
run base -d 31 -l "$D/g.elf"
check_eq "baseline -d 31 completes" "$RC" 0
WANT31=$(json remaining)
check "baseline keeps pages" [ "${WANT31:-0}" -gt 0 ]
check_eq "baseline: none unverified" "$(json kept_unverified)" 0

# --- truncated ELF input --------------------------------------------------------
read -r NOTE_OFF NOTE_SZ LAST_OFF LAST_SZ < <("$PYTHON" - "$D/g.elf" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read(4096)
phoff, = struct.unpack_from("<Q", d, 32); phnum, = struct.unpack_from("<H", d, 56)
ph = [struct.unpack_from("<IIQQQQQQ", d, phoff + 56 * i) for i in range(phnum)]
notes = [p for p in ph if p[0] == 4]; loads = [p for p in ph if p[0] == 1]
print(notes[0][2], notes[0][5], loads[-1][2], loads[-1][5])
EOF
)
trunc() { # name size: a sparse truncated copy
	cp --sparse=always "$D/g.elf" "$D/$1.elf" && truncate -s "$2" "$D/$1.elf"
}
trunc t_hdr 40
run t_hdr -d 31 -l "$D/t_hdr.elf"
survived "ELF cut in the ELF header"
check "ELF cut in the ELF header: one-line error naming the file and offset" \
	sh -c '[ "$1" -eq 1 ] && echo "$2" | tail -1 | grep -q "t_hdr.elf.*offset 0x"' _ "$RC" "$ERR"
note "t_hdr: $(echo "$ERR" | tail -1)"

trunc t_notes $((NOTE_OFF + NOTE_SZ / 2))
run t_notes -d 31 -l "$D/t_notes.elf"
survived "ELF cut in the notes"
check "ELF cut in the notes: error names the offset" [ "$RC" -eq 1 ] && echo "$ERR" | tail -1 | grep -qi "offset 0x"
note "t_notes: $(echo "$ERR" | tail -1)"

for cut in mid end; do
	if [ $cut = mid ]; then size=$((LAST_OFF + LAST_SZ / 2)); else size=$((LAST_OFF + LAST_SZ - 4096 - 100)); fi
	trunc t_$cut $size
	run t_$cut -d 31 -l "$D/t_$cut.elf"
	survived "ELF cut in the $cut of the last PT_LOAD"
	# Either a clear failure naming the offset, or success that says pages were missing.
	if [ "$RC" -eq 1 ]; then
		check "ELF cut ($cut): the error names the file offset" sh -c "echo \"\$1\" | tail -1 | grep -qi 'offset'" _ "$ERR"
	elif grep -qiE 'truncat|not read|unreadable|missing|incomplete|short' "$D/t_$cut.err"; then
		ok "ELF cut ($cut): the run reports the pages it could not read"
	else
		todo "ELF cut ($cut): the run reports the pages it could not read" \
			"elf_read treats data past EOF as not dumped and nothing reports it"
	fi
	note "t_$cut: exit $RC: $(echo "$ERR" | tail -1)"
done

# --- truncated kdump input ---------------------------------------------------------
if makedumpfile -l -d 31 "$D/g.elf" "$D/g.kdump" >"$D/mdf.log" 2>&1 || \
	{ rm -f "$D/g.kdump"; "$CORESIEVE" -l -d 31 "$D/g.elf" "$D/g.kdump" >>"$D/mdf.log" 2>&1; }; then
	read -r BM_OFF PD_OFF DATA_OFF KSIZE < <("$PYTHON" - "$D/g.kdump" <<'EOF'
import os, struct, sys
f = open(sys.argv[1], "rb"); h = f.read(4096)
bs, sub, bmb = struct.unpack_from("<iiI", h, 428)
bm_off = (1 + sub) * bs
pd_off = bm_off + bmb * bs
f.seek(pd_off); off, = struct.unpack("<q", f.read(8))
print(bm_off, pd_off, off, os.path.getsize(sys.argv[1]))
EOF
)
	for cut in bitmaps descs data; do
		case $cut in
		bitmaps) size=$((BM_OFF + 100)) ;;
		descs) size=$((PD_OFF + 2400)) ;;
		data) size=$((DATA_OFF + (KSIZE - DATA_OFF) / 2)) ;;
		esac
		head -c "$size" "$D/g.kdump" >"$D/k_$cut.kdump"
		run k_$cut -d 31 -l "$D/k_$cut.kdump"
		survived "kdump cut in the $cut"
		if [ "$RC" -eq 1 ] && [ $cut = bitmaps ]; then
			check "kdump cut in the $cut: one-line error naming the offset" \
				sh -c "echo \"\$1\" | tail -1 | grep -qi 'offset'" _ "$ERR"
			check "kdump cut in the $cut: no output left looking complete" not_complete "$D/k_$cut.out"
		elif [ "$RC" -eq 1 ]; then
			# The pages it cannot give: one line with their count and the first pfn (core/loss.h).
			check "kdump cut in the $cut: one line naming the lost pages and the first pfn" \
				grep -qE ': [0-9]+ pages? lost, the first at pfn 0x[0-9a-f]+: descriptor or data past the end' \
				"$D/k_$cut.err"
			check "kdump cut in the $cut: no output left looking complete" not_complete "$D/k_$cut.out"
		else
			check "kdump cut in the $cut: unreadable pages are reported" \
				grep -qiE 'truncat|not read|unreadable|missing|incomplete|never written' "$D/k_$cut.err"
			# ...and the output says it is incomplete (status bit 0x8), or is complete with every page.
			st=$("$PYTHON" -c 'import struct,sys; print(struct.unpack_from("<I", open(sys.argv[1],"rb").read(432), 424)[0])' "$D/k_$cut.out" 2>/dev/null)
			note "k_$cut: output status 0x$(printf %x "${st:-0}")"
		fi
		note "k_$cut: exit $RC: $(echo "$ERR" | tail -1)"
	done
else
	not_ok "kdump truncation: neither makedumpfile nor coresieve made a kdump input"
	tail -3 "$D/mdf.log" | sed 's/^/#   /'
fi

# --- corrupted metadata ----------------------------------------------------------------
# patch NAME KIND: copy g.elf and corrupt it (python below); prints what it changed.
patch() {
	cp --sparse=always "$D/g.elf" "$D/$1.elf"
	"$PYTHON" - "$D/$1.elf" "$D/g.elf.manifest.json" "$2" <<'EOF'
import json, random, struct, sys
path, manifest, kind = sys.argv[1:4]
m = json.load(open(manifest)); lay = m["layout"]
f = open(path, "r+b")
h = f.read(4096)
phoff, = struct.unpack_from("<Q", h, 32); phnum, = struct.unpack_from("<H", h, 56)
ph = [struct.unpack_from("<IIQQQQQQ", h, phoff + 56 * i) for i in range(phnum)]
loads = [p for p in ph if p[0] == 1]
note = [p for p in ph if p[0] == 4][0]
phys_base = int(lay["phys_base"], 16); pob = int(lay["page_offset_base"], 16)
levels = m["generator"]["paging"]
rnd = random.Random(7)

def pa2off(pa):
    for p in loads:
        if p[4] <= pa < p[4] + p[5]:
            return p[2] + pa - p[4]
    raise KeyError(hex(pa))
def rd(pa, n=8):
    f.seek(pa2off(pa)); return f.read(n)
def rd64(pa): return struct.unpack("<Q", rd(pa))[0]
def wr64(pa, v): f.seek(pa2off(pa)); f.write(struct.pack("<Q", v & (2**64 - 1)))
def table_entry(va, level_from_top):
    """(paddr of the entry, entry) at a level (0 = top) of the walk of va."""
    shifts = [48, 39, 30, 21, 12][5 - levels:]
    t = (int(lay["init_top_pgt"], 16) - 0xffffffff80000000 + phys_base) & (2**64 - 1)
    for l, s in enumerate(shifts):
        ea = t + ((va >> s) & 511) * 8; e = rd64(ea)
        if l == level_from_top or not e & 1 or (e & 0x80 and l > 0):
            return ea, e
        t = e & 0x000ffffffffff000
    return ea, e
M64 = 2**64 - 1
def kv2pa(va):
    if va >= 0xffffffff80000000: return (va - 0xffffffff80000000 + phys_base) & M64
    if pob <= va < pob + (1 << 46): return va - pob
    shifts = [48, 39, 30, 21, 12][5 - levels:]
    t = (int(lay["init_top_pgt"], 16) - 0xffffffff80000000 + phys_base) & M64
    for l, s in enumerate(shifts):
        e = rd64(t + ((va >> s) & 511) * 8)
        if not e & 1: raise KeyError(hex(va))
        if l == len(shifts) - 1 or (e & 0x80 and l > 0):
            size = 1 << s
            return (e & 0x000ffffffffff000 & ~(size - 1)) + (va & (size - 1))
        t = e & 0x000ffffffffff000
vmemmap = int(lay["vmemmap_base"], 16)
def page_pa(pfn): return kv2pa(vmemmap + pfn * 64)

def vmcoreinfo_edit(old, new):
    assert len(old) == len(new)
    f.seek(note[2]); blob = f.read(note[5]); i = blob.find(old); assert i >= 0, old
    f.seek(note[2] + i); f.write(new)

n = 0
if kind == "pt_loop":      # a PUD entry of the vmemmap points back at the top table
    ea, e = table_entry(vmemmap, levels - 3)
    top = (int(lay["init_top_pgt"], 16) - 0xffffffff80000000 + phys_base) & M64
    wr64(ea, top | 0x63); n = 1
elif kind == "pt_range":   # PMD entries of the vmemmap point far beyond any memory
    ea, e = table_entry(vmemmap, levels - 2)
    pmd_table = ea & ~0xfff
    for i in range(512):
        if rd64(pmd_table + i * 8) & 1:
            wr64(pmd_table + i * 8, (0x7ffffffff000 - i * 0x200000) | 0xe3); n += 1
elif kind == "flags":      # random struct page flags
    for pfn in rnd.sample(range(0x1000, m["max_pfn"]), 3000):
        try: wr64(page_pa(pfn), rnd.getrandbits(64)); n += 1
        except KeyError: pass
elif kind == "buddy":      # buddy heads with an order beyond MAX_ORDER
    for pfn in range(0, m["max_pfn"]):
        try: pa = page_pa(pfn)
        except KeyError: continue
        if struct.unpack("<I", rd(pa + 48, 4))[0] == 0xffffff7f:
            wr64(pa + 40, 11 + rnd.randrange(200)); n += 1
elif kind == "memsection": # mem_section root and section words pointing at garbage
    ms = int(lay["mem_section"], 16)
    roots = kv2pa(ms)
    r0 = rd64(roots)
    sec = kv2pa(r0)
    wr64(sec + 16, 0x4141414141414141 | 3); wr64(sec + 32, 0xffffffff00000003); n = 2
elif kind == "memsection_root":
    ms = int(lay["mem_section"], 16)
    wr64(kv2pa(ms), 0xdeadbeefdeadbeef); n = 1
elif kind == "vi_missing":
    vmcoreinfo_edit(b"SYMBOL(mem_section)=", b"SYMBOL(mem_sectioX)="); n = 1
elif kind == "vi_nobuddy":
    vmcoreinfo_edit(b"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=", b"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUX)="); n = 1
elif kind == "vi_absurd":
    vmcoreinfo_edit(b"NUMBER(SECTION_SIZE_BITS)=27", b"NUMBER(SECTION_SIZE_BITS)=12"); n = 1
elif kind == "vi_pagesize":
    vmcoreinfo_edit(b"PAGESIZE=4096", b"PAGESIZE=4097"); n = 1
elif kind == "vi_sizepage":
    vmcoreinfo_edit(b"SIZE(page)=64", b"SIZE(page)=99"); n = 1
print(n)
EOF
}
for kind in pt_loop pt_range flags buddy memsection memsection_root vi_missing vi_nobuddy vi_absurd vi_pagesize vi_sizepage; do
	npatched=$(patch "c_$kind" "$kind" 2>"$D/c_$kind.patch.err")
	if [ -z "$npatched" ] || [ "$npatched" = 0 ]; then
		not_ok "$kind: could not corrupt the dump ($(tail -1 "$D/c_$kind.patch.err"))"
		continue
	fi
	t0=$SECONDS
	run "c_$kind" -d 31 -l "$D/c_$kind.elf"
	survived "$kind ($npatched patched, $((SECONDS - t0))s)"
	if [ "$RC" -eq 0 ]; then
		rem=$(json remaining) unv=$(json kept_unverified)
		note "$kind: remaining $rem (intact $WANT31), kept_unverified $unv"
		case $kind in
		flags) ;; # random flags may look like any class: only survival is required
		vi_pagesize) ;; # PAGESIZE is rejected and the dump's 4 KiB used: same result
		vi_nobuddy) # free pages cannot be told apart: kept, and said so
			check "$kind: keeps more than the intact dump" [ "${rem:-0}" -gt "$WANT31" ]
			check_eq "$kind: no free pages excluded" "$(json free)" 0
			check "$kind: warns that free pages are kept, naming the keys" \
				grep -q "warning: cannot identify free pages: VMCOREINFO has neither NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)" "$D/c_$kind.err" ;;
		*)
			check "$kind: keeps at least what the intact dump keeps" [ "${rem:-0}" -ge "$WANT31" ]
			check "$kind: pages kept unverified are counted" [ "${unv:-0}" -gt 0 ]
			check "$kind: warns that $unv pages are kept unfiltered" \
				grep -q "warning: $unv pages are kept unfiltered" "$D/c_$kind.err" ;;
		esac
	else
		note "$kind: exit $RC: $(echo "$ERR" | tail -1)"
		check "$kind: fails with one clear line" [ -n "$ERR" ]
	fi
done

rm -f "$D"/*.elf "$D"/*.out "$D"/*.kdump
done_testing
