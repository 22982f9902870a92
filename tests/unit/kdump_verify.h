/* tests/unit/kdump_verify.h: a tiny independent kdump-compressed reader for the writer and pipeline tests. */
#ifndef CS_TEST_KDUMP_VERIFY_H
#define CS_TEST_KDUMP_VERIFY_H

#include "compress/codec.h"
#include "formats/kdump_codec.h"
#include "formats/kdump_format.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Expected content of pfn into buf; return 0 if the pfn is not expected to be dumpable. */
typedef int (*kv_expect_fn)(void *arg, uint64_t pfn, uint8_t *buf);

/* Read a whole file into memory (NULL on error). */
static inline uint8_t *kv_slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	struct stat stb;
	uint8_t *buf;
	size_t got = 0;

	*len = 0;
	if (fd < 0 || fstat(fd, &stb) < 0)
		return NULL;
	buf = malloc(stb.st_size ? (size_t)stb.st_size : 1);
	while (buf && got < (size_t)stb.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)stb.st_size - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return buf;
}

/*
 * Check a kdump file: every pfn set in its 2nd bitmap must be expected and
 * decode to the expected bytes; every expected pfn must be set. Returns the
 * number of problems (0 = good), printing the first few as TAP comments.
 */
static inline int kv_verify(const char *path, uint64_t max_pfn, kv_expect_fn expect, void *arg,
			    uint64_t *zero_shared)
{
	size_t len;
	uint8_t *f = kv_slurp(path, &len);
	struct cs_disk_dump_header dh;
	struct cs_kdump_sub_header sh;
	int bad = 0;

	if (!f || len < 2 * 4096) {
		printf("# %s: cannot read\n", path);
		free(f);
		return 1;
	}
	memcpy(&dh, f, sizeof(dh));
	uint32_t bs = (uint32_t)dh.block_size;
	memcpy(&sh, f + bs, sizeof(sh));
	uint64_t max_mapnr = sh.max_mapnr_64;
	uint64_t half = (uint64_t)dh.bitmap_blocks * bs / 2;
	const uint8_t *bm1 = f + (uint64_t)(1 + dh.sub_hdr_size) * bs;
	const uint8_t *bm2 = bm1 + half;
	uint64_t pd_off = (uint64_t)(1 + dh.sub_hdr_size + dh.bitmap_blocks) * bs;
	uint8_t *want = malloc(bs), *got = malloc(bs);
	uint64_t rank = 0, zeros = 0, data_start;
	uint64_t ndump = 0;

	for (uint64_t p = 0; p < max_mapnr; p++)
		ndump += (bm2[p >> 3] >> (p & 7)) & 1;
	data_start = pd_off + ndump * sizeof(struct cs_page_desc);
	for (uint64_t p = 0; p < max_mapnr || p < max_pfn; p++) {
		int set = p < max_mapnr && ((bm2[p >> 3] >> (p & 7)) & 1);
		int exp = expect(arg, p, want);
		struct cs_page_desc pd;
		struct cs_err err;

		if (set && !((bm1[p >> 3] >> (p & 7)) & 1)) {
			if (bad++ < 5)
				printf("# pfn 0x%" PRIx64 " dumpable but not present\n", p);
		}
		if (set != exp) {
			if (bad++ < 5)
				printf("# pfn 0x%" PRIx64 ": bitmap %d, expected %d\n", p, set, exp);
			if (set)
				rank++;
			continue;
		}
		if (!set)
			continue;
		memcpy(&pd, f + pd_off + rank * sizeof(pd), sizeof(pd));
		rank++;
		if (pd.offset == (int64_t)data_start && pd.size == bs && pd.flags == 0)
			zeros++;
		if (pd.offset <= 0 || (uint64_t)pd.offset + pd.size > len || pd.size > bs ||
		    cs_kdump_decode_page(pd.flags, f + pd.offset, pd.size, got, bs, &err) ||
		    memcmp(got, want, bs)) {
			if (bad++ < 5)
				printf("# pfn 0x%" PRIx64 ": descriptor off 0x%" PRIx64
				       " size %u flags 0x%x does not decode to the page\n",
				       p, (uint64_t)pd.offset, pd.size, pd.flags);
		}
	}
	if (zero_shared)
		*zero_shared = zeros;
	free(want);
	free(got);
	free(f);
	return bad;
}

/* Byte-compare two files; returns 0 when identical, printing the first difference. */
static inline int kv_cmp(const char *a, const char *b)
{
	size_t la = 0, lb = 0;
	uint8_t *fa = kv_slurp(a, &la), *fb = kv_slurp(b, &lb);
	int rc = 0;

	if (!fa || !fb) {
		rc = 1;
	} else if (la != lb || memcmp(fa, fb, la)) {
		size_t i = 0;
		while (i < la && i < lb && fa[i] == fb[i])
			i++;
		printf("# %s (%zu bytes) and %s (%zu bytes) differ at byte 0x%zx\n", a, la, b, lb, i);
		rc = 1;
	}
	free(fa);
	free(fb);
	return rc;
}

#endif
