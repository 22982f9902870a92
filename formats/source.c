/* formats/source.c: the dump-source probe loop, close, and the present / has-data queries. */
#include "formats/source.h"
#include "core/arch/arch.h"
#include "core/io.h"
#include "core/range.h"
#include "formats/vmcoreinfo.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Probe order: ELF, then kdump-compressed (which also takes flattened streams and split sets). */
static const struct cs_source_ops *const readers[] = {
	&cs_elf_source_ops,
	&cs_kdump_source_ops,
};

#define PROBE_LEN 4096

/* "7f 45 4c 46 ... ("\x7fELF...")" for a message about an unknown file. */
static void describe_head(const uint8_t *head, size_t len, char *out, size_t size)
{
	size_t pos = 0, n = CS_MIN(len, (size_t)16);

	out[0] = '\0';
	for (size_t i = 0; i < n && pos + 4 < size; i++)
		pos += (size_t)snprintf(out + pos, size - pos, "%s%02x", i ? " " : "", head[i]);
	if (pos + 4 < size)
		pos += (size_t)snprintf(out + pos, size - pos, " \"");
	for (size_t i = 0; i < n && pos + 3 < size; i++)
		out[pos++] = isprint(head[i]) ? (char)head[i] : '.';
	if (pos + 2 < size) {
		out[pos++] = '"';
		out[pos] = '\0';
	}
}

cs_status cs_source_open(struct cs_source *src, const char *const *paths, size_t nfiles,
			 bool use_mmap, struct cs_err *err)
{
	uint8_t head[PROBE_LEN];
	size_t got;
	int fd;

	memset(src, 0, sizeof(*src));
	if (!nfiles)
		return cs_err_set(err, CS_ERR_ARGS, "no input file");
	fd = open(paths[0], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cs_err_sys(err, errno, "cannot open '%s'", paths[0]);
	if (cs_pread_some(fd, paths[0], head, sizeof(head), 0, &got, err) != CS_OK) {
		close(fd);
		return err->status;
	}
	close(fd);
	if (got == 0)
		return cs_err_set(err, CS_ERR_FORMAT, "'%s' is empty", paths[0]);

	for (size_t i = 0; i < CS_ARRAY_SIZE(readers); i++) {
		const struct cs_source_ops *ops = readers[i];
		cs_status st;

		if (ops->probe(head, (size_t)got) != CS_OK)
			continue;
		src->ops = ops;
		src->path = paths[0];
		src->page_size = cs_arch_min_page_size(cs_arch_default()); /* until the reader says */
		src->use_mmap = use_mmap;
		st = ops->open(src, paths, nfiles, err);
		if (st) {
			cs_source_close(src);
			return st;
		}
		return CS_OK;
	}
	char desc[128];
	describe_head(head, (size_t)got, desc, sizeof(desc));
	return cs_err_set(err, CS_ERR_FORMAT,
			  "'%s' is not a dump file (not ELF, kdump-compressed or flattened); it starts with %s",
			  paths[0], desc);
}

void cs_source_close(struct cs_source *src)
{
	if (src->ops && src->ops->close)
		src->ops->close(src);
	free(src->ranges);
	free(src->rounded_up);
	free(src->unconsulted_owned);
	free(src->notes);
	free(src->eraseinfo);
	memset(src, 0, sizeof(*src));
}

const struct cs_pfn_range *cs_source_range_of(const struct cs_source *src, pfn_t pfn)
{
	size_t lo = CS_UPPER_BOUND(src->ranges, src->nr_ranges, start, pfn);

	if (!lo || pfn >= src->ranges[lo - 1].end)
		return NULL;
	return &src->ranges[lo - 1];
}

bool cs_source_present(const struct cs_source *src, pfn_t pfn)
{
	return cs_source_range_of(src, pfn) != NULL;
}

bool cs_source_has_data(const struct cs_source *src, pfn_t pfn)
{
	const struct cs_pfn_range *r = cs_source_range_of(src, pfn);

	return r && pfn < r->data_end && (!src->dumpable || cs_bitmap_test(src->dumpable, pfn));
}

static cs_status source_read_paddr(void *ctx, paddr_t paddr, void *buf, size_t len, struct cs_err *err)
{
	struct cs_source *src = ctx;

	return src->ops->read_paddr(src, paddr, buf, len, err);
}

void cs_source_kernel_input(struct cs_source *src, struct cs_kernel_input *in)
{
	memset(in, 0, sizeof(*in));
	in->path = src->path;
	in->e_machine = src->e_machine;
	if (src->kind == CS_SRC_KDUMP) {
		in->machine = src->input_utsname[4];
		/* QEMU's kdump writer fills phys_base with its own guess: only a fallback. */
		in->have_header_phys_base = true;
		in->header_phys_base = src->input_phys_base;
	}
	in->page_size = src->page_size;
	in->hints.have_phys_base = src->have_phys_base;
	in->hints.phys_base = src->phys_base;
	in->hints.have_page_offset = src->have_page_offset;
	in->hints.page_offset = src->page_offset;
	in->read_paddr = source_read_paddr;
	in->read_ctx = src;
}

cs_status cs_kernel_init_source(struct cs_kernel *k, struct cs_source *src,
				const struct cs_kmodel *override, struct cs_err *err)
{
	struct cs_kernel_input in;
	struct cs_kmodel *note = NULL;
	size_t vlen = 0;
	const char *vtext = cs_source_vmcoreinfo(src, &vlen);
	cs_status st;

	cs_source_kernel_input(src, &in);
	if (!override && vtext && vlen) {
		note = calloc(1, sizeof(*note));
		if (!note)
			return cs_err_set(err, CS_ERR_NOMEM, "'%s': cannot parse VMCOREINFO", src->path);
		cs_vmcoreinfo_parse(vtext, vlen, note, NULL);
	}
	st = cs_kernel_init(k, &in, override ? override : note, err);
	free(note);
	return st;
}
