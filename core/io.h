/* core/io.h: the one output-creation policy every output file goes through (dump, pieces, dmesg log, -g). */
#ifndef CS_IO_H
#define CS_IO_H

#include "core/types.h"
#include "core/error.h"

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

/* CS_ERR_ARGS when path exists and is not a regular file (or a symlink, which open refuses). */
cs_status cs_output_check_regular(const char *path, struct cs_err *err);

#endif
