/* engine/dmesg.c: --dump-dmesg: walk the crashed kernel's printk buffer and write it as makedumpfile 1.7.2 does. */
#include "engine/dmesg.h"
#include "core/endian.h"

#include "core/io.h"
#include "core/kernel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* No ring or log_buf of a sane kernel comes near this (CONFIG_LOG_BUF_SHIFT <= 25). */
#define DMESG_BUF_CAP (1ull << 30)
/* Sizes of the fixed structures (printk_ringbuffer, prb_desc, printk_info, printk_log). */
#define DMESG_STRUCT_MAX 4096u
#define OUT_BUF_SIZE (64u << 10)
/* Worst case one input byte costs: "\n" + indent ("[%5llu.%06lu] [%8s] " < 64) or "\xffffffXX". */
#define OUT_SLACK 128u

/* kernel/printk/printk_ringbuffer.h: the state lives in the top two bits of state_var. */
#define DESC_FLAGS_SHIFT 62
#define DESC_ID_MASK ((1ull << DESC_FLAGS_SHIFT) - 1)
enum { DESC_COMMITTED = 1, DESC_FINALIZED = 2 };

/* ---------------------------------------------------------------------------------------- */
/* Output: one buffer, -L accounting, ENOSPC -> CS_ERR_NOSPC. */

struct out {
	int fd;
	uint64_t limit;   /* 0: none */
	uint64_t flushed; /* bytes written to fd */
	size_t len;
	char buf[OUT_BUF_SIZE];
};

static cs_status write_all(struct out *o, const char *p, size_t n, struct cs_err *err)
{
	return cs_write_full(o->fd, "the log", p, n, &o->flushed, err);
}

static cs_status out_flush(struct out *o, struct cs_err *err)
{
	size_t n = o->len;
	cs_status st;

	o->len = 0;
	if (o->limit && o->flushed + n > o->limit) {
		/* Fill the file up to the limit, as much of the log as -L allows. */
		st = write_all(o, o->buf, (size_t)(o->limit - o->flushed), err);
		if (st != CS_OK)
			return st;
		return cs_err_set(err, CS_ERR_NOSPC,
				  "the log reached the size limit of %" PRIu64 " bytes (-L)", o->limit);
	}
	return write_all(o, o->buf, n, err);
}

static cs_status out_raw(struct out *o, const uint8_t *p, size_t n, struct cs_err *err)
{
	while (n) {
		size_t room = sizeof(o->buf) - o->len, k = CS_MIN(room, n);
		cs_status st;

		memcpy(o->buf + o->len, p, k);
		o->len += k;
		p += k;
		n -= k;
		if (o->len == sizeof(o->buf) && (st = out_flush(o, err)) != CS_OK)
			return st;
	}
	return CS_OK;
}

/* isprint() || isspace() in the C locale (makedumpfile never calls setlocale). */
static inline bool plain_byte(uint8_t c)
{
	return (c >= 0x20 && c <= 0x7e) || (c >= 0x09 && c <= 0x0d);
}

/*
 * One record, byte for byte as makedumpfile 1.7.2's dump_record() /
 * dump_log_entry(): prefix, text with '\n' continued at the indent, other
 * unprintable bytes as sprintf("\\x%02x", (char)c) (sign-extended: 0xc3 ->
 * "\xffffffc3"), newline.
 */
static cs_status out_record(struct out *o, uint64_t ts_nsec, bool have_caller, uint32_t caller,
			    const uint8_t *text, size_t text_len, struct cs_err *err)
{
	static const char hex[] = "0123456789abcdef";
	char *b;
	size_t indent;
	int n;
	cs_status st;

	if (sizeof(o->buf) - o->len < OUT_SLACK && (st = out_flush(o, err)) != CS_OK)
		return st;
	b = o->buf + o->len;
	n = snprintf(b, OUT_SLACK, "[%5" PRIu64 ".%06" PRIu64 "] ", ts_nsec / 1000000000u,
		     ts_nsec % 1000000000u / 1000u);
	if (n < 0 || (size_t)n >= OUT_SLACK / 2)
		n = 0; /* cannot happen: at most 29 bytes */
	if (have_caller) {
		char cid[16];
		int m;

		snprintf(cid, sizeof(cid), "%c%u", (caller & 0x80000000u) ? 'C' : 'T',
			 caller & ~0x80000000u);
		m = snprintf(b + n, OUT_SLACK - (size_t)n, "[%8s] ", cid);
		if (m > 0)
			n += m;
	}
	indent = (size_t)n;
	o->len += indent;
	for (size_t i = 0; i < text_len; i++) {
		uint8_t c = text[i];

		if (sizeof(o->buf) - o->len < OUT_SLACK && (st = out_flush(o, err)) != CS_OK)
			return st;
		b = o->buf + o->len;
		if (c == '\n') {
			b[0] = '\n';
			memset(b + 1, ' ', indent);
			o->len += 1 + indent;
		} else if (plain_byte(c)) {
			b[0] = (char)c;
			o->len++;
		} else {
			size_t k = 0;

			b[k++] = '\\';
			b[k++] = 'x';
			if (c & 0x80) {
				memcpy(b + k, "ffffff", 6);
				k += 6;
			}
			b[k++] = hex[c >> 4];
			b[k++] = hex[c & 15];
			o->len += k;
		}
	}
	o->buf[o->len++] = '\n';
	return CS_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* Model access with bounds. */

struct dctx {
	const struct cs_kmodel *km;
	cs_dmesg_read_fn read;
	void *rctx;
	const struct cs_dmesg_opts *opts;
	struct cs_dmesg_stats *st;
	struct out *out;
	uint64_t cap; /* largest buffer we read from the dump */
};

/* First missing key of `ids`, or NULL. */
static const char *missing_key(const struct cs_kmodel *km, const enum cs_km_id *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!cs_km_has(km, ids[i]))
			return cs_km_key(ids[i]);
	return NULL;
}

static uint64_t V(const struct dctx *c, enum cs_km_id id)
{
	return cs_km_get(c->km, id);
}

/* off + width inside a structure of `size` bytes (overflow-safe). */
static bool fits(uint64_t off, uint64_t width, uint64_t size)
{
	return off <= size && width <= size - off;
}

static cs_status read_kv(struct dctx *c, vaddr_t vaddr, void *buf, size_t len, const char *what,
			 struct cs_err *err)
{
	if (c->read(c->rctx, vaddr, buf, len, err) != CS_OK)
		return cs_err_ctx(err, "cannot read %s (%zu bytes at 0x%" PRIx64 ")", what, len, vaddr);
	return CS_OK;
}

static cs_status read_u64(struct dctx *c, vaddr_t vaddr, uint64_t *v, const char *what,
			  struct cs_err *err)
{
	uint8_t b[8];

	if (read_kv(c, vaddr, b, 8, what, err) != CS_OK)
		return err->status;
	*v = cs_load_le64(b);
	return CS_OK;
}

static cs_status read_u32(struct dctx *c, vaddr_t vaddr, uint32_t *v, const char *what,
			  struct cs_err *err)
{
	uint8_t b[4];

	if (read_kv(c, vaddr, b, 4, what, err) != CS_OK)
		return err->status;
	*v = cs_load_le32(b);
	return CS_OK;
}

/* Allocate and read a buffer whose size came from the dump (checked against the cap first). */
static cs_status read_buf(struct dctx *c, vaddr_t vaddr, uint64_t len, uint8_t **out,
			  const char *what, struct cs_err *err)
{
	uint8_t *b;

	*out = NULL;
	if (len == 0 || len > c->cap)
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "%s: implausible size %" PRIu64 " bytes (limit %" PRIu64 ")", what, len,
				  c->cap);
	b = malloc((size_t)len);
	if (!b)
		return cs_err_set(err, CS_ERR_NOMEM, "cannot allocate %" PRIu64 " bytes for %s", len,
				  what);
	if (read_kv(c, vaddr, b, (size_t)len, what, err) != CS_OK) {
		free(b);
		return err->status;
	}
	*out = b;
	return CS_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* Lockless ring buffer (Linux 5.10+, kernel/printk/printk_ringbuffer.c). */

struct prb {
	uint8_t *descs, *infos, *data;
	uint64_t count;     /* descriptors (power of two) */
	uint64_t size;      /* text data ring bytes (power of two) */
	unsigned size_bits;
	uint64_t desc_size, info_size;
	uint64_t off_sv, off_begin, off_next;
	uint64_t off_ts, off_tlen, off_caller, off_seq;
	bool have_caller, have_seq;
};

static const enum cs_km_id prb_needed[] = {
	KM_SIZE_printk_ringbuffer, KM_OFF_printk_ringbuffer_desc_ring,
	KM_OFF_printk_ringbuffer_text_data_ring, KM_OFF_prb_desc_ring_count_bits,
	KM_OFF_prb_desc_ring_descs, KM_OFF_prb_desc_ring_infos, KM_OFF_prb_desc_ring_head_id,
	KM_OFF_prb_desc_ring_tail_id, KM_SIZE_prb_desc, KM_OFF_prb_desc_state_var,
	KM_OFF_prb_desc_text_blk_lpos, KM_OFF_prb_data_blk_lpos_begin, KM_OFF_prb_data_blk_lpos_next,
	KM_OFF_prb_data_ring_size_bits, KM_OFF_prb_data_ring_data, KM_SIZE_printk_info,
	KM_OFF_printk_info_ts_nsec, KM_OFF_printk_info_text_len, KM_OFF_atomic_long_t_counter,
};

/* The clear_seq `dmesg -C` left: a plain u64 before 5.13, a latched_seq after. */
static cs_status read_clear_seq(struct dctx *c, uint64_t *seq, struct cs_err *err)
{
	vaddr_t sym = V(c, KM_SYM_clear_seq);
	uint32_t latch;

	if (!cs_km_has(c->km, KM_SIZE_latched_seq))
		return read_u64(c, sym, seq, "clear_seq", err);
	/*
	 * 5.13 (commit "printk: use seqcount_latch for clear_seq"): the value is
	 * val[latch.sequence & 1]; the seqcount is the first member.
	 */
	if (!cs_km_has(c->km, KM_OFF_latched_seq_val) ||
	    !fits(V(c, KM_OFF_latched_seq_val), 16, V(c, KM_SIZE_latched_seq)))
		return cs_err_set(err, CS_ERR_FORMAT,
				  "VMCOREINFO has SIZE(latched_seq) but no usable OFFSET(latched_seq.val)");
	if (read_u32(c, sym, &latch, "clear_seq (latched_seq)", err) != CS_OK)
		return err->status;
	return read_u64(c, sym + V(c, KM_OFF_latched_seq_val) + (latch & 1u) * 8u, seq,
			"clear_seq value", err);
}

/*
 * The text of descriptor `id` (committed or finalized), as the kernel's
 * get_data(): a regular block lies in one wrap, a wrapping block keeps its
 * data at the start of the ring. Returns false for a descriptor without text
 * (skipped silently, as makedumpfile does), and sets *corrupt for a block
 * whose positions or id contradict the descriptor.
 */
static bool prb_text(const struct prb *r, uint64_t id, const uint8_t *desc, const uint8_t **text,
		     uint64_t *avail, bool *corrupt)
{
	uint64_t begin = cs_load_le64(desc + r->off_begin), next = cs_load_le64(desc + r->off_next);
	uint64_t db, dsize;

	*corrupt = false;
	/* Data-less records (FAILED_LPOS / NO_LPOS, both odd) or begin == next: no text. */
	if ((begin & 1) && (next & 1))
		return false;
	if (begin % r->size == next % r->size)
		return false;
	if (begin >> r->size_bits == next >> r->size_bits && begin < next) {
		db = begin % r->size;
		dsize = next - begin;
	} else if ((begin + r->size) >> r->size_bits == next >> r->size_bits) {
		db = 0;
		dsize = next % r->size;
	} else {
		*corrupt = true;
		return false;
	}
	/* Every block starts with the id of its descriptor (unsigned long). */
	if (dsize < 8 || db + dsize > r->size || (cs_load_le64(r->data + db) & DESC_ID_MASK) != id) {
		*corrupt = true;
		return false;
	}
	*text = r->data + db + 8;
	*avail = dsize - 8;
	return true;
}

static cs_status dmesg_lockless(struct dctx *c, struct cs_err *err)
{
	const char *miss = missing_key(c->km, prb_needed, CS_ARRAY_SIZE(prb_needed));
	uint64_t rb_size, dr, tr, cnt_off, head_off, tail_off, ctr;
	uint64_t descs_va, infos_va, data_va, head, tail, n, id, min_seq = 0;
	uint8_t *rb = NULL;
	uint32_t count_bits, size_bits;
	vaddr_t rb_va;
	struct prb r;
	bool clamped = false, use_seq = false;
	cs_status st;

	memset(&r, 0, sizeof(r));
	c->st->format = "lockless";
	if (miss)
		return cs_err_set(err, CS_ERR_FORMAT,
				  "VMCOREINFO has SYMBOL(prb) but not %s: cannot read the printk ring buffer",
				  miss);
	rb_size = V(c, KM_SIZE_printk_ringbuffer);
	dr = V(c, KM_OFF_printk_ringbuffer_desc_ring);
	tr = V(c, KM_OFF_printk_ringbuffer_text_data_ring);
	ctr = V(c, KM_OFF_atomic_long_t_counter);
	cnt_off = dr + V(c, KM_OFF_prb_desc_ring_count_bits);
	head_off = dr + V(c, KM_OFF_prb_desc_ring_head_id) + ctr;
	tail_off = dr + V(c, KM_OFF_prb_desc_ring_tail_id) + ctr;
	r.desc_size = V(c, KM_SIZE_prb_desc);
	r.info_size = V(c, KM_SIZE_printk_info);
	r.off_sv = V(c, KM_OFF_prb_desc_state_var) + ctr;
	r.off_begin = V(c, KM_OFF_prb_desc_text_blk_lpos) + V(c, KM_OFF_prb_data_blk_lpos_begin);
	r.off_next = V(c, KM_OFF_prb_desc_text_blk_lpos) + V(c, KM_OFF_prb_data_blk_lpos_next);
	r.off_ts = V(c, KM_OFF_printk_info_ts_nsec);
	r.off_tlen = V(c, KM_OFF_printk_info_text_len);
	r.have_caller = c->opts->caller_id && cs_km_has(c->km, KM_OFF_printk_info_caller_id);
	r.off_caller = V(c, KM_OFF_printk_info_caller_id);
	r.have_seq = cs_km_has(c->km, KM_OFF_printk_info_seq);
	r.off_seq = V(c, KM_OFF_printk_info_seq);
	if (rb_size == 0 || rb_size > DMESG_STRUCT_MAX || !fits(cnt_off, 4, rb_size) ||
	    !fits(dr + V(c, KM_OFF_prb_desc_ring_descs), 8, rb_size) ||
	    !fits(dr + V(c, KM_OFF_prb_desc_ring_infos), 8, rb_size) || !fits(head_off, 8, rb_size) ||
	    !fits(tail_off, 8, rb_size) || !fits(tr + V(c, KM_OFF_prb_data_ring_size_bits), 4, rb_size) ||
	    !fits(tr + V(c, KM_OFF_prb_data_ring_data), 8, rb_size) || r.desc_size == 0 ||
	    r.desc_size > DMESG_STRUCT_MAX || !fits(r.off_sv, 8, r.desc_size) ||
	    !fits(r.off_begin, 8, r.desc_size) || !fits(r.off_next, 8, r.desc_size) ||
	    r.info_size == 0 || r.info_size > DMESG_STRUCT_MAX || !fits(r.off_ts, 8, r.info_size) ||
	    !fits(r.off_tlen, 2, r.info_size) ||
	    (r.have_caller && !fits(r.off_caller, 4, r.info_size)) ||
	    (r.have_seq && !fits(r.off_seq, 8, r.info_size)))
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "the printk ring buffer layout in VMCOREINFO is implausible (an OFFSET() "
				  "lies outside its SIZE())");

	if (read_u64(c, V(c, KM_SYM_prb), &rb_va, "the prb pointer", err) != CS_OK)
		return err->status;
	if ((st = read_buf(c, rb_va, rb_size, &rb, "struct printk_ringbuffer", err)) != CS_OK)
		return st;
	count_bits = cs_load_le32(rb + cnt_off);
	size_bits = cs_load_le32(rb + tr + V(c, KM_OFF_prb_data_ring_size_bits));
	descs_va = cs_load_le64(rb + dr + V(c, KM_OFF_prb_desc_ring_descs));
	infos_va = cs_load_le64(rb + dr + V(c, KM_OFF_prb_desc_ring_infos));
	data_va = cs_load_le64(rb + tr + V(c, KM_OFF_prb_data_ring_data));
	head = cs_load_le64(rb + head_off) & DESC_ID_MASK;
	tail = cs_load_le64(rb + tail_off) & DESC_ID_MASK;
	free(rb);
	if (count_bits > 30 || size_bits < 4 || size_bits > 30) {
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "printk ring buffer at 0x%" PRIx64 " is corrupted: count_bits %u, "
				  "size_bits %u", rb_va, count_bits, size_bits);
	}
	r.count = 1ull << count_bits;
	r.size = 1ull << size_bits;
	r.size_bits = size_bits;
	if ((st = read_buf(c, descs_va, r.count * r.desc_size, &r.descs, "prb descriptors", err)) ||
	    (st = read_buf(c, infos_va, r.count * r.info_size, &r.infos, "prb infos", err)) ||
	    (st = read_buf(c, data_va, r.size, &r.data, "prb text data ring", err)))
		goto out;

	/* tail..head inclusive can span at most the whole descriptor ring. */
	n = ((head - tail) & DESC_ID_MASK) + 1;
	if (n > r.count) {
		clamped = true;
		tail = (head - r.count + 1) & DESC_ID_MASK;
		n = r.count;
	}
	st = CS_OK;
	if (c->opts->partial && cs_km_has(c->km, KM_SYM_clear_seq)) {
		uint64_t clear_seq;

		if ((st = read_clear_seq(c, &clear_seq, err)) != CS_OK)
			goto out;
		if (r.have_seq) {
			/* Records carry their sequence number: keep those at or after clear_seq. */
			use_seq = true;
			min_seq = clear_seq;
		} else {
			/*
			 * makedumpfile: start at the id of clear_seq's slot in head's
			 * lap (ids and seqs share slots: id % count == seq % count),
			 * but never before the tail nor after the head.
			 */
			uint64_t back = (head - clear_seq) & (r.count - 1);

			if (back < n) {
				tail = (head - back) & DESC_ID_MASK;
				n = back + 1;
			}
		}
	}
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *desc, *inf, *text;
		uint64_t sv, avail, tlen, slot;
		bool corrupt;

		id = (tail + i) & DESC_ID_MASK;
		slot = id & (r.count - 1);
		desc = r.descs + slot * r.desc_size;
		sv = cs_load_le64(desc + r.off_sv);
		/* Only committed or finalized descriptors of this very id hold a record. */
		if ((sv & DESC_ID_MASK) != id ||
		    ((sv >> DESC_FLAGS_SHIFT) != DESC_COMMITTED &&
		     (sv >> DESC_FLAGS_SHIFT) != DESC_FINALIZED))
			continue;
		inf = r.infos + slot * r.info_size;
		if (use_seq && cs_load_le64(inf + r.off_seq) < min_seq)
			continue;
		if (!prb_text(&r, id, desc, &text, &avail, &corrupt)) {
			if (corrupt)
				c->st->skipped++;
			continue;
		}
		tlen = CS_MIN((uint64_t)cs_load_le16(inf + r.off_tlen), avail);
		st = out_record(c->out, cs_load_le64(inf + r.off_ts), r.have_caller,
				r.have_caller ? cs_load_le32(inf + r.off_caller) : 0, /* checked only then */
				text, (size_t)tlen, err);
		if (st != CS_OK)
			goto out;
		c->st->records++;
	}
	if (clamped)
		st = cs_err_set(err, CS_ERR_CORRUPT,
				"printk ring buffer is corrupted: tail_id 0x%" PRIx64 " is more than %" PRIu64
				" descriptors behind head_id 0x%" PRIx64 "; wrote the last %" PRIu64
				" descriptors' records only", tail, r.count, head, r.count);
	else if (c->st->skipped)
		st = cs_err_set(err, CS_ERR_CORRUPT,
				"printk ring buffer is corrupted: %" PRIu64 " records have inconsistent text "
				"blocks and were skipped (%" PRIu64 " records written)",
				c->st->skipped, c->st->records);
out:
	free(r.descs);
	free(r.infos);
	free(r.data);
	return st;
}

/* ---------------------------------------------------------------------------------------- */
/* Structured log_buf (3.5 - 5.9): variable-length records, len == 0 marks the wrap. */

struct lbuf {
	const uint8_t *buf;
	uint64_t len;  /* log_buf_len */
	uint64_t hdr;  /* SIZE(printk_log) */
	uint64_t off_ts, off_len, off_tlen, off_caller;
	bool have_caller;
};

/* The record shown for iterator position p (a zero-length record means "wrap to 0"). */
static uint64_t lb_rec(const struct lbuf *l, uint64_t p)
{
	return cs_load_le16(l->buf + p + l->off_len) ? p : 0;
}

/* The next iterator position; false if it leaves the buffer. */
static bool lb_next(const struct lbuf *l, uint64_t p, uint64_t *np)
{
	uint64_t rec = lb_rec(l, p), n = rec + cs_load_le16(l->buf + rec + l->off_len);

	*np = n;
	return n <= l->len - l->hdr;
}

static cs_status lb_write(struct dctx *c, const struct lbuf *l, uint64_t rec, struct cs_err *err)
{
	const uint8_t *r = l->buf + rec;
	uint64_t text = rec + l->hdr, tlen = cs_load_le16(r + l->off_tlen);

	/* Text may not run past the buffer (makedumpfile trusts text_len). */
	tlen = CS_MIN(tlen, l->len - text);
	if (out_record(c->out, cs_load_le64(r + l->off_ts), l->have_caller,
		       l->have_caller ? cs_load_le32(r + l->off_caller) : 0, /* off_caller checked only then */
		       l->buf + text, (size_t)tlen, err) != CS_OK)
		return err->status;
	c->st->records++;
	return CS_OK;
}

static cs_status dmesg_structured(struct dctx *c, struct cs_err *err)
{
	static const enum cs_km_id idx_needed[] = {KM_SYM_log_first_idx, KM_SYM_log_next_idx};
	const char *miss = missing_key(c->km, idx_needed, CS_ARRAY_SIZE(idx_needed));
	struct lbuf l;
	uint8_t *buf = NULL;
	uint64_t buf_va, p, np, steps = 0, lam = 1, power = 1, tortoise, mu = 0, nwrite, bad = 0;
	uint32_t u32, first, next;
	bool cycle = false, outside = false;
	vaddr_t first_sym;
	cs_status st;

	memset(&l, 0, sizeof(l));
	c->st->format = "structured";
	if (miss)
		return cs_err_set(err, CS_ERR_FORMAT,
				  "VMCOREINFO has SYMBOL(log_buf) but neither SYMBOL(prb) nor %s: cannot "
				  "find the variable-length records", miss);
	if (cs_km_has(c->km, KM_SIZE_printk_log)) {
		static const enum cs_km_id need[] = {KM_OFF_printk_log_ts_nsec, KM_OFF_printk_log_len,
						     KM_OFF_printk_log_text_len};
		if ((miss = missing_key(c->km, need, CS_ARRAY_SIZE(need))))
			goto no_struct;
		l.hdr = V(c, KM_SIZE_printk_log);
		l.off_ts = V(c, KM_OFF_printk_log_ts_nsec);
		l.off_len = V(c, KM_OFF_printk_log_len);
		l.off_tlen = V(c, KM_OFF_printk_log_text_len);
		l.have_caller = c->opts->caller_id && cs_km_has(c->km, KM_OFF_printk_log_caller_id);
		l.off_caller = V(c, KM_OFF_printk_log_caller_id);
	} else if (cs_km_has(c->km, KM_SIZE_log)) {
		/* Before 3.11 (commit 62e32ac3505a "printk: rename struct log to struct printk_log"). */
		static const enum cs_km_id need[] = {KM_OFF_log_ts_nsec, KM_OFF_log_len,
						     KM_OFF_log_text_len};
		if ((miss = missing_key(c->km, need, CS_ARRAY_SIZE(need))))
			goto no_struct;
		l.hdr = V(c, KM_SIZE_log);
		l.off_ts = V(c, KM_OFF_log_ts_nsec);
		l.off_len = V(c, KM_OFF_log_len);
		l.off_tlen = V(c, KM_OFF_log_text_len);
	} else {
		miss = "SIZE(printk_log)";
		goto no_struct;
	}
	if (l.hdr == 0 || l.hdr > DMESG_STRUCT_MAX || !fits(l.off_ts, 8, l.hdr) ||
	    !fits(l.off_len, 2, l.hdr) || !fits(l.off_tlen, 2, l.hdr) ||
	    (l.have_caller && !fits(l.off_caller, 4, l.hdr)))
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "the printk_log layout in VMCOREINFO is implausible (an OFFSET() lies "
				  "outside SIZE(printk_log)=%" PRIu64 ")", l.hdr);

	if (read_u64(c, V(c, KM_SYM_log_buf), &buf_va, "log_buf", err) != CS_OK ||
	    read_u32(c, V(c, KM_SYM_log_buf_len), &u32, "log_buf_len", err) != CS_OK)
		return err->status;
	l.len = u32;
	first_sym = (c->opts->partial && cs_km_has(c->km, KM_SYM_clear_idx)) ? V(c, KM_SYM_clear_idx)
									      : V(c, KM_SYM_log_first_idx);
	if (read_u32(c, first_sym, &first, "log_first_idx", err) != CS_OK ||
	    read_u32(c, V(c, KM_SYM_log_next_idx), &next, "log_next_idx", err) != CS_OK)
		return err->status;
	if (l.len <= l.hdr || l.len > c->cap)
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "log_buf_len %" PRIu64 " is implausible (record header %" PRIu64
				  " bytes, limit %" PRIu64 ")", l.len, l.hdr, c->cap);
	if (first > l.len - l.hdr || next > l.len - l.hdr)
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "printk log_buf is corrupted: index %u (first) or %u (next) lies "
				  "outside log_buf (%" PRIu64 " bytes)", first, next, l.len);
	if ((st = read_buf(c, buf_va, l.len, &buf, "log_buf", err)) != CS_OK)
		return st;
	l.buf = buf;

	/*
	 * Pass 1: follow the chain without writing, to know how many records to
	 * write. A chain that loops (Brent's cycle detection, as makedumpfile)
	 * yields the records before the loop and the loop once; a chain that
	 * leaves the buffer stops after the record that points outside.
	 */
	p = tortoise = first;
	while (p != next) {
		steps++;
		if (!lb_next(&l, p, &np)) {
			outside = true;
			bad = np;
			break;
		}
		p = np;
		if (p == tortoise) {
			cycle = true;
			break;
		}
		if (power == lam) {
			tortoise = p;
			power *= 2;
			lam = 0;
		}
		lam++;
	}
	nwrite = steps;
	if (cycle) {
		/* mu: index of the first position on the loop; write positions 0 .. mu + lam - 1. */
		uint64_t hare = first, tort = first;

		for (uint64_t i = 0; i < lam; i++)
			lb_next(&l, hare, &hare);
		while (tort != hare) {
			lb_next(&l, tort, &tort);
			lb_next(&l, hare, &hare);
			mu++;
		}
		nwrite = mu + lam;
		bad = tort;
	}
	/* Pass 2: write. */
	p = first;
	for (uint64_t i = 0; i < nwrite; i++) {
		if ((st = lb_write(c, &l, lb_rec(&l, p), err)) != CS_OK)
			goto out;
		if (i + 1 < nwrite)
			lb_next(&l, p, &p);
	}
	st = CS_OK;
	if (cycle)
		st = cs_err_set(err, CS_ERR_CORRUPT,
				"printk log_buf is corrupted: its record chain loops at index 0x%" PRIx64
				" (log_buf 0x%" PRIx64 "); wrote the %" PRIu64 " records before the loop "
				"repeats", bad, buf_va, nwrite);
	else if (outside)
		st = cs_err_set(err, CS_ERR_CORRUPT,
				"printk log_buf is corrupted: a record chains to index 0x%" PRIx64
				" outside log_buf (%" PRIu64 " bytes at 0x%" PRIx64 "); wrote the %" PRIu64
				" records before it", bad, l.len, buf_va, nwrite);
out:
	free(buf);
	return st;
no_struct:
	return cs_err_set(err, CS_ERR_FORMAT,
			  "VMCOREINFO lacks %s: cannot parse the structured printk log_buf", miss);
}

/* ---------------------------------------------------------------------------------------- */
/* Plain character ring (before 3.5): the last log_buf_len bytes, written raw. */

static cs_status dmesg_plain(struct dctx *c, struct cs_err *err)
{
	uint64_t buf_va, len, idx;
	uint32_t u32, log_end;
	uint8_t *buf = NULL;
	cs_status st;

	c->st->format = "plain";
	if (read_u64(c, V(c, KM_SYM_log_buf), &buf_va, "log_buf", err) != CS_OK ||
	    read_u32(c, V(c, KM_SYM_log_buf_len), &u32, "log_buf_len", err) != CS_OK ||
	    /* unsigned long before 2.6.25, unsigned after: the low 32 bits are what we use. */
	    read_u32(c, V(c, KM_SYM_log_end), &log_end, "log_end", err) != CS_OK)
		return err->status;
	len = u32;
	if (len == 0 || len > c->cap || (int32_t)u32 < 0)
		return cs_err_set(err, CS_ERR_CORRUPT, "log_buf_len %" PRIu64 " is implausible", len);
	if (log_end < len) {
		if (log_end == 0)
			return CS_OK;
		if ((st = read_buf(c, buf_va, log_end, &buf, "log_buf", err)) == CS_OK)
			st = out_raw(c->out, buf, log_end, err);
	} else {
		idx = (len & (len - 1)) == 0 ? (log_end & (len - 1)) : log_end % len;
		if ((st = read_buf(c, buf_va, len, &buf, "log_buf", err)) == CS_OK &&
		    (st = out_raw(c->out, buf + idx, (size_t)(len - idx), err)) == CS_OK)
			st = out_raw(c->out, buf, (size_t)idx, err);
	}
	free(buf);
	return st;
}

/* ---------------------------------------------------------------------------------------- */

cs_status cs_dmesg_extract_from(const struct cs_kmodel *km, cs_dmesg_read_fn read, void *ctx,
				const struct cs_dmesg_opts *opts, int out_fd,
				struct cs_dmesg_stats *st, struct cs_err *err)
{
	struct cs_dmesg_stats local;
	struct dctx c;
	struct out *o;
	cs_status s, fs;

	if (!st)
		st = &local;
	memset(st, 0, sizeof(*st));
	o = malloc(sizeof(*o));
	if (!o)
		return cs_err_set(err, CS_ERR_NOMEM, "cannot allocate the log output buffer");
	o->fd = out_fd;
	o->limit = opts->size_limit;
	o->flushed = 0;
	o->len = 0;
	memset(&c, 0, sizeof(c));
	c.km = km;
	c.read = read;
	c.rctx = ctx;
	c.opts = opts;
	c.st = st;
	c.out = o;
	c.cap = DMESG_BUF_CAP;
	if (opts->mem_limit && opts->mem_limit < c.cap)
		c.cap = opts->mem_limit;

	if (cs_km_has(km, KM_SYM_prb))
		s = dmesg_lockless(&c, err);
	else if (!cs_km_has(km, KM_SYM_log_buf) || !cs_km_has(km, KM_SYM_log_buf_len))
		s = cs_err_set(err, CS_ERR_FORMAT,
			       "VMCOREINFO has neither SYMBOL(prb) nor SYMBOL(log_buf) and "
			       "SYMBOL(log_buf_len): cannot find the kernel log");
	else if (cs_km_has(km, KM_SYM_log_end))
		s = dmesg_plain(&c, err);
	else
		s = dmesg_structured(&c, err);

	/* Write what was read even when the ring turned out broken. */
	if (s == CS_OK || s == CS_ERR_CORRUPT) {
		struct cs_err ferr;

		cs_err_clear(&ferr);
		fs = out_flush(o, &ferr);
		if (fs != CS_OK) {
			*err = ferr;
			s = fs;
		}
	}
	st->bytes = o->flushed;
	free(o);
	return s;
}

struct kread_ctx {
	struct cs_kernel *k;
};

static cs_status kernel_reader(void *ctx, vaddr_t vaddr, void *buf, size_t len, struct cs_err *err)
{
	struct kread_ctx *kc = ctx;

	return cs_kernel_read(kc->k, vaddr, buf, len, err);
}

cs_status cs_dmesg_extract_opts(struct cs_kernel *k, const struct cs_dmesg_opts *opts, int out_fd,
				struct cs_dmesg_stats *st, struct cs_err *err)
{
	struct cs_dmesg_opts o = *opts;
	struct kread_ctx kc = {k};

	if (!k->have_model)
		return cs_err_set(err, CS_ERR_ARGS,
				  "%s doesn't contain vmcoreinfo: give -x VMLINUX or -i VMCOREINFO to "
				  "extract the dmesg log", k->path ? k->path : "the dump");
	if (!k->have_arch)
		return cs_err_set(err, CS_ERR_FORMAT,
				  "cannot translate kernel addresses of this dump (no page-table root in "
				  "its kernel model): the log cannot be read");
	return cs_dmesg_extract_from(&k->km, kernel_reader, &kc, &o, out_fd, st, err);
}
