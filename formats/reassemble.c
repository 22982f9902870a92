/* formats/reassemble.c: --reassemble: the pieces of a split kdump dump into one file, byte-compatible with makedumpfile. */
#include "formats/reassemble.h"
#include "core/bitmap.h"
#include "core/io.h"
#include "formats/infile.h"
#include "formats/kdump_format.h"
#include "formats/sink.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Descriptors handled per read / write. */
#define DESC_CHUNK 8192
/* Bytes per copy when copy_file_range cannot be used. */
#define COPY_BUF (1u << 20)

struct piece {
	struct cs_infile in;
	struct cs_disk_dump_header dh;
	struct cs_kdump_sub_header kh;
	pfn_t start, end;
};

struct reasm {
	struct piece *p;
	size_t n;
	int out;
	const char *out_path;
	uint32_t bs;
	uint64_t max_mapnr;
	int dump_level;
	struct cs_bitmap bm2;
	uint64_t num_dumpable;
	struct cs_loss *loss; /* descriptors written "lost" (core/loss.h) */
	/* pending data copy: source piece bytes [src_off, +len) go to dst_off */
	const struct piece *cp_from;
	uint64_t cp_src, cp_len, cp_dst;
	uint8_t *buf;
};

static cs_status out_write(struct reasm *r, const void *buf, size_t len, uint64_t off,
			   struct cs_err *err)
{
	return cs_pwrite_full(r->out, r->out_path, buf, len, off, NULL, err);
}

/* Copy [src, src + len) of a piece to [dst, dst + len) of the output. */
static cs_status copy_range(struct reasm *r, const struct piece *pc, uint64_t src, uint64_t len,
			    uint64_t dst, struct cs_err *err)
{
	cs_status st;

	if (!pc->in.flattened && !pc->in.map) {
		while (len) {
			loff_t so = (loff_t)src, doff = (loff_t)dst;
			ssize_t k = copy_file_range(pc->in.fd, &so, r->out, &doff, len, 0);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break; /* not supported here, or EOF: the slow way reports it */
			src += (uint64_t)k;
			dst += (uint64_t)k;
			len -= (uint64_t)k;
		}
	}
	while (len) {
		size_t k = (size_t)CS_MIN(len, (uint64_t)COPY_BUF);
		st = cs_infile_pread(&pc->in, r->buf, k, src, err);
		if (!st)
			st = out_write(r, r->buf, k, dst, err);
		if (st)
			return st;
		src += k;
		dst += k;
		len -= k;
	}
	return CS_OK;
}

static cs_status flush_copy(struct reasm *r, struct cs_err *err)
{
	cs_status st = CS_OK;

	if (r->cp_len)
		st = copy_range(r, r->cp_from, r->cp_src, r->cp_len, r->cp_dst, err);
	r->cp_len = 0;
	return st;
}

/* Queue a data copy, merged with the previous one when both ends continue it. */
static cs_status queue_copy(struct reasm *r, const struct piece *pc, uint64_t src, uint64_t len,
			    uint64_t dst, struct cs_err *err)
{
	cs_status st;

	if (r->cp_len && r->cp_from == pc && r->cp_src + r->cp_len == src &&
	    r->cp_dst + r->cp_len == dst && r->cp_len < (1ULL << 30)) {
		r->cp_len += len;
		return CS_OK;
	}
	st = flush_copy(r, err);
	r->cp_from = pc;
	r->cp_src = src;
	r->cp_len = len;
	r->cp_dst = dst;
	return st;
}

static int piece_cmp(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static cs_status read_piece(struct piece *pc, const char *path, struct cs_err *err)
{
	cs_status st = cs_infile_open(&pc->in, path, false, err);
	int v;

	if (st)
		return st;
	st = cs_infile_pread(&pc->in, &pc->dh, sizeof(pc->dh), 0, err);
	if (st)
		return cs_err_ctx(err, "kdump header");
	if (memcmp(pc->dh.signature, CS_KDUMP_SIGNATURE, CS_KDUMP_SIG_LEN))
		return cs_err_set(err, CS_ERR_FORMAT, "'%s' is not a kdump-compressed file", path);
	v = pc->dh.header_version;
	if (pc->dh.block_size < 512 || pc->dh.block_size > (1 << 20) ||
	    (pc->dh.block_size & (pc->dh.block_size - 1)) || v < 2)
		return cs_err_set(err, CS_ERR_FORMAT,
				  "'%s': unsupported kdump header (version %d, block size %d)", path, v,
				  pc->dh.block_size);
	st = cs_infile_pread(&pc->in, &pc->kh, sizeof(pc->kh), (uint64_t)pc->dh.block_size, err);
	if (st)
		return cs_err_ctx(err, "kdump sub header");
	if (!pc->kh.split)
		return cs_err_set(err, CS_ERR_FORMAT, "'%s' is not a piece of a split dump", path);
	pc->start = v >= 6 ? pc->kh.start_pfn_64 : pc->kh.start_pfn;
	pc->end = v >= 6 ? pc->kh.end_pfn_64 : pc->kh.end_pfn;
	return CS_OK;
}

/* The pieces' descriptors and data, re-packed (makedumpfile's reassemble_kdump_pages). */
static cs_status reassemble_pages(struct reasm *r, uint64_t pd_start,
				  void (*progress)(void *, uint64_t, uint64_t), void *parg,
				  uint64_t *data_end, struct cs_err *err)
{
	struct cs_page_desc *in = malloc(DESC_CHUNK * sizeof(*in)), *out = malloc(DESC_CHUNK * sizeof(*out));
	uint64_t data_new = pd_start + r->num_dumpable * sizeof(struct cs_page_desc);
	uint64_t zero_off = 0, desc_out = pd_start, done = 0;
	struct cs_page_desc pd_zero;
	cs_status st = CS_OK;

	if (!in || !out) {
		st = cs_err_set(err, CS_ERR_NOMEM, "out of memory");
		goto out;
	}
	memset(&pd_zero, 0, sizeof(pd_zero));
	if (r->dump_level & 1) {
		/* One zero page first; every piece's zero descriptors point at it. */
		zero_off = data_new;
		pd_zero.offset = (int64_t)data_new;
		pd_zero.size = r->bs;
		memset(r->buf, 0, r->bs);
		st = out_write(r, r->buf, r->bs, data_new, err);
		if (st)
			goto out;
		data_new += r->bs;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct piece *pc = &r->p[i];
		uint64_t ndesc = cs_bitmap_count(&r->bm2, CS_MIN(pc->start, r->bm2.nbits),
						 CS_MIN(pc->end, r->bm2.nbits));
		uint64_t in_off = pd_start;
		const bool flagged = (pc->dh.status & CS_DUMP_DH_COMPRESSED_INCOMPLETE) != 0;
		pfn_t pfn = cs_bitmap_next_set(&r->bm2, CS_MIN(pc->start, r->bm2.nbits));

		for (uint64_t k = 0; k < ndesc;) {
			size_t m = (size_t)CS_MIN((uint64_t)DESC_CHUNK, ndesc - k);
			size_t bytes = m * sizeof(*in), have;

			/* An incomplete piece may end inside its descriptors: the rest reads as zero. */
			memset(in, 0, bytes);
			have = in_off < pc->in.size ? (size_t)CS_MIN((uint64_t)bytes, pc->in.size - in_off) : 0;
			if (have && (st = cs_infile_pread(&pc->in, in, have, in_off, err)))
				goto out;
			for (size_t j = 0; j < m; j++, pfn = cs_bitmap_next_set(&r->bm2, pfn + 1)) {
				const struct cs_page_desc *d = &in[j];
				if ((r->dump_level & 1) && (uint64_t)d->offset == zero_off) {
					out[j] = pd_zero;
				} else if (d->offset <= 0 || (uint64_t)d->offset > pc->in.size ||
					   d->size > pc->in.size - (uint64_t)d->offset || !d->size) {
					/* Lost: never written, cut off, or corrupt; the job says which. */
					enum cs_loss_reason why = j * sizeof(*in) >= have ? CS_LOSS_CUT
						: d->offset == 0 && flagged ? CS_LOSS_UNWRITTEN
						: d->offset > 0 && d->size ? CS_LOSS_CUT : CS_LOSS_BAD_DESC;
					cs_loss_add(r->loss, why, pfn, 1);
					memset(&out[j], 0, sizeof(out[j]));
				} else {
					out[j] = *d;
					out[j].offset = (int64_t)data_new;
					st = queue_copy(r, pc, (uint64_t)d->offset, d->size, data_new, err);
					if (st)
						goto out;
					data_new += d->size;
				}
			}
			st = out_write(r, out, bytes, desc_out, err);
			if (st)
				goto out;
			desc_out += bytes;
			in_off += bytes;
			k += m;
			done += m;
			if (progress)
				progress(parg, done, r->num_dumpable);
		}
	}
	st = flush_copy(r, err);
	*data_end = data_new;
out:
	free(in);
	free(out);
	return st;
}

cs_status cs_kdump_reassemble(const char *const *pieces, size_t n, const char *out_path, bool force,
			      void (*progress)(void *arg, uint64_t done, uint64_t total),
			      void *progress_arg, struct cs_loss *loss, const char **incomplete_piece,
			      struct cs_err *err)
{
	struct reasm r;
	struct cs_disk_dump_header dh;
	struct cs_kdump_sub_header kh;
	uint64_t len_bitmap, bm_off, pd_start, data_end = 0, ei_size = 0;
	const struct piece *first_incomplete = NULL;
	cs_status st = CS_OK;
	bool created = false;

	memset(&r, 0, sizeof(r));
	r.out = -1;
	r.out_path = out_path;
	r.loss = loss;
	*incomplete_piece = NULL;
	if (n < 1)
		return cs_err_set(err, CS_ERR_ARGS, "no pieces to reassemble");
	r.p = calloc(n, sizeof(*r.p));
	r.buf = malloc(COPY_BUF);
	if (!r.p || !r.buf) {
		st = cs_err_set(err, CS_ERR_NOMEM, "out of memory");
		goto out;
	}
	r.n = n;
	for (size_t i = 0; i < n; i++)
		r.p[i].in.fd = -1;
	for (size_t i = 0; i < n; i++) {
		struct cs_disk_dump_header a, b;

		if ((st = read_piece(&r.p[i], pieces[i], err)))
			goto out;
		/* Pieces of one dump have the same main header (the incomplete flag aside). */
		a = r.p[0].dh;
		b = r.p[i].dh;
		a.status &= ~CS_DUMP_DH_COMPRESSED_INCOMPLETE;
		b.status &= ~CS_DUMP_DH_COMPRESSED_INCOMPLETE;
		if (memcmp(&a, &b, sizeof(a))) {
			st = cs_err_set(err, CS_ERR_FORMAT, "'%s' and '%s' are not pieces of one dump",
					pieces[0], pieces[i]);
			goto out;
		}
	}
	/* Sub header facts come from the first piece named (makedumpfile: SPLITTING_DUMPFILE(0) before sorting). */
	r.bs = (uint32_t)r.p[0].dh.block_size;
	r.max_mapnr = r.p[0].dh.header_version >= 6 ? r.p[0].kh.max_mapnr_64 : r.p[0].dh.max_mapnr;
	r.dump_level = r.p[0].kh.dump_level;
	qsort(r.p, n, sizeof(*r.p), piece_cmp);
	for (size_t i = 0; i < n; i++) {
		pfn_t want = i ? r.p[i - 1].end : 0;
		if (r.p[i].start != want || r.p[i].end < r.p[i].start) {
			st = cs_err_set(err, CS_ERR_FORMAT,
					"no piece holds pfns 0x%" PRIxPFN " - 0x%" PRIxPFN, want, r.p[i].start);
			goto out;
		}
	}
	if (r.p[n - 1].end != r.max_mapnr) {
		st = cs_err_set(err, CS_ERR_FORMAT, "no piece holds pfns 0x%" PRIxPFN " - 0x%" PRIx64,
				r.p[n - 1].end, r.max_mapnr);
		goto out;
	}
	for (size_t i = 0; i < n && !first_incomplete; i++)
		if (r.p[i].dh.status & CS_DUMP_DH_COMPRESSED_INCOMPLETE)
			first_incomplete = &r.p[i];
	if (first_incomplete)
		*incomplete_piece = first_incomplete->in.path;
	/* The main header of the first incomplete piece, else of the last one (as makedumpfile). */
	dh = first_incomplete ? first_incomplete->dh : r.p[n - 1].dh;
	/* Everything else of the piece holding pfn 0 (all pieces carry the same copies). */
	{
		const struct piece *p0 = &r.p[0];
		kh = p0->kh;
		kh.split = 0;
		kh.start_pfn = kh.end_pfn = 0;
		kh.start_pfn_64 = kh.end_pfn_64 = 0;
		len_bitmap = (uint64_t)p0->dh.bitmap_blocks * r.bs;
		bm_off = (1 + (uint64_t)p0->dh.sub_hdr_size) * r.bs;
		pd_start = bm_off + len_bitmap;
		if (bm_off + len_bitmap > p0->in.size || (r.max_mapnr + 7) / 8 > len_bitmap / 2) {
			st = cs_err_set(err, CS_ERR_CORRUPT, "'%s': the bitmaps are not in the file",
					p0->in.path);
			goto out;
		}
		st = cs_bitmap_init(&r.bm2, r.max_mapnr, err);
		if (!st && r.max_mapnr)
			st = cs_infile_pread(&p0->in, r.bm2.words, (size_t)((r.max_mapnr + 7) / 8),
					     bm_off + len_bitmap / 2, err);
		if (st)
			goto out;
		if (r.max_mapnr & 63)
			r.bm2.words[r.max_mapnr >> 6] &= (1ULL << (r.max_mapnr & 63)) - 1;
		r.num_dumpable = cs_bitmap_count(&r.bm2, 0, r.max_mapnr);
	}

	st = cs_output_create(out_path, force, NULL, 0, NULL, &r.out, err);
	if (st)
		goto out;
	created = true;
	/* Same order as makedumpfile: header, sub header, notes, VMCOREINFO, bitmaps. */
	st = out_write(&r, &dh, sizeof(dh), 0, err);
	if (!st)
		st = out_write(&r, &kh, sizeof(kh), r.bs, err);
	if (!st && dh.header_version >= 4 && kh.size_note && kh.offset_note > 0)
		st = copy_range(&r, &r.p[0], (uint64_t)kh.offset_note, kh.size_note,
				(uint64_t)kh.offset_note, err);
	if (!st && dh.header_version >= 3 && kh.size_vmcoreinfo && kh.offset_vmcoreinfo > 0)
		st = copy_range(&r, &r.p[0], (uint64_t)kh.offset_vmcoreinfo, kh.size_vmcoreinfo,
				(uint64_t)kh.offset_vmcoreinfo, err);
	if (!st)
		st = copy_range(&r, &r.p[0], bm_off, len_bitmap, bm_off, err);
	if (!st)
		st = reassemble_pages(&r, pd_start, progress, progress_arg, &data_end, err);
	if (st)
		goto out;
	/* Every piece's eraseinfo, in pfn order, after the data. */
	for (size_t i = 0; i < n; i++) {
		const struct piece *pc = &r.p[i];
		if (pc->dh.header_version < 5 || !pc->kh.size_eraseinfo)
			continue;
		if (pc->kh.offset_eraseinfo <= 0 || (uint64_t)pc->kh.offset_eraseinfo > pc->in.size ||
		    pc->kh.size_eraseinfo > pc->in.size - (uint64_t)pc->kh.offset_eraseinfo) {
			st = cs_err_set(err, CS_ERR_CORRUPT, "'%s': eraseinfo outside the file", pc->in.path);
			goto out;
		}
		st = copy_range(&r, pc, (uint64_t)pc->kh.offset_eraseinfo, pc->kh.size_eraseinfo,
				data_end + ei_size, err);
		if (st)
			goto out;
		ei_size += pc->kh.size_eraseinfo;
	}
	if (ei_size) {
		kh.offset_eraseinfo = (int64_t)data_end;
		kh.size_eraseinfo = ei_size;
		st = out_write(&r, &kh, sizeof(kh), r.bs, err);
		if (st)
			goto out;
	}
	if (fsync(r.out) < 0 && errno != EINVAL && errno != EROFS)
		st = cs_err_sys(err, errno, "cannot sync '%s'", out_path);
out:
	if (r.out >= 0)
		close(r.out);
	if (st && created)
		unlink(out_path);
	if (r.p)
		for (size_t i = 0; i < n; i++)
			cs_infile_close(&r.p[i].in);
	free(r.p);
	free(r.buf);
	cs_bitmap_deinit(&r.bm2);
	return st;
}
