/* core/kmodel.h: the typed kernel model (VMCOREINFO facts with a presence bit each). */
#ifndef CS_KMODEL_H
#define CS_KMODEL_H

#include "core/types.h"
#include "core/error.h"

/*
 * Every fact the engine may use about the crashed kernel, named as in
 * VMCOREINFO. Filled once from the VMCOREINFO note, a `-i` file or a vmlinux's
 * DWARF (`-x`); nothing reads raw key strings after that. A feature is used
 * only when the keys it needs are present (kernel generations are recognised by
 * which keys exist, never by the release number).
 *
 * X(id, "KEY as in VMCOREINFO", kind) with kind:
 *   KM_SYM  hex address (SYMBOL)       KM_DEC  decimal, hex fallback, unsigned
 *   KM_NUM  signed decimal (NUMBER)    KM_HEX  hex without 0x (KERNELOFFSET)
 */
#define CS_KM_FIELDS(X) \
	X(PAGESIZE, "PAGESIZE", KM_DEC) \
	X(CRASHTIME, "CRASHTIME", KM_DEC) \
	X(KERNELOFFSET, "KERNELOFFSET", KM_HEX) \
	X(SYM_init_uts_ns, "SYMBOL(init_uts_ns)", KM_SYM) \
	X(SYM_system_utsname, "SYMBOL(system_utsname)", KM_SYM) \
	X(SYM_node_online_map, "SYMBOL(node_online_map)", KM_SYM) \
	X(SYM_swapper_pg_dir, "SYMBOL(swapper_pg_dir)", KM_SYM) \
	X(SYM__stext, "SYMBOL(_stext)", KM_SYM) \
	X(SYM_vmap_area_list, "SYMBOL(vmap_area_list)", KM_SYM) \
	X(SYM_mem_map, "SYMBOL(mem_map)", KM_SYM) \
	X(SYM_contig_page_data, "SYMBOL(contig_page_data)", KM_SYM) \
	X(SYM_mem_section, "SYMBOL(mem_section)", KM_SYM) \
	X(SYM_init_top_pgt, "SYMBOL(init_top_pgt)", KM_SYM) \
	X(SYM_init_level4_pgt, "SYMBOL(init_level4_pgt)", KM_SYM) \
	X(SYM_node_data, "SYMBOL(node_data)", KM_SYM) \
	X(SYM_prb, "SYMBOL(prb)", KM_SYM) \
	X(SYM_printk_rb_static, "SYMBOL(printk_rb_static)", KM_SYM) \
	X(SYM_clear_seq, "SYMBOL(clear_seq)", KM_SYM) \
	X(SYM_log_buf, "SYMBOL(log_buf)", KM_SYM) \
	X(SYM_log_buf_len, "SYMBOL(log_buf_len)", KM_SYM) \
	X(SYM_log_end, "SYMBOL(log_end)", KM_SYM) \
	X(SYM_log_first_idx, "SYMBOL(log_first_idx)", KM_SYM) \
	X(SYM_clear_idx, "SYMBOL(clear_idx)", KM_SYM) \
	X(SYM_log_next_idx, "SYMBOL(log_next_idx)", KM_SYM) \
	X(LEN_mem_section, "LENGTH(mem_section)", KM_DEC) \
	X(LEN_node_data, "LENGTH(node_data)", KM_DEC) \
	X(LEN_zone_free_area, "LENGTH(zone.free_area)", KM_DEC) \
	X(LEN_free_area_free_list, "LENGTH(free_area.free_list)", KM_DEC) \
	X(SIZE_page, "SIZE(page)", KM_DEC) \
	X(SIZE_mem_section, "SIZE(mem_section)", KM_DEC) \
	X(SIZE_pglist_data, "SIZE(pglist_data)", KM_DEC) \
	X(SIZE_zone, "SIZE(zone)", KM_DEC) \
	X(SIZE_free_area, "SIZE(free_area)", KM_DEC) \
	X(SIZE_list_head, "SIZE(list_head)", KM_DEC) \
	X(SIZE_nodemask_t, "SIZE(nodemask_t)", KM_DEC) \
	X(SIZE_pageflags, "SIZE(pageflags)", KM_DEC) \
	X(SIZE_printk_log, "SIZE(printk_log)", KM_DEC) \
	X(SIZE_printk_ringbuffer, "SIZE(printk_ringbuffer)", KM_DEC) \
	X(SIZE_prb_desc, "SIZE(prb_desc)", KM_DEC) \
	X(SIZE_printk_info, "SIZE(printk_info)", KM_DEC) \
	X(SIZE_latched_seq, "SIZE(latched_seq)", KM_DEC) \
	X(OFF_page_flags, "OFFSET(page.flags)", KM_DEC) \
	X(OFF_page__refcount, "OFFSET(page._refcount)", KM_DEC) \
	X(OFF_page__count, "OFFSET(page._count)", KM_DEC) \
	X(OFF_page_mapping, "OFFSET(page.mapping)", KM_DEC) \
	X(OFF_page_lru, "OFFSET(page.lru)", KM_DEC) \
	X(OFF_page__mapcount, "OFFSET(page._mapcount)", KM_DEC) \
	X(OFF_page_private, "OFFSET(page.private)", KM_DEC) \
	X(OFF_page_compound_dtor, "OFFSET(page.compound_dtor)", KM_DEC) \
	X(OFF_page_compound_order, "OFFSET(page.compound_order)", KM_DEC) \
	X(OFF_page_compound_head, "OFFSET(page.compound_head)", KM_DEC) \
	X(OFF_page_compound_info, "OFFSET(page.compound_info)", KM_DEC) \
	X(OFF_folio__folio_dtor, "OFFSET(folio._folio_dtor)", KM_DEC) \
	X(OFF_folio__folio_order, "OFFSET(folio._folio_order)", KM_DEC) \
	X(OFF_mem_section_section_mem_map, "OFFSET(mem_section.section_mem_map)", KM_DEC) \
	X(OFF_pglist_data_node_zones, "OFFSET(pglist_data.node_zones)", KM_DEC) \
	X(OFF_pglist_data_nr_zones, "OFFSET(pglist_data.nr_zones)", KM_DEC) \
	X(OFF_pglist_data_node_start_pfn, "OFFSET(pglist_data.node_start_pfn)", KM_DEC) \
	X(OFF_pglist_data_node_spanned_pages, "OFFSET(pglist_data.node_spanned_pages)", KM_DEC) \
	X(OFF_pglist_data_node_mem_map, "OFFSET(pglist_data.node_mem_map)", KM_DEC) \
	X(OFF_zone_free_area, "OFFSET(zone.free_area)", KM_DEC) \
	X(OFF_zone_vm_stat, "OFFSET(zone.vm_stat)", KM_DEC) \
	X(OFF_zone_spanned_pages, "OFFSET(zone.spanned_pages)", KM_DEC) \
	X(OFF_free_area_free_list, "OFFSET(free_area.free_list)", KM_DEC) \
	X(OFF_list_head_next, "OFFSET(list_head.next)", KM_DEC) \
	X(OFF_list_head_prev, "OFFSET(list_head.prev)", KM_DEC) \
	X(OFF_vmap_area_va_start, "OFFSET(vmap_area.va_start)", KM_DEC) \
	X(OFF_vmap_area_list, "OFFSET(vmap_area.list)", KM_DEC) \
	X(OFF_uts_namespace_name, "OFFSET(uts_namespace.name)", KM_DEC) \
	X(OFF_printk_log_ts_nsec, "OFFSET(printk_log.ts_nsec)", KM_DEC) \
	X(OFF_printk_log_len, "OFFSET(printk_log.len)", KM_DEC) \
	X(OFF_printk_log_text_len, "OFFSET(printk_log.text_len)", KM_DEC) \
	X(OFF_printk_log_caller_id, "OFFSET(printk_log.caller_id)", KM_DEC) \
	X(OFF_printk_ringbuffer_desc_ring, "OFFSET(printk_ringbuffer.desc_ring)", KM_DEC) \
	X(OFF_printk_ringbuffer_text_data_ring, "OFFSET(printk_ringbuffer.text_data_ring)", KM_DEC) \
	X(OFF_printk_ringbuffer_fail, "OFFSET(printk_ringbuffer.fail)", KM_DEC) \
	X(OFF_prb_desc_ring_count_bits, "OFFSET(prb_desc_ring.count_bits)", KM_DEC) \
	X(OFF_prb_desc_ring_descs, "OFFSET(prb_desc_ring.descs)", KM_DEC) \
	X(OFF_prb_desc_ring_infos, "OFFSET(prb_desc_ring.infos)", KM_DEC) \
	X(OFF_prb_desc_ring_head_id, "OFFSET(prb_desc_ring.head_id)", KM_DEC) \
	X(OFF_prb_desc_ring_tail_id, "OFFSET(prb_desc_ring.tail_id)", KM_DEC) \
	X(OFF_prb_desc_state_var, "OFFSET(prb_desc.state_var)", KM_DEC) \
	X(OFF_prb_desc_text_blk_lpos, "OFFSET(prb_desc.text_blk_lpos)", KM_DEC) \
	X(OFF_prb_data_blk_lpos_begin, "OFFSET(prb_data_blk_lpos.begin)", KM_DEC) \
	X(OFF_prb_data_blk_lpos_next, "OFFSET(prb_data_blk_lpos.next)", KM_DEC) \
	X(OFF_prb_data_ring_size_bits, "OFFSET(prb_data_ring.size_bits)", KM_DEC) \
	X(OFF_prb_data_ring_data, "OFFSET(prb_data_ring.data)", KM_DEC) \
	X(OFF_printk_info_seq, "OFFSET(printk_info.seq)", KM_DEC) \
	X(OFF_printk_info_ts_nsec, "OFFSET(printk_info.ts_nsec)", KM_DEC) \
	X(OFF_printk_info_text_len, "OFFSET(printk_info.text_len)", KM_DEC) \
	X(OFF_printk_info_caller_id, "OFFSET(printk_info.caller_id)", KM_DEC) \
	X(OFF_printk_info_dev_info, "OFFSET(printk_info.dev_info)", KM_DEC) \
	X(OFF_dev_printk_info_subsystem, "OFFSET(dev_printk_info.subsystem)", KM_DEC) \
	X(OFF_dev_printk_info_device, "OFFSET(dev_printk_info.device)", KM_DEC) \
	X(SIZE_dev_printk_info, "SIZE(dev_printk_info)", KM_DEC) \
	X(OFF_atomic_long_t_counter, "OFFSET(atomic_long_t.counter)", KM_DEC) \
	X(OFF_latched_seq_val, "OFFSET(latched_seq.val)", KM_DEC) \
	X(NUM_NR_FREE_PAGES, "NUMBER(NR_FREE_PAGES)", KM_NUM) \
	X(NUM_PG_lru, "NUMBER(PG_lru)", KM_NUM) \
	X(NUM_PG_private, "NUMBER(PG_private)", KM_NUM) \
	X(NUM_PG_swapcache, "NUMBER(PG_swapcache)", KM_NUM) \
	X(NUM_PG_swapbacked, "NUMBER(PG_swapbacked)", KM_NUM) \
	X(NUM_PG_slab, "NUMBER(PG_slab)", KM_NUM) \
	X(NUM_PG_buddy, "NUMBER(PG_buddy)", KM_NUM) \
	X(NUM_PG_hwpoison, "NUMBER(PG_hwpoison)", KM_NUM) \
	X(NUM_PG_head_mask, "NUMBER(PG_head_mask)", KM_NUM) \
	X(NUM_PG_hugetlb, "NUMBER(PG_hugetlb)", KM_NUM) \
	X(NUM_PAGE_BUDDY_MAPCOUNT_VALUE, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", KM_NUM) \
	X(NUM_PAGE_OFFLINE_MAPCOUNT_VALUE, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)", KM_NUM) \
	X(NUM_PAGE_HUGETLB_MAPCOUNT_VALUE, "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)", KM_NUM) \
	X(NUM_PAGE_SLAB_MAPCOUNT_VALUE, "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)", KM_NUM) \
	X(NUM_PAGE_UNACCEPTED_MAPCOUNT_VALUE, "NUMBER(PAGE_UNACCEPTED_MAPCOUNT_VALUE)", KM_NUM) \
	X(NUM_HUGETLB_PAGE_DTOR, "NUMBER(HUGETLB_PAGE_DTOR)", KM_NUM) \
	X(NUM_phys_base, "NUMBER(phys_base)", KM_NUM) \
	X(NUM_pgtable_l5_enabled, "NUMBER(pgtable_l5_enabled)", KM_NUM) \
	X(NUM_sme_mask, "NUMBER(sme_mask)", KM_NUM) \
	X(NUM_KERNEL_IMAGE_SIZE, "NUMBER(KERNEL_IMAGE_SIZE)", KM_NUM) \
	X(NUM_SECTION_SIZE_BITS, "NUMBER(SECTION_SIZE_BITS)", KM_NUM) \
	X(NUM_MAX_PHYSMEM_BITS, "NUMBER(MAX_PHYSMEM_BITS)", KM_NUM) \
	X(NUM_N_ONLINE, "NUMBER(N_ONLINE)", KM_NUM) \
	/* Translation keys of the 64-bit ARM row (core/arch/); all but VA_BITS are printed in hex. */ \
	X(NUM_VA_BITS, "NUMBER(VA_BITS)", KM_NUM) \
	X(NUM_kimage_voffset, "NUMBER(kimage_voffset)", KM_NUM) \
	X(NUM_PHYS_OFFSET, "NUMBER(PHYS_OFFSET)", KM_NUM) \
	X(NUM_TCR_EL1_T1SZ, "NUMBER(TCR_EL1_T1SZ)", KM_NUM) \
	/* Pre-3.11 name of struct printk_log (kernel 3.5 - 3.10). */ \
	X(SIZE_log, "SIZE(log)", KM_DEC) \
	X(OFF_log_ts_nsec, "OFFSET(log.ts_nsec)", KM_DEC) \
	X(OFF_log_len, "OFFSET(log.len)", KM_DEC) \
	X(OFF_log_text_len, "OFFSET(log.text_len)", KM_DEC) \
	/* Keys makedumpfile -g writes (other arches / old kernels) and newer VMCOREINFO extras. */ \
	X(SYM_vmem_map, "SYMBOL(vmem_map)", KM_SYM) \
	X(SYM_pkmap_count, "SYMBOL(pkmap_count)", KM_SYM) \
	X(SYM_pkmap_count_next, "SYMBOL(pkmap_count_next)", KM_SYM) \
	X(SYM_level4_kernel_pgt, "SYMBOL(level4_kernel_pgt)", KM_SYM) \
	X(SYM_vmlist, "SYMBOL(vmlist)", KM_SYM) \
	X(SYM_node_states, "SYMBOL(node_states)", KM_SYM) \
	X(SYM_pgdat_list, "SYMBOL(pgdat_list)", KM_SYM) \
	X(SYM_max_pfn, "SYMBOL(max_pfn)", KM_SYM) \
	X(SYM_high_memory, "SYMBOL(high_memory)", KM_SYM) \
	X(SYM_node_remap_start_vaddr, "SYMBOL(node_remap_start_vaddr)", KM_SYM) \
	X(SYM_node_remap_end_vaddr, "SYMBOL(node_remap_end_vaddr)", KM_SYM) \
	X(SYM_node_remap_start_pfn, "SYMBOL(node_remap_start_pfn)", KM_SYM) \
	X(SYM_vmemmap_list, "SYMBOL(vmemmap_list)", KM_SYM) \
	X(SYM_mmu_psize_defs, "SYMBOL(mmu_psize_defs)", KM_SYM) \
	X(SYM_mmu_vmemmap_psize, "SYMBOL(mmu_vmemmap_psize)", KM_SYM) \
	X(SYM_cpu_pgd, "SYMBOL(cpu_pgd)", KM_SYM) \
	X(SYM_demote_segment_4k, "SYMBOL(demote_segment_4k)", KM_SYM) \
	X(SYM_cur_cpu_spec, "SYMBOL(cur_cpu_spec)", KM_SYM) \
	X(SYM_free_huge_page, "SYMBOL(free_huge_page)", KM_SYM) \
	X(SIZE_node_memblk_s, "SIZE(node_memblk_s)", KM_DEC) \
	X(SIZE_vmemmap_backing, "SIZE(vmemmap_backing)", KM_DEC) \
	X(SIZE_mmu_psize_def, "SIZE(mmu_psize_def)", KM_DEC) \
	X(SIZE_prb_desc_ring, "SIZE(prb_desc_ring)", KM_DEC) \
	X(SIZE_prb_data_blk_lpos, "SIZE(prb_data_blk_lpos)", KM_DEC) \
	X(SIZE_prb_data_ring, "SIZE(prb_data_ring)", KM_DEC) \
	X(SIZE_atomic_long_t, "SIZE(atomic_long_t)", KM_DEC) \
	X(OFF_pglist_data_pgdat_next, "OFFSET(pglist_data.pgdat_next)", KM_DEC) \
	X(OFF_pglist_data_node_id, "OFFSET(pglist_data.node_id)", KM_DEC) \
	X(OFF_zone_free_pages, "OFFSET(zone.free_pages)", KM_DEC) \
	X(OFF_node_memblk_s_start_paddr, "OFFSET(node_memblk_s.start_paddr)", KM_DEC) \
	X(OFF_node_memblk_s_size, "OFFSET(node_memblk_s.size)", KM_DEC) \
	X(OFF_node_memblk_s_nid, "OFFSET(node_memblk_s.nid)", KM_DEC) \
	X(OFF_vm_struct_addr, "OFFSET(vm_struct.addr)", KM_DEC) \
	X(OFF_vmemmap_backing_phys, "OFFSET(vmemmap_backing.phys)", KM_DEC) \
	X(OFF_vmemmap_backing_virt_addr, "OFFSET(vmemmap_backing.virt_addr)", KM_DEC) \
	X(OFF_vmemmap_backing_list, "OFFSET(vmemmap_backing.list)", KM_DEC) \
	X(OFF_mmu_psize_def_shift, "OFFSET(mmu_psize_def.shift)", KM_DEC) \
	X(OFF_cpu_spec_mmu_features, "OFFSET(cpu_spec.mmu_features)", KM_DEC) \
	X(OFF_prb_data_ring_head_lpos, "OFFSET(prb_data_ring.head_lpos)", KM_DEC) \
	X(OFF_prb_data_ring_tail_lpos, "OFFSET(prb_data_ring.tail_lpos)", KM_DEC) \
	X(LEN_pgdat_list, "LENGTH(pgdat_list)", KM_DEC) \
	X(LEN_node_memblk, "LENGTH(node_memblk)", KM_DEC) \
	X(LEN_node_remap_start_pfn, "LENGTH(node_remap_start_pfn)", KM_DEC) \
	X(LEN_printk_info_subsystem, "LENGTH(printk_info_subsystem)", KM_DEC) \
	X(LEN_printk_info_device, "LENGTH(printk_info_device)", KM_DEC)

enum cs_km_kind { KM_SYM, KM_DEC, KM_NUM, KM_HEX };

enum cs_km_id {
#define CS_KM_ENUM(id, key, kind) KM_##id,
	CS_KM_FIELDS(CS_KM_ENUM)
#undef CS_KM_ENUM
	KM_NR_FIELDS
};

#define CS_OSRELEASE_MAX 65

struct cs_kmodel {
	char osrelease[CS_OSRELEASE_MAX]; /* "" when absent */
	uint64_t val[KM_NR_FIELDS];
	uint8_t have[KM_NR_FIELDS];
};

/* Key text ("SYMBOL(mem_section)") and kind of a field. */
const char *cs_km_key(enum cs_km_id id);
enum cs_km_kind cs_km_kind_of(enum cs_km_id id);
/*
 * Relocate the SYMBOL()s of an unrelocated vmlinux (-x, or a -g file) by the
 * dump's KASLR offset and record it as KERNELOFFSET; 0 changes nothing. The
 * one place that does it (a model relocated twice points every symbol off).
 */
void cs_km_relocate(struct cs_kmodel *km, uint64_t kernel_offset);
/* Field id for a key text of `len` bytes (without "="); -1 if unknown. */
int cs_km_lookup(const char *key, size_t len);

static inline bool cs_km_has(const struct cs_kmodel *km, enum cs_km_id id)
{
	return km->have[id] != 0;
}
static inline uint64_t cs_km_get(const struct cs_kmodel *km, enum cs_km_id id)
{
	return km->val[id];
}
static inline int64_t cs_km_num(const struct cs_kmodel *km, enum cs_km_id id)
{
	return (int64_t)km->val[id];
}
static inline void cs_km_set(struct cs_kmodel *km, enum cs_km_id id, uint64_t v)
{
	km->val[id] = v;
	km->have[id] = 1;
}

#endif
