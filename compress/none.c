/* compress/none.c: the identity codec: every page is stored raw. */
#include "compress/codec.h"

#include <string.h>

static size_t none_bound(size_t page_size)
{
	return page_size;
}

static void *none_state_new(int level)
{
	(void)level;
	/* No state; a non-NULL token so callers can treat NULL as out of memory. */
	return (void *)&cs_codec_none;
}

static void none_state_free(void *state)
{
	(void)state;
}

static size_t none_compress(void *state, const void *src, size_t n, void *dst, size_t cap)
{
	(void)state, (void)src, (void)n, (void)dst, (void)cap;
	return 0; /* always "incompressible": the caller copies the page raw */
}

static cs_status none_decompress(const void *src, size_t n, void *dst, size_t page_size,
				 struct cs_err *err)
{
	if (n != page_size)
		return cs_err_set(err, CS_ERR_CORRUPT, "raw page of %zu bytes, expected %zu", n,
				  page_size);
	memcpy(dst, src, n);
	return CS_OK;
}

const struct cs_codec cs_codec_none = {
	.name = "none",
	.cli_flag = 0,
	.default_level = 0,
	.bound = none_bound,
	.state_new = none_state_new,
	.state_free = none_state_free,
	.compress = none_compress,
	.decompress = none_decompress,
};
