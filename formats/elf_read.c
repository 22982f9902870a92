/* formats/elf_read.c: the ELF dump reader (/proc/vmcore, QEMU dump-guest-memory, makedumpfile -E output). */
#include "formats/source.h"
#include "core/range.h"
#include "core/arch/arch.h"
#include "formats/infile.h"
#include "formats/notes.h"
#include "formats/elf_write.h"
#include "formats/proc_windows.h"
#include "formats/vmcoreinfo.h"

#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* No machine has physical addresses at or above this; larger p_paddr + p_memsz is corrupt. */
#define PADDR_LIMIT (1ULL << 56)

/* File-backed physical bytes [pa, pa + len) live at file offset foff. Sorted, disjoint. */
struct elf_extent {
	paddr_t pa;
	uint64_t len;
	uint64_t foff;
};

struct elf_seg {
	paddr_t pa;
	uint64_t memsz, filesz, foff;
	uint64_t cut; /* bytes of p_filesz past the end of the file (a cut copy) */
	vaddr_t vaddr;
};

struct elf_priv {
	struct cs_infile in;
	struct elf_extent *ext;
	size_t next;
	unsigned shift;
	size_t host_page;
	bool proc_windows; /* /proc/vmcore: copy through cached mmap windows (not --non-mmap) */
	struct cs_proc_windows pw;
};

static cs_status elf_probe(const uint8_t *head, size_t len)
{
	return len >= SELFMAG && memcmp(head, ELFMAG, SELFMAG) == 0 ? CS_OK : CS_NOPROBE;
}

static int seg_cmp(const void *a, const void *b)
{
	const struct elf_seg *x = a, *y = b;

	if (x->pa != y->pa)
		return x->pa < y->pa ? -1 : 1;
	return x->foff < y->foff ? -1 : x->foff > y->foff;
}

/* File-backed bytes of all PT_LOADs as disjoint extents (the first by paddr wins an overlap). */
static cs_status build_extents(struct elf_priv *p, const struct elf_seg *segs, size_t n,
			       struct cs_err *err)
{
	paddr_t covered = 0;
	bool any = false;

	p->ext = calloc(n ? n : 1, sizeof(*p->ext));
	if (!p->ext)
		return cs_err_set(err, CS_ERR_NOMEM, "'%s': cannot map %zu segments", p->in.path, n);
	for (size_t i = 0; i < n; i++) {
		paddr_t pa = segs[i].pa, end = segs[i].pa + segs[i].filesz;
		uint64_t foff = segs[i].foff;

		if (!segs[i].filesz)
			continue;
		if (any && end <= covered)
			continue;
		if (any && pa < covered) {
			foff += covered - pa;
			pa = covered;
		}
		if (p->next) {
			struct elf_extent *last = &p->ext[p->next - 1];
			if (last->pa + last->len == pa && last->foff + last->len == foff) {
				last->len += end - pa;
				covered = end;
				continue;
			}
		}
		p->ext[p->next++] = (struct elf_extent){pa, end - pa, foff};
		covered = end;
		any = true;
	}
	return CS_OK;
}

struct pfn_event {
	pfn_t pfn;
	int dpresent, ddata;
};

static int ev_cmp(const void *a, const void *b)
{
	const struct pfn_event *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

static int pfn_cmp(const void *a, const void *b)
{
	const pfn_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

static int range_start_cmp(const void *a, const void *b)
{
	const struct cs_pfn_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Sort intervals [start, end) and unite the overlapping ones: returns the new count. */
static size_t unite(struct cs_pfn_range *iv, size_t n)
{
	size_t m = 0;

	if (!n)
		return 0;
	qsort(iv, n, sizeof(*iv), range_start_cmp);
	for (size_t i = 1; i < n; i++) {
		if (iv[i].start <= iv[m].end)
			iv[m].end = CS_MAX(iv[m].end, iv[i].end);
		else
			iv[++m] = iv[i];
	}
	return m + 1;
}

/*
 * The partial pages of segments that no segment covers otherwise; sorted,
 * without duplicates, O(n log n) (e_phnum may be huge: PN_XNUM).
 *  - last = false: partial FIRST pages whose first byte lies in no segment.
 *    makedumpfile's is_in_segs() never lets it read their struct page, so
 *    the scan keeps them unclassified (src->unconsulted).
 *  - last = true: partial LAST pages present only because segment ends are
 *    rounded up (makedumpfile's bitmap-file mode); its cyclic mode, and so its
 *    --split, floors the ends and leaves them out (src->rounded_up).
 * *ret is NULL when there are none.
 */
static cs_status partial_pages(const struct elf_seg *segs, size_t n, unsigned shift, bool last,
			       pfn_t **ret, size_t *nret)
{
	const uint64_t mask = (1ULL << shift) - 1;
	/* last: pfn intervals with floored ends; first: byte intervals */
	struct cs_pfn_range *iv = calloc(n + 1, sizeof(*iv));
	pfn_t *cand = calloc(n + 1, sizeof(*cand));
	size_t niv = 0, nc = 0, out = 0, j = 0;

	*ret = NULL;
	*nret = 0;
	if (!iv || !cand) {
		free(iv);
		free(cand);
		return CS_ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t end = segs[i].pa + segs[i].memsz;
		pfn_t first = segs[i].pa >> shift, floor_end = end >> shift;

		if (last) {
			if (floor_end > first)
				iv[niv++] = (struct cs_pfn_range){first, floor_end, floor_end};
			if ((end & mask) && floor_end >= first)
				cand[nc++] = floor_end;
		} else if (segs[i].memsz) {
			iv[niv++] = (struct cs_pfn_range){segs[i].pa, end, end};
			if (segs[i].pa & mask)
				cand[nc++] = first;
		}
	}
	niv = unite(iv, niv);
	qsort(cand, nc, sizeof(*cand), pfn_cmp);
	for (size_t i = 0; i < nc; i++) {
		uint64_t at = last ? cand[i] : (uint64_t)cand[i] << shift;

		if (out && cand[out - 1] == cand[i])
			continue;
		while (j < niv && iv[j].end <= at)
			j++;
		if (!(j < niv && iv[j].start <= at))
			cand[out++] = cand[i];
	}
	free(iv);
	if (out) {
		*ret = cand;
		*nret = out;
	} else {
		free(cand);
	}
	return CS_OK;
}

/*
 * Present pfns and pfns with data, bit for bit as makedumpfile 1.7.2 makes its
 * bitmaps. A PT_LOAD makes pfns from floor(p_paddr) present (a partial first
 * page is present) and has data below floor(p_paddr + p_filesz). A partial
 * LAST page depends on makedumpfile's bitmap mode: its cyclic buffer code
 * (create_bitmap_from_memhole) floors the end, its bitmap-file code
 * (create_1st_bitmap_file) rounds it up. 1.7.2 takes the file when
 * min(4 MiB, 2 * max_mapnr / 8) * 8 >= 2 * max_mapnr, i.e. when max_mapnr is
 * a multiple of 4 and at most 16 Mi pfns (seen on a real capture: max_mapnr
 * 0x3ffdf, [0x1000, 0x9fc00) gives no pfn 0x9f; and on synthetic cores).
 * Overlapping segments are united; data in any of them wins.
 */
static cs_status build_ranges(struct cs_source *src, const struct elf_seg *segs, size_t n,
			      unsigned shift, struct cs_err *err)
{
	struct pfn_event *ev = calloc(4 * n + 1, sizeof(*ev));
	struct cs_pfn_range *r = calloc(2 * n + 1, sizeof(*r));
	size_t nev = 0, nr = 0;
	int present = 0, data = 0;
	bool open = false;

	if (!ev || !r) {
		free(ev);
		free(r);
		return cs_err_set(err, CS_ERR_NOMEM, "'%s': cannot map %zu segments", src->path, n);
	}
	uint64_t max_mapnr = 0;
	bool round_up_end;

	for (size_t i = 0; i < n; i++)
		max_mapnr = CS_MAX(max_mapnr, (segs[i].pa + segs[i].memsz + (1ULL << shift) - 1) >> shift);
	round_up_end = max_mapnr % 4 == 0 && max_mapnr <= (16ULL << 20);
	if ((round_up_end &&
	     partial_pages(segs, n, shift, true, &src->rounded_up, &src->nr_rounded_up) != CS_OK) ||
	    partial_pages(segs, n, shift, false, &src->unconsulted_owned, &src->nr_unconsulted) != CS_OK) {
		free(ev);
		free(r);
		return cs_err_set(err, CS_ERR_NOMEM, "'%s': cannot map %zu segments", src->path, n);
	}
	src->unconsulted = src->unconsulted_owned;
	for (size_t i = 0; i < n; i++) {
		pfn_t start = segs[i].pa >> shift;
		pfn_t end = (segs[i].pa + segs[i].memsz + (round_up_end ? (1ULL << shift) - 1 : 0)) >> shift;
		pfn_t dend = (segs[i].pa + segs[i].filesz) >> shift;

		if (end <= start)
			continue;
		dend = CS_MAX(start, CS_MIN(dend, end));
		ev[nev++] = (struct pfn_event){start, 1, 0};
		ev[nev++] = (struct pfn_event){end, -1, 0};
		if (dend > start) {
			ev[nev++] = (struct pfn_event){start, 0, 1};
			ev[nev++] = (struct pfn_event){dend, 0, -1};
		}
	}
	qsort(ev, nev, sizeof(*ev), ev_cmp);
	for (size_t i = 0; i < nev;) {
		pfn_t at = ev[i].pfn, next;

		while (i < nev && ev[i].pfn == at) {
			present += ev[i].dpresent;
			data += ev[i].ddata;
			i++;
		}
		if (i == nev)
			break;
		next = ev[i].pfn;
		if (!present) {
			open = false;
			continue;
		}
		struct cs_pfn_range *cur = open ? &r[nr - 1] : NULL;
		if (cur && cur->end != at)
			cur = NULL;
		if (data) {
			if (cur && cur->data_end == cur->end)
				cur->end = cur->data_end = next;
			else
				r[nr++] = (struct cs_pfn_range){at, next, next};
		} else {
			if (cur)
				cur->end = next;
			else
				r[nr++] = (struct cs_pfn_range){at, next, at};
		}
		open = true;
	}
	free(ev);
	src->ranges = r;
	src->nr_ranges = nr;
	/* max_mapnr covers a partial last page even when the bitmap leaves it out. */
	src->max_pfn = CS_MAX(nr ? r[nr - 1].end : 0, max_mapnr);
	return CS_OK;
}

static cs_status read_notes(struct cs_source *src, struct elf_priv *p, Elf *e, size_t phnum,
			    struct cs_err *err)
{
	uint64_t total = 0;
	GElf_Phdr ph;

	for (size_t i = 0; i < phnum; i++) {
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_NOTE)
			continue;
		if (ph.p_offset > p->in.file_size || ph.p_filesz > p->in.file_size - ph.p_offset)
			return cs_err_set(err, CS_ERR_CORRUPT,
					  "'%s': PT_NOTE at offset 0x%" PRIx64 " size 0x%" PRIx64
					  " extends past the end of the file (0x%" PRIx64 ")",
					  src->path, (uint64_t)ph.p_offset, (uint64_t)ph.p_filesz,
					  p->in.file_size);
		total += ph.p_filesz;
	}
	if (total > p->in.file_size)
		return cs_err_set(err, CS_ERR_CORRUPT, "'%s': PT_NOTE segments larger than the file",
				  src->path);
	if (!total)
		return CS_OK;
	src->notes = malloc((size_t)total);
	if (!src->notes)
		return cs_err_set(err, CS_ERR_NOMEM, "'%s': cannot read %" PRIu64 " bytes of notes",
				  src->path, total);
	for (size_t i = 0; i < phnum; i++) {
		struct cs_note_summary sum;
		cs_status st;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_NOTE || !ph.p_filesz)
			continue;
		st = cs_infile_pread(&p->in, src->notes + src->notes_size, ph.p_filesz, ph.p_offset, err);
		if (st)
			return cs_err_ctx(err, "cannot read PT_NOTE");
		/* Each PT_NOTE is scanned on its own: its size need not be 4-aligned. */
		cs_notes_summarize(src->notes + src->notes_size, ph.p_filesz, &sum);
		src->nr_cpus += sum.nr_cpus;
		if (sum.have_vmcoreinfo && !src->vmcoreinfo_size) {
			src->vmcoreinfo_off = src->notes_size + sum.vmcoreinfo_off;
			src->vmcoreinfo_size = sum.vmcoreinfo_size;
		}
		src->notes_size += ph.p_filesz;
	}
	return CS_OK;
}

static cs_status elf_open(struct cs_source *src, const char *const *paths, size_t nfiles,
			  struct cs_err *err)
{
	struct elf_priv *p;
	struct elf_seg *segs = NULL;
	size_t phnum = 0, nsegs = 0;
	GElf_Ehdr eh;
	const struct cs_arch_info *arch;
	GElf_Phdr ph;
	Elf *e = NULL;
	cs_status st;

	if (nfiles != 1)
		return cs_err_set(err, CS_ERR_ARGS, "'%s': an ELF dump is a single file, got %zu",
				  paths[0], nfiles);
	p = calloc(1, sizeof(*p));
	if (!p)
		return cs_err_set(err, CS_ERR_NOMEM, "cannot open '%s'", paths[0]);
	src->priv = p;
	p->in.fd = -1;
	long hp = sysconf(_SC_PAGESIZE);
	p->host_page = hp > 0 ? (size_t)hp : 4096;
	/*
	 * A regular file is read with pread, never mapped, even without
	 * --non-mmap: copying 4 KiB from the page cache costs less than faulting
	 * it in, zapping it again and the TLB shootdowns that come with the zap
	 * when workers run on other CPUs, and mapped input pages count towards
	 * the RSS (docs/performance.md). /proc/vmcore is never mapped whole; its
	 * reads go through windows below.
	 */
	st = cs_infile_open(&p->in, paths[0], false, err);
	if (st)
		return st;
	p->proc_windows = p->in.procfs && src->use_mmap;
	if (p->proc_windows)
		cs_proc_windows_init(&p->pw, p->in.fd, p->in.file_size);
	if (p->in.flattened)
		return cs_err_set(err, CS_ERR_NOTSUP,
				  "'%s' is a flattened ELF dump; reassemble it first with "
				  "`makedumpfile -R OUT < '%s'`", paths[0], paths[0]);
	if (elf_version(EV_CURRENT) == EV_NONE)
		return cs_err_set(err, CS_ERR_SYSTEM, "libelf: %s", elf_errmsg(-1));
	e = elf_begin(p->in.fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		/* libelf says "no error" for a cut header: name the size instead. */
		if (p->in.file_size < sizeof(Elf64_Ehdr))
			st = cs_err_set(err, CS_ERR_FORMAT,
					"'%s': truncated ELF header: the file ends at offset 0x%" PRIx64
					", an ELF64 header is %zu bytes", paths[0], p->in.file_size,
					sizeof(Elf64_Ehdr));
		else
			st = cs_err_set(err, CS_ERR_FORMAT, "'%s': not a readable ELF file: %s",
					paths[0], elf_errmsg(-1));
		goto out;
	}
	if (eh.e_type != ET_CORE) {
		st = cs_err_set(err, CS_ERR_FORMAT, "'%s': ELF file is not a core dump (e_type %u)",
				paths[0], (unsigned)eh.e_type);
		goto out;
	}
	/* elf_getphdrnum reads the real count from section 0's sh_info under PN_XNUM. */
	if (elf_getphdrnum(e, &phnum) != 0) {
		st = cs_err_set(err, CS_ERR_CORRUPT, "'%s': cannot read the program header count: %s",
				paths[0], elf_errmsg(-1));
		goto out;
	}
	/* elfutils quietly reports 0 program headers when they do not fit in the file. */
	if ((eh.e_phnum != PN_XNUM && phnum != eh.e_phnum) || (eh.e_phnum == PN_XNUM && phnum < PN_XNUM)) {
		st = cs_err_set(err, CS_ERR_CORRUPT,
				"'%s': the program headers (e_phnum %u at offset 0x%" PRIx64
				") are truncated or unreadable",
				paths[0], (unsigned)eh.e_phnum, (uint64_t)eh.e_phoff);
		goto out;
	}
	if (eh.e_phoff > p->in.file_size ||
	    (uint64_t)phnum * (eh.e_phentsize ? eh.e_phentsize : 1) > p->in.file_size - eh.e_phoff) {
		st = cs_err_set(err, CS_ERR_CORRUPT,
				"'%s': %zu program headers at offset 0x%" PRIx64
				" do not fit in the file (0x%" PRIx64 " bytes)",
				paths[0], phnum, (uint64_t)eh.e_phoff, p->in.file_size);
		goto out;
	}
	src->e_machine = eh.e_machine;
	arch = cs_arch_find(eh.e_machine);
	segs = calloc(phnum ? phnum : 1, sizeof(*segs));
	if (!segs) {
		st = cs_err_set(err, CS_ERR_NOMEM, "'%s': cannot read %zu program headers", paths[0], phnum);
		goto out;
	}
	for (size_t i = 0; i < phnum; i++) {
		if (!gelf_getphdr(e, (int)i, &ph)) {
			st = cs_err_set(err, CS_ERR_CORRUPT, "'%s': cannot read program header %zu: %s",
					paths[0], i, elf_errmsg(-1));
			goto out;
		}
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (ph.p_paddr >= PADDR_LIMIT || ph.p_memsz > PADDR_LIMIT - ph.p_paddr) {
			st = cs_err_set(err, CS_ERR_CORRUPT,
					"'%s': PT_LOAD %zu at paddr 0x%" PRIx64 " size 0x%" PRIx64
					" is beyond any physical address",
					paths[0], i, (uint64_t)ph.p_paddr, (uint64_t)ph.p_memsz);
			goto out;
		}
		struct elf_seg *s = &segs[nsegs++];
		s->pa = ph.p_paddr;
		s->memsz = ph.p_memsz;
		s->vaddr = ph.p_vaddr;
		s->foff = ph.p_offset;
		s->filesz = CS_MIN(ph.p_filesz, ph.p_memsz);
		/* A truncated copy: what is not in the file is not dumped, and the job says so. */
		uint64_t want = s->filesz;
		if (s->foff >= p->in.file_size)
			s->filesz = 0;
		else
			s->filesz = CS_MIN(s->filesz, p->in.file_size - s->foff);
		if (s->filesz < want) {
			s->cut = want - s->filesz;
			src->truncated_bytes += want - s->filesz;
			src->truncated_at = (foff_t)p->in.file_size;
		}
		/* The arch's map bases tell kernel-image PT_LOADs (phys_base) from direct-map ones. */
		if (arch && arch->kernel_map_base && s->vaddr) {
			if (s->vaddr >= arch->kernel_map_base) {
				if (!src->have_phys_base) {
					src->have_phys_base = true;
					src->phys_base = s->pa - (s->vaddr - arch->kernel_map_base);
				}
			} else if (s->vaddr >= arch->direct_map_min) {
				/* makedumpfile takes the last RAM PT_LOAD's. */
				src->have_page_offset = true;
				src->page_offset = s->vaddr - s->pa;
			}
		}
	}
	st = read_notes(src, p, e, phnum, err);
	if (st)
		goto out;
	if (src->vmcoreinfo_size) {
		/* Page size decides the pfn map, so take it from VMCOREINFO when there is one. */
		struct cs_kmodel *km = calloc(1, sizeof(*km));
		if (!km) {
			st = cs_err_set(err, CS_ERR_NOMEM, "'%s': cannot parse VMCOREINFO", paths[0]);
			goto out;
		}
		cs_vmcoreinfo_parse((const char *)src->notes + src->vmcoreinfo_off,
				    src->vmcoreinfo_size, km, NULL);
		if (cs_km_has(km, KM_PAGESIZE))
			src->page_size = (uint32_t)cs_km_get(km, KM_PAGESIZE);
		free(km);
	}
	p->shift = (unsigned)__builtin_ctz(src->page_size);
	/* The pages a cut copy lacks (from the one holding the first missing byte): losses. */
	for (size_t i = 0; i < nsegs; i++)
		if (segs[i].cut) {
			pfn_t from = (segs[i].pa + segs[i].filesz) >> p->shift;
			pfn_t to = (segs[i].pa + segs[i].filesz + segs[i].cut + src->page_size - 1) >> p->shift;
			cs_loss_add(&src->loss, CS_LOSS_CUT, from, to - from);
		}
	src->input_incomplete = (eh.e_flags & DUMP_ELF_INCOMPLETE) != 0;
	qsort(segs, nsegs, sizeof(*segs), seg_cmp);
	st = build_extents(p, segs, nsegs, err);
	if (!st)
		st = build_ranges(src, segs, nsegs, p->shift, err);
out:
	free(segs);
	if (e)
		elf_end(e);
	return st;
}

static void elf_close(struct cs_source *src)
{
	struct elf_priv *p = src->priv;

	if (!p)
		return;
	if (p->proc_windows)
		cs_proc_windows_deinit(&p->pw);
	cs_infile_close(&p->in);
	free(p->ext);
	free(p);
	src->priv = NULL;
}

/* Index of the last extent with pa <= paddr (or 0). */
static size_t ext_find(const struct elf_priv *p, paddr_t paddr)
{
	size_t k = CS_UPPER_BOUND(p->ext, p->next, pa, paddr);

	return k ? k - 1 : 0;
}

/* Copy file bytes [foff, foff + len): the mapping, /proc/vmcore windows, or pread. */
static cs_status file_copy(struct elf_priv *p, void *buf, size_t len, uint64_t foff,
			   struct cs_err *err)
{
	const void *m = cs_infile_ptr(&p->in, foff, len);

	if (m) {
		memcpy(buf, m, len);
		return CS_OK;
	}
	/* /proc/vmcore reads copy one page per ioremap: mapped windows are faster (makedumpfile's too). */
	if (p->proc_windows && cs_proc_windows_copy(&p->pw, buf, len, foff))
		return CS_OK;
	return cs_pread_full(p->in.fd, p->in.path, buf, len, foff, err);
}

/* Copy physical bytes; bytes no PT_LOAD backs with file data read as zeros. */
static cs_status phys_copy(struct elf_priv *p, paddr_t pa, uint8_t *buf, size_t len,
			   struct cs_err *err)
{
	size_t i = ext_find(p, pa);

	while (len) {
		const struct elf_extent *x = i < p->next ? &p->ext[i] : NULL;
		size_t n;

		if (x && pa >= x->pa + x->len) {
			i++;
			continue;
		}
		if (x && pa >= x->pa) {
			n = (size_t)CS_MIN((uint64_t)len, x->pa + x->len - pa);
			cs_status st = file_copy(p, buf, n, x->foff + (pa - x->pa), err);
			if (st)
				return cs_err_ctx(err, "paddr 0x%" PRIx64, pa);
		} else {
			n = x ? (size_t)CS_MIN((uint64_t)len, x->pa - pa) : len;
			memset(buf, 0, n);
		}
		buf += n;
		pa += n;
		len -= n;
	}
	return CS_OK;
}

static cs_status elf_read_paddr(struct cs_source *src, paddr_t paddr, void *buf, size_t len,
				struct cs_err *err)
{
	struct elf_priv *p = src->priv;
	uint8_t *out = buf;

	/*
	 * Common case (the scan's 2 MiB windows of struct pages): whole pages
	 * inside one extent's file data all have data, so one copy does it
	 * instead of one per page.
	 */
	if (p->next && !src->dumpable) {
		const struct elf_extent *x = &p->ext[ext_find(p, paddr)];
		uint64_t mask = ((uint64_t)1 << p->shift) - 1;
		paddr_t lo = paddr & ~mask, hi;

		if (paddr <= UINT64_MAX - len - mask) {
			hi = (paddr + len + mask) & ~mask;
			if (lo >= x->pa && hi <= x->pa + x->len) {
				cs_status st = file_copy(p, buf, len, x->foff + (paddr - x->pa), err);
				return st ? cs_err_ctx(err, "paddr 0x%" PRIx64, paddr) : CS_OK;
			}
		}
	}
	while (len) {
		pfn_t pfn = paddr >> p->shift;
		size_t in_page = (size_t)(((pfn + 1) << p->shift) - paddr), n = CS_MIN(len, in_page);

		if (!cs_source_has_data(src, pfn))
			return cs_err_set(err, CS_ERR_NODATA, "'%s': paddr 0x%" PRIx64 " is %s", src->path,
					  paddr, cs_source_present(src, pfn) ? "not in the dump file"
									     : "not in any memory range");
		cs_status st = phys_copy(p, paddr, out, n, err);
		if (st)
			return st;
		out += n;
		paddr += n;
		len -= n;
	}
	return CS_OK;
}

static cs_status elf_read_pages(struct cs_source *src, pfn_t pfn, size_t n, void *buf,
				struct cs_loss *loss, struct cs_err *err)
{
	struct elf_priv *p = src->priv;
	size_t psz = src->page_size, missing = 0;
	paddr_t pa = pfn << p->shift;
	uint8_t *out = buf;

	/* Every present page below data_end is in the file (a cut copy's rest is in src->loss). */
	(void)loss;

	/* Common case: the whole run lies in one segment's file data. */
	if (p->next) {
		const struct elf_extent *x = &p->ext[ext_find(p, pa)];
		if (pa >= x->pa && pa - x->pa <= x->len && (uint64_t)n * psz <= x->len - (pa - x->pa)) {
			cs_status st = file_copy(p, buf, n * psz, x->foff + (pa - x->pa), err);
			return st ? cs_err_ctx(err, "pfn 0x%" PRIxPFN, pfn) : CS_OK;
		}
	}
	for (size_t i = 0; i < n; i++, out += psz) {
		if (!cs_source_has_data(src, pfn + i)) {
			memset(out, 0, psz);
			missing++;
			continue;
		}
		cs_status st = phys_copy(p, (pfn + i) << p->shift, out, psz, err);
		if (st)
			return cs_err_ctx(err, "pfn 0x%" PRIxPFN, pfn + i);
	}
	if (missing == n)
		return cs_err_set(err, CS_ERR_NODATA, "'%s': pfns 0x%" PRIxPFN "-0x%" PRIxPFN
				  " are not in the dump", src->path, pfn, pfn + n - 1);
	return CS_OK;
}

const struct cs_source_ops cs_elf_source_ops = {
	.name = "ELF",
	.probe = elf_probe,
	.open = elf_open,
	.read_paddr = elf_read_paddr,
	.read_pages = elf_read_pages,
	/* No map_pages: regular files are read with pread (see elf_open). */
	.close = elf_close,
};
