/* core/bitmap.c: pfn bitmap ranges, counts and searches, a 64-bit word at a time. */
#include "core/bitmap.h"

#include <stdlib.h>
#include <string.h>

size_t cs_bitmap_bytes(pfn_t nbits)
{
	return (size_t)((nbits + 63) / 64) * 8;
}

cs_status cs_bitmap_init(struct cs_bitmap *bm, pfn_t nbits, struct cs_err *err)
{
	size_t bytes = cs_bitmap_bytes(nbits);

	bm->words = calloc(1, bytes ? bytes : 8);
	if (!bm->words)
		return cs_err_set(err, CS_ERR_NOMEM, "cannot allocate a bitmap of %" PRIu64 " bits", nbits);
	bm->nbits = nbits;
	return CS_OK;
}

void cs_bitmap_deinit(struct cs_bitmap *bm)
{
	free(bm->words);
	bm->words = NULL;
	bm->nbits = 0;
}

/* Apply op to the bits [start, end): mask whole words in the middle. */
static void range_op(struct cs_bitmap *bm, pfn_t start, pfn_t end, bool set)
{
	if (end > bm->nbits)
		end = bm->nbits;
	while (start < end) {
		uint64_t w = start >> 6;
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
	while (start < end) {
		uint64_t w = start >> 6;
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
	if (from >= bm->nbits)
		return bm->nbits;
	uint64_t w = from >> 6;
	uint64_t word = (bm->words[w] ^ invert) & (~0ULL << (from & 63));
	uint64_t nwords = (bm->nbits + 63) / 64;

	for (;;) {
		if (word) {
			pfn_t pfn = (w << 6) + (pfn_t)__builtin_ctzll(word);
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
	uint64_t nwords = (CS_MIN(dst->nbits, src->nbits) + 63) / 64;

	for (uint64_t i = 0; i < nwords; i++)
		dst->words[i] &= src->words[i];
}
