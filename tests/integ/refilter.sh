#!/bin/bash
# tests/integ/refilter.sh: re-filtering any dump (ELF, ours, makedumpfile's, -F streams, split sets, QEMU kdump-zlib) keeps what a direct dump keeps.
#
# Each chain ends with `coresieve -l -d 31 INPUT OUT` and is compared with a
# direct `coresieve -l -d 31 VMCORE`: the same 2nd bitmap, every kept page
# equal to the original memory (libkdumpfile), and, where the input carries
# the same header facts, the very same file.
. "$(dirname "$0")/lib.sh"

[ -x "$CORESIEVE" ] || skip_all "$CORESIEVE is not built"
[ -x "$MKVMCORE" ] || skip_all "$MKVMCORE is not built"
C=$CORESIEVE
FIX=$CS_BUILD/realcore/fixtures
private_workdir refilter 2g

# hdr FILE: "level L bitmap2 MD5 phys_base X eraseinfo TEXT" of a kdump-compressed file
hdr() {
	"$PYTHON" - "$1" <<'EOF'
import struct, sys, hashlib
f = open(sys.argv[1], 'rb'); d = f.read(464)
bs, sub, bb = struct.unpack_from('<iiI', d, 428)
f.seek(bs); sh = f.read(104)
pb, lvl = struct.unpack_from('<Qi', sh, 0)
eoff, esz, mm = struct.unpack_from('<qQ', sh, 64) + struct.unpack_from('<Q', sh, 96)
f.seek((1 + sub) * bs + bb // 2 * bs)
md5 = hashlib.md5(f.read((mm + 7) // 8)).hexdigest()
ei = ''
if esz:
    f.seek(eoff); ei = f.read(esz).decode().replace('\n', '|').replace(' ', '_')
print('level %d bitmap2 %s phys_base %#x eraseinfo %s' % (lvl, md5, pb, ei or '-'))
EOF
}
field() { awk -v k="$2" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}' <<<"$1"; }

# verify NAME OUT SOURCE DIRECT [same]: the checks every chain ends with
verify() {
	local name=$1 out=$2 src=$3 direct=$4 same=${5:-}
	local h d rc
	h=$(hdr "$out") d=$(hdr "$direct")
	check_eq "$name: 2nd bitmap of a direct -d 31" "$(field "$h" bitmap2)" "$(field "$d" bitmap2)"
	check_eq "$name: dump level 31" "$(field "$h" level)" 31
	"$PYTHON" "$CS_ROOT/tests/integ/kdump_verify.py" "$out" "$src" >"$out.verify" 2>&1
	rc=$?
	if [ $rc = 77 ]; then ok "$name: pages # skip: no python3-libkdumpfile"; else
		check_eq "$name: every kept page equals the original memory" "$rc" 0; fi
	[ -z "$same" ] || check "$name: the same file as the direct dump" cmp -s "$out" "$direct"
}

# chains TAG VMCORE: every input kind, re-filtered to -d 31
chains() {
	local t=$1 v=$2 D=$W/$1.direct31
	"$C" -l -d 31 "$v" "$D" >/dev/null 2>&1 || { not_ok "$t: direct -d 31"; return; }

	"$C" -E -d 0 "$v" "$W/$t.e0" >/dev/null 2>&1 &&
		"$C" -l -d 1 "$W/$t.e0" "$W/$t.k1" >/dev/null 2>&1 &&
		"$C" -l -d 31 "$W/$t.k1" "$W/$t.a31" >/dev/null 2>&1
	check_eq "$t: ELF -> kdump -d 1 -> kdump -d 31 runs" "$?" 0
	verify "$t: ELF -> -d 1 -> -d 31" "$W/$t.a31" "$v" "$D" same
	rm -f "$W/$t.e0" "$W/$t.a31"

	if [ -n "$MDF" ]; then
		"$MDF" -l -d 1 "$v" "$W/$t.m1" >/dev/null 2>&1 && "$C" -l -d 31 "$W/$t.m1" "$W/$t.b31" >/dev/null 2>&1
		check_eq "$t: makedumpfile -l -d 1 -> coresieve -d 31 runs" "$?" 0
		verify "$t: makedumpfile's -d 1 -> -d 31" "$W/$t.b31" "$v" "$D" same
		"$MDF" -F -l -d 1 "$v" >"$W/$t.mf1" 2>/dev/null && "$C" -l -d 31 "$W/$t.mf1" "$W/$t.b31f" >/dev/null 2>&1
		check_eq "$t: makedumpfile -F stream read directly" "$?" 0
		verify "$t: makedumpfile's -F stream -> -d 31" "$W/$t.b31f" "$v" "$D" same
		rm -f "$W/$t.m1" "$W/$t.b31" "$W/$t.mf1" "$W/$t.b31f"
	fi

	"$C" -F -l -d 1 "$v" >"$W/$t.f1" 2>/dev/null && "$C" -l -d 31 "$W/$t.f1" "$W/$t.c31" >/dev/null 2>&1
	check_eq "$t: our -F stream read directly" "$?" 0
	verify "$t: -F stream -> -d 31" "$W/$t.c31" "$v" "$D" same
	rm -f "$W/$t.f1" "$W/$t.c31"

	"$C" --split -l -d 1 "$v" "$W/$t.p1" "$W/$t.p2" "$W/$t.p3" >/dev/null 2>&1 &&
		"$C" -l -d 31 "$W/$t.p3" "$W/$t.p1" "$W/$t.p2" "$W/$t.d31" >/dev/null 2>&1
	check_eq "$t: split set (3 pieces, any order) as the input" "$?" 0
	verify "$t: split set -> -d 31" "$W/$t.d31" "$v" "$D" same
	rm -f "$W/$t.p1" "$W/$t.p2" "$W/$t.p3" "$W/$t.d31"
}

"$MKVMCORE" --ram 512M --seed 21 -o "$W/g.vmcore" >/dev/null || { not_ok "mkvmcore"; done_testing; exit 1; }
chains gen "$W/g.vmcore"
[ -r "$FIX/l4.vmcore" ] && chains l4 "$FIX/l4.vmcore"

# The output level is the requested one OR the input's, and the user is told.
"$C" -l -d 2 "$W/gen.k1" "$W/lvl" >"$W/lvl.log" 2>&1
check_eq "-d 2 of a -d 1 dump: written at level 3" "$(field "$(hdr "$W/lvl")" level)" 3
check "-d 2 of a -d 1 dump: says the level changed" grep -q "dump level is set to 3" "$W/lvl.log"

# Erase info (makedumpfile --config) travels with the dump: into kdump and into ELF.
cp "$W/gen.k1" "$W/ei.k1"
"$PYTHON" - "$W/ei.k1" <<'EOF'
import os, struct, sys
p = sys.argv[1]; text = b'erase jiffies size 8\nerase init_task.comm nullify\n'
with open(p, 'r+b') as f:
    d = f.read(464); bs, = struct.unpack_from('<i', d, 428)
    end = os.path.getsize(p)
    f.seek(end); f.write(text)
    f.seek(bs + 64); f.write(struct.pack('<qQ', end, len(text)))
EOF
"$C" -l -d 31 "$W/ei.k1" "$W/ei.k31" >/dev/null 2>&1
check_eq "eraseinfo carried over by refiltering" "$(field "$(hdr "$W/ei.k31")" eraseinfo)" \
	"erase_jiffies_size_8|erase_init_task.comm_nullify|"
"$C" -E -d 31 "$W/ei.k1" "$W/ei.elf" >/dev/null 2>&1
check "eraseinfo carried into the ELF output as an ERASEINFO note" \
	sh -c "readelf -nW '$W/ei.elf' | grep -q ERASEINFO && grep -qa 'erase init_task.comm nullify' '$W/ei.elf'"

# QEMU's flattened kdump-zlib: its header phys_base is QEMU 7.2's guess; VMCOREINFO's wins.
if [ -r "$FIX/l4.kdump-zlib" ]; then
	"$C" -l -d 31 "$FIX/l4.kdump-zlib" "$W/q31" >/dev/null 2>&1
	check_eq "QEMU kdump-zlib -> -d 31 runs" "$?" 0
	verify "QEMU kdump-zlib -> -d 31" "$W/q31" "$FIX/l4.vmcore" "$W/l4.direct31"
	vmci=$(grep -a -o 'NUMBER(phys_base)=-\?[0-9]*' "$FIX/l4.vmcore" | head -1 | cut -d= -f2)
	want=$("$PYTHON" -c "print('%#x' % ($vmci & (2**64 - 1)))")
	check_eq "QEMU kdump-zlib: phys_base from VMCOREINFO" "$(field "$(hdr "$W/q31")" phys_base)" "$want"
fi

done_testing
