/* filters/classify.c: the page conditions, one pure function per question. */
#include "filters/classify.h"

#include <stdio.h>
#include <string.h>

/* makedumpfile's *_ORIGINAL defaults for kernels that did not export the numbers. */
#define DEFAULT_PG_LRU 5
#define DEFAULT_PG_PRIVATE 11
#define DEFAULT_PG_SWAPCACHE 15
#define DEFAULT_PG_SLAB 7
/* Linux's default MAX_ORDER: 11 free lists (orders 0..10) unless LENGTH(zone.free_area) says otherwise. */
#define DEFAULT_NR_ORDERS 11
/* Pre-6.12 page types: PAGE_TYPE_BASE, type bits cleared from an all-ones word. */
#define PAGE_TYPE_BASE 0xf0000000u

static uint64_t bit_mask(const struct cs_kmodel *km, enum cs_km_id id, int64_t dflt)
{
	int64_t nr = cs_km_has(km, id) ? cs_km_num(km, id) : dflt;

	return nr >= 0 && nr < 64 ? 1ULL << nr : 0;
}

struct cs_page_type cs_page_type_make(int64_t number, bool masked)
{
	struct cs_page_type t = {0};
	uint32_t v = (uint32_t)number;

	t.have = true;
	t.value = v;
	/*
	 * Linux 6.12 (commit 4ffca5a96678c, "mm: support only one page_type per
	 * page") keeps the type in the top byte (PGTY_* << 24) and may use the
	 * low 24 bits for data: compare the top byte only. Older values are
	 * ~PG_xxx (low bits set) and keep their historical comparison.
	 */
	if ((v & 0x00ffffffu) == 0 && (v >> 24) >= 0x80)
		t.top_byte = true;
	else
		t.masked = masked;
	return t;
}

bool cs_page_type_match(const struct cs_page_type *t, uint32_t mapcount)
{
	if (!t->have)
		return false;
	if (t->top_byte)
		return (mapcount >> 24) == (t->value >> 24);
	if (t->masked)
		return (mapcount & (PAGE_TYPE_BASE | ~t->value)) == PAGE_TYPE_BASE;
	return mapcount == t->value;
}

/* Append one "KEY=value reason" item to the implausible line. */
static void note_implausible(struct cs_classify_consts *c, const struct cs_kmodel *km,
			     enum cs_km_id id, const char *why)
{
	size_t len = strlen(c->implausible);

	snprintf(c->implausible + len, sizeof(c->implausible) - len, "%s%s=%" PRId64 " %s",
		 len ? "; " : "", cs_km_key(id), cs_km_num(km, id), why);
}

/*
 * A page type lives in _mapcount, whose ordinary values are -1 (not mapped)
 * and small counts: a type value matching those, or another type's value,
 * would classify ordinary pages (e.g. -1 as offline drops most of RAM). Such
 * a type is not used, so its pages are kept; checked once, on the values.
 */
static void check_page_types(struct cs_classify_consts *c, const struct cs_kmodel *km)
{
	struct {
		struct cs_page_type *t;
		enum cs_km_id id;
		bool bad;
	} ty[] = {
		{&c->t_slab, KM_NUM_PAGE_SLAB_MAPCOUNT_VALUE, false},
		{&c->t_buddy, KM_NUM_PAGE_BUDDY_MAPCOUNT_VALUE, false},
		{&c->t_offline, KM_NUM_PAGE_OFFLINE_MAPCOUNT_VALUE, false},
		{&c->t_unaccepted, KM_NUM_PAGE_UNACCEPTED_MAPCOUNT_VALUE, false},
		{&c->t_hugetlb, KM_NUM_PAGE_HUGETLB_MAPCOUNT_VALUE, false},
	};
	size_t n = sizeof(ty) / sizeof(ty[0]), i, j;

	for (i = 0; i < n; i++) {
		int64_t v = cs_km_num(km, ty[i].id);
		if (!ty[i].t->have)
			continue;
		if (v < INT32_MIN || v > (int64_t)UINT32_MAX) {
			note_implausible(c, km, ty[i].id, "is not a 32-bit _mapcount value");
			ty[i].bad = true;
		} else if (cs_page_type_match(ty[i].t, 0xffffffffu) || cs_page_type_match(ty[i].t, 0) ||
			   cs_page_type_match(ty[i].t, 1)) {
			note_implausible(c, km, ty[i].id, "matches the _mapcount of an untyped page");
			ty[i].bad = true;
		}
		for (j = 0; j < i && !ty[i].bad; j++) {
			if (ty[j].t->have && (cs_page_type_match(ty[i].t, ty[j].t->value) ||
					      cs_page_type_match(ty[j].t, ty[i].t->value))) {
				char why[96];
				snprintf(why, sizeof(why), "collides with %s", cs_km_key(ty[j].id));
				note_implausible(c, km, ty[i].id, why);
				ty[i].bad = ty[j].bad = true;
			}
		}
	}
	for (i = 0; i < n; i++)
		if (ty[i].bad)
			ty[i].t->have = false;
}

/*
 * The kernel gives every page flag its own bit: two NUMBER(PG_*) naming one
 * bit cannot both be right. A shared bit would make every page with one flag
 * look like it has the other (e.g. all LRU pages as hwpoison), so the flags
 * whose use excludes pages (cache, hwpoison, buddy) are then not used.
 */
static void check_flag_bits(struct cs_classify_consts *c, const struct cs_kmodel *km)
{
	static const enum cs_km_id ids[] = {KM_NUM_PG_lru,	 KM_NUM_PG_private, KM_NUM_PG_swapcache,
					    KM_NUM_PG_swapbacked, KM_NUM_PG_slab,	 KM_NUM_PG_buddy,
					    KM_NUM_PG_hwpoison};
	size_t n = sizeof(ids) / sizeof(ids[0]), i, j;
	bool bad[sizeof(ids) / sizeof(ids[0])] = {false};

	/*
	 * enum pageflags has fewer than 32 entries on every arch (32-bit kernels keep
	 * all flags in one word); the bits above hold section, node and zone numbers,
	 * which most pages have set, so a flag there would match most of memory.
	 */
	for (i = 0; i < n; i++)
		if (cs_km_has(km, ids[i]) && (cs_km_num(km, ids[i]) < 0 || cs_km_num(km, ids[i]) >= 32)) {
			note_implausible(c, km, ids[i], "is not a page flag bit (0..31)");
			bad[i] = true;
		}
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (cs_km_has(km, ids[i]) && cs_km_has(km, ids[j]) &&
			    cs_km_num(km, ids[i]) == cs_km_num(km, ids[j]) && !bad[i]) {
				char why[80];
				snprintf(why, sizeof(why), "names the bit of %s", cs_km_key(ids[j]));
				note_implausible(c, km, ids[i], why);
				bad[i] = bad[j] = true;
			}
	for (i = 0; i < n; i++) {
		if (!bad[i])
			continue;
		switch (ids[i]) {
		case KM_NUM_PG_lru: case KM_NUM_PG_swapcache: case KM_NUM_PG_swapbacked:
			c->pg_lru = c->pg_swapcache = 0; /* no page is taken as page cache */
			break;
		case KM_NUM_PG_hwpoison:
			c->pg_hwpoison = 0;
			break;
		case KM_NUM_PG_buddy:
			c->pg_buddy = 0;
			if (c->buddy == CS_BUDDY_PG_FLAG)
				c->buddy = CS_BUDDY_NONE;
			break;
		default:
			break; /* private, slab: a shared bit only keeps more pages */
		}
	}
}

void cs_classify_consts_init(struct cs_classify_consts *c, const struct cs_kmodel *km,
			     const struct cs_page_layout *lay)
{
	int64_t pg_private, pg_swapcache;

	*c = (struct cs_classify_consts){0};
	c->pg_lru = bit_mask(km, KM_NUM_PG_lru, DEFAULT_PG_LRU);
	c->pg_private = bit_mask(km, KM_NUM_PG_private, DEFAULT_PG_PRIVATE);
	c->pg_swapcache = bit_mask(km, KM_NUM_PG_swapcache, DEFAULT_PG_SWAPCACHE);
	pg_private = cs_km_has(km, KM_NUM_PG_private) ? cs_km_num(km, KM_NUM_PG_private)
						      : DEFAULT_PG_PRIVATE;
	pg_swapcache = cs_km_has(km, KM_NUM_PG_swapcache) ? cs_km_num(km, KM_NUM_PG_swapcache)
							  : DEFAULT_PG_SWAPCACHE;
	if (cs_km_has(km, KM_NUM_PG_swapbacked)) {
		c->have_swapbacked = true;
		c->pg_swapbacked = bit_mask(km, KM_NUM_PG_swapbacked, -1);
	} else if (pg_swapcache < pg_private) {
		/* makedumpfile: PG_swapbacked = PG_private + 6 on kernels that did not export it. */
		c->have_swapbacked = true;
		c->pg_swapbacked = pg_private + 6 < 64 ? 1ULL << (pg_private + 6) : 0;
	}
	c->pg_hwpoison = bit_mask(km, KM_NUM_PG_hwpoison, -1);
	c->pg_hugetlb = bit_mask(km, KM_NUM_PG_hugetlb, -1);

	/* Linux 6.10 made slab a page type (makedumpfile bad2a7c); before, a flag bit. */
	if (cs_km_has(km, KM_NUM_PAGE_SLAB_MAPCOUNT_VALUE))
		c->t_slab = cs_page_type_make(cs_km_num(km, KM_NUM_PAGE_SLAB_MAPCOUNT_VALUE), true);
	else
		c->pg_slab = bit_mask(km, KM_NUM_PG_slab, DEFAULT_PG_SLAB);
	if (cs_km_has(km, KM_NUM_PAGE_BUDDY_MAPCOUNT_VALUE))
		c->t_buddy = cs_page_type_make(cs_km_num(km, KM_NUM_PAGE_BUDDY_MAPCOUNT_VALUE), false);
	if (cs_km_has(km, KM_NUM_PAGE_OFFLINE_MAPCOUNT_VALUE))
		c->t_offline =
			cs_page_type_make(cs_km_num(km, KM_NUM_PAGE_OFFLINE_MAPCOUNT_VALUE), false);
	if (cs_km_has(km, KM_NUM_PAGE_UNACCEPTED_MAPCOUNT_VALUE))
		c->t_unaccepted =
			cs_page_type_make(cs_km_num(km, KM_NUM_PAGE_UNACCEPTED_MAPCOUNT_VALUE), false);
	if (cs_km_has(km, KM_NUM_PAGE_HUGETLB_MAPCOUNT_VALUE))
		c->t_hugetlb =
			cs_page_type_make(cs_km_num(km, KM_NUM_PAGE_HUGETLB_MAPCOUNT_VALUE), true);
	check_page_types(c, km);
	if (!lay->have_mapcount) {
		/* Page types live in _mapcount: without its offset none can be seen. */
		c->t_slab.have = c->t_buddy.have = c->t_offline.have = false;
		c->t_unaccepted.have = c->t_hugetlb.have = false;
	}

	/* setup_page_is_buddy: needs page.private for the order. */
	if (lay->have_private) {
		if (c->t_buddy.have)
			c->buddy = CS_BUDDY_TYPE;
		else if (cs_km_has(km, KM_NUM_PG_buddy) && (c->pg_buddy = bit_mask(km, KM_NUM_PG_buddy, -1)))
			c->buddy = CS_BUDDY_PG_FLAG;
	}
	check_flag_bits(c, km);
	if (c->implausible[0]) {
		size_t len = strlen(c->implausible);
		snprintf(c->implausible + len, sizeof(c->implausible) - len,
			 ": not used, those pages are kept");
	}

	if (c->t_hugetlb.have)
		c->hugetlb = CS_HUGETLB_TYPE;
	else if (c->pg_hugetlb && lay->order_src == CS_ORDER_FLAGS1)
		c->hugetlb = CS_HUGETLB_PG_FLAG;
	else if (cs_km_has(km, KM_NUM_HUGETLB_PAGE_DTOR) && lay->have_dtor) {
		c->hugetlb = CS_HUGETLB_DTOR;
		c->have_hugetlb_dtor = true;
		c->hugetlb_dtor = cs_km_get(km, KM_NUM_HUGETLB_PAGE_DTOR);
	}
	c->have_tail_mark = lay->have_compound_head;
	c->have_order = lay->order_src != CS_ORDER_NONE;
	if (cs_km_has(km, KM_LEN_zone_free_area) && cs_km_get(km, KM_LEN_zone_free_area) > 0 &&
	    cs_km_get(km, KM_LEN_zone_free_area) <= 64)
		c->nr_orders = (unsigned)cs_km_get(km, KM_LEN_zone_free_area);
}

static inline bool aligned(pfn_t pfn, uint64_t order)
{
	return (pfn & ((1ULL << order) - 1)) == 0;
}

void cs_classify(const struct cs_page_view *v, pfn_t pfn, const struct cs_classify_consts *c,
		 struct cs_page_class *out)
{
	uint32_t cond = 0;
	uint64_t f = v->flags;
	bool slab;

	out->buddy_order = out->compound_order = out->unaccepted_order = 0;
	if (c->have_tail_mark && (v->compound_head & 1))
		cond |= CS_PC_TAIL;

	slab = c->t_slab.have ? cs_page_type_match(&c->t_slab, v->mapcount) : (f & c->pg_slab) != 0;
	if (slab)
		cond |= CS_PC_SLAB;

	if (c->buddy != CS_BUDDY_NONE) {
		bool buddy = c->buddy == CS_BUDDY_TYPE
				     ? !slab && cs_page_type_match(&c->t_buddy, v->mapcount)
				     : (f & c->pg_buddy) != 0;
		if (buddy) {
			unsigned limit = c->nr_orders ? c->nr_orders : DEFAULT_NR_ORDERS;
			/*
			 * makedumpfile only checks the order against the number of
			 * free lists; a misaligned block is as impossible, so both
			 * keep the page (never drop what we cannot prove free).
			 */
			if (v->private_ < limit && aligned(pfn, v->private_)) {
				cond |= CS_PC_BUDDY;
				out->buddy_order = (uint8_t)v->private_;
			} else {
				cond |= CS_PC_BAD_BUDDY;
			}
		}
	}

	/* Linux 6.16+ confidential VMs: a MAX_PAGE_ORDER block not yet accepted. */
	if (cs_page_type_match(&c->t_unaccepted, v->mapcount)) {
		unsigned order = c->nr_orders ? c->nr_orders - 1 : 0;
		if (c->nr_orders && aligned(pfn, order)) {
			cond |= CS_PC_UNACCEPTED;
			out->unaccepted_order = (uint8_t)order;
		} else {
			cond |= CS_PC_BAD_UNACCEPTED;
		}
	}

	/* PG_swapcache aliases PG_owner_priv_1: it means swap cache only with PG_swapbacked (4.10+). */
	if ((f & c->pg_lru) ||
	    ((f & c->pg_swapcache) && (!c->have_swapbacked || (f & c->pg_swapbacked))))
		cond |= CS_PC_CACHE;
	if (f & c->pg_private)
		cond |= CS_PC_PRIVATE;
	/*
	 * Since Linux 6.2 slab.slabs overlays page.mapping and may be odd, so a
	 * slab page is never anonymous (makedumpfile 5f17bdd).
	 */
	if ((v->mapping & 1) && !slab)
		cond |= CS_PC_ANON;
	if (f & c->pg_hwpoison)
		cond |= CS_PC_HWPOISON;
	if (!slab && cs_page_type_match(&c->t_offline, v->mapcount))
		cond |= CS_PC_OFFLINE;

	if (v->head) {
		if (!v->has_tail || !c->have_order) {
			cond |= CS_PC_BAD_ORDER;
		} else if (v->order >= 64 || !aligned(pfn, v->order)) {
			cond |= CS_PC_BAD_ORDER;
		} else if (v->order > 0) {
			cond |= CS_PC_COMPOUND;
			out->compound_order = (uint8_t)v->order;
		}
		switch (c->hugetlb) {
		case CS_HUGETLB_NONE:
			break;
		case CS_HUGETLB_TYPE:
			if (v->has_tail && cs_page_type_match(&c->t_hugetlb, v->mapcount))
				cond |= CS_PC_HUGETLB;
			break;
		case CS_HUGETLB_PG_FLAG:
			/*
			 * 6.6-6.8 (NUMBER(PG_hugetlb)): the bit in folio._flags_1 is
			 * also found on kernel compound pages that are not hugetlb
			 * (makedumpfile issue #21: "page excluded ... idt_table" in
			 * crash after -d 31), and nothing else in VMCOREINFO can tell
			 * them apart. Excluding on it may drop kernel data, so it is
			 * never trusted alone: a hugetlb page is excluded only when its
			 * head is anonymous (MAP_PRIVATE hugetlb), which rule 5 catches
			 * through CS_PC_ANON anyway. Shared/pool hugetlb pages are kept.
			 */
			if (v->has_tail && (v->flags_1 & c->pg_hugetlb))
				cond |= CS_PC_HUGETLB_UNTRUSTED;
			break;
		case CS_HUGETLB_DTOR:
			if (v->has_tail && v->dtor == c->hugetlb_dtor)
				cond |= CS_PC_HUGETLB;
			break;
		}
	}
	out->cond = cond;
}
