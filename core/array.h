/* core/array.h: room for one more element in a malloc'ed array that doubles as it grows. */
#ifndef CS_ARRAY_H
#define CS_ARRAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * arrp is a T ** holding n elements of elsz bytes in room for *cap: make room
 * for one more (doubling, 16 at first). False: out of memory, *arrp unchanged.
 * The pointer is copied through memcpy, not read as a void * (strict aliasing).
 */
static inline bool cs_array_grow(void *arrp, size_t n, size_t *cap, size_t elsz)
{
	void *old, *na;
	size_t ncap;

	if (n < *cap)
		return true;
	ncap = *cap ? 2 * *cap : 16;
	if (ncap > SIZE_MAX / elsz)
		return false;
	memcpy(&old, arrp, sizeof(old));
	if (!(na = realloc(old, ncap * elsz)))
		return false;
	memcpy(arrp, &na, sizeof(na));
	*cap = ncap;
	return true;
}

#endif
