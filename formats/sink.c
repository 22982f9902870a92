/* formats/sink.c: the file sink (O_EXCL 0600, pwrite loops, fsync), the null sink for --dry-run, the -L limit. */
#include "formats/sink.h"
#include "core/io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct file_sink {
	struct cs_sink base;
	int fd;
	char *path;
	bool durable;         /* fsync at finish */
	uint64_t since_kick;  /* bytes written since writeback was last started */
};

/*
 * Start writeback every WRITEBACK_KICK bytes: the final fsync then has little
 * left to do, and dirty page cache (capture-kernel memory) stays bounded.
 * 4 MiB rather than 16: fsync + kicks went from 9-33 ms to 4-10 ms on a
 * 24 MB dump (docs/performance.md).
 */
#define WRITEBACK_KICK (4u << 20)

static const struct cs_sink_ops file_ops;

static cs_status file_pwrite(struct cs_sink *s, const void *buf, size_t len, foff_t off,
			     struct cs_err *err)
{
	struct file_sink *fs = (struct file_sink *)s;
	size_t done;
	foff_t pos;
	cs_status st = cs_pwrite_full(fs->fd, fs->path, buf, len, (uint64_t)off, &done, err);

	pos = off + (foff_t)done;
	s->bytes_written += done;
	if (st != CS_OK) {
		s->fail_end = pos;
		if (pos > s->end)
			s->end = pos;
		return st;
	}
	if (pos > s->end)
		s->end = pos;
	fs->since_kick += (uint64_t)(pos - off);
	if (fs->since_kick >= WRITEBACK_KICK) {
		/* Asynchronous: only queues the dirty pages for writing. */
		(void)sync_file_range(fs->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
		fs->since_kick = 0;
	}
	return CS_OK;
}

void cs_sink_file_set_durable(struct cs_sink *s, bool durable)
{
	if (s && s->ops == &file_ops)
		((struct file_sink *)s)->durable = durable;
}

static cs_status file_finish(struct cs_sink *s, struct cs_err *err)
{
	struct file_sink *fs = (struct file_sink *)s;

	/* Success is reported only once the data is on disk. */
	if (fs->durable && fsync(fs->fd) < 0 && errno != EINVAL && errno != EROFS)
		return cs_err_sys(err, errno, "cannot sync '%s'", fs->path);
	return CS_OK;
}

static cs_status file_barrier(struct cs_sink *s, struct cs_err *err)
{
	struct file_sink *fs = (struct file_sink *)s;

	if (fs->durable && fdatasync(fs->fd) < 0 && errno != EINVAL && errno != EROFS)
		return cs_err_sys(err, errno, "cannot sync '%s'", fs->path);
	return CS_OK;
}

static void file_destroy(struct cs_sink *s)
{
	struct file_sink *fs = (struct file_sink *)s;

	if (fs->fd >= 0)
		close(fs->fd);
	free(fs->path);
	free(fs);
}

static const struct cs_sink_ops file_ops = {
	.name = "file",
	.pwrite = file_pwrite,
	.finish = file_finish,
	.barrier = file_barrier,
	.destroy = file_destroy,
};

cs_status cs_sink_file_create(const char *path, bool force, struct cs_sink **ret,
			      struct cs_err *err)
{
	struct file_sink *fs = calloc(1, sizeof(*fs));

	if (!fs || !(fs->path = strdup(path))) {
		free(fs);
		return cs_err_set(err, CS_ERR_NOMEM, "out of memory");
	}
	if (cs_output_create(path, force, NULL, 0, NULL, &fs->fd, err) != CS_OK) {
		free(fs->path);
		free(fs);
		return err->status;
	}
	fs->base.ops = &file_ops;
	fs->base.path = fs->path;
	fs->base.can_rewrite = true;
	fs->durable = true;
	*ret = &fs->base;
	return CS_OK;
}

static cs_status null_pwrite(struct cs_sink *s, const void *buf, size_t len, foff_t off,
			     struct cs_err *err)
{
	(void)buf, (void)err;
	s->bytes_written += len;
	if (off + (foff_t)len > s->end)
		s->end = off + (foff_t)len;
	return CS_OK;
}

static cs_status null_finish(struct cs_sink *s, struct cs_err *err)
{
	(void)s, (void)err;
	return CS_OK;
}

static void null_destroy(struct cs_sink *s)
{
	free(s);
}

static const struct cs_sink_ops null_ops = {
	.name = "null",
	.pwrite = null_pwrite,
	.finish = null_finish,
	.destroy = null_destroy,
};

cs_status cs_sink_null_create(struct cs_sink **ret, struct cs_err *err)
{
	struct cs_sink *s = calloc(1, sizeof(*s));

	if (!s)
		return cs_err_set(err, CS_ERR_NOMEM, "out of memory");
	s->ops = &null_ops;
	s->path = "(dry run)";
	s->can_rewrite = true;
	*ret = s;
	return CS_OK;
}

void cs_sink_set_limit(struct cs_sink *s, uint64_t limit)
{
	s->limit = limit;
}

cs_status cs_sink_pwrite_limited(struct cs_sink *s, const void *buf, size_t len, foff_t off,
				 struct cs_err *err)
{
	uint64_t lim = s->limit, fit;
	cs_status st;

	/* A stream has no offsets to bound: count its payload bytes instead. */
	if (!s->can_rewrite) {
		if (s->bytes_written + len <= lim)
			return s->ops->pwrite(s, buf, len, off, err);
		fit = s->bytes_written < lim ? lim - s->bytes_written : 0;
	} else {
		if (off >= 0 && (uint64_t)off + len <= lim)
			return s->ops->pwrite(s, buf, len, off, err);
		fit = off >= 0 && (uint64_t)off < lim ? lim - (uint64_t)off : 0;
	}
	if (fit) {
		st = s->ops->pwrite(s, buf, (size_t)fit, off, err);
		if (st)
			return st;
		s->fail_end = off + (foff_t)fit;
	}
	return cs_err_set(err, CS_ERR_NOSPC, "cannot write '%s': the size limit (-L %" PRIu64
			  " bytes) is reached", s->path, lim);
}

cs_status cs_sink_reserve(struct cs_sink *s, foff_t off, uint64_t len, struct cs_err *err)
{
	struct file_sink *fs = (struct file_sink *)s;

	if (!len || s->ops != &file_ops || off < 0)
		return CS_OK;
	if (s->limit && (uint64_t)off + len > s->limit)
		return CS_OK;
	if (fallocate(fs->fd, 0, off, (off_t)len) == 0)
		return CS_OK;
	if (errno == EOPNOTSUPP || errno == ENOSYS || errno == EINVAL)
		return CS_OK;
	return cs_err_sys(err, errno, "cannot allocate 0x%" PRIx64 " bytes of '%s' at offset 0x%" PRIx64,
			  len, fs->path, (uint64_t)off);
}

cs_status cs_sink_extend(struct cs_sink *s, foff_t size, struct cs_err *err)
{
	struct file_sink *fs = (struct file_sink *)s;
	struct stat st;

	if (s->ops != &file_ops || size <= 0 || (s->limit && (uint64_t)size > s->limit))
		return CS_OK;
	if (fstat(fs->fd, &st) != 0)
		return cs_err_sys(err, errno, "cannot stat '%s'", fs->path);
	if (st.st_size >= size)
		return CS_OK;
	if (ftruncate(fs->fd, size) != 0)
		return cs_err_sys(err, errno, "cannot extend '%s' to 0x%" PRIx64 " bytes", fs->path,
				  (uint64_t)size);
	return CS_OK;
}

void cs_sink_destroy(struct cs_sink *s)
{
	if (s)
		s->ops->destroy(s);
}
