#!/bin/bash
# tests/integ/faults_security.sh: the output file is created 0600 with O_EXCL (unless -f), never over the input (also through a symlink or hard link), and no temporary file is created (docs/robustness.md).
. "$(dirname "$0")/lib.sh"
[ -x "$CORESIEVE" ] || skip_all "no $CORESIEVE"
[ -x "$MKVMCORE" ] || skip_all "no $MKVMCORE"
D=$(scratch)
"$MKVMCORE" --ram 256M --seed 31 -o "$D/in.elf" >/dev/null 2>&1 || { not_ok "mkvmcore"; done_testing; exit 1; }
IN_SUM=$(md5sum <"$D/in.elf")
cs() { timeout 300 "$CORESIEVE" "$@" >"$D/stdout" 2>"$D/stderr"; }
last_err() { tr '\r' '\n' <"$D/stderr" | grep -v '%\]' | grep -v '^\s*$' | tail -1; }
input_intact() { [ "$(md5sum <"$D/in.elf")" = "$IN_SUM" ]; }

# --- mode and O_EXCL ---------------------------------------------------------------
for fmt in kdump elf; do
	opt=(-l); [ $fmt = elf ] && opt=(-E)
	out=$D/out.$fmt
	rm -f "$out"
	(umask 000; cs "${opt[@]}" -d 31 "$D/in.elf" "$out")
	check_eq "$fmt: a fresh output is created (exit)" "$?" 0
	check_eq "$fmt: mode 0600 even with umask 000" "$(stat -c %a "$out" 2>/dev/null)" 600
	sum=$(md5sum <"$out")
	cs "${opt[@]}" -d 31 "$D/in.elf" "$out"
	rc=$?
	check_eq "$fmt: an existing output is refused without -f (exit)" "$rc" 1
	check "$fmt: ... and left untouched" [ "$(md5sum <"$out")" = "$sum" ]
	echo "# $fmt existing output: $(last_err)"
	echo junk >"$out"; chmod 644 "$out"
	cs "${opt[@]}" -f -d 31 "$D/in.elf" "$out"
	check_eq "$fmt: -f overwrites (exit)" "$?" 0
	check "$fmt: -f output is a whole dump" [ "$(stat -c %s "$out")" -gt 4096 ]
	echo "# $fmt -f over a 0644 file: mode $(stat -c %a "$out")"
done

# A dangling symlink at the output path: O_EXCL must not follow it and create its target.
ln -sf "$D/victim" "$D/dangling"
cs -l -d 31 "$D/in.elf" "$D/dangling"
rc=$?
check "dangling symlink as output: not followed" [ ! -e "$D/victim" ]
echo "# dangling symlink: exit $rc: $(last_err)"

# --- every other output file goes through the same policy (core/io.c) ---------------
# The dmesg log and -g's file: a planted symlink is not followed, a FIFO is refused before
# open (which would block) and not chmod'ed; -g with -f over a 0644 file leaves it 0600.
# (A generated dump has no real printk ring, so the log is never written here: the checks
# are on what happens before.)
ln -sf "$D/victim.log" "$D/log.link"
cs --dump-dmesg -f "$D/in.elf" "$D/log.link"
check_eq "dmesg log -f at a symlink: refused (exit)" "$?" 1
check "dmesg log -f at a symlink: its target not created" [ ! -e "$D/victim.log" ]
echo "# dmesg log at a symlink: $(last_err)"
mkfifo "$D/log.fifo"; chmod 644 "$D/log.fifo"
timeout 20 "$CORESIEVE" --dump-dmesg -f "$D/in.elf" "$D/log.fifo" >"$D/stdout" 2>"$D/stderr"
check_eq "dmesg log -f at a FIFO: refused (exit)" "$?" 1
check_eq "dmesg log -f at a FIFO: mode unchanged" "$(stat -c %a "$D/log.fifo")" 644
echo "# dmesg log at a FIFO: $(last_err)"
if command -v cc >/dev/null && cc -g -o "$D/vmlinux" "$CS_ROOT/tests/fixtures/kstructs.c" 2>/dev/null; then
	echo junk >"$D/vi"; chmod 644 "$D/vi"
	cs -f -g "$D/vi" -x "$D/vmlinux"
	check_eq "-g -f over a 0644 file: exit" "$?" 0
	check_eq "-g -f over a 0644 file: mode 0600" "$(stat -c %a "$D/vi")" 600
	ln -sf "$D/victim.vi" "$D/vi.link"
	cs -f -g "$D/vi.link" -x "$D/vmlinux"
	check_eq "-g -f at a symlink: refused (exit)" "$?" 1
	check "-g -f at a symlink: its target not created" [ ! -e "$D/victim.vi" ]
else
	echo "# no C compiler for the DWARF fixture: -g checks skipped"
fi
# --reassemble's output: the same, for a symlink.
cs -l -d 31 --split "$D/in.elf" "$D/p1" "$D/p2" && ln -sf "$D/victim.re" "$D/re.link"
cs --reassemble -f "$D/p1" "$D/p2" "$D/re.link"
check_eq "--reassemble -f at a symlink: refused (exit)" "$?" 1
check "--reassemble -f at a symlink: its target not created" [ ! -e "$D/victim.re" ]
rm -f "$D"/p1 "$D"/p2 "$D"/log* "$D"/vi* "$D"/vmlinux

# --- never over the input ----------------------------------------------------------
cs -l -d 31 -f "$D/in.elf" "$D/in.elf"
check_eq "output = input with -f: refused (exit)" "$?" 1
check "output = input: input intact" input_intact
echo "# same path: $(last_err)"
ln -sf in.elf "$D/in.link"
cs -l -d 31 -f "$D/in.elf" "$D/in.link"
check_eq "output is a symlink to the input, -f: refused (exit)" "$?" 1
check "symlink: input intact" input_intact
echo "# symlink: $(last_err)"
ln -f "$D/in.elf" "$D/in.hard"
cs -l -d 31 -f "$D/in.elf" "$D/in.hard"
check_eq "output is a hard link to the input, -f: refused (exit)" "$?" 1
check "hard link: input intact" input_intact
echo "# hard link: $(last_err)"
cs -l -d 31 -f "$D/in.link" "$D/in.elf"
check_eq "input given through a symlink, output = its target, -f: refused (exit)" "$?" 1
check "symlinked input: input intact" input_intact
cs -E -d 31 -f "$D/in.elf" "$D/in.hard"
check_eq "-E over a hard link of the input: refused (exit)" "$?" 1
check "-E hard link: input intact" input_intact
cs -l -d 31 --split -f "$D/in.elf" "$D/s1" "$D/in.hard"
check_eq "--split with a piece on the input: refused (exit)" "$?" 1
check "--split: input intact" input_intact
rm -f "$D/in.link" "$D/in.hard" "$D/s1"

# --- no temporary files: every file created is an output ------------------------------
if command -v strace >/dev/null; then
	for args in "-l -d 31" "-E -d 31" "-c -d 31 --num-threads 2"; do
		rm -f "$D/traced.out"
		# shellcheck disable=SC2086
		strace -f -qq -e trace=openat,open,creat,mkdir,rename,renameat,renameat2,link,linkat,symlink,unlink,unlinkat,memfd_create \
			-o "$D/strace.log" "$CORESIEVE" $args "$D/in.elf" "$D/traced.out" >/dev/null 2>"$D/traced.err"
		check_eq "traced run completes ($args)" "$?" 0
		created=$(grep -E 'O_CREAT|creat\(|mkdir|rename|link\(|linkat|symlink|memfd_create|O_TMPFILE' "$D/strace.log" |
			grep -v ' = -1 ' | grep -v "\"$D/traced.out\"" || true)
		if [ -z "$created" ]; then
			ok "no file created besides the output ($args)"
		else
			not_ok "no file created besides the output ($args)"; echo "$created" | head -5 | sed 's/^/#   /'
		fi
		excl=$(grep "\"$D/traced.out\"" "$D/strace.log" | grep -c 'O_CREAT|O_EXCL')
		if [ "$excl" -ge 1 ]; then ok "output opened with O_CREAT|O_EXCL ($args)"
		else
			not_ok "output opened with O_CREAT|O_EXCL ($args)"
			grep -F "traced.out" "$D/strace.log" | head -3 | sed 's/^/#   /'; tail -2 "$D/traced.err" | sed 's/^/#   /'
		fi
	done
	rm -f "$D/traced.out"
	strace -f -qq -e trace=openat -o "$D/strace.log" "$CORESIEVE" -F -l -d 31 "$D/in.elf" >"$D/flat.out" 2>/dev/null
	check "-F to stdout creates no file" sh -c "! grep -q O_CREAT '$D/strace.log'"
else
	echo "# strace not installed: temp-file checks skipped"
fi

rm -f "$D"/in.elf "$D"/out.* "$D"/traced.out "$D"/flat.out "$D"/victim*
done_testing
