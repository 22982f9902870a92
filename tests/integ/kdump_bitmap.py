#!/usr/bin/python3
# tests/integ/kdump_bitmap.py: read a kdump-compressed file's headers and bitmaps with no library (an independent oracle).
"""Usage:
  kdump_bitmap.py info FILE                 print header fields as KEY=VALUE lines
  kdump_bitmap.py kept FILE TRUTH LEVEL     2nd bitmap == the pages truth says level LEVEL keeps
  kdump_bitmap.py same FILE_A FILE_B        the two files have the same 2nd bitmap
Exit 0 when the check holds, 1 otherwise.
"""
import struct
import sys

HOLE, KERNEL, CACHE, CACHE_PRIVATE, USER, FREE, HWPOISON, OFFLINE = range(8)
F_NODATA, F_ZERO = 0x40, 0x80


def read_header(path):
    with open(path, "rb") as f:
        head = f.read(4096)
        if head[:12] == b"makedumpfile":
            raise SystemExit(f"{path}: flattened; rebuild it with -R first")
        if head[:8] != b"KDUMP   ":
            raise SystemExit(f"{path}: not a kdump-compressed file")
        version, = struct.unpack_from("<i", head, 8)
        status, block_size, sub_hdr_size, bitmap_blocks, max_mapnr32 = struct.unpack_from("<IiiII", head, 424)
        nr_cpus, = struct.unpack_from("<i", head, 460)
        f.seek(block_size)
        sub = f.read(104)
        phys_base, dump_level, split = struct.unpack_from("<Qii", sub, 0)
        start_pfn64, end_pfn64, max_mapnr64 = struct.unpack_from("<QQQ", sub, 80)
        max_mapnr = max_mapnr64 if version >= 6 else max_mapnr32
        off = (1 + sub_hdr_size) * block_size
        half = bitmap_blocks * block_size // 2
        f.seek(off)
        bm1 = f.read(half)
        bm2 = f.read(half)
    return dict(version=version, status=status, block_size=block_size, sub_hdr_size=sub_hdr_size,
                bitmap_blocks=bitmap_blocks, max_mapnr=max_mapnr, nr_cpus=nr_cpus, phys_base=phys_base,
                dump_level=dump_level, split=split, start_pfn=start_pfn64, end_pfn=end_pfn64,
                release=head[142:207].split(b"\0")[0].decode(errors="replace")), bm1, bm2


def bits(bm, n):
    as_int = int.from_bytes(bm, "little")
    return as_int & ((1 << n) - 1)


def expected_kept(truth, level):
    """Pages a makedumpfile-compatible filter keeps in the kdump 2nd bitmap (zero pages stay set)."""
    out = bytearray((len(truth) + 7) // 8)
    for pfn, b in enumerate(truth):
        cls = b & 0x0f
        if cls == HOLE or b & F_NODATA:
            continue
        if cls in (HWPOISON, OFFLINE):
            continue
        if cls == FREE and level & 16:
            continue
        if cls == CACHE and level & (2 | 4):
            continue
        if cls == CACHE_PRIVATE and level & 4:
            continue
        if cls == USER and level & 8:
            continue
        out[pfn >> 3] |= 1 << (pfn & 7)
    return bytes(out)


def main(argv):
    if len(argv) >= 3 and argv[1] == "info":
        hdr, bm1, bm2 = read_header(argv[2])
        for k, v in hdr.items():
            print(f"{k}={v}")
        print(f"bitmap1_set={bin(bits(bm1, hdr['max_mapnr'])).count('1')}")
        print(f"bitmap2_set={bin(bits(bm2, hdr['max_mapnr'])).count('1')}")
        return 0
    if len(argv) == 5 and argv[1] == "kept":
        hdr, bm1, bm2 = read_header(argv[2])
        truth = open(argv[3], "rb").read()
        level = int(argv[4])
        n = hdr["max_mapnr"]
        want = bits(expected_kept(truth[:n], level), n)
        got = bits(bm2, n)
        if got == want:
            print(f"# {bin(got).count('1')} kept pages as expected")
            return 0
        diff = got ^ want
        shown = 0
        pfn = 0
        while diff and shown < 8:
            low = (diff & -diff).bit_length() - 1
            print(f"# pfn {low:#x}: kept={bool(got >> low & 1)} expected={bool(want >> low & 1)} truth={truth[low]:#04x}")
            diff &= diff - 1
            shown += 1
        print(f"# {bin(got ^ want).count('1')} pfns differ")
        return 1
    if len(argv) == 4 and argv[1] == "same":
        ha, _, a = read_header(argv[2])
        hb, _, b = read_header(argv[3])
        n = max(ha["max_mapnr"], hb["max_mapnr"])
        if ha["max_mapnr"] != hb["max_mapnr"]:
            print(f"# max_mapnr differs: {ha['max_mapnr']} vs {hb['max_mapnr']}")
            return 1
        if bits(a, n) != bits(b, n):
            print(f"# 2nd bitmaps differ in {bin(bits(a, n) ^ bits(b, n)).count('1')} pfns")
            return 1
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
