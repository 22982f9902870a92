/* tests/gen/manifest.c: the ground truth: per-pfn truth bytes and makedumpfile 1.7.2's report, emulated. */
#include "tests/gen/gen.h"
#include "tests/gen/truth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where a pfn sits relative to the PT_LOADs, in makedumpfile's terms. */
#define POS_IN1 1     /* present in the 1st bitmap (see bitmap1_end()) */
#define POS_SEGS 2    /* is_in_segs(): the page's first byte is inside some p_filesz */
#define POS_NODATA 4  /* cleared by exclude_nodata_pages(): floor(start+filesz) <= pfn < ceil(end) */
#define POS_PFIRST 8  /* partial first page of a segment */
#define POS_PLAST 16  /* partial last page of a segment */

/*
 * makedumpfile 1.7.2 keeps both bitmaps in a TMPDIR file ("non-cyclic") when
 * bufsize_cyclic * 8 >= 2 * max_mapnr, with bufsize_cyclic = min(4 MiB,
 * 2 * max_mapnr / 8) (60 % of MemFree is never the limit here): that is when
 * max_mapnr is a multiple of 4 and at most 16 Mi pfns. Otherwise it works in
 * cycles with in-memory bitmaps. The two build the 1st bitmap differently.
 */
static bool mdf_noncyclic(const struct gen_ctx *c)
{
	uint64_t bufsize = CS_MIN(UINT64_C(4) << 20, 2 * c->max_pfn / 8);
	return bufsize * 8 >= 2 * c->max_pfn;
}

/*
 * End (exclusive) of a PT_LOAD's pfns in the 1st bitmap: create_bitmap_from_memhole()
 * (cyclic) stops at floor(end); create_1st_bitmap_file() (non-cyclic) also takes
 * a partial last page ("Account for last page if it has less than page_size data").
 */
static pfn_t bitmap1_end(const struct gen_ctx *c, paddr_t end, bool noncyclic)
{
	pfn_t e = CS_MIN(end / GEN_PAGE_SIZE, c->max_pfn);
	return noncyclic && end % GEN_PAGE_SIZE ? e + 1 : e;
}

static uint8_t *positions(const struct gen_ctx *c)
{
	bool noncyclic = mdf_noncyclic(c);
	uint8_t *pos = calloc(c->max_pfn, 1);

	if (!pos)
		return NULL;
	for (size_t i = 0; i < c->nram; i++) {
		const struct gen_range *r = &c->ram[i];
		pfn_t s = r->start / GEN_PAGE_SIZE, e = bitmap1_end(c, r->end, noncyclic);
		pfn_t d = (r->start + r->filesz) / GEN_PAGE_SIZE, ce = CS_DIV_ROUND_UP(r->end, GEN_PAGE_SIZE);

		for (pfn_t p = s; p < e; p++)
			pos[p] |= POS_IN1;
		for (pfn_t p = d; p < ce && p < c->max_pfn; p++)
			pos[p] |= POS_NODATA;
		for (pfn_t p = s; p < ce && p < c->max_pfn; p++)
			if (gen_pfn_in_segs(c, p))
				pos[p] |= POS_SEGS;
		if (r->start % GEN_PAGE_SIZE)
			pos[s] |= POS_PFIRST;
		if (r->end % GEN_PAGE_SIZE)
			pos[r->end / GEN_PAGE_SIZE] |= POS_PLAST;
	}
	return pos;
}

/* Fold position flags into the truth bytes (the writer has set F_ZERO already). */
static void finalize_truth(struct gen_ctx *c, const uint8_t *pos)
{
	for (pfn_t p = 0; p < c->max_pfn; p++) {
		uint8_t zero = c->truth[p] & CS_TRUTH_F_ZERO, t;

		if (!(pos[p] & POS_IN1) || (pos[p] & POS_PLAST)) {
			t = CS_TRUTH_HOLE | (pos[p] & POS_PLAST ? CS_TRUTH_F_PARTIAL : 0);
		} else {
			t = (uint8_t)gen_truth_class_of(c, p);
			if (pos[p] & POS_PFIRST)
				t |= CS_TRUTH_F_PARTIAL;
			if (pos[p] & POS_NODATA)
				t |= CS_TRUTH_F_NODATA;
			else
				t |= zero;
		}
		c->truth[p] = t;
	}
}

enum { CNT_ZERO, CNT_CACHE, CNT_CACHE_PRIV, CNT_USER, CNT_FREE, CNT_HWPOISON, CNT_OFFLINE, CNT_N };
static const char *const cnt_names[CNT_N] = {"zero", "cache", "cache_private", "user",
					     "free", "hwpoison", "offline"};

static bool is_anon_kind(uint8_t k)
{
	return k == PK_ANON || k == PK_SWAPCACHE_ANON || k == PK_THP_HEAD;
}
static bool is_cache_kind(uint8_t k) /* is_cache_page(): PG_lru, or PG_swapcache with PG_swapbacked */
{
	return k == PK_CACHE || k == PK_CACHE_PRIV || k == PK_CFOLIO_HEAD || k == PK_CFOLIO_PRIV_HEAD ||
	       k == PK_SWAPCACHE || k == PK_SWAPCACHE_LRU || is_anon_kind(k);
}
static bool is_private_kind(uint8_t k)
{
	return k == PK_CACHE_PRIV || k == PK_CFOLIO_PRIV_HEAD;
}
static bool is_compound_head(uint8_t k)
{
	return k == PK_THP_HEAD || k == PK_HUGETLB_HEAD || k == PK_HUGETLB_POOL_HEAD ||
	       k == PK_CFOLIO_HEAD || k == PK_CFOLIO_PRIV_HEAD || k == PK_SLAB_HEAD;
}

/*
 * makedumpfile 1.7.2, creating a kdump-compressed file:
 * create_1st_bitmap() (memhole = max_mapnr minus the pfns each PT_LOAD covers,
 * counted per PT_LOAD, so the kernel-text PT_LOAD's pfns count twice),
 * create_2nd_bitmap() -> exclude_nodata_pages(), __exclude_unnecessary_pages()
 * per section with a mem_map (first matching rule wins, compound pages and
 * buddy blocks as a unit from the head, counters count every pfn of a range),
 * then the zero test on each page still dumpable while writing.
 */
static void emulate(const struct gen_ctx *c, const uint8_t *pos, unsigned level, uint8_t *excl,
		    uint64_t cnt[CNT_N], uint64_t *memhole)
{
	uint64_t covered = 0;
	bool noncyclic = mdf_noncyclic(c);

	for (size_t i = 0; i < c->nloads; i++) {
		pfn_t s = c->loads[i].paddr / GEN_PAGE_SIZE;
		pfn_t e = bitmap1_end(c, c->loads[i].paddr + c->loads[i].memsz, noncyclic);
		if (e > s && s < c->max_pfn)
			covered += e - s;
	}
	*memhole = c->max_pfn - covered;
	memset(cnt, 0, CNT_N * sizeof(*cnt));
	memset(excl, 0, c->max_pfn);

	for (uint64_t s = 0; s < c->nsections; s++) {
		pfn_t end = CS_MIN((s + 1) * GEN_PFNS_PER_SECTION, c->max_pfn);
		if (!c->sec_present[s])
			continue;
		for (pfn_t p = s * GEN_PFNS_PER_SECTION; p < end; p++) {
			uint8_t k = c->kind[p];
			uint64_t nr = 1;
			int which = -1;

			if (!(pos[p] & POS_SEGS) || k == PK_TAIL) /* not in segs; compound_head & 1 */
				continue;
			if (is_compound_head(k))
				nr = 1ULL << c->aux[p];
			if ((level & 16) && k == PK_BUDDY_HEAD) {
				nr = 1ULL << c->aux[p];
				which = CNT_FREE;
			} else if ((level & 2) && is_cache_kind(k) && !is_private_kind(k) && !is_anon_kind(k)) {
				which = CNT_CACHE;
			} else if ((level & 4) && is_cache_kind(k) && !is_anon_kind(k)) {
				which = is_private_kind(k) ? CNT_CACHE_PRIV : CNT_CACHE;
			} else if ((level & 8) && (is_anon_kind(k) || k == PK_HUGETLB_HEAD ||
						   k == PK_HUGETLB_POOL_HEAD)) {
				which = CNT_USER;
			} else if (k == PK_HWPOISON) {
				which = CNT_HWPOISON;
			} else if (k == PK_OFFLINE) {
				which = CNT_OFFLINE;
			}
			if (which < 0)
				continue;
			for (pfn_t q = p; q < p + nr && q < c->max_pfn; q++) {
				excl[q] = 1;
				cnt[which]++;
			}
			p += nr - 1;
		}
	}
	if (level & 1)
		for (pfn_t p = 0; p < c->max_pfn; p++)
			if ((pos[p] & POS_IN1) && !(pos[p] & POS_NODATA) && !excl[p] &&
			    (c->truth[p] & CS_TRUTH_F_ZERO))
				cnt[CNT_ZERO]++;
}

cs_status gen_write_truth(struct gen_ctx *c, struct cs_err *err)
{
	FILE *f = fopen(c->o.truth_path, "wb");

	if (!f)
		return cs_err_sys(err, errno, "cannot create '%s'", c->o.truth_path);
	if (fwrite(c->truth, 1, c->max_pfn, f) != c->max_pfn) {
		int e = errno;
		fclose(f);
		return cs_err_sys(err, e, "cannot write '%s'", c->o.truth_path);
	}
	if (fclose(f))
		return cs_err_sys(err, errno, "cannot write '%s'", c->o.truth_path);
	return CS_OK;
}

static const char *const kind_names[PK_NKINDS] = {
	"avail", "avail_nodata", "hole", "reserved", "kernel", "owner_priv", "slab", "slab_head",
	"pgtable", "cache", "cache_private", "cache_folio_head", "cache_folio_private_head",
	"swapcache", "swapcache_lru", "anon", "swapcache_anon", "thp_head", "hugetlb_head",
	"hugetlb_pool_head", "tail", "buddy_head", "buddy_tail", "hwpoison", "offline",
};

cs_status gen_write_manifest(struct gen_ctx *c, struct cs_err *err)
{
	static const unsigned levels[] = {0, 1, 2, 4, 8, 16, 31};
	uint8_t *pos = positions(c), *excl = malloc(c->max_pfn);
	size_t plen = strlen(c->o.out_path) + sizeof(".manifest.json");
	char *path = malloc(plen);
	uint64_t classes[CS_TRUTH_NCLASSES] = {0}, flags[3] = {0};
	cs_status st = CS_OK;
	FILE *f = NULL;

	if (!pos || !excl || !path) {
		st = cs_err_set(err, CS_ERR_NOMEM, "out of memory");
		goto out;
	}
	finalize_truth(c, pos);
	snprintf(path, plen, "%s.manifest.json", c->o.out_path);
	if (!(f = fopen(path, "w"))) {
		st = cs_err_sys(err, errno, "cannot create '%s'", path);
		goto out;
	}
	fprintf(f, "{\n  \"max_pfn\": %" PRIu64 ",\n  \"page_size\": %" PRIu64
		   ",\n  \"makedumpfile_mode\": \"%s\",\n  \"levels\": {\n",
		c->max_pfn, GEN_PAGE_SIZE, mdf_noncyclic(c) ? "non-cyclic" : "cyclic");
	for (size_t i = 0; i < CS_ARRAY_SIZE(levels); i++) {
		uint64_t cnt[CNT_N], memhole, excluded = 0;
		emulate(c, pos, levels[i], excl, cnt, &memhole);
		fprintf(f, "    \"%u\": {", levels[i]);
		for (int k = 0; k < CNT_N; k++) {
			fprintf(f, "\"%s\": %" PRIu64 ", ", cnt_names[k], cnt[k]);
			excluded += cnt[k];
		}
		/* makedumpfile prints these as unsigned 64-bit values, wrapping if negative. */
		fprintf(f, "\"remaining\": %" PRIu64 ", \"hole\": %" PRIu64 ", \"total\": %" PRIu64 "}%s\n",
			c->max_pfn - memhole - excluded, memhole, c->max_pfn,
			i + 1 < CS_ARRAY_SIZE(levels) ? "," : "");
	}
	fprintf(f, "  },\n");
	for (pfn_t p = 0; p < c->max_pfn; p++) {
		classes[cs_truth_class(c->truth[p])]++;
		flags[0] += !!(c->truth[p] & CS_TRUTH_F_ZERO);
		flags[1] += !!(c->truth[p] & CS_TRUTH_F_NODATA);
		flags[2] += !!(c->truth[p] & CS_TRUTH_F_PARTIAL);
	}
	fprintf(f, "  \"truth\": {\"hole\": %" PRIu64 ", \"kernel\": %" PRIu64 ", \"cache\": %" PRIu64
		   ", \"cache_private\": %" PRIu64 ", \"user\": %" PRIu64 ", \"free\": %" PRIu64
		   ", \"hwpoison\": %" PRIu64 ", \"offline\": %" PRIu64 ", \"f_zero\": %" PRIu64
		   ", \"f_nodata\": %" PRIu64 ", \"f_partial\": %" PRIu64 "},\n",
		classes[0], classes[1], classes[2], classes[3], classes[4], classes[5], classes[6], classes[7],
		flags[0], flags[1], flags[2]);
	fprintf(f, "  \"kinds\": {");
	for (int k = 0; k < PK_NKINDS; k++)
		fprintf(f, "\"%s\": %" PRIu64 "%s", kind_names[k], c->kind_count[k], k + 1 < PK_NKINDS ? ", " : "");
	fprintf(f, "},\n");
	if (c->o.arm64)
		fprintf(f, "  \"arch\": {\"name\": \"arm64\", \"page_size\": %" PRIu64 ", \"va_bits\": %u},\n",
			GEN_PAGE_SIZE, c->o.va_bits);
	fprintf(f, "  \"generator\": {\"seed\": %" PRIu64 ", \"ram\": %" PRIu64 ", \"paging\": %d, "
		   "\"unaligned\": %s, \"cpus\": %u, \"osrelease\": \"%s\", \"mix\": {",
		c->o.seed, c->o.ram, c->o.levels, c->o.unaligned ? "true" : "false", c->o.ncpus, c->o.osrelease);
	static const char *const mixk[MIX_NKEYS] = {"free", "cache", "cachepriv", "swapcache", "anon", "thp",
						    "hugetlb", "slab", "pgtable", "kernel", "hwpoison",
						    "offline", "zero", "freezero"};
	for (int k = 0; k < MIX_NKEYS; k++)
		fprintf(f, "\"%s\": %g%s", mixk[k], c->o.mix.v[k], k + 1 < MIX_NKEYS ? ", " : "");
	fprintf(f, "}},\n");
	fprintf(f, "  \"layout\": {\"phys_base\": \"0x%" PRIx64 "\", \"kernel_offset\": \"0x%" PRIx64
		   "\", \"text_vaddr\": \"0x%" PRIx64 "\", \"text_paddr\": \"0x%" PRIx64
		   "\", \"page_offset_base\": \"0x%" PRIx64 "\", \"vmalloc_base\": \"0x%" PRIx64
		   "\", \"vmemmap_base\": \"0x%" PRIx64 "\", \"init_top_pgt\": \"0x%" PRIx64
		   "\", \"mem_section\": \"0x%" PRIx64 "\", \"sections\": %" PRIu64 ", \"page_tables\": %zu,"
		   " \"pages_written\": %" PRIu64 ",\n    \"loads\": [",
		c->phys_base, c->kaslr_offset, c->ktext_vaddr, c->kimage_paddr, c->page_offset_base,
		c->vmalloc_base, c->vmemmap_base, gen_ksym(c, GEN_OFF_init_top_pgt),
		gen_dmap(c, c->memsec_root_pfn << GEN_PAGE_SHIFT), c->nsections, c->ntables, c->pages_written);
	for (size_t i = 0; i < c->nloads; i++) {
		const struct gen_load *l = &c->loads[i];
		fprintf(f, "%s\n      {\"vaddr\": \"0x%" PRIx64 "\", \"paddr\": \"0x%" PRIx64
			   "\", \"memsz\": \"0x%" PRIx64 "\", \"filesz\": \"0x%" PRIx64 "\", \"offset\": \"0x%" PRIx64 "\"}",
			i ? "," : "", l->vaddr, l->paddr, l->memsz, l->filesz, l->foff);
	}
	fprintf(f, "]}\n}\n");
	if (ferror(f)) {
		st = cs_err_set(err, CS_ERR_IO, "cannot write '%s'", path);
		goto out;
	}
out:
	if (f && fclose(f) && st == CS_OK)
		st = cs_err_sys(err, errno, "cannot write '%s'", path);
	free(pos);
	free(excl);
	free(path);
	return st;
}
