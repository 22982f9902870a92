/* engine/job.c: one run of coresieve: input -> kernel model -> mem_map scan -> pipeline -> counts. */
#include "engine/job.h"

#include "compress/codec.h"
#include "core/bitmap.h"
#include "core/io.h"
#include "engine/dmesg.h"
#include "core/kernel.h"
#include "engine/pipeline.h"
#include "engine/scan.h"
#include "filters/dump_level.h"
#include "formats/dwarf_layout.h"
#include "formats/elf_write.h"
#include "formats/kdump_format.h"
#include "formats/sink.h"
#include "formats/split.h"
#include "formats/source.h"
#include "formats/vmcoreinfo.h"
#include "formats/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Message classes (the CLI's --message-level bits). */
enum { ML_COMMON = 2, ML_ERROR = 4, ML_DEBUG = 8 };

struct job {
	const struct cs_job_cfg *cfg;
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
	 * every pipeline's reads booked (core/loss.h). account_losses() turns
	 * it into the report lines, the incomplete mark and the exit status.
	 */
	struct cs_loss loss;
};

__attribute__((format(printf, 3, 4))) static void job_msg(const struct job *job, int ml_class,
							   const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	if (!job->cfg->hooks.message)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	job->cfg->hooks.message(job->cfg->hooks.arg, ml_class, text);
}

static void job_step(const struct job *job, const char *name)
{
	if (job->cfg->hooks.step)
		job->cfg->hooks.step(job->cfg->hooks.arg, name);
}

static void job_step_done(const struct job *job)
{
	if (job->cfg->hooks.step_done)
		job->cfg->hooks.step_done(job->cfg->hooks.arg);
}

static void job_cleanup(struct job *job)
{
	cs_sink_destroy(job->sink);
	job->sink = NULL;
	cs_scanner_close(job->scanner);
	job->scanner = NULL;
	cs_bitmap_deinit(&job->bitmap1);
	cs_bitmap_deinit(&job->bitmap2);
	if (job->kernel_init)
		cs_kernel_deinit(&job->kernel);
	if (job->src_open)
		cs_source_close(&job->src);
}

/* Refuse to write over the input: with -f the O_TRUNC would destroy it. */
static cs_status check_not_input_1(const struct cs_job_cfg *cfg, const char *output,
				   struct cs_err *err)
{
	struct stat out_st, in_st;

	if (!output || stat(output, &out_st) != 0)
		return CS_OK;
	for (size_t i = 0; i < cfg->nr_inputs; i++)
		if (stat(cfg->inputs[i], &in_st) == 0 && in_st.st_dev == out_st.st_dev &&
		    in_st.st_ino == out_st.st_ino)
			return cs_err_set(err, CS_ERR_ARGS, "refusing to write the dump over its input '%s'",
					  cfg->inputs[i]);
	return CS_OK;
}

static cs_status check_not_input(const struct cs_job_cfg *cfg, struct cs_err *err)
{
	if (check_not_input_1(cfg, cfg->output, err) != CS_OK)
		return err->status;
	for (size_t i = 0; i < cfg->nr_outputs; i++)
		if (check_not_input_1(cfg, cfg->outputs[i], err) != CS_OK)
			return err->status;
	return CS_OK;
}

static cs_status open_input(struct job *job, struct cs_err *err)
{
	const struct cs_job_cfg *cfg = job->cfg;
	struct cs_kmodel override;
	const struct cs_kmodel *ovr = NULL;

	if (cs_source_open(&job->src, cfg->inputs, cfg->nr_inputs, cfg->use_mmap, err) != CS_OK)
		return err->status;
	job->src_open = true;
	if (cfg->vmcoreinfo_in) {
		size_t len;
		const char *note = cs_source_vmcoreinfo(&job->src, &len);
		struct cs_kmodel dump_km;
		uint64_t kaslr = 0;

		/* SYMBOL()s of a -g file come from an unrelocated vmlinux: add the dump's KERNELOFFSET. */
		if (note) {
			memset(&dump_km, 0, sizeof(dump_km));
			cs_vmcoreinfo_parse(note, len, 0, &dump_km, NULL);
			if (cs_km_has(&dump_km, KM_KERNELOFFSET))
				kaslr = cs_km_get(&dump_km, KM_KERNELOFFSET);
		}
		memset(&override, 0, sizeof(override));
		if (cs_vmcoreinfo_load_file(cfg->vmcoreinfo_in, &override, err) != CS_OK)
			return err->status;
		/*
		 * A file with its own KERNELOFFSET is a kernel-written note (a copy of
		 * /sys/kernel/vmcoreinfo's data, or of a dump's): its SYMBOL()s are
		 * relocated already, and adding the offset again would point every one
		 * of them KERNELOFFSET too far.
		 */
		if (kaslr && !cs_km_has(&override, KM_KERNELOFFSET)) {
			for (int i = 0; i < KM_NR_FIELDS; i++)
				if (override.have[i] && cs_km_kind_of(i) == KM_SYM)
					override.val[i] += kaslr;
			cs_km_set(&override, KM_KERNELOFFSET, kaslr);
		}
		/*
		 * As for -x: what a vmlinux cannot tell (-g writes no NUMBER(phys_base),
		 * NUMBER(KERNEL_IMAGE_SIZE), NUMBER(pgtable_l5_enabled), ...) comes from
		 * the dump's own note. Without it a KASLR offset >= 512 MiB puts
		 * init_top_pgt "outside the kernel image", and 5-level dumps are walked
		 * with 4 levels.
		 */
		if (note) {
			char rel[sizeof(override.osrelease)]; /* the release check is the file's */

			memcpy(rel, override.osrelease, sizeof(rel));
			cs_kmodel_merge_missing(&override, &dump_km);
			memcpy(override.osrelease, rel, sizeof(rel));
		}
		ovr = &override;
	}
	if (cfg->vmlinux) {
		/* -x: layouts from the vmlinux's DWARF, relocated by and completed from the dump's note. */
		size_t len;
		const char *note = cs_source_vmcoreinfo(&job->src, &len);
		struct cs_kmodel dump_km;

		memset(&dump_km, 0, sizeof(dump_km));
		if (note)
			cs_vmcoreinfo_parse(note, len, 0, &dump_km, NULL);
		if (cs_dwarf_model_for_dump(cfg->vmlinux, note ? &dump_km : NULL, job->src.page_size,
					    &override, err) != CS_OK)
			return err->status;
		ovr = &override;
	}
	if (cs_kernel_init_source(&job->kernel, &job->src, ovr, err) != CS_OK)
		return cs_err_ctx(err, "%s", job->src.path);
	job->kernel_init = true;
	if (ovr) {
		/* makedumpfile's check_release: the -i file must describe the dumped kernel (exit 2). */
		char uts[6][65];
		struct cs_err uerr;

		cs_err_clear(&uerr);
		/*
		 * As makedumpfile ("check_release: Can't get the address of
		 * system_utsname"): symbols that do not even reach init_uts_ns are not
		 * this dump's, and would leave every page kept unverified, silently.
		 */
		if (cs_kernel_utsname(&job->kernel, uts, &uerr) != CS_OK)
			return cs_err_set(err, uerr.status, "%s (with the symbols of %s)", uerr.msg,
					  cfg->vmlinux ? "VMLINUX" : "VMCOREINFO file");
		if (ovr->osrelease[0] && strcmp(uts[2], ovr->osrelease) != 0)
			return cs_err_set(err, CS_ERR_RELEASE,
					  "the kernel version of %s (%s) is different from the dump's (%s)",
					  cfg->vmlinux ? "VMLINUX" : "VMCOREINFO file", ovr->osrelease, uts[2]);
	}
	return CS_OK;
}

/* The level to use: refiltering keeps what the input already excluded. */
static int effective_level(struct job *job, int requested)
{
	int level = requested;

	if (job->src.kind == CS_SRC_KDUMP) {
		level |= job->src.input_dump_level;
		if (level != requested)
			job_msg(job, ML_COMMON,
				"The dump level is set to %d: the input was already filtered at level %d.",
				level, job->src.input_dump_level);
	}
	return level;
}

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
static cs_status plan_windows(struct job *job, pfn_t max_mapnr, struct cs_err *err)
{
	const struct cs_job_cfg *cfg = job->cfg;
	uint64_t one = cs_bitmap_bytes(max_mapnr), budget, in = input_bytes(cfg);
	bool whole_only = cfg->elf || cfg->nr_outputs;

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
					  cfg->elf ? "-E" : "--split", (2 * one) >> 20, mem_free >> 20);
	}
	if (one <= budget)
		return CS_OK;
	/* Windows start at multiples of the alignment that keeps free blocks and compound pages whole. */
	job->window_pfns = CS_MAX(budget * 8 / CS_SCAN_WINDOW_ALIGN, 1) * CS_SCAN_WINDOW_ALIGN;
	return CS_OK;
}

/* Cyclic mode: fill the bitmaps with the window starting at `first`. */
static cs_status scan_window(struct job *job, pfn_t first, struct cs_page_stats *stats,
			     struct cs_err *err)
{
	pfn_t end = CS_MIN(first + job->window_pfns, job->max_mapnr);

	cs_bitmap_move_window(&job->bitmap1, first, end);
	cs_bitmap_move_window(&job->bitmap2, first, end);
	if (cs_scanner_window(job->scanner, &job->bitmap1, &job->bitmap2, stats, err) != CS_OK)
		return cs_err_ctx(err, "pfns 0x%" PRIxPFN "-0x%" PRIxPFN, first, end);
	return CS_OK;
}

/* The pipeline's next_window: the window after the current one, scanned again (pass 2). */
static cs_status next_window(void *arg, struct cs_err *err)
{
	struct job *job = arg;

	return scan_window(job, job->bitmap1.nbits, &job->window_stats, err);
}

/*
 * Cyclic mode, pass 1: every window scanned for the counts and num_dumpable
 * (the descriptor table precedes the data, so its size must be known before
 * the first page is written; makedumpfile does the same); then the bitmaps
 * are left holding the first window again for the writer.
 */
static cs_status scan_windows(struct job *job, struct cs_page_stats *stats, uint64_t *num_dumpable,
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

static cs_status scan(struct job *job, int level, struct cs_page_stats *stats,
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
		job_msg(job, ML_ERROR, "warning: implausible VMCOREINFO: %s.",
			cs_scanner_implausible(job->scanner));
	if ((level & CS_DL_FREE) && job->kernel.have_model && !cs_scanner_sees_free(job->scanner) &&
	    !strstr(cs_scanner_implausible(job->scanner), "BUDDY"))
		job_msg(job, ML_ERROR,
			"warning: cannot identify free pages: VMCOREINFO has neither "
			"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE) nor NUMBER(PG_buddy) (or no "
			"OFFSET(page.private)); free pages are kept.");
	job_step(job, "Excluding unnecessary pages");
	if (job->window_pfns) {
		uint64_t cycles = CS_DIV_ROUND_UP(job->max_mapnr, job->window_pfns);

		job_msg(job, ML_COMMON,
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
	job_step_done(job);
	if (st == CS_OK && stats->kept_unverified && (level & ~CS_DL_ZERO))
		job_msg(job, ML_ERROR,
			"warning: %" PRIu64 " pages are kept unfiltered: their struct pages could not "
			"be read or trusted (\"Kept unverified\" in --show-stats).", stats->kept_unverified);
	return st;
}

static void fill_header(struct job *job, int level, struct cs_dump_header_info *hdr)
{
	struct cs_err uerr;

	memset(hdr, 0, sizeof(*hdr));
	hdr->page_size = job->src.page_size;
	hdr->max_mapnr = job->max_mapnr;
	hdr->dump_level = level;
	hdr->notes = job->src.notes;
	hdr->notes_size = job->src.notes_size;
	hdr->vmcoreinfo_off = job->src.vmcoreinfo_off;
	hdr->vmcoreinfo_size = job->src.vmcoreinfo_size;
	hdr->nr_cpus = job->src.nr_cpus;
	/*
	 * A cut, incomplete or partial (split piece missing) input cannot give a
	 * complete dump: say so in the header (formats/kdump_format.h: CS_DUMP_DH_COMPRESSED_INCOMPLETE). Losses found
	 * while reading are marked by the writer at finish (mark_incomplete).
	 */
	if (job->src.truncated_bytes || job->src.input_incomplete || cs_loss_total(&job->src.loss))
		hdr->extra_status |= CS_DUMP_DH_COMPRESSED_INCOMPLETE;
	if (job->src.kind == CS_SRC_KDUMP) {
		/*
		 * refiltering: the input's header facts carry over, except a phys_base
		 * VMCOREINFO contradicts: QEMU 7.2's kdump writer stores its own guess
		 * there (seen: 0xfffffffd6886aa7c).
		 */
		hdr->phys_base = job->src.input_phys_base;
		if (job->kernel.have_model && cs_km_has(&job->kernel.km, KM_NUM_phys_base))
			hdr->phys_base = cs_km_get(&job->kernel.km, KM_NUM_phys_base);
		hdr->timestamp = job->src.input_timestamp;
		memcpy(hdr->utsname, job->src.input_utsname, sizeof(hdr->utsname));
		hdr->eraseinfo = (const char *)job->src.eraseinfo;
		hdr->eraseinfo_size = job->src.eraseinfo_size;
		/* QEMU's kdump files leave utsname empty; crash checks machine: take it from the kernel. */
		cs_err_clear(&uerr);
		if (!hdr->utsname[0][0] && job->kernel.have_model &&
		    cs_kernel_utsname(&job->kernel, hdr->utsname, &uerr) != CS_OK)
			memset(hdr->utsname, 0, sizeof(hdr->utsname));
		return;
	}
	hdr->phys_base = cs_kernel_phys_base(&job->kernel);
	if (job->kernel.have_model && cs_km_has(&job->kernel.km, KM_CRASHTIME))
		hdr->timestamp = (int64_t)cs_km_get(&job->kernel.km, KM_CRASHTIME);
	cs_err_clear(&uerr);
	if (job->kernel.have_model && cs_kernel_utsname(&job->kernel, hdr->utsname, &uerr) != CS_OK) {
		memset(hdr->utsname, 0, sizeof(hdr->utsname));
		job_msg(job, ML_DEBUG, "cannot read the kernel's utsname: %s", uerr.msg);
	}
}

/* After a failed pipeline: remember what an incomplete output holds. */
static void note_incomplete(const struct job *job, const struct cs_sink *sink,
			    const struct cs_pipeline_stats *pstats, struct cs_job_result *res)
{
	if (!pstats->incomplete || job->cfg->dry_run)
		return;
	res->incomplete = true;
	res->saved_pages += pstats->saved_pages;
	res->saved_bytes += (uint64_t)sink->end;
	res->write_bytes += sink->bytes_written;
}

static cs_status write_pages(struct job *job, int level, bool zero_only, uint64_t num_dumpable,
			     struct cs_job_result *res, struct cs_err *err)
{
	const struct cs_job_cfg *cfg = job->cfg;
	struct cs_dump_header_info hdr;
	struct cs_pipeline_cfg pcfg;
	struct cs_pipeline_stats pstats;
	cs_status st;

	memset(&pcfg, 0, sizeof(pcfg));
	memset(&pstats, 0, sizeof(pstats));
	/* --dry-run and --mem-usage only need the zero test: compressing would be wasted work. */
	if (cfg->compress && !zero_only && !cfg->dry_run) {
		pcfg.codec = cs_codec_by_cli_flag(cfg->compress);
		if (!pcfg.codec)
			return cs_err_set(err, CS_ERR_NOTSUP,
					  "-%c: this build of coresieve has no %s support (rebuild with its -dev package)",
					  cfg->compress, cfg->compress == 'c' ? "zlib" : cfg->compress == 'l' ? "lzo" :
					  cfg->compress == 'p' ? "snappy" : "zstd");
	}
	pcfg.level = cfg->compress_level;
	pcfg.nthreads = cfg->nthreads;
	pcfg.sink = job->sink;
	pcfg.exclude_zero = (level & 1) || zero_only;
	pcfg.progress = cfg->hooks.progress;
	pcfg.progress_arg = cfg->hooks.arg;
	pcfg.cancel = cfg->cancel;
	if (job->window_pfns) {
		pcfg.next_window = next_window;
		pcfg.window_arg = job;
		pcfg.num_dumpable = num_dumpable;
		res->cycles = CS_DIV_ROUND_UP(job->max_mapnr, job->window_pfns);
		res->cycle_pfns = job->window_pfns;
	}
	fill_header(job, level, &hdr);
	job_step(job, "Copying data");
	pcfg.writer_arg = NULL;
	st = cs_pipeline_run(&pcfg, &job->src, &job->bitmap1, &job->bitmap2, &hdr, &pstats, err);
	job_step_done(job);
	if (st != CS_OK) {
		note_incomplete(job, job->sink, &pstats, res);
		return st;
	}
	if (pcfg.exclude_zero)
		res->stats.zero += pstats.zero_pages;
	res->write_bytes = pstats.bytes_written;
	/* What the output holds, should account_losses() mark it incomplete. */
	res->saved_pages = pstats.pages_written;
	res->saved_bytes = (uint64_t)job->sink->end;
	cs_loss_merge(&job->loss, &pstats.loss);
	return CS_OK;
}

static void init_result(struct cs_job_result *res)
{
	memset(res, 0, sizeof(*res));
}

/* -E: zero pre-pass (level bit 1), segment plan, then the pages through the ELF writer. */
static cs_status write_elf(struct job *job, int level, struct cs_job_result *res, struct cs_err *err)
{
	const struct cs_job_cfg *cfg = job->cfg;
	struct cs_dump_header_info hdr;
	struct cs_pipeline_cfg pcfg;
	struct cs_pipeline_stats pstats;
	struct cs_elf_plan *plan = NULL;
	struct cs_elf_plan_info info;
	cs_status st;

	if (level & 1) {
		/*
		 * The segments depend on which pages are zero, so zero pages are found
		 * first: the pipeline's workers read and test them, nothing is copied.
		 */
		memset(&pcfg, 0, sizeof(pcfg));
		memset(&pstats, 0, sizeof(pstats));
		pcfg.nthreads = cfg->nthreads;
		pcfg.sink = job->sink; /* not written to */
		pcfg.writer = &cs_zero_scan_writer;
		pcfg.writer_arg = &job->bitmap2;
		pcfg.exclude_zero = true;
		pcfg.zero_scan = true;
		pcfg.progress = cfg->hooks.progress;
		pcfg.progress_arg = cfg->hooks.arg;
		pcfg.cancel = cfg->cancel;
		fill_header(job, level, &hdr);
		job_step(job, "Excluding zero pages");
		st = cs_pipeline_run(&pcfg, &job->src, &job->bitmap1, &job->bitmap2, &hdr, &pstats, err);
		job_step_done(job);
		if (st)
			return cs_err_ctx(err, "cannot look for zero pages");
		res->stats.zero += pstats.zero_pages;
		/* Every kept page is read here; a lost one reads as zeros and is dropped: book it once. */
		cs_loss_merge(&job->loss, &pstats.loss);
	}
	st = cs_elf_plan_create(&job->src, &job->bitmap2, &plan, err);
	if (st)
		return st;
	cs_elf_plan_get_info(plan, &info);
	res->elf = true;
	res->elf_excluded = info.excluded;
	job_msg(job, ML_DEBUG, "ELF output: %zu PT_LOADs, %" PRIu64 " pages of data, %" PRIu64
		" pages dropped", info.nr_loads, info.data_pages, info.excluded);

	memset(&pcfg, 0, sizeof(pcfg));
	memset(&pstats, 0, sizeof(pstats));
	pcfg.nthreads = cfg->nthreads;
	pcfg.sink = job->sink;
	pcfg.writer = &cs_elf_writer;
	pcfg.writer_arg = plan;
	pcfg.progress = cfg->hooks.progress;
	pcfg.progress_arg = cfg->hooks.arg;
	pcfg.cancel = cfg->cancel;
	fill_header(job, level, &hdr);
	hdr.max_mapnr = cs_elf_plan_pages(plan)->nbits;
	job_step(job, "Copying data");
	st = cs_pipeline_run(&pcfg, &job->src, &job->bitmap1, cs_elf_plan_pages(plan), &hdr, &pstats,
			     err);
	job_step_done(job);
	cs_elf_plan_destroy(plan);
	if (st) {
		note_incomplete(job, job->sink, &pstats, res);
		return st;
	}
	res->write_bytes = pstats.bytes_written;
	res->saved_pages = pstats.pages_written;
	res->saved_bytes = (uint64_t)job->sink->end;
	if (!(level & 1))
		cs_loss_merge(&job->loss, &pstats.loss);
	return CS_OK;
}

/* --split: one pipeline per piece, all at once, over the bitmaps of the one scan. */
struct split_ctx {
	const struct job *job;
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
	struct job *job = (struct job *)pr->ctx->job;

	pr->st = cs_pipeline_run(&pr->pcfg, &job->src, &job->bitmap1, &job->bitmap2, &pr->hdr,
				 &pr->pstats, &pr->err);
	return NULL;
}

static cs_status write_split(struct job *job, int level, struct cs_job_result *res,
			     struct cs_err *err)
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

	memset(&ctx, 0, sizeof(ctx));
	ctx.job = job;
	ctx.done = calloc(n, sizeof(*ctx.done));
	if (!runs || !starts || !ctx.done) {
		st = cs_err_set(err, CS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (cfg->compress && !cfg->dry_run && !(codec = cs_codec_by_cli_flag(cfg->compress))) {
		st = cs_err_set(err, CS_ERR_NOTSUP, "-%c: this build of coresieve has no support for it",
				cfg->compress);
		goto out;
	}
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
	fill_header(job, level, &hdr);
	hdr.split = true;
	hdr.num_dumpable_total = cs_bitmap_count(&job->bitmap2, 0, hdr.max_mapnr);
	ctx.total = hdr.num_dumpable_total;
	st = cs_split_ranges(&job->bitmap2, hdr.max_mapnr, n,
			     cfg->splitblock_size / job->src.page_size, starts, err);
	if (st)
		goto out;
	pthread_mutex_init(&ctx.lock, NULL);
	job_step(job, "Copying data");
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
		/* The CPUs are shared out; a piece with one thread runs inline on its own thread. */
		pr->pcfg.nthreads = CS_MAX(1u, threads / (unsigned)n);
		pr->pcfg.sink = job->pieces[i];
		pr->pcfg.exclude_zero = level & 1;
		pr->pcfg.start_pfn = starts[i];
		pr->pcfg.end_pfn = starts[i + 1];
		pr->pcfg.progress = piece_progress;
		pr->pcfg.progress_arg = pr;
		pr->pcfg.cancel = job->cfg->cancel;
		job_msg(job, ML_DEBUG, "split: %s holds pfns 0x%" PRIxPFN "-0x%" PRIxPFN, cfg->outputs[i],
			starts[i], starts[i + 1]);
		if (pthread_create(&pr->thread, NULL, piece_main, pr) == 0)
			pr->started = true;
		else
			piece_main(pr); /* no thread to be had: write it here */
	}
	for (size_t i = 0; i < n; i++)
		if (runs[i].started)
			pthread_join(runs[i].thread, NULL);
	job_step_done(job);
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

static void destroy_sinks(struct job *job)
{
	cs_sink_destroy(job->sink);
	job->sink = NULL;
	if (job->pieces) {
		for (size_t i = 0; i < job->cfg->nr_outputs; i++)
			cs_sink_destroy(job->pieces[i]);
		free(job->pieces);
		job->pieces = NULL;
	}
}

/* Remove the files of a failed attempt (never in -F or --dry-run: nothing was created). */
static void remove_outputs(struct job *job)
{
	const struct cs_job_cfg *cfg = job->cfg;

	destroy_sinks(job);
	if (cfg->dry_run || cfg->flatten)
		return;
	if (cfg->nr_outputs) {
		for (size_t i = 0; i < cfg->nr_outputs; i++)
			remove(cfg->outputs[i]);
	} else if (cfg->output) {
		remove(cfg->output);
	}
}

/* Create the output(s) first: an existing file fails fast, before any scanning. */
static cs_status create_sinks(struct job *job, struct cs_err *err)
{
	const struct cs_job_cfg *cfg = job->cfg;
	cs_status st;

	if (cfg->nr_outputs) {
		job->pieces = calloc(cfg->nr_outputs, sizeof(*job->pieces));
		if (!job->pieces)
			return cs_err_set(err, CS_ERR_NOMEM, "out of memory");
		for (size_t i = 0; i < cfg->nr_outputs; i++) {
			st = cfg->dry_run ? cs_sink_null_create(&job->pieces[i], err)
					  : cs_sink_file_create(cfg->outputs[i], cfg->force, &job->pieces[i], err);
			if (st) {
				/* Only the pieces created here go away again. */
				for (size_t k = 0; k < i && !cfg->dry_run; k++)
					remove(cfg->outputs[k]);
				destroy_sinks(job);
				return st;
			}
			cs_sink_set_limit(job->pieces[i], cfg->size_limit);
		}
		return CS_OK;
	}
	if (cfg->dry_run)
		st = cs_sink_null_create(&job->sink, err);
	else if (cfg->flatten)
		st = cs_sink_flat_create(1, "standard output", &job->sink, err);
	else
		st = cs_sink_file_create(cfg->output, cfg->force, &job->sink, err);
	if (st)
		return st;
	cs_sink_set_limit(job->sink, cfg->size_limit);
	return CS_OK;
}

static void vtop_trace(void *ctx, const char *level, paddr_t entry_paddr, uint64_t entry)
{
	job_msg(ctx, ML_COMMON, "  %s : %16" PRIx64 " => %16" PRIx64, level, (uint64_t)entry_paddr,
		entry);
}

/*
 * --vtop: makedumpfile's printout (each table entry read, then the result;
 * all ones when the address does not translate, with the reason on stderr),
 * after the kernel model is set up and before the dump is written; the dump
 * goes on either way.
 */
static void print_vtop(struct job *job)
{
	paddr_t paddr = ~(paddr_t)0;
	vaddr_t vaddr = job->cfg->vtop_vaddr;
	struct cs_err verr;

	cs_err_clear(&verr);
	job_msg(job, ML_COMMON, "\nTranslating virtual address %" PRIx64 " to physical address.", vaddr);
	if (cs_kernel_vtop_traced(&job->kernel, vaddr, &paddr, vtop_trace, job, &verr) != CS_OK) {
		job_msg(job, ML_ERROR, "coresieve: %s", verr.msg);
		paddr = ~(paddr_t)0;
	}
	job_msg(job, ML_COMMON, "VIRTUAL           PHYSICAL\n%16" PRIx64 "  %" PRIx64 "\n", vaddr,
		(uint64_t)paddr);
}

/*
 * No silent loss (docs/robustness.md): pages the input declares but could not
 * give (job->loss), or an input marked incomplete, are said in one line per
 * reason with the count and the first pfn; the output is marked incomplete
 * (kdump: by the writer, from fill_header and mark_incomplete; an ELF file
 * here) and the run fails, unless --allow-incomplete. written: an output
 * was produced (not --dry-run, --mem-usage or --dump-dmesg).
 */
static cs_status account_losses(struct job *job, bool written, struct cs_job_result *res,
				struct cs_err *err)
{
	const struct cs_job_cfg *cfg = job->cfg;
	const struct cs_loss *l = &job->loss;
	uint64_t total = cs_loss_total(l);

	if (!total && !job->src.input_incomplete)
		return CS_OK;
	for (int i = 0; i < CS_LOSS_NR; i++)
		if (l->pages[i])
			job_msg(job, ML_ERROR, "%s: %" PRIu64 " page%s lost, the first at pfn 0x%" PRIxPFN
				": %s.", job->src.path, l->pages[i], l->pages[i] == 1 ? "" : "s",
				l->first[i], cs_loss_reason_text((enum cs_loss_reason)i));
	if (job->src.input_incomplete)
		job_msg(job, ML_ERROR, "%s: the input is marked incomplete (%s): the dump that wrote "
			"it was cut short.", job->src.path,
			job->src.kind == CS_SRC_KDUMP ? "kdump header status 0x8" : "ELF e_flags bit 0");
	if (written) {
		res->incomplete = true;
		if (cfg->elf && !cfg->flatten && cfg->output)
			cs_dump_mark_incomplete(cfg->output);
	}
	if (cfg->allow_incomplete) {
		job_msg(job, ML_ERROR, "warning: the dump is incomplete; going on as --allow-incomplete asks.");
		return CS_OK;
	}
	if (job->src.truncated_bytes)
		return cs_err_set(err, CS_ERR_IO,
				  "%s is truncated at offset 0x%" PRIx64 ": %" PRIu64 " bytes of memory "
				  "data are missing, and those pages are not in the dump",
				  job->src.path, (uint64_t)job->src.truncated_at, job->src.truncated_bytes);
	if (!total)
		return cs_err_set(err, CS_ERR_IO, "%s: the input is marked incomplete, so is the dump "
				  "(--allow-incomplete accepts that)", job->src.path);
	return cs_err_set(err, CS_ERR_IO, "%s: the dump is incomplete: %" PRIu64 " page%s could not "
			  "be read%s (--allow-incomplete accepts that)", job->src.path, total,
			  total == 1 ? "" : "s", job->src.input_incomplete ? " and the input is marked incomplete" : "");
}

cs_status cs_job_dump(const struct cs_job_cfg *cfg, struct cs_job_result *res, struct cs_err *err)
{
	struct job job;
	bool created = false;
	uint64_t num_dumpable = 0;
	int level;
	cs_status st;

	memset(&job, 0, sizeof(job));
	job.cfg = cfg;
	init_result(res);
	if (cfg->nr_outputs && (cfg->flatten || cfg->elf))
		return cs_err_set(err, CS_ERR_ARGS, "--split writes kdump-compressed files only (not -F or -E)");
	if (cfg->nr_outputs == 1)
		return cs_err_set(err, CS_ERR_ARGS, "--split needs at least two output files");
	if (check_not_input(cfg, err) != CS_OK)
		return err->status;
	/* A file is created first (an existing one fails fast); a stream only once the input opened. */
	if (!cfg->flatten) {
		if ((st = create_sinks(&job, err)) != CS_OK)
			goto out;
		created = true;
	}
	if ((st = open_input(&job, err)) != CS_OK)
		goto out;
	if (cfg->flatten && (st = create_sinks(&job, err)) != CS_OK)
		goto out;
	res->page_size = job.src.page_size;
	if (cfg->have_vtop)
		print_vtop(&job);
	for (int i = 0;; i++) {
		level = effective_level(&job, cfg->dump_levels[i]);
		res->dump_level = level;
		res->have_stats = false;
		res->incomplete = false;
		res->saved_pages = res->saved_bytes = res->write_bytes = 0;
		memset(&res->stats, 0, sizeof(res->stats));
		job.loss = job.src.loss;
		if ((st = scan(&job, level, &res->stats, &num_dumpable, err)) != CS_OK)
			goto out;
		res->have_stats = true;
		if (cfg->nr_outputs)
			st = write_split(&job, level, res, err);
		else if (cfg->elf)
			st = write_elf(&job, level, res, err);
		else
			st = write_pages(&job, level, false, num_dumpable, res, err);
		/* Everything the input could give is written; the dump may still not be whole. */
		if (st == CS_OK)
			st = account_losses(&job, !cfg->dry_run, res, err);
		/* Out of space (or -L): makedumpfile's retry with the next -d level. A stream cannot be redone. */
		if (st != CS_ERR_NOSPC || i + 1 >= cfg->nr_dump_levels || cfg->flatten)
			break;
		job_msg(&job, ML_ERROR, "coresieve: %s", err->msg);
		job_msg(&job, ML_COMMON, "Retry to create a dumpfile by dump_level(%d).",
			cfg->dump_levels[i + 1]);
		remove_outputs(&job);
		created = false;
		cs_err_clear(err);
		if ((st = create_sinks(&job, err)) != CS_OK)
			goto out;
		created = true;
	}
out:
	if (st != CS_OK && created && !res->incomplete) {
		/* Never leave a file that looks complete: remove what we created. */
		remove_outputs(&job);
	}
	destroy_sinks(&job);
	job_cleanup(&job);
	return st;
}

cs_status cs_job_reassemble(const struct cs_job_cfg *cfg, struct cs_err *err)
{
	struct job job;
	cs_status st;
	const char *incomplete_piece;

	if (check_not_input(cfg, err) != CS_OK)
		return err->status;
	/* No input is opened as a source: the ledger and the messages need only these. */
	memset(&job, 0, sizeof(job));
	job.cfg = cfg;
	job.src.path = cfg->inputs[0];
	job.src.kind = CS_SRC_KDUMP;
	if (cfg->hooks.step)
		cfg->hooks.step(cfg->hooks.arg, "Copying data");
	st = cs_kdump_reassemble(cfg->inputs, cfg->nr_inputs, cfg->output, cfg->force,
				 cfg->hooks.progress, cfg->hooks.arg, &job.loss, &incomplete_piece, err);
	if (cfg->hooks.step_done)
		cfg->hooks.step_done(cfg->hooks.arg);
	if (st != CS_OK)
		return st;
	/* The report names the piece that is marked incomplete, not the first given. */
	job.src.input_incomplete = incomplete_piece != NULL;
	if (incomplete_piece)
		job.src.path = incomplete_piece;
	/* An incomplete piece makes the output's header say so already; lost pages in others do here. */
	if (cs_loss_total(&job.loss) && !job.src.input_incomplete)
		(void)cs_kdump_mark_incomplete(cfg->output, err);
	return account_losses(&job, false, NULL, err);
}

cs_status cs_job_mem_usage(const struct cs_job_cfg *cfg, struct cs_job_result *res, struct cs_err *err)
{
	struct job job;
	uint64_t num_dumpable = 0;
	cs_status st;

	memset(&job, 0, sizeof(job));
	job.cfg = cfg;
	init_result(res);
	if ((st = cs_sink_null_create(&job.sink, err)) != CS_OK)
		goto out;
	if ((st = open_input(&job, err)) != CS_OK)
		goto out;
	res->dump_level = 31;
	res->page_size = job.src.page_size;
	if ((st = scan(&job, job.kernel.have_model ? 31 : 1, &res->stats, &num_dumpable, err)) != CS_OK)
		goto out;
	res->have_stats = true;
	job.loss = job.src.loss;
	st = write_pages(&job, 31, true, num_dumpable, res, err);
	if (st == CS_OK)
		st = account_losses(&job, false, res, err);
out:
	job_cleanup(&job);
	return st;
}

cs_status cs_job_rearrange(int in_fd, const char *output, bool force, struct cs_err *err)
{
	return cs_flat_rebuild(in_fd, output, force, err);
}

cs_status cs_job_dmesg(const struct cs_job_cfg *cfg, const char *logfile, struct cs_err *err)
{
	struct job job;
	struct cs_dmesg_opts opts;
	struct cs_dmesg_stats dst;
	cs_status st;
	int fd = -1;
	bool lossy = false;

	memset(&job, 0, sizeof(job));
	job.cfg = cfg;
	if (cs_output_create(logfile, cfg->force, cfg->inputs, cfg->nr_inputs, "dmesg log", &fd,
			     err) != CS_OK)
		return err->status;
	memset(&dst, 0, sizeof(dst));
	if ((st = open_input(&job, err)) != CS_OK)
		goto out;
	memset(&opts, 0, sizeof(opts));
	opts.partial = cfg->partial_dmesg;
	opts.caller_id = true; /* makedumpfile 1.7.5+: the column whenever the offset is known */
	opts.size_limit = cfg->size_limit;
	/* No record can be longer than the dump's memory. */
	for (size_t i = 0; i < job.src.nr_ranges; i++)
		opts.mem_limit += (job.src.ranges[i].end - job.src.ranges[i].start) * job.src.page_size;
	st = cs_dmesg_extract_opts(&job.kernel, &opts, fd, &dst, err);
	if (dst.format)
		job_msg(&job, ML_DEBUG, "dmesg: %s log, %" PRIu64 " records, %" PRIu64 " skipped, %" PRIu64
			" bytes", dst.format, dst.records, dst.skipped, dst.bytes);
	/* The log of an incomplete or partial dump may lack records: say so (the log is kept). */
	job.loss = job.src.loss;
	if (st == CS_OK) {
		lossy = (st = account_losses(&job, false, NULL, err)) != CS_OK;
	} else {
		/* A broken ring in an incomplete dump: the lines say why (the first error stays). */
		struct cs_err lerr;
		cs_err_clear(&lerr);
		(void)account_losses(&job, false, NULL, &lerr);
	}
out:
	if (close(fd) != 0 && st == CS_OK)
		st = cs_err_sys(err, errno, "cannot close the dmesg log '%s'", logfile);
	/* A broken ring or -L still leaves the records read so far; anything else leaves nothing. */
	if (st != CS_OK && !lossy && !((st == CS_ERR_CORRUPT || st == CS_ERR_NOSPC) && dst.bytes))
		unlink(logfile);
	job_cleanup(&job);
	return st;
}

cs_status cs_job_gen_vmcoreinfo(const char *vmlinux, const char *out, bool force, struct cs_err *err)
{
	const char *inputs[1] = {vmlinux};
	char *text = NULL;
	size_t len = 0;
	cs_status st;
	int fd;

	if ((st = cs_dwarf_vmcoreinfo_text(vmlinux, &text, &len, err)) != CS_OK)
		return st;
	if ((st = cs_output_create(out, force, inputs, 1, "VMCOREINFO file", &fd, err)) != CS_OK) {
		free(text);
		return st;
	}
	st = cs_write_full(fd, out, text, len, NULL, err);
	if (close(fd) != 0 && st == CS_OK)
		st = cs_err_sys(err, errno, "cannot close '%s'", out);
	if (st != CS_OK)
		unlink(out);
	free(text);
	return st;
}
