/* core/kernel.h: the crashed kernel as the engine sees it: its model and kernel-virtual reads. */
#ifndef CS_KERNEL_H
#define CS_KERNEL_H

#include "core/types.h"
#include "core/error.h"
#include "core/kmodel.h"
#include "core/arch/arch.h"

/*
 * What the kernel model needs from a dump (any format): facts from its
 * headers and a reader of its physical memory. All borrowed.
 */
struct cs_kernel_input {
	const char *path;             /* for messages */
	uint16_t e_machine;           /* ELF e_machine, 0 if the dump does not say */
	const char *machine;          /* kdump header utsname.machine, NULL or "" if none */
	uint32_t page_size;           /* the dump's page size, 0 if unknown */
	struct cs_arch_hints hints;   /* from ELF program headers */
	bool have_header_phys_base;   /* a kdump header's phys_base (makedumpfile's) */
	uint64_t header_phys_base;
	cs_read_paddr_fn read_paddr;
	void *read_ctx;
};

struct cs_kernel {
	struct cs_kmodel km;
	/* false: the dump has no VMCOREINFO and no -i/-x was given (only levels 0/1 possible). */
	bool have_model;
	/* false: no model, or no page-table root in it (kernel-virtual reads fail). */
	bool have_arch;
	const char *path; /* borrowed, for messages */
	cs_read_paddr_fn read_paddr;
	void *read_ctx;
	bool have_phys_base_hint; /* the ELF hint, for cs_kernel_phys_base without an arch */
	uint64_t phys_base_hint;
	struct cs_arch arch;
};

/*
 * Set up the crashed kernel of the dump `in` describes with the model km
 * (copied): the dump's VMCOREINFO note, or the model from -i / -x (the
 * caller chooses, formats/source.h cs_kernel_init_source). km NULL is the
 * "no kernel model" state (have_model false). Fails on an unsupported
 * architecture or an implausible page-table root.
 */
cs_status cs_kernel_init(struct cs_kernel *k, const struct cs_kernel_input *in,
			 const struct cs_kmodel *km, struct cs_err *err);
void cs_kernel_deinit(struct cs_kernel *k);

/* Read len bytes at kernel virtual address vaddr (one source read per mapping). */
cs_status cs_kernel_read(struct cs_kernel *k, vaddr_t vaddr, void *buf, size_t len,
			 struct cs_err *err);

/* Translate vaddr; *contig (may be NULL) receives the bytes to the end of its mapping. */
cs_status cs_kernel_vtop(struct cs_kernel *k, vaddr_t vaddr, paddr_t *paddr, uint64_t *contig,
			 struct cs_err *err);
/*
 * --vtop: translate vaddr by a full walk from the page-table root, reporting
 * every entry read to trace (the arch's traced walk, core/arch/arch.h).
 */
cs_status cs_kernel_vtop_traced(struct cs_kernel *k, vaddr_t vaddr, paddr_t *paddr,
				cs_vtop_trace_fn trace, void *trace_ctx, struct cs_err *err);

/*
 * The crashed kernel's utsname (sysname, nodename, release, version, machine,
 * domainname), each NUL-terminated: init_uts_ns + OFFSET(uts_namespace.name)
 * (+4 when the offset is not exported, as makedumpfile assumes), else
 * system_utsname.
 */
cs_status cs_kernel_utsname(struct cs_kernel *k, char uts[6][65], struct cs_err *err);

/* phys_base in use (NUMBER(phys_base), else the PT_LOAD hint, else 0). */
uint64_t cs_kernel_phys_base(const struct cs_kernel *k);

/* Read an unsigned long at vaddr (metadata helper). */
cs_status cs_kernel_read_ulong(struct cs_kernel *k, vaddr_t vaddr, uint64_t *out,
			       struct cs_err *err);

#endif
