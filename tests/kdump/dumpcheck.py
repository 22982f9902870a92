#!/usr/bin/python3
"""Independent checks of kdump-compressed dumps (libkdumpfile, drgn, and a header parser).

    dumpcheck.py info DUMP                 header summary (one line)
    dumpcheck.py open DUMP                 libkdumpfile and drgn open DUMP and read memory
    dumpcheck.py pages DUMP SOURCE         every page DUMP keeps equals SOURCE's page (both
                                           read with libkdumpfile); pages DUMP drops are absent
    dumpcheck.py sameset DUMP REF          DUMP keeps exactly REF's pages: 1st and 2nd bitmaps
                                           and the set of pages stored as the shared zero page
    dumpcheck.py vmcoreinfo DUMP KEY       print a VMCOREINFO value (e.g. NUMBER(pgtable_l5_enabled))
    dumpcheck.py crashsize PARAM RAM       bytes crashkernel=PARAM reserves with RAM bytes

Run with Debian's /usr/bin/python3 (python3-libkdumpfile, python3-drgn). Exit 0 when the
check passes, 1 when it fails (the reason on stdout), 2 on usage errors. The kdump layout
is formats/kdump_format.h: header in block 0, sub header in block 1,
bitmaps at (1 + sub_hdr_size) * block_size (1st half, 2nd half), then 24-byte page
descriptors, one per set bit of the 2nd bitmap; with dump level bit 1 the first data
item is the shared zero page.
"""
import struct
import sys

import kdumpfile

PAGE = 4096


class KdumpHeader:
    """The parts of a (non-flattened, single-file) kdump-compressed file the checks need."""

    def __init__(self, path):
        with open(path, "rb") as f:
            hdr = f.read(464)
            if hdr[:8] != b"KDUMP   ":
                raise ValueError(f"{path}: not a kdump-compressed file (signature {hdr[:8]!r})")
            (self.header_version,) = struct.unpack_from("<i", hdr, 8)
            self.release = hdr[142:142 + 65].split(b"\0")[0].decode("ascii", "replace")
            (self.status, self.block_size, self.sub_hdr_size, self.bitmap_blocks,
             max_mapnr32) = struct.unpack_from("<IiiII", hdr, 424)
            (self.nr_cpus,) = struct.unpack_from("<i", hdr, 460)
            f.seek(self.block_size)
            sub = f.read(104)
            (self.phys_base, self.dump_level) = struct.unpack_from("<Qi", sub, 0)
            self.max_mapnr = struct.unpack_from("<Q", sub, 96)[0] if self.header_version >= 6 else max_mapnr32
            bs = self.block_size
            half = self.bitmap_blocks * bs // 2
            f.seek((1 + self.sub_hdr_size) * bs)
            self.bitmap1 = f.read(half)
            self.bitmap2 = f.read(half)
            if len(self.bitmap2) != half:
                raise ValueError(f"{path}: truncated bitmaps")
            self.pd_start = (1 + self.sub_hdr_size + self.bitmap_blocks) * bs
            self.kept = popcount(self.bitmap2)
            f.seek(self.pd_start)
            self.descs = f.read(24 * self.kept)
            if len(self.descs) != 24 * self.kept:
                raise ValueError(f"{path}: truncated page descriptors")
        self.data_start = self.pd_start + 24 * self.kept

    def zero_pfns(self):
        """pfns stored as the shared zero page (dump level bit 1): descriptor offset = first data."""
        if not self.dump_level & 1:
            return set()
        out = set()
        for i, pfn in enumerate(set_bits(self.bitmap2)):
            (off,) = struct.unpack_from("<q", self.descs, 24 * i)
            if off == self.data_start:
                out.add(pfn)
        return out


def popcount(bm):
    return int.from_bytes(bm, "little").bit_count()


def set_bits(bm):
    """pfns whose bit is set, ascending (LSB-first bit order within each byte)."""
    for i, b in enumerate(bm):
        while b:
            low = b & -b
            yield i * 8 + low.bit_length() - 1
            b ^= low


def kd_open(path):
    k = kdumpfile.kdumpfile(path)
    if "arch.name" not in k.attr:
        k.attr["arch.name"] = "x86_64"
    k.attr["addrxlat.ostype"] = "linux"
    return k


def pagemap(k):
    """libkdumpfile's map of pages that have data (the 2nd bitmap for kdump files)."""
    max_pfn = int(k.attr["max_pfn"])
    return max_pfn, bytes(k.attr["file.pagemap"].get_bits(0, max_pfn - 1))


def read_page(k, pfn):
    try:
        return bytes(k.read(kdumpfile.KDUMP_KPHYSADDR, pfn * PAGE, PAGE))
    except kdumpfile.exceptions.NoDataException:
        return None


def describe(pfns, limit=8):
    pfns = sorted(pfns)
    s = ", ".join("0x%x" % p for p in pfns[:limit])
    return s + (", ..." if len(pfns) > limit else "")


def cmd_info(path):
    h = KdumpHeader(path)
    print(f"version={h.header_version} release={h.release} block_size={h.block_size} "
          f"max_mapnr={h.max_mapnr} dump_level={h.dump_level} nr_cpus={h.nr_cpus} "
          f"status=0x{h.status:x} present={popcount(h.bitmap1)} kept={h.kept} "
          f"zero_stored={len(h.zero_pfns())}")
    return 0


def cmd_open(path):
    k = kd_open(path)
    fmt = str(k.attr["file.format"])
    rel = str(k.attr["linux.uts.release"])
    sym = int(k.attr["linux.vmcoreinfo.SYMBOL"]["init_uts_ns"])
    uts = bytes(k.read(kdumpfile.KDUMP_KVADDR, sym, 400))
    if rel.encode() not in uts:
        print(f"libkdumpfile: release {rel} not in init_uts_ns at 0x{sym:x}")
        return 1
    # a kept page that is not all zero, read by physical address in both readers
    _, bm = pagemap(k)
    pfn = page = None
    for p in set_bits(bm):
        data = read_page(k, p)
        if data and data.count(0) != PAGE:
            pfn, page = p, data
            break
    if pfn is None:
        print("libkdumpfile: no non-zero page in the dump")
        return 1
    import drgn
    prog = drgn.Program()
    prog.set_core_dump(path)
    dphys = prog.read(pfn * PAGE, PAGE, True)
    if dphys != page:
        print(f"drgn: physical page 0x{pfn:x} differs from libkdumpfile's")
        return 1
    try:
        duts = prog.read(sym, 400)
    except drgn.FaultError as e:
        print(f"drgn: cannot read init_uts_ns by virtual address: {e}")
        return 1
    if rel.encode() not in duts:
        print(f"drgn: release {rel} not in init_uts_ns")
        return 1
    print(f"format={fmt} release={rel}; libkdumpfile and drgn read init_uts_ns (0x{sym:x}) "
          f"and physical page 0x{pfn:x} alike")
    return 0


def cmd_pages(path, src_path):
    k, s = kd_open(path), kd_open(src_path)
    _, bm = pagemap(k)
    h = KdumpHeader(path)
    if bm[:len(h.bitmap2)] != h.bitmap2[:len(bm)]:
        print("libkdumpfile's page map differs from the file's 2nd bitmap")
        return 1
    bad, missing, unreadable, kept = [], [], [], 0
    for pfn in set_bits(bm):
        kept += 1
        try:
            a = read_page(k, pfn)
        except kdumpfile.exceptions.KDumpBaseException as e:
            unreadable.append(pfn)
            if len(unreadable) == 1:
                print(f"pfn 0x{pfn:x}: {type(e).__name__}: {e}")
            continue
        b = read_page(s, pfn)
        if b is None:
            missing.append(pfn)
        elif a != b:
            bad.append(pfn)
    # dropped pages (in the 1st bitmap, not in the 2nd) must be absent; read every 8th one
    # (libkdumpfile 0.5.1's page map of an ELF file has gaps, so the source's is not used)
    leaked, checked = [], 0
    for pfn in set_bits(h.bitmap1):
        if pfn % 8 or h.bitmap2[pfn >> 3] >> (pfn & 7) & 1:
            continue
        checked += 1
        if read_page(k, pfn) is not None:
            leaked.append(pfn)
    print(f"{kept} kept pages compared, {len(bad)} differ, {len(unreadable)} unreadable, "
          f"{len(missing)} not in the source; "
          f"{checked} dropped pages read, {len(leaked)} readable")
    if bad:
        print("differing pfns: " + describe(bad))
    if missing:
        print("kept pfns absent from the source: " + describe(missing))
    if unreadable:
        print("unreadable kept pfns: " + describe(unreadable))
    if leaked:
        print("dropped pfns that read back: " + describe(leaked))
    return 0 if kept and not (bad or missing or unreadable or leaked) else 1


def diff_bits(a, b):
    n = max(len(a), len(b))
    a, b = a.ljust(n, b"\0"), b.ljust(n, b"\0")
    x = bytes(p ^ q for p, q in zip(a, b))
    return list(set_bits(x))


def cmd_sameset(path, ref_path):
    h, r = KdumpHeader(path), KdumpHeader(ref_path)
    ok = True
    msgs = []
    if h.max_mapnr != r.max_mapnr:
        msgs.append(f"max_mapnr {h.max_mapnr} vs {r.max_mapnr}")
        ok = False
    for name, a, b in (("1st bitmap", h.bitmap1, r.bitmap1), ("2nd bitmap", h.bitmap2, r.bitmap2)):
        d = diff_bits(a, b)
        if d:
            ok = False
            only_a = [p for p in d if len(a) > p >> 3 and a[p >> 3] >> (p & 7) & 1]
            msgs.append(f"{name}: {len(d)} pfns differ ({len(only_a)} only in {path}: "
                        f"{describe(only_a)}; {len(d) - len(only_a)} only in the reference: "
                        f"{describe(set(d) - set(only_a))})")
    za, zb = h.zero_pfns(), r.zero_pfns()
    if za != zb:
        ok = False
        msgs.append(f"zero-page sets differ: {len(za - zb)} only here ({describe(za - zb)}), "
                    f"{len(zb - za)} only in the reference ({describe(zb - za)})")
    if ok:
        print(f"same pages: {popcount(h.bitmap1)} present, {h.kept} kept, {len(za)} of them zero "
              f"(dump_level {h.dump_level} vs {r.dump_level})")
    else:
        print("; ".join(msgs))
    return 0 if ok else 1


def cmd_vmcoreinfo(path, key):
    k = kd_open(path)
    kind, _, name = key.partition("(")
    if name:
        v = k.attr["linux.vmcoreinfo." + kind][name.rstrip(")")]
    else:
        v = k.attr["linux.vmcoreinfo.lines"][key]
    print(v)
    return 0


def memparse(s):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    s = s.strip()
    if s and s[-1].upper() in mult:
        return int(s[:-1]) * mult[s[-1].upper()]
    return int(s)


def crash_size(param, ram):
    """kernel/crash_core.c: parse_crashkernel() for the size (the @offset only places it)."""
    p = param.split("@", 1)[0]
    if ":" not in p:
        return memparse(p.split(",", 1)[0])          # SIZE, SIZE,high, SIZE,low
    for r in p.split(","):
        rng, size = r.split(":", 1)
        start, end = rng.split("-", 1)
        if ram >= memparse(start) and (not end or ram < memparse(end)):
            return memparse(size)
    return 0


def main(argv):
    cmds = {"info": (cmd_info, 1), "open": (cmd_open, 1), "pages": (cmd_pages, 2),
            "sameset": (cmd_sameset, 2), "vmcoreinfo": (cmd_vmcoreinfo, 2)}
    if len(argv) == 4 and argv[1] == "crashsize":
        print(crash_size(argv[2], int(argv[3])))
        return 0
    if len(argv) < 2 or argv[1] not in cmds or len(argv) != 2 + cmds[argv[1]][1]:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        return cmds[argv[1]][0](*argv[2:])
    except (OSError, ValueError, KeyError, kdumpfile.exceptions.KDumpBaseException) as e:
        print(f"error: {type(e).__name__}: {e}")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
