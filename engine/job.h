/* engine/job.h: one run of coresieve: open the input, model the kernel, scan, write, count. */
#ifndef CS_JOB_H
#define CS_JOB_H

#include "core/types.h"

#include <stdatomic.h>
#include "core/error.h"
#include "compress/codec.h"
#include "engine/adapt.h"
#include "engine/scan.h"

/* How a job talks back to the CLI (progress and messages); every hook may be NULL. */
struct cs_job_hooks {
	void *arg;
	void (*step)(void *arg, const char *name); /* a progress step starts */
	void (*progress)(void *arg, uint64_t done, uint64_t total);
	void (*step_done)(void *arg);
	void (*message)(void *arg, int ml_class, const char *text); /* ml_class as --message-level bits */
};

struct cs_job_cfg {
	const char *const *inputs; /* several only for split sets */
	size_t nr_inputs;
	const char *output;        /* NULL: flattened stream to stdout */
	bool elf;                  /* -E */
	bool flatten;              /* -F */
	bool force;                /* -f */
	bool dry_run;
	bool use_mmap;
	bool partial_dmesg;
	/*
	 * --allow-incomplete: pages the input declares but cannot give (or an
	 * input marked incomplete) still mark the output incomplete and are
	 * reported, but do not fail the run.
	 */
	bool allow_incomplete;
	const struct cs_codec *codec; /* -c/-l/-p/-z, resolved by the CLI; NULL: uncompressed */
	int compress_level;
	bool adapt;                /* --adapt: each batch's level follows the output's speed */
	int adapt_min, adapt_max;
	unsigned nthreads;         /* 0: online CPUs */
	uint64_t size_limit;       /* -L, 0: none */
	const int *dump_levels;    /* -d a,b,c: later ones after ENOSPC / -L */
	int nr_dump_levels;
	const char *vmcoreinfo_in; /* -i */
	const char *vmlinux;       /* -x */
	/*
	 * --config FILE (needs vmlinux): the filter file's bytes are erased in
	 * every page written (engine/erase.c). Not set by the CLI yet: it refuses
	 * --config until the eraseinfo is written too.
	 */
	const char *erase_config;
	int message_level;
	bool have_vtop;            /* --vtop: print this translation before the dump is written */
	uint64_t vtop_vaddr;
	const atomic_int *cancel;  /* set to a signal number to stop (see cs_pipeline_cfg) */
	struct cs_job_hooks hooks;
	/* --split: write these pieces instead of output (formats/split.h). */
	const char *const *outputs;
	size_t nr_outputs;
	uint64_t splitblock_size;  /* --splitblock-size in bytes; 0: balance pieces exactly */
	/*
	 * --cyclic-buffer in KiB, 0: none. The memory of EACH bitmap: when the
	 * whole bitmap needs more, the dump is processed in windows ("cycles")
	 * of cyclic_buffer_kib * 8192 pfns (rounded to CS_SCAN_WINDOW_ALIGN).
	 * Without it the budget for both bitmaps is 60% of MemFree, as
	 * makedumpfile's.
	 */
	uint64_t cyclic_buffer_kib;
};

struct cs_job_result {
	bool have_stats;           /* the counts below are meaningful */
	struct cs_page_stats stats;
	uint64_t write_bytes;
	int dump_level;            /* the level actually used */
	bool incomplete;           /* the output was written but marked incomplete */
	bool elf;
	uint64_t elf_excluded;
	uint32_t page_size;
	/* incomplete: what the output holds (all pieces together for --split) */
	uint64_t saved_pages;
	uint64_t saved_bytes;
	/* Cyclic mode: the windows processed (0: the bitmaps were kept whole) and pfns per window. */
	uint64_t cycles;
	uint64_t cycle_pfns;
	/* --adapt: pages written at each level, [level - CS_ADAPT_LEVEL_MIN] (engine/adapt.h). */
	bool adapt;
	uint64_t level_pages[CS_ADAPT_SLOTS];
};

/*
 * VMCORE -> DUMPFILE (or stdout with flatten; nothing with dry_run; the
 * pieces cfg->outputs with --split). inputs may be the pieces of a split
 * dump. -E writes ELF from any input. On CS_ERR_NOSPC (full device or -L)
 * the dump is written again at the next of cfg->dump_levels, if any;
 * otherwise the file is left flagged incomplete (res->incomplete) when the
 * format allows, with res->saved_pages / saved_bytes.
 */
cs_status cs_job_dump(const struct cs_job_cfg *cfg, struct cs_job_result *res, struct cs_err *err);
/* --mem-usage: level-31 counts of any dump, zero pages included. */
cs_status cs_job_mem_usage(const struct cs_job_cfg *cfg, struct cs_job_result *res, struct cs_err *err);
/* --reassemble: cfg->inputs (the pieces of a split dump) -> cfg->output, as makedumpfile. */
cs_status cs_job_reassemble(const struct cs_job_cfg *cfg, struct cs_err *err);
/* -R: flattened stream on in_fd -> a plain file. */
cs_status cs_job_rearrange(int in_fd, const char *output, bool force, struct cs_err *err);
/*
 * --dump-dmesg [--partial-dmesg]: the crashed kernel's log from cfg->inputs[0]
 * (-i / -x honoured, -L applies) into logfile, created 0600 (O_EXCL unless
 * cfg->force). A broken ring leaves the records read so far and fails with
 * CS_ERR_CORRUPT; other failures remove the file.
 */
cs_status cs_job_dmesg(const struct cs_job_cfg *cfg, const char *logfile, struct cs_err *err);
/* -g FILE -x VMLINUX: write the vmlinux's VMCOREINFO text (makedumpfile -g format) to out. */
cs_status cs_job_gen_vmcoreinfo(const char *vmlinux, const char *out, bool force, struct cs_err *err);

#endif
