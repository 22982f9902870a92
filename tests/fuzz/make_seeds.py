#!/usr/bin/python3
# tests/fuzz/make_seeds.py: writes the hand-made seed inputs of tests/fuzz/corpus/ (deterministic, all tiny).
#
#   tests/fuzz/make_seeds.py [CORPUS_DIR]      (default: tests/fuzz/corpus)
#
# The ELF seed is a complete miniature x86_64 kernel: VMCOREINFO, 4-level page
# tables mapping the vmemmap, a SPARSEMEM_EXTREME mem_section and 16 struct
# pages of mixed classes, so fuzz_elf reaches the mem_map scan. kdump seeds are
# made from it by coresieve itself when build/coresieve exists (see fuzz.sh).
import os
import struct
import sys
import zlib

PG = 4096
KTEXT = 0xFFFFFFFF80000000
VMEMMAP = 0xFFFFEA0000000000
NPAGES = 13           # physical memory: pfn 0..12 (52 KiB)
SIZE_PAGE = 64
# Physical page roles
PGD, PUD, PMD, PTE, MEMMAP, ROOTS, SECTIONS, UTS = 1, 2, 3, 4, 5, 6, 7, 8
BUDDY = 0xFFFFFF7F    # PAGE_BUDDY_MAPCOUNT_VALUE (-129)


def vmcoreinfo():
    lines = [
        "OSRELEASE=6.1.0-fuzz",
        "PAGESIZE=4096",
        "SYMBOL(init_uts_ns)=%x" % (KTEXT + UTS * PG - 4),
        "SYMBOL(mem_section)=%x" % (KTEXT + ROOTS * PG),
        "LENGTH(mem_section)=1",
        "SIZE(mem_section)=16",
        "OFFSET(mem_section.section_mem_map)=0",
        "SYMBOL(init_top_pgt)=%x" % (KTEXT + PGD * PG),
        "NUMBER(phys_base)=0",
        "NUMBER(KERNEL_IMAGE_SIZE)=1073741824",
        "NUMBER(SECTION_SIZE_BITS)=15",
        "NUMBER(MAX_PHYSMEM_BITS)=20",
        "SIZE(page)=%d" % SIZE_PAGE,
        "OFFSET(page.flags)=0",
        "OFFSET(page._refcount)=52",
        "OFFSET(page.mapping)=24",
        "OFFSET(page.lru)=8",
        "OFFSET(page._mapcount)=48",
        "OFFSET(page.private)=40",
        "OFFSET(page.compound_head)=8",
        "OFFSET(folio._folio_order)=89",
        "OFFSET(folio._folio_dtor)=88",
        "LENGTH(zone.free_area)=11",
        "NUMBER(NR_FREE_PAGES)=0",
        "NUMBER(PG_lru)=4",
        "NUMBER(PG_private)=13",
        "NUMBER(PG_swapcache)=10",
        "NUMBER(PG_swapbacked)=19",
        "NUMBER(PG_slab)=9",
        "NUMBER(PG_hwpoison)=22",
        "NUMBER(PG_head_mask)=65536",
        "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129",
        "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257",
        "NUMBER(HUGETLB_PAGE_DTOR)=2",
        "CRASHTIME=1700000000",
    ]
    return ("\n".join(lines) + "\n").encode()


def note(name, ntype, desc):
    n = name.encode() + b"\0"
    pad = lambda b: b + b"\0" * (-len(b) % 4)
    return struct.pack("<III", len(n), len(desc), ntype) + pad(n) + pad(desc)


def struct_page(flags=0, mapping=0, private=0, mapcount=0xFFFFFFFF, head=0):
    p = bytearray(SIZE_PAGE)
    struct.pack_into("<Q", p, 0, flags)
    struct.pack_into("<Q", p, 8, head)
    struct.pack_into("<Q", p, 24, mapping)
    struct.pack_into("<Q", p, 40, private)
    struct.pack_into("<I", p, 48, mapcount)
    struct.pack_into("<I", p, 52, 1)
    return bytes(p)


def memory():
    mem = bytearray(NPAGES * PG)

    def put64(paddr, v):
        struct.pack_into("<Q", mem, paddr, v)

    # 4-level tables for the vmemmap: PGD -> PUD -> PMD -> PTE -> MEMMAP page.
    put64(PGD * PG + ((VMEMMAP >> 39) & 511) * 8, PUD * PG | 0x63)
    put64(PUD * PG + ((VMEMMAP >> 30) & 511) * 8, PMD * PG | 0x63)
    put64(PMD * PG + ((VMEMMAP >> 21) & 511) * 8, PTE * PG | 0x63)
    put64(PTE * PG + ((VMEMMAP >> 12) & 511) * 8, MEMMAP * PG | 0x63)
    # A 2 MiB large page and a loop, for the walker's other paths.
    put64(PMD * PG + 1 * 8, 0x200000 | 0xE3)
    put64(PMD * PG + 2 * 8, PMD * PG | 0x63)
    # mem_section root array (in kernel text) -> one page of sections.
    put64(ROOTS * PG, KTEXT + SECTIONS * PG)
    for s in range((NPAGES + 7) // 8):  # 8 pfns per section
        put64(SECTIONS * PG + s * 16, VMEMMAP | 0x3)
    # struct pages of pfn 0..15: kernel, LRU cache, anon, buddy order 1, compound order 1, ...
    pages = [
        struct_page(flags=1 << 9),                          # 0 slab
        struct_page(), struct_page(), struct_page(), struct_page(),  # 1-4 page tables
        struct_page(), struct_page(), struct_page(), struct_page(),  # 5-8 kernel data
        struct_page(flags=1 << 4, mapping=KTEXT + 0x1000),  # 9 page cache
        struct_page(private=1, mapcount=BUDDY),             # 10 buddy order 1 (10-11)
        struct_page(),                                      # 11
        struct_page(flags=1 << 16 | 1 << 4, mapping=0xFFFF888000002001),  # 12 anon compound head
        struct_page(head=VMEMMAP + 12 * SIZE_PAGE + 1),     # 13 its tail (no memory behind it)
        struct_page(flags=1 << 22),                         # 14 hwpoison
        struct_page(flags=1 << 4 | 1 << 13),                # 15 private cache
    ]
    mm = bytearray(b"".join(pages))
    mm[13 * SIZE_PAGE + 25] = 1  # folio._folio_order (89 - 64) in the first tail
    mem[MEMMAP * PG:MEMMAP * PG + len(mm)] = mm
    # utsname at init_uts_ns + 4
    uts = b"".join(s.encode().ljust(65, b"\0") for s in
                   ["Linux", "fuzz", "6.1.0-fuzz", "#1 SMP", "x86_64", "(none)"])
    mem[UTS * PG:UTS * PG + len(uts)] = uts
    # Non-zero filler so zero-page detection has something to keep.
    for pfn in (9, 10, 11, 12):
        mem[pfn * PG + 64:pfn * PG + 80] = bytes(range(pfn, pfn + 16))
    return bytes(mem)


def elf_core(mem, notes, loads):
    """loads: list of (vaddr, paddr, file bytes, memsz)."""
    phnum = 1 + len(loads)
    hdr_end = 64 + 56 * phnum
    off = hdr_end
    note_off = off
    off += len(notes)
    off = (off + PG - 1) // PG * PG
    phdrs = [struct.pack("<IIQQQQQQ", 4, 0, note_off, 0, 0, len(notes), 0, 4)]
    body = bytearray()
    for vaddr, paddr, data, memsz in loads:
        if data is None:  # a second view of the first load's bytes (same file offset)
            phdrs.append(struct.pack("<IIQQQQQQ", 1, 7, off + paddr, vaddr, paddr, memsz, memsz, PG))
            continue
        phdrs.append(struct.pack("<IIQQQQQQ", 1, 7, off + len(body), vaddr, paddr, len(data), memsz, PG))
        body += data
    eh = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + b"\0" * 9, 4, 62, 1, 0, 64, 0, 0,
                     64, 56, phnum, 0, 0, 0)
    out = bytearray(eh + b"".join(phdrs) + notes)
    out += b"\0" * ((note_off + len(notes) + PG - 1) // PG * PG - len(out))
    return bytes(out + body)


def mini_kernel_elf():
    mem = memory()
    notes = note("CORE", 1, b"\0" * 336) + note("VMCOREINFO", 0, vmcoreinfo())
    loads = [
        (0xFFFF888000000000, 0, mem, NPAGES * PG),                   # direct map of all RAM
        (KTEXT, 0, None, 10 * PG),                                   # kernel text view of it
        (0xFFFF888000000000 + 0x100000, 0x100000, b"", 4 * PG),     # memsz only (no data)
    ]
    return elf_core(mem, notes, loads)


def tiny_elfs():
    """Small variants: no notes, overlapping loads, a partial page, PN_XNUM-ish counts."""
    out = {}
    page = bytes(range(256)) * 16
    out["elf-noinfo"] = elf_core(b"", b"", [(0, 0, page * 2, 2 * PG)])
    out["elf-overlap"] = elf_core(b"", note("VMCOREINFO", 0, b"PAGESIZE=4096\n"),
                                  [(0, 0, page * 2, 2 * PG), (0, PG, page, 3 * PG),
                                   (0, 0x10000 + 100, page[:1000], 5000)])
    return out


def flat_wrap(content, chunk=4096, reorder=False):
    """makedumpfile -F stream of `content` (records of `chunk` bytes, optionally out of order)."""
    hdr = b"makedumpfile".ljust(16, b"\0") + struct.pack(">qq", 1, 1)
    hdr = hdr.ljust(4096, b"\0")
    recs = []
    for off in range(0, len(content), chunk):
        recs.append((off, content[off:off + chunk]))
    if reorder:
        recs = recs[1:] + recs[:1]
    body = b"".join(struct.pack(">qq", off, len(b)) + b for off, b in recs)
    return hdr + body + struct.pack(">qq", -1, -1)


def kdump_file(max_mapnr, vi, descs_of, status=0, bad_descs=None):
    """A hand-built kdump-compressed v6 file of max_mapnr pfns, every one present.

    descs_of(pfn) gives (kind, bytes) for a dumpable pfn: kind "zero" (the
    shared zero page), "zlib" (bytes compressed) or "raw", or None to leave it
    out of the 2nd bitmap. status: the header's status word (0x8: marked
    incomplete); bad_descs maps a descriptor index to (offset, size, flags)
    written instead of the good one.
    """
    bs = 4096
    notes = note("VMCOREINFO", 0, vi)
    sub = struct.pack("<QiiQQqQqQqQQQQ", 0, 1, 0, 0, 0, bs + 104 + 12 + 12, len(vi),
                      bs + 104, len(notes), 0, 0, 0, 0, max_mapnr)
    sub_blocks = (len(sub) + len(notes) + bs - 1) // bs
    bitmap_blocks = 2
    uts = b"".join(s.encode().ljust(65, b"\0") for s in
                   ["Linux", "fuzz", "6.1.0-fuzz", "#1", "x86_64", ""])
    dh = struct.pack("<8si", b"KDUMP   ", 6) + uts + b"\0" * 6
    dh += struct.pack("<qqIiiIIIIIIi", 1700000000, 0, status, bs, sub_blocks, bitmap_blocks, max_mapnr,
                      0, 0, 0, 0, 1)
    pages = {p: descs_of(p) for p in range(max_mapnr)}
    dumpable = [p for p in range(max_mapnr) if pages[p]]
    bm1 = ((1 << max_mapnr) - 1).to_bytes(bs, "little")
    bm2 = sum(1 << p for p in dumpable).to_bytes(bs, "little")
    pd_off = (1 + sub_blocks + bitmap_blocks) * bs
    data_off = pd_off + 24 * len(dumpable)
    descs, data = b"", b""
    zero_off = data_off
    data += b"\0" * bs
    for i, p in enumerate(dumpable):
        kind, content = pages[p]
        if kind == "zero":
            descs += struct.pack("<qIIQ", zero_off, bs, 0, 0)
        elif kind == "zlib":  # zlib-compressed (flag 0x1), as -c writes them
            z = zlib.compress(content, 1)
            descs += struct.pack("<qIIQ", data_off + len(data), len(z), 1, 0)
            data += z
        else:
            descs += struct.pack("<qIIQ", data_off + len(data), bs, 0, 0)
            data += content
        if bad_descs and i in bad_descs:
            descs = descs[:-24] + struct.pack("<qIIQ", *bad_descs[i], 0)
    f = dh.ljust(bs, b"\0") + (sub + notes).ljust(sub_blocks * bs, b"\0") + bm1 + bm2 + descs + data
    return f


def kdump_tiny():
    """16 pfns, raw pages, a shared zero page, two zlib pages."""
    def page(p):
        if not (0b1010_0000_0110_0111 >> p) & 1:
            return None
        if p in (1, 2):
            return ("zero", None)
        if p in (5, 6):
            return ("zlib", bytes([p]) * 100 + bytes(range(256)) * 15 + b"\0" * 156)
        return ("raw", bytes([p]) * 4096)
    return kdump_file(16, b"OSRELEASE=6.1.0-fuzz\nPAGESIZE=4096\n", page)


def kdump_minikernel(status=0, bad_descs=None):
    """The mini kernel's memory as a kdump file (zlib pages), so a -d 0 re-filter gets past the kernel model."""
    mem = memory()
    return kdump_file(NPAGES, vmcoreinfo(), lambda p: ("zlib", mem[p * PG:(p + 1) * PG]),
                      status, bad_descs)


def lost_page_seeds():
    """Inputs that declare pages they cannot give (docs/robustness.md "No silent loss"):
    a re-filter of each must fail or mark its output incomplete, never keep a zero page."""
    # Descriptor i is pfn i; pfn 9-12 have non-zero filler, 12 is the last.
    kdump = {"lost-desc-offset0": kdump_minikernel(bad_descs={9: (0, 4096, 0)}),
             "lost-desc-past-eof": kdump_minikernel(bad_descs={12: (1 << 20, 4096, 0)}),
             "lost-desc-bad-size": kdump_minikernel(bad_descs={10: (5 * 4096, 4097, 0)}),
             "lost-status-incomplete": kdump_minikernel(status=0x8, bad_descs={11: (0, 4096, 0)}),
             "seed-minikernel-kdump": kdump_minikernel()}
    flat = flat_wrap(kdump_minikernel())
    elf = mini_kernel_elf()
    return kdump, {"lost-flat-cut-mid-record": flat[:len(flat) - 16 - 1000],
                   "seed-flat-minikernel": flat}, \
        {"lost-elf-cut-mid-load": elf[:len(elf) - PG - 1000]}


def page_seeds():
    """fuzz_page: presence bits, pfn, field values, struct pages (see fuzz_page.c's table)."""
    fields = [("SIZE_page", 2, 64), ("flags", 1, 0), ("mapping", 1, 24), ("mapcount", 1, 48),
              ("private", 1, 40), ("compound_head", 1, 8), ("compound_info", 1, None),
              ("compound_order", 1, None), ("compound_dtor", 1, None), ("folio_order", 2, 89),
              ("folio_dtor", 2, 88), ("head_mask", 4, 65536), ("lru", 1, 4), ("private_bit", 1, 13),
              ("swapcache", 1, 10), ("swapbacked", 1, 19), ("slab", 1, 9), ("buddy", 1, None),
              ("hwpoison", 1, 22), ("hugetlb", 1, None), ("t_buddy", 4, -129),
              ("t_offline", 4, -257), ("t_hugetlb", 4, None), ("t_slab", 4, None),
              ("t_unaccepted", 4, None), ("dtor", 1, 2), ("free_area", 1, 11)]

    def build(overrides, pages, pfn0=0):
        present, vals = 0, b""
        for i, (name, w, v) in enumerate(fields):
            v = overrides.get(name, v)
            if v is None:
                continue
            present |= 1 << i
            vals += (v & ((1 << (8 * w)) - 1)).to_bytes(w, "little")
        return struct.pack("<IQ", present, pfn0) + vals + b"".join(pages)

    mem = memory()
    pages = [mem[MEMMAP * PG + i * 64:MEMMAP * PG + (i + 1) * 64] for i in range(16)]
    out = {"page-61": build({}, pages, 0)}
    # 6.12-style page types in the top byte, 6.6 _flags_1 order.
    out["page-612"] = build({"t_buddy": 0xF0000000 - (1 << 32), "t_hugetlb": 0xF4000000 - (1 << 32),
                             "folio_order": None, "folio_dtor": None, "t_unaccepted": 0xF8000000 - (1 << 32)},
                            pages, 12)
    out["page-415"] = build({"folio_order": None, "folio_dtor": None, "compound_order": 34,
                             "compound_dtor": 32}, pages, 0x1000)
    return out


def pgtable_seeds():
    """fuzz_pgtable: header, entry records, vaddrs (see fuzz_pgtable.c)."""
    def rec(page, ent, val):
        return struct.pack("<BHQ", page, ent, val)

    va = [VMEMMAP, VMEMMAP + 0x1234, VMEMMAP + 0x200000 + 0x5678, VMEMMAP + 0x400000,
          KTEXT + 0x1000, 0xFFFF888000000000, 0x1234]
    recs = [rec(1, (VMEMMAP >> 39) & 511, 2 * PG | 0x63), rec(2, 0, 3 * PG | 0x63),
            rec(3, 0, 4 * PG | 0x63), rec(4, 0, 5 * PG | 0x63), rec(4, 1, 6 * PG | 0x8000000000000063),
            rec(3, 1, 0x200000 | 0xE3), rec(3, 2, 3 * PG | 0x63), rec(5, 0, 0), rec(6, 0, 0)]
    hdr4 = bytes([0x0C, 1, 0, 47, 0, 0]) + struct.pack("<I", 1 << 22) + bytes([len(recs), 0]) + b"\0" * 4
    s4 = hdr4 + b"".join(recs) + b"".join(struct.pack("<Q", v) for v in va)
    # 5-level: one more level on top (PGD page 7 -> the 4-level tree's page 1).
    recs5 = recs + [rec(7, (VMEMMAP >> 48) & 511, 1 * PG | 0x63)]
    hdr5 = bytes([0x0F, 7, 0, 47, 0, 0]) + struct.pack("<I", 1 << 22) + bytes([len(recs5), 0]) + b"\0" * 4
    s5 = hdr5 + b"".join(recs5) + b"".join(struct.pack("<Q", v) for v in va)
    return {"pgtable-4level": s4, "pgtable-5level-sme": s5}


DMESG_KEYS = ["prb", "clear_seq", "log_buf", "log_buf_len", "log_end", "log_first_idx", "clear_idx",
              "log_next_idx", "SIZE_rb", "rb.desc_ring", "rb.text_data_ring", "dr.count_bits",
              "dr.descs", "dr.infos", "dr.head_id", "dr.tail_id", "SIZE_desc", "desc.state_var",
              "desc.text_blk_lpos", "lpos.begin", "lpos.next", "tdr.size_bits", "tdr.data",
              "SIZE_info", "info.ts_nsec", "info.text_len", "atomic.counter", "info.seq",
              "info.caller_id", "SIZE_latched_seq", "latched_seq.val", "SIZE_printk_log",
              "pl.ts_nsec", "pl.len", "pl.text_len", "pl.caller_id", "SIZE_log", "log.ts_nsec",
              "log.len", "log.text_len"]


def dmesg_input(opts, vals, mem):
    present, body = 0, b""
    for i, k in enumerate(DMESG_KEYS):
        if k in vals:
            present |= 1 << i
            body += struct.pack("<H", vals[k])
    return bytes([opts]) + struct.pack("<Q", present) + body + bytes(mem)


def dmesg_seeds():
    """fuzz_dmesg: a lockless ring, a structured log_buf and a plain ring (see fuzz_dmesg.c)."""
    VB = 0xFFFF888000000000
    texts = [b"Linux version 6.1.0-fuzz", b"Command line: console=ttyS0\nsecond line",
             b"caf\xc3\xa9 \x01 bytes", b"Kernel panic - not syncing: sysrq triggered crash"]
    # Lockless: prb pointer at 0, ring struct at 0x40, descs 0x100, infos 0x200, data 0x300 (256 B).
    mem = bytearray(0x600)
    struct.pack_into("<Q", mem, 0, VB + 0x40)
    rb = 0x40
    struct.pack_into("<I", mem, rb + 0, 2)             # count_bits: 4 descriptors
    struct.pack_into("<Q", mem, rb + 8, VB + 0x100)     # descs
    struct.pack_into("<Q", mem, rb + 16, VB + 0x200)    # infos
    struct.pack_into("<Q", mem, rb + 24, 3)             # head_id
    struct.pack_into("<Q", mem, rb + 32, 0)             # tail_id
    struct.pack_into("<I", mem, rb + 40, 8)             # text size_bits: 256 bytes
    struct.pack_into("<Q", mem, rb + 48, VB + 0x300)    # text data
    lpos = 0
    for i, t in enumerate(texts):
        blk = 8 + len(t)
        blk = (blk + 7) // 8 * 8
        struct.pack_into("<QQQ", mem, 0x100 + i * 24, (2 << 62) | i, lpos, lpos + blk)
        struct.pack_into("<QQHxxI", mem, 0x200 + i * 32, i, 1000000 * (i + 1) + 123456789, len(t), i)
        struct.pack_into("<Q", mem, 0x300 + lpos, i)
        mem[0x300 + lpos + 8:0x300 + lpos + 8 + len(t)] = t
        lpos += blk
    struct.pack_into("<Q", mem, 0x500, 1)               # clear_seq
    lockless = {"prb": 0, "clear_seq": 0x500, "SIZE_rb": 0x40, "rb.desc_ring": 0,
                "rb.text_data_ring": 40, "dr.count_bits": 0, "dr.descs": 8, "dr.infos": 16,
                "dr.head_id": 24, "dr.tail_id": 32, "SIZE_desc": 24, "desc.state_var": 0,
                "desc.text_blk_lpos": 8, "lpos.begin": 0, "lpos.next": 8, "tdr.size_bits": 0,
                "tdr.data": 8, "SIZE_info": 32, "info.ts_nsec": 8, "info.text_len": 16,
                "atomic.counter": 0, "info.seq": 0, "info.caller_id": 20}
    # Structured log_buf: pointer at 0, len at 8, first/next/clear idx at 16/20/24, buffer at 0x40.
    smem = bytearray(0x240)
    struct.pack_into("<QIIII", smem, 0, VB + 0x40, 0x200, 0, 0, 0)
    p = 0
    for i, t in enumerate(texts[:3]):
        rec = (16 + len(t) + 7) // 8 * 8
        struct.pack_into("<QHHI", smem, 0x40 + p, 5000000 * (i + 1), rec, len(t), 0x80000001)
        smem[0x40 + p + 16:0x40 + p + 16 + len(t)] = t
        p += rec
    struct.pack_into("<I", smem, 20, p)
    structured = {"log_buf": 0, "log_buf_len": 8, "log_first_idx": 16, "log_next_idx": 20,
                  "clear_idx": 24, "SIZE_printk_log": 16, "pl.ts_nsec": 0, "pl.len": 8,
                  "pl.text_len": 10, "pl.caller_id": 12}
    # Plain ring (< 3.5): log_buf, log_buf_len, log_end.
    pmem = bytearray(0x140)
    struct.pack_into("<QII", pmem, 0, VB + 0x40, 0x100, 0x130)
    txt = b"<6>Linux version 2.6.32\n<4>wrapped ring text\n" * 6
    pmem[0x40:0x140] = txt[:0x100]
    plain = {"log_buf": 0, "log_buf_len": 8, "log_end": 12}
    return {"dmesg-lockless": dmesg_input(3, lockless, mem),
            "dmesg-structured": dmesg_input(1, structured, smem),
            "dmesg-plain": dmesg_input(0, plain, pmem)}


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
    lost_kdump, lost_flat, lost_elf = lost_page_seeds()
    seeds = {
        "elf": {"seed-minikernel": mini_kernel_elf(), **tiny_elfs(), **lost_elf},
        "kdump": {"seed-tiny-v6": kdump_tiny(), **lost_kdump},
        "flat": {**lost_flat, "seed-flat-kdump": flat_wrap(kdump_tiny()),
                 "seed-flat-reordered": flat_wrap(kdump_tiny(), 3000, True),
                 "seed-flat-overlap": flat_wrap(b"A" * 9000, 4096)[:-16] +
                 struct.pack(">qq", 100, 50) + b"B" * 50 + struct.pack(">qq", -1, -1)},
        "vmcoreinfo": {"seed-61": vmcoreinfo(),
                       "seed-odd": b"OSRELEASE=5.14\r\nPAGESIZE=0x1000\nSYMBOL(mem_section)=ffffffff83000000 \n"
                                   b"NUMBER(PG_lru)=-1\nSIZE(page)=64\nOFFSET(page.flags)=64\n=x\nnoeq\n"
                                   b"KERNELOFFSET=1c000000\nPAGESIZE=8192\n"},
        "page": page_seeds(),
        "pgtable": pgtable_seeds(),
        "dmesg": dmesg_seeds(),
    }
    for target, files in seeds.items():
        d = os.path.join(root, target)
        os.makedirs(d, exist_ok=True)
        for name, data in files.items():
            assert len(data) < 64 * 1024, (name, len(data))
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
    print("seeds written under", root)


if __name__ == "__main__":
    main()
