/* engine/windows.c: the memory budget, and the mem_map scan into whole bitmaps or cyclic windows. */
#include "engine/run.h"

#include "filters/dump_level.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* MemFree in bytes (makedumpfile's basis for its bitmap buffers), else free pages; 0: unknown. */
static uint64_t free_memory(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[128];
	unsigned long long kib;
	long pages = sysconf(_SC_AVPHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	uint64_t avail = pages > 0 && psize > 0 ? (uint64_t)pages * (uint64_t)psize : 0;

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "MemFree: %llu kB", &kib) == 1) {
				avail = (uint64_t)kib << 10;
				break;
			}
		fclose(f);
	}
	return avail;
}

/* Bytes of all input files (for /proc/vmcore: the size of the dumped memory plus headers). */
static uint64_t input_bytes(const struct cs_job_cfg *cfg)
{
	uint64_t sum = 0;
	struct stat st;

	for (size_t i = 0; i < cfg->nr_inputs; i++)
		if (stat(cfg->inputs[i], &st) == 0 && st.st_size > 0)
			sum += (uint64_t)st.st_size;
	return sum;
}

/*
 * Whole bitmaps or windows. The bitmaps are sized by the physical memory the
 * input claims, which a damaged or hostile header can make absurd (160 TiB
 * from a 12 KB file): such a claim is refused rather than written out as
 * gigabytes of bitmap. Otherwise the bitmaps are kept whole when they fit the
 * budget (one mem_map scan), else the dump goes in windows (two scans).
 */
static cs_status plan_windows(struct cs_job_run *job, pfn_t max_mapnr, struct cs_err *err)
{
	const struct cs_job_cfg *cfg = job->cfg;
	uint64_t one = cs_bitmap_bytes(max_mapnr), budget, in = input_bytes(cfg);
	bool whole_only = job->kind->whole_bitmaps;

	job->window_pfns = 0;
	if (in && 2 * one > CS_MAX(UINT64_C(64) << 20, 4 * in))
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "%s claims %" PRIu64 " GiB of physical memory (max_mapnr 0x%" PRIxPFN
				  "), implausible for %" PRIu64 " MiB of input: its bitmaps alone would "
				  "take %" PRIu64 " MiB",
				  job->src.path, (max_mapnr * job->src.page_size) >> 30, max_mapnr,
				  in >> 20, (2 * one) >> 20);
	if (cfg->cyclic_buffer_kib && !whole_only) {
		budget = cfg->cyclic_buffer_kib << 10;
	} else {
		uint64_t mem_free = free_memory();

		budget = mem_free / 10 * 6 / 2;
		if (!mem_free)
			return CS_OK;
		if (one > budget && whole_only)
			return cs_err_set(err, CS_ERR_NOMEM,
					  "%s claims %" PRIu64 " GiB of physical memory: %s needs both bitmaps "
					  "whole, %" PRIu64 " MiB, more than 60%% of the %" PRIu64 " MiB free",
					  job->src.path, (max_mapnr * job->src.page_size) >> 30,
					  job->kind->option, (2 * one) >> 20, mem_free >> 20);
	}
	if (one <= budget)
		return CS_OK;
	/* Windows start at multiples of the alignment that keeps free blocks and compound pages whole. */
	job->window_pfns = CS_MAX(budget * 8 / CS_SCAN_WINDOW_ALIGN, 1) * CS_SCAN_WINDOW_ALIGN;
	return CS_OK;
}

/* Cyclic mode: fill the bitmaps with the window starting at `first`. */
static cs_status scan_window(struct cs_job_run *job, pfn_t first, struct cs_page_stats *stats,
			     struct cs_err *err)
{
	pfn_t end = CS_MIN(first + job->window_pfns, job->max_mapnr);

	cs_bitmap_move_window(&job->bitmap1, first, end);
	cs_bitmap_move_window(&job->bitmap2, first, end);
	if (cs_scanner_window(job->scanner, &job->bitmap1, &job->bitmap2, stats, err) != CS_OK)
		return cs_err_ctx(err, "pfns 0x%" PRIxPFN "-0x%" PRIxPFN, first, end);
	return CS_OK;
}

/* The pipeline's cs_run_next_window: the window after the current one, scanned again (pass 2). */
cs_status cs_run_next_window(void *arg, struct cs_err *err)
{
	struct cs_job_run *job = arg;

	return scan_window(job, job->bitmap1.nbits, &job->window_stats, err);
}

/*
 * Cyclic mode, pass 1: every window scanned for the counts and num_dumpable
 * (the descriptor table precedes the data, so its size must be known before
 * the first page is written; makedumpfile does the same); then the bitmaps
 * are left holding the first window again for the writer.
 */
static cs_status scan_windows(struct cs_job_run *job, struct cs_page_stats *stats, uint64_t *num_dumpable,
			      struct cs_err *err)
{
	pfn_t span = CS_MIN(job->window_pfns, job->max_mapnr);
	uint64_t n = 0;

	if (cs_bitmap_init_window(&job->bitmap1, 0, span, err) != CS_OK ||
	    cs_bitmap_init_window(&job->bitmap2, 0, span, err) != CS_OK)
		return err->status;
	for (pfn_t first = 0; first < job->max_mapnr; first += job->window_pfns) {
		if (scan_window(job, first, stats, err) != CS_OK)
			return err->status;
		n += cs_bitmap_count(&job->bitmap2, first, job->bitmap2.nbits);
		if (job->cfg->cancel && atomic_load(job->cfg->cancel))
			return cs_err_set(err, CS_ERR_INTR, "interrupted by signal %d at pfn 0x%" PRIxPFN,
					  atomic_load(job->cfg->cancel), first);
	}
	*num_dumpable = n;
	/*
	 * Pass 2 rescans each window while the pipeline's threads compress: more
	 * walkers would only compete with them, and their buffers (2 MiB of
	 * struct pages each) would add to the peak memory cyclic mode exists to cut.
	 */
	cs_scanner_single(job->scanner);
	memset(&job->window_stats, 0, sizeof(job->window_stats));
	return scan_window(job, 0, &job->window_stats, err);
}

cs_status cs_run_scan(struct cs_job_run *job, int level, struct cs_page_stats *stats,
		      uint64_t *num_dumpable, struct cs_err *err)
{
	cs_status st;

	if (level > 1 && !job->kernel.have_model)
		return cs_err_set(err, CS_ERR_ARGS,
				  "%s doesn't contain vmcoreinfo.\n"
				  "Specify '-x' option or '-i' option (dump levels above 1 need the kernel's layout).",
				  job->src.path);
	/* Bitmaps and scanner of an earlier attempt (-d a,b retries) are replaced. */
	cs_scanner_close(job->scanner);
	job->scanner = NULL;
	cs_bitmap_deinit(&job->bitmap1);
	cs_bitmap_deinit(&job->bitmap2);
	memset(stats, 0, sizeof(*stats));
	if (cs_scanner_open(&job->kernel, &job->src, level,
			    job->cfg->nthreads ? job->cfg->nthreads : cs_online_cpus(), &job->scanner,
			    err) != CS_OK)
		return err->status;
	job->max_mapnr = cs_scanner_max_mapnr(job->scanner);
	if (plan_windows(job, job->max_mapnr, err) != CS_OK)
		return err->status;
	/* A dump level bit that cannot be honoured is said, naming the missing VMCOREINFO keys. */
	if (cs_scanner_implausible(job->scanner)[0])
		cs_run_msg(job, ML_ERROR, "warning: implausible VMCOREINFO: %s.",
			cs_scanner_implausible(job->scanner));
	if ((level & CS_DL_FREE) && job->kernel.have_model && !cs_scanner_sees_free(job->scanner) &&
	    !strstr(cs_scanner_implausible(job->scanner), "BUDDY"))
		cs_run_msg(job, ML_ERROR,
			"warning: cannot identify free pages: VMCOREINFO has neither "
			"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE) nor NUMBER(PG_buddy) (or no "
			"OFFSET(page.private)); free pages are kept.");
	cs_run_step(job, "Excluding unnecessary pages");
	if (job->window_pfns) {
		uint64_t cycles = CS_DIV_ROUND_UP(job->max_mapnr, job->window_pfns);

		cs_run_msg(job, ML_COMMON,
			"The bitmaps of %" PRIu64 " pfns need %" PRIu64 " KiB each, more than the %s: "
			"processing %" PRIu64 " cycles of %" PRIu64 " pfns (mem_map is scanned twice).",
			(uint64_t)job->max_mapnr, (uint64_t)cs_bitmap_bytes(job->max_mapnr) >> 10,
			job->cfg->cyclic_buffer_kib ? "--cyclic-buffer" : "memory budget (60% of MemFree)",
			cycles, (uint64_t)job->window_pfns);
		st = scan_windows(job, stats, num_dumpable, err);
	} else {
		st = cs_scanner_whole(job->scanner, &job->bitmap1, &job->bitmap2, stats, err);
		if (st == CS_OK)
			*num_dumpable = cs_bitmap_count(&job->bitmap2, 0, job->max_mapnr);
		cs_scanner_close(job->scanner);
		job->scanner = NULL;
	}
	cs_run_step_done(job);
	if (st == CS_OK && stats->kept_unverified && (level & ~CS_DL_ZERO))
		cs_run_msg(job, ML_ERROR,
			"warning: %" PRIu64 " pages are kept unfiltered: their struct pages could not "
			"be read or trusted (\"Kept unverified\" in --show-stats).", stats->kept_unverified);
	return st;
}
