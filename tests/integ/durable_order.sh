#!/bin/bash
# tests/integ/durable_order.sh: a writer clears its incomplete mark (kdump header status bit
# 0x8, ELF e_flags bit 0) only after the pages it vouches for are on disk: the syscalls end
# fdatasync, the one write of the mark, fsync (formats/sink.h cs_sink_barrier). Otherwise a
# power cut could leave a file whose header says "complete" over pages that never landed.
. "$(dirname "$0")/lib.sh"
[ -x "$CORESIEVE" ] || skip_all "no $CORESIEVE"
[ -x "$MKVMCORE" ] || skip_all "no $MKVMCORE"
command -v strace >/dev/null || skip_all "strace not installed (scripts/install-deps check)"
D=$(scratch)
"$MKVMCORE" --ram 256M --seed 5 -o "$D/in.elf" >/dev/null 2>&1 || { not_ok "mkvmcore"; done_testing; exit 1; }

# tail_calls LOG: the output fd's last three calls, as "name offset" ("fdatasync -", ...).
tail_calls() {
	local fd
	fd=$(grep -F "\"$D/out\"" "$1" | grep -m1 O_CREAT | sed -E 's/.* = ([0-9]+)$/\1/')
	[ -n "$fd" ] || { echo "no openat of the output"; return; }
	grep -E "(pwrite64\\($fd,|fdatasync\\($fd\\)|fsync\\($fd\\))" "$1" |
		sed -E "s/^[0-9]+ +//; s/^(pwrite64)\\($fd, .*, ([0-9]+)\\) += [0-9]+\$/\\1 \\2/; s/^(fdatasync|fsync)\\($fd\\).*/\\1 -/" |
		tail -3 | tr '\n' ' ' | sed 's/ $//'
}
for fmt in kdump elf; do
	opt=-l want="fdatasync - pwrite64 424 fsync -"   # 424: offsetof(struct disk_dump_header, status)
	[ $fmt = elf ] && opt=-E want="fdatasync - pwrite64 0 fsync -"
	rm -f "$D/out"
	strace -f -qq -e trace=openat,pwrite64,fdatasync,fsync -o "$D/$fmt.strace" \
		"$CORESIEVE" $opt -d 31 "$D/in.elf" "$D/out" >/dev/null 2>&1
	check_eq "$fmt: exit" "$?" 0
	check_eq "$fmt: the mark is cleared between a data sync and the final fsync" "$(tail_calls "$D/$fmt.strace")" "$want"
done
rm -f "$D/in.elf" "$D/out"
done_testing
