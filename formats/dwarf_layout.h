/* formats/dwarf_layout.h: the kernel model taken from a vmlinux (formats/vmlinux.h reads it): -x, -g. */
#ifndef CS_DWARF_LAYOUT_H
#define CS_DWARF_LAYOUT_H

#include "core/kmodel.h"

/*
 * Fill *km (caller-initialised, normally zeroed) from `vmlinux`:
 *   SYMBOL()  ELF .symtab values, unrelocated (the caller adds KERNELOFFSET);
 *             a symbol whose value is 0 counts as absent, as in makedumpfile.
 *   SIZE()    DW_AT_byte_size of the struct (a typedef of a struct also
 *             answers, e.g. atomic_long_t, nodemask_t); SIZE(pageflags) is the
 *             size of enum pageflags.
 *   OFFSET()  member offsets, searched depth-first through members whose type
 *             is a struct or union (anonymous unions in struct page), exactly
 *             as makedumpfile's search_member().
 *   LENGTH()  array lengths of members (zone.free_area) and of variables
 *             (node_data; mem_section only when it is an array, i.e. before
 *             4.15's pointer form).
 *   NUMBER()  enumerators: PG_* only from enum pageflags (PG_head_mask =
 *             1 << PG_head, or PG_compound on old kernels), NR_FREE_PAGES,
 *             N_ONLINE, HUGETLB_PAGE_DTOR, pgtable_l5_enabled from any enum.
 *             #define'd values (PAGE_BUDDY_MAPCOUNT_VALUE, SECTION_SIZE_BITS,
 *             ...) are not in DWARF and stay absent.
 *   OSRELEASE from init_uts_ns (+ OFFSET(uts_namespace.name), else +4) or
 *             system_utsname in the file's data, else linux_banner; "" if none.
 *   PAGESIZE  the arch's only page size (core/arch/), else this machine's.
 * SYMBOL(mem_section) is the pointer variable on SPARSEMEM_EXTREME kernels
 * since 4.15 (VMCOREINFO exports the array it points to); the engine
 * dereferences it when the value is not itself the root array. Existing
 * fields of *km are overwritten only by values found. Without libdw
 * (HAVE_LIBDW unset) this fails with CS_ERR_NOTSUP.
 */
cs_status cs_dwarf_load(const char *vmlinux, struct cs_kmodel *km, struct cs_err *err);

/*
 * Fill every field absent from dst with src's value (OSRELEASE too). Values
 * already in dst are kept: makedumpfile's READ_* macros only assign what is
 * still "not found" after -x (docs/filtering.md).
 */
void cs_kmodel_merge_missing(struct cs_kmodel *dst, const struct cs_kmodel *src);

/*
 * -x for a dump: cs_dwarf_load(vmlinux), then every SYMBOL() relocated by the
 * dump's KERNELOFFSET (dump_km may be NULL: a dump without VMCOREINFO),
 * KERNELOFFSET set from the dump, and the keys DWARF lacks filled from
 * dump_km. Fails if the vmlinux's PAGESIZE differs from dump_page_size (0:
 * not checked). *out is written only on success.
 */
cs_status cs_dwarf_model_for_dump(const char *vmlinux, const struct cs_kmodel *dump_km,
				  uint32_t dump_page_size, struct cs_kmodel *out, struct cs_err *err);

/*
 * -g: the VMCOREINFO text of `vmlinux`'s model, as makedumpfile 1.7.2 writes
 * it (cs_vmcoreinfo_format, formats/vmcoreinfo.h, with SRCFILE(pud_t)).
 * Fails, as makedumpfile does, without init_uts_ns/system_utsname or without
 * a memory model (SIZE(page), OFFSET(page.flags/_refcount/mapping), and
 * SYMBOL(mem_section)+SIZE(mem_section)+OFFSET(mem_section.section_mem_map)
 * or SYMBOL(mem_map) or node_data/pgdat_list). *text is malloc'ed,
 * NUL-terminated.
 */
cs_status cs_dwarf_vmcoreinfo_text(const char *vmlinux, char **text, size_t *len,
				   struct cs_err *err);

#endif
