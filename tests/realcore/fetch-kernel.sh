#!/bin/bash
# Download Debian's current amd64 kernel image with `apt-get download` and unpack it with
# `dpkg -x` under $RC_DATA/kernel/<krel>. Nothing is installed on the host (no /boot, no dpkg db).
# Idempotent. Exit 77 ("SKIP: ...") if the package cannot be found or downloaded.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
rc_mkdirs
rc_detect_krel || rc_skip "cannot determine the Debian kernel release (apt-cache depends linux-image-amd64 found nothing)"
rc_kernel_paths
if [ -f "$RC_VMLINUZ" ] && [ -d "$RC_MODDIR/kernel" ]; then
  rc_log "kernel $RC_KREL already extracted in $RC_KDIR"
  exit 0
fi
pkg=linux-image-$RC_KREL
find_deb() { find "$RC_PKGS" -maxdepth 1 -name "${pkg}_*_amd64.deb" | sort | tail -n1; }
deb=$(find_deb)
if [ -z "$deb" ]; then
  rc_log "apt-get download $pkg"
  if ! (cd "$RC_PKGS" && apt-get download -q "$pkg" >&2); then
    rc_log "download failed; refreshing the package lists once"
    apt-get update -qq >&2 || true
    (cd "$RC_PKGS" && apt-get download -q "$pkg" >&2) || rc_skip "cannot download $pkg with apt-get"
  fi
  deb=$(find_deb)
  [ -n "$deb" ] || rc_skip "apt-get download $pkg produced no .deb"
fi
rc_log "extracting $(basename "$deb")"
tmp=$RC_KDIR.tmp.$$
rm -rf "$tmp"; mkdir -p "$tmp"
dpkg -x "$deb" "$tmp"
[ -f "$tmp/boot/vmlinuz-$RC_KREL" ] || { rm -rf "$tmp"; rc_die "$deb has no boot/vmlinuz-$RC_KREL"; }
rm -rf "$RC_KDIR"; mkdir -p "$(dirname "$RC_KDIR")"; mv "$tmp" "$RC_KDIR"
ls -l "$RC_VMLINUZ" >&2
