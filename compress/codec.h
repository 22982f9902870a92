/* compress/codec.h: the page codec contract (none, zlib, lzo, snappy, zstd) and the lookup table. */
#ifndef CS_CODEC_H
#define CS_CODEC_H

#include "core/types.h"
#include "core/error.h"

/*
 * One codec = one thin adapter over a library. The pipeline gives each worker
 * its own state (state_new) so compress() needs no locking.
 *
 * compress(): compress n bytes (one page) from src into dst (cap bytes,
 *   cap >= bound(n)). Returns the compressed size, which is always < n, or 0
 *   when the page is incompressible or the library failed: the caller then
 *   stores the page raw.
 * decompress(): decode exactly page_size bytes into dst; any other result
 *   size is CS_ERR_CORRUPT. Thread-safe, no state.
 */
struct cs_codec {
	const char *name;    /* "none", "zlib", "lzo", "snappy", "zstd" */
	char cli_flag;       /* makedumpfile option letter: 'c','l','p','z'; 0 for none */
	int default_level;   /* used when the caller passes level 0 */
	int min_level, max_level; /* --compress-level range; both 0: no levels */
	size_t (*bound)(size_t page_size);
	void *(*state_new)(int level); /* NULL on out of memory */
	void (*state_free)(void *state); /* accepts NULL */
	size_t (*compress)(void *state, const void *src, size_t n, void *dst, size_t cap);
	/* Change the level of an existing state (--adapt); NULL: the codec cannot. */
	void (*set_level)(void *state, int level);
	cs_status (*decompress)(const void *src, size_t n, void *dst, size_t page_size,
				struct cs_err *err);
};

/* zstd's fastest level accepted by --compress-level (the library allows far lower, to no use). */
#define CS_ZSTD_MIN_LEVEL (-50)

/* The codecs this build has (none is always there). */
extern const struct cs_codec cs_codec_none;
#ifdef HAVE_ZLIB
extern const struct cs_codec cs_codec_zlib;
#endif
#ifdef HAVE_ZLIB
/* Both -c back ends, for tests and benchmarks; cs_codec_zlib is one of them. */
extern const struct cs_codec cs_codec_zlib_zlib;
#ifdef HAVE_LIBDEFLATE
extern const struct cs_codec cs_codec_zlib_libdeflate;
#endif
#endif
#ifdef HAVE_LZO
extern const struct cs_codec cs_codec_lzo;
#endif
#ifdef HAVE_SNAPPY
extern const struct cs_codec cs_codec_snappy;
#endif
#ifdef HAVE_ZSTD
extern const struct cs_codec cs_codec_zstd;
#endif

/* Lookups; NULL when the codec is unknown or not built in. */
const struct cs_codec *cs_codec_by_cli_flag(char flag);
const struct cs_codec *cs_codec_by_name(const char *name);

/*
 * The codec of a CLI letter (-c, -l, -p, -z; 0: none, *codec = NULL), resolved
 * once by the CLI: a letter this build has no library for is CS_ERR_NOTSUP
 * naming the library.
 */
cs_status cs_codec_for_cli_flag(char flag, const struct cs_codec **codec, struct cs_err *err);

/* All built codecs, NULL-terminated (for tests and `--help`). */
const struct cs_codec *const *cs_codec_list(void);

#endif
