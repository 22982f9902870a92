/* tests/unit/test_elf_write.c: the -E writer: segment plan, partial and overlapping PT_LOADs, PN_XNUM, incomplete files. */
#include "engine/pipeline.h"
#include "formats/elf_write.h"
#include "formats/notes.h"
#include "formats/sink.h"
#include "formats/source.h"
#include "tests/lib/tap.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define PS 4096u
#define DIR "build/tmp/test_elf_write"

struct load {
	uint64_t paddr, vaddr, memsz;
};

/* Deterministic page contents; zero when zero(pfn) says so. */
static void fill(uint8_t *p, uint64_t paddr, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint64_t a = paddr + i;
		p[i] = (uint8_t)((a >> 12) * 31 + (a & 0xfff) * 7 + 1);
	}
}

/*
 * An ELF64 core: PT_NOTE of one 356-byte CORE note, then the PT_LOADs with
 * their data (p_filesz = p_memsz). Pages for which is_zero() holds are zero.
 * sparse: data is left as holes (only headers are written).
 */
static int write_core(const char *path, const struct load *loads, size_t n,
		      bool (*is_zero)(uint64_t pfn), bool sparse)
{
	uint8_t note[356], *buf;
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	size_t nph = n + 1;
	uint64_t off;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	ph = calloc(nph, sizeof(*ph));
	if (nph >= PN_XNUM) {
		Elf64_Shdr sh;
		eh.e_phnum = PN_XNUM;
		eh.e_shoff = sizeof(eh) + nph * sizeof(*ph);
		eh.e_shentsize = sizeof(sh);
		eh.e_shnum = 1;
		memset(&sh, 0, sizeof(sh));
		sh.sh_info = (Elf64_Word)nph;
		if (pwrite(fd, &sh, sizeof(sh), (off_t)eh.e_shoff) != sizeof(sh))
			return -1;
	} else {
		eh.e_phnum = (Elf64_Half)nph;
	}
	memset(note, 0, sizeof(note));
	uint8_t desc[336];
	memset(desc, 0x5a, sizeof(desc));
	cs_note_write(note, CS_NOTE_NAME_CORE, CS_NT_PRSTATUS, desc, sizeof(desc));
	off = sizeof(eh) + nph * sizeof(*ph) + (nph >= PN_XNUM ? sizeof(Elf64_Shdr) : 0);
	ph[0] = (Elf64_Phdr){PT_NOTE, 0, off, 0, 0, sizeof(note), sizeof(note), 0};
	off = (off + sizeof(note) + PS - 1) / PS * PS;
	for (size_t i = 0; i < n; i++) {
		ph[i + 1] = (Elf64_Phdr){PT_LOAD, PF_R | PF_W | PF_X, off, loads[i].vaddr, loads[i].paddr,
					 loads[i].memsz, loads[i].memsz, 0};
		off += loads[i].memsz;
	}
	if (pwrite(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    pwrite(fd, ph, nph * sizeof(*ph), sizeof(eh)) != (ssize_t)(nph * sizeof(*ph)) ||
	    pwrite(fd, note, sizeof(note), (off_t)ph[0].p_offset) != sizeof(note))
		return -1;
	buf = malloc(PS);
	for (size_t i = 0; i < n && !sparse; i++) {
		for (uint64_t pos = 0; pos < loads[i].memsz; pos += PS) {
			uint64_t len = CS_MIN((uint64_t)PS, loads[i].memsz - pos);
			uint64_t pa = loads[i].paddr + pos;
			fill(buf, pa, len);
			if (is_zero && is_zero(pa / PS))
				memset(buf, 0, len);
			if (pwrite(fd, buf, len, (off_t)(ph[i + 1].p_offset + pos)) != (ssize_t)len)
				return -1;
		}
	}
	if (ftruncate(fd, (off_t)off) != 0)
		return -1;
	free(buf);
	free(ph);
	close(fd);
	return 0;
}

/* Bitmap2 = every present pfn with data (what a level-0 scan keeps). */
static void all_present(const struct cs_source *src, struct cs_bitmap *bm)
{
	struct cs_err err;

	cs_bitmap_init(bm, src->max_pfn, &err);
	for (size_t i = 0; i < src->nr_ranges; i++)
		cs_bitmap_set_range(bm, src->ranges[i].start, src->ranges[i].data_end);
}

static void header_of(const struct cs_source *src, pfn_t max_mapnr, struct cs_dump_header_info *h)
{
	memset(h, 0, sizeof(*h));
	h->page_size = src->page_size;
	h->max_mapnr = max_mapnr;
	h->notes = src->notes;
	h->notes_size = src->notes_size;
}

/* Zero pre-pass + plan + write through the pipeline; returns the pipeline status. */
static cs_status write_elf_erased(struct cs_source *src, struct cs_bitmap *bm2, bool zero,
				  unsigned threads, const char *out, uint64_t limit, uint64_t *zero_pages,
				  struct cs_elf_plan_info *info, struct cs_pipeline_stats *ps,
				  const struct cs_erase_map *erase, struct cs_err *err)
{
	struct cs_dump_header_info h;
	struct cs_pipeline_cfg cfg;
	struct cs_pipeline_stats st;
	struct cs_elf_plan *plan = NULL;
	struct cs_sink *sink = NULL;
	cs_status rc;

	unlink(out);
	rc = cs_sink_file_create(out, true, &sink, err);
	if (rc)
		return rc;
	cs_sink_file_set_durable(sink, false);
	if (zero) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.nthreads = threads;
		cfg.sink = sink;
		cfg.writer = &cs_zero_scan_writer;
		cfg.writer_arg = bm2;
		cfg.exclude_zero = true;
		cfg.zero_scan = true;
		cfg.erase = erase;
		header_of(src, bm2->nbits, &h);
		rc = cs_pipeline_run(&cfg, src, bm2, bm2, &h, &st, err);
		if (rc)
			goto out;
		*zero_pages = st.zero_pages;
	}
	rc = cs_elf_plan_create(src, bm2, &plan, err);
	if (rc)
		goto out;
	cs_elf_plan_get_info(plan, info);
	memset(&cfg, 0, sizeof(cfg));
	cfg.nthreads = threads;
	cfg.sink = sink;
	cfg.writer = &cs_elf_writer;
	cfg.writer_arg = plan;
	cfg.erase = erase;
	header_of(src, cs_elf_plan_pages(plan)->nbits, &h);
	cs_sink_set_limit(sink, limit);
	memset(ps, 0, sizeof(*ps));
	rc = cs_pipeline_run(&cfg, src, bm2, cs_elf_plan_pages(plan), &h, ps, err);
out:
	cs_elf_plan_destroy(plan);
	cs_sink_destroy(sink);
	return rc;
}

static cs_status write_elf(struct cs_source *src, struct cs_bitmap *bm2, bool zero, unsigned threads,
			   const char *out, uint64_t limit, uint64_t *zero_pages, struct cs_elf_plan_info *info,
			   struct cs_pipeline_stats *ps, struct cs_err *err)
{
	return write_elf_erased(src, bm2, zero, threads, out, limit, zero_pages, info, ps, NULL, err);
}

struct out_elf {
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	size_t nph;
	uint8_t *file;
	size_t size;
};

static int read_out(const char *path, struct out_elf *o)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	memset(o, 0, sizeof(*o));
	if (fd < 0 || fstat(fd, &st) != 0)
		return -1;
	o->size = (size_t)st.st_size;
	o->file = malloc(o->size + 1);
	if (pread(fd, o->file, o->size, 0) != (ssize_t)o->size)
		return -1;
	close(fd);
	memcpy(&o->eh, o->file, sizeof(o->eh));
	o->nph = o->eh.e_phnum;
	if (o->nph == PN_XNUM) {
		Elf64_Shdr sh;
		memcpy(&sh, o->file + o->eh.e_shoff, sizeof(sh));
		o->nph = sh.sh_info;
	}
	o->ph = (Elf64_Phdr *)(o->file + o->eh.e_phoff);
	return 0;
}

/* Bytes --config erases in a test (the expected output edited by hand, not by core/erase.c). */
struct erased {
	uint64_t paddr, len;
	uint8_t fill;
};

/*
 * Every PT_LOAD byte within p_filesz equals the generator's contents (zero
 * where is_zero), with the er[] ranges overwritten.
 */
static bool loads_match_erased(const struct out_elf *o, bool (*is_zero)(uint64_t),
			       const struct erased *er, size_t ner)
{
	uint8_t want[PS];

	for (size_t i = 0; i < o->nph; i++) {
		const Elf64_Phdr *p = &o->ph[i];
		if (p->p_type != PT_LOAD)
			continue;
		if (p->p_offset + p->p_filesz > o->size)
			return false;
		for (uint64_t pos = 0; pos < p->p_filesz;) {
			uint64_t pa = p->p_paddr + pos, in_page = PS - pa % PS;
			uint64_t len = CS_MIN(in_page, p->p_filesz - pos);
			fill(want, pa, len);
			if (is_zero && is_zero(pa / PS))
				memset(want, 0, len);
			for (size_t e = 0; e < ner; e++) {
				uint64_t s0 = CS_MAX(er[e].paddr, pa), e0 = CS_MIN(er[e].paddr + er[e].len, pa + len);
				if (s0 < e0)
					memset(want + (s0 - pa), er[e].fill, e0 - s0);
			}
			if (memcmp(o->file + p->p_offset + pos, want, len))
				return false;
			pos += len;
		}
	}
	return true;
}

static bool loads_match(const struct out_elf *o, bool (*is_zero)(uint64_t))
{
	return loads_match_erased(o, is_zero, NULL, 0);
}

/* Zero runs of 300 (100-399), 100 (500-599) and 24 (1000-1023) pages. */
static bool doc_zero(uint64_t pfn)
{
	uint64_t i = pfn - 0x100;
	return (i >= 100 && i < 400) || (i >= 500 && i < 600) || (i >= 1000 && i < 1024);
}

static void test_doc_layout(struct tap *t)
{
	const char *in = DIR "/doc.core", *out = DIR "/doc.elf", *out4 = DIR "/doc4.elf";
	struct load ld = {0x100000, 0xffff888000100000ULL, 1024 * PS};
	struct cs_source src;
	struct cs_bitmap bm;
	struct cs_err err;
	struct cs_elf_plan_info info;
	struct cs_pipeline_stats ps;
	struct out_elf o, o4;
	uint64_t zero = 0;
	cs_status rc;

	cs_err_clear(&err);
	ok(t, write_core(in, &ld, 1, doc_zero, false) == 0, "doc: write the input core");
	ok(t, cs_source_open(&src, &in, 1, true, &err) == CS_OK, "doc: open it (%s)", err.msg);
	all_present(&src, &bm);
	rc = write_elf(&src, &bm, true, 1, out, 0, &zero, &info, &ps, &err);
	ok(t, rc == CS_OK, "doc: -E -d 1 written (%s)", err.msg);
	ok_eq_u64(t, zero, 424, "doc: the zero pre-pass finds the 424 zero pages");
	ok_eq_u64(t, info.nr_loads, 2, "doc: two PT_LOADs");
	ok_eq_u64(t, info.excluded, 300 + 24, "doc: 324 pages dropped (the 300 run and the 24-page tail)");
	ok(t, read_out(out, &o) == 0, "doc: read the output");
	ok_eq_u64(t, o.nph, 3, "doc: e_phnum 3");
	ok_eq_u64(t, o.ph[0].p_type, PT_NOTE, "doc: PT_NOTE first");
	ok_eq_u64(t, o.ph[0].p_offset, 0xe8, "doc: notes at 0xe8 (as makedumpfile)");
	ok_eq_u64(t, o.ph[0].p_filesz, 356, "doc: the input's notes, verbatim size");
	ok_eq_u64(t, o.ph[1].p_offset, 0x24c, "doc: PT_LOAD#1 data right after the notes (0x24c)");
	ok_eq_u64(t, o.ph[1].p_filesz, 100 * PS, "doc: PT_LOAD#1 filesz 100 pages");
	ok_eq_u64(t, o.ph[1].p_memsz, 400 * PS, "doc: PT_LOAD#1 memsz 400 pages");
	ok_eq_u64(t, o.ph[2].p_paddr, 0x100000 + 400 * PS, "doc: PT_LOAD#2 at the next dumpable page");
	ok_eq_u64(t, o.ph[2].p_vaddr, 0xffff888000100000ULL + 400 * PS, "doc: ... its vaddr advanced alike");
	ok_eq_u64(t, o.ph[2].p_offset, 0x24c + 100 * PS, "doc: PT_LOAD#2 data packed after #1's");
	ok_eq_u64(t, o.ph[2].p_filesz, 600 * PS, "doc: PT_LOAD#2 filesz 600 pages (the 100-page run kept)");
	ok_eq_u64(t, o.ph[2].p_memsz, 624 * PS, "doc: PT_LOAD#2 memsz 624 pages (the tail run dropped)");
	ok_eq_u64(t, o.size, 0x24c + 700 * PS, "doc: nothing after the data");
	ok(t, loads_match(&o, doc_zero), "doc: every byte of every segment equals the input");
	ok(t, memcmp(o.file + 0xe8, src.notes, 356) == 0, "doc: note bytes verbatim");

	/* Four workers: the same file. */
	cs_bitmap_deinit(&bm);
	all_present(&src, &bm);
	rc = write_elf(&src, &bm, true, 4, out4, 0, &zero, &info, &ps, &err);
	ok(t, rc == CS_OK && read_out(out4, &o4) == 0 && o4.size == o.size &&
		      memcmp(o4.file, o.file, o.size) == 0,
	   "doc: --num-threads 4 writes the same file");
	free(o4.file);

	/* -L in the middle of PT_LOAD#2: e_flags |= 1, p_filesz shrinks to what is in the file. */
	cs_bitmap_deinit(&bm);
	all_present(&src, &bm);
	rc = write_elf(&src, &bm, true, 2, out4, 0x24c + 300 * PS + 123, &zero, &info, &ps, &err);
	ok(t, rc == CS_ERR_NOSPC, "incomplete: -L fails with NOSPC (%s)", err.msg);
	ok(t, ps.incomplete, "incomplete: the writer flagged the file");
	ok(t, read_out(out4, &o4) == 0, "incomplete: read it");
	ok_eq_u64(t, o4.eh.e_flags & 1, 1, "incomplete: e_flags bit 0");
	ok_eq_u64(t, o4.size, 0x24c + 300 * PS + 123, "incomplete: the file ends at the limit");
	ok_eq_u64(t, o4.ph[1].p_filesz, 100 * PS, "incomplete: PT_LOAD#1 complete");
	ok_eq_u64(t, o4.ph[2].p_filesz, 200 * PS + 123, "incomplete: PT_LOAD#2 filesz = bytes in the file");
	ok_eq_u64(t, o4.ph[2].p_memsz, 624 * PS, "incomplete: PT_LOAD#2 memsz unchanged");
	ok(t, loads_match(&o4, doc_zero), "incomplete: every byte within p_filesz is right");
	ok_eq_u64(t, ps.saved_pages, 300, "incomplete: 300 whole pages saved");
	free(o4.file);

	free(o.file);
	cs_bitmap_deinit(&bm);
	cs_source_close(&src);
}

/* Unaligned starts and ends, and a second PT_LOAD mapping part of the first (kernel text). */
static bool odd_zero(uint64_t pfn)
{
	return pfn % 3 == 0;
}

static void test_partial_overlap(struct tap *t)
{
	const char *in = DIR "/odd.core", *out = DIR "/odd.elf";
	struct load ld[] = {
		{0x2000c00, 0xffffffff81000000ULL, 40 * PS + 0x600},  /* starts and ends mid-page */
		{0x2000000, 0xffff888002000000ULL, 600 * PS},         /* covers the first */
		{0x3000100, 0, 0x200},                                /* inside one page */
	};
	struct cs_source src;
	struct cs_bitmap bm;
	struct cs_err err;
	struct cs_elf_plan_info info;
	struct cs_pipeline_stats ps;
	struct out_elf o;
	uint64_t zero = 0;
	cs_status rc;

	cs_err_clear(&err);
	ok(t, write_core(in, ld, 3, odd_zero, false) == 0, "odd: write the input core");
	ok(t, cs_source_open(&src, &in, 1, true, &err) == CS_OK, "odd: open it (%s)", err.msg);
	all_present(&src, &bm);
	/* Exclude a 300-page run inside the big segment: it splits there. */
	cs_bitmap_clear_range(&bm, 0x2000 + 100, 0x2000 + 400);
	rc = write_elf(&src, &bm, false, 3, out, 0, &zero, &info, &ps, &err);
	ok(t, rc == CS_OK, "odd: written (%s)", err.msg);
	ok(t, read_out(out, &o) == 0, "odd: read the output");
	ok_eq_u64(t, o.nph, 1 + 1 + 2 + 1, "odd: PT_NOTE + 1 + 2 + 1 PT_LOADs");
	ok_eq_u64(t, o.ph[1].p_paddr, 0x2000c00, "odd: first segment keeps its unaligned start");
	ok_eq_u64(t, o.ph[1].p_filesz, 40 * PS + 0x600, "odd: partial head and tail pages are in it");
	ok_eq_u64(t, o.ph[1].p_memsz, 40 * PS + 0x600, "odd: ... memsz alike");
	ok_eq_u64(t, o.ph[2].p_paddr, 0x2000000, "odd: the overlapping segment follows in input order");
	ok_eq_u64(t, o.ph[2].p_filesz, 100 * PS, "odd: split before the 300 excluded pages");
	ok_eq_u64(t, o.ph[2].p_memsz, 400 * PS, "odd: ... which count in its memsz");
	ok_eq_u64(t, o.ph[3].p_paddr, 0x2000000 + 400 * PS, "odd: restarts at the next dumpable page");
	ok_eq_u64(t, o.ph[3].p_filesz, 200 * PS, "odd: the rest");
	/* The input has no data for a page it only partly holds: left out, not zero-filled. */
	ok_eq_u64(t, o.ph[4].p_filesz, 0, "odd: a segment inside one (data-less) page has no file bytes");
	ok_eq_u64(t, o.ph[4].p_memsz, 0x200, "odd: ... but keeps its memsz");
	ok_eq_u64(t, o.ph[4].p_offset, o.ph[3].p_offset + o.ph[3].p_filesz,
		  "odd: an input's last segment keeps the running offset");
	ok_eq_u64(t, o.ph[3].p_offset, o.ph[2].p_offset + o.ph[2].p_filesz, "odd: data packed, not aligned");
	ok(t, loads_match(&o, odd_zero), "odd: every byte of every segment (pages written twice too)");
	ok_eq_u64(t, info.excluded, 300, "odd: 300 pages dropped");
	free(o.file);
	cs_bitmap_deinit(&bm);
	cs_source_close(&src);
}

/* 65535 one-page PT_LOADs, all excluded: 65536 program headers need PN_XNUM. */
static void test_xnum(struct tap *t)
{
	const size_t n = PN_XNUM;
	const char *in = DIR "/xnum.core", *out = DIR "/xnum.elf";
	struct load *ld = calloc(n, sizeof(*ld));
	struct cs_source src;
	struct cs_bitmap bm;
	struct cs_err err;
	struct cs_elf_plan_info info;
	struct cs_pipeline_stats ps;
	struct out_elf o;
	Elf64_Shdr sh;
	uint64_t zero = 0;
	cs_status rc;

	cs_err_clear(&err);
	for (size_t i = 0; i < n; i++)
		ld[i] = (struct load){(uint64_t)i * 2 * PS, 0, PS};
	ok(t, write_core(in, ld, n, NULL, true) == 0, "xnum: write a core with 65535 PT_LOADs");
	ok(t, cs_source_open(&src, &in, 1, true, &err) == CS_OK, "xnum: open it (%s)", err.msg);
	cs_bitmap_init(&bm, src.max_pfn, &err); /* nothing dumpable */
	rc = write_elf(&src, &bm, false, 2, out, 0, &zero, &info, &ps, &err);
	ok(t, rc == CS_OK, "xnum: written (%s)", err.msg);
	ok_eq_u64(t, info.nr_loads, n, "xnum: one (empty) PT_LOAD per input PT_LOAD");
	ok(t, read_out(out, &o) == 0, "xnum: read the output");
	ok_eq_u64(t, o.eh.e_phnum, PN_XNUM, "xnum: e_phnum = PN_XNUM");
	ok_eq_u64(t, o.eh.e_shnum, 1, "xnum: one section header");
	ok_eq_u64(t, o.eh.e_shoff, sizeof(Elf64_Ehdr) + (n + 1) * sizeof(Elf64_Phdr),
		  "xnum: right after the program headers");
	memcpy(&sh, o.file + o.eh.e_shoff, sizeof(sh));
	ok(t, sh.sh_type == SHT_NULL && sh.sh_info == n + 1 && sh.sh_size == 1,
	   "xnum: SHT_NULL with sh_info = 65536");
	ok_eq_u64(t, o.ph[0].p_offset, o.eh.e_shoff + sizeof(Elf64_Shdr), "xnum: notes after the section header");
	ok(t, o.ph[n].p_type == PT_LOAD && o.ph[n].p_paddr == (n - 1) * 2 * PS && o.ph[n].p_filesz == 0 &&
		      o.ph[n].p_memsz == PS,
	   "xnum: the last PT_LOAD is there, without data");
	ok_eq_u64(t, info.excluded, n, "xnum: every page dropped");
	free(o.file);
	free(ld);
	cs_bitmap_deinit(&bm);
	cs_source_close(&src);
	unlink(in);
	unlink(out);
}

/*
 * --config with -E: the erased bytes are 'X' / zero in the segments, the rest
 * equals the input, and the zero pre-pass sees the erased pages (a page
 * nullified whole is dropped, a zero page with 'X' in it is kept).
 */
static void test_erase(struct tap *t)
{
	const char *in = DIR "/doc.core", *out = DIR "/erase.elf";
	static const struct erased er[] = {
		{0x100000 + 10 * PS - 5, 10, 'X'},    /* across pages 10 and 11 */
		{0x100000 + 50 * PS, PS, 0},          /* page 50 nullified whole: a zero page */
		{0x100000 + 450 * PS + 7, 1, 'X'},    /* one byte of data page 450 */
		{0x100000 + 550 * PS + 100, 16, 'X'}, /* in the zero run 500-599 */
		{0x100000 + 1010 * PS, 32, 'X'},      /* in the dropped zero tail 1000-1023: kept now */
	};
	struct cs_erase_map map = {0};
	struct cs_source src;
	struct cs_bitmap bm;
	struct cs_err err;
	struct cs_elf_plan_info info;
	struct cs_pipeline_stats ps;
	struct out_elf o;
	uint64_t zero = 0;
	bool added = true;
	cs_status rc;

	for (size_t i = 0; i < CS_ARRAY_SIZE(er); i++)
		added &= cs_erase_map_add(&map, er[i].paddr, er[i].len, er[i].fill, &err) == CS_OK;
	cs_erase_map_finish(&map);
	ok(t, added && cs_source_open(&src, &in, 1, true, &err) == CS_OK, "erase: open the input (%s)",
	   err.msg);
	all_present(&src, &bm);
	rc = write_elf_erased(&src, &bm, true, 3, out, 0, &zero, &info, &ps, &map, &err);
	ok(t, rc == CS_OK, "erase: -E -d 1 written (%s)", rc ? err.msg : "ok");
	/* 424 zero pages, + page 50, - pages 550 and 1010 now holding 'X'. */
	ok_eq_u64(t, zero, 424 + 1 - 2, "erase: the zero pre-pass sees the erased pages");
	ok(t, read_out(out, &o) == 0, "erase: read the output");
	ok(t, loads_match_erased(&o, doc_zero, er, CS_ARRAY_SIZE(er)),
	   "erase: exactly the erased bytes are 'X' or zero, every other byte equals the input");
	ok(t, !loads_match(&o, doc_zero), "erase: the output is not the unerased input");
	free(o.file);
	cs_bitmap_deinit(&bm);
	cs_source_close(&src);
	cs_erase_map_free(&map);
	unlink(out);
}

int main(void)
{
	struct tap t = {0};

	mkdir("build", 0755);
	mkdir("build/tmp", 0755);
	mkdir(DIR, 0755);
	test_doc_layout(&t);
	test_erase(&t);
	test_partial_overlap(&t);
	test_xnum(&t);
	if (!t.failed) {
		static const char *const files[] = {"doc.core", "doc.elf", "doc4.elf", "odd.core", "odd.elf"};
		char path[256];
		for (size_t i = 0; i < CS_ARRAY_SIZE(files); i++) {
			snprintf(path, sizeof(path), DIR "/%s", files[i]);
			unlink(path);
		}
		rmdir(DIR);
	}
	return tap_done(&t);
}
