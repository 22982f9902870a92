/* filters/dump_level.h: -d LEVEL applied to a classified page: excluded class and span, or keep. */
#ifndef CS_DUMP_LEVEL_H
#define CS_DUMP_LEVEL_H

#include "filters/classify.h"

#define CS_DL_ZERO 1
#define CS_DL_CACHE 2
#define CS_DL_CACHE_PRI 4
#define CS_DL_USER 8
#define CS_DL_FREE 16
#define CS_DL_MAX 31

enum cs_excl {
	CS_KEEP = 0,
	CS_EXCL_FREE,          /* "Free pages" (buddy and unaccepted) */
	CS_EXCL_CACHE,         /* "Non-private cache" */
	CS_EXCL_CACHE_PRIVATE, /* "Private cache" */
	CS_EXCL_USER,          /* "User process data" */
	CS_EXCL_HWPOISON,
	CS_EXCL_OFFLINE,
	CS_KEEP_UNVERIFIED,    /* a rule matched but its span cannot be trusted: keep, count */
	CS_EXCL_NR
};

struct cs_dl_decision {
	enum cs_excl what;
	/*
	 * Pages covered from this pfn: the excluded unit, or for CS_KEEP a
	 * compound page kept as a whole (its tails need no decoding). 1 for
	 * CS_KEEP_UNVERIFIED (the following pages are decided on their own).
	 */
	uint64_t span;
};

/*
 * First matching row of the dump-level table (filters/dump_level.c) for `level` (0..31). Pure.
 * Row 0 (tail) -> keep 1; 1 free buddy; 2 unaccepted; 3 non-private cache;
 * 4 any cache; 5 anon or hugetlb; 6 hwpoison; 7 offline; else keep.
 */
static inline struct cs_dl_decision cs_dump_level_apply(const struct cs_page_class *pc, int level)
{
	struct cs_dl_decision d = {CS_KEEP, 1};
	uint32_t c = pc->cond;
	uint64_t unit = (c & CS_PC_COMPOUND) ? 1ULL << pc->compound_order : 1;
	enum cs_excl what = CS_KEEP;

	if (c & CS_PC_TAIL)
		return d;
	if ((level & CS_DL_FREE) && (c & (CS_PC_BUDDY | CS_PC_BAD_BUDDY))) {
		if (c & CS_PC_BAD_BUDDY) {
			d.what = CS_KEEP_UNVERIFIED;
			return d;
		}
		d.what = CS_EXCL_FREE;
		d.span = 1ULL << pc->buddy_order;
		return d;
	}
	if ((level & CS_DL_FREE) && (c & (CS_PC_UNACCEPTED | CS_PC_BAD_UNACCEPTED))) {
		if (c & CS_PC_BAD_UNACCEPTED) {
			d.what = CS_KEEP_UNVERIFIED;
			return d;
		}
		d.what = CS_EXCL_FREE;
		d.span = 1ULL << pc->unaccepted_order;
		return d;
	}
	if ((level & CS_DL_CACHE) && (c & CS_PC_CACHE) && !(c & (CS_PC_PRIVATE | CS_PC_ANON)))
		what = CS_EXCL_CACHE;
	else if ((level & CS_DL_CACHE_PRI) && (c & CS_PC_CACHE) && !(c & CS_PC_ANON))
		what = (c & CS_PC_PRIVATE) ? CS_EXCL_CACHE_PRIVATE : CS_EXCL_CACHE;
	else if ((level & CS_DL_USER) && (c & (CS_PC_ANON | CS_PC_HUGETLB)))
		what = CS_EXCL_USER;
	else if (c & CS_PC_HWPOISON)
		what = CS_EXCL_HWPOISON;
	else if (c & CS_PC_OFFLINE)
		what = CS_EXCL_OFFLINE;

	if (what != CS_KEEP && (c & CS_PC_BAD_ORDER)) {
		/* makedumpfile would drop the head alone; we cannot size the unit: keep it. */
		d.what = CS_KEEP_UNVERIFIED;
		return d;
	}
	d.what = what;
	d.span = unit;
	return d;
}

/* Name of an exclusion class as in makedumpfile's report ("Free pages", ...). */
const char *cs_excl_name(enum cs_excl what);

#endif
