/* compress/zlib.c: the -c codec: zlib (RFC 1950) pages, via libdeflate when built, else zlib's deflate. */
#include "compress/codec.h"

#ifdef HAVE_ZLIB
#include <stdlib.h>
#include <zlib.h>
#ifdef HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif

/*
 * Two compressors produce the RFC 1950 stream readers decode with
 * uncompress() (makedumpfile, crash, libkdumpfile):
 *  - zlib's deflate at level 1 with one z_stream per worker, reset per page
 *    (makedumpfile@aa5ee50 measured ~30% from reusing the stream); its output
 *    is byte-identical to makedumpfile -c.
 *  - libdeflate's zlib compressor: the default when built. Define
 *    CS_ZLIB_PREFER_ZLIB to get makedumpfile's exact bytes instead.
 *
 * The libdeflate level (LIBDEFLATE_DEFAULT_LEVEL, used unless
 * --compress-level says otherwise) is 2, from bench/codec_bench on the pages
 * makedumpfile -d 31 keeps of a real Debian 6.1 dump (15685 non-zero pages,
 * one thread; docs/performance.md):
 *     zlib 1 (makedumpfile)  1.000x bytes  1.00x CPU
 *     libdeflate 1           1.024x bytes  0.45x CPU
 *     libdeflate 2           0.969x bytes  0.66x CPU
 *     libdeflate 3           0.968x bytes  0.69x CPU
 *     libdeflate 6           0.940x bytes  0.91x CPU
 * Level 1 would make -c dumps larger than makedumpfile's; level 2 makes them
 * 3% smaller and still costs a third less CPU (libdeflate spends ~10 us per
 * call on setup, a large share for a 4 KiB page, so the gap to zlib is
 * smaller than on big buffers). Level 3 buys nothing more on real pages.
 */
#define LIBDEFLATE_DEFAULT_LEVEL 2

/* One table row per back end: both write RFC 1950 streams that zlib's uncompress() reads. */
#define ZLIB_CODEC(level, maxlevel, impl)                                                  \
	{                                                                                  \
		.name = "zlib", .cli_flag = 'c',                                          \
		.default_level = (level), .min_level = 1, .max_level = (maxlevel),            \
		.bound = zlib_bound, .state_new = impl##_state_new,                           \
		.state_free = impl##_state_free, .compress = impl##_compress,                 \
		.decompress = zlib_decompress,                                              \
	}

struct zlib_state {
	z_stream zs;
	int level;
};

static size_t zlib_bound(size_t page_size)
{
	return compressBound(page_size);
}

static void *zz_state_new(int level)
{
	struct zlib_state *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->level = level ? level : Z_BEST_SPEED;
	if (deflateInit(&s->zs, s->level) != Z_OK) {
		free(s);
		return NULL;
	}
	return s;
}

static void zz_state_free(void *state)
{
	struct zlib_state *s = state;

	if (!s)
		return;
	deflateEnd(&s->zs);
	free(s);
}

static size_t zz_compress(void *state, const void *src, size_t n, void *dst, size_t cap)
{
	struct zlib_state *s = state;
	int rc;

	if (deflateReset(&s->zs) != Z_OK)
		return 0;
	s->zs.next_in = (Bytef *)src;
	s->zs.avail_in = (uInt)n;
	s->zs.next_out = dst;
	/* Output of n bytes or more is stored raw anyway: stop deflate early. */
	s->zs.avail_out = (uInt)(cap < n ? cap : n - 1);
	rc = deflate(&s->zs, Z_FINISH);
	if (rc != Z_STREAM_END)
		return 0;
	return s->zs.total_out < n ? s->zs.total_out : 0;
}

static cs_status zlib_decompress(const void *src, size_t n, void *dst, size_t page_size,
				 struct cs_err *err)
{
	uLongf out = page_size;
	int rc = uncompress(dst, &out, src, n);

	if (rc != Z_OK)
		return cs_err_set(err, CS_ERR_CORRUPT, "zlib: cannot decompress %zu bytes: %s", n,
				  zError(rc));
	if (out != page_size)
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "zlib: page decompressed to %lu bytes, expected %zu",
				  (unsigned long)out, page_size);
	return CS_OK;
}

#ifdef HAVE_LIBDEFLATE
static void *ld_state_new(int level)
{
	return libdeflate_alloc_compressor(level ? level : LIBDEFLATE_DEFAULT_LEVEL);
}

static void ld_state_free(void *state)
{
	if (state)
		libdeflate_free_compressor(state);
}

static size_t ld_compress(void *state, const void *src, size_t n, void *dst, size_t cap)
{
	/* libdeflate returns 0 when the output does not fit: exactly "store raw". */
	return libdeflate_zlib_compress(state, src, n, dst, cap < n ? cap : n - 1);
}

const struct cs_codec cs_codec_zlib_libdeflate = ZLIB_CODEC(LIBDEFLATE_DEFAULT_LEVEL, 12, ld);
#endif

const struct cs_codec cs_codec_zlib_zlib = ZLIB_CODEC(1, 9, zz);

#if defined(HAVE_LIBDEFLATE) && !defined(CS_ZLIB_PREFER_ZLIB)
const struct cs_codec cs_codec_zlib = ZLIB_CODEC(LIBDEFLATE_DEFAULT_LEVEL, 12, ld);
#else
const struct cs_codec cs_codec_zlib = ZLIB_CODEC(1, 9, zz);
#endif

#else
typedef int cs_zlib_not_built;
#endif
