#!/usr/bin/python3
"""A second reference for kernels newer than the installed makedumpfile (1.7.2) understands.

    oracle.py newer VMCORE                 exit 0 when VMCORE's kernel keeps page types in the
                                           top byte of page_type (Linux 6.12+, kernel commit
                                           4ffca5a96678c): makedumpfile 1.7.2 cannot read the
                                           folio order there (it keeps THP/hugetlb tails) nor
                                           slab page types (it drops slab pages whose
                                           page.mapping is odd as "user data"); exit 1 otherwise
    oracle.py counts VMCORE LEVEL          the page counts of -d LEVEL, one line as report.py prints
    oracle.py sameset DUMP VMCORE LEVEL [AND_DUMP]
                                           DUMP (kdump-compressed) keeps exactly the oracle's pages
                                           of -d LEVEL (intersected with AND_DUMP's kept pages, for a
                                           re-filtered dump), and stores exactly the zero ones among
                                           them as the shared zero page (dump level bit 1)

The classification is written from the 6.12 kernel sources, independently of coresieve: it
reads every struct page of the ELF VMCORE through libkdumpfile (SYMBOL(vmemmap), VMCOREINFO
offsets) and applies makedumpfile's rules in makedumpfile's order: free buddy blocks
(PGTY_buddy, order in page.private); then for a page that is not a compound tail, the whole
compound unit (order in the first tail's flags & 0xff) is non-private cache (PG_lru, or
PG_swapcache with PG_swapbacked; no PG_private; not anonymous), any cache, user data
(page.mapping & 1 and not PGTY_slab, or a PGTY_hugetlb head), hwpoison, PGTY_offline; then
zero pages among the rest. Only for top-byte kernels (`newer`); exit 2 otherwise.
"""
import struct
import sys

sys.path.insert(0, __file__.rsplit("/", 2)[0] + "/kdump")
import dumpcheck  # noqa: E402
import kdumpfile  # noqa: E402

PAGE = 4096
FREE, CACHE, CACHE_PRI, USER, HWPOISON, OFFLINE = range(1, 7)
NAMES = {FREE: "free", CACHE: "cache", CACHE_PRI: "cache_private", USER: "user",
         HWPOISON: "hwpoison", OFFLINE: "offline"}


def elf_present(path):
    """Present pfns (with data) of an ELF vmcore and max_mapnr."""
    with open(path, "rb") as f:
        eh = f.read(64)
        (phoff,) = struct.unpack_from("<Q", eh, 32)
        (phnum,) = struct.unpack_from("<H", eh, 56)
        f.seek(phoff)
        ph = [struct.unpack("<IIQQQQQQ", f.read(56)) for _ in range(phnum)]
    present, end = set(), 0
    for p_type, _, _, _, paddr, filesz, memsz, _ in ph:
        if p_type != 1:
            continue
        present.update(range(paddr // PAGE, (paddr + filesz) // PAGE))
        end = max(end, (paddr + memsz + PAGE - 1) // PAGE)
    return present, end


class Oracle:
    def __init__(self, vmcore):
        self.path = vmcore
        self.k = kdumpfile.kdumpfile(vmcore)
        self.k.attr["addrxlat.ostype"] = "linux"
        self.num = self.k.attr["linux.vmcoreinfo.NUMBER"]
        sym = self.k.attr["linux.vmcoreinfo.SYMBOL"]
        self.vmemmap = int(sym["vmemmap"]) if "vmemmap" in sym else None
        off = self.k.attr["linux.vmcoreinfo.OFFSET"]
        self.off = {n: int(off[n]) for n in ("page.flags", "page.mapping", "page.private",
                                              "page._mapcount", "page.compound_head")
                    if n in off}
        self.size = int(self.k.attr["linux.vmcoreinfo.SIZE"]["page"])

    def n(self, name):
        return int(self.num[name]) if name in self.num else None

    def newer(self):
        v = self.n("PAGE_BUDDY_MAPCOUNT_VALUE")
        return v is not None and (v & 0xffffffff) & 0x00ffffff == 0 and self.vmemmap is not None

    def classify(self, level):
        present, end = elf_present(self.path)
        ty = {name: (self.n(key) & 0xffffffff) >> 24 for name, key in (
            ("buddy", "PAGE_BUDDY_MAPCOUNT_VALUE"), ("slab", "PAGE_SLAB_MAPCOUNT_VALUE"),
            ("hugetlb", "PAGE_HUGETLB_MAPCOUNT_VALUE"), ("offline", "PAGE_OFFLINE_MAPCOUNT_VALUE"))
              if self.n(key) is not None}
        bit = lambda name: 1 << self.n(name) if self.n(name) is not None else 0  # noqa: E731
        lru, pri, swc, swb, hwp = (bit(x) for x in ("PG_lru", "PG_private", "PG_swapcache",
                                                     "PG_swapbacked", "PG_hwpoison"))
        head = self.n("PG_head_mask")
        sz, o = self.size, self.off
        mm = bytes(self.k.read(kdumpfile.KDUMP_KVADDR, self.vmemmap, end * sz))

        def page(p):
            b = p * sz
            return (struct.unpack_from("<Q", mm, b + o["page.flags"])[0],
                    struct.unpack_from("<Q", mm, b + o["page.compound_head"])[0],
                    struct.unpack_from("<Q", mm, b + o["page.mapping"])[0],
                    struct.unpack_from("<Q", mm, b + o["page.private"])[0],
                    struct.unpack_from("<I", mm, b + o["page._mapcount"])[0] >> 24)

        excl = {}
        p = 0
        while p < end:
            if p not in present:
                p += 1
                continue
            flags, ch, mapping, priv, t = page(p)
            if ch & 1:                       # a tail: decided with its head
                p += 1
                continue
            unit = 1 << (page(p + 1)[0] & 0xff) if flags & head and p + 1 < end else 1
            slab = t == ty.get("slab")
            cls = 0
            if level & 16 and t == ty.get("buddy"):
                cls, unit = FREE, 1 << priv
            else:
                cache = flags & lru or (flags & swc and flags & swb)
                anon = mapping & 1 and not slab
                if level & 2 and cache and not flags & pri and not anon:
                    cls = CACHE
                elif level & 4 and cache and not anon:
                    cls = CACHE_PRI if flags & pri else CACHE
                elif level & 8 and (anon or (t == ty.get("hugetlb") and flags & head)):
                    cls = USER
                elif flags & hwp:
                    cls = HWPOISON
                elif t == ty.get("offline") and not slab:
                    cls = OFFLINE
            if cls:
                for q in range(p, min(end, p + unit)):
                    if q in present:
                        excl[q] = cls
                p += unit
            else:
                p += 1
        kept = present - set(excl)
        return present, end, excl, kept

    def zero(self, pfns):
        z = set()
        for q in pfns:
            if bytes(self.k.read(kdumpfile.KDUMP_KPHYSADDR, q * PAGE, PAGE)).count(0) == PAGE:
                z.add(q)
        return z


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    cmd = argv[1]
    if cmd == "newer":
        return 0 if Oracle(argv[2]).newer() else 1
    if cmd == "counts" and len(argv) == 4:
        o, level = Oracle(argv[2]), int(argv[3])
        if not o.newer():
            print("oracle: not a top-byte page-type kernel")
            return 2
        present, end, excl, kept = o.classify(level)
        zero = o.zero(kept) if level & 1 else set()
        c = {v: 0 for v in NAMES.values()}
        for cls in excl.values():
            c[NAMES[cls]] += 1
        print("total=%d hole=%d zero=%d cache=%d cache_private=%d user=%d free=%d hwpoison=%d "
              "offline=%d remaining=%d" % (end, end - len(present), len(zero), c["cache"],
                                           c["cache_private"], c["user"], c["free"], c["hwpoison"],
                                           c["offline"], len(kept) - len(zero)))
        return 0
    if cmd == "sameset" and len(argv) in (5, 6):
        o, level = Oracle(argv[3]), int(argv[4])
        if not o.newer():
            print("oracle: not a top-byte page-type kernel")
            return 2
        _, _, _, want = o.classify(level)
        if len(argv) == 6:
            want &= set(dumpcheck.set_bits(dumpcheck.KdumpHeader(argv[5]).bitmap2))
        d = dumpcheck.KdumpHeader(argv[2])
        got = set(dumpcheck.set_bits(d.bitmap2))
        want_zero = o.zero(want) if level & 1 else set()
        got_zero = set(d.zero_pfns())
        if got != want or got_zero != want_zero:
            print("kept: %d only in the dump %s, %d only in the oracle %s; zero: %d only in the dump "
                  "%s, %d only in the oracle %s" % (
                      len(got - want), dumpcheck.describe(sorted(got - want)), len(want - got),
                      dumpcheck.describe(sorted(want - got)), len(got_zero - want_zero),
                      dumpcheck.describe(sorted(got_zero - want_zero)), len(want_zero - got_zero),
                      dumpcheck.describe(sorted(want_zero - got_zero))))
            return 1
        print("same pages as the oracle: %d kept, %d of them zero" % (len(got), len(got_zero)))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
