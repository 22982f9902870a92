/* engine/scan.h: the one mem_map pass that builds the 1st and 2nd bitmaps and counts page classes. */
#ifndef CS_SCAN_H
#define CS_SCAN_H

#include "core/types.h"
#include "core/error.h"
#include "core/bitmap.h"
#include "core/kernel.h"
#include "formats/source.h"

/*
 * Page counts as makedumpfile reports them (all in pages):
 *   total     max_mapnr
 *   hole      pfns below max_mapnr not present in the input
 *   zero      filled in by the writer's content pass (0 after cs_scan)
 *   cache, cache_private, user, free, hwpoison, offline: excluded by the scan
 *   kept_unverified  kept because their metadata could not be trusted
 *             (no / implausible mem_map, unreadable struct page, an order
 *             or span out of range); part of `remaining`
 *   remaining total - hole - every excluded class (the writer subtracts
 *             zero when it counts it). Like makedumpfile, pfns without data
 *             in the input (ELF p_filesz < p_memsz) are not subtracted.
 */
struct cs_page_stats {
	uint64_t total, hole, zero, cache, cache_private, user, free, hwpoison, offline,
		kept_unverified, remaining;
};

/*
 * One pass over mem_map for `dump_level` (0..31). (Re)initialises bitmap1
 * and bitmap2 (pass zeroed structs or bitmaps of an earlier scan, which are
 * freed; the caller deinits them after success; nbits = max_mapnr):
 *   bitmap1: present pfns (makedumpfile's 1st bitmap; the source's ranges);
 *   bitmap2: pages kept after mem_map filtering. Pfns without data in the
 *            input and pages the input already excluded (src->dumpable) are
 *            clear. Zero pages are NOT decided here.
 * Levels above 1 need a kernel model ("doesn't contain vmcoreinfo" otherwise).
 * On failure both bitmaps are left deinitialised.
 */
cs_status cs_scan(struct cs_kernel *k, struct cs_source *src, int dump_level,
		  struct cs_bitmap *bitmap1, struct cs_bitmap *bitmap2, struct cs_page_stats *stats,
		  struct cs_err *err);

/*
 * The same pass one window at a time (cyclic mode, when both bitmaps of the
 * whole dump do not fit the memory budget). open() reads the kernel model
 * and mem_map layout once; window() fills bitmap1/bitmap2, windows made with
 * cs_bitmap_init_window (cleared, [first, nbits), first a multiple of 64),
 * exactly as cs_scan fills those bits, and ADDS the window's counts to
 * *stats. Excluded units (free blocks, compound pages) are naturally aligned
 * and at most 2^18 pages (1 GiB pages): windows whose first pfn is a
 * multiple of CS_SCAN_WINDOW_ALIGN give the whole-dump result exactly.
 */
#define CS_SCAN_WINDOW_ALIGN (UINT64_C(1) << 18)
struct cs_scanner;
/*
 * nthreads > 1: each window's walk is split into up to nthreads shares of
 * whole mem_map blocks walked at once (the source's reads must be
 * thread-safe, as the pipeline's are); the result is the same.
 */
cs_status cs_scanner_open(struct cs_kernel *k, struct cs_source *src, int dump_level,
			  unsigned nthreads, struct cs_scanner **ret, struct cs_err *err);
pfn_t cs_scanner_max_mapnr(const struct cs_scanner *sc);
/*
 * Can free (buddy) pages be told apart in this dump? False when VMCOREINFO has
 * neither NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE) nor NUMBER(PG_buddy), or no
 * OFFSET(page.private) for the block order: dump level 16 then keeps them.
 */
bool cs_scanner_sees_free(const struct cs_scanner *sc);
/* VMCOREINFO values not used because implausible (filters/classify.h), "" if none. */
const char *cs_scanner_implausible(const struct cs_scanner *sc);
/* From now on walk on the calling thread only, and free the other walkers' buffers. */
void cs_scanner_single(struct cs_scanner *sc);
cs_status cs_scanner_window(struct cs_scanner *sc, struct cs_bitmap *bitmap1,
			    struct cs_bitmap *bitmap2, struct cs_page_stats *stats, struct cs_err *err);
/* The whole dump as one window: allocates both bitmaps ([0, max_mapnr)), deinits them on failure. */
cs_status cs_scanner_whole(struct cs_scanner *sc, struct cs_bitmap *bitmap1, struct cs_bitmap *bitmap2,
			   struct cs_page_stats *stats, struct cs_err *err);
void cs_scanner_close(struct cs_scanner *sc); /* accepts NULL */

#endif
