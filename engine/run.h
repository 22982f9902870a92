/* engine/run.h: the state of one run, shared by the engine's files (job, kernel model, windows, outputs, write, split). */
#ifndef CS_RUN_H
#define CS_RUN_H

#include "core/bitmap.h"
#include "core/kernel.h"
#include "core/loss.h"
#include "engine/job.h"
#include "engine/scan.h"
#include "formats/sink.h"
#include "formats/source.h"
#include "engine/pipeline.h"
#include "formats/writer.h"

/* Message classes (the CLI's --message-level bits). */
enum { ML_COMMON = 2, ML_ERROR = 4, ML_DEBUG = 8 };

struct cs_job_run;

/*
 * What kind of output a run writes: one row each (engine/outputs.c). -F is
 * not a kind: it is the sink the kdump or ELF rows write into.
 */
struct cs_output_kind {
	const char *option;  /* the option that asks for it (in messages); NULL: the default kind */
	/* Write the scanned bitmaps out. num_dumpable: pages to write (cyclic mode). */
	cs_status (*write)(struct cs_job_run *job, int level, uint64_t num_dumpable,
			   struct cs_job_result *res, struct cs_err *err);
	bool whole_bitmaps;  /* cannot run in windows: the layout is planned from every page */
	bool zero_prepass;   /* level bit 1: zero pages are found before the layout is planned */
};

struct cs_job_run {
	const struct cs_job_cfg *cfg;
	const struct cs_output_kind *kind; /* engine/outputs.c */
	struct cs_source src;
	bool src_open;
	struct cs_kernel kernel;
	bool kernel_init;
	struct cs_bitmap bitmap1, bitmap2;
	pfn_t max_mapnr;          /* pfns the bitmaps describe */
	/*
	 * Cyclic mode (window_pfns != 0): the bitmaps hold one window of
	 * window_pfns pfns, refilled by the scanner for every window.
	 */
	pfn_t window_pfns;
	struct cs_scanner *scanner;
	struct cs_page_stats window_stats; /* counts of the second pass (discarded) */
	struct cs_sink *sink;
	struct cs_sink **pieces; /* --split: one sink per cfg->outputs[i] */
	/*
	 * This attempt's loss ledger: what the source knew at open plus what
	 * every pipeline's reads booked (core/loss.h). engine/job.c's account_losses() turns
	 * it into the report lines, the incomplete mark and the exit status.
	 */
	struct cs_loss loss;
	/* --config: the physical bytes every pipeline erases (built once after the input opens). */
	struct cs_erase_map erase;
};

/* Messages and steps through the CLI's hooks (engine/job.c). */
__attribute__((format(printf, 3, 4))) void cs_run_msg(const struct cs_job_run *job, int ml_class,
						      const char *fmt, ...);
void cs_run_step(const struct cs_job_run *job, const char *name);
void cs_run_step_done(const struct cs_job_run *job);

/* engine/kernel_model.c: open the input and build the kernel model once (note, -i or -x). */
cs_status cs_run_open_input(struct cs_job_run *job, struct cs_err *err);

/* engine/windows.c: scan mem_map into whole bitmaps or, past the memory budget, windows. */
cs_status cs_run_scan(struct cs_job_run *job, int level, struct cs_page_stats *stats,
		      uint64_t *num_dumpable, struct cs_err *err);
/* The pipeline's next_window hook: the window after the current one, scanned again. */
cs_status cs_run_next_window(void *arg, struct cs_err *err);

/* engine/outputs.c: which kind of output, and creating or removing its files. */
const struct cs_output_kind *cs_run_output_kind(const struct cs_job_cfg *cfg);
cs_status cs_run_check_not_input(const struct cs_job_cfg *cfg, struct cs_err *err);
cs_status cs_run_create_outputs(struct cs_job_run *job, struct cs_err *err);
void cs_run_destroy_outputs(struct cs_job_run *job);
void cs_run_remove_outputs(struct cs_job_run *job);

/* engine/write.c: the header facts, and the kdump (or flattened) and ELF writes. */
void cs_run_fill_header(struct cs_job_run *job, int level, struct cs_dump_header_info *hdr);
void cs_run_note_incomplete(const struct cs_job_run *job, const struct cs_sink *sink,
			    const struct cs_pipeline_stats *pstats, struct cs_job_result *res);
/* zero_only: --dry-run and --mem-usage, which need the zero test and no compression. */
cs_status cs_run_write_pages(struct cs_job_run *job, int level, bool zero_only, uint64_t num_dumpable,
			     struct cs_job_result *res, struct cs_err *err);
/* --adapt: add a pipeline's pages per level to the result. */
void cs_run_add_levels(struct cs_job_result *res, const struct cs_pipeline_cfg *pcfg,
		       const struct cs_pipeline_stats *pstats);
cs_status cs_run_write_kdump(struct cs_job_run *job, int level, uint64_t num_dumpable,
			     struct cs_job_result *res, struct cs_err *err);
cs_status cs_run_find_zero_pages(struct cs_job_run *job, int level, struct cs_job_result *res,
				 struct cs_err *err);
cs_status cs_run_write_elf(struct cs_job_run *job, int level, uint64_t num_dumpable,
			   struct cs_job_result *res, struct cs_err *err);

/* engine/split_run.c: --split, one pipeline per piece over the bitmaps of the one scan. */
cs_status cs_run_write_split(struct cs_job_run *job, int level, uint64_t num_dumpable,
			     struct cs_job_result *res, struct cs_err *err);

#endif
