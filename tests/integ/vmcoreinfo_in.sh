#!/bin/bash
# tests/integ/vmcoreinfo_in.sh: -i VMCOREINFO as -g writes it (no run-time NUMBERs) on a dump
# with its own note: what the file lacks comes from the note, as with -x.
#
# -g cannot know NUMBER(phys_base), NUMBER(KERNEL_IMAGE_SIZE), NUMBER(pgtable_l5_enabled) (they
# are run-time values), and its SYMBOL()s are unrelocated: filtering with such a file must
# keep the pages of the run without -i, on 4- and 5-level dumps (a 5-level dump was walked
# with 4 levels and every page kept unverified before). A -i file that is a copy of a
# kernel-written note (it has KERNELOFFSET) has relocated SYMBOL()s and is used as it is.
. "$(dirname "$0")/lib.sh"
[ -x "$CORESIEVE" ] || skip_all "no $CORESIEVE"
[ -x "$MKVMCORE" ] || skip_all "no $MKVMCORE"
D=$(scratch)

for paging in 4 5; do
	V=$D/p$paging.elf
	"$MKVMCORE" --ram 256M --seed 5 --paging $paging -o "$V" >/dev/null 2>&1 || { not_ok "mkvmcore --paging $paging"; continue; }
	# the dump's own VMCOREINFO minus what a vmlinux cannot tell
	$PYTHON - "$V" "$D/p$paging.vmcoreinfo" <<'PY'
import struct, sys
with open(sys.argv[1], "rb") as f:
    eh = f.read(64)
    phoff, = struct.unpack_from("<Q", eh, 32)
    phnum, = struct.unpack_from("<H", eh, 56)
    f.seek(phoff)
    ph = [struct.unpack("<IIQQQQQQ", f.read(56)) for _ in range(phnum)]
    blob = b""
    for p in ph:
        if p[0] == 4:
            f.seek(p[2]); blob += f.read(p[5])
text = blob[blob.index(b"OSRELEASE="):].split(b"\0")[0].decode()
# (and OSRELEASE: mkvmcore leaves init_uts_ns empty, so the release check could not pass)
drop = ("OSRELEASE=", "NUMBER(phys_base)=", "NUMBER(KERNEL_IMAGE_SIZE)=", "NUMBER(pgtable_l5_enabled)=", "KERNELOFFSET=")
koff = int(next((l.split("=")[1] for l in text.splitlines() if l.startswith("KERNELOFFSET=")), "0"), 16)
out = []
for l in text.splitlines():
    if l.startswith(drop):
        continue
    if l.startswith("SYMBOL("):  # unrelocated, as from a vmlinux: -i adds KERNELOFFSET back
        k, v = l.split("=")
        l = "%s=%x" % (k, int(v, 16) - koff)
    out.append(l + "\n")
open(sys.argv[2], "w").write("".join(out))
PY
	"$CORESIEVE" -d 31 --dry-run --report-json "$D/p$paging.json" "$V" "$D/x" >/dev/null 2>&1
	"$CORESIEVE" -i "$D/p$paging.vmcoreinfo" -d 31 --dry-run --report-json "$D/p$paging-i.json" "$V" "$D/x" \
		>"$D/p$paging-i.log" 2>&1
	rc=$?
	check_eq "$paging-level: -i without the run-time NUMBERs exits 0" "$rc" 0
	[ $rc = 0 ] || sed 's/^/#   /' "$D/p$paging-i.log" | grep -v '^#   *$' | tail -n 3
	check "$paging-level: -i keeps the pages of the run without -i" cmp -s "$D/p$paging.json" "$D/p$paging-i.json"
	# a verbatim copy of a kernel-written note (KERNELOFFSET present, SYMBOL()s relocated):
	# used as it is, not relocated a second time (makedumpfile 1.7.2 fails on it)
	"$PYTHON" - "$V" > "$D/p$paging.note" <<'PY'
import sys
d = open(sys.argv[1], "rb").read(1 << 20)
i = d.index(b"OSRELEASE=")
sys.stdout.write(d[i:].split(b"\0")[0].decode())
PY
	grep -q '^KERNELOFFSET=[0-9a-f]*[1-9a-f]' "$D/p$paging.note" ||
		not_ok "$paging-level: the generated dump has a non-zero KERNELOFFSET (the case needs one)"
	"$CORESIEVE" -i "$D/p$paging.note" -d 31 --dry-run --report-json "$D/p$paging-n.json" "$V" "$D/x" \
		>"$D/p$paging-n.log" 2>&1
	rc=$?
	check_eq "$paging-level: -i with a copy of the dump's own note exits 0" "$rc" 0
	[ $rc = 0 ] || sed 's/^/#   /' "$D/p$paging-n.log" | grep -v '^#   *$' | tail -n 3
	check "$paging-level: -i with the note's copy keeps the pages of the run without -i" \
		cmp -s "$D/p$paging.json" "$D/p$paging-n.json"
done
done_testing
