/* tests/gen/truth.h: the per-pfn ground-truth codes mkvmcore writes with --truth (one byte per pfn). */
#ifndef CS_GEN_TRUTH_H
#define CS_GEN_TRUTH_H

/*
 * Byte layout: low 4 bits = class, high bits = flags.
 *
 * The class is what the page *is* according to its struct page, folded the way
 * makedumpfile's dump levels see it. Compound units (THP, hugetlb, large
 * page-cache folios, slab) and buddy blocks give every member page the class
 * of the head, because they are excluded or kept as a unit.
 *
 * Which pages a makedumpfile-compatible filter keeps at dump level L:
 *   HOLE                         never in the output (no PT_LOAD covers the pfn)
 *   F_NODATA set                 never in the output (inside p_memsz, past p_filesz)
 *   FREE                         excluded when L & 16
 *   CACHE                        excluded when L & (2|4)
 *   CACHE_PRIVATE                excluded when L & 4
 *   USER                         excluded when L & 8
 *   HWPOISON, OFFLINE            excluded at every level
 *   KERNEL                       kept
 *   otherwise kept; then a kept page with F_ZERO is dropped when L & 1.
 * Pages with F_PARTIAL are always KERNEL (the kernel reserves partial pages),
 * so the list above needs no special case for them.
 *
 * A partial last page (HOLE | F_PARTIAL) is never in the output either, but
 * makedumpfile 1.7.2 counts it as present (in the 1st bitmap, not dumpable)
 * when it runs non-cyclic; the manifest's "makedumpfile_mode" says which.
 */
enum cs_truth_class {
	CS_TRUTH_HOLE = 0,          /* no PT_LOAD covers the pfn, or only its head (partial last page) */
	CS_TRUTH_KERNEL = 1,        /* kernel text/data, slab, page tables, reserved, vmemmap */
	CS_TRUTH_CACHE = 2,         /* page cache without PG_private, swap cache */
	CS_TRUTH_CACHE_PRIVATE = 3, /* page cache with PG_private */
	CS_TRUTH_USER = 4,          /* anonymous, THP, hugetlb (mapped or pooled) */
	CS_TRUTH_FREE = 5,          /* in a buddy free block */
	CS_TRUTH_HWPOISON = 6,      /* PG_hwpoison */
	CS_TRUTH_OFFLINE = 7,       /* page_type PG_offline */
	CS_TRUTH_NCLASSES
};

#define CS_TRUTH_CLASS_MASK 0x0f
/* The first byte of the page is outside every PT_LOAD (an unaligned segment start):
 * the page is present but its struct page is never consulted. */
#define CS_TRUTH_F_PARTIAL 0x20
/* The pfn is inside a PT_LOAD's p_memsz but at or past p_filesz: no data in the input. */
#define CS_TRUTH_F_NODATA 0x40
/* The page's content in the input (the bytes a reader assembles) is all zero. Not set
 * for HOLE and F_NODATA pages. */
#define CS_TRUTH_F_ZERO 0x80

static inline unsigned cs_truth_class(unsigned char b)
{
	return b & CS_TRUTH_CLASS_MASK;
}

#endif
