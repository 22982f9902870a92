#!/bin/bash
# tests/integ/limits.sh: -L SIZE, -d a,b,c fallback levels and a full device: incomplete dumps that stay readable.
#
# An incomplete dump must be flagged (kdump status 0x8, ELF e_flags bit 0),
# exit 1 with makedumpfile's "This is an incomplete dumpfile, but might
# analyzable." and say how many pages it holds; every page a reader gets out
# of it must equal the original memory, and there must be as many as we said.
. "$(dirname "$0")/lib.sh"

[ -x "$CORESIEVE" ] || skip_all "$CORESIEVE is not built"
[ -x "$MKVMCORE" ] || skip_all "$MKVMCORE is not built"
"$PYTHON" -c 'import kdumpfile' 2>/dev/null || skip_all "python3-libkdumpfile is not installed"
C=$CORESIEVE
private_workdir limits 2g

# kverify OUT SOURCE: "status S level L readable R lost X bad B" through libkdumpfile
kverify() {
	"$PYTHON" - "$1" "$2" <<'EOF'
import struct, sys, kdumpfile
out, src = sys.argv[1], sys.argv[2]
h = open(out, 'rb').read(4096 + 104)
status, = struct.unpack_from('<I', h, 424)
bs, = struct.unpack_from('<i', h, 428)
level, = struct.unpack_from('<i', h, bs + 8)
o = kdumpfile.kdumpfile(out); s = kdumpfile.kdumpfile(src)
phys = kdumpfile.KDUMP_MACHPHYSADDR
pm = o.attr['file.pagemap']; maxp = o.attr['max_pfn']
good = lost = bad = 0
pfn = 0
while pfn < maxp:
    try:
        a = pm.find_set(pfn)
    except Exception:
        break
    if a >= maxp:
        break
    try:
        b = min(pm.find_clear(a), maxp)
    except Exception:
        b = maxp
    for p in range(a, b):
        try:
            x = o.read(phys, p * 4096, 4096)
        except Exception:
            lost += 1   # never written: the reader says so, it does not make data up
            continue
        if x != s.read(phys, p * 4096, 4096):
            bad += 1
        else:
            good += 1
    pfn = b
print('status %#x level %d readable %d lost %d bad %d' % (status, level, good, lost, bad))
EOF
}

# everify OUT COMPLETE SOURCE: an incomplete ELF against the complete one:
# "flag F loads N same-memsz yes|no beyond-eof E bad B pages P"
everify() {
	"$PYTHON" - "$1" "$2" "$3" <<'EOF'
import os, struct, sys, kdumpfile
def phdrs(p):
    f = open(p, 'rb'); eh = f.read(64)
    phoff, = struct.unpack_from('<Q', eh, 32); flags, = struct.unpack_from('<I', eh, 48)
    n, = struct.unpack_from('<H', eh, 56)
    f.seek(phoff); raw = f.read(56 * n)
    return flags, [struct.unpack_from('<IIQQQQQQ', raw, 56 * i) for i in range(n)]
out, full, src = sys.argv[1:4]
fl, ph = phdrs(out); _, fph = phdrs(full)
size = os.path.getsize(out)
s = kdumpfile.kdumpfile(src); phys = kdumpfile.KDUMP_MACHPHYSADDR
f = open(out, 'rb'); g = open(full, 'rb')
same_memsz = len(ph) == len(fph) and all(a[6] == b[6] and a[4] == b[4] for a, b in zip(ph, fph))
beyond = bad = pages = 0
for t, pf, off, va, pa, fs, ms, al in ph:
    if t != 1 or not fs:
        continue
    if off + fs > size:
        beyond += 1
        continue
    f.seek(off); a = f.read(fs)
    if a != s.read(phys, pa, fs):
        bad += 1
    pages += fs // 4096
print('flag %d loads %d same-memsz %s beyond-eof %d bad %d pages %d' %
      (fl & 1, sum(1 for p in ph if p[0] == 1), 'yes' if same_memsz else 'no', beyond, bad, pages))
EOF
}
field() { awk -v k="$2" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}' <<<"$1"; }
flag8() { local v; v=$(field "$1" status); echo $((${v:-0} & 8)); }
said() { sed -n 's/.* holds \([0-9]*\) pages\{0,1\} (.*/\1/p' "$1" | head -n1; }

"$MKVMCORE" --ram 1G --seed 41 -o "$W/v" >/dev/null || { not_ok "mkvmcore"; done_testing; exit 1; }
"$C" -l -d 31 "$W/v" "$W/d31" >/dev/null 2>&1
"$C" -E -d 31 "$W/v" "$W/e31" >/dev/null 2>&1
size31=$(stat -c %s "$W/d31")

# -L below the -d 31 size: an incomplete kdump file of exactly SIZE bytes.
lim=$((size31 / 3))
"$C" -L $lim -l -d 31 "$W/v" "$W/L1" >"$W/L1.log" 2>&1
check_eq "-L $lim: exit status 1" "$?" 1
check "-L: makedumpfile's incomplete-dump message" grep -qx "This is an incomplete dumpfile, but might analyzable." "$W/L1.log"
check "-L: says which limit was reached" grep -q "size limit (-L $lim bytes)" "$W/L1.log"
check_eq "-L: the file is exactly the limit" "$(stat -c %s "$W/L1")" $lim
r=$(kverify "$W/L1" "$W/v")
check_eq "-L: flagged incomplete (status $(field "$r" status))" "$(flag8 "$r")" 8
check_eq "-L: every page read back equals the original ($r)" "$(field "$r" bad)" 0
check_eq "-L: the pages readable are the pages we said we saved" "$(field "$r" readable)" "$(said "$W/L1.log")"
check "-L: some pages were saved" test "$(field "$r" readable)" -gt 0
if [ -n "$MDF" ]; then
	"$MDF" -L $lim -l -d 31 "$W/v" "$W/L1m" >/dev/null 2>&1
	check "-L: byte-identical to makedumpfile's incomplete file" cmp -s "$W/L1" "$W/L1m"
	rm -f "$W/L1m"
fi

# -d 1,31: the -d 1 dump does not fit the limit, -d 31 does: deleted and redone.
size1=$("$C" -l -d 1 --dry-run --message-level 16 "$W/v" /dev/null 2>/dev/null | awk '/^Write bytes/{print $4}')
lim=$((size31 + 4096))
"$C" -L $lim -l -d 1,31 "$W/v" "$W/L2" >"$W/L2.log" 2>&1
check_eq "-d 1,31 -L between both sizes: exit status 0" "$?" 0
check "-d 1,31: makedumpfile's retry message" grep -qx "Retry to create a dumpfile by dump_level(31)." "$W/L2.log"
check "-d 1,31: the result is the direct -d 31 dump" cmp -s "$W/L2" "$W/d31"
check "-d 1,31: the -d 1 attempt really was larger ($size1 > $lim)" test "${size1:-0}" -gt $lim

# -d 0,1,31 and a limit nothing fits: two retries, then an incomplete level-31 file.
"$C" -L 2M -l -d 0,1,31 "$W/v" "$W/L3" >"$W/L3.log" 2>&1
check_eq "-d 0,1,31 -L 2M: exit status 1" "$?" 1
check_eq "-d 0,1,31 -L 2M: retried twice" "$(grep -c '^Retry to create a dumpfile' "$W/L3.log")" 2
r=$(kverify "$W/L3" "$W/v")
check_eq "-d 0,1,31 -L 2M: incomplete file of the last level" "$(field "$r" level) $(flag8 "$r")" "31 8"
check_eq "-d 0,1,31 -L 2M: its pages read back intact" "$(field "$r" bad)" 0

# ELF: the PT_LOADs stay, p_filesz shrinks to what is in the file, e_flags |= 1.
lim=$(($(stat -c %s "$W/e31") / 2))
"$C" -E -L $lim -d 31 "$W/v" "$W/LE" >"$W/LE.log" 2>&1
check_eq "-E -L: exit status 1" "$?" 1
check_eq "-E -L: the file is exactly the limit" "$(stat -c %s "$W/LE")" $lim
r=$(everify "$W/LE" "$W/e31" "$W/v")
check_eq "-E -L: e_flags incomplete bit" "$(field "$r" flag)" 1
check_eq "-E -L: every PT_LOAD kept, p_paddr/p_memsz unchanged" "$(field "$r" same-memsz)" yes
check_eq "-E -L: no p_filesz reaches past the end of the file" "$(field "$r" beyond-eof)" 0
check_eq "-E -L: every byte in a p_filesz equals the original ($r)" "$(field "$r" bad)" 0
check_eq "-E -L: the pages we said we saved" "$(field "$r" pages)" "$(said "$W/LE.log")"

# A full device: tmpfs of a few sizes (root only).
n=0
for sz in 1m 3m 7m; do
	n=$((n + 1))
	fs=$W/fs$n
	mkdir -p "$fs"
	if ! mount -t tmpfs -o size=$sz coresieve-limits "$fs" 2>/dev/null; then
		ok "tmpfs size=$sz # skip: cannot mount a tmpfs (not root?)"
		continue
	fi
	"$C" -l -d 31 "$W/v" "$fs/out" >"$W/fs$n.log" 2>&1
	check_eq "tmpfs $sz: exit status 1" "$?" 1
	check "tmpfs $sz: names the full device" grep -q "No space left on device" "$W/fs$n.log"
	# Read a copy: a reader that maps holes of a full tmpfs gets SIGBUS (the fault must allocate).
	cp --sparse=always "$fs/out" "$W/out.copy"
	r=$(kverify "$W/out.copy" "$W/v")
	check_eq "tmpfs $sz: flagged incomplete" "$(flag8 "$r")" 8
	check_eq "tmpfs $sz: pages read back intact ($r)" "$(field "$r" bad)" 0
	check_eq "tmpfs $sz: as many pages as we said" "$(field "$r" readable)" "$(said "$W/fs$n.log")"
	rm -f "$fs/out" "$W/out.copy"
	"$C" -E -d 31 "$W/v" "$fs/out.elf" >"$W/fs$n.elf.log" 2>&1
	check_eq "tmpfs $sz -E: exit status 1" "$?" 1
	r=$(everify "$fs/out.elf" "$W/e31" "$W/v")
	check_eq "tmpfs $sz -E: flagged, no p_filesz past EOF, bytes intact ($r)" \
		"$(field "$r" flag) $(field "$r" beyond-eof) $(field "$r" bad)" "1 0 0"
	rm -f "$fs/out.elf"
	if [ $sz = 3m ]; then
		# --split: every piece is flagged; the pieces still reassemble into a readable file.
		"$C" --split -l -d 31 "$W/v" "$fs/p1" "$fs/p2" >"$W/fs$n.split.log" 2>&1
		check_eq "tmpfs $sz --split: exit status 1" "$?" 1
		flags=$("$PYTHON" -c 'import struct,sys; print(*[struct.unpack_from("<I",open(p,"rb").read(428),424)[0] & 8 for p in sys.argv[1:]])' "$fs/p1" "$fs/p2")
		check_eq "tmpfs $sz --split: both pieces flagged incomplete" "$flags" "8 8"
		# Incomplete pieces fail the reassembly (docs/robustness.md "No silent loss") unless
		# --allow-incomplete, which still writes the output flagged.
		"$C" --reassemble "$fs/p1" "$fs/p2" "$W/rs" >"$W/fs$n.rs.log" 2>&1
		check_eq "tmpfs $sz --split: reassembling the incomplete pieces fails" "$?" 1
		check "tmpfs $sz --split: the reassembly says a piece is incomplete" \
			grep -q "the input is marked incomplete" "$W/fs$n.rs.log"
		rm -f "$W/rs"
		"$C" --reassemble --allow-incomplete "$fs/p1" "$fs/p2" "$W/rs" >/dev/null 2>&1
		check_eq "tmpfs $sz --split: --allow-incomplete reassembles the incomplete pieces" "$?" 0
		r=$(kverify "$W/rs" "$W/v")
		check_eq "tmpfs $sz --split: reassembled, flagged, pages intact ($r)" \
			"$(flag8 "$r") $(field "$r" bad)" "8 0"
		rm -f "$fs/p1" "$fs/p2" "$W/rs"
	fi
	umount "$fs"
done

done_testing
