#!/bin/bash
# Make the real kdump runs: Debian's kernel under QEMU, crashkernel= reserved, kexec -p,
# sysrq-c, and the capture kernel saves /proc/vmcore with the kdump.conf core_collector.
#
#   tests/kdump/make-kdumps.sh          # both runs, reusing results that are up to date
#   KD_FORCE=1 tests/kdump/make-kdumps.sh
#
# Runs (results in $RC_DATA/kdump/NAME/, see run-kdump.sh):
#   ck256    crashkernel=256M                       -cpu max,la57=off (4-level paging)
#   ckrange  crashkernel=512M-2G:192M,2G-:256M      -cpu max (LA57: 5-level paging)
# KD_RUNS="ck256" limits the runs. Other knobs: see lib.sh (COLLECTOR, KD_CORE_COLLECTOR, ...).
# Exit 0 done, 1 failure, 77 "SKIP: <reason>" (no QEMU / busybox-static / kernel package).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
command -v qemu-system-x86_64 >/dev/null || rc_skip "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
[ -x /bin/busybox ] || rc_skip "/bin/busybox not installed (apt-get install busybox-static)"
PATH=$PATH:/usr/sbin:/sbin command -v kexec >/dev/null || rc_skip "kexec not installed (apt-get install kexec-tools)"
rc_mkdirs
rc_detect_krel || rc_skip "cannot determine the Debian kernel release"
rc=0
rc_timed fetch-kernel "$RC_HERE/fetch-kernel.sh" || rc=$?
[ "$rc" = 77 ] && exit 77
[ "$rc" = 0 ] || rc_die "fetch-kernel.sh failed"
rc_timed build-initramfs "$RC_HERE/build-initramfs.sh"
rc_timed kdump-build-initrd "$KD_HERE/build-initrd.sh"

t_start=$(date +%s)
status=0
for run in ${KD_RUNS:-ck256 ckrange}; do
  case $run in
    ck256)   "$KD_HERE/run-kdump.sh" ck256 256M max,la57=off || status=1 ;;
    ckrange) "$KD_HERE/run-kdump.sh" ckrange 512M-2G:192M,2G-:256M max || status=1 ;;
    *) rc_die "unknown run $run" ;;
  esac
done
kd_log "kdump runs done in $(( $(date +%s) - t_start ))s (status $status)"
exit $status
