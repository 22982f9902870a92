/* engine/adapt.c: --adapt: move the level toward where CPU and output cost a page alike (engine/adapt.h). */
#include "engine/adapt.h"

#include <string.h>

/* Batches at a level before it is judged: 4 x 256 pages = 4 MiB of input. */
#define DECIDE_BATCHES 4
/* Pipelined: the balance band. */
#define UP 1.25
#define DOWN 0.8
/*
 * Serial: one zstd level up costs 15-75% more CPU for 2-13% fewer bytes on
 * kernel pages (docs/performance.md, l4 -d 31), so it pays when the output
 * takes about 6x the CPU; below 3x a level down does.
 */
#define SERIAL_UP 6.0
#define SERIAL_DOWN 3.0
/* Weight kept by older figures at each decision. */
#define DECAY 0.5

void cs_adapt_init(struct cs_adapt *a, int start, int min, int max, unsigned ncpu)
{
	memset(a, 0, sizeof(*a));
	a->min = CS_MAX(min, CS_ADAPT_LEVEL_MIN);
	a->max = CS_MIN(max, CS_ADAPT_LEVEL_MIN + CS_ADAPT_SLOTS - 1);
	a->cur = CS_MIN(CS_MAX(start, a->min), a->max);
	if (a->cur == 0) /* zstd's 0 means "default": never a step of its own */
		a->cur = a->max >= 1 ? 1 : -1;
	a->ncpu = ncpu ? ncpu : 1;
}

/* The next level in direction dir (+1/-1) within the bounds, skipping 0; cur when there is none. */
static int step(const struct cs_adapt *a, int dir)
{
	int n = a->cur + dir;

	if (n == 0)
		n += dir;
	return n >= a->min && n <= a->max ? n : a->cur;
}

static void decide(struct cs_adapt *a)
{
	double rate = a->out_bytes / a->out_ns; /* bytes per ns */
	double cpu = a->ns / a->pages / a->ncpu, out = a->bytes / a->pages / rate;
	double up = a->ncpu > 1 ? UP : SERIAL_UP, down = a->ncpu > 1 ? DOWN : SERIAL_DOWN;
	int next = a->cur;

	if (out > up * cpu)
		next = step(a, +1);
	else if (out < down * cpu)
		next = step(a, -1);
	if (next != a->cur) {
		a->changes++;
		a->cur = next;
		a->ns = a->bytes = a->pages = 0; /* the new level is measured on its own pages */
	} else {
		a->ns *= DECAY;
		a->bytes *= DECAY;
		a->pages *= DECAY;
	}
	a->out_bytes *= DECAY;
	a->out_ns *= DECAY;
}

int cs_adapt_batch(struct cs_adapt *a, int level, size_t npages, size_t data_len, uint64_t work_ns,
		   uint64_t put_ns)
{
	a->out_bytes += (double)data_len;
	a->out_ns += (double)put_ns;
	/* Batches planned before the last change were made at another level: not this one's figures. */
	if (level != a->cur || !npages)
		return a->cur;
	a->ns += (double)work_ns;
	a->bytes += (double)data_len;
	a->pages += (double)npages;
	/*
	 * Not before the writer has taken a write: it buffers 1 MiB of page data,
	 * and until it flushes every target looks infinitely fast.
	 */
	if (++a->batches >= DECIDE_BATCHES && a->out_ns >= 1e5 && a->out_bytes > 0) {
		a->batches = 0;
		decide(a);
	}
	return a->cur;
}
