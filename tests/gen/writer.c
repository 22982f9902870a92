/* tests/gen/writer.c: the ELF file, laid out as the capture kernel lays out /proc/vmcore; sparse where pages are zero. */
#include "tests/gen/gen.h"
#include "tests/gen/truth.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WBUF_SIZE (8u << 20)

struct wctx {
	int fd;
	const char *path;
	uint8_t *buf;
	size_t len;
	uint64_t foff; /* file offset of buf[0] */
	uint64_t pages, bytes;
};

static cs_status pwrite_all(int fd, const void *p, size_t n, uint64_t off, const char *path, struct cs_err *err)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t w = pwrite(fd, b, n, (off_t)off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return cs_err_sys(err, errno, "cannot write '%s' at offset 0x%" PRIx64, path, off);
		}
		b += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return CS_OK;
}

static cs_status flush(struct wctx *w, struct cs_err *err)
{
	cs_status st = CS_OK;

	if (w->len)
		st = pwrite_all(w->fd, w->buf, w->len, w->foff, w->path, err);
	w->bytes += w->len;
	w->len = 0;
	return st;
}

/* Queue one page for file offset foff; adjacent pages go out in one large pwrite. */
static cs_status put_page(struct wctx *w, uint64_t foff, const uint8_t *page, struct cs_err *err)
{
	cs_status st;

	if (w->len && (w->foff + w->len != foff || w->len == WBUF_SIZE))
		if ((st = flush(w, err)))
			return st;
	if (!w->len)
		w->foff = foff;
	memcpy(w->buf + w->len, page, GEN_PAGE_SIZE);
	w->len += GEN_PAGE_SIZE;
	w->pages++;
	return CS_OK;
}

/*
 * fs/proc/vmcore.c (since 3.11): the ELF header and program headers padded to
 * a page, then the merged notes padded to a page, then each PT_LOAD's pages
 * from rounddown(p_paddr) to roundup(p_paddr + p_memsz), with p_offset keeping
 * the in-page offset of an unaligned p_paddr.
 */
static uint64_t plan_loads(struct gen_ctx *c, uint64_t data_off)
{
	c->nloads = c->nram + 1;
	c->loads[0] = (struct gen_load){c->ktext_vaddr, c->kimage_paddr, GEN_KIMG_SIZE, GEN_KIMG_SIZE, 0, 0};
	for (size_t i = 0; i < c->nram; i++)
		c->loads[i + 1] = (struct gen_load){gen_dmap(c, c->ram[i].start), c->ram[i].start,
						    c->ram[i].end - c->ram[i].start, c->ram[i].filesz, 0, 0};
	for (size_t i = 0; i < c->nloads; i++) {
		struct gen_load *l = &c->loads[i];
		paddr_t lo = l->paddr / GEN_PAGE_SIZE * GEN_PAGE_SIZE;
		paddr_t hi = CS_ALIGN_UP(l->paddr + l->memsz, GEN_PAGE_SIZE);
		l->chunk_foff = data_off;
		l->foff = data_off + (l->paddr - lo);
		data_off += hi - lo;
	}
	return data_off;
}

static cs_status write_load(struct gen_ctx *c, struct wctx *w, const struct gen_load *l, uint8_t *page,
			    struct cs_err *err)
{
	paddr_t lo = l->paddr / GEN_PAGE_SIZE * GEN_PAGE_SIZE;
	paddr_t hi = CS_ALIGN_UP(l->paddr + l->memsz, GEN_PAGE_SIZE);
	paddr_t data_end = l->paddr + l->filesz;
	cs_status st;

	for (paddr_t pa = lo; pa < hi; pa += GEN_PAGE_SIZE) {
		pfn_t pfn = pa / GEN_PAGE_SIZE;
		paddr_t a = CS_MAX(pa, l->paddr), b = CS_MIN(pa + GEN_PAGE_SIZE, data_end);
		bool nonzero;

		if (a >= b)
			continue; /* no data for this page: stays a hole in the file, reads as zero */
		nonzero = gen_page_content(c, pfn, gen_find_extent(c, pfn), page);
		if (a != pa || b != pa + GEN_PAGE_SIZE) {
			/* Partial page: only the bytes inside the segment's data are the segment's. */
			memset(page, 0, a - pa);
			memset(page + (b - pa), 0, pa + GEN_PAGE_SIZE - b);
			nonzero = false;
			for (size_t i = 0; i < GEN_PAGE_SIZE && !nonzero; i++)
				nonzero = page[i] != 0;
		}
		/* Zero flag for the pages a reader sees whole (or with a zero-filled head). */
		if (!nonzero && b == pa + GEN_PAGE_SIZE && pfn < c->max_pfn)
			c->truth[pfn] |= CS_TRUTH_F_ZERO;
		if (nonzero && (st = put_page(w, l->chunk_foff + (pa - lo), page, err)))
			return cs_err_ctx(err, "pfn 0x%" PRIxPFN, pfn);
	}
	return flush(w, err);
}

cs_status gen_write_vmcore(struct gen_ctx *c, struct cs_err *err)
{
	struct wctx w = {.fd = -1, .path = c->o.out_path};
	size_t nphdr, hdr_len, notes_len;
	uint64_t data_off, total;
	uint8_t *hdr = NULL, *page = NULL;
	cs_status st;

	c->loads = calloc(c->nram + 1, sizeof(*c->loads));
	w.buf = malloc(WBUF_SIZE);
	page = aligned_alloc(64, GEN_PAGE_SIZE);
	if (!c->loads || !w.buf || !page) {
		st = cs_err_set(err, CS_ERR_NOMEM, "out of memory");
		goto out;
	}
	nphdr = 1 + c->nram + 1;
	hdr_len = CS_ALIGN_UP(sizeof(Elf64_Ehdr) + nphdr * sizeof(Elf64_Phdr), GEN_PAGE_SIZE);
	notes_len = gen_notes(c, NULL, 0);
	data_off = hdr_len + CS_ALIGN_UP(notes_len, GEN_PAGE_SIZE);
	total = plan_loads(c, data_off);

	hdr = calloc(1, data_off);
	if (!hdr) {
		st = cs_err_set(err, CS_ERR_NOMEM, "out of memory");
		goto out;
	}
	Elf64_Ehdr *eh = (Elf64_Ehdr *)hdr;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh->e_type = ET_CORE;
	eh->e_machine = c->o.arm64 ? EM_AARCH64 : EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = (Elf64_Half)nphdr;
	Elf64_Phdr *ph = (Elf64_Phdr *)(hdr + sizeof(Elf64_Ehdr));
	ph[0] = (Elf64_Phdr){.p_type = PT_NOTE, .p_offset = hdr_len, .p_filesz = notes_len,
			     .p_memsz = notes_len, .p_align = 4};
	for (size_t i = 0; i < c->nloads; i++)
		ph[i + 1] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X,
					 .p_offset = c->loads[i].foff, .p_vaddr = c->loads[i].vaddr,
					 .p_paddr = c->loads[i].paddr, .p_filesz = c->loads[i].filesz,
					 .p_memsz = c->loads[i].memsz};
	gen_notes(c, hdr + hdr_len, data_off - hdr_len);

	w.fd = open(c->o.out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (w.fd < 0) {
		st = cs_err_sys(err, errno, "cannot create '%s'", c->o.out_path);
		goto out;
	}
	if (ftruncate(w.fd, (off_t)total) < 0) {
		st = cs_err_sys(err, errno, "cannot size '%s' to %" PRIu64 " bytes", c->o.out_path, total);
		goto out;
	}
	if ((st = pwrite_all(w.fd, hdr, data_off, 0, c->o.out_path, err)))
		goto out;
	for (size_t i = 0; i < c->nloads; i++)
		if ((st = write_load(c, &w, &c->loads[i], page, err))) {
			cs_err_ctx(err, "PT_LOAD %zu", i);
			goto out;
		}
	if (close(w.fd) < 0) {
		w.fd = -1;
		st = cs_err_sys(err, errno, "cannot close '%s'", c->o.out_path);
		goto out;
	}
	w.fd = -1;
	c->pages_written = w.pages;
	c->bytes_written = w.bytes + data_off;
	st = CS_OK;
out:
	if (w.fd >= 0)
		close(w.fd);
	free(w.buf);
	free(page);
	free(hdr);
	return st;
}
