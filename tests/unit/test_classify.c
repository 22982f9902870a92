/* tests/unit/test_classify.c: decode + classify + dump level as tables, per kernel generation. */
#include "filters/decode.h"
#include "filters/classify.h"
#include "filters/dump_level.h"
#include "tests/lib/tap.h"

/* Kernel generations, told apart only by which keys their VMCOREINFO has. */
enum gen { G61, G63, G66, G69, G610, G612, G616, G71, NGEN };
static const char *const gen_name[NGEN] = {"6.1", "6.3", "6.6", "6.9", "6.10", "6.12", "6.16", "7.1"};

#define PG_LRU 4
#define PG_PRIVATE 13
#define PG_SWAPCACHE 10
#define PG_SWAPBACKED 19
#define PG_SLAB 9
#define PG_HEAD 16
#define PG_HWPOISON 23
#define PG_HUGETLB 8 /* 6.6-6.8: PG_active, valid in the first tail (above the order byte) */
#define HUGETLB_DTOR 2

static bool new_types(enum gen g) { return g >= G612; }
static uint32_t v_buddy(enum gen g) { return new_types(g) ? 0xf0000000u : 0xffffff7fu; }
static uint32_t v_offline(enum gen g) { return new_types(g) ? 0xf1000000u : 0xfffffeffu; }
static uint32_t v_hugetlb(enum gen g) { return new_types(g) ? 0xf4000000u : 0xfffff7ffu; }
static uint32_t v_slab(enum gen g) { return new_types(g) ? 0xf5000000u : 0xffffefffu; }
static uint32_t v_unacc(void) { return 0xf7000000u; }

static void set_num(struct cs_kmodel *km, enum cs_km_id id, int32_t v)
{
	cs_km_set(km, id, (uint64_t)(int64_t)v);
}

static void build_km(struct cs_kmodel *km, enum gen g)
{
	memset(km, 0, sizeof(*km));
	cs_km_set(km, KM_PAGESIZE, 4096);
	cs_km_set(km, KM_SIZE_page, 64);
	cs_km_set(km, KM_OFF_page_flags, 0);
	cs_km_set(km, g == G71 ? KM_OFF_page_compound_info : KM_OFF_page_compound_head, 8);
	cs_km_set(km, KM_OFF_page_mapping, 24);
	cs_km_set(km, KM_OFF_page_private, 40);
	cs_km_set(km, KM_OFF_page__mapcount, 48);
	cs_km_set(km, KM_OFF_page__refcount, 52);
	cs_km_set(km, KM_LEN_zone_free_area, 11);
	cs_km_set(km, KM_NUM_PG_lru, PG_LRU);
	cs_km_set(km, KM_NUM_PG_private, PG_PRIVATE);
	cs_km_set(km, KM_NUM_PG_swapcache, PG_SWAPCACHE);
	cs_km_set(km, KM_NUM_PG_swapbacked, PG_SWAPBACKED);
	cs_km_set(km, KM_NUM_PG_head_mask, 1ULL << PG_HEAD);
	cs_km_set(km, KM_NUM_PG_hwpoison, PG_HWPOISON);
	set_num(km, KM_NUM_PAGE_BUDDY_MAPCOUNT_VALUE, (int32_t)v_buddy(g));
	set_num(km, KM_NUM_PAGE_OFFLINE_MAPCOUNT_VALUE, (int32_t)v_offline(g));
	if (g < G610)
		cs_km_set(km, KM_NUM_PG_slab, PG_SLAB);
	else
		set_num(km, KM_NUM_PAGE_SLAB_MAPCOUNT_VALUE, (int32_t)v_slab(g));
	switch (g) {
	case G61:
		cs_km_set(km, KM_OFF_page_compound_dtor, 16);
		cs_km_set(km, KM_OFF_page_compound_order, 17);
		cs_km_set(km, KM_NUM_HUGETLB_PAGE_DTOR, HUGETLB_DTOR);
		break;
	case G63:
		cs_km_set(km, KM_OFF_folio__folio_dtor, 64 + 16);
		cs_km_set(km, KM_OFF_folio__folio_order, 64 + 17);
		cs_km_set(km, KM_NUM_HUGETLB_PAGE_DTOR, HUGETLB_DTOR);
		break;
	case G66:
		cs_km_set(km, KM_NUM_PG_hugetlb, PG_HUGETLB);
		break;
	default:
		set_num(km, KM_NUM_PAGE_HUGETLB_MAPCOUNT_VALUE, (int32_t)v_hugetlb(g));
		break;
	}
	if (g >= G616)
		set_num(km, KM_NUM_PAGE_UNACCEPTED_MAPCOUNT_VALUE, (int32_t)v_unacc());
}

/* Symbolic page description. */
#define F_LRU 1u
#define F_PRIV 2u
#define F_SWC 4u
#define F_SWB 8u
#define F_SLAB 16u /* PG_slab on old kernels, the slab page type on 6.10+ */
#define F_HWP 32u
#define F_TAIL 64u
enum mc { M_NONE, M_BUDDY, M_OFFLINE, M_UNACC, M_MAPPED };

struct pdesc {
	unsigned f;
	enum mc mc;
	uint64_t mapping;
	uint64_t priv;
	int order; /* >= 0: compound head of that order */
	bool huge;
};

static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static void make_bytes(enum gen g, const struct pdesc *d, uint8_t page[64], uint8_t tail[64])
{
	uint64_t flags = 0;
	uint32_t mc = 0xffffffffu;

	memset(page, 0, 64);
	memset(tail, 0, 64);
	if (d->f & F_LRU) flags |= 1ULL << PG_LRU;
	if (d->f & F_PRIV) flags |= 1ULL << PG_PRIVATE;
	if (d->f & F_SWC) flags |= 1ULL << PG_SWAPCACHE;
	if (d->f & F_SWB) flags |= 1ULL << PG_SWAPBACKED;
	if (d->f & F_HWP) flags |= 1ULL << PG_HWPOISON;
	if ((d->f & F_SLAB) && g < G610) flags |= 1ULL << PG_SLAB;
	if (d->order >= 0) flags |= 1ULL << PG_HEAD;
	switch (d->mc) {
	case M_NONE: break;
	case M_BUDDY: mc = v_buddy(g); break;
	case M_OFFLINE: mc = v_offline(g); break;
	case M_UNACC: mc = v_unacc(); break;
	case M_MAPPED: mc = 2; break;
	}
	if ((d->f & F_SLAB) && g >= G610) mc = v_slab(g) | (new_types(g) ? 0x123 : 0);
	if (d->order >= 0 && d->huge && g >= G69) mc = v_hugetlb(g);
	put64(page + 0, flags);
	put64(page + 8, (d->f & F_TAIL) ? 0xffffea0000001001ULL : 0);
	put64(page + 24, d->mapping);
	put64(page + 40, d->priv);
	put32(page + 48, mc);
	if (d->order < 0)
		return;
	put64(tail + 8, 0xffffea0000000001ULL); /* the first tail points at its head */
	switch (g) {
	case G61:
	case G63:
		tail[16] = d->huge ? HUGETLB_DTOR : 1;
		tail[17] = (uint8_t)d->order;
		break;
	case G66:
		put64(tail, (uint64_t)d->order | (d->huge ? 1ULL << PG_HUGETLB : 0));
		break;
	default:
		put64(tail, (uint64_t)d->order);
		break;
	}
}

struct kcase {
	const char *name;
	struct pdesc d;
	pfn_t pfn;
	int level;
	unsigned gens; /* bit per generation; 0 = all */
	enum cs_excl want;
	uint64_t span;
};

#define ANON 0xffff888012345001ULL
#define KSM 0xffff888012345003ULL
#define FILE 0xffff888012345000ULL
#define NOHEAD -1
#define ALLG 0u
#define ONLY(g) (1u << (g))
#define EXCEPT(g) (((1u << NGEN) - 1) & ~(1u << (g)))
#define FROM(g) (((1u << NGEN) - 1) & ~((1u << (g)) - 1))

static const struct kcase cases[] = {
	{"plain kernel page", {0, M_NONE, 0, 0, NOHEAD, false}, 100, 31, ALLG, CS_KEEP, 1},
	{"buddy order 3", {0, M_BUDDY, 0, 3, NOHEAD, false}, 8, 31, ALLG, CS_EXCL_FREE, 8},
	{"buddy kept without level 16", {0, M_BUDDY, 0, 3, NOHEAD, false}, 8, 15, ALLG, CS_KEEP, 1},
	{"buddy misaligned", {0, M_BUDDY, 0, 3, NOHEAD, false}, 4, 31, ALLG, CS_KEEP_UNVERIFIED, 1},
	{"buddy order >= LENGTH(zone.free_area)", {0, M_BUDDY, 0, 11, NOHEAD, false}, 0, 31, ALLG,
	 CS_KEEP_UNVERIFIED, 1},
	{"buddy order max (10)", {0, M_BUDDY, 0, 10, NOHEAD, false}, 1024, 16, ALLG, CS_EXCL_FREE, 1024},
	{"PG_slab + buddy mapcount is not free", {F_SLAB, M_BUDDY, 0, 0, NOHEAD, false}, 8, 31,
	 ONLY(G61) | ONLY(G69), CS_KEEP, 1},
	{"cache level 2", {F_LRU, M_MAPPED, FILE, 0, NOHEAD, false}, 7, 2, ALLG, CS_EXCL_CACHE, 1},
	{"cache level 4", {F_LRU, M_NONE, FILE, 0, NOHEAD, false}, 7, 4, ALLG, CS_EXCL_CACHE, 1},
	{"cache level 8 kept", {F_LRU, M_NONE, FILE, 0, NOHEAD, false}, 7, 8, ALLG, CS_KEEP, 1},
	{"private cache level 2 kept", {F_LRU | F_PRIV, M_NONE, FILE, 0, NOHEAD, false}, 7, 2, ALLG,
	 CS_KEEP, 1},
	{"private cache level 4", {F_LRU | F_PRIV, M_NONE, FILE, 0, NOHEAD, false}, 7, 4, ALLG,
	 CS_EXCL_CACHE_PRIVATE, 1},
	{"private cache level 6", {F_LRU | F_PRIV, M_NONE, FILE, 0, NOHEAD, false}, 7, 6, ALLG,
	 CS_EXCL_CACHE_PRIVATE, 1},
	{"swap cache (swapbacked)", {F_SWC | F_SWB, M_NONE, FILE, 0, NOHEAD, false}, 7, 2, ALLG,
	 CS_EXCL_CACHE, 1},
	{"owner_priv_1 without swapbacked is not cache", {F_SWC, M_NONE, FILE, 0, NOHEAD, false}, 7, 2,
	 ALLG, CS_KEEP, 1},
	{"anon LRU page level 2 kept", {F_LRU | F_SWB, M_MAPPED, ANON, 0, NOHEAD, false}, 7, 6, ALLG,
	 CS_KEEP, 1},
	{"anon LRU page level 8", {F_LRU | F_SWB, M_MAPPED, ANON, 0, NOHEAD, false}, 7, 8, ALLG,
	 CS_EXCL_USER, 1},
	{"anon level 31", {F_LRU | F_SWB, M_MAPPED, ANON, 0, NOHEAD, false}, 7, 31, ALLG, CS_EXCL_USER, 1},
	{"KSM page counts as anon", {F_LRU, M_MAPPED, KSM, 0, NOHEAD, false}, 7, 8, ALLG, CS_EXCL_USER, 1},
	{"slab with odd mapping (6.2+ overlay) kept", {F_SLAB, M_NONE, ANON, 0, NOHEAD, false}, 7, 31,
	 ALLG, CS_KEEP, 1},
	{"hwpoison at level 0", {F_HWP, M_NONE, 0, 0, NOHEAD, false}, 7, 0, ALLG, CS_EXCL_HWPOISON, 1},
	{"hwpoison cache at level 2 is cache", {F_HWP | F_LRU, M_NONE, FILE, 0, NOHEAD, false}, 7, 2,
	 ALLG, CS_EXCL_CACHE, 1},
	{"offline at level 0", {0, M_OFFLINE, 0, 0, NOHEAD, false}, 7, 0, ALLG, CS_EXCL_OFFLINE, 1},
	{"offline slab (old types) kept", {F_SLAB, M_OFFLINE, 0, 0, NOHEAD, false}, 7, 31,
	 ONLY(G61) | ONLY(G63) | ONLY(G66) | ONLY(G69), CS_KEEP, 1},
	{"THP anon head order 9", {F_LRU | F_SWB, M_NONE, ANON, 0, 9, false}, 512, 8, ALLG, CS_EXCL_USER,
	 512},
	{"THP anon head kept at level 0 as a unit", {F_LRU | F_SWB, M_NONE, ANON, 0, 9, false}, 512, 0,
	 ALLG, CS_KEEP, 512},
	{"large page-cache folio order 4", {F_LRU, M_NONE, FILE, 0, 4, false}, 32, 2, ALLG,
	 CS_EXCL_CACHE, 16},
	{"hugetlb 2M head", {0, M_NONE, FILE, 0, 9, true}, 1024, 8, EXCEPT(G66), CS_EXCL_USER, 512},
	{"hugetlb 1G head", {0, M_NONE, 0, 0, 18, true}, 262144, 31, EXCEPT(G66), CS_EXCL_USER, 262144},
	{"6.6 PG_hugetlb alone is not trusted (issue 21)", {0, M_NONE, FILE, 0, 9, true}, 1024, 31,
	 ONLY(G66), CS_KEEP, 512},
	{"6.6 PG_hugetlb with anon head is user data", {0, M_NONE, ANON, 0, 9, true}, 1024, 8, ONLY(G66),
	 CS_EXCL_USER, 512},
	{"hugetlb kept without level 8", {0, M_NONE, FILE, 0, 9, true}, 1024, 23, ALLG, CS_KEEP, 512},
	{"compound head misaligned", {F_LRU, M_NONE, ANON, 0, 9, false}, 256, 8, ALLG,
	 CS_KEEP_UNVERIFIED, 1},
	{"compound head order >= 64", {F_LRU, M_NONE, ANON, 0, 70, false}, 0, 8, ALLG,
	 CS_KEEP_UNVERIFIED, 1},
	{"compound slab head kept whole", {F_SLAB, M_NONE, 0, 0, 2, false}, 4, 31, ALLG, CS_KEEP, 4},
	{"tail page never decided alone", {F_TAIL | F_LRU, M_NONE, ANON, 0, NOHEAD, false}, 5, 31, ALLG,
	 CS_KEEP, 1},
	{"unaccepted MAX_PAGE_ORDER block", {0, M_UNACC, 0, 0, NOHEAD, false}, 1024, 16, FROM(G616),
	 CS_EXCL_FREE, 1024},
	{"unaccepted misaligned", {0, M_UNACC, 0, 0, NOHEAD, false}, 512, 16, FROM(G616),
	 CS_KEEP_UNVERIFIED, 1},
	{"unaccepted kept without level 16", {0, M_UNACC, 0, 0, NOHEAD, false}, 1024, 15, FROM(G616),
	 CS_KEEP, 1},
	{"unaccepted value unknown before 6.16", {0, M_UNACC, 0, 0, NOHEAD, false}, 1024, 31,
	 ONLY(G612), CS_KEEP, 1},
};

static void run_cases(struct tap *t)
{
	for (enum gen g = 0; g < NGEN; g++) {
		struct cs_kmodel km;
		struct cs_page_layout lay;
		struct cs_classify_consts cc;
		struct cs_err err;

		build_km(&km, g);
		ok(t, cs_page_layout_init(&lay, &km, &err) == CS_OK, "%s: layout", gen_name[g]);
		cs_classify_consts_init(&cc, &km, &lay);
		ok(t, cc.implausible[0] == 0, "%s: every value plausible (%s)", gen_name[g], cc.implausible);
		for (size_t i = 0; i < CS_ARRAY_SIZE(cases); i++) {
			const struct kcase *c = &cases[i];
			uint8_t page[64], tail[64];
			struct cs_page_view v;
			struct cs_page_class pc;
			struct cs_dl_decision d;

			if (c->gens && !(c->gens & (1u << g)))
				continue;
			make_bytes(g, &c->d, page, tail);
			cs_page_decode(&lay, page, c->d.order >= 0 ? tail : NULL, &v);
			cs_classify(&v, c->pfn, &cc, &pc);
			d = cs_dump_level_apply(&pc, c->level);
			if (!ok(t, d.what == c->want && d.span == c->span, "%s: %s (-d %d)", gen_name[g], c->name,
				c->level))
				printf("#   got %s span %" PRIu64 " (cond 0x%x), want %s span %" PRIu64 "\n",
				       cs_excl_name(d.what), d.span, pc.cond, cs_excl_name(c->want), c->span);
		}
	}
}

/* A head whose first tail is not available cannot be sized. */
static void test_no_tail(struct tap *t)
{
	struct cs_kmodel km;
	struct cs_page_layout lay;
	struct cs_classify_consts cc;
	struct cs_err err;
	struct pdesc d = {F_LRU, M_NONE, ANON, 0, 9, false};
	uint8_t page[64], tail[64];
	struct cs_page_view v;
	struct cs_page_class pc;

	build_km(&km, G612);
	cs_page_layout_init(&lay, &km, &err);
	cs_classify_consts_init(&cc, &km, &lay);
	make_bytes(G612, &d, page, tail);
	cs_page_decode(&lay, page, NULL, &v);
	cs_classify(&v, 512, &cc, &pc);
	ok(t, cs_dump_level_apply(&pc, 31).what == CS_KEEP_UNVERIFIED, "head without its tail: unverified");
}

/* Every level 0..31 on representative pages, against the dump-level table (filters/dump_level.c). */
static void test_levels(struct tap *t)
{
	struct cs_kmodel km;
	struct cs_page_layout lay;
	struct cs_classify_consts cc;
	struct cs_err err;
	static const struct {
		const char *name;
		struct pdesc d;
		pfn_t pfn;
	} reps[] = {
		{"plain", {0, M_NONE, 0, 0, NOHEAD, false}, 3},
		{"cache", {F_LRU, M_NONE, FILE, 0, NOHEAD, false}, 3},
		{"private cache", {F_LRU | F_PRIV, M_NONE, FILE, 0, NOHEAD, false}, 3},
		{"anon", {F_LRU | F_SWB, M_MAPPED, ANON, 0, NOHEAD, false}, 3},
		{"free", {0, M_BUDDY, 0, 2, NOHEAD, false}, 4},
		{"hwpoison anon", {F_HWP, M_MAPPED, ANON, 0, NOHEAD, false}, 3},
		{"hwpoison cache", {F_HWP | F_LRU, M_NONE, FILE, 0, NOHEAD, false}, 3},
		{"offline", {0, M_OFFLINE, 0, 0, NOHEAD, false}, 3},
		{"hugetlb", {0, M_NONE, 0, 0, 9, true}, 512},
	};

	build_km(&km, G612);
	cs_page_layout_init(&lay, &km, &err);
	cs_classify_consts_init(&cc, &km, &lay);
	for (size_t r = 0; r < CS_ARRAY_SIZE(reps); r++) {
		bool all = true;
		for (int level = 0; level <= 31; level++) {
			uint8_t page[64], tail[64];
			struct cs_page_view v;
			struct cs_page_class pc;
			struct cs_dl_decision d;
			enum cs_excl want = CS_KEEP;
			uint64_t span = 1;

			make_bytes(G612, &reps[r].d, page, tail);
			cs_page_decode(&lay, page, reps[r].d.order >= 0 ? tail : NULL, &v);
			cs_classify(&v, reps[r].pfn, &cc, &pc);
			d = cs_dump_level_apply(&pc, level);
			switch (r) {
			case 0: break;
			case 1: if (level & 6) want = CS_EXCL_CACHE; break;
			case 2: if (level & 4) want = CS_EXCL_CACHE_PRIVATE; break;
			case 3: if (level & 8) want = CS_EXCL_USER; break;
			case 4: if (level & 16) { want = CS_EXCL_FREE; span = 4; } break;
			case 5: want = (level & 8) ? CS_EXCL_USER : CS_EXCL_HWPOISON; break;
			case 6: want = (level & 6) ? CS_EXCL_CACHE : CS_EXCL_HWPOISON; break;
			case 7: want = CS_EXCL_OFFLINE; break;
			case 8: span = 512; if (level & 8) want = CS_EXCL_USER; break;
			}
			if (d.what != want || d.span != span) {
				all = false;
				printf("#   %s -d %d: got %s/%" PRIu64 " want %s/%" PRIu64 "\n", reps[r].name,
				       level, cs_excl_name(d.what), d.span, cs_excl_name(want), span);
			}
		}
		ok(t, all, "levels 0..31: %s", reps[r].name);
	}
}

static void test_page_types(struct tap *t)
{
	struct cs_page_type buddy_new = cs_page_type_make((int32_t)0xf0000000u, false);
	struct cs_page_type slab_new = cs_page_type_make((int32_t)0xf5000000u, true);
	struct cs_page_type slab_old = cs_page_type_make(-4097, true);
	struct cs_page_type buddy_old = cs_page_type_make(-129, false);

	ok(t, buddy_new.top_byte && cs_page_type_match(&buddy_new, 0xf0000000u), "6.12 buddy");
	ok(t, cs_page_type_match(&buddy_new, 0xf0000042u), "6.12: low 24 bits are data");
	/* makedumpfile issue #16: the masked test saw every buddy page as slab on 6.12. */
	ok(t, !cs_page_type_match(&slab_new, 0xf0000000u), "6.12 buddy is not slab");
	ok(t, !cs_page_type_match(&slab_new, 0xffffffffu) && !cs_page_type_match(&slab_new, 5),
	   "6.12: -1 and mapcounts are no type");
	ok(t, cs_page_type_match(&slab_old, 0xffffefffu) && !cs_page_type_match(&slab_old, 0xffffffffu),
	   "6.10 slab masked test");
	ok(t, cs_page_type_match(&buddy_old, 0xffffff7fu) && !cs_page_type_match(&buddy_old, 0xffffff7eu),
	   "old buddy exact test");
}

/* consts for generation g after one change; a mapped ordinary page (_mapcount -1) is classified too. */
static uint32_t implausible_cond(struct tap *t, enum gen g, enum cs_km_id id, int32_t v,
				 struct cs_classify_consts *cc, uint64_t flags)
{
	struct cs_kmodel km;
	struct cs_page_layout lay;
	struct cs_err err;
	struct cs_page_view pv = {0};
	struct cs_page_class pc;

	build_km(&km, g);
	set_num(&km, id, v);
	ok(t, cs_page_layout_init(&lay, &km, &err) == CS_OK, "%s: layout", gen_name[g]);
	cs_classify_consts_init(cc, &km, &lay);
	pv.flags = flags;
	pv.mapcount = 0xffffffffu;
	cs_classify(&pv, 0x1000, cc, &pc);
	return pc.cond;
}

/* Implausible page-type values and flag bits are not used (their pages are kept) and are said. */
static void test_implausible(struct tap *t)
{
	for (enum gen g = 0; g < NGEN; g++) {
		struct cs_classify_consts cc;
		uint32_t cond;

		cond = implausible_cond(t, g, KM_NUM_PAGE_OFFLINE_MAPCOUNT_VALUE, -1, &cc, 0);
		ok(t, !(cond & CS_PC_OFFLINE) && !cc.t_offline.have &&
			      strstr(cc.implausible, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-1 matches"),
		   "%s: offline=-1 not used, said: %s", gen_name[g], cc.implausible);
		cond = implausible_cond(t, g, KM_NUM_PAGE_BUDDY_MAPCOUNT_VALUE, (int32_t)v_offline(g), &cc, 0);
		ok(t, !cc.t_offline.have && !cc.t_buddy.have && cc.buddy == CS_BUDDY_NONE &&
			      strstr(cc.implausible, "collides"),
		   "%s: buddy == offline: neither used: %s", gen_name[g], cc.implausible);
		cond = implausible_cond(t, g, KM_NUM_PAGE_BUDDY_MAPCOUNT_VALUE, 0, &cc, 0);
		ok(t, !cc.t_buddy.have && cc.implausible[0], "%s: buddy=0 not used", gen_name[g]);
		/* PG_hwpoison on PG_lru's bit (4 in build_km) would drop every LRU page as hwpoison. */
		cond = implausible_cond(t, g, KM_NUM_PG_hwpoison, 4, &cc, 1u << 4);
		ok(t, !(cond & (CS_PC_HWPOISON | CS_PC_CACHE)) && strstr(cc.implausible, "names the bit of NUMBER(PG_lru)"),
		   "%s: PG_hwpoison == PG_lru: neither used: %s", gen_name[g], cc.implausible);
	}
}

static void test_layout(struct tap *t)
{
	struct cs_kmodel km;
	struct cs_page_layout lay;
	struct cs_err err;

	build_km(&km, G61);
	km.have[KM_OFF_page_mapping] = 0;
	ok(t, cs_page_layout_init(&lay, &km, &err) != CS_OK && strstr(err.msg, "mapping"),
	   "no OFFSET(page.mapping): %s", err.msg);
	build_km(&km, G61);
	cs_km_set(&km, KM_OFF_page_compound_dtor, 16);
	cs_km_set(&km, KM_OFF_page_compound_order, 18);
	cs_page_layout_init(&lay, &km, &err);
	ok(t, lay.order_src == CS_ORDER_PAGE16, "4.4-4.15 u16 compound fields by offsets");
	build_km(&km, G63);
	cs_page_layout_init(&lay, &km, &err);
	ok(t, lay.order_src == CS_ORDER_FOLIO && lay.tail_off_order == 17, "6.3 folio order offset");
	build_km(&km, G71);
	cs_page_layout_init(&lay, &km, &err);
	ok(t, lay.have_compound_head && lay.off_compound_head == 8, "7.1 compound_info");
}

int main(void)
{
	struct tap t = {0};

	run_cases(&t);
	test_no_tail(&t);
	test_levels(&t);
	test_page_types(&t);
	test_implausible(&t);
	test_layout(&t);
	return tap_done(&t);
}
