#!/bin/bash
# tests/integ/options_179.sh: every makedumpfile 1.7.9 option has one outcome (docs/coresieve.8's table).
#
#   - works: accepted by --check-params with no output; --vtop prints 1.7.9's translation
#     on a generated dump (direct map 4 KiB and 2 MiB, kernel text, vmemmap, unmapped)
#   - accepted with no effect here: exactly one warning line naming the option, exit 0
#   - refused: one line naming the option (exit 1), or 1.7.9's "Commandline parameter is
#     invalid." (-E with a codec, --non-cyclic)
#   - --check-params: 1.7.9's verdict and first message line on a set of combinations,
#     without reading any file (the names do not exist)
#   - a dump of an arch we do not support (ELF e_machine 243; kdump utsname.machine
#     "ppc64le" / "sparc64") is refused in one line naming the arch; an EM_AARCH64 / "aarch64"
#     dump is read as arm64 (here without its VMCOREINFO keys: refused in one line naming one)
# The expected lines are makedumpfile 1.7.9's (recorded from it); with MAKEDUMPFILE_179 set to
# a 1.7.9 binary the --check-params and --vtop outputs are also compared with it live.
. "$(dirname "$0")/lib.sh"

[ -x "$CORESIEVE" ] || skip_all "$CORESIEVE not built"
D=$(scratch)
cd "$D"
M179=${MAKEDUMPFILE_179:-}
[ -n "$M179" ] && [ -x "$M179" ] || M179=

run() { out=$("$CORESIEVE" "$@" 2>err.txt); rc=$?; err=$(cat err.txt); }
no_failed() { ! grep -q Failed <<<"$1"; }
no_match() { ! grep -q "$1" "$2" <<<"$3"; }
lines() { [ -z "$1" ] && echo 0 || printf '%s\n' "$1" | wc -l; }

# ---- works: accepted, nothing said (--check-params prints nothing on a valid line) -------
while IFS='|' read -r name args; do
	# shellcheck disable=SC2086
	run --check-params $args
	check_eq "works: $name (exit 0)" "$rc" 0
	check "works: $name (no message)" test -z "$out$err"
done <<'EOF'
-c -l -p -z -d|-d 31 -c -l -p -z vmcore dumpfile
-E|-E -d 31 vmcore dumpfile
-F|-F -d 31 vmcore
-R|-R dumpfile
-f -L|-f -L 1G -d 1 vmcore dumpfile
-x|-x vmlinux -d 31 vmcore dumpfile
-i|-i vmcoreinfo -d 31 vmcore dumpfile
-g|-g vmcoreinfo -x vmlinux
--split --splitblock-size|--split --splitblock-size 1024 -d 31 vmcore d1 d2
--reassemble|--reassemble d1 d2 dumpfile
--message-level|--message-level 31 -d 1 vmcore dumpfile
--vtop|--vtop 0xffffffff81000000 -d 1 vmcore dumpfile
--dump-dmesg --partial-dmesg|--dump-dmesg --partial-dmesg vmcore log
--cyclic-buffer|--cyclic-buffer 1024 -d 31 vmcore dumpfile
--non-mmap|--non-mmap -d 31 vmcore dumpfile
--mem-usage|--mem-usage vmcore
--num-threads with -E and --split (refused by 1.7.9, supported here)|--num-threads 2 -E vmcore dumpfile
--num-threads with --split|--num-threads 2 --split vmcore d1 d2
--dry-run --show-stats|--dry-run --show-stats -d 31 vmcore dumpfile
EOF
run -v
check "works: -v (version and codecs)" grep -q '^zstd' <<<"$out"
run -h
check "works: -h" grep -q 'Usage:' <<<"$out"

# ---- accepted with no effect here: one warning line, at the common level (stdout) --------
while IFS='|' read -r opt args; do
	# shellcheck disable=SC2086
	run --check-params $args
	check_eq "no effect: $opt (exit 0)" "$rc" 0
	check_eq "no effect: $opt says so in one line" "$(lines "$out")" 1
	check "no effect: $opt: the line names it" grep -q -- "$opt" <<<"$out"
	check "no effect: $opt: nothing on stderr" test -z "$err"
done <<'EOF'
-b|-b 4 -d 31 vmcore dumpfile
-D|-D -d 31 vmcore dumpfile
--splitblock-size|--splitblock-size 1024 -d 31 vmcore dumpfile
--work-dir|--work-dir /tmp -d 31 vmcore dumpfile
--vtop|--vtop 0x1000 --mem-usage vmcore
EOF
# The warning follows makedumpfile's MSG: not printed at --message-level 1 ...
run -b 4 --message-level 1 -d 31 /nonexistent/vmcore dumpfile
check "no effect: -b's warning is a common message (silent at --message-level 1)" \
	no_match -- '-b has no effect' "$out$err"
# ... and on stderr with -F (stdout carries the dump).
run -F -b 4 -d 31 /nonexistent/vmcore
check "no effect: with -F the warning goes to stderr" grep -q -- '-b has no effect' <<<"$err"

# ---- refused: one line naming the option, exit 1 ----------------------------------------
while IFS='|' read -r opt why args; do
	# shellcheck disable=SC2086
	run --check-params $args
	check_eq "refused: $opt (exit 1)" "$rc" 1
	check_eq "refused: $opt in one line" "$(lines "$out$err")" 1
	check "refused: $opt: '$why'" grep -q -- "^coresieve: $opt.*$why" <<<"$out"
	# shellcheck disable=SC2086
	run $args
	check_eq "refused: $opt also without --check-params" "$rc" 1
	check "refused: $opt: then 'coresieve Failed.'" grep -q 'coresieve Failed.' <<<"$out"
done <<'EOF'
-e|is not supported yet|-e --work-dir /tmp -d 31 vmcore dumpfile
--config|is not supported yet|--config filter.conf -x vmlinux -d 31 vmcore dumpfile
-X|Xen dumps are not supported|-X -d 31 vmcore dumpfile
--xen-syms|Xen dumps are not supported|--xen-syms xen-syms -d 31 vmcore dumpfile
--xen-vmcoreinfo|Xen dumps are not supported|--xen-vmcoreinfo f -d 31 vmcore dumpfile
--xen_phys_start|Xen dumps are not supported|--xen_phys_start 0x1000 -d 31 vmcore dumpfile
--diskset|sadump inputs are not supported|--diskset /dev/sda -d 31 dumpfile
--eppic|eppic filter scripts are not supported|--eppic script.c -x vmlinux -d 31 vmcore dumpfile
EOF
run --check-params --vtop zz -d 1 vmcore dumpfile
check_eq "refused: --vtop with no address (1.7.9 silently ignores it)" "$rc" 1

# ---- --check-params: makedumpfile 1.7.9's verdicts (nothing is read: no file exists) -----
while IFS='|' read -r want first args; do
	# shellcheck disable=SC2086
	run --check-params $args
	msgs=$out
	[[ " $args " == *" -F "* ]] && msgs=$err # with -F every message is on stderr, as 1.7.9's
	check_eq "--check-params $args: exit $want as 1.7.9" "$rc" "$want"
	check_eq "--check-params $args: 1.7.9's first line" "$(head -n 1 <<<"$msgs")" "$first"
	[ "$want" = 0 ] || check "--check-params $args: no 'Failed' line (1.7.9)" no_failed "$out$err"
	if [ -n "$M179" ]; then
		# shellcheck disable=SC2086
		m=$("$M179" --check-params $args 2>m.err); mrc=$?
		[[ " $args " == *" -F "* ]] && m=$(grep -v 'unrecognized option\|invalid option' m.err)
		check_eq "--check-params $args: same as $M179" "$rc:$(sed 's/coresieve/M/g' <<<"$msgs")" \
			"$mrc:$(sed 's/makedumpfile/M/g' <<<"$m")"
	fi
done <<'EOF'
1|Commandline parameter is invalid.|-E -c -d 31 vmcore dumpfile
1|Commandline parameter is invalid.|-E -z vmcore dumpfile
1|Commandline parameter is invalid.|-F --split vmcore d1 d2
1|Commandline parameter is invalid.|-i vmcoreinfo -x vmlinux vmcore dumpfile
1|Commandline parameter is invalid.|--partial-dmesg vmcore dumpfile
1|--dry-run cannot be used with --dump-dmesg.|--dry-run --dump-dmesg vmcore log
0||-g vmcoreinfo -x vmlinux
1|Commandline parameter is invalid.|-g vmcoreinfo
1|Commandline parameter is invalid.|-g vmcoreinfo -x vmlinux -d 1
1|--dry-run cannot be used with -g.|-g vmcoreinfo -x vmlinux --dry-run
1|Commandline parameter is invalid.|-g vmcoreinfo -x vmlinux -F
0||-d 0 -g vmcoreinfo -x vmlinux
0||-R dumpfile
1|Commandline parameter is invalid.|-R -c dumpfile
1|Commandline parameter is invalid.|-R dumpfile extra
1|Commandline parameter is invalid.|-R -x vmlinux dumpfile
0||-R --reassemble dumpfile
0||--reassemble d1 dumpfile
1|--dry-run cannot be used with --reassemble.|--reassemble --dry-run d1 d2 dumpfile
1|Commandline parameter is invalid.|--reassemble -d 1 d1 d2 dumpfile
1|Commandline parameter is invalid.|--reassemble --split d1 d2 dumpfile
0||--mem-usage vmcore
0||--mem-usage vmcore dumpfile
1|Commandline parameter is invalid.|--dump-dmesg vmcore
0||--dump-dmesg vmcore log
0||--dump-dmesg --mem-usage vmcore log
0||-F vmcore
0||-F -l -d 31 vmcore
1|Commandline parameter is invalid.|vmcore
1|Commandline parameter is invalid.|--split vmcore d1
1|Options for splitting dumpfile cannot be used with Elf format.|--split -E vmcore d1 d2
1|Commandline parameter is invalid.|--non-cyclic vmcore dumpfile
1|Commandline parameter is invalid.|-Q vmcore dumpfile
1|Limit size(0) is invalid.|-L 0 vmcore dumpfile
1|Message_level(99) is invalid.|--message-level 99 vmcore dumpfile
1|Dump_level(32) is invalid.|-d 32 vmcore dumpfile
EOF
run --check-params --non-cyclic vmcore dumpfile
check "--non-cyclic: getopt names it on stderr, as 1.7.9's" grep -q "unrecognized option '--non-cyclic'" <<<"$err"

# ---- --vtop on a generated dump -----------------------------------------------------------
if [ -x "$MKVMCORE" ] && [ -x "$PYTHON" ]; then
	"$MKVMCORE" --ram 256M --seed 3 -o gen.vmcore > /dev/null 2>&1 || not_ok "mkvmcore"
	eval "$("$PYTHON" - gen.vmcore.manifest.json <<'EOF'
import json, sys
l = json.load(open(sys.argv[1]))['layout']
for k in ('page_offset_base', 'vmemmap_base', 'vmalloc_base', 'text_vaddr', 'text_paddr'):
    print('%s=%s' % (k, l[k]))
EOF
)"
	# vtop ADDR: runs a dump with --vtop; sets vout (stdout), verr, vrc, and vres (the PHYSICAL).
	vtop() {
		rm -f v.kdump
		vout=$("$CORESIEVE" -d 31 --message-level 7 --vtop "$1" gen.vmcore v.kdump 2>v.err); vrc=$?
		verr=$(tr '\r' '\n' < v.err | grep -v '^\(Excluding\|Copying\|Checking\)')
		vres=$(sed -n '/^VIRTUAL           PHYSICAL$/{n;p}' <<<"$vout" | awk '{print $2}')
		if [ -n "$M179" ]; then
			mv v.kdump c.kdump
			m=$("$M179" -d 31 --message-level 7 --vtop "$1" gen.vmcore v.kdump 2>/dev/null)
			mv c.kdump v.kdump
			check_eq "--vtop $1: stdout as $M179's" "$(sed 's/coresieve/M/g' <<<"$vout")" \
				"$(sed 's/makedumpfile/M/g' <<<"$m")"
		fi
	}
	hex() { printf '0x%x' "$1"; }
	vtop "$(hex $((page_offset_base + 0x1000)))"
	check_eq "--vtop direct map (4 KiB page): exit 0" "$vrc" 0
	check_eq "--vtop direct map: PHYSICAL 1000" "$vres" 1000
	check "--vtop: 1.7.9's header line" grep -qx "Translating virtual address $(printf %x $((page_offset_base + 0x1000))) to physical address." <<<"$vout"
	check_eq "--vtop direct map 4 KiB: PGD, PUD, PMD, PTE lines" \
		"$(grep -o '^  [A-Z4]* : ' <<<"$vout" | tr -d ' :\n')" PGDPUDPMDPTE
	check "--vtop: entry lines as '  PGD : %16lx => %16lx'" \
		grep -Eq '^  PGD : [ 0-9a-f]{16} => [ 0-9a-f]{16}$' <<<"$vout"
	check "--vtop: the dump is still written" test -s v.kdump
	check "--vtop: 'The dumpfile is saved to' follows" grep -q 'The dumpfile is saved to v.kdump.' <<<"$vout"
	vtop "$(hex $((page_offset_base + 0x201234)))"
	check_eq "--vtop direct map (2 MiB page): PHYSICAL 201234" "$vres" 201234
	vtop "$(hex "$text_vaddr")"
	check_eq "--vtop kernel text: the kernel image's paddr (walked, not computed)" "$vres" \
		"$(printf %x "$text_paddr")"
	check "--vtop kernel text: the walk is printed" grep -q '^  PMD : ' <<<"$vout"
	vtop "$(hex $((vmemmap_base + 0x40)))"
	check "--vtop vmemmap: translated" grep -Eq '^[0-9a-f]+$' <<<"$vres"
	vtop "$(hex "$vmalloc_base")"
	check_eq "--vtop unmapped (vmalloc base): exit 0, as 1.7.9" "$vrc" 0
	check_eq "--vtop unmapped: PHYSICAL all ones" "$vres" ffffffffffffffff
	check "--vtop unmapped: the reason on stderr, naming the address" \
		grep -q "vaddr $(hex "$vmalloc_base"): not mapped" <<<"$verr"
	check "--vtop unmapped: the dump is still written" test -s v.kdump

	# ---- an arch we do not support ------------------------------------------------------
	cp --sparse=always gen.vmcore rv.vmcore
	printf '\xf3\x00' | dd of=rv.vmcore bs=1 seek=18 conv=notrunc status=none # e_machine = 243
	for lvl in 31 1; do
		run -d $lvl rv.vmcore rv.out
		check_eq "EM_RISCV ELF, -d $lvl: exit 1" "$rc" 1
		check_eq "EM_RISCV ELF, -d $lvl: one line naming the arch" "$err" \
			"coresieve: rv.vmcore: arch riscv64 (ELF e_machine 243) is not supported"
		check "EM_RISCV ELF, -d $lvl: no output left" test ! -e rv.out
	done
	run --mem-usage rv.vmcore
	check "EM_RISCV ELF, --mem-usage: the arch is named" grep -q 'arch riscv64' <<<"$err"
	# EM_AARCH64 picks the arm64 row, whose keys this x86_64 VMCOREINFO lacks.
	cp --sparse=always gen.vmcore a64.vmcore
	printf '\xb7\x00' | dd of=a64.vmcore bs=1 seek=18 conv=notrunc status=none # e_machine = 183
	run -d 31 a64.vmcore a64.out
	check_eq "EM_AARCH64 ELF: exit 1" "$rc" 1
	check_eq "EM_AARCH64 ELF: read as arm64, one line naming the missing key" "$err" \
		"coresieve: a64.vmcore: cannot translate arm64 kernel addresses: no NUMBER(VA_BITS) in VMCOREINFO"
	check "EM_AARCH64 ELF: no output left" test ! -e a64.out
	"$CORESIEVE" -l -d 31 --message-level 0 gen.vmcore gen.kdump
	for m in ppc64le sparc64; do
		cp gen.kdump "$m.kdump"
		printf '%s\0\0' "$m" | dd of="$m.kdump" bs=1 seek=272 conv=notrunc status=none # utsname.machine
		run -d 31 "$m.kdump" "$m.out"
		check_eq "kdump utsname.machine $m: exit 1" "$rc" 1
		check_eq "kdump utsname.machine $m: one line naming it" "$err" \
			"coresieve: $m.kdump: arch $m (kdump header utsname.machine) is not supported"
	done
	cp gen.kdump aarch64.kdump
	printf 'aarch64\0\0' | dd of=aarch64.kdump bs=1 seek=272 conv=notrunc status=none
	run -d 31 aarch64.kdump aarch64.out
	check_eq "kdump utsname.machine aarch64: read as arm64, one line naming the missing key" "$err" \
		"coresieve: aarch64.kdump: cannot translate arm64 kernel addresses: no NUMBER(VA_BITS) in VMCOREINFO"
else
	ok "--vtop and arch checks # SKIP $MKVMCORE or $PYTHON missing"
fi

done_testing && rm -rf "$D"
