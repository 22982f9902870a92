/* tests/unit/test_kdump_read.c: the kdump reader on makedumpfile output (plain, flattened, split, incomplete) and hand-made files (every codec). */
#include "formats/source.h"
#include "formats/kdump_codec.h"
#include "formats/notes.h"
#include "formats/kdump_format.h"
#include "formats/infile.h"
#include "compress/codec.h"
#include "tests/lib/tap.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define PS 4096u
/* Test I/O on a scratch file: a failure shows up as a failed check later. */
#define IO(call) do { if ((call) < 0) perror(#call); } while (0)

struct tseg {
	uint64_t paddr, filesz, memsz;
};

/* Page content: zero pages, compressible pages and random ones. */
static void fill_page(uint64_t pfn, uint8_t *out)
{
	uint32_t x = (uint32_t)pfn * 2654435761u + 1;

	switch (pfn % 5) {
	case 0:
		memset(out, 0, PS);
		break;
	case 1:
	case 2:
		for (unsigned i = 0; i < PS; i++)
			out[i] = (uint8_t)(pfn + i / 64);
		break;
	default:
		for (unsigned i = 0; i < PS; i++) {
			x = x * 1103515245u + 12345u;
			out[i] = (uint8_t)(x >> 16);
		}
	}
}

static int write_core(const char *path, const struct tseg *segs, size_t n, bool with_vmcoreinfo)
{
	const char *vmci = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\nCRASHTIME=1700000000\n";
	uint8_t notes[1024], prstatus[336] = {0}, page[PS];
	size_t nlen = 0, nph = n + 1;
	uint64_t dataoff;
	Elf64_Ehdr eh = {0};
	Elf64_Phdr ph[16] = {0};
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	nlen += cs_note_write(notes + nlen, "CORE", CS_NT_PRSTATUS, prstatus, sizeof(prstatus));
	nlen += cs_note_write(notes + nlen, "CORE", CS_NT_PRSTATUS, prstatus, sizeof(prstatus));
	if (with_vmcoreinfo)
		nlen += cs_note_write(notes + nlen, "VMCOREINFO", 0, vmci, strlen(vmci));
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
	eh.e_phnum = (uint16_t)nph;
	ph[0].p_type = PT_NOTE;
	ph[0].p_offset = sizeof(eh) + nph * sizeof(Elf64_Phdr);
	ph[0].p_filesz = ph[0].p_memsz = nlen;
	dataoff = CS_ALIGN_UP(ph[0].p_offset + nlen, PS);
	for (size_t i = 0; i < n; i++) {
		Elf64_Phdr *p = &ph[i + 1];
		p->p_type = PT_LOAD;
		p->p_paddr = segs[i].paddr;
		p->p_vaddr = 0xffff888000000000ULL + segs[i].paddr;
		p->p_filesz = segs[i].filesz;
		p->p_memsz = segs[i].memsz;
		p->p_offset = dataoff + (segs[i].paddr & (PS - 1));
		for (uint64_t pa = segs[i].paddr & ~(uint64_t)(PS - 1); pa < segs[i].paddr + segs[i].filesz; pa += PS) {
			fill_page(pa / PS, page);
			fseek(f, (long)(dataoff + pa - (segs[i].paddr & ~(uint64_t)(PS - 1))), SEEK_SET);
			fwrite(page, 1, PS, f);
		}
		dataoff = CS_ALIGN_UP(p->p_offset + segs[i].filesz, PS);
	}
	fseek(f, 0, SEEK_SET);
	fwrite(&eh, sizeof(eh), 1, f);
	fwrite(ph, sizeof(Elf64_Phdr), nph, f);
	fwrite(notes, 1, nlen, f);
	fclose(f);
	return 0;
}

static const struct tseg segs[] = {
	{0x0, 0x9f000, 0x9f000},
	{0x100000, 0x300000, 0x300000},
	{0x500800, 0x4000, 0x4000},   /* unaligned start: partial first page present */
	{0x600000, 0x3000, 0x10000},  /* filesz < memsz */
};

/* Every page with data in the ELF source reads the same through the kdump source. */
static void compare(struct tap *t, const char *what, const char *elf_path, const char *const *kpaths,
		    size_t nk, bool expect_zero_excluded)
{
	const char *ep[1] = {elf_path};
	struct cs_source e, k;
	struct cs_err err;
	uint8_t *a = malloc(16 * PS), *b = malloc(16 * PS);
	bool same_ranges, same = true;
	size_t checked = 0;

	if (cs_source_open(&e, ep, 1, true, &err) != CS_OK) {
		ok(t, 0, "%s: open ELF: %s", what, err.msg);
		return;
	}
	if (cs_source_open(&k, kpaths, nk, true, &err) != CS_OK) {
		ok(t, 0, "%s: open kdump: %s", what, err.msg);
		cs_source_close(&e);
		return;
	}
	ok(t, k.kind == CS_SRC_KDUMP && k.page_size == PS && k.dumpable, "%s: opened as kdump", what);
	same_ranges = e.nr_ranges == k.nr_ranges;
	for (size_t i = 0; same_ranges && i < e.nr_ranges; i++)
		same_ranges = e.ranges[i].start == k.ranges[i].start && e.ranges[i].end == k.ranges[i].end;
	/*
	 * makedumpfile 1.7.2 rounds a partial last page of a PT_LOAD into the 1st
	 * bitmap, except with --split, where it floors it: compare the others only.
	 */
	if (nk == 1)
		ok(t, same_ranges, "%s: 1st bitmap equals our ELF ranges (%zu vs %zu)", what,
		   k.nr_ranges, e.nr_ranges);
	else
		same_ranges = true;
	for (size_t i = 0; !same_ranges && i < k.nr_ranges; i++)
		printf("#   kdump [%#" PRIx64 ", %#" PRIx64 ")\n", k.ranges[i].start, k.ranges[i].end);
	ok(t, k.nr_cpus == 2, "%s: nr_cpus %d", what, k.nr_cpus);
	size_t vlen;
	const char *v = cs_source_vmcoreinfo(&k, &vlen);
	ok(t, !v && !vlen && !e.vmcoreinfo_size, "%s: no VMCOREINFO (makedumpfile 1.7.2 needs symbols then)",
	   what);
	ok(t, k.notes_size == e.notes_size && !memcmp(k.notes, e.notes, e.notes_size), "%s: notes verbatim",
	   what);
	for (pfn_t p = 0; p < e.max_pfn; p += 16) {
		size_t n = (size_t)CS_MIN((pfn_t)16, e.max_pfn - p);
		cs_status se = e.ops->read_pages(&e, p, n, a, NULL, &err);
		cs_status sk = k.ops->read_pages(&k, p, n, b, NULL, &err);
		if (sk != CS_OK && sk != CS_ERR_NODATA) {
			printf("#   pfn %#" PRIx64 ": %s\n", p, err.msg);
			same = false;
			break;
		}
		for (size_t i = 0; i < n; i++) {
			bool ed = cs_source_has_data(&e, p + i), kd = cs_source_has_data(&k, p + i);
			if (!ed)
				continue;
			if (!kd) {
				/* Only zero pages may be missing (dump level bit 1 in ELF terms). */
				uint8_t z[PS] = {0};
				if (!expect_zero_excluded || memcmp(a + i * PS, z, PS)) {
					printf("#   pfn %#" PRIx64 " missing in kdump\n", p + i);
					same = false;
				}
				continue;
			}
			if (memcmp(a + i * PS, b + i * PS, PS)) {
				printf("#   pfn %#" PRIx64 " differs\n", p + i);
				same = false;
			}
			checked++;
		}
		(void)se;
	}
	ok(t, same && checked > 500, "%s: %zu pages equal the ELF source", what, checked);
	/* read_paddr through the kdump source */
	uint8_t x[100], y[100];
	ok(t, e.ops->read_paddr(&e, 0x100ff0, x, 100, &err) == CS_OK &&
	   k.ops->read_paddr(&k, 0x100ff0, y, 100, &err) == CS_OK && !memcmp(x, y, 100),
	   "%s: read_paddr across a page boundary", what);
	ok(t, k.ops->read_paddr(&k, 0x9f000, y, 8, &err) == CS_ERR_NODATA, "%s: hole is NODATA", what);
	cs_source_close(&k);
	cs_source_close(&e);
	free(a);
	free(b);
}

static int run(const char *cmd)
{
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void with_makedumpfile(struct tap *t, const char *dir)
{
	char elf[256], out[256], out2[256], cmd[1024];
	const char *kp[2];

	snprintf(elf, sizeof(elf), "%s/vmcore.elf", dir);
	ok(t, write_core(elf, segs, CS_ARRAY_SIZE(segs), false) == 0, "write ELF vmcore");
	if (access("/usr/sbin/makedumpfile", X_OK) && access("/usr/bin/makedumpfile", X_OK)) {
		printf("# makedumpfile not installed: skipping its cases\n");
		return;
	}
	static const struct {
		const char *opts;
		bool zero_excluded;
	} cases[] = {
		{"-l -d 1", false}, {"-c -d 1", false}, {"-d 0", false}, {"-l -d 0", false},
	};
	for (size_t i = 0; i < CS_ARRAY_SIZE(cases); i++) {
		snprintf(out, sizeof(out), "%s/out%zu.kdump", dir, i);
		snprintf(cmd, sizeof(cmd), "makedumpfile %s %s %s >/dev/null 2>&1", cases[i].opts, elf, out);
		if (!ok(t, run(cmd) == 0, "makedumpfile %s", cases[i].opts))
			continue;
		kp[0] = out;
		compare(t, cases[i].opts, elf, kp, 1, cases[i].zero_excluded);
	}
	/* Flattened stream, read directly. */
	snprintf(out, sizeof(out), "%s/out.flat", dir);
	snprintf(cmd, sizeof(cmd), "makedumpfile -F -l -d 1 %s > %s 2>/dev/null", elf, out);
	if (ok(t, run(cmd) == 0, "makedumpfile -F")) {
		kp[0] = out;
		compare(t, "-F -l -d 1", elf, kp, 1, false);
	}
	/* Split set, given out of order. */
	snprintf(out, sizeof(out), "%s/split1", dir);
	snprintf(out2, sizeof(out2), "%s/split2", dir);
	snprintf(cmd, sizeof(cmd), "makedumpfile --split -l -d 1 --splitblock-size 1024 %s %s %s >/dev/null 2>&1",
		 elf, out, out2);
	if (ok(t, run(cmd) == 0, "makedumpfile --split")) {
		kp[0] = out2;
		kp[1] = out;
		compare(t, "--split", elf, kp, 2, false);
	}
}

/*
 * A hand-made kdump file: header v6, no notes, every page in [0, npages)
 * present; pfn % 7 == 6 excluded; pages compressed with `codec` when smaller.
 * incomplete: the descriptors of the last quarter are zeros.
 */
static int write_kdump(const char *path, const struct cs_codec *codec, uint32_t npages, bool incomplete)
{
	struct cs_disk_dump_header dh = {0};
	struct cs_kdump_sub_header sh = {0};
	uint32_t bmbytes = CS_ALIGN_UP((npages + 7) / 8, PS);
	uint8_t *bm1 = calloc(1, bmbytes), *bm2 = calloc(1, bmbytes), page[PS], cbuf[2 * PS];
	uint64_t pd, data, ndump = 0;
	void *state = codec && codec->state_new ? codec->state_new(0) : NULL;
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	for (uint32_t p = 0; p < npages; p++) {
		bm1[p / 8] |= (uint8_t)(1u << (p % 8));
		if (p % 7 != 6) {
			bm2[p / 8] |= (uint8_t)(1u << (p % 8));
			ndump++;
		}
	}
	memcpy(dh.signature, CS_KDUMP_SIGNATURE, 8);
	dh.header_version = 6;
	strcpy(dh.utsname.machine, "x86_64");
	dh.status = (codec ? cs_kdump_codec_flag(codec) : 0) | (incomplete ? CS_DUMP_DH_COMPRESSED_INCOMPLETE : 0);
	dh.block_size = PS;
	dh.sub_hdr_size = 1;
	dh.bitmap_blocks = 2 * bmbytes / PS;
	dh.max_mapnr = npages;
	sh.phys_base = 0x1000000;
	sh.max_mapnr_64 = npages;
	fwrite(&dh, sizeof(dh), 1, f);
	fseek(f, PS, SEEK_SET);
	fwrite(&sh, sizeof(sh), 1, f);
	fseek(f, 2 * PS, SEEK_SET);
	fwrite(bm1, 1, bmbytes, f);
	fwrite(bm2, 1, bmbytes, f);
	pd = 2 * PS + 2 * (uint64_t)bmbytes;
	data = pd + ndump * sizeof(struct cs_page_desc);
	uint64_t idx = 0;
	for (uint32_t p = 0; p < npages; p++) {
		struct cs_page_desc d = {0};
		size_t clen = 0;
		if (p % 7 == 6)
			continue;
		fill_page(p, page);
		if (codec && state)
			clen = codec->compress(state, page, PS, cbuf, sizeof(cbuf));
		d.offset = (int64_t)data;
		d.size = clen ? (uint32_t)clen : PS;
		d.flags = clen ? cs_kdump_codec_flag(codec) : 0;
		fseek(f, (long)data, SEEK_SET);
		fwrite(clen ? cbuf : page, 1, d.size, f);
		data += d.size;
		if (incomplete && idx >= ndump * 3 / 4)
			memset(&d, 0, sizeof(d));
		fseek(f, (long)(pd + idx * sizeof(d)), SEEK_SET);
		fwrite(&d, sizeof(d), 1, f);
		idx++;
	}
	fclose(f);
	if (state)
		codec->state_free(state);
	free(bm1);
	free(bm2);
	return 0;
}

static void handmade(struct tap *t, const char *dir)
{
	const struct cs_codec *const *list = cs_codec_list();
	char path[256];
	const char *kp[1] = {path};
	uint8_t *buf = malloc(64 * PS), exp[PS];

	for (size_t c = 0; list[c]; c++) {
		const struct cs_codec *codec = list[c];
		struct cs_source k;
		struct cs_err err;
		bool same = true;

		snprintf(path, sizeof(path), "%s/hand-%s.kdump", dir, codec->name);
		write_kdump(path, cs_kdump_codec_flag(codec) ? codec : NULL, 1000, false);
		if (!ok(t, cs_source_open(&k, kp, 1, false, &err) == CS_OK, "open hand-made %s: %s",
			codec->name, err.msg))
			continue;
		for (pfn_t p = 0; p < 1000; p += 64) {
			size_t n = (size_t)CS_MIN((pfn_t)64, 1000 - p);
			if (k.ops->read_pages(&k, p, n, buf, NULL, &err) != CS_OK) {
				printf("#   %s\n", err.msg);
				same = false;
				break;
			}
			for (size_t i = 0; i < n; i++) {
				fill_page(p + i, exp);
				if ((p + i) % 7 == 6)
					memset(exp, 0, PS);
				if (memcmp(buf + i * PS, exp, PS) || cs_source_has_data(&k, p + i) != ((p + i) % 7 != 6))
					same = false;
			}
		}
		ok(t, same, "hand-made %s: every page", codec->name);
		ok(t, k.e_machine == EM_X86_64 && k.input_phys_base == 0x1000000 &&
		   k.input_status == cs_kdump_codec_flag(codec), "hand-made %s: header fields", codec->name);
		cs_source_close(&k);
	}

	/* Incomplete: the last quarter's descriptors were never written. */
	{
		struct cs_source k;
		struct cs_err err;
		write_kdump(path, NULL, 1000, true);
		if (ok(t, cs_source_open(&k, kp, 1, true, &err) == CS_OK, "open incomplete dump")) {
			ok(t, k.input_status & CS_DUMP_DH_COMPRESSED_INCOMPLETE, "incomplete flag");
			ok(t, k.ops->read_pages(&k, 0, 8, buf, NULL, &err) == CS_OK, "early pages read");
			ok(t, k.ops->read_pages(&k, 990, 8, buf, NULL, &err) == CS_ERR_NODATA,
			   "lost pages read as missing (%s)", err.msg);
			cs_source_close(&k);
		}
	}

	/* Hostile headers: never crash, errors name the file. */
	{
		struct cs_source k;
		struct cs_err err;
		struct cs_disk_dump_header dh;
		int fd;

		write_kdump(path, NULL, 1000, false);
		fd = open(path, O_RDWR);
		IO(pread(fd, &dh, sizeof(dh), 0));
		dh.block_size = 12345;
		IO(pwrite(fd, &dh, sizeof(dh), 0));
		ok(t, cs_source_open(&k, kp, 1, true, &err) == CS_ERR_CORRUPT && strstr(err.msg, path),
		   "bad block size (%s)", err.msg);
		dh.block_size = PS;
		dh.bitmap_blocks = 0x7fffffff;
		IO(pwrite(fd, &dh, sizeof(dh), 0));
		ok(t, cs_source_open(&k, kp, 1, true, &err) == CS_ERR_CORRUPT, "bitmaps past EOF (%s)",
		   err.msg);
		dh.bitmap_blocks = 2;
		dh.max_mapnr = 0xffffffff;
		IO(pwrite(fd, &dh, sizeof(dh), 0));
		struct cs_kdump_sub_header sh;
		IO(pread(fd, &sh, sizeof(sh), PS));
		sh.max_mapnr_64 = 1ULL << 60;
		IO(pwrite(fd, &sh, sizeof(sh), PS));
		ok(t, cs_source_open(&k, kp, 1, true, &err) == CS_ERR_CORRUPT, "huge max_mapnr (%s)", err.msg);
		/* Corrupt descriptors: size > block size is an error naming the pfn. */
		write_kdump(path, NULL, 1000, false);
		struct cs_page_desc d = {.offset = 100, .size = 99999};
		IO(pwrite(fd, &d, sizeof(d), 2 * PS + 2 * PS));
		if (ok(t, cs_source_open(&k, kp, 1, true, &err) == CS_OK, "open with a bad descriptor")) {
			ok(t, k.ops->read_pages(&k, 0, 1, buf, NULL, &err) == CS_ERR_CORRUPT && strstr(err.msg, "pfn 0x0"),
			   "bad descriptor size (%s)", err.msg);
			cs_source_close(&k);
		}
		close(fd);
	}
	free(buf);
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void flat_record(FILE *f, int64_t off, int64_t len, int fill)
{
	uint8_t h[16], data[256];
	put_be64(h, (uint64_t)off);
	put_be64(h + 8, (uint64_t)len);
	fwrite(h, 1, 16, f);
	if (len > 0) {
		memset(data, fill, (size_t)len);
		fwrite(data, 1, (size_t)len, f);
	}
}

/* Overlapping records (later wins), holes, and a stream cut short. */
static void flat_map(struct tap *t, const char *dir)
{
	char path[256];
	uint8_t hdr[CS_FLAT_HEADER_SIZE] = {0}, got[256], want[256];
	struct cs_infile in;
	struct cs_err err;
	FILE *f;

	snprintf(path, sizeof(path), "%s/map.flat", dir);
	memcpy(hdr, CS_FLAT_SIGNATURE, 12);
	put_be64(hdr + 16, 1);
	put_be64(hdr + 24, 1);
	for (int cut = 0; cut < 2; cut++) {
		f = fopen(path, "w");
		fwrite(hdr, 1, sizeof(hdr), f);
		flat_record(f, 0, 100, 'A');
		flat_record(f, 50, 100, 'B');
		flat_record(f, 20, 10, 'C');
		flat_record(f, 200, 10, 'D');
		if (!cut)
			flat_record(f, -1, -1, 0);
		fclose(f);
		if (cut && truncate(path, CS_FLAT_HEADER_SIZE + 4 * 16 + 215) != 0)
			continue;
		if (!ok(t, cs_infile_open(&in, path, true, &err) == CS_OK, "open flattened map: %s", err.msg))
			continue;
		memset(want, 'A', 100);
		memset(want + 20, 'C', 10);
		memset(want + 50, 'B', 100);
		memset(want + 150, 0, 50);
		memset(want + 200, 'D', 10);
		if (cut)
			memset(want + 205, 0, 5);
		ok(t, in.flattened && in.flat.truncated == (cut != 0) && in.map == NULL,
		   "flattened%s: detected, not mapped", cut ? " (cut)" : "");
		ok(t, cs_infile_pread(&in, got, 210, 0, &err) == CS_OK && !memcmp(got, want, 210),
		   "flattened%s: later records win, holes read as zeros", cut ? " (cut)" : "");
		ok(t, cs_infile_pread(&in, got, 7, 97, &err) == CS_OK && !memcmp(got, want + 97, 7),
		   "flattened%s: read across records", cut ? " (cut)" : "");
		ok(t, (cs_infile_pread(&in, got, 10, 205, &err) == CS_OK) == (cut != 0),
		   "flattened%s: past the end is %s", cut ? " (cut)" : "", cut ? "zeros" : "an error");
		cs_infile_close(&in);
	}
	/* A record with a negative size is corrupt, not the end. */
	f = fopen(path, "w");
	fwrite(hdr, 1, sizeof(hdr), f);
	flat_record(f, 0, 10, 'A');
	flat_record(f, 5, -3, 0);
	fclose(f);
	ok(t, cs_infile_open(&in, path, true, &err) == CS_ERR_CORRUPT && strstr(err.msg, path),
	   "bad record rejected (%s)", err.msg);
}

int main(void)
{
	struct tap t = {0};
	char dir[] = "/tmp/cs-kdump-XXXXXX";
	char cmd[300];

	if (!mkdtemp(dir)) {
		printf("SKIP: cannot make a temporary directory\n");
		return 77;
	}
	with_makedumpfile(&t, dir);
	handmade(&t, dir);
	flat_map(&t, dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	run(cmd);
	return tap_done(&t);
}
