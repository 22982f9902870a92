#!/usr/bin/python3
"""Rewrite a QEMU dump-guest-memory ELF file into the layout of a kernel's /proc/vmcore.

    qemu2vmcore.py [--keep-device-memory] [--keep-qemu-notes] IN OUT

QEMU 7.2 writes its x86_64 ELF dumps as: ELF header (with e_ehsize 8), section headers
at offset 64, program headers after them, one PT_NOTE, then PT_LOAD data at unaligned
offsets. makedumpfile 1.7.2 expects /proc/vmcore's layout and fails on that with
"Can't get the number of PT_LOAD". This writes:

    Elf64_Ehdr (e_phoff 64, e_ehsize 64, no section headers)
    Elf64_Phdr[]: one PT_NOTE first, then the PT_LOADs in ascending physical order
    the notes (all of the input's PT_NOTE contents, merged)
    each PT_LOAD's data at a page-aligned file offset

By default it drops QEMU's own "QEMU" notes (a kernel's /proc/vmcore has only the
per-CPU "CORE" notes and VMCOREINFO) and the PT_LOADs of device memory that QEMU also
dumps in [0xc0000000, 4 GiB) (BIOS ROM, video memory): /proc/vmcore describes RAM only.
Data is copied in chunks (copy_file_range where possible); the dump is never read whole.
QEMU writes p_vaddr 0 (paging=false); a kernel's /proc/vmcore has p_vaddr = PAGE_OFFSET +
p_paddr (the direct mapping, randomized by KASLR). With --vaddr=direct (default) this finds
the guest's PAGE_OFFSET by walking its page tables (init_top_pgt, 4- or 5-level) for the
direct-map address SYMBOL(mem_section) from VMCOREINFO and sets p_vaddr accordingly;
--vaddr=qemu keeps QEMU's values. (Unlike kexec-tools' /proc/vmcore there is no extra
PT_LOAD for the kernel text mapping.)
"""
import argparse
import os
import struct
import sys

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
PT_LOAD, PT_NOTE = 1, 4
PF_RWX = 7
PAGE = 4096
DEV_LO, DEV_HI = 0xC0000000, 0x100000000
CHUNK = 8 << 20


def die(msg):
    print(f"qemu2vmcore: {msg}", file=sys.stderr)
    sys.exit(1)


def align(x, a=PAGE):
    return (x + a - 1) & ~(a - 1)


def read_at(f, off, n):
    f.seek(off)
    data = f.read(n)
    if len(data) != n:
        die(f"short read at offset {off:#x} ({len(data)} of {n} bytes): truncated input?")
    return data


def iter_notes(blob):
    """Yield (name, type, raw_bytes) for each ELF note in blob (4-byte aligned fields)."""
    off = 0
    while off + 12 <= len(blob):
        namesz, descsz, ntype = struct.unpack_from("<III", blob, off)
        size = 12 + align(namesz, 4) + align(descsz, 4)
        if namesz == 0 and descsz == 0 and ntype == 0:
            break  # padding
        if off + size > len(blob):
            die(f"note at {off:#x} runs past the PT_NOTE segment")
        name = blob[off + 12:off + 12 + namesz].rstrip(b"\0").decode("ascii", "replace")
        yield name, ntype, blob[off:off + size]
        off += size


def parse_vmcoreinfo(notes):
    for name, _ntype, raw in iter_notes(notes):
        if name == "VMCOREINFO":
            namesz, descsz = struct.unpack_from("<II", raw, 0)
            desc = raw[12 + align(namesz, 4):12 + align(namesz, 4) + descsz]
            info = {}
            for line in desc.decode("ascii", "replace").splitlines():
                k, sep, v = line.partition("=")
                if sep:
                    info[k] = v
            return info
    return {}


def find_page_offset(fin, loads, info):
    """Return the guest's PAGE_OFFSET (direct-map base) or raise ValueError."""
    START_KERNEL_MAP = 0xFFFFFFFF80000000
    MASK = 0x000FFFFFFFFFF000

    def phys_read64(pa):
        for _t, _f, off, _v, paddr, filesz, _m, _a in loads:
            if paddr <= pa and pa + 8 <= paddr + filesz:
                return struct.unpack("<Q", read_at(fin, off + pa - paddr, 8))[0]
        raise ValueError(f"physical address {pa:#x} not in the dump")

    def num(key):
        if key not in info:
            raise ValueError(f"VMCOREINFO has no {key}")
        return int(info[key], 10)

    phys_base = num("NUMBER(phys_base)") & 0xFFFFFFFFFFFFFFFF
    pgt_va = int(info["SYMBOL(init_top_pgt)"], 16)
    target = int(info["SYMBOL(mem_section)"], 16)
    top = (pgt_va - START_KERNEL_MAP + phys_base) & 0xFFFFFFFFFFFFFFFF
    levels = 5 if num("NUMBER(pgtable_l5_enabled)") else 4
    shifts = [48, 39, 30, 21, 12][5 - levels:]
    table = top
    for depth, shift in enumerate(shifts):
        e = phys_read64(table + ((target >> shift) & 511) * 8)
        if not e & 1:
            raise ValueError(f"{target:#x} not mapped at level shift {shift}")
        if shift in (30, 21) and e & 0x80:  # 1 GiB or 2 MiB page
            size = 1 << shift
            pa = (e & MASK & ~(size - 1)) | (target & (size - 1))
            break
        table = e & MASK
    else:
        pa = table | (target & 0xFFF)
    off = (target - pa) & 0xFFFFFFFFFFFFFFFF
    lowest = 0xFF00000000000000 if levels == 5 else 0xFFFF800000000000  # start of kernel space
    if off & ((1 << 30) - 1) or off < lowest:
        raise ValueError(f"implausible PAGE_OFFSET {off:#x}")
    return off


def copy_range(fin, fout, src_off, dst_off, length):
    done = 0
    use_cfr = hasattr(os, "copy_file_range")
    while done < length:
        n = min(CHUNK, length - done)
        if use_cfr:
            try:
                k = os.copy_file_range(fin.fileno(), fout.fileno(), n, src_off + done, dst_off + done)
                if k <= 0:
                    die(f"unexpected end of input at {src_off + done:#x}")
                done += k
                continue
            except OSError:
                use_cfr = False  # e.g. across file systems on old kernels: fall back
        data = os.pread(fin.fileno(), n, src_off + done)
        if not data:
            die(f"unexpected end of input at {src_off + done:#x}")
        os.pwrite(fout.fileno(), data, dst_off + done)
        done += len(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--keep-device-memory", action="store_true",
                    help="keep PT_LOADs in [0xc0000000, 4 GiB) (device memory, BIOS)")
    ap.add_argument("--keep-qemu-notes", action="store_true", help="keep QEMU's 'QEMU' CPU-state notes")
    ap.add_argument("--vaddr", choices=("direct", "qemu"), default="direct",
                    help="p_vaddr of PT_LOADs: direct-map address (like /proc/vmcore) or QEMU's value")
    a = ap.parse_args()

    with open(a.input, "rb") as fin:
        eh = EHDR.unpack(read_at(fin, 0, EHDR.size))
        (ident, e_type, e_machine, e_version, _entry, e_phoff, _shoff, e_flags, _ehsize,
         e_phentsize, e_phnum, _shentsize, _shnum, _shstrndx) = eh
        if ident[:4] != b"\x7fELF" or ident[4] != 2 or ident[5] != 1:
            die(f"{a.input}: not a little-endian ELF64 file")
        if e_type != 4:
            die(f"{a.input}: not an ELF core file (e_type {e_type})")
        if e_phentsize != PHDR.size or e_phnum == 0 or e_phnum == 0xFFFF:
            die(f"{a.input}: unsupported program header table (phentsize {e_phentsize}, phnum {e_phnum})")
        phdrs = [PHDR.unpack(read_at(fin, e_phoff + i * PHDR.size, PHDR.size)) for i in range(e_phnum)]

        notes = b""
        kept_notes = dropped_notes = 0
        for p in phdrs:
            if p[0] != PT_NOTE:
                continue
            for name, _ntype, raw in iter_notes(read_at(fin, p[2], p[5])):
                if name == "QEMU" and not a.keep_qemu_notes:
                    dropped_notes += 1
                    continue
                notes += raw
                kept_notes += 1
        if b"VMCOREINFO" not in notes:
            print("qemu2vmcore: warning: no VMCOREINFO note (was the VM run with -device vmcoreinfo?)",
                  file=sys.stderr)

        loads, dropped = [], []
        for p in phdrs:
            if p[0] != PT_LOAD:
                continue
            _t, _f, off, vaddr, paddr, filesz, memsz, _al = p
            if filesz > memsz:
                die(f"PT_LOAD at {paddr:#x}: filesz > memsz")
            if not a.keep_device_memory and DEV_LO <= paddr < DEV_HI:
                dropped.append(p)
                continue
            loads.append(p)
        loads.sort(key=lambda p: p[4])

        page_offset = None
        if a.vaddr == "direct":
            try:
                page_offset = find_page_offset(fin, loads, parse_vmcoreinfo(notes))
            except (ValueError, KeyError) as e:
                print(f"qemu2vmcore: warning: cannot find PAGE_OFFSET ({e}); keeping QEMU's p_vaddr",
                      file=sys.stderr)

        nph = 1 + len(loads)
        note_off = EHDR.size + nph * PHDR.size
        pos = align(note_off + len(notes))
        out_ph = [PHDR.pack(PT_NOTE, 0, note_off, 0, 0, len(notes), len(notes), 0)]
        plan = []
        for _t, _f, off, vaddr, paddr, filesz, memsz, _al in loads:
            if page_offset is not None:
                vaddr = page_offset + paddr
            out_ph.append(PHDR.pack(PT_LOAD, PF_RWX, pos, vaddr, paddr, filesz, memsz, 0))
            plan.append((off, pos, filesz))
            pos = align(pos + filesz)
        total = pos

        tmp = a.output + ".tmp"
        with open(tmp, "wb") as fout:
            hdr = EHDR.pack(ident, e_type, e_machine, e_version, 0, EHDR.size, 0, e_flags,
                            EHDR.size, PHDR.size, nph, 0, 0, 0)
            fout.write(hdr + b"".join(out_ph))
            fout.write(notes)
            for src, dst, n in plan:
                copy_range(fin, fout, src, dst, n)
            fout.truncate(total)
        os.replace(tmp, a.output)

    ram = sum(p[5] for p in loads)
    print(f"qemu2vmcore: {a.output}: {total} bytes, {len(loads)} PT_LOAD ({ram >> 20} MiB), "
          f"{kept_notes} notes, PAGE_OFFSET {'%#x' % page_offset if page_offset is not None else 'unknown'}; dropped {len(dropped)} device PT_LOAD, {dropped_notes} QEMU notes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
