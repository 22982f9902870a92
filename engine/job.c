/* engine/job.c: the entry points of a run (the dump and its -d retries, --mem-usage, --reassemble, -R, --dump-dmesg, -g) and what it lost. */
#include "engine/run.h"

#include "core/io.h"
#include "engine/dmesg.h"
#include "engine/erase.h"
#include "engine/pipeline.h"
#include "filters/dump_level.h"
#include "formats/dwarf_layout.h"
#include "formats/kdump_format.h"
#include "formats/reassemble.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


void cs_run_msg(const struct cs_job_run *job, int ml_class, const char *fmt, ...)
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

void cs_run_step(const struct cs_job_run *job, const char *name)
{
	if (job->cfg->hooks.step)
		job->cfg->hooks.step(job->cfg->hooks.arg, name);
}

void cs_run_step_done(const struct cs_job_run *job)
{
	if (job->cfg->hooks.step_done)
		job->cfg->hooks.step_done(job->cfg->hooks.arg);
}

static void job_cleanup(struct cs_job_run *job)
{
	cs_sink_destroy(job->sink);
	job->sink = NULL;
	cs_scanner_close(job->scanner);
	job->scanner = NULL;
	cs_bitmap_deinit(&job->bitmap1);
	cs_bitmap_deinit(&job->bitmap2);
	cs_erase_map_free(&job->erase);
	if (job->kernel_init)
		cs_kernel_deinit(&job->kernel);
	if (job->src_open)
		cs_source_close(&job->src);
}

/* The level to use: refiltering keeps what the input already excluded. */
static int effective_level(struct cs_job_run *job, int requested)
{
	int level = requested;

	if (job->src.kind == CS_SRC_KDUMP) {
		level |= job->src.input_dump_level;
		if (level != requested)
			cs_run_msg(job, ML_COMMON,
				"The dump level is set to %d: the input was already filtered at level %d.",
				level, job->src.input_dump_level);
	}
	return level;
}

static void init_result(struct cs_job_result *res)
{
	memset(res, 0, sizeof(*res));
}

static void vtop_trace(void *ctx, const char *level, paddr_t entry_paddr, uint64_t entry)
{
	cs_run_msg(ctx, ML_COMMON, "  %s : %16" PRIx64 " => %16" PRIx64, level, (uint64_t)entry_paddr,
		entry);
}

/*
 * --vtop: makedumpfile's printout (each table entry read, then the result;
 * all ones when the address does not translate, with the reason on stderr),
 * after the kernel model is set up and before the dump is written; the dump
 * goes on either way.
 */
static void print_vtop(struct cs_job_run *job)
{
	paddr_t paddr = ~(paddr_t)0;
	vaddr_t vaddr = job->cfg->vtop_vaddr;
	struct cs_err verr;

	cs_err_clear(&verr);
	cs_run_msg(job, ML_COMMON, "\nTranslating virtual address %" PRIx64 " to physical address.", vaddr);
	if (cs_kernel_vtop_traced(&job->kernel, vaddr, &paddr, vtop_trace, job, &verr) != CS_OK) {
		cs_run_msg(job, ML_ERROR, "coresieve: %s", verr.msg);
		paddr = ~(paddr_t)0;
	}
	cs_run_msg(job, ML_COMMON, "VIRTUAL           PHYSICAL\n%16" PRIx64 "  %" PRIx64 "\n", vaddr,
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
static cs_status account_losses(struct cs_job_run *job, bool written, struct cs_job_result *res,
				struct cs_err *err)
{
	const struct cs_job_cfg *cfg = job->cfg;
	const struct cs_loss *l = &job->loss;
	uint64_t total = cs_loss_total(l);

	if (!total && !job->src.input_incomplete)
		return CS_OK;
	for (int i = 0; i < CS_LOSS_NR; i++)
		if (l->pages[i])
			cs_run_msg(job, ML_ERROR, "%s: %" PRIu64 " page%s lost, the first at pfn 0x%" PRIxPFN
				": %s.", job->src.path, l->pages[i], l->pages[i] == 1 ? "" : "s",
				l->first[i], cs_loss_reason_text((enum cs_loss_reason)i));
	if (job->src.input_incomplete)
		cs_run_msg(job, ML_ERROR, "%s: the input is marked incomplete (%s): the dump that wrote "
			"it was cut short.", job->src.path,
			job->src.kind == CS_SRC_KDUMP ? "kdump header status 0x8" : "ELF e_flags bit 0");
	if (written) {
		res->incomplete = true;
		if (cfg->elf && !cfg->flatten && cfg->output)
			cs_dump_mark_incomplete(cfg->output);
	}
	if (cfg->allow_incomplete) {
		cs_run_msg(job, ML_ERROR, "warning: the dump is incomplete; going on as --allow-incomplete asks.");
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
	struct cs_job_run job;
	bool created = false;
	uint64_t num_dumpable = 0;
	int level;
	cs_status st;

	memset(&job, 0, sizeof(job));
	job.cfg = cfg;
	job.kind = cs_run_output_kind(cfg);
	init_result(res);
	if (cfg->nr_outputs && (cfg->flatten || cfg->elf))
		return cs_err_set(err, CS_ERR_ARGS, "--split writes kdump-compressed files only (not -F or -E)");
	if (cfg->nr_outputs == 1)
		return cs_err_set(err, CS_ERR_ARGS, "--split needs at least two output files");
	if (cs_run_check_not_input(cfg, err) != CS_OK)
		return err->status;
	/* A file is created first (an existing one fails fast); a stream only once the input opened. */
	if (!cfg->flatten) {
		if ((st = cs_run_create_outputs(&job, err)) != CS_OK)
			goto out;
		created = true;
	}
	if ((st = cs_run_open_input(&job, err)) != CS_OK)
		goto out;
	/* Before any page is written: a filter line that does not resolve fails the run. */
	if (cfg->erase_config &&
	    (st = cs_erase_build(cfg->erase_config, cfg->vmlinux, &job.kernel, &job.erase, err)) != CS_OK)
		goto out;
	if (cfg->flatten && (st = cs_run_create_outputs(&job, err)) != CS_OK)
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
		if ((st = cs_run_scan(&job, level, &res->stats, &num_dumpable, err)) != CS_OK)
			goto out;
		res->have_stats = true;
		if ((level & CS_DL_ZERO) && job.kind->zero_prepass)
			st = cs_run_find_zero_pages(&job, level, res, err);
		if (st == CS_OK)
			st = job.kind->write(&job, level, num_dumpable, res, err);
		/* Everything the input could give is written; the dump may still not be whole. */
		if (st == CS_OK)
			st = account_losses(&job, !cfg->dry_run, res, err);
		/* Out of space (or -L): makedumpfile's retry with the next -d level. A stream cannot be redone. */
		if (st != CS_ERR_NOSPC || i + 1 >= cfg->nr_dump_levels || cfg->flatten)
			break;
		cs_run_msg(&job, ML_ERROR, "coresieve: %s", err->msg);
		cs_run_msg(&job, ML_COMMON, "Retry to create a dumpfile by dump_level(%d).",
			cfg->dump_levels[i + 1]);
		cs_run_remove_outputs(&job);
		created = false;
		cs_err_clear(err);
		if ((st = cs_run_create_outputs(&job, err)) != CS_OK)
			goto out;
		created = true;
	}
out:
	if (st != CS_OK && created && !res->incomplete) {
		/* Never leave a file that looks complete: remove what we created. */
		cs_run_remove_outputs(&job);
	}
	cs_run_destroy_outputs(&job);
	job_cleanup(&job);
	return st;
}

cs_status cs_job_reassemble(const struct cs_job_cfg *cfg, struct cs_err *err)
{
	struct cs_job_run job;
	cs_status st;
	const char *incomplete_piece;

	if (cs_run_check_not_input(cfg, err) != CS_OK)
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
	struct cs_job_run job;
	uint64_t num_dumpable = 0;
	cs_status st;

	memset(&job, 0, sizeof(job));
	job.cfg = cfg;
	job.kind = cs_run_output_kind(cfg);
	init_result(res);
	if ((st = cs_sink_null_create(&job.sink, err)) != CS_OK)
		goto out;
	if ((st = cs_run_open_input(&job, err)) != CS_OK)
		goto out;
	res->dump_level = 31;
	res->page_size = job.src.page_size;
	if ((st = cs_run_scan(&job, job.kernel.have_model ? 31 : 1, &res->stats, &num_dumpable, err)) != CS_OK)
		goto out;
	res->have_stats = true;
	job.loss = job.src.loss;
	st = cs_run_write_pages(&job, 31, true, num_dumpable, res, err);
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
	struct cs_job_run job;
	struct cs_dmesg_opts opts;
	struct cs_dmesg_stats dst;
	cs_status st;
	int fd = -1;
	bool lossy = false;

	memset(&job, 0, sizeof(job));
	job.cfg = cfg;
	job.kind = cs_run_output_kind(cfg);
	if (cs_output_create(logfile, cfg->force, cfg->inputs, cfg->nr_inputs, "dmesg log", &fd,
			     err) != CS_OK)
		return err->status;
	memset(&dst, 0, sizeof(dst));
	if ((st = cs_run_open_input(&job, err)) != CS_OK)
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
		cs_run_msg(&job, ML_DEBUG, "dmesg: %s log, %" PRIu64 " records, %" PRIu64 " skipped, %" PRIu64
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
