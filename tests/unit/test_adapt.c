/* tests/unit/test_adapt.c: --adapt's level choice on a model of zstd on kernel pages: it dumps about as fast as the best fixed level for each output speed, and stays within its bounds. */
#include "engine/adapt.h"
#include "tests/lib/tap.h"

/*
 * Per page, levels -7..12 (no 0), as zstd did on the real l4 dump at -d 31
 * (bench/slow.sh; docs/performance.md): CPU ns at one thread, and bytes.
 */
static const int levels[] = { -7, -6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
static const double cpu_tab[] = { 2800, 2900, 3100, 3400, 3700, 4200, 4600, 8300, 9000, 10000,
				  16000, 21000, 28000, 35000, 50000, 66000, 90000, 120000, 150000 };
static const double bytes_tab[] = { 1328, 1260, 1200, 1150, 1098, 1020, 951, 830, 822, 810,
				    800, 794, 792, 791, 791, 790, 760, 745, 738 };
#define NLEVELS (sizeof(levels) / sizeof(levels[0]))

static size_t idx(int level)
{
	for (size_t i = 0; i < NLEVELS; i++)
		if (levels[i] == level)
			return i;
	return 0;
}

/*
 * Nanoseconds per page at a level: every target buffers (pipe, socket, page
 * cache), so compression and output overlap and the slower one sets the pace.
 */
static double model_cost(int level, double rate, unsigned ncpu)
{
	double cpu = cpu_tab[idx(level)] / ncpu, out = bytes_tab[idx(level)] / rate;

	return cpu > out ? cpu : out;
}

/* What the writer waits per page: the output's time beyond the compression's. */
static double model_wait(int level, double rate, unsigned ncpu)
{
	double w = bytes_tab[idx(level)] / rate - cpu_tab[idx(level)] / ncpu;

	return w > 0 ? w : 0;
}

static double best_cost(double rate, unsigned ncpu, int *best)
{
	double c = 0;

	for (size_t i = 0; i < NLEVELS; i++)
		if (!i || model_cost(levels[i], rate, ncpu) < c) {
			c = model_cost(levels[i], rate, ncpu);
			*best = levels[i];
		}
	return c;
}

/* n batches of 256 pages; returns the mean ns per page, *last the final level. */
static double simulate(int start, int min, int max, double rate, unsigned ncpu, int n, int *last,
		       unsigned *changes, int *lo, int *hi)
{
	struct cs_adapt a;
	int level = start;
	double sum = 0;

	cs_adapt_init(&a, start, min, max, ncpu);
	*lo = *hi = level;
	for (int i = 0; i < n; i++) {
		double b = bytes_tab[idx(level)];

		sum += model_cost(level, rate, ncpu);
		level = cs_adapt_batch(&a, level, 256, (size_t)(256 * b), (uint64_t)(256 * cpu_tab[idx(level)]),
				       (uint64_t)(256 * model_wait(level, rate, ncpu)));
		*lo = level < *lo ? level : *lo;
		*hi = level > *hi ? level : *hi;
	}
	*last = level;
	*changes = a.changes;
	return sum / n;
}

int main(void)
{
	struct tap t = { 0 };
	/* Output rates in bytes per ns: 20 MB/s .. 4 GB/s (page cache). */
	static const double rates[] = { 0.02, 0.05, 0.1, 0.4, 4.0 };
	unsigned changes;
	int last, lo, hi, best;

	for (unsigned ncpu = 1; ncpu <= 2; ncpu++)
		for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
			double r = rates[i], c_best = best_cost(r, ncpu, &best);
			double mean = simulate(1, -7, 12, r, ncpu, 1000, &last, &changes, &lo, &hi);

			ok(&t, mean <= c_best * 1.15,
			   "%u CPU, %.0f MB/s: %.0f ns/page, within 15%% of the best fixed level %d (%.0f); ended at %d",
			   ncpu, r * 1000, mean, best, c_best, last);
			ok(&t, changes <= 1000 / 4, "%u CPU, %.0f MB/s: %u level changes in 1000 batches", ncpu,
			   r * 1000, changes);
		}
	/* A slow link wants more compression, a fast target less. */
	simulate(1, -7, 12, 0.02, 2, 400, &last, &changes, &lo, &hi);
	ok(&t, last > 1, "2 CPUs, 20 MB/s: up from level 1 (to %d)", last);
	simulate(1, -7, 12, 4.0, 2, 400, &last, &changes, &lo, &hi);
	ok(&t, last < 1, "2 CPUs, 4 GB/s: down from level 1 (to %d)", last);
	/* Bounds hold, and level 0 (zstd's "default") is never chosen. */
	simulate(5, 3, 6, 4.0, 1, 400, &last, &changes, &lo, &hi);
	ok(&t, lo == 3 && hi == 5, "bounds 3..6, fast target: levels %d..%d", lo, hi);
	simulate(-3, -3, 2, 1e-4, 1, 400, &last, &changes, &lo, &hi);
	ok(&t, lo == -3 && hi == 2, "bounds -3..2, 100 kB/s: levels %d..%d", lo, hi);
	{
		struct cs_adapt a;
		int l = -1, seen0 = 0;

		cs_adapt_init(&a, -1, -3, 3, 1);
		for (int i = 0; i < 400; i++) {
			l = cs_adapt_batch(&a, l, 256, 256 * 4000, 256 * 3000, i < 200 ? 256 * 100000 : 0);
			seen0 |= l == 0;
		}
		ok(&t, !seen0, "level 0 is stepped over both ways");
	}
	return tap_done(&t);
}
