/* engine/adapt.h: --adapt: the compression level follows whichever of CPU or output holds the dump back, batch by batch, with hysteresis. */
#ifndef CS_ADAPT_H
#define CS_ADAPT_H

#include "core/types.h"

/* Slots for levels CS_ADAPT_LEVEL_MIN .. CS_ADAPT_LEVEL_MIN + CS_ADAPT_SLOTS - 1 (zstd: -64..31). */
#define CS_ADAPT_LEVEL_MIN (-64)
#define CS_ADAPT_SLOTS 96

/*
 * From the batches made at the current level: CPU ns per page (to read, test
 * and compress it, over the threads compressing) and output ns per page (its
 * bytes over the rate the writer has been taking bytes at). They are compared
 * on the same pages, so a change of content along the dump (zero-ish slab,
 * random page cache) does not look like a better or worse level.
 *  - threads compressing while the output drains (ncpu >= 2): the dump goes
 *    at the slower of the two, so the level moves toward where they balance:
 *    up when output > UP x CPU, down when output < DOWN x CPU;
 *  - one thread doing both in turn: the times add, and a level up pays only
 *    when the bytes it saves (a few %) outweigh its CPU (tens of %): up when
 *    output > SERIAL_UP x CPU, down below SERIAL_DOWN x CPU.
 * Between the bounds nothing moves (hysteresis); a move waits for
 * DECIDE_BATCHES batches at the new level.
 */
struct cs_adapt {
	int min, max, cur;
	unsigned ncpu;            /* threads compressing; 1: compression and output take turns */
	double ns, bytes, pages;  /* CPU, output bytes and pages of batches at cur (decayed) */
	double out_bytes, out_ns; /* bytes the writer took, and the time it took (decayed) */
	unsigned batches;         /* at cur since the last decision */
	unsigned changes;         /* level changes made */
};

void cs_adapt_init(struct cs_adapt *a, int start, int min, int max, unsigned ncpu);

/*
 * One committed batch compressed at `level`: npages pages, data_len output
 * bytes, work_ns of CPU to make them, put_ns for the writer to take them.
 * Returns the level for the batches planned from now on.
 */
int cs_adapt_batch(struct cs_adapt *a, int level, size_t npages, size_t data_len, uint64_t work_ns,
		   uint64_t put_ns);

#endif
