/* core/kernel.c: kernel model set-up and kernel-virtual reads through the arch translator. */
#include "core/kernel.h"

#include <string.h>

#define UTS_FIELD_LEN 65

/*
 * A dump of a machine we have no backend for, named: before anything asks
 * for VMCOREINFO or -x/-i (the layout is there; the arch support is not).
 */
static cs_status unknown_arch(const struct cs_kernel_input *in, struct cs_err *err)
{
	if (in->machine && in->machine[0])
		return cs_err_set(err, CS_ERR_NOTSUP, "arch %.64s (kdump header utsname.machine) is not supported",
				  in->machine);
	return cs_err_set(err, CS_ERR_NOTSUP, "arch %s (ELF e_machine %u) is not supported",
			  cs_arch_machine_name(in->e_machine), (unsigned)in->e_machine);
}

cs_status cs_kernel_init(struct cs_kernel *k, const struct cs_kernel_input *in,
			 const struct cs_kmodel *km, struct cs_err *err)
{
	const struct cs_arch_info *info;
	struct cs_arch_hints hints = in->hints;

	memset(k, 0, sizeof(*k));
	k->path = in->path;
	k->read_paddr = in->read_paddr;
	k->read_ctx = in->read_ctx;
	k->have_phys_base_hint = in->hints.have_phys_base;
	k->phys_base_hint = in->hints.phys_base;
	/* kdump inputs derive e_machine from utsname; 0 means "not said": the default arch. */
	info = in->e_machine ? cs_arch_find(in->e_machine) : cs_arch_default();
	if (!info || (!in->e_machine && in->machine && in->machine[0] &&
		      cs_arch_find_name(in->machine, CS_ARCH_MACHINE_LEN) != info))
		return unknown_arch(in, err);
	if (!km)
		return CS_OK;
	k->km = *km;
	k->have_model = true;

	/*
	 * The page size decides the pfn map and the output's block size: one the
	 * arch cannot have (PAGESIZE=8192 where it has 4 KiB pages only) cannot be, so it is refused
	 * before anything is decided on it (makedumpfile 1.7.9 fails too, exit 1).
	 */
	if (cs_km_has(&k->km, KM_PAGESIZE) && !(cs_km_get(&k->km, KM_PAGESIZE) & info->page_size_mask))
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "VMCOREINFO PAGESIZE=%" PRIu64 " is not a page size of %s",
				  cs_km_get(&k->km, KM_PAGESIZE), info->name);
	if (cs_km_has(&k->km, KM_PAGESIZE) && in->page_size &&
	    cs_km_get(&k->km, KM_PAGESIZE) != in->page_size)
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "VMCOREINFO PAGESIZE=%" PRIu64 " differs from the dump's page size %u",
				  cs_km_get(&k->km, KM_PAGESIZE), in->page_size);

	if (!hints.have_phys_base && in->have_header_phys_base) {
		/* A kdump input records the phys_base makedumpfile used. */
		hints.have_phys_base = true;
		hints.phys_base = in->header_phys_base;
	}
	k->arch.read_paddr = in->read_paddr;
	k->arch.read_ctx = in->read_ctx;
	/* The caller names the dump (engine/job.c adds the path once). */
	if (cs_arch_init(&k->arch, info, &k->km, &hints, err) != CS_OK)
		return err->status;
	k->have_arch = true;
	return CS_OK;
}

void cs_kernel_deinit(struct cs_kernel *k)
{
	memset(k, 0, sizeof(*k));
}

cs_status cs_kernel_vtop(struct cs_kernel *k, vaddr_t vaddr, paddr_t *paddr, uint64_t *contig,
			 struct cs_err *err)
{
	uint64_t c;

	if (!k->have_arch)
		return cs_err_set(err, CS_ERR_NOTSUP,
				  "vaddr 0x%" PRIx64 ": no kernel model to translate it (no VMCOREINFO)",
				  vaddr);
	if (cs_arch_vtop(&k->arch, vaddr, paddr, &c, err) != CS_OK)
		return err->status;
	if (contig)
		*contig = c;
	return CS_OK;
}

cs_status cs_kernel_vtop_traced(struct cs_kernel *k, vaddr_t vaddr, paddr_t *paddr,
				cs_vtop_trace_fn trace, void *trace_ctx, struct cs_err *err)
{
	cs_status st;

	k->arch.trace = trace;
	k->arch.trace_ctx = trace_ctx;
	st = cs_kernel_vtop(k, vaddr, paddr, NULL, err);
	k->arch.trace = NULL;
	k->arch.trace_ctx = NULL;
	return st;
}

cs_status cs_kernel_read(struct cs_kernel *k, vaddr_t vaddr, void *buf, size_t len,
			 struct cs_err *err)
{
	uint8_t *out = buf;

	while (len) {
		paddr_t paddr = 0;
		uint64_t contig = 0;
		size_t n;

		if (cs_kernel_vtop(k, vaddr, &paddr, &contig, err) != CS_OK)
			return err->status;
		n = contig < len ? (size_t)contig : len;
		if (k->read_paddr(k->read_ctx, paddr, out, n, err) != CS_OK)
			return cs_err_ctx(err, "vaddr 0x%" PRIx64 " (paddr 0x%" PRIx64 ")", vaddr, paddr);
		out += n;
		vaddr += n;
		len -= n;
	}
	return CS_OK;
}

cs_status cs_kernel_read_ulong(struct cs_kernel *k, vaddr_t vaddr, uint64_t *out,
			       struct cs_err *err)
{
	uint64_t v;

	if (cs_kernel_read(k, vaddr, &v, sizeof(v), err) != CS_OK)
		return err->status;
	*out = v;
	return CS_OK;
}

cs_status cs_kernel_utsname(struct cs_kernel *k, char uts[6][65], struct cs_err *err)
{
	char tmp[6][UTS_FIELD_LEN];
	vaddr_t vaddr;

	if (!k->have_model)
		return cs_err_set(err, CS_ERR_NODATA, "no VMCOREINFO: the kernel's utsname is unknown");
	if (cs_km_has(&k->km, KM_SYM_init_uts_ns)) {
		/* makedumpfile assumes name at +4 (after struct kref) when the offset is not exported. */
		uint64_t off = cs_km_has(&k->km, KM_OFF_uts_namespace_name)
				       ? cs_km_get(&k->km, KM_OFF_uts_namespace_name)
				       : 4;
		vaddr = cs_km_get(&k->km, KM_SYM_init_uts_ns) + off;
	} else if (cs_km_has(&k->km, KM_SYM_system_utsname)) {
		vaddr = cs_km_get(&k->km, KM_SYM_system_utsname);
	} else {
		return cs_err_set(err, CS_ERR_FORMAT,
				  "VMCOREINFO has neither SYMBOL(init_uts_ns) nor SYMBOL(system_utsname)");
	}
	if (cs_kernel_read(k, vaddr, tmp, sizeof(tmp), err) != CS_OK)
		return cs_err_ctx(err, "cannot read the kernel's utsname");
	for (int i = 0; i < 6; i++) {
		tmp[i][UTS_FIELD_LEN - 1] = '\0';
		memcpy(uts[i], tmp[i], UTS_FIELD_LEN);
	}
	return CS_OK;
}

uint64_t cs_kernel_phys_base(const struct cs_kernel *k)
{
	if (k->have_arch)
		return k->arch.phys_base;
	if (k->have_phys_base_hint)
		return k->phys_base_hint;
	return 0;
}
