/* tests/unit/test_kdump_write.c: the kdump writer: header fields, layout, eraseinfo, and byte-identity with makedumpfile. */
#include "engine/pipeline.h"
#include "formats/kdump_codec.h"
#include "formats/kdump_format.h"
#include "formats/notes.h"
#include "tests/lib/tap.h"
#include "tests/unit/kdump_verify.h"

#include <elf.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#define PS 4096u
#define DIR "build/tmp/test_kdump_write"

struct seg {
	uint64_t paddr;
	uint64_t pages;      /* p_memsz in pages */
	uint64_t file_pages; /* p_filesz in pages */
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static void page_of(uint64_t pfn, uint8_t *p)
{
	uint64_t s = mix(pfn * 7919 + 3);
	switch (pfn % 5) {
	case 0:
		memset(p, 0, PS); /* zero page */
		break;
	case 1:
		for (size_t i = 0; i < PS; i += 8) {
			s = mix(s + i);
			memcpy(p + i, &s, 8);
		}
		break;
	case 2:
		for (size_t i = 0; i < PS; i++)
			p[i] = "kernel text and data "[(i + pfn) % 21];
		break;
	case 3:
		memset(p, (int)pfn, PS);
		break;
	default:
		memset(p, 0, PS);
		memcpy(p + 100, &s, 8);
	}
}

/* Write a small x86_64 ELF vmcore: PT_NOTE (2 CORE notes + VMCOREINFO), PT_LOADs per segs. */
static int write_vmcore(const char *path, const struct seg *segs, size_t nsegs, bool vmcoreinfo)
{
	static const char vmci[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\nCRASHTIME=1700000123\n";
	uint8_t notes[2048], prstatus[336], page[PS];
	size_t nlen = 0, phnum = 1 + nsegs;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint64_t off;
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	memset(prstatus, 0, sizeof(prstatus));
	for (int cpu = 0; cpu < 2; cpu++) {
		prstatus[32] = (uint8_t)(cpu + 1); /* pr_pid */
		nlen += cs_note_write(notes + nlen, "CORE", NT_PRSTATUS, prstatus, sizeof(prstatus));
	}
	if (vmcoreinfo)
		nlen += cs_note_write(notes + nlen, "VMCOREINFO", 0, vmci, sizeof(vmci) - 1);

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
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = (Elf64_Half)phnum;
	fwrite(&eh, sizeof(eh), 1, f);

	off = sizeof(eh) + phnum * sizeof(ph);
	memset(&ph, 0, sizeof(ph));
	ph.p_type = PT_NOTE;
	ph.p_offset = off;
	ph.p_filesz = ph.p_memsz = nlen;
	fwrite(&ph, sizeof(ph), 1, f);
	off = CS_ALIGN_UP(off + nlen, PS);
	for (size_t i = 0; i < nsegs; i++) {
		memset(&ph, 0, sizeof(ph));
		ph.p_type = PT_LOAD;
		ph.p_flags = PF_R | PF_W | PF_X;
		ph.p_offset = off;
		ph.p_paddr = segs[i].paddr;
		ph.p_vaddr = 0xffff888000000000ULL + segs[i].paddr;
		ph.p_filesz = segs[i].file_pages * PS;
		ph.p_memsz = segs[i].pages * PS;
		fwrite(&ph, sizeof(ph), 1, f);
		off += ph.p_filesz;
	}
	fwrite(notes, 1, nlen, f);
	off = sizeof(eh) + phnum * sizeof(ph) + nlen;
	memset(page, 0, PS);
	fwrite(page, 1, CS_ALIGN_UP(off, PS) - off, f);
	for (size_t i = 0; i < nsegs; i++) {
		for (uint64_t p = 0; p < segs[i].file_pages; p++) {
			page_of(segs[i].paddr / PS + p, page);
			fwrite(page, 1, PS, f);
		}
	}
	return fclose(f);
}

/* Parse a decimal KEY=value from the VMCOREINFO text. */
static int64_t vmci_num(const struct cs_source *src, const char *key)
{
	size_t len, kl = strlen(key);
	const char *t = cs_source_vmcoreinfo(src, &len);

	for (size_t i = 0; t && i + kl < len; i++) {
		if ((i == 0 || t[i - 1] == '\n') && !strncmp(t + i, key, kl) && t[i + kl] == '=')
			return strtoll(t + i + kl + 1, NULL, 10);
	}
	return 0;
}

struct ours_opts {
	const struct cs_codec *codec;
	int dump_level;
	bool flat;
	unsigned nthreads;
	const char *eraseinfo;
};

/* Our dump of `in` with makedumpfile's -d 0/1 bitmaps: 1st = PT_LOAD pages, 2nd = those with file data. */
static cs_status ours(const char *in, const char *out, const struct ours_opts *o,
		      struct cs_pipeline_stats *stats, struct cs_err *err)
{
	const char *paths[1] = { in };
	struct cs_source src;
	struct cs_bitmap b1, b2;
	struct cs_sink *sink = NULL;
	struct cs_dump_header_info hdr;
	cs_status st;
	int fd = -1;

	st = cs_source_open(&src, paths, 1, true, err);
	if (st)
		return st;
	cs_bitmap_init(&b1, src.max_pfn, err);
	cs_bitmap_init(&b2, src.max_pfn, err);
	for (size_t i = 0; i < src.nr_ranges; i++) {
		cs_bitmap_set_range(&b1, src.ranges[i].start, src.ranges[i].end);
		cs_bitmap_set_range(&b2, src.ranges[i].start, src.ranges[i].data_end);
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.page_size = src.page_size;
	hdr.max_mapnr = src.max_pfn;
	hdr.dump_level = o->dump_level;
	hdr.notes = src.notes;
	hdr.notes_size = src.notes_size;
	hdr.vmcoreinfo_off = src.vmcoreinfo_off;
	hdr.vmcoreinfo_size = src.vmcoreinfo_size;
	hdr.nr_cpus = src.nr_cpus;
	hdr.phys_base = src.have_phys_base ? src.phys_base : 0;
	hdr.timestamp = vmci_num(&src, "CRASHTIME");
	if (o->eraseinfo) {
		hdr.eraseinfo = o->eraseinfo;
		hdr.eraseinfo_size = strlen(o->eraseinfo);
	}
	unlink(out);
	if (o->flat) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		st = cs_sink_flat_create(fd, out, &sink, err);
	} else {
		st = cs_sink_file_create(out, false, &sink, err);
	}
	if (!st) {
		struct cs_pipeline_cfg cfg = {
			.codec = o->codec,
			.nthreads = o->nthreads,
			.sink = sink,
			.exclude_zero = o->dump_level & 1,
		};
		st = cs_pipeline_run(&cfg, &src, &b1, &b2, &hdr, stats, err);
	}
	cs_sink_destroy(sink);
	if (fd >= 0)
		close(fd);
	cs_bitmap_deinit(&b1);
	cs_bitmap_deinit(&b2);
	cs_source_close(&src);
	return st;
}

static int sh(const char *cmd)
{
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static bool have_makedumpfile(void)
{
	return sh("makedumpfile -v >/dev/null 2>&1") == 0;
}

struct exp_ctx {
	const struct seg *segs;
	size_t nsegs;
};

static int expect_elf(void *arg, uint64_t pfn, uint8_t *buf)
{
	const struct exp_ctx *e = arg;
	for (size_t i = 0; i < e->nsegs; i++) {
		uint64_t first = e->segs[i].paddr / PS;
		if (pfn >= first && pfn < first + e->segs[i].file_pages) {
			page_of(pfn, buf);
			return 1;
		}
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
 * Real-dump mode: `test_kdump_write VMCORE [LEVEL]`. makedumpfile filters
 * VMCORE; we take its bitmaps and header facts (utsname, phys_base, ...: the
 * CLI's job, not the writer's) and write the same pages through the pipeline
 * with each codec, then compare bytes (deterministic codecs) and times.
 */
static int main_real(const char *in, int level)
{
	struct tap t = { 0 };
	static const struct {
		const char *opt, *name;
		bool identical;
	} cases[] = {
		{ "", "none", true },
		{ "-l", "lzo", true },
		{ "-c", "zlib-zlib", true },
		{ "-c", "zlib", false },
		{ "-z", "zstd", false },
		{ "-p", "snappy", false },
	};
	const char *paths[1] = { in };
	char cmd[2048], mdf[256], our[256];
	struct cs_source src;
	struct cs_err err;

	mkdir("build", 0755);
	mkdir("build/tmp", 0755);
	mkdir(DIR, 0755);
	if (cs_source_open(&src, paths, 1, true, &err)) {
		printf("# %s\n", err.msg);
		return 1;
	}
	for (size_t i = 0; i < CS_ARRAY_SIZE(cases); i++) {
		const struct cs_codec *c =
#ifdef HAVE_ZLIB
			!strcmp(cases[i].name, "zlib-zlib") ? &cs_codec_zlib_zlib :
#endif
			cs_codec_by_name(cases[i].name);
		double t0, t_mdf = 0, t_ours;
		struct cs_disk_dump_header dh;
		struct cs_kdump_sub_header ksh;
		struct cs_dump_header_info hdr;
		struct cs_bitmap b1, b2;
		struct cs_pipeline_stats stats;
		struct cs_sink *sink = NULL;
		uint8_t *f;
		size_t len = 0, half;
		struct stat sb_m, sb_o;
		cs_status st;

		if (!c)
			continue;
		snprintf(mdf, sizeof(mdf), DIR "/real-mdf-%s-d%d", cases[i].opt[0] ? cases[i].opt + 1 : "n", level);
		snprintf(our, sizeof(our), DIR "/real-ours-%s-d%d", cases[i].name, level);
		if (stat(mdf, &sb_m) != 0) {
			snprintf(cmd, sizeof(cmd), "makedumpfile %s -d %d %s %s >%s.log 2>&1", cases[i].opt, level,
				 in, mdf, mdf);
			t0 = now();
			if (sh(cmd)) {
				printf("# makedumpfile %s cannot dump %s: see %s.log\n", cases[i].opt, in, mdf);
				continue;
			}
			t_mdf = now() - t0;
		}
		f = kv_slurp(mdf, &len);
		memcpy(&dh, f, sizeof(dh));
		memcpy(&ksh, f + dh.block_size, sizeof(ksh));
		memset(&hdr, 0, sizeof(hdr));
		hdr.page_size = (uint32_t)dh.block_size;
		hdr.max_mapnr = ksh.max_mapnr_64;
		hdr.dump_level = ksh.dump_level;
		hdr.notes = src.notes;
		hdr.notes_size = src.notes_size;
		hdr.vmcoreinfo_off = src.vmcoreinfo_off;
		hdr.vmcoreinfo_size = src.vmcoreinfo_size;
		hdr.nr_cpus = dh.nr_cpus;
		hdr.phys_base = ksh.phys_base;
		memcpy(hdr.utsname, &dh.utsname, sizeof(hdr.utsname));
		hdr.timestamp = dh.timestamp.tv_sec;
		ok(&t, ksh.size_note == src.notes_size &&
			       !memcmp(f + ksh.offset_note, src.notes, src.notes_size),
		   "%s: makedumpfile copied the same notes", cases[i].name);
		half = (size_t)dh.bitmap_blocks * dh.block_size / 2;
		cs_bitmap_init(&b1, hdr.max_mapnr, &err);
		cs_bitmap_init(&b2, hdr.max_mapnr, &err);
		memcpy(b1.words, f + (size_t)(1 + dh.sub_hdr_size) * dh.block_size,
		       CS_MIN(half, cs_bitmap_bytes(hdr.max_mapnr)));
		memcpy(b2.words, f + (size_t)(1 + dh.sub_hdr_size) * dh.block_size + half,
		       CS_MIN(half, cs_bitmap_bytes(hdr.max_mapnr)));
		free(f);

		unlink(our);
		t0 = now();
		if (getenv("CS_TEST_NULL_SINK")) /* time the pipeline without the disk */
			st = cs_sink_null_create(&sink, &err);
		else
			st = cs_sink_file_create(our, false, &sink, &err);
		if (!st && getenv("CS_TEST_NOSYNC"))
			cs_sink_file_set_durable(sink, false);
		if (!st) {
			struct cs_pipeline_cfg cfg = { .codec = c, .sink = sink, .exclude_zero = level & 1 };
			if (getenv("CS_TEST_LEVEL"))
				cfg.level = atoi(getenv("CS_TEST_LEVEL"));
			if (getenv("CS_TEST_THREADS"))
				cfg.nthreads = (unsigned)atoi(getenv("CS_TEST_THREADS"));
			st = cs_pipeline_run(&cfg, &src, &b1, &b2, &hdr, &stats, &err);
		}
		t_ours = now() - t0;
		cs_sink_destroy(sink);
		ok(&t, st == CS_OK, "%s -d %d: our write (%s)", cases[i].name, level, st ? err.msg : "ok");
		stat(mdf, &sb_m);
		stat(our, &sb_o);
		printf("# %-9s -d %d: makedumpfile %.2fs (incl. filtering) %" PRIu64 " bytes, ours %.2fs (write only) %" PRIu64
		       " bytes (%.3fx)\n", cases[i].name, level, t_mdf, (uint64_t)sb_m.st_size, t_ours,
		       (uint64_t)sb_o.st_size, (double)sb_o.st_size / (double)sb_m.st_size);
		if (cases[i].identical && !getenv("CS_TEST_NULL_SINK"))
			ok(&t, kv_cmp(mdf, our) == 0, "%s -d %d: byte-identical to makedumpfile %s", cases[i].name,
			   level, cases[i].opt);
		if (st == CS_OK && !getenv("CS_TEST_NULL_SINK") && !getenv("CS_TEST_FAST")) {
			/* libkdumpfile reads every kept page back as in the source. */
			snprintf(cmd, sizeof(cmd), "/usr/bin/python3 tests/integ/kdump_verify.py %s %s", our, in);
			int rc = sh(cmd);
			if (rc != 77)
				ok(&t, rc == 0, "%s: libkdumpfile reads every page back", cases[i].name);
			/* makedumpfile can re-filter what we wrote. */
			if (cs_kdump_codec_flag(c) == 0 || cs_kdump_codec_flag(c) == 1 || cs_kdump_codec_flag(c) == 2) {
				snprintf(cmd, sizeof(cmd), "rm -f %s.re && makedumpfile -d 31 %s %s.re >%s.re.log 2>&1",
					 our, our, our, our);
				ok(&t, sh(cmd) == 0, "%s: makedumpfile -d 31 re-filters our dump", cases[i].name);
			}
		}
		cs_bitmap_deinit(&b1);
		cs_bitmap_deinit(&b2);
	}
	cs_source_close(&src);
	return tap_done(&t);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return main_real(argv[1], argc > 2 ? atoi(argv[2]) : 31);
	{
	struct tap t = { 0 };
	struct cs_err err;
	struct cs_pipeline_stats stats;
	/* A small two-segment layout, plus a segment with p_filesz < p_memsz and an unaligned gap. */
	static const struct seg segs[] = {
		{ 0x100000, 64, 64 },
		{ 0x800000, 32, 32 },
		{ 0x1000000, 300, 260 },
	};
	struct exp_ctx ec = { segs, CS_ARRAY_SIZE(segs) };
	/* makedumpfile needs kernel symbols once VMCOREINFO exists, so its comparisons use a core without. */
	const char *in = DIR "/vmcore", *in_vmci = DIR "/vmcore-vmcoreinfo";
	char cmd[1024];
	cs_status st;

	mkdir("build", 0755);
	mkdir("build/tmp", 0755);
	mkdir(DIR, 0755);
	ok(&t, write_vmcore(in, segs, CS_ARRAY_SIZE(segs), false) == 0 &&
		       write_vmcore(in_vmci, segs, CS_ARRAY_SIZE(segs), true) == 0,
	   "wrote test ELF vmcores");

	/* Header fields and layout (formats/kdump_format.h). */
	{
		struct ours_opts o = { .codec = cs_codec_by_name("lzo") ? cs_codec_by_name("lzo") : &cs_codec_none,
				       .dump_level = 1, .nthreads = 2,
				       .eraseinfo = "erase jiffies size 8\n" };
		const char *out = DIR "/ours-hdr.kdump";
		struct cs_disk_dump_header dh;
		struct cs_kdump_sub_header ksh;
		size_t len = 0;
		uint8_t *f;
		uint64_t zeros = 0;

		st = ours(in_vmci, out, &o, &stats, &err);
		ok(&t, st == CS_OK, "our dump (%s)", st ? err.msg : "ok");
		f = kv_slurp(out, &len);
		memcpy(&dh, f, sizeof(dh));
		memcpy(&ksh, f + PS, sizeof(ksh));
		ok(&t, !memcmp(dh.signature, "KDUMP   ", 8), "signature");
		ok_eq_u64(&t, dh.header_version, 6, "header_version");
		ok_eq_u64(&t, dh.status, cs_kdump_codec_flag(o.codec), "status = codec flag");
		ok_eq_u64(&t, dh.block_size, PS, "block_size");
		ok_eq_u64(&t, dh.sub_hdr_size, 1, "sub_hdr_size");
		ok_eq_u64(&t, dh.max_mapnr, 0x1000 + 300, "max_mapnr");
		ok_eq_u64(&t, dh.bitmap_blocks, 2, "bitmap_blocks");
		ok_eq_u64(&t, dh.nr_cpus, 2, "nr_cpus = CORE notes");
		ok_eq_u64(&t, dh.timestamp.tv_sec, 1700000123, "timestamp = CRASHTIME");
		ok_eq_u64(&t, ksh.offset_note, PS + 104, "offset_note");
		ok(&t, ksh.size_vmcoreinfo > 0 &&
			       !memcmp(f + ksh.offset_vmcoreinfo, "OSRELEASE=6.1.0-test\n", 21),
		   "offset_vmcoreinfo points at the text");
		ok_eq_u64(&t, ksh.dump_level, 1, "dump_level");
		ok_eq_u64(&t, ksh.max_mapnr_64, 0x1000 + 300, "max_mapnr_64");
		ok(&t, ksh.size_eraseinfo == 21 && (size_t)ksh.offset_eraseinfo + 21 == len &&
			       !memcmp(f + ksh.offset_eraseinfo, "erase jiffies size 8\n", 21),
		   "eraseinfo at the end of the file");
		{
			uint64_t pd_start = (1 + 1 + 2) * PS;
			uint64_t nd = 64 + 32 + 260;
			struct cs_page_desc pd;
			memcpy(&pd, f + pd_start, sizeof(pd));
			/* pfn 0x100 is a zero page (pfn % 5 == 1? no: 0x100 % 5 == 1 -> random). */
			ok_eq_u64(&t, pd.offset >= (int64_t)(pd_start + nd * 24), 1, "data after the descriptors");
			ok_eq_u64(&t, stats.pages_written, nd, "pages written");
		}
		ok(&t, kv_verify(out, 0x1000 + 300, expect_elf, &ec, &zeros) == 0, "every page reads back");
		ok(&t, zeros == stats.zero_pages && zeros > 0, "zero pages share one page (%" PRIu64 ")", zeros);
		free(f);
	}

	if (!have_makedumpfile()) {
		printf("# makedumpfile not installed: byte-identity checks skipped\n");
		return tap_done(&t);
	}

	/* Byte-identity with makedumpfile where the compressor is deterministic and the same. */
	{
		struct {
			const char *mdf_opt;
			const char *codec;
			int dl;
		} cases[] = {
			{ "", "none", 0 },
			{ "", "none", 1 },
			{ "-l", "lzo", 1 },
			{ "-l", "lzo", 0 },
			{ "-c", "zlib-zlib", 1 },
		};
		for (size_t i = 0; i < CS_ARRAY_SIZE(cases); i++) {
			char mdf[256], our[256];
			const struct cs_codec *c = !strcmp(cases[i].codec, "zlib-zlib")
#ifdef HAVE_ZLIB
							   ? &cs_codec_zlib_zlib
#else
							   ? NULL
#endif
							   : cs_codec_by_name(cases[i].codec);
			struct ours_opts o = { .codec = c, .dump_level = cases[i].dl, .nthreads = 2 };

			if (!c)
				continue;
			snprintf(mdf, sizeof(mdf), DIR "/mdf-%s-d%d", cases[i].codec, cases[i].dl);
			snprintf(our, sizeof(our), DIR "/ours-%s-d%d", cases[i].codec, cases[i].dl);
			unlink(mdf);
			snprintf(cmd, sizeof(cmd), "makedumpfile %s -d %d %s %s >%s.log 2>&1", cases[i].mdf_opt,
				 cases[i].dl, in, mdf, mdf);
			ok(&t, sh(cmd) == 0, "makedumpfile %s -d %d accepts the vmcore", cases[i].mdf_opt, cases[i].dl);
			st = ours(in, our, &o, &stats, &err);
			ok(&t, st == CS_OK, "ours %s -d %d (%s)", cases[i].codec, cases[i].dl, st ? err.msg : "ok");
			ok(&t, kv_cmp(mdf, our) == 0, "%s -d %d: byte-identical to makedumpfile %s",
			   cases[i].codec, cases[i].dl, cases[i].mdf_opt);
		}
	}

	/* -F: makedumpfile -R rebuilds our stream; we rebuild makedumpfile's. */
	{
		struct ours_opts o = { .codec = &cs_codec_none, .dump_level = 1, .flat = true, .nthreads = 1 };
		const char *our_flat = DIR "/ours.flat", *mdf_plain = DIR "/mdf-none-d1";
		int fd;

		st = ours(in, our_flat, &o, &stats, &err);
		ok(&t, st == CS_OK, "our -F stream (%s)", st ? err.msg : "ok");
		unlink(DIR "/mdfR-of-ours");
		snprintf(cmd, sizeof(cmd), "makedumpfile -R %s <%s >/dev/null 2>&1", DIR "/mdfR-of-ours", our_flat);
		ok(&t, sh(cmd) == 0, "makedumpfile -R reads our stream");
		ok(&t, kv_cmp(mdf_plain, DIR "/mdfR-of-ours") == 0, "makedumpfile -R of ours = makedumpfile's file");

		snprintf(cmd, sizeof(cmd), "makedumpfile -F -d 1 %s >%s 2>/dev/null", in, DIR "/mdf.flat");
		ok(&t, sh(cmd) == 0, "makedumpfile -F");
		unlink(DIR "/ourR-of-mdf");
		fd = open(DIR "/mdf.flat", O_RDONLY);
		st = cs_flat_rebuild(fd, DIR "/ourR-of-mdf", false, &err);
		close(fd);
		ok(&t, st == CS_OK, "our -R of makedumpfile's stream (%s)", st ? err.msg : "ok");
		ok(&t, kv_cmp(mdf_plain, DIR "/ourR-of-mdf") == 0, "our -R = makedumpfile's file");
	}

	/* makedumpfile re-filters our compressed outputs (it needs VMCOREINFO for that: see main_real). */
	if (sh("rm -f " DIR "/mdf-refilter && makedumpfile -d 1 " DIR "/mdf-lzo-d1 " DIR "/mdf-refilter >/dev/null 2>&1")) {
		printf("# makedumpfile cannot re-filter even its own dump of this core: re-filter check skipped\n");
	} else {
		static const char *const names[] = { "lzo", "zlib" };
		for (size_t i = 0; i < CS_ARRAY_SIZE(names); i++) {
			const struct cs_codec *c = cs_codec_by_name(names[i]);
			struct ours_opts o = { .codec = c, .dump_level = 1, .nthreads = 2 };
			char our[256], re[256];
			if (!c)
				continue;
			snprintf(our, sizeof(our), DIR "/refilter-%s.kdump", names[i]);
			snprintf(re, sizeof(re), DIR "/refilter-%s.out", names[i]);
			ok(&t, ours(in, our, &o, &stats, &err) == CS_OK, "ours %s", names[i]);
			unlink(re);
			snprintf(cmd, sizeof(cmd), "makedumpfile -d 1 %s %s >%s.log 2>&1", our, re, re);
			ok(&t, sh(cmd) == 0, "makedumpfile -d 1 re-filters our %s dump", names[i]);
			ok(&t, kv_verify(re, 0x1000 + 300, expect_elf, &ec, NULL) == 0,
			   "re-filtered %s dump has every page", names[i]);
		}
	}
	return tap_done(&t);
}
}
