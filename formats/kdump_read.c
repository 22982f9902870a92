/* formats/kdump_read.c: the kdump-compressed reader (plain files, flattened streams, split sets). */
#include "formats/source.h"
#include "formats/kdump_codec.h"
#include "core/arch/arch.h"
#include "core/range.h"
#include "formats/infile.h"
#include "formats/kdump_format.h"
#include "formats/notes.h"
#include "core/loss.h"
#include "compress/codec.h"

#include <byteswap.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>

/* Cumulative popcount of the 2nd bitmap every RANK_BLOCK_BITS pfns (as crash's BITMAP_SECT_LEN). */
#define RANK_BLOCK_WORDS 64
#define RANK_BLOCK_BITS (RANK_BLOCK_WORDS * 64)
#define MAX_BLOCK_SIZE 65536
/* Descriptors fetched with one read. */
#define DESC_BATCH 128
/* More runs than this in the 1st bitmap is a corrupt (or hostile) file. */
#define MAX_RANGES (1u << 24)

struct kd_file {
	struct cs_infile in;
	pfn_t start, end;  /* pfns whose descriptors this file holds */
	uint64_t rank_base; /* 2nd-bitmap rank of start */
	uint64_t ndesc;
	uint64_t pd_off;   /* descriptor array */
	uint64_t zero_off; /* the shared zero page (verified all-zero), or 0 */
	bool incomplete;   /* its header has the incomplete flag (0x8) */
};

struct kd_priv {
	struct kd_file *files; /* sorted by start */
	size_t nfiles;
	struct cs_bitmap bm1, bm2;
	uint64_t *rank;
	uint32_t block_size;
	unsigned shift;
	bool swap; /* file in the other byte order */
	/*
	 * Why a page may be missing: flagged incomplete (an interrupted dump: a
	 * zero descriptor was never written), or a cut flattened stream. Either
	 * way a missing page is a loss (core/loss.h), never a silent zero page.
	 */
	bool incomplete, cut;
};

/* Main and sub header as read, converted to host order. */
struct kd_hdr {
	struct cs_disk_dump_header dh;
	struct cs_kdump_sub_header sh;
	uint64_t max_mapnr;
	pfn_t start, end;
	bool split;
};

static cs_status kdump_probe(const uint8_t *head, size_t len)
{
	if (len >= CS_KDUMP_SIG_LEN && (!memcmp(head, CS_KDUMP_SIGNATURE, CS_KDUMP_SIG_LEN) ||
					!memcmp(head, CS_DISKDUMP_SIGNATURE, CS_KDUMP_SIG_LEN)))
		return CS_OK;
	return cs_flat_probe(head, len) ? CS_OK : CS_NOPROBE;
}

static bool plausible_block(int32_t bs)
{
	return bs >= 512 && bs <= MAX_BLOCK_SIZE && (bs & (bs - 1)) == 0;
}

#define SW32(x) ((x) = (__typeof__(x))bswap_32((uint32_t)(x)))
#define SW64(x) ((x) = (__typeof__(x))bswap_64((uint64_t)(x)))

static void swap_dh(struct cs_disk_dump_header *h)
{
	SW32(h->header_version);
	SW64(h->timestamp.tv_sec);
	SW64(h->timestamp.tv_usec);
	SW32(h->status);
	SW32(h->block_size);
	SW32(h->sub_hdr_size);
	SW32(h->bitmap_blocks);
	SW32(h->max_mapnr);
	SW32(h->nr_cpus);
}

static void swap_sh(struct cs_kdump_sub_header *s)
{
	SW64(s->phys_base);
	SW32(s->dump_level);
	SW32(s->split);
	SW64(s->start_pfn);
	SW64(s->end_pfn);
	SW64(s->offset_vmcoreinfo);
	SW64(s->size_vmcoreinfo);
	SW64(s->offset_note);
	SW64(s->size_note);
	SW64(s->offset_eraseinfo);
	SW64(s->size_eraseinfo);
	SW64(s->start_pfn_64);
	SW64(s->end_pfn_64);
	SW64(s->max_mapnr_64);
}

static cs_status read_header(struct kd_file *f, struct kd_hdr *h, bool *swap, struct cs_err *err)
{
	const char *path = f->in.path;
	uint64_t need;
	int v;
	cs_status st;

	memset(h, 0, sizeof(*h));
	if (f->in.size < sizeof(h->dh))
		return cs_err_set(err, CS_ERR_FORMAT, "'%s': too short for a kdump header", path);
	st = cs_infile_pread(&f->in, &h->dh, sizeof(h->dh), 0, err);
	if (st)
		return st;
	if (memcmp(h->dh.signature, CS_KDUMP_SIGNATURE, CS_KDUMP_SIG_LEN) &&
	    memcmp(h->dh.signature, CS_DISKDUMP_SIGNATURE, CS_KDUMP_SIG_LEN))
		return cs_err_set(err, CS_ERR_FORMAT, "'%s': %s content is not a kdump-compressed dump",
				  path, f->in.flattened ? "flattened" : "file");
	/* The file is in the dumped machine's byte order: pick the one with a sane block size. */
	*swap = false;
	if (!plausible_block(h->dh.block_size) && plausible_block((int32_t)bswap_32((uint32_t)h->dh.block_size)))
		*swap = true;
	if (*swap)
		swap_dh(&h->dh);
	v = h->dh.header_version;
	if (!plausible_block(h->dh.block_size))
		return cs_err_set(err, CS_ERR_CORRUPT, "'%s': implausible block size %d in the kdump header",
				  path, h->dh.block_size);
	if (v < 0 || h->dh.sub_hdr_size < 0 || (v >= 1 && h->dh.sub_hdr_size == 0))
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "'%s': implausible kdump header (version %d, sub header %d blocks)", path,
				  v, h->dh.sub_hdr_size);
	if (v >= 1) {
		if (f->in.size < (uint64_t)h->dh.block_size + sizeof(h->sh))
			return cs_err_set(err, CS_ERR_CORRUPT, "'%s': kdump sub header missing", path);
		st = cs_infile_pread(&f->in, &h->sh, sizeof(h->sh), (uint64_t)h->dh.block_size, err);
		if (st)
			return cs_err_ctx(err, "kdump sub header");
		if (*swap)
			swap_sh(&h->sh);
	}
	/* Fields newer than the header version are garbage, not zero: clear them. */
	if (v < 1)
		memset(&h->sh, 0, sizeof(h->sh));
	if (v < 2)
		h->sh.split = 0, h->sh.start_pfn = h->sh.end_pfn = 0;
	if (v < 3)
		h->sh.offset_vmcoreinfo = 0, h->sh.size_vmcoreinfo = 0;
	if (v < 4)
		h->sh.offset_note = 0, h->sh.size_note = 0;
	if (v < 5)
		h->sh.offset_eraseinfo = 0, h->sh.size_eraseinfo = 0;
	if (v < 6)
		h->sh.start_pfn_64 = h->sh.end_pfn_64 = h->sh.max_mapnr_64 = 0;
	h->max_mapnr = v >= 6 && h->sh.max_mapnr_64 ? h->sh.max_mapnr_64 : h->dh.max_mapnr;
	h->split = v >= 2 && h->sh.split;
	h->start = 0;
	h->end = h->max_mapnr;
	if (h->split) {
		h->start = v >= 6 ? h->sh.start_pfn_64 : h->sh.start_pfn;
		h->end = v >= 6 ? h->sh.end_pfn_64 : h->sh.end_pfn;
		if (h->start > h->end || h->end > h->max_mapnr)
			return cs_err_set(err, CS_ERR_CORRUPT,
					  "'%s': split range [0x%" PRIxPFN ", 0x%" PRIxPFN
					  ") outside max_mapnr 0x%" PRIx64, path, h->start, h->end,
					  h->max_mapnr);
	}
	/*
	 * Both bitmaps must be in the file: that bounds every allocation by the file size.
	 * Except in an empty split piece (start == end): makedumpfile --split does not write
	 * the tail of its bitmaps (it has no page descriptors to follow them), and its
	 * bitmaps are never read (kdump_open takes them from a piece with pages).
	 */
	need = (1 + (uint64_t)h->dh.sub_hdr_size + h->dh.bitmap_blocks) * (uint64_t)h->dh.block_size;
	if (need > f->in.size && !(h->split && h->start == h->end))
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "'%s': header says the bitmaps end at offset 0x%" PRIx64
				  ", beyond the end of the file (0x%" PRIx64 ")", path, need, f->in.size);
	/* The same bound for a (sparse) flattened stream: the bitmaps are bytes it must carry. */
	if ((uint64_t)h->dh.bitmap_blocks * (uint64_t)h->dh.block_size > f->in.file_size)
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "'%s': header says the bitmaps take %u blocks, more than the %" PRIu64
				  " bytes of the file", path, h->dh.bitmap_blocks, f->in.file_size);
	/* max_mapnr / 8 + 1, not (max_mapnr + 7) / 8: max_mapnr_64 may be near 2^64 and wrap. */
	if (h->max_mapnr / 8 + !!(h->max_mapnr & 7) > (uint64_t)h->dh.bitmap_blocks * (uint64_t)h->dh.block_size)
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "'%s': max_mapnr 0x%" PRIx64 " does not fit in %u bitmap blocks", path,
				  h->max_mapnr, h->dh.bitmap_blocks);
	return CS_OK;
}

static cs_status read_bitmap(struct kd_file *f, struct cs_bitmap *bm, uint64_t nbits, uint64_t off,
			     struct cs_err *err)
{
	uint64_t bytes = (nbits + 7) / 8;
	cs_status st = cs_bitmap_init(bm, nbits, err);

	if (st)
		return cs_err_ctx(err, "'%s'", f->in.path);
	if (bytes) {
		st = cs_infile_pread(&f->in, bm->words, (size_t)bytes, off, err);
		if (st)
			return cs_err_ctx(err, "bitmap");
	}
	/* On-disk bytes are LSB-first per byte; as 64-bit words that is little endian. */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	for (uint64_t i = 0; i < (nbits + 63) / 64; i++)
		bm->words[i] = bswap_64(bm->words[i]);
#endif
	if (nbits & 63)
		bm->words[nbits >> 6] &= (1ULL << (nbits & 63)) - 1;
	return CS_OK;
}

/*
 * Dumpable bits that the on-disk 2nd bitmap holds at or above max_mapnr: a
 * header whose max_mapnr was shrunk (corrupt) hides them from every read, so
 * they are losses (core/loss.h), not a quietly smaller dump. nbytes: the
 * bitmap's size on disk.
 */
static cs_status count_beyond_max(const struct kd_file *f, uint64_t off, uint64_t nbytes,
				  uint64_t max_mapnr, struct cs_loss *loss, struct cs_err *err)
{
	enum { CHUNK = 64 * 1024 };
	uint64_t from = max_mapnr / 8, end = nbytes;
	uint8_t *buf;

	if (end > f->in.size - (off < f->in.size ? off : f->in.size))
		end = off < f->in.size ? f->in.size - off : 0;
	if (from >= end)
		return CS_OK;
	buf = malloc(CHUNK);
	if (!buf)
		return cs_err_set(err, CS_ERR_NOMEM, "'%s': cannot allocate a bitmap buffer", f->in.path);
	for (uint64_t at = from; at < end; at += CHUNK) {
		size_t len = (size_t)(end - at < CHUNK ? end - at : CHUNK);
		cs_status st = cs_infile_pread(&f->in, buf, len, off + at, err);

		if (st) {
			free(buf);
			return cs_err_ctx(err, "bitmap");
		}
		if (at == from && (max_mapnr & 7))
			buf[0] &= (uint8_t)~((1u << (max_mapnr & 7)) - 1);
		for (size_t i = 0; i < len; i++)
			if (buf[i])
				cs_loss_add(loss, CS_LOSS_BEYOND_MAX,
					    (at + i) * 8 + (pfn_t)__builtin_ctz(buf[i]),
					    (uint64_t)__builtin_popcount(buf[i]));
	}
	free(buf);
	return CS_OK;
}

static uint64_t rank_of(const struct kd_priv *p, pfn_t pfn)
{
	uint64_t r, w, wend;

	if (pfn >= p->bm2.nbits)
		pfn = p->bm2.nbits;
	r = p->rank[pfn / RANK_BLOCK_BITS];
	wend = pfn >> 6;
	for (w = (pfn / RANK_BLOCK_BITS) * RANK_BLOCK_WORDS; w < wend; w++)
		r += (uint64_t)__builtin_popcountll(p->bm2.words[w]);
	if (pfn & 63)
		r += (uint64_t)__builtin_popcountll(p->bm2.words[wend] & ((1ULL << (pfn & 63)) - 1));
	return r;
}

static cs_status build_rank(struct kd_priv *p, struct cs_err *err)
{
	uint64_t nwords = (p->bm2.nbits + 63) / 64, nblocks = nwords / RANK_BLOCK_WORDS + 1, sum = 0;

	p->rank = malloc((nblocks + 1) * sizeof(*p->rank));
	if (!p->rank)
		return cs_err_set(err, CS_ERR_NOMEM, "cannot index the 2nd bitmap");
	for (uint64_t b = 0; b <= nblocks; b++) {
		p->rank[b] = sum;
		for (uint64_t w = b * RANK_BLOCK_WORDS; w < CS_MIN(nwords, (b + 1) * RANK_BLOCK_WORDS); w++)
			sum += (uint64_t)__builtin_popcountll(p->bm2.words[w]);
	}
	return CS_OK;
}

static cs_status build_ranges(struct cs_source *src, const struct cs_bitmap *bm, struct cs_err *err)
{
	size_t n = 0;
	pfn_t pfn;

	for (pfn = cs_bitmap_next_set(bm, 0); pfn < bm->nbits;
	     pfn = cs_bitmap_next_set(bm, cs_bitmap_next_clear(bm, pfn)))
		if (++n > MAX_RANGES)
			return cs_err_set(err, CS_ERR_CORRUPT,
					  "'%s': the 1st bitmap has more than %u memory ranges", src->path,
					  MAX_RANGES);
	src->ranges = calloc(n ? n : 1, sizeof(*src->ranges));
	if (!src->ranges)
		return cs_err_set(err, CS_ERR_NOMEM, "'%s': cannot list %zu memory ranges", src->path, n);
	for (pfn = cs_bitmap_next_set(bm, 0); pfn < bm->nbits;) {
		pfn_t end = cs_bitmap_next_clear(bm, pfn);
		src->ranges[src->nr_ranges++] = (struct cs_pfn_range){pfn, end, end};
		pfn = cs_bitmap_next_set(bm, end);
	}
	/*
	 * The header's max_mapnr, as makedumpfile keeps it: the last pfns need not
	 * be present (a partial last page that a cyclic-mode 1st bitmap floors away).
	 */
	src->max_pfn = CS_MAX(src->nr_ranges ? src->ranges[src->nr_ranges - 1].end : 0, bm->nbits);
	return CS_OK;
}

/* Read [off, off + len) of the first file into a fresh buffer, checking bounds. */
static cs_status read_blob(struct kd_file *f, int64_t off, uint64_t len, const char *what,
			   uint8_t **ret, struct cs_err *err)
{
	uint8_t *buf;
	cs_status st;

	/* A flattened stream's content may be mostly holes: never allocate more than the file holds. */
	if (off <= 0 || (uint64_t)off > f->in.size || len > f->in.size - (uint64_t)off ||
	    len > f->in.file_size)
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "'%s': %s at offset 0x%" PRIx64 " size 0x%" PRIx64
				  " is outside the file", f->in.path, what, (uint64_t)off, len);
	buf = malloc(len + 1);
	if (!buf)
		return cs_err_set(err, CS_ERR_NOMEM, "'%s': cannot read %s", f->in.path, what);
	st = cs_infile_pread(&f->in, buf, (size_t)len, (uint64_t)off, err);
	if (st) {
		free(buf);
		return cs_err_ctx(err, "%s", what);
	}
	*ret = buf;
	return CS_OK;
}

static cs_status load_notes(struct cs_source *src, struct kd_file *f, const struct kd_hdr *h,
			    struct cs_err *err)
{
	const struct cs_kdump_sub_header *sh = &h->sh;
	struct cs_note_summary sum;
	cs_status st;

	if (sh->size_note) {
		st = read_blob(f, sh->offset_note, sh->size_note, "ELF notes", &src->notes, err);
		if (st)
			return st;
		src->notes_size = sh->size_note;
	}
	cs_notes_summarize(src->notes, src->notes_size, &sum);
	src->nr_cpus = h->dh.nr_cpus > 0 ? h->dh.nr_cpus : sum.nr_cpus;
	if (sh->size_vmcoreinfo && sh->offset_note && sh->offset_vmcoreinfo >= sh->offset_note &&
	    (uint64_t)(sh->offset_vmcoreinfo - sh->offset_note) <= src->notes_size &&
	    sh->size_vmcoreinfo <= src->notes_size - (uint64_t)(sh->offset_vmcoreinfo - sh->offset_note)) {
		src->vmcoreinfo_off = (size_t)(sh->offset_vmcoreinfo - sh->offset_note);
		src->vmcoreinfo_size = sh->size_vmcoreinfo;
	} else if (sh->size_vmcoreinfo) {
		/* Version 3 (or a stray offset): wrap the text in a note of its own, after the notes. */
		uint8_t *text, *notes;
		size_t add = cs_note_size(sizeof(CS_NOTE_NAME_VMCOREINFO), sh->size_vmcoreinfo);

		st = read_blob(f, sh->offset_vmcoreinfo, sh->size_vmcoreinfo, "VMCOREINFO", &text, err);
		if (st)
			return st;
		notes = realloc(src->notes, src->notes_size + add);
		if (!notes) {
			free(text);
			return cs_err_set(err, CS_ERR_NOMEM, "'%s': cannot read VMCOREINFO", src->path);
		}
		cs_note_write(notes + src->notes_size, CS_NOTE_NAME_VMCOREINFO, 0, text,
			      sh->size_vmcoreinfo);
		free(text);
		src->notes = notes;
		src->vmcoreinfo_off = src->notes_size + cs_note_size(sizeof(CS_NOTE_NAME_VMCOREINFO), 0);
		src->vmcoreinfo_size = sh->size_vmcoreinfo;
		src->notes_size += add;
	} else if (sum.have_vmcoreinfo) {
		src->vmcoreinfo_off = sum.vmcoreinfo_off;
		src->vmcoreinfo_size = sum.vmcoreinfo_size;
	}
	return CS_OK;
}

static cs_status load_eraseinfo(struct cs_source *src, struct kd_file *f, const struct kd_hdr *h,
				struct cs_err *err)
{
	uint8_t *blob, *all;
	cs_status st;

	if (!h->sh.size_eraseinfo)
		return CS_OK;
	st = read_blob(f, h->sh.offset_eraseinfo, h->sh.size_eraseinfo, "eraseinfo", &blob, err);
	if (st)
		return st;
	/* Split pieces each carry their own lines; keep them all, as --reassemble does. */
	all = realloc(src->eraseinfo, src->eraseinfo_size + h->sh.size_eraseinfo);
	if (!all) {
		free(blob);
		return cs_err_set(err, CS_ERR_NOMEM, "'%s': cannot read eraseinfo", f->in.path);
	}
	memcpy(all + src->eraseinfo_size, blob, h->sh.size_eraseinfo);
	free(blob);
	src->eraseinfo = all;
	src->eraseinfo_size += h->sh.size_eraseinfo;
	return CS_OK;
}

static int file_cmp(const void *a, const void *b)
{
	const struct kd_file *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void kdump_close(struct cs_source *src)
{
	struct kd_priv *p = src->priv;

	if (!p)
		return;
	for (size_t i = 0; i < p->nfiles; i++)
		cs_infile_close(&p->files[i].in);
	free(p->files);
	cs_bitmap_deinit(&p->bm1);
	cs_bitmap_deinit(&p->bm2);
	free(p->rank);
	free(p);
	src->priv = NULL;
	src->dumpable = NULL;
}

static cs_status kdump_open(struct cs_source *src, const char *const *paths, size_t nfiles,
			    struct cs_err *err)
{
	struct kd_priv *p = calloc(1, sizeof(*p));
	struct kd_hdr h0, h;
	uint64_t half, bm_off, pd_off, total, data_off;
	bool two;
	cs_status st;

	if (!p)
		return cs_err_set(err, CS_ERR_NOMEM, "cannot open '%s'", paths[0]);
	src->priv = p;
	p->files = calloc(nfiles, sizeof(*p->files));
	if (!p->files)
		return cs_err_set(err, CS_ERR_NOMEM, "cannot open '%s'", paths[0]);
	for (size_t i = 0; i < nfiles; i++)
		p->files[i].in.fd = -1;
	p->nfiles = nfiles;
	for (size_t i = 0; i < nfiles; i++) {
		struct kd_file *f = &p->files[i];
		bool swap;

		/* Page data is compressed: plain pread is as fast as a mapping and keeps RSS flat. */
		st = cs_infile_open(&f->in, paths[i], false, err);
		if (st)
			return st;
		st = read_header(f, i ? &h : &h0, &swap, err);
		if (st)
			return st;
		if (i == 0) {
			p->swap = swap;
			h = h0;
		} else if (swap != p->swap || h.dh.block_size != h0.dh.block_size ||
			   h.max_mapnr != h0.max_mapnr || h.dh.bitmap_blocks != h0.dh.bitmap_blocks ||
			   h.dh.sub_hdr_size != h0.dh.sub_hdr_size || !h.split || !h0.split) {
			return cs_err_set(err, CS_ERR_FORMAT,
					  "'%s' and '%s' are not pieces of one split dump", paths[0],
					  paths[i]);
		}
		f->start = h.start;
		f->end = h.end;
		f->incomplete = (h.dh.status & CS_DUMP_DH_COMPRESSED_INCOMPLETE) != 0;
	}
	qsort(p->files, nfiles, sizeof(*p->files), file_cmp);
	for (size_t i = 1; i < nfiles; i++)
		if (p->files[i].start < p->files[i - 1].end)
			return cs_err_set(err, CS_ERR_FORMAT,
					  "split pieces '%s' and '%s' overlap at pfn 0x%" PRIxPFN,
					  p->files[i - 1].in.path, p->files[i].in.path, p->files[i].start);

	/* Header facts and bitmaps come from the first file given (all pieces share them). */
	p->block_size = (uint32_t)h0.dh.block_size;
	for (size_t i = 0; i < nfiles; i++) {
		p->incomplete |= p->files[i].incomplete;
		p->cut |= p->files[i].in.flat.truncated;
	}
	p->shift = (unsigned)__builtin_ctz(p->block_size);
	src->kind = CS_SRC_KDUMP;
	src->page_size = p->block_size;
	half = (uint64_t)(h0.dh.bitmap_blocks / 2) * p->block_size;
	/* Legacy diskdump files have a single (dumpable) bitmap (crash: dump_is_partial). */
	two = half * 8 >= h0.max_mapnr && h0.dh.bitmap_blocks >= 2;
	bm_off = (1 + (uint64_t)h0.dh.sub_hdr_size) * p->block_size;
	struct kd_file *first = NULL;
	for (size_t i = 0; i < nfiles; i++)
		if (!strcmp(p->files[i].in.path, paths[0]))
			first = &p->files[i];
	/* An empty piece may lack the tail of its bitmaps: take them from a piece with pages. */
	if (first->start == first->end && nfiles > 1)
		for (size_t i = 0; i < nfiles; i++)
			if (p->files[i].start < p->files[i].end) {
				first = &p->files[i];
				break;
			}
	if (first->start == first->end && (first->in.size <
	    (1 + (uint64_t)h0.dh.sub_hdr_size + h0.dh.bitmap_blocks) * p->block_size))
		return cs_err_set(err, CS_ERR_CORRUPT, "'%s': the bitmaps are not in the file",
				  first->in.path);
	st = read_bitmap(first, &p->bm1, h0.max_mapnr, bm_off, err);
	if (!st)
		st = read_bitmap(first, &p->bm2, h0.max_mapnr, two ? bm_off + half : bm_off, err);
	if (!st)
		st = count_beyond_max(first, two ? bm_off + half : bm_off, two ? half :
				      (uint64_t)h0.dh.bitmap_blocks * p->block_size, h0.max_mapnr,
				      &src->loss, err);
	if (!st)
		st = build_rank(p, err);
	if (!st)
		st = build_ranges(src, &p->bm1, err);
	if (st)
		return st;
	src->dumpable = &p->bm2;

	pd_off = (1 + (uint64_t)h0.dh.sub_hdr_size + h0.dh.bitmap_blocks) * p->block_size;
	total = rank_of(p, h0.max_mapnr);
	data_off = pd_off + total * sizeof(struct cs_page_desc);
	uint8_t *zero = malloc(p->block_size);
	if (!zero)
		return cs_err_set(err, CS_ERR_NOMEM, "'%s': cannot allocate a page buffer", paths[0]);
	for (size_t i = 0; i < nfiles; i++) {
		struct kd_file *f = &p->files[i];

		f->pd_off = pd_off;
		f->rank_base = rank_of(p, f->start);
		f->ndesc = rank_of(p, f->end) - f->rank_base;
		/* With dump level bit 1 the first data item is one shared page of zeros. */
		if ((h0.sh.dump_level & 1) && data_off + p->block_size <= f->in.size &&
		    cs_infile_pread(&f->in, zero, p->block_size, data_off, err) == CS_OK) {
			size_t k = 0;
			while (k < p->block_size && !zero[k])
				k++;
			if (k == p->block_size)
				f->zero_off = data_off;
		}
	}
	free(zero);
	/* Dumpable pfns that no piece given holds: a piece of the split set is missing. */
	for (size_t i = 0; i <= nfiles; i++) {
		pfn_t gap = i ? p->files[i - 1].end : 0;
		pfn_t gap_end = i < nfiles ? p->files[i].start : h0.max_mapnr;
		pfn_t lost = gap < gap_end ? cs_bitmap_next_set(&p->bm2, gap) : gap_end;

		if (lost < gap_end)
			cs_loss_add(&src->loss, CS_LOSS_SPLIT_GAP, lost,
				    cs_bitmap_count(&p->bm2, lost, gap_end));
	}
	src->input_incomplete = p->incomplete;
	cs_err_clear(err);

	st = load_notes(src, first, &h0, err);
	for (size_t i = 0; !st && i < nfiles; i++) {
		if (read_header(&p->files[i], &h, &p->swap, err) == CS_OK)
			st = load_eraseinfo(src, &p->files[i], &h, err);
	}
	if (st)
		return st;
	src->input_dump_level = h0.sh.dump_level;
	src->input_status = h0.dh.status;
	src->input_timestamp = h0.dh.timestamp.tv_sec;
	memcpy(src->input_utsname, &h0.dh.utsname, sizeof(src->input_utsname));
	for (int i = 0; i < 6; i++)
		src->input_utsname[i][CS_UTS_LEN - 1] = '\0';
	/*
	 * Only a hint for the caller: QEMU's kdump writer fills phys_base with its own
	 * guess (seen: 0xfffffffd6886aa7c), so have_phys_base stays for ELF PT_LOADs.
	 */
	src->input_phys_base = h0.sh.phys_base;
	src->e_machine = cs_arch_machine_of(h0.dh.utsname.machine, CS_KDUMP_UTS_LEN);
	return CS_OK;
}

/* The file holding pfn's descriptor, or NULL. */
static const struct kd_file *file_of(const struct kd_priv *p, pfn_t pfn)
{
	size_t lo;

	if (p->nfiles == 1)
		return pfn >= p->files[0].start && pfn < p->files[0].end ? &p->files[0] : NULL;
	lo = CS_UPPER_BOUND(p->files, p->nfiles, start, pfn);
	if (!lo || pfn >= p->files[lo - 1].end)
		return NULL;
	return &p->files[lo - 1];
}

/* A window of descriptors of one file, read in one go. */
struct desc_cache {
	const struct kd_file *file;
	uint64_t first;
	unsigned count;
	struct cs_page_desc d[DESC_BATCH];
};

static cs_status get_desc(const struct kd_priv *p, const struct kd_file *f, uint64_t idx,
			  struct desc_cache *c, struct cs_page_desc *out, struct cs_err *err)
{
	if (c->file != f || idx < c->first || idx >= c->first + c->count) {
		uint64_t off = f->pd_off + idx * sizeof(struct cs_page_desc), avail;
		unsigned n = (unsigned)CS_MIN((uint64_t)DESC_BATCH, f->ndesc - idx);
		size_t bytes = n * sizeof(struct cs_page_desc);

		/* Descriptors past the end of an incomplete file read as "never written". */
		memset(c->d, 0, bytes);
		avail = off < f->in.size ? f->in.size - off : 0;
		if (avail) {
			cs_status st = cs_infile_pread(&f->in, c->d, (size_t)CS_MIN((uint64_t)bytes, avail),
						       off, err);
			if (st)
				return cs_err_ctx(err, "page descriptor %" PRIu64, idx);
		}
		if (p->swap)
			for (unsigned i = 0; i < n; i++) {
				SW64(c->d[i].offset);
				SW32(c->d[i].size);
				SW32(c->d[i].flags);
				SW64(c->d[i].page_flags);
			}
		c->file = f;
		c->first = idx;
		c->count = n;
	}
	*out = c->d[idx - c->first];
	return CS_OK;
}

/* Are content bytes [off, off + len) in the file (a cut or sparse flattened stream may lack them)? */
static bool in_file(const struct kd_file *f, uint64_t off, uint64_t len)
{
	return off < f->in.size && len <= f->in.size - off && cs_infile_written(&f->in, off, len);
}

/*
 * Read the dumpable page pfn whose descriptor (number idx of its file) is d.
 * Returns CS_OK; or a page the input declares but cannot give: *why is set
 * and the message names the pfn and the file offset; or another failure
 * (I/O, memory, a codec this build lacks) with *why left at CS_LOSS_NR.
 * *scratch is the caller's buffer for compressed data, allocated here once.
 */
static cs_status read_one(const struct kd_priv *p, const struct kd_file *f, pfn_t pfn, uint64_t idx,
			  const struct cs_page_desc *d, uint8_t *out, uint8_t **scratch,
			  enum cs_loss_reason *why, struct cs_err *err)
{
	const uint32_t bs = p->block_size;
	const uint64_t doff = f->pd_off + idx * sizeof(*d);
	/* Several codec bits: the first of zlib, lzo, snappy, zstd wins, as in makedumpfile. */
	static const uint32_t order[] = {CS_DUMP_DH_COMPRESSED_ZLIB, CS_DUMP_DH_COMPRESSED_LZO,
					 CS_DUMP_DH_COMPRESSED_SNAPPY, CS_DUMP_DH_COMPRESSED_ZSTD};
	uint32_t codec = 0;
	cs_status st;

	for (size_t i = 0; i < CS_ARRAY_SIZE(order) && !codec; i++)
		codec = d->flags & order[i];

	*why = CS_LOSS_NR;
	if (!in_file(f, doff, sizeof(*d))) {
		*why = CS_LOSS_CUT;
		return cs_err_set(err, CS_ERR_NODATA,
				  "'%s': pfn 0x%" PRIxPFN ": its page descriptor at offset 0x%" PRIx64
				  " is not in the file (0x%" PRIx64 " bytes): the file is truncated",
				  f->in.path, pfn, doff, f->in.size);
	}
	if (d->offset == 0) {
		/* What an interrupted writer leaves (formats/kdump_format.h: CS_DUMP_DH_COMPRESSED_INCOMPLETE); anywhere else a corruption. */
		*why = p->incomplete ? CS_LOSS_UNWRITTEN : p->cut ? CS_LOSS_CUT : CS_LOSS_BAD_DESC;
		return cs_err_set(err, CS_ERR_NODATA,
				  "'%s': pfn 0x%" PRIxPFN ": its page descriptor at offset 0x%" PRIx64
				  " was never written", f->in.path, pfn, doff);
	}
	if (d->offset < 0 || d->size == 0 || d->size > bs || (!codec && d->size != bs)) {
		*why = CS_LOSS_BAD_DESC;
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "'%s': pfn 0x%" PRIxPFN ": page descriptor at offset 0x%" PRIx64
				  " says data offset %" PRId64 ", size %u, flags 0x%x (block size %u)",
				  f->in.path, pfn, doff, (int64_t)d->offset, d->size, d->flags, bs);
	}
	if (!in_file(f, (uint64_t)d->offset, d->size)) {
		*why = CS_LOSS_CUT;
		return cs_err_set(err, CS_ERR_NODATA,
				  "'%s': pfn 0x%" PRIxPFN ": its data at offset 0x%" PRIx64 " (%u bytes)"
				  " is not in the file (0x%" PRIx64 " bytes): the file is truncated",
				  f->in.path, pfn, (uint64_t)d->offset, d->size, f->in.size);
	}
	if ((uint64_t)d->offset == f->zero_off && d->size == bs && !codec) {
		memset(out, 0, bs);
		return CS_OK;
	}
	if (!codec) {
		st = cs_infile_pread(&f->in, out, bs, (uint64_t)d->offset, err);
		return st ? cs_err_ctx(err, "pfn 0x%" PRIxPFN, pfn) : CS_OK;
	}
	/* Heap, not stack: a block may be 64 KiB and readers run on small thread stacks. */
	if (!*scratch && !(*scratch = malloc(bs)))
		return cs_err_set(err, CS_ERR_NOMEM, "cannot allocate a %u-byte page buffer", bs);
	st = cs_infile_pread(&f->in, *scratch, d->size, (uint64_t)d->offset, err);
	if (st)
		return cs_err_ctx(err, "pfn 0x%" PRIxPFN, pfn);
	st = cs_kdump_decode_page(codec, *scratch, d->size, out, bs, err);
	if (st && st != CS_ERR_NOTSUP && st != CS_ERR_NOMEM)
		*why = CS_LOSS_DECODE;
	if (st)
		return cs_err_ctx(err, "'%s': pfn 0x%" PRIxPFN " (data at offset 0x%" PRIx64 ")",
				  f->in.path, pfn, (uint64_t)d->offset);
	return CS_OK;
}

static cs_status kdump_read_pages(struct cs_source *src, pfn_t pfn, size_t n, void *buf,
				  struct cs_loss *loss, struct cs_err *err)
{
	const struct kd_priv *p = src->priv;
	struct desc_cache cache = {0};
	uint8_t *out = buf, *scratch = NULL;
	size_t missing = 0;
	uint64_t rank = 0;
	pfn_t rank_pfn = 0;
	bool have_rank = false;
	cs_status st = CS_OK;

	for (size_t i = 0; i < n; i++, out += p->block_size) {
		pfn_t q = pfn + i;
		const struct kd_file *f;
		struct cs_page_desc d = {0};
		enum cs_loss_reason why;

		/* Not dumpable, or in a split gap (counted once in src->loss by kdump_open). */
		if (!cs_source_has_data(src, q) || !(f = file_of(p, q))) {
			memset(out, 0, p->block_size);
			missing++;
			continue;
		}
		/* Ranks of later pfns follow by counting set bits from the last one. */
		if (!have_rank || q - rank_pfn > 64) {
			rank = rank_of(p, q);
		} else {
			for (pfn_t r = rank_pfn; r < q; r++)
				rank += cs_bitmap_test(&p->bm2, r);
		}
		rank_pfn = q;
		have_rank = true;
		st = get_desc(p, f, rank - f->rank_base, &cache, &d, err);
		if (!st)
			st = read_one(p, f, q, rank - f->rank_base, &d, out, &scratch, &why, err);
		else
			why = CS_LOSS_NR;
		if (!st)
			continue;
		/* Without a ledger (metadata reads) the caller sees why; with one the page is booked. */
		if (why == CS_LOSS_NR || !loss)
			goto out;
		cs_loss_add(loss, why, q, 1);
		memset(out, 0, p->block_size);
		missing++;
		st = CS_OK;
	}
	cs_err_clear(err);
	if (missing == n)
		st = cs_err_set(err, CS_ERR_NODATA,
				"'%s': pfns 0x%" PRIxPFN "-0x%" PRIxPFN " are not in the dump", src->path,
				pfn, pfn + n - 1);
out:
	free(scratch);
	return st;
}

static cs_status kdump_read_paddr(struct cs_source *src, paddr_t paddr, void *buf, size_t len,
				  struct cs_err *err)
{
	const struct kd_priv *p = src->priv;
	uint8_t *page = NULL;
	uint8_t *dst = buf;
	cs_status st = CS_OK;

	while (len) {
		pfn_t pfn = paddr >> p->shift;
		size_t in_page = (size_t)(paddr & (p->block_size - 1));
		size_t n = CS_MIN(len, p->block_size - in_page);

		if (!cs_source_has_data(src, pfn)) {
			st = cs_err_set(err, CS_ERR_NODATA, "'%s': paddr 0x%" PRIx64 " is %s", src->path,
					paddr,
					cs_source_present(src, pfn) ? "excluded from the dump"
								    : "not in any memory range");
			break;
		}
		/* Heap, not stack: a block may be 64 KiB (ulimit -v / small stacks). */
		if (!page && !(page = malloc(p->block_size))) {
			st = cs_err_set(err, CS_ERR_NOMEM, "cannot allocate a %u-byte page buffer",
					p->block_size);
			break;
		}
		st = kdump_read_pages(src, pfn, 1, page, NULL, err);
		if (st) {
			cs_err_ctx(err, "paddr 0x%" PRIx64, paddr);
			break;
		}
		memcpy(dst, page + in_page, n);
		dst += n;
		paddr += n;
		len -= n;
	}
	free(page);
	return st;
}

static const void *kdump_map_pages(struct cs_source *src, pfn_t pfn, size_t n)
{
	(void)src, (void)pfn, (void)n;
	return NULL; /* page data is compressed or packed: never directly addressable */
}

static void kdump_release_pages(struct cs_source *src, pfn_t pfn, size_t n)
{
	(void)src, (void)pfn, (void)n;
}

const struct cs_source_ops cs_kdump_source_ops = {
	.name = "kdump-compressed",
	.probe = kdump_probe,
	.open = kdump_open,
	.read_paddr = kdump_read_paddr,
	.read_pages = kdump_read_pages,
	.map_pages = kdump_map_pages,
	.release_pages = kdump_release_pages,
	.close = kdump_close,
};
