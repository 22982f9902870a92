/* formats/elf_write.c: the filtered ELF output (-E): segment plan, headers and notes, page data, the zero pre-pass. */
#include "formats/elf_write.h"
#include "formats/notes.h"
#include "formats/source.h"
#include "core/arch/arch.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* makedumpfile's PFN_EXCLUDED: shorter runs of excluded pages are copied, not dropped. */
#define PFN_EXCLUDED 256
/* Bytes of page data gathered before one pwrite. */
#define DATA_BUF_BYTES (1u << 20) /* as the kdump writer: a capture kernel counts every MiB */
/* p_paddr of a segment without physical address (makedumpfile's NOT_PADDR). */
#define NOT_PADDR UINT64_MAX
/* "ERASEINFO" with its NUL, as makedumpfile's ERASEINFO_NOTE_NAME_BYTES. */
#define ERASEINFO_NAME_BYTES (sizeof(CS_NOTE_NAME_ERASEINFO))

/* One output PT_LOAD. */
struct plan_seg {
	uint64_t paddr, vaddr, memsz, filesz;
	uint64_t rel_off;  /* offset of its data from the start of the load data */
	bool zero_off;     /* p_offset is 0 (a segment without data that is not an input's last) */
	uint32_t flags;
	uint64_t align;
};

struct cs_elf_plan {
	bool elf64;
	GElf_Ehdr ehdr;      /* the input's (or a made-up one for kdump inputs) */
	bool have_note;
	GElf_Phdr note;      /* the input's first PT_NOTE */
	size_t nr_notes;
	uint32_t page_size;
	struct plan_seg *segs;
	size_t nsegs, cap;
	struct cs_bitmap pages;
	uint64_t excluded, data_pages, data_bytes;
};

/* An input PT_LOAD. */
struct in_load {
	uint64_t paddr, vaddr, memsz;
	uint32_t flags;
	uint64_t align;
};

/* ---- the plan ---- */

static cs_status read_elf_headers(const struct cs_source *src, struct cs_elf_plan *p,
				  struct in_load **ret, size_t *nret, struct cs_err *err)
{
	struct in_load *loads = NULL;
	size_t phnum = 0, n = 0;
	cs_status st = CS_OK;
	Elf *e = NULL;
	GElf_Phdr ph;
	int fd, cls;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return cs_err_set(err, CS_ERR_SYSTEM, "libelf: %s", elf_errmsg(-1));
	fd = open(src->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cs_err_sys(err, errno, "cannot open '%s'", src->path);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &p->ehdr) ||
	    elf_getphdrnum(e, &phnum) != 0) {
		st = cs_err_set(err, CS_ERR_FORMAT, "'%s': cannot read the ELF headers: %s", src->path,
				elf_errmsg(-1));
		goto out;
	}
	cls = gelf_getclass(e);
	p->elf64 = cls == ELFCLASS64;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (p->ehdr.e_ident[EI_DATA] != ELFDATA2LSB)
#else
	if (p->ehdr.e_ident[EI_DATA] != ELFDATA2MSB)
#endif
	{
		st = cs_err_set(err, CS_ERR_NOTSUP,
				"'%s': ELF output of a dump in the other byte order is not supported",
				src->path);
		goto out;
	}
	loads = calloc(phnum ? phnum : 1, sizeof(*loads));
	if (!loads) {
		st = cs_err_set(err, CS_ERR_NOMEM, "'%s': cannot read %zu program headers", src->path,
				phnum);
		goto out;
	}
	for (size_t i = 0; i < phnum; i++) {
		if (!gelf_getphdr(e, (int)i, &ph)) {
			st = cs_err_set(err, CS_ERR_CORRUPT, "'%s': cannot read program header %zu: %s",
					src->path, i, elf_errmsg(-1));
			goto out;
		}
		if (ph.p_type == PT_NOTE) {
			if (!p->nr_notes++) {
				p->note = ph;
				p->have_note = true;
			}
			continue;
		}
		/* Segments without a physical address or size carry nothing to filter. */
		if (ph.p_type != PT_LOAD || ph.p_paddr == NOT_PADDR || !ph.p_memsz)
			continue;
		loads[n++] = (struct in_load){ph.p_paddr, ph.p_vaddr, ph.p_memsz, ph.p_flags,
					      ph.p_align};
	}
out:
	if (e)
		elf_end(e);
	close(fd);
	if (st) {
		free(loads);
		return st;
	}
	*ret = loads;
	*nret = n;
	return CS_OK;
}

/* A kdump-compressed input has no program headers: one PT_LOAD per present range. */
static cs_status make_kdump_headers(const struct cs_source *src, struct cs_elf_plan *p,
				    struct in_load **ret, size_t *nret, struct cs_err *err)
{
	struct in_load *loads = calloc(src->nr_ranges ? src->nr_ranges : 1, sizeof(*loads));

	if (!loads)
		return cs_err_set(err, CS_ERR_NOMEM, "cannot plan %zu segments", src->nr_ranges);
	memset(&p->ehdr, 0, sizeof(p->ehdr));
	memcpy(p->ehdr.e_ident, ELFMAG, SELFMAG);
	p->ehdr.e_ident[EI_CLASS] = ELFCLASS64;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	p->ehdr.e_ident[EI_DATA] = ELFDATA2LSB;
#else
	p->ehdr.e_ident[EI_DATA] = ELFDATA2MSB;
#endif
	p->ehdr.e_ident[EI_VERSION] = EV_CURRENT;
	p->ehdr.e_type = ET_CORE;
	p->ehdr.e_machine = src->e_machine ? src->e_machine : cs_arch_default()->e_machine;
	p->ehdr.e_version = EV_CURRENT;
	p->elf64 = true;
	for (size_t i = 0; i < src->nr_ranges; i++) {
		const struct cs_pfn_range *r = &src->ranges[i];
		loads[i] = (struct in_load){r->start * src->page_size, 0,
					   (r->end - r->start) * src->page_size,
					   PF_R | PF_W | PF_X, 0};
	}
	*ret = loads;
	*nret = src->nr_ranges;
	return CS_OK;
}

static cs_status add_seg(struct cs_elf_plan *p, const struct plan_seg *s, struct cs_err *err)
{
	if (p->nsegs == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;
		struct plan_seg *n = realloc(p->segs, cap * sizeof(*n));
		if (!n)
			return cs_err_set(err, CS_ERR_NOMEM, "cannot plan %zu ELF segments", cap);
		p->segs = n;
		p->cap = cap;
	}
	p->segs[p->nsegs++] = *s;
	return CS_OK;
}

/* Does every pfn of [a, b) have data in the input (so its original contents can be copied)? */
static bool run_has_data(const struct cs_source *src, pfn_t a, pfn_t b)
{
	while (a < b) {
		const struct cs_pfn_range *r = cs_source_range_of(src, a);
		pfn_t stop;

		if (!r || a >= r->data_end)
			return false;
		stop = CS_MIN(b, r->data_end);
		if (src->dumpable && cs_bitmap_count(src->dumpable, a, stop) != stop - a)
			return false;
		a = stop;
	}
	return true;
}

static pfn_t next_dumpable(const struct cs_bitmap *bm, pfn_t from, pfn_t end)
{
	pfn_t p = from < bm->nbits ? cs_bitmap_next_set(bm, from) : end;
	return CS_MIN(p, end);
}

static pfn_t next_excluded(const struct cs_bitmap *bm, pfn_t from, pfn_t end)
{
	pfn_t p = from < bm->nbits ? cs_bitmap_next_clear(bm, from) : from;
	return CS_MIN(p, end);
}

/* Segment construction for one input PT_LOAD (makedumpfile's write_elf_pages_cyclic). */
static cs_status plan_load(struct cs_elf_plan *p, const struct cs_source *src,
			   const struct cs_bitmap *bm2, const struct in_load *ld, uint64_t *cur_off,
			   struct cs_err *err)
{
	const uint64_t ps = p->page_size;
	pfn_t pfn_start = ld->paddr / ps, pfn_end = (ld->paddr + ld->memsz) / ps, pfn;
	uint64_t frac_head = ps - ld->paddr % ps, frac_tail = (ld->paddr + ld->memsz) % ps;
	uint64_t memsz = 0, filesz = 0, num_excluded = 0;
	struct plan_seg seg = {ld->paddr, ld->vaddr, 0, 0, 0, false, ld->flags, ld->align};
	cs_status st;

	if (frac_head != ps && frac_head >= ld->memsz) {
		/*
		 * The whole segment lies inside one page: its bytes are copied as they
		 * are, if the input can give them (a page only partly in the file has
		 * no data for the readers, so it is left out rather than made up).
		 */
		seg.memsz = ld->memsz;
		seg.filesz = run_has_data(src, pfn_start, pfn_start + 1) ? ld->memsz : 0;
		seg.rel_off = *cur_off;
		*cur_off += seg.filesz;
		return add_seg(p, &seg, err);
	}
	if (frac_head != ps) {
		/* The first, partial page is always copied. */
		memsz = filesz = frac_head;
		pfn_start++;
	}
	if (frac_tail)
		pfn_end++;
	for (pfn = pfn_start; pfn < pfn_end;) {
		pfn_t d = next_dumpable(bm2, pfn, pfn_end), e;

		/* Excluded pages [pfn, d) count in p_memsz either way (the last page may be partial). */
		if (d > pfn) {
			num_excluded += d - pfn;
			memsz += (d - pfn) * ps;
			if (d == pfn_end && frac_tail)
				memsz -= ps - frac_tail;
		}
		if (d == pfn_end)
			break;
		/* The first dumpable page after them decides their fate. */
		if (num_excluded && num_excluded < PFN_EXCLUDED && run_has_data(src, d - num_excluded, d)) {
			filesz += ps * num_excluded;
			num_excluded = 0;
		} else if (num_excluded) {
			p->excluded += num_excluded;
			seg.memsz = memsz;
			seg.filesz = filesz;
			seg.rel_off = *cur_off;
			seg.zero_off = filesz == 0;
			st = add_seg(p, &seg, err);
			if (st)
				return st;
			*cur_off += filesz;
			seg.paddr += memsz;
			seg.vaddr += memsz;
			seg.zero_off = false;
			num_excluded = 0;
			memsz = filesz = 0;
		}
		/* The dumpable run [d, e). */
		e = next_excluded(bm2, d, pfn_end);
		memsz += (e - d) * ps;
		filesz += (e - d) * ps;
		if (e == pfn_end && frac_tail) {
			memsz -= ps - frac_tail;
			filesz -= ps - frac_tail;
		}
		pfn = e;
	}
	/* Excluded pages at the end of the input PT_LOAD are dropped whatever their number. */
	p->excluded += num_excluded;
	seg.memsz = memsz;
	seg.filesz = filesz;
	seg.rel_off = *cur_off;
	seg.zero_off = false; /* makedumpfile keeps the running offset on an input's last segment */
	*cur_off += filesz;
	return add_seg(p, &seg, err);
}

void cs_elf_plan_destroy(struct cs_elf_plan *plan)
{
	if (!plan)
		return;
	free(plan->segs);
	cs_bitmap_deinit(&plan->pages);
	free(plan);
}

cs_status cs_elf_plan_create(const struct cs_source *src, const struct cs_bitmap *bitmap2,
			     struct cs_elf_plan **ret, struct cs_err *err)
{
	struct cs_elf_plan *p = calloc(1, sizeof(*p));
	struct in_load *loads = NULL;
	size_t nloads = 0;
	uint64_t off = 0;
	pfn_t npfn = bitmap2->nbits;
	cs_status st;

	if (!p)
		return cs_err_set(err, CS_ERR_NOMEM, "cannot plan the ELF output");
	p->page_size = src->page_size;
	if (src->kind == CS_SRC_ELF)
		st = read_elf_headers(src, p, &loads, &nloads, err);
	else
		st = make_kdump_headers(src, p, &loads, &nloads, err);
	for (size_t i = 0; !st && i < nloads; i++)
		st = plan_load(p, src, bitmap2, &loads[i], &off, err);
	free(loads);
	if (st)
		goto fail;
	/* The pages whose bytes the file holds. */
	for (size_t i = 0; i < p->nsegs; i++) {
		const struct plan_seg *s = &p->segs[i];
		if (s->filesz)
			npfn = CS_MAX(npfn, CS_DIV_ROUND_UP(s->paddr + s->filesz, p->page_size));
		p->data_bytes += s->filesz;
	}
	st = cs_bitmap_init(&p->pages, npfn, err);
	if (st)
		goto fail;
	for (size_t i = 0; i < p->nsegs; i++) {
		const struct plan_seg *s = &p->segs[i];
		if (s->filesz)
			cs_bitmap_set_range(&p->pages, s->paddr / p->page_size,
					    CS_DIV_ROUND_UP(s->paddr + s->filesz, p->page_size));
	}
	p->data_pages = cs_bitmap_count(&p->pages, 0, npfn);
	*ret = p;
	return CS_OK;
fail:
	cs_elf_plan_destroy(p);
	return st;
}

void cs_elf_plan_get_info(const struct cs_elf_plan *plan, struct cs_elf_plan_info *info)
{
	info->elf64 = plan->elf64;
	info->nr_loads = plan->nsegs;
	info->excluded = plan->excluded;
	info->data_pages = plan->data_pages;
	info->data_bytes = plan->data_bytes;
}

const struct cs_bitmap *cs_elf_plan_pages(const struct cs_elf_plan *plan)
{
	return &plan->pages;
}

/* ---- the writer ---- */

struct out_seg {
	GElf_Phdr ph;
	uint64_t written; /* bytes of [p_offset, p_offset + p_filesz) known to be in the file */
};

struct elf_writer {
	struct cs_writer base;
	struct cs_sink *sink;
	const struct cs_elf_plan *plan;
	uint32_t ps;
	bool elf64;
	size_t ehdr_size, phdr_size, nphdr;
	foff_t off_note, off_load;
	GElf_Ehdr eh;
	GElf_Word final_e_flags; /* e_flags once finished (the input's); until then | DUMP_ELF_INCOMPLETE */
	GElf_Phdr note;
	struct out_seg *segs;  /* plan order = file order */
	size_t nsegs;
	size_t *by_paddr;      /* indices of segments with data, by p_paddr */
	size_t ndata, next;    /* next not yet activated in by_paddr */
	size_t *active;        /* segments receiving data now */
	size_t nactive;
	size_t *by_off;        /* indices of segments with data, by p_offset (= plan order) */
	uint8_t *buf;
	size_t used;
	foff_t buf_off;
	bool begun, finished;
};

static cs_status ew_create(struct cs_sink *sink, struct cs_writer **ret, struct cs_err *err)
{
	struct elf_writer *w = calloc(1, sizeof(*w));

	if (!w || !(w->buf = malloc(DATA_BUF_BYTES))) {
		free(w);
		return cs_err_set(err, CS_ERR_NOMEM, "cannot allocate the ELF write buffer");
	}
	w->base.ops = &cs_elf_writer;
	w->sink = sink;
	*ret = &w->base;
	return CS_OK;
}

static void ew_destroy(struct cs_writer *base)
{
	struct elf_writer *w = (struct elf_writer *)base;

	if (!w)
		return;
	free(w->segs);
	free(w->by_paddr);
	free(w->active);
	free(w->by_off);
	free(w->buf);
	free(w);
}

static int by_paddr_cmp(const void *a, const void *b, void *arg)
{
	const struct out_seg *s = arg;
	const struct out_seg *x = &s[*(const size_t *)a], *y = &s[*(const size_t *)b];

	if (x->ph.p_paddr != y->ph.p_paddr)
		return x->ph.p_paddr < y->ph.p_paddr ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Copy a GElf_Ehdr into the class-specific Elf32/64_Ehdr type T at buf; the fields fit (checked by the planner). */
#define PUT_EHDR(T, eh, buf)                                                                \
	do {                                                                                \
		T h_;                                                                       \
		memset(&h_, 0, sizeof(h_));                                                 \
		memcpy(h_.e_ident, (eh)->e_ident, EI_NIDENT);                               \
		h_.e_type = (eh)->e_type;                                                   \
		h_.e_machine = (eh)->e_machine;                                             \
		h_.e_version = (eh)->e_version;                                             \
		h_.e_entry = (eh)->e_entry;                                                 \
		h_.e_phoff = (eh)->e_phoff;                                                 \
		h_.e_shoff = (eh)->e_shoff;                                                 \
		h_.e_flags = (eh)->e_flags;                                                 \
		h_.e_ehsize = (eh)->e_ehsize;                                               \
		h_.e_phentsize = (eh)->e_phentsize;                                         \
		h_.e_phnum = (eh)->e_phnum;                                                 \
		h_.e_shentsize = (eh)->e_shentsize;                                         \
		h_.e_shnum = (eh)->e_shnum;                                                 \
		h_.e_shstrndx = (eh)->e_shstrndx;                                           \
		memcpy((buf), &h_, sizeof(h_));                                             \
	} while (0)

/* Serialise the ELF header into buf (class of the plan). */
static size_t put_ehdr(const struct elf_writer *w, const GElf_Ehdr *eh, uint8_t *buf)
{
	if (w->elf64) {
		PUT_EHDR(Elf64_Ehdr, eh, buf);
		return sizeof(Elf64_Ehdr);
	}
	PUT_EHDR(Elf32_Ehdr, eh, buf);
	return sizeof(Elf32_Ehdr);
}

static size_t put_phdr(const struct elf_writer *w, const GElf_Phdr *ph, uint8_t *buf)
{
	if (w->elf64) {
		Elf64_Phdr p = {ph->p_type,  ph->p_flags,  ph->p_offset, ph->p_vaddr,
				ph->p_paddr, ph->p_filesz, ph->p_memsz,  ph->p_align};
		memcpy(buf, &p, sizeof(p));
		return sizeof(p);
	} else {
		Elf32_Phdr p = {ph->p_type,
				(Elf32_Off)ph->p_offset,
				(Elf32_Addr)ph->p_vaddr,
				(Elf32_Addr)ph->p_paddr,
				(Elf32_Word)ph->p_filesz,
				(Elf32_Word)ph->p_memsz,
				ph->p_flags,
				(Elf32_Word)ph->p_align};
		memcpy(buf, &p, sizeof(p));
		return sizeof(p);
	}
}

/* Write the ELF header and the whole program header table. */
static cs_status write_headers(struct elf_writer *w, struct cs_err *err)
{
	size_t len = w->ehdr_size + w->nphdr * w->phdr_size;
	uint8_t *buf = malloc(len);
	size_t pos;
	cs_status st;

	if (!buf)
		return cs_err_set(err, CS_ERR_NOMEM, "cannot build %zu program headers", w->nphdr);
	pos = put_ehdr(w, &w->eh, buf);
	pos += put_phdr(w, &w->note, buf + pos);
	for (size_t i = 0; i < w->nsegs; i++)
		pos += put_phdr(w, &w->segs[i].ph, buf + pos);
	st = cs_sink_pwrite(w->sink, buf, len, 0, err);
	free(buf);
	return st;
}

static cs_status ew_begin(struct cs_writer *base, const struct cs_write_layout *lay,
			  struct cs_err *err)
{
	struct elf_writer *w = (struct elf_writer *)base;
	const struct cs_elf_plan *p = lay->writer_arg;
	const struct cs_dump_header_info *h = lay->hdr;
	uint64_t note_filesz, ei_note = 0;
	foff_t off_shdr = 0;
	bool xnum;
	cs_status st;

	if (!p)
		return cs_err_set(err, CS_ERR_ARGS, "the ELF writer needs its segment plan");
	w->plan = p;
	w->ps = h->page_size;
	w->elf64 = p->elf64;
	w->ehdr_size = w->elf64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	w->phdr_size = w->elf64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	w->nsegs = p->nsegs;
	w->nphdr = 1 + p->nsegs;
	xnum = w->nphdr >= PN_XNUM;
	if (xnum && !w->elf64)
		return cs_err_set(err, CS_ERR_NOTSUP, "%zu program headers do not fit in ELF32",
				  w->nphdr);
	w->off_note = (foff_t)(w->ehdr_size + w->nphdr * w->phdr_size);
	if (xnum) {
		/* Extended numbering: the real count is in section 0's sh_info (elf(5)). */
		off_shdr = w->off_note;
		w->off_note += (foff_t)sizeof(Elf64_Shdr);
	}
	note_filesz = h->notes_size;
	if (h->eraseinfo_size) {
		ei_note = cs_note_size(ERASEINFO_NAME_BYTES, h->eraseinfo_size);
		note_filesz = CS_ALIGN_UP(note_filesz, 4) + ei_note;
	}
	w->off_load = w->off_note + (foff_t)note_filesz;

	/* ELF header: the input's identity, our layout. */
	w->eh = p->ehdr;
	w->eh.e_phoff = w->ehdr_size;
	w->eh.e_ehsize = (GElf_Half)w->ehdr_size;
	w->eh.e_phentsize = (GElf_Half)w->phdr_size;
	w->eh.e_phnum = (GElf_Half)(xnum ? PN_XNUM : w->nphdr);
	/*
	 * Until finish() rewrites it, the header says "incomplete" (as the kdump
	 * writer's status): a dump cut by SIGKILL, the OOM killer or a power cut
	 * never reads as finished. A stream cannot be rewritten: its missing end
	 * tells instead.
	 */
	w->final_e_flags = w->eh.e_flags;
	if (w->sink->can_rewrite)
		w->eh.e_flags |= DUMP_ELF_INCOMPLETE;
	if (xnum) {
		w->eh.e_shoff = (uint64_t)off_shdr;
		w->eh.e_shentsize = sizeof(Elf64_Shdr);
		w->eh.e_shnum = 1;
		w->eh.e_shstrndx = SHN_UNDEF;
	} else if (p->ehdr.e_shnum || p->ehdr.e_shoff) {
		/* The input's sections are not copied (QEMU writes some). */
		w->eh.e_shoff = 0;
		w->eh.e_shnum = 0;
		w->eh.e_shstrndx = SHN_UNDEF;
		w->eh.e_shentsize = 0;
	}
	/* PT_NOTE first: the input's, pointing at our copy of the notes. */
	memset(&w->note, 0, sizeof(w->note));
	if (p->have_note)
		w->note = p->note;
	w->note.p_type = PT_NOTE;
	w->note.p_offset = (uint64_t)w->off_note;
	w->note.p_filesz = note_filesz;
	if (!p->have_note || p->nr_notes > 1)
		w->note.p_memsz = h->notes_size; /* several input notes are merged into one */

	w->segs = calloc(w->nsegs ? w->nsegs : 1, sizeof(*w->segs));
	w->by_paddr = calloc(w->nsegs ? w->nsegs : 1, sizeof(size_t));
	w->active = calloc(w->nsegs ? w->nsegs : 1, sizeof(size_t));
	w->by_off = calloc(w->nsegs ? w->nsegs : 1, sizeof(size_t));
	if (!w->segs || !w->by_paddr || !w->active || !w->by_off)
		return cs_err_set(err, CS_ERR_NOMEM, "cannot hold %zu program headers", w->nsegs);
	for (size_t i = 0; i < w->nsegs; i++) {
		const struct plan_seg *s = &p->segs[i];
		GElf_Phdr *ph = &w->segs[i].ph;

		ph->p_type = PT_LOAD;
		ph->p_flags = s->flags;
		ph->p_offset = s->zero_off ? 0 : (uint64_t)w->off_load + s->rel_off;
		ph->p_vaddr = s->vaddr;
		ph->p_paddr = s->paddr;
		ph->p_filesz = s->filesz;
		ph->p_memsz = s->memsz;
		ph->p_align = s->align;
		if (!w->elf64 && (ph->p_offset + ph->p_filesz > UINT32_MAX ||
				  ph->p_paddr + ph->p_memsz > (uint64_t)UINT32_MAX + 1))
			return cs_err_set(err, CS_ERR_NOTSUP,
					  "segment at paddr 0x%" PRIx64 " does not fit in ELF32",
					  ph->p_paddr);
		if (s->filesz) {
			w->by_paddr[w->ndata] = i;
			w->by_off[w->ndata] = i;
			w->ndata++;
		}
	}
	qsort_r(w->by_paddr, w->ndata, sizeof(size_t), by_paddr_cmp, w->segs);

	st = write_headers(w, err);
	if (!st && xnum) {
		Elf64_Shdr sh;
		memset(&sh, 0, sizeof(sh));
		sh.sh_type = SHT_NULL;
		sh.sh_size = w->eh.e_shnum;
		sh.sh_link = w->eh.e_shstrndx;
		sh.sh_info = (Elf64_Word)w->nphdr;
		st = cs_sink_pwrite(w->sink, &sh, sizeof(sh), off_shdr, err);
	}
	if (!st && h->notes_size)
		st = cs_sink_pwrite(w->sink, h->notes, h->notes_size, w->off_note, err);
	if (!st && ei_note) {
		uint8_t *n = calloc(1, ei_note);
		if (!n)
			return cs_err_set(err, CS_ERR_NOMEM, "cannot build the ERASEINFO note");
		cs_note_write(n, CS_NOTE_NAME_ERASEINFO, 0, h->eraseinfo, h->eraseinfo_size);
		st = cs_sink_pwrite(w->sink, n, ei_note,
				    w->off_note + (foff_t)CS_ALIGN_UP(h->notes_size, 4), err);
		free(n);
	}
	if (st)
		return cs_err_ctx(err, "cannot write the ELF headers");
	w->begun = true;
	return CS_OK;
}

/* Record that file bytes [o, end) are in the file (every segment's data is written as a prefix). */
static void mark_written(struct elf_writer *w, foff_t o, foff_t end)
{
	size_t lo = 0, hi = w->ndata;

	/* First data segment ending after o. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const GElf_Phdr *ph = &w->segs[w->by_off[mid]].ph;
		if ((foff_t)(ph->p_offset + ph->p_filesz) <= o)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < w->ndata; lo++) {
		struct out_seg *s = &w->segs[w->by_off[lo]];
		foff_t so = (foff_t)s->ph.p_offset, se = so + (foff_t)s->ph.p_filesz;
		if (so >= end)
			break;
		if (CS_MIN(end, se) - so > (foff_t)s->written)
			s->written = (uint64_t)(CS_MIN(end, se) - so);
	}
}

static cs_status flush_buf(struct elf_writer *w, struct cs_err *err)
{
	cs_status st;

	if (!w->used)
		return CS_OK;
	st = cs_sink_pwrite(w->sink, w->buf, w->used, w->buf_off, err);
	if (st) {
		if (w->sink->fail_end > w->buf_off)
			mark_written(w, w->buf_off, w->sink->fail_end);
		w->used = 0;
		return st;
	}
	mark_written(w, w->buf_off, w->buf_off + (foff_t)w->used);
	w->used = 0;
	return CS_OK;
}

/* Put len bytes at file offset off: appended to the buffer when they follow it. */
static cs_status emit(struct elf_writer *w, const uint8_t *data, size_t len, foff_t off,
		      struct cs_err *err)
{
	cs_status st;

	if (w->used && (off != w->buf_off + (foff_t)w->used || w->used + len > DATA_BUF_BYTES)) {
		st = flush_buf(w, err);
		if (st)
			return st;
	}
	if (!w->used && len >= DATA_BUF_BYTES / 4) {
		st = cs_sink_pwrite(w->sink, data, len, off, err);
		if (st) {
			if (w->sink->fail_end > off)
				mark_written(w, off, w->sink->fail_end);
			return st;
		}
		mark_written(w, off, off + (foff_t)len);
		return CS_OK;
	}
	if (!w->used)
		w->buf_off = off;
	memcpy(w->buf + w->used, data, len);
	w->used += len;
	return CS_OK;
}

/* Physical bytes [a, a + len) arrived: copy them into every segment that holds them. */
static cs_status put_bytes(struct elf_writer *w, uint64_t a, const uint8_t *data, uint64_t len,
			   struct cs_err *err)
{
	uint64_t b = a + len;
	size_t k = 0;
	cs_status st;

	while (w->next < w->ndata && w->segs[w->by_paddr[w->next]].ph.p_paddr < b)
		w->active[w->nactive++] = w->by_paddr[w->next++];
	for (size_t i = 0; i < w->nactive; i++) {
		struct out_seg *s = &w->segs[w->active[i]];
		uint64_t sa = s->ph.p_paddr, sb = sa + s->ph.p_filesz;
		uint64_t lo = CS_MAX(a, sa), hi = CS_MIN(b, sb);

		if (lo < hi) {
			st = emit(w, data + (lo - a), (size_t)(hi - lo),
				  (foff_t)(s->ph.p_offset + (lo - sa)), err);
			if (st)
				return st;
		}
		/* Keep the segments that still expect bytes beyond this run. */
		if (sb > b)
			w->active[k++] = w->active[i];
	}
	w->nactive = k;
	return CS_OK;
}

static cs_status ew_put_batch(struct cs_writer *base, const struct cs_batch *b, struct cs_err *err)
{
	struct elf_writer *w = (struct elf_writer *)base;
	const uint8_t *data = b->data;
	size_t k = 0;
	cs_status st;

	for (size_t r = 0; r < b->nruns; r++) {
		size_t n = b->runs[r].n;

		for (size_t i = 0; i < n; i++)
			if (b->sizes[k + i] != w->ps)
				return cs_err_set(err, CS_ERR_ARGS,
						  "the ELF writer takes raw pages only (pfn 0x%" PRIxPFN ")",
						  b->runs[r].pfn + i);
		st = put_bytes(w, b->runs[r].pfn * (uint64_t)w->ps, data, (uint64_t)n * w->ps, err);
		if (st)
			return cs_err_ctx(err, "cannot write the page data");
		data += (size_t)n * w->ps;
		k += n;
	}
	return CS_OK;
}

static cs_status ew_finish(struct cs_writer *base, struct cs_err *err)
{
	struct elf_writer *w = (struct elf_writer *)base;
	cs_status st = flush_buf(w, err);

	if (st)
		return cs_err_ctx(err, "cannot write the page data");
	for (size_t i = 0; i < w->ndata; i++) {
		const struct out_seg *s = &w->segs[w->by_off[i]];
		if (s->written != s->ph.p_filesz)
			return cs_err_set(err, CS_ERR_ARGS,
					  "segment at paddr 0x%" PRIx64 ": %" PRIu64 " of %" PRIu64
					  " bytes written", s->ph.p_paddr, s->written, s->ph.p_filesz);
	}
	if (w->base.mark_incomplete)
		w->final_e_flags |= DUMP_ELF_INCOMPLETE;
	/*
	 * Every byte is written: only now may the header say so. A stream takes
	 * the incomplete flag as one more record over the header (later records
	 * win, as the kdump writer's status).
	 */
	if (w->sink->can_rewrite ? w->eh.e_flags != w->final_e_flags
				 : (w->final_e_flags & ~w->eh.e_flags) != 0) {
		uint8_t eh[sizeof(Elf64_Ehdr)];
		size_t len;

		w->eh.e_flags = w->final_e_flags;
		len = put_ehdr(w, &w->eh, eh);
		/* A mark cleared only once the bytes it covered are on disk. */
		st = w->final_e_flags & DUMP_ELF_INCOMPLETE ? CS_OK : cs_sink_barrier(w->sink, err);
		if (!st)
			st = cs_sink_pwrite(w->sink, eh, len, 0, err);
		if (st)
			return cs_err_ctx(err, "cannot write the final ELF header");
		if (w->sink->can_rewrite)
			w->sink->bytes_written -= len; /* a rewrite, not more output */
	}
	st = cs_sink_finish(w->sink, err);
	if (st)
		return st;
	w->finished = true;
	return CS_OK;
}

static void ew_abort(struct cs_writer *base)
{
	struct elf_writer *w = (struct elf_writer *)base;
	uint64_t saved = 0;
	struct cs_err err;

	if (!w->begun || w->finished)
		return;
	(void)flush_buf(w, &err);
	if (w->sink->can_rewrite) {
		/* Every p_filesz shrinks to the bytes that reached the file; the rest reads as not dumped. */
		for (size_t i = 0; i < w->nsegs; i++) {
			GElf_Phdr *ph = &w->segs[i].ph;
			if (w->segs[i].written < ph->p_filesz) {
				ph->p_filesz = w->segs[i].written;
				if (!ph->p_filesz)
					ph->p_offset = 0;
			}
			saved += ph->p_filesz / w->ps;
		}
		w->eh.e_flags |= DUMP_ELF_INCOMPLETE;
		/* These bytes were written by begin: rewriting them needs no new space. */
		if (write_headers(w, &err) == CS_OK) {
			w->base.incomplete = true;
			w->base.saved_pages = saved;
		}
	}
	/*
	 * A stream (-F) gets no end marker: a flattened dump cannot carry the
	 * incomplete flag, so its missing end is what tells readers it was cut.
	 */
	if (w->sink->can_rewrite)
		(void)cs_sink_finish(w->sink, &err);
}

const struct cs_writer_ops cs_elf_writer = {
	.name = "ELF",
	.create = ew_create,
	.begin = ew_begin,
	.put_batch = ew_put_batch,
	.finish = ew_finish,
	.abort = ew_abort,
	.destroy = ew_destroy,
};

/* ---- the zero pre-pass ---- */

struct zero_writer {
	struct cs_writer base;
	struct cs_bitmap *bm;
};

static cs_status zw_create(struct cs_sink *sink, struct cs_writer **ret, struct cs_err *err)
{
	struct zero_writer *w = calloc(1, sizeof(*w));

	(void)sink;
	if (!w)
		return cs_err_set(err, CS_ERR_NOMEM, "out of memory");
	w->base.ops = &cs_zero_scan_writer;
	*ret = &w->base;
	return CS_OK;
}

static cs_status zw_begin(struct cs_writer *base, const struct cs_write_layout *lay,
			  struct cs_err *err)
{
	struct zero_writer *w = (struct zero_writer *)base;

	w->bm = lay->writer_arg;
	if (!w->bm || w->bm != lay->bitmap2 || !lay->exclude_zero)
		return cs_err_set(err, CS_ERR_ARGS,
				  "the zero pre-pass needs writer_arg = bitmap2 and exclude_zero");
	return CS_OK;
}

static cs_status zw_put_batch(struct cs_writer *base, const struct cs_batch *b, struct cs_err *err)
{
	struct zero_writer *w = (struct zero_writer *)base;
	size_t k = 0;

	(void)err;
	for (size_t r = 0; r < b->nruns; r++)
		for (uint32_t i = 0; i < b->runs[r].n; i++, k++)
			if (!b->sizes[k])
				cs_bitmap_clear(w->bm, b->runs[r].pfn + i);
	return CS_OK;
}

static cs_status zw_finish(struct cs_writer *base, struct cs_err *err)
{
	(void)base, (void)err;
	return CS_OK;
}

static void zw_abort(struct cs_writer *base)
{
	(void)base;
}

static void zw_destroy(struct cs_writer *base)
{
	free(base);
}

const struct cs_writer_ops cs_zero_scan_writer = {
	.name = "zero pre-pass",
	.create = zw_create,
	.begin = zw_begin,
	.put_batch = zw_put_batch,
	.finish = zw_finish,
	.abort = zw_abort,
	.destroy = zw_destroy,
};

/* A finished file cut afterwards (-R): the e_flags bit finish() would have set. */
cs_status cs_elf_mark_incomplete(const char *path, struct cs_err *err)
{
	Elf64_Ehdr eh;
	int fd = open(path, O_RDWR | O_CLOEXEC);
	cs_status st = CS_OK;

	if (fd < 0)
		return cs_err_sys(err, errno, "cannot open '%s'", path);
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64) {
		st = cs_err_set(err, CS_ERR_FORMAT, "cannot read the ELF64 header of '%s'", path);
	} else {
		eh.e_flags |= DUMP_ELF_INCOMPLETE;
		if (pwrite(fd, &eh.e_flags, sizeof(eh.e_flags), offsetof(Elf64_Ehdr, e_flags)) !=
		    (ssize_t)sizeof(eh.e_flags))
			st = cs_err_sys(err, errno, "cannot mark '%s' incomplete", path);
	}
	close(fd);
	return st;
}
