/* core/endian.h: loads of little- and big-endian integers from unaligned bytes (dump data, headers, notes). */
#ifndef CS_ENDIAN_H
#define CS_ENDIAN_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

/* memcpy: the bytes need not be aligned (a struct page field, a note word, a stream header). */
static inline uint16_t cs_load_le16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static inline uint32_t cs_load_le32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static inline uint64_t cs_load_le64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

/* The flattened format's record headers are big-endian. */
static inline uint64_t cs_load_be64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}

#endif
