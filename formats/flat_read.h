/* formats/flat_read.h: input files for the readers: pread/mmap access, and the flattened-stream offset map beneath them. */
#ifndef CS_FLAT_READ_H
#define CS_FLAT_READ_H

#include "core/types.h"
#include "core/error.h"

/* One piece of the rebuilt file: bytes [off, off + len) are at stream offset foff. */
struct cs_flat_extent {
	uint64_t off;
	uint64_t len;
	uint64_t foff;
};

/*
 * An opened input file. For a flattened stream (makedumpfile -F) the file is
 * read through an offset map of its records, as if it had been reassembled
 * with -R: later records win, unwritten regions read as zeros. All fields are
 * read-only after open, so several threads may read at once.
 */
struct cs_infile {
	int fd;
	const char *path;      /* borrowed, for messages */
	uint64_t file_size;    /* bytes on disk */
	uint64_t size;         /* bytes of the (rebuilt) content */
	bool procfs;           /* /proc/vmcore & co: no whole-file mmap (PTEs are made eagerly) */
	const uint8_t *map;    /* whole-file read-only mapping, or NULL */
	size_t map_len;
	bool flattened;
	bool flat_truncated;   /* the stream ended without its end marker */
	struct cs_flat_extent *flat; /* sorted by off, disjoint */
	size_t nflat;
};

/* True if `head` starts with the flattened-format signature ("makedumpfile\0\0\0\0"). */
bool cs_flat_probe(const uint8_t *head, size_t len);

/*
 * Open `path` read-only; detect a flattened stream and build its offset map.
 * With use_mmap, a regular file is mapped whole (never a procfs file, never a
 * flattened stream). Errors name the file.
 */
cs_status cs_infile_open(struct cs_infile *f, const char *path, bool use_mmap, struct cs_err *err);
void cs_infile_close(struct cs_infile *f);

/* Read len bytes at content offset off; short reads are CS_ERR_IO naming the file and offset. */
cs_status cs_infile_pread(const struct cs_infile *f, void *buf, size_t len, uint64_t off,
			  struct cs_err *err);

/*
 * True if content bytes [off, off + len) were written: always for a plain
 * file, for a flattened stream only if records cover them all (holes and
 * the part a cut stream never got read as zeros, but hold no data).
 */
bool cs_infile_written(const struct cs_infile *f, uint64_t off, uint64_t len);

/* Pointer to content bytes [off, off + len) in the mapping, or NULL. */
static inline const void *cs_infile_ptr(const struct cs_infile *f, uint64_t off, size_t len)
{
	if (!f->map || off > f->map_len || len > f->map_len - off)
		return NULL;
	return f->map + off;
}

/* Full pread loop on an fd (EINTR retried); CS_ERR_IO on EOF. Message names path and offset. */
cs_status cs_pread_full(int fd, const char *path, void *buf, size_t len, uint64_t off,
			struct cs_err *err);

#endif
