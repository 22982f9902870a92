# shellcheck shell=bash
# tests/realcore/lib.sh - shared settings and helpers for the real-vmcore fixture scripts.
# Source it from bash scripts that run with `set -euo pipefail`.
#
# Environment (all optional):
#   RC_DATA   cache/work folder for kernels, images and dumps (default <repo>/build/realcore)
#   RC_KREL   kernel release to use, e.g. 6.1.0-56-amd64 (default: what linux-image-amd64 depends on)
#   RC_PY     python interpreter for the helpers (default /usr/bin/python3, Debian's)

RC_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RC_REPO=$(cd "$RC_HERE/../.." && pwd)
RC_DATA=${RC_DATA:-$RC_REPO/build/realcore}
RC_PY=${RC_PY:-/usr/bin/python3}
RC_PKGS=$RC_DATA/pkgs          # downloaded .deb files
RC_WORK=$RC_DATA/work          # initramfs tree, disk image, console logs, sockets
RC_FIX=$RC_DATA/fixtures       # the produced dumps
export RC_DATA RC_PY

rc_log()  { printf '[realcore %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
rc_die()  { printf 'realcore: error: %s\n' "$*" >&2; exit 1; }
# rc_skip REASON: the environment cannot produce fixtures; exit 77 (automake/ctest "skipped").
rc_skip() { printf 'SKIP: %s\n' "$*"; exit 77; }

rc_mkdirs() {
  mkdir -p "$RC_PKGS" "$RC_WORK" "$RC_FIX"
  # Everything under RC_DATA is generated and big: keep it out of git even without a
  # top-level ignore rule.
  [ -f "$RC_DATA/.gitignore" ] || printf '*\n' > "$RC_DATA/.gitignore"
}

# rc_detect_krel: set RC_KREL to the kernel ABI that Debian's linux-image-amd64 depends on.
# Runs `apt-get update` once only if the metapackage is unknown to apt.
rc_detect_krel() {
  if [ -n "${RC_KREL:-}" ]; then return 0; fi
  _rc_dep() { apt-cache depends linux-image-amd64 2>/dev/null |
          sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*-amd64\)$/\1/p' | head -n1; }
  RC_KREL=$(_rc_dep)
  if [ -z "$RC_KREL" ]; then
    rc_log "linux-image-amd64 unknown to apt; running apt-get update"
    apt-get update -qq >&2 || true
    RC_KREL=$(_rc_dep)
  fi
  [ -n "$RC_KREL" ] || return 1
  export RC_KREL
}

# rc_newer_krel: print the ABI of the newest kernel series apt offers beside the default one
# (e.g. 6.12.117+deb12-amd64 from the linux-image-6.12-amd64 metapackage on Debian 12), or
# nothing when there is none newer than linux-image-amd64's. The realcore tier runs its
# classification and reader tests on it too: each new kernel series changes struct page
# (6.12 moved page types to the top byte of page_type), and makedumpfile lags behind.
rc_newer_krel() {
  local def meta newer
  def=$(RC_KREL='' && rc_detect_krel >/dev/null 2>&1 && echo "$RC_KREL") || return 0
  meta=$(apt-cache search --names-only '^linux-image-[0-9][0-9.]*-amd64$' 2>/dev/null |
         awk '{print $1}' | sort -V | tail -n1)
  [ -n "$meta" ] || return 0
  newer=$(apt-cache depends "$meta" 2>/dev/null |
          sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*-amd64\)$/\1/p' | head -n1)
  [ -n "$newer" ] || return 0
  # a newer series only (6.1 -> 6.12), not another build of the default's
  local sd sn
  sd=$(printf '%s' "$def" | grep -o '^[0-9]*\.[0-9]*') || true
  sn=$(printf '%s' "$newer" | grep -o '^[0-9]*\.[0-9]*') || true
  if [ "$sd" != "$sn" ] && [ "$(printf '%s\n%s\n' "$sd" "$sn" | sort -V | tail -n1)" = "$sn" ]; then
    echo "$newer"
  fi
}

# rc_kernel_paths: set the paths of the extracted kernel (after rc_detect_krel).
rc_kernel_paths() {
  RC_KDIR=$RC_DATA/kernel/$RC_KREL            # dpkg -x tree of linux-image-$RC_KREL
  RC_VMLINUZ=$RC_KDIR/boot/vmlinuz-$RC_KREL
  RC_MODDIR=$RC_KDIR/lib/modules/$RC_KREL
  RC_INITRD=$RC_WORK/initrd-$RC_KREL.img
  RC_DISK=$RC_WORK/data.img
  export RC_KDIR RC_VMLINUZ RC_MODDIR RC_INITRD RC_DISK
}

# rc_hash FILE...: short content hash of files (used as cache keys).
rc_hash() { cat "$@" | sha256sum | cut -c1-16; }

# rc_stamp_ok NAME KEY: true if the stamp NAME under RC_WORK holds KEY.
rc_stamp_ok()  { [ -f "$RC_WORK/$1.stamp" ] && [ "$(cat "$RC_WORK/$1.stamp")" = "$2" ]; }
rc_stamp_set() { printf '%s\n' "$2" > "$RC_WORK/$1.stamp"; }

# rc_timed LABEL CMD...: run CMD and record "LABEL SECONDS" in $RC_WORK/timings.txt.
rc_timed() {
  local label=$1; shift
  local t0 t1 rc=0
  t0=$(date +%s.%N)
  "$@" || rc=$?
  t1=$(date +%s.%N)
  local secs; secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
  rc_log "$label: ${secs}s (rc=$rc)"
  printf '%-28s %8ss rc=%s\n' "$label" "$secs" "$rc" >> "$RC_WORK/timings.txt"
  return "$rc"
}
