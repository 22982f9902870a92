/* compress/snappy.c: the -p codec: raw (unframed) snappy blocks. */
#include "compress/codec.h"

#ifdef HAVE_SNAPPY
#include <snappy-c.h>

static size_t sn_bound(size_t page_size)
{
	return snappy_max_compressed_length(page_size);
}

static void *sn_state_new(int level)
{
	(void)level;
	/* snappy keeps no caller-visible state; a non-NULL token. */
	return (void *)&cs_codec_snappy;
}

static void sn_state_free(void *state)
{
	(void)state;
}

static size_t sn_compress(void *state, const void *src, size_t n, void *dst, size_t cap)
{
	size_t out = cap;

	(void)state;
	if (snappy_compress(src, n, dst, &out) != SNAPPY_OK)
		return 0;
	return out < n ? out : 0;
}

static cs_status sn_decompress(const void *src, size_t n, void *dst, size_t page_size,
			       struct cs_err *err)
{
	size_t out;

	if (snappy_uncompressed_length(src, n, &out) != SNAPPY_OK || out != page_size)
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "snappy: page of %zu bytes does not decode to %zu bytes", n,
				  page_size);
	if (snappy_uncompress(src, n, dst, &out) != SNAPPY_OK || out != page_size)
		return cs_err_set(err, CS_ERR_CORRUPT, "snappy: cannot decompress %zu bytes", n);
	return CS_OK;
}

const struct cs_codec cs_codec_snappy = {
	.name = "snappy",
	.cli_flag = 'p',
	.default_level = 0,
	.bound = sn_bound,
	.state_new = sn_state_new,
	.state_free = sn_state_free,
	.compress = sn_compress,
	.decompress = sn_decompress,
};

#else
typedef int cs_snappy_not_built;
#endif
