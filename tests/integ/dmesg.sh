#!/bin/bash
# tests/integ/dmesg.sh: --dump-dmesg, -g and -x through the CLI (fixtures built at test time).
#
#   - -g FILE -x VMLINUX on tests/fixtures/kstructs.c compiled as a "vmlinux": the lines
#     makedumpfile 1.7.2 -g writes come first and are identical (LENGTH(node_data) aside:
#     1.7.2 writes LONG_MAX-1 there, we write the array length); extra keys follow
#   - -g: existing file needs -f, missing / debug-less vmlinux fail with a clear message
#   - --dump-dmesg: never over its input, O_EXCL unless -f, no file left when it fails,
#     exit codes and messages as makedumpfile's
# Real printk rings (1.7.9 format, caller-id column) are checked by tests/realcore/test_dmesg.sh
# and tests/unit/test_dmesg.c.
. "$(dirname "$0")/lib.sh"

[ -x "$CORESIEVE" ] || skip_all "$CORESIEVE not built"
command -v cc >/dev/null || skip_all "no C compiler to build the DWARF fixture"
D=$(scratch)
SRC=$CS_ROOT/tests/fixtures/kstructs.c
cc -g -o "$D/vmlinux" "$SRC" || skip_all "cannot compile $SRC"

# ---- -g ----------------------------------------------------------------------------------
out=$("$CORESIEVE" -g "$D/cs.vmcoreinfo" -x "$D/vmlinux" 2>&1); rc=$?
check_eq "-g exit code" "$rc" 0
check "-g says where it saved" grep -q "The vmcoreinfo is saved to $D/cs.vmcoreinfo." <<< "$out"
check "-g starts with OSRELEASE and PAGESIZE" \
	bash -c "head -n 2 '$D/cs.vmcoreinfo' | tr '\n' ' ' | grep -qx 'OSRELEASE=6.1.0-kstructs PAGESIZE=4096 '"
if command -v makedumpfile >/dev/null; then
	makedumpfile -g "$D/mdf.vmcoreinfo" -x "$D/vmlinux" > "$D/mdf.log" 2>&1
	n=$(wc -l < "$D/mdf.vmcoreinfo")
	if diff <(grep -v '^LENGTH(node_data)=' "$D/mdf.vmcoreinfo") \
		<(head -n "$n" "$D/cs.vmcoreinfo" | grep -v '^LENGTH(node_data)=') > "$D/g.diff"; then
		ok "-g: makedumpfile 1.7.2's $n lines, same order and values"
	else
		not_ok "-g differs from makedumpfile -g"; sed 's/^/#   /' "$D/g.diff" | head -n 20
	fi
	check "-g: extra keys after makedumpfile's (OFFSET(printk_info.seq) for --partial-dmesg)" \
		bash -c "tail -n +$((n + 1)) '$D/cs.vmcoreinfo' | grep -q '^OFFSET(printk_info.seq)=0$'"
else
	ok "-g vs makedumpfile # SKIP makedumpfile not installed"
fi
"$CORESIEVE" -g "$D/cs.vmcoreinfo" -x "$D/vmlinux" > "$D/again.log" 2>&1; rc=$?
check_eq "-g onto an existing file fails" "$rc" 1
check "-g names the remedy (-f)" grep -q 'use -f' "$D/again.log"
"$CORESIEVE" -f -g "$D/cs.vmcoreinfo" -x "$D/vmlinux" > /dev/null 2>&1; rc=$?
check_eq "-g -f overwrites" "$rc" 0
"$CORESIEVE" -g "$D/none.vmcoreinfo" -x "$D/missing" > "$D/miss.log" 2>&1; rc=$?
check_eq "-g of a missing vmlinux fails" "$rc" 1
check "missing vmlinux: message names it" grep -q "$D/missing.*No such file" "$D/miss.log"
check "missing vmlinux: no output file" test ! -e "$D/none.vmcoreinfo"
cc -g0 -o "$D/stripped" "$SRC"
"$CORESIEVE" -g "$D/none.vmcoreinfo" -x "$D/stripped" > "$D/strip.log" 2>&1; rc=$?
check_eq "-g of a vmlinux without DWARF fails" "$rc" 1
check "no DWARF: message says so" grep -q 'no DWARF debug information' "$D/strip.log"
sum=$(cksum < "$D/vmlinux")
"$CORESIEVE" -f -g "$D/vmlinux" -x "$D/vmlinux" > "$D/self.log" 2>&1; rc=$?
check_eq "-g over the vmlinux itself is refused (even with -f)" "$rc" 1
check_eq "the vmlinux is untouched" "$(cksum < "$D/vmlinux")" "$sum"

# ---- --dump-dmesg ------------------------------------------------------------------------
if [ -x "$MKVMCORE" ]; then
	"$MKVMCORE" --ram 256M --seed 7 -o "$D/gen.vmcore" > /dev/null 2>&1 || not_ok "mkvmcore"
	# The generator's printk_rb_static is not a real ring: extraction must fail cleanly.
	"$CORESIEVE" --dump-dmesg "$D/gen.vmcore" "$D/gen.dmesg" > "$D/gen.log" 2>&1; rc=$?
	check_eq "--dump-dmesg of an implausible ring fails" "$rc" 1
	check "implausible ring: message names the ring" grep -q 'printk ring buffer' "$D/gen.log"
	check "implausible ring: no log file left" test ! -e "$D/gen.dmesg"
	check "implausible ring: 'coresieve Failed.'" grep -q 'coresieve Failed.' "$D/gen.log"
	cp "$D/gen.vmcore" "$D/copy.vmcore"
	"$CORESIEVE" -f --dump-dmesg "$D/copy.vmcore" "$D/copy.vmcore" > "$D/over.log" 2>&1; rc=$?
	check_eq "--dump-dmesg over its input is refused even with -f" "$rc" 1
	check "the input is untouched" cmp -s "$D/gen.vmcore" "$D/copy.vmcore"
	echo keep > "$D/exists.dmesg"
	"$CORESIEVE" --dump-dmesg "$D/gen.vmcore" "$D/exists.dmesg" > "$D/excl.log" 2>&1; rc=$?
	check_eq "--dump-dmesg onto an existing file fails" "$rc" 1
	check "existing file untouched (O_EXCL)" grep -qx keep "$D/exists.dmesg"
	"$CORESIEVE" --dump-dmesg -x "$D/missing" "$D/gen.vmcore" "$D/x.dmesg" > "$D/x.log" 2>&1; rc=$?
	check_eq "--dump-dmesg -x missing vmlinux fails" "$rc" 1
	check "no log file after a -x failure" test ! -e "$D/x.dmesg"
else
	ok "--dump-dmesg CLI checks # SKIP $MKVMCORE not built"
fi
"$CORESIEVE" --dump-dmesg --dry-run /dev/null "$D/dry.dmesg" > "$D/dry.log" 2>&1; rc=$?
check_eq "--dry-run with --dump-dmesg is refused" "$rc" 1
"$CORESIEVE" --partial-dmesg /dev/null "$D/p.dump" > "$D/p.log" 2>&1; rc=$?
check_eq "--partial-dmesg without --dump-dmesg is refused" "$rc" 1

done_testing && rm -rf "$D"
