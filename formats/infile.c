/* formats/infile.c: the input-file layer every reader uses: open, pread or mmap, a flattened stream read through its map. */
#include "formats/infile.h"
#include "formats/kdump_format.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

cs_status cs_infile_open(struct cs_infile *f, const char *path, bool use_mmap, struct cs_err *err)
{
	struct stat stb;
	struct statfs sfs;
	uint8_t head[CS_FLAT_SIG_LEN];
	cs_status st;

	memset(f, 0, sizeof(*f));
	f->path = path;
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return cs_err_sys(err, errno, "cannot open '%s'", path);
	if (fstat(f->fd, &stb) < 0) {
		st = cs_err_sys(err, errno, "cannot stat '%s'", path);
		goto fail;
	}
	if (!S_ISREG(stb.st_mode) && !S_ISBLK(stb.st_mode)) {
		st = cs_err_set(err, CS_ERR_ARGS, "'%s' is not a regular file", path);
		goto fail;
	}
	f->file_size = f->size = (uint64_t)stb.st_size;
	if (S_ISBLK(stb.st_mode)) {
		off_t end = lseek(f->fd, 0, SEEK_END);
		if (end < 0) {
			st = cs_err_sys(err, errno, "cannot size '%s'", path);
			goto fail;
		}
		f->file_size = f->size = (uint64_t)end;
	}
	f->procfs = fstatfs(f->fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
	if (f->file_size >= sizeof(head)) {
		st = cs_pread_full(f->fd, path, head, sizeof(head), 0, err);
		if (st)
			goto fail;
		if (cs_flat_probe(head, sizeof(head))) {
			f->flattened = true;
			st = cs_flat_map_build(&f->flat, f->fd, path, f->file_size, err);
			if (st)
				goto fail;
			f->size = f->flat.size;
			return CS_OK;
		}
	}
	if (use_mmap && !f->procfs && S_ISREG(stb.st_mode) && f->file_size > 0 &&
	    f->file_size <= SIZE_MAX) {
		void *m = mmap(NULL, (size_t)f->file_size, PROT_READ, MAP_SHARED, f->fd, 0);
		if (m != MAP_FAILED) {
			f->map = m;
			f->map_len = (size_t)f->file_size;
		}
		/* mmap failing is not an error: reads fall back to pread. */
	}
	return CS_OK;
fail:
	close(f->fd);
	f->fd = -1;
	return st;
}

void cs_infile_close(struct cs_infile *f)
{
	if (f->map)
		munmap((void *)f->map, f->map_len);
	if (f->fd >= 0)
		close(f->fd);
	cs_flat_map_free(&f->flat);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}

bool cs_infile_written(const struct cs_infile *f, uint64_t off, uint64_t len)
{
	if (!f->flattened)
		return true;
	return cs_flat_map_written(&f->flat, off, len);
}

cs_status cs_infile_pread(const struct cs_infile *f, void *buf, size_t len, uint64_t off,
			  struct cs_err *err)
{
	const void *p;

	if (f->flattened)
		return cs_flat_map_pread(&f->flat, f->fd, f->path, buf, len, off, err);
	p = cs_infile_ptr(f, off, len);
	if (p) {
		memcpy(buf, p, len);
		return CS_OK;
	}
	return cs_pread_full(f->fd, f->path, buf, len, off, err);
}
