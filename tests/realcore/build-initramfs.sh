#!/bin/bash
# Build the fixture guest's initramfs and its virtio data disk under $RC_DATA/work.
#   initrd-<krel>.img  busybox (static), guest/init, the static workload, the virtio/ext4/
#                      qemu_fw_cfg modules of the extracted kernel (+ modules.dep), and
#                      makedumpfile and kexec with their shared libraries (for a later
#                      in-guest kdump mode). cpio newc, gzip.
#   data.img           ext2 image of text-like files, read into the guest's page cache.
# Idempotent: each output is rebuilt only when its inputs changed (stamp files).
# Run fetch-kernel.sh first.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
rc_mkdirs
rc_detect_krel || rc_die "cannot determine the kernel release (set RC_KREL)"
rc_kernel_paths
{ [ -f "$RC_VMLINUZ" ] && [ -d "$RC_MODDIR/kernel" ]; } || rc_die "kernel $RC_KREL not extracted; run fetch-kernel.sh"

BUSYBOX=${RC_BUSYBOX:-/bin/busybox}
# Modules the guest needs; their dependencies are added from each module's .modinfo.
# crc32c_generic: ext4/jbd2 ask the crypto API for crc32c (a softdep, not in depends=).
WANT_MODULES="virtio_pci virtio_blk crc32c_generic ext4 qemu_fw_cfg"
DATA_MB=${RC_DATA_MB:-96}   # text content on the data disk

for t in gcc cpio gzip readelf mkfs.ext2; do
  command -v "$t" >/dev/null || rc_die "missing tool: $t"
done
[ -x "$BUSYBOX" ] || rc_die "missing $BUSYBOX (apt-get install busybox-static)"
if readelf -l "$BUSYBOX" 2>/dev/null | grep -q 'Requesting program interpreter'; then
  rc_die "$BUSYBOX is dynamically linked; the initramfs needs busybox-static"
fi

# ---------------------------------------------------------------- initramfs
opt_bins=""
for b in makedumpfile kexec; do
  p=$(PATH=$PATH:/usr/sbin:/sbin command -v "$b" || true)
  if [ -n "$p" ]; then opt_bins="$opt_bins $p"; else rc_log "note: $b not found; not in the initramfs"; fi
done
key=$RC_KREL-$(cd "$RC_HERE" && rc_hash lib.sh build-initramfs.sh guest/init guest/workload.c)
for b in "$BUSYBOX" $opt_bins; do
  [ -e "$b" ] && key=$key-$(stat -L -c %s.%Y "$b")
done

# mod_file NAME: path of module NAME (- and _ are the same) in the extracted tree, or "".
mod_file() {
  local n1=${1//-/_} n2=${1//_/-}
  find "$RC_MODDIR/kernel" \( -name "$n1.ko" -o -name "$n1.ko.*" -o -name "$n2.ko" -o -name "$n2.ko.*" \) -print -quit
}
mod_builtin() {
  local n1=${1//-/_} n2=${1//_/-}
  grep -qE "/($n1|$n2)\.ko\$" "$RC_MODDIR/modules.builtin" 2>/dev/null
}
# install_mod SRC DST: copy a module, decompressing .xz/.zst/.gz (the guest's busybox
# modprobe loads plain .ko only).
install_mod() {
  mkdir -p "$(dirname "$2")"
  case "$1" in
    *.ko) cp "$1" "$2" ;;
    *.ko.xz) xz -dc "$1" > "$2" ;;
    *.ko.zst) zstd -qdc "$1" > "$2" ;;
    *.ko.gz) gzip -dc "$1" > "$2" ;;
    *) rc_die "unknown module file type: $1" ;;
  esac
}
declare -A seen=()
order=()
# add_mod NAME: add NAME after its dependencies (depth first) to $order.
add_mod() {
  local name=${1//-/_} src rel dst deps d
  [ -n "${seen[$name]:-}" ] && return 0
  seen[$name]=1
  if mod_builtin "$name"; then return 0; fi
  src=$(mod_file "$name")
  [ -n "$src" ] || rc_die "module $name not found in $RC_MODDIR"
  rel=${src#"$RC_MODDIR"/}
  dst=$ROOT/lib/modules/$RC_KREL/${rel%.ko*}.ko
  install_mod "$src" "$dst"
  deps=$(readelf -p .modinfo "$dst" | sed -n 's/.*\]  *depends=//p' | tr ',' ' ')
  for d in $deps; do add_mod "$d"; done
  order+=("$name")
}

if rc_stamp_ok initrd "$key" && [ -f "$RC_INITRD" ]; then
  rc_log "initramfs up to date: $RC_INITRD"
else
  ROOT=$RC_WORK/initramfs-root
  rm -rf "$ROOT"
  mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,tmp,mnt,boot,lib/modules}
  cp "$BUSYBOX" "$ROOT/bin/busybox"
  # applet links at build time (same busybox binary as the one in the image)
  "$BUSYBOX" --list-full | while read -r app; do
    [ -e "$ROOT/$app" ] || [ -L "$ROOT/$app" ] || ln -s /bin/busybox "$ROOT/$app"
  done
  install -m 0755 "$RC_HERE/guest/init" "$ROOT/init"
  gcc -O2 -Wall -static -o "$ROOT/bin/workload" "$RC_HERE/guest/workload.c"
  strip "$ROOT/bin/workload"

  for m in $WANT_MODULES; do add_mod "$m"; done
  cp "$RC_MODDIR"/modules.builtin* "$RC_MODDIR/modules.order" "$ROOT/lib/modules/$RC_KREL/" 2>/dev/null || true
  if command -v depmod >/dev/null; then
    depmod -b "$ROOT" "$RC_KREL"
  else
    "$BUSYBOX" depmod -b "$ROOT" "$RC_KREL"
  fi
  [ -s "$ROOT/lib/modules/$RC_KREL/modules.dep" ] || rc_die "depmod wrote no modules.dep"
  printf '%s\n' "${order[@]}" > "$ROOT/etc/realcore-modules"
  rc_log "modules: ${order[*]}"

  # dynamically linked tools with their libraries (for the in-guest kdump mode)
  copy_with_libs() {
    local bin=$1 dst=$2 lib
    install -D -m 0755 "$bin" "$ROOT$dst"
    for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*'); do
      [ -e "$ROOT$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$ROOT$lib"
    done
  }
  for b in $opt_bins; do copy_with_libs "$b" "/usr/sbin/$(basename "$b")"; done
  echo "$RC_KREL" > "$ROOT/etc/realcore-krel"

  (cd "$ROOT" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1) > "$RC_INITRD.tmp"
  mv "$RC_INITRD.tmp" "$RC_INITRD"
  rc_stamp_set initrd "$key"
  rc_log "built $RC_INITRD ($(du -h "$RC_INITRD" | cut -f1))"
fi

# ---------------------------------------------------------------- data disk
# Text-like files: C headers, docs and scripts of this machine, packed into 1 MiB files
# (sorted, so the image is the same for the same host); generated text tops it up.
dkey=v1-$DATA_MB
if rc_stamp_ok data "$dkey" && [ -f "$RC_DISK" ]; then
  rc_log "data disk up to date: $RC_DISK"
else
  D=$RC_WORK/data-tree
  rm -rf "$D"; mkdir -p "$D/files"
  "$RC_PY" - "$D/files" "$DATA_MB" <<'PY'
import os, sys
out, want = sys.argv[1], int(sys.argv[2]) << 20
roots = ["/usr/include", "/usr/share/doc", "/usr/share/perl", "/usr/lib/python3"]
chunk, total, idx, buf = 1 << 20, 0, 0, []
def flush(data):
    global idx
    with open(os.path.join(out, "f%04d.txt" % idx), "wb") as f:
        f.write(data)
    idx += 1
pending = bytearray()
for root in roots:
    for dirpath, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith((".h", ".txt", ".py", ".pm", ".pl", ".md", ".rst", "README", "copyright")):
                continue
            p = os.path.join(dirpath, name)
            try:
                if os.path.islink(p) or os.path.getsize(p) < 512:
                    continue
                with open(p, "rb") as f:
                    pending += f.read()
            except OSError:
                continue
            while len(pending) >= chunk and total < want:
                flush(bytes(pending[:chunk])); del pending[:chunk]; total += chunk
            if total >= want:
                break
        if total >= want:
            break
    if total >= want:
        break
# top up with generated text if this machine has too few text files
line = 0
while total < want:
    text = "".join("line %d of generated page cache text: crash dump filtering keeps what matters\n" % (line + i)
                   for i in range(14000)).encode()[:chunk]
    line += 14000
    flush(text); total += chunk
print("data disk: %d files, %d MiB" % (idx, total >> 20))
PY
  truncate -s 0 "$RC_DISK.tmp"
  truncate -s $(( DATA_MB * 2 + 32 ))M "$RC_DISK.tmp"
  mkfs.ext2 -q -F -L csdata -d "$D" "$RC_DISK.tmp"
  mv "$RC_DISK.tmp" "$RC_DISK"
  rm -rf "$D"
  rc_stamp_set data "$dkey"
  rc_log "built $RC_DISK"
fi
