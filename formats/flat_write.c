/* formats/flat_write.c: the -F sink: every positioned write becomes one record of the flattened stream. */
#include "formats/sink.h"
#include "formats/kdump_format.h"
#include "core/io.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

struct flat_sink {
	struct cs_sink base;
	int fd;
	bool ended;
};

static cs_status flat_pwrite(struct cs_sink *s, const void *buf, size_t len, foff_t off,
			     struct cs_err *err)
{
	struct flat_sink *fs = (struct flat_sink *)s;
	struct cs_flat_data_header h = {
		.offset = (int64_t)htobe64((uint64_t)off),
		.buf_size = (int64_t)htobe64((uint64_t)len),
	};
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)buf, len } };
	cs_status st;

	if (!len)
		return CS_OK; /* a zero-size record would read as the end of the stream */
	st = cs_writev_full(fs->fd, "the flattened stream", iov, 2, err);
	if (st)
		return cs_err_ctx(err, "record at offset 0x%" PRIx64, (uint64_t)off);
	s->bytes_written += len;
	if (off + (foff_t)len > s->end)
		s->end = off + (foff_t)len;
	return CS_OK;
}

static cs_status flat_finish(struct cs_sink *s, struct cs_err *err)
{
	struct flat_sink *fs = (struct flat_sink *)s;
	struct cs_flat_data_header end;

	if (fs->ended)
		return CS_OK;
	memset(&end, 0xff, sizeof(end)); /* (-1, -1) */
	if (cs_write_full(fs->fd, s->path, &end, sizeof(end), NULL, err))
		return err->status;
	fs->ended = true;
	return CS_OK;
}

static void flat_destroy(struct cs_sink *s)
{
	free(s);
}

static const struct cs_sink_ops flat_ops = {
	.name = "flattened",
	.pwrite = flat_pwrite,
	.finish = flat_finish,
	.destroy = flat_destroy,
};

cs_status cs_sink_flat_create(int fd, const char *name, struct cs_sink **ret, struct cs_err *err)
{
	struct flat_sink *fs = calloc(1, sizeof(*fs));
	uint8_t *hdr;
	struct cs_flat_header h;
	cs_status st;

	if (!fs)
		return cs_err_set(err, CS_ERR_NOMEM, "out of memory");
	hdr = calloc(1, CS_FLAT_HEADER_SIZE);
	if (!hdr) {
		free(fs);
		return cs_err_set(err, CS_ERR_NOMEM, "out of memory");
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.signature, CS_FLAT_SIGNATURE, strlen(CS_FLAT_SIGNATURE));
	h.type = (int64_t)htobe64(CS_FLAT_TYPE);
	h.version = (int64_t)htobe64(CS_FLAT_VERSION);
	memcpy(hdr, &h, sizeof(h));
	st = cs_write_full(fd, name ? name : "standard output", hdr, CS_FLAT_HEADER_SIZE, NULL, err);
	free(hdr);
	if (st) {
		free(fs);
		return st;
	}
	fs->fd = fd;
	fs->base.ops = &flat_ops;
	fs->base.path = name ? name : "standard output";
	fs->base.can_rewrite = false;
	*ret = &fs->base;
	return CS_OK;
}
