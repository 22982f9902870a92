/* cli/report.h: the report block, --mem-usage table and --report-json output. */
#ifndef CS_REPORT_H
#define CS_REPORT_H

#include "core/types.h"
#include "core/error.h"
#include <stdio.h>

/* Page counts by class, as makedumpfile's report counts them. */
struct cs_report {
	uint64_t total;          /* max_mapnr */
	uint64_t hole;
	uint64_t zero;
	uint64_t cache;
	uint64_t cache_private;
	uint64_t user;
	uint64_t free;
	uint64_t hwpoison;
	uint64_t offline;
	uint64_t kept_unverified; /* kept because metadata could not be validated */
	uint64_t write_bytes;
	int dump_level;
	bool elf;
	uint64_t elf_excluded;    /* pages actually dropped in ELF format */
	uint32_t page_size;
	uint64_t cycles;          /* cyclic mode: windows processed (0: bitmaps kept whole) */
};

uint64_t cs_report_excluded(const struct cs_report *r);
uint64_t cs_report_remaining(const struct cs_report *r);
/* makedumpfile's REPORT_MSG block. */
void cs_report_print(FILE *out, const struct cs_report *r);
/* makedumpfile's --mem-usage table (level 31 counts). */
void cs_report_print_mem_usage(FILE *out, const struct cs_report *r);
/* {"dump_level": N, "pages": {...}} written to path (0600, replacing). */
cs_status cs_report_write_json(const char *path, const struct cs_report *r, struct cs_err *err);

#endif
