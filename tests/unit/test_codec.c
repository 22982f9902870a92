/* tests/unit/test_codec.c: codec round trips (random, zero, text, mixed pages), raw fallback, lookups, zlib back-end speed. */
#include "compress/codec.h"
#include "formats/kdump_codec.h"
#include "formats/kdump_format.h"
#include "tests/lib/tap.h"

#include <time.h>

#define PAGE 4096

static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

enum kind { K_ZERO, K_RANDOM, K_TEXT, K_HALF, K_CONST, K_SPARSE, K_NKINDS };
static const char *const kind_names[] = { "zero", "random", "text", "half-random", "constant",
					  "sparse" };

static const char *const words[] = {
	"struct", "page", "static", "int", "return", "mutex_lock", "spin_unlock", "kmalloc",
	"(", ")", "{", "}", ";", "->", "list_head", "if", "else", "\n\t", "NULL", "0x",
};

/* Pages shaped like kernel memory: zero, random, C-like text, half random, constant, sparse words. */
static void fill_page(uint8_t *p, enum kind k, uint64_t *seed)
{
	size_t i;

	switch (k) {
	case K_ZERO:
		memset(p, 0, PAGE);
		break;
	case K_RANDOM:
		for (i = 0; i < PAGE; i += 8) {
			uint64_t v = rng_next(seed);
			memcpy(p + i, &v, 8);
		}
		break;
	case K_TEXT:
		for (i = 0; i < PAGE;) {
			const char *w = words[rng_next(seed) % CS_ARRAY_SIZE(words)];
			size_t l = strlen(w);
			if (i + l + 1 > PAGE)
				l = PAGE - i - 1;
			memcpy(p + i, w, l);
			i += l;
			p[i++] = ' ';
		}
		break;
	case K_HALF:
		fill_page(p, K_RANDOM, seed);
		memset(p + PAGE / 2, 0, PAGE / 2);
		break;
	case K_CONST:
		memset(p, 0xa5, PAGE);
		break;
	case K_SPARSE:
		memset(p, 0, PAGE);
		for (i = 0; i < PAGE; i += 64) {
			uint64_t v = rng_next(seed) & 0xffff88800000ffffULL;
			memcpy(p + i, &v, 8);
		}
		break;
	default:
		break;
	}
}

static void round_trip(struct tap *t, const struct cs_codec *c, int level)
{
	uint8_t page[PAGE], back[PAGE];
	size_t cap = c->bound(PAGE);
	uint8_t *out = malloc(cap);
	void *st = c->state_new(level);
	uint64_t seed = 0x1234567 + (uint64_t)level;
	int k;

	ok(t, st != NULL && out != NULL, "%s level %d: state_new", c->name, level);
	if (!st || !out) {
		free(out);
		return;
	}
	for (k = 0; k < K_NKINDS; k++) {
		int rep, good = 1, raw_seen = 0;
		for (rep = 0; rep < 8; rep++) {
			struct cs_err err;
			size_t n;

			fill_page(page, (enum kind)k, &seed);
			memset(out, 0xee, cap);
			n = c->compress(st, page, PAGE, out, cap);
			if (n >= PAGE) {
				good = 0;
				break;
			}
			if (n == 0) { /* stored raw: the writer copies the page */
				raw_seen = 1;
				if (c->decompress(page, PAGE, back, PAGE, &err) == CS_OK &&
				    cs_kdump_codec_flag(c) == 0 && memcmp(back, page, PAGE)) {
					good = 0;
					break;
				}
				continue;
			}
			memset(back, 0x5a, PAGE);
			if (c->decompress(out, n, back, PAGE, &err) != CS_OK ||
			    memcmp(back, page, PAGE)) {
				printf("# %s: %s\n", c->name, err.msg);
				good = 0;
				break;
			}
			/* The format-level decoder dispatches on the page flag. */
			memset(back, 0x5a, PAGE);
			if (cs_kdump_decode_page(cs_kdump_codec_flag(c), out, n, back, PAGE, &err) != CS_OK ||
			    memcmp(back, page, PAGE)) {
				good = 0;
				break;
			}
		}
		ok(t, good, "%s level %d: %s pages round-trip", c->name, level, kind_names[k]);
		if (k == K_RANDOM)
			ok(t, raw_seen, "%s: random pages fall back to raw", c->name);
		if (k == K_ZERO && cs_kdump_codec_flag(c))
			ok(t, !raw_seen, "%s: zero pages compress", c->name);
	}
	/* A truncated or garbled stream is an error, never a short page. */
	if (cs_kdump_codec_flag(c)) {
		struct cs_err err;
		size_t n;
		fill_page(page, K_TEXT, &seed);
		n = c->compress(st, page, PAGE, out, cap);
		ok(t, n > 0 && c->decompress(out, n / 2, back, PAGE, &err) != CS_OK,
		   "%s: truncated page is rejected", c->name);
		ok(t, n > 0 && c->decompress(out, n, back, PAGE / 2, &err) != CS_OK,
		   "%s: wrong page size is rejected", c->name);
	}
	c->state_free(st);
	free(out);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Speed and size of one codec over a realistic mix (30% zero, 30% text, 20% random, 20% half). */
static void measure(const struct cs_codec *c, const char *label, const uint8_t *pages,
		    size_t npages, double *secs, size_t *bytes)
{
	size_t cap = c->bound(PAGE), total = 0;
	uint8_t *out = malloc(cap);
	void *st = c->state_new(0);
	double t0 = now();

	for (size_t i = 0; i < npages; i++) {
		size_t n = c->compress(st, pages + i * PAGE, PAGE, out, cap);
		total += n ? n : PAGE;
	}
	*secs = now() - t0;
	*bytes = total;
	printf("# %-16s %6.1f MiB/s, %zu bytes for %zu pages\n", label,
	       npages * (double)PAGE / *secs / (1 << 20), total, npages);
	c->state_free(st);
	free(out);
}

int main(void)
{
	struct tap t = { 0 };
	const struct cs_codec *const *list = cs_codec_list();

	for (size_t i = 0; list[i]; i++) {
		round_trip(&t, list[i], 0);
		if (cs_kdump_codec_flag(list[i]) == CS_DUMP_DH_COMPRESSED_ZLIB ||
		    cs_kdump_codec_flag(list[i]) == CS_DUMP_DH_COMPRESSED_ZSTD)
			round_trip(&t, list[i], 3);
	}
#ifdef HAVE_ZLIB
	round_trip(&t, &cs_codec_zlib_zlib, 0);
#endif
	ok(&t, cs_codec_by_cli_flag(0) == &cs_codec_none, "lookup none by flag 0");
	ok(&t, cs_kdump_codec_by_flag(0) == &cs_codec_none, "lookup none by kdump flag");
	ok(&t, cs_codec_by_name("none") == &cs_codec_none, "lookup none by name");
	ok(&t, cs_codec_by_name("lz4") == NULL, "unknown codec name");
#ifdef HAVE_LZO
	ok(&t, cs_codec_by_cli_flag('l') == &cs_codec_lzo, "lookup -l");
	ok(&t, cs_kdump_codec_by_flag(CS_DUMP_DH_COMPRESSED_LZO) == &cs_codec_lzo, "lookup lzo flag");
#endif
#ifdef HAVE_ZSTD
	ok(&t, cs_codec_by_cli_flag('z') == &cs_codec_zstd, "lookup -z");
#endif
	{
		const struct cs_codec *c = &cs_codec_none;
		struct cs_err err;

		cs_err_clear(&err);
		ok(&t, cs_codec_for_cli_flag(0, &c, &err) == CS_OK && c == NULL, "no letter: no codec");
		ok(&t, cs_codec_for_cli_flag('x', &c, &err) == CS_ERR_ARGS, "x is not a codec letter");
#ifdef HAVE_ZLIB
		ok(&t, cs_codec_for_cli_flag('c', &c, &err) == CS_OK && c == &cs_codec_zlib, "-c resolves to zlib");
#else
		ok(&t, cs_codec_for_cli_flag('c', &c, &err) == CS_ERR_NOTSUP && strstr(err.msg, "zlib"),
		   "-c without zlib names the library");
#endif
	}
	{
		struct cs_err err;
		uint8_t a[PAGE] = { 0 }, b[PAGE];
		ok(&t, cs_kdump_decode_page(0, a, PAGE, b, PAGE, &err) == CS_OK, "raw page decodes");
		ok(&t, cs_kdump_decode_page(0, a, 100, b, PAGE, &err) == CS_ERR_CORRUPT,
		   "short raw page is corrupt");
		ok(&t, cs_kdump_decode_page(0x40, a, 100, b, PAGE, &err) == CS_ERR_CORRUPT,
		   "unknown flag is corrupt");
	}

#ifdef HAVE_ZLIB
	{
		/* zlib back ends on a realistic mix: the choice in compress/zlib.c rests on this. */
		size_t npages = 4096;
		uint8_t *pages = malloc(npages * PAGE);
		uint64_t seed = 42;
		double s_z, s_ld;
		size_t b_z, b_ld;

		for (size_t i = 0; i < npages; i++) {
			unsigned r = i % 10;
			enum kind k = r < 3 ? K_ZERO : r < 6 ? K_TEXT : r < 8 ? K_RANDOM : K_HALF;
			fill_page(pages + i * PAGE, k, &seed);
		}
		measure(&cs_codec_zlib_zlib, "zlib deflate -1", pages, npages, &s_z, &b_z);
#ifdef HAVE_LIBDEFLATE
		measure(&cs_codec_zlib_libdeflate, "libdeflate -1", pages, npages, &s_ld, &b_ld);
		{
			/* libdeflate's output must decode with zlib's uncompress(). */
			void *st = cs_codec_zlib_libdeflate.state_new(0);
			uint8_t out[PAGE + 64], back[PAGE];
			int good = 1;
			for (size_t i = 0; i < npages; i++) {
				struct cs_err err;
				size_t n = cs_codec_zlib_libdeflate.compress(st, pages + i * PAGE, PAGE, out, sizeof(out));
				if (n && (cs_codec_zlib_zlib.decompress(out, n, back, PAGE, &err) != CS_OK ||
					  memcmp(back, pages + i * PAGE, PAGE)))
					good = 0;
			}
			cs_codec_zlib_libdeflate.state_free(st);
			ok(&t, good, "libdeflate zlib output decodes with uncompress()");
		}
#else
		(void)s_ld, (void)b_ld;
#endif
		free(pages);
	}
	for (size_t i = 0; list[i]; i++) {
		size_t npages = 2048;
		uint8_t *pages = malloc(npages * PAGE);
		uint64_t seed = 7;
		double s;
		size_t b;
		for (size_t j = 0; j < npages; j++) {
			unsigned r = j % 10;
			fill_page(pages + j * PAGE, r < 3 ? K_ZERO : r < 6 ? K_TEXT : r < 8 ? K_RANDOM : K_HALF, &seed);
		}
		measure(list[i], list[i]->name, pages, npages, &s, &b);
		free(pages);
	}
#endif
	return tap_done(&t);
}
