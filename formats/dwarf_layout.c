/* formats/dwarf_layout.c: kernel model from a vmlinux's ELF symbols and DWARF (libdw), -x and -g. */
#include "formats/dwarf_layout.h"
#include "core/arch/arch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

#ifndef HAVE_LIBDW

cs_status cs_dwarf_load(const char *vmlinux, struct cs_kmodel *km, struct cs_err *err)
{
	(void)km;
	return cs_err_set(err, CS_ERR_NOTSUP,
			  "cannot read '%s': this build of coresieve has no DWARF support (rebuild with "
			  "libdw-dev); use -i VMCOREINFO instead of -x", vmlinux);
}

cs_status cs_dwarf_model_for_dump(const char *vmlinux, const struct cs_kmodel *dump_km,
				  uint32_t dump_page_size, struct cs_kmodel *out, struct cs_err *err)
{
	(void)dump_km;
	(void)dump_page_size;
	(void)out;
	return cs_dwarf_load(vmlinux, NULL, err);
}

cs_status cs_dwarf_vmcoreinfo_text(const char *vmlinux, char **text, size_t *len,
				   struct cs_err *err)
{
	*text = NULL;
	*len = 0;
	return cs_dwarf_load(vmlinux, NULL, err);
}

#else /* HAVE_LIBDW */

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>

#define UTS_LEN 65
#define MEMBER_DEPTH_MAX 32
#define SRCFILE_MAX 256

/* ---------------------------------------------------------------------------------------- */
/* What we look for. Type names are struct tags; a typedef of that name answers too. */

enum { T_page, T_mem_section, T_pglist_data, T_zone, T_free_area, T_list_head, T_node_memblk_s,
       T_nodemask_t, T_printk_log, T_log, T_printk_ringbuffer, T_prb_desc, T_printk_info,
       T_latched_seq, T_prb_desc_ring, T_prb_data_blk_lpos, T_prb_data_ring, T_atomic_long_t,
       T_dev_printk_info, T_vmemmap_backing, T_mmu_psize_def, T_vm_struct, T_vmap_area,
       T_uts_namespace, T_cpu_spec, T_folio, T_NR };

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
	[T_folio] = "folio",
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
	/* VMCOREINFO's names for the dev_printk_info arrays (kernel/printk/printk.c). */
	{KM_LEN_printk_info_subsystem, T_dev_printk_info, "subsystem"},
	{KM_LEN_printk_info_device, T_dev_printk_info, "device"},
};

/* ELF symbols (SYMBOL() fields) and the helpers that only need a symbol's location. */
enum { S_init_uts_ns_data = KM_NR_FIELDS, S_system_utsname_data, S_linux_banner, S_node_memblk,
       S_NR_EXTRA };

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

/* ---------------------------------------------------------------------------------------- */

struct sym_loc {
	bool found;
	uint64_t value;
	size_t shndx;
};

struct dw {
	const char *path;
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Elf *elf;
	Dwarf *dbg;
	GElf_Ehdr ehdr;
	/* first struct definition (with a size) and first typedef of each type name */
	Dwarf_Die type_die[T_NR];
	bool have_type[T_NR];
	Dwarf_Die typedef_die[T_NR];
	bool have_typedef[T_NR];
	Dwarf_Die pageflags_die;
	bool have_pageflags;
	Dwarf_Die pud_t_die;
	bool have_pud_t;
	/* variables: the first with a bounded array type, else the first at all */
	Dwarf_Die var_die[CS_ARRAY_SIZE(var_reqs)];
	int var_state[CS_ARRAY_SIZE(var_reqs)]; /* 0 none, 1 any, 2 bounded array */
	bool enum_found[NR_ENUM_REQS];
	int64_t enum_val[NR_ENUM_REQS];
	struct sym_loc syms[S_NR_EXTRA];
};

struct dwarf_result {
	struct cs_kmodel km;
	char srcfile_pud_t[SRCFILE_MAX];
};

static int no_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
			const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
			char **debuginfo_file_name)
{
	(void)mod, (void)userdata, (void)modname, (void)base, (void)file_name;
	(void)debuglink_file, (void)debuglink_crc, (void)debuginfo_file_name;
	/* -x names the file with the debug info: never search /usr/lib/debug for another. */
	return -1;
}

static const Dwfl_Callbacks dwfl_cb = {
	.find_debuginfo = no_debuginfo,
	.section_address = dwfl_offline_section_address,
};

static cs_status dw_open(struct dw *d, const char *path, struct cs_err *err)
{
	Dwarf_Addr bias;
	int fd;

	d->path = path;
	/* Open it ourselves first: libdwfl's messages do not say "No such file". */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cs_err_sys(err, errno, "cannot open the vmlinux '%s'", path);
	d->dwfl = dwfl_begin(&dwfl_cb);
	if (!d->dwfl) {
		close(fd);
		return cs_err_set(err, CS_ERR_NOMEM, "cannot start libdwfl: %s", dwfl_errmsg(-1));
	}
	/* dwfl_report_offline takes the fd on success; ET_REL objects get relocated. */
	d->mod = dwfl_report_offline(d->dwfl, "vmlinux", path, fd);
	if (!d->mod) {
		close(fd);
		return cs_err_set(err, CS_ERR_FORMAT, "'%s' is not an ELF file libdw can read: %s", path,
				  dwfl_errmsg(-1));
	}
	if (dwfl_report_end(d->dwfl, NULL, NULL) != 0)
		return cs_err_set(err, CS_ERR_FORMAT, "cannot read '%s': %s", path, dwfl_errmsg(-1));
	d->elf = dwfl_module_getelf(d->mod, &bias);
	if (!d->elf || !gelf_getehdr(d->elf, &d->ehdr))
		return cs_err_set(err, CS_ERR_FORMAT, "cannot read the ELF header of '%s': %s", path,
				  dwfl_errmsg(-1));
	d->dbg = dwfl_module_getdwarf(d->mod, &bias);
	if (!d->dbg)
		return cs_err_set(err, CS_ERR_FORMAT,
				  "'%s' has no DWARF debug information (use the vmlinux from the kernel's "
				  "-dbg / debuginfo package): %s", path, dwfl_errmsg(-1));
	return CS_OK;
}

static void dw_close(struct dw *d)
{
	if (d->dwfl)
		dwfl_end(d->dwfl);
}

/* ---------------------------------------------------------------------------------------- */
/* Name lookup: a small open hash over every name we want (built per load, on the stack). */

#define NAME_BUCKETS 512

enum name_kind { N_TYPE, N_VAR, N_SYM };

struct name_ent {
	const char *name;
	uint8_t kind;
	uint16_t index;
	int16_t next;
};

struct name_tab {
	int16_t head[NAME_BUCKETS];
	struct name_ent ent[T_NR + CS_ARRAY_SIZE(var_reqs) + CS_ARRAY_SIZE(sym_reqs)];
	int n;
};

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static void name_add(struct name_tab *t, const char *name, enum name_kind kind, int index)
{
	uint32_t b = name_hash(name) % NAME_BUCKETS;
	struct name_ent *e = &t->ent[t->n];

	e->name = name;
	e->kind = (uint8_t)kind;
	e->index = (uint16_t)index;
	e->next = t->head[b];
	t->head[b] = (int16_t)t->n++;
}

static void name_tab_init(struct name_tab *t)
{
	memset(t->head, 0xff, sizeof(t->head));
	t->n = 0;
	for (int i = 0; i < T_NR; i++)
		name_add(t, type_names[i], N_TYPE, i);
	for (size_t i = 0; i < CS_ARRAY_SIZE(var_reqs); i++)
		name_add(t, var_reqs[i].name, N_VAR, (int)i);
	for (size_t i = 0; i < CS_ARRAY_SIZE(sym_reqs); i++)
		name_add(t, sym_reqs[i].name, N_SYM, (int)i);
}

/* Index (into its request table) of the entry named `name` of `kind`, or -1. */
static int name_find(const struct name_tab *t, const char *name, enum name_kind kind)
{
	for (int i = t->head[name_hash(name) % NAME_BUCKETS]; i >= 0; i = t->ent[i].next)
		if (t->ent[i].kind == kind && strcmp(t->ent[i].name, name) == 0)
			return t->ent[i].index;
	return -1;
}

/* ---------------------------------------------------------------------------------------- */
/* DWARF helpers. */

static bool die_type(Dwarf_Die *die, Dwarf_Die *type)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(die, DW_AT_type, &a) && dwarf_formref_die(&a, type);
}

static bool is_aggregate(Dwarf_Die *die)
{
	int tag = dwarf_tag(die);

	return tag == DW_TAG_structure_type || tag == DW_TAG_union_type;
}

/* DW_AT_data_member_location: a constant (DWARF 3+) or a DW_OP_plus_uconst expression. */
static bool member_location(Dwarf_Die *die, int64_t *off)
{
	Dwarf_Attribute a;
	Dwarf_Word u;
	Dwarf_Op *ops;
	size_t nops;

	if (!dwarf_attr(die, DW_AT_data_member_location, &a))
		return false;
	switch (dwarf_whatform(&a)) {
	case DW_FORM_data1: case DW_FORM_data2: case DW_FORM_data4: case DW_FORM_data8:
	case DW_FORM_udata: case DW_FORM_sdata: case DW_FORM_implicit_const:
		if (dwarf_formudata(&a, &u) != 0)
			return false;
		*off = (int64_t)u;
		return true;
	default:
		if (dwarf_getlocation(&a, &ops, &nops) != 0 || nops < 1)
			return false;
		*off = (int64_t)ops[0].number;
		return true;
	}
}

/*
 * makedumpfile's search_member(): walk the members in order; a member whose
 * name differs and whose (immediate) type is a struct or union is searched
 * first, depth-first, adding its own offset when it has one; a member of a
 * union is at offset 0. Anonymous unions/structs of struct page work this way.
 */
static bool find_member(Dwarf_Die *agg, const char *member, int depth, int64_t *off)
{
	Dwarf_Die child, type;
	bool in_union = dwarf_tag(agg) == DW_TAG_union_type;

	if (depth > MEMBER_DEPTH_MAX || dwarf_child(agg, &child) != 0)
		return false;
	do {
		const char *name;

		if (dwarf_tag(&child) != DW_TAG_member)
			continue;
		name = dwarf_diename(&child);
		if (!name || strcmp(name, member) != 0) {
			int64_t sub, loc;

			if (die_type(&child, &type) && is_aggregate(&type) &&
			    find_member(&type, member, depth + 1, &sub)) {
				if (member_location(&child, &loc))
					sub += loc;
				*off = sub;
				return true;
			}
			continue;
		}
		if (in_union) {
			*off = 0;
			return true;
		}
		if (member_location(&child, off))
			return true;
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

/* makedumpfile's fallback for page.mapping: the offset of the first union member (+ 8). */
static bool first_union_offset(Dwarf_Die *agg, int depth, int64_t *off)
{
	Dwarf_Die child, type;

	if (depth > MEMBER_DEPTH_MAX || dwarf_child(agg, &child) != 0)
		return false;
	do {
		int64_t sub, loc;

		if (dwarf_tag(&child) != DW_TAG_member || !die_type(&child, &type))
			continue;
		if (dwarf_tag(&type) == DW_TAG_structure_type && first_union_offset(&type, depth + 1, &sub)) {
			if (member_location(&child, &loc))
				sub += loc;
			*off = sub;
			return true;
		}
		if (dwarf_tag(&type) == DW_TAG_union_type && member_location(&child, off))
			return true;
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

/* Length of the (first dimension of the) array type `type` (const peeled). */
static bool array_length(Dwarf_Die *type, uint64_t *len)
{
	Dwarf_Die t = *type, sub;
	Dwarf_Attribute a;
	Dwarf_Word u;

	while (dwarf_tag(&t) == DW_TAG_const_type || dwarf_tag(&t) == DW_TAG_volatile_type)
		if (!die_type(&t, &t))
			return false;
	if (dwarf_tag(&t) != DW_TAG_array_type || dwarf_child(&t, &sub) != 0)
		return false;
	do {
		if (dwarf_tag(&sub) != DW_TAG_subrange_type)
			continue;
		if (dwarf_attr(&sub, DW_AT_count, &a) && dwarf_formudata(&a, &u) == 0) {
			*len = u;
			return true;
		}
		if (dwarf_attr(&sub, DW_AT_upper_bound, &a) && dwarf_formudata(&a, &u) == 0) {
			*len = u + 1;
			return true;
		}
		return false;
	} while (dwarf_siblingof(&sub, &sub) == 0);
	return false;
}

/* The member's own DIE (same search as find_member) for its array length. */
static bool find_member_die(Dwarf_Die *agg, const char *member, int depth, Dwarf_Die *out)
{
	Dwarf_Die child, type;

	if (depth > MEMBER_DEPTH_MAX || dwarf_child(agg, &child) != 0)
		return false;
	do {
		const char *name;

		if (dwarf_tag(&child) != DW_TAG_member)
			continue;
		name = dwarf_diename(&child);
		if (!name || strcmp(name, member) != 0) {
			if (die_type(&child, &type) && is_aggregate(&type) &&
			    find_member_die(&type, member, depth + 1, out))
				return true;
			continue;
		}
		*out = child;
		return true;
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

/* The aggregate for type index t: the struct definition, else what its typedef names. */
static bool type_aggregate(struct dw *d, int t, Dwarf_Die *out)
{
	Dwarf_Die td;

	if (d->have_type[t]) {
		*out = d->type_die[t];
		return true;
	}
	if (!d->have_typedef[t] || !die_type(&d->typedef_die[t], &td))
		return false;
	if (dwarf_peel_type(&td, out) != 0 || !is_aggregate(out))
		return false;
	return true;
}

static bool enumerator_value(Dwarf_Die *e, int64_t *v)
{
	Dwarf_Attribute a;
	Dwarf_Word u;
	Dwarf_Sword s;

	if (!dwarf_attr(e, DW_AT_const_value, &a))
		return false;
	if (dwarf_whatform(&a) == DW_FORM_sdata || dwarf_whatform(&a) == DW_FORM_implicit_const) {
		if (dwarf_formsdata(&a, &s) != 0)
			return false;
		*v = s;
		return true;
	}
	if (dwarf_formudata(&a, &u) != 0)
		return false;
	*v = (int64_t)u;
	return true;
}

/* Enumerators of one enum against the "any enum" requests (first found wins). */
static void scan_enum_any(struct dw *d, Dwarf_Die *en)
{
	Dwarf_Die e;

	if (dwarf_child(en, &e) != 0)
		return;
	do {
		const char *name;

		if (dwarf_tag(&e) != DW_TAG_enumerator || !(name = dwarf_diename(&e)))
			continue;
		for (size_t i = 0; i < NR_ENUM_REQS; i++)
			if (!enum_reqs[i].enum_name && !d->enum_found[i] &&
			    strcmp(enum_reqs[i].name, name) == 0 && enumerator_value(&e, &d->enum_val[i]))
				d->enum_found[i] = true;
	} while (dwarf_siblingof(&e, &e) == 0);
}

static void scan_enum_named(struct dw *d, Dwarf_Die *en, const char *enum_name)
{
	Dwarf_Die e;

	if (dwarf_child(en, &e) != 0)
		return;
	do {
		const char *name;

		if (dwarf_tag(&e) != DW_TAG_enumerator || !(name = dwarf_diename(&e)))
			continue;
		for (size_t i = 0; i < NR_ENUM_REQS; i++)
			if (enum_reqs[i].enum_name && !strcmp(enum_reqs[i].enum_name, enum_name) &&
			    !d->enum_found[i] && strcmp(enum_reqs[i].name, name) == 0 &&
			    enumerator_value(&e, &d->enum_val[i]))
				d->enum_found[i] = true;
	} while (dwarf_siblingof(&e, &e) == 0);
}

static bool any_enum_pending(const struct dw *d)
{
	for (size_t i = 0; i < NR_ENUM_REQS; i++)
		if (!enum_reqs[i].enum_name && !d->enum_found[i])
			return true;
	return false;
}

/*
 * One pass over the top-level DIEs of every compilation unit: the first
 * struct definition of each wanted type, typedefs, enum pageflags, the
 * wanted enumerators and variables. (makedumpfile re-walks all the DWARF for
 * every key; kernel types are top-level DIEs in C.)
 */
static cs_status scan_dwarf(struct dw *d, const struct name_tab *nt, struct cs_err *err)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	bool enums_pending = true;
	unsigned nunits = 0;

	while (dwarf_nextcu(d->dbg, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;

		if (!dwarf_offdie(d->dbg, off + hsize, &cu)) {
			off = next;
			continue;
		}
		off = next;
		nunits++;
		if (dwarf_child(&cu, &die) != 0)
			continue;
		do {
			int tag = dwarf_tag(&die), idx;
			const char *name = dwarf_diename(&die);

			switch (tag) {
			case DW_TAG_structure_type:
				if (!name || (idx = name_find(nt, name, N_TYPE)) < 0 || d->have_type[idx])
					break;
				if (dwarf_hasattr(&die, DW_AT_declaration) || dwarf_bytesize(&die) <= 0)
					break;
				d->type_die[idx] = die;
				d->have_type[idx] = true;
				break;
			case DW_TAG_typedef:
				if (!name)
					break;
				if (!d->have_pud_t && strcmp(name, "pud_t") == 0) {
					d->pud_t_die = die;
					d->have_pud_t = true;
				}
				if ((idx = name_find(nt, name, N_TYPE)) >= 0 && !d->have_typedef[idx]) {
					d->typedef_die[idx] = die;
					d->have_typedef[idx] = true;
				}
				break;
			case DW_TAG_enumeration_type:
				if (name && !d->have_pageflags && strcmp(name, "pageflags") == 0 &&
				    dwarf_haschildren(&die)) {
					d->pageflags_die = die;
					d->have_pageflags = true;
					scan_enum_named(d, &die, "pageflags");
				}
				if (enums_pending) {
					scan_enum_any(d, &die);
					enums_pending = any_enum_pending(d);
				}
				break;
			case DW_TAG_variable: {
				Dwarf_Die type;
				uint64_t len;
				int state;

				if (!name || (idx = name_find(nt, name, N_VAR)) < 0 || d->var_state[idx] == 2)
					break;
				state = (die_type(&die, &type) && array_length(&type, &len)) ? 2 : 1;
				if (state > d->var_state[idx]) {
					d->var_die[idx] = die;
					d->var_state[idx] = state;
				}
				break;
			}
			default:
				break;
			}
		} while (dwarf_siblingof(&die, &die) == 0);
	}
	if (nunits == 0)
		return cs_err_set(err, CS_ERR_FORMAT, "'%s' has no DWARF compilation units", d->path);
	return CS_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* ELF symbols. */

static cs_status scan_symbols(struct dw *d, const struct name_tab *nt, struct cs_err *err)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(d->elf, scn)) != NULL)
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			break;
	if (!scn)
		return cs_err_set(err, CS_ERR_FORMAT, "'%s' has no symbol table (.symtab)", d->path);
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || sh.sh_entsize == 0)
		return cs_err_set(err, CS_ERR_FORMAT, "cannot read the symbol table of '%s'", d->path);
	size_t n = sh.sh_size / sh.sh_entsize;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *name;
		int idx;

		if (!gelf_getsym(data, (int)i, &sym) || sym.st_name == 0)
			continue;
		name = elf_strptr(d->elf, sh.sh_link, sym.st_name);
		if (!name || (idx = name_find(nt, name, N_SYM)) < 0)
			continue;
		int id = sym_reqs[idx].id;
		/* First symbol of that name wins, as in makedumpfile's get_symbol_addr(). */
		if (d->syms[id].found)
			continue;
		d->syms[id].found = true;
		d->syms[id].value = sym.st_value;
		d->syms[id].shndx = sym.st_shndx;
	}
	return CS_OK;
}

/* Copy len bytes of the file's data at symbol-relative position (shndx, value + add). */
static bool read_sym_bytes(struct dw *d, const struct sym_loc *s, uint64_t add, void *buf, size_t len)
{
	Elf_Scn *scn;
	GElf_Shdr sh;
	Elf_Data *data;
	uint64_t off;

	if (!s->found || s->shndx == SHN_UNDEF || s->shndx >= SHN_LORESERVE ||
	    !(scn = elf_getscn(d->elf, s->shndx)) || !gelf_getshdr(scn, &sh) ||
	    sh.sh_type == SHT_NOBITS)
		return false;
	/* ET_REL symbol values are section offsets; otherwise addresses. */
	off = d->ehdr.e_type == ET_REL ? s->value : s->value - sh.sh_addr;
	off += add;
	if (d->ehdr.e_type != ET_REL && s->value < sh.sh_addr)
		return false;
	data = elf_rawdata(scn, NULL);
	if (!data || !data->d_buf || off > data->d_size || len > data->d_size - off)
		return false;
	memcpy(buf, (const char *)data->d_buf + off, len);
	return true;
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
static void read_osrelease(struct dw *d, struct cs_kmodel *km)
{
	char rel[UTS_LEN];
	const struct sym_loc *s;
	uint64_t base;

	km->osrelease[0] = '\0';
	if (d->syms[KM_SYM_system_utsname].found) {
		s = &d->syms[KM_SYM_system_utsname];
		base = 0;
	} else {
		s = &d->syms[KM_SYM_init_uts_ns];
		base = cs_km_has(km, KM_OFF_uts_namespace_name) ? cs_km_get(km, KM_OFF_uts_namespace_name)
								 : 4;
	}
	/* struct new_utsname: sysname[65], nodename[65], release[65], ... */
	if (read_sym_bytes(d, s, base + 2 * UTS_LEN, rel, sizeof(rel)) && rel[0]) {
		copy_release(km->osrelease, rel, sizeof(rel));
		return;
	}
	/* "Linux version 6.1.0-56-amd64 (debian-kernel@...) ..." */
	char banner[160];
	static const char pfx[] = "Linux version ";
	if (read_sym_bytes(d, &d->syms[S_linux_banner], 0, banner, sizeof(banner)) &&
	    memcmp(banner, pfx, sizeof(pfx) - 1) == 0) {
		const char *p = banner + sizeof(pfx) - 1;
		size_t n = 0;

		while (n < sizeof(banner) - sizeof(pfx) && p[n] && p[n] != ' ')
			n++;
		copy_release(km->osrelease, p, n);
	}
}

/* ---------------------------------------------------------------------------------------- */

static void set_if(struct cs_kmodel *km, enum cs_km_id id, bool ok, uint64_t v)
{
	if (ok)
		cs_km_set(km, id, v);
}

static cs_status load(const char *path, struct dwarf_result *res, struct cs_err *err)
{
	struct dw *d;
	struct name_tab *nt;
	struct cs_kmodel *km = &res->km;
	cs_status st;

	d = calloc(1, sizeof(*d));
	nt = malloc(sizeof(*nt));
	if (!d || !nt) {
		free(d);
		free(nt);
		return cs_err_set(err, CS_ERR_NOMEM, "cannot allocate the DWARF reader");
	}
	name_tab_init(nt);
	if ((st = dw_open(d, path, err)) != CS_OK || (st = scan_symbols(d, nt, err)) != CS_OK ||
	    (st = scan_dwarf(d, nt, err)) != CS_OK)
		goto out;

	for (size_t i = 0; i < CS_ARRAY_SIZE(sym_reqs); i++) {
		int id = sym_reqs[i].id;

		/* Address 0 is makedumpfile's NOT_FOUND_SYMBOL. */
		if (id < KM_NR_FIELDS && d->syms[id].found && d->syms[id].value)
			cs_km_set(km, (enum cs_km_id)id, d->syms[id].value);
	}
	for (size_t i = 0; i < CS_ARRAY_SIZE(size_reqs); i++) {
		Dwarf_Die agg;
		Dwarf_Word sz;

		if (type_aggregate(d, size_reqs[i].type, &agg) && dwarf_aggregate_size(&agg, &sz) == 0 &&
		    sz > 0)
			cs_km_set(km, size_reqs[i].id, sz);
	}
	if (d->have_pageflags) {
		int sz = dwarf_bytesize(&d->pageflags_die);
		set_if(km, KM_SIZE_pageflags, sz > 0, (uint64_t)sz);
	}
	for (size_t i = 0; i < CS_ARRAY_SIZE(offset_reqs); i++) {
		Dwarf_Die agg;
		int64_t off;

		if (type_aggregate(d, offset_reqs[i].type, &agg) &&
		    find_member(&agg, offset_reqs[i].member, 0, &off) && off >= 0)
			cs_km_set(km, offset_reqs[i].id, (uint64_t)off);
	}
	if (!cs_km_has(km, KM_OFF_page_mapping)) {
		/* Some vmlinux lack page.mapping's name: it follows private in the first union. */
		Dwarf_Die agg;
		int64_t off;

		if (type_aggregate(d, T_page, &agg) && first_union_offset(&agg, 0, &off) && off >= 0)
			cs_km_set(km, KM_OFF_page_mapping, (uint64_t)off + 8);
	}
	for (size_t i = 0; i < CS_ARRAY_SIZE(member_len_reqs); i++) {
		Dwarf_Die agg, mem, type;
		uint64_t len;

		if (type_aggregate(d, member_len_reqs[i].type, &agg) &&
		    find_member_die(&agg, member_len_reqs[i].member, 0, &mem) && die_type(&mem, &type) &&
		    array_length(&type, &len))
			cs_km_set(km, member_len_reqs[i].id, len);
	}
	for (size_t i = 0; i < CS_ARRAY_SIZE(var_reqs); i++) {
		Dwarf_Die type;
		uint64_t len;

		if (d->var_state[i] == 2 && die_type(&d->var_die[i], &type) && array_length(&type, &len))
			cs_km_set(km, var_reqs[i].id, len);
	}
	/* LENGTH(node_memblk) is written only with its symbol (makedumpfile). */
	if (!d->syms[S_node_memblk].found)
		km->have[KM_LEN_node_memblk] = 0;
	for (size_t i = 0; i < NR_ENUM_REQS; i++) {
		int id = (int)enum_reqs[i].id;

		if (id < KM_NR_FIELDS && d->enum_found[i])
			cs_km_set(km, (enum cs_km_id)id, (uint64_t)d->enum_val[i]);
	}
	if (!cs_km_has(km, KM_NUM_PG_head_mask)) {
		/* NUMBER(PG_head_mask) = 1 << PG_head (PG_compound before 2.6.26). */
		for (size_t i = 0; i < NR_ENUM_REQS; i++) {
			int id = (int)enum_reqs[i].id;

			if ((id == E_PG_head || id == E_PG_compound) && d->enum_found[i] &&
			    d->enum_val[i] >= 0 && d->enum_val[i] < 63) {
				cs_km_set(km, KM_NUM_PG_head_mask, 1ull << d->enum_val[i]);
				break;
			}
		}
	}
	/* An arch with one page size says it (core/arch/); elsewhere makedumpfile -g takes this machine's. */
	{
		const struct cs_arch_info *arch = cs_arch_find(d->ehdr.e_machine);
		uint32_t mask = arch ? arch->page_size_mask : 0;

		cs_km_set(km, KM_PAGESIZE, mask && !(mask & (mask - 1)) ? mask : (uint64_t)sysconf(_SC_PAGESIZE));
	}
	read_osrelease(d, km);
	res->srcfile_pud_t[0] = '\0';
	if (d->have_pud_t) {
		const char *f = dwarf_decl_file(&d->pud_t_die);

		if (f)
			snprintf(res->srcfile_pud_t, sizeof(res->srcfile_pud_t), "%s", f);
	}
out:
	dw_close(d);
	free(d);
	free(nt);
	return st;
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
	for (int i = 0; i < KM_NR_FIELDS; i++)
		if (km->have[i] && cs_km_kind_of((enum cs_km_id)i) == KM_SYM)
			km->val[i] += koff;
	if (koff)
		cs_km_set(km, KM_KERNELOFFSET, koff);
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

/* ---------------------------------------------------------------------------------------- */
/* -g: makedumpfile 1.7.2's write_vmcoreinfo_data() order, then our extra keys. */

struct text {
	char *buf;
	size_t len, cap;
	bool oom;
};

__attribute__((format(printf, 2, 3))) static void tx(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->oom = true;
			return;
		}
		if ((size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		size_t ncap = (t->cap + (size_t)n + 1) * 2;
		char *nb = realloc(t->buf, ncap);
		if (!nb) {
			t->oom = true;
			return;
		}
		t->buf = nb;
		t->cap = ncap;
	}
}

static void tx_key(struct text *t, const struct cs_kmodel *km, enum cs_km_id id, uint8_t *written)
{
	if (!cs_km_has(km, id) || written[id])
		return;
	written[id] = 1;
	if (cs_km_kind_of(id) == KM_SYM || cs_km_kind_of(id) == KM_HEX)
		tx(t, "%s=%" PRIx64 "\n", cs_km_key(id), cs_km_get(km, id));
	else
		tx(t, "%s=%" PRId64 "\n", cs_km_key(id), (int64_t)cs_km_get(km, id));
}

static const enum cs_km_id g_symbols[] = {
	KM_SYM_mem_map, KM_SYM_vmem_map, KM_SYM_mem_section, KM_SYM_pkmap_count,
	KM_SYM_pkmap_count_next, KM_SYM_system_utsname, KM_SYM_init_uts_ns, KM_SYM__stext,
	KM_SYM_swapper_pg_dir, KM_SYM_init_level4_pgt, KM_SYM_level4_kernel_pgt, KM_SYM_init_top_pgt,
	KM_SYM_vmlist, KM_SYM_vmap_area_list, KM_SYM_node_online_map, KM_SYM_node_states,
	KM_SYM_node_data, KM_SYM_pgdat_list, KM_SYM_contig_page_data, KM_SYM_prb, KM_SYM_clear_seq,
	KM_SYM_log_buf, KM_SYM_log_buf_len, KM_SYM_log_end, KM_SYM_log_first_idx, KM_SYM_clear_idx,
	KM_SYM_log_next_idx, KM_SYM_max_pfn, KM_SYM_high_memory, KM_SYM_node_remap_start_vaddr,
	KM_SYM_node_remap_end_vaddr, KM_SYM_node_remap_start_pfn, KM_SYM_vmemmap_list,
	KM_SYM_mmu_psize_defs, KM_SYM_mmu_vmemmap_psize, KM_SYM_cpu_pgd, KM_SYM_demote_segment_4k,
	KM_SYM_cur_cpu_spec, KM_SYM_free_huge_page,
};
static const enum cs_km_id g_sizes[] = {
	KM_SIZE_page, KM_SIZE_mem_section, KM_SIZE_pglist_data, KM_SIZE_zone, KM_SIZE_free_area,
	KM_SIZE_list_head, KM_SIZE_node_memblk_s, KM_SIZE_nodemask_t,
};
static const enum cs_km_id g_sizes_prb[] = {
	KM_SIZE_printk_ringbuffer, KM_SIZE_prb_desc, KM_SIZE_printk_info, KM_SIZE_latched_seq,
};
static const enum cs_km_id g_sizes_tail[] = {KM_SIZE_vmemmap_backing, KM_SIZE_mmu_psize_def};
static const enum cs_km_id g_offsets[] = {
	KM_OFF_page_mapping, KM_OFF_page_lru, KM_OFF_page__mapcount, KM_OFF_page_private,
	KM_OFF_page_compound_dtor, KM_OFF_page_compound_order, KM_OFF_page_compound_head,
	KM_OFF_mem_section_section_mem_map, KM_OFF_pglist_data_node_zones,
	KM_OFF_pglist_data_nr_zones, KM_OFF_pglist_data_node_mem_map,
	KM_OFF_pglist_data_node_start_pfn, KM_OFF_pglist_data_node_spanned_pages,
	KM_OFF_pglist_data_pgdat_next, KM_OFF_zone_free_pages, KM_OFF_zone_free_area,
	KM_OFF_zone_vm_stat, KM_OFF_zone_spanned_pages, KM_OFF_free_area_free_list,
	KM_OFF_list_head_next, KM_OFF_list_head_prev, KM_OFF_node_memblk_s_start_paddr,
	KM_OFF_node_memblk_s_size, KM_OFF_node_memblk_s_nid, KM_OFF_vm_struct_addr,
	KM_OFF_vmap_area_va_start, KM_OFF_vmap_area_list,
};
static const enum cs_km_id g_offsets_prb[] = {
	KM_OFF_printk_ringbuffer_desc_ring, KM_OFF_printk_ringbuffer_text_data_ring,
	KM_OFF_prb_desc_ring_count_bits, KM_OFF_prb_desc_ring_descs, KM_OFF_prb_desc_ring_infos,
	KM_OFF_prb_desc_ring_head_id, KM_OFF_prb_desc_ring_tail_id, KM_OFF_prb_desc_state_var,
	KM_OFF_prb_desc_text_blk_lpos, KM_OFF_prb_data_blk_lpos_begin, KM_OFF_prb_data_blk_lpos_next,
	KM_OFF_prb_data_ring_size_bits, KM_OFF_prb_data_ring_data, KM_OFF_printk_info_ts_nsec,
	KM_OFF_printk_info_text_len, KM_OFF_atomic_long_t_counter, KM_OFF_latched_seq_val,
};
static const enum cs_km_id g_offsets_printk_log[] = {
	KM_OFF_printk_log_ts_nsec, KM_OFF_printk_log_len, KM_OFF_printk_log_text_len,
};
static const enum cs_km_id g_offsets_log[] = {KM_OFF_log_ts_nsec, KM_OFF_log_len, KM_OFF_log_text_len};
static const enum cs_km_id g_offsets_tail[] = {
	KM_OFF_vmemmap_backing_phys, KM_OFF_vmemmap_backing_virt_addr, KM_OFF_vmemmap_backing_list,
	KM_OFF_mmu_psize_def_shift, KM_OFF_cpu_spec_mmu_features, KM_OFF_uts_namespace_name,
};
static const enum cs_km_id g_lengths[] = {
	KM_LEN_node_data, KM_LEN_pgdat_list, KM_LEN_mem_section, KM_LEN_node_memblk,
	KM_LEN_node_remap_start_pfn, KM_LEN_zone_free_area, KM_LEN_free_area_free_list,
};
static const enum cs_km_id g_numbers[] = {
	KM_NUM_NR_FREE_PAGES, KM_NUM_N_ONLINE, KM_NUM_pgtable_l5_enabled, KM_NUM_sme_mask,
	KM_NUM_PG_lru, KM_NUM_PG_private, KM_NUM_PG_head_mask, KM_NUM_PG_swapcache,
	KM_NUM_PG_swapbacked, KM_NUM_PG_buddy, KM_NUM_PG_slab, KM_NUM_PG_hwpoison,
	KM_NUM_PAGE_BUDDY_MAPCOUNT_VALUE, KM_NUM_PAGE_OFFLINE_MAPCOUNT_VALUE, KM_NUM_phys_base,
	KM_NUM_KERNEL_IMAGE_SIZE, KM_NUM_HUGETLB_PAGE_DTOR,
};

#define TX_LIST(t, km, list, w)                                                \
	do {                                                                   \
		for (size_t i_ = 0; i_ < CS_ARRAY_SIZE(list); i_++)             \
			tx_key((t), (km), (list)[i_], (w));                     \
	} while (0)

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
	struct text t = {0};
	uint8_t written[KM_NR_FIELDS];
	const struct cs_kmodel *km;
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
	memset(written, 0, sizeof(written));
	tx(&t, "OSRELEASE=%s\n", km->osrelease);
	tx(&t, "PAGESIZE=%" PRIu64 "\n", cs_km_get(km, KM_PAGESIZE));
	written[KM_PAGESIZE] = 1;
	TX_LIST(&t, km, g_symbols, written);
	TX_LIST(&t, km, g_sizes, written);
	if (cs_km_has(km, KM_SIZE_printk_ringbuffer))
		TX_LIST(&t, km, g_sizes_prb, written);
	else if (cs_km_has(km, KM_SIZE_printk_log))
		tx_key(&t, km, KM_SIZE_printk_log, written);
	else
		tx_key(&t, km, KM_SIZE_log, written);
	TX_LIST(&t, km, g_sizes_tail, written);
	tx_key(&t, km, KM_OFF_page_flags, written);
	/* "page._count" before 4.6 (commit 0139aa7b7fa1 renamed it _refcount). */
	if (cs_km_has(km, KM_OFF_page__refcount))
		tx_key(&t, km, KM_OFF_page__refcount, written);
	else
		tx_key(&t, km, KM_OFF_page__count, written);
	TX_LIST(&t, km, g_offsets, written);
	if (cs_km_has(km, KM_SIZE_printk_ringbuffer))
		TX_LIST(&t, km, g_offsets_prb, written);
	else if (cs_km_has(km, KM_SIZE_printk_log))
		TX_LIST(&t, km, g_offsets_printk_log, written);
	else
		TX_LIST(&t, km, g_offsets_log, written);
	TX_LIST(&t, km, g_offsets_tail, written);
	for (size_t i = 0; i < CS_ARRAY_SIZE(g_lengths); i++) {
		enum cs_km_id id = g_lengths[i];

		/* Variable lengths only with their symbol (node_memblk: checked at load). */
		if ((id == KM_LEN_node_data && !cs_km_has(km, KM_SYM_node_data)) ||
		    (id == KM_LEN_pgdat_list && !cs_km_has(km, KM_SYM_pgdat_list)) ||
		    (id == KM_LEN_mem_section && !cs_km_has(km, KM_SYM_mem_section)) ||
		    (id == KM_LEN_node_remap_start_pfn && !cs_km_has(km, KM_SYM_node_remap_start_pfn)))
			continue;
		tx_key(&t, km, id, written);
	}
	TX_LIST(&t, km, g_numbers, written);
	if (res->srcfile_pud_t[0])
		tx(&t, "SRCFILE(pud_t)=%s\n", res->srcfile_pud_t);
	/* Keys makedumpfile 1.7.2 does not write but this model (and newer VMCOREINFO) has. */
	for (int i = 0; i < KM_NR_FIELDS; i++)
		tx_key(&t, km, (enum cs_km_id)i, written);
	if (t.oom) {
		st = cs_err_set(err, CS_ERR_NOMEM, "cannot format the VMCOREINFO text");
		goto out;
	}
	*text = t.buf;
	*len = t.len;
	t.buf = NULL;
out:
	free(t.buf);
	free(res);
	return st;
}

#endif /* HAVE_LIBDW */
