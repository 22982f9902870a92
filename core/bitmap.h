/* core/bitmap.h: pfn bitmaps (1 bit per pfn, LSB-first bytes as in the kdump format), whole or one window. */
#ifndef CS_BITMAP_H
#define CS_BITMAP_H

#include "core/types.h"
#include "core/error.h"

/*
 * The bitmap of pfns [0, nbits). A window (cyclic mode, engine/job.c) stores
 * only the bits [first, nbits); bits outside it read as clear and must not
 * be set. first is a multiple of 64, so word i holds the pfns
 * first + 64 i .. first + 64 i + 63: bit p is bit (p & 63) of
 * words[(p - first) >> 6]. On little-endian machines the words are exactly
 * the on-disk kdump bitmap bytes from byte first / 8 on (pfn p <-> byte
 * p >> 3, bit p & 7).
 */
struct cs_bitmap {
	uint64_t *words;
	pfn_t first;
	pfn_t nbits;
};

/* Allocate a zeroed bitmap of nbits bits (rounded up to whole words). */
cs_status cs_bitmap_init(struct cs_bitmap *bm, pfn_t nbits, struct cs_err *err);
/* Allocate a zeroed window [first, end) (first a multiple of 64, first <= end). */
cs_status cs_bitmap_init_window(struct cs_bitmap *bm, pfn_t first, pfn_t end, struct cs_err *err);
/*
 * Move a window to [first, end), clearing it, without allocating: the new
 * window must be no longer than the one allocated by cs_bitmap_init_window.
 */
void cs_bitmap_move_window(struct cs_bitmap *bm, pfn_t first, pfn_t end);
void cs_bitmap_deinit(struct cs_bitmap *bm);
/* Bytes of storage for nbits bits (for memory budgets). */
size_t cs_bitmap_bytes(pfn_t nbits);

static inline bool cs_bitmap_test(const struct cs_bitmap *bm, pfn_t pfn)
{
	return pfn >= bm->first && pfn < bm->nbits &&
	       (bm->words[(pfn - bm->first) >> 6] >> (pfn & 63)) & 1;
}
/* pfn must lie in [first, nbits). */
static inline void cs_bitmap_set(struct cs_bitmap *bm, pfn_t pfn)
{
	bm->words[(pfn - bm->first) >> 6] |= 1ULL << (pfn & 63);
}
static inline void cs_bitmap_clear(struct cs_bitmap *bm, pfn_t pfn)
{
	bm->words[(pfn - bm->first) >> 6] &= ~(1ULL << (pfn & 63));
}

/* Set / clear bits [start, end) (clamped to [first, nbits)). */
void cs_bitmap_set_range(struct cs_bitmap *bm, pfn_t start, pfn_t end);
void cs_bitmap_clear_range(struct cs_bitmap *bm, pfn_t start, pfn_t end);
/* Number of set bits in [start, end). */
uint64_t cs_bitmap_count(const struct cs_bitmap *bm, pfn_t start, pfn_t end);
/* First set bit >= from (and >= first), or nbits if none. */
pfn_t cs_bitmap_next_set(const struct cs_bitmap *bm, pfn_t from);
/* First clear bit >= from (and >= first), or nbits if none. */
pfn_t cs_bitmap_next_clear(const struct cs_bitmap *bm, pfn_t from);
/* dst &= src over dst's bits; src's bits outside its own window count as clear. */
void cs_bitmap_and(struct cs_bitmap *dst, const struct cs_bitmap *src);

#endif
