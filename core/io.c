/* core/io.c: full reads and writes, and creating output files under one policy (0600, O_EXCL unless -f, O_NOFOLLOW, regular, not an input). */
#include "core/io.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <inttypes.h>
#include <unistd.h>

cs_status cs_pread_some(int fd, const char *path, void *buf, size_t len, uint64_t off, size_t *got,
			struct cs_err *err)
{
	uint8_t *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, p + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*got = done;
			return cs_err_sys(err, errno, "'%s': cannot read %zu bytes at offset 0x%" PRIx64,
					  path, len - done, off + done);
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	*got = done;
	return CS_OK;
}

cs_status cs_pread_full(int fd, const char *path, void *buf, size_t len, uint64_t off,
			struct cs_err *err)
{
	size_t got;
	cs_status st = cs_pread_some(fd, path, buf, len, off, &got, err);

	if (st == CS_OK && got < len)
		return cs_err_set(err, CS_ERR_IO,
				  "'%s': unexpected end of file reading %zu bytes at offset 0x%" PRIx64,
				  path, len - got, off + got);
	return st;
}

cs_status cs_pwrite_full(int fd, const char *path, const void *buf, size_t len, uint64_t off,
			 size_t *done_out, struct cs_err *err)
{
	const uint8_t *p = buf;
	size_t done = 0;
	cs_status st = CS_OK;

	while (done < len) {
		ssize_t n = pwrite(fd, p + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			st = cs_err_sys(err, errno, "cannot write '%s' at offset 0x%" PRIx64, path,
					off + done);
			break;
		}
		if (n == 0) { /* not for a regular file; never spin */
			st = cs_err_set(err, CS_ERR_NOSPC, "cannot write '%s' at offset 0x%" PRIx64
					": no progress", path, off + done);
			break;
		}
		done += (size_t)n;
	}
	if (done_out)
		*done_out = done;
	return st;
}

cs_status cs_write_full(int fd, const char *what, const void *buf, size_t len, uint64_t *pos,
			struct cs_err *err)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (pos)
				return cs_err_sys(err, errno, "cannot write %s at offset %" PRIu64, what,
						  *pos);
			return cs_err_sys(err, errno, "cannot write to %s", what);
		}
		p += n;
		len -= (size_t)n;
		if (pos)
			*pos += (uint64_t)n;
	}
	return CS_OK;
}

cs_status cs_writev_full(int fd, const char *what, struct iovec *iov, int cnt, struct cs_err *err)
{
	while (cnt) {
		ssize_t n = writev(fd, iov, cnt);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cs_err_sys(err, errno, "cannot write %s", what);
		while (cnt && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt) {
			iov->iov_base = (uint8_t *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return CS_OK;
}

cs_status cs_output_check_regular(const char *path, struct cs_err *err)
{
	struct stat st;

	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
		return cs_err_set(err, CS_ERR_ARGS, "cannot write the dump to '%s': not a regular file "
				  "(--dry-run filters without writing)", path);
	return CS_OK;
}

cs_status cs_output_not_input(const char *path, const char *const *inputs, size_t nr_inputs,
			      const char *what, struct cs_err *err)
{
	struct stat out_st, in_st;

	if (!path || stat(path, &out_st) != 0)
		return CS_OK;
	for (size_t i = 0; i < nr_inputs; i++)
		if (inputs[i] && stat(inputs[i], &in_st) == 0 && in_st.st_dev == out_st.st_dev &&
		    in_st.st_ino == out_st.st_ino)
			return cs_err_set(err, CS_ERR_ARGS, "refusing to write the %s over its input '%s'",
					  what ? what : "dump", inputs[i]);
	return CS_OK;
}

cs_status cs_output_create(const char *path, bool force, const char *const *inputs,
			   size_t nr_inputs, const char *what, int *fd_out, struct cs_err *err)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (force ? O_TRUNC : O_EXCL);
	struct stat st;
	int fd;

	if (cs_output_not_input(path, inputs, nr_inputs, what, err) != CS_OK)
		return err->status;
	if (!what && cs_output_check_regular(path, err) != CS_OK)
		return err->status;
	if (what && lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
		return cs_err_set(err, CS_ERR_ARGS, "cannot create the %s '%s': not a regular file",
				  what, path);
	fd = open(path, flags, 0600);
	if (fd < 0) {
		int e = errno;

		if (what)
			return cs_err_sys(err, e, "cannot create the %s '%s'%s", what, path,
					  e == EEXIST ? " (use -f to overwrite it)"
					  : e == ELOOP ? " (a symbolic link: give the real path)"
						       : "");
		if (e == EEXIST)
			return cs_err_set(err, CS_ERR_ARGS,
					  "cannot create '%s': the file exists (use -f to overwrite)", path);
		if (e == ELOOP)
			return cs_err_set(err, CS_ERR_ARGS,
					  "cannot create '%s': it is a symbolic link (give the real path)", path);
		return cs_err_sys(err, e, "cannot create '%s'", path);
	}
	if (force && fchmod(fd, 0600) != 0) {
		int e = errno;

		close(fd);
		return cs_err_sys(err, e, "cannot make '%s' private (mode 0600)", path);
	}
	*fd_out = fd;
	return CS_OK;
}
