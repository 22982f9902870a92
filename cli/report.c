/* cli/report.c: page-count reports in makedumpfile's formats, and as JSON. */
#include "cli/report.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

uint64_t cs_report_excluded(const struct cs_report *r)
{
	return r->zero + r->cache + r->cache_private + r->user + r->free + r->hwpoison + r->offline;
}

uint64_t cs_report_remaining(const struct cs_report *r)
{
	uint64_t original = r->total - r->hole;
	uint64_t excluded = cs_report_excluded(r);

	return original > excluded ? original - excluded : 0;
}

void cs_report_print(FILE *out, const struct cs_report *r)
{
	uint64_t original = r->total - r->hole;
	uint64_t remaining = cs_report_remaining(r);

	fprintf(out, "\n");
	fprintf(out, "Original pages  : 0x%016" PRIx64 "\n", original);
	fprintf(out, "  Excluded pages   : 0x%016" PRIx64 "\n", cs_report_excluded(r));
	if (r->elf)
		fprintf(out, "     in ELF format : 0x%016" PRIx64 "\n", r->elf_excluded);
	fprintf(out, "    Pages filled with zero  : 0x%016" PRIx64 "\n", r->zero);
	fprintf(out, "    Non-private cache pages : 0x%016" PRIx64 "\n", r->cache);
	fprintf(out, "    Private cache pages     : 0x%016" PRIx64 "\n", r->cache_private);
	fprintf(out, "    User process data pages : 0x%016" PRIx64 "\n", r->user);
	fprintf(out, "    Free pages              : 0x%016" PRIx64 "\n", r->free);
	fprintf(out, "    Hwpoison pages          : 0x%016" PRIx64 "\n", r->hwpoison);
	fprintf(out, "    Offline pages           : 0x%016" PRIx64 "\n", r->offline);
	fprintf(out, "  Remaining pages  : 0x%016" PRIx64 "\n", remaining);
	if (r->elf) {
		/* ELF keeps short excluded runs: the reduction counts only the pages it dropped. */
		fprintf(out, "     in ELF format : 0x%016" PRIx64 "\n", original - r->elf_excluded);
		remaining = original > r->elf_excluded ? original - r->elf_excluded : 0;
	}
	fprintf(out, "  (The number of pages is reduced to %" PRIu64 "%%.)\n",
		original ? remaining * 100 / original : 0);
	fprintf(out, "Memory Hole     : 0x%016" PRIx64 "\n", r->hole);
	fprintf(out, "--------------------------------------------------\n");
	fprintf(out, "Total pages     : 0x%016" PRIx64 "\n", r->total);
	fprintf(out, "Write bytes     : %" PRIu64 "\n", r->write_bytes);
	/* Our own line, only when it matters: pages kept because their metadata could not be trusted. */
	if (r->kept_unverified)
		fprintf(out, "Kept unverified : 0x%016" PRIx64 "\n", r->kept_unverified);
	fprintf(out, "\n");
}

void cs_report_print_mem_usage(FILE *out, const struct cs_report *r)
{
	uint64_t present = r->total - r->hole;
	uint64_t excludable = r->zero + r->cache + r->cache_private + r->user + r->free;

	fprintf(out, "\n");
	fprintf(out, "TYPE\t\tPAGES\t\t\tEXCLUDABLE\tDESCRIPTION\n");
	fprintf(out, "----------------------------------------------------------------------\n");
	fprintf(out, "ZERO\t\t%-16" PRIu64 "\tyes\t\tPages filled with zero\n", r->zero);
	fprintf(out, "NON_PRI_CACHE\t%-16" PRIu64 "\tyes\t\tCache pages without private flag\n", r->cache);
	fprintf(out, "PRI_CACHE\t%-16" PRIu64 "\tyes\t\tCache pages with private flag\n", r->cache_private);
	fprintf(out, "USER\t\t%-16" PRIu64 "\tyes\t\tUser process pages\n", r->user);
	fprintf(out, "FREE\t\t%-16" PRIu64 "\tyes\t\tFree pages\n", r->free);
	fprintf(out, "KERN_DATA\t%-16" PRIu64 "\tno\t\tDumpable kernel data \n",
		present > excludable ? present - excludable : 0);
	fprintf(out, "\n");
	fprintf(out, "page size:\t\t%-16" PRIu32 "\n", r->page_size);
	fprintf(out, "Total pages on system:\t%-16" PRIu64 "\n", present);
	fprintf(out, "Total size on system:\t%-16" PRIu64 " Byte\n", present * r->page_size);
}

cs_status cs_report_write_json(const char *path, const struct cs_report *r, struct cs_err *err)
{
	char buf[1024];
	int len, fd;

	len = snprintf(buf, sizeof(buf),
		       "{\"dump_level\": %d, \"pages\": {\"total\": %" PRIu64 ", \"hole\": %" PRIu64
		       ", \"zero\": %" PRIu64 ", \"cache\": %" PRIu64 ", \"cache_private\": %" PRIu64
		       ", \"user\": %" PRIu64 ", \"free\": %" PRIu64 ", \"hwpoison\": %" PRIu64
		       ", \"offline\": %" PRIu64 ", \"kept_unverified\": %" PRIu64
		       ", \"remaining\": %" PRIu64 "}, \"write_bytes\": %" PRIu64
		       ", \"cycles\": %" PRIu64 "}\n",
		       r->dump_level, r->total, r->hole, r->zero, r->cache, r->cache_private, r->user,
		       r->free, r->hwpoison, r->offline, r->kept_unverified, cs_report_remaining(r),
		       r->write_bytes, r->cycles);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return cs_err_sys(err, errno, "cannot create the report file '%s'", path);
	if (write(fd, buf, (size_t)len) != len) {
		int e = errno;
		close(fd);
		return cs_err_sys(err, e, "cannot write the report file '%s'", path);
	}
	if (close(fd) != 0)
		return cs_err_sys(err, errno, "cannot write the report file '%s'", path);
	return CS_OK;
}
