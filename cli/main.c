/* cli/main.c: the thin main: options -> job, messages by level, exit codes (the only exit()). */
#include "cli/help.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "engine/job.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Exit codes, as makedumpfile (COMPLETED 0, FAILED 1; see docs/coresieve.8). */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_WRONG_RELEASE = 2 };

/* Where each message class goes: stdout, or stderr when stdout carries -F data. */
struct cli {
	struct cs_options opts;
	atomic_int interrupted; /* the signal that asked us to stop, 0 if none */
	FILE *msg_out;
	struct cs_progress progress;
};

static bool want(const struct cli *cli, int ml_class)
{
	return (cli->opts.message_level & ml_class) != 0;
}

__attribute__((format(printf, 3, 4))) static void say(struct cli *cli, int ml_class, const char *fmt, ...)
{
	va_list ap;
	FILE *out = ml_class == CS_ML_ERROR ? stderr : cli->msg_out;

	if (!want(cli, ml_class))
		return;
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fflush(out);
}

static void hook_step(void *arg, const char *name)
{
	struct cli *cli = arg;

	cs_progress_step(&cli->progress, name);
}

static void hook_progress(void *arg, uint64_t done, uint64_t total)
{
	struct cli *cli = arg;

	cs_progress_update(&cli->progress, done, total);
}

static void hook_step_done(void *arg)
{
	struct cli *cli = arg;

	cs_progress_done(&cli->progress);
}

static void hook_message(void *arg, int ml_class, const char *text)
{
	say(arg, ml_class, "%s\n", text);
}

/*
 * SIGINT, SIGTERM and SIGHUP are blocked in every thread and taken by this one
 * with sigwait(), so no handler and no global flag are needed: the first
 * signal asks the job to stop (the writer then marks the dump incomplete and
 * the exit code is 1); a second one ends the process at once.
 */
/* The signals that stop a dump. */
static void stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

static void *signal_main(void *arg)
{
	struct cli *cli = arg;
	sigset_t set;
	int sig;

	stop_signals(&set);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (atomic_exchange(&cli->interrupted, sig) != 0)
			_exit(128 + sig);
	}
	return NULL;
}

static void start_signal_thread(struct cli *cli)
{
	sigset_t set;
	pthread_t thread;

	stop_signals(&set);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return;
	if (pthread_create(&thread, NULL, signal_main, cli) != 0) {
		pthread_sigmask(SIG_UNBLOCK, &set, NULL); /* keep the default action */
		return;
	}
	pthread_detach(thread);
}

static int finish(struct cli *cli, int code)
{
	/* --check-params prints no "Completed"/"Failed" (makedumpfile 1.6.8+). */
	if (!cli->opts.check_params)
		say(cli, CS_ML_COMMON, "\ncoresieve %s.\n", code == EXIT_OK ? "Completed" : "Failed");
	return code;
}

static int fail(struct cli *cli, const struct cs_err *err)
{
	if (err->msg[0])
		say(cli, CS_ML_ERROR, "coresieve: %s\n", err->msg);
	return finish(cli, err->status == CS_ERR_RELEASE ? EXIT_WRONG_RELEASE : EXIT_FAIL);
}

/* A job's configuration from the options; the input is the first file unless the mode says more. */
static void fill_job_cfg(struct cli *cli, struct cs_job_cfg *cfg, struct cs_err *err)
{
	const struct cs_options *o = &cli->opts;

	cs_err_clear(err);
	memset(cfg, 0, sizeof(*cfg));
	cfg->inputs = o->files;
	cfg->nr_inputs = 1;
	cfg->use_mmap = !o->non_mmap;
	cfg->force = o->force;
	cfg->dry_run = o->dry_run;
	cfg->elf = o->elf;
	cfg->flatten = o->flatten;
	cfg->codec = o->codec;
	cfg->compress_level = o->compress_level;
	cfg->adapt = o->adapt;
	cfg->adapt_min = o->adapt_min;
	cfg->adapt_max = o->adapt_max;
	cfg->nthreads = o->num_threads;
	cfg->size_limit = o->size_limit;
	cfg->dump_levels = o->dump_levels;
	cfg->nr_dump_levels = o->nr_dump_levels;
	cfg->vmcoreinfo_in = o->vmcoreinfo_in;
	cfg->vmlinux = o->vmlinux;
	cfg->partial_dmesg = o->partial_dmesg;
	cfg->allow_incomplete = o->allow_incomplete;
	cfg->splitblock_size = o->splitblock_kib * 1024;
	cfg->cyclic_buffer_kib = o->cyclic_buffer_kib;
	cfg->hooks.arg = cli;
	cfg->hooks.step = hook_step;
	cfg->hooks.progress = hook_progress;
	cfg->hooks.step_done = hook_step_done;
	cfg->hooks.message = hook_message;
	cfg->message_level = o->message_level;
	cfg->have_vtop = o->have_vtop;
	cfg->vtop_vaddr = o->vtop_vaddr;
	cfg->cancel = &cli->interrupted;
}

static void to_report(const struct cs_job_result *res, struct cs_report *r)
{
	memset(r, 0, sizeof(*r));
	r->total = res->stats.total;
	r->hole = res->stats.hole;
	r->zero = res->stats.zero;
	r->cache = res->stats.cache;
	r->cache_private = res->stats.cache_private;
	r->user = res->stats.user;
	r->free = res->stats.free;
	r->hwpoison = res->stats.hwpoison;
	r->offline = res->stats.offline;
	r->kept_unverified = res->stats.kept_unverified;
	r->cycles = res->cycles;
	r->write_bytes = res->write_bytes;
	r->dump_level = res->dump_level;
	r->elf = res->elf;
	r->elf_excluded = res->elf_excluded;
	r->page_size = res->page_size;
}

/* --adapt: which levels the pages were compressed at, e.g. "1: 2048, 3: 13637". */
static void say_levels(struct cli *cli, const struct cs_job_result *res)
{
	char line[1024];
	size_t len = 0;

	for (int i = 0; i < CS_ADAPT_SLOTS && len < sizeof(line) - 40; i++)
		if (res->level_pages[i])
			len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%d: %" PRIu64,
						len ? ", " : "", i + CS_ADAPT_LEVEL_MIN, res->level_pages[i]);
	if (len)
		say(cli, CS_ML_COMMON, "--adapt: pages by zstd level: %s.\n", line);
}

static int report_and_finish(struct cli *cli, const struct cs_job_result *res, struct cs_err *err,
			     cs_status st)
{
	struct cs_report rep;

	to_report(res, &rep);
	if (res->adapt && st == CS_OK)
		say_levels(cli, res);
	if (res->have_stats) {
		if (want(cli, CS_ML_REPORT))
			cs_report_print(cli->msg_out, &rep);
		if (cli->opts.report_json) {
			struct cs_err jerr;

			cs_err_clear(&jerr);
			if (cs_report_write_json(cli->opts.report_json, &rep, &jerr) != CS_OK && st == CS_OK) {
				*err = jerr;
				st = jerr.status;
			}
		}
	}
	if (st != CS_OK) {
		if (res->incomplete) {
			/* makedumpfile's order: the write error, then the verdict; then what we saved. */
			if (err->msg[0])
				say(cli, CS_ML_ERROR, "coresieve: %s\n", err->msg);
			say(cli, CS_ML_COMMON, "This is an incomplete dumpfile, but might analyzable.\n");
			/* "did not fit" only for -L or a full disk: lost input pages are said above. */
			say(cli, CS_ML_COMMON, "%s holds %" PRIu64 " page%s (%" PRIu64 " bytes)%s.\n",
			    cli->opts.mode == CS_MODE_SPLIT ? "The split dump" :
			    cli->opts.files[cli->opts.nr_files - 1], res->saved_pages,
			    res->saved_pages == 1 ? "" : "s", res->saved_bytes,
			    st == CS_ERR_NOSPC ? "; the rest did not fit" : "");
			return finish(cli, EXIT_FAIL);
		}
		return fail(cli, err);
	}
	/* --allow-incomplete: the input lost pages, the output says so, the run does not fail. */
	if (res->incomplete)
		say(cli, CS_ML_COMMON, "This is an incomplete dumpfile, but might analyzable.\n");
	return finish(cli, EXIT_OK);
}

/* "The dumpfiles are saved to A, B, and C." as makedumpfile words it. */
static void say_saved_pieces(struct cli *cli, const char *const *names, size_t n)
{
	say(cli, CS_ML_COMMON, "\nThe dumpfiles are saved to ");
	for (size_t i = 0; i < n; i++)
		say(cli, CS_ML_COMMON, i + 1 < n ? "%s, " : "and %s.\n", names[i]);
}

static int run_split(struct cli *cli)
{
	struct cs_job_cfg cfg;
	struct cs_job_result res;
	struct cs_err err;
	cs_status st;

	fill_job_cfg(cli, &cfg, &err);
	cfg.outputs = cli->opts.files + 1;
	cfg.nr_outputs = (size_t)cli->opts.nr_files - 1;
	st = cs_job_dump(&cfg, &res, &err);
	if (st == CS_OK && !cli->opts.dry_run)
		say_saved_pieces(cli, cfg.outputs, cfg.nr_outputs);
	return report_and_finish(cli, &res, &err, st);
}

static int run_reassemble(struct cli *cli)
{
	struct cs_job_cfg cfg;
	struct cs_err err;

	fill_job_cfg(cli, &cfg, &err);
	cfg.nr_inputs = (size_t)cli->opts.nr_files - 1;
	cfg.output = cli->opts.files[cli->opts.nr_files - 1];
	if (cs_job_reassemble(&cfg, &err) != CS_OK)
		return fail(cli, &err);
	say(cli, CS_ML_COMMON, "\nThe dumpfile is saved to %s.\n", cfg.output);
	return finish(cli, EXIT_OK);
}

static int run_dump(struct cli *cli)
{
	struct cs_job_cfg cfg;
	struct cs_job_result res;
	struct cs_err err;
	cs_status st;

	fill_job_cfg(cli, &cfg, &err);
	/* Several inputs are the pieces of a split dump; the last name is the output. */
	cfg.nr_inputs = (size_t)cli->opts.nr_files - (cli->opts.flatten ? 0 : 1);
	cfg.output = cli->opts.flatten ? NULL : cli->opts.files[cli->opts.nr_files - 1];
	st = cs_job_dump(&cfg, &res, &err);
	if (st == CS_OK && !cli->opts.dry_run && !cli->opts.flatten) {
		say(cli, CS_ML_COMMON, "\nThe dumpfile is saved to %s.\n", cfg.output);
	}
	return report_and_finish(cli, &res, &err, st);
}

static int run_mem_usage(struct cli *cli)
{
	struct cs_job_cfg cfg;
	struct cs_job_result res;
	struct cs_err err;
	struct cs_report rep;
	cs_status st;

	fill_job_cfg(cli, &cfg, &err);
	st = cs_job_mem_usage(&cfg, &res, &err);
	if (st != CS_OK)
		return fail(cli, &err);
	to_report(&res, &rep);
	cs_report_print_mem_usage(stdout, &rep);
	if (cli->opts.report_json && cs_report_write_json(cli->opts.report_json, &rep, &err) != CS_OK)
		return fail(cli, &err);
	return EXIT_OK; /* makedumpfile prints no "Completed" for --mem-usage */
}

static int run_rearrange(struct cli *cli)
{
	struct cs_err err;

	cs_err_clear(&err);
	if (cs_job_rearrange(STDIN_FILENO, cli->opts.files[0], cli->opts.force, &err) != CS_OK)
		return fail(cli, &err);
	say(cli, CS_ML_COMMON, "\nThe dumpfile is saved to %s.\n", cli->opts.files[0]);
	return finish(cli, EXIT_OK);
}

static int run_dmesg(struct cli *cli)
{
	struct cs_job_cfg cfg;
	struct cs_err err;

	fill_job_cfg(cli, &cfg, &err);
	if (cs_job_dmesg(&cfg, cli->opts.files[1], &err) != CS_OK)
		return fail(cli, &err);
	say(cli, CS_ML_COMMON, "\nThe dmesg log is saved to %s.\n", cli->opts.files[1]);
	return finish(cli, EXIT_OK);
}

static int run_gen_vmcoreinfo(struct cli *cli)
{
	struct cs_err err;

	cs_err_clear(&err);
	if (cs_job_gen_vmcoreinfo(cli->opts.vmlinux, cli->opts.vmcoreinfo_out, cli->opts.force,
				  &err) != CS_OK)
		return fail(cli, &err);
	say(cli, CS_ML_COMMON, "\nThe vmcoreinfo is saved to %s.\n", cli->opts.vmcoreinfo_out);
	return finish(cli, EXIT_OK);
}

int main(int argc, char **argv)
{
	struct cli cli;
	struct cs_err err;
	char warn[1024];

	memset(&cli, 0, sizeof(cli));
	cli.msg_out = stdout;
	cs_err_clear(&err);
	/* A closed reader of -F output must not kill us silently: EPIPE is reported instead. */
	signal(SIGPIPE, SIG_IGN);
	if (cs_options_parse(argc, argv, &cli.opts, &err) != CS_OK) {
		/* makedumpfile prints parameter errors as common messages, on stdout */
		if (cli.opts.flatten)
			cli.msg_out = stderr;
		say(&cli, CS_ML_COMMON, "%s\n", err.msg);
		if (err.status == CS_ERR_ARGS && strstr(err.msg, "Commandline parameter is invalid"))
			say(&cli, CS_ML_COMMON, "Try `coresieve --help' for more information.\n");
		return finish(&cli, EXIT_FAIL);
	}
	if (cli.opts.flatten)
		cli.msg_out = stderr; /* stdout carries the dump */
	switch (cli.opts.mode) {
	case CS_MODE_HELP:
		cs_print_help(stdout);
		return EXIT_OK;
	case CS_MODE_VERSION:
		cs_print_version(stdout);
		return EXIT_OK;
	default:
		break;
	}
	if (cs_options_check(&cli.opts, warn, sizeof(warn), &err) != CS_OK) {
		/* A refused option is one line naming it; a bad combination is makedumpfile's two. */
		if (err.status == CS_ERR_NOTSUP) {
			say(&cli, CS_ML_COMMON, "coresieve: %s\n", err.msg);
		} else {
			say(&cli, CS_ML_COMMON, "%s\n", err.msg);
			say(&cli, CS_ML_COMMON, "Try `coresieve --help' for more information.\n");
		}
		return finish(&cli, EXIT_FAIL);
	}
	/* makedumpfile prints its warnings as common messages (MSG), so do we. */
	if (warn[0])
		say(&cli, CS_ML_COMMON, "%s\n", warn);
	if (cli.opts.check_params)
		return EXIT_OK;
	cs_progress_init(&cli.progress, stderr, want(&cli, CS_ML_PROGRESS));
	start_signal_thread(&cli);

	switch (cli.opts.mode) {
	case CS_MODE_DUMP:
		return run_dump(&cli);
	case CS_MODE_MEM_USAGE:
		return run_mem_usage(&cli);
	case CS_MODE_REARRANGE:
		return run_rearrange(&cli);
	case CS_MODE_SPLIT:
		return run_split(&cli);
	case CS_MODE_REASSEMBLE:
		return run_reassemble(&cli);
	case CS_MODE_DMESG:
		return run_dmesg(&cli);
	case CS_MODE_GEN_VMCOREINFO:
		return run_gen_vmcoreinfo(&cli);
	default:
		cs_err_set(&err, CS_ERR_NOTSUP, "this mode is not implemented yet");
		return fail(&cli, &err);
	}
}
