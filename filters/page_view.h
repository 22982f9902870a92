/* filters/page_view.h: the decoded fields of one struct page (and its first tail when it heads a compound page). */
#ifndef CS_PAGE_VIEW_H
#define CS_PAGE_VIEW_H

#include "core/types.h"

/*
 * What the classifier needs from a struct page, already pulled out of the raw
 * bytes by filters/decode.c. Values are raw: interpretation (which bit is
 * PG_lru, which page-type value means buddy) is the classifier's job.
 */
struct cs_page_view {
	uint64_t flags;         /* page.flags */
	uint64_t mapping;       /* page.mapping (bit 0: PAGE_MAPPING_ANON) */
	uint64_t private_;      /* page.private (buddy order for free pages) */
	uint64_t compound_head; /* page.compound_head / compound_info (bit 0: tail) */
	uint32_t mapcount;      /* page._mapcount, also page_type (same union) */

	/* Compound head data, read from the first tail page (valid when has_tail). */
	bool head;        /* flags & PG_head_mask */
	bool has_tail;    /* the first tail's bytes were available and decoded */
	uint64_t order;   /* compound order as stored (not validated) */
	uint64_t dtor;    /* compound destructor id (kernels up to 6.5) */
	uint64_t flags_1; /* first tail's flags (folio._flags_1, 6.6+) */
};

#endif
