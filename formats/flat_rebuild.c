/* formats/flat_rebuild.c: -R: rebuild a dump file from a flattened stream on a file descriptor. */
#include "formats/sink.h"
#include "formats/elf_write.h"
#include "formats/kdump_format.h"

#include <elf.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* makedumpfile gives up on stdin after 600 s without data; so do we. */
#define READ_TIMEOUT_MS (600 * 1000)
#define COPY_BUF (1u << 20)

/*
 * Read exactly len bytes; CS_ERR_FORMAT on a premature end of stream. Not
 * core/io.c's loop: stdin may be non-blocking, and a stream that stops
 * sending for 600 s is given up on.
 */
static cs_status read_full(int fd, void *buf, size_t len, uint64_t pos, struct cs_err *err)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pfd = { .fd = fd, .events = POLLIN };
				int r = poll(&pfd, 1, READ_TIMEOUT_MS);
				if (r == 0)
					return cs_err_set(err, CS_ERR_IO,
							  "no data on the flattened input for 600 s");
				continue;
			}
			return cs_err_sys(err, errno, "cannot read the flattened input at byte %" PRIu64,
					  pos);
		}
		if (n == 0)
			return cs_err_set(err, CS_ERR_FORMAT,
					  "the flattened input ends at byte %" PRIu64
					  " before its end marker", pos);
		p += n;
		pos += (uint64_t)n;
		len -= (size_t)n;
	}
	return CS_OK;
}

/*
 * The rebuild failed part way (ENOSPC, a cut stream): flag the dump as incomplete the
 * way the dump writers do (the kdump header's status, the ELF header's e_flags), so
 * that a reader does not take the rest for excluded pages. An empty file is removed.
 */
void cs_dump_mark_incomplete(const char *path)
{
	uint8_t h[CS_KDUMP_SIG_LEN > SELFMAG ? CS_KDUMP_SIG_LEN : SELFMAG];
	struct cs_err ignored;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return;
	n = pread(fd, h, sizeof(h), 0);
	close(fd);
	if (n == 0)
		unlink(path);
	if (n <= 0)
		return;
	/* a failed mark leaves the error that is already being reported */
	if ((size_t)n >= CS_KDUMP_SIG_LEN && !memcmp(h, CS_KDUMP_SIGNATURE, CS_KDUMP_SIG_LEN))
		(void)cs_kdump_mark_incomplete(path, &ignored);
	else if ((size_t)n >= SELFMAG && !memcmp(h, ELFMAG, SELFMAG))
		(void)cs_elf_mark_incomplete(path, &ignored);
}

cs_status cs_flat_rebuild(int in_fd, const char *out_path, bool force, struct cs_err *err)
{
	uint8_t *buf = malloc(COPY_BUF > CS_FLAT_HEADER_SIZE ? COPY_BUF : CS_FLAT_HEADER_SIZE);
	struct cs_sink *out = NULL;
	struct cs_flat_header h;
	uint64_t pos = 0;
	cs_status st;

	if (!buf)
		return cs_err_set(err, CS_ERR_NOMEM, "out of memory");
	st = read_full(in_fd, buf, CS_FLAT_HEADER_SIZE, pos, err);
	if (st)
		goto out;
	pos += CS_FLAT_HEADER_SIZE;
	memcpy(&h, buf, sizeof(h));
	/* makedumpfile compares with strcmp and checks the type, not the version. */
	if (strncmp(h.signature, CS_FLAT_SIGNATURE, sizeof(h.signature)) ||
	    be64toh((uint64_t)h.type) != CS_FLAT_TYPE) {
		st = cs_err_set(err, CS_ERR_FORMAT, "the input is not a flattened dump (-F) stream");
		goto out;
	}
	st = cs_sink_file_create(out_path, force, &out, err);
	if (st)
		goto out;
	for (;;) {
		struct cs_flat_data_header dh;
		int64_t off, size;

		st = read_full(in_fd, &dh, sizeof(dh), pos, err);
		if (st)
			goto out;
		pos += sizeof(dh);
		off = (int64_t)be64toh((uint64_t)dh.offset);
		size = (int64_t)be64toh((uint64_t)dh.buf_size);
		if (off < 0 || size <= 0) {
			if (off == -1 && size == -1)
				break;
			st = cs_err_set(err, CS_ERR_FORMAT,
					"bad record header at byte %" PRIu64 " of the flattened input "
					"(offset %" PRId64 ", size %" PRId64 ")",
					pos - sizeof(dh), off, size);
			goto out;
		}
		while (size > 0) {
			size_t chunk = (size_t)CS_MIN((int64_t)COPY_BUF, size);
			st = read_full(in_fd, buf, chunk, pos, err);
			if (st)
				goto out;
			st = cs_sink_pwrite(out, buf, chunk, off, err);
			if (st)
				goto out;
			pos += chunk;
			off += (int64_t)chunk;
			size -= (int64_t)chunk;
		}
	}
	st = cs_sink_finish(out, err);
out:
	cs_sink_destroy(out);
	if (st && out)
		cs_dump_mark_incomplete(out_path);
	free(buf);
	return st;
}
