/* tests/unit/test_proc_windows.c: the /proc/vmcore window cache returns the file's bytes, from many threads, across windows and at the end. */
#include "formats/proc_windows.h"
#include "tests/lib/tap.h"
#include "tests/lib/rand.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

/* 10 windows and a bit: more windows than cache slots, and a short last one. */
#define FILE_BYTES ((size_t)10 * CS_PROC_WINDOW_BYTES + 12345)
#define NTHREADS 4
/* Fewer under ThreadSanitizer, where every copied byte is checked (90 s at 3000). */
#if defined(__SANITIZE_THREAD__)
#define READS 400
#else
#define READS 3000
#endif

struct reader {
	struct cs_proc_windows *pw;
	const uint8_t *want;
	uint64_t seed;
	unsigned bad, fallbacks;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	static const size_t lens[] = {1, 4096, 8192, 65536, 1u << 20, CS_PROC_WINDOW_BYTES + 4096};
	uint8_t *buf = malloc(CS_PROC_WINDOW_BYTES + 4096);

	for (int i = 0; i < READS && buf; i++) {
		size_t len = lens[test_rand(&r->seed) % CS_ARRAY_SIZE(lens)];
		uint64_t foff = test_rand(&r->seed) % (FILE_BYTES - len + 1);

		/* Every fourth read straddles a window boundary. */
		if (i % 4 == 0 && len > 1) {
			uint64_t edge = (foff / CS_PROC_WINDOW_BYTES + 1) * CS_PROC_WINDOW_BYTES;
			if (edge - len / 2 + len <= FILE_BYTES)
				foff = edge - len / 2;
		}
		if (!cs_proc_windows_copy(r->pw, buf, len, foff)) {
			r->fallbacks++;
			continue;
		}
		if (memcmp(buf, r->want + foff, len) != 0)
			r->bad++;
	}
	free(buf);
	return NULL;
}

int main(void)
{
	struct tap t = {0};
	const char *path = "build/tmp/test_proc_windows.bin";
	uint8_t *data = malloc(FILE_BYTES), tail[64];
	struct cs_proc_windows pw;
	struct reader r[NTHREADS];
	pthread_t th[NTHREADS];
	unsigned bad = 0, fallbacks = 0, mapped = 0;
	uint64_t s = 42;
	int fd;

	mkdir("build", 0755);
	mkdir("build/tmp", 0755);
	for (size_t i = 0; i < FILE_BYTES; i += 8) {
		uint64_t v = test_rand(&s);
		memcpy(data + i, &v, CS_MIN((size_t)8, FILE_BYTES - i));
	}
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ok(&t, fd >= 0 && write(fd, data, FILE_BYTES) == (ssize_t)FILE_BYTES, "test file written");
	cs_proc_windows_init(&pw, fd, FILE_BYTES);

	for (int i = 0; i < NTHREADS; i++) {
		r[i] = (struct reader){.pw = &pw, .want = data, .seed = 1000 + (uint64_t)i};
		pthread_create(&th[i], NULL, reader_main, &r[i]);
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		bad += r[i].bad;
		fallbacks += r[i].fallbacks;
	}
	ok_eq_u64(&t, bad, 0, "%d threads x %d reads: every byte as in the file", NTHREADS, READS);
	/* A busy slot only costs a fallback to pread; with 8 slots and 4 readers there is none. */
	ok_eq_u64(&t, fallbacks, 0, "no read fell back to pread");
	for (size_t i = 0; i < CS_PROC_WINDOWS; i++) {
		mapped += pw.win[i].map != NULL;
		ok(&t, !pw.win[i].map || pw.win[i].users == 0, "window %zu is not in use afterwards", i);
	}
	ok_eq_u64(&t, mapped, CS_PROC_WINDOWS, "the cache is full after reading 11 windows' worth");

	ok(&t, cs_proc_windows_copy(&pw, tail, sizeof(tail), FILE_BYTES - sizeof(tail)) &&
		       memcmp(tail, data + FILE_BYTES - sizeof(tail), sizeof(tail)) == 0,
	   "the last bytes of the file (a short window)");
	ok(&t, !cs_proc_windows_copy(&pw, tail, sizeof(tail), FILE_BYTES - 10),
	   "a read past the end is refused (the caller's pread reports it)");
	cs_proc_windows_deinit(&pw);
	close(fd);
	unlink(path);
	free(data);
	return tap_done(&t);
}
