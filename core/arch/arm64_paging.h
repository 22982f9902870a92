/* core/arch/arm64_paging.h: arm64 translation-table descriptor encoding, shared by the walker and its tests. */
#ifndef CS_ARM64_PAGING_H
#define CS_ARM64_PAGING_H

#include "core/types.h"

/* Descriptor bits [1:0]: 0b11 table (above the last level) or page (last level), 0b01 block. */
#define A64_DESC_VALID 0x1ULL
#define A64_DESC_TABLE 0x2ULL
#define A64_DESC_TYPE_MASK 0x3ULL
#define A64_DESC_BLOCK A64_DESC_VALID
#define A64_DESC_PAGE (A64_DESC_VALID | A64_DESC_TABLE)
#define A64_DESC_AF (1ULL << 10)
#define A64_DESC_CONT (1ULL << 52) /* a TLB hint over 16 entries: translation is unchanged */
#define A64_DESC_PXN (1ULL << 53)
#define A64_DESC_UXN (1ULL << 54)
/* Output address bits [47:page shift]. */
#define A64_OA_MASK 0x0000ffffffffffffULL
/* 64 KiB granule with 52-bit PA: PA[51:48] sit in descriptor bits [15:12]. */
#define A64_OA_HI_FIELD (0xfULL << 12)
#define A64_OA_HI_DESC_SHIFT 12
#define A64_OA_HI_PA_SHIFT 48
#define A64_PAGE_SHIFT_64K 16

/* Physical address a descriptor holds, for the granule of 1 << page_shift bytes. */
static inline paddr_t a64_desc_paddr(uint64_t desc, unsigned page_shift)
{
	paddr_t pa = desc & A64_OA_MASK & ~((1ULL << page_shift) - 1);

	if (page_shift == A64_PAGE_SHIFT_64K)
		pa |= ((desc & A64_OA_HI_FIELD) >> A64_OA_HI_DESC_SHIFT) << A64_OA_HI_PA_SHIFT;
	return pa;
}

#endif
