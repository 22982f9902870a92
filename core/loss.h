/* core/loss.h: the loss ledger: pages the input declares present but cannot give, counted by reason. */
#ifndef CS_LOSS_H
#define CS_LOSS_H

#include "core/types.h"

/*
 * Why a page the input declares present (1st / 2nd bitmap, PT_LOAD, a split
 * piece's range, a flattened record) could not be read. A reader that is
 * handed a ledger zero-fills such a page and records it here instead of
 * failing; the job reports one line per reason and marks the output
 * incomplete (docs/robustness.md "No silent loss").
 */
enum cs_loss_reason {
	CS_LOSS_UNWRITTEN,  /* descriptor never written (offset 0): the input is incomplete */
	CS_LOSS_CUT,        /* descriptor or data past the end of the file or stream */
	CS_LOSS_BAD_DESC,   /* descriptor offset, size or codec flags impossible */
	CS_LOSS_DECODE,     /* the data does not decompress to a page */
	CS_LOSS_SPLIT_GAP,  /* pfn in no piece of the split set given */
	CS_LOSS_BEYOND_MAX, /* dumpable in the bitmap but at or above the header's max_mapnr */
	CS_LOSS_NR
};

struct cs_loss {
	uint64_t pages[CS_LOSS_NR];
	pfn_t first[CS_LOSS_NR]; /* lowest pfn lost for that reason (valid when pages > 0) */
};

static inline void cs_loss_add(struct cs_loss *l, enum cs_loss_reason why, pfn_t pfn, uint64_t n)
{
	if (!n)
		return;
	if (!l->pages[why] || pfn < l->first[why])
		l->first[why] = pfn;
	l->pages[why] += n;
}

/* Add every count of src to dst. */
void cs_loss_merge(struct cs_loss *dst, const struct cs_loss *src);
/* Pages lost for any reason. */
uint64_t cs_loss_total(const struct cs_loss *l);
/* What the reason means, for the report line ("corrupt page descriptor (...)"). */
const char *cs_loss_reason_text(enum cs_loss_reason why);

#endif
