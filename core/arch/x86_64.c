/* core/arch/x86_64.c: x86_64 address translation (4/5-level paging, phys_base, SME, translation caches). */
#include "core/arch/arch.h"
#include "core/arch/x86_64_paging.h"

#include <string.h>

#define CS_EM_X86_64 62

/*
 * Without NUMBER(KERNEL_IMAGE_SIZE) (kernels before it was exported) assume
 * the non-KASLR 512 MiB: modules start right after, so a larger guess would
 * send module addresses through the text fast path.
 */
#define X86_DEFAULT_KERNEL_IMAGE_SIZE (512ULL << 20)
#define X86_MAX_KERNEL_IMAGE_SIZE (2ULL << 30)

static const unsigned x86_shift5[5] = {X86_PGD5_SHIFT, X86_P4D_SHIFT, X86_PUD_SHIFT, X86_PMD_SHIFT,
				       X86_PAGE_SHIFT};
static const char *const x86_name5[5] = {"PGD", "P4D", "PUD", "PMD", "PTE"};
static const char *const x86_name4[4] = {"PGD", "PUD", "PMD", "PTE"};

static void x86_cache_reset(struct cs_arch *a)
{
	struct cs_arch_x86_64 *x = &a->u.x86_64;

	x->leaf_valid = false;
	for (int i = 0; i < CS_ARCH_MAX_LEVELS; i++)
		x->tc[i].valid = false;
}

static uint64_t x86_phys_base(const struct cs_arch *a)
{
	return a->u.x86_64.phys_base;
}

static bool x86_is_kvaddr(const struct cs_arch *a, vaddr_t vaddr)
{
	int levels = a->u.x86_64.levels;

	if (x86_canonical(vaddr, levels) != vaddr)
		return false;
	return levels == 5 ? vaddr >= 0xff00000000000000ULL : vaddr >= 0xffff800000000000ULL;
}

static cs_status x86_init(struct cs_arch *a, const struct cs_kmodel *km,
			  const struct cs_arch_hints *hints, struct cs_err *err)
{
	struct cs_arch_x86_64 *x = &a->u.x86_64;
	vaddr_t root;

	memset(x, 0, sizeof(*x));
	x->levels = cs_km_has(km, KM_NUM_pgtable_l5_enabled) &&
				    cs_km_num(km, KM_NUM_pgtable_l5_enabled) != 0
			    ? 5
			    : 4;
	/* phys_base: VMCOREINFO first, else the kernel-text PT_LOAD, else 0 (< 2.6.22). */
	if (cs_km_has(km, KM_NUM_phys_base))
		x->phys_base = cs_km_get(km, KM_NUM_phys_base);
	else if (hints && hints->have_phys_base)
		x->phys_base = hints->phys_base;
	if (cs_km_has(km, KM_NUM_sme_mask))
		x->sme_mask = cs_km_get(km, KM_NUM_sme_mask);
	x->kernel_image_size = X86_DEFAULT_KERNEL_IMAGE_SIZE;
	if (cs_km_has(km, KM_NUM_KERNEL_IMAGE_SIZE)) {
		uint64_t sz = cs_km_get(km, KM_NUM_KERNEL_IMAGE_SIZE);
		if (sz == 0 || sz > X86_MAX_KERNEL_IMAGE_SIZE)
			return cs_err_set(err, CS_ERR_CORRUPT,
					  "NUMBER(KERNEL_IMAGE_SIZE)=%" PRIu64 " is implausible", sz);
		x->kernel_image_size = sz;
	}

	/* init_top_pgt since 4.13, init_level4_pgt before. */
	if (cs_km_has(km, KM_SYM_init_top_pgt))
		root = cs_km_get(km, KM_SYM_init_top_pgt);
	else if (cs_km_has(km, KM_SYM_init_level4_pgt))
		root = cs_km_get(km, KM_SYM_init_level4_pgt);
	else
		return cs_err_set(err, CS_ERR_FORMAT,
				  "cannot translate kernel addresses: no SYMBOL(init_top_pgt) in VMCOREINFO");
	if (root < X86_START_KERNEL_MAP || root - X86_START_KERNEL_MAP >= x->kernel_image_size ||
	    (root & 0xfff) != 0)
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "page-table root 0x%" PRIx64 " is not a page in the kernel image", root);
	x->pgd_paddr = root - X86_START_KERNEL_MAP + x->phys_base;
	return CS_OK;
}

static cs_status x86_walk(struct cs_arch *a, vaddr_t vaddr, paddr_t *paddr, uint64_t *contig,
			  struct cs_err *err)
{
	struct cs_arch_x86_64 *x = &a->u.x86_64;
	int levels = x->levels;
	const unsigned *shift = levels == 5 ? x86_shift5 : x86_shift5 + 1;
	const char *const *name = levels == 5 ? x86_name5 : x86_name4;
	paddr_t seen[CS_ARCH_MAX_LEVELS];
	paddr_t table = x->pgd_paddr;

	if (x86_canonical(vaddr, levels) != vaddr)
		return cs_err_set(err, CS_ERR_NODATA,
				  "vaddr 0x%" PRIx64 ": not a canonical %d-level address", vaddr, levels);
	x->nr_walks++;
	for (int l = 0; l < levels; l++) {
		struct cs_pt_cache *c = &x->tc[l];
		uint64_t e;

		/* A table reached twice in one walk is a loop (or a recursive map Linux never builds). */
		for (int j = 0; j < l; j++)
			if (seen[j] == table)
				return cs_err_set(err, CS_ERR_CORRUPT,
						  "vaddr 0x%" PRIx64 ": page-table loop: %s table at paddr 0x%" PRIx64
						  " is also the %s table",
						  vaddr, name[l], table, name[j]);
		seen[l] = table;
		if (!c->valid || c->table != table) {
			c->valid = false;
			if (a->read_paddr(a->read_ctx, table, c->ent, sizeof(c->ent), err) != CS_OK)
				return cs_err_ctx(err, "vaddr 0x%" PRIx64 ": cannot read %s table at paddr 0x%" PRIx64,
						  vaddr, name[l], table);
			c->valid = true;
			c->table = table;
			x->nr_table_reads++;
		}
		e = c->ent[x86_pt_index(vaddr, shift[l])];
		if (a->trace)
			a->trace(a->trace_ctx, name[l], table + x86_pt_index(vaddr, shift[l]) * sizeof(e), e);
		if (!(e & X86_PTE_PRESENT))
			return cs_err_set(err, CS_ERR_NODATA,
					  "vaddr 0x%" PRIx64 ": not mapped (%s entry 0x%" PRIx64 " not present)",
					  vaddr, name[l], e);
		if ((e & X86_PTE_PSE) && shift[l] > X86_PUD_SHIFT)
			return cs_err_set(err, CS_ERR_CORRUPT,
					  "vaddr 0x%" PRIx64 ": %s entry 0x%" PRIx64 " has the large-page bit",
					  vaddr, name[l], e);
		/* PSE at PUD = 1 GiB, at PMD = 2 MiB; bit 7 of a PTE is PAT, not PSE. */
		if (l == levels - 1 || (e & X86_PTE_PSE)) {
			uint64_t size = 1ULL << shift[l];
			/* For large pages bit 12 is PAT: masking to the page size drops it. */
			paddr_t base = x86_pte_paddr(e, x->sme_mask) & ~(size - 1);
			uint64_t off = vaddr & (size - 1);

			x->leaf_valid = true;
			x->leaf_va = vaddr - off;
			x->leaf_size = size;
			x->leaf_pa = base;
			*paddr = base + off;
			*contig = size - off;
			return CS_OK;
		}
		table = x86_pte_paddr(e, x->sme_mask);
	}
	/* not reached: the last level is always a leaf */
	return cs_err_set(err, CS_ERR_CORRUPT, "vaddr 0x%" PRIx64 ": page-table walk ran off", vaddr);
}

static cs_status x86_vtop(struct cs_arch *a, vaddr_t vaddr, paddr_t *paddr, uint64_t *contig,
			  struct cs_err *err)
{
	struct cs_arch_x86_64 *x = &a->u.x86_64;

	if (a->trace) {
		x86_cache_reset(a);
		return x86_walk(a, vaddr, paddr, contig, err);
	}
	if (x->leaf_valid && vaddr - x->leaf_va < x->leaf_size) {
		uint64_t off = vaddr - x->leaf_va;
		*paddr = x->leaf_pa + off;
		*contig = x->leaf_size - off;
		return CS_OK;
	}
	/*
	 * Kernel text/data: linear at phys_base by construction
	 * (arch/x86/kernel/head64.c), so no walk is needed.
	 */
	if (vaddr >= X86_START_KERNEL_MAP && vaddr - X86_START_KERNEL_MAP < x->kernel_image_size) {
		uint64_t off = vaddr - X86_START_KERNEL_MAP;
		*paddr = off + x->phys_base;
		*contig = x->kernel_image_size - off;
		return CS_OK;
	}
	return x86_walk(a, vaddr, paddr, contig, err);
}

const struct cs_arch_ops cs_arch_x86_64_ops = {
	.name = "x86_64",
	.e_machine = CS_EM_X86_64,
	.page_size_mask = 4096, /* x86_64 kernels have 4 KiB base pages only */
	.init = x86_init,
	.vtop = x86_vtop,
	.cache_reset = x86_cache_reset,
	.phys_base = x86_phys_base,
	.is_kvaddr = x86_is_kvaddr,
};
