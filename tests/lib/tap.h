/* tests/lib/tap.h: the tiny test harness for unit tests (TAP-like lines, exit status). */
#ifndef CS_TAP_H
#define CS_TAP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <stdarg.h>

/*
 * Usage: struct tap t = {0}; ok(&t, cond, "name %d", i); ... return tap_done(&t);
 * Each check prints "ok N - name" or "not ok N - name" (with file:line); the
 * program exits 1 if any check failed. No global state.
 */
struct tap {
	int n;
	int failed;
};

#define ok(t, cond, ...) tap_check((t), !!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define ok_eq_u64(t, got, want, ...)                                                        \
	do {                                                                                \
		uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);                       \
		if (!tap_check((t), g_ == w_, __FILE__, __LINE__, __VA_ARGS__))              \
			printf("#   got 0x%" PRIx64 " (%" PRIu64 "), want 0x%" PRIx64 " (%" PRIu64 ")\n", \
			       g_, g_, w_, w_);                                             \
	} while (0)

__attribute__((format(printf, 5, 6))) static inline int
tap_check(struct tap *t, int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	t->n++;
	printf("%sok %d - ", cond ? "" : "not ", t->n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!cond) {
		printf(" (%s:%d)", file, line);
		t->failed++;
	}
	printf("\n");
	return cond;
}

static inline int tap_done(struct tap *t)
{
	printf("# %d checks, %d failed\n", t->n, t->failed);
	return t->failed ? 1 : 0;
}

#endif
