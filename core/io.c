/* core/io.c: creating output files under one policy (0600, O_EXCL unless -f, O_NOFOLLOW, regular, not an input). */
#include "core/io.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

cs_status cs_output_check_regular(const char *path, struct cs_err *err)
{
	struct stat st;

	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
		return cs_err_set(err, CS_ERR_ARGS, "cannot write the dump to '%s': not a regular file "
				  "(--dry-run filters without writing)", path);
	return CS_OK;
}

cs_status cs_output_create(const char *path, bool force, const char *const *inputs,
			   size_t nr_inputs, const char *what, int *fd_out, struct cs_err *err)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (force ? O_TRUNC : O_EXCL);
	struct stat out_st, in_st, st;
	int fd;

	if (stat(path, &out_st) == 0)
		for (size_t i = 0; i < nr_inputs; i++)
			if (inputs[i] && stat(inputs[i], &in_st) == 0 && in_st.st_dev == out_st.st_dev &&
			    in_st.st_ino == out_st.st_ino)
				return cs_err_set(err, CS_ERR_ARGS, "refusing to write the %s over its input '%s'",
						  what ? what : "dump", inputs[i]);
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
