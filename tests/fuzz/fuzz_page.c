/* tests/fuzz/fuzz_page.c: fuzz target: struct page decoder, classifier and dump-level rules (filters/) on a fuzzed layout and fuzzed struct pages. */
#include "fuzz_common.h"
#include "filters/classify.h"
#include "filters/decode.h"
#include "filters/dump_level.h"

/* The model keys the filters read, and how many input bytes each value takes. */
static const struct {
	enum cs_km_id id;
	unsigned width; /* 1, 2 (u16) or 4 (sign-extended s32) */
} fields[] = {
	{KM_SIZE_page, 2},
	{KM_OFF_page_flags, 1},
	{KM_OFF_page_mapping, 1},
	{KM_OFF_page__mapcount, 1},
	{KM_OFF_page_private, 1},
	{KM_OFF_page_compound_head, 1},
	{KM_OFF_page_compound_info, 1},
	{KM_OFF_page_compound_order, 1},
	{KM_OFF_page_compound_dtor, 1},
	{KM_OFF_folio__folio_order, 2},
	{KM_OFF_folio__folio_dtor, 2},
	{KM_NUM_PG_head_mask, 4},
	{KM_NUM_PG_lru, 1},
	{KM_NUM_PG_private, 1},
	{KM_NUM_PG_swapcache, 1},
	{KM_NUM_PG_swapbacked, 1},
	{KM_NUM_PG_slab, 1},
	{KM_NUM_PG_buddy, 1},
	{KM_NUM_PG_hwpoison, 1},
	{KM_NUM_PG_hugetlb, 1},
	{KM_NUM_PAGE_BUDDY_MAPCOUNT_VALUE, 4},
	{KM_NUM_PAGE_OFFLINE_MAPCOUNT_VALUE, 4},
	{KM_NUM_PAGE_HUGETLB_MAPCOUNT_VALUE, 4},
	{KM_NUM_PAGE_SLAB_MAPCOUNT_VALUE, 4},
	{KM_NUM_PAGE_UNACCEPTED_MAPCOUNT_VALUE, 4},
	{KM_NUM_HUGETLB_PAGE_DTOR, 1},
	{KM_LEN_zone_free_area, 1},
};

#define HDR_PRESENT 4 /* bytes of presence bits */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cs_kmodel *km = calloc(1, sizeof(*km));
	struct cs_page_layout lay;
	struct cs_classify_consts cc;
	struct cs_err err;
	uint32_t present;
	size_t pos = HDR_PRESENT;
	pfn_t pfn0;

	if (!km)
		abort();
	if (size < HDR_PRESENT + 8)
		goto out;
	present = fz_ld32(data);
	pfn0 = fz_ld64(data + pos);
	pos += 8;
	for (size_t i = 0; i < CS_ARRAY_SIZE(fields); i++) {
		uint64_t v;
		unsigned w = fields[i].width;

		if (!(present & (1u << i)))
			continue;
		if (pos + w > size)
			goto out;
		if (w == 1)
			v = data[pos];
		else if (w == 2)
			v = (uint64_t)data[pos] | (uint64_t)data[pos + 1] << 8;
		else
			v = (uint64_t)(int64_t)(int32_t)fz_ld32(data + pos);
		pos += w;
		cs_km_set(km, fields[i].id, v);
	}
	if (cs_page_layout_init(&lay, km, &err) != CS_OK) {
		fz_check_msg(err.msg);
		goto out;
	}
	/* Every offset the decoder will use stays inside one struct page. */
	FZ_ASSERT(lay.size >= 16 && lay.size <= 1024);
	FZ_ASSERT(lay.off_flags + 8 <= lay.size && lay.off_mapping + 8 <= lay.size);
	FZ_ASSERT(!lay.have_mapcount || lay.off_mapcount + 4 <= lay.size);
	FZ_ASSERT(!lay.have_private || lay.off_private + 8 <= lay.size);
	FZ_ASSERT(!lay.have_compound_head || lay.off_compound_head + 8 <= lay.size);
	cs_classify_consts_init(&cc, km, &lay);

	/* The rest is an array of struct pages; each page copied alone so ASan bounds its reads. */
	size_t npages = (size - pos) / lay.size;
	for (size_t i = 0; i < npages; i++) {
		const uint8_t *raw = data + pos + i * lay.size;
		uint8_t *page = malloc(lay.size), *tail = NULL;
		struct cs_page_view v;
		struct cs_page_class pc;
		pfn_t pfn = pfn0 + i;

		if (!page)
			abort();
		memcpy(page, raw, lay.size);
		if (i + 1 < npages) {
			tail = malloc(lay.size);
			if (!tail)
				abort();
			memcpy(tail, raw + lay.size, lay.size);
		}
		cs_page_decode(&lay, page, tail, &v);
		cs_classify(&v, pfn, &cc, &pc);
		if (pc.cond & CS_PC_BUDDY)
			FZ_ASSERT(pc.buddy_order < 64 && (pfn & ((1ULL << pc.buddy_order) - 1)) == 0);
		if (pc.cond & CS_PC_COMPOUND)
			FZ_ASSERT(pc.compound_order > 0 && pc.compound_order < 64 &&
				  (pfn & ((1ULL << pc.compound_order) - 1)) == 0);
		if (pc.cond & CS_PC_UNACCEPTED)
			FZ_ASSERT(pc.unaccepted_order < 64 &&
				  (pfn & ((1ULL << pc.unaccepted_order) - 1)) == 0);
		for (int level = 0; level <= CS_DL_MAX; level++) {
			struct cs_dl_decision d = cs_dump_level_apply(&pc, level);
			FZ_ASSERT((unsigned)d.what < CS_EXCL_NR);
			FZ_ASSERT(d.span >= 1 && (d.span & (d.span - 1)) == 0);
			/* An excluded unit starts on its own alignment, and a level excludes only its classes. */
			if (d.what != CS_KEEP && d.what != CS_KEEP_UNVERIFIED)
				FZ_ASSERT((pfn & (d.span - 1)) == 0);
			if (d.what == CS_KEEP_UNVERIFIED)
				FZ_ASSERT(d.span == 1);
			if (d.what == CS_EXCL_FREE)
				FZ_ASSERT(level & CS_DL_FREE);
			if (d.what == CS_EXCL_CACHE)
				FZ_ASSERT(level & (CS_DL_CACHE | CS_DL_CACHE_PRI));
			if (d.what == CS_EXCL_CACHE_PRIVATE)
				FZ_ASSERT(level & CS_DL_CACHE_PRI);
			if (d.what == CS_EXCL_USER)
				FZ_ASSERT(level & CS_DL_USER);
			FZ_ASSERT(cs_excl_name(d.what) != NULL);
			if (pc.cond & CS_PC_TAIL)
				FZ_ASSERT(d.what == CS_KEEP && d.span == 1);
		}
		free(page);
		free(tail);
	}
out:
	free(km);
	return 0;
}
