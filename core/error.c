/* core/error.c: the error buffer: set, prepend context, errno text. */
#include "core/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void cs_err_clear(struct cs_err *err)
{
	err->status = CS_OK;
	err->msg[0] = '\0';
}

static void vset(struct cs_err *err, cs_status status, const char *fmt, va_list ap)
{
	err->status = status;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

cs_status cs_err_set(struct cs_err *err, cs_status status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, status, fmt, ap);
	va_end(ap);
	return status;
}

cs_status cs_err_sys(struct cs_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;
	cs_status status = CS_ERR_SYSTEM;

	if (errnum == ENOSPC || errnum == EFBIG || errnum == EDQUOT)
		status = CS_ERR_NOSPC;
	else if (errnum == ENOMEM)
		status = CS_ERR_NOMEM;
	else if (errnum == EINTR)
		status = CS_ERR_INTR;
	else if (errnum == EIO)
		status = CS_ERR_IO;
	va_start(ap, fmt);
	vset(err, status, fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(errnum));
	return status;
}

cs_status cs_err_ctx(struct cs_err *err, const char *fmt, ...)
{
	char old[CS_ERR_MSG_MAX];
	size_t plen;
	va_list ap;

	/* Write the prefix in place, then append ": <old message>" after it. */
	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	plen = strlen(err->msg);
	if (old[0] && plen + 2 < sizeof(err->msg)) {
		memcpy(err->msg + plen, ": ", 2);
		plen += 2;
		size_t rest = sizeof(err->msg) - plen - 1;
		size_t olen = strnlen(old, sizeof(old));
		if (olen > rest)
			olen = rest;
		memcpy(err->msg + plen, old, olen);
		err->msg[plen + olen] = '\0';
	}
	if (err->status == CS_OK)
		err->status = CS_ERR_CORRUPT;
	return err->status;
}
