/* compress/zstd.c: the -z codec: one zstd frame per page (content size in the frame), a CCtx per worker. */
#include "compress/codec.h"

#ifdef HAVE_ZSTD
#include <zstd.h>

struct zstd_state {
	ZSTD_CCtx *cctx;
	int level;
};

#include <stdlib.h>

static size_t zs_bound(size_t page_size)
{
	return ZSTD_compressBound(page_size);
}

static void *zs_state_new(int level)
{
	struct zstd_state *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cctx = ZSTD_createCCtx();
	if (!s->cctx) {
		free(s);
		return NULL;
	}
	s->level = level ? level : 1;
	return s;
}

static void zs_state_free(void *state)
{
	struct zstd_state *s = state;

	if (!s)
		return;
	ZSTD_freeCCtx(s->cctx);
	free(s);
}

static size_t zs_compress(void *state, const void *src, size_t n, void *dst, size_t cap)
{
	struct zstd_state *s = state;
	/* A frame as makedumpfile writes it: ZSTD_compressCCtx, content size present. */
	size_t out = ZSTD_compressCCtx(s->cctx, dst, cap < n ? cap : n - 1, src, n, s->level);

	if (ZSTD_isError(out))
		return 0; /* dstSize_tooSmall: incompressible */
	return out < n ? out : 0;
}

/* ZSTD_compressCCtx takes the level per call: a new level costs nothing. */
static void zs_set_level(void *state, int level)
{
	((struct zstd_state *)state)->level = level;
}

static cs_status zs_decompress(const void *src, size_t n, void *dst, size_t page_size,
			       struct cs_err *err)
{
	size_t out = ZSTD_decompress(dst, page_size, src, n);

	if (ZSTD_isError(out))
		return cs_err_set(err, CS_ERR_CORRUPT, "zstd: cannot decompress %zu bytes: %s", n,
				  ZSTD_getErrorName(out));
	if (out != page_size)
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "zstd: page decompressed to %zu bytes, expected %zu", out,
				  page_size);
	return CS_OK;
}

const struct cs_codec cs_codec_zstd = {
	.name = "zstd",
	.cli_flag = 'z',
	.default_level = 1,
	/* Negative levels are zstd's fast modes (zstd --fast=N): less CPU, larger output. */
	.min_level = CS_ZSTD_MIN_LEVEL,
	.max_level = 22,
	.bound = zs_bound,
	.state_new = zs_state_new,
	.state_free = zs_state_free,
	.compress = zs_compress,
	.set_level = zs_set_level,
	.decompress = zs_decompress,
};

#else
typedef int cs_zstd_not_built;
#endif
