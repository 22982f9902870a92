/* tests/gen/pages.c: what every pfn holds (page kinds by --mix) and the 6.1 struct page that says so. */
#include "tests/gen/gen.h"
#include "tests/gen/truth.h"

#include <string.h>

/* ---- assignment ---- */

struct assign {
	struct gen_ctx *c;
	struct gen_rng rng;
	double small[MIX_NCLASSES]; /* cumulative weights of classes placed page by page */
	double p_thp, p_huge, p_bigfree;
};

/* Share of free memory placed as whole 2 MiB / 4 MiB blocks (the rest as orders 0..8). */
#define BIG_FREE_SHARE 0.7

static bool run_is(const struct gen_ctx *c, pfn_t pfn, uint64_t n, uint8_t k)
{
	if (pfn + n > c->npfn)
		return false;
	for (uint64_t i = 0; i < n; i++)
		if (c->kind[pfn + i] != k)
			return false;
	return true;
}

static void put_unit(struct gen_ctx *c, pfn_t pfn, unsigned order, uint8_t head_kind)
{
	c->kind[pfn] = head_kind;
	c->aux[pfn] = (uint8_t)order;
	for (uint64_t i = 1; i < (1ULL << order); i++) {
		c->kind[pfn + i] = PK_TAIL;
		c->aux[pfn + i] = (uint8_t)order;
	}
}

static void put_buddy(struct gen_ctx *c, pfn_t pfn, unsigned order)
{
	c->kind[pfn] = PK_BUDDY_HEAD;
	c->aux[pfn] = (uint8_t)order;
	for (uint64_t i = 1; i < (1ULL << order); i++) {
		c->kind[pfn + i] = PK_BUDDY_TAIL;
		c->aux[pfn + i] = (uint8_t)order;
	}
}

/* Largest order <= want such that an aligned run of that order is still unassigned. */
static unsigned fit_order(const struct gen_ctx *c, pfn_t pfn, unsigned want, uint8_t av)
{
	while (want && ((pfn & ((1ULL << want) - 1)) || !run_is(c, pfn, 1ULL << want, av)))
		want--;
	return want;
}

/* Place one unit of class `cls` at pfn (unassigned, availability av); returns pfns used. */
static uint64_t place_small(struct assign *a, pfn_t pfn, int cls, uint8_t av)
{
	struct gen_ctx *c = a->c;
	double r = gen_rng_unit(&a->rng);
	unsigned order;

	switch (cls) {
	case MIX_FREE: {
		uint64_t bits = gen_rng_next(&a->rng);
		unsigned want = 0;
		while (want < 8 && (bits & 3)) {
			want++;
			bits >>= 2;
		}
		order = fit_order(c, pfn, want, av);
		put_buddy(c, pfn, order);
		return 1ULL << order;
	}
	case MIX_CACHE:
		if (r < 0.08 && (order = fit_order(c, pfn, 2, av)) == 2) {
			put_unit(c, pfn, 2, PK_CFOLIO_HEAD);
			return 4;
		}
		c->kind[pfn] = PK_CACHE;
		return 1;
	case MIX_CACHEPRIV:
		if (r < 0.15 && (order = fit_order(c, pfn, 2, av)) == 2) {
			put_unit(c, pfn, 2, PK_CFOLIO_PRIV_HEAD);
			return 4;
		}
		c->kind[pfn] = PK_CACHE_PRIV;
		return 1;
	case MIX_SWAPCACHE:
		c->kind[pfn] = r < 0.5 ? PK_SWAPCACHE : PK_SWAPCACHE_LRU;
		return 1;
	case MIX_ANON:
		c->kind[pfn] = r < 0.1 ? PK_SWAPCACHE_ANON : PK_ANON;
		return 1;
	case MIX_SLAB:
		if (r < 0.25 && (order = fit_order(c, pfn, 1 + gen_rng_below(&a->rng, 3), av)) > 0) {
			put_unit(c, pfn, order, PK_SLAB_HEAD);
			return 1ULL << order;
		}
		c->kind[pfn] = PK_SLAB;
		return 1;
	case MIX_PGTABLE:
		c->kind[pfn] = PK_PGTABLE;
		return 1;
	case MIX_HWPOISON:
		c->kind[pfn] = PK_HWPOISON;
		return 1;
	case MIX_OFFLINE:
		c->kind[pfn] = PK_OFFLINE;
		return 1;
	case MIX_KERNEL:
	default:
		c->kind[pfn] = r < 0.1 ? PK_OWNERPRIV : PK_KERNEL;
		return 1;
	}
}

static int pick_small(struct assign *a)
{
	double r = gen_rng_unit(&a->rng) * a->small[MIX_NCLASSES - 1];
	for (int k = 0; k < MIX_NCLASSES; k++)
		if (r < a->small[k])
			return k;
	return MIX_KERNEL;
}

static void mixed(struct assign *a, pfn_t start, uint64_t n)
{
	struct gen_ctx *c = a->c;

	for (pfn_t p = start; p < start + n;) {
		uint8_t av = c->kind[p];
		if (av != PK_AVAIL && av != PK_AVAIL_NODATA) {
			p++;
			continue;
		}
		p += place_small(a, p, pick_small(a), av);
	}
}

/*
 * A fixed 16 MiB showcase so that even a small dump has every kind: buddy
 * blocks of orders 0..10, THP, hugetlb (mapped and pooled), and each small
 * kind next to each other.
 */
static void showcase(struct gen_ctx *c)
{
	static const uint8_t small_kinds[] = {
		PK_CACHE, PK_CACHE_PRIV, PK_SWAPCACHE, PK_SWAPCACHE_LRU, PK_ANON, PK_SWAPCACHE_ANON,
		PK_SLAB, PK_PGTABLE, PK_KERNEL, PK_OWNERPRIV, PK_OFFLINE, PK_HWPOISON,
	};
	pfn_t s;

	for (s = 8192; s + 4096 <= c->npfn; s += 1024)
		if (run_is(c, s, 4096, PK_AVAIL))
			break;
	if (s + 4096 > c->npfn)
		return;
	put_buddy(c, s, 10);
	put_unit(c, s + 1024, 9, PK_THP_HEAD);
	put_unit(c, s + 1536, 9, PK_HUGETLB_HEAD);
	put_unit(c, s + 2048, 9, PK_HUGETLB_POOL_HEAD);
	put_buddy(c, s + 2560, 9);
	c->kind[s + 3072] = PK_HWPOISON;
	for (unsigned k = 0; k <= 8; k++)
		put_buddy(c, s + 3072 + (1ULL << k), k);
	pfn_t b = s + 3584;
	for (size_t i = 0; i < sizeof(small_kinds); i++)
		c->kind[b + i] = small_kinds[i];
	put_unit(c, b + 12, 2, PK_CFOLIO_HEAD);
	put_unit(c, b + 16, 2, PK_CFOLIO_PRIV_HEAD);
	put_unit(c, b + 20, 1, PK_SLAB_HEAD);
	put_unit(c, b + 24, 2, PK_SLAB_HEAD);
	put_unit(c, b + 32, 3, PK_SLAB_HEAD);
}

cs_status gen_assign_pages(struct gen_ctx *c, struct cs_err *err)
{
	struct assign a = {.c = c};
	const double *m = c->o.mix.v;
	double total = 0, acc = 0, rest;

	(void)err;
	gen_rng_init(&a.rng, c->o.seed, 0xc1a55);
	for (int k = 0; k < MIX_NCLASSES; k++)
		total += m[k];
	a.p_thp = m[MIX_THP] / total;
	a.p_huge = m[MIX_HUGETLB] / total;
	a.p_bigfree = m[MIX_FREE] / total * BIG_FREE_SHARE;
	rest = 1.0 - a.p_thp - a.p_huge - a.p_bigfree;
	for (int k = 0; k < MIX_NCLASSES; k++) {
		double w = m[k] / total;
		if (k == MIX_THP || k == MIX_HUGETLB)
			w = 0;
		if (k == MIX_FREE)
			w *= 1.0 - BIG_FREE_SHARE;
		acc += rest > 0 ? w / rest : 0;
		a.small[k] = acc;
	}
	if (acc <= 0) /* only THP/hugetlb requested: partial blocks still need something */
		a.small[MIX_KERNEL] = a.small[MIX_NCLASSES - 1] = 1;

	showcase(c);
	for (pfn_t pb = 0; pb < c->npfn; pb += GEN_PAGEBLOCK) {
		uint8_t av = c->kind[pb];
		if ((av == PK_AVAIL || av == PK_AVAIL_NODATA) && run_is(c, pb, GEN_PAGEBLOCK, av)) {
			double r = gen_rng_unit(&a.rng);
			if (r < a.p_thp) {
				put_unit(c, pb, 9, PK_THP_HEAD);
				continue;
			}
			r -= a.p_thp;
			if (r < a.p_huge) {
				put_unit(c, pb, 9, gen_rng_unit(&a.rng) < 0.7 ? PK_HUGETLB_HEAD
									     : PK_HUGETLB_POOL_HEAD);
				continue;
			}
			r -= a.p_huge;
			if (r < a.p_bigfree) {
				/* Pair with the next block into order 10 when aligned, half of the time. */
				if (pb % 1024 == 0 && run_is(c, pb, 1024, av) && gen_rng_unit(&a.rng) < 0.5) {
					put_buddy(c, pb, 10);
					pb += GEN_PAGEBLOCK;
				} else {
					put_buddy(c, pb, 9);
				}
				continue;
			}
		}
		mixed(&a, pb, CS_MIN(GEN_PAGEBLOCK, c->npfn - pb));
	}
	for (pfn_t p = 0; p < c->npfn; p++)
		c->kind_count[c->kind[p]]++;
	return CS_OK;
}

/* ---- truth ---- */

static unsigned kind_class(uint8_t k)
{
	switch (k) {
	case PK_HOLE:
		return CS_TRUTH_HOLE;
	case PK_CACHE: case PK_CFOLIO_HEAD: case PK_SWAPCACHE: case PK_SWAPCACHE_LRU:
		return CS_TRUTH_CACHE;
	case PK_CACHE_PRIV: case PK_CFOLIO_PRIV_HEAD:
		return CS_TRUTH_CACHE_PRIVATE;
	case PK_ANON: case PK_SWAPCACHE_ANON: case PK_THP_HEAD: case PK_HUGETLB_HEAD:
	case PK_HUGETLB_POOL_HEAD:
		return CS_TRUTH_USER;
	case PK_BUDDY_HEAD: case PK_BUDDY_TAIL:
		return CS_TRUTH_FREE;
	case PK_HWPOISON:
		return CS_TRUTH_HWPOISON;
	case PK_OFFLINE:
		return CS_TRUTH_OFFLINE;
	default:
		return CS_TRUTH_KERNEL;
	}
}

/* The class of the page's struct page (tails take their head's); position flags are added elsewhere. */
unsigned gen_truth_class_of(const struct gen_ctx *c, pfn_t pfn)
{
	uint8_t k = c->kind[pfn];

	if (k == PK_TAIL)
		k = c->kind[pfn & ~((1ULL << c->aux[pfn]) - 1)];
	return kind_class(k);
}

/* ---- struct page encoding (Linux 6.1, x86_64, SIZE(page) = 64) ---- */

static void put64(uint8_t *p, unsigned off, uint64_t v)
{
	memcpy(p + off, &v, 8);
}
static void put32(uint8_t *p, unsigned off, uint32_t v)
{
	memcpy(p + off, &v, 4);
}

/* A plausible, 64-byte aligned direct-map pointer (an address_space, anon_vma, kmem_cache...). */
static vaddr_t kptr(const struct gen_ctx *c, uint64_t h)
{
	return gen_dmap(c, ((h % c->max_pfn) << GEN_PAGE_SHIFT) | ((h >> 44) & 0xfc0));
}

static vaddr_t lru_neighbour(const struct gen_ctx *c, pfn_t pfn, uint64_t h)
{
	return gen_page_vaddr(c, (pfn + 1 + h % 977) % c->npfn) + 8;
}

void gen_encode_page(const struct gen_ctx *c, pfn_t pfn, uint8_t out[64])
{
	uint8_t k = pfn < c->npfn ? c->kind[pfn] : PK_HOLE;
	uint64_t h = gen_hash(c->o.seed, 0x9a6e, pfn);
	uint64_t zone = pfn < 4096 ? 0 : pfn < (1ULL << 20) ? 1 : 2; /* DMA, DMA32, NORMAL */
	uint64_t flags = zone << GEN_ZONES_PGSHIFT | GEN_LAST_CPUPID_MASK;
	uint64_t lru_next = GEN_LIST_POISON1, lru_prev = GEN_LIST_POISON2, mapping = 0, index = 0;
	uint64_t private = 0, memcg = 0;
	int32_t mapcount = -1;
	uint32_t refcount = 1;
	vaddr_t self = gen_page_vaddr(c, pfn);
	bool lru = false;

	memset(out, 0, 64);
	switch (k) {
	case PK_HOLE:
	case PK_RESERVED:
	case PK_AVAIL:
	case PK_AVAIL_NODATA:
		flags |= 1ULL << GEN_PG_reserved;
		lru_next = lru_prev = self + 8; /* INIT_LIST_HEAD in __init_single_page() */
		break;
	case PK_KERNEL:
		refcount = 1 + h % 3;
		break;
	case PK_OWNERPRIV:
		/* e.g. a filesystem metadata page with PG_checked: not page cache */
		flags |= 1ULL << GEN_PG_owner_priv_1 | 1ULL << GEN_PG_uptodate;
		mapping = kptr(c, h);
		index = h >> 40;
		refcount = 2;
		break;
	case PK_SLAB_HEAD:
		flags |= 1ULL << GEN_PG_head;
		/* fall through */
	case PK_SLAB:
		/* struct slab overlays struct page: slab_list, slab_cache, freelist, counters */
		flags |= 1ULL << GEN_PG_slab;
		lru_next = lru_neighbour(c, pfn, h);
		lru_prev = lru_neighbour(c, pfn, h >> 8);
		mapping = kptr(c, h >> 3);
		index = kptr(c, h >> 5) + ((h >> 20) & 0x38);
		private = (h & 0xffff) | (uint64_t)((h >> 16) & 0x7fff) << 16;
		break;
	case PK_PGTABLE:
		/* ptdesc: _pt_pad_1 (must stay even), pmd_huge_pte, pt_mm, ptl */
		mapcount = GEN_PAGE_TABLE_MAPCOUNT;
		lru_next = lru_prev = 0;
		index = kptr(c, h);
		break;
	case PK_CFOLIO_PRIV_HEAD:
	case PK_CACHE_PRIV:
		flags |= 1ULL << GEN_PG_private;
		private = kptr(c, h >> 7); /* buffer_head */
		/* fall through */
	case PK_CFOLIO_HEAD:
	case PK_CACHE:
		if (k == PK_CFOLIO_HEAD || k == PK_CFOLIO_PRIV_HEAD)
			flags |= 1ULL << GEN_PG_head;
		lru = true;
		flags |= 1ULL << GEN_PG_uptodate | (h & 1) << GEN_PG_referenced | (h >> 1 & 1) << GEN_PG_active |
			 (h >> 2 & 1) << GEN_PG_dirty;
		mapping = kptr(c, h >> 9); /* address_space: even */
		index = (h >> 24) & 0xfffff;
		mapcount = (h & 8) ? 0 : -1;
		refcount = 2 + mapcount;
		memcg = kptr(c, h >> 13);
		break;
	case PK_SWAPCACHE_LRU:
		lru = true;
		/* fall through */
	case PK_SWAPCACHE:
		/* swap readahead: in the swap cache, not mapped yet; private holds the swap entry */
		flags |= 1ULL << GEN_PG_swapcache | 1ULL << GEN_PG_swapbacked | 1ULL << GEN_PG_uptodate;
		private = (h & 0xfffffff) << 5;
		refcount = 1 + lru;
		break;
	case PK_SWAPCACHE_ANON:
		flags |= 1ULL << GEN_PG_swapcache;
		private = (h & 0xfffffff) << 5;
		/* fall through */
	case PK_ANON:
		lru = true;
		flags |= 1ULL << GEN_PG_swapbacked | 1ULL << GEN_PG_uptodate | (h >> 1 & 1) << GEN_PG_active |
			 (h >> 2 & 1) << GEN_PG_dirty | (h >> 3 & 1) << GEN_PG_anon_exclusive;
		mapping = kptr(c, h >> 11) | 1; /* anon_vma | PAGE_MAPPING_ANON */
		index = 0x7f0000000ULL + ((h >> 20) & 0xffffff);
		mapcount = (int32_t)(h % 3);
		refcount = 1 + mapcount + (k == PK_SWAPCACHE_ANON);
		memcg = kptr(c, h >> 13);
		break;
	case PK_THP_HEAD:
		lru = true;
		flags |= 1ULL << GEN_PG_head | 1ULL << GEN_PG_swapbacked | 1ULL << GEN_PG_uptodate |
			 (h >> 1 & 1) << GEN_PG_active | 1ULL << GEN_PG_anon_exclusive;
		mapping = kptr(c, h >> 11) | 1;
		index = 0x7f0000000ULL + ((h >> 20) & 0xfffe00);
		refcount = 1 + 512 * (h & 1);
		memcg = kptr(c, h >> 13);
		break;
	case PK_HUGETLB_HEAD:
		/* a hugetlbfs file page (address_space) or a MAP_PRIVATE|MAP_ANONYMOUS one (anon_vma|1) */
		flags |= 1ULL << GEN_PG_head | 1ULL << GEN_PG_uptodate | 1ULL << GEN_PG_anon_exclusive;
		mapping = kptr(c, h >> 9) | (h >> 5 & 1);
		index = (h >> 24) & 0xffff;
		private = 2; /* HPG_migratable */
		lru_next = gen_ksym(c, GEN_KIMG_DATA + 0x1f1290); /* the hstate's active list */
		lru_prev = lru_neighbour(c, pfn, h >> 8);
		break;
	case PK_HUGETLB_POOL_HEAD:
		flags |= 1ULL << GEN_PG_head;
		refcount = 0;
		lru_next = lru_neighbour(c, pfn, h);
		lru_prev = lru_neighbour(c, pfn, h >> 8);
		break;
	case PK_BUDDY_HEAD:
		mapcount = GEN_PAGE_BUDDY_MAPCOUNT; /* page_type PG_buddy */
		private = c->aux[pfn];              /* buddy order */
		refcount = 0;
		lru_next = lru_neighbour(c, pfn, h);
		lru_prev = lru_neighbour(c, pfn, h >> 8);
		break;
	case PK_BUDDY_TAIL:
		refcount = 0;
		break;
	case PK_HWPOISON:
		flags |= 1ULL << GEN_PG_hwpoison;
		refcount = 1;
		break;
	case PK_OFFLINE:
		mapcount = GEN_PAGE_OFFLINE_MAPCOUNT; /* page_type PG_offline (balloon) */
		refcount = 1;
		break;
	case PK_TAIL:
	default:
		refcount = 0;
		break;
	}
	if (lru) {
		flags |= 1ULL << GEN_PG_lru;
		lru_next = lru_neighbour(c, pfn, h);
		lru_prev = lru_neighbour(c, pfn, h >> 8);
	}
	put64(out, 0, flags);
	put64(out, 8, lru_next);
	put64(out, 16, lru_prev);
	put64(out, 24, mapping);
	put64(out, 32, index);
	put64(out, 40, private);
	put32(out, 48, (uint32_t)mapcount);
	put32(out, 52, refcount);
	put64(out, 56, memcg);

	if (k != PK_TAIL)
		return;
	/*
	 * Tails (prep_compound_tail, prep_compound_head in 6.1), as seen in a real
	 * dump: lru.prev still holds the INIT_LIST_HEAD value from boot.
	 */
	unsigned order = c->aux[pfn];
	pfn_t head = pfn & ~((1ULL << order) - 1);
	uint8_t hk = c->kind[head];
	put64(out, 8, gen_page_vaddr(c, head) | 1); /* compound_head */
	put64(out, 16, self + 8);
	put64(out, 24, GEN_TAIL_MAPPING);
	put64(out, 32, 0);
	put64(out, 40, 0);
	put64(out, 56, 0);
	if (pfn == head + 1) {
		uint8_t dtor = hk == PK_THP_HEAD ? GEN_TRANSHUGE_PAGE_DTOR
			       : (hk == PK_HUGETLB_HEAD || hk == PK_HUGETLB_POOL_HEAD) ? GEN_HUGETLB_PAGE_DTOR
										 : GEN_COMPOUND_PAGE_DTOR;
		out[16] = dtor;                                   /* compound_dtor */
		out[17] = (uint8_t)order;                         /* compound_order */
		put32(out, 20, hk == PK_THP_HEAD ? 0 : UINT32_MAX); /* compound_mapcount */
		put32(out, 24, 0);                                /* compound_pincount */
		put32(out, 28, 1U << order);                      /* compound_nr */
	} else if (pfn == head + 2 && hk == PK_THP_HEAD) {
		put64(out, 24, self + 24); /* deferred_list, empty */
		put64(out, 32, self + 24);
	} else if (pfn == head + 2 && (hk == PK_HUGETLB_HEAD || hk == PK_HUGETLB_POOL_HEAD)) {
		put64(out, 40, kptr(c, h)); /* hugetlb_subpool */
	}
}
