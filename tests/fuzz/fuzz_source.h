/* tests/fuzz/fuzz_source.h: open a fuzz input as a dump source and exercise it with invariant checks (shared by the reader targets). */
#ifndef CS_FUZZ_SOURCE_H
#define CS_FUZZ_SOURCE_H

#include "fuzz_common.h"
#include "engine/job.h"
#include "core/kernel.h"
#include "engine/scan.h"
#include "formats/kdump_format.h"
#include "formats/source.h"

/* What to do after the reader opened the input. */
#define FZ_SRC_SCAN 1u     /* also build the kernel model and run the mem_map scan */
#define FZ_SRC_REFILTER 2u /* also re-filter it (-d 0) and check the output against it */

/* Bounds so one input costs milliseconds whatever its headers claim. */
#define FZ_MAX_RANGES 64
#define FZ_MAX_PAGES 2048
#define FZ_MAX_SCAN_PFNS (1ULL << 20)

struct fz_ctx {
	struct cs_source *src;
	uint8_t *a, *b; /* two buffers of FZ_RUN pages */
	size_t pages_left;
};

#define FZ_RUN 8

static void fz_check_ranges(const struct cs_source *src)
{
	pfn_t prev_end = 0;

	FZ_ASSERT(src->page_size >= 512 && src->page_size <= 65536 &&
		  (src->page_size & (src->page_size - 1)) == 0);
	for (size_t i = 0; i < src->nr_ranges; i++) {
		const struct cs_pfn_range *r = &src->ranges[i];
		FZ_ASSERT(r->start < r->end);
		FZ_ASSERT(r->data_end >= r->start && r->data_end <= r->end);
		FZ_ASSERT(i == 0 || r->start >= prev_end);
		prev_end = r->end;
	}
	/* max_mapnr may cover one more, partial page that the 1st bitmap leaves out. */
	FZ_ASSERT(src->max_pfn >= (src->nr_ranges ? src->ranges[src->nr_ranges - 1].end : 0));
	if (src->vmcoreinfo_size)
		FZ_ASSERT(src->vmcoreinfo_off <= src->notes_size &&
			  src->vmcoreinfo_size <= src->notes_size - src->vmcoreinfo_off);
	for (size_t i = 0; i < src->nr_unconsulted; i++)
		FZ_ASSERT(i == 0 || src->unconsulted[i] > src->unconsulted[i - 1]);
	for (int i = 0; i < 6; i++)
		FZ_ASSERT(memchr(src->input_utsname[i], 0, CS_UTS_LEN) != NULL);
}

/*
 * Read [pfn, pfn + n) whole and page by page: both must agree, and with a
 * mapping agree with it too. A page with data in an ELF input must read.
 */
static void fz_read_run(struct fz_ctx *c, pfn_t pfn, size_t n)
{
	struct cs_source *src = c->src;
	size_t psz = src->page_size;
	struct cs_err err;
	cs_status whole, one;

	if (n > FZ_RUN)
		n = FZ_RUN;
	if (pfn + n < pfn || n == 0 || c->pages_left < 2 * n)
		return;
	c->pages_left -= 2 * n;
	memset(c->a, 0xa5, n * psz);
	whole = src->ops->read_pages(src, pfn, n, c->a, NULL, &err);
	if (whole != CS_OK)
		fz_check_msg(err.msg);
	for (size_t i = 0; i < n; i++) {
		uint8_t *pb = c->b + i * psz;
		bool has = cs_source_has_data(src, pfn + i);

		memset(pb, 0x5a, psz);
		one = src->ops->read_pages(src, pfn + i, 1, pb, NULL, &err);
		if (one != CS_OK)
			fz_check_msg(err.msg);
		/* ELF: every byte of a page with data is in the file (open clamps p_filesz). */
		if (src->kind == CS_SRC_ELF && has)
			FZ_ASSERT(one == CS_OK);
		if (!has)
			FZ_ASSERT(one == CS_ERR_NODATA);
		if (one == CS_OK && whole == CS_OK)
			FZ_ASSERT(memcmp(c->a + i * psz, pb, psz) == 0);
		if (one == CS_OK && has) {
			/* A small read_paddr inside the page returns the same bytes. */
			uint8_t tmp[48];
			size_t off = (size_t)((pfn * 2654435761u) % (psz - sizeof(tmp)));
			if (src->ops->read_paddr(src, ((pfn + i) * psz) + off, tmp, sizeof(tmp), &err) ==
			    CS_OK)
				FZ_ASSERT(memcmp(tmp, pb + off, sizeof(tmp)) == 0);
			else
				fz_check_msg(err.msg);
		}
	}
	if (whole == CS_OK && src->ops->map_pages) {
		const void *m = src->ops->map_pages(src, pfn, n);
		if (m)
			FZ_ASSERT(memcmp(m, c->a, n * psz) == 0);
		if (src->ops->release_pages)
			src->ops->release_pages(src, pfn, n);
	}
}

static void fz_scan(struct cs_source *src, unsigned level)
{
	struct cs_kernel *k = calloc(1, sizeof(*k));
	struct cs_bitmap bm1 = {0}, bm2 = {0};
	struct cs_page_stats st;
	struct cs_err err;
	char uts[6][65];

	if (!k)
		abort();
	if (cs_kernel_init_source(k, src, NULL, &err) != CS_OK) {
		fz_check_msg(err.msg);
		goto out;
	}
	if (cs_kernel_utsname(k, uts, &err) == CS_OK) {
		for (int i = 0; i < 6; i++)
			FZ_ASSERT(memchr(uts[i], 0, 65) != NULL);
	} else {
		fz_check_msg(err.msg);
	}
	if (src->max_pfn > FZ_MAX_SCAN_PFNS)
		goto out;
	if (cs_scan(k, src, (int)(level % 32), &bm1, &bm2, &st, &err) != CS_OK) {
		fz_check_msg(err.msg);
		goto out;
	}
	{
		uint64_t excl = st.free + st.cache + st.cache_private + st.user + st.hwpoison + st.offline;
		FZ_ASSERT(bm1.nbits == st.total && bm2.nbits == st.total);
		FZ_ASSERT(st.hole <= st.total);
		FZ_ASSERT(st.remaining == st.total - st.hole - excl);
		FZ_ASSERT(st.kept_unverified <= st.total - st.hole);
		/* Kept pages are present pages. */
		for (size_t w = 0; w < (st.total + 63) / 64; w++)
			FZ_ASSERT((bm2.words[w] & ~bm1.words[w]) == 0);
		FZ_ASSERT(cs_bitmap_count(&bm1, 0, st.total) == st.total - st.hole);
	}
	cs_bitmap_deinit(&bm1);
	cs_bitmap_deinit(&bm2);
out:
	cs_kernel_deinit(k);
	free(k);
}

/* Pages with data in src, up to limit + 1 (bounds the re-filter's cost). */
static uint64_t fz_data_pages(const struct cs_source *src, uint64_t limit)
{
	uint64_t n = 0;

	if (src->dumpable)
		return cs_bitmap_count(src->dumpable, 0, src->dumpable->nbits);
	for (size_t i = 0; i < src->nr_ranges && n <= limit; i++)
		n += src->ranges[i].data_end - src->ranges[i].start;
	return n;
}

/*
 * No silent loss (docs/robustness.md): re-filter the input at -d 0 (every page
 * with data kept, no zero exclusion) into a memfd. A run that succeeds with an
 * output not marked incomplete must hold, for every kept pfn, exactly the
 * page the input gives when read strictly (no ledger: any page it cannot
 * give fails) -- a page turned into zeros on the way breaks this.
 */
static void fz_refilter(const char *in_path, struct cs_source *in)
{
	struct fz_file out;
	struct cs_source o;
	struct cs_job_result res;
	struct cs_err err;
	const char *inputs[1] = {in_path};
	const int level0[1] = {0};
	struct cs_job_cfg cfg;
	uint32_t status;
	size_t left = FZ_MAX_PAGES;

	if (fz_data_pages(in, FZ_MAX_PAGES) > FZ_MAX_PAGES || in->max_pfn > FZ_MAX_SCAN_PFNS)
		return;
	memset(&cfg, 0, sizeof(cfg));
	cfg.inputs = inputs;
	cfg.nr_inputs = 1;
	/*
	 * A real file, not a memfd: the writer refuses to follow the
	 * /proc/self/fd symlink (formats/sink.c O_NOFOLLOW).
	 */
	snprintf(out.path, sizeof(out.path), "%s/cs-fuzz-out-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	out.fd = mkstemp(out.path);
	if (out.fd < 0) {
		perror("mkstemp");
		abort();
	}
	cfg.output = out.path;
	cfg.force = true; /* mkstemp created it */
	cfg.nthreads = 1;
	cfg.dump_levels = level0;
	cfg.nr_dump_levels = 1;
	if (cs_job_dump(&cfg, &res, &err) != CS_OK) {
		fz_check_msg(err.msg);
		if (getenv("FUZZ_VERBOSE"))
			fprintf(stderr, "no-silent-loss: re-filter refused: %s\n", err.msg);
		goto out;
	}
	if (pread(out.fd, &status, sizeof(status), offsetof(struct cs_disk_dump_header, status)) !=
	    (ssize_t)sizeof(status))
		FZ_ASSERT(!"a successful re-filter left no kdump header");
	if (status & CS_DUMP_DH_COMPRESSED_INCOMPLETE) {
		/* marked incomplete: pages may be missing, and it says so */
		if (getenv("FUZZ_VERBOSE"))
			fprintf(stderr, "no-silent-loss: output marked incomplete\n");
		goto out;
	}
	FZ_ASSERT(!res.incomplete);
	FZ_ASSERT(cs_source_open(&o, (const char *const[]){out.path}, 1, false, &err) == CS_OK);
	{
		uint8_t *a = malloc(o.page_size), *b = malloc(o.page_size);
		if (!a || !b)
			abort();
		FZ_ASSERT(o.page_size == in->page_size && o.dumpable);
		for (pfn_t p = cs_bitmap_next_set(o.dumpable, 0); p < o.dumpable->nbits && left;
		     p = cs_bitmap_next_set(o.dumpable, p + 1), left--) {
			FZ_ASSERT(o.ops->read_pages(&o, p, 1, a, NULL, &err) == CS_OK);
			/* Every kept page is one the input gives, byte for byte. */
			FZ_ASSERT(in->ops->read_pages(in, p, 1, b, NULL, &err) == CS_OK);
			FZ_ASSERT(memcmp(a, b, o.page_size) == 0);
		}
		free(a);
		free(b);
		/* FUZZ_VERBOSE shows the invariant ran (docs/robustness.md, fuzz section). */
		if (getenv("FUZZ_VERBOSE"))
			fprintf(stderr, "no-silent-loss: %zu kept pages equal to the input\n",
				(size_t)FZ_MAX_PAGES - left);
	}
	cs_source_close(&o);
out:
	unlink(out.path);
	fz_file_close(&out);
}

/* Open the input as a dump file and exercise every read path. */
static void fz_source_exercise(const uint8_t *data, size_t size, unsigned what)
{
	struct fz_file f;
	struct cs_source src;
	struct cs_err err;
	const char *paths[1];
	/* One byte of the input picks mmap or pread; the 16th is inside every header we probe. */
	bool use_mmap = size > 15 && (data[15] & 1);

	fz_file_open(&f, data, size);
	paths[0] = f.path;
	if (cs_source_open(&src, paths, 1, use_mmap, &err) != CS_OK) {
		fz_check_msg(err.msg);
		fz_file_close(&f);
		return;
	}
	fz_check_ranges(&src);

	struct fz_ctx c = {.src = &src, .pages_left = FZ_MAX_PAGES};
	c.a = malloc((size_t)FZ_RUN * src.page_size);
	c.b = malloc((size_t)FZ_RUN * src.page_size);
	if (!c.a || !c.b)
		abort();
	for (size_t i = 0; i < src.nr_ranges && i < FZ_MAX_RANGES; i++) {
		const struct cs_pfn_range *r = &src.ranges[i];
		fz_read_run(&c, r->start, (size_t)CS_MIN(r->end - r->start, (pfn_t)FZ_RUN));
		if (r->data_end > r->start + 1)
			fz_read_run(&c, r->data_end - 1, 2);
		if (r->end - r->start > FZ_RUN)
			fz_read_run(&c, r->end - 3, 4);
	}
	/* Past the end, and the pages of the kdump 2nd bitmap (every dumpable pfn, bounded). */
	fz_read_run(&c, src.max_pfn, 1);
	if (src.dumpable) {
		for (pfn_t p = cs_bitmap_next_set(src.dumpable, 0);
		     p < src.dumpable->nbits && c.pages_left >= 2;) {
			pfn_t e = cs_bitmap_next_clear(src.dumpable, p);
			for (pfn_t q = p; q < e && c.pages_left >= 2; q += FZ_RUN)
				fz_read_run(&c, q, (size_t)CS_MIN((pfn_t)FZ_RUN, e - q));
			p = cs_bitmap_next_set(src.dumpable, e);
		}
	}
	free(c.a);
	free(c.b);
	if (what & FZ_SRC_SCAN)
		fz_scan(&src, size > 16 ? data[16] : 31);
	if (what & FZ_SRC_REFILTER)
		fz_refilter(f.path, &src);
	cs_source_close(&src);
	fz_file_close(&f);
}

#endif
