/* formats/kdump_write.c: the kdump-compressed writer: headers, notes, bitmaps, descriptors, page data, eraseinfo. */
#include "formats/writer.h"
#include "formats/kdump_format.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Layout (formats/kdump_format.h): because num_dumpable is known from the 2nd
 * bitmap before any page is written, the descriptor array comes first and the
 * page data after it, exactly where makedumpfile puts them. Descriptors and
 * data are collected in two large buffers and written with one pwrite each
 * when full. Data is always flushed before the descriptors that point into it,
 * so after a failed write every descriptor on disk points at data on disk.
 */
#define DESC_BUF_BYTES (256u << 10) /* 10922 descriptors: one write per ~40 MiB of pages */
#define DATA_BUF_BYTES (1u << 20) /* a capture kernel counts every MiB (kdump-utils#32) */
#define BITMAP_CHUNK (1u << 20)

struct kdump_writer {
	struct cs_writer base;
	struct cs_sink *sink;
	struct cs_write_layout lay;
	struct cs_kdump_sub_header sh;
	uint32_t page_size;
	uint32_t status;

	foff_t bitmap_off; /* 1st bitmap; the 2nd follows at bitmap_off + len_bitmap / 2 */
	uint64_t len_bitmap;
	foff_t pd_start;   /* descriptor array */
	foff_t zero_off;   /* data offset of the shared zero page (exclude_zero) */
	foff_t desc_pos;   /* file offset of desc_buf[0] */
	foff_t data_pos;   /* file offset of data_buf[0] */
	foff_t data_next;  /* file offset the next page's data gets */
	foff_t data_durable; /* data below this offset is on disk */
	foff_t desc_reserved; /* the descriptor table is allocated below this offset */
	foff_t desc_end;      /* end of the descriptor table */
	uint64_t descs_put;

	struct cs_page_desc *desc_buf;
	size_t desc_used; /* descriptors in desc_buf */
	size_t desc_cap;
	uint8_t *data_buf;
	size_t data_used;
	bool begun, finished;
};

size_t cs_kdump_writer_mem_bytes(void)
{
	return DESC_BUF_BYTES + DATA_BUF_BYTES + sizeof(struct kdump_writer);
}

static cs_status kw_create(struct cs_sink *sink, struct cs_writer **ret, struct cs_err *err)
{
	struct kdump_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return cs_err_set(err, CS_ERR_NOMEM, "out of memory");
	w->desc_cap = DESC_BUF_BYTES / sizeof(struct cs_page_desc);
	w->desc_buf = malloc(w->desc_cap * sizeof(struct cs_page_desc));
	w->data_buf = malloc(DATA_BUF_BYTES);
	if (!w->desc_buf || !w->data_buf) {
		free(w->desc_buf);
		free(w->data_buf);
		free(w);
		return cs_err_set(err, CS_ERR_NOMEM, "cannot allocate the kdump write buffers");
	}
	w->base.ops = &cs_kdump_writer;
	w->sink = sink;
	*ret = &w->base;
	return CS_OK;
}

static void kw_destroy(struct cs_writer *base)
{
	struct kdump_writer *w = (struct kdump_writer *)base;

	if (!w)
		return;
	free(w->desc_buf);
	free(w->data_buf);
	free(w);
}

/*
 * Write the bytes of one bitmap that bm's window [first, nbits) covers (the
 * whole bitmap unless the layout is windowed): bits >= max_mapnr cleared
 * and, when `last`, the zero padding up to half_len.
 */
static cs_status write_bitmap(struct kdump_writer *w, const struct cs_bitmap *bm, foff_t off,
			      uint64_t half_len, uint64_t max_mapnr, bool last, struct cs_err *err)
{
	uint64_t from = bm->first / 8;
	uint64_t valid_end = (CS_MIN((uint64_t)bm->nbits, max_mapnr) + 7) / 8;
	uint64_t have_end = from + cs_bitmap_bytes(bm->nbits - bm->first);
	uint64_t to = last ? half_len : CS_MIN(valid_end, half_len);
	uint8_t *chunk = malloc(BITMAP_CHUNK);
	uint64_t pos;
	cs_status st = CS_OK;

	if (!chunk)
		return cs_err_set(err, CS_ERR_NOMEM, "out of memory");
	for (pos = from; pos < to && st == CS_OK; pos += BITMAP_CHUNK) {
		size_t n = (size_t)CS_MIN((uint64_t)BITMAP_CHUNK, to - pos);
		size_t copy = 0;
		uint64_t stop = CS_MIN(valid_end, have_end);

		if (pos < stop)
			copy = (size_t)CS_MIN((uint64_t)n, stop - pos);
		/* The words are little-endian: byte p >> 3, bit p & 7 (we write little-endian dumps only). */
		if (copy)
			memcpy(chunk, (const uint8_t *)bm->words + (pos - from), copy);
		memset(chunk + copy, 0, n - copy);
		/* Clear the bits of the last byte beyond max_mapnr. */
		if (max_mapnr % 8 && pos <= max_mapnr / 8 && max_mapnr / 8 < pos + n)
			chunk[max_mapnr / 8 - pos] &= (uint8_t)((1u << (max_mapnr % 8)) - 1);
		st = cs_sink_pwrite(w->sink, chunk, n, off + (foff_t)pos, err);
	}
	free(chunk);
	return st;
}

static cs_status write_bitmaps(struct kdump_writer *w, const struct cs_bitmap *bm1,
			       const struct cs_bitmap *bm2, struct cs_err *err)
{
	uint64_t max_mapnr = w->lay.hdr->max_mapnr;
	uint64_t half = w->len_bitmap / 2;
	bool last = !w->lay.windowed || bm1->nbits >= max_mapnr;
	cs_status st;

	if (bm1->first != bm2->first || bm1->first % 64 || bm1->first > max_mapnr)
		return cs_err_set(err, CS_ERR_ARGS, "bitmap window at pfn 0x%" PRIxPFN " is not aligned",
				  bm1->first);
	st = write_bitmap(w, bm1, w->bitmap_off, half, max_mapnr, last, err);
	if (!st)
		st = write_bitmap(w, bm2, w->bitmap_off + (foff_t)half, half, max_mapnr, last, err);
	return st;
}

static cs_status kw_put_bitmaps(struct cs_writer *base, const struct cs_bitmap *bitmap1,
				const struct cs_bitmap *bitmap2, struct cs_err *err)
{
	struct kdump_writer *w = (struct kdump_writer *)base;

	if (write_bitmaps(w, bitmap1, bitmap2, err) != CS_OK)
		return cs_err_ctx(err, "bitmaps of pfns 0x%" PRIxPFN "-0x%" PRIxPFN, bitmap1->first,
				  bitmap1->nbits);
	return CS_OK;
}

static cs_status kw_begin(struct cs_writer *base, const struct cs_write_layout *lay,
			  struct cs_err *err)
{
	struct kdump_writer *w = (struct kdump_writer *)base;
	const struct cs_dump_header_info *h = lay->hdr;
	struct cs_disk_dump_header dh;
	uint32_t bs = h->page_size;
	uint64_t len_bitmap, bitmap_blocks, ndesc_area;
	uint32_t sub_blocks;
	foff_t bitmap_off;
	cs_status st;

	if (!bs || bs > (1u << 20) || (bs & (bs - 1)))
		return cs_err_set(err, CS_ERR_ARGS, "page size %u is not supported", bs);
	if (h->vmcoreinfo_size && h->vmcoreinfo_off + h->vmcoreinfo_size > h->notes_size)
		return cs_err_set(err, CS_ERR_ARGS, "VMCOREINFO lies outside the note data");
	w->lay = *lay;
	w->page_size = bs;
	len_bitmap = cs_kdump_len_bitmap(h->max_mapnr, bs);
	bitmap_blocks = len_bitmap / bs;
	if (bitmap_blocks > UINT32_MAX)
		return cs_err_set(err, CS_ERR_ARGS, "max_mapnr 0x%" PRIx64 " is too large", h->max_mapnr);
	sub_blocks = cs_kdump_sub_hdr_blocks(h->notes_size, bs);
	bitmap_off = (foff_t)(1 + sub_blocks) * bs;
	w->bitmap_off = bitmap_off;
	w->len_bitmap = len_bitmap;
	w->pd_start = bitmap_off + (foff_t)len_bitmap;
	/* A split piece leaves room for every piece's descriptors (formats/split.h). */
	ndesc_area = h->split ? CS_MAX(h->num_dumpable_total, lay->num_dumpable) : lay->num_dumpable;
	w->data_next = w->pd_start + (foff_t)(ndesc_area * sizeof(struct cs_page_desc));
	w->desc_pos = w->pd_start;
	w->data_pos = w->data_next;
	w->data_durable = w->data_next;
	w->status = lay->codec_flag | h->extra_status;

	/* Main header: only its 464 bytes are written; the rest of block 0 is a hole. */
	memset(&dh, 0, sizeof(dh));
	memcpy(dh.signature, CS_KDUMP_SIGNATURE, CS_KDUMP_SIG_LEN);
	dh.header_version = CS_KDUMP_HEADER_VERSION;
	memcpy(&dh.utsname, h->utsname, sizeof(dh.utsname));
	dh.timestamp.tv_sec = h->timestamp;
	/*
	 * Until finish() rewrites it, the header says "incomplete": a dump cut by
	 * SIGKILL, the OOM killer or a power cut never reads as finished.
	 */
	dh.status = w->status | (w->sink->can_rewrite ? CS_DUMP_DH_COMPRESSED_INCOMPLETE : 0);
	dh.block_size = (int32_t)bs;
	dh.sub_hdr_size = (int32_t)sub_blocks;
	dh.bitmap_blocks = (uint32_t)bitmap_blocks;
	dh.max_mapnr = (uint32_t)CS_MIN(h->max_mapnr, (uint64_t)UINT_MAX);
	dh.nr_cpus = h->nr_cpus;

	memset(&w->sh, 0, sizeof(w->sh));
	w->sh.phys_base = h->phys_base;
	w->sh.dump_level = h->dump_level;
	w->sh.max_mapnr_64 = h->max_mapnr;
	if (h->split) {
		/* The 32-bit fields are truncated, as makedumpfile does (only for old readers). */
		w->sh.split = 1;
		w->sh.start_pfn = CS_MIN(h->split_start, (uint64_t)UINT_MAX);
		w->sh.end_pfn = CS_MIN(h->split_end, (uint64_t)UINT_MAX);
		w->sh.start_pfn_64 = h->split_start;
		w->sh.end_pfn_64 = h->split_end;
	}
	if (h->notes_size) {
		w->sh.offset_note = (int64_t)bs + (int64_t)sizeof(struct cs_kdump_sub_header);
		w->sh.size_note = h->notes_size;
		if (h->vmcoreinfo_size) {
			w->sh.offset_vmcoreinfo = w->sh.offset_note + (int64_t)h->vmcoreinfo_off;
			w->sh.size_vmcoreinfo = h->vmcoreinfo_size;
		}
	}

	/* Same order as makedumpfile, so -F streams look alike: header, notes, sub header. */
	st = cs_sink_pwrite(w->sink, &dh, sizeof(dh), 0, err);
	if (!st && h->notes_size)
		st = cs_sink_pwrite(w->sink, h->notes, h->notes_size, w->sh.offset_note, err);
	if (!st)
		st = cs_sink_pwrite(w->sink, &w->sh, sizeof(w->sh), bs, err);
	/* The whole bitmaps, or in cyclic mode the first window's part (put_bitmaps: the others). */
	if (!st)
		st = write_bitmaps(w, lay->bitmap1, lay->bitmap2, err);
	/* No pfn at all (empty bitmaps): the file must still reach the end they declare, as readers check. */
	if (!st && w->sink->end < w->pd_start)
		st = cs_sink_pwrite(w->sink, "", 1, w->pd_start - 1, err);
	if (st)
		return cs_err_ctx(err, "cannot write the kdump headers");
	w->begun = true;
	/*
	 * Allocate the descriptor table now: if the disk fills up later, the
	 * descriptors of the pages that did land can still be written (abort).
	 */
	w->desc_end = w->pd_start + (foff_t)(lay->num_dumpable * sizeof(struct cs_page_desc));
	w->desc_reserved = w->pd_start;
	{
		struct cs_err rerr;
		cs_err_clear(&rerr);
		if (cs_sink_reserve(w->sink, w->pd_start, (uint64_t)(w->desc_end - w->pd_start),
				    &rerr) == CS_OK)
			w->desc_reserved = w->desc_end;
	}

	/* The shared zero page is the first data item (formats/kdump_format.h). */
	if (lay->exclude_zero) {
		w->zero_off = w->data_next;
		memset(w->data_buf, 0, bs);
		w->data_used = bs;
		w->data_next += bs;
	}
	return CS_OK;
}

/*
 * Before page data goes out, the descriptors that will point at it must have
 * their place allocated: on a device too small for the whole table (begin's
 * reservation failed), space for them is taken piece by piece, ahead of the
 * data, so that after ENOSPC they can still be written (as makedumpfile
 * writes its descriptor cache before its data cache).
 */
static cs_status reserve_descs(struct kdump_writer *w, struct cs_err *err)
{
	foff_t need = w->desc_pos + (foff_t)(w->desc_used * sizeof(struct cs_page_desc)), end;
	cs_status st;

	if (need <= w->desc_reserved)
		return CS_OK;
	end = CS_MIN(w->desc_end, (foff_t)CS_ALIGN_UP((uint64_t)need, 65536));
	st = cs_sink_reserve(w->sink, w->desc_reserved, (uint64_t)(end - w->desc_reserved), err);
	if (st)
		return st;
	w->desc_reserved = end;
	return CS_OK;
}

static cs_status flush_data(struct kdump_writer *w, struct cs_err *err)
{
	cs_status st;

	if (!w->data_used)
		return CS_OK;
	st = reserve_descs(w, err);
	if (st)
		return st;
	st = cs_sink_pwrite(w->sink, w->data_buf, w->data_used, w->data_pos, err);
	if (st) {
		/* Part of it may have landed (short write before ENOSPC, or up to -L). */
		if (w->sink->fail_end > w->data_durable)
			w->data_durable = w->sink->fail_end;
		return st;
	}
	w->data_pos += (foff_t)w->data_used;
	w->data_durable = w->data_pos;
	w->data_used = 0;
	return CS_OK;
}

static cs_status flush_descs(struct kdump_writer *w, struct cs_err *err)
{
	size_t bytes = w->desc_used * sizeof(struct cs_page_desc);
	cs_status st;

	if (!w->desc_used)
		return CS_OK;
	/* Descriptors never reach the disk before the data they point at. */
	st = flush_data(w, err);
	if (st)
		return st;
	st = cs_sink_pwrite(w->sink, w->desc_buf, bytes, w->desc_pos, err);
	if (st)
		return st;
	w->desc_pos += (foff_t)bytes;
	w->desc_used = 0;
	return CS_OK;
}

/* Append data bytes: large pieces go straight to the sink, small ones through data_buf. */
static cs_status put_data(struct kdump_writer *w, const uint8_t *p, size_t len, struct cs_err *err)
{
	cs_status st;

	if (w->data_used + len > DATA_BUF_BYTES) {
		st = flush_data(w, err);
		if (st)
			return st;
	}
	if (!w->data_used && len >= DATA_BUF_BYTES / 4) {
		st = reserve_descs(w, err);
		if (!st)
			st = cs_sink_pwrite(w->sink, p, len, w->data_pos, err);
		if (st) {
			if (w->sink->fail_end > w->data_durable)
				w->data_durable = w->sink->fail_end;
			return st;
		}
		w->data_pos += (foff_t)len;
		w->data_durable = w->data_pos;
		return CS_OK;
	}
	memcpy(w->data_buf + w->data_used, p, len);
	w->data_used += len;
	return CS_OK;
}

/* Fill n descriptors for pages with these sizes; returns the data offset after them. */
static foff_t fill_descs(struct kdump_writer *w, struct cs_page_desc *pd, const uint32_t *sizes,
			 size_t n, foff_t next)
{
	uint32_t bs = w->page_size, codec_flag = w->lay.codec_flag;

	for (size_t i = 0; i < n; i++, pd++) {
		uint32_t sz = sizes[i];
		pd->page_flags = 0;
		if (sz == 0) {
			pd->offset = w->zero_off;
			pd->size = bs;
			pd->flags = 0;
		} else {
			pd->offset = next;
			pd->size = sz;
			pd->flags = sz < bs ? codec_flag : 0;
			next += sz;
		}
	}
	return next;
}

static cs_status kw_put_batch(struct cs_writer *base, const struct cs_batch *b,
			      struct cs_err *err)
{
	struct kdump_writer *w = (struct kdump_writer *)base;
	cs_status st;

	if (w->descs_put + b->npages > w->lay.num_dumpable)
		return cs_err_set(err, CS_ERR_ARGS,
				  "more pages than the 2nd bitmap has (%" PRIu64 ")",
				  w->lay.num_dumpable);
	if (b->npages <= w->desc_cap) {
		/* The usual case: the whole batch's descriptors fit in the buffer. */
		if (w->desc_used + b->npages > w->desc_cap) {
			st = flush_descs(w, err);
			if (st)
				goto fail;
		}
		w->data_next = fill_descs(w, &w->desc_buf[w->desc_used], b->sizes, b->npages,
					  w->data_next);
		w->desc_used += b->npages;
		st = put_data(w, b->data, b->data_len, err);
		if (st)
			goto fail;
	} else {
		/* A huge batch: its data goes out first, then descriptors in buffer-sized pieces. */
		size_t done = 0;
		st = put_data(w, b->data, b->data_len, err);
		if (!st)
			st = flush_data(w, err);
		while (!st && done < b->npages) {
			size_t n;
			if (w->desc_used == w->desc_cap && (st = flush_descs(w, err)))
				break;
			n = CS_MIN(w->desc_cap - w->desc_used, b->npages - done);
			w->data_next = fill_descs(w, &w->desc_buf[w->desc_used], b->sizes + done, n,
						  w->data_next);
			w->desc_used += n;
			done += n;
		}
		if (st)
			goto fail;
	}
	w->descs_put += b->npages;
	return CS_OK;
fail:
	return cs_err_ctx(err, "cannot write the page data");
}

static cs_status kw_finish(struct cs_writer *base, struct cs_err *err)
{
	struct kdump_writer *w = (struct kdump_writer *)base;
	const struct cs_dump_header_info *h = w->lay.hdr;
	cs_status st;

	if (w->descs_put != w->lay.num_dumpable)
		return cs_err_set(err, CS_ERR_ARGS,
				  "%" PRIu64 " pages written, the 2nd bitmap has %" PRIu64,
				  w->descs_put, w->lay.num_dumpable);
	st = flush_descs(w, err);
	if (!st)
		st = flush_data(w, err);
	if (st)
		return cs_err_ctx(err, "cannot write the page data");
	if (h->eraseinfo_size) {
		/* Erase info follows the last page data; the sub header is rewritten to point at it. */
		w->sh.offset_eraseinfo = w->data_next;
		w->sh.size_eraseinfo = h->eraseinfo_size;
		st = cs_sink_pwrite(w->sink, h->eraseinfo, h->eraseinfo_size, w->data_next, err);
		if (!st)
			st = cs_sink_pwrite(w->sink, &w->sh, sizeof(w->sh), w->page_size, err);
		if (st)
			return cs_err_ctx(err, "cannot write the erase info");
	}
	if (w->base.mark_incomplete)
		w->status |= CS_DUMP_DH_COMPRESSED_INCOMPLETE;
	/* A stream takes the flag as one more record over the header (later records win). */
	if (w->sink->can_rewrite || w->base.mark_incomplete) {
		/* Every page is written, and on disk: only now may the header say so. */
		st = w->status & CS_DUMP_DH_COMPRESSED_INCOMPLETE ? CS_OK : cs_sink_barrier(w->sink, err);
		if (!st)
			st = cs_sink_pwrite(w->sink, &w->status, sizeof(w->status),
					    offsetof(struct cs_disk_dump_header, status), err);
		if (st)
			return cs_err_ctx(err, "cannot write the final header status");
		if (w->sink->can_rewrite)
			w->sink->bytes_written -= sizeof(w->status); /* a rewrite, not more output */
	}
	st = cs_sink_finish(w->sink, err);
	if (st)
		return st;
	w->finished = true;
	return CS_OK;
}

static void kw_abort(struct cs_writer *base)
{
	struct kdump_writer *w = (struct kdump_writer *)base;
	struct cs_err err;
	uint32_t status;
	uint64_t saved, kept = 0;
	size_t i;

	if (!w->begun || w->finished)
		return;
	/* Best effort: try to get the buffered data out, then keep only descriptors backed by data. */
	if (flush_data(w, &err) != CS_OK)
		w->data_used = 0;
	saved = (uint64_t)(w->desc_pos - w->pd_start) / sizeof(struct cs_page_desc);
	for (i = 0; i < w->desc_used; i++) {
		struct cs_page_desc *pd = &w->desc_buf[i];
		if (pd->offset + (foff_t)pd->size > w->data_durable)
			memset(pd, 0, sizeof(*pd)); /* offset 0 = never written (core/loss.h) */
		else
			kept++;
	}
	/*
	 * Unwritten descriptors read as zero (a hole, or the reserved range), so
	 * only a buffer that keeps pages needs writing; it then lies below data
	 * that landed, hence inside any -L limit and in allocated space.
	 */
	if (kept &&
	    cs_sink_pwrite(w->sink, w->desc_buf, w->desc_used * sizeof(*w->desc_buf), w->desc_pos,
			   &err) == CS_OK)
		saved += kept;
	w->desc_used = 0;
	/* The whole descriptor table inside the file (a hole reads as "lost"): readers map it. */
	(void)cs_sink_extend(w->sink, w->desc_end, &err);
	if (w->sink->can_rewrite) {
		status = w->status | CS_DUMP_DH_COMPRESSED_INCOMPLETE;
		if (cs_sink_pwrite(w->sink, &status, sizeof(status),
				   offsetof(struct cs_disk_dump_header, status), &err) == CS_OK) {
			w->base.incomplete = true;
			w->base.saved_pages = saved;
		}
	}
	/*
	 * A stream (-F) gets no end marker: a flattened dump cannot carry the
	 * incomplete flag, so its missing end is what tells readers it was cut.
	 */
	if (w->sink->can_rewrite)
		(void)cs_sink_finish(w->sink, &err);
}

const struct cs_writer_ops cs_kdump_writer = {
	.name = "kdump-compressed",
	.create = kw_create,
	.begin = kw_begin,
	.put_batch = kw_put_batch,
	.put_bitmaps = kw_put_bitmaps,
	.finish = kw_finish,
	.abort = kw_abort,
	.destroy = kw_destroy,
};

/* A finished file cut afterwards (a --split piece, -R): the header status the writer would have set. */
cs_status cs_kdump_mark_incomplete(const char *path, struct cs_err *err)
{
	const off_t off = offsetof(struct cs_disk_dump_header, status);
	uint32_t status;
	int fd = open(path, O_RDWR | O_CLOEXEC);
	cs_status st = CS_OK;

	if (fd < 0)
		return cs_err_sys(err, errno, "cannot open '%s'", path);
	if (pread(fd, &status, sizeof(status), off) != (ssize_t)sizeof(status)) {
		st = cs_err_set(err, CS_ERR_IO, "cannot read the kdump header of '%s'", path);
	} else {
		status |= CS_DUMP_DH_COMPRESSED_INCOMPLETE;
		if (pwrite(fd, &status, sizeof(status), off) != (ssize_t)sizeof(status))
			st = cs_err_sys(err, errno, "cannot mark '%s' incomplete", path);
	}
	close(fd);
	return st;
}
