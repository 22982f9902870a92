/* tests/unit/test_dmesg.c: --dump-dmesg on hand-built printk buffers in memory (lockless, structured, plain). */
#include "engine/dmesg.h"
#include "tests/lib/tap.h"
#include "tests/lib/rand.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------------------- */
/* Fake kernel memory: a few regions at made-up kernel addresses. */

#define MAX_REGIONS 16

struct region {
	vaddr_t va;
	size_t len;
	uint8_t *bytes;
};

struct mem {
	struct region r[MAX_REGIONS];
	int n;
	unsigned reads;
};

static uint8_t *mem_add(struct mem *m, vaddr_t va, size_t len)
{
	struct region *r = &m->r[m->n++];

	r->va = va;
	r->len = len;
	r->bytes = calloc(1, len ? len : 1);
	return r->bytes;
}

static void mem_free(struct mem *m)
{
	for (int i = 0; i < m->n; i++)
		free(m->r[i].bytes);
	m->n = 0;
}

static cs_status mem_read(void *ctx, vaddr_t va, void *buf, size_t len, struct cs_err *err)
{
	struct mem *m = ctx;

	m->reads++;
	for (int i = 0; i < m->n; i++) {
		struct region *r = &m->r[i];

		if (va >= r->va && va - r->va <= r->len && len <= r->len - (va - r->va)) {
			memcpy(buf, r->bytes + (va - r->va), len);
			return CS_OK;
		}
	}
	return cs_err_set(err, CS_ERR_NODATA, "vaddr 0x%" PRIx64 " not mapped", va);
}

static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }

/* Run an extraction into a temporary file and return its bytes (malloc'ed, NUL-terminated). */
static cs_status run(const struct cs_kmodel *km, struct mem *m, const struct cs_dmesg_opts *o,
		     char **out, size_t *out_len, struct cs_dmesg_stats *st, struct cs_err *err)
{
	FILE *f = tmpfile();
	long n;
	cs_status s;

	cs_err_clear(err);
	s = cs_dmesg_extract_from(km, mem_read, m, o, fileno(f), st, err);
	n = ftell(f) >= 0 ? (long)lseek(fileno(f), 0, SEEK_END) : 0;
	*out = calloc(1, (size_t)n + 1);
	lseek(fileno(f), 0, SEEK_SET);
	if (n > 0 && read(fileno(f), *out, (size_t)n) != n)
		n = 0;
	*out_len = (size_t)n;
	fclose(f);
	return s;
}

static int same(const char *got, size_t got_len, const char *want)
{
	if (got_len == strlen(want) && memcmp(got, want, got_len) == 0)
		return 1;
	printf("# got  (%zu): \"", got_len);
	for (size_t i = 0; i < got_len; i++)
		printf(got[i] == '\n' ? "\\n" : "%c", got[i]);
	printf("\"\n# want (%zu): \"", strlen(want));
	for (size_t i = 0; want[i]; i++)
		printf(want[i] == '\n' ? "\\n" : "%c", want[i]);
	printf("\"\n");
	return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Lockless ring (Linux 6.1 layout), built as the kernel's prb_reserve/data_alloc would. */

#define VA_PRB_SYM 0xffffffff82000000ull
#define VA_RB 0xffffffff82001000ull
#define VA_DESCS 0xffff888001000000ull
#define VA_INFOS 0xffff888002000000ull
#define VA_DATA 0xffff888003000000ull
#define VA_CLEAR 0xffffffff82003000ull
#define ID0 0x1000ull /* first record's id: slot 0, like seq 0 */

enum { SV_RESERVED = 0, SV_COMMITTED = 1, SV_FINALIZED = 2, SV_REUSABLE = 3 };

static void prb_model(struct cs_kmodel *km)
{
	memset(km, 0, sizeof(*km));
	cs_km_set(km, KM_SYM_prb, VA_PRB_SYM);
	cs_km_set(km, KM_SYM_clear_seq, VA_CLEAR);
	cs_km_set(km, KM_SIZE_printk_ringbuffer, 88);
	cs_km_set(km, KM_OFF_printk_ringbuffer_desc_ring, 0);
	cs_km_set(km, KM_OFF_printk_ringbuffer_text_data_ring, 48);
	cs_km_set(km, KM_OFF_prb_desc_ring_count_bits, 0);
	cs_km_set(km, KM_OFF_prb_desc_ring_descs, 8);
	cs_km_set(km, KM_OFF_prb_desc_ring_infos, 16);
	cs_km_set(km, KM_OFF_prb_desc_ring_head_id, 24);
	cs_km_set(km, KM_OFF_prb_desc_ring_tail_id, 32);
	cs_km_set(km, KM_SIZE_prb_desc, 24);
	cs_km_set(km, KM_OFF_prb_desc_state_var, 0);
	cs_km_set(km, KM_OFF_prb_desc_text_blk_lpos, 8);
	cs_km_set(km, KM_OFF_prb_data_blk_lpos_begin, 0);
	cs_km_set(km, KM_OFF_prb_data_blk_lpos_next, 8);
	cs_km_set(km, KM_OFF_prb_data_ring_size_bits, 0);
	cs_km_set(km, KM_OFF_prb_data_ring_data, 8);
	cs_km_set(km, KM_SIZE_printk_info, 88);
	cs_km_set(km, KM_OFF_printk_info_seq, 0);
	cs_km_set(km, KM_OFF_printk_info_ts_nsec, 8);
	cs_km_set(km, KM_OFF_printk_info_text_len, 16);
	cs_km_set(km, KM_OFF_printk_info_caller_id, 20);
	cs_km_set(km, KM_OFF_atomic_long_t_counter, 0);
	cs_km_set(km, KM_SIZE_latched_seq, 24);
	cs_km_set(km, KM_OFF_latched_seq_val, 8);
}

struct ring {
	struct mem mem;
	uint8_t *rb, *descs, *infos, *data, *clear;
	unsigned count_bits, size_bits;
	uint64_t count, size;
	uint64_t head_id, tail_id; /* next id to use = head_id + 1 once one exists */
	uint64_t next_seq;
	uint64_t head_lpos, tail_lpos;
	bool empty;
};

static void ring_sync(struct ring *r)
{
	put64(r->rb + 24, r->head_id);
	put64(r->rb + 32, r->tail_id);
	put64(r->rb + 48 + 16, r->head_lpos);
	put64(r->rb + 48 + 24, r->tail_lpos);
}

static void ring_init(struct ring *r, unsigned count_bits, unsigned size_bits)
{
	memset(r, 0, sizeof(*r));
	r->count_bits = count_bits;
	r->size_bits = size_bits;
	r->count = 1ull << count_bits;
	r->size = 1ull << size_bits;
	put64(mem_add(&r->mem, VA_PRB_SYM, 8), VA_RB);
	r->rb = mem_add(&r->mem, VA_RB, 88);
	r->descs = mem_add(&r->mem, VA_DESCS, r->count * 24);
	r->infos = mem_add(&r->mem, VA_INFOS, r->count * 88);
	r->data = mem_add(&r->mem, VA_DATA, r->size);
	r->clear = mem_add(&r->mem, VA_CLEAR, 24);
	put32(r->rb + 0, count_bits);
	put64(r->rb + 8, VA_DESCS);
	put64(r->rb + 16, VA_INFOS);
	put32(r->rb + 48, size_bits);
	put64(r->rb + 56, VA_DATA);
	/* Nothing yet: every descriptor reusable; the kernel starts lpos at -size (BLK0_LPOS). */
	for (uint64_t i = 0; i < r->count; i++)
		put64(r->descs + i * 24, ((uint64_t)SV_REUSABLE << 62) | (ID0 - r->count + i));
	r->empty = true;
	r->head_lpos = r->tail_lpos = 0 - r->size;
	r->head_id = r->tail_id = ID0 - 1;
	ring_sync(r);
}

static uint8_t *desc_of(struct ring *r, uint64_t id) { return r->descs + (id % r->count) * 24; }
static uint8_t *info_of(struct ring *r, uint64_t id) { return r->infos + (id % r->count) * 88; }

static void set_state(struct ring *r, uint64_t id, int state)
{
	put64(desc_of(r, id), ((uint64_t)state << 62) | id);
}

/* Drop the oldest record (its descriptor becomes reusable, tail moves on). */
static void ring_drop_oldest(struct ring *r)
{
	uint8_t *d = desc_of(r, r->tail_id);
	uint64_t next = 0;

	memcpy(&next, d + 16, 8);
	set_state(r, r->tail_id, SV_REUSABLE);
	if (!((next & 1) && r->tail_lpos == 0))
		r->tail_lpos = next > r->tail_lpos ? next : r->tail_lpos;
	r->tail_id++;
}

/* Append a record like prb_reserve + prb_final_commit; returns its id. */
static uint64_t ring_add(struct ring *r, uint64_t ts, uint32_t caller, const char *text, size_t len,
			 int state)
{
	uint64_t id = r->empty ? ID0 : r->head_id + 1, begin, next, size;
	uint8_t *d, *inf;

	if (!r->empty && id - r->tail_id >= r->count)
		ring_drop_oldest(r);
	if (r->empty)
		r->tail_id = ID0;
	r->empty = false;
	d = desc_of(r, id);
	inf = info_of(r, id);
	if (len == 0) {
		begin = next = 3; /* NO_LPOS: data-less */
	} else {
		size = (8 + len + 7) & ~7ull;
		begin = r->head_lpos;
		next = begin + size;
		if ((begin >> r->size_bits) != (next >> r->size_bits)) {
			/* Wrapping block: the id at begin, the data at the start of the next wrap. */
			if ((begin % r->size) + 8 <= r->size)
				put64(r->data + begin % r->size, id);
			next = ((next >> r->size_bits) << r->size_bits) + size;
		}
		while (r->tail_id != id && next - r->tail_lpos > r->size)
			ring_drop_oldest(r);
		if (next - r->tail_lpos > r->size)
			r->tail_lpos = next - r->size;
		uint64_t db = (next - size) % r->size;
		put64(r->data + db, id);
		memcpy(r->data + db + 8, text, len);
		r->head_lpos = next;
	}
	put64(d + 8, begin);
	put64(d + 16, next);
	put64(inf + 0, r->next_seq++);
	put64(inf + 8, ts);
	put16(inf + 16, (uint16_t)len);
	put32(inf + 20, caller);
	set_state(r, id, state);
	r->head_id = id;
	ring_sync(r);
	return id;
}

static uint64_t add(struct ring *r, uint64_t ts, const char *text)
{
	return ring_add(r, ts, 0, text, strlen(text), SV_FINALIZED);
}

static void test_lockless(struct tap *t)
{
	struct cs_kmodel km;
	struct cs_dmesg_opts o;
	struct cs_dmesg_stats st;
	struct cs_err err;
	struct ring r;
	char *out;
	size_t n;
	cs_status s;

	prb_model(&km);
	memset(&o, 0, sizeof(o));

	/* Basic records, escapes, embedded newline, the 1.7.2 sign-extended \x quirk. */
	ring_init(&r, 4, 10);
	add(&r, 1000000000ull, "hello");
	add(&r, 2500000000ull, "multi\nline\n");
	ring_add(&r, 3000001999ull, 0, "tab\there\x01\xc3\x7f\v", 12, SV_COMMITTED);
	add(&r, 123456789012345678ull, "late");
	s = run(&km, &r.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_OK, "lockless: extract (%s)", err.msg);
	ok(t, same(out, n,
		   "[    1.000000] hello\n"
		   "[    2.500000] multi\n"
		   "               line\n"
		   "               \n"
		   "[    3.000001] tab\there\\x01\\xffffffc3\\x7f\v\n"
		   "[123456789.012345] late\n"),
	   "lockless: makedumpfile 1.7.2 text format");
	ok(t, st.records == 4 && st.skipped == 0 && st.bytes == n && !strcmp(st.format, "lockless"),
	   "lockless: stats");
	free(out);

	/* caller_id column (makedumpfile 1.7.5+ format; --dump-dmesg turns it on). */
	o.caller_id = true;
	mem_free(&r.mem);
	ring_init(&r, 4, 10);
	ring_add(&r, 1000000, 42, "task", 4, SV_FINALIZED);
	ring_add(&r, 2000000, 0x80000001u, "cpu\nx", 5, SV_FINALIZED);
	s = run(&km, &r.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_OK && same(out, n,
				 "[    0.001000] [     T42] task\n"
				 "[    0.002000] [      C1] cpu\n"
				 "                          x\n"),
	   "lockless: caller id column and its indent");
	free(out);
	o.caller_id = false;

	/* Every descriptor state: only committed and finalized records are written. */
	mem_free(&r.mem);
	ring_init(&r, 4, 10);
	add(&r, 1000, "one");
	ring_add(&r, 2000, 0, "reserved", 8, SV_RESERVED);
	ring_add(&r, 3000, 0, "committed", 9, SV_COMMITTED);
	uint64_t reus = add(&r, 4000, "reusable");
	set_state(&r, reus, SV_REUSABLE);
	uint64_t miss = add(&r, 5000, "miss");
	put64(desc_of(&r, miss), ((uint64_t)SV_FINALIZED << 62) | (miss + r.count)); /* older lap's id */
	ring_add(&r, 6000, 0, "", 0, SV_FINALIZED); /* data-less */
	add(&r, 7000, "last");
	s = run(&km, &r.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_OK && same(out, n,
				 "[    0.000001] one\n"
				 "[    0.000003] committed\n"
				 "[    0.000007] last\n"),
	   "lockless: reserved, reusable, id-mismatch and data-less records are skipped");
	free(out);

	/* A wrapped text ring: old records pushed out, one block wraps to offset 0. */
	mem_free(&r.mem);
	ring_init(&r, 5, 8); /* 32 descriptors, 256 bytes of text */
	char want[4096] = "", line[64], text[64];
	int first_kept = -1;
	for (int i = 0; i < 40; i++) {
		snprintf(text, sizeof(text), "message number %02d %.*s", i, i % 7, "xxxxxxx");
		add(&r, (uint64_t)i * 1000000000ull, text);
	}
	/* Which records survive: those from tail_id on (ring_add dropped the others). */
	first_kept = (int)(r.tail_id - ID0);
	for (int i = first_kept; i < 40; i++) {
		snprintf(line, sizeof(line), "[%5d.000000] message number %02d %.*s\n", i, i, i % 7,
			 "xxxxxxx");
		strcat(want, line);
	}
	s = run(&km, &r.mem, &o, &out, &n, &st, &err);
	ok(t, first_kept > 0 && s == CS_OK && same(out, n, want),
	   "lockless: wrapped data ring prints records %d..39 in order", first_kept);
	free(out);

	/* --partial-dmesg: latched clear_seq (5.13+): val[seqcount & 1]. */
	put32(r.clear, 3);               /* seqcount odd: val[1] is current */
	put64(r.clear + 8, 0);           /* stale */
	put64(r.clear + 16, 37);         /* dmesg -C happened before seq 37 */
	o.partial = true;
	s = run(&km, &r.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_OK && same(out, n,
				 "[   37.000000] message number 37 xx\n"
				 "[   38.000000] message number 38 xxx\n"
				 "[   39.000000] message number 39 xxxx\n"),
	   "partial: records from the latched clear_seq on");
	free(out);
	put64(r.clear + 16, 40); /* cleared after the last record */
	s = run(&km, &r.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_OK && n == 0, "partial: clear after the last record writes nothing");
	free(out);
	/* Without OFFSET(printk_info.seq): makedumpfile's slot arithmetic, bounded by the tail. */
	struct cs_kmodel km2 = km;
	km2.have[KM_OFF_printk_info_seq] = 0;
	km2.have[KM_SIZE_latched_seq] = 0;
	put64(r.clear, 38); /* plain u64 clear_seq (5.10 - 5.12) */
	s = run(&km2, &r.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_OK && same(out, n,
				 "[   38.000000] message number 38 xxx\n"
				 "[   39.000000] message number 39 xxxx\n"),
	   "partial: plain clear_seq, slot arithmetic");
	free(out);
	put64(r.clear, 0); /* never cleared, records 0.. overwritten: everything kept */
	s = run(&km2, &r.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_OK && n > 0 && n <= strlen(want) && !memcmp(out, want + strlen(want) - n, n),
	   "partial: slot arithmetic never goes before the tail");
	free(out);
	o.partial = false;

	/* -L: exactly the limit, then CS_ERR_NOSPC. */
	o.size_limit = 50;
	s = run(&km, &r.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_ERR_NOSPC && n == 50 && !memcmp(out, want, 50), "size limit: %zu bytes, %s", n,
	   err.msg);
	free(out);
	o.size_limit = 0;

	/* A corrupted descriptor (lpos from nowhere) and a block with the wrong id. */
	mem_free(&r.mem);
	ring_init(&r, 4, 10);
	add(&r, 1000, "good one");
	uint64_t bad = add(&r, 2000, "bad lpos");
	put64(desc_of(&r, bad) + 16, 0x123456789ull);
	uint64_t bad2 = add(&r, 3000, "bad block id");
	uint64_t b2;
	memcpy(&b2, desc_of(&r, bad2) + 8, 8);
	put64(r.data + b2 % r.size, 0xdead);
	add(&r, 4000, "good two");
	s = run(&km, &r.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_ERR_CORRUPT && st.skipped == 2 && strstr(err.msg, "2 records") &&
		      same(out, n, "[    0.000001] good one\n[    0.000004] good two\n"),
	   "corrupted descriptors skipped, the rest written, CS_ERR_CORRUPT (%s)", err.msg);
	free(out);

	/* Tail more than a ring behind the head: only the last `count` ids are looked at. */
	put64(r.rb + 32, r.head_id - 1000);
	s = run(&km, &r.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_ERR_CORRUPT && strstr(err.msg, "behind head_id") && n > 0,
	   "tail_id too far behind head_id: bounded walk (%s)", err.msg);
	free(out);
	ring_sync(&r);

	/* Ring geometry from a corrupted dump: refused before any allocation. */
	put32(r.rb + 0, 40);
	s = run(&km, &r.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_ERR_CORRUPT && n == 0 && strstr(err.msg, "count_bits 40"), "count_bits 40 refused");
	free(out);
	put32(r.rb + 0, 4);
	put32(r.rb + 48, 31);
	s = run(&km, &r.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_ERR_CORRUPT && n == 0, "size_bits 31 refused (%s)", err.msg);
	free(out);
	put32(r.rb + 48, 10);
	o.mem_limit = 512; /* the dump holds less memory than the 1 KiB text ring */
	s = run(&km, &r.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_ERR_CORRUPT && strstr(err.msg, "implausible size"), "ring larger than the dump (%s)",
	   err.msg);
	free(out);
	o.mem_limit = 0;

	/* Truncated dump: the text ring is not in memory. */
	r.mem.r[4].va = 0xffff888077000000ull;
	s = run(&km, &r.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_ERR_NODATA && n == 0 && strstr(err.msg, "text data ring"),
	   "unreadable text ring: clear error, no output (%s)", err.msg);
	free(out);
	r.mem.r[4].va = VA_DATA;

	/* A layout that cannot be right (OFFSET outside SIZE) and a missing key. */
	km2 = km;
	cs_km_set(&km2, KM_OFF_printk_info_text_len, 87);
	s = run(&km2, &r.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_ERR_CORRUPT && n == 0, "OFFSET outside SIZE refused (%s)", err.msg);
	free(out);
	km2 = km;
	km2.have[KM_OFF_prb_desc_state_var] = 0;
	s = run(&km2, &r.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_ERR_FORMAT && strstr(err.msg, "OFFSET(prb_desc.state_var)"),
	   "missing key named (%s)", err.msg);
	free(out);
	mem_free(&r.mem);
}

/* ---------------------------------------------------------------------------------------- */
/* Structured log_buf (3.5 - 5.9): struct printk_log { u64 ts_nsec; u16 len, text_len, dict_len; u8 facility; u8 flags:5, level:3; } */

#define VA_LOGBUF_SYM 0xffffffff81f00000ull
#define VA_LOGBUF_LEN 0xffffffff81f00010ull
#define VA_FIRST_IDX 0xffffffff81f00020ull
#define VA_NEXT_IDX 0xffffffff81f00030ull
#define VA_CLEAR_IDX 0xffffffff81f00040ull
#define VA_LOG_END 0xffffffff81f00050ull
#define VA_LOGBUF 0xffff888010000000ull
#define HDR 16

struct lb {
	struct mem mem;
	uint8_t *vars, *buf;
	uint32_t len;
};

static void lb_model(struct cs_kmodel *km, bool legacy)
{
	memset(km, 0, sizeof(*km));
	cs_km_set(km, KM_SYM_log_buf, VA_LOGBUF_SYM);
	cs_km_set(km, KM_SYM_log_buf_len, VA_LOGBUF_LEN);
	cs_km_set(km, KM_SYM_log_first_idx, VA_FIRST_IDX);
	cs_km_set(km, KM_SYM_log_next_idx, VA_NEXT_IDX);
	cs_km_set(km, KM_SYM_clear_idx, VA_CLEAR_IDX);
	if (legacy) {
		cs_km_set(km, KM_SIZE_log, HDR);
		cs_km_set(km, KM_OFF_log_ts_nsec, 0);
		cs_km_set(km, KM_OFF_log_len, 8);
		cs_km_set(km, KM_OFF_log_text_len, 10);
	} else {
		cs_km_set(km, KM_SIZE_printk_log, HDR);
		cs_km_set(km, KM_OFF_printk_log_ts_nsec, 0);
		cs_km_set(km, KM_OFF_printk_log_len, 8);
		cs_km_set(km, KM_OFF_printk_log_text_len, 10);
	}
}

static void lb_init(struct lb *l, uint32_t len)
{
	memset(l, 0, sizeof(*l));
	l->len = len;
	l->vars = mem_add(&l->mem, VA_LOGBUF_SYM, 0x60);
	l->buf = mem_add(&l->mem, VA_LOGBUF, len);
	put64(l->vars + 0, VA_LOGBUF);
	put32(l->vars + 0x10, len);
}

static void lb_idx(struct lb *l, uint32_t first, uint32_t next, uint32_t clear)
{
	put32(l->vars + 0x20, first);
	put32(l->vars + 0x30, next);
	put32(l->vars + 0x40, clear);
}

/* A record at pos; returns the position after it. */
static uint32_t lb_put(struct lb *l, uint32_t pos, uint64_t ts, const char *text)
{
	uint16_t tl = (uint16_t)strlen(text), rl = (uint16_t)((HDR + tl + 7) & ~7u);

	put64(l->buf + pos, ts);
	put16(l->buf + pos + 8, rl);
	put16(l->buf + pos + 10, tl);
	memcpy(l->buf + pos + HDR, text, tl);
	return pos + rl;
}

static void lb_wrap_marker(struct lb *l, uint32_t pos)
{
	memset(l->buf + pos, 0, HDR);
}

static void test_structured(struct tap *t)
{
	struct cs_kmodel km;
	struct cs_dmesg_opts o;
	struct cs_dmesg_stats st;
	struct cs_err err;
	struct lb l;
	char *out;
	size_t n;
	cs_status s;
	uint32_t p, q;

	memset(&o, 0, sizeof(o));
	lb_model(&km, false);

	/* Plain walk first -> next. */
	lb_init(&l, 256);
	p = lb_put(&l, 0, 1000000000ull, "first");
	p = lb_put(&l, p, 2000000000ull, "second\nhalf");
	lb_idx(&l, 0, p, 0);
	s = run(&km, &l.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_OK && !strcmp(st.format, "structured") &&
		      same(out, n, "[    1.000000] first\n[    2.000000] second\n               half\n"),
	   "structured: walk (%s)", err.msg);
	free(out);

	/* Wrapped: oldest record near the end, a zero-length marker, newer ones from 0. */
	mem_free(&l.mem);
	lb_init(&l, 256);
	q = lb_put(&l, 0, 5000, "newer A");
	q = lb_put(&l, q, 6000, "newer B");
	p = lb_put(&l, 160, 3000, "old one");
	p = lb_put(&l, p, 4000, "old two");
	lb_wrap_marker(&l, p);
	lb_idx(&l, 160, q, 0);
	s = run(&km, &l.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_OK && same(out, n,
				 "[    0.000003] old one\n[    0.000004] old two\n"
				 "[    0.000005] newer A\n[    0.000006] newer B\n"),
	   "structured: wrap at a zero-length record");
	free(out);

	/* --partial-dmesg starts at clear_idx. */
	lb_idx(&l, 160, q, 24);
	o.partial = true;
	s = run(&km, &l.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_OK && same(out, n, "[    0.000006] newer B\n"), "structured: partial from clear_idx");
	free(out);
	o.partial = false;

	/* Pre-3.11 "struct log" names. */
	struct cs_kmodel kml;
	lb_model(&kml, true);
	lb_idx(&l, 160, q, 0);
	s = run(&kml, &l.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_OK && st.records == 4, "structured: SIZE(log)/OFFSET(log.*) (pre-3.11)");
	free(out);

	/* A cycle: the marker leads back into records already written; next_idx is never reached. */
	mem_free(&l.mem);
	lb_init(&l, 256);
	p = lb_put(&l, 0, 1000, "zero");
	p = lb_put(&l, p, 2000, "one");
	lb_wrap_marker(&l, p);
	lb_idx(&l, 0, 200, 0);
	s = run(&km, &l.mem, &o, &out, &n, &st, &err);
	/* As makedumpfile: the records before the loop repeats, once (the marker shows record 0). */
	ok(t, s == CS_ERR_CORRUPT && strstr(err.msg, "loops") &&
		      same(out, n, "[    0.000001] zero\n[    0.000002] one\n[    0.000001] zero\n"),
	   "structured: cycle detected, records before it written (%s)", err.msg);
	free(out);

	/* A zero-length record at 0 too: a one-element loop. */
	memset(l.buf, 0, 256);
	lb_idx(&l, 32, 200, 0);
	s = run(&km, &l.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_ERR_CORRUPT && st.records <= 2, "structured: zero-length loop stops (%s)", err.msg);
	free(out);

	/* A record whose length leaves the buffer. */
	mem_free(&l.mem);
	lb_init(&l, 256);
	p = lb_put(&l, 0, 1000, "fine");
	put16(l.buf + p, 0);
	lb_put(&l, p, 2000, "runs away");
	put16(l.buf + p + 8, 0xfff0);
	lb_idx(&l, 0, 200, 0);
	s = run(&km, &l.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_ERR_CORRUPT && strstr(err.msg, "outside log_buf") &&
		      same(out, n, "[    0.000001] fine\n[    0.000002] runs away\n"),
	   "structured: chain leaving the buffer (%s)", err.msg);
	free(out);

	/* Indexes outside the buffer, implausible length. */
	lb_idx(&l, 250, 0, 0);
	s = run(&km, &l.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_ERR_CORRUPT && n == 0, "structured: log_first_idx outside (%s)", err.msg);
	free(out);
	put32(l.vars + 0x10, 0x7fffffff);
	lb_idx(&l, 0, 0, 0);
	s = run(&km, &l.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_ERR_CORRUPT || s == CS_ERR_NODATA, "structured: 2 GiB log_buf_len refused (%s)", err.msg);
	free(out);
	put32(l.vars + 0x10, 8);
	s = run(&km, &l.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_ERR_CORRUPT, "structured: log_buf_len below a header refused");
	free(out);

	/* Text runs past the buffer end: clamped. */
	mem_free(&l.mem);
	lb_init(&l, 64);
	p = lb_put(&l, 32, 1000, "tail");
	put16(l.buf + 32 + 10, 500);
	lb_idx(&l, 32, 0, 0);
	lb_wrap_marker(&l, 0);
	put16(l.buf + 8, 16);
	s = run(&km, &l.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_ERR_CORRUPT &&
		      same(out, n, "[    0.000001] tail\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00"
				   "\\x00\\x00\n"),
	   "structured: text clamped to the buffer end");
	free(out);

	/* Missing layout. */
	struct cs_kmodel km2 = km;
	km2.have[KM_SIZE_printk_log] = 0;
	s = run(&km2, &l.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_ERR_FORMAT && strstr(err.msg, "SIZE(printk_log)"), "structured: missing SIZE named");
	free(out);
	km2 = km;
	km2.have[KM_SYM_log_next_idx] = 0;
	s = run(&km2, &l.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_ERR_FORMAT && strstr(err.msg, "log_next_idx"), "structured: missing symbol named");
	free(out);
	mem_free(&l.mem);

	/* Plain character ring (< 3.5): raw bytes, rotated once log_end passed the size. */
	struct cs_kmodel kp;
	memset(&kp, 0, sizeof(kp));
	cs_km_set(&kp, KM_SYM_log_buf, VA_LOGBUF_SYM);
	cs_km_set(&kp, KM_SYM_log_buf_len, VA_LOGBUF_LEN);
	cs_km_set(&kp, KM_SYM_log_end, VA_LOG_END);
	lb_init(&l, 16);
	memcpy(l.buf, "0123456789abcdef", 16);
	put32(l.vars + 0x50, 5);
	s = run(&kp, &l.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_OK && !strcmp(st.format, "plain") && same(out, n, "01234"), "plain: before the wrap");
	free(out);
	put32(l.vars + 0x50, 16 * 3 + 6);
	s = run(&kp, &l.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_OK && same(out, n, "6789abcdef012345"), "plain: rotated after the wrap");
	free(out);
	mem_free(&l.mem);

	/* Nothing to go on. */
	memset(&kp, 0, sizeof(kp));
	s = run(&kp, &l.mem, &o, &out, &n, &st, &err);
	ok(t, s == CS_ERR_FORMAT && strstr(err.msg, "SYMBOL(prb)"), "no log symbols: clear error");
	free(out);
}

/* Deterministic corruption: random bytes of every buffer flipped; never a crash, always bounded. */
static void test_mutations(struct tap *t)
{
	struct cs_kmodel km, kml;
	struct cs_dmesg_opts o;
	struct cs_dmesg_stats st;
	struct cs_err err;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	int bad = 0, runs = 0;

	prb_model(&km);
	lb_model(&kml, false);
	memset(&o, 0, sizeof(o));
	for (int it = 0; it < 600; it++) {
		struct ring r;
		struct lb l;
		char *out, text[80];
		size_t n;
		cs_status s;
		uint32_t p = 0;

		ring_init(&r, 4, 9);
		for (int i = 0; i < 30; i++) {
			snprintf(text, sizeof(text), "record %d of iteration %d", i, it);
			add(&r, (uint64_t)i * 1000, text);
		}
		lb_init(&l, 512);
		for (int i = 0; i < 12; i++) {
			snprintf(text, sizeof(text), "log %d/%d", i, it);
			p = lb_put(&l, p, (uint64_t)i, text);
		}
		lb_wrap_marker(&l, p);
		lb_idx(&l, 0, p, 48);
		for (int k = 0; k < 1 + it % 8; k++) {
			struct region *rg = &r.mem.r[1 + test_rand(&seed) % 5];
			struct region *lg = &l.mem.r[test_rand(&seed) % 2];

			rg->bytes[test_rand(&seed) % rg->len] ^= (uint8_t)(1u << (test_rand(&seed) % 8));
			lg->bytes[test_rand(&seed) % lg->len] = (uint8_t)test_rand(&seed);
		}
		o.partial = it & 1;
		o.caller_id = it & 2;
		s = run(&km, &r.mem, &o, &out, &n, &st, &err);
		runs++;
		if (s != CS_OK && s != CS_ERR_CORRUPT && s != CS_ERR_NODATA && s != CS_ERR_FORMAT)
			bad++;
		if (n > 30 * (40 + 10 * 65535u))
			bad++;
		free(out);
		s = run(&kml, &l.mem, &o, &out, &n, &st, &err);
		runs++;
		if ((s != CS_OK && s != CS_ERR_CORRUPT && s != CS_ERR_NODATA) || st.records > 2 * 512)
			bad++;
		free(out);
		mem_free(&r.mem);
		mem_free(&l.mem);
	}
	ok(t, bad == 0, "%d runs on randomly corrupted rings: bounded, no crash, expected statuses", runs);
}

int main(void)
{
	struct tap t = {0};

	test_lockless(&t);
	test_structured(&t);
	test_mutations(&t);
	return tap_done(&t);
}
