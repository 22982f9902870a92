/* core/bitmap.h: pfn bitmaps (1 bit per pfn, LSB-first bytes as in the kdump format). */
#ifndef CS_BITMAP_H
#define CS_BITMAP_H

#include "core/types.h"
#include "core/error.h"

/*
 * Bit p is bit (p & 63) of words[p >> 6]; on little-endian machines the words
 * are exactly the on-disk kdump bitmap bytes (pfn p <-> byte p >> 3, bit p & 7).
 */
struct cs_bitmap {
	uint64_t *words;
	pfn_t nbits;
};

/* Allocate a zeroed bitmap of nbits bits (rounded up to whole words). */
cs_status cs_bitmap_init(struct cs_bitmap *bm, pfn_t nbits, struct cs_err *err);
void cs_bitmap_deinit(struct cs_bitmap *bm);
/* Bytes of storage (for memory budgets). */
size_t cs_bitmap_bytes(pfn_t nbits);

static inline bool cs_bitmap_test(const struct cs_bitmap *bm, pfn_t pfn)
{
	return pfn < bm->nbits && (bm->words[pfn >> 6] >> (pfn & 63)) & 1;
}
static inline void cs_bitmap_set(struct cs_bitmap *bm, pfn_t pfn)
{
	bm->words[pfn >> 6] |= 1ULL << (pfn & 63);
}
static inline void cs_bitmap_clear(struct cs_bitmap *bm, pfn_t pfn)
{
	bm->words[pfn >> 6] &= ~(1ULL << (pfn & 63));
}

/* Set / clear bits [start, end) (clamped to nbits). */
void cs_bitmap_set_range(struct cs_bitmap *bm, pfn_t start, pfn_t end);
void cs_bitmap_clear_range(struct cs_bitmap *bm, pfn_t start, pfn_t end);
/* Number of set bits in [start, end). */
uint64_t cs_bitmap_count(const struct cs_bitmap *bm, pfn_t start, pfn_t end);
/* First set bit >= from, or nbits if none. */
pfn_t cs_bitmap_next_set(const struct cs_bitmap *bm, pfn_t from);
/* First clear bit >= from, or nbits if none. */
pfn_t cs_bitmap_next_clear(const struct cs_bitmap *bm, pfn_t from);
/* dst &= src (same nbits). */
void cs_bitmap_and(struct cs_bitmap *dst, const struct cs_bitmap *src);

#endif
