/* engine/write.c: the kdump header facts of a run, and its kdump (or flattened) and ELF writes through the pipeline. */
#include "engine/run.h"

#include "compress/codec.h"
#include "engine/pipeline.h"
#include "formats/elf_write.h"
#include "formats/kdump_format.h"

#include <string.h>

void cs_run_fill_header(struct cs_job_run *job, int level, struct cs_dump_header_info *hdr)
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
		cs_run_msg(job, ML_DEBUG, "cannot read the kernel's utsname: %s", uerr.msg);
	}
}

/* After a failed pipeline: remember what an incomplete output holds. */
void cs_run_note_incomplete(const struct cs_job_run *job, const struct cs_sink *sink,
			    const struct cs_pipeline_stats *pstats, struct cs_job_result *res)
{
	if (!pstats->incomplete || job->cfg->dry_run)
		return;
	res->incomplete = true;
	res->saved_pages += pstats->saved_pages;
	res->saved_bytes += (uint64_t)sink->end;
	res->write_bytes += sink->bytes_written;
}

/* What every pipeline of a run shares: threads, the sink, progress, cancel, the erase map. */
static void pipeline_cfg_init(const struct cs_job_run *job, struct cs_pipeline_cfg *pcfg)
{
	const struct cs_job_cfg *cfg = job->cfg;

	memset(pcfg, 0, sizeof(*pcfg));
	pcfg->nthreads = cfg->nthreads;
	pcfg->sink = job->sink;
	pcfg->progress = cfg->hooks.progress;
	pcfg->progress_arg = cfg->hooks.arg;
	pcfg->cancel = cfg->cancel;
	pcfg->erase = &job->erase;
}

cs_status cs_run_write_pages(struct cs_job_run *job, int level, bool zero_only, uint64_t num_dumpable,
			     struct cs_job_result *res, struct cs_err *err)
{
	const struct cs_job_cfg *cfg = job->cfg;
	struct cs_dump_header_info hdr;
	struct cs_pipeline_cfg pcfg;
	struct cs_pipeline_stats pstats;
	cs_status st;

	pipeline_cfg_init(job, &pcfg);
	memset(&pstats, 0, sizeof(pstats));
	/* --dry-run and --mem-usage only need the zero test: compressing would be wasted work. */
	if (!zero_only && !cfg->dry_run) {
		pcfg.codec = cfg->codec;
		pcfg.adapt = cfg->adapt;
		pcfg.adapt_min = cfg->adapt_min;
		pcfg.adapt_max = cfg->adapt_max;
	}
	pcfg.level = cfg->compress_level;
	pcfg.exclude_zero = (level & 1) || zero_only;
	if (job->window_pfns) {
		pcfg.next_window = cs_run_next_window;
		pcfg.window_arg = job;
		pcfg.num_dumpable = num_dumpable;
		res->cycles = CS_DIV_ROUND_UP(job->max_mapnr, job->window_pfns);
		res->cycle_pfns = job->window_pfns;
	}
	cs_run_fill_header(job, level, &hdr);
	cs_run_step(job, "Copying data");
	pcfg.writer_arg = NULL;
	st = cs_pipeline_run(&pcfg, &job->src, &job->bitmap1, &job->bitmap2, &hdr, &pstats, err);
	cs_run_step_done(job);
	if (st != CS_OK) {
		cs_run_note_incomplete(job, job->sink, &pstats, res);
		return st;
	}
	if (pcfg.exclude_zero)
		res->stats.zero += pstats.zero_pages;
	res->write_bytes = pstats.bytes_written;
	/* What the output holds, should account_losses() mark it incomplete. */
	res->saved_pages = pstats.pages_written;
	res->saved_bytes = (uint64_t)job->sink->end;
	cs_loss_merge(&job->loss, &pstats.loss);
	cs_run_add_levels(res, &pcfg, &pstats);
	return CS_OK;
}

void cs_run_add_levels(struct cs_job_result *res, const struct cs_pipeline_cfg *pcfg,
		       const struct cs_pipeline_stats *pstats)
{
	if (!pcfg->adapt)
		return;
	res->adapt = true;
	for (int i = 0; i < CS_ADAPT_SLOTS; i++)
		res->level_pages[i] += pstats->level_pages[i];
}

cs_status cs_run_write_kdump(struct cs_job_run *job, int level, uint64_t num_dumpable,
			     struct cs_job_result *res, struct cs_err *err)
{
	return cs_run_write_pages(job, level, false, num_dumpable, res, err);
}

/*
 * Level bit 1 with a layout planned from the pages (-E): zero pages are found
 * first, by the pipeline's workers reading and testing them, nothing copied.
 */
cs_status cs_run_find_zero_pages(struct cs_job_run *job, int level, struct cs_job_result *res,
				 struct cs_err *err)
{
	struct cs_dump_header_info hdr;
	struct cs_pipeline_cfg pcfg;
	struct cs_pipeline_stats pstats;
	cs_status st;

	pipeline_cfg_init(job, &pcfg); /* the sink is not written to */
	memset(&pstats, 0, sizeof(pstats));
	pcfg.writer = &cs_zero_scan_writer;
	pcfg.writer_arg = &job->bitmap2;
	pcfg.exclude_zero = true;
	pcfg.zero_scan = true;
	cs_run_fill_header(job, level, &hdr);
	cs_run_step(job, "Excluding zero pages");
	st = cs_pipeline_run(&pcfg, &job->src, &job->bitmap1, &job->bitmap2, &hdr, &pstats, err);
	cs_run_step_done(job);
	if (st)
		return cs_err_ctx(err, "cannot look for zero pages");
	res->stats.zero += pstats.zero_pages;
	/* Every kept page is read here; a lost one reads as zeros and is dropped: book it once. */
	cs_loss_merge(&job->loss, &pstats.loss);
	return CS_OK;
}

/* -E: the segment plan (after cs_run_find_zero_pages), then the pages through the ELF writer. */
cs_status cs_run_write_elf(struct cs_job_run *job, int level, uint64_t num_dumpable,
			   struct cs_job_result *res, struct cs_err *err)
{
	struct cs_dump_header_info hdr;
	struct cs_pipeline_cfg pcfg;
	struct cs_pipeline_stats pstats;
	struct cs_elf_plan *plan = NULL;
	struct cs_elf_plan_info info;
	cs_status st;

	(void)num_dumpable;
	st = cs_elf_plan_create(&job->src, &job->bitmap2, &plan, err);
	if (st)
		return st;
	cs_elf_plan_get_info(plan, &info);
	res->elf = true;
	res->elf_excluded = info.excluded;
	cs_run_msg(job, ML_DEBUG, "ELF output: %zu PT_LOADs, %" PRIu64 " pages of data, %" PRIu64
		" pages dropped", info.nr_loads, info.data_pages, info.excluded);

	pipeline_cfg_init(job, &pcfg);
	memset(&pstats, 0, sizeof(pstats));
	pcfg.writer = &cs_elf_writer;
	pcfg.writer_arg = plan;
	cs_run_fill_header(job, level, &hdr);
	hdr.max_mapnr = cs_elf_plan_pages(plan)->nbits;
	cs_run_step(job, "Copying data");
	st = cs_pipeline_run(&pcfg, &job->src, &job->bitmap1, cs_elf_plan_pages(plan), &hdr, &pstats,
			     err);
	cs_run_step_done(job);
	cs_elf_plan_destroy(plan);
	if (st) {
		cs_run_note_incomplete(job, job->sink, &pstats, res);
		return st;
	}
	res->write_bytes = pstats.bytes_written;
	res->saved_pages = pstats.pages_written;
	res->saved_bytes = (uint64_t)job->sink->end;
	if (!(level & 1) || !job->kind->zero_prepass)
		cs_loss_merge(&job->loss, &pstats.loss);
	return CS_OK;
}
