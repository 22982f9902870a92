/* tests/unit/test_elf_read.c: the ELF reader on hand-made /proc/vmcore, QEMU and PN_XNUM cores (and hostile ones). */
#include "formats/source.h"
#include "formats/notes.h"
#include "tests/lib/tap.h"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#define PS 4096u

struct tseg {
	uint32_t type;
	uint64_t paddr, vaddr, filesz, memsz;
};

/* Byte at physical address pa, in every segment that holds it. */
static uint8_t pat(uint64_t pa)
{
	return (uint8_t)((pa >> 12) * 31 + (pa & 0xfff) * 7 + (pa >> 20));
}

struct core_opts {
	bool xnum;          /* e_phnum = PN_XNUM, real count in shdr 0 */
	bool shdr_first;    /* QEMU: section header before the program headers */
	uint16_t ehsize;    /* 0: sizeof(Elf64_Ehdr) */
	uint16_t type;      /* 0: ET_CORE */
	const uint8_t *notes;
	size_t notes_len;
	uint64_t trunc;     /* truncate the file to this size (0: no) */
};

static char *tmpfile_path(const char *tag)
{
	static char paths[8][64];
	static int next;
	char *p = paths[next++ % 8];
	snprintf(p, 64, "/tmp/cs-elf-%s-%d", tag, (int)getpid());
	return p;
}

static int write_core(const char *path, const struct tseg *segs, size_t n, const struct core_opts *o)
{
	size_t nph = n + 1;
	uint64_t off = sizeof(Elf64_Ehdr), phoff, shoff = 0, noteoff, dataoff;
	Elf64_Ehdr eh;
	Elf64_Phdr *ph = calloc(nph, sizeof(*ph));
	FILE *f = fopen(path, "w+");

	if (!f || !ph)
		return -1;
	if (o->shdr_first || o->xnum) {
		if (o->shdr_first) {
			shoff = off;
			off += sizeof(Elf64_Shdr);
			phoff = off;
			off += nph * sizeof(Elf64_Phdr);
		} else {
			phoff = off;
			off += nph * sizeof(Elf64_Phdr);
			shoff = off;
			off += sizeof(Elf64_Shdr);
		}
	} else {
		phoff = off;
		off += nph * sizeof(Elf64_Phdr);
	}
	noteoff = off;
	dataoff = CS_ALIGN_UP(noteoff + o->notes_len, PS);
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = o->type ? o->type : ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = phoff;
	eh.e_ehsize = o->ehsize ? o->ehsize : sizeof(Elf64_Ehdr);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = o->xnum ? PN_XNUM : (uint16_t)nph;
	if (shoff) {
		eh.e_shoff = shoff;
		eh.e_shentsize = sizeof(Elf64_Shdr);
		eh.e_shnum = 1;
	}
	ph[0].p_type = PT_NOTE;
	ph[0].p_offset = noteoff;
	ph[0].p_filesz = ph[0].p_memsz = o->notes_len;
	for (size_t i = 0; i < n; i++) {
		Elf64_Phdr *p = &ph[i + 1];
		p->p_type = segs[i].type ? segs[i].type : PT_LOAD;
		p->p_paddr = segs[i].paddr;
		p->p_vaddr = segs[i].vaddr;
		p->p_filesz = segs[i].filesz;
		p->p_memsz = segs[i].memsz;
		p->p_offset = segs[i].filesz ? dataoff : 0;
		p->p_flags = PF_R | PF_W | PF_X;
		if (segs[i].filesz) {
			uint8_t *buf = malloc(segs[i].filesz);
			for (uint64_t b = 0; b < segs[i].filesz; b++)
				buf[b] = pat(segs[i].paddr + b);
			fseek(f, (long)dataoff, SEEK_SET);
			fwrite(buf, 1, segs[i].filesz, f);
			free(buf);
			dataoff = CS_ALIGN_UP(dataoff + segs[i].filesz, PS);
		}
	}
	fseek(f, 0, SEEK_SET);
	fwrite(&eh, sizeof(eh), 1, f);
	fseek(f, (long)phoff, SEEK_SET);
	fwrite(ph, sizeof(*ph), nph, f);
	if (shoff) {
		Elf64_Shdr sh;
		memset(&sh, 0, sizeof(sh));
		sh.sh_info = o->xnum ? (uint32_t)nph : 0;
		fseek(f, (long)shoff, SEEK_SET);
		fwrite(&sh, sizeof(sh), 1, f);
	}
	if (o->notes_len) {
		fseek(f, (long)noteoff, SEEK_SET);
		fwrite(o->notes, 1, o->notes_len, f);
	}
	fclose(f);
	free(ph);
	if (o->trunc && truncate(path, (off_t)o->trunc) != 0)
		return -1;
	return 0;
}

/* What a page should read as: pattern bytes where some segment has file data, else zero. */
static void expect_page(const struct tseg *segs, size_t n, uint64_t pfn, uint8_t *out)
{
	uint64_t pa = pfn * PS;
	memset(out, 0, PS);
	for (size_t i = 0; i < n; i++) {
		if (segs[i].type && segs[i].type != PT_LOAD)
			continue;
		for (uint64_t b = 0; b < PS; b++)
			if (pa + b >= segs[i].paddr && pa + b < segs[i].paddr + segs[i].filesz)
				out[b] = pat(pa + b);
	}
}

static size_t make_notes(uint8_t *buf, int ncpu, const char *vmcoreinfo)
{
	size_t len = 0;
	uint8_t prstatus[336] = {0};

	for (int i = 0; i < ncpu; i++)
		len += cs_note_write(buf + len, "CORE", CS_NT_PRSTATUS, prstatus, sizeof(prstatus));
	len += cs_note_write(buf + len, "QEMU", 0, prstatus, 100); /* noise */
	if (vmcoreinfo)
		len += cs_note_write(buf + len, "VMCOREINFO", 0, vmcoreinfo, strlen(vmcoreinfo));
	return len;
}

static void test_proc_vmcore(struct tap *t, bool use_mmap)
{
	static const struct tseg segs[] = {
		{0, 0x0, 0xffff888000000000ULL, 0xa0000, 0xa0000},          /* RAM below 640K */
		{0, 0x2f00000, 0xffff888002f00000ULL, 0x200000, 0x200000},  /* RAM */
		{0, 0x3000000, 0xffffffff81000000ULL, 0x10000, 0x10000},    /* kernel text, overlaps */
		{0, 0x5000800, 0xffff888005000800ULL, 0x3000, 0x3000},      /* unaligned start */
		{0, 0x6000000, 0xffff888006000000ULL, 0x2800, 0x8000},      /* filesz < memsz */
		{0, 0x7000800, 0xffff888007000800ULL, 0x1800, 0x1800},      /* straddle, 2nd half */
		{0, 0x7000000, 0xffff888007000000ULL, 0x800, 0x800},        /* straddle, 1st half */
		{0, 0x4000000, 0xffff888004000000ULL, 0x2000, 0x2000},      /* out of order */
	};
	static const struct cs_pfn_range want[] = {
		{0x0, 0xa0, 0xa0}, {0x2f00, 0x3100, 0x3100}, {0x4000, 0x4002, 0x4002},
		{0x5000, 0x5003, 0x5003}, {0x6000, 0x6008, 0x6002}, {0x7000, 0x7002, 0x7002},
	};
	const char *vmci = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n";
	uint8_t notes[2048];
	struct core_opts o = {0};
	const char *path = tmpfile_path(use_mmap ? "proc" : "proc-nommap");
	const char *paths[1] = {path};
	struct cs_source src;
	struct cs_err err;
	uint8_t *buf = malloc(64 * PS), *exp = malloc(PS);
	bool same = true, ranges_ok;
	size_t len;
	const char *vtext;

	o.notes = notes;
	o.notes_len = make_notes(notes, 2, vmci);
	ok(t, write_core(path, segs, CS_ARRAY_SIZE(segs), &o) == 0, "write /proc/vmcore-like core");
	if (cs_source_open(&src, paths, 1, use_mmap, &err) != CS_OK) {
		ok(t, 0, "open: %s", err.msg);
		return;
	}
	ok(t, src.kind == CS_SRC_ELF && src.e_machine == EM_X86_64 && src.page_size == 4096,
	   "kind, machine, page size");
	ranges_ok = src.nr_ranges == CS_ARRAY_SIZE(want);
	for (size_t i = 0; ranges_ok && i < src.nr_ranges; i++)
		ranges_ok = src.ranges[i].start == want[i].start && src.ranges[i].end == want[i].end &&
			    src.ranges[i].data_end == want[i].data_end;
	ok(t, ranges_ok, "ranges: united, sorted, floored, data_end (%zu ranges)", src.nr_ranges);
	for (size_t i = 0; !ranges_ok && i < src.nr_ranges; i++)
		printf("#   [%#" PRIx64 ", %#" PRIx64 ") data_end %#" PRIx64 "\n", src.ranges[i].start,
		       src.ranges[i].end, src.ranges[i].data_end);
	ok_eq_u64(t, src.max_pfn, 0x7002, "max_pfn");
	ok_eq_u64(t, src.nr_cpus, 2, "nr_cpus counts CORE NT_PRSTATUS");
	ok(t, src.notes_size == o.notes_len && !memcmp(src.notes, notes, o.notes_len), "notes verbatim");
	vtext = cs_source_vmcoreinfo(&src, &len);
	ok(t, vtext && len == strlen(vmci) && !memcmp(vtext, vmci, len), "VMCOREINFO found");
	ok(t, src.have_phys_base && src.phys_base == 0x2000000, "phys_base hint 0x%" PRIx64, src.phys_base);
	ok(t, src.have_page_offset && src.page_offset == 0xffff888000000000ULL, "page_offset hint");
	/* max_mapnr 0x7002 is no multiple of 4: makedumpfile's cyclic mode floors the partial last page. */
	ok(t, cs_source_has_data(&src, 0x5000) && cs_source_has_data(&src, 0x5002) &&
	   !cs_source_present(&src, 0x5003),
	   "partial first page has data, partial last page not present (cyclic-mode rule)");
	ok(t, cs_source_has_data(&src, 0x6001) && !cs_source_has_data(&src, 0x6002) &&
	   cs_source_present(&src, 0x6007), "pfns past p_filesz present without data");
	ok(t, !cs_source_present(&src, 0xa0) && !cs_source_present(&src, 0x9000), "holes");
	/*
	 * 0x5000800 starts mid-page and no segment holds byte 0x5000000: pfn 0x5000 is
	 * never classified (makedumpfile's is_in_segs); 0x7000800's page starts in the
	 * 0x7000000 segment, so pfn 0x7000 is.
	 */
	ok(t, src.nr_unconsulted == 1 && src.unconsulted[0] == 0x5000,
	   "unconsulted: the partial first page no segment starts (%zu: %#" PRIx64 ")",
	   src.nr_unconsulted, src.nr_unconsulted ? src.unconsulted[0] : 0);
	ok(t, src.nr_rounded_up == 0, "no rounded-up last pages where ends are floored");

	/* Every present pfn, one at a time and in runs, equals the expected bytes. */
	for (size_t r = 0; r < src.nr_ranges; r++)
		for (pfn_t p = src.ranges[r].start; p < src.ranges[r].end; p++) {
			cs_status st = src.ops->read_pages(&src, p, 1, buf, NULL, &err);
			expect_page(segs, CS_ARRAY_SIZE(segs), p, exp);
			if (cs_source_has_data(&src, p) ? (st != CS_OK || memcmp(buf, exp, PS))
							: (st != CS_ERR_NODATA)) {
				if (same)
					printf("#   pfn %#" PRIx64 " st %d\n", p, st);
				same = false;
			}
		}
	ok(t, same, "single-page reads match (assembled straddling page, partial first page)");
	same = true;
	for (pfn_t p = 0x2f00; p < 0x3100; p += 64) {
		if (src.ops->read_pages(&src, p, 64, buf, NULL, &err) != CS_OK)
			same = false;
		for (size_t i = 0; i < 64 && same; i++) {
			expect_page(segs, CS_ARRAY_SIZE(segs), p + i, exp);
			same = !memcmp(buf + i * PS, exp, PS);
		}
	}
	ok(t, same, "64-page runs match");
	ok(t, src.ops->read_pages(&src, 0x5fff, 4, buf, NULL, &err) == CS_OK, "run across a hole: ok");
	expect_page(segs, CS_ARRAY_SIZE(segs), 0x6000, exp);
	ok(t, buf[0] == 0 && !memcmp(buf + PS, exp, PS), "hole zero-filled, data after it");
	ok(t, src.ops->read_pages(&src, 0x6002, 6, buf, NULL, &err) == CS_ERR_NODATA &&
	   strstr(err.msg, path), "all pages without data: NODATA naming the file (%s)", err.msg);

	/* read_paddr */
	uint8_t small[64];
	ok(t, src.ops->read_paddr(&src, 0x5000810, small, 64, &err) == CS_OK && small[0] == pat(0x5000810),
	   "read_paddr in unaligned segment");
	ok(t, src.ops->read_paddr(&src, 0x3000ff0, small, 64, &err) == CS_OK &&
	   small[63] == pat(0x3000ff0 + 63), "read_paddr across pages");
	ok(t, src.ops->read_paddr(&src, 0x6003000, small, 8, &err) == CS_ERR_NODATA &&
	   strstr(err.msg, "0x6003000"), "read_paddr past p_filesz: NODATA (%s)", err.msg);
	ok(t, src.ops->read_paddr(&src, 0x9fff0, small, 64, &err) == CS_ERR_NODATA,
	   "read_paddr running into a hole: NODATA");

	/* Regular files are read with pread, never mapped (docs/performance.md): no zero copy. */
	ok(t, !src.ops->map_pages, "no map_pages (use_mmap=%d)", use_mmap);
	cs_source_close(&src);
	unlink(path);
	free(buf);
	free(exp);
}

static void test_xnum(struct tap *t)
{
	size_t n = 70000;
	struct tseg *segs = calloc(n, sizeof(*segs));
	struct core_opts o = {0};
	const char *path = tmpfile_path("xnum");
	const char *paths[1] = {path};
	struct cs_source src;
	struct cs_err err;
	uint8_t buf[PS], exp[PS];

	for (size_t i = 0; i < n; i++) {
		segs[i].paddr = (uint64_t)i * 2 * PS;
		segs[i].memsz = PS;
		segs[i].filesz = i % 1000 == 0 ? PS : 0;
	}
	o.xnum = true;
	ok(t, write_core(path, segs, n, &o) == 0, "write PN_XNUM core (%zu PT_LOADs)", n);
	if (cs_source_open(&src, paths, 1, true, &err) != CS_OK) {
		ok(t, 0, "open PN_XNUM: %s", err.msg);
		free(segs);
		return;
	}
	ok_eq_u64(t, src.nr_ranges, n, "one range per PT_LOAD");
	ok(t, cs_source_has_data(&src, 2000 * 2) && !cs_source_has_data(&src, 2001 * 2) &&
	   cs_source_present(&src, 2001 * 2) && !cs_source_present(&src, 2001 * 2 + 1), "data / present");
	expect_page(segs + 5000, 1, 10000, exp);
	ok(t, src.ops->read_pages(&src, 10000, 1, buf, NULL, &err) == CS_OK && !memcmp(buf, exp, PS),
	   "read a page of segment 5000");
	ok(t, src.nr_cpus == 0 && src.vmcoreinfo_size == 0 && !src.have_phys_base, "no notes, no hints");
	cs_source_close(&src);
	unlink(path);
	free(segs);
}

static void test_qemu(struct tap *t)
{
	static const struct tseg segs[] = {
		{0, 0x0, 0, 0x80000, 0x80000},
		{0, 0x100000, 0, 0x100000, 0x100000},
		{0, 0xfd000000, 0, 0x10000, 0x10000}, /* device memory above RAM */
	};
	uint8_t notes[2048];
	struct core_opts o = {0};
	const char *path = tmpfile_path("qemu");
	const char *paths[1] = {path};
	struct cs_source src;
	struct cs_err err;
	uint8_t buf[PS], exp[PS];

	o.notes = notes;
	o.notes_len = make_notes(notes, 4, NULL);
	o.shdr_first = true;
	o.ehsize = 0x41;
	ok(t, write_core(path, segs, CS_ARRAY_SIZE(segs), &o) == 0, "write QEMU-style core");
	if (cs_source_open(&src, paths, 1, true, &err) != CS_OK) {
		ok(t, 0, "open QEMU core: %s", err.msg);
		return;
	}
	ok(t, src.nr_ranges == 3 && src.max_pfn == 0xfd010, "ranges incl. device memory");
	ok(t, !src.have_phys_base && !src.have_page_offset, "p_vaddr 0: no hints");
	ok(t, src.nr_cpus == 4 && !src.vmcoreinfo_size, "4 CPUs, no VMCOREINFO");
	expect_page(segs, CS_ARRAY_SIZE(segs), 0xfd00f, exp);
	ok(t, src.ops->read_pages(&src, 0xfd00f, 1, buf, NULL, &err) == CS_OK && !memcmp(buf, exp, PS),
	   "read device memory page");
	cs_source_close(&src);
	unlink(path);
}

static void test_hostile(struct tap *t)
{
	static const struct tseg segs[] = {{0, 0x0, 0, 0x10000, 0x10000}};
	static const struct tseg huge[] = {{0, 0xfff0000000000000ULL, 0, 0, 0x100000000ULL}};
	static const struct tseg bignote[] = {{PT_NOTE, 0, 0, 0x100000, 0x100000}};
	struct core_opts o = {0};
	const char *path = tmpfile_path("bad");
	const char *paths[1] = {path};
	struct cs_source src;
	struct cs_err err;
	FILE *f;

	f = fopen(path, "w");
	fputs("hello, this is not a dump\n", f);
	fclose(f);
	ok(t, cs_source_open(&src, paths, 1, true, &err) == CS_ERR_FORMAT && strstr(err.msg, path) &&
	   strstr(err.msg, "68 65 6c 6c"), "unknown format names file and first bytes (%s)", err.msg);
	f = fopen(path, "w");
	fclose(f);
	ok(t, cs_source_open(&src, paths, 1, true, &err) == CS_ERR_FORMAT && strstr(err.msg, "empty"),
	   "empty file");
	paths[0] = "/nonexistent/vmcore";
	ok(t, cs_source_open(&src, paths, 1, true, &err) == CS_ERR_SYSTEM &&
	   strstr(err.msg, "/nonexistent/vmcore"), "missing file (%s)", err.msg);
	paths[0] = path;

	o.type = ET_EXEC;
	write_core(path, segs, 1, &o);
	ok(t, cs_source_open(&src, paths, 1, true, &err) == CS_ERR_FORMAT, "ET_EXEC rejected (%s)",
	   err.msg);
	o.type = 0;

	o.trunc = 100; /* program headers cut off */
	write_core(path, segs, 1, &o);
	ok(t, cs_source_open(&src, paths, 1, true, &err) != CS_OK && strstr(err.msg, path),
	   "truncated program headers (%s)", err.msg);

	o.trunc = 4096 + 0x8000; /* half of the PT_LOAD data is gone */
	write_core(path, segs, 1, &o);
	ok(t, cs_source_open(&src, paths, 1, true, &err) == CS_OK, "truncated data opens");
	if (src.ops) {
		ok(t, src.nr_ranges == 1 && src.ranges[0].data_end == 8 && src.ranges[0].end == 16,
		   "missing data treated as not dumped");
		cs_source_close(&src);
	}
	o.trunc = 0;

	write_core(path, huge, 1, &o);
	ok(t, cs_source_open(&src, paths, 1, true, &err) == CS_ERR_CORRUPT, "absurd paddr rejected (%s)",
	   err.msg);
	o.trunc = 8192;
	write_core(path, bignote, 1, &o);
	o.trunc = 0;
	ok(t, cs_source_open(&src, paths, 1, true, &err) == CS_ERR_CORRUPT && strstr(err.msg, "PT_NOTE"),
	   "PT_NOTE past EOF rejected (%s)", err.msg);

	/* A note whose descsz overruns the segment: scanned safely, nothing found. */
	uint8_t notes[64] = {0};
	uint32_t hdr[3] = {11, 0xfffffff0u, 0};
	memcpy(notes, hdr, sizeof(hdr));
	memcpy(notes + 12, "VMCOREINFO", 11);
	o.notes = notes;
	o.notes_len = sizeof(notes);
	write_core(path, segs, 1, &o);
	ok(t, cs_source_open(&src, paths, 1, true, &err) == CS_OK && src.vmcoreinfo_size == 0,
	   "overrunning note ignored");
	if (src.ops)
		cs_source_close(&src);
	unlink(path);
}

int main(void)
{
	struct tap t = {0};

	test_proc_vmcore(&t, true);
	test_proc_vmcore(&t, false);
	test_xnum(&t);
	test_qemu(&t);
	test_hostile(&t);
	return tap_done(&t);
}
