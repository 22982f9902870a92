/* tests/fuzz/fuzz_common.h: helpers shared by the fuzz targets (input as a memfd file, bounded loops). */
#ifndef CS_FUZZ_COMMON_H
#define CS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Entry point of every target (libFuzzer's contract; regression_driver.c calls it too). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The fuzz input as a file the readers can open by name: an anonymous memfd
 * reached through /proc/self/fd/N, so no temporary file is ever created.
 */
struct fz_file {
	int fd;
	char path[64];
};

static inline int fz_file_open(struct fz_file *f, const void *data, size_t size)
{
	const uint8_t *p = data;
	size_t done = 0;

	f->fd = memfd_create("coresieve-fuzz", MFD_CLOEXEC);
	if (f->fd < 0) {
		perror("memfd_create");
		abort();
	}
	while (done < size) {
		ssize_t n = write(f->fd, p + done, size - done);
		if (n <= 0) {
			perror("write memfd");
			abort();
		}
		done += (size_t)n;
	}
	snprintf(f->path, sizeof(f->path), "/proc/self/fd/%d", f->fd);
	return 0;
}

static inline void fz_file_close(struct fz_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/* A message must be a NUL-terminated line: check it so ASan sees any overrun. */
static inline void fz_check_msg(const char *msg)
{
	size_t n = strnlen(msg, 1024);

	if (n == 1024) {
		fprintf(stderr, "error message not terminated\n");
		abort();
	}
}

/* Little-endian loads from the fuzz input. */
static inline uint64_t fz_ld64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t fz_ld32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

#define FZ_ASSERT(cond)                                                                   \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                   \
			abort();                                                          \
		}                                                                         \
	} while (0)

#endif
