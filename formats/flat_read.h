/* formats/flat_read.h: the flattened stream (makedumpfile -F) read as the file it stands for, through an offset map of its records. */
#ifndef CS_FLAT_READ_H
#define CS_FLAT_READ_H

#include "core/types.h"
#include "core/error.h"
#include "core/io.h"

/* One piece of the rebuilt file: bytes [off, off + len) are at stream offset foff. */
struct cs_flat_extent {
	uint64_t off;
	uint64_t len;
	uint64_t foff;
};

/* The rebuilt file: later records win, regions no record wrote read as zeros. */
struct cs_flat_map {
	struct cs_flat_extent *ext; /* sorted by off, disjoint */
	size_t n;
	uint64_t size;  /* bytes of the rebuilt content */
	bool truncated; /* the stream ended without its end marker */
};

/* True if `head` starts with the flattened-format signature ("makedumpfile\0\0\0\0"). */
bool cs_flat_probe(const uint8_t *head, size_t len);

/* Read the records of the stream on fd (file_size bytes) into m. Errors name path. */
cs_status cs_flat_map_build(struct cs_flat_map *m, int fd, const char *path, uint64_t file_size,
			    struct cs_err *err);
void cs_flat_map_free(struct cs_flat_map *m);

/* Read content bytes [off, off + len) through the map; holes read as zeros. */
cs_status cs_flat_map_pread(const struct cs_flat_map *m, int fd, const char *path, void *dst, size_t len,
			    uint64_t off, struct cs_err *err);

/* True if records cover content bytes [off, off + len) entirely. */
bool cs_flat_map_written(const struct cs_flat_map *m, uint64_t off, uint64_t len);

#endif
