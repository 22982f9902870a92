/* tests/unit/test_scan_gen.c: cs_scan on a generated vmcore against mkvmcore's truth file and manifest. */
#include "core/kernel.h"
#include "engine/scan.h"
#include "filters/dump_level.h"
#include "formats/source.h"
#include "tests/gen/truth.h"
#include "tests/lib/tap.h"

#include <sys/stat.h>
#include <time.h>

/*
 * CS_TEST_VMCORE=FILE runs it (else SKIP, exit 77). The truth file
 * (CS_TEST_TRUTH, default FILE.truth: one byte per pfn, tests/gen/truth.h)
 * gives the class of every pfn; from it the expected 1st/2nd bitmaps and
 * counts of every level follow (zero pages aside: they are the writer's).
 * FILE.manifest.json, when present, is checked for the classes the scan decides.
 */

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	struct stat st;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) == 0 && (buf = malloc((size_t)st.st_size + 1)) &&
	    fread(buf, 1, (size_t)st.st_size, f) == (size_t)st.st_size) {
		*len = (size_t)st.st_size;
		buf[*len] = 0;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static bool excluded_at(unsigned cls, int level)
{
	switch (cls) {
	case CS_TRUTH_FREE: return level & 16;
	case CS_TRUTH_CACHE: return level & 6;
	case CS_TRUTH_CACHE_PRIVATE: return level & 4;
	case CS_TRUTH_USER: return level & 8;
	case CS_TRUTH_HWPOISON:
	case CS_TRUTH_OFFLINE: return true;
	default: return false;
	}
}

/*
 * The number for `key` in the manifest's entry for dump level `level`:
 * mkvmcore writes "levels": {"31": {"zero": N, "cache": N, ...}, ...}.
 * Returns false if the level or key is absent.
 */
static bool manifest_get(const char *json, int level, const char *key, uint64_t *out)
{
	char lpat[32], kpat[64];
	const char *p = strstr(json, "\"levels\""), *end;

	if (!p)
		return false;
	snprintf(lpat, sizeof(lpat), "\"%d\":", level);
	snprintf(kpat, sizeof(kpat), "\"%s\":", key);
	p = strstr(p, lpat);
	if (!p)
		return false;
	end = strchr(p, '}');
	p = strstr(p, kpat);
	if (!p || (end && p > end))
		return false;
	p += strlen(kpat);
	while (*p == ' ')
		p++;
	*out = strtoull(p, NULL, 10);
	return true;
}

int main(void)
{
	struct tap t = {0};
	const char *path = getenv("CS_TEST_VMCORE");
	const char *truth_path = getenv("CS_TEST_TRUTH");
	const char *levels_env = getenv("CS_TEST_LEVELS");
	char buf[4096];
	struct cs_source src;
	struct cs_kernel *k;
	struct cs_err err;
	uint8_t *truth = NULL;
	char *manifest = NULL;
	size_t truth_len = 0, mlen = 0;

	cs_err_clear(&err);
	if (!path || !*path) {
		printf("SKIP: set CS_TEST_VMCORE=FILE (a mkvmcore output)\n");
		return 77;
	}
	if (!truth_path) {
		snprintf(buf, sizeof(buf), "%s.truth", path);
		truth_path = buf;
	}
	truth = slurp(truth_path, &truth_len);
	{
		char mp[4096];
		snprintf(mp, sizeof(mp), "%s.manifest.json", path);
		manifest = (char *)slurp(mp, &mlen);
	}
	printf("# truth: %s, manifest: %s\n", truth ? truth_path : "(none)", manifest ? "yes" : "(none)");
	if (cs_source_open(&src, &path, 1, true, &err) != CS_OK) {
		printf("not ok 1 - open %s: %s\n", path, err.msg);
		return 1;
	}
	k = calloc(1, sizeof(*k));
	if (!ok(&t, cs_kernel_init_source(k, &src, NULL, &err) == CS_OK && k->have_model, "kernel init: %s",
		err.msg))
		return tap_done(&t);

	for (int level = 0; level <= 31; level++) {
		struct cs_bitmap b1 = {0}, b2 = {0};
		struct cs_page_stats st;
		uint64_t want[CS_TRUTH_NCLASSES] = {0};
		uint64_t bad1 = 0, bad2 = 0, first1 = UINT64_MAX, first2 = UINT64_MAX, npartial = 0;
		struct timespec t0, t1;

		if (levels_env && !strstr(levels_env, ",") && atoi(levels_env) != level)
			continue;
		cs_err_clear(&err);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (!ok(&t, cs_scan(k, &src, level, &b1, &b2, &st, &err) == CS_OK, "-d %d: scan: %s", level,
			err.msg))
			continue;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("# -d %d: %.3f s, total %" PRIu64 " hole %" PRIu64 " free %" PRIu64 " cache %" PRIu64
		       " cache_private %" PRIu64 " user %" PRIu64 " hwpoison %" PRIu64 " offline %" PRIu64
		       " unverified %" PRIu64 "\n",
		       level, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, st.total, st.hole,
		       st.free, st.cache, st.cache_private, st.user, st.hwpoison, st.offline,
		       st.kept_unverified);
		if (truth && truth_len) {
			pfn_t n = CS_MAX((pfn_t)truth_len, st.total);
			for (pfn_t pfn = 0; pfn < n; pfn++) {
				unsigned b = pfn < truth_len ? truth[pfn] : 0, cls = cs_truth_class(b);
				bool present = cls != CS_TRUTH_HOLE && pfn < st.total;
				bool kept = present && !(b & CS_TRUTH_F_NODATA) && !excluded_at(cls, level);

				/* makedumpfile counts a page in a class only if it still had data. */
				if (present && !(b & CS_TRUTH_F_NODATA) && excluded_at(cls, level))
					want[cls]++;
				/*
				 * A partial page's presence is the reader's decision
				 * (formats/elf_read.c follows makedumpfile 1.7.2's
				 * bitmaps); the truth file marks it F_PARTIAL.
				 */
				if ((b & CS_TRUTH_F_PARTIAL) && !present) {
					npartial += cs_bitmap_test(&b1, pfn);
					continue;
				}
				if (cs_bitmap_test(&b1, pfn) != present) {
					bad1++;
					first1 = CS_MIN(first1, pfn);
				}
				if (cs_bitmap_test(&b2, pfn) != kept) {
					if (bad2 < 5)
						printf("#   -d %d pfn 0x%" PRIxPFN ": truth 0x%02x, bitmap2 %d\n", level,
						       pfn, b, cs_bitmap_test(&b2, pfn));
					bad2++;
					first2 = CS_MIN(first2, pfn);
				}
			}
			if (npartial)
				printf("# -d %d: %" PRIu64 " partial page(s) the truth calls HOLE are present\n",
				       level, npartial);
			ok(&t, bad1 == 0, "-d %d: bitmap1 = truth (%" PRIu64 " differ, first 0x%" PRIx64 ")", level,
			   bad1, first1);
			ok(&t, bad2 == 0, "-d %d: bitmap2 = truth (%" PRIu64 " differ, first 0x%" PRIx64 ")", level,
			   bad2, first2);
			ok_eq_u64(&t, st.free, want[CS_TRUTH_FREE], "-d %d: free = truth", level);
			ok_eq_u64(&t, st.cache, want[CS_TRUTH_CACHE], "-d %d: cache = truth", level);
			ok_eq_u64(&t, st.cache_private, want[CS_TRUTH_CACHE_PRIVATE], "-d %d: cache_private = truth",
				  level);
			ok_eq_u64(&t, st.user, want[CS_TRUTH_USER], "-d %d: user = truth", level);
			ok_eq_u64(&t, st.hwpoison, want[CS_TRUTH_HWPOISON], "-d %d: hwpoison = truth", level);
			ok_eq_u64(&t, st.offline, want[CS_TRUTH_OFFLINE], "-d %d: offline = truth", level);
		}
		if (manifest) {
			/*
			 * Only what the scan decides: makedumpfile's hole (and so its
			 * remaining) counts pfns of overlapping PT_LOADs twice and can
			 * wrap below zero; zero pages are the writer's.
			 */
			static const char *const keys[] = {"total", "cache", "cache_private", "user",
							   "free", "hwpoison", "offline"};
			uint64_t got[] = {st.total, st.cache, st.cache_private, st.user,
					  st.free, st.hwpoison, st.offline};
			for (size_t i = 0; i < CS_ARRAY_SIZE(keys); i++) {
				uint64_t w;
				if (manifest_get(manifest, level, keys[i], &w))
					ok_eq_u64(&t, got[i], w, "-d %d: %s = manifest", level, keys[i]);
			}
		}
		cs_bitmap_deinit(&b1);
		cs_bitmap_deinit(&b2);
	}
	cs_kernel_deinit(k);
	free(k);
	cs_source_close(&src);
	free(truth);
	free(manifest);
	return tap_done(&t);
}
