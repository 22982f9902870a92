#!/bin/bash
# Produce real x86_64 Linux vmcores of Debian's current kernel, booted under QEMU (TCG).
#
#   tests/realcore/make-dumps.sh            # everything, skipping what is already done
#   RC_FORCE=1 tests/realcore/make-dumps.sh # redo the guest runs
#
# Output in $RC_DATA/fixtures (default <repo>/build/realcore/fixtures):
#   l5.elf, l5.vmcore          guest with -cpu max (LA57: 5-level paging)
#   l4.elf, l4.vmcore          guest with -cpu max,la57=off (4-level paging)
#   l4.kdump-zlib              QEMU's kdump-zlib dump (makedumpfile *flattened* format)
#   l4.kdump-zlib.reassembled  the same, reassembled by makedumpfile -R (if installed)
#   NAME.console.log, NAME.map (workload pfn runs), INFO
# *.elf are QEMU's ELF dumps; *.vmcore are those rewritten into /proc/vmcore's layout.
# Exit 0 done, 1 failure, 77 "SKIP: <reason>" (no QEMU, or the kernel cannot be downloaded).
# Environment: RC_DATA, RC_KREL (see lib.sh), RC_MEM (guest MiB, 512), RC_SMP (2),
# RC_TIMEOUT (seconds to wait for the guest, 300), RC_FORCE=1.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

command -v qemu-system-x86_64 >/dev/null || rc_skip "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
[ -x "$RC_PY" ] || rc_skip "$RC_PY not found"
[ -x /bin/busybox ] || rc_skip "/bin/busybox not installed (apt-get install busybox-static)"
rc_mkdirs
MEM=${RC_MEM:-512}
SMP=${RC_SMP:-2}
TIMEOUT=${RC_TIMEOUT:-300}
t_start=$(date +%s)
printf '# make-dumps.sh %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$RC_WORK/timings.txt"

# Detect the kernel release once; the helper scripts inherit RC_KREL.
rc_detect_krel || rc_skip "cannot determine the Debian kernel release (apt-cache depends linux-image-amd64 found nothing)"
rc=0
rc_timed fetch-kernel "$RC_HERE/fetch-kernel.sh" || rc=$?
[ "$rc" = 77 ] && exit 77
[ "$rc" = 0 ] || rc_die "fetch-kernel.sh failed"
rc_kernel_paths
rc_timed build-initramfs "$RC_HERE/build-initramfs.sh"

qver=$(qemu-system-x86_64 --version | head -n1)
key="$RC_KREL|$MEM|$SMP|$qver|$(cd "$RC_HERE" && rc_hash lib.sh build-initramfs.sh make-dumps.sh run-guest.py qemu2vmcore.py guest/init guest/workload.c)"

# make_fixture NAME CPU FORMATS
make_fixture() {
  local name=$1 cpu=$2 formats=$3 f out=$RC_FIX/$1
  local want="$out.vmcore"
  for f in ${formats//,/ }; do want="$want $out.$f"; done
  if [ "${RC_FORCE:-0}" != 1 ] && rc_stamp_ok "fixture-$name" "$key|$cpu|$formats"; then
    local missing=0
    for f in $want; do [ -s "$f" ] || missing=1; done
    if [ $missing = 0 ]; then
      rc_log "$name: up to date"
      return 0
    fi
  fi
  rm -f "$RC_WORK/fixture-$name.stamp"
  local try
  for try in 1 2; do
    rc_timed "boot+dump $name ($cpu)" "$RC_PY" "$RC_HERE/run-guest.py" \
      --kernel "$RC_VMLINUZ" --initrd "$RC_INITRD" --disk "$RC_DISK" --out "$out" \
      --formats "$formats" --cpu "$cpu" --mem "$MEM" --smp "$SMP" --timeout "$TIMEOUT" && break
    # Under TCG a guest kernel now and then panics while booting, before the workload ran
    # (seen: 6.12 with -cpu max, "invalid opcode" in hrtimer_start_range_ns at 1.2 s): a boot
    # that never reached READY is tried once more; any other failure is the test's.
    if [ $try = 1 ] && grep -q 'Kernel panic' "$out.console.log" 2>/dev/null &&
      ! grep -q 'coresieve-realcore: READY' "$out.console.log"; then
      rc_log "$name: the guest kernel panicked while booting (TCG), once more: $(grep -m1 -E 'invalid opcode|BUG:|Oops' "$out.console.log")"
      continue
    fi
    rc_die "guest run $name failed (console: $out.console.log)"
  done
  rc_timed "qemu2vmcore $name" "$RC_PY" "$RC_HERE/qemu2vmcore.py" "$out.elf" "$out.vmcore"
  case ",$formats," in
    *,kdump-zlib,*)
      if command -v makedumpfile >/dev/null; then
        rm -f "$out.kdump-zlib.reassembled"
        # shellcheck disable=SC2016  # $1/$2 belong to the inner shell
        rc_timed "reassemble $name.kdump-zlib" \
          sh -c 'makedumpfile -R "$1" < "$2" > /dev/null && chmod 0644 "$1"' sh "$out.kdump-zlib.reassembled" "$out.kdump-zlib"
      fi ;;
  esac
  rc_stamp_set "fixture-$name" "$key|$cpu|$formats"
}

make_fixture l5 max "${RC_L5_FORMATS:-elf}"
make_fixture l4 max,la57=off "${RC_L4_FORMATS:-elf,kdump-zlib}"

{
  echo "kernel: $RC_KREL"
  for deb in "$RC_PKGS"/linux-image-"$RC_KREL"_*_amd64.deb; do echo "kernel package: ${deb##*/}"; done
  echo "qemu: $qver"
  echo "guest: -m $MEM -smp $SMP -accel tcg; l5: -cpu max; l4: -cpu max,la57=off"
  echo "key: $key"
} > "$RC_FIX/INFO"
rc_log "done in $(( $(date +%s) - t_start ))s; fixtures in $RC_FIX:"
ls -l "$RC_FIX" >&2
