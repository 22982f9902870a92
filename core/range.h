/* core/range.h: binary search over arrays sorted by a uint64_t start key (extents, ranges, files). */
#ifndef CS_RANGE_H
#define CS_RANGE_H

#include "core/types.h"

#include <stddef.h>
#include <string.h>

/*
 * How many of the n elements (stride bytes each, base sorted by the uint64_t
 * at key_off) have a key <= x: the element holding x, if any, is the one
 * before that index.
 */
static inline size_t cs_upper_bound(const void *base, size_t n, size_t stride, size_t key_off,
				    uint64_t x)
{
	const char *b = base;
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t key;

		memcpy(&key, b + mid * stride + key_off, sizeof(key));
		if (key <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* cs_upper_bound over arr[0..n) by its member `field` (8 bytes, or the build fails). */
#define CS_UPPER_BOUND(arr, n, field, x)                                                   \
	((void)sizeof(char[sizeof((arr)->field) == sizeof(uint64_t) ? 1 : -1]),              \
	 cs_upper_bound((arr), (n), sizeof(*(arr)), offsetof(__typeof__(*(arr)), field), (x)))

#endif
