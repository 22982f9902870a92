/* engine/adapt.h: --adapt: the compression level follows whichever of CPU or output holds the dump back, batch by batch, with hysteresis. */
#ifndef CS_ADAPT_H
#define CS_ADAPT_H

#include "core/types.h"

/* Slots for levels CS_ADAPT_LEVEL_MIN .. CS_ADAPT_LEVEL_MIN + CS_ADAPT_SLOTS - 1 (zstd: -64..31). */
#define CS_ADAPT_LEVEL_MIN (-64)
#define CS_ADAPT_SLOTS 96

/*
 * From the batches made at the current level: CPU ns per page (to read, test
 * and compress it, over the threads compressing) and the ns per page the
 * writer waited on the output. Both are measured on the same pages, so a
 * change of content along the dump (zero-ish slab, random page cache) does not
 * look like a better or worse level. Every target buffers (a pipe, a socket,
 * the page cache), so output and compression overlap and the dump goes at the
 * slower of the two: the level moves up while the writer waits on the output
 * and down while it does not (engine/adapt.c), settling where they balance.
 * A level is judged on a window of its own batches holding a few of the
 * writer's 1 MiB writes.
 */
struct cs_adapt {
	int min, max, cur;
	unsigned ncpu;            /* threads compressing */
	double ns, wait_ns, pages; /* CPU, writer's wait and pages of batches at cur (decayed) */
	double out_bytes;         /* all bytes handed to the writer */
	double win_bytes;         /* output of this window at cur */
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
