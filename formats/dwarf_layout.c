/* formats/dwarf_layout.c: which kernel layouts -x and -g take from a vmlinux (formats/vmlinux.c reads them), and their merge into the kernel model. */
#include "formats/dwarf_layout.h"
#include "core/arch/arch.h"
#include "formats/vmcoreinfo.h"
#include "formats/vmlinux.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UTS_LEN 65
#define SRCFILE_MAX 256

void cs_kmodel_merge_missing(struct cs_kmodel *dst, const struct cs_kmodel *src)
{
	if (!dst->osrelease[0] && src->osrelease[0])
		memcpy(dst->osrelease, src->osrelease, sizeof(dst->osrelease));
	for (int i = 0; i < KM_NR_FIELDS; i++)
		if (!dst->have[i] && src->have[i]) {
			dst->val[i] = src->val[i];
			dst->have[i] = 1;
		}
}

/* ---------------------------------------------------------------------------------------- */
/* What we look for. Type names are struct tags; a typedef of that name answers too. */

enum { T_page, T_mem_section, T_pglist_data, T_zone, T_free_area, T_list_head, T_node_memblk_s,
       T_nodemask_t, T_printk_log, T_log, T_printk_ringbuffer, T_prb_desc, T_printk_info,
       T_latched_seq, T_prb_desc_ring, T_prb_data_blk_lpos, T_prb_data_ring, T_atomic_long_t,
       T_dev_printk_info, T_vmemmap_backing, T_mmu_psize_def, T_vm_struct, T_vmap_area,
       T_uts_namespace, T_cpu_spec, T_folio, T_pud_t, T_NR };

static const char *const type_names[T_NR] = {
	[T_page] = "page", [T_mem_section] = "mem_section", [T_pglist_data] = "pglist_data",
	[T_zone] = "zone", [T_free_area] = "free_area", [T_list_head] = "list_head",
	[T_node_memblk_s] = "node_memblk_s", [T_nodemask_t] = "nodemask_t",
	[T_printk_log] = "printk_log", [T_log] = "log", [T_printk_ringbuffer] = "printk_ringbuffer",
	[T_prb_desc] = "prb_desc", [T_printk_info] = "printk_info", [T_latched_seq] = "latched_seq",
	[T_prb_desc_ring] = "prb_desc_ring", [T_prb_data_blk_lpos] = "prb_data_blk_lpos",
	[T_prb_data_ring] = "prb_data_ring", [T_atomic_long_t] = "atomic_long_t",
	[T_dev_printk_info] = "dev_printk_info", [T_vmemmap_backing] = "vmemmap_backing",
	[T_mmu_psize_def] = "mmu_psize_def", [T_vm_struct] = "vm_struct",
	[T_vmap_area] = "vmap_area", [T_uts_namespace] = "uts_namespace", [T_cpu_spec] = "cpu_spec",
	[T_folio] = "folio", [T_pud_t] = "pud_t",
};

struct size_req {
	enum cs_km_id id;
	int type;
};

static const struct size_req size_reqs[] = {
	{KM_SIZE_page, T_page}, {KM_SIZE_mem_section, T_mem_section},
	{KM_SIZE_pglist_data, T_pglist_data}, {KM_SIZE_zone, T_zone},
	{KM_SIZE_free_area, T_free_area}, {KM_SIZE_list_head, T_list_head},
	{KM_SIZE_node_memblk_s, T_node_memblk_s}, {KM_SIZE_nodemask_t, T_nodemask_t},
	{KM_SIZE_printk_log, T_printk_log}, {KM_SIZE_log, T_log},
	{KM_SIZE_printk_ringbuffer, T_printk_ringbuffer}, {KM_SIZE_prb_desc, T_prb_desc},
	{KM_SIZE_printk_info, T_printk_info}, {KM_SIZE_latched_seq, T_latched_seq},
	{KM_SIZE_prb_desc_ring, T_prb_desc_ring}, {KM_SIZE_prb_data_blk_lpos, T_prb_data_blk_lpos},
	{KM_SIZE_prb_data_ring, T_prb_data_ring}, {KM_SIZE_atomic_long_t, T_atomic_long_t},
	{KM_SIZE_dev_printk_info, T_dev_printk_info}, {KM_SIZE_vmemmap_backing, T_vmemmap_backing},
	{KM_SIZE_mmu_psize_def, T_mmu_psize_def},
};

struct member_req {
	enum cs_km_id id;
	int type;
	const char *member;
};

static const struct member_req offset_reqs[] = {
	{KM_OFF_page_flags, T_page, "flags"},
	{KM_OFF_page__refcount, T_page, "_refcount"},
	{KM_OFF_page__count, T_page, "_count"},
	{KM_OFF_page_mapping, T_page, "mapping"},
	{KM_OFF_page_lru, T_page, "lru"},
	{KM_OFF_page__mapcount, T_page, "_mapcount"},
	{KM_OFF_page_private, T_page, "private"},
	{KM_OFF_page_compound_dtor, T_page, "compound_dtor"},
	{KM_OFF_page_compound_order, T_page, "compound_order"},
	{KM_OFF_page_compound_head, T_page, "compound_head"},
	{KM_OFF_folio__folio_dtor, T_folio, "_folio_dtor"},
	{KM_OFF_folio__folio_order, T_folio, "_folio_order"},
	{KM_OFF_mem_section_section_mem_map, T_mem_section, "section_mem_map"},
	{KM_OFF_pglist_data_node_zones, T_pglist_data, "node_zones"},
	{KM_OFF_pglist_data_nr_zones, T_pglist_data, "nr_zones"},
	{KM_OFF_pglist_data_node_mem_map, T_pglist_data, "node_mem_map"},
	{KM_OFF_pglist_data_node_start_pfn, T_pglist_data, "node_start_pfn"},
	{KM_OFF_pglist_data_node_spanned_pages, T_pglist_data, "node_spanned_pages"},
	{KM_OFF_pglist_data_pgdat_next, T_pglist_data, "pgdat_next"},
	{KM_OFF_pglist_data_node_id, T_pglist_data, "node_id"},
	{KM_OFF_zone_free_pages, T_zone, "free_pages"},
	{KM_OFF_zone_free_area, T_zone, "free_area"},
	{KM_OFF_zone_vm_stat, T_zone, "vm_stat"},
	{KM_OFF_zone_spanned_pages, T_zone, "spanned_pages"},
	{KM_OFF_free_area_free_list, T_free_area, "free_list"},
	{KM_OFF_list_head_next, T_list_head, "next"},
	{KM_OFF_list_head_prev, T_list_head, "prev"},
	{KM_OFF_node_memblk_s_start_paddr, T_node_memblk_s, "start_paddr"},
	{KM_OFF_node_memblk_s_size, T_node_memblk_s, "size"},
	{KM_OFF_node_memblk_s_nid, T_node_memblk_s, "nid"},
	{KM_OFF_vm_struct_addr, T_vm_struct, "addr"},
	{KM_OFF_vmap_area_va_start, T_vmap_area, "va_start"},
	{KM_OFF_vmap_area_list, T_vmap_area, "list"},
	{KM_OFF_uts_namespace_name, T_uts_namespace, "name"},
	{KM_OFF_printk_log_ts_nsec, T_printk_log, "ts_nsec"},
	{KM_OFF_printk_log_len, T_printk_log, "len"},
	{KM_OFF_printk_log_text_len, T_printk_log, "text_len"},
	{KM_OFF_printk_log_caller_id, T_printk_log, "caller_id"},
	{KM_OFF_log_ts_nsec, T_log, "ts_nsec"},
	{KM_OFF_log_len, T_log, "len"},
	{KM_OFF_log_text_len, T_log, "text_len"},
	{KM_OFF_printk_ringbuffer_desc_ring, T_printk_ringbuffer, "desc_ring"},
	{KM_OFF_printk_ringbuffer_text_data_ring, T_printk_ringbuffer, "text_data_ring"},
	{KM_OFF_printk_ringbuffer_fail, T_printk_ringbuffer, "fail"},
	{KM_OFF_prb_desc_ring_count_bits, T_prb_desc_ring, "count_bits"},
	{KM_OFF_prb_desc_ring_descs, T_prb_desc_ring, "descs"},
	{KM_OFF_prb_desc_ring_infos, T_prb_desc_ring, "infos"},
	{KM_OFF_prb_desc_ring_head_id, T_prb_desc_ring, "head_id"},
	{KM_OFF_prb_desc_ring_tail_id, T_prb_desc_ring, "tail_id"},
	{KM_OFF_prb_desc_state_var, T_prb_desc, "state_var"},
	{KM_OFF_prb_desc_text_blk_lpos, T_prb_desc, "text_blk_lpos"},
	{KM_OFF_prb_data_blk_lpos_begin, T_prb_data_blk_lpos, "begin"},
	{KM_OFF_prb_data_blk_lpos_next, T_prb_data_blk_lpos, "next"},
	{KM_OFF_prb_data_ring_size_bits, T_prb_data_ring, "size_bits"},
	{KM_OFF_prb_data_ring_data, T_prb_data_ring, "data"},
	{KM_OFF_prb_data_ring_head_lpos, T_prb_data_ring, "head_lpos"},
	{KM_OFF_prb_data_ring_tail_lpos, T_prb_data_ring, "tail_lpos"},
	{KM_OFF_printk_info_seq, T_printk_info, "seq"},
	{KM_OFF_printk_info_ts_nsec, T_printk_info, "ts_nsec"},
	{KM_OFF_printk_info_text_len, T_printk_info, "text_len"},
	{KM_OFF_printk_info_caller_id, T_printk_info, "caller_id"},
	{KM_OFF_printk_info_dev_info, T_printk_info, "dev_info"},
	{KM_OFF_dev_printk_info_subsystem, T_dev_printk_info, "subsystem"},
	{KM_OFF_dev_printk_info_device, T_dev_printk_info, "device"},
	{KM_OFF_atomic_long_t_counter, T_atomic_long_t, "counter"},
	{KM_OFF_latched_seq_val, T_latched_seq, "val"},
	{KM_OFF_vmemmap_backing_phys, T_vmemmap_backing, "phys"},
	{KM_OFF_vmemmap_backing_virt_addr, T_vmemmap_backing, "virt_addr"},
	{KM_OFF_vmemmap_backing_list, T_vmemmap_backing, "list"},
	{KM_OFF_mmu_psize_def_shift, T_mmu_psize_def, "shift"},
	{KM_OFF_cpu_spec_mmu_features, T_cpu_spec, "mmu_features"},
};

static const struct member_req member_len_reqs[] = {
	{KM_LEN_zone_free_area, T_zone, "free_area"},
	{KM_LEN_free_area_free_list, T_free_area, "free_list"},
	/* VMCOREINFO's names for the dev_printk_info arrays (as the kernel's printk code exports them). */
	{KM_LEN_printk_info_subsystem, T_dev_printk_info, "subsystem"},
	{KM_LEN_printk_info_device, T_dev_printk_info, "device"},
};

/* ELF symbols (SYMBOL() fields) and the helpers that only need a symbol's location. */
enum { S_linux_banner = KM_NR_FIELDS, S_node_memblk };

struct sym_req {
	int id; /* a KM_SYM_* field, or S_* above */
	const char *name;
};

static const struct sym_req sym_reqs[] = {
	{KM_SYM_mem_map, "mem_map"}, {KM_SYM_vmem_map, "vmem_map"},
	{KM_SYM_mem_section, "mem_section"}, {KM_SYM_pkmap_count, "pkmap_count"},
	{KM_SYM_system_utsname, "system_utsname"}, {KM_SYM_init_uts_ns, "init_uts_ns"},
	{KM_SYM__stext, "_stext"}, {KM_SYM_swapper_pg_dir, "swapper_pg_dir"},
	{KM_SYM_init_level4_pgt, "init_level4_pgt"}, {KM_SYM_level4_kernel_pgt, "level4_kernel_pgt"},
	{KM_SYM_init_top_pgt, "init_top_pgt"}, {KM_SYM_vmlist, "vmlist"},
	{KM_SYM_vmap_area_list, "vmap_area_list"}, {KM_SYM_node_online_map, "node_online_map"},
	{KM_SYM_node_states, "node_states"}, {KM_SYM_node_data, "node_data"},
	{KM_SYM_pgdat_list, "pgdat_list"}, {KM_SYM_contig_page_data, "contig_page_data"},
	{KM_SYM_prb, "prb"}, {KM_SYM_printk_rb_static, "printk_rb_static"},
	{KM_SYM_clear_seq, "clear_seq"}, {KM_SYM_log_buf, "log_buf"},
	{KM_SYM_log_buf_len, "log_buf_len"}, {KM_SYM_log_end, "log_end"},
	{KM_SYM_log_first_idx, "log_first_idx"}, {KM_SYM_clear_idx, "clear_idx"},
	{KM_SYM_log_next_idx, "log_next_idx"}, {KM_SYM_max_pfn, "max_pfn"},
	{KM_SYM_high_memory, "high_memory"}, {KM_SYM_node_remap_start_vaddr, "node_remap_start_vaddr"},
	{KM_SYM_node_remap_end_vaddr, "node_remap_end_vaddr"},
	{KM_SYM_node_remap_start_pfn, "node_remap_start_pfn"}, {KM_SYM_vmemmap_list, "vmemmap_list"},
	{KM_SYM_mmu_psize_defs, "mmu_psize_defs"}, {KM_SYM_mmu_vmemmap_psize, "mmu_vmemmap_psize"},
	{KM_SYM_cpu_pgd, "cpu_pgd"}, {KM_SYM_demote_segment_4k, "demote_segment_4k"},
	{KM_SYM_cur_cpu_spec, "cur_cpu_spec"}, {KM_SYM_free_huge_page, "free_huge_page"},
	{S_linux_banner, "linux_banner"}, {S_node_memblk, "node_memblk"},
};

/* Variables whose array length VMCOREINFO gives (LENGTH(name)). */
struct var_req {
	enum cs_km_id id;
	const char *name;
};

static const struct var_req var_reqs[] = {
	{KM_LEN_node_data, "node_data"}, {KM_LEN_pgdat_list, "pgdat_list"},
	{KM_LEN_mem_section, "mem_section"}, {KM_LEN_node_memblk, "node_memblk"},
	{KM_LEN_node_remap_start_pfn, "node_remap_start_pfn"},
};

/* Enumerators. enum_name NULL: any enum (makedumpfile's search); else only that enum. */
struct enum_req {
	enum cs_km_id id;
	const char *enum_name;
	const char *name;
};

enum { E_PG_head = KM_NR_FIELDS, E_PG_compound };

static const struct enum_req enum_reqs[] = {
	{KM_NUM_NR_FREE_PAGES, NULL, "NR_FREE_PAGES"},
	{KM_NUM_N_ONLINE, NULL, "N_ONLINE"},
	{KM_NUM_pgtable_l5_enabled, NULL, "pgtable_l5_enabled"},
	{KM_NUM_HUGETLB_PAGE_DTOR, NULL, "HUGETLB_PAGE_DTOR"},
	/*
	 * Page flags only from enum pageflags: 6.10+ kernels also have PG_buddy,
	 * PG_slab, PG_hugetlb, ... in enum pagetype (page-type values, not bit
	 * numbers); taking those would make the classifier test wrong bits.
	 */
	{KM_NUM_PG_lru, "pageflags", "PG_lru"},
	{KM_NUM_PG_private, "pageflags", "PG_private"},
	{KM_NUM_PG_swapcache, "pageflags", "PG_swapcache"},
	{KM_NUM_PG_swapbacked, "pageflags", "PG_swapbacked"},
	{KM_NUM_PG_slab, "pageflags", "PG_slab"},
	{KM_NUM_PG_buddy, "pageflags", "PG_buddy"},
	{KM_NUM_PG_hwpoison, "pageflags", "PG_hwpoison"},
	{KM_NUM_PG_hugetlb, "pageflags", "PG_hugetlb"},
	{KM_NUM_PG_head_mask, "pageflags", "PG_head_mask"},
	{(enum cs_km_id)E_PG_head, "pageflags", "PG_head"},
	{(enum cs_km_id)E_PG_compound, "pageflags", "PG_compound"},
};

#define NR_ENUM_REQS CS_ARRAY_SIZE(enum_reqs)

/* Enums whose own size or enumerators we take (enum_reqs' enum_name values). */
enum { EN_pageflags, EN_NR };
static const char *const enum_names[EN_NR] = {[EN_pageflags] = "pageflags"};

/* ---------------------------------------------------------------------------------------- */

struct dwarf_result {
	struct cs_kmodel km;
	char srcfile_pud_t[SRCFILE_MAX];
};

/* The sym_reqs row of a KM_SYM_* field or S_* id. */
static size_t sym_row(int id)
{
	for (size_t i = 0; i < CS_ARRAY_SIZE(sym_reqs); i++)
		if (sym_reqs[i].id == id)
			return i;
	return SIZE_MAX;
}

static void copy_release(char *dst, const char *src, size_t srclen)
{
	size_t n = strnlen(src, srclen);

	if (n >= CS_OSRELEASE_MAX)
		n = CS_OSRELEASE_MAX - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* OSRELEASE as makedumpfile's get_str_osrelease_from_vmlinux(), then linux_banner. */
static void read_osrelease(const struct cs_vmlinux *v, struct cs_kmodel *km)
{
	char rel[UTS_LEN];
	size_t s;
	uint64_t base, val;

	km->osrelease[0] = '\0';
	if (cs_vmlinux_symbol(v, sym_row(KM_SYM_system_utsname), &val)) {
		s = sym_row(KM_SYM_system_utsname);
		base = 0;
	} else {
		s = sym_row(KM_SYM_init_uts_ns);
		base = cs_km_has(km, KM_OFF_uts_namespace_name) ? cs_km_get(km, KM_OFF_uts_namespace_name)
								 : 4;
	}
	/* struct new_utsname: sysname[65], nodename[65], release[65], ... */
	if (cs_vmlinux_symbol_bytes(v, s, base + 2 * UTS_LEN, rel, sizeof(rel)) && rel[0]) {
		copy_release(km->osrelease, rel, sizeof(rel));
		return;
	}
	/* "Linux version 6.1.0-56-amd64 (debian-kernel@...) ..." */
	char banner[160];
	static const char pfx[] = "Linux version ";
	if (cs_vmlinux_symbol_bytes(v, sym_row(S_linux_banner), 0, banner, sizeof(banner)) &&
	    memcmp(banner, pfx, sizeof(pfx) - 1) == 0) {
		const char *p = banner + sizeof(pfx) - 1;
		size_t n = 0;

		while (n < sizeof(banner) - sizeof(pfx) && p[n] && p[n] != ' ')
			n++;
		copy_release(km->osrelease, p, n);
	}
}

static cs_status load(const char *path, struct dwarf_result *res, struct cs_err *err)
{
	const char *sym_names[CS_ARRAY_SIZE(sym_reqs)], *var_names[CS_ARRAY_SIZE(var_reqs)];
	struct cs_vmlinux_enumerator enumerators[NR_ENUM_REQS];
	const struct cs_vmlinux_query q = {
		.types = type_names, .nr_types = T_NR,
		.vars = var_names, .nr_vars = CS_ARRAY_SIZE(var_reqs),
		.syms = sym_names, .nr_syms = CS_ARRAY_SIZE(sym_reqs),
		.enums = enum_names, .nr_enums = EN_NR,
		.enumerators = enumerators, .nr_enumerators = NR_ENUM_REQS,
	};
	struct cs_kmodel *km = &res->km;
	struct cs_vmlinux *v;
	cs_status st;
	uint64_t u;
	int64_t off;

	for (size_t i = 0; i < CS_ARRAY_SIZE(sym_reqs); i++)
		sym_names[i] = sym_reqs[i].name;
	for (size_t i = 0; i < CS_ARRAY_SIZE(var_reqs); i++)
		var_names[i] = var_reqs[i].name;
	for (size_t i = 0; i < NR_ENUM_REQS; i++)
		enumerators[i] = (struct cs_vmlinux_enumerator){enum_reqs[i].enum_name, enum_reqs[i].name};
	if ((st = cs_vmlinux_open(path, &q, &v, err)) != CS_OK)
		return st;

	for (size_t i = 0; i < CS_ARRAY_SIZE(sym_reqs); i++) {
		int id = sym_reqs[i].id;

		/* Address 0 is makedumpfile's NOT_FOUND_SYMBOL. */
		if (id < KM_NR_FIELDS && cs_vmlinux_symbol(v, i, &u) && u)
			cs_km_set(km, (enum cs_km_id)id, u);
	}
	for (size_t i = 0; i < CS_ARRAY_SIZE(size_reqs); i++)
		if (cs_vmlinux_type_size(v, (size_t)size_reqs[i].type, &u))
			cs_km_set(km, size_reqs[i].id, u);
	if (cs_vmlinux_enum_size(v, EN_pageflags, &u))
		cs_km_set(km, KM_SIZE_pageflags, u);
	for (size_t i = 0; i < CS_ARRAY_SIZE(offset_reqs); i++)
		if (cs_vmlinux_member_offset(v, (size_t)offset_reqs[i].type, offset_reqs[i].member, &off) &&
		    off >= 0)
			cs_km_set(km, offset_reqs[i].id, (uint64_t)off);
	/* Some vmlinux lack page.mapping's name: it follows private in the first union. */
	if (!cs_km_has(km, KM_OFF_page_mapping) && cs_vmlinux_first_union_offset(v, T_page, &off) &&
	    off >= 0)
		cs_km_set(km, KM_OFF_page_mapping, (uint64_t)off + 8);
	for (size_t i = 0; i < CS_ARRAY_SIZE(member_len_reqs); i++)
		if (cs_vmlinux_member_length(v, (size_t)member_len_reqs[i].type, member_len_reqs[i].member,
					     &u))
			cs_km_set(km, member_len_reqs[i].id, u);
	for (size_t i = 0; i < CS_ARRAY_SIZE(var_reqs); i++)
		if (cs_vmlinux_var_length(v, i, &u))
			cs_km_set(km, var_reqs[i].id, u);
	/* LENGTH(node_memblk) is written only with its symbol (makedumpfile). */
	if (!cs_vmlinux_symbol(v, sym_row(S_node_memblk), &u))
		km->have[KM_LEN_node_memblk] = 0;
	for (size_t i = 0; i < NR_ENUM_REQS; i++) {
		int id = (int)enum_reqs[i].id;

		if (id < KM_NR_FIELDS && cs_vmlinux_enumerator(v, i, &off))
			cs_km_set(km, (enum cs_km_id)id, (uint64_t)off);
	}
	if (!cs_km_has(km, KM_NUM_PG_head_mask)) {
		/* NUMBER(PG_head_mask) = 1 << PG_head (PG_compound before 2.6.26). */
		for (size_t i = 0; i < NR_ENUM_REQS; i++) {
			int id = (int)enum_reqs[i].id;

			if ((id == E_PG_head || id == E_PG_compound) && cs_vmlinux_enumerator(v, i, &off) &&
			    off >= 0 && off < 63) {
				cs_km_set(km, KM_NUM_PG_head_mask, 1ull << off);
				break;
			}
		}
	}
	/* An arch with one page size says it (core/arch/); elsewhere makedumpfile -g takes this machine's. */
	{
		const struct cs_arch_info *arch = cs_arch_find(cs_vmlinux_machine(v));
		uint32_t mask = arch ? arch->page_size_mask : 0;

		cs_km_set(km, KM_PAGESIZE, mask && !(mask & (mask - 1)) ? mask : (uint64_t)sysconf(_SC_PAGESIZE));
	}
	read_osrelease(v, km);
	res->srcfile_pud_t[0] = '\0';
	{
		const char *f = cs_vmlinux_typedef_file(v, T_pud_t);

		if (f)
			snprintf(res->srcfile_pud_t, sizeof(res->srcfile_pud_t), "%s", f);
	}
	cs_vmlinux_close(v);
	return CS_OK;
}

cs_status cs_dwarf_load(const char *vmlinux, struct cs_kmodel *km, struct cs_err *err)
{
	struct dwarf_result *res = calloc(1, sizeof(*res));
	cs_status st;

	if (!res)
		return cs_err_set(err, CS_ERR_NOMEM, "cannot allocate the kernel model");
	st = load(vmlinux, res, err);
	if (st == CS_OK) {
		if (res->km.osrelease[0])
			memcpy(km->osrelease, res->km.osrelease, sizeof(km->osrelease));
		for (int i = 0; i < KM_NR_FIELDS; i++)
			if (res->km.have[i])
				cs_km_set(km, (enum cs_km_id)i, res->km.val[i]);
	}
	free(res);
	return st;
}

cs_status cs_dwarf_model_for_dump(const char *vmlinux, const struct cs_kmodel *dump_km,
				  uint32_t dump_page_size, struct cs_kmodel *out, struct cs_err *err)
{
	struct cs_kmodel *km = calloc(1, sizeof(*km));
	uint64_t koff = 0;
	cs_status st = CS_OK;

	if (!km)
		return cs_err_set(err, CS_ERR_NOMEM, "cannot allocate the kernel model");
	if (cs_dwarf_load(vmlinux, km, err) != CS_OK) {
		st = err->status;
		goto out;
	}
	/* The vmlinux is unrelocated: KASLR moved every symbol by the dump's KERNELOFFSET. */
	if (dump_km && cs_km_has(dump_km, KM_KERNELOFFSET))
		koff = cs_km_get(dump_km, KM_KERNELOFFSET);
	cs_km_relocate(km, koff);
	/* A vmlinux of another kernel gives wrong layouts: refuse it early (exit 2, as -i). */
	if (dump_km && dump_km->osrelease[0] && km->osrelease[0] &&
	    strcmp(dump_km->osrelease, km->osrelease) != 0) {
		st = cs_err_set(err, CS_ERR_RELEASE,
				"'%s' is the vmlinux of kernel %s, but the dump is of kernel %s", vmlinux,
				km->osrelease, dump_km->osrelease);
		goto out;
	}
	if (dump_km)
		cs_kmodel_merge_missing(km, dump_km);
	if (dump_page_size && cs_km_get(km, KM_PAGESIZE) != dump_page_size) {
		st = cs_err_set(err, CS_ERR_ARGS,
				"the page size of '%s' (%" PRIu64 ") differs from the dump's (%u)", vmlinux,
				cs_km_get(km, KM_PAGESIZE), dump_page_size);
		goto out;
	}
	*out = *km;
out:
	free(km);
	return st;
}

/* makedumpfile's get_mem_type() != NOT_FOUND_MEMTYPE. */
static bool have_mem_type(const struct cs_kmodel *km)
{
#define H(id) cs_km_has(km, KM_##id)
	if (!H(SIZE_page) || !H(OFF_page_flags) || !(H(OFF_page__refcount) || H(OFF_page__count)) ||
	    !H(OFF_page_mapping))
		return false;
	if (((H(SYM_node_data) && H(LEN_node_data)) ||
	     (H(SYM_pgdat_list) && (H(OFF_pglist_data_pgdat_next) || H(LEN_pgdat_list)))) &&
	    H(SIZE_pglist_data) && H(OFF_pglist_data_node_mem_map) &&
	    H(OFF_pglist_data_node_start_pfn) && H(OFF_pglist_data_node_spanned_pages))
		return true;
	if (H(SYM_mem_section) && H(SIZE_mem_section) && H(OFF_mem_section_section_mem_map))
		return true;
	return H(SYM_mem_map);
#undef H
}

cs_status cs_dwarf_vmcoreinfo_text(const char *vmlinux, char **text, size_t *len,
				   struct cs_err *err)
{
	struct dwarf_result *res = calloc(1, sizeof(*res));
	const struct cs_kmodel *km;
	size_t need;
	cs_status st;

	*text = NULL;
	*len = 0;
	if (!res)
		return cs_err_set(err, CS_ERR_NOMEM, "cannot allocate the kernel model");
	if ((st = load(vmlinux, res, err)) != CS_OK)
		goto out;
	km = &res->km;
	if (!cs_km_has(km, KM_SYM_system_utsname) && !cs_km_has(km, KM_SYM_init_uts_ns)) {
		st = cs_err_set(err, CS_ERR_FORMAT,
				"'%s' has neither init_uts_ns nor system_utsname: not a Linux vmlinux", vmlinux);
		goto out;
	}
	if (!km->osrelease[0]) {
		st = cs_err_set(err, CS_ERR_FORMAT, "cannot read the kernel release from '%s'", vmlinux);
		goto out;
	}
	if (!have_mem_type(km)) {
		st = cs_err_set(err, CS_ERR_FORMAT,
				"cannot find the memory model of '%s' (struct page, mem_section or mem_map "
				"are missing from its debug information)", vmlinux);
		goto out;
	}
	need = cs_vmcoreinfo_format(km, res->srcfile_pud_t[0] ? res->srcfile_pud_t : NULL, NULL, 0);
	if (!(*text = malloc(need + 1))) {
		st = cs_err_set(err, CS_ERR_NOMEM, "cannot format the VMCOREINFO text");
		goto out;
	}
	*len = cs_vmcoreinfo_format(km, res->srcfile_pud_t[0] ? res->srcfile_pud_t : NULL, *text,
				    need + 1);
out:
	free(res);
	return st;
}
