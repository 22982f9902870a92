/* formats/infile.h: the input-file layer every reader uses: pread or mmap access, flattened streams read through their map. */
#ifndef CS_INFILE_H
#define CS_INFILE_H

#include "core/types.h"
#include "core/error.h"
#include "core/io.h"
#include "formats/flat_read.h"

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
	struct cs_flat_map flat; /* when flattened */
};

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

#endif
