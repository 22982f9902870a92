/* tests/lib/rand.h: one deterministic pseudo-random generator for the unit tests (xorshift64). */
#ifndef CS_TEST_RAND_H
#define CS_TEST_RAND_H

#include <stdint.h>

/* The next value of the state *s (never 0 unless seeded with 0). */
static inline uint64_t test_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#endif
