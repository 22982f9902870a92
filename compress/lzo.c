/* compress/lzo.c: the -l codec: LZO1X-1 pages with a per-worker work memory. */
#include "compress/codec.h"

#ifdef HAVE_LZO
#include <stdlib.h>
#include <lzo/lzo1x.h>

static size_t lzo_bound(size_t page_size)
{
	/* The worst-case expansion documented for LZO1X. */
	return page_size + page_size / 16 + 64 + 3;
}

static void *lzo_state_new(int level)
{
	(void)level; /* LZO1X-1 has no levels */
	/* lzo_init() only checks the build configuration; it is idempotent. */
	if (lzo_init() != LZO_E_OK)
		return NULL;
	return malloc(LZO1X_1_MEM_COMPRESS);
}

static void lzo_state_free(void *state)
{
	free(state);
}

static size_t lzo_compress(void *state, const void *src, size_t n, void *dst, size_t cap)
{
	lzo_uint out = cap;

	if (lzo1x_1_compress(src, n, dst, &out, state) != LZO_E_OK)
		return 0;
	return out < n ? out : 0;
}

static cs_status lzo_decompress(const void *src, size_t n, void *dst, size_t page_size,
				struct cs_err *err)
{
	lzo_uint out = page_size;
	int rc = lzo1x_decompress_safe(src, n, dst, &out, NULL);

	if (rc != LZO_E_OK)
		return cs_err_set(err, CS_ERR_CORRUPT, "lzo: cannot decompress %zu bytes: error %d",
				  n, rc);
	if (out != page_size)
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "lzo: page decompressed to %lu bytes, expected %zu",
				  (unsigned long)out, page_size);
	return CS_OK;
}

const struct cs_codec cs_codec_lzo = {
	.name = "lzo",
	.cli_flag = 'l',
	.default_level = 0,
	.bound = lzo_bound,
	.state_new = lzo_state_new,
	.state_free = lzo_state_free,
	.compress = lzo_compress,
	.decompress = lzo_decompress,
};

#else
typedef int cs_lzo_not_built;
#endif
