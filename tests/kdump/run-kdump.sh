#!/bin/bash
# Boot Debian's kernel under QEMU (TCG) with crashkernel=, crash it, and let the capture
# kernel save the dump; then pull the results off the disk images.
#
#   tests/kdump/run-kdump.sh NAME CRASHKERNEL [CPU]
#   e.g. run-kdump.sh ck256 256M max,la57=off
#
# Needs tests/kdump/build-initrd.sh's images. Guest: $KD_MEM MiB, $KD_SMP vCPUs, disks
#   vda  realcore's data disk (page cache workload; snapshot=on)
#   vdb  target.img, a fresh ext4 file system: kdump.conf's "ext4 /dev/vdb", path /var/crash
#   vdc  raw.img: the capture kernel dd's /proc/vmcore onto it (KD_RAW=1)
# Results in $RC_DATA/kdump/NAME/:
#   console.log       both kernels' serial console
#   dump/             <path>/<timestamp>/ of the target file system (debugfs rdump):
#                     vmcore (the collector's), makedumpfile.vmcore, results.txt
#   vmcore.raw        the /proc/vmcore copy (raw.img cut to /proc/vmcore's size)
#   run.txt           host-side timings: boot to crash, crash to done, total
# Reuses an earlier result with the same inputs unless KD_FORCE=1.
# Exit 0 done, 1 failure, 77 "SKIP: ..." (no QEMU).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -ge 2 ] || { echo "usage: $0 NAME CRASHKERNEL [CPU]" >&2; exit 2; }
NAME=$1 CK=$2 CPU=${3:-max,la57=off}
command -v qemu-system-x86_64 >/dev/null || rc_skip "qemu-system-x86_64 not installed"
command -v debugfs >/dev/null || rc_die "debugfs not found (apt-get install e2fsprogs)"
rc_detect_krel || rc_skip "cannot determine the Debian kernel release"
rc_kernel_paths
kd_paths
[ -f "$KD_INITRD" ] || rc_die "no $KD_INITRD; run tests/kdump/build-initrd.sh"
OUT=$KD_DATA/$NAME
mkdir -p "$OUT"

qver=$(qemu-system-x86_64 --version | head -n1)
key="$(cat "$KD_STAMP")|$CK|$CPU|$KD_MEM|$KD_SMP|$qver|$(cd "$KD_HERE" && rc_hash run-kdump.sh)"
if [ "${KD_FORCE:-0}" != 1 ] && [ -f "$OUT/key" ] && [ "$(cat "$OUT/key")" = "$key" ] && [ -f "$OUT/run.txt" ]; then
  kd_log "$NAME: up to date ($OUT)"
  exit 0
fi
rm -rf "$OUT"
mkdir -p "$OUT"
console=$OUT/console.log
truncate -s 512M "$OUT/target.img"
mkfs.ext4 -q -F -L kdump "$OUT/target.img"
raw_opt=()
if [ "$KD_RAW" = 1 ]; then
  truncate -s $(( KD_MEM + 64 ))M "$OUT/raw.img"
  raw_opt=(-drive "file=$OUT/raw.img,if=virtio,format=raw,cache=unsafe")
fi

append="console=ttyS0,115200 panic=-1 cs.mode=kdump cs.map=0 crashkernel=$CK ${KD_APPEND:-}"
cmd=(qemu-system-x86_64 -accel tcg -cpu "$CPU" -m "$KD_MEM" -smp "$KD_SMP" -machine pc
     -nodefaults -no-user-config -display none -no-reboot -serial "file:$console"
     -kernel "$RC_VMLINUZ" -initrd "$KD_INITRD" -append "$append"
     -drive "file=$RC_DISK,if=virtio,format=raw,snapshot=on"
     -drive "file=$OUT/target.img,if=virtio,format=raw,cache=unsafe"
     "${raw_opt[@]}")
kd_log "$NAME: ${cmd[*]}"
t0=$(date +%s.%N)
"${cmd[@]}" > "$OUT/qemu.log" 2>&1 &
qpid=$!
t_crash="" t_done="" status=running
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }
while kill -0 "$qpid" 2>/dev/null; do
  if [ -f "$console" ]; then
    if [ -z "$t_crash" ] && grep -qa 'coresieve-kdump: CRASHING' "$console"; then
      t_crash=$(since "$t0"); kd_log "$NAME: crashing after ${t_crash}s"
    fi
    if grep -qaE 'coresieve-(kdump|realcore): FAILED' "$console"; then status=failed; break; fi
    if grep -qa 'coresieve-kdump: DONE' "$console"; then
      t_done=$(since "$t0"); status=finished; kd_log "$NAME: capture done after ${t_done}s"; break
    fi
  fi
  if [ "$(since "$t0" | cut -d. -f1)" -ge "$KD_TIMEOUT" ]; then status=timeout; break; fi
  sleep 0.5
done
# the guest powers itself off; give it a moment, then make sure QEMU is gone
for _ in $(seq 40); do kill -0 "$qpid" 2>/dev/null || break; sleep 0.25; done
kill "$qpid" 2>/dev/null || true
wait "$qpid" 2>/dev/null || true
total=$(since "$t0")
if [ "$status" = running ]; then
  grep -qa 'coresieve-kdump: DONE' "$console" && status=finished || status=exited
fi
kd_log "$NAME: status $status after ${total}s"
if [ "$status" != finished ]; then
  echo "---- console tail ($console)" >&2
  tail -n 40 "$console" | tr -d '\r' >&2
  exit 1
fi

# pull the results off the target file system
dir=$(tr -d '\r' < "$console" | sed -n 's/.*coresieve-kdump: DONE dir=\([^ ]*\).*/\1/p' | tail -n1)
[ -n "$dir" ] || rc_die "no dump folder in the console log"
debugfs -R "rdump $dir $OUT" "$OUT/target.img" > "$OUT/debugfs.log" 2>&1
mv "$OUT/$(basename "$dir")" "$OUT/dump"
[ -f "$OUT/dump/results.txt" ] || rc_die "debugfs: no results.txt in $dir (see $OUT/debugfs.log)"
if [ "$KD_RAW" = 1 ]; then
  size=$(sed -n 's/^vmcore_size //p' "$OUT/dump/results.txt")
  truncate -s "$size" "$OUT/raw.img"
  mv "$OUT/raw.img" "$OUT/vmcore.raw"
fi
rm -f "$OUT/target.img"    # everything useful is in dump/
{
  echo "crashkernel $CK"
  echo "cpu $CPU"
  echo "boot_to_crash_s ${t_crash:-?}"
  echo "done_s $t_done"
  echo "total_s $total"
} > "$OUT/run.txt"
printf '%s\n' "$key" > "$OUT/key"
printf '%-28s %8ss rc=0\n' "kdump $NAME" "$total" >> "$RC_WORK/timings.txt"
ls -l "$OUT" "$OUT/dump" >&2
