/* tests/unit/test_bitmap.c: pfn bitmaps, whole and as windows (cyclic mode), against a byte-per-pfn model. */
#include "core/bitmap.h"
#include "tests/lib/tap.h"
#include "tests/lib/rand.h"

#define NPFN 5000u

/* Random set/clear ranges on a window [first, end) and on a model; every query must agree. */
static void check_window(struct tap *t, pfn_t first, pfn_t end, uint64_t seed)
{
	uint8_t model[NPFN + 64];
	struct cs_bitmap bm, src;
	struct cs_err err;
	uint64_t s = seed;
	bool all = true;

	memset(model, 0, sizeof(model));
	ok(t, cs_bitmap_init_window(&bm, first, end, &err) == CS_OK, "window [%" PRIu64 ", %" PRIu64 ")",
	   first, end);
	for (int op = 0; op < 300; op++) {
		pfn_t a = test_rand(&s) % (NPFN + 64), b = a + test_rand(&s) % 300;
		bool set = test_rand(&s) & 1;

		if (set)
			cs_bitmap_set_range(&bm, a, b);
		else
			cs_bitmap_clear_range(&bm, a, b);
		for (pfn_t p = CS_MAX(a, first); p < CS_MIN(b, end); p++)
			model[p] = set;
	}
	for (pfn_t p = 0; p < NPFN + 64 && all; p++)
		all = cs_bitmap_test(&bm, p) == (p >= first && p < end && model[p]);
	ok(t, all, "test() agrees with the model, nothing outside the window");
	all = true;
	for (int q = 0; q < 200 && all; q++) {
		pfn_t a = test_rand(&s) % (NPFN + 64), b = a + test_rand(&s) % 700, want_set = end,
		      want_clear = end;
		uint64_t cnt = 0;

		for (pfn_t p = CS_MAX(a, first); p < CS_MIN(b, end); p++)
			cnt += model[p];
		for (pfn_t p = CS_MAX(a, first); p < end; p++)
			if (model[p]) {
				want_set = p;
				break;
			}
		for (pfn_t p = CS_MAX(a, first); p < end; p++)
			if (!model[p]) {
				want_clear = p;
				break;
			}
		all = cs_bitmap_count(&bm, a, b) == cnt && cs_bitmap_next_set(&bm, a) == want_set &&
		      cs_bitmap_next_clear(&bm, a) == want_clear;
		if (!all)
			printf("# query [%" PRIu64 ", %" PRIu64 ")\n", a, b);
	}
	ok(t, all, "count / next_set / next_clear agree with the model");

	/* AND with a whole bitmap holding every third pfn below 4000: bits beyond it count as clear. */
	cs_bitmap_init(&src, 4000, &err);
	for (pfn_t p = 0; p < 4000; p += 3)
		cs_bitmap_set(&src, p);
	cs_bitmap_and(&bm, &src);
	all = true;
	for (pfn_t p = first; p < end && all; p++)
		all = cs_bitmap_test(&bm, p) == (model[p] && p < 4000 && p % 3 == 0);
	ok(t, all, "and() with a whole bitmap");
	cs_bitmap_deinit(&src);

	/* Moving the window clears it and makes only the new pfns addressable. */
	if (end - first >= 128) {
		cs_bitmap_move_window(&bm, first + 64, end - 64);
		ok_eq_u64(t, cs_bitmap_count(&bm, 0, NPFN + 64), 0, "moved window is clear");
		cs_bitmap_set_range(&bm, 0, NPFN + 64);
		ok_eq_u64(t, cs_bitmap_count(&bm, 0, NPFN + 64), end - first - 128,
			  "moved window holds exactly its pfns");
		ok(t, !cs_bitmap_test(&bm, first + 63) && cs_bitmap_test(&bm, first + 64) &&
			      cs_bitmap_next_set(&bm, 0) == first + 64,
		   "moved window starts at its first pfn");
	}
	cs_bitmap_deinit(&bm);
}

int main(void)
{
	struct tap t = {0};

	check_window(&t, 0, NPFN, 1);
	check_window(&t, 0, 1, 2);
	check_window(&t, 64, 1000, 3);
	check_window(&t, 1024, 3333, 4);
	check_window(&t, 4096, NPFN, 5);
	check_window(&t, 4992, NPFN, 6);
	return tap_done(&t);
}
