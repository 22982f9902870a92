#!/bin/bash
# tests/integ/plausibility.sh: what VMCOREINFO claims is checked before it decides anything (docs/robustness.md, "Implausible VMCOREINFO").
#
# Each case edits one VMCOREINFO value of a generated dump in place (same
# length) and runs -l -d 31. A value that cannot be (a page size x86_64 does
# not have) is refused: exit 1, one line naming the key, no output. A value
# that is implausible (a page type that matches an untyped page or another
# type, two PG_ flags on one bit) is not used: its pages are kept, one warning
# line says so, and the dump keeps at least what the intact dump keeps (and at
# most that plus the pages of the class that could not be told apart).
. "$(dirname "$0")/lib.sh"
[ -x "$CORESIEVE" ] || skip_all "no $CORESIEVE"
[ -x "$MKVMCORE" ] || skip_all "no $MKVMCORE"
D=$(scratch)
TO=${FAULT_TIMEOUT:-120}

"$MKVMCORE" --ram 256M --seed 11 -o "$D/g.elf" >/dev/null 2>&1 || { not_ok "mkvmcore"; done_testing; exit 1; }

# mutate NAME OLD NEW: a copy of g.elf with the first OLD in the VMCOREINFO note replaced by NEW (same length).
mutate() {
	"$PYTHON" - "$D/g.elf" "$D/$1.elf" "$2" "$3" <<'EOF'
import shutil, struct, sys
src, dst, old, new = sys.argv[1], sys.argv[2], sys.argv[3].encode(), sys.argv[4].encode()
assert len(old) == len(new)
shutil.copyfile(src, dst)
with open(dst, "r+b") as f:
    d = f.read(1 << 16)
    i = d.find(b"VMCOREINFO"); j = d.find(old, i); assert i >= 0 and j >= 0, old
    f.seek(j); f.write(new)
EOF
}
# run NAME: coresieve -l -d 31 on NAME.elf; sets RC, ERR (last lines of stderr), JSON.
run() {
	JSON=$D/$1.json
	rm -f "$D/$1.out" "$JSON"
	timeout -s KILL "$TO" "$CORESIEVE" --report-json "$JSON" -l -d 31 "$D/$1.elf" "$D/$1.out" \
		>"$D/$1.stdout" 2>"$D/$1.err"
	RC=$?
	ERR=$(tr '\r' '\n' <"$D/$1.err" | grep -v -E '^\s*$|%\]')
}
json() { "$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["pages"][sys.argv[2]])' "$JSON" "$1" 2>/dev/null; }

cp "$D/g.elf" "$D/base.elf"
run base
check_eq "baseline completes" "$RC" 0
BASE=$(json remaining); BASE_OFF=$(json offline); BASE_HWP=$(json hwpoison); BASE_CACHE=$(($(json cache) + $(json cache_private))); BASE_FREE=$(json free)
check "baseline has offline and hwpoison pages to lose" [ "${BASE_OFF:-0}" -gt 0 -a "${BASE_HWP:-0}" -gt 0 ]
check "baseline says nothing implausible" sh -c '! grep -q implausible "$1"' _ "$D/base.err"

# --- cannot be: refused -------------------------------------------------------
mutate ps8k "PAGESIZE=4096" "PAGESIZE=8192"
# 65536 is one digit longer: take the byte from the end of BUILD-ID (unused by the filter).
BID=$(grep -a -o -m1 'BUILD-ID=[0-9a-f]*' "$D/g.elf" | head -1)
mutate ps64k "${BID}
PAGESIZE=4096" "${BID%?}
PAGESIZE=65536"
for c in ps8k:8192 ps64k:65536; do
	n=${c%%:*}; v=${c#*:}
	run "$n"
	check_eq "PAGESIZE=$v on x86_64: exit 1 (makedumpfile 1.7.9 fails too)" "$RC" 1
	check "PAGESIZE=$v: one line naming the value" \
		sh -c 'echo "$1" | grep -q "$2: VMCOREINFO PAGESIZE=$3 is not a page size of x86_64$"' _ "$ERR" "$n.elf" "$v"
	check "PAGESIZE=$v: no output written" [ ! -e "$D/$n.out" ]
done

# An arch init error names the input once (the kernel model and the job both added the path).
mutate kis "NUMBER(KERNEL_IMAGE_SIZE)=1073741824" "NUMBER(KERNEL_IMAGE_SIZE)=0000000000"
run kis
check_eq "KERNEL_IMAGE_SIZE=0: exit 1" "$RC" 1
check "KERNEL_IMAGE_SIZE=0: one line naming the input once" \
	sh -c '[ "$(echo "$1" | grep -c "kis.elf: NUMBER(KERNEL_IMAGE_SIZE)=0 is implausible")" = 1 ] &&
		! echo "$1" | grep -q "kis.elf: .*kis.elf"' _ "$ERR"

# --- implausible: not used, pages kept, one warning ---------------------------
# kept NAME KEY EXTRA: exit 0, one warning naming KEY, BASE <= remaining <= BASE + EXTRA.
kept() {
	local got
	run "$1"
	check_eq "$1: completes" "$RC" 0
	got=$(json remaining)
	check "$1: one warning line naming $2" \
		sh -c '[ "$(grep -c "warning: implausible VMCOREINFO: .*$2" "$1")" -eq 1 ]' _ "$D/$1.err" "$2"
	check "$1: keeps what the intact dump keeps ($BASE <= ${got:-?} <= $BASE + $3)" \
		[ "${got:-0}" -ge "$BASE" -a "${got:-0}" -le $((BASE + $3)) ]
}
OFFV=$(grep -a -o -m1 'NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-[0-9]*' "$D/g.elf" | head -1)
BUDV=$(grep -a -o -m1 'NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-[0-9]*' "$D/g.elf" | head -1)
# -1 is the _mapcount of every unmapped page (issue 18: 4,198 pages kept instead of 20,965).
mutate off_m1 "$OFFV" "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-$(printf '%0*d' $((${#OFFV} - 37)) 1)"
kept off_m1 "PAGE_OFFLINE_MAPCOUNT_VALUE)=-1 matches the _mapcount of an untyped page" "$BASE_OFF"
# offline's value on buddy: neither can be trusted (free pages kept too).
mutate off_bud "$OFFV" "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=${BUDV#*=}"
kept off_bud "collides with NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)" $((BASE_FREE + BASE_OFF))
check "off_bud: free pages are kept (no free-pages-unknown line as well)" \
	sh -c '[ "$(grep -c "^warning" "$1")" -eq 1 ]' _ "$D/off_bud.err"
# PG_hwpoison on PG_lru's bit: every LRU page would be dropped as hwpoison.
LRU=$(grep -a -o -m1 'NUMBER(PG_lru)=[0-9]*' "$D/g.elf" | head -1); LRU=${LRU#*=}
HWP=$(grep -a -o -m1 'NUMBER(PG_hwpoison)=[0-9]*' "$D/g.elf" | head -1)
mutate hwp_lru "$HWP" "NUMBER(PG_hwpoison)=$(printf '%0*d' $((${#HWP} - 20)) "$LRU")"
kept hwp_lru "NUMBER(PG_hwpoison)=$LRU names the bit of NUMBER(PG_lru)" $((BASE_HWP + BASE_CACHE))
# PG_hwpoison above the flag bits (bit 40: section/node bits most pages have): at -d 31 every page was dropped.
mutate hwp_40 "$HWP" "NUMBER(PG_hwpoison)=$(printf '%0*d' $((${#HWP} - 20)) 40)"
kept hwp_40 "NUMBER(PG_hwpoison)=40 is not a page flag bit" "$BASE_HWP"

# --- issue 18, smaller item: after a truncated input, the last lines say what the file holds ---
CUT=$("$PYTHON" - "$D/g.elf" <<'EOF2'
import struct, sys
d = open(sys.argv[1], "rb").read(4096)
phoff, = struct.unpack_from("<Q", d, 32); phnum, = struct.unpack_from("<H", d, 56)
loads = [p for p in (struct.unpack_from("<IIQQQQQQ", d, phoff + 56 * i) for i in range(phnum)) if p[0] == 1]
print(loads[-1][2] + loads[-1][5] // 2)
EOF2
)
cp --sparse=always "$D/g.elf" "$D/cut.elf" && truncate -s "$CUT" "$D/cut.elf"
run cut
HOLDS=$(cat "$D/cut.stdout" "$D/cut.err" | tr "\r" "\n" | grep ' holds ' | tail -1)
echo "# cut: $HOLDS"
check_eq "truncated input: exit 1" "$RC" 1
check "truncated input: 'holds N pages (B bytes)' with N > 0 and B the output's size" \
	sh -c 'echo "$1" | grep -Eq " holds [1-9][0-9]* pages \($2 bytes\)"' _ "$HOLDS" "$(stat -c %s "$D/cut.out" 2>/dev/null)"

# --- issue 18, smaller item: --split takes as many pieces as makedumpfile (no fixed limit; was 64) ---
mkdir -p "$D/sp"
PIECES=$(for i in $(seq 1 300); do echo "$D/sp/p$i"; done)
# shellcheck disable=SC2086
"$CORESIEVE" --split -l -d 31 "$D/g.elf" $PIECES >"$D/sp.log" 2>&1
check_eq "--split into 300 pieces: exit 0" "$?" 0
# shellcheck disable=SC2086
"$CORESIEVE" --reassemble $PIECES "$D/sp.re" >/dev/null 2>&1
check_eq "--reassemble of 300 pieces: exit 0" "$?" 0
check "300 pieces reassembled = the -d 31 dump of the intact input" cmp -s "$D/sp.re" "$D/base.out"

done_testing
