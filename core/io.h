/* core/io.h: the one I/O layer: full reads and writes (EINTR, short counts) and the one output-creation policy. */
#ifndef CS_IO_H
#define CS_IO_H

#include "core/types.h"
#include "core/error.h"

#include <sys/uio.h>

/*
 * Every loop around read/write/pread/pwrite lives here: EINTR is retried, short
 * counts are continued, and a failure is one message naming the path (or what
 * is written: "standard output") and the offset where it happened.
 */

/* Read up to len bytes at off; *got < len only at end of file. */
cs_status cs_pread_some(int fd, const char *path, void *buf, size_t len, uint64_t off, size_t *got,
			struct cs_err *err);
/* Read exactly len bytes at off; end of file first is CS_ERR_IO. */
cs_status cs_pread_full(int fd, const char *path, void *buf, size_t len, uint64_t off,
			struct cs_err *err);
/*
 * Write exactly len bytes at off. *done (may be NULL) is what reached the file
 * even on failure: a sink records where its output stops being whole.
 */
cs_status cs_pwrite_full(int fd, const char *path, const void *buf, size_t len, uint64_t off,
			 size_t *done, struct cs_err *err);
/* Write len bytes at the file position (pipes take partial writes); *pos (may be NULL) advances. */
cs_status cs_write_full(int fd, const char *what, const void *buf, size_t len, uint64_t *pos,
			struct cs_err *err);
/* writev until every iovec is out; iov is consumed. */
cs_status cs_writev_full(int fd, const char *what, struct iovec *iov, int cnt, struct cs_err *err);

/*
 * Create `path` for writing: mode 0600, O_EXCL unless `force` (then truncated
 * and made 0600 again: an existing inode must not stay world-readable),
 * O_NOFOLLOW (as root, -f must not follow a planted symlink), a regular file
 * only (with -f a device or FIFO would be chmod'ed and removed on failure),
 * never one of `inputs` (-f would truncate it). `what` names the file in
 * messages ("dmesg log"); NULL: the dump file itself.
 */
cs_status cs_output_create(const char *path, bool force, const char *const *inputs,
			   size_t nr_inputs, const char *what, int *fd_out, struct cs_err *err);

/* CS_ERR_ARGS when path (NULL: none) is one of inputs: -f would truncate it. */
cs_status cs_output_not_input(const char *path, const char *const *inputs, size_t nr_inputs,
			      const char *what, struct cs_err *err);

/* CS_ERR_ARGS when path exists and is not a regular file (or a symlink, which open refuses). */
cs_status cs_output_check_regular(const char *path, struct cs_err *err);

#endif
