/* formats/writer.h: the dump writer interface (kdump now, ELF later) and what a writer is told about the dump. */
#ifndef CS_WRITER_H
#define CS_WRITER_H

#include "core/types.h"
#include "core/error.h"
#include "core/bitmap.h"
#include "formats/sink.h"

struct cs_source;

/* Everything the output headers need, gathered by the caller (cli/) before writing. */
struct cs_dump_header_info {
	uint32_t page_size;
	uint64_t max_mapnr;        /* pfns covered by the bitmaps */
	int dump_level;            /* the -d level actually used */
	const uint8_t *notes;      /* verbatim input note data (every note), may be NULL */
	size_t notes_size;
	size_t vmcoreinfo_off;     /* VMCOREINFO descriptor offset within notes */
	size_t vmcoreinfo_size;    /* 0: no VMCOREINFO note */
	int nr_cpus;               /* "CORE" NT_PRSTATUS notes */
	uint64_t phys_base;
	char utsname[6][65];       /* sysname, nodename, release, version, machine, domainname */
	int64_t timestamp;         /* VMCOREINFO CRASHTIME (seconds), 0 if absent */
	const char *eraseinfo;     /* "erase ... size N\n" lines, may be NULL */
	size_t eraseinfo_size;
	uint32_t extra_status;     /* more disk_dump_header.status bits, e.g. CS_DUMP_DH_EXCLUDED_VMEMMAP */
	/*
	 * --split (formats/split.h): this file holds the descriptors and
	 * data of pfns [split_start, split_end) only; its data area still starts
	 * after num_dumpable_total descriptors (set bits of bitmap2 below max_mapnr).
	 */
	bool split;
	pfn_t split_start, split_end;
	uint64_t num_dumpable_total;
};

/* Fixed facts about the dump, handed to begin(). */
struct cs_write_layout {
	const struct cs_dump_header_info *hdr;
	/*
	 * Present and dumpable pfns (zero pages still set). In cyclic mode these
	 * are the first window (cs_bitmap.first); put_bitmaps brings the others.
	 */
	const struct cs_bitmap *bitmap1;
	const struct cs_bitmap *bitmap2;
	uint64_t num_dumpable;           /* set bits of the whole 2nd bitmap below max_mapnr */
	bool windowed;                   /* cyclic mode: the bitmaps come a window at a time */
	uint32_t codec_flag;             /* CS_DUMP_DH_COMPRESSED_* of the codec, 0 = none */
	bool exclude_zero;               /* dump_level bit 1: zero pages share one data block */
	const struct cs_source *src;     /* the input (ELF writer needs its ranges) */
	void *writer_arg;                /* cs_pipeline_cfg.writer_arg: writer-specific input */
};

/* A run of consecutive dumpable pfns. */
struct cs_run {
	pfn_t pfn;
	uint32_t n;
};

/*
 * One batch of pages, in pfn order, as the workers produced it. sizes[i] is
 * the number of bytes page i occupies in data: page_size = stored raw (flags
 * 0), 1..page_size-1 = compressed with codec_flag, 0 = an all-zero page
 * excluded by dump_level bit 1 (its descriptor points at the shared zero
 * page). data holds the pages' bytes back to back.
 */
struct cs_batch {
	uint64_t seq;
	const struct cs_run *runs;
	size_t nruns;
	size_t npages;
	const uint32_t *sizes;
	const uint8_t *data;
	size_t data_len;
};

struct cs_writer;

/*
 * Writers are driven by one thread: begin, put_batch in sequence order
 * (put_bitmaps between windows in cyclic mode), then finish, or abort
 * after any failure. abort is best effort: it leaves what was written
 * readable and marks the dump incomplete where the format and the sink
 * allow (formats/kdump_format.h: CS_DUMP_DH_COMPRESSED_INCOMPLETE).
 */
struct cs_writer_ops {
	const char *name;
	cs_status (*create)(struct cs_sink *sink, struct cs_writer **ret, struct cs_err *err);
	cs_status (*begin)(struct cs_writer *w, const struct cs_write_layout *layout,
			   struct cs_err *err);
	cs_status (*put_batch)(struct cs_writer *w, const struct cs_batch *b, struct cs_err *err);
	/*
	 * Cyclic mode: the next window of both bitmaps (same first, a multiple
	 * of 64), before its pages. NULL: the writer needs whole bitmaps.
	 */
	cs_status (*put_bitmaps)(struct cs_writer *w, const struct cs_bitmap *bitmap1,
				 const struct cs_bitmap *bitmap2, struct cs_err *err);
	cs_status (*finish)(struct cs_writer *w, struct cs_err *err);
	void (*abort)(struct cs_writer *w);
	void (*destroy)(struct cs_writer *w); /* accepts NULL */
};

struct cs_writer {
	const struct cs_writer_ops *ops;
	/* Set by abort(): the output is readable, flagged incomplete, and holds saved_pages pages. */
	bool incomplete;
	/*
	 * Set by the caller before finish(): every page is written but some are
	 * zeros for pages the input could not give (core/loss.h), so finish
	 * flags the dump incomplete. Honoured by the kdump writer; the job
	 * marks other formats' files itself.
	 */
	bool mark_incomplete;
	uint64_t saved_pages;
};

/* The kdump-compressed writer (formats/kdump_format.h). */
extern const struct cs_writer_ops cs_kdump_writer;

/* Bytes of the kdump writer's own buffers (for memory accounting). */
size_t cs_kdump_writer_mem_bytes(void);

/* OR the incomplete flag (0x8) into the status of the kdump file at path. */
cs_status cs_kdump_mark_incomplete(const char *path, struct cs_err *err);

#endif
