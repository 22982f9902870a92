#!/usr/bin/python3
# tests/integ/kdump_pages.py: patch, inspect and compare the pages of zlib kdump files with no library (tests/integ/no_silent_loss.sh).
"""Usage:
  kdump_pages.py desc FILE N                  pfn and descriptor of the N-th compressed page: PFN IDX DESC_OFF
  kdump_pages.py patch FILE IDX FIELD VALUE   set descriptor IDX's offset|size|flags|page_flags, or
                                              overwrite its data with VALUE bytes (data)
  kdump_pages.py status FILE                  the header status (kdump) or e_flags (ELF), in hex
  kdump_pages.py setstatus FILE BITS          OR BITS into the kdump status or the ELF e_flags
  kdump_pages.py dumpable FILE [START END]    COUNT FIRST of the set bits of the 2nd bitmap in [START, END)
  kdump_pages.py piece FILE                   START END of a split piece
  kdump_pages.py same OUT SRC [MISSING]       every page kept in OUT equals SRC's; MISSING pfns
                                              (comma list) may be absent from OUT or zeros
Pages are read through the descriptors (raw or zlib; the shared zero page is raw).
"""
import struct
import sys
import zlib


def header(path):
    with open(path, "rb") as f:
        h = f.read(4096)
        if h[:8] != b"KDUMP   ":
            raise SystemExit(f"{path}: not a kdump-compressed file")
        status, bs, sub, bmb = struct.unpack_from("<IiiI", h, 424)
        f.seek(bs)
        s = f.read(104)
        start, end, max_mapnr = struct.unpack_from("<QQQ", s, 80)
        split, = struct.unpack_from("<i", s, 12)
        f.seek((1 + sub) * bs)
        bm = f.read(bmb * bs)
    half = bmb * bs // 2
    return dict(status=status, bs=bs, pd=(1 + sub + bmb) * bs, max_mapnr=max_mapnr,
                start=start if split else 0, end=end if split else max_mapnr), bm[half:]


def bit(bm, pfn):
    return bm[pfn >> 3] >> (pfn & 7) & 1


def ranks(path):
    """pfn -> descriptor index in its file, for the pfns the file holds."""
    h, bm2 = header(path)
    idx, out = 0, {}
    # A split piece's descriptors are those of its own range, from the start of the table.
    for pfn in range(h["start"], h["end"]):
        if bit(bm2, pfn):
            out[pfn] = idx
            idx += 1
    return h, out


def desc(f, h, idx):
    f.seek(h["pd"] + 24 * idx)
    return struct.unpack("<qIIQ", f.read(24))


def page(path, h, f, idx):
    off, size, flags, _ = desc(f, h, idx)
    f.seek(off)
    data = f.read(size)
    return zlib.decompress(data) if flags & 1 else data


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "desc":
        h, r = ranks(path)
        n = int(sys.argv[3])
        with open(path, "rb") as f:
            for pfn, idx in sorted(r.items()):
                if desc(f, h, idx)[2] & 1:
                    if n == 0:
                        print(pfn, idx, h["pd"] + 24 * idx)
                        return 0
                    n -= 1
        return 1
    if cmd == "patch":
        h, _ = header(path)
        idx, field, val = int(sys.argv[3]), sys.argv[4], int(sys.argv[5], 0)
        with open(path, "r+b") as f:
            d = list(desc(f, h, idx))
            if field == "data":
                f.seek(d[0])
                f.write(bytes([val]) * d[1])
                return 0
            d[["offset", "size", "flags", "page_flags"].index(field)] = val
            f.seek(h["pd"] + 24 * idx)
            f.write(struct.pack("<qIIQ", *d))
        return 0
    if cmd in ("status", "setstatus"):
        with open(path, "r+b") as f:
            h = f.read(64)
            off = 424 if h[:8] == b"KDUMP   " else 48 if h[:4] == b"\x7fELF" else None
            if off is None:
                raise SystemExit(f"{path}: neither kdump nor ELF")
            v, = struct.unpack_from("<I", h if off < 64 else f.seek(0) or f.read(432), off)
            if cmd == "status":
                print(hex(v))
            else:
                f.seek(off)
                f.write(struct.pack("<I", v | int(sys.argv[3], 0)))
        return 0
    if cmd == "dumpable":
        h, bm2 = header(path)
        lo, hi = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) > 4 else (0, h["max_mapnr"])
        got = [p for p in range(lo, hi) if bit(bm2, p)]
        print(len(got), hex(got[0]) if got else "-")
        return 0
    if cmd == "piece":
        h, _ = header(path)
        print(h["start"], h["end"])
        return 0
    if cmd == "same":
        ho, ro = ranks(path)
        hs, rs = ranks(sys.argv[3])
        allowed = {int(x, 0) for x in sys.argv[4].split(",") if x} if len(sys.argv) > 4 else set()
        bad = 0
        with open(path, "rb") as fo, open(sys.argv[3], "rb") as fs:
            for pfn, idx in ro.items():
                if pfn in allowed and not any(page(path, ho, fo, idx)):
                    continue
                if pfn not in rs or page(path, ho, fo, idx) != page(sys.argv[3], hs, fs, rs[pfn]):
                    bad += 1
                    if bad <= 3:
                        print(f"pfn {pfn:#x}: differs from the source", file=sys.stderr)
            for pfn in rs:
                if pfn not in ro and pfn not in allowed and any(page(sys.argv[3], hs, fs, rs[pfn])):
                    bad += 1
                    if bad <= 3:
                        print(f"pfn {pfn:#x}: non-zero in the source, absent from the output",
                              file=sys.stderr)
        print(f"{len(ro)} pages compared, {bad} bad")
        return 1 if bad else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
