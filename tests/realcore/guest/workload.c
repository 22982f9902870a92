/* tests/realcore/guest/workload.c - guest workload for real-vmcore fixtures.
 *
 * Fills anonymous memory of several kinds, records where it landed (physical frame
 * numbers from /proc/self/pagemap), signals readiness and then waits until killed, so
 * the host can dump guest memory with all of it resident.
 *
 * usage: workload [KIND=MB ...] [map=FILE] [ready=FILE]
 *   pattern=MB   text pages; each page starts with "CSRC-PATTERN <index>" so tests can find it
 *   random=MB    pseudo-random bytes (xorshift64, fixed seed): incompressible
 *   zero=MB      pages written with zeros (real anonymous pages whose content is all zero)
 *   thp=MB       madvise(MADV_HUGEPAGE) region, 2 MiB aligned, filled with a pattern
 *   hugetlb=MB   MAP_HUGETLB region; raises /proc/sys/vm/nr_hugepages as needed first
 *   map=FILE     write "kind vaddr pfn npages" runs (pfn-contiguous) of every region to FILE
 *   ready=FILE   create FILE once everything is filled and mapped
 * Non-THP regions get MADV_NOHUGEPAGE so they stay order-0 pages even with THP "always".
 * Built static (gcc -static) for the busybox initramfs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096UL
#define HPAGE (2UL << 20)

enum kind { K_PATTERN, K_RANDOM, K_ZERO, K_THP, K_HUGETLB, K_NR };
static const char *const kind_name[K_NR] = { "pattern", "random", "zero", "thp", "hugetlb" };

struct region {
	char *addr;
	size_t len;
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "%ld\n", v);
	return fclose(f);
}

/* Anonymous private mapping of len bytes aligned to align. */
static char *map_aligned(size_t len, size_t align, int extra_flags)
{
	size_t want = len + (align > PAGE ? align : 0);
	char *p = mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (align > PAGE) {
		uintptr_t a = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
		if (a > (uintptr_t)p)
			munmap(p, a - (uintptr_t)p);
		if ((uintptr_t)p + want > a + len)
			munmap((char *)a + len, (uintptr_t)p + want - (a + len));
		p = (char *)a;
	}
	return p;
}

static void fill_pattern(char *p, size_t len)
{
	static const char text[] =
		"the quick brown fox jumps over the lazy dog; "
		"coresieve real vmcore fixture, anonymous user page text pattern. ";
	for (size_t off = 0; off < len; off += PAGE) {
		char *pg = p + off;
		int n = snprintf(pg, PAGE, "CSRC-PATTERN %zu\n", off / PAGE);
		for (size_t i = (size_t)n; i < PAGE; i++)
			pg[i] = text[(i + off / PAGE) % (sizeof text - 1)];
	}
}

static void fill_random(char *p, size_t len)
{
	for (size_t i = 0; i < len; i += 8)
		*(uint64_t *)(p + i) = xorshift();
}

static void fill_zero(char *p, size_t len)
{
	/* A write (not a read) so each page is a real anonymous page, not the shared zero page. */
	for (size_t i = 0; i < len; i += PAGE)
		((volatile char *)p)[i] = 0;
}

static void fill_words(char *p, size_t len, uint64_t salt)
{
	for (size_t i = 0; i < len; i += 8)
		*(uint64_t *)(p + i) = (i / 8) ^ salt;
}

/* Append the pfn-contiguous runs of [addr, addr+len) to map (if any). */
static void record_map(FILE *map, int pagemap, const char *name, const char *addr, size_t len,
		       size_t *present)
{
	size_t npages = len / PAGE, run_start = 0, run_len = 0;
	uint64_t run_pfn = 0;
	uint64_t buf[512];

	*present = 0;
	for (size_t i = 0; i < npages; i += 512) {
		size_t n = npages - i < 512 ? npages - i : 512;
		off_t off = (off_t)(((uintptr_t)addr / PAGE + i) * 8);
		if (pread(pagemap, buf, n * 8, off) != (ssize_t)(n * 8))
			die("pread /proc/self/pagemap");
		for (size_t j = 0; j < n; j++) {
			int is_present = (buf[j] >> 63) & 1;
			uint64_t pfn = buf[j] & ((1ULL << 55) - 1);
			if (!is_present)
				continue;
			(*present)++;
			if (run_len && pfn == run_pfn + run_len && i + j == run_start + run_len) {
				run_len++;
				continue;
			}
			if (run_len && map)
				fprintf(map, "%s 0x%lx 0x%llx %zu\n", name, (unsigned long)(uintptr_t)(addr + run_start * PAGE),
					(unsigned long long)run_pfn, run_len);
			run_start = i + j;
			run_pfn = pfn;
			run_len = 1;
		}
	}
	if (run_len && map)
		fprintf(map, "%s 0x%lx 0x%llx %zu\n", name, (unsigned long)(uintptr_t)(addr + run_start * PAGE),
			(unsigned long long)run_pfn, run_len);
}

static void on_term(int sig)
{
	(void)sig;
	_exit(0);
}

int main(int argc, char **argv)
{
	size_t mb[K_NR] = { 0 };
	const char *map_path = NULL, *ready_path = NULL;
	struct region reg[K_NR] = { { 0 } };

	for (int a = 1; a < argc; a++) {
		char *eq = strchr(argv[a], '=');
		int k;
		if (!eq) {
			fprintf(stderr, "workload: bad argument '%s' (want KEY=VALUE)\n", argv[a]);
			return 2;
		}
		*eq = '\0';
		if (!strcmp(argv[a], "map")) {
			map_path = eq + 1;
			continue;
		}
		if (!strcmp(argv[a], "ready")) {
			ready_path = eq + 1;
			continue;
		}
		for (k = 0; k < K_NR && strcmp(argv[a], kind_name[k]); k++)
			;
		if (k == K_NR) {
			fprintf(stderr, "workload: unknown kind '%s'\n", argv[a]);
			return 2;
		}
		mb[k] = strtoul(eq + 1, NULL, 0);
	}
	signal(SIGTERM, on_term);

	for (int k = 0; k < K_NR; k++) {
		size_t len = mb[k] << 20;
		char *p;
		if (!len)
			continue;
		if (k == K_HUGETLB) {
			const char *nr = "/proc/sys/vm/nr_hugepages";
			long have = read_long(nr), need = (long)(len / HPAGE);
			if (have < 0 || write_long(nr, have + need) != 0)
				fprintf(stderr, "workload: cannot raise %s\n", nr);
			p = map_aligned(len, PAGE, MAP_HUGETLB);
			if (!p) {
				fprintf(stderr, "workload: hugetlb mmap of %zu MiB failed: %s (nr_hugepages=%ld)\n",
					mb[k], strerror(errno), read_long(nr));
				continue;
			}
		} else {
			p = map_aligned(len, k == K_THP ? HPAGE : PAGE, 0);
			if (!p)
				die("mmap");
			if (madvise(p, len, k == K_THP ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) != 0)
				fprintf(stderr, "workload: madvise(%s): %s\n", kind_name[k], strerror(errno));
		}
		switch (k) {
		case K_PATTERN: fill_pattern(p, len); break;
		case K_RANDOM: fill_random(p, len); break;
		case K_ZERO: fill_zero(p, len); break;
		case K_THP: fill_words(p, len, 0x5a5a5a5a00000000ull); break;
		case K_HUGETLB: fill_words(p, len, 0xa5a5a5a500000000ull); break;
		}
		reg[k].addr = p;
		reg[k].len = len;
	}

	FILE *map = NULL;
	if (map_path && !(map = fopen(map_path, "w")))
		die(map_path);
	int pagemap = open("/proc/self/pagemap", O_RDONLY);
	if (pagemap < 0)
		die("/proc/self/pagemap");
	for (int k = 0; k < K_NR; k++) {
		size_t present = 0;
		if (!reg[k].len)
			continue;
		record_map(map, pagemap, kind_name[k], reg[k].addr, reg[k].len, &present);
		printf("workload: %-8s %5zu MiB at %p, %zu of %zu pages present\n", kind_name[k], mb[k],
		       (void *)reg[k].addr, present, reg[k].len / PAGE);
	}
	close(pagemap);
	if (map && fclose(map) != 0)
		die(map_path);
	printf("workload: ready\n");
	fflush(stdout);
	if (ready_path) {
		int fd = open(ready_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			die(ready_path);
		close(fd);
	}
	for (;;)
		pause();
}
