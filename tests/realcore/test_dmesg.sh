#!/bin/bash
# tests/realcore/test_dmesg.sh - --dump-dmesg of real Debian-kernel dumps in makedumpfile 1.7.9's format.
#
# 1.7.9 (1.7.5+) writes the caller-id column "[%8s] " (T<pid> / C<cpu>) after the timestamp
# and indents continuation lines past it; Debian's 1.7.2, the reference installed, does not.
# So our log with that column removed must equal 1.7.2's byte for byte, every record must
# carry the column, and the records whose writer is known must name it (the first one is
# the boot CPU's idle task T0, the guest's marker lines are written by its init, T1). With
# MAKEDUMPFILE_179=/path/to/makedumpfile-1.7.9 (optional) the log must also equal that
# binary's byte for byte.
#
#   - l4.vmcore, l5.vmcore (and l4.kdump-zlib.reassembled, a kdump-compressed input):
#     --dump-dmesg equal to makedumpfile --dump-dmesg as above, contains the guest's
#     "coresieve-realcore-marker" line; --partial-dmesg identical too
#   - a copy of l4.vmcore with the marker's text patched to unprintable bytes (0x01 0x1b
#     0x7f 0x80 0xc3 0xff, TAB, VT, NUL, '\n'): identical (1.7.2's sign-extended \x escapes)
#   - the same copy with clear_seq (latched_seq, 5.13+) patched to a record in the middle, as
#     `dmesg -C` would leave it: --partial-dmesg identical to makedumpfile's; clear_seq past
#     the last record: empty log (makedumpfile 1.7.2 loops there, so it is not run)
#   - -L: exactly that many bytes, the start of the full log, exit 1
#   - the log file is created 0600
# Exit 0 all passed, 1 a check failed, 77 "SKIP: <reason>" (make-dumps.sh skipped).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
CORESIEVE=${CORESIEVE:-$RC_REPO/build/coresieve}
N=0 FAILED=0
ok()     { N=$((N + 1)); echo "ok $N - $*"; }
not_ok() { N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - $*"; }
skip()   { N=$((N + 1)); echo "ok $N - $1 # SKIP $2"; }

command -v makedumpfile >/dev/null || rc_skip "makedumpfile (the reference) is not installed"
mkdir -p "$RC_DATA"
log=$RC_DATA/make-dumps.log
"$RC_HERE/make-dumps.sh" > "$log" 2>&1
rc=$?
if [ $rc = 77 ]; then grep -m1 '^SKIP' "$log" || echo "SKIP: make-dumps.sh skipped"; exit 77; fi
if [ $rc != 0 ]; then not_ok "make-dumps.sh (exit $rc, log $log)"; tail -n 20 "$log" | sed 's/^/#   /'; exit 1; fi
ok "fixtures (make-dumps.sh)"
if [ ! -x "$CORESIEVE" ]; then not_ok "$CORESIEVE is built"; echo "# $N checks, $FAILED failed"; exit 1; fi

W=$RC_WORK/dmesg
rm -rf "$W"; mkdir -p "$W"

# strip_cid: a 1.7.9 log as 1.7.2 writes it: without the caller-id column and its indent.
strip_cid() {
  sed -E 's/^(\[ *[0-9]+\.[0-9]{6}\] )\[ {0,7}[TC][0-9]{1,8}\] /\1/; t; s/^ {11}//'
}

# same_as_mdf NAME INPUT [OPTIONS...]: our log of INPUT is 1.7.2's plus the caller-id column
# (and 1.7.9's exactly when MAKEDUMPFILE_179 is given).
same_as_mdf() {
  local name=$1 in=$2 tag; shift 2
  tag=$(basename "$in")$(printf '%s' "$*" | tr -c 'a-z' '_')
  rm -f "$W/$tag.cs" "$W/$tag.mdf" "$W/$tag.mdf179"
  if ! "$CORESIEVE" --dump-dmesg "$@" "$in" "$W/$tag.cs" > "$W/$tag.cs.log" 2>&1; then
    not_ok "$name: coresieve failed"; sed 's/^/#   /' "$W/$tag.cs.log"; return 1
  fi
  if ! timeout 120 makedumpfile --dump-dmesg "$@" "$in" "$W/$tag.mdf" > "$W/$tag.mdf.log" 2>&1; then
    not_ok "$name: makedumpfile failed"; sed 's/^/#   /' "$W/$tag.mdf.log"; return 1
  fi
  if cmp -s <(strip_cid < "$W/$tag.cs") "$W/$tag.mdf"; then
    ok "$name: without the caller-id column, byte-identical to makedumpfile 1.7.2 ($(wc -l < "$W/$tag.cs") lines)"
  else
    not_ok "$name: differs from makedumpfile 1.7.2"; diff "$W/$tag.mdf" <(strip_cid < "$W/$tag.cs") | head -n 10 | sed 's/^/#   /'
    return 1
  fi
  if grep -q '^\[' "$W/$tag.mdf" && ! grep -Evq '^(\[ *[0-9]+\.[0-9]{6}\] \[ {0,7}[TC][0-9]{1,8}\] | {26})' "$W/$tag.cs"; then
    ok "$name: every line has the caller-id column (or its indent)"
  else
    not_ok "$name: lines without the caller-id column"; grep -Ev '^(\[ *[0-9]+\.[0-9]{6}\] \[ {0,7}[TC][0-9]{1,8}\] | {26})' "$W/$tag.cs" | head -n 3 | sed 's/^/#   /'
  fi
  [ -n "${MAKEDUMPFILE_179:-}" ] && [ -x "$MAKEDUMPFILE_179" ] || return 0
  timeout 120 "$MAKEDUMPFILE_179" --dump-dmesg "$@" "$in" "$W/$tag.mdf179" > "$W/$tag.mdf179.log" 2>&1
  if cmp -s "$W/$tag.cs" "$W/$tag.mdf179"; then
    ok "$name: byte-identical to $MAKEDUMPFILE_179"
  else
    not_ok "$name: differs from $MAKEDUMPFILE_179"; diff "$W/$tag.mdf179" "$W/$tag.cs" | head -n 10 | sed 's/^/#   /'
  fi
}

for name in l4 l5; do
  F=$RC_FIX/$name.vmcore
  [ -s "$F" ] || { not_ok "$F exists"; continue; }
  same_as_mdf "$name --dump-dmesg" "$F"
  if grep -q '^\[ *[0-9]*\.[0-9]*\] \[      T1\] coresieve-realcore-marker: workload ready$' "$W/$name.vmcore.cs"; then
    ok "$name: the guest's marker line is in the log, written by its init (T1)"
  else
    not_ok "$name: marker line (caller T1) missing"
  fi
  if head -n 1 "$W/$name.vmcore.cs" | grep -q '^\[    0\.000000\] \[      T0\] Linux version '; then
    ok "$name: the first record is the boot CPU's idle task's (T0)"
  else
    not_ok "$name: first record: $(head -n 1 "$W/$name.vmcore.cs" | cut -c1-60)"
  fi
  same_as_mdf "$name --partial-dmesg (never cleared)" "$F" --partial-dmesg
done
# QEMU's kdump-zlib dump of the same stopped guest (makedumpfile 1.7.2 cannot read this
# file's bitmap, so the reference is its log of l4.vmcore).
K=$RC_FIX/l4.kdump-zlib.reassembled
if [ -s "$K" ]; then
  rm -f "$W/kdump.cs"
  if "$CORESIEVE" --dump-dmesg "$K" "$W/kdump.cs" > "$W/kdump.log" 2>&1 &&
     cmp -s "$W/kdump.cs" "$W/l4.vmcore.cs"; then
    ok "kdump-compressed input: same log as of l4.vmcore"
  else
    not_ok "kdump-compressed input"; sed 's/^/#   /' "$W/kdump.log"
  fi
else
  skip "kdump-compressed input" "no l4.kdump-zlib.reassembled"
fi

stat_mode=$(stat -c %a "$W/l4.vmcore.cs" 2>/dev/null)
[ "$stat_mode" = 600 ] && ok "log file mode 0600" || not_ok "log file mode $stat_mode, want 600"

full=$W/l4.vmcore.cs
rm -f "$W/limit.cs"
"$CORESIEVE" --dump-dmesg -L 1000 "$RC_FIX/l4.vmcore" "$W/limit.cs" > "$W/limit.log" 2>&1; rc=$?
if [ $rc = 1 ] && [ "$(stat -c %s "$W/limit.cs" 2>/dev/null)" = 1000 ] &&
   cmp -s "$W/limit.cs" <(head -c 1000 "$full"); then
  ok "-L 1000: exit 1, the first 1000 bytes of the log"
else
  not_ok "-L 1000 (exit $rc)"; sed 's/^/#   /' "$W/limit.log"
fi

# A patched copy: unprintable text, then clear_seq moved (what `dmesg -C` does).
P=$W/l4-patched.vmcore
cp --reflink=auto "$RC_FIX/l4.vmcore" "$P" || { not_ok "copy l4.vmcore"; echo "# $N checks, $FAILED failed"; exit 1; }
# patch.py FILE text|clear VALUE: edit the dump in place through its own VMCOREINFO.
cat > "$W/patch.py" <<'EOF'
import mmap, struct, sys
path, what = sys.argv[1], sys.argv[2]
f = open(path, 'r+b')
m = mmap.mmap(f.fileno(), 0)
if what == 'text':
    s = b'coresieve-realcore-marker: workload ready'
    new = b'coresieve-realcore-marker:\x01\x1b\x7f\x80\xc3\xff\t\x0b\x00\nready'
    assert len(new) == len(s)
    i, n = m.find(s), 0
    while i >= 0:
        m[i:i + len(s)] = new
        n += 1
        i = m.find(s, i + 1)
    print(n)
    sys.exit(0 if n else 1)
# clear: translate SYMBOL(clear_seq) through the kernel text mapping, find its PT_LOAD.
note = m[:1 << 21]
vi = note[note.find(b'OSRELEASE='):].split(b'\0')[0].decode()
kv = dict(l.split('=', 1) for l in vi.splitlines() if '=' in l)
sym = int(kv['SYMBOL(clear_seq)'], 16)
phys_base = int(kv['NUMBER(phys_base)']) & (2**64 - 1)
paddr = (sym - 0xffffffff80000000 + phys_base) & (2**64 - 1)
e_phoff, = struct.unpack_from('<Q', m, 0x20)
e_phentsize, e_phnum = struct.unpack_from('<HH', m, 0x36)
for k in range(e_phnum):
    p_type, _, p_off, _, p_paddr, p_filesz = struct.unpack_from('<IIQQQQ', m, e_phoff + k * e_phentsize)
    if p_type == 1 and p_paddr <= paddr < p_paddr + p_filesz:
        off = p_off + paddr - p_paddr
        if 'SIZE(latched_seq)' in kv:
            val = off + int(kv['OFFSET(latched_seq.val)'])
            m[off:off + 4] = struct.pack('<I', 0)           # seqcount even: val[0]
            m[val:val + 16] = struct.pack('<QQ', int(sys.argv[3]), 0)
        else:
            m[off:off + 8] = struct.pack('<Q', int(sys.argv[3]))
        sys.exit(0)
sys.exit('clear_seq not in any PT_LOAD')
EOF
if n=$("$RC_PY" "$W/patch.py" "$P" text); then
  same_as_mdf "unprintable bytes ($n copies patched)" "$P"
  if grep -q 'marker:\\x01\\x1b\\x7f\\xffffff80\\xffffffc3\\xffffffff' "$W/l4-patched.vmcore.cs"; then
    ok "1.7.2's (and 1.7.9's) sign-extended \\x escapes"
  else
    not_ok "escapes not as expected"
  fi
else
  not_ok "patch the marker text"
fi
total=$(wc -l < "$full")
if "$RC_PY" "$W/patch.py" "$P" clear 200; then
  same_as_mdf "--partial-dmesg after a 'dmesg -C' at seq 200" "$P" --partial-dmesg
  got=$(wc -l < "$W/l4-patched.vmcore__partial_dmesg.cs" 2>/dev/null || echo 0)
  [ "$got" -gt 0 ] && [ "$got" -lt "$total" ] && ok "partial log is shorter ($got of $total lines)" ||
    not_ok "partial log has $got of $total lines"
  # Past the last record: makedumpfile 1.7.2 would walk 2^62 ids; we write nothing.
  "$RC_PY" "$W/patch.py" "$P" clear 100000 &&
    "$CORESIEVE" -f --dump-dmesg --partial-dmesg "$P" "$W/empty.cs" > "$W/empty.log" 2>&1 &&
    [ ! -s "$W/empty.cs" ] && ok "clear_seq after the last record: empty log" ||
    not_ok "clear_seq after the last record"
else
  not_ok "patch clear_seq"
fi
rm -f "$P"

# The guest does not run `dmesg -C` yet; if a later fixture does (a line
# "coresieve-realcore-marker: after clear" written after it), check it for real.
if grep -q 'coresieve-realcore-marker: after clear' "$full"; then
  same_as_mdf "guest's own dmesg -C" "$RC_FIX/l4.vmcore" --partial-dmesg
  grep -q 'workload ready' "$W/l4.vmcore__partial_dmesg.cs" && not_ok "partial log holds lines before the clear" ||
    ok "partial log starts after the guest's dmesg -C"
else
  skip "guest-side dmesg -C" "the fixture guest does not clear its log (tests/realcore/guest/init)"
fi

echo "# $N checks, $FAILED failed"
[ $FAILED = 0 ]
