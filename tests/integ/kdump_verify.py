#!/usr/bin/python3
# tests/integ/kdump_verify.py: libkdumpfile reads every dumpable page of OUT identically to SOURCE.
"""Usage: /usr/bin/python3 tests/integ/kdump_verify.py OUT SOURCE_VMCORE

OUT is a kdump-compressed (or flattened) file we wrote, SOURCE_VMCORE the input
(ELF or kdump). For every pfn set in OUT's 2nd bitmap ("file.pagemap") the page
read through libkdumpfile from OUT must equal the page read from SOURCE.
Reads are by machine physical address, so no kernel translation is needed.
Exit 0 when all pages match, 1 on a mismatch, 77 when libkdumpfile is missing.
"""
import sys

try:
    import kdumpfile
except ImportError:
    print("SKIP: python3-libkdumpfile is not installed (use /usr/bin/python3)")
    sys.exit(77)


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    out_path, src_path = sys.argv[1], sys.argv[2]
    out = kdumpfile.kdumpfile(out_path)
    src = kdumpfile.kdumpfile(src_path)
    fmt = out.attr["file.format"]
    if fmt != "diskdump":
        print(f"not ok - {out_path}: libkdumpfile sees format {fmt!r}, not diskdump")
        return 1
    page = out.attr["arch.page_size"] if "page_size" in out.attr["arch"] else 4096
    max_pfn = out.attr["max_pfn"]
    pagemap = out.attr["file.pagemap"]
    phys = kdumpfile.KDUMP_MACHPHYSADDR
    checked = bad = 0
    pfn = 0
    while pfn < max_pfn:
        try:
            start = pagemap.find_set(pfn)
        except Exception:  # no set bit left (KeyError / NoData, depending on the version)
            break
        if start >= max_pfn:
            break
        try:
            end = min(pagemap.find_clear(start), max_pfn)
        except Exception:
            end = max_pfn
        for p in range(start, end):
            a = out.read(phys, p * page, page)
            b = src.read(phys, p * page, page)
            checked += 1
            if a != b:
                bad += 1
                if bad <= 5:
                    print(f"# pfn {p:#x}: page differs")
        pfn = end
    if bad or not checked:
        print(f"not ok - {out_path}: {bad} of {checked} pages differ from {src_path}")
        return 1
    print(f"ok - {out_path}: {checked} pages read back identically")
    return 0


if __name__ == "__main__":
    sys.exit(main())
