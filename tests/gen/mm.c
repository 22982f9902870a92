/* tests/gen/mm.c: KASLR, kernel image placement, the kernel page tables and the SPARSEMEM structures. */
#include "tests/gen/gen.h"
#include "core/arch/x86_64_paging.h"
#include "core/arch/arm64_paging.h"
#include "core/sparsemem.h"

#include <stdlib.h>
#include <string.h>

#define PUD_SIZE (1ULL << 30)
#define PMD_SIZE (1ULL << 21)
#define TB_SHIFT 40
/* arch/x86/include/asm/page_64_types.h and pgtable_64_types.h (6.1) */
#define PAGE_OFFSET_BASE_L4 0xffff888000000000ULL
#define PAGE_OFFSET_BASE_L5 0xff11000000000000ULL
#define CPU_ENTRY_AREA_BASE 0xfffffe0000000000ULL
#define VMALLOC_SIZE_TB_L4 32ULL
#define VMALLOC_SIZE_TB_L5 12800ULL
#define START_KERNEL_TEXT 0xffffffff81000000ULL /* __START_KERNEL: map + LOAD_PHYSICAL_ADDR */
#define LOAD_PHYSICAL_ADDR 0x1000000ULL
#define KERNEL_IMAGE_SIZE (1ULL << 30)

/* _KERNPG_TABLE and the leaf protections the kernel uses for these mappings. */
#define PGT_TABLE (X86_PTE_PRESENT | X86_PTE_RW | X86_PTE_ACCESSED | X86_PTE_DIRTY)
#define PG_KERNEL (PGT_TABLE | X86_PTE_GLOBAL | X86_PTE_NX)
#define PG_KERNEL_RX (X86_PTE_PRESENT | X86_PTE_ACCESSED | X86_PTE_GLOBAL)
#define PG_KERNEL_NOCACHE (PG_KERNEL | 0x18ULL) /* PWT|PCD, for fixmap MMIO */

/*
 * arm64, 4 KiB granule, Linux 6.1 (arch/arm64/include/asm/memory.h), with
 * memstart_addr (PHYS_OFFSET) 0 since our RAM starts at 0: the linear map at
 * PAGE_OFFSET = -(1 << VA_BITS), the image at KIMAGE_VADDR (MODULES_END) plus
 * the KASLR offset, vmemmap at VMEMMAP_START = -(1 << (VA_BITS - 6)).
 */
#define A64_MODULES_VSIZE (128ULL << 20)
#define A64_SH_INNER (3ULL << 8)
#define A64_AP_RDONLY (1ULL << 7)
#define A64_PROT_KERNEL (A64_DESC_AF | A64_SH_INNER | A64_DESC_PXN | A64_DESC_UXN)
#define A64_PROT_KERNEL_ROX (A64_DESC_AF | A64_SH_INNER | A64_AP_RDONLY | A64_DESC_UXN)

static vaddr_t a64_kimage_vaddr(const struct gen_ctx *c)
{
	return ~((1ULL << (c->o.va_bits - 1)) - 1) + A64_MODULES_VSIZE;
}

/* A next-level table entry. */
static uint64_t mk_table(const struct gen_ctx *c, paddr_t pa)
{
	return c->o.arm64 ? (pa & A64_OA_MASK) | A64_DESC_PAGE : x86_pte_make(pa, PGT_TABLE);
}

/* A leaf for `level` (1 = a page, above = a large page / block) with x86 protections `prot`. */
static uint64_t mk_leaf(const struct gen_ctx *c, paddr_t pa, uint64_t prot, int level)
{
	if (c->o.arm64)
		return (pa & A64_OA_MASK) | (level > 1 ? A64_DESC_BLOCK : A64_DESC_PAGE) |
		       (prot & X86_PTE_NX ? A64_PROT_KERNEL : A64_PROT_KERNEL_ROX);
	return x86_pte_make(pa, prot | (level > 1 ? X86_PTE_PSE : 0));
}

static unsigned level_shift(int level)
{
	static const unsigned shift[] = {0, X86_PAGE_SHIFT, X86_PMD_SHIFT, X86_PUD_SHIFT,
					 X86_P4D_SHIFT, X86_PGD5_SHIFT};
	return shift[level];
}

/*
 * kernel_randomize_memory() (arch/x86/mm/kaslr.c, 6.1): the direct map,
 * vmalloc and vmemmap regions are placed in this order, each at a random
 * 1 GiB-aligned distance after the previous one, sized from the RAM size.
 */
static void randomize_memory(struct gen_ctx *c)
{
	if (c->o.arm64) { /* fixed regions; the image alone moves (place_kernel) */
		c->page_offset_base = ~((1ULL << c->o.va_bits) - 1);
		c->vmalloc_base = a64_kimage_vaddr(c);
		c->vmemmap_base = ~((1ULL << (c->o.va_bits - 6)) - 1);
		return;
	}
	struct gen_rng rng;
	vaddr_t start = c->o.levels == 5 ? PAGE_OFFSET_BASE_L5 : PAGE_OFFSET_BASE_L4;
	uint64_t size_tb[3], remain, vaddr = start;
	vaddr_t *base[3] = {&c->page_offset_base, &c->vmalloc_base, &c->vmemmap_base};
	uint64_t memory_tb = CS_DIV_ROUND_UP(c->max_pfn << GEN_PAGE_SHIFT, 1ULL << TB_SHIFT) +
			     10 /* CONFIG_RANDOMIZE_MEMORY_PHYSICAL_PADDING */;

	gen_rng_init(&rng, c->o.seed, 0x6a51);
	size_tb[0] = 1ULL << (c->max_physmem_bits - TB_SHIFT);
	if (memory_tb < size_tb[0])
		size_tb[0] = memory_tb;
	size_tb[1] = c->o.levels == 5 ? VMALLOC_SIZE_TB_L5 : VMALLOC_SIZE_TB_L4;
	size_tb[2] = CS_DIV_ROUND_UP((size_tb[0] << (TB_SHIFT - GEN_PAGE_SHIFT)) * GEN_SIZEOF_PAGE,
				     1ULL << TB_SHIFT);
	remain = CPU_ENTRY_AREA_BASE - start;
	for (int i = 0; i < 3; i++)
		remain -= size_tb[i] << TB_SHIFT;
	for (int i = 0; i < 3; i++) {
		uint64_t entropy = remain / (3 - i);
		entropy = (gen_rng_next(&rng) % (entropy + 1)) & ~(PUD_SIZE - 1);
		vaddr += entropy;
		*base[i] = vaddr;
		vaddr += size_tb[i] << TB_SHIFT;
		vaddr = CS_ALIGN_UP(vaddr + 1, PUD_SIZE);
		remain -= entropy;
	}
}

static bool kimage_fits(const struct gen_ctx *c, paddr_t pa)
{
	pfn_t p0 = pa / GEN_PAGE_SIZE;

	if (p0 + GEN_KIMG_SIZE / GEN_PAGE_SIZE > c->npfn)
		return false;
	for (pfn_t p = p0; p < p0 + GEN_KIMG_SIZE / GEN_PAGE_SIZE; p++)
		if (c->kind[p] != PK_AVAIL)
			return false;
	return true;
}

/*
 * Physical and virtual KASLR: _text goes to a random 2 MiB-aligned physical
 * address (we stay below 4 GiB, where the decompressor usually lands) and,
 * independently, a random virtual offset in the 1 GiB kernel image window. So
 * phys_base = P - (V - __START_KERNEL_map) is often negative, as on real
 * machines (a Debian 6.1 guest had NUMBER(phys_base)=-58720256).
 */
static cs_status place_kernel(struct gen_ctx *c, struct cs_err *err)
{
	struct gen_rng rng;
	uint64_t ncand = 0, pick;
	paddr_t limit = CS_MIN((paddr_t)4 << 30, c->max_pfn * GEN_PAGE_SIZE);

	gen_rng_init(&rng, c->o.seed, 0x4b49);
	for (paddr_t pa = LOAD_PHYSICAL_ADDR; pa + GEN_KIMG_SIZE <= limit; pa += PMD_SIZE)
		ncand += kimage_fits(c, pa);
	if (!ncand)
		return cs_err_set(err, CS_ERR_ARGS, "no room for the kernel image below 4 GiB");
	pick = gen_rng_below(&rng, ncand);
	for (paddr_t pa = LOAD_PHYSICAL_ADDR;; pa += PMD_SIZE) {
		if (kimage_fits(c, pa) && pick-- == 0) {
			c->kimage_paddr = pa;
			break;
		}
	}
	uint64_t max_off = KERNEL_IMAGE_SIZE - LOAD_PHYSICAL_ADDR - GEN_KIMG_SIZE;
	c->kaslr_offset = gen_rng_below(&rng, max_off / PMD_SIZE + 1) * PMD_SIZE;
	c->ktext_vaddr = START_KERNEL_TEXT + c->kaslr_offset;
	c->phys_base = c->kimage_paddr - (c->ktext_vaddr - X86_START_KERNEL_MAP);
	if (c->o.arm64) {
		c->ktext_vaddr = a64_kimage_vaddr(c) + c->kaslr_offset;
		c->phys_base = 0; /* PHYS_OFFSET */
	}
	pfn_t p0 = c->kimage_paddr / GEN_PAGE_SIZE;
	memset(c->kind + p0, PK_RESERVED, GEN_KIMG_SIZE / GEN_PAGE_SIZE);
	return gen_add_extent(c, p0, GEN_KIMG_SIZE / GEN_PAGE_SIZE, EXT_KIMAGE, 0, err);
}

static cs_status new_table(struct gen_ctx *c, pfn_t pfn, int level, int32_t *ret, struct cs_err *err)
{
	if (c->ntables == c->tables_cap) {
		size_t cap = c->tables_cap ? c->tables_cap * 2 : 64;
		struct gen_table *t = realloc(c->tables, cap * sizeof(*t));
		if (!t)
			return cs_err_set(err, CS_ERR_NOMEM, "out of memory");
		c->tables = t;
		c->tables_cap = cap;
	}
	struct gen_table *t = &c->tables[c->ntables];
	memset(t->e, 0, sizeof(t->e));
	for (int i = 0; i < 512; i++)
		t->child[i] = -1;
	t->pfn = pfn;
	t->level = level;
	*ret = (int32_t)c->ntables++;
	return CS_OK;
}

enum tbl_src { FROM_BRK, FROM_MEMBLOCK };

static cs_status table_page(struct gen_ctx *c, enum tbl_src src, pfn_t *ret, struct cs_err *err)
{
	/* init_mem_mapping() takes its first tables from the brk area (early_alloc_pgt_buf). */
	if (src == FROM_BRK && c->brk_used < GEN_KIMG_BRK_PAGES) {
		*ret = (c->kimage_paddr + GEN_KIMG_BRK) / GEN_PAGE_SIZE + c->brk_used++;
		return CS_OK;
	}
	return gen_alloc(c, 1, 1, ret, err);
}

/* Install one leaf entry for vaddr at `leaf_level`, creating the tables on the way. */
static cs_status pt_map(struct gen_ctx *c, vaddr_t vaddr, paddr_t paddr, int leaf_level, uint64_t prot,
			enum tbl_src src, struct cs_err *err)
{
	int32_t t = c->t_top;
	cs_status st;

	for (int level = c->o.levels; level > leaf_level; level--) {
		unsigned idx = x86_pt_index(vaddr, level_shift(level));
		if (c->tables[t].child[idx] < 0) {
			pfn_t pfn;
			int32_t nt;
			if (c->tables[t].e[idx])
				return cs_err_set(err, CS_ERR_CORRUPT, "vaddr 0x%" PRIx64
						  ": already mapped by a large page", vaddr);
			if ((st = table_page(c, src, &pfn, err)) != CS_OK ||
			    (st = new_table(c, pfn, level - 1, &nt, err)) != CS_OK)
				return st;
			c->tables[t].e[idx] = mk_table(c, pfn << GEN_PAGE_SHIFT);
			c->tables[t].child[idx] = nt;
		}
		t = c->tables[t].child[idx];
	}
	c->tables[t].e[x86_pt_index(vaddr, level_shift(leaf_level))] = mk_leaf(c, paddr, prot, leaf_level);
	return CS_OK;
}

static cs_status link_table(struct gen_ctx *c, int32_t parent, unsigned idx, int32_t child)
{
	c->tables[parent].e[idx] = mk_table(c, c->tables[child].pfn << GEN_PAGE_SHIFT);
	c->tables[parent].child[idx] = child;
	return CS_OK;
}

/*
 * The statically allocated tables of head_64.S live in the kernel image:
 * init_top_pgt (== swapper_pg_dir), level4_kernel_pgt (5-level),
 * level3_kernel_pgt, level2_kernel_pgt (2 MiB pages for _text.._end) and the
 * fixmap tables.
 */
static cs_status kernel_tables(struct gen_ctx *c, struct cs_err *err)
{
	pfn_t kp = c->kimage_paddr / GEN_PAGE_SIZE;
	cs_status st;

	if (c->o.arm64) {
		/* swapper_pg_dir in the image; map_kernel()'s tables come from the early allocator. */
		c->t_l4k = c->t_l3k = c->t_l2k = c->t_l2fix = c->t_l1fix = -1;
		if ((st = new_table(c, kp + GEN_OFF_init_top_pgt / GEN_PAGE_SIZE, c->o.levels, &c->t_top, err)))
			return st;
		for (uint64_t off = 0; off < GEN_KIMG_SIZE; off += PMD_SIZE)
			if ((st = pt_map(c, c->ktext_vaddr + off, c->kimage_paddr + off, 2,
					 off < GEN_KIMG_RODATA ? PG_KERNEL_RX : PG_KERNEL, FROM_BRK, err)))
				return st;
		return CS_OK;
	}
	if ((st = new_table(c, kp + GEN_OFF_init_top_pgt / GEN_PAGE_SIZE, c->o.levels, &c->t_top, err)) ||
	    (st = new_table(c, kp + GEN_OFF_level3_kernel_pgt / GEN_PAGE_SIZE, 3, &c->t_l3k, err)) ||
	    (st = new_table(c, kp + GEN_OFF_level2_kernel_pgt / GEN_PAGE_SIZE, 2, &c->t_l2k, err)) ||
	    (st = new_table(c, kp + GEN_OFF_level2_fixmap_pgt / GEN_PAGE_SIZE, 2, &c->t_l2fix, err)) ||
	    (st = new_table(c, kp + GEN_OFF_level1_fixmap_pgt / GEN_PAGE_SIZE, 1, &c->t_l1fix, err)))
		return st;
	c->t_l4k = -1;
	if (c->o.levels == 5) {
		if ((st = new_table(c, kp + GEN_OFF_level4_kernel_pgt / GEN_PAGE_SIZE, 4, &c->t_l4k, err)))
			return st;
		link_table(c, c->t_top, 511, c->t_l4k);
		link_table(c, c->t_l4k, 511, c->t_l3k);
	} else {
		link_table(c, c->t_top, 511, c->t_l3k);
	}
	link_table(c, c->t_l3k, 510, c->t_l2k);
	link_table(c, c->t_l3k, 511, c->t_l2fix);
	link_table(c, c->t_l2fix, 506, c->t_l1fix);
	/* Fixmap slots for the local and I/O APIC: MMIO, not RAM. */
	c->tables[c->t_l1fix].e[511] = x86_pte_make(0xfee00000, PG_KERNEL_NOCACHE);
	c->tables[c->t_l1fix].e[510] = x86_pte_make(0xfec00000, PG_KERNEL_NOCACHE);

	for (uint64_t off = 0; off < GEN_KIMG_SIZE; off += PMD_SIZE) {
		vaddr_t va = c->ktext_vaddr + off;
		uint64_t prot = off < GEN_KIMG_RODATA ? PG_KERNEL_RX : PG_KERNEL;
		c->tables[c->t_l2k].e[x86_pt_index(va, X86_PMD_SHIFT)] =
			x86_pte_make(c->kimage_paddr + off, prot | X86_PTE_PSE);
	}
	return CS_OK;
}

/* The direct map: every RAM range, with the largest pages that fit (1 GiB, 2 MiB, 4 KiB). */
static cs_status direct_map(struct gen_ctx *c, struct cs_err *err)
{
	cs_status st;

	for (size_t i = 0; i < c->nram; i++) {
		paddr_t pa = c->ram[i].start / GEN_PAGE_SIZE * GEN_PAGE_SIZE;
		paddr_t end = CS_ALIGN_UP(c->ram[i].end, GEN_PAGE_SIZE);

		while (pa < end) {
			int level = 1;
			uint64_t size = GEN_PAGE_SIZE;
			if (pa % PUD_SIZE == 0 && pa + PUD_SIZE <= end) {
				level = 3;
				size = PUD_SIZE;
			} else if (pa % PMD_SIZE == 0 && pa + PMD_SIZE <= end) {
				level = 2;
				size = PMD_SIZE;
			}
			if ((st = pt_map(c, gen_dmap(c, pa), pa, level, PG_KERNEL, FROM_BRK, err)))
				return st;
			pa += size;
		}
	}
	return CS_OK;
}

/*
 * SPARSEMEM_EXTREME as sparse_init() leaves it: the root pointer array and one
 * page of struct mem_section per root that has memory (memblock), the usage
 * maps, then each present section's memmap in the vmemmap: a 2 MiB block
 * mapped by a PMD, or 512 single pages mapped by a PTE table when the
 * allocator had no 2 MiB block (vmemmap_populate_basepages()).
 */
static cs_status sparsemem(struct gen_ctx *c, struct cs_err *err)
{
	struct cs_sparse_geom g = {GEN_SECTION_SIZE_BITS, c->max_physmem_bits, GEN_PAGE_SHIFT,
				   c->sizeof_mem_section, true};
	uint64_t per_root = cs_sections_per_root(&g), npresent = 0, forced_pte = UINT64_MAX;
	cs_status st;
	pfn_t pfn;

	c->nr_roots = cs_nr_section_roots(&g);
	c->memsec_root_pages = CS_DIV_ROUND_UP(c->nr_roots * 8, GEN_PAGE_SIZE);
	if ((st = gen_alloc(c, c->memsec_root_pages, 1, &c->memsec_root_pfn, err)) ||
	    (st = gen_add_extent(c, c->memsec_root_pfn, c->memsec_root_pages, EXT_MEMSEC_ROOT, 0, err)))
		return st;
	c->nused_roots = CS_DIV_ROUND_UP(c->nsections, per_root);
	c->memsec_array_pfn = calloc(c->nused_roots, sizeof(pfn_t));
	if (!c->memsec_array_pfn)
		return cs_err_set(err, CS_ERR_NOMEM, "out of memory");
	for (uint64_t r = 0; r < c->nused_roots; r++) {
		bool any = false;
		for (uint64_t s = r * per_root; s < (r + 1) * per_root && s < c->nsections; s++)
			any |= c->sec_present[s];
		if (!any)
			continue;
		if ((st = gen_alloc(c, 1, 1, &pfn, err)) ||
		    (st = gen_add_extent(c, pfn, 1, EXT_MEMSEC_ARRAY, r, err)))
			return st;
		c->memsec_array_pfn[r] = pfn;
	}
	for (uint64_t s = 0; s < c->nsections; s++) {
		npresent += c->sec_present[s];
		if (c->sec_present[s] && npresent == 2)
			forced_pte = s;
	}
	/* struct mem_section_usage: subsection_map + pageblock_flags, one array for the node. */
	c->usage_pages = CS_DIV_ROUND_UP(npresent * GEN_SIZEOF_USAGE, GEN_PAGE_SIZE);
	if ((st = gen_alloc(c, c->usage_pages, 1, &c->usage_pfn, err)) ||
	    (st = gen_add_extent(c, c->usage_pfn, c->usage_pages, EXT_USAGE, 0, err)))
		return st;
	/* pglist_data of node 0 (node_data[0]). */
	if ((st = gen_alloc(c, 42, 1, &c->node_data_pfn, err)) ||
	    (st = gen_add_extent(c, c->node_data_pfn, 42, EXT_NODE_DATA, 0, err)))
		return st;

	for (uint64_t s = 0; s < c->nsections; s++) {
		vaddr_t va = c->vmemmap_base + s * GEN_PFNS_PER_SECTION * GEN_SIZEOF_PAGE;
		pfn_t first = s * GEN_PFNS_PER_SECTION;

		if (!c->sec_present[s])
			continue;
		/* At least one section (the second) and about 1 in 16 use 4 KiB pages. */
		if (s != forced_pte && gen_hash(c->o.seed, 0x5ec, s) % 16) {
			if ((st = gen_alloc(c, GEN_PAGEBLOCK, GEN_PAGEBLOCK, &pfn, err)) ||
			    (st = pt_map(c, va, pfn << GEN_PAGE_SHIFT, 2, PG_KERNEL, FROM_MEMBLOCK, err)) ||
			    (st = gen_add_extent(c, pfn, GEN_PAGEBLOCK, EXT_VMEMMAP, first, err)))
				return st;
			continue;
		}
		for (uint64_t i = 0; i < GEN_PAGEBLOCK; i++) {
			if ((st = gen_alloc(c, 1, 1, &pfn, err)) ||
			    (st = pt_map(c, va + i * GEN_PAGE_SIZE, pfn << GEN_PAGE_SHIFT, 1, PG_KERNEL,
					 FROM_MEMBLOCK, err)) ||
			    (st = gen_add_extent(c, pfn, 1, EXT_VMEMMAP,
						 first + i * (GEN_PAGE_SIZE / GEN_SIZEOF_PAGE), err)))
				return st;
		}
	}
	return CS_OK;
}

cs_status gen_build_mm(struct gen_ctx *c, struct cs_err *err)
{
	cs_status st;

	c->max_physmem_bits = c->o.arm64 ? 48 : c->o.levels == 5 ? 52 : 46;
	randomize_memory(c);
	if ((st = place_kernel(c, err)) || (st = kernel_tables(c, err)) || (st = direct_map(c, err)) ||
	    (st = sparsemem(c, err)))
		return st;
	/* Index the tables by pfn: the writer asks "is this page a table?" for every page. */
	c->table_order = malloc(c->ntables * sizeof(*c->table_order));
	if (!c->table_order)
		return cs_err_set(err, CS_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < c->ntables; i++)
		c->table_order[i] = (int32_t)i;
	for (size_t i = 1; i < c->ntables; i++) /* insertion sort: few tables, mostly in order */
		for (size_t j = i; j > 0 && c->tables[c->table_order[j - 1]].pfn > c->tables[c->table_order[j]].pfn; j--) {
			int32_t t = c->table_order[j];
			c->table_order[j] = c->table_order[j - 1];
			c->table_order[j - 1] = t;
		}
	gen_sort_extents(c);
	return CS_OK;
}

const struct gen_table *gen_find_table(const struct gen_ctx *c, pfn_t pfn)
{
	size_t lo = 0, hi = c->ntables;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		pfn_t p = c->tables[c->table_order[mid]].pfn;
		if (p == pfn)
			return &c->tables[c->table_order[mid]];
		if (p < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
