/* formats/split.h: --split piece boundaries, --reassemble, and marking finished kdump files incomplete. */
#ifndef CS_SPLIT_H
#define CS_SPLIT_H

#include "core/types.h"
#include "core/error.h"
#include "core/bitmap.h"
#include "core/loss.h"

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

/*
 * --reassemble: merge the pieces of a split kdump dump (any order) into one
 * kdump-compressed file at out_path, created like the file sink (0600,
 * O_EXCL unless force), with the same bytes makedumpfile --reassemble writes:
 * main header of the first piece flagged incomplete (else the last), sub
 * header of the first piece with the split fields cleared, its notes and
 * bitmaps, descriptors and data re-packed (zero-page descriptors pointing at
 * one shared zero page), every piece's eraseinfo appended. Differences from
 * makedumpfile: pieces whose headers differ only in the incomplete flag are
 * accepted, and a descriptor an incomplete piece never wrote stays "lost"
 * (offset 0) instead of becoming a zero-size page. Page data is copied in
 * large runs (copy_file_range). progress (may be NULL) gets pages done/total.
 * Every descriptor written "lost" is booked in *loss by reason and pfn;
 * *incomplete_piece names the first piece flagged incomplete, NULL if none
 * (the output is flagged, too). The
 * caller reports them and marks the output (engine/job.c).
 */
cs_status cs_kdump_reassemble(const char *const *pieces, size_t n, const char *out_path, bool force,
			      void (*progress)(void *arg, uint64_t done, uint64_t total),
			      void *progress_arg, struct cs_loss *loss, const char **incomplete_piece,
			      struct cs_err *err);

/* OR the incomplete flag (0x8) into the status of the kdump file at path. */
cs_status cs_kdump_mark_incomplete(const char *path, struct cs_err *err);

#endif
