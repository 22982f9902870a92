/* core/error.h: status codes and the context-prepending error buffer. */
#ifndef CS_ERROR_H
#define CS_ERROR_H

#include <stdarg.h>

/*
 * Every fallible function returns a cs_status and, on failure, leaves a message
 * in the caller's struct cs_err. Callers that add context prepend it with
 * cs_err_ctx(), so the user sees one line that reads outer -> inner, e.g.
 * "cannot read struct page: pfn 0x1234: vaddr 0xffffea...: not mapped".
 */
typedef enum cs_status {
	CS_OK = 0,
	CS_ERR_NOMEM,    /* allocation failed */
	CS_ERR_SYSTEM,   /* a system call failed; the message carries strerror */
	CS_ERR_IO,       /* short read / read error on the input */
	CS_ERR_NOSPC,    /* no space left on the output device, or -L limit */
	CS_ERR_FORMAT,   /* input is not in the expected format */
	CS_ERR_CORRUPT,  /* input metadata is implausible */
	CS_ERR_NOTSUP,   /* valid but unsupported (codec not built, arch, ...) */
	CS_ERR_NODATA,   /* the requested data is not in the dump (hole, excluded) */
	CS_ERR_ARGS,     /* invalid command line / parameter */
	CS_ERR_RELEASE,  /* -i VMCOREINFO release differs from the dump (exit 2) */
	CS_ERR_INTR,     /* interrupted by a signal */
	CS_NOPROBE,      /* a reader's probe: "not my format" (not an error) */
} cs_status;

#define CS_ERR_MSG_MAX 1024

struct cs_err {
	cs_status status;
	char msg[CS_ERR_MSG_MAX];
};

/* Reset to "no error". */
void cs_err_clear(struct cs_err *err);

/* Set the message (printf style); returns status so callers can `return cs_err_set(...)`. */
cs_status cs_err_set(struct cs_err *err, cs_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like cs_err_set with CS_ERR_SYSTEM (or `status` if not CS_OK), appending ": strerror(errno)". */
cs_status cs_err_sys(struct cs_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepend context "<ctx>: " to the current message; returns the current status. */
cs_status cs_err_ctx(struct cs_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
