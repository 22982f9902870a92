/* core/arch/arm64.c: the arm64 row: 4K/16K/64K granule paging forms, descriptor decoding, the linear map, the kernel image. */
#include "core/arch/arch.h"
#include "core/arch/arm64_paging.h"

#define CS_EM_AARCH64 183
#define A64_VA_BITS_MIN 48 /* where a 52-bit kernel keeps its image: the top of the 48-bit range */

/* Largest block (section) mapping of a granule: 4K: 1 GiB (and 2 MiB); 16K: 32 MiB; 64K: 512 MiB. */
static unsigned a64_max_block_shift(unsigned page_shift)
{
	return page_shift == 12 ? 30 : page_shift + (page_shift - 3);
}

static enum cs_pte_kind a64_decode(const struct cs_walker *w, unsigned level, uint64_t desc,
				   paddr_t *paddr)
{
	const struct cs_paging_form *f = w->form;
	unsigned page_shift = f->shift[f->levels - 1];
	bool last = level == f->levels - 1;

	if (!(desc & A64_DESC_VALID))
		return CS_PTE_NONE;
	/* Attribute bits (AF, contiguous, PXN/UXN, software bits) lie outside the address field. */
	*paddr = a64_desc_paddr(desc & ~w->pte_strip, page_shift);
	if (desc & A64_DESC_TABLE)
		return last ? CS_PTE_LEAF : CS_PTE_TABLE;
	/* 0b01: a block above the last level; at the last level it is reserved, a fault. */
	if (last)
		return CS_PTE_NONE;
	return f->shift[level] <= a64_max_block_shift(page_shift) ? CS_PTE_LEAF : CS_PTE_BAD;
}

/*
 * The kernel half (TTBR1) of a VA_BITS layout is [-(1 << VA_BITS), 2^64):
 * its addresses sign-extend bit VA_BITS, hence .va_bits = VA_BITS + 1.
 * Section sizes are the 5.x-6.x defaults: 128 MiB (4K, 16K), 512 MiB (64K).
 */
#define A64_KSPACE(vabits) .va_bits = (vabits) + 1, .kvaddr_min = ~((1ULL << (vabits)) - 1)
#define A64_4K .index_bits = 9, .section_size_bits = 27, .max_physmem_bits = 48, .decode = a64_decode
#define A64_16K .index_bits = 11, .section_size_bits = 27, .max_physmem_bits = 48, .decode = a64_decode
#define A64_64K .index_bits = 13, .section_size_bits = 29, .decode = a64_decode
#define A64_NAMES2 .level_name = {"PGD", "PTE"}
#define A64_NAMES3 .level_name = {"PGD", "PMD", "PTE"}
#define A64_NAMES4 .level_name = {"PGD", "PUD", "PMD", "PTE"}

static const struct cs_paging_form a64_forms[] = {
	{.levels = 3, .shift = {30, 21, 12}, A64_4K, A64_KSPACE(39), A64_NAMES3},
	{.levels = 4, .shift = {39, 30, 21, 12}, A64_4K, A64_KSPACE(48), A64_NAMES4},
	{.levels = 2, .shift = {25, 14}, A64_16K, A64_KSPACE(36), A64_NAMES2},
	{.levels = 3, .shift = {36, 25, 14}, A64_16K, A64_KSPACE(47), A64_NAMES3},
	{.levels = 4, .shift = {47, 36, 25, 14}, .top_index_bits = 1, A64_16K, A64_KSPACE(48), A64_NAMES4},
	{.levels = 2, .shift = {29, 16}, A64_64K, .max_physmem_bits = 48, A64_KSPACE(42), A64_NAMES2},
	{.levels = 3, .shift = {42, 29, 16}, .top_index_bits = 6, A64_64K, .max_physmem_bits = 48,
	 A64_KSPACE(48), A64_NAMES3},
	/* LVA: a 52-bit kernel also walks 48-bit addresses, which index the PGD's top 64 entries. */
	{.levels = 3, .shift = {42, 29, 16}, .top_index_bits = 10, A64_64K, .max_physmem_bits = 52,
	 A64_KSPACE(52), A64_NAMES3},
};

static const enum cs_km_id a64_required[] = {
	KM_PAGESIZE, KM_NUM_VA_BITS, KM_NUM_kimage_voffset, KM_NUM_PHYS_OFFSET, KM_SYM_swapper_pg_dir,
};

static cs_status a64_init(struct cs_arch *a, const struct cs_kmodel *km,
			  const struct cs_arch_hints *hints, struct cs_err *err)
{
	const struct cs_paging_form *form = NULL;
	unsigned page_shift, va_bits, vabits_actual;
	uint64_t page_mask, phys_offset, voffset;
	vaddr_t swapper, image;
	bool flipped, pa52;

	(void)hints; /* arm64 dumps' PT_LOADs add nothing VMCOREINFO does not say */
	for (size_t i = 0; i < CS_ARRAY_SIZE(a64_required); i++)
		if (!cs_km_has(km, a64_required[i]))
			return cs_err_set(err, CS_ERR_FORMAT,
					  "cannot translate arm64 kernel addresses: no %s in VMCOREINFO",
					  cs_km_key(a64_required[i]));
	page_shift = (unsigned)__builtin_ctzll(cs_km_get(km, KM_PAGESIZE));
	page_mask = (1ULL << page_shift) - 1;
	va_bits = cs_km_get(km, KM_NUM_VA_BITS) <= 64 ? (unsigned)cs_km_get(km, KM_NUM_VA_BITS) : 0;
	for (size_t i = 0; i < CS_ARRAY_SIZE(a64_forms); i++)
		if (a64_forms[i].shift[a64_forms[i].levels - 1] == page_shift &&
		    a64_forms[i].va_bits == va_bits + 1)
			form = &a64_forms[i];
	if (!form)
		return cs_err_set(err, CS_ERR_NOTSUP,
				  "arm64 paging with %u KiB pages and NUMBER(VA_BITS)=%" PRIu64 " is not supported",
				  1u << (page_shift - 10), cs_km_get(km, KM_NUM_VA_BITS));
	a->walk.form = form;

	/* A 52-bit kernel on a CPU without LVA runs with 48 bits: TCR_EL1.T1SZ says which (5.12+). */
	vabits_actual = va_bits;
	if (cs_km_has(km, KM_NUM_TCR_EL1_T1SZ)) {
		uint64_t t1sz = cs_km_get(km, KM_NUM_TCR_EL1_T1SZ);
		if (t1sz > 64 || 64 - t1sz > va_bits || 64 - t1sz < 36)
			return cs_err_set(err, CS_ERR_CORRUPT,
					  "NUMBER(TCR_EL1_T1SZ)=%" PRIu64 " does not fit NUMBER(VA_BITS)=%u", t1sz,
					  va_bits);
		vabits_actual = 64 - (unsigned)t1sz;
	}
	/* PA[51:48] in 64K descriptors only with 52-bit physical addresses; else those bits are RES0. */
	pa52 = cs_km_has(km, KM_NUM_MAX_PHYSMEM_BITS) ? cs_km_get(km, KM_NUM_MAX_PHYSMEM_BITS) == 52
						      : form->max_physmem_bits == 52;
	if (page_shift == A64_PAGE_SHIFT_64K && !pa52)
		a->walk.pte_strip = A64_OA_HI_FIELD;

	phys_offset = cs_km_get(km, KM_NUM_PHYS_OFFSET);
	voffset = cs_km_get(km, KM_NUM_kimage_voffset);
	swapper = cs_km_get(km, KM_SYM_swapper_pg_dir);
	if (phys_offset & page_mask)
		return cs_err_set(err, CS_ERR_CORRUPT, "NUMBER(PHYS_OFFSET)=0x%" PRIx64 " is not page aligned",
				  phys_offset);
	if (swapper < form->kvaddr_min || swapper < voffset || ((swapper - voffset) & page_mask))
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "page-table root SYMBOL(swapper_pg_dir)=0x%" PRIx64
				  " is not a kernel-image page (NUMBER(kimage_voffset)=0x%" PRIx64 ")",
				  swapper, voffset);
	/* The kernel image is mapped at vaddr = paddr + kimage_voffset (KASLR included). */
	a->walk.root = swapper - voffset;
	a->phys_base = phys_offset;

	/*
	 * The linear map: since the flipped layout (5.4) the lower half of the
	 * kernel range, PAGE_OFFSET = -(1 << vabits_actual); before, the upper
	 * half, PAGE_OFFSET = -(1 << (VA_BITS - 1)), with the kernel image in the
	 * lower half. TCR_EL1_T1SZ exists only in flipped kernels; else the image
	 * (_stext, or swapper_pg_dir inside it) tells which half it is in.
	 */
	image = cs_km_has(km, KM_SYM__stext) ? cs_km_get(km, KM_SYM__stext) : swapper;
	flipped = cs_km_has(km, KM_NUM_TCR_EL1_T1SZ) ||
		  image >= ~((1ULL << (CS_MIN(va_bits, A64_VA_BITS_MIN) - 1)) - 1);
	if (flipped) {
		a->lin_va = ~((1ULL << vabits_actual) - 1);
		a->lin_size = 1ULL << (vabits_actual - 1);
	} else {
		a->lin_va = ~((1ULL << (va_bits - 1)) - 1);
		a->lin_size = 1ULL << (va_bits - 1); /* up to the top of the address space */
	}
	a->lin_pa = phys_offset;
	return CS_OK;
}

static const enum cs_km_id a64_keys[] = {
	KM_PAGESIZE,          KM_NUM_VA_BITS,         KM_NUM_kimage_voffset, KM_NUM_PHYS_OFFSET,
	KM_SYM_swapper_pg_dir, KM_NUM_TCR_EL1_T1SZ,   KM_NUM_MAX_PHYSMEM_BITS, KM_SYM__stext,
	KM_NR_FIELDS,
};

static const char *const a64_aliases[] = {"aarch64", NULL};

const struct cs_arch_info cs_arch_arm64 = {
	.name = "arm64",
	.aliases = a64_aliases,
	.e_machine = CS_EM_AARCH64,
	.page_size_mask = (1u << 12) | (1u << 14) | (1u << 16),
	.keys = a64_keys,
	.init = a64_init,
};
