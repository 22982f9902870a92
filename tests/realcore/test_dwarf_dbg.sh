#!/bin/bash
# tests/realcore/test_dwarf_dbg.sh - -x / -g against the real kernel's debug vmlinux (optional tier).
#
# Enabled by CS_TEST_DBG=1 only: it needs Debian's linux-image-<krel>-dbg (~860 MB download,
# only boot/vmlinux-<krel> is extracted, ~0.5 GB, cached under $RC_DATA/dbg/).
# CS_DBG_VMLINUX=/path/to/vmlinux uses a vmlinux you already have instead (no download).
#   - coresieve -g VMCOREINFO -x vmlinux: every SIZE/OFFSET/LENGTH/NUMBER key of the dump's own
#     VMCOREINFO that DWARF can know has the same value (the #define'd and run-time NUMBERs
#     are listed below and must be absent, not different); OSRELEASE matches; every SYMBOL
#     plus the dump's KERNELOFFSET equals the dump's (except the pointer form of mem_section
#     and macros like node_online_map)
#   - the makedumpfile 1.7.2 lines come first, byte-identical to makedumpfile -g's output
#     except LENGTH(node_data) (1.7.2 writes LONG_MAX-1 there; we write the array length)
#   - --dump-dmesg -x vmlinux and -d 31 --dry-run -x vmlinux of l4.vmcore equal the runs
#     without -x (the DWARF model drives the same walk)
# Exit 0 all passed, 1 a check failed, 77 "SKIP: <reason>".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
CORESIEVE=${CORESIEVE:-$RC_REPO/build/coresieve}
N=0 FAILED=0
ok()     { N=$((N + 1)); echo "ok $N - $*"; }
not_ok() { N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - $*"; }

[ "${CS_TEST_DBG:-0}" = 1 ] || [ -n "${CS_DBG_VMLINUX:-}" ] ||
  rc_skip "set CS_TEST_DBG=1 to download linux-image-<krel>-dbg (~860 MB) for the -x/-g tier"
[ -x "$CORESIEVE" ] || rc_skip "$CORESIEVE is not built"
mkdir -p "$RC_DATA"
log=$RC_DATA/make-dumps.log
"$RC_HERE/make-dumps.sh" > "$log" 2>&1
rc=$?
if [ $rc = 77 ]; then grep -m1 '^SKIP' "$log" || echo "SKIP: make-dumps.sh skipped"; exit 77; fi
[ $rc = 0 ] || { not_ok "make-dumps.sh (exit $rc, log $log)"; exit 1; }
ok "fixtures (make-dumps.sh)"
rc_detect_krel || rc_skip "cannot determine the kernel release"

VMLINUX=${CS_DBG_VMLINUX:-}
if [ -z "$VMLINUX" ]; then
  dbg=$RC_DATA/dbg
  VMLINUX=$dbg/vmlinux-$RC_KREL
  if [ ! -s "$VMLINUX" ]; then
    mkdir -p "$dbg"
    pkg=linux-image-$RC_KREL-dbg
    deb=$(find "$dbg" -maxdepth 1 -name "${pkg}_*_amd64.deb" | head -n1)
    if [ -z "$deb" ]; then
      rc_log "apt-get download $pkg (~860 MB)"
      (cd "$dbg" && apt-get download -q "$pkg" >&2) || rc_skip "cannot download $pkg"
      deb=$(find "$dbg" -maxdepth 1 -name "${pkg}_*_amd64.deb" | head -n1)
    fi
    [ -n "$deb" ] || rc_skip "no $pkg .deb"
    rc_log "extracting boot/vmlinux-$RC_KREL from $(basename "$deb")"
    dpkg-deb --fsys-tarfile "$deb" |
      tar -xO "./usr/lib/debug/boot/vmlinux-$RC_KREL" > "$VMLINUX.tmp" &&
      mv "$VMLINUX.tmp" "$VMLINUX" || { rm -f "$VMLINUX.tmp"; rc_die "cannot extract the vmlinux"; }
    # Keep only the vmlinux: the .deb (and its 5 GB of module debug info) is not needed again.
    rm -f "$deb"
  fi
fi
[ -s "$VMLINUX" ] || rc_skip "no debug vmlinux at $VMLINUX"

W=$RC_WORK/dwarf-dbg
rm -rf "$W"; mkdir -p "$W"
F=$RC_FIX/l4.vmcore
# The dump's own VMCOREINFO note (the truth).
"$RC_PY" - "$F" > "$W/note.txt" <<'EOF'
import sys
data = open(sys.argv[1], 'rb').read(1 << 21)
i = data.find(b'OSRELEASE=')
sys.stdout.write(data[i:].split(b'\0')[0].decode())
EOF

t0=$(date +%s.%N)
if "$CORESIEVE" -g "$W/cs.vmcoreinfo" -x "$VMLINUX" > "$W/cs-g.log" 2>&1; then
  ok "coresieve -g -x vmlinux ($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s)"
else
  not_ok "coresieve -g -x vmlinux"; sed 's/^/#   /' "$W/cs-g.log"
fi

# Keys DWARF cannot know: #defines and values computed at run time by the kernel
# (VMALLOC_START: randomised with KASLR; in x86_64 VMCOREINFO by 6.12).
NOT_IN_DWARF='^NUMBER\((PAGE_BUDDY_MAPCOUNT_VALUE|PAGE_OFFLINE_MAPCOUNT_VALUE|PAGE_HUGETLB_MAPCOUNT_VALUE|PAGE_SLAB_MAPCOUNT_VALUE|PAGE_UNACCEPTED_MAPCOUNT_VALUE|SECTION_SIZE_BITS|MAX_PHYSMEM_BITS|phys_base|pgtable_l5_enabled|KERNEL_IMAGE_SIZE|sme_mask|VMALLOC_START)\)='
# LENGTH(mem_section) is NR_SECTION_ROOTS in the note; DWARF sees a pointer (4.15+).
NOT_IN_DWARF_LEN='^LENGTH\(mem_section\)='
bad=0 checked=0
while IFS= read -r line; do
  key=${line%%=*}; want=${line#*=}
  case $key in SIZE\(*|OFFSET\(*|LENGTH\(*|NUMBER\(*) ;; *) continue ;; esac
  got=$(grep -m1 -F "$key=" "$W/cs.vmcoreinfo" | cut -d= -f2-)
  if printf '%s\n' "$line" | grep -Eq "$NOT_IN_DWARF|$NOT_IN_DWARF_LEN"; then
    [ -z "$got" ] || [ "$got" = "$want" ] || { echo "#   $key: dump $want, -g $got (should be absent)"; bad=$((bad + 1)); }
    continue
  fi
  checked=$((checked + 1))
  [ "$got" = "$want" ] || { echo "#   $key: dump $want, -g ${got:-<absent>}"; bad=$((bad + 1)); }
done < "$W/note.txt"
if [ $bad = 0 ]; then ok "every SIZE/OFFSET/LENGTH/NUMBER of the dump's VMCOREINFO that DWARF holds ($checked keys) equals -g's"
else not_ok "$bad SIZE/OFFSET/LENGTH/NUMBER keys differ from the dump's VMCOREINFO"; fi

rel_note=$(sed -n 's/^OSRELEASE=//p' "$W/note.txt")
rel_g=$(sed -n 's/^OSRELEASE=//p' "$W/cs.vmcoreinfo")
[ "$rel_note" = "$rel_g" ] && ok "OSRELEASE $rel_g" || not_ok "OSRELEASE: dump $rel_note, -g $rel_g"

koff=$(sed -n 's/^KERNELOFFSET=//p' "$W/note.txt")
bad=0 checked=0
while IFS= read -r line; do
  key=${line%%=*}; want=${line#*=}
  case $key in SYMBOL\(mem_section\)|SYMBOL\(node_online_map\)|SYMBOL\(swapper_pg_dir\)) continue ;; SYMBOL\(*) ;; *) continue ;; esac
  got=$(grep -m1 -F "$key=" "$W/cs.vmcoreinfo" | cut -d= -f2-)
  [ -n "$got" ] || continue   # symbols -g does not look up (kallsyms_*)
  checked=$((checked + 1))
  rel=$(printf '%x' $((0x$got + 0x${koff:-0})))
  [ "$rel" = "$want" ] || { echo "#   $key: dump $want, -g $got + $koff = $rel"; bad=$((bad + 1)); }
done < "$W/note.txt"
[ $bad = 0 ] && ok "$checked SYMBOL()s + KERNELOFFSET equal the dump's" || not_ok "$bad SYMBOL()s differ"

if command -v makedumpfile >/dev/null; then
  t0=$(date +%s.%N)
  if makedumpfile -g "$W/mdf.vmcoreinfo" -x "$VMLINUX" > "$W/mdf-g.log" 2>&1; then
    secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
    n=$(wc -l < "$W/mdf.vmcoreinfo")
    if diff <(grep -v '^LENGTH(node_data)=' "$W/mdf.vmcoreinfo") \
            <(head -n "$n" "$W/cs.vmcoreinfo" | grep -v '^LENGTH(node_data)=') > "$W/g.diff"; then
      ok "the first $n lines equal makedumpfile -g's (makedumpfile took ${secs}s)"
    else
      not_ok "-g differs from makedumpfile -g"; head -n 20 "$W/g.diff" | sed 's/^/#   /'
    fi
  else
    not_ok "makedumpfile -g ran"; sed 's/^/#   /' "$W/mdf-g.log"
  fi
fi

rm -f "$W/x.dmesg" "$W/plain.dmesg"
if "$CORESIEVE" --dump-dmesg -x "$VMLINUX" "$F" "$W/x.dmesg" > "$W/x.log" 2>&1 &&
   "$CORESIEVE" --dump-dmesg "$F" "$W/plain.dmesg" > /dev/null 2>&1 &&
   cmp -s "$W/x.dmesg" "$W/plain.dmesg"; then
  ok "--dump-dmesg -x vmlinux equals --dump-dmesg"
else
  not_ok "--dump-dmesg -x vmlinux"; sed 's/^/#   /' "$W/x.log"
fi
a=$("$CORESIEVE" -d 31 --dry-run --message-level 16 -x "$VMLINUX" "$F" "$W/x.dump" 2>&1 | grep -E '^(Excluded|Pages|Remaining|Total)' )
b=$("$CORESIEVE" -d 31 --dry-run --message-level 16 "$F" "$W/p.dump" 2>&1 | grep -E '^(Excluded|Pages|Remaining|Total)' )
if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "-d 31 --dry-run -x vmlinux reports the same page counts"
else not_ok "-d 31 with -x differs"; diff <(echo "$a") <(echo "$b") | sed 's/^/#   /'; fi

echo "# $N checks, $FAILED failed"
[ $FAILED = 0 ]
