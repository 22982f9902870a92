/* core/arch/x86_64.c: the x86_64 row: 4/5-level paging forms, PTE decoding, phys_base, SME, kernel text. */
#include "core/arch/arch.h"
#include "core/arch/x86_64_paging.h"

#define CS_EM_X86_64 62

/*
 * Without NUMBER(KERNEL_IMAGE_SIZE) (kernels before it was exported) assume
 * the non-KASLR 512 MiB: modules start right after, so a larger guess would
 * send module addresses through the text fast path.
 */
#define X86_DEFAULT_KERNEL_IMAGE_SIZE (512ULL << 20)
#define X86_MAX_KERNEL_IMAGE_SIZE (2ULL << 30)

static enum cs_pte_kind x86_decode(const struct cs_walker *w, unsigned level, uint64_t pte,
				   paddr_t *paddr)
{
	unsigned shift = w->form->shift[level];

	if (!(pte & X86_PTE_PRESENT))
		return CS_PTE_NONE;
	/* PSE at PUD = 1 GiB, at PMD = 2 MiB; bit 7 of a PTE is PAT, not PSE. */
	if ((pte & X86_PTE_PSE) && shift > X86_PUD_SHIFT)
		return CS_PTE_BAD;
	/* For large pages bit 12 is PAT: the walker's masking to the page size drops it. */
	*paddr = x86_pte_paddr(pte, w->pte_strip);
	return level == w->form->levels - 1 || (pte & X86_PTE_PSE) ? CS_PTE_LEAF : CS_PTE_TABLE;
}

static const struct cs_paging_form x86_4level = {
	.levels = 4,
	.shift = {X86_P4D_SHIFT, X86_PUD_SHIFT, X86_PMD_SHIFT, X86_PAGE_SHIFT},
	.index_bits = 9,
	.va_bits = 48,
	.kvaddr_min = 0xffff800000000000ULL,
	.max_physmem_bits = 46,
	.section_size_bits = 27, /* 128 MiB sections */
	.level_name = {"PGD", "PUD", "PMD", "PTE"},
	.decode = x86_decode,
};

static const struct cs_paging_form x86_5level = {
	.levels = 5,
	.shift = {X86_PGD5_SHIFT, X86_P4D_SHIFT, X86_PUD_SHIFT, X86_PMD_SHIFT, X86_PAGE_SHIFT},
	.index_bits = 9,
	.va_bits = 57,
	.kvaddr_min = 0xff00000000000000ULL,
	.max_physmem_bits = 52,
	.section_size_bits = 27,
	.level_name = {"PGD", "P4D", "PUD", "PMD", "PTE"},
	.decode = x86_decode,
};

static cs_status x86_init(struct cs_arch *a, const struct cs_kmodel *km,
			  const struct cs_arch_hints *hints, struct cs_err *err)
{
	uint64_t kernel_image_size = X86_DEFAULT_KERNEL_IMAGE_SIZE;
	vaddr_t root;

	a->walk.form = cs_km_has(km, KM_NUM_pgtable_l5_enabled) &&
				       cs_km_num(km, KM_NUM_pgtable_l5_enabled) != 0
			       ? &x86_5level
			       : &x86_4level;
	/* phys_base: VMCOREINFO first, else the kernel-text PT_LOAD, else 0 (< 2.6.22). */
	if (cs_km_has(km, KM_NUM_phys_base))
		a->phys_base = cs_km_get(km, KM_NUM_phys_base);
	else if (hints && hints->have_phys_base)
		a->phys_base = hints->phys_base;
	/* AMD SME/SEV C-bit, stripped from every entry. */
	if (cs_km_has(km, KM_NUM_sme_mask))
		a->walk.pte_strip = cs_km_get(km, KM_NUM_sme_mask);
	if (cs_km_has(km, KM_NUM_KERNEL_IMAGE_SIZE)) {
		uint64_t sz = cs_km_get(km, KM_NUM_KERNEL_IMAGE_SIZE);
		if (sz == 0 || sz > X86_MAX_KERNEL_IMAGE_SIZE)
			return cs_err_set(err, CS_ERR_CORRUPT,
					  "NUMBER(KERNEL_IMAGE_SIZE)=%" PRIu64 " is implausible", sz);
		kernel_image_size = sz;
	}

	/* init_top_pgt since 4.13, init_level4_pgt before. */
	if (cs_km_has(km, KM_SYM_init_top_pgt))
		root = cs_km_get(km, KM_SYM_init_top_pgt);
	else if (cs_km_has(km, KM_SYM_init_level4_pgt))
		root = cs_km_get(km, KM_SYM_init_level4_pgt);
	else
		return cs_err_set(err, CS_ERR_FORMAT,
				  "cannot translate kernel addresses: no SYMBOL(init_top_pgt) in VMCOREINFO");
	if (root < X86_START_KERNEL_MAP || root - X86_START_KERNEL_MAP >= kernel_image_size ||
	    (root & 0xfff) != 0)
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "page-table root 0x%" PRIx64 " is not a page in the kernel image", root);
	a->walk.root = root - X86_START_KERNEL_MAP + a->phys_base;
	/*
	 * Kernel text/data: linear at phys_base by construction
	 * (arch/x86/kernel/head64.c), so no walk is needed.
	 */
	a->lin_va = X86_START_KERNEL_MAP;
	a->lin_size = kernel_image_size;
	a->lin_pa = a->phys_base;
	return CS_OK;
}

static const enum cs_km_id x86_keys[] = {
	KM_NUM_pgtable_l5_enabled, KM_NUM_phys_base,      KM_NUM_sme_mask,
	KM_NUM_KERNEL_IMAGE_SIZE,  KM_SYM_init_top_pgt,   KM_SYM_init_level4_pgt,
	KM_NR_FIELDS,
};

const struct cs_arch_info cs_arch_x86_64 = {
	.name = "x86_64",
	.e_machine = CS_EM_X86_64,
	.page_size_mask = 4096, /* x86_64 kernels have 4 KiB base pages only */
	.kernel_map_base = X86_START_KERNEL_MAP,
	/* Lowest direct-map base of any paging mode (5-level: 0xff11000000000000). */
	.direct_map_min = 0xff00000000000000ULL,
	.keys = x86_keys,
	.init = x86_init,
};
