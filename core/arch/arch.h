/* core/arch/arch.h: architectures as data (one row each) and address translation by one generic walker. */
#ifndef CS_ARCH_H
#define CS_ARCH_H

#include "core/types.h"
#include "core/error.h"
#include "core/kmodel.h"

/*
 * Physical memory reader the walker uses for page-table pages. It must fail
 * (CS_ERR_NODATA or CS_ERR_IO) rather than return made-up bytes for an address
 * the dump does not hold.
 */
typedef cs_status (*cs_read_paddr_fn)(void *ctx, paddr_t paddr, void *buf, size_t len,
				      struct cs_err *err);

/* One page-table entry read by a traced walk: level name ("PGD"...), where it is, its value. */
typedef void (*cs_vtop_trace_fn)(void *ctx, const char *level, paddr_t entry_paddr, uint64_t entry);

/* What the dump's own headers say (ELF program headers), used when VMCOREINFO is silent. */
struct cs_arch_hints {
	bool have_phys_base;
	uint64_t phys_base;
	bool have_page_offset;
	uint64_t page_offset;
};

#define CS_ARCH_MAX_LEVELS 5
/* Entries one cache slot holds: a whole 4 KiB table, or a 4 KiB slice of a larger one (16/64 KiB granules). */
#define CS_ARCH_TABLE_ENTRIES 512
#define CS_ARCH_MACHINE_LEN 65 /* bytes of a utsname.machine field */

/* What one page-table entry says, as the arch's PTE decoder reads it. */
enum cs_pte_kind {
	CS_PTE_NONE,  /* not present: the address is not mapped */
	CS_PTE_TABLE, /* *paddr is the next-level table */
	CS_PTE_LEAF,  /* *paddr is the page (or large page) base */
	CS_PTE_BAD,   /* a leaf where this level cannot have one */
};

struct cs_walker;

/*
 * A paging mode described as data (as libkdumpfile's addrxlat paging_form):
 * the walker needs nothing else but the arch's PTE decoder.
 */
struct cs_paging_form {
	unsigned levels;
	/* log2 of the bytes one entry maps, top level first (the last is the page shift). */
	unsigned shift[CS_ARCH_MAX_LEVELS];
	unsigned index_bits;        /* bits of the vaddr per level (table of 1 << index_bits entries) */
	unsigned top_index_bits;    /* bits the top level indexes when fewer (arm64 16K/48: 1); 0: index_bits */
	unsigned va_bits;           /* canonical addresses sign-extend bit va_bits - 1 */
	vaddr_t kvaddr_min;         /* lowest kernel (upper-half) address */
	unsigned max_physmem_bits;  /* MAX_PHYSMEM_BITS when VMCOREINFO does not say */
	unsigned section_size_bits; /* SECTION_SIZE_BITS when VMCOREINFO does not say */
	const char *level_name[CS_ARCH_MAX_LEVELS]; /* "PGD"...: messages and --vtop */
	/*
	 * Decode entry pte of the given level (0 = top): a table, a leaf (at
	 * the last level or a large page), not present, or a leaf where none
	 * may be. *paddr is the address the entry holds.
	 */
	enum cs_pte_kind (*decode)(const struct cs_walker *w, unsigned level, uint64_t pte,
				   paddr_t *paddr);
};

/* One cached page-table page (or 4 KiB slice of one) per level: a sequential walk re-reads nothing. */
struct cs_pt_cache {
	bool valid;
	paddr_t table;
	unsigned first; /* index of ent[0] in the table */
	uint64_t ent[CS_ARCH_TABLE_ENTRIES];
};

/* The generic walker's state (core/arch/walk.c): form, root, caches, counters. */
struct cs_walker {
	const struct cs_paging_form *form;
	paddr_t root;           /* physical address of the top-level table */
	uint64_t pte_strip;     /* bits cleared from every entry's address (SME C-bit, RES0 address bits) */
	cs_read_paddr_fn read_paddr;
	void *read_ctx;
	/* Last leaf mapping: [leaf_va, leaf_va + leaf_size) -> leaf_pa. */
	bool leaf_valid;
	vaddr_t leaf_va;
	uint64_t leaf_size;
	paddr_t leaf_pa;
	struct cs_pt_cache tc[CS_ARCH_MAX_LEVELS]; /* index 0 = top level */
	/* Counters (tests and --verbose): full walks and table-page reads. */
	uint64_t nr_walks;
	uint64_t nr_table_reads;
};

struct cs_arch_info;

/* Per-dump translation state. Caller-allocated; large (one page per level), keep off hot stacks. */
struct cs_arch {
	const struct cs_arch_info *info;
	cs_read_paddr_fn read_paddr;
	void *read_ctx;
	/*
	 * --vtop: when trace is set, vtop walks the page tables from the root
	 * (no shortcut, no cache) and reports every entry it reads, as
	 * makedumpfile's translation printout does.
	 */
	cs_vtop_trace_fn trace;
	void *trace_ctx;
	uint64_t phys_base;
	/* A linear window translated without a walk: [lin_va, lin_va + lin_size) -> lin_pa. */
	vaddr_t lin_va;
	uint64_t lin_size;
	paddr_t lin_pa;
	struct cs_walker walk;
};

/*
 * One architecture: its facts as data plus the set-up that reads its
 * VMCOREINFO keys into the walker. A new arch is one more row (a file under
 * core/arch/ and a line in core/arch/arch.c), nothing outside this folder.
 */
struct cs_arch_info {
	const char *name;             /* kdump header utsname.machine and messages */
	const char *const *aliases;   /* other utsname.machine spellings, NULL-terminated (may be NULL) */
	uint16_t e_machine;           /* ELF EM_* */
	/* The kernel page sizes the arch supports (bit n: 1 << n bytes); VMCOREINFO must say one. */
	uint32_t page_size_mask;
	vaddr_t kernel_map_base;      /* PT_LOADs at or above it map the kernel image (phys_base hint) */
	vaddr_t direct_map_min;       /* PT_LOADs at or above it (and below the above) map the direct map */
	const enum cs_km_id *keys;    /* the VMCOREINFO keys init reads, ending with KM_NR_FIELDS */
	/*
	 * Choose the paging form and root, phys_base, the linear window, from the
	 * kernel model (and the dump's hints). read_paddr/read_ctx are set in *a.
	 */
	cs_status (*init)(struct cs_arch *a, const struct cs_kmodel *km,
			  const struct cs_arch_hints *hints, struct cs_err *err);
};

extern const struct cs_arch_info cs_arch_x86_64;
extern const struct cs_arch_info cs_arch_arm64;

/* The row for an ELF e_machine, or NULL if unsupported. */
const struct cs_arch_info *cs_arch_find(uint16_t e_machine);
/* The row whose name or alias is utsname.machine m (at most len bytes), or NULL. */
const struct cs_arch_info *cs_arch_find_name(const char *m, size_t len);
/* The arch assumed when a dump does not say (a kdump header without utsname.machine). */
const struct cs_arch_info *cs_arch_default(void);
/* The arch's smallest page size: what a dump is read with until it says its own. */
static inline uint32_t cs_arch_min_page_size(const struct cs_arch_info *info)
{
	return info->page_size_mask & (~info->page_size_mask + 1);
}
/* ELF e_machine of any known machine name (supported or not), 0 (EM_NONE) if unknown. */
uint16_t cs_arch_machine_of(const char *m, size_t len);
/* A name for any ELF e_machine (supported or not), "unknown" if unknown. */
const char *cs_arch_machine_name(uint16_t e_machine);

/*
 * Set a up for info: a->read_paddr/read_ctx must be set before. Fails on a
 * model the arch cannot translate with (no page-table root, implausible values).
 */
cs_status cs_arch_init(struct cs_arch *a, const struct cs_arch_info *info, const struct cs_kmodel *km,
		       const struct cs_arch_hints *hints, struct cs_err *err);
/*
 * Translate vaddr. On success *paddr is its physical address and *contig
 * (>= 1) the number of bytes from vaddr to the end of the page or large
 * mapping holding it (physically contiguous). Fails naming the vaddr for a
 * non-present entry, a page-table loop or an unreadable table.
 */
cs_status cs_arch_vtop(struct cs_arch *a, vaddr_t vaddr, paddr_t *paddr, uint64_t *contig,
		       struct cs_err *err);
/* Forget cached page-table pages and mappings. */
void cs_arch_cache_reset(struct cs_arch *a);
/* True if vaddr is a kernel (upper-half, canonical) address for the paging form in use. */
bool cs_arch_is_kvaddr(const struct cs_arch *a, vaddr_t vaddr);

/* vaddr in canonical form for form (sign-extended from bit va_bits - 1). */
static inline vaddr_t cs_walk_canonical(const struct cs_paging_form *form, vaddr_t vaddr)
{
	unsigned top = form->va_bits - 1;

	if (vaddr & (1ULL << top))
		return vaddr | ~((1ULL << (top + 1)) - 1);
	return vaddr & ((1ULL << (top + 1)) - 1);
}

/* Walk the tables from the root (core/arch/walk.c), filling the caches. */
cs_status cs_walk(struct cs_walker *w, vaddr_t vaddr, paddr_t *paddr, uint64_t *contig,
		  cs_vtop_trace_fn trace, void *trace_ctx, struct cs_err *err);
void cs_walk_reset(struct cs_walker *w);

#endif
