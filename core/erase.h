/* core/erase.h: the physical bytes --config erases, sorted, and their overwriting in page buffers before a page is written. */
#ifndef CS_ERASE_H
#define CS_ERASE_H

#include "core/error.h"
#include "core/kernel.h"
#include "core/types.h"

#define CS_ERASE_FILL 'X'     /* makedumpfile's poison byte; nullify writes zeros */

struct cs_erase_prange {
	paddr_t paddr;
	uint64_t len;
	uint8_t fill;
	uint32_t seq;        /* order added: ties in paddr keep it */
};

/*
 * Built once before the dump (cs_erase_map_add*, then cs_erase_map_finish),
 * then only read, by every pipeline worker at once.
 */
struct cs_erase_map {
	struct cs_erase_prange *r;
	size_t n, cap;
	uint64_t max_len;    /* of any range: how far back a range overlapping an address can start */
	uint64_t bytes;      /* sum of the ranges' lengths */
};

void cs_erase_map_free(struct cs_erase_map *m);
/* Erase [paddr, paddr + len) with fill. */
cs_status cs_erase_map_add(struct cs_erase_map *m, paddr_t paddr, uint64_t len, uint8_t fill,
			   struct cs_err *err);
/*
 * Erase the kernel-virtual [vaddr, vaddr + len): translated by k's page
 * tables once, mapping by mapping (pieces need not be physically contiguous).
 */
cs_status cs_erase_map_add_virt(struct cs_erase_map *m, struct cs_kernel *k, vaddr_t vaddr,
				uint64_t len, uint8_t fill, struct cs_err *err);
/* Sort by paddr (then by order added); overlapping ranges are applied in that order. */
void cs_erase_map_finish(struct cs_erase_map *m);

/* Does any range meet [paddr, paddr + len)? (m may be NULL.) */
bool cs_erase_map_touches(const struct cs_erase_map *m, paddr_t paddr, uint64_t len);
/* Overwrite the bytes of buf (the memory at [paddr, paddr + len)) that ranges cover. */
void cs_erase_map_apply(const struct cs_erase_map *m, paddr_t paddr, uint8_t *buf, size_t len);

#endif
