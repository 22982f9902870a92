/* tests/gen/verify.c: per-pfn check of a kdump-compressed file's bitmaps and zero-page descriptors against a truth file. */
#include "tests/gen/gen.h"
#include "tests/gen/truth.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Offsets of the LP64 disk_dump_header and kdump_sub_header (formats/kdump_format.h). */
#define DH_BLOCK_SIZE 428
#define DH_SUB_HDR_SIZE 432
#define DH_BITMAP_BLOCKS 436
#define KH_MAX_MAPNR_64 96
#define PAGE_DESC_SIZE 24

static cs_status read_at(int fd, void *buf, size_t len, uint64_t off, const char *path, struct cs_err *err)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cs_err_sys(err, errno, "cannot read '%s' at 0x%" PRIx64, path, off);
		if (n == 0)
			return cs_err_set(err, CS_ERR_IO, "'%s': short file at 0x%" PRIx64, path, off);
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return CS_OK;
}

/* Is a page of this truth class excluded by dump level `level` (not counting the zero test)? */
static bool class_excluded(unsigned cls, unsigned level)
{
	switch (cls) {
	case CS_TRUTH_FREE: return level & 16;
	case CS_TRUTH_CACHE: return level & (2 | 4);
	case CS_TRUTH_CACHE_PRIVATE: return level & 4;
	case CS_TRUTH_USER: return level & 8;
	case CS_TRUTH_HWPOISON:
	case CS_TRUTH_OFFLINE: return true;
	default: return false;
	}
}

static bool bit(const uint8_t *bm, pfn_t p)
{
	return bm[p >> 3] >> (p & 7) & 1;
}

/*
 * For each pfn: the 1st bitmap must say "present" exactly for the pfns a
 * PT_LOAD covers (plus a partial last page when makedumpfile ran non-cyclic),
 * the 2nd bitmap "dumpable" exactly for the kept pages, and with dump level
 * bit 1 the descriptor of a kept page must point at the shared zero page
 * exactly when the truth says its content is zero.
 */
cs_status gen_verify_kdump(const char *kdump, const char *truth_path, unsigned level, uint64_t *ret_bad,
			   struct cs_err *err)
{
	uint8_t hdr[512], sub[128], *truth = NULL, *bm1 = NULL, *bm2 = NULL, *desc = NULL;
	uint64_t max, nbad = 0, ndump = 0, bm_len, data_start, rank = 0;
	int32_t block, sub_blocks;
	uint32_t bm_blocks;
	cs_status st;
	int fd = -1;
	FILE *tf = NULL;
	bool noncyclic;
	const size_t desc_chunk = 65536;

	if ((fd = open(kdump, O_RDONLY)) < 0)
		return cs_err_sys(err, errno, "cannot open '%s'", kdump);
	if ((st = read_at(fd, hdr, sizeof(hdr), 0, kdump, err)))
		goto out;
	if (memcmp(hdr, "KDUMP   ", 8)) {
		st = cs_err_set(err, CS_ERR_FORMAT, "'%s' is not a kdump-compressed file", kdump);
		goto out;
	}
	memcpy(&block, hdr + DH_BLOCK_SIZE, 4);
	memcpy(&sub_blocks, hdr + DH_SUB_HDR_SIZE, 4);
	memcpy(&bm_blocks, hdr + DH_BITMAP_BLOCKS, 4);
	if (block <= 0 || block > (1 << 20) || sub_blocks < 0 || bm_blocks % 2) {
		st = cs_err_set(err, CS_ERR_CORRUPT, "'%s': implausible header", kdump);
		goto out;
	}
	if ((st = read_at(fd, sub, sizeof(sub), (uint64_t)block, kdump, err)))
		goto out;
	memcpy(&max, sub + KH_MAX_MAPNR_64, 8);

	if (!(tf = fopen(truth_path, "rb"))) {
		st = cs_err_sys(err, errno, "cannot open '%s'", truth_path);
		goto out;
	}
	truth = malloc(max + 1);
	bm_len = (uint64_t)bm_blocks / 2 * (uint64_t)block;
	bm1 = malloc(bm_len);
	bm2 = malloc(bm_len);
	desc = malloc(desc_chunk * PAGE_DESC_SIZE);
	if (!truth || !bm1 || !bm2 || !desc) {
		st = cs_err_set(err, CS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (fread(truth, 1, max + 1, tf) != max) {
		st = cs_err_set(err, CS_ERR_FORMAT, "'%s' does not have max_mapnr = %" PRIu64 " bytes", truth_path, max);
		goto out;
	}
	if (bm_len * 8 < max) {
		st = cs_err_set(err, CS_ERR_CORRUPT, "'%s': bitmaps shorter than max_mapnr", kdump);
		goto out;
	}
	uint64_t bm_off = (1 + (uint64_t)sub_blocks) * (uint64_t)block;
	if ((st = read_at(fd, bm1, bm_len, bm_off, kdump, err)) ||
	    (st = read_at(fd, bm2, bm_len, bm_off + bm_len, kdump, err)))
		goto out;
	for (pfn_t p = 0; p < max; p++)
		ndump += bit(bm2, p);
	data_start = bm_off + 2 * bm_len + ndump * PAGE_DESC_SIZE;
	/* The same rule the manifest uses to pick makedumpfile's bitmap mode. */
	noncyclic = CS_MIN(UINT64_C(4) << 20, 2 * max / 8) * 8 >= 2 * max;

	for (pfn_t p = 0; p < max; p++) {
		uint8_t t = truth[p];
		unsigned cls = cs_truth_class(t);
		bool present = cls != CS_TRUTH_HOLE || (noncyclic && (t & CS_TRUTH_F_PARTIAL));
		bool kept = cls != CS_TRUTH_HOLE && !(t & CS_TRUTH_F_NODATA) && !class_excluded(cls, level);
		bool zero = kept && (level & 1) && (t & CS_TRUTH_F_ZERO);
		bool b1 = bit(bm1, p), b2 = bit(bm2, p), z = false;

		if (b2) {
			if (rank % desc_chunk == 0) {
				uint64_t n = CS_MIN(desc_chunk, ndump - rank);
				if ((st = read_at(fd, desc, n * PAGE_DESC_SIZE,
						  bm_off + 2 * bm_len + rank * PAGE_DESC_SIZE, kdump, err)))
					goto out;
			}
			uint64_t off;
			memcpy(&off, desc + (rank % desc_chunk) * PAGE_DESC_SIZE, 8);
			z = (level & 1) && off == data_start;
			rank++;
		}
		if (b1 == present && b2 == kept && z == zero)
			continue;
		if (nbad++ < 10)
			fprintf(stderr, "mkvmcore: verify: pfn 0x%" PRIxPFN ": truth 0x%02x: present %d (want %d), "
					"dumpable %d (want %d), zero page %d (want %d)\n",
				p, t, b1, present, b2, kept, z, zero);
	}
	*ret_bad = nbad;
	st = CS_OK;
out:
	if (st != CS_OK)
		cs_err_ctx(err, "verify '%s'", kdump);
	if (tf)
		fclose(tf);
	close(fd);
	free(truth);
	free(bm1);
	free(bm2);
	free(desc);
	return st;
}
