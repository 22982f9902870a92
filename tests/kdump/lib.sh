# shellcheck shell=bash
# tests/kdump/lib.sh - settings shared by the kdump test scripts (sources tests/realcore/lib.sh).
#
# Environment (all optional):
#   COLLECTOR        static collector binary put into the capture initramfs as
#                    /usr/sbin/coresieve (default <repo>/build/coresieve-static, `make static`)
#   KD_CORE_COLLECTOR  the kdump.conf core_collector command
#                    (default "coresieve -l --message-level 1 -d 31"; e.g.
#                    "makedumpfile -l --message-level 1 -d 31" to test the plumbing alone)
#   KD_MEM (1024), KD_SMP (2), KD_TIMEOUT (600 s per boot), KD_FORCE=1 (redo the boots)
#   KD_RAW=0         skip the raw /proc/vmcore copy (and the checks that need it)
#   KD_DATA          results folder (default $RC_DATA/kdump), e.g. to keep a second configuration
. "$(dirname "${BASH_SOURCE[0]}")/../realcore/lib.sh"
KD_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KD_DATA=${KD_DATA:-$RC_DATA/kdump}  # initramfs images and per-run results
KD_WORK=$KD_DATA/work
COLLECTOR=${COLLECTOR:-$RC_REPO/build/coresieve-static}
KD_CORE_COLLECTOR=${KD_CORE_COLLECTOR:-coresieve -l --message-level 1 -d 31}
KD_COMPARE=${KD_COMPARE:-makedumpfile -l --message-level 1 -d 31}
KD_MEM=${KD_MEM:-1024}
KD_SMP=${KD_SMP:-2}
KD_TIMEOUT=${KD_TIMEOUT:-600}
KD_RAW=${KD_RAW:-1}
export KD_HERE KD_DATA COLLECTOR KD_CORE_COLLECTOR KD_COMPARE KD_MEM KD_SMP KD_TIMEOUT KD_RAW

kd_log() { printf '[kdump %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

kd_paths() {
  KD_CAPTURE=$KD_WORK/capture-$RC_KREL.img     # the capture kernel's initramfs
  KD_INITRD=$KD_WORK/kdump-initrd-$RC_KREL.img  # the first kernel's: realcore initrd + /boot/*
  KD_STAMP=$KD_WORK/initrd.stamp                # key of the images above
  export KD_CAPTURE KD_INITRD KD_STAMP
}
