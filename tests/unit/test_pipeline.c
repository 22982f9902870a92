/* tests/unit/test_pipeline.c: the write pipeline: identical output for 1/2/8 threads, every codec, -F/-R, errors. */
#include "engine/pipeline.h"
#include "formats/kdump_codec.h"
#include "formats/kdump_format.h"
#include "tests/lib/tap.h"
#include "tests/unit/kdump_verify.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <sys/stat.h>

#define PS 4096u
#define NPFN 6000u

/* An in-memory source: pages are a function of the pfn; optional map_pages; optional failing pfn. */
struct memsrc {
	uint8_t *mem;
	bool allow_map;
	uint64_t fail_pfn; /* read_pages fails here (UINT64_MAX: never) */
	const struct cs_bitmap *bm2;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static void make_page(uint64_t pfn, uint8_t *p)
{
	static const char text[] = "struct page *page = pfn_to_page(pfn); if (PageBuddy(page)) ";
	uint64_t s = mix(pfn + 1);

	switch (pfn % 6) {
	case 0:
		memset(p, 0, PS);
		break;
	case 1:
		for (size_t i = 0; i < PS; i += 8) {
			s = mix(s);
			memcpy(p + i, &s, 8);
		}
		break;
	case 2:
		for (size_t i = 0; i < PS; i++)
			p[i] = (uint8_t)text[(i + pfn) % (sizeof(text) - 1)];
		break;
	case 3:
		memset(p, (int)(pfn & 0xff) | 1, PS);
		break;
	case 4:
		memset(p, 0, PS);
		p[PS - 1] = 1; /* almost zero: must not be taken for a zero page */
		break;
	default:
		memset(p, 0, PS);
		for (size_t i = 0; i < PS / 2; i += 8) {
			s = mix(s);
			memcpy(p + i, &s, 8);
		}
	}
}

static cs_status ms_read_pages(struct cs_source *src, pfn_t pfn, size_t n, void *buf,
			       struct cs_loss *loss, struct cs_err *err)
{
	struct memsrc *m = src->priv;
	(void)loss;
	if (m->fail_pfn >= pfn && m->fail_pfn < pfn + n)
		return cs_err_set(err, CS_ERR_IO, "injected read error at pfn 0x%" PRIx64, m->fail_pfn);
	memcpy(buf, m->mem + pfn * PS, n * PS);
	return CS_OK;
}

static const void *ms_map_pages(struct cs_source *src, pfn_t pfn, size_t n)
{
	struct memsrc *m = src->priv;
	(void)n;
	if (!m->allow_map || (m->fail_pfn >= pfn && m->fail_pfn < pfn + n))
		return NULL;
	return m->mem + pfn * PS;
}

static const struct cs_source_ops memsrc_ops = {
	.name = "memory",
	.read_pages = ms_read_pages,
	.map_pages = ms_map_pages,
};

static int expect_page(void *arg, uint64_t pfn, uint8_t *buf)
{
	struct memsrc *m = arg;
	if (!cs_bitmap_test(m->bm2, pfn))
		return 0;
	memcpy(buf, m->mem + pfn * PS, PS);
	return 1;
}

struct prog {
	uint64_t calls, last_done, last_total;
	bool monotonic;
};

static void on_progress(void *arg, uint64_t done, uint64_t total)
{
	struct prog *p = arg;
	if (done < p->last_done)
		p->monotonic = false;
	p->calls++;
	p->last_done = done;
	p->last_total = total;
}

static const char *tmpdir(void)
{
	static const char *const dir = "build/tmp/test_pipeline";
	mkdir("build", 0755);
	mkdir("build/tmp", 0755);
	mkdir(dir, 0755);
	return dir;
}

static cs_status run_erased(struct cs_source *src, const struct cs_bitmap *b1, const struct cs_bitmap *b2,
			    const struct cs_dump_header_info *hdr, const struct cs_codec *codec,
			    unsigned nthreads, size_t batch, const char *path, bool flat,
			    struct cs_pipeline_stats *stats, struct prog *prog,
			    const struct cs_erase_map *erase, struct cs_err *err)
{
	struct cs_pipeline_cfg cfg = {
		.codec = codec,
		.nthreads = nthreads,
		.exclude_zero = hdr->dump_level & 1,
		.batch_pages = batch,
		.progress = prog ? on_progress : NULL,
		.progress_arg = prog,
		.erase = erase,
	};
	struct cs_sink *sink = NULL;
	cs_status st;
	int fd = -1;

	if (flat) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		st = cs_sink_flat_create(fd, path, &sink, err);
	} else if (path) {
		unlink(path);
		st = cs_sink_file_create(path, false, &sink, err);
	} else {
		st = cs_sink_null_create(&sink, err);
	}
	if (st)
		return st;
	cfg.sink = sink;
	st = cs_pipeline_run(&cfg, src, b1, b2, hdr, stats, err);
	cs_sink_destroy(sink);
	if (fd >= 0)
		close(fd);
	return st;
}

static cs_status run_one(struct cs_source *src, const struct cs_bitmap *b1, const struct cs_bitmap *b2,
			 const struct cs_dump_header_info *hdr, const struct cs_codec *codec,
			 unsigned nthreads, size_t batch, const char *path, bool flat,
			 struct cs_pipeline_stats *stats, struct prog *prog, struct cs_err *err)
{
	return run_erased(src, b1, b2, hdr, codec, nthreads, batch, path, flat, stats, prog, NULL, err);
}

/*
 * --config: the erase map's bytes become 'X' (or zeros) in every output page,
 * every other byte equals the source, the source is untouched (map_pages on),
 * for every codec, -d 0 and 1, 1/2/8 threads. The expected image is edited by
 * hand here, not by core/erase.c.
 */
static void check_erase(struct tap *t, struct cs_source *src, struct memsrc *m,
			const struct cs_bitmap *b1, const struct cs_bitmap *b2,
			struct cs_dump_header_info *hdr, const char *dir)
{
	static const struct {
		uint64_t paddr, len;
		uint8_t fill;
	} er[] = {
		{17 * PS + 100, 50, 'X'},       /* inside one page */
		{20 * PS + 4090, 20, 'X'},      /* across a page boundary: 6 + 14 bytes */
		{2601 * PS, 8, 0},              /* nullify */
		{31 * PS, 3 * PS, 'X'},         /* three whole pages (none of them zero before) */
		{3100 * PS, 64, 'X'},           /* a page not dumped: nothing */
		{22 * PS + PS - 8, 8, 0},       /* pfn 22's only non-zero byte: now a zero page */
		{40 * PS, 100, 'X'},            /* overlapping: X, then zeros in paddr order */
		{40 * PS + 50, 8, 0},
		{5999 * PS + 10, 10, 'X'},      /* a pfn not in the bitmaps */
	};
	const struct cs_codec *const *codecs = cs_codec_list();
	static const unsigned threads[] = {1, 2, 8};
	struct cs_erase_map map = {0};
	struct memsrc want = {.bm2 = b2};
	uint8_t *orig = malloc((size_t)NPFN * PS);
	struct cs_err err;
	bool added = true;
	char path[256];

	want.mem = malloc((size_t)NPFN * PS);
	memcpy(want.mem, m->mem, (size_t)NPFN * PS);
	memcpy(orig, m->mem, (size_t)NPFN * PS);
	for (size_t i = 0; i < CS_ARRAY_SIZE(er); i++) {
		memset(want.mem + er[i].paddr, er[i].fill, er[i].len);
		added &= cs_erase_map_add(&map, er[i].paddr, er[i].len, er[i].fill, &err) == CS_OK;
	}
	cs_erase_map_finish(&map);
	ok(t, added && map.n == CS_ARRAY_SIZE(er), "erase map: %zu ranges", map.n);
	ok(t, cs_erase_map_touches(&map, 21 * PS, PS) && !cs_erase_map_touches(&map, 23 * PS, 7 * PS) &&
		      cs_erase_map_touches(&map, 33 * PS + PS - 1, 1) && !cs_erase_map_touches(&map, 34 * PS, PS),
	   "erase map: which pages it touches");
	for (size_t c = 0; codecs[c]; c++) {
		for (int dl = 0; dl <= 1; dl++) {
			for (size_t ti = 0; ti < CS_ARRAY_SIZE(threads); ti++) {
				struct cs_pipeline_stats stats;
				uint64_t zshared = 0;
				cs_status st;

				hdr->dump_level = dl;
				snprintf(path, sizeof(path), "%s/erase-%s-d%d-t%u.kdump", dir, codecs[c]->name,
					 dl, threads[ti]);
				st = run_erased(src, b1, b2, hdr, codecs[c], threads[ti], threads[ti] == 8 ? 37 : 0,
						path, false, &stats, NULL, &map, &err);
				ok(t, st == CS_OK && kv_verify(path, NPFN, expect_page, &want, &zshared) == 0,
				   "erase, %s -d %d, %u threads: exactly the erased bytes differ from the source",
				   codecs[c]->name, dl, threads[ti]);
				if (dl == 1 && ti == 0 && c == 0) {
					struct memsrc plain = {.mem = orig, .bm2 = b2};
					struct cs_pipeline_stats pstats;

					ok(t, kv_verify(path, NPFN, expect_page, &plain, NULL) != 0,
					   "erase: the output is not the unerased source");
					snprintf(path, sizeof(path), "%s/erase-plain.kdump", dir);
					st = run_one(src, b1, b2, hdr, codecs[c], 1, 0, path, false, &pstats, NULL, &err);
					ok(t, st == CS_OK && stats.zero_pages == pstats.zero_pages + 1,
					   "erase: erasing before the zero test makes pfn 22 a zero page (%" PRIu64
					   " zero pages, %" PRIu64 " without erasing)", stats.zero_pages,
					   pstats.zero_pages);
				}
				unlink(path);
			}
		}
	}
	ok(t, memcmp(orig, m->mem, (size_t)NPFN * PS) == 0, "erase: the source's pages are unchanged");
	cs_erase_map_free(&map);
	free(want.mem);
	free(orig);
}

/* Cyclic mode: windows of `span` pfns copied from whole bitmaps, as engine/job.c rescans them. */
struct windows {
	const struct cs_bitmap *whole1, *whole2;
	struct cs_bitmap w1, w2;
	pfn_t span, max_mapnr;
	unsigned calls;
};

static void fill_window(struct windows *wd, pfn_t first)
{
	pfn_t end = CS_MIN(first + wd->span, wd->max_mapnr);

	cs_bitmap_move_window(&wd->w1, first, end);
	cs_bitmap_move_window(&wd->w2, first, end);
	for (pfn_t p = first; p < end; p++) {
		if (cs_bitmap_test(wd->whole1, p))
			cs_bitmap_set(&wd->w1, p);
		if (cs_bitmap_test(wd->whole2, p))
			cs_bitmap_set(&wd->w2, p);
	}
}

static cs_status next_window(void *arg, struct cs_err *err)
{
	struct windows *wd = arg;

	(void)err;
	wd->calls++;
	fill_window(wd, wd->w1.nbits);
	return CS_OK;
}

/* The windowed run must write the whole-bitmap file `ref` byte for byte. */
static void check_windows(struct tap *t, struct cs_source *src, const struct cs_bitmap *b1,
			  const struct cs_bitmap *b2, const struct cs_dump_header_info *hdr,
			  const char *dir, const char *ref, unsigned nthreads, pfn_t span)
{
	struct windows wd = {.whole1 = b1, .whole2 = b2, .span = span, .max_mapnr = hdr->max_mapnr};
	struct cs_pipeline_cfg cfg = {
		.codec = cs_codec_by_name("lzo"),
		.nthreads = nthreads,
		.exclude_zero = hdr->dump_level & 1,
		.batch_pages = nthreads == 8 ? 37 : 0,
		.next_window = next_window,
		.window_arg = &wd,
		.num_dumpable = cs_bitmap_count(b2, 0, hdr->max_mapnr),
	};
	struct cs_pipeline_stats stats;
	struct cs_sink *sink = NULL;
	struct cs_err err;
	char path[256];
	cs_status st;

	if (!cfg.codec)
		return;
	snprintf(path, sizeof(path), "%s/lzo-windows-%u-t%u.kdump", dir, (unsigned)span, nthreads);
	unlink(path);
	cs_bitmap_init_window(&wd.w1, 0, span, &err);
	cs_bitmap_init_window(&wd.w2, 0, span, &err);
	fill_window(&wd, 0);
	st = cs_sink_file_create(path, false, &sink, &err);
	cfg.sink = sink;
	if (st == CS_OK)
		st = cs_pipeline_run(&cfg, src, &wd.w1, &wd.w2, hdr, &stats, &err);
	cs_sink_destroy(sink);
	ok(t, st == CS_OK, "windows of %u pfns, %u threads: run (%s)", (unsigned)span, nthreads,
	   st ? err.msg : "ok");
	ok_eq_u64(t, wd.calls, CS_DIV_ROUND_UP(hdr->max_mapnr, span) - 1, "every later window asked for once");
	ok(t, st == CS_OK && kv_cmp(ref, path) == 0, "windows of %u pfns, %u threads: the whole-bitmap file",
	   (unsigned)span, nthreads);
	cs_bitmap_deinit(&wd.w1);
	cs_bitmap_deinit(&wd.w2);
}

int main(void)
{
	struct tap t = { 0 };
	struct memsrc m = { .allow_map = true, .fail_pfn = UINT64_MAX };
	struct cs_source src = { .ops = &memsrc_ops, .priv = &m, .page_size = PS, .path = "mem" };
	struct cs_bitmap b1, b2;
	struct cs_err err;
	struct cs_dump_header_info hdr = { .page_size = PS, .max_mapnr = NPFN, .dump_level = 1,
					   .nr_cpus = 2 };
	char path[256], ref[256];
	const char *dir = tmpdir();
	static const unsigned threads[] = { 1, 2, 8 };
	const struct cs_codec *const *codecs = cs_codec_list();
	uint64_t nset;

	m.mem = malloc((size_t)NPFN * PS);
	for (uint64_t p = 0; p < NPFN; p++)
		make_page(p, m.mem + p * PS);
	cs_bitmap_init(&b1, NPFN, &err);
	cs_bitmap_init(&b2, NPFN, &err);
	cs_bitmap_set_range(&b1, 16, 2000);
	cs_bitmap_set_range(&b1, 2600, 5990);
	cs_bitmap_set_range(&b2, 16, 2000);
	cs_bitmap_set_range(&b2, 2600, 5990);
	for (uint64_t p = 0; p < NPFN; p += 7)
		cs_bitmap_clear(&b2, p); /* sparse exclusions: many short runs */
	cs_bitmap_clear_range(&b2, 3000, 3700);
	m.bm2 = &b2;
	nset = cs_bitmap_count(&b2, 0, NPFN);

	for (size_t c = 0; codecs[c]; c++) {
		for (int dl = 0; dl <= 1; dl++) {
			hdr.dump_level = dl;
			for (size_t ti = 0; ti < CS_ARRAY_SIZE(threads); ti++) {
				struct cs_pipeline_stats stats;
				struct prog prog = { .monotonic = true };
				uint64_t zshared = 0;
				cs_status st;

				snprintf(path, sizeof(path), "%s/%s-d%d-t%u.kdump", dir, codecs[c]->name, dl,
					 threads[ti]);
				/* Small batches with many threads exercise the reorder ring. */
				st = run_one(&src, &b1, &b2, &hdr, codecs[c], threads[ti],
					     threads[ti] == 8 ? 37 : 0, path, false, &stats, &prog, &err);
				ok(&t, st == CS_OK, "%s -d %d, %u threads: run (%s)", codecs[c]->name, dl,
				   threads[ti], st ? err.msg : "ok");
				if (st)
					continue;
				ok_eq_u64(&t, stats.pages_written, nset, "%s: pages written", codecs[c]->name);
				ok(&t, prog.monotonic && prog.last_done == nset && prog.last_total == nset,
				   "%s: progress reaches the total", codecs[c]->name);
				ok(&t, kv_verify(path, NPFN, expect_page, &m, &zshared) == 0,
				   "%s -d %d, %u threads: every page reads back", codecs[c]->name, dl,
				   threads[ti]);
				if (dl & 1) {
					ok(&t, zshared == stats.zero_pages && zshared > 0,
					   "%s: %" PRIu64 " zero pages share the zero page", codecs[c]->name,
					   zshared);
				}
				if (ti == 0) {
					snprintf(ref, sizeof(ref), "%s", path);
				} else {
					ok(&t, kv_cmp(ref, path) == 0,
					   "%s -d %d: %u threads byte-identical to 1 thread", codecs[c]->name,
					   dl, threads[ti]);
				}
			}
		}
	}

	check_erase(&t, &src, &m, &b1, &b2, &hdr, dir);

	/* Cyclic mode: the same file whatever the window and thread count. */
	snprintf(ref, sizeof(ref), "%s/lzo-d1-t1.kdump", dir);
	hdr.dump_level = 1;
	check_windows(&t, &src, &b1, &b2, &hdr, dir, ref, 1, 1024);
	check_windows(&t, &src, &b1, &b2, &hdr, dir, ref, 2, 64);
	check_windows(&t, &src, &b1, &b2, &hdr, dir, ref, 8, 2048);
	check_windows(&t, &src, &b1, &b2, &hdr, dir, ref, 2, NPFN);

	/* Without map_pages (pread path) the bytes are the same. */
	{
		struct cs_pipeline_stats stats;
		hdr.dump_level = 1;
		m.allow_map = false;
		snprintf(path, sizeof(path), "%s/lzo-nomap.kdump", dir);
		snprintf(ref, sizeof(ref), "%s/lzo-d1-t1.kdump", dir);
		ok(&t, run_one(&src, &b1, &b2, &hdr, cs_codec_by_name("lzo"), 2, 0, path, false, &stats,
			       NULL, &err) == CS_OK && kv_cmp(ref, path) == 0,
		   "read_pages fallback gives identical output");
		m.allow_map = true;
	}

	/* -F then -R gives the plain file; the null sink counts the same bytes. */
	{
		struct cs_pipeline_stats stats, nstats;
		char flat[256], rebuilt[256];
		int fd;
		cs_status st;

		snprintf(flat, sizeof(flat), "%s/zstd.flat", dir);
		snprintf(rebuilt, sizeof(rebuilt), "%s/zstd.rebuilt", dir);
		snprintf(ref, sizeof(ref), "%s/%s-d1-t1.kdump", dir, codecs[CS_ARRAY_SIZE(threads) > 1 && codecs[1] ? 1 : 0]->name);
		st = run_one(&src, &b1, &b2, &hdr, codecs[1] ? codecs[1] : codecs[0], 2, 0, flat, true,
			     &stats, NULL, &err);
		ok(&t, st == CS_OK, "flattened run (%s)", st ? err.msg : "ok");
		unlink(rebuilt);
		fd = open(flat, O_RDONLY);
		st = cs_flat_rebuild(fd, rebuilt, false, &err);
		close(fd);
		ok(&t, st == CS_OK, "-R rebuild (%s)", st ? err.msg : "ok");
		ok(&t, kv_cmp(ref, rebuilt) == 0, "-F | -R is byte-identical to the direct output");
		fd = open(flat, O_RDONLY);
		st = cs_flat_rebuild(fd, rebuilt, false, &err);
		close(fd);
		ok(&t, st == CS_ERR_ARGS, "-R refuses an existing file without force");
		fd = open(flat, O_RDONLY);
		st = cs_flat_rebuild(fd, rebuilt, true, &err);
		close(fd);
		ok(&t, st == CS_OK, "-R overwrites with force");
		st = run_one(&src, &b1, &b2, &hdr, codecs[1] ? codecs[1] : codecs[0], 1, 0, NULL, false,
			     &nstats, NULL, &err);
		{
			struct stat sb;
			stat(ref, &sb);
			ok(&t, st == CS_OK && nstats.bytes_written == stats.bytes_written &&
				       nstats.data_bytes == stats.data_bytes,
			   "null sink counts the same bytes (%" PRIu64 ")", nstats.bytes_written);
		}
		/* A truncated stream is an error. */
		{
			size_t len = 0;
			uint8_t *f = kv_slurp(flat, &len);
			char cut[256];
			snprintf(cut, sizeof(cut), "%s/cut.flat", dir);
			fd = open(cut, O_WRONLY | O_CREAT | O_TRUNC, 0600);
			if (write(fd, f, len - 100) < 0)
				perror("write");
			close(fd);
			free(f);
			fd = open(cut, O_RDONLY);
			st = cs_flat_rebuild(fd, rebuilt, true, &err);
			close(fd);
			ok(&t, st == CS_ERR_FORMAT, "-R: truncated stream is rejected (%s)", err.msg);
		}
	}

	/* O_EXCL: an existing output is not overwritten. */
	{
		struct cs_sink *s = NULL;
		struct stat sb;
		snprintf(path, sizeof(path), "%s/lzo-d1-t1.kdump", dir);
		ok(&t, cs_sink_file_create(path, false, &s, &err) == CS_ERR_ARGS, "existing file: %s", err.msg);
		snprintf(path, sizeof(path), "%s/mode.kdump", dir);
		unlink(path);
		ok(&t, cs_sink_file_create(path, false, &s, &err) == CS_OK, "create new file");
		cs_sink_destroy(s);
		ok(&t, stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "created 0600");
	}

	/* A read error names the pfn and leaves an incomplete-flagged file. */
	for (unsigned nt = 1; nt <= 4; nt += 3) {
		struct cs_pipeline_stats stats;
		struct cs_disk_dump_header dh;
		cs_status st;
		size_t len = 0;
		uint8_t *f;

		m.fail_pfn = 4000;
		snprintf(path, sizeof(path), "%s/fail-t%u.kdump", dir, nt);
		st = run_one(&src, &b1, &b2, &hdr, cs_codec_by_name("zlib") ? cs_codec_by_name("zlib") : &cs_codec_none,
			     nt, 0, path, false, &stats, NULL, &err);
		ok(&t, st == CS_ERR_IO && strstr(err.msg, "0xfa0"), "%u threads: read error reported: %s",
		   nt, err.msg);
		f = kv_slurp(path, &len);
		memcpy(&dh, f, sizeof(dh));
		ok(&t, dh.status & CS_DUMP_DH_COMPRESSED_INCOMPLETE, "%u threads: file marked incomplete", nt);
		free(f);
		m.fail_pfn = UINT64_MAX;
	}

	/*
	 * Out of space (RLIMIT_FSIZE gives EFBIG, reported like ENOSPC): the error
	 * names the offset, the file is flagged incomplete, and every descriptor
	 * on disk either points at good data or is zero ("lost", core/loss.h).
	 */
	{
		pid_t pid;
		int wst = 0;

		snprintf(path, sizeof(path), "%s/nospc.kdump", dir);
		unlink(path);
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			struct rlimit rl = { 12u << 20, 12u << 20 };
			struct cs_pipeline_stats stats;
			signal(SIGXFSZ, SIG_IGN);
			setrlimit(RLIMIT_FSIZE, &rl);
			cs_status st = run_one(&src, &b1, &b2, &hdr, &cs_codec_none, 2, 0, path, false,
					       &stats, NULL, &err);
			printf("# child: %s\n", err.msg);
			_exit(st == CS_ERR_NOSPC && strstr(err.msg, "offset 0x") ? 0 : 1);
		}
		waitpid(pid, &wst, 0);
		ok(&t, WIFEXITED(wst) && WEXITSTATUS(wst) == 0, "file size limit: CS_ERR_NOSPC naming the offset");
		{
			size_t len = 0, lost = 0, good = 0, badd = 0;
			uint8_t *f = kv_slurp(path, &len), want[PS], got[PS];
			struct cs_disk_dump_header dh;
			memcpy(&dh, f, sizeof(dh));
			ok(&t, dh.status & CS_DUMP_DH_COMPRESSED_INCOMPLETE, "ENOSPC: file marked incomplete");
			uint64_t pd_off = (uint64_t)(1 + dh.sub_hdr_size + dh.bitmap_blocks) * PS, rank = 0;
			for (uint64_t p = 0; p < NPFN; p++) {
				struct cs_page_desc pd;
				struct cs_err e2;
				if (!cs_bitmap_test(&b2, p))
					continue;
				memcpy(&pd, f + pd_off + 24 * rank++, sizeof(pd));
				if (pd.offset == 0) {
					lost++;
					continue;
				}
				memcpy(want, m.mem + p * PS, PS);
				if ((uint64_t)pd.offset + pd.size <= len &&
				    !cs_kdump_decode_page(pd.flags, f + pd.offset, pd.size, got, PS, &e2) &&
				    !memcmp(got, want, PS))
					good++;
				else
					badd++;
			}
			printf("# ENOSPC: %zu pages good, %zu lost, %zu bad\n", good, lost, badd);
			ok(&t, good > 0 && lost > 0 && badd == 0, "ENOSPC: descriptors on disk point at good data");
			free(f);
		}
	}

	{
		struct cs_pipeline_cfg cfg = { .codec = cs_codec_by_name("zstd"), .nthreads = 2 };
		size_t mem = cs_pipeline_mem_bytes(&cfg, PS);
		printf("# pipeline memory, 2 threads: %zu KiB\n", mem >> 10);
		ok(&t, mem < 32u << 20, "fixed memory with 2 threads < 32 MiB");
	}

	cs_bitmap_deinit(&b1);
	cs_bitmap_deinit(&b2);
	free(m.mem);
	return tap_done(&t);
}
