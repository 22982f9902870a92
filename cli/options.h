/* cli/options.h: the makedumpfile-compatible command line, parsed and validated. */
#ifndef CS_OPTIONS_H
#define CS_OPTIONS_H

#include "core/types.h"
#include "core/error.h"

#define CS_MAX_DUMP_LEVELS 8
/* --adapt's default bounds (cli/options.c parse_adapt). */
#define CS_ADAPT_DEFAULT_MIN (-7)
#define CS_ADAPT_DEFAULT_MAX 12

/* Message classes of --message-level (makedumpfile's bits). */
enum {
	CS_ML_PROGRESS = 1,
	CS_ML_COMMON = 2,
	CS_ML_ERROR = 4,
	CS_ML_DEBUG = 8,
	CS_ML_REPORT = 16,
};
#define CS_ML_DEFAULT 7

enum cs_mode {
	CS_MODE_DUMP,       /* VMCORE DUMPFILE (or -F VMCORE) */
	CS_MODE_REARRANGE,  /* -R DUMPFILE: flattened stdin -> file */
	CS_MODE_SPLIT,      /* --split VMCORE F1 F2 ... */
	CS_MODE_REASSEMBLE, /* --reassemble F1 F2 ... OUT */
	CS_MODE_DMESG,      /* --dump-dmesg VMCORE LOGFILE */
	CS_MODE_GEN_VMCOREINFO, /* -g FILE -x VMLINUX */
	CS_MODE_MEM_USAGE,  /* --mem-usage VMCORE */
	CS_MODE_HELP,
	CS_MODE_VERSION,
};

struct cs_options {
	enum cs_mode mode;
	char compress;          /* 0, 'c', 'l', 'p', 'z' */
	const struct cs_codec *codec; /* compress resolved by cs_options_check */
	int compress_level;     /* --compress-level, 0 = codec default */
	bool adapt;             /* --adapt: the level follows the output's speed (-z only) */
	int adapt_min, adapt_max;
	int dump_levels[CS_MAX_DUMP_LEVELS]; /* -d a,b,c */
	int nr_dump_levels;
	bool dump_level_given;  /* -d was on the line (makedumpfile: the first level, if not 0) */
	bool elf;               /* -E */
	bool flatten;           /* -F */
	bool force;             /* -f */
	bool dry_run;
	bool check_params;
	bool non_mmap;
	bool split;             /* --split (mode CS_MODE_SPLIT once checked) */
	bool partial_dmesg;
	bool have_vtop;         /* --vtop VADDR */
	uint64_t vtop_vaddr;
	bool allow_incomplete;  /* --allow-incomplete: lost input pages do not fail the run */
	int message_level;
	unsigned num_threads;   /* 0 = default (online CPUs) */
	uint64_t size_limit;    /* -L, 0 = none */
	bool block_order_given; /* -b: no effect here (a warning says why) */
	bool debug;             /* -D */
	uint64_t splitblock_kib;
	uint64_t cyclic_buffer_kib;
	const char *vmlinux;    /* -x */
	const char *vmcoreinfo_in;  /* -i */
	const char *vmcoreinfo_out; /* -g */
	const char *work_dir;
	const char *report_json; /* --report-json FILE */
	/*
	 * Options of makedumpfile 1.7.9 that coresieve refuses (Xen, sadump,
	 * eppic) or does not have yet (-e, --config): the first one given, as
	 * the user wrote it, refused by cs_options_check.
	 */
	const char *refused;
	const char *refused_why;
	/* Positional arguments: argv's own (makedumpfile has no limit on their number). */
	const char *const *files;
	int nr_files;
	const char *argv0_name;  /* "coresieve" */
};

/*
 * Parse argv into opts. On error returns CS_ERR_ARGS with a message in
 * makedumpfile's words (e.g. "Dump_level(40) is invalid.").
 */
cs_status cs_options_parse(int argc, char **argv, struct cs_options *opts, struct cs_err *err);

/*
 * The mode and the cross-option rules of makedumpfile 1.7.9's
 * check_param_for_*() (same verdicts, same messages), with coresieve's
 * deliberate differences (threads with -E and --split; several inputs are the
 * pieces of a split dump). Options that have no effect here add a one-line
 * warning to warn.
 */
cs_status cs_options_check(struct cs_options *opts, char *warn, size_t warn_len, struct cs_err *err);

/* Parse a size with kernel memparse suffixes (K, M, G, T, P, E). */
bool cs_parse_size(const char *s, uint64_t *ret);

#endif
