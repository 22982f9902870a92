/* engine/split_run.c: --split, one pipeline per piece, all at once, over the bitmaps of the one scan. */
#include "engine/run.h"

#include "compress/codec.h"
#include "engine/pipeline.h"
#include "formats/kdump_format.h"
#include "formats/split.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* --split: one pipeline per piece, all at once, over the bitmaps of the one scan. */
struct split_ctx {
	const struct cs_job_run *job;
	pthread_mutex_t lock;
	uint64_t *done;   /* pages committed per piece */
	uint64_t total;
};

struct piece_run {
	struct split_ctx *ctx;
	size_t idx;
	struct cs_pipeline_cfg pcfg;
	struct cs_dump_header_info hdr;
	struct cs_pipeline_stats pstats;
	struct cs_err err;
	cs_status st;
	pthread_t thread;
	bool started;
};

static void piece_progress(void *arg, uint64_t done, uint64_t total)
{
	struct piece_run *pr = arg;
	struct split_ctx *ctx = pr->ctx;
	const struct cs_job_hooks *hooks = &ctx->job->cfg->hooks;
	uint64_t sum = 0;

	(void)total;
	pthread_mutex_lock(&ctx->lock);
	ctx->done[pr->idx] = done;
	for (size_t i = 0; i < ctx->job->cfg->nr_outputs; i++)
		sum += ctx->done[i];
	if (hooks->progress)
		hooks->progress(hooks->arg, sum, ctx->total);
	pthread_mutex_unlock(&ctx->lock);
}

static void *piece_main(void *arg)
{
	struct piece_run *pr = arg;
	struct cs_job_run *job = (struct cs_job_run *)pr->ctx->job;

	pr->st = cs_pipeline_run(&pr->pcfg, &job->src, &job->bitmap1, &job->bitmap2, &pr->hdr,
				 &pr->pstats, &pr->err);
	return NULL;
}

cs_status cs_run_write_split(struct cs_job_run *job, int level, uint64_t num_dumpable,
			     struct cs_job_result *res, struct cs_err *err)
{
	const struct cs_job_cfg *cfg = job->cfg;
	size_t n = cfg->nr_outputs;
	struct piece_run *runs = calloc(n, sizeof(*runs));
	pfn_t *starts = calloc(n + 1, sizeof(*starts));
	struct split_ctx ctx;
	struct cs_dump_header_info hdr;
	const struct cs_codec *codec = NULL;
	unsigned threads = cfg->nthreads ? cfg->nthreads : cs_online_cpus();
	cs_status st = CS_OK;
	bool nospc = false;

	(void)num_dumpable;
	memset(&ctx, 0, sizeof(ctx));
	ctx.job = job;
	ctx.done = calloc(n, sizeof(*ctx.done));
	if (!runs || !starts || !ctx.done) {
		st = cs_err_set(err, CS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (!cfg->dry_run)
		codec = cfg->codec;
	/*
	 * makedumpfile --split runs cyclic, whose 1st bitmap floors the partial
	 * last page of a PT_LOAD: so do the pieces (they have no data either way).
	 */
	for (size_t i = 0; i < job->src.nr_rounded_up; i++) {
		pfn_t pfn = job->src.rounded_up[i];

		if (pfn >= job->bitmap1.first && pfn < job->bitmap1.nbits &&
		    !cs_bitmap_test(&job->bitmap2, pfn))
			cs_bitmap_clear(&job->bitmap1, pfn);
	}
	cs_run_fill_header(job, level, &hdr);
	hdr.split = true;
	hdr.num_dumpable_total = cs_bitmap_count(&job->bitmap2, 0, hdr.max_mapnr);
	ctx.total = hdr.num_dumpable_total;
	st = cs_split_ranges(&job->bitmap2, hdr.max_mapnr, n,
			     cfg->splitblock_size / job->src.page_size, starts, err);
	if (st)
		goto out;
	pthread_mutex_init(&ctx.lock, NULL);
	cs_run_step(job, "Copying data");
	for (size_t i = 0; i < n; i++) {
		struct piece_run *pr = &runs[i];

		pr->ctx = &ctx;
		pr->idx = i;
		cs_err_clear(&pr->err);
		pr->hdr = hdr;
		pr->hdr.split_start = starts[i];
		pr->hdr.split_end = starts[i + 1];
		pr->pcfg.codec = codec;
		pr->pcfg.level = cfg->compress_level;
		pr->pcfg.adapt = cfg->adapt && codec;
		pr->pcfg.adapt_min = cfg->adapt_min;
		pr->pcfg.adapt_max = cfg->adapt_max;
		/* The CPUs are shared out; a piece with one thread runs inline on its own thread. */
		pr->pcfg.nthreads = CS_MAX(1u, threads / (unsigned)n);
		pr->pcfg.sink = job->pieces[i];
		pr->pcfg.exclude_zero = level & 1;
		pr->pcfg.start_pfn = starts[i];
		pr->pcfg.end_pfn = starts[i + 1];
		pr->pcfg.progress = piece_progress;
		pr->pcfg.progress_arg = pr;
		pr->pcfg.cancel = job->cfg->cancel;
		pr->pcfg.erase = &job->erase;
		cs_run_msg(job, ML_DEBUG, "split: %s holds pfns 0x%" PRIxPFN "-0x%" PRIxPFN, cfg->outputs[i],
			starts[i], starts[i + 1]);
		if (pthread_create(&pr->thread, NULL, piece_main, pr) == 0)
			pr->started = true;
		else
			piece_main(pr); /* no thread to be had: write it here */
	}
	for (size_t i = 0; i < n; i++)
		if (runs[i].started)
			pthread_join(runs[i].thread, NULL);
	cs_run_step_done(job);
	pthread_mutex_destroy(&ctx.lock);

	/* Any failure fails the dump; a full device (or -L) leaves every piece incomplete. */
	for (size_t i = 0; i < n; i++) {
		struct piece_run *pr = &runs[i];
		if (pr->st == CS_OK) {
			res->stats.zero += level & 1 ? pr->pstats.zero_pages : 0;
			res->write_bytes += pr->pstats.bytes_written;
			res->saved_pages += pr->pstats.pages_written;
			res->saved_bytes += (uint64_t)job->pieces[i]->end;
			cs_loss_merge(&job->loss, &pr->pstats.loss);
			cs_run_add_levels(res, &pr->pcfg, &pr->pstats);
			continue;
		}
		if (pr->st == CS_ERR_NOSPC)
			nospc = true;
		if (st == CS_OK || (st == CS_ERR_NOSPC && pr->st != CS_ERR_NOSPC)) {
			st = pr->st;
			*err = pr->err;
			cs_err_ctx(err, "%s", cfg->outputs[i]);
		}
	}
	if (st == CS_ERR_NOSPC && nospc && !cfg->dry_run) {
		bool all = true;
		res->saved_pages = res->saved_bytes = 0;
		for (size_t i = 0; i < n; i++) {
			struct piece_run *pr = &runs[i];
			struct cs_err merr;
			if (pr->st == CS_OK) {
				cs_err_clear(&merr);
				if (cs_kdump_mark_incomplete(cfg->outputs[i], &merr) != CS_OK)
					all = false;
				res->saved_pages += pr->pstats.pages_written;
			} else if (pr->pstats.incomplete) {
				res->saved_pages += pr->pstats.saved_pages;
			} else {
				all = false;
			}
			res->saved_bytes += (uint64_t)job->pieces[i]->end;
		}
		res->incomplete = all;
	}
out:
	free(runs);
	free(starts);
	free(ctx.done);
	return st;
}
