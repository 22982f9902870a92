#!/bin/bash
# tests/integ/faults_signals.sh: SIGINT / SIGTERM mid-dump: non-zero exit, and the output is removed or marked incomplete, never left looking complete (docs/robustness.md).
. "$(dirname "$0")/lib.sh"
[ -x "$CORESIEVE" ] || skip_all "no $CORESIEVE"
[ -x "$MKVMCORE" ] || skip_all "no $MKVMCORE"
D=$(scratch)
# todo NAME WHY: a known open issue (docs/robustness.md): "not ok ... # TODO", not a failure
# unless FAULTS_STRICT=1.
todo() {
	if [ "${FAULTS_STRICT:-1}" = 1 ]; then not_ok "$1"; else T_N=$((T_N + 1)); echo "not ok $T_N - $1 # TODO $2"; fi
}
RAM=${FAULT_SIGNAL_RAM:-2G}
"$MKVMCORE" --ram "$RAM" --seed 21 -o "$D/big.elf" >/dev/null 2>&1 || { not_ok "mkvmcore --ram $RAM"; done_testing; exit 1; }

# looks_complete FILE FORMAT: 0 if FILE would pass for a finished dump.
looks_complete() {
	"$PYTHON" - "$1" "$2" <<'EOF'
import os, struct, sys
path, fmt = sys.argv[1:3]
if not os.path.exists(path) or os.path.getsize(path) == 0:
    sys.exit(1)
d = open(path, "rb").read(4096)
if fmt == "kdump":
    # kdump-compressed: incomplete when the header's status has bit 0x8 (DUMP_DH_COMPRESSED_INCOMPLETE).
    if d[:8] != b"KDUMP   " or len(d) < 432:
        sys.exit(1)
    sys.exit(1 if struct.unpack_from("<I", d, 424)[0] & 0x8 else 0)
if fmt == "flat":
    # A flattened stream is complete only with its end marker (offset -1, size -1).
    f = open(path, "rb"); f.seek(-16, 2)
    sys.exit(0 if f.read(16) == b"\xff" * 16 else 1)
if fmt == "elf":
    # ELF: complete when every PT_LOAD's data is inside the file.
    if d[:4] != b"\x7fELF":
        sys.exit(1)
    if struct.unpack_from("<I", d, 48)[0] & 1:  # e_flags bit 0: DUMP_ELF_INCOMPLETE
        sys.exit(1)
    phoff, = struct.unpack_from("<Q", d, 32); phnum, = struct.unpack_from("<H", d, 56)
    size = os.path.getsize(path)
    f = open(path, "rb"); f.seek(phoff); ph = f.read(56 * phnum)
    if len(ph) < 56 * phnum:
        sys.exit(1)
    for i in range(phnum):
        t, _, off, _, _, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", ph, 56 * i)
        if t == 1 and off + filesz > size:
            sys.exit(1)
    sys.exit(0)
sys.exit(1)
EOF
}

# case SIG DELAY FORMAT OPTIONS...: start a slow dump, signal it after DELAY seconds.
case_run() {
	local sig=$1 delay=$2 fmt=$3; shift 3
	local name="$sig after ${delay}s, $fmt ($*)" out=$D/out.$fmt pid rc
	rm -f "$out"
	# A background job of a script starts with SIGINT ignored: give it the default back.
	if [ "$fmt" = flat ]; then
		env --default-signal=INT,QUIT "$CORESIEVE" "$@" -F "$D/big.elf" >"$out" 2>"$D/err" &
	else
		env --default-signal=INT,QUIT "$CORESIEVE" "$@" "$D/big.elf" "$out" >/dev/null 2>"$D/err" &
	fi
	pid=$!
	sleep "$delay"
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid"
		echo "# $name: the dump finished before the signal (exit $?); use a bigger FAULT_SIGNAL_RAM"
		ok "$name # SKIP finished too fast"
		return
	fi
	kill -s "$sig" "$pid"
	wait "$pid" 2>/dev/null; rc=$?
	# A signal that lands after the last page (in the final header write or fsync) lets the
	# dump finish: exit 0 is right then, provided the output is whole and not marked incomplete.
	if [ "$rc" = 0 ] && [ "$sig" != KILL ] && looks_complete "$out" "$fmt"; then
		echo "# $name: the signal came after the last page; the dump completed (exit 0)"
		ok "$name # SKIP signal after the last page"
		return
	fi
	echo "# $name: exit $rc, output $( [ -e "$out" ] && echo "$(stat -c %s "$out") bytes" || echo absent): $(tr '\r' '\n' <"$D/err" | grep -v '%\]' | grep -v '^\s*$' | tail -1)"
	check "$name: exit code is non-zero" [ "$rc" -ne 0 ]
	if looks_complete "$out" "$fmt"; then
		if [ "$sig" = KILL ]; then
			# Nothing runs on SIGKILL (or OOM kill, power loss): only a header written
			# "incomplete" at the start and completed at the end can tell.
			todo "$name: output left looking complete" \
				"the kdump header carries its final status from the start"
		else
			not_ok "$name: output left looking complete"
		fi
	else
		ok "$name: output removed or marked incomplete"
	fi
}

case_run INT 1 kdump -c -d 1 --num-threads 1
case_run TERM 1 kdump -c -d 1 --num-threads 1
case_run INT 0.2 kdump -c -d 31 --num-threads 1
case_run TERM 1 elf -E -d 1 --num-threads 1
case_run TERM 4 elf -E -d 1 --num-threads 1
case_run INT 1 flat -c -d 1 --num-threads 1
case_run HUP 1 kdump -c -d 1 --num-threads 2
case_run KILL 1 kdump -c -d 1 --num-threads 1
rm -f "$D"/big.elf "$D"/out.*

done_testing
