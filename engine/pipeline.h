/* engine/pipeline.h: the parallel, bounded, ordered write pipeline (batch planner, workers, ordered writer). */
#ifndef CS_PIPELINE_H
#define CS_PIPELINE_H

#include "core/types.h"

#include <stdatomic.h>
#include "core/error.h"
#include "core/bitmap.h"
#include "core/erase.h"
#include "core/loss.h"
#include "compress/codec.h"
#include "engine/adapt.h"
#include "formats/source.h"
#include "formats/writer.h"
#include "formats/sink.h"

/*
 * Design (docs/design.md):
 * the calling thread plans batches (runs of kept pfns, batch_pages pages
 * each, numbered), N workers read, zero-test and compress them with their
 * own codec state, and the calling thread commits finished batches strictly
 * in sequence to the writer. Hand-off is a ring of K batch slots guarded by
 * one mutex and two condition variables: nobody spins, and memory is fixed
 * (K slots + N worker buffers + the writer's buffers) whatever the dump size.
 * With nthreads == 1 everything runs inline on the calling thread; with
 * N >= 2 there are N - 1 worker threads and the calling thread compresses
 * too while the batch it must commit next is not done.
 */
struct cs_pipeline_cfg {
	const struct cs_codec *codec;        /* NULL = none (pages stored raw) */
	int level;                           /* --compress-level; 0 = codec default */
	unsigned nthreads;                   /* workers; 0 = online CPUs */
	const struct cs_writer_ops *writer;  /* NULL = &cs_kdump_writer */
	struct cs_sink *sink;                /* where the writer's bytes go (not owned) */
	bool exclude_zero;                   /* dump_level bit 1: share one zero page */
	size_t batch_pages;                  /* 0 = 256 (1 MiB of 4 KiB pages) */
	/* Only pfns in [start_pfn, end_pfn) (--split pieces); end_pfn 0 = up to hdr->max_mapnr. */
	pfn_t start_pfn, end_pfn;
	/*
	 * Read and zero-test only (the ELF writer's zero pre-pass): non-zero
	 * pages get size page_size but their bytes are not copied into the
	 * batch (data is empty); needs exclude_zero and no codec.
	 */
	bool zero_scan;
	void *writer_arg;                    /* handed to the writer as layout.writer_arg */
	/* Called on the calling thread after each committed batch and at the end. */
	void (*progress)(void *arg, uint64_t done, uint64_t total);
	void *progress_arg;
	/*
	 * Checked after each committed batch: non-zero (a signal number) stops
	 * the dump with CS_ERR_INTR, and the writer's abort marks the output
	 * incomplete. May be NULL.
	 */
	const atomic_int *cancel;
	/*
	 * Cyclic mode (engine/windows.c, when the bitmaps of the whole dump do not fit
	 * the memory budget): bitmap1/bitmap2 hold one window (cs_bitmap.first).
	 * When the planner has used it up, next_window() refills both with the
	 * following window (a second mem_map scan, on the calling thread; the
	 * workers never read the bitmaps) and the writer's put_bitmaps stores
	 * it. num_dumpable is the whole dump's count from the counting pass.
	 */
	cs_status (*next_window)(void *arg, struct cs_err *err);
	void *window_arg;
	uint64_t num_dumpable;
	/*
	 * --config: bytes overwritten in each page read (before the zero test and
	 * the codec) by the workers; finished (cs_erase_map_finish), only read.
	 * NULL or empty: nothing erased. A run of pages that holds erased bytes is
	 * read into a private buffer, never changed in the input's mapping.
	 */
	const struct cs_erase_map *erase;
	/*
	 * --adapt (codec with set_level): each batch's level is chosen when it
	 * is planned, between adapt_min and adapt_max, starting at `level`
	 * (engine/adapt.c: toward whichever of CPU or output holds the dump back). The output depends only
	 * on the sequence of levels chosen.
	 */
	bool adapt;
	int adapt_min, adapt_max;
};

struct cs_pipeline_stats {
	uint64_t pages_written;   /* descriptors written (= set bits of the 2nd bitmap) */
	uint64_t zero_pages;      /* all-zero pages found (only counted when exclude_zero) */
	uint64_t raw_pages;       /* non-zero pages stored uncompressed */
	uint64_t nodata_pages;    /* kept pages the source had no data for (written as zeros) */
	struct cs_loss loss;      /* of those, the pages the input declares but could not give */
	uint64_t data_bytes;      /* page data bytes (compressed or raw, without the shared zero page) */
	uint64_t bytes_written;   /* all bytes handed to the sink */
	uint64_t batches;
	uint64_t level_pages[CS_ADAPT_SLOTS]; /* --adapt: pages per level, [level - CS_ADAPT_LEVEL_MIN] */
	unsigned nthreads;        /* threads that compressed, the caller included (0 = inline) */
	/* On failure only: the writer left a readable file flagged incomplete holding saved_pages pages. */
	bool incomplete;
	uint64_t saved_pages;
};

/*
 * Write the dump: the pages set in bitmap2 (below hdr->max_mapnr) are read
 * from src and written through cfg->writer to cfg->sink, which is finished
 * (fsync / end marker) on success. On failure the writer's abort leaves a
 * readable, incomplete-flagged file where the format allows, and err names
 * the pfn or file offset. stats is written in full on success; on failure
 * only stats->incomplete and stats->saved_pages (the rest zero).
 */
cs_status cs_pipeline_run(const struct cs_pipeline_cfg *cfg, struct cs_source *src,
			  const struct cs_bitmap *bitmap1, const struct cs_bitmap *bitmap2,
			  const struct cs_dump_header_info *hdr, struct cs_pipeline_stats *stats,
			  struct cs_err *err);

/* Bytes the pipeline allocates for cfg with this page size (excluding the caller's bitmaps). */
size_t cs_pipeline_mem_bytes(const struct cs_pipeline_cfg *cfg, uint32_t page_size);

/* Online CPUs (at least 1). */
unsigned cs_online_cpus(void);

#endif
