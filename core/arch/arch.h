/* core/arch/arch.h: architecture backends (address translation) chosen at run time from the dump. */
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

/* What the dump's own headers say (ELF program headers), used when VMCOREINFO is silent. */
struct cs_arch_hints {
	bool have_phys_base;
	uint64_t phys_base;
	bool have_page_offset;
	uint64_t page_offset;
};

#define CS_ARCH_MAX_LEVELS 5
#define CS_ARCH_TABLE_ENTRIES 512

/* One cached page-table page per level: a sequential walk re-reads nothing. */
struct cs_pt_cache {
	bool valid;
	paddr_t table;
	uint64_t ent[CS_ARCH_TABLE_ENTRIES];
};

struct cs_arch_x86_64 {
	int levels;            /* 4 or 5 (NUMBER(pgtable_l5_enabled)) */
	paddr_t pgd_paddr;     /* physical address of init_top_pgt */
	uint64_t phys_base;
	uint64_t sme_mask;     /* AMD SME/SEV C-bit, stripped from every entry */
	uint64_t kernel_image_size;
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

struct cs_arch_ops;

/* Per-dump translation state. Caller-allocated; large (one page per level), keep off hot stacks. */
/* One page-table entry read by a traced walk: level name ("PGD"...), where it is, its value. */
typedef void (*cs_vtop_trace_fn)(void *ctx, const char *level, paddr_t entry_paddr, uint64_t entry);

struct cs_arch {
	const struct cs_arch_ops *ops;
	cs_read_paddr_fn read_paddr;
	void *read_ctx;
	/*
	 * --vtop: when trace is set, vtop walks the page tables from the root
	 * (no shortcut, no cache) and reports every entry it reads, as
	 * makedumpfile's translation printout does.
	 */
	cs_vtop_trace_fn trace;
	void *trace_ctx;
	union {
		struct cs_arch_x86_64 x86_64;
	} u;
};

struct cs_arch_ops {
	const char *name;
	uint16_t e_machine;
	/* The kernel page sizes the arch supports (bit n: 1 << n bytes); VMCOREINFO must say one. */
	uint32_t page_size_mask;
	/*
	 * Set up translation from the kernel model (and the dump's hints).
	 * read_paddr/read_ctx must be set in *a before the call.
	 */
	cs_status (*init)(struct cs_arch *a, const struct cs_kmodel *km,
			  const struct cs_arch_hints *hints, struct cs_err *err);
	/*
	 * Translate vaddr. On success *paddr is its physical address and
	 * *contig (>= 1) the number of bytes from vaddr to the end of the page
	 * or large mapping holding it (physically contiguous). Fails naming the
	 * vaddr for a non-present entry, a page-table loop or an unreadable table.
	 */
	cs_status (*vtop)(struct cs_arch *a, vaddr_t vaddr, paddr_t *paddr, uint64_t *contig,
			  struct cs_err *err);
	/* Forget cached page-table pages and mappings. */
	void (*cache_reset)(struct cs_arch *a);
	uint64_t (*phys_base)(const struct cs_arch *a);
	/* True if vaddr is a kernel (upper-half, canonical) address for this arch. */
	bool (*is_kvaddr)(const struct cs_arch *a, vaddr_t vaddr);
};

extern const struct cs_arch_ops cs_arch_x86_64_ops;

/* The backend for an ELF e_machine (EM_X86_64 = 62 ...), or NULL if unsupported. */
static inline const struct cs_arch_ops *cs_arch_find(uint16_t e_machine)
{
	static const struct cs_arch_ops *const table[] = {&cs_arch_x86_64_ops};

	for (size_t i = 0; i < CS_ARRAY_SIZE(table); i++)
		if (table[i]->e_machine == e_machine)
			return table[i];
	return NULL;
}

#endif
