/* engine/scan.c: one pass over mem_map: present/kept bitmaps and per-class page counts. */
#include "engine/scan.h"
#include "core/memmap.h"
#include "filters/decode.h"
#include "filters/classify.h"
#include "filters/dump_level.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* 32768 struct pages (2 MiB at 64 bytes: one vmemmap PMD) per read. */
#define SCAN_BATCH_PFNS 32768
/* Fallback read granularity when a batch cannot be read whole: 4 KiB of struct pages. */
#define SCAN_CHUNK_PFNS 64

struct scan {
	struct cs_kernel *k;
	struct cs_source *src;
	int level;
	struct cs_memmap mm;
	struct cs_page_layout lay;
	struct cs_classify_consts cc;
	struct cs_bitmap *bm1, *bm2;
	pfn_t max_mapnr;
	pfn_t win_start, win_end; /* the window being scanned (cyclic mode); else 0, max_mapnr */
	bool mm_ok;               /* mem_map could be trusted (setup) */
	uint64_t batch;
	uint8_t *buf;          /* copy of a window's struct pages, when they cannot be mapped */
	const uint8_t *pages;  /* the window's struct pages: mapped input or buf */
	pfn_t mapped_pfn;      /* input pages mapped for the window (released after it) */
	size_t mapped_n;
	uint8_t *chunk_ok;
	size_t uc_i; /* next entry of src->unconsulted */
	uint64_t count[CS_EXCL_NR];
	/* This walker's share [lo, hi) of the window (all of it when serial). */
	pfn_t lo, hi;
	uint64_t unverified;
	/* An excluded unit crossed hi: the share stopped there (see walk_shares). */
	bool overflow;
};

/* Read the struct pages of [rs, re) into s->buf; chunk_ok[i] says which 64-page chunks arrived. */
static void read_window(struct scan *s, pfn_t rs, pfn_t re)
{
	size_t n = (size_t)(re - rs), nchunks = CS_DIV_ROUND_UP(n, SCAN_CHUNK_PFNS);
	size_t len = n * s->mm.sizeof_page, psz = s->src->page_size;
	struct cs_err e;

	/*
	 * Zero copy: a window of struct pages inside one vmemmap mapping
	 * (2 MiB or 1 GiB, physically contiguous) is read in place when the
	 * input is mapped.
	 */
	if (s->src->ops->map_pages && psz) {
		vaddr_t va = cs_memmap_page_vaddr(&s->mm, rs);
		paddr_t pa;
		uint64_t contig;
		const void *p;

		if (va % psz == 0 && len % psz == 0 &&
		    cs_kernel_vtop(s->k, va, &pa, &contig, &e) == CS_OK && contig >= len &&
		    pa % psz == 0 && (p = s->src->ops->map_pages(s->src, pa / psz, len / psz))) {
			s->pages = p;
			s->mapped_pfn = pa / psz;
			s->mapped_n = len / psz;
			memset(s->chunk_ok, 1, nchunks);
			return;
		}
	}
	s->pages = s->buf;
	if (cs_memmap_read(&s->mm, s->k, rs, n, s->buf, &e) == CS_OK) {
		memset(s->chunk_ok, 1, nchunks);
		return;
	}
	for (size_t c = 0; c < nchunks; c++) {
		pfn_t p = rs + c * SCAN_CHUNK_PFNS;
		size_t cnt = (size_t)CS_MIN((pfn_t)SCAN_CHUNK_PFNS, re - p);

		s->chunk_ok[c] = cs_memmap_read(&s->mm, s->k, p, cnt,
						 s->buf + c * SCAN_CHUNK_PFNS * s->mm.sizeof_page,
						 &e) == CS_OK;
	}
}

/*
 * An excluded unit [pfn, end) (pfn present, in this block) is trusted only if it stays inside present
 * memory (one run of the 1st bitmap) and inside memory that has a mem_map.
 */
static bool span_ok(const struct scan *s, pfn_t end, pfn_t run_end, pfn_t blk_end)
{
	if (end > run_end || end > s->win_end)
		return false;
	for (pfn_t p = blk_end; p < end; p += s->mm.pfns_per_block)
		if (!cs_memmap_has(&s->mm, p))
			return false;
	return true;
}

/*
 * Walk the pfns [s->lo, s->hi). A share boundary is a multiple of the
 * mem_map block and of the batch, so neither straddles it; only an excluded
 * unit larger than a block (a gigantic page) can, and then the walk stops
 * with s->overflow set instead of touching bits of the next share.
 */
static void walk(struct scan *s)
{
	const uint32_t psz = s->mm.sizeof_page;
	pfn_t pfn = s->lo;
	uint64_t *unverified = &s->unverified;
	struct cs_page_view v;
	struct cs_page_class pc;

	s->uc_i = 0;
	while (pfn < s->hi) {
		size_t b;
		pfn_t blk_end, wstart, wend, rs;

		pfn = cs_bitmap_next_set(s->bm1, pfn);
		if (pfn >= s->hi)
			break;
		b = cs_memmap_block_of(&s->mm, pfn);
		blk_end = CS_MIN((pfn_t)(b + 1) * s->mm.pfns_per_block, s->hi);
		if (!s->mm.coded[b]) {
			/* No (trusted) mem_map: nothing can be decided, keep and count. */
			*unverified += cs_bitmap_count(s->bm1, pfn, blk_end);
			pfn = blk_end;
			continue;
		}
		wstart = CS_MAX(pfn & ~(s->batch - 1), s->win_start);
		wend = CS_MIN(wstart + s->batch, blk_end);
		/* Never below wstart: with sections under 64 pfns that would overrun the batch buffer. */
		rs = CS_MAX(pfn & ~(pfn_t)(SCAN_CHUNK_PFNS - 1), wstart);
		read_window(s, rs, wend);

		while (pfn < wend) {
			pfn_t run_end, stop;

			pfn = cs_bitmap_next_set(s->bm1, pfn);
			if (pfn >= wend)
				break;
			run_end = cs_bitmap_next_clear(s->bm1, pfn);
			stop = CS_MIN(run_end, wend);
			/* A page whose first byte is in no segment is never classified (is_in_segs). */
			while (s->uc_i < s->src->nr_unconsulted && s->src->unconsulted[s->uc_i] < pfn)
				s->uc_i++;
			if (s->uc_i < s->src->nr_unconsulted) {
				pfn_t uc = s->src->unconsulted[s->uc_i];
				if (uc == pfn) {
					pfn++;
					continue;
				}
				stop = CS_MIN(stop, uc);
			}
			while (pfn < stop) {
				size_t idx = (size_t)(pfn - rs);
				const uint8_t *page = s->pages + idx * psz;
				const uint8_t *tail = NULL;
				struct cs_dl_decision d;

				if (!s->chunk_ok[idx / SCAN_CHUNK_PFNS]) {
					(*unverified)++;
					pfn++;
					continue;
				}
				if (pfn + 1 < wend && s->chunk_ok[(idx + 1) / SCAN_CHUNK_PFNS])
					tail = page + psz;
				cs_page_decode(&s->lay, page, tail, &v);
				cs_classify(&v, pfn, &s->cc, &pc);
				d = cs_dump_level_apply(&pc, s->level);
				if (d.what == CS_KEEP) {
					/* A kept compound page: its tails are kept with it, skip them. */
					pfn += (d.span > 1 && pfn + d.span <= stop) ? d.span : 1;
				} else if (d.what == CS_KEEP_UNVERIFIED ||
					   !span_ok(s, pfn + d.span, run_end, blk_end)) {
					(*unverified)++;
					pfn++;
				} else if (pfn + d.span > s->hi) {
					s->overflow = true;
					return;
				} else {
					/*
					 * Count only pages that were still dumpable, as
					 * makedumpfile does: pages without data in the
					 * input (or excluded by it) are in no class.
					 */
					if (d.span == 1) {
						if (cs_bitmap_test(s->bm2, pfn)) {
							cs_bitmap_clear(s->bm2, pfn);
							s->count[d.what]++;
						}
					} else {
						s->count[d.what] +=
							cs_bitmap_count(s->bm2, pfn, pfn + d.span);
						cs_bitmap_clear_range(s->bm2, pfn, pfn + d.span);
					}
					pfn += d.span;
				}
			}
		}
		/* Keep the capture kernel's RSS flat: drop the mapped struct pages. */
		if (s->mapped_n && s->src->ops->release_pages)
			s->src->ops->release_pages(s->src, s->mapped_pfn, s->mapped_n);
		s->mapped_n = 0;
	}
}

/* A walker's own buffers: a batch of struct pages and its chunk flags. */
static bool walker_alloc(struct scan *s)
{
	s->buf = malloc(s->batch * s->mm.sizeof_page + s->mm.sizeof_page);
	s->chunk_ok = malloc(CS_DIV_ROUND_UP(s->batch, SCAN_CHUNK_PFNS) + 1);
	return s->buf && s->chunk_ok;
}

/* A share walked on its own thread, with its own copy of the kernel (page-table caches are per walker). */
struct share {
	struct scan s;
	struct cs_kernel k;
	pthread_t thread;
	bool started;
};

static void *share_main(void *arg)
{
	walk(&((struct share *)arg)->s);
	return NULL;
}

static bool pass_needed(const struct scan *s)
{
	/*
	 * makedumpfile runs the per-page pass only for levels 2/4/8, for free
	 * pages when a buddy test exists, or when PG_hwpoison is known (hwpoison
	 * and offline pages go at every level then).
	 */
	return (s->level & (CS_DL_CACHE | CS_DL_CACHE_PRI | CS_DL_USER)) ||
	       ((s->level & CS_DL_FREE) && s->cc.buddy != CS_BUDDY_NONE) || s->cc.pg_hwpoison;
}

static void fill_bitmaps(struct scan *s, uint64_t *present)
{
	struct cs_source *src = s->src;

	*present = 0;
	for (size_t i = 0; i < src->nr_ranges; i++) {
		const struct cs_pfn_range *r = &src->ranges[i];
		pfn_t start = CS_MAX(r->start, s->win_start), end = CS_MIN(r->end, s->win_end);

		if (start >= end)
			continue;
		cs_bitmap_set_range(s->bm1, start, end);
		cs_bitmap_set_range(s->bm2, start, CS_MIN(CS_MAX(r->data_end, start), end));
	}
	*present = cs_bitmap_count(s->bm1, s->win_start, s->win_end);
	if (src->dumpable)
		cs_bitmap_and(s->bm2, src->dumpable);
}

/* Kernel model, layout and mem_map; mm_ok false when mem_map could not be trusted at all. */
static cs_status setup(struct scan *s, struct cs_err *err)
{
	struct cs_err e2;
	cs_status st;

	s->mm_ok = false;
	s->max_mapnr = s->src->max_pfn;
	if (!s->k->have_model) {
		if (s->level > 1)
			return cs_err_set(err, CS_ERR_ARGS,
					  "%s doesn't contain vmcoreinfo; specify '-x' option or '-i' option",
					  s->src->path ? s->src->path : "the dump");
		return CS_OK;
	}
	if (cs_page_layout_init(&s->lay, &s->k->km, &e2) == CS_OK) {
		cs_classify_consts_init(&s->cc, &s->k->km, &s->lay);
	} else if (s->level > 1) {
		*err = e2;
		return err->status;
	} else {
		return CS_OK; /* levels 0/1 do not need struct pages */
	}
	st = cs_memmap_init(&s->mm, s->k, s->src->max_pfn, &e2);
	if (st == CS_OK) {
		s->mm_ok = true;
		s->max_mapnr = s->mm.max_mapnr;
		return CS_OK;
	}
	/*
	 * Missing keys or no memory: fail as makedumpfile does. Implausible or
	 * unreadable mem_section data: keep every page (counted as unverified)
	 * rather than lose the dump.
	 */
	if (pass_needed(s) && (st == CS_ERR_FORMAT || st == CS_ERR_NOMEM || st == CS_ERR_NOTSUP)) {
		*err = e2;
		return err->status;
	}
	return CS_OK;
}

struct cs_scanner {
	struct scan s;
	/* With several threads: the other walkers of a window (nshares - 1 of them). */
	struct share *sh;
	size_t nshares;
};

void cs_scanner_single(struct cs_scanner *sc)
{
	for (size_t i = 0; i + 1 < sc->nshares; i++) {
		free(sc->sh[i].s.buf);
		free(sc->sh[i].s.chunk_ok);
	}
	free(sc->sh);
	sc->sh = NULL;
	sc->nshares = 1;
}

void cs_scanner_close(struct cs_scanner *sc)
{
	if (!sc)
		return;
	cs_scanner_single(sc);
	free(sc->s.buf);
	free(sc->s.chunk_ok);
	cs_memmap_deinit(&sc->s.mm);
	free(sc);
}

/*
 * The walk is most of the scan's CPU and runs before any page can be written
 * (the pipeline's CPUs are idle meanwhile), so with several threads the
 * window is split into shares walked at once. Each share reads and clears
 * only the bitmap words of its own pfns; decisions depend only on a pfn and
 * its struct pages, so the result is the serial walk's, unless an excluded
 * unit crosses a share boundary (gigantic pages): then false, and the
 * caller walks the window again serially.
 */
static bool walk_shares(struct cs_scanner *sc)
{
	struct scan *s = &sc->s;
	pfn_t align = CS_MAX((pfn_t)s->batch, (pfn_t)s->mm.pfns_per_block);
	pfn_t n = s->win_end - s->win_start;
	size_t nshares = align ? (size_t)CS_MIN((pfn_t)sc->nshares, n / align) : 1;
	bool overflow = false;

	s->lo = s->win_start;
	s->hi = s->win_end;
	if (nshares < 2) {
		walk(s);
		return !s->overflow;
	}
	/* Equal pfn counts, boundaries rounded down to whole blocks; the last share ends with the window. */
	for (size_t i = 0; i < nshares; i++) {
		struct scan *w = i ? &sc->sh[i - 1].s : s;

		w->lo = i ? s->win_start + n / nshares * i / align * align : s->win_start;
		w->hi = i + 1 == nshares ? s->win_end : s->win_start + n / nshares * (i + 1) / align * align;
	}
	for (size_t i = 1; i < nshares; i++) {
		struct share *x = &sc->sh[i - 1];
		uint8_t *buf = x->s.buf, *chunk_ok = x->s.chunk_ok;
		pfn_t lo = x->s.lo, hi = x->s.hi;

		x->s = *s;
		x->s.k = &x->k;
		x->s.buf = buf;
		x->s.chunk_ok = chunk_ok;
		x->s.lo = lo;
		x->s.hi = hi;
		x->s.unverified = 0;
		memset(x->s.count, 0, sizeof(x->s.count));
		x->started = lo < hi && pthread_create(&x->thread, NULL, share_main, x) == 0;
	}
	walk(s);
	for (size_t i = 1; i < nshares; i++) {
		struct share *x = &sc->sh[i - 1];

		if (x->started)
			pthread_join(x->thread, NULL);
		else
			walk(&x->s); /* no thread to be had: walk it here */
		overflow |= x->s.overflow;
		s->unverified += x->s.unverified;
		for (size_t c = 0; c < CS_EXCL_NR; c++)
			s->count[c] += x->s.count[c];
	}
	return !(overflow || s->overflow);
}

cs_status cs_scanner_open(struct cs_kernel *k, struct cs_source *src, int dump_level,
			  unsigned nthreads, struct cs_scanner **ret, struct cs_err *err)
{
	struct cs_scanner *sc;
	struct scan *s;

	*ret = NULL;
	if (dump_level < 0 || dump_level > CS_DL_MAX)
		return cs_err_set(err, CS_ERR_ARGS, "dump level %d is out of range (0-31)", dump_level);
	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return cs_err_set(err, CS_ERR_NOMEM, "out of memory");
	s = &sc->s;
	s->k = k;
	s->src = src;
	s->level = dump_level;
	sc->nshares = 1;
	if (setup(s, err) != CS_OK) {
		cs_scanner_close(sc);
		return err->status;
	}
	if (k->have_model && pass_needed(s) && s->mm_ok) {
		s->batch = CS_MIN((uint64_t)SCAN_BATCH_PFNS, s->mm.pfns_per_block);
		if (!walker_alloc(s)) {
			cs_scanner_close(sc);
			return cs_err_set(err, CS_ERR_NOMEM, "cannot allocate the struct page buffer");
		}
		/* Other walkers, each with its own kernel copy and buffers; fewer if memory is short. */
		if (nthreads > 1 && (sc->sh = calloc(CS_MIN(nthreads, 16u) - 1, sizeof(*sc->sh)))) {
			for (unsigned i = 0; i + 1 < CS_MIN(nthreads, 16u); i++) {
				sc->sh[i].k = *k;
				sc->sh[i].s = *s;
				sc->sh[i].s.buf = NULL;
				sc->sh[i].s.chunk_ok = NULL;
				if (!walker_alloc(&sc->sh[i].s)) {
					free(sc->sh[i].s.buf);
					free(sc->sh[i].s.chunk_ok);
					break;
				}
				sc->nshares++;
			}
		}
	}
	*ret = sc;
	return CS_OK;
}

pfn_t cs_scanner_max_mapnr(const struct cs_scanner *sc)
{
	return sc->s.max_mapnr;
}

bool cs_scanner_sees_free(const struct cs_scanner *sc)
{
	return sc->s.k->have_model && sc->s.cc.buddy != CS_BUDDY_NONE;
}

const char *cs_scanner_implausible(const struct cs_scanner *sc)
{
	return sc->s.k->have_model ? sc->s.cc.implausible : "";
}

cs_status cs_scanner_window(struct cs_scanner *sc, struct cs_bitmap *bitmap1,
			    struct cs_bitmap *bitmap2, struct cs_page_stats *stats, struct cs_err *err)
{
	struct scan *s = &sc->s;
	uint64_t present = 0, excluded;
	pfn_t n;

	(void)err;
	s->win_start = bitmap1->first;
	s->win_end = CS_MIN(bitmap1->nbits, s->max_mapnr);
	s->bm1 = bitmap1;
	s->bm2 = bitmap2;
	s->unverified = 0;
	s->overflow = false;
	memset(s->count, 0, sizeof(s->count));
	n = s->win_end > s->win_start ? s->win_end - s->win_start : 0;
	if (n)
		fill_bitmaps(s, &present);
	if (n && s->k->have_model && pass_needed(s)) {
		if (!s->mm_ok) {
			s->unverified = present;
		} else if (!walk_shares(sc)) {
			/* A unit crossed a share boundary: the window again, on one thread. */
			fill_bitmaps(s, &present);
			memset(s->count, 0, sizeof(s->count));
			s->unverified = 0;
			s->overflow = false;
			s->lo = s->win_start;
			s->hi = s->win_end;
			walk(s);
		}
	}
	stats->total += n;
	stats->hole += n - present;
	stats->free += s->count[CS_EXCL_FREE];
	stats->cache += s->count[CS_EXCL_CACHE];
	stats->cache_private += s->count[CS_EXCL_CACHE_PRIVATE];
	stats->user += s->count[CS_EXCL_USER];
	stats->hwpoison += s->count[CS_EXCL_HWPOISON];
	stats->offline += s->count[CS_EXCL_OFFLINE];
	stats->kept_unverified += s->unverified;
	excluded = s->count[CS_EXCL_FREE] + s->count[CS_EXCL_CACHE] + s->count[CS_EXCL_CACHE_PRIVATE] +
		   s->count[CS_EXCL_USER] + s->count[CS_EXCL_HWPOISON] + s->count[CS_EXCL_OFFLINE];
	stats->remaining += present - excluded;
	return CS_OK;
}

cs_status cs_scanner_whole(struct cs_scanner *sc, struct cs_bitmap *bitmap1, struct cs_bitmap *bitmap2,
			   struct cs_page_stats *stats, struct cs_err *err)
{
	cs_status rc = cs_bitmap_init(bitmap1, sc->s.max_mapnr, err);

	if (rc == CS_OK)
		rc = cs_bitmap_init(bitmap2, sc->s.max_mapnr, err);
	if (rc == CS_OK)
		rc = cs_scanner_window(sc, bitmap1, bitmap2, stats, err);
	if (rc != CS_OK) {
		cs_bitmap_deinit(bitmap1);
		cs_bitmap_deinit(bitmap2);
	}
	return rc;
}

cs_status cs_scan(struct cs_kernel *k, struct cs_source *src, int dump_level,
		  struct cs_bitmap *bitmap1, struct cs_bitmap *bitmap2, struct cs_page_stats *stats,
		  struct cs_err *err)
{
	struct cs_scanner *sc;
	struct cs_page_stats st = {0};
	cs_status rc;

	/* Bitmaps of an earlier scan (-d a,b retries) are replaced. */
	cs_bitmap_deinit(bitmap1);
	cs_bitmap_deinit(bitmap2);
	if (cs_scanner_open(k, src, dump_level, 1, &sc, err) != CS_OK)
		return err->status;
	rc = cs_scanner_whole(sc, bitmap1, bitmap2, &st, err);
	cs_scanner_close(sc);
	if (rc == CS_OK)
		*stats = st;
	return rc;
}
