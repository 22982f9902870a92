/* core/memmap.h: where the struct page array of each pfn lives (SPARSEMEM, SPARSEMEM_EXTREME, FLATMEM). */
#ifndef CS_MEMMAP_H
#define CS_MEMMAP_H

#include "core/types.h"
#include "core/error.h"
#include "core/kernel.h"
#include "core/sparsemem.h"

enum cs_mem_model {
	CS_MM_NONE = 0,
	CS_MM_SPARSEMEM,         /* flat array of struct mem_section */
	CS_MM_SPARSEMEM_EXTREME, /* root pointer array of section pages */
	CS_MM_FLATMEM,           /* one mem_map for all pfns (SYMBOL(mem_map)) */
};

/*
 * The pfn space [0, max_mapnr) cut into blocks of pfns_per_block pfns (the
 * SPARSEMEM section size; FLATMEM uses the same block size for batching).
 * Block b's struct page for pfn p lives at coded[b] + p * sizeof_page;
 * coded[b] == 0 means "no mem_map": the section is absent, not present, or
 * its pointer was rejected as implausible (such pfns are kept, never filtered).
 */
struct cs_memmap {
	enum cs_mem_model model;
	struct cs_sparse_geom geom; /* SPARSEMEM only */
	uint32_t sizeof_page;
	uint64_t pfns_per_block;
	size_t nr_blocks;
	vaddr_t *coded;
	pfn_t max_mapnr;           /* clamped to the end of the last block with a mem_map */
	size_t nr_implausible;     /* sections marked present whose mem_map pointer was rejected */
	bool mem_section_deref;    /* the mem_section symbol held a pointer to the root array (-x) */
};

/*
 * Discover the mem_map of every pfn below max_pfn (one past the highest pfn
 * in the dump). Fails if the model has no memory model keys or every
 * candidate decoding is implausible; single bad sections are only counted.
 */
cs_status cs_memmap_init(struct cs_memmap *mm, struct cs_kernel *k, pfn_t max_pfn,
			 struct cs_err *err);
void cs_memmap_deinit(struct cs_memmap *mm);

static inline size_t cs_memmap_block_of(const struct cs_memmap *mm, pfn_t pfn)
{
	return (size_t)(pfn / mm->pfns_per_block);
}

/* True if pfn has a trusted mem_map. */
static inline bool cs_memmap_has(const struct cs_memmap *mm, pfn_t pfn)
{
	size_t b = cs_memmap_block_of(mm, pfn);
	return b < mm->nr_blocks && mm->coded[b] != 0;
}

/* Virtual address of pfn's struct page (pfn must have a mem_map). */
static inline vaddr_t cs_memmap_page_vaddr(const struct cs_memmap *mm, pfn_t pfn)
{
	return mm->coded[cs_memmap_block_of(mm, pfn)] + pfn * mm->sizeof_page;
}

/* Read the struct pages of [pfn, pfn + n) (all in one block) into buf. */
cs_status cs_memmap_read(const struct cs_memmap *mm, struct cs_kernel *k, pfn_t pfn, size_t n,
			 void *buf, struct cs_err *err);

#endif
