#!/bin/bash
# tests/integ/elf_killed.sh: an -E dump cut by SIGKILL reads as incomplete (e_flags DUMP_ELF_INCOMPLETE); a finished one has e_flags 0.
#
# The ELF writer writes its header with e_flags bit 0 (makedumpfile's
# DUMP_ELF_INCOMPLETE) set and clears it only in the last header write, after
# every page is in the file: SIGKILL leaves no chance to mark it afterwards.
. "$(dirname "$0")/lib.sh"
[ -x "$CORESIEVE" ] || skip_all "no $CORESIEVE"
[ -x "$MKVMCORE" ] || skip_all "no $MKVMCORE"
D=$(scratch)
RAM=${ELF_KILLED_RAM:-2G}

"$MKVMCORE" --ram "$RAM" --seed 21 -o "$D/big.elf" >/dev/null 2>&1 || { not_ok "mkvmcore --ram $RAM"; done_testing; exit 1; }
# e_flags FILE: the ELF header's e_flags (offset 48 in Elf64), "none" without a whole header.
e_flags() {
	"$PYTHON" -c 'import struct,sys; d=open(sys.argv[1],"rb").read(64); print(struct.unpack_from("<I", d, 48)[0] if len(d) == 64 and d[:4] == b"\x7fELF" else "none")' "$1"
}

# A finished -E dump: e_flags 0.
"$CORESIEVE" -E -d 31 "$D/big.elf" "$D/done.elf" >/dev/null 2>&1
check_eq "-E -d 31 completes" "$?" 0
check_eq "finished -E: e_flags 0" "$(e_flags "$D/done.elf")" 0

# -d 0 copies every page: kill once page data has started to land (past the headers).
"$CORESIEVE" -E -d 0 "$D/big.elf" "$D/cut.elf" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 2000); do
	[ "$(stat -c %b "$D/cut.elf" 2>/dev/null || echo 0)" -gt 4096 ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.01
done
if kill -0 "$pid" 2>/dev/null; then
	kill -KILL "$pid"; wait "$pid" 2>/dev/null
	check "SIGKILL mid -E: some bytes were written" [ "$(stat -c %b "$D/cut.elf")" -gt 4096 ]
	check_eq "SIGKILL mid -E: e_flags has DUMP_ELF_INCOMPLETE" "$(e_flags "$D/cut.elf")" 1
else
	wait "$pid"
	echo "# -E -d 0 of $RAM finished before it could be killed (set ELF_KILLED_RAM larger)"
	check_eq "-E -d 0 completes: e_flags 0" "$(e_flags "$D/cut.elf")" 0
fi

done_testing
