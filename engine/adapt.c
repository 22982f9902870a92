/* engine/adapt.c: --adapt: move the level toward where compression and the output hold a page up alike (engine/adapt.h). */
#include "engine/adapt.h"

#include <string.h>

/* Batches at a level before it is judged (with WINDOW_OUT_BYTES of output): 4 x 256 pages at least. */
#define DECIDE_BATCHES 4
/*
 * The output holds the dump back when the writer waits on it for more than
 * UP of the CPU time per page: a level up trades CPU it has spare for bytes.
 * Below DOWN it hardly waits: a level down trades bytes for CPU. In between
 * nothing moves (hysteresis).
 */
#define UP 0.25
#define DOWN 0.05
/* Weight kept by older figures at each decision. */
#define DECAY 0.5
/*
 * A level is judged on at least this much of its output: the writer hands
 * the output 1 MiB at a time, so a shorter window may hold no wait at all.
 * (It also lets a pipe or socket swallow its first bytes before any verdict.)
 */
#define WINDOW_OUT_BYTES (3u << 20)

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
	double cpu = a->ns / a->pages / a->ncpu, wait = a->wait_ns / a->pages;
	int next = a->cur;

	if (wait > UP * cpu)
		next = step(a, +1);
	else if (wait < DOWN * cpu)
		next = step(a, -1);
	if (next != a->cur) {
		a->changes++;
		a->cur = next;
		a->ns = a->wait_ns = a->pages = 0; /* the new level is measured on its own pages */
	} else {
		a->ns *= DECAY;
		a->wait_ns *= DECAY;
		a->pages *= DECAY;
	}
}

int cs_adapt_batch(struct cs_adapt *a, int level, size_t npages, size_t data_len, uint64_t work_ns,
		   uint64_t put_ns)
{
	a->out_bytes += (double)data_len;
	/* Batches planned before the last change were made at another level: not this one's figures. */
	if (level != a->cur || !npages)
		return a->cur;
	a->ns += (double)work_ns;
	a->wait_ns += (double)put_ns;
	a->pages += (double)npages;
	a->win_bytes += (double)data_len;
	if (++a->batches >= DECIDE_BATCHES && a->win_bytes >= WINDOW_OUT_BYTES) {
		a->batches = 0;
		a->win_bytes = 0;
		decide(a);
	}
	return a->cur;
}
