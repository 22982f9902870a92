/* engine/dmesg.h: --dump-dmesg: the crashed kernel's log (lockless prb, structured log_buf, plain ring) as text. */
#ifndef CS_DMESG_H
#define CS_DMESG_H

#include "core/types.h"
#include "core/error.h"
#include "core/kmodel.h"

struct cs_kernel;

/*
 * The log format is chosen by which VMCOREINFO symbols exist (makedumpfile
 * 1.7.2's order): SYMBOL(prb) -> lockless ring buffer (5.10+); SYMBOL(log_end)
 * -> plain character ring (< 3.5), written raw; SYMBOL(log_first_idx) and
 * SYMBOL(log_next_idx) -> structured log_buf (3.5 - 5.9).
 *
 * Each record is written as makedumpfile 1.7.2 writes it: "[%5llu.%06lu] "
 * from ts_nsec, then the text with '\n' continued on a line indented to the
 * text column, bytes that are neither isprint() nor isspace() in the C locale
 * as "\x%02x" of the byte as a (signed) char (so 0xc3 prints "\xffffffc3",
 * exactly as 1.7.2 does), and a final '\n'. Records without text are skipped.
 * caller_id = true adds makedumpfile 1.7.5+'s "[%8s] " of "T<pid>" / "C<cpu>"
 * (bit 31 of caller_id) after the timestamp, and indents continuation lines
 * past it, when the model has OFFSET(printk_info.caller_id) (or
 * printk_log.caller_id); --dump-dmesg always sets it, 1.7.2 had no column.
 */
struct cs_dmesg_opts {
	bool partial;      /* --partial-dmesg: only records after the last `dmesg -C` */
	bool caller_id;    /* print the caller id column (1.7.5+; not in 1.7.2's output) */
	uint64_t size_limit; /* -L: fail with CS_ERR_NOSPC beyond this many bytes (0: none) */
	/*
	 * Upper bound for any buffer size read from the dump (bytes of memory the
	 * dump holds); 0: only the fixed 1 GiB cap applies.
	 */
	uint64_t mem_limit;
};

/* What an extraction did (valid on success and on failure). */
struct cs_dmesg_stats {
	const char *format;   /* "lockless", "structured", "plain" (NULL before detection) */
	uint64_t records;     /* records written */
	uint64_t skipped;     /* records skipped as corrupted (bad lpos, bad block id, bad length) */
	uint64_t bytes;       /* bytes written to out_fd */
};

/* Kernel-virtual reader (cs_kernel_read, or an in-memory fake in tests). */
typedef cs_status (*cs_dmesg_read_fn)(void *ctx, vaddr_t vaddr, void *buf, size_t len,
				      struct cs_err *err);

/*
 * Extract the log described by `km`, reading kernel memory through `read`,
 * and write the text to out_fd. Every index, length and ring size read from
 * the dump is bounded (1 GiB cap, mem_limit, the ring geometry); a structured
 * log_buf whose record chain leaves the buffer or loops stops there. On a
 * broken ring the records read so far are written and CS_ERR_CORRUPT is
 * returned with a message naming what is broken; corrupted records inside an
 * otherwise sound lockless ring are skipped, counted in st->skipped, and also
 * reported as CS_ERR_CORRUPT after the rest was written. Write errors:
 * CS_ERR_NOSPC (ENOSPC or size_limit) or CS_ERR_SYSTEM. `st` may be NULL.
 */
cs_status cs_dmesg_extract_from(const struct cs_kmodel *km, cs_dmesg_read_fn read, void *ctx,
				const struct cs_dmesg_opts *opts, int out_fd,
				struct cs_dmesg_stats *st, struct cs_err *err);

/* The same through the kernel's own reader (the caller sets mem_limit to the dump's memory size). */
cs_status cs_dmesg_extract_opts(struct cs_kernel *k, const struct cs_dmesg_opts *opts, int out_fd,
				struct cs_dmesg_stats *st, struct cs_err *err);

#endif
