#!/bin/bash
# Check the fixtures made by make-dumps.sh with independent readers:
#   - makedumpfile --message-level 31 -d 31 --dry-run on each .vmcore: succeeds and reports
#     nonzero "Free pages", "User process data pages", "Non-private cache pages"
#     (the report is kept in fixtures/NAME.mdf-d31.txt)
#   - the VMCOREINFO note: NUMBER(pgtable_l5_enabled)=1 for l5, 0 for l4, and the marker
#     the guest wrote to its kernel log is in memory
#   - python3-libkdumpfile opens each dump and reads init_uts_ns by kernel virtual address
# Exit 0 all passed, 1 a check failed, 77 no fixtures (run make-dumps.sh first).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ -s "$RC_FIX/l5.vmcore" ] || [ -s "$RC_FIX/l4.vmcore" ] || rc_skip "no fixtures in $RC_FIX (run make-dumps.sh)"

pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

for name in l5 l4; do
  v=$RC_FIX/$name.vmcore
  [ -s "$v" ] || { bad "$name: $v missing"; continue; }
  want_l5=0; [ $name = l5 ] && want_l5=1

  if command -v makedumpfile >/dev/null; then
    rep=$RC_FIX/$name.mdf-d31.txt
    if makedumpfile --message-level 31 -d 31 --dry-run "$v" "$RC_WORK/$name.dry-run.out" > "$rep" 2>&1; then
      ok "$name: makedumpfile -d 31 --dry-run"
    else
      bad "$name: makedumpfile -d 31 --dry-run failed (see $rep)"
    fi
    for what in "Free pages" "User process data pages" "Non-private cache pages"; do
      n=$(sed -n "s/^ *$what *: *\(0x[0-9a-f]*\).*/\1/p" "$rep" | head -n1)
      if [ -n "$n" ] && [ $((n)) -gt 0 ]; then ok "$name: $what = $((n))"; else bad "$name: $what = ${n:-missing}"; fi
    done
  else
    echo "note: makedumpfile not installed; its checks are skipped"
  fi

  # VMCOREINFO and kernel log marker, read from the ELF note directly.
  if out=$("$RC_PY" - "$v" "$want_l5" <<'PY'
import struct, sys
path, want = sys.argv[1], sys.argv[2]
with open(path, "rb") as f:
    eh = f.read(64)
    phoff, = struct.unpack_from("<Q", eh, 32)
    phnum, = struct.unpack_from("<H", eh, 56)
    f.seek(phoff)
    ph = [struct.unpack("<IIQQQQQQ", f.read(56)) for _ in range(phnum)]
    note = next(p for p in ph if p[0] == 4)
    f.seek(note[2]); blob = f.read(note[5])
    info = blob[blob.index(b"OSRELEASE="):].split(b"\0")[0].decode()
    lines = dict(l.split("=", 1) for l in info.splitlines() if "=" in l)
    l5 = lines.get("NUMBER(pgtable_l5_enabled)")
    print("OSRELEASE=%s NUMBER(pgtable_l5_enabled)=%s" % (lines.get("OSRELEASE"), l5))
    sys.exit(0 if l5 == want else 1)
PY
  ); then ok "$name: $out"; else bad "$name: VMCOREINFO: $out (want pgtable_l5_enabled=$want_l5)"; fi
  if grep -qa 'coresieve-realcore-marker: workload ready' "$v"; then
    ok "$name: kernel log marker present"
  else
    bad "$name: kernel log marker not found"
  fi
done

# libkdumpfile: open and read by kernel virtual address (uses the page tables).
for d in "$RC_FIX"/l5.vmcore "$RC_FIX"/l4.vmcore "$RC_FIX"/l4.kdump-zlib.reassembled; do
  [ -s "$d" ] || continue
  if out=$("$RC_PY" - "$d" <<'PY' 2>&1
import sys, kdumpfile
k = kdumpfile.kdumpfile(sys.argv[1])
if "arch.name" not in k.attr:
    # QEMU's kdump header leaves utsname.sysname empty; libkdumpfile 0.5.1 then sets no arch
    k.attr["arch.name"] = "x86_64"
k.attr["addrxlat.ostype"] = "linux"
rel = str(k.attr["linux.uts.release"])
sym = int(k.attr["linux.vmcoreinfo.SYMBOL"]["init_uts_ns"])
uts = bytes(k.read(kdumpfile.KDUMP_KVADDR, sym, 400))
assert rel.encode() in uts, "release not found in init_uts_ns"
print("format=%s release=%s" % (k.attr["file.format"], rel))
PY
  ); then ok "$(basename "$d"): libkdumpfile $out"; else bad "$(basename "$d"): libkdumpfile: $out"; fi
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
