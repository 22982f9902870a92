/* formats/split.h: --split piece boundaries. */
#ifndef CS_SPLIT_H
#define CS_SPLIT_H

#include "core/types.h"
#include "core/error.h"
#include "core/bitmap.h"

/*
 * Cut [0, max_mapnr) into n contiguous pfn ranges holding about the same
 * number of set bits of bitmap2: piece i is [starts[i], starts[i + 1]),
 * starts[0] = 0, starts[n] = max_mapnr (starts has n + 1 entries).
 * splitblock_pages 0: boundaries on 64-pfn steps, each piece within 64 pages
 * of total / n. Otherwise makedumpfile's algorithm (--splitblock-size):
 * boundaries on multiples of splitblock_pages, each of the first n - 1
 * pieces taking whole splitblocks until it has total / n pages.
 */
cs_status cs_split_ranges(const struct cs_bitmap *bitmap2, pfn_t max_mapnr, size_t n,
			  uint64_t splitblock_pages, pfn_t *starts, struct cs_err *err);

#endif
