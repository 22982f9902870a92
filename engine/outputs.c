/* engine/outputs.c: the kinds of output (one row each), and creating, removing and guarding their files. */
#include "engine/run.h"

#include "core/io.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static const struct cs_output_kind kinds[] = {
	/* kdump-compressed: descriptors and pages, window after window if memory is short. */
	{ NULL, cs_run_write_kdump, false, false },
	/* ELF: segments follow the kept pages, planned from whole bitmaps after the zero test. */
	{ "-E", cs_run_write_elf, true, true },
	/* kdump-compressed pieces: their bounds balance the kept pages of the whole dump. */
	{ "--split", cs_run_write_split, true, false },
};

const struct cs_output_kind *cs_run_output_kind(const struct cs_job_cfg *cfg)
{
	return cfg->nr_outputs ? &kinds[2] : cfg->elf ? &kinds[1] : &kinds[0];
}

/* Refuse to write over the input: with -f the O_TRUNC would destroy it. */
cs_status cs_run_check_not_input(const struct cs_job_cfg *cfg, struct cs_err *err)
{
	if (cs_output_not_input(cfg->output, cfg->inputs, cfg->nr_inputs, NULL, err) != CS_OK)
		return err->status;
	for (size_t i = 0; i < cfg->nr_outputs; i++)
		if (cs_output_not_input(cfg->outputs[i], cfg->inputs, cfg->nr_inputs, NULL, err) != CS_OK)
			return err->status;
	return CS_OK;
}

void cs_run_destroy_outputs(struct cs_job_run *job)
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
void cs_run_remove_outputs(struct cs_job_run *job)
{
	const struct cs_job_cfg *cfg = job->cfg;

	cs_run_destroy_outputs(job);
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
cs_status cs_run_create_outputs(struct cs_job_run *job, struct cs_err *err)
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
				cs_run_destroy_outputs(job);
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
