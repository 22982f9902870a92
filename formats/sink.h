/* formats/sink.h: where output bytes go: a regular file, a flattened stream (-F), or nowhere (--dry-run). */
#ifndef CS_SINK_H
#define CS_SINK_H

#include "core/types.h"
#include "core/error.h"

/*
 * Writers address the output by absolute offset (pwrite semantics). A file
 * sink does positioned writes; a flattened sink turns each write into one
 * record of the stream (formats/kdump_format.h); a null sink only counts.
 * Only one thread (the pipeline's ordered writer) uses a sink.
 */
struct cs_sink;

struct cs_sink_ops {
	const char *name;
	cs_status (*pwrite)(struct cs_sink *s, const void *buf, size_t len, foff_t off,
			    struct cs_err *err);
	/* Make the output durable and complete (fsync / end marker). */
	cs_status (*finish)(struct cs_sink *s, struct cs_err *err);
	/*
	 * Everything written so far reaches the disk before anything written
	 * after (fdatasync). NULL: nothing to order (a stream, --dry-run).
	 */
	cs_status (*barrier)(struct cs_sink *s, struct cs_err *err);
	void (*destroy)(struct cs_sink *s);
};

struct cs_sink {
	const struct cs_sink_ops *ops;
	const char *path;       /* for messages ("standard output" for -F) */
	bool can_rewrite;       /* earlier bytes can still be changed (not a stream) */
	uint64_t bytes_written; /* payload bytes handed to pwrite */
	foff_t end;             /* highest offset + len written so far */
	/*
	 * -L SIZE (0: none): no byte at or beyond this offset is written (for a
	 * stream: no more payload bytes than this); the write that would cross
	 * it writes what fits and fails with CS_ERR_NOSPC.
	 */
	uint64_t limit;
	/*
	 * After a failed pwrite(buf, len, off): bytes [off, fail_end) of it did
	 * reach the output (a short write before ENOSPC, or the part below the
	 * limit); fail_end == off when none did. Writers use it to keep what landed.
	 */
	foff_t fail_end;
};

/*
 * Create `path` for writing under the output policy of core/io.h (O_EXCL and
 * mode 0600; `force` truncates an existing file instead: makedumpfile -f).
 */
cs_status cs_sink_file_create(const char *path, bool force, struct cs_sink **ret,
			      struct cs_err *err);
/*
 * fsync at finish (default true: success means the dump is on disk). false
 * leaves the data in the page cache, as makedumpfile does. No-op for other sinks.
 */
void cs_sink_file_set_durable(struct cs_sink *s, bool durable);
/* A sink writing the flattened format to fd (not closed at destroy); the 4096-byte header is written now. */
cs_status cs_sink_flat_create(int fd, const char *name, struct cs_sink **ret, struct cs_err *err);
/* A sink that discards everything and counts bytes. */
cs_status cs_sink_null_create(struct cs_sink **ret, struct cs_err *err);

/* The -L limit: the part of a write below it, then CS_ERR_NOSPC (sink.c). */
cs_status cs_sink_pwrite_limited(struct cs_sink *s, const void *buf, size_t len, foff_t off,
				 struct cs_err *err);

static inline cs_status cs_sink_pwrite(struct cs_sink *s, const void *buf, size_t len,
				       foff_t off, struct cs_err *err)
{
	s->fail_end = off;
	if (s->limit)
		return cs_sink_pwrite_limited(s, buf, len, off, err);
	return s->ops->pwrite(s, buf, len, off, err);
}
/*
 * Before a writer clears its incomplete mark: otherwise the page cache may
 * write the header that says "complete" before the pages it vouches for, and
 * a power cut in between leaves a file that looks whole and is not.
 */
static inline cs_status cs_sink_barrier(struct cs_sink *s, struct cs_err *err)
{
	return s->ops->barrier ? s->ops->barrier(s, err) : CS_OK;
}
static inline cs_status cs_sink_finish(struct cs_sink *s, struct cs_err *err)
{
	return s->ops->finish(s, err);
}
/* Set the -L limit in bytes (0 removes it). */
void cs_sink_set_limit(struct cs_sink *s, uint64_t limit);
/*
 * Best effort: allocate [off, off + len) of a file sink now (fallocate), so
 * that later rewrites of that region cannot fail for lack of space (the kdump
 * writer reserves its descriptor table: after ENOSPC the descriptors of the
 * pages that did land can still be written). CS_OK without doing anything
 * for other sinks, filesystems without fallocate, or beyond the -L limit.
 */
cs_status cs_sink_reserve(struct cs_sink *s, foff_t off, uint64_t len, struct cs_err *err);

/*
 * Make a file sink at least `size` bytes long (a hole: no space is taken).
 * Readers that map a whole table (libkdumpfile maps the descriptors) must
 * not run past the end of an incomplete file. No-op for other sinks, for
 * files already that long, and beyond the -L limit.
 */
cs_status cs_sink_extend(struct cs_sink *s, foff_t size, struct cs_err *err);

/* Close and free; a file sink that was not finished is left on disk as written so far. Accepts NULL. */
void cs_sink_destroy(struct cs_sink *s);

/*
 * -R: rebuild a dump file from a flattened stream read from in_fd (stdin),
 * byte-identical to makedumpfile -R. The output is created like
 * cs_sink_file_create(out_path, force).
 */
cs_status cs_flat_rebuild(int in_fd, const char *out_path, bool force, struct cs_err *err);
/*
 * Flag the kdump or ELF file at path incomplete (header status 0x8 / e_flags
 * bit 0), best effort; an empty file is removed (formats/flat_rebuild.c).
 */
void cs_dump_mark_incomplete(const char *path);

#endif
