/* formats/flat_read.c: the flattened stream (makedumpfile -F) read as the file it stands for: its offset map (later records win). */
#include "formats/flat_read.h"
#include "core/endian.h"
#include "core/range.h"
#include "formats/kdump_format.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool cs_flat_probe(const uint8_t *head, size_t len)
{
	static const char sig[CS_FLAT_SIG_LEN] = CS_FLAT_SIGNATURE;

	return len >= CS_FLAT_SIG_LEN && memcmp(head, sig, CS_FLAT_SIG_LEN) == 0;
}

struct flat_rec {
	uint64_t off, len, foff;
	size_t seq; /* stream order: a higher seq overwrites a lower one */
};

static int rec_cmp(const void *a, const void *b)
{
	const struct flat_rec *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Max-heap of record indices keyed by seq (the latest active record wins). */
static void heap_push(size_t *heap, size_t *n, const struct flat_rec *recs, size_t idx)
{
	size_t i = (*n)++;

	heap[i] = idx;
	while (i && recs[heap[(i - 1) / 2]].seq < recs[heap[i]].seq) {
		size_t p = (i - 1) / 2, t = heap[p];
		heap[p] = heap[i];
		heap[i] = t;
		i = p;
	}
}

static void heap_pop(size_t *heap, size_t *n, const struct flat_rec *recs)
{
	size_t i = 0;

	heap[0] = heap[--(*n)];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i, t;
		if (l < *n && recs[heap[l]].seq > recs[heap[m]].seq)
			m = l;
		if (r < *n && recs[heap[r]].seq > recs[heap[m]].seq)
			m = r;
		if (m == i)
			break;
		t = heap[m];
		heap[m] = heap[i];
		heap[i] = t;
		i = m;
	}
}

static void emit(struct cs_flat_extent *out, size_t *nout, uint64_t off, uint64_t len, uint64_t foff)
{
	if (*nout) {
		struct cs_flat_extent *last = &out[*nout - 1];
		if (last->off + last->len == off && last->foff + last->len == foff) {
			last->len += len;
			return;
		}
	}
	out[*nout] = (struct cs_flat_extent){off, len, foff};
	(*nout)++;
}

/* Turn the records (sorted by off) into disjoint extents where the latest record wins. */
static cs_status resolve(struct cs_flat_map *m, const char *path, struct flat_rec *recs, size_t n,
			 struct cs_err *err)
{
	bool overlap = false;
	uint64_t *bounds = NULL;
	size_t *heap = NULL, nb = 0, nheap = 0, j = 0, nout = 0;
	struct cs_flat_extent *out;

	for (size_t i = 1; i < n; i++)
		if (recs[i].off < recs[i - 1].off + recs[i - 1].len)
			overlap = true;
	/* Painting can split each record at most at every other record's ends. */
	out = calloc(overlap ? 2 * n + 1 : n + 1, sizeof(*out));
	if (!out)
		return cs_err_set(err, CS_ERR_NOMEM, "'%s': cannot map %zu flattened records", path, n);
	if (!overlap) {
		for (size_t i = 0; i < n; i++)
			emit(out, &nout, recs[i].off, recs[i].len, recs[i].foff);
		goto done;
	}
	bounds = malloc(2 * n * sizeof(*bounds));
	heap = malloc(n * sizeof(*heap));
	if (!bounds || !heap) {
		free(bounds);
		free(heap);
		free(out);
		return cs_err_set(err, CS_ERR_NOMEM, "'%s': cannot map %zu flattened records", path, n);
	}
	for (size_t i = 0; i < n; i++) {
		bounds[nb++] = recs[i].off;
		bounds[nb++] = recs[i].off + recs[i].len;
	}
	qsort(bounds, nb, sizeof(*bounds), u64_cmp);
	for (size_t b = 0; b + 1 < nb; b++) {
		uint64_t at = bounds[b], next = bounds[b + 1];
		if (at == next)
			continue;
		while (j < n && recs[j].off <= at)
			heap_push(heap, &nheap, recs, j++);
		while (nheap && recs[heap[0]].off + recs[heap[0]].len <= at)
			heap_pop(heap, &nheap, recs);
		/* Finished records below the top are dropped lazily when they surface. */
		if (nheap) {
			const struct flat_rec *r = &recs[heap[0]];
			emit(out, &nout, at, next - at, r->foff + (at - r->off));
		}
	}
	free(bounds);
	free(heap);
done:
	m->ext = out;
	m->n = nout;
	m->size = nout ? out[nout - 1].off + out[nout - 1].len : 0;
	return CS_OK;
}

cs_status cs_flat_map_build(struct cs_flat_map *m, int fd, const char *path, uint64_t file_size,
			    struct cs_err *err)
{
	uint8_t hdr[32], dh[16];
	uint64_t pos = CS_FLAT_HEADER_SIZE, max_recs;
	struct flat_rec *recs = NULL;
	size_t n = 0, cap = 0;
	cs_status st;

	if (file_size < CS_FLAT_HEADER_SIZE)
		return cs_err_set(err, CS_ERR_FORMAT,
				  "'%s': flattened stream shorter than its %u-byte header", path,
				  CS_FLAT_HEADER_SIZE);
	st = cs_pread_full(fd, path, hdr, sizeof(hdr), 0, err);
	if (st)
		return st;
	if (cs_load_be64(hdr + 16) != CS_FLAT_TYPE)
		return cs_err_set(err, CS_ERR_FORMAT,
				  "'%s': flattened header type %" PRId64 ", expected %d", path,
				  (int64_t)cs_load_be64(hdr + 16), CS_FLAT_TYPE);
	/* Each record takes at least 17 bytes of the stream: that bounds the map. */
	max_recs = file_size / 17 + 1;
	for (;;) {
		uint64_t off, len;

		if (pos + sizeof(dh) > file_size) {
			m->truncated = true;
			break;
		}
		st = cs_pread_full(fd, path, dh, sizeof(dh), pos, err);
		if (st)
			goto fail;
		off = cs_load_be64(dh);
		len = cs_load_be64(dh + 8);
		if (off == UINT64_MAX && len == UINT64_MAX)
			break;
		if ((int64_t)off < 0 || (int64_t)len <= 0 || off + len < off) {
			st = cs_err_set(err, CS_ERR_CORRUPT,
					"'%s': flattened record at stream offset 0x%" PRIx64
					" has offset %" PRId64 " size %" PRId64,
					path, pos, (int64_t)off, (int64_t)len);
			goto fail;
		}
		pos += sizeof(dh);
		if (len > file_size - pos) {
			len = file_size - pos;
			m->truncated = true;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			struct flat_rec *nr;
			if (ncap > max_recs)
				ncap = (size_t)max_recs;
			nr = realloc(recs, ncap * sizeof(*recs));
			if (!nr) {
				st = cs_err_set(err, CS_ERR_NOMEM, "'%s': cannot map flattened records",
						path);
				goto fail;
			}
			recs = nr;
			cap = ncap;
		}
		if (len) {
			recs[n] = (struct flat_rec){off, len, pos, n};
			n++;
		}
		pos += len;
		if (m->truncated)
			break;
	}
	if (n) /* recs is NULL for a stream without records: qsort(NULL, 0) is undefined */
		qsort(recs, n, sizeof(*recs), rec_cmp);
	st = resolve(m, path, recs, n, err);
fail:
	free(recs);
	return st;
}

void cs_flat_map_free(struct cs_flat_map *m)
{
	free(m->ext);
	memset(m, 0, sizeof(*m));
}

/* Index of the last extent starting at or before off (0 when none does). */
static size_t flat_find(const struct cs_flat_map *m, uint64_t off)
{
	size_t k = CS_UPPER_BOUND(m->ext, m->n, off, off);

	return k ? k - 1 : 0;
}

/* Read through the flattened map: written extents from the stream, holes as zeros. */
cs_status cs_flat_map_pread(const struct cs_flat_map *m, int fd, const char *path, void *dst, size_t len,
			    uint64_t off, struct cs_err *err)
{
	uint8_t *buf = dst;

	if (off >= m->size || len > m->size - off) {
		if (!m->truncated)
			return cs_err_set(err, CS_ERR_IO,
					  "'%s': reading %zu bytes at offset 0x%" PRIx64
					  " beyond the end of the flattened content (0x%" PRIx64 ")",
					  path, len, off, m->size);
		/* A truncated stream: what was never written reads as zeros. */
	}
	size_t i = flat_find(m, off);
	while (len) {
		const struct cs_flat_extent *e = i < m->n ? &m->ext[i] : NULL;
		size_t n;

		if (e && off >= e->off + e->len) {
			i++;
			continue;
		}
		if (e && off >= e->off) {
			n = (size_t)CS_MIN((uint64_t)len, e->off + e->len - off);
			cs_status st = cs_pread_full(fd, path, buf, n, e->foff + (off - e->off), err);
			if (st)
				return st;
		} else {
			n = e ? (size_t)CS_MIN((uint64_t)len, e->off - off) : len;
			memset(buf, 0, n);
		}
		buf += n;
		off += n;
		len -= n;
	}
	return CS_OK;
}

bool cs_flat_map_written(const struct cs_flat_map *m, uint64_t off, uint64_t len)
{
	/* Extents are sorted and disjoint: walk from the last one starting at or before off. */
	for (size_t i = flat_find(m, off); len && i < m->n; i++) {
		const struct cs_flat_extent *e = &m->ext[i];
		uint64_t n;

		if (off < e->off || off >= e->off + e->len)
			return false;
		n = CS_MIN(len, e->off + e->len - off);
		off += n;
		len -= n;
	}
	return len == 0;
}

