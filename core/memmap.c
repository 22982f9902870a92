/* core/memmap.c: mem_map discovery (SPARSEMEM, EXTREME, FLATMEM) and bulk struct page reads. */
#include "core/memmap.h"

#include <stdlib.h>
#include <string.h>

#define FLAT_BLOCK_PFNS 32768
#define MAX_SECTION_NR_BITS 30 /* 2^30 sections of bookkeeping is already absurd */

static bool is_kv(struct cs_kernel *k, vaddr_t vaddr)
{
	return cs_arch_is_kvaddr(&k->arch, vaddr);
}

static cs_status sparse_geom(struct cs_memmap *mm, const struct cs_kernel *k, struct cs_err *err)
{
	const struct cs_kmodel *km = &k->km;
	struct cs_sparse_geom *g = &mm->geom;
	uint64_t page_size = cs_km_has(km, KM_PAGESIZE) ? cs_km_get(km, KM_PAGESIZE)
						       : cs_arch_min_page_size(k->arch.info);
	uint64_t ssb, mpb, per_root, nr_roots;

	g->page_shift = (unsigned)__builtin_ctzll(page_size);
	/* Else the defaults of the paging form in use (they may depend on the page size). */
	ssb = cs_km_has(km, KM_NUM_SECTION_SIZE_BITS) ? cs_km_get(km, KM_NUM_SECTION_SIZE_BITS)
						      : k->arch.walk.form->section_size_bits;
	mpb = cs_km_has(km, KM_NUM_MAX_PHYSMEM_BITS) ? cs_km_get(km, KM_NUM_MAX_PHYSMEM_BITS)
						     : k->arch.walk.form->max_physmem_bits;
	if (ssb <= g->page_shift || ssb > 48)
		return cs_err_set(err, CS_ERR_CORRUPT, "SECTION_SIZE_BITS=%" PRIu64 " is implausible", ssb);
	if (mpb < ssb || mpb > 64 || mpb - ssb > MAX_SECTION_NR_BITS)
		return cs_err_set(err, CS_ERR_CORRUPT, "MAX_PHYSMEM_BITS=%" PRIu64 " is implausible", mpb);
	g->section_size_bits = (unsigned)ssb;
	g->max_physmem_bits = (unsigned)mpb;
	g->sizeof_mem_section = cs_km_get(km, KM_SIZE_mem_section);
	if (g->sizeof_mem_section < 8 || g->sizeof_mem_section > page_size ||
	    cs_km_get(km, KM_OFF_mem_section_section_mem_map) + 8 > g->sizeof_mem_section)
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "SIZE(mem_section)=%" PRIu64 " / OFFSET(mem_section.section_mem_map)=%" PRIu64
				  " are implausible",
				  g->sizeof_mem_section, cs_km_get(km, KM_OFF_mem_section_section_mem_map));
	/*
	 * EXTREME when LENGTH(mem_section) is the number of roots of 4 KiB
	 * section pages, or absent; a flat array has one section per "root".
	 */
	g->extreme = true;
	per_root = page_size / g->sizeof_mem_section;
	nr_roots = (cs_nr_mem_sections(g) + per_root - 1) / per_root;
	if (cs_km_has(km, KM_LEN_mem_section) && cs_km_get(km, KM_LEN_mem_section) != nr_roots)
		g->extreme = false;
	mm->model = g->extreme ? CS_MM_SPARSEMEM_EXTREME : CS_MM_SPARSEMEM;
	mm->pfns_per_block = cs_pfns_per_section(g);
	return CS_OK;
}

struct sec_tally {
	size_t good;      /* present sections with a kernel-address mem_map */
	size_t bad;       /* present sections with an implausible one */
	size_t bad_roots; /* root pointers that are not kernel addresses */
};

/* Section words -> coded pointers, rejecting non-kernel mem_maps. */
static void decode_words(struct cs_memmap *mm, struct cs_kernel *k, const uint64_t *words,
			 vaddr_t *coded, size_t n, struct sec_tally *t)
{
	uint64_t span = mm->pfns_per_block * mm->sizeof_page;

	for (size_t s = 0; s < n; s++) {
		vaddr_t c, first;

		coded[s] = 0;
		if (!cs_section_present(words[s]))
			continue;
		c = cs_section_decode(words[s]);
		first = c + (vaddr_t)s * span; /* mem_map of the section's first pfn */
		if (c == 0 || !is_kv(k, first) || !is_kv(k, first + span - 1)) {
			t->bad++;
			continue;
		}
		coded[s] = c;
		t->good++;
	}
}

/* Read the section words of an EXTREME root array at roots_va. */
static cs_status load_extreme(struct cs_memmap *mm, struct cs_kernel *k, vaddr_t roots_va,
			      uint64_t *words, size_t nsec, struct sec_tally *t, struct cs_err *err)
{
	const struct cs_sparse_geom *g = &mm->geom;
	uint64_t per_root = cs_sections_per_root(g);
	uint64_t off = cs_km_get(&k->km, KM_OFF_mem_section_section_mem_map);
	size_t nroots = (size_t)((nsec + per_root - 1) / per_root);
	uint64_t *roots;
	uint8_t *page;
	cs_status st = CS_OK;

	if (cs_km_has(&k->km, KM_LEN_mem_section) && cs_km_get(&k->km, KM_LEN_mem_section) < nroots)
		nroots = (size_t)cs_km_get(&k->km, KM_LEN_mem_section);
	memset(words, 0, nsec * sizeof(*words));
	roots = calloc(nroots ? nroots : 1, sizeof(*roots));
	page = malloc(per_root * g->sizeof_mem_section);
	if (!roots || !page) {
		st = cs_err_set(err, CS_ERR_NOMEM, "cannot allocate the mem_section roots");
		goto out;
	}
	if (nroots && cs_kernel_read(k, roots_va, roots, nroots * sizeof(*roots), err) != CS_OK) {
		st = cs_err_ctx(err, "cannot read the mem_section root array");
		goto out;
	}
	for (size_t r = 0; r < nroots; r++) {
		size_t first = r * per_root, cnt = (size_t)CS_MIN(per_root, nsec - first);
		struct cs_err e2;

		if (roots[r] == 0)
			continue;
		if (!is_kv(k, roots[r])) {
			t->bad_roots++;
			continue;
		}
		if (cs_kernel_read(k, roots[r], page, cnt * g->sizeof_mem_section, &e2) != CS_OK) {
			t->bad_roots++;
			continue;
		}
		for (size_t i = 0; i < cnt; i++)
			memcpy(&words[first + i], page + i * g->sizeof_mem_section + off, 8);
	}
out:
	free(roots);
	free(page);
	return st;
}

static cs_status load_flat_array(struct cs_memmap *mm, struct cs_kernel *k, vaddr_t base,
				 uint64_t *words, size_t nsec, struct cs_err *err)
{
	uint64_t sz = mm->geom.sizeof_mem_section;
	uint64_t off = cs_km_get(&k->km, KM_OFF_mem_section_section_mem_map);
	uint8_t *buf = malloc(nsec > 0 ? nsec * sz : 1);

	if (!buf)
		return cs_err_set(err, CS_ERR_NOMEM, "cannot allocate the mem_section array");
	if (cs_kernel_read(k, base, buf, nsec * sz, err) != CS_OK) {
		free(buf);
		return cs_err_ctx(err, "cannot read the mem_section array");
	}
	for (size_t s = 0; s < nsec; s++)
		memcpy(&words[s], buf + s * sz + off, 8);
	free(buf);
	return CS_OK;
}

/*
 * With SPARSEMEM_VMEMMAP every section's coded pointer is the vmemmap base
 * itself (coded = vmemmap + pfn * size - pfn * size). When most sections
 * agree on one value, one that differs points outside the vmemmap: reject it.
 */
static void vmemmap_consistency(struct cs_memmap *mm)
{
	vaddr_t cand = 0;
	size_t votes = 0, present = 0, agree = 0;

	for (size_t s = 0; s < mm->nr_blocks; s++) {
		if (!mm->coded[s])
			continue;
		present++;
		if (votes == 0) {
			cand = mm->coded[s];
			votes = 1;
		} else if (mm->coded[s] == cand) {
			votes++;
		} else {
			votes--;
		}
	}
	if (present < 3)
		return;
	for (size_t s = 0; s < mm->nr_blocks; s++)
		agree += mm->coded[s] == cand;
	if (agree * 2 <= present)
		return; /* no majority: not a vmemmap kernel, nothing to compare with */
	for (size_t s = 0; s < mm->nr_blocks; s++)
		if (mm->coded[s] && mm->coded[s] != cand) {
			mm->coded[s] = 0;
			mm->nr_implausible++;
		}
}

static cs_status init_sparse(struct cs_memmap *mm, struct cs_kernel *k, pfn_t max_pfn,
			     struct cs_err *err)
{
	vaddr_t sym = cs_km_get(&k->km, KM_SYM_mem_section);
	size_t nsec;
	uint64_t *words;
	struct sec_tally t = {0};
	cs_status st;

	if (sparse_geom(mm, k, err) != CS_OK)
		return err->status;
	nsec = (size_t)CS_MIN(CS_DIV_ROUND_UP(max_pfn, mm->pfns_per_block),
			      cs_nr_mem_sections(&mm->geom));
	mm->nr_blocks = nsec;
	mm->coded = calloc(nsec ? nsec : 1, sizeof(*mm->coded));
	words = calloc(nsec ? nsec : 1, sizeof(*words));
	if (!mm->coded || !words) {
		free(words);
		return cs_err_set(err, CS_ERR_NOMEM, "cannot allocate %zu mem_section entries", nsec);
	}
	if (!mm->geom.extreme) {
		st = load_flat_array(mm, k, sym, words, nsec, err);
		if (st == CS_OK)
			decode_words(mm, k, words, mm->coded, nsec, &t);
	} else {
		/*
		 * VMCOREINFO exports the root array's address; a vmlinux symbol
		 * (-x, 4.15+) is the pointer variable. Try the array form first,
		 * then dereference, keeping the one whose mem_maps make sense.
		 */
		st = load_extreme(mm, k, sym, words, nsec, &t, err);
		if (st == CS_OK)
			decode_words(mm, k, words, mm->coded, nsec, &t);
		if (st != CS_OK || t.good == 0 || t.bad_roots || t.bad >= t.good) {
			struct sec_tally t2 = {0};
			struct cs_err e2;
			uint64_t ptr;
			vaddr_t *coded2 = calloc(nsec ? nsec : 1, sizeof(*coded2));

			if (!coded2) {
				free(words);
				return cs_err_set(err, CS_ERR_NOMEM, "cannot allocate mem_section entries");
			}
			if (cs_kernel_read_ulong(k, sym, &ptr, &e2) == CS_OK && is_kv(k, ptr) &&
			    load_extreme(mm, k, ptr, words, nsec, &t2, &e2) == CS_OK) {
				decode_words(mm, k, words, coded2, nsec, &t2);
				if (t2.good > t.good) {
					free(mm->coded);
					mm->coded = coded2;
					coded2 = NULL;
					t = t2;
					st = CS_OK;
					mm->mem_section_deref = true;
				}
			}
			free(coded2);
		}
	}
	free(words);
	if (st != CS_OK)
		return st;
	if (t.good == 0)
		return cs_err_set(err, CS_ERR_CORRUPT,
				  "no section of mem_section (0x%" PRIx64 ") has a plausible mem_map", sym);
	mm->nr_implausible = t.bad;
	vmemmap_consistency(mm);
	return CS_OK;
}

static cs_status init_flat(struct cs_memmap *mm, struct cs_kernel *k, pfn_t max_pfn,
			   struct cs_err *err)
{
	uint64_t map;

	mm->model = CS_MM_FLATMEM;
	mm->pfns_per_block = FLAT_BLOCK_PFNS;
	mm->nr_blocks = (size_t)CS_DIV_ROUND_UP(max_pfn, FLAT_BLOCK_PFNS);
	mm->coded = calloc(mm->nr_blocks ? mm->nr_blocks : 1, sizeof(*mm->coded));
	if (!mm->coded)
		return cs_err_set(err, CS_ERR_NOMEM, "cannot allocate the mem_map table");
	if (cs_kernel_read_ulong(k, cs_km_get(&k->km, KM_SYM_mem_map), &map, err) != CS_OK)
		return cs_err_ctx(err, "cannot read mem_map");
	if (!is_kv(k, map) || !is_kv(k, map + max_pfn * mm->sizeof_page - 1))
		return cs_err_set(err, CS_ERR_CORRUPT, "mem_map 0x%" PRIx64 " is not a kernel address",
				  map);
	for (size_t b = 0; b < mm->nr_blocks; b++)
		mm->coded[b] = map; /* FLATMEM: &mem_map[pfn] = mem_map + pfn * size */
	return CS_OK;
}

cs_status cs_memmap_init(struct cs_memmap *mm, struct cs_kernel *k, pfn_t max_pfn,
			 struct cs_err *err)
{
	struct cs_memmap m = {0};
	const struct cs_kmodel *km = &k->km;
	cs_status st;

	if (!k->have_arch)
		return cs_err_set(err, CS_ERR_NOTSUP, "no kernel model: mem_map cannot be found");
	if (!cs_km_has(km, KM_SIZE_page) || cs_km_get(km, KM_SIZE_page) == 0 ||
	    cs_km_get(km, KM_SIZE_page) > 1024)
		return cs_err_set(err, CS_ERR_FORMAT, "VMCOREINFO has no usable SIZE(page)");
	m.sizeof_page = (uint32_t)cs_km_get(km, KM_SIZE_page);
	if (cs_km_has(km, KM_SYM_mem_section) && cs_km_has(km, KM_SIZE_mem_section) &&
	    cs_km_has(km, KM_OFF_mem_section_section_mem_map))
		st = init_sparse(&m, k, max_pfn, err);
	else if (cs_km_has(km, KM_SYM_mem_map))
		st = init_flat(&m, k, max_pfn, err);
	else
		st = cs_err_set(err, CS_ERR_FORMAT,
				"can't get the memory type: VMCOREINFO has neither SYMBOL(mem_section) "
				"nor SYMBOL(mem_map)");
	if (st != CS_OK) {
		free(m.coded);
		return st;
	}
	/* makedumpfile clamps max_mapnr to the end of the last section that has a mem_map. */
	m.max_mapnr = max_pfn;
	for (size_t b = m.nr_blocks; b-- > 0;)
		if (m.coded[b]) {
			m.max_mapnr = CS_MIN(max_pfn, (pfn_t)(b + 1) * m.pfns_per_block);
			break;
		}
	*mm = m;
	return CS_OK;
}

void cs_memmap_deinit(struct cs_memmap *mm)
{
	free(mm->coded);
	memset(mm, 0, sizeof(*mm));
}

cs_status cs_memmap_read(const struct cs_memmap *mm, struct cs_kernel *k, pfn_t pfn, size_t n,
			 void *buf, struct cs_err *err)
{
	if (!cs_memmap_has(mm, pfn))
		return cs_err_set(err, CS_ERR_NODATA, "pfn 0x%" PRIxPFN ": no mem_map", pfn);
	if (cs_kernel_read(k, cs_memmap_page_vaddr(mm, pfn), buf, n * mm->sizeof_page, err) != CS_OK)
		return cs_err_ctx(err, "cannot read struct page of pfn 0x%" PRIxPFN, pfn);
	return CS_OK;
}
