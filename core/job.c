/* core/job.c: one run of coresieve: input -> kernel model -> mem_map scan -> pipeline -> counts. */
#include "core/job.h"

#include "compress/codec.h"
#include "core/bitmap.h"
#include "core/kernel.h"
#include "core/pipeline.h"
#include "formats/sink.h"
#include "formats/source.h"
#include "formats/vmcoreinfo.h"
#include "formats/writer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Message classes (the CLI's --message-level bits). */
enum { ML_COMMON = 2, ML_ERROR = 4, ML_DEBUG = 8 };

struct job {
	const struct cs_job_cfg *cfg;
	struct cs_source src;
	bool src_open;
	struct cs_kernel kernel;
	bool kernel_init;
	struct cs_bitmap bitmap1, bitmap2;
	struct cs_sink *sink;
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
	cs_bitmap_deinit(&job->bitmap1);
	cs_bitmap_deinit(&job->bitmap2);
	if (job->kernel_init)
		cs_kernel_deinit(&job->kernel);
	if (job->src_open)
		cs_source_close(&job->src);
}

/* Refuse to write over the input: with -f the O_TRUNC would destroy it. */
static cs_status check_not_input(const struct cs_job_cfg *cfg, struct cs_err *err)
{
	struct stat out_st, in_st;

	if (!cfg->output || stat(cfg->output, &out_st) != 0)
		return CS_OK;
	for (size_t i = 0; i < cfg->nr_inputs; i++)
		if (stat(cfg->inputs[i], &in_st) == 0 && in_st.st_dev == out_st.st_dev &&
		    in_st.st_ino == out_st.st_ino)
			return cs_err_set(err, CS_ERR_ARGS, "refusing to write the dump over its input '%s'",
					  cfg->inputs[i]);
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

		/* SYMBOL()s of a -i file come from an unrelocated vmlinux: add the dump's KERNELOFFSET. */
		if (note) {
			memset(&dump_km, 0, sizeof(dump_km));
			cs_vmcoreinfo_parse(note, len, 0, &dump_km, NULL);
			if (cs_km_has(&dump_km, KM_KERNELOFFSET))
				kaslr = cs_km_get(&dump_km, KM_KERNELOFFSET);
		}
		memset(&override, 0, sizeof(override));
		if (cs_vmcoreinfo_load_file(cfg->vmcoreinfo_in, &override, err) != CS_OK)
			return err->status;
		if (kaslr) {
			for (int i = 0; i < KM_NR_FIELDS; i++)
				if (override.have[i] && cs_km_kind_of(i) == KM_SYM)
					override.val[i] += kaslr;
			if (!cs_km_has(&override, KM_KERNELOFFSET))
				cs_km_set(&override, KM_KERNELOFFSET, kaslr);
		}
		ovr = &override;
	}
	if (cfg->vmlinux)
		return cs_err_set(err, CS_ERR_NOTSUP, "-x VMLINUX is not supported yet; use -i VMCOREINFO");
	if (cs_kernel_init(&job->kernel, &job->src, ovr, err) != CS_OK)
		return cs_err_ctx(err, "%s", job->src.path);
	job->kernel_init = true;
	if (ovr) {
		/* makedumpfile's check_release: the -i file must describe the dumped kernel (exit 2). */
		char uts[6][65];
		struct cs_err uerr;

		cs_err_clear(&uerr);
		if (cs_kernel_utsname(&job->kernel, uts, &uerr) == CS_OK && ovr->osrelease[0] &&
		    strcmp(uts[2], ovr->osrelease) != 0)
			return cs_err_set(err, CS_ERR_RELEASE,
					  "the kernel version of VMCOREINFO file (%s) is different from the "
					  "dump's (%s)", ovr->osrelease, uts[2]);
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

static cs_status scan(struct job *job, int level, struct cs_page_stats *stats, struct cs_err *err)
{
	if (level > 1 && !job->kernel.have_model)
		return cs_err_set(err, CS_ERR_ARGS,
				  "%s doesn't contain vmcoreinfo.\n"
				  "Specify '-x' option or '-i' option (dump levels above 1 need the kernel's layout).",
				  job->src.path);
	job_step(job, "Excluding unnecessary pages");
	cs_status st = cs_scan(&job->kernel, &job->src, level, &job->bitmap1, &job->bitmap2, stats, err);
	job_step_done(job);
	return st;
}

static void fill_header(struct job *job, int level, struct cs_dump_header_info *hdr)
{
	struct cs_err uerr;

	memset(hdr, 0, sizeof(*hdr));
	hdr->page_size = job->src.page_size;
	hdr->max_mapnr = job->bitmap1.nbits;
	hdr->dump_level = level;
	hdr->notes = job->src.notes;
	hdr->notes_size = job->src.notes_size;
	hdr->vmcoreinfo_off = job->src.vmcoreinfo_off;
	hdr->vmcoreinfo_size = job->src.vmcoreinfo_size;
	hdr->nr_cpus = job->src.nr_cpus;
	if (job->src.kind == CS_SRC_KDUMP) {
		/* refiltering: the input's header facts carry over */
		hdr->phys_base = job->src.input_phys_base;
		hdr->timestamp = job->src.input_timestamp;
		memcpy(hdr->utsname, job->src.input_utsname, sizeof(hdr->utsname));
		hdr->eraseinfo = (const char *)job->src.eraseinfo;
		hdr->eraseinfo_size = job->src.eraseinfo_size;
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

static cs_status write_pages(struct job *job, int level, bool zero_only, struct cs_job_result *res,
			     struct cs_err *err)
{
	const struct cs_job_cfg *cfg = job->cfg;
	struct cs_dump_header_info hdr;
	struct cs_pipeline_cfg pcfg;
	struct cs_pipeline_stats pstats;
	cs_status st;

	memset(&pcfg, 0, sizeof(pcfg));
	if (cfg->compress && !zero_only) {
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
	fill_header(job, level, &hdr);
	job_step(job, "Copying data");
	st = cs_pipeline_run(&pcfg, &job->src, &job->bitmap1, &job->bitmap2, &hdr, &pstats, err);
	job_step_done(job);
	if (st != CS_OK)
		return st;
	if (pcfg.exclude_zero)
		res->stats.zero += pstats.zero_pages;
	res->write_bytes = pstats.bytes_written;
	return CS_OK;
}

static void init_result(struct cs_job_result *res)
{
	memset(res, 0, sizeof(*res));
}

cs_status cs_job_dump(const struct cs_job_cfg *cfg, struct cs_job_result *res, struct cs_err *err)
{
	struct job job;
	int level;
	cs_status st;

	memset(&job, 0, sizeof(job));
	job.cfg = cfg;
	init_result(res);
	if (cfg->elf)
		return cs_err_set(err, CS_ERR_NOTSUP, "-E (ELF output) is not implemented yet");
	if (check_not_input(cfg, err) != CS_OK)
		return err->status;
	/* Create the output first: an existing file fails fast, before any scanning. */
	if (cfg->dry_run)
		st = cs_sink_null_create(&job.sink, err);
	else if (cfg->flatten)
		st = cs_sink_flat_create(1, "standard output", &job.sink, err);
	else
		st = cs_sink_file_create(cfg->output, cfg->force, &job.sink, err);
	if (st != CS_OK)
		goto out;
	if ((st = open_input(&job, err)) != CS_OK)
		goto out;
	level = effective_level(&job, cfg->dump_levels[0]);
	res->dump_level = level;
	res->page_size = job.src.page_size;
	if ((st = scan(&job, level, &res->stats, err)) != CS_OK)
		goto out;
	res->have_stats = true;
	st = write_pages(&job, level, false, res, err);
out:
	if (st != CS_OK && job.sink && !cfg->dry_run && !cfg->flatten && cfg->output && !res->incomplete) {
		/* Never leave a file that looks complete: remove what we created. */
		cs_sink_destroy(job.sink);
		job.sink = NULL;
		remove(cfg->output);
	}
	job_cleanup(&job);
	return st;
}

cs_status cs_job_mem_usage(const struct cs_job_cfg *cfg, struct cs_job_result *res, struct cs_err *err)
{
	struct job job;
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
	if ((st = scan(&job, job.kernel.have_model ? 31 : 1, &res->stats, err)) != CS_OK)
		goto out;
	res->have_stats = true;
	st = write_pages(&job, 31, true, res, err);
out:
	job_cleanup(&job);
	return st;
}

cs_status cs_job_rearrange(int in_fd, const char *output, bool force, struct cs_err *err)
{
	return cs_flat_rebuild(in_fd, output, force, err);
}
