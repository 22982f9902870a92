/* core/sparsemem.h: SPARSEMEM section geometry and section_mem_map encoding (engine and mkvmcore). */
#ifndef CS_SPARSEMEM_H
#define CS_SPARSEMEM_H

#include "core/types.h"

/* Kernel flag bits in mem_section.section_mem_map (include/linux/mmzone.h). */
#define CS_SECTION_MARKED_PRESENT (1ULL << 0)
#define CS_SECTION_HAS_MEM_MAP (1ULL << 1)
#define CS_SECTION_IS_ONLINE (1ULL << 2)
#define CS_SECTION_IS_EARLY (1ULL << 3)
/*
 * The coded pointer is at least 64-byte aligned (struct page alignment), so we
 * mask the low 6 bits: that covers every flag bit the kernel defines up to
 * SECTION_CANNOT_OPTIMIZE_VMEMMAP (1 << 5, kernel 5.19+). makedumpfile and
 * crash mask only 5 bits (SECTION_MAP_LAST_BIT 1 << 5).
 */
#define CS_SECTION_MAP_MASK (~0x3fULL)

/*
 * The kernel stores the mem_map pointer of a section "coded":
 *   coded = mem_map_of_section - section_start_pfn * sizeof(struct page)
 * so that &mem_map[pfn] = coded + pfn * sizeof(struct page) for any pfn of the
 * section (sparse_encode_mem_map, mm/sparse.c).
 */
static inline uint64_t cs_section_encode(vaddr_t section_mem_map, pfn_t section_start_pfn,
					 uint64_t sizeof_page, uint64_t flags)
{
	return (section_mem_map - section_start_pfn * sizeof_page) | flags;
}

/* The coded mem_map base of a section word (no flag bits). */
static inline vaddr_t cs_section_decode(uint64_t section_word)
{
	return section_word & CS_SECTION_MAP_MASK;
}

static inline bool cs_section_present(uint64_t section_word)
{
	return (section_word & CS_SECTION_MARKED_PRESENT) != 0;
}

/* Address of the struct page of pfn given the decoded section word. */
static inline vaddr_t cs_section_page_vaddr(vaddr_t coded, pfn_t pfn, uint64_t sizeof_page)
{
	return coded + pfn * sizeof_page;
}

struct cs_sparse_geom {
	unsigned section_size_bits;  /* else the arch's default (core/arch/) */
	unsigned max_physmem_bits;   /* else the paging form's default */
	unsigned page_shift;         /* 12 */
	uint64_t sizeof_mem_section; /* SIZE(mem_section), 16 on 6.1 */
	bool extreme;                /* SPARSEMEM_EXTREME: root pointer array */
};

static inline uint64_t cs_pfns_per_section(const struct cs_sparse_geom *g)
{
	return 1ULL << (g->section_size_bits - g->page_shift);
}
static inline uint64_t cs_nr_mem_sections(const struct cs_sparse_geom *g)
{
	return 1ULL << (g->max_physmem_bits - g->section_size_bits);
}
/* Sections per root: PAGE_SIZE / sizeof(struct mem_section) when EXTREME, else 1. */
static inline uint64_t cs_sections_per_root(const struct cs_sparse_geom *g)
{
	return g->extreme ? (1ULL << g->page_shift) / g->sizeof_mem_section : 1;
}
static inline uint64_t cs_nr_section_roots(const struct cs_sparse_geom *g)
{
	uint64_t per = cs_sections_per_root(g);
	return (cs_nr_mem_sections(g) + per - 1) / per;
}

#endif
