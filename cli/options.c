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
	OPT_NON_CYCLIC,
	OPT_REPORT_JSON,
	OPT_COMPRESS_LEVEL,
	OPT_VERSION,
	OPT_ALLOW_INCOMPLETE,
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
	{"non-cyclic", no_argument, NULL, OPT_NON_CYCLIC},
	/* coresieve additions: long options only, never changing an existing meaning */
	{"report-json", required_argument, NULL, OPT_REPORT_JSON},
	{"compress-level", required_argument, NULL, OPT_COMPRESS_LEVEL},
	{"version", no_argument, NULL, OPT_VERSION},
	{"allow-incomplete", no_argument, NULL, OPT_ALLOW_INCOMPLETE},
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

cs_status cs_options_parse(int argc, char **argv, struct cs_options *opts, struct cs_err *err)
{
	int c;
	long v;
	bool split = false, reassemble = false, dmesg = false, mem_usage = false, rearrange = false;
	bool show_stats = false, help = false, version = false;

	memset(opts, 0, sizeof(*opts));
	opts->message_level = CS_ML_DEFAULT;
	opts->block_order = 4;
	opts->argv0_name = "coresieve";
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "b:cDd:eEFfg:hi:lL:pRvXx:z", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (!parse_int(optarg, 0, 16, &v))
				return cs_err_set(err, CS_ERR_ARGS, "Block order(%s) is invalid (0..16).", optarg);
			opts->block_order = (unsigned)v;
			break;
		case 'c': case 'l': case 'p': case 'z':
			opts->compress = (char)c; /* the last one given wins, as makedumpfile */
			break;
		case 'D':
			opts->message_level |= CS_ML_DEBUG;
			break;
		case 'd':
			if (parse_dump_levels(optarg, opts, err))
				return err->status;
			break;
		case 'e': opts->exclude_vmemmap = true; break;
		case 'E': opts->elf = true; break;
		case 'F': opts->flatten = true; break;
		case 'f': opts->force = true; break;
		case 'g': opts->vmcoreinfo_out = optarg; break;
		case 'h': help = true; break;
		case 'i': opts->vmcoreinfo_in = optarg; break;
		case 'L':
			if (!cs_parse_size(optarg, &opts->size_limit) || opts->size_limit == 0)
				return cs_err_set(err, CS_ERR_ARGS, "Size limit(%s) is invalid.", optarg);
			break;
		case 'R': rearrange = true; break;
		case 'v': version = true; break;
		case 'X':
			return cs_err_set(err, CS_ERR_NOTSUP, "-X (Xen) is not supported by coresieve");
		case 'x': opts->vmlinux = optarg; break;
		case OPT_SPLIT: split = true; break;
		case OPT_REASSEMBLE: reassemble = true; break;
		case OPT_XEN_SYMS: case OPT_XEN_VMCOREINFO: case OPT_XEN_PHYS_START: case OPT_DISKSET:
			return cs_err_set(err, CS_ERR_NOTSUP, "%s is not supported by coresieve (Xen and sadump inputs)",
					  argv[optind - 1]);
		case OPT_EPPIC:
			return cs_err_set(err, CS_ERR_NOTSUP, "--eppic is not supported by coresieve");
		case OPT_MESSAGE_LEVEL:
			if (!parse_int(optarg, 0, 31, &v))
				return cs_err_set(err, CS_ERR_ARGS, "Message_level(%s) is invalid.", optarg);
			opts->message_level = (int)v;
			break;
		case OPT_VTOP: opts->vtop = optarg; break;
		case OPT_DUMP_DMESG: dmesg = true; break;
		case OPT_PARTIAL_DMESG: opts->partial_dmesg = true; break;
		case OPT_ALLOW_INCOMPLETE: opts->allow_incomplete = true; break;
		case OPT_CONFIG: opts->config = optarg; break;
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
		case OPT_NON_CYCLIC: break; /* gone in makedumpfile 1.5.9; accepted and ignored */
		case OPT_REPORT_JSON: opts->report_json = optarg; break;
		case OPT_COMPRESS_LEVEL:
			if (!parse_int(optarg, CS_ZSTD_MIN_LEVEL, 22, &v) || v == 0)
				return cs_err_set(err, CS_ERR_ARGS,
						  "--compress-level %s is invalid (-c: 1..12, -z: %d..-1 or 1..22).",
						  optarg, CS_ZSTD_MIN_LEVEL);
			opts->compress_level = (int)v;
			break;
		case '?':
		default:
			if (optopt && optopt < 256)
				return invalid(err, NULL);
			return invalid(err, NULL);
		}
	}
	if (show_stats)
		opts->message_level |= CS_ML_REPORT;
	for (int i = optind; i < argc; i++) {
		if (opts->nr_files >= CS_MAX_FILES)
			return cs_err_set(err, CS_ERR_ARGS, "too many files (at most %d)", CS_MAX_FILES);
		opts->files[opts->nr_files++] = argv[i];
	}
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
	if ((int)split + reassemble + dmesg + mem_usage + rearrange + (opts->vmcoreinfo_out != NULL) > 1)
		return invalid(err, NULL);
	if (opts->vmcoreinfo_out) {
		opts->mode = CS_MODE_GEN_VMCOREINFO;
		if (!opts->vmlinux || opts->nr_files != 0)
			return invalid(err, NULL);
	} else if (rearrange) {
		opts->mode = CS_MODE_REARRANGE;
		if (opts->nr_files != 1)
			return invalid(err, NULL);
	} else if (split) {
		opts->mode = CS_MODE_SPLIT;
		if (opts->nr_files < 3)
			return invalid(err, NULL);
	} else if (reassemble) {
		opts->mode = CS_MODE_REASSEMBLE;
		if (opts->nr_files < 3)
			return invalid(err, NULL);
	} else if (dmesg) {
		opts->mode = CS_MODE_DMESG;
		if (opts->nr_files != 2)
			return invalid(err, NULL);
	} else if (mem_usage) {
		opts->mode = CS_MODE_MEM_USAGE;
		if (opts->nr_files != 1)
			return invalid(err, NULL);
	} else {
		opts->mode = CS_MODE_DUMP;
		/* Several inputs are the pieces of one split dump (refiltering); the last name is the output. */
		if (opts->flatten ? opts->nr_files < 1 : opts->nr_files < 2)
			return invalid(err, NULL);
	}
	return CS_OK;
}

static void add_warning(char *warn, size_t warn_len, const char *msg)
{
	size_t used = strlen(warn);

	snprintf(warn + used, warn_len - used, "%s%s", used ? "\n" : "", msg);
}

cs_status cs_options_check(struct cs_options *opts, char *warn, size_t warn_len, struct cs_err *err)
{
	warn[0] = '\0';
	if (opts->vmcoreinfo_in && opts->vmlinux)
		return invalid(err, NULL);
	if (opts->flatten && opts->mode == CS_MODE_SPLIT)
		return invalid(err, NULL);
	if (opts->config && !opts->vmlinux)
		return invalid(err, "--config needs -x VMLINUX.");
	if (opts->partial_dmesg && opts->mode != CS_MODE_DMESG)
		return invalid(err, NULL);
	if (opts->dry_run && (opts->mode == CS_MODE_DMESG || opts->mode == CS_MODE_REASSEMBLE ||
			      opts->mode == CS_MODE_GEN_VMCOREINFO))
		return invalid(err, "--dry-run cannot be used with this mode.");
	if (opts->mode == CS_MODE_SPLIT && opts->elf)
		return invalid(err, NULL);
	/*
	 * In a capture kernel a refused combination fails the whole capture
	 * (rhkdump/kdump-utils PR #125): downgrade with a warning instead.
	 */
	if (opts->elf && opts->compress) {
		add_warning(warn, warn_len, "warning: ELF output (-E) is not compressed; the compression option is ignored");
		opts->compress = 0;
	}
	if (opts->compress_level) {
		const struct cs_codec *codec = cs_codec_by_cli_flag(opts->compress);
		char msg[160];

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
	if (opts->exclude_vmemmap)
		add_warning(warn, warn_len, "warning: -e is not supported yet; vmemmap pages are kept");
	if (opts->work_dir)
		add_warning(warn, warn_len, "note: --work-dir is not needed: coresieve keeps its bitmaps in memory");
	return CS_OK;
}
