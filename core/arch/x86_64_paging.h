/* core/arch/x86_64_paging.h: x86_64 page-table entry encoding, shared by the walker and mkvmcore. */
#ifndef CS_X86_64_PAGING_H
#define CS_X86_64_PAGING_H

#include "core/types.h"

#define X86_START_KERNEL_MAP 0xffffffff80000000ULL
#define X86_PTE_PRESENT 0x001ULL
#define X86_PTE_RW 0x002ULL
#define X86_PTE_ACCESSED 0x020ULL
#define X86_PTE_DIRTY 0x040ULL
#define X86_PTE_PSE 0x080ULL   /* 1 GiB page at PUD level, 2 MiB at PMD level */
#define X86_PTE_GLOBAL 0x100ULL
#define X86_PTE_NX (1ULL << 63)
/* Physical address bits 12..51; drops NX (63) and software bits 52..62. */
#define X86_PTE_PFN_MASK 0x000ffffffffff000ULL

#define X86_PTRS_PER_TABLE 512
#define X86_PAGE_SHIFT 12
#define X86_PMD_SHIFT 21
#define X86_PUD_SHIFT 30
#define X86_P4D_SHIFT 39 /* PGD in 4-level */
#define X86_PGD5_SHIFT 48

/* Index of vaddr in the table of the level whose entries map 1 << shift bytes. */
static inline unsigned x86_pt_index(vaddr_t vaddr, unsigned shift)
{
	return (unsigned)((vaddr >> shift) & (X86_PTRS_PER_TABLE - 1));
}

/* An entry pointing at a next-level table or page at paddr. */
static inline uint64_t x86_pte_make(paddr_t paddr, uint64_t flags)
{
	return (paddr & X86_PTE_PFN_MASK) | flags;
}

/* Physical address held by an entry, after removing the SME C-bit. */
static inline paddr_t x86_pte_paddr(uint64_t pte, uint64_t sme_mask)
{
	return pte & X86_PTE_PFN_MASK & ~sme_mask;
}

#endif
