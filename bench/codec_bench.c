/* bench/codec_bench.c: per-page codec size and single-thread CPU time on the pages of a real dump. */
/*
 * Usage: build/bench/codec_bench DUMP [MAX_PAGES] [ROUNDS]
 *
 * DUMP is any input coresieve reads; the pages it holds data for (for a
 * kdump file: the pages its 2nd bitmap kept) are loaded into memory, all-zero
 * pages are dropped (dump level bit 1 stores them once), and every codec
 * variant compresses every page, ROUNDS times, on one thread. Reported:
 * the bytes a kdump file would hold for them (compressed size, or a full page
 * when the codec does not make it smaller) and the thread CPU time.
 * To get exactly makedumpfile's -d 31 page set: `coresieve -d 31 VMCORE SET`
 * (no codec) and pass SET. Built by bench/run.sh (or see the cc line there).
 */
#include "compress/codec.h"
#include "formats/kdump_codec.h"
#include "formats/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct variant {
	const char *label;
	const struct cs_codec *codec;
	int level;
};

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

int main(int argc, char **argv)
{
	const struct variant variants[] = {
		{"none (raw copy)", &cs_codec_none, 0},
#ifdef HAVE_LZO
		{"lzo (-l)", &cs_codec_lzo, 0},
#endif
#ifdef HAVE_SNAPPY
		{"snappy (-p)", &cs_codec_snappy, 0},
#endif
#ifdef HAVE_ZSTD
		{"zstd -5", &cs_codec_zstd, -5},
		{"zstd -3", &cs_codec_zstd, -3},
		{"zstd -1", &cs_codec_zstd, -1},
		{"zstd 1 (-z)", &cs_codec_zstd, 1},
		{"zstd 2", &cs_codec_zstd, 2},
		{"zstd 3", &cs_codec_zstd, 3},
#endif
#ifdef HAVE_ZLIB
		{"zlib 1 (zlib, = makedumpfile -c)", &cs_codec_zlib_zlib, 1},
		{"zlib 6 (zlib)", &cs_codec_zlib_zlib, 6},
#ifdef HAVE_LIBDEFLATE
		{"libdeflate 1", &cs_codec_zlib_libdeflate, 1},
		{"libdeflate 2", &cs_codec_zlib_libdeflate, 2},
		{"libdeflate 3", &cs_codec_zlib_libdeflate, 3},
		{"libdeflate 4", &cs_codec_zlib_libdeflate, 4},
		{"libdeflate 6", &cs_codec_zlib_libdeflate, 6},
#endif
#endif
	};
	const char *paths[1];
	struct cs_source src;
	struct cs_err err;
	size_t max_pages = argc > 2 ? strtoull(argv[2], NULL, 0) : 65536;
	int rounds = argc > 3 ? atoi(argv[3]) : 3;
	size_t npages = 0, nzero = 0, ps;
	uint8_t *pages, *out;
	uint64_t ref_bytes = 0;
	double ref_cpu = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DUMP [MAX_PAGES] [ROUNDS]\n", argv[0]);
		return 2;
	}
	paths[0] = argv[1];
	if (cs_source_open(&src, paths, 1, true, &err) != CS_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	ps = src.page_size;
	pages = malloc(max_pages * ps);
	out = malloc(2 * ps + 1024);
	if (!pages || !out)
		return 1;
	for (size_t r = 0; r < src.nr_ranges && npages < max_pages; r++)
		for (pfn_t p = src.ranges[r].start; p < src.ranges[r].data_end && npages < max_pages; p++) {
			if (!cs_source_has_data(&src, p))
				continue;
			if (src.ops->read_pages(&src, p, 1, pages + npages * ps, NULL, &err) != CS_OK)
				continue;
			if (is_zero(pages + npages * ps, ps))
				nzero++;
			else
				npages++;
		}
	cs_source_close(&src);
	printf("%s: %zu non-zero pages (%zu zero pages dropped), %d rounds, one thread\n", argv[1],
	       npages, nzero, rounds);
	uint64_t res_bytes[sizeof(variants) / sizeof(variants[0])];
	double res_cpu[sizeof(variants) / sizeof(variants[0])];
	size_t res_raw[sizeof(variants) / sizeof(variants[0])];
	for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
		const struct variant *va = &variants[v];
		void *st = va->codec->state_new(va->level ? va->level : va->codec->default_level);
		uint64_t bytes = 0;
		double best = 1e30;

		for (int r = 0; r < rounds; r++) {
			double t0 = thread_cpu(), t;
			uint64_t b = 0;
			size_t raw = 0;
			for (size_t i = 0; i < npages; i++) {
				const uint8_t *pg = pages + i * ps;
				size_t sz = cs_kdump_codec_flag(va->codec)
						    ? va->codec->compress(st, pg, ps, out, 2 * ps + 1024)
						    : 0;
				if (!sz) {
					memcpy(out, pg, ps);
					sz = ps;
					raw++;
				}
				b += sz;
			}
			t = thread_cpu() - t0;
			if (t < best)
				best = t;
			bytes = b;
			res_raw[v] = raw;
		}
		va->codec->state_free(st);
		res_bytes[v] = bytes;
		res_cpu[v] = best;
		if (va->codec == &cs_codec_zlib_zlib && va->level == 1) {
			ref_bytes = bytes;
			ref_cpu = best;
		}
	}
	printf("%-34s %14s %9s %10s %9s %9s %9s\n", "codec", "bytes", "vs zlib1", "cpu s", "MiB/s",
	       "vs zlib1", "raw");
	for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++)
		printf("%-34s %14" PRIu64 " %9.3f %10.3f %9.0f %9.2f %9zu\n", variants[v].label, res_bytes[v],
		       ref_bytes ? (double)res_bytes[v] / (double)ref_bytes : 0.0, res_cpu[v],
		       (double)npages * (double)ps / 1048576.0 / res_cpu[v],
		       ref_cpu ? res_cpu[v] / ref_cpu : 0.0, res_raw[v]);
	free(pages);
	free(out);
	return 0;
}
