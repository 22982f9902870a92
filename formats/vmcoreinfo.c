/* formats/vmcoreinfo.c: VMCOREINFO text both ways: parse it into the typed kernel model, and write it (-g). */
#include "formats/vmcoreinfo.h"
#include "core/io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A -i file is a few KiB of text; anything far bigger is not a VMCOREINFO file. */
#define VMCOREINFO_FILE_MAX (16u << 20)
#define VALUE_MAX 63 /* longest value text we parse (a 64-bit number in any base fits) */

static bool parse_u64(const char *s, int base, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ' || *s == '\t')
		return false;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static bool parse_s64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!*s || *s == ' ' || *s == '\t' || *s == '+')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

/*
 * Decimal with makedumpfile's hex fallback (read_vmcoreinfo_long: strtol base
 * 10, and base 16 if that leaves junk). `sign` allows a leading '-'.
 */
static bool parse_dec(const char *s, bool sign, uint64_t *out)
{
	int64_t sv;

	if (sign && parse_s64(s, &sv)) {
		*out = (uint64_t)sv;
		return true;
	}
	if (parse_u64(s, 10, out))
		return true;
	return parse_u64(s, 16, out);
}

static bool is_pg_bit(enum cs_km_id id)
{
	switch (id) {
	case KM_NUM_PG_lru: case KM_NUM_PG_private: case KM_NUM_PG_swapcache:
	case KM_NUM_PG_swapbacked: case KM_NUM_PG_slab: case KM_NUM_PG_buddy:
	case KM_NUM_PG_hwpoison: case KM_NUM_PG_hugetlb:
		return true;
	default:
		return false;
	}
}

/* Per-field plausibility: a value outside these bounds is data we must not trust. */
static bool plausible(enum cs_km_id id, uint64_t v)
{
	const char *key = cs_km_key(id);

	switch (id) {
	case KM_PAGESIZE:
		return v >= 512 && v <= 65536 && (v & (v - 1)) == 0;
	case KM_SIZE_page:
		/* struct page holds longs and pointers: its size is a multiple of 4 (8 on 64-bit). */
		return v >= 8 && v <= 1024 && v % 4 == 0;
	case KM_NUM_SECTION_SIZE_BITS:
	case KM_NUM_MAX_PHYSMEM_BITS:
		return v >= 1 && v <= 64;
	case KM_NUM_pgtable_l5_enabled:
		return v <= 1;
	case KM_NUM_PG_head_mask:
		return v != 0;
	default:
		break;
	}
	if (is_pg_bit(id))
		return v <= 63;
	switch (cs_km_kind_of(id)) {
	case KM_SYM:
		return v != 0 && v != UINT64_MAX;
	case KM_DEC:
		if (!strncmp(key, "SIZE(", 5) || !strncmp(key, "OFFSET(", 7))
			return v <= (16u << 20);
		if (!strncmp(key, "LENGTH(", 7))
			return v <= UINT32_MAX;
		return true;
	default:
		return true;
	}
}

static void note_rejected(struct cs_vmcoreinfo_stats *st, const char *line, size_t len)
{
	st->rejected++;
	if (st->rejected == 1) {
		size_t n = CS_MIN(len, sizeof(st->first_rejected) - 1);
		memcpy(st->first_rejected, line, n);
		st->first_rejected[n] = '\0';
	}
}

static void parse_line(const char *line, size_t len, struct cs_kmodel *km,
		       struct cs_vmcoreinfo_stats *st)
{
	const char *eq = memchr(line, '=', len);
	size_t klen, vlen;
	char val[VALUE_MAX + 1];
	uint64_t v;
	int id;
	bool good;

	if (!eq || eq == line) {
		st->malformed++;
		return;
	}
	klen = (size_t)(eq - line);
	vlen = len - klen - 1;
	if (klen == 9 && !memcmp(line, "OSRELEASE", 9)) {
		if (km->osrelease[0]) {
			st->duplicates++;
		} else if (vlen == 0 || vlen >= CS_OSRELEASE_MAX) {
			note_rejected(st, line, len);
		} else {
			memcpy(km->osrelease, eq + 1, vlen);
			km->osrelease[vlen] = '\0';
			st->stored++;
		}
		return;
	}
	id = cs_km_lookup(line, klen);
	if (id < 0) {
		st->unknown++;
		return;
	}
	if (km->have[id]) {
		st->duplicates++;
		return;
	}
	if (vlen == 0 || vlen > VALUE_MAX) {
		note_rejected(st, line, len);
		return;
	}
	memcpy(val, eq + 1, vlen);
	val[vlen] = '\0';
	switch (cs_km_kind_of((enum cs_km_id)id)) {
	case KM_SYM:
		good = parse_u64(val, 16, &v);
		break;
	case KM_HEX:
		good = parse_u64(val, 16, &v);
		break;
	case KM_NUM:
		good = parse_dec(val, true, &v);
		break;
	case KM_DEC:
	default:
		good = parse_dec(val, false, &v);
		break;
	}
	if (!good || !plausible((enum cs_km_id)id, v)) {
		note_rejected(st, line, len);
		return;
	}
	cs_km_set(km, (enum cs_km_id)id, v);
	st->stored++;
}

/* Offsets into struct page must lie inside it (once both are known). */
static void check_page_offsets(struct cs_kmodel *km, struct cs_vmcoreinfo_stats *st)
{
	static const enum cs_km_id page_offs[] = {
		KM_OFF_page_flags, KM_OFF_page__refcount, KM_OFF_page__count,
		KM_OFF_page_mapping, KM_OFF_page_lru, KM_OFF_page__mapcount,
		KM_OFF_page_private, KM_OFF_page_compound_dtor, KM_OFF_page_compound_order,
		KM_OFF_page_compound_head, KM_OFF_page_compound_info,
	};

	if (!cs_km_has(km, KM_SIZE_page))
		return;
	for (size_t i = 0; i < CS_ARRAY_SIZE(page_offs); i++) {
		enum cs_km_id id = page_offs[i];
		if (cs_km_has(km, id) && cs_km_get(km, id) >= cs_km_get(km, KM_SIZE_page)) {
			char line[80];
			int n = snprintf(line, sizeof(line), "%s=%" PRIu64, cs_km_key(id),
					 cs_km_get(km, id));
			note_rejected(st, line, (size_t)CS_MAX(n, 0));
			km->have[id] = 0;
			km->val[id] = 0;
			st->stored--;
		}
	}
}

void cs_vmcoreinfo_parse(const char *text, size_t len, struct cs_kmodel *km,
			 struct cs_vmcoreinfo_stats *st)
{
	struct cs_vmcoreinfo_stats local;
	size_t pos = 0;

	if (!st)
		st = &local;
	memset(st, 0, sizeof(*st));
	if (!text)
		return;
	len = strnlen(text, len);
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - line) : len - pos;

		pos += llen + (nl ? 1 : 0);
		/* Tolerate CRLF and trailing blanks (hand-edited -i files). */
		while (llen && (line[llen - 1] == '\r' || line[llen - 1] == ' ' ||
				line[llen - 1] == '\t'))
			llen--;
		if (!llen)
			continue;
		st->lines++;
		parse_line(line, llen, km, st);
	}
	check_page_offsets(km, st);
}

cs_status cs_vmcoreinfo_load_file(const char *path, struct cs_kmodel *km, struct cs_err *err)
{
	struct cs_kmodel *fresh;
	struct stat stb;
	char *text = NULL;
	size_t got = 0;
	bool dump_has_koff = cs_km_has(km, KM_KERNELOFFSET);
	uint64_t koff = cs_km_get(km, KM_KERNELOFFSET);
	cs_status st = CS_OK;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cs_err_sys(err, errno, "cannot open VMCOREINFO file '%s'", path);
	if (fstat(fd, &stb) < 0) {
		st = cs_err_sys(err, errno, "cannot stat VMCOREINFO file '%s'", path);
		goto out;
	}
	if (!S_ISREG(stb.st_mode) || stb.st_size > (off_t)VMCOREINFO_FILE_MAX) {
		st = cs_err_set(err, CS_ERR_FORMAT,
				"'%s' is not a VMCOREINFO text file (not a regular file of at most %u bytes)",
				path, VMCOREINFO_FILE_MAX);
		goto out;
	}
	text = malloc((size_t)stb.st_size + 1);
	fresh = calloc(1, sizeof(*fresh));
	if (!text || !fresh) {
		free(fresh);
		st = cs_err_set(err, CS_ERR_NOMEM, "cannot read VMCOREINFO file '%s'", path);
		goto out;
	}
	if ((st = cs_pread_some(fd, path, text, (size_t)stb.st_size, 0, &got, err)) != CS_OK) {
		free(fresh);
		cs_err_ctx(err, "VMCOREINFO file");
		goto out;
	}
	cs_vmcoreinfo_parse(text, got, fresh, NULL);
	if (!fresh->osrelease[0] && !cs_km_has(fresh, KM_PAGESIZE)) {
		free(fresh);
		st = cs_err_set(err, CS_ERR_FORMAT,
				"'%s' is not a VMCOREINFO file (no OSRELEASE= or PAGESIZE= line)", path);
		goto out;
	}
	if (dump_has_koff) {
		cs_km_relocate(fresh, koff);
		cs_km_set(fresh, KM_KERNELOFFSET, koff);
	}
	*km = *fresh;
	free(fresh);
out:
	free(text);
	close(fd);
	return st;
}

static size_t append(char *buf, size_t size, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t append(char *buf, size_t size, size_t pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(pos < size ? buf + pos : NULL, pos < size ? size - pos : 0, fmt, ap);
	va_end(ap);
	return pos + (n > 0 ? (size_t)n : 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Writing: makedumpfile 1.7.2's write_vmcoreinfo_data() order (its -g), then our extra keys. */

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

/* One key as -g writes it, unless absent or already written. */
static size_t format_key(const struct cs_kmodel *km, enum cs_km_id id, uint8_t *written, char *buf,
			 size_t size, size_t pos)
{
	uint64_t v = cs_km_get(km, id);

	if (!cs_km_has(km, id) || written[id])
		return pos;
	written[id] = 1;
	switch (cs_km_kind_of(id)) {
	case KM_SYM:
	case KM_HEX:
		return append(buf, size, pos, "%s=%" PRIx64 "\n", cs_km_key(id), v);
	case KM_NUM:
		return append(buf, size, pos, "%s=%" PRId64 "\n", cs_km_key(id), (int64_t)v);
	case KM_DEC:
	default:
		return append(buf, size, pos, "%s=%" PRIu64 "\n", cs_km_key(id), v);
	}
}

static size_t format_list(const struct cs_kmodel *km, const enum cs_km_id *ids, size_t n,
			  uint8_t *written, char *buf, size_t size, size_t pos)
{
	for (size_t i = 0; i < n; i++)
		pos = format_key(km, ids[i], written, buf, size, pos);
	return pos;
}

#define FORMAT_LIST(list) format_list(km, (list), CS_ARRAY_SIZE(list), written, buf, size, pos)
#define FORMAT_KEY(id) format_key(km, (id), written, buf, size, pos)

size_t cs_vmcoreinfo_format(const struct cs_kmodel *km, const char *srcfile_pud_t, char *buf,
			    size_t size)
{
	uint8_t written[KM_NR_FIELDS] = {0};
	bool prb = cs_km_has(km, KM_SIZE_printk_ringbuffer);
	bool printk_log = cs_km_has(km, KM_SIZE_printk_log);
	size_t pos = 0;

	if (size)
		buf[0] = '\0';
	if (km->osrelease[0])
		pos = append(buf, size, pos, "OSRELEASE=%s\n", km->osrelease);
	pos = FORMAT_KEY(KM_PAGESIZE);
	pos = FORMAT_LIST(g_symbols);
	pos = FORMAT_LIST(g_sizes);
	if (prb)
		pos = FORMAT_LIST(g_sizes_prb);
	else
		pos = FORMAT_KEY(printk_log ? KM_SIZE_printk_log : KM_SIZE_log);
	pos = FORMAT_LIST(g_sizes_tail);
	pos = FORMAT_KEY(KM_OFF_page_flags);
	/* "page._count" before 4.6 (commit 0139aa7b7fa1 renamed it _refcount). */
	pos = FORMAT_KEY(cs_km_has(km, KM_OFF_page__refcount) ? KM_OFF_page__refcount
							     : KM_OFF_page__count);
	pos = FORMAT_LIST(g_offsets);
	if (prb)
		pos = FORMAT_LIST(g_offsets_prb);
	else if (printk_log)
		pos = FORMAT_LIST(g_offsets_printk_log);
	else
		pos = FORMAT_LIST(g_offsets_log);
	pos = FORMAT_LIST(g_offsets_tail);
	for (size_t i = 0; i < CS_ARRAY_SIZE(g_lengths); i++) {
		enum cs_km_id id = g_lengths[i];

		/* Variable lengths only with their symbol here (they may still come at the end). */
		if ((id == KM_LEN_node_data && !cs_km_has(km, KM_SYM_node_data)) ||
		    (id == KM_LEN_pgdat_list && !cs_km_has(km, KM_SYM_pgdat_list)) ||
		    (id == KM_LEN_mem_section && !cs_km_has(km, KM_SYM_mem_section)) ||
		    (id == KM_LEN_node_remap_start_pfn && !cs_km_has(km, KM_SYM_node_remap_start_pfn)))
			continue;
		pos = FORMAT_KEY(id);
	}
	pos = FORMAT_LIST(g_numbers);
	if (srcfile_pud_t)
		pos = append(buf, size, pos, "SRCFILE(pud_t)=%s\n", srcfile_pud_t);
	/* Keys makedumpfile 1.7.2 does not write but this model (and newer VMCOREINFO) has. */
	for (int i = 0; i < KM_NR_FIELDS; i++)
		pos = FORMAT_KEY((enum cs_km_id)i);
	return pos;
}
