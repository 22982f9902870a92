/* core/bitmap.c: pfn bitmap ranges, counts and searches, a 64-bit word at a time. */
#include "core/bitmap.h"

#include <stdlib.h>
#include <string.h>

size_t cs_bitmap_bytes(pfn_t nbits)
{
	return (size_t)((nbits + 63) / 64) * 8;
}

cs_status cs_bitmap_init_window(struct cs_bitmap *bm, pfn_t first, pfn_t end, struct cs_err *err)
{
	size_t bytes = cs_bitmap_bytes(end - first);

	bm->words = calloc(1, bytes ? bytes : 8);
	if (!bm->words)
		return cs_err_set(err, CS_ERR_NOMEM, "cannot allocate a bitmap of %" PRIu64 " bits",
				  end - first);
	bm->first = first;
	bm->nbits = end;
	return CS_OK;
}

cs_status cs_bitmap_init(struct cs_bitmap *bm, pfn_t nbits, struct cs_err *err)
{
	return cs_bitmap_init_window(bm, 0, nbits, err);
}

void cs_bitmap_move_window(struct cs_bitmap *bm, pfn_t first, pfn_t end)
{
	memset(bm->words, 0, cs_bitmap_bytes(end - first));
	bm->first = first;
	bm->nbits = end;
}

void cs_bitmap_deinit(struct cs_bitmap *bm)
{
	free(bm->words);
	bm->words = NULL;
	bm->first = 0;
	bm->nbits = 0;
}

/* Apply op to the bits [start, end): mask whole words in the middle. */
static void range_op(struct cs_bitmap *bm, pfn_t start, pfn_t end, bool set)
{
	if (end > bm->nbits)
		end = bm->nbits;
	if (start < bm->first)
		start = bm->first;
	while (start < end) {
		uint64_t w = (start - bm->first) >> 6;
		unsigned lo = start & 63;
		uint64_t n = CS_MIN(64 - lo, end - start);
		uint64_t mask = (n == 64 ? ~0ULL : ((1ULL << n) - 1)) << lo;

		if (set)
			bm->words[w] |= mask;
		else
			bm->words[w] &= ~mask;
		start += n;
	}
}

void cs_bitmap_set_range(struct cs_bitmap *bm, pfn_t start, pfn_t end)
{
	range_op(bm, start, end, true);
}

void cs_bitmap_clear_range(struct cs_bitmap *bm, pfn_t start, pfn_t end)
{
	range_op(bm, start, end, false);
}

uint64_t cs_bitmap_count(const struct cs_bitmap *bm, pfn_t start, pfn_t end)
{
	uint64_t count = 0;

	if (end > bm->nbits)
		end = bm->nbits;
	if (start < bm->first)
		start = bm->first;
	while (start < end) {
		uint64_t w = (start - bm->first) >> 6;
		unsigned lo = start & 63;
		uint64_t n = CS_MIN(64 - lo, end - start);
		uint64_t mask = (n == 64 ? ~0ULL : ((1ULL << n) - 1)) << lo;

		count += (uint64_t)__builtin_popcountll(bm->words[w] & mask);
		start += n;
	}
	return count;
}

static pfn_t next_bit(const struct cs_bitmap *bm, pfn_t from, uint64_t invert)
{
	if (from < bm->first)
		from = bm->first;
	if (from >= bm->nbits)
		return bm->nbits;
	uint64_t w = (from - bm->first) >> 6;
	uint64_t word = (bm->words[w] ^ invert) & (~0ULL << (from & 63));
	uint64_t nwords = (bm->nbits - bm->first + 63) / 64;

	for (;;) {
		if (word) {
			pfn_t pfn = bm->first + (w << 6) + (pfn_t)__builtin_ctzll(word);
			return pfn < bm->nbits ? pfn : bm->nbits;
		}
		if (++w >= nwords)
			return bm->nbits;
		word = bm->words[w] ^ invert;
	}
}

pfn_t cs_bitmap_next_set(const struct cs_bitmap *bm, pfn_t from)
{
	return next_bit(bm, from, 0);
}

pfn_t cs_bitmap_next_clear(const struct cs_bitmap *bm, pfn_t from)
{
	return next_bit(bm, from, ~0ULL);
}

void cs_bitmap_and(struct cs_bitmap *dst, const struct cs_bitmap *src)
{
	uint64_t nwords = (dst->nbits - dst->first + 63) / 64;

	for (uint64_t i = 0; i < nwords; i++) {
		pfn_t pfn = dst->first + (i << 6);
		/* src->first is a multiple of 64 too: whole words line up. */
		if (pfn >= src->first && pfn < src->nbits)
			dst->words[i] &= src->words[(pfn - src->first) >> 6];
		else
			dst->words[i] = 0;
	}
}
