/* engine/pipeline.c: batch planner, worker pool, ordered commit: the hot path of writing a dump. */
#include "engine/pipeline.h"
#include "formats/kdump_codec.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_BATCH_PAGES 256
#define MAX_BATCH_PAGES 65536

/* One batch in flight: planned by the main thread, filled by a worker, committed in order. */
struct slot {
	uint64_t seq;
	bool done;          /* worker finished (guarded by the pipe mutex) */
	struct cs_run *runs;
	size_t nruns;
	size_t npages;
	uint32_t *sizes;
	uint8_t *data;
	size_t data_len;
	uint64_t zero_pages, raw_pages, nodata_pages;
	struct cs_loss loss; /* pages of this batch the source could not give */
	int level;           /* --adapt: the level this batch is compressed at */
	uint64_t work_ns;    /* --adapt: CPU time the worker spent on it */
	cs_status st;
	struct cs_err err;
};

struct worker {
	struct pipe *p;
	void *codec_state;
	uint8_t *readbuf;   /* pages read for the codec (allocated on first use) */
	int level;          /* the level its codec state is set to */
	pthread_t thread;
	bool started;
};

struct pipe {
	const struct cs_pipeline_cfg *cfg;
	const struct cs_codec *codec;
	struct cs_source *src;
	const struct cs_bitmap *bm1, *bm2;
	uint32_t page_size;
	size_t batch_pages;
	size_t data_cap;    /* bytes of each slot's data buffer */
	bool compress;      /* codec other than none */
	bool adapt;         /* --adapt: levels chosen per batch by ad */
	struct cs_adapt ad;

	/* Planner cursor (main thread only); end: of the bitmap window, final_end: of the run. */
	pfn_t cursor, end, final_end;

	size_t nslots;
	struct slot *slots;
	size_t nworkers;
	struct worker *workers;

	pthread_mutex_t lock;
	pthread_cond_t work_cv;  /* workers: a batch was planned, or stop */
	pthread_cond_t done_cv;  /* main: the batch it waits for is done */
	uint64_t planned;        /* batches published to workers */
	uint64_t taken;          /* batches claimed by workers */
	uint64_t committed;      /* batches handed to the writer */
	bool stop;
};

unsigned cs_online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

static unsigned nthreads_of(const struct cs_pipeline_cfg *cfg)
{
	return cfg->nthreads ? cfg->nthreads : cs_online_cpus();
}

static size_t batch_pages_of(const struct cs_pipeline_cfg *cfg)
{
	size_t n = cfg->batch_pages ? cfg->batch_pages : DEFAULT_BATCH_PAGES;

	/*
	 * Inline (one CPU, typical of a capture kernel booted with nr_cpus=1) there
	 * is no hand-off to amortise: smaller batches keep the peak RSS down. The
	 * output does not depend on the batch size.
	 */
	if (!cfg->batch_pages && nthreads_of(cfg) <= 1)
		n = DEFAULT_BATCH_PAGES / 4;
	return CS_MIN(n, (size_t)MAX_BATCH_PAGES);
}

/* Slots in the ring: enough for every worker to have one in hand and one queued, plus reorder slack. */
static size_t nslots_of(unsigned nthreads)
{
	return nthreads <= 1 ? 1 : 2 * (size_t)nthreads + 2;
}

static size_t data_cap_of(const struct cs_codec *codec, size_t batch_pages, uint32_t page_size)
{
	/* Each page takes at most page_size bytes; the last compress() call may need bound(). */
	size_t bound = codec->bound(page_size);
	return batch_pages * page_size + (bound > page_size ? bound - page_size : 0) + 64;
}

size_t cs_pipeline_mem_bytes(const struct cs_pipeline_cfg *cfg, uint32_t page_size)
{
	const struct cs_codec *codec = cfg->codec ? cfg->codec : &cs_codec_none;
	size_t bp = batch_pages_of(cfg);
	unsigned n = nthreads_of(cfg);
	size_t slot = data_cap_of(codec, bp, page_size) + bp * (sizeof(uint32_t) + sizeof(struct cs_run)) +
		      sizeof(struct slot);
	/* Worker read buffers exist only with a codec or zero_scan, and for sources without map_pages; count them anyway. */
	size_t worker = bp * page_size + sizeof(struct worker);

	return nslots_of(n) * slot + (size_t)n * worker + cs_kdump_writer_mem_bytes() +
	       sizeof(struct pipe);
}

/* All 64-bit words zero? (makedumpfile@a4a4c74: word-wise test.) Pages are at least 8-aligned. */
static bool page_is_zero(const uint8_t *page, size_t n)
{
	const uint64_t *w = (const uint64_t *)(const void *)page;
	size_t nw = n / 8, i;

	/* Most non-zero pages differ early or late: check both ends first. */
	if (w[0] | w[nw - 1])
		return false;
	for (i = 0; i + 8 <= nw; i += 8) {
		if (w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] | w[i + 5] | w[i + 6] | w[i + 7])
			return false;
	}
	for (; i < nw; i++)
		if (w[i])
			return false;
	return true;
}

/* Plan the next batch into s: up to batch_pages set bits of the 2nd bitmap as runs. False when none are left. */
static bool plan_batch(struct pipe *p, struct slot *s, uint64_t seq)
{
	size_t npages = 0, nruns = 0;
	pfn_t pfn = p->cursor;

	while (npages < p->batch_pages) {
		pfn_t start = cs_bitmap_next_set(p->bm2, pfn);
		pfn_t stop;
		if (start >= p->end)
			break;
		stop = cs_bitmap_next_clear(p->bm2, start);
		if (stop > p->end)
			stop = p->end;
		if (stop - start > p->batch_pages - npages)
			stop = start + (p->batch_pages - npages);
		s->runs[nruns].pfn = start;
		s->runs[nruns].n = (uint32_t)(stop - start);
		nruns++;
		npages += stop - start;
		pfn = stop;
	}
	p->cursor = npages ? pfn : p->end;
	s->seq = seq;
	s->nruns = nruns;
	s->npages = npages;
	s->data_len = 0;
	s->done = false;
	s->st = CS_OK;
	s->level = p->ad.cur;
	return npages > 0;
}

/*
 * plan_batch, moving on to the next bitmap window when this one is used up
 * (cyclic mode). *got false: no pages are left.
 */
static cs_status plan_next(struct pipe *p, struct cs_writer *w, struct slot *s, uint64_t seq,
			   bool *got, struct cs_err *err)
{
	cs_status rc;

	while (!(*got = plan_batch(p, s, seq))) {
		if (!p->cfg->next_window || p->end >= p->final_end)
			return CS_OK;
		rc = p->cfg->next_window(p->cfg->window_arg, err);
		if (rc == CS_OK)
			rc = w->ops->put_bitmaps(w, p->bm1, p->bm2, err);
		if (rc)
			return rc;
		p->cursor = p->end;
		p->end = CS_MIN(p->bm2->nbits, p->final_end);
	}
	return CS_OK;
}

/* Read, zero-test and compress every page of the batch into the slot. */
static void process_batch(struct pipe *p, struct worker *wk, struct slot *s)
{
	const struct cs_source_ops *ops = p->src->ops;
	const uint32_t ps = p->page_size;
	const bool excl_zero = p->cfg->exclude_zero;
	const bool zero_scan = p->cfg->zero_scan;
	/*
	 * Without a codec the pages are read straight into the batch's data
	 * (pos + n pages never passes the buffer: pos counts only pages before
	 * the run) and only move down over dropped zero pages: no copy per page.
	 */
	const bool in_place = !p->compress && !zero_scan;
	uint8_t *out = s->data;
	size_t pos = 0, k = 0;

	struct timespec t0, t1;

	if (p->adapt) {
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
		if (wk->level != s->level) {
			p->codec->set_level(wk->codec_state, s->level);
			wk->level = s->level;
		}
	}
	s->zero_pages = s->raw_pages = s->nodata_pages = 0;
	memset(&s->loss, 0, sizeof(s->loss));
	for (size_t r = 0; r < s->nruns; r++) {
		pfn_t pfn = s->runs[r].pfn;
		size_t n = s->runs[r].n;
		/* Pages with erased bytes are read into our buffer: the input's mapping stays as it is. */
		const bool erase = cs_erase_map_touches(p->cfg->erase, (paddr_t)pfn * ps, (uint64_t)n * ps);
		const uint8_t *in = ops->map_pages && !erase ? ops->map_pages(p->src, pfn, n) : NULL;

		if (!in) {
			uint8_t *buf = out + pos;
			cs_status st;
			if (!in_place) {
				if (!wk->readbuf) {
					wk->readbuf = aligned_alloc(4096, CS_ALIGN_UP(p->batch_pages * ps, 4096));
					if (!wk->readbuf) {
						s->st = cs_err_set(&s->err, CS_ERR_NOMEM,
								   "cannot allocate a read buffer");
						return;
					}
				}
				buf = wk->readbuf;
			}
			/*
			 * The one place a page the input cannot give becomes a zero page:
			 * the source books it in the batch's ledger, the job reports it.
			 */
			st = ops->read_pages(p->src, pfn, n, buf, &s->loss, &s->err);
			if (st == CS_ERR_NODATA) {
				/* Zero-filled by the source; keep going, the caller reports the count. */
				s->nodata_pages += n;
			} else if (st) {
				/* A run: name its range, the source names the pfn that failed. */
				s->st = cs_err_ctx(&s->err, "cannot read pfns 0x%" PRIxPFN "-0x%" PRIxPFN,
						   pfn, pfn + n - 1);
				return;
			}
			if (erase)
				cs_erase_map_apply(p->cfg->erase, (paddr_t)pfn * ps, buf, (size_t)n * ps);
			in = buf;
		}
		for (size_t i = 0; i < n; i++, k++) {
			const uint8_t *page = in + i * ps;
			size_t sz;

			if (excl_zero && page_is_zero(page, ps)) {
				s->sizes[k] = 0;
				s->zero_pages++;
				continue;
			}
			if (zero_scan) {
				s->sizes[k] = ps;
				continue;
			}
			sz = p->compress ? p->codec->compress(wk->codec_state, page, ps, out + pos,
							      p->data_cap - pos)
					 : 0;
			if (!sz) {
				if (page != out + pos)
					memmove(out + pos, page, ps);
				sz = ps;
				s->raw_pages++;
			}
			s->sizes[k] = (uint32_t)sz;
			pos += sz;
		}
		if (ops->release_pages)
			ops->release_pages(p->src, pfn, n);
	}
	s->data_len = pos;
	if (p->adapt) {
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
		s->work_ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u + (uint64_t)t1.tv_nsec -
			     (uint64_t)t0.tv_nsec;
	}
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	struct pipe *p = wk->p;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct slot *s;
		uint64_t seq;

		while (!p->stop && p->taken == p->planned)
			pthread_cond_wait(&p->work_cv, &p->lock);
		if (p->stop)
			break;
		seq = p->taken++;
		pthread_mutex_unlock(&p->lock);

		s = &p->slots[seq % p->nslots];
		process_batch(p, wk, s);

		pthread_mutex_lock(&p->lock);
		s->done = true;
		if (seq == p->committed)
			pthread_cond_signal(&p->done_cv);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void free_pipe(struct pipe *p)
{
	if (p->slots) {
		for (size_t i = 0; i < p->nslots; i++) {
			free(p->slots[i].runs);
			free(p->slots[i].sizes);
			free(p->slots[i].data);
		}
		free(p->slots);
	}
	if (p->workers) {
		for (size_t i = 0; i < p->nworkers; i++) {
			if (p->workers[i].codec_state)
				p->codec->state_free(p->workers[i].codec_state);
			free(p->workers[i].readbuf);
		}
		free(p->workers);
	}
}

static cs_status alloc_pipe(struct pipe *p, unsigned nthreads, struct cs_err *err)
{
	p->nslots = nslots_of(nthreads);
	p->nworkers = nthreads;
	p->slots = calloc(p->nslots, sizeof(*p->slots));
	p->workers = calloc(p->nworkers, sizeof(*p->workers));
	if (!p->slots || !p->workers)
		goto nomem;
	for (size_t i = 0; i < p->nslots; i++) {
		struct slot *s = &p->slots[i];
		s->runs = malloc(p->batch_pages * sizeof(*s->runs));
		s->sizes = malloc(p->batch_pages * sizeof(*s->sizes));
		s->data = malloc(p->data_cap);
		if (!s->runs || !s->sizes || !s->data)
			goto nomem;
	}
	for (size_t i = 0; i < p->nworkers; i++) {
		p->workers[i].p = p;
		p->workers[i].level = p->cfg->level ? p->cfg->level : p->codec->default_level;
		p->workers[i].codec_state = p->codec->state_new(p->workers[i].level);
		if (!p->workers[i].codec_state)
			return cs_err_set(err, CS_ERR_NOMEM, "cannot create the %s compressor state",
					  p->codec->name);
	}
	return CS_OK;
nomem:
	return cs_err_set(err, CS_ERR_NOMEM,
			  "cannot allocate %zu batch buffers of %zu KiB", p->nslots,
			  p->data_cap >> 10);
}

/* Hand one finished batch to the writer and account for it. */
static cs_status commit(struct pipe *p, struct cs_writer *w, struct slot *s,
			struct cs_pipeline_stats *st, uint64_t *done, uint64_t total,
			struct cs_err *err)
{
	struct cs_batch b = {
		.seq = s->seq,
		.runs = s->runs,
		.nruns = s->nruns,
		.npages = s->npages,
		.sizes = s->sizes,
		.data = s->data,
		.data_len = s->data_len,
	};
	struct timespec t0, t1;
	cs_status rc;
	int sig;

	if (s->st) {
		*err = s->err;
		return s->st;
	}
	if (p->cfg->cancel && (sig = atomic_load(p->cfg->cancel)) != 0)
		return cs_err_set(err, CS_ERR_INTR, "interrupted by signal %d at pfn 0x%" PRIxPFN, sig,
				  s->runs[0].pfn);
	if (p->adapt)
		clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = w->ops->put_batch(w, &b, err);
	if (rc)
		return cs_err_ctx(err, "pfn 0x%" PRIxPFN, s->runs[0].pfn);
	if (p->adapt) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		st->level_pages[s->level - CS_ADAPT_LEVEL_MIN] += s->npages;
		/* Batches planned from now on take the level this one's cost points to. */
		cs_adapt_batch(&p->ad, s->level, s->npages, s->data_len, s->work_ns,
			       (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u + (uint64_t)t1.tv_nsec -
				       (uint64_t)t0.tv_nsec);
	}
	st->zero_pages += s->zero_pages;
	st->raw_pages += s->raw_pages;
	st->nodata_pages += s->nodata_pages;
	cs_loss_merge(&st->loss, &s->loss);
	st->data_bytes += s->data_len;
	st->batches++;
	*done += s->npages;
	if (p->cfg->progress)
		p->cfg->progress(p->cfg->progress_arg, *done, total);
	return CS_OK;
}

/* nthreads == 1: plan, process and commit on the calling thread; no locks, no hand-off. */
static cs_status run_inline(struct pipe *p, struct cs_writer *w, struct cs_pipeline_stats *st,
			    uint64_t total, struct cs_err *err)
{
	struct slot *s = &p->slots[0];
	uint64_t done = 0, seq = 0;
	bool got;
	cs_status rc;

	for (;;) {
		rc = plan_next(p, w, s, seq++, &got, err);
		if (rc || !got)
			return rc;
		process_batch(p, &p->workers[0], s);
		rc = commit(p, w, s, st, &done, total, err);
		if (rc)
			return rc;
	}
	return CS_OK;
}

/*
 * nthreads >= 2: nthreads - 1 worker threads, and the calling thread plans,
 * commits in order and, while the batch it must commit next is not done,
 * compresses a waiting batch itself. So nthreads threads share nthreads
 * CPUs: no writer thread that competes with the workers for a CPU and, when
 * preempted, lets the ring fill up and the workers stall.
 */
static cs_status run_threads(struct pipe *p, struct cs_writer *w, struct cs_pipeline_stats *st,
			     uint64_t total, struct cs_err *err)
{
	struct worker *self = &p->workers[p->nworkers - 1];
	uint64_t done = 0;
	bool eof = false;
	size_t started = 0;
	cs_status rc = CS_OK;

	for (size_t i = 0; i + 1 < p->nworkers; i++) {
		if (pthread_create(&p->workers[i].thread, NULL, worker_main, &p->workers[i]))
			break;
		p->workers[i].started = true;
		started++;
	}
	if (!started) {
		/* No threads available (e.g. RLIMIT_NPROC): degrade to inline, slot 0 only. */
		return run_inline(p, w, st, total, err);
	}
	st->nthreads = (unsigned)started + 1;

	for (;;) {
		struct slot *s;
		uint64_t n_new = 0, planned = p->planned; /* only the main thread writes planned */

		/* Fill every free slot; publish them with one broadcast. */
		while (!eof && planned + n_new - p->committed < p->nslots) {
			uint64_t seq = planned + n_new;
			bool got;

			rc = plan_next(p, w, &p->slots[seq % p->nslots], seq, &got, err);
			if (rc || !got) {
				eof = true;
				break;
			}
			n_new++;
		}
		if (rc)
			break; /* the next window could not be scanned or written */
		if (n_new) {
			pthread_mutex_lock(&p->lock);
			p->planned += n_new;
			if (n_new == 1)
				pthread_cond_signal(&p->work_cv);
			else
				pthread_cond_broadcast(&p->work_cv);
			pthread_mutex_unlock(&p->lock);
		}
		if (p->committed == p->planned)
			break; /* eof and everything committed */

		s = &p->slots[p->committed % p->nslots];
		pthread_mutex_lock(&p->lock);
		while (!s->done) {
			if (p->taken < p->planned) {
				/* Work instead of waiting: take the oldest unclaimed batch. */
				uint64_t seq = p->taken++;
				struct slot *mine = &p->slots[seq % p->nslots];
				pthread_mutex_unlock(&p->lock);
				process_batch(p, self, mine);
				pthread_mutex_lock(&p->lock);
				mine->done = true;
				continue;
			}
			pthread_cond_wait(&p->done_cv, &p->lock);
		}
		pthread_mutex_unlock(&p->lock);

		rc = commit(p, w, s, st, &done, total, err);
		if (rc)
			break;
		pthread_mutex_lock(&p->lock);
		p->committed++;
		pthread_mutex_unlock(&p->lock);
	}

	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->work_cv);
	pthread_mutex_unlock(&p->lock);
	for (size_t i = 0; i < p->nworkers; i++)
		if (p->workers[i].started)
			pthread_join(p->workers[i].thread, NULL);
	return rc;
}

cs_status cs_pipeline_run(const struct cs_pipeline_cfg *cfg, struct cs_source *src,
			  const struct cs_bitmap *bitmap1, const struct cs_bitmap *bitmap2,
			  const struct cs_dump_header_info *hdr, struct cs_pipeline_stats *stats,
			  struct cs_err *err)
{
	const struct cs_writer_ops *wops = cfg->writer ? cfg->writer : &cs_kdump_writer;
	struct cs_pipeline_stats st;
	struct cs_writer *w = NULL;
	struct pipe p;
	unsigned nthreads = nthreads_of(cfg);
	uint64_t total;
	cs_status rc;

	memset(&p, 0, sizeof(p));
	memset(&st, 0, sizeof(st));
	if (!cfg->sink)
		return cs_err_set(err, CS_ERR_ARGS, "no output sink");
	if (hdr->page_size != src->page_size || hdr->page_size < 64 || hdr->page_size % 64)
		return cs_err_set(err, CS_ERR_ARGS, "page size %u does not match the input's %u",
				  hdr->page_size, src->page_size);
	p.cfg = cfg;
	p.codec = cfg->codec ? cfg->codec : &cs_codec_none;
	p.compress = cs_kdump_codec_flag(p.codec) != 0;
	if (cfg->adapt) {
		if (!p.compress || !p.codec->set_level)
			return cs_err_set(err, CS_ERR_ARGS, "--adapt needs a codec whose level can change "
					  "page by page (-z)");
		p.adapt = true;
		cs_adapt_init(&p.ad, cfg->level ? cfg->level : p.codec->default_level, cfg->adapt_min,
			      cfg->adapt_max, nthreads);
	}
	p.src = src;
	p.bm1 = bitmap1;
	p.bm2 = bitmap2;
	p.page_size = hdr->page_size;
	p.batch_pages = batch_pages_of(cfg);
	p.data_cap = data_cap_of(p.codec, p.batch_pages, p.page_size);
	p.final_end = hdr->max_mapnr;
	if (cfg->end_pfn && cfg->end_pfn < p.final_end)
		p.final_end = cfg->end_pfn;
	p.end = CS_MIN(p.final_end, bitmap2->nbits);
	p.cursor = CS_MIN(CS_MAX(cfg->start_pfn, bitmap2->first), p.end);
	if (cfg->next_window) {
		if (!wops->put_bitmaps || !bitmap1 || bitmap1->first != bitmap2->first || cfg->start_pfn)
			return cs_err_set(err, CS_ERR_ARGS, "the %s writer cannot take the bitmaps a window "
					  "at a time", wops->name);
		total = cfg->num_dumpable; /* this window's bits are only a part */
	} else {
		total = cs_bitmap_count(bitmap2, p.cursor, p.end);
	}

	if (pthread_mutex_init(&p.lock, NULL))
		return cs_err_set(err, CS_ERR_SYSTEM, "cannot initialise a mutex");
	pthread_cond_init(&p.work_cv, NULL);
	pthread_cond_init(&p.done_cv, NULL);

	rc = alloc_pipe(&p, nthreads, err);
	if (rc)
		goto out;
	rc = wops->create(cfg->sink, &w, err);
	if (rc)
		goto out;
	{
		struct cs_write_layout lay = {
			.hdr = hdr,
			.bitmap1 = bitmap1,
			.bitmap2 = bitmap2,
			.num_dumpable = total,
			.windowed = cfg->next_window != NULL,
			.codec_flag = cs_kdump_codec_flag(p.codec),
			.exclude_zero = cfg->exclude_zero,
			.src = src,
			.writer_arg = cfg->writer_arg,
		};
		rc = w->ops->begin(w, &lay, err);
		if (rc)
			goto out_abort;
	}
	if (cfg->progress)
		cfg->progress(cfg->progress_arg, 0, total);
	if (nthreads <= 1)
		rc = run_inline(&p, w, &st, total, err);
	else
		rc = run_threads(&p, w, &st, total, err);
	if (rc)
		goto out_abort;
	/* Pages the source could not give: the writer marks the dump incomplete as it finishes. */
	w->mark_incomplete = cs_loss_total(&st.loss) != 0;
	rc = w->ops->finish(w, err);
	if (rc)
		goto out_abort;
	st.pages_written = total;
	st.bytes_written = cfg->sink->bytes_written;
	*stats = st;
	goto out;
out_abort:
	w->ops->abort(w);
	if (w->incomplete) {
		memset(stats, 0, sizeof(*stats));
		stats->incomplete = true;
		stats->saved_pages = w->saved_pages;
	}
out:
	if (w)
		w->ops->destroy(w);
	free_pipe(&p);
	pthread_cond_destroy(&p.work_cv);
	pthread_cond_destroy(&p.done_cv);
	pthread_mutex_destroy(&p.lock);
	return rc;
}
