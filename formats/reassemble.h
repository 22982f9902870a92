/* formats/reassemble.h: --reassemble, the pieces of a split kdump dump into one kdump-compressed file. */
#ifndef CS_REASSEMBLE_H
#define CS_REASSEMBLE_H

#include "core/types.h"
#include "core/error.h"
#include "core/loss.h"

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

#endif
