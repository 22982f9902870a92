/* cli/options.c: makedumpfile's option set: parsing, range checks, cross-option rules. */
#include "cli/options.h"
#include "compress/codec.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_SPLIT = 256,
	OPT_REASSEMBLE,
	OPT_XEN_SYMS,
	OPT_XEN_VMCOREINFO,
	OPT_XEN_PHYS_START,
	OPT_MESSAGE_LEVEL,
	OPT_VTOP,
	OPT_DUMP_DMESG,
	OPT_PARTIAL_DMESG,
	OPT_CONFIG,
	OPT_HELP,
	OPT_DISKSET,
	OPT_CYCLIC_BUFFER,
	OPT_EPPIC,
	OPT_NON_MMAP,
	OPT_MEM_USAGE,
	OPT_SPLITBLOCK_SIZE,
	OPT_WORK_DIR,
	OPT_NUM_THREADS,
	OPT_CHECK_PARAMS,
	OPT_DRY_RUN,
	OPT_SHOW_STATS,
	OPT_REPORT_JSON,
	OPT_COMPRESS_LEVEL,
	OPT_VERSION,
	OPT_ALLOW_INCOMPLETE,
	OPT_ADAPT,
};

static const struct option longopts[] = {
	{"split", no_argument, NULL, OPT_SPLIT},
	{"reassemble", no_argument, NULL, OPT_REASSEMBLE},
	{"xen-syms", required_argument, NULL, OPT_XEN_SYMS},
	{"xen-vmcoreinfo", required_argument, NULL, OPT_XEN_VMCOREINFO},
	{"xen_phys_start", required_argument, NULL, OPT_XEN_PHYS_START},
	{"message-level", required_argument, NULL, OPT_MESSAGE_LEVEL},
	{"vtop", required_argument, NULL, OPT_VTOP},
	{"dump-dmesg", no_argument, NULL, OPT_DUMP_DMESG},
	{"partial-dmesg", no_argument, NULL, OPT_PARTIAL_DMESG},
	{"config", required_argument, NULL, OPT_CONFIG},
	{"help", no_argument, NULL, OPT_HELP},
	{"diskset", required_argument, NULL, OPT_DISKSET},
	{"cyclic-buffer", required_argument, NULL, OPT_CYCLIC_BUFFER},
	{"eppic", required_argument, NULL, OPT_EPPIC},
	{"non-mmap", no_argument, NULL, OPT_NON_MMAP},
	{"mem-usage", no_argument, NULL, OPT_MEM_USAGE},
	{"splitblock-size", required_argument, NULL, OPT_SPLITBLOCK_SIZE},
	{"work-dir", required_argument, NULL, OPT_WORK_DIR},
	{"num-threads", required_argument, NULL, OPT_NUM_THREADS},
	{"check-params", no_argument, NULL, OPT_CHECK_PARAMS},
	{"dry-run", no_argument, NULL, OPT_DRY_RUN},
	{"show-stats", no_argument, NULL, OPT_SHOW_STATS},
	/* coresieve additions: long options only, never changing an existing meaning */
	{"report-json", required_argument, NULL, OPT_REPORT_JSON},
	{"compress-level", required_argument, NULL, OPT_COMPRESS_LEVEL},
	{"version", no_argument, NULL, OPT_VERSION},
	{"allow-incomplete", no_argument, NULL, OPT_ALLOW_INCOMPLETE},
	{"adapt", optional_argument, NULL, OPT_ADAPT},
	{0, 0, 0, 0},
};

#define CS_MAX_THREADS 1024

bool cs_parse_size(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	switch (*end) {
	case 'E': case 'e': shift += 10; /* fall through */
	case 'P': case 'p': shift += 10; /* fall through */
	case 'T': case 't': shift += 10; /* fall through */
	case 'G': case 'g': shift += 10; /* fall through */
	case 'M': case 'm': shift += 10; /* fall through */
	case 'K': case 'k': shift += 10; end++; break;
	default: break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		return false;
	if (shift && v > (~0ULL >> shift))
		return false;
	*ret = (uint64_t)v << shift;
	return true;
}

static bool parse_int(const char *s, long lo, long hi, long *ret);

/*
 * --adapt[=min=N,max=M] (zstd's CLI spelling): bounds for the level the dump
 * moves between (engine/adapt.h). Defaults: -7 (zstd --fast=7) to 12; above
 * 12 a 4 KiB page gains little for the CPU (docs/performance.md).
 */
static cs_status parse_adapt(const char *arg, struct cs_options *o, struct cs_err *err)
{
	char buf[64], *tok, *save = NULL;

	o->adapt = true;
	o->adapt_min = CS_ADAPT_DEFAULT_MIN;
	o->adapt_max = CS_ADAPT_DEFAULT_MAX;
	if (!arg)
		return CS_OK;
	if (strlen(arg) >= sizeof(buf))
		return cs_err_set(err, CS_ERR_ARGS, "--adapt=%s is invalid (min=N,max=M).", arg);
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long v;
		int *dst = !strncmp(tok, "min=", 4) ? &o->adapt_min : !strncmp(tok, "max=", 4) ? &o->adapt_max : NULL;

		if (!dst || !parse_int(tok + 4, CS_ZSTD_MIN_LEVEL, 22, &v) || v == 0)
			return cs_err_set(err, CS_ERR_ARGS,
					  "--adapt=%s is invalid (min=N,max=M with zstd levels %d..-1 or 1..22).",
					  arg, CS_ZSTD_MIN_LEVEL);
		*dst = (int)v;
	}
	if (o->adapt_min > o->adapt_max)
		return cs_err_set(err, CS_ERR_ARGS, "--adapt=%s: min is above max.", arg);
	return CS_OK;
}

/* A decimal integer in [lo, hi], the whole string. */
static bool parse_int(const char *s, long lo, long hi, long *ret)
{
	char *end;
	long v;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*ret = v;
	return true;
}

static cs_status parse_dump_levels(const char *arg, struct cs_options *opts, struct cs_err *err)
{
	char buf[256];
	char *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", arg);
	opts->nr_dump_levels = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long level;

		if (opts->nr_dump_levels >= CS_MAX_DUMP_LEVELS)
			return cs_err_set(err, CS_ERR_ARGS, "Dump_level is invalid. It should be up to %d levels.",
					  CS_MAX_DUMP_LEVELS);
		if (!parse_int(tok, 0, 31, &level))
			return cs_err_set(err, CS_ERR_ARGS, "Dump_level(%s) is invalid.", tok);
		opts->dump_levels[opts->nr_dump_levels++] = (int)level;
	}
	if (opts->nr_dump_levels == 0)
		return cs_err_set(err, CS_ERR_ARGS, "Dump_level(%s) is invalid.", arg);
	return CS_OK;
}

static cs_status invalid(struct cs_err *err, const char *why)
{
	if (why)
		return cs_err_set(err, CS_ERR_ARGS, "%s\nCommandline parameter is invalid.", why);
	return cs_err_set(err, CS_ERR_ARGS, "Commandline parameter is invalid.");
}

/* Options coresieve refuses: each names why, in one line (docs/coresieve.8 has the table). */
static void refuse(struct cs_options *opts, const char *opt, const char *why)
{
	if (opts->refused)
		return;
	opts->refused = opt;
	opts->refused_why = why;
}

#define WHY_XEN "Xen dumps are not supported by coresieve"
#define WHY_NOT_YET "is not supported yet"

cs_status cs_options_parse(int argc, char **argv, struct cs_options *opts, struct cs_err *err)
{
	int c;
	long v;
	bool reassemble = false, dmesg = false, mem_usage = false, rearrange = false;
	bool show_stats = false, help = false, version = false;

	memset(opts, 0, sizeof(*opts));
	opts->message_level = CS_ML_DEFAULT;
	opts->argv0_name = "coresieve";
	optind = 1;
	opterr = 1; /* getopt names an unknown option, as makedumpfile's does */
	while ((c = getopt_long(argc, argv, "b:cDd:eEFfg:hi:lL:pRvXx:z", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': opts->block_order_given = true; break;
		case 'c': case 'l': case 'p': case 'z':
			opts->compress = (char)c; /* the last one given wins, as makedumpfile */
			break;
		case 'D': opts->debug = true; break;
		case 'd':
			if (parse_dump_levels(optarg, opts, err))
				return err->status;
			opts->dump_level_given = opts->dump_levels[0] != 0;
			break;
		case 'e': refuse(opts, "-e", "-e (exclude unused vmemmap pages) " WHY_NOT_YET); break;
		case 'E': opts->elf = true; break;
		case 'F': opts->flatten = true; break;
		case 'f': opts->force = true; break;
		case 'g': opts->vmcoreinfo_out = optarg; break;
		case 'h': help = true; break;
		case 'i': opts->vmcoreinfo_in = optarg; break;
		case 'L':
			if (!cs_parse_size(optarg, &opts->size_limit) || opts->size_limit == 0)
				return cs_err_set(err, CS_ERR_ARGS, "Limit size(%s) is invalid.", optarg);
			break;
		case 'R': rearrange = true; break;
		case 'v': version = true; break;
		case 'X': refuse(opts, "-X", "-X: " WHY_XEN); break;
		case 'x': opts->vmlinux = optarg; break;
		case OPT_SPLIT: opts->split = true; break;
		case OPT_REASSEMBLE: reassemble = true; break;
		case OPT_XEN_SYMS: refuse(opts, "--xen-syms", "--xen-syms: " WHY_XEN); break;
		case OPT_XEN_VMCOREINFO: refuse(opts, "--xen-vmcoreinfo", "--xen-vmcoreinfo: " WHY_XEN); break;
		case OPT_XEN_PHYS_START: refuse(opts, "--xen_phys_start", "--xen_phys_start: " WHY_XEN); break;
		case OPT_DISKSET:
			refuse(opts, "--diskset", "--diskset: sadump inputs are not supported by coresieve");
			break;
		case OPT_EPPIC:
			refuse(opts, "--eppic", "--eppic: eppic filter scripts are not supported by coresieve");
			break;
		case OPT_CONFIG:
			refuse(opts, "--config", "--config (erasing kernel data by a filter config file) " WHY_NOT_YET);
			break;
		case OPT_MESSAGE_LEVEL:
			if (!parse_int(optarg, 0, 31, &v))
				return cs_err_set(err, CS_ERR_ARGS, "Message_level(%s) is invalid.", optarg);
			opts->message_level = (int)v;
			break;
		case OPT_VTOP: {
			char *end;

			/* makedumpfile's strtoul() takes "zz" as 0 and prints nothing: name it instead. */
			errno = 0;
			opts->vtop_vaddr = strtoull(optarg, &end, 0);
			if (errno || end == optarg || *end || *optarg == '-')
				return invalid(err, "--vtop: not a virtual address.");
			opts->have_vtop = true;
			break;
		}
		case OPT_DUMP_DMESG: dmesg = true; break;
		case OPT_PARTIAL_DMESG: opts->partial_dmesg = true; break;
		case OPT_ALLOW_INCOMPLETE: opts->allow_incomplete = true; break;
		case OPT_HELP: help = true; break;
		case OPT_CYCLIC_BUFFER:
			if (!parse_int(optarg, 1, LONG_MAX / 1024, &v))
				return cs_err_set(err, CS_ERR_ARGS, "--cyclic-buffer %s is invalid (KiB, > 0).", optarg);
			opts->cyclic_buffer_kib = (uint64_t)v;
			break;
		case OPT_NON_MMAP: opts->non_mmap = true; break;
		case OPT_MEM_USAGE: mem_usage = true; break;
		case OPT_SPLITBLOCK_SIZE:
			if (!parse_int(optarg, 1, LONG_MAX / 1024, &v))
				return cs_err_set(err, CS_ERR_ARGS, "--splitblock-size %s is invalid (KiB, > 0).", optarg);
			opts->splitblock_kib = (uint64_t)v;
			break;
		case OPT_WORK_DIR: opts->work_dir = optarg; break;
		case OPT_NUM_THREADS:
			/* A wrapper once passed 5223023572093018873 (openSUSE/kdump#4): name the option. */
			if (!parse_int(optarg, 0, CS_MAX_THREADS, &v))
				return cs_err_set(err, CS_ERR_ARGS,
						  "--num-threads %s is invalid (0..%d; 0 means one per online CPU).",
						  optarg, CS_MAX_THREADS);
			opts->num_threads = (unsigned)v;
			break;
		case OPT_CHECK_PARAMS: opts->check_params = true; break;
		case OPT_DRY_RUN: opts->dry_run = true; break;
		case OPT_SHOW_STATS: show_stats = true; break;
		case OPT_REPORT_JSON: opts->report_json = optarg; break;
		case OPT_ADAPT:
			if (parse_adapt(optarg, opts, err) != CS_OK)
				return err->status;
			break;
		case OPT_COMPRESS_LEVEL:
			if (!parse_int(optarg, CS_ZSTD_MIN_LEVEL, 22, &v) || v == 0)
				return cs_err_set(err, CS_ERR_ARGS,
						  "--compress-level %s is invalid (-c: 1..12, -z: %d..-1 or 1..22).",
						  optarg, CS_ZSTD_MIN_LEVEL);
			opts->compress_level = (int)v;
			break;
		case '?':
		default:
			return invalid(err, NULL);
		}
	}
	if (opts->debug)
		opts->message_level |= CS_ML_DEBUG;
	if (show_stats)
		opts->message_level |= CS_ML_REPORT;
	if (opts->check_params)
		opts->message_level = CS_ML_DEFAULT; /* as makedumpfile: no debug output while checking */
	opts->files = (const char *const *)argv + optind;
	opts->nr_files = argc - optind;
	if (opts->nr_dump_levels == 0) {
		opts->dump_levels[0] = 0;
		opts->nr_dump_levels = 1;
	}

	if (help) {
		opts->mode = CS_MODE_HELP;
		return CS_OK;
	}
	if (version) {
		opts->mode = CS_MODE_VERSION;
		return CS_OK;
	}
	/* makedumpfile's precedence when several modes are given: -g, -R, --reassemble, --dump-dmesg, --mem-usage. */
	if (opts->vmcoreinfo_out)
		opts->mode = CS_MODE_GEN_VMCOREINFO;
	else if (rearrange)
		opts->mode = CS_MODE_REARRANGE;
	else if (reassemble)
		opts->mode = CS_MODE_REASSEMBLE;
	else if (dmesg)
		opts->mode = CS_MODE_DMESG;
	else if (mem_usage)
		opts->mode = CS_MODE_MEM_USAGE;
	else if (opts->split)
		opts->mode = CS_MODE_SPLIT;
	else
		opts->mode = CS_MODE_DUMP;
	return CS_OK;
}

static void add_warning(char *warn, size_t warn_len, const char *msg)
{
	size_t used = strlen(warn);

	snprintf(warn + used, warn_len - used, "%s%s", used ? "\n" : "", msg);
}

/* check_param_for_creating_dumpfile(): dump, --split, --dump-dmesg and --mem-usage. */
static cs_status check_creating(const struct cs_options *o, struct cs_err *err)
{
	int n = o->nr_files;

	if (o->compress && o->elf)
		return invalid(err, NULL);
	if (o->vmcoreinfo_in && o->vmlinux)
		return invalid(err, NULL);
	if (o->dry_run && o->mode == CS_MODE_DMESG)
		return invalid(err, "--dry-run cannot be used with --dump-dmesg.");
	if (o->flatten && o->split)
		return invalid(err, NULL);
	/* --num-threads with --split or -E: refused by makedumpfile, supported here (coresieve.8). */
	if (o->partial_dmesg && o->mode != CS_MODE_DMESG)
		return invalid(err, NULL);
	if (o->split) {
		if (n < 3)
			return invalid(err, NULL);
		if (o->elf)
			return invalid(err, "Options for splitting dumpfile cannot be used with Elf format.");
		return CS_OK;
	}
	switch (o->mode) {
	case CS_MODE_DMESG:
		return n == 2 ? CS_OK : invalid(err, NULL);
	case CS_MODE_MEM_USAGE:
		return n == 1 || n == 2 ? CS_OK : invalid(err, NULL);
	default:
		/* Several inputs are the pieces of one split dump (refiltering); the last name is the output. */
		return (o->flatten ? n >= 1 : n >= 2) ? CS_OK : invalid(err, NULL);
	}
}

static cs_status check_mode(const struct cs_options *o, struct cs_err *err)
{
	/* What the other modes refuse: a codec, a dump level, -E, -i, -x, -F. */
	bool dump_shape = o->compress || o->dump_level_given || o->elf || o->vmcoreinfo_in || o->flatten;

	switch (o->mode) {
	case CS_MODE_GEN_VMCOREINFO:
		if (o->nr_files != 0 || dump_shape || !o->vmlinux)
			return invalid(err, NULL);
		if (o->dry_run)
			return invalid(err, "--dry-run cannot be used with -g.");
		return CS_OK;
	case CS_MODE_REARRANGE:
		return o->nr_files == 1 && !dump_shape && !o->vmlinux ? CS_OK : invalid(err, NULL);
	case CS_MODE_REASSEMBLE:
		if (dump_shape || o->vmlinux || o->split)
			return invalid(err, NULL);
		if (o->dry_run)
			return invalid(err, "--dry-run cannot be used with --reassemble.");
		return o->nr_files >= 2 ? CS_OK : invalid(err, NULL);
	default:
		return check_creating(o, err);
	}
}

cs_status cs_options_check(struct cs_options *opts, char *warn, size_t warn_len, struct cs_err *err)
{
	char msg[200];

	warn[0] = '\0';
	if (opts->refused)
		return cs_err_set(err, CS_ERR_NOTSUP, "%s.", opts->refused_why);
	if (check_mode(opts, err) != CS_OK)
		return err->status;
	if (cs_codec_for_cli_flag(opts->compress, &opts->codec, err) != CS_OK)
		return err->status;
	/* -c could adapt too, but zlib's levels 1..9 change a 4 KiB page's size by a few % (coresieve.8). */
	if (opts->adapt && (!opts->codec || !opts->codec->set_level))
		return cs_err_set(err, CS_ERR_ARGS, "--adapt needs -z: only zstd's levels are worth moving "
				  "between for 4 KiB pages.");
	if (opts->compress_level) {
		const struct cs_codec *codec = opts->codec;

		if (codec && !codec->min_level && !codec->max_level) {
			snprintf(msg, sizeof(msg), "warning: -%c has no levels; --compress-level is ignored",
				 opts->compress);
			add_warning(warn, warn_len, msg);
			opts->compress_level = 0;
		} else if (codec && (opts->compress_level < codec->min_level ||
				     opts->compress_level > codec->max_level)) {
			snprintf(msg, sizeof(msg),
				 "warning: --compress-level %d is out of range for -%c (%s: %d..%d); "
				 "using level %d", opts->compress_level, opts->compress, codec->name,
				 codec->min_level, codec->max_level, codec->default_level);
			add_warning(warn, warn_len, msg);
			opts->compress_level = 0;
		}
	}
	/* Accepted, no effect here: one line each saying why (the (b) rows of coresieve.8's table). */
	if (opts->block_order_given)
		add_warning(warn, warn_len, "warning: -b has no effect: coresieve writes batches of up to 256 "
			    "pages per thread, not a 2^ORDER page cache");
	if (opts->debug)
		add_warning(warn, warn_len, "warning: -D prints coresieve's own debug messages, not "
			    "makedumpfile's (its internals differ)");
	if (opts->splitblock_kib && !opts->split)
		add_warning(warn, warn_len, "warning: --splitblock-size has no effect without --split");
	if (opts->work_dir)
		add_warning(warn, warn_len, "note: --work-dir is not needed: coresieve keeps its bitmaps in memory");
	if (opts->have_vtop && opts->mode != CS_MODE_DUMP && opts->mode != CS_MODE_SPLIT)
		add_warning(warn, warn_len, "warning: --vtop has no effect here: the translation is printed "
			    "while a dump is created, as makedumpfile does");
	return CS_OK;
}
