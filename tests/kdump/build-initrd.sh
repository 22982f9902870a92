#!/bin/bash
# Build the two initramfs images of the kdump test under $RC_DATA/kdump/work:
#   capture-<krel>.img       the capture kernel's: tests/realcore's busybox tree (modules,
#                            makedumpfile, guest/init) without /tmp and without the workload,
#                            plus the collector ($COLLECTOR as /usr/sbin/coresieve, stripped),
#                            GNU time, guest/kdump-capture, /etc/kdump.conf (core_collector
#                            $KD_CORE_COLLECTOR) and /etc/kdump-test.conf (reference runs).
#   kdump-initrd-<krel>.img  the first kernel's: an uncompressed cpio with /boot/vmlinuz,
#                            /boot/capture.img and /bin/kdump-arm, followed by realcore's
#                            gzip initramfs (the kernel unpacks concatenated archives).
# Run tests/realcore/fetch-kernel.sh and build-initramfs.sh first. Idempotent (stamp).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
rc_mkdirs
mkdir -p "$KD_WORK"
rc_detect_krel || rc_die "cannot determine the kernel release (set RC_KREL)"
rc_kernel_paths
kd_paths
SRC=$RC_WORK/initramfs-root
{ [ -f "$RC_INITRD" ] && [ -d "$SRC" ]; } || rc_die "no realcore initramfs; run tests/realcore/build-initramfs.sh"
[ -f "$RC_VMLINUZ" ] || rc_die "no $RC_VMLINUZ; run tests/realcore/fetch-kernel.sh"
TIME_BIN=$(command -v time 2>/dev/null | grep / || true)
[ -x /usr/bin/time ] && TIME_BIN=/usr/bin/time
[ -n "$TIME_BIN" ] || rc_die "GNU time not found (apt-get install time)"

have_collector=0
[ -x "$COLLECTOR" ] && have_collector=1
case "$KD_CORE_COLLECTOR" in
  coresieve*)
    [ $have_collector = 1 ] || rc_die "collector binary $COLLECTOR missing (make static, or set COLLECTOR=path, or KD_CORE_COLLECTOR='makedumpfile ...')" ;;
esac
if [ $have_collector = 1 ] && readelf -l "$COLLECTOR" 2>/dev/null | grep -q 'Requesting program interpreter'; then
  rc_die "$COLLECTOR is dynamically linked; the capture initramfs needs a static binary (make static)"
fi

key=$(cat "$RC_WORK/initrd.stamp")-$(cd "$KD_HERE" && rc_hash lib.sh build-initrd.sh guest/kdump-arm guest/kdump-capture)
key=$key-$(printf '%s|%s|%s' "$KD_CORE_COLLECTOR" "$KD_COMPARE" "$KD_RAW" | sha256sum | cut -c1-12)
key=$key-$(stat -L -c %s.%Y "$RC_VMLINUZ" "$TIME_BIN" | tr '\n' .)
[ $have_collector = 1 ] && key=$key-$(sha256sum < "$COLLECTOR" | cut -c1-16)
if [ -f "$KD_STAMP" ] && [ "$(cat "$KD_STAMP")" = "$key" ] && [ -f "$KD_INITRD" ] && [ -f "$KD_CAPTURE" ]; then
  kd_log "initramfs images up to date: $KD_INITRD"
  exit 0
fi

# ---------------------------------------------------------------- capture image
ROOT=$KD_WORK/capture-root
rm -rf "$ROOT"
cp -a "$SRC" "$ROOT"
rm -rf "${ROOT:?}/tmp" "${ROOT:?}/bin/workload" "${ROOT:?}/boot"
if [ $have_collector = 1 ]; then
  install -m 0755 "$COLLECTOR" "$ROOT/usr/sbin/coresieve"
  strip "$ROOT/usr/sbin/coresieve"
fi
install -D -m 0755 "$TIME_BIN" "$ROOT/usr/bin/time"
for lib in $(ldd "$TIME_BIN" 2>/dev/null | grep -o '/[^ ]*'); do
  [ -e "$ROOT$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$ROOT$lib"
done
install -m 0755 "$KD_HERE/guest/kdump-capture" "$ROOT/bin/kdump-capture"
cat > "$ROOT/etc/kdump.conf" <<EOF
# kdumpctl-style configuration read by /bin/kdump-capture (tests/kdump/guest/kdump-capture)
ext4 /dev/vdb
path /var/crash
core_collector $KD_CORE_COLLECTOR
EOF
{
  echo "# test-only reference runs (tests/kdump/guest/kdump-capture)"
  [ -n "$KD_COMPARE" ] && echo "compare $KD_COMPARE"
  [ "$KD_RAW" = 1 ] && echo "raw_copy /dev/vdc"
} > "$ROOT/etc/kdump-test.conf"
[ ! -e "$ROOT/tmp" ] || rc_die "capture tree has /tmp"
(cd "$ROOT" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1) > "$KD_CAPTURE.tmp"
mv "$KD_CAPTURE.tmp" "$KD_CAPTURE"
kd_log "built $KD_CAPTURE ($(du -h "$KD_CAPTURE" | cut -f1), collector: ${KD_CORE_COLLECTOR%% *})"

# ---------------------------------------------------------------- first kernel's image
OV=$KD_WORK/overlay-root
rm -rf "$OV"
mkdir -p "$OV/boot" "$OV/bin"
cp "$RC_VMLINUZ" "$OV/boot/vmlinuz"
cp "$KD_CAPTURE" "$OV/boot/capture.img"
install -m 0755 "$KD_HERE/guest/kdump-arm" "$OV/bin/kdump-arm"
# Uncompressed cpio first (its contents are compressed already), then the gzip initramfs:
# the layout of an early-microcode initramfs.
{
  (cd "$OV" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
  cat "$RC_INITRD"
} > "$KD_INITRD.tmp"
mv "$KD_INITRD.tmp" "$KD_INITRD"
rm -rf "$OV"
printf '%s\n' "$key" > "$KD_STAMP"
kd_log "built $KD_INITRD ($(du -h "$KD_INITRD" | cut -f1))"
