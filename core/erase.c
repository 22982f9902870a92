/* core/erase.c: the physical ranges --config erases: built once (translated from kernel-virtual), then applied to page buffers. */
#include "core/erase.h"

#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/range.h"

void cs_erase_map_free(struct cs_erase_map *m)
{
	free(m->r);
	memset(m, 0, sizeof(*m));
}

cs_status cs_erase_map_add(struct cs_erase_map *m, paddr_t paddr, uint64_t len, uint8_t fill,
			   struct cs_err *err)
{
	struct cs_erase_prange *r;

	if (len == 0)
		return CS_OK;
	if (paddr + len < paddr)
		return cs_err_set(err, CS_ERR_ARGS, "erase range 0x%" PRIx64 "+%" PRIu64 " wraps", paddr, len);
	if (!cs_array_grow(&m->r, m->n, &m->cap, sizeof(*m->r)))
		return cs_err_set(err, CS_ERR_NOMEM, "cannot allocate %zu erase ranges", m->n + 1);
	r = &m->r[m->n];
	r->paddr = paddr;
	r->len = len;
	r->fill = fill;
	r->seq = (uint32_t)m->n++;
	m->max_len = CS_MAX(m->max_len, len);
	m->bytes += len;
	return CS_OK;
}

cs_status cs_erase_map_add_virt(struct cs_erase_map *m, struct cs_kernel *k, vaddr_t vaddr,
				uint64_t len, uint8_t fill, struct cs_err *err)
{
	while (len) {
		paddr_t paddr;
		uint64_t contig = 0, n;
		cs_status st;

		if ((st = cs_kernel_vtop(k, vaddr, &paddr, &contig, err)) != CS_OK)
			return cs_err_ctx(err, "cannot translate the erased vaddr 0x%" PRIx64, vaddr);
		if (contig == 0)
			return cs_err_set(err, CS_ERR_CORRUPT, "vaddr 0x%" PRIx64 ": empty mapping", vaddr);
		n = CS_MIN(contig, len);
		if ((st = cs_erase_map_add(m, paddr, n, fill, err)) != CS_OK)
			return st;
		vaddr += n;
		len -= n;
	}
	return CS_OK;
}

static int by_paddr(const void *a, const void *b)
{
	const struct cs_erase_prange *x = a, *y = b;

	if (x->paddr != y->paddr)
		return x->paddr < y->paddr ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void cs_erase_map_finish(struct cs_erase_map *m)
{
	if (m->n > 1)
		qsort(m->r, m->n, sizeof(*m->r), by_paddr);
}

/* Index of the first range that may meet an address >= paddr: none before it reaches paddr. */
static size_t first_candidate(const struct cs_erase_map *m, paddr_t paddr)
{
	/* Ranges starting at or before paddr - max_len end at or before paddr (none is longer). */
	if (paddr < m->max_len)
		return 0;
	return CS_UPPER_BOUND(m->r, m->n, paddr, paddr - m->max_len);
}

bool cs_erase_map_touches(const struct cs_erase_map *m, paddr_t paddr, uint64_t len)
{
	if (!m || !m->n || !len)
		return false;
	for (size_t i = first_candidate(m, paddr); i < m->n && m->r[i].paddr < paddr + len; i++)
		if (m->r[i].paddr + m->r[i].len > paddr)
			return true;
	return false;
}

void cs_erase_map_apply(const struct cs_erase_map *m, paddr_t paddr, uint8_t *buf, size_t len)
{
	if (!m || !m->n || !len)
		return;
	for (size_t i = first_candidate(m, paddr); i < m->n && m->r[i].paddr < paddr + len; i++) {
		const struct cs_erase_prange *r = &m->r[i];
		paddr_t s = CS_MAX(r->paddr, paddr), e = CS_MIN(r->paddr + r->len, paddr + len);

		if (s < e)
			memset(buf + (s - paddr), r->fill, (size_t)(e - s));
	}
}
