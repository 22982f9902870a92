/* tests/unit/test_memmap.c: section decoding, mem_map discovery and the scan on a hand-built kernel. */
#include "core/erase.h"
#include "engine/erase.h"
#include "core/kernel.h"
#include "core/memmap.h"
#include "engine/scan.h"
#include "core/arch/x86_64_paging.h"
#include "filters/dump_level.h"
#include "tests/lib/tap.h"

#include <elf.h>
#include <stdlib.h>

/*
 * Fake physical memory: a "kernel" region (page tables, mem_section roots)
 * and the vmemmap backing; any other pfn inside the source's ranges reads
 * as zeros (plain RAM).
 */
#define KREG_PA 0x1000000ULL /* phys_base: kernel image at 16 MiB */
#define KREG_SIZE (1ULL << 20)
#define VMM_PA 0x8000000ULL /* vmemmap backing at 128 MiB */
#define NSEC 4
#define PPS 32768ULL /* pfns per section */
#define SPG 64ULL    /* sizeof(struct page) */
#define VMM_SIZE (NSEC * PPS * SPG)
#define VMEMMAP 0xffffea0000000000ULL
#define KV(off) (X86_START_KERNEL_MAP + (off))
#define P (X86_PTE_PRESENT | X86_PTE_RW)

/* Offsets in the kernel region. */
#define O_PGD 0x0000
#define O_ROOTS 0x1000   /* mem_section root array (VMCOREINFO form) */
#define O_PTRVAR 0x3000  /* `struct mem_section **mem_section` (vmlinux form) */
#define O_SECPAGE 0x4000 /* the first root page: 256 struct mem_section */
#define O_FLAT 0x5000    /* non-extreme: flat array of sections */
#define O_TABLES 0x10000 /* page tables from here */

struct fake {
	uint8_t *kreg, *vmm;
	unsigned next_table;
	struct cs_pfn_range ranges[4];
};

static cs_status fake_read(struct cs_source *src, paddr_t pa, void *buf, size_t len,
			   struct cs_err *err)
{
	struct fake *f = src->priv;
	uint8_t *out = buf;

	while (len) {
		size_t n = len;
		pfn_t pfn = pa >> 12;
		bool in = false;

		for (size_t i = 0; i < src->nr_ranges; i++)
			in |= pfn >= src->ranges[i].start && pfn < src->ranges[i].end;
		if (pa >= KREG_PA && pa < KREG_PA + KREG_SIZE) {
			n = CS_MIN(len, KREG_PA + KREG_SIZE - pa);
			memcpy(out, f->kreg + (pa - KREG_PA), n);
		} else if (pa >= VMM_PA && pa < VMM_PA + VMM_SIZE) {
			n = CS_MIN(len, VMM_PA + VMM_SIZE - pa);
			memcpy(out, f->vmm + (pa - VMM_PA), n);
		} else if (in) {
			n = CS_MIN(len, 4096 - (pa & 4095));
			memset(out, 0, n);
		} else {
			return cs_err_set(err, CS_ERR_NODATA, "paddr 0x%" PRIx64 " is not in the dump", pa);
		}
		out += n;
		pa += n;
		len -= n;
	}
	return CS_OK;
}

static const struct cs_source_ops fake_ops = {.name = "fake", .read_paddr = fake_read};

static uint64_t *kq(struct fake *f, uint64_t off)
{
	return (uint64_t *)(f->kreg + off);
}

static uint64_t link(struct fake *f, uint64_t table_off, vaddr_t va, unsigned shift)
{
	uint64_t *e = kq(f, table_off) + x86_pt_index(va, shift);

	if (!*e) {
		*e = x86_pte_make(KREG_PA + O_TABLES + (uint64_t)f->next_table * 4096, P);
		f->next_table++;
	}
	return x86_pte_paddr(*e, 0) - KREG_PA;
}

/* Map the vmemmap of sections [0, NSEC) with 2 MiB pages onto VMM_PA. */
static void map_vmemmap(struct fake *f)
{
	for (uint64_t off = 0; off < VMM_SIZE; off += 2ULL << 20) {
		vaddr_t va = VMEMMAP + off;
		uint64_t pud = link(f, O_PGD, va, X86_P4D_SHIFT);
		uint64_t pmd = link(f, pud, va, X86_PUD_SHIFT);
		kq(f, pmd)[x86_pt_index(va, X86_PMD_SHIFT)] = (VMM_PA + off) | P | X86_PTE_PSE;
	}
}

static uint64_t sec_word(unsigned s)
{
	return cs_section_encode(VMEMMAP + s * PPS * SPG, s * PPS, SPG,
				 CS_SECTION_MARKED_PRESENT | CS_SECTION_HAS_MEM_MAP | CS_SECTION_IS_ONLINE |
					 CS_SECTION_IS_EARLY);
}

static void set_section(struct fake *f, unsigned s, uint64_t word)
{
	kq(f, O_SECPAGE)[s * 2] = word; /* SIZE(mem_section) 16, section_mem_map at 0 */
	kq(f, O_FLAT)[s * 2] = word;
}

static void fake_init(struct fake *f, struct cs_source *src)
{
	memset(f->kreg, 0, KREG_SIZE);
	memset(f->vmm, 0, VMM_SIZE);
	f->next_table = 0;
	map_vmemmap(f);
	kq(f, O_ROOTS)[0] = KV(O_SECPAGE);
	kq(f, O_PTRVAR)[0] = KV(O_ROOTS);
	for (unsigned s = 0; s < NSEC; s++)
		set_section(f, s, sec_word(s));
	memset(src, 0, sizeof(*src));
	src->ops = &fake_ops;
	src->priv = f;
	src->path = "fake";
	src->page_size = 4096;
	src->e_machine = 62;
	src->ranges = f->ranges;
	f->ranges[0] = (struct cs_pfn_range){0, NSEC * PPS, NSEC * PPS};
	src->nr_ranges = 1;
	src->max_pfn = NSEC * PPS;
}

/* A 6.12-style model. */
static void base_km(struct cs_kmodel *km)
{
	memset(km, 0, sizeof(*km));
	strcpy(km->osrelease, "6.12.0-test");
	cs_km_set(km, KM_PAGESIZE, 4096);
	cs_km_set(km, KM_SYM_init_top_pgt, KV(O_PGD));
	cs_km_set(km, KM_NUM_phys_base, KREG_PA);
	cs_km_set(km, KM_NUM_KERNEL_IMAGE_SIZE, 1ULL << 30);
	cs_km_set(km, KM_SYM_mem_section, KV(O_ROOTS));
	cs_km_set(km, KM_LEN_mem_section, 2048);
	cs_km_set(km, KM_SIZE_mem_section, 16);
	cs_km_set(km, KM_OFF_mem_section_section_mem_map, 0);
	cs_km_set(km, KM_NUM_SECTION_SIZE_BITS, 27);
	cs_km_set(km, KM_NUM_MAX_PHYSMEM_BITS, 46);
	cs_km_set(km, KM_SIZE_page, SPG);
	cs_km_set(km, KM_OFF_page_flags, 0);
	cs_km_set(km, KM_OFF_page_compound_head, 8);
	cs_km_set(km, KM_OFF_page_mapping, 24);
	cs_km_set(km, KM_OFF_page_private, 40);
	cs_km_set(km, KM_OFF_page__mapcount, 48);
	cs_km_set(km, KM_OFF_page__refcount, 52);
	cs_km_set(km, KM_LEN_zone_free_area, 11);
	cs_km_set(km, KM_NUM_PG_lru, 5);
	cs_km_set(km, KM_NUM_PG_private, 14);
	cs_km_set(km, KM_NUM_PG_swapcache, 10);
	cs_km_set(km, KM_NUM_PG_swapbacked, 17);
	cs_km_set(km, KM_NUM_PG_head_mask, 1ULL << 6);
	cs_km_set(km, KM_NUM_PG_hwpoison, 21);
	cs_km_set(km, KM_NUM_PAGE_BUDDY_MAPCOUNT_VALUE, (uint64_t)(int64_t)(int32_t)0xf0000000u);
	cs_km_set(km, KM_NUM_PAGE_OFFLINE_MAPCOUNT_VALUE, (uint64_t)(int64_t)(int32_t)0xf1000000u);
	cs_km_set(km, KM_NUM_PAGE_HUGETLB_MAPCOUNT_VALUE, (uint64_t)(int64_t)(int32_t)0xf4000000u);
	cs_km_set(km, KM_NUM_PAGE_SLAB_MAPCOUNT_VALUE, (uint64_t)(int64_t)(int32_t)0xf5000000u);
}

static uint8_t *spage(struct fake *f, pfn_t pfn)
{
	return f->vmm + pfn * SPG;
}

static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static void mk(struct fake *f, pfn_t pfn, uint64_t flags, uint64_t mapping, uint32_t mc, uint64_t priv)
{
	uint8_t *p = spage(f, pfn);
	put64(p, flags);
	put64(p + 24, mapping);
	put32(p + 48, mc);
	put64(p + 40, priv);
}

static void mk_compound(struct fake *f, pfn_t pfn, unsigned order, uint64_t flags, uint64_t mapping,
			uint32_t mc)
{
	mk(f, pfn, flags | (1ULL << 6), mapping, mc, 0);
	for (pfn_t t = 1; t < (1ULL << order); t++)
		put64(spage(f, pfn + t) + 8, VMEMMAP + pfn * SPG + 1);
	put64(spage(f, pfn + 1), order);
}

static void test_discovery(struct tap *t, struct fake *f)
{
	struct cs_source src;
	struct cs_kmodel km;
	struct cs_kernel *k = calloc(1, sizeof(*k));
	struct cs_memmap mm;
	struct cs_err err;

	fake_init(f, &src);
	base_km(&km);
	ok(t, cs_kernel_init_source(k, &src, &km, &err) == CS_OK, "kernel init: %s", err.msg);
	ok(t, cs_memmap_init(&mm, k, src.max_pfn, &err) == CS_OK, "extreme, array form: %s", err.msg);
	ok(t, mm.model == CS_MM_SPARSEMEM_EXTREME && mm.nr_blocks == NSEC && !mm.mem_section_deref,
	   "EXTREME from LENGTH(mem_section), %zu sections", mm.nr_blocks);
	ok(t, mm.coded[0] == VMEMMAP && mm.coded[3] == VMEMMAP, "coded pointer = vmemmap base");
	ok_eq_u64(t, cs_memmap_page_vaddr(&mm, 40000), VMEMMAP + 40000 * SPG, "struct page vaddr");
	ok_eq_u64(t, mm.max_mapnr, NSEC * PPS, "max_mapnr");
	{
		uint8_t buf[128];
		mk(f, 40000, 0x1234, 0, 0, 0);
		ok(t, cs_memmap_read(&mm, k, 40000, 2, buf, &err) == CS_OK && buf[0] == 0x34 && buf[1] == 0x12,
		   "read struct pages through the vmemmap");
	}
	cs_memmap_deinit(&mm);

	/* -x form: the symbol is the pointer variable. */
	cs_km_set(&k->km, KM_SYM_mem_section, KV(O_PTRVAR));
	ok(t, cs_memmap_init(&mm, k, src.max_pfn, &err) == CS_OK && mm.mem_section_deref &&
		      mm.coded[2] == VMEMMAP,
	   "pointer form dereferenced");
	cs_memmap_deinit(&mm);
	cs_km_set(&k->km, KM_SYM_mem_section, KV(O_ROOTS));

	/* LENGTH(mem_section) = NR_MEM_SECTIONS: a flat array of sections. */
	cs_km_set(&k->km, KM_LEN_mem_section, 1ULL << 19);
	cs_km_set(&k->km, KM_SYM_mem_section, KV(O_FLAT));
	ok(t, cs_memmap_init(&mm, k, src.max_pfn, &err) == CS_OK && mm.model == CS_MM_SPARSEMEM &&
		      mm.coded[3] == VMEMMAP,
	   "non-extreme flat array: %s", err.msg);
	cs_memmap_deinit(&mm);
	cs_km_set(&k->km, KM_LEN_mem_section, 2048);
	cs_km_set(&k->km, KM_SYM_mem_section, KV(O_ROOTS));

	/* Implausible sections: a user address, and a kernel address off the vmemmap. */
	set_section(f, 1, cs_section_encode(0x12340000ULL + PPS * SPG, PPS, SPG, 3));
	set_section(f, 2, cs_section_encode(0xffffc90000000000ULL + 2 * PPS * SPG, 2 * PPS, SPG, 3));
	ok(t, cs_memmap_init(&mm, k, src.max_pfn, &err) == CS_OK, "implausible sections tolerated");
	ok(t, mm.coded[0] && !mm.coded[1] && !mm.coded[2] && mm.coded[3], "bad sections have no mem_map");
	ok_eq_u64(t, mm.nr_implausible, 2, "two implausible sections counted");
	cs_memmap_deinit(&mm);

	/* max_mapnr is clamped to the end of the last section with a mem_map. */
	set_section(f, 1, sec_word(1));
	set_section(f, 2, sec_word(2));
	set_section(f, 3, 0);
	ok(t, cs_memmap_init(&mm, k, src.max_pfn, &err) == CS_OK, "absent last section");
	ok_eq_u64(t, mm.max_mapnr, 3 * PPS, "max_mapnr clamped");
	cs_memmap_deinit(&mm);

	/* No section at all: fail. */
	for (unsigned s = 0; s < NSEC; s++)
		set_section(f, s, 0);
	ok(t, cs_memmap_init(&mm, k, src.max_pfn, &err) != CS_OK, "no mem_map anywhere: %s", err.msg);
	cs_kernel_deinit(k);
	free(k);
}

static void test_scan(struct tap *t, struct fake *f)
{
	struct cs_source src;
	struct cs_kmodel km;
	struct cs_kernel *k = calloc(1, sizeof(*k));
	struct cs_err err;
	struct cs_bitmap b1 = {0}, b2 = {0};
	struct cs_page_stats st;
	const uint32_t BUDDY = 0xf0000000u, OFFLINE = 0xf1000000u, SLAB = 0xf5000000u, HUGE = 0xf4000000u;
	const uint64_t ANON = 0xffff888000100001ULL, FILE = 0xffff888000200000ULL;
	const uint64_t LRU = 1ULL << 5, PRIV = 1ULL << 14, HWP = 1ULL << 21;

	fake_init(f, &src);
	base_km(&km);
	/* Section 0: a mix. */
	for (pfn_t p = 0; p < PPS; p++)
		put32(spage(f, p) + 48, 0xffffffffu);
	mk(f, 16, 0, 0, BUDDY, 4);               /* free 16 pages */
	mk(f, 32, LRU, FILE, 0, 0);              /* cache */
	mk(f, 33, LRU | PRIV, FILE, 0, 0);       /* private cache */
	mk(f, 34, LRU, ANON, 0, 0);              /* anon */
	mk(f, 35, 0, ANON, SLAB, 0);             /* slab with odd mapping: kept */
	mk(f, 36, HWP, 0, 0xffffffffu, 0);       /* hwpoison */
	mk(f, 37, 0, 0, OFFLINE, 0);             /* offline */
	mk_compound(f, 512, 9, LRU, ANON, 0xffffffffu);       /* THP */
	mk_compound(f, 1024, 9, 0, FILE, HUGE);               /* hugetlb 2M */
	mk_compound(f, 2048, 2, 0, ANON, SLAB);               /* slab compound: kept */
	mk(f, 4096, 0, 0, BUDDY, 12);                         /* bad order: unverified */
	mk(f, 4104, 0, 0, BUDDY, 4);                          /* misaligned: unverified */
	/* Section 1: 1 GiB hugetlb would not fit; a buddy block right at the section end. */
	mk(f, 2 * PPS - 1024, 0, 0, BUDDY, 10);
	/* Section 2: bad mem_map pointer -> unverified; section 3 partially present. */
	set_section(f, 2, cs_section_encode(0x1000ULL, 2 * PPS, SPG, 3));
	f->ranges[0] = (struct cs_pfn_range){0, 3 * PPS + 1000, 3 * PPS + 1000};
	f->ranges[1] = (struct cs_pfn_range){3 * PPS + 2000, 3 * PPS + 3000, 3 * PPS + 2500};
	src.nr_ranges = 2;
	src.max_pfn = 3 * PPS + 3000;
	mk(f, 3 * PPS + 992, 0, 0, BUDDY, 4); /* crosses the end of range 0: unverified */
	mk(f, 3 * PPS + 2048, 0, 0, BUDDY, 3); /* in range 1, partly without data: free */

	ok(t, cs_kernel_init_source(k, &src, &km, &err) == CS_OK, "kernel init");
	ok(t, cs_scan(k, &src, 31, &b1, &b2, &st, &err) == CS_OK, "scan -d 31: %s", err.msg);
	ok_eq_u64(t, st.total, 3 * PPS + 3000, "total = max_mapnr");
	ok_eq_u64(t, b1.nbits, st.total, "bitmap size");
	ok_eq_u64(t, st.hole, 1000, "hole");
	ok_eq_u64(t, st.free, 16 + 1024 + 8, "free");
	ok_eq_u64(t, st.cache, 1, "cache");
	ok_eq_u64(t, st.cache_private, 1, "cache_private");
	ok_eq_u64(t, st.user, 1 + 512 + 512, "user (anon, THP, hugetlb)");
	ok_eq_u64(t, st.hwpoison, 1, "hwpoison");
	ok_eq_u64(t, st.offline, 1, "offline");
	ok_eq_u64(t, st.kept_unverified, 1 + 1 + PPS + 1, "kept_unverified (2 bad buddies, section 2, range cross)");
	ok_eq_u64(t, st.remaining, st.total - st.hole - st.free - st.cache - st.cache_private - st.user -
					   st.hwpoison - st.offline,
		  "remaining");
	ok(t, cs_bitmap_test(&b1, 0) && !cs_bitmap_test(&b1, 3 * PPS + 1500) &&
		      cs_bitmap_test(&b1, 3 * PPS + 2999),
	   "bitmap1 = present ranges");
	ok(t, !cs_bitmap_test(&b2, 16) && !cs_bitmap_test(&b2, 31) && !cs_bitmap_test(&b2, 34) &&
		      cs_bitmap_test(&b2, 35) && cs_bitmap_test(&b2, 15),
	   "bitmap2 excludes free/anon, keeps slab");
	ok(t, cs_bitmap_test(&b2, 2048) && cs_bitmap_test(&b2, 2051), "slab compound kept whole");
	ok(t, !cs_bitmap_test(&b2, 1024) && !cs_bitmap_test(&b2, 1535) && cs_bitmap_test(&b2, 1536),
	   "hugetlb excluded as a unit");
	ok(t, cs_bitmap_test(&b2, 4096) && cs_bitmap_test(&b2, 4104), "bad buddies kept");
	ok(t, cs_bitmap_test(&b2, 2 * PPS + 5), "section without mem_map kept");
	ok(t, cs_bitmap_test(&b2, 3 * PPS + 992) && cs_bitmap_test(&b2, 3 * PPS + 999),
	   "range-crossing block kept");
	ok(t, !cs_bitmap_test(&b2, 3 * PPS + 2600) && cs_bitmap_test(&b2, 3 * PPS + 2400),
	   "pfns without data cleared");
	ok_eq_u64(t, cs_bitmap_count(&b2, 0, b2.nbits) + st.free + st.cache + st.cache_private + st.user +
			     st.hwpoison + st.offline + 500,
		  st.total - st.hole, "bitmap2 agrees with the counts");
	{
		/*
		 * The scanner on 4 threads (one share per section here), whole and in
		 * windows of 2 sections (cyclic mode), gives the serial result.
		 */
		static const pfn_t spans[] = {0, 2 * PPS};
		for (size_t i = 0; i < CS_ARRAY_SIZE(spans); i++) {
			struct cs_scanner *sc = NULL;
			struct cs_bitmap p1 = {0}, p2 = {0};
			struct cs_page_stats pst = {0};
			pfn_t max = st.total, span = spans[i] ? spans[i] : max;
			bool same = true;

			ok(t, cs_scanner_open(k, &src, 31, 4, &sc, &err) == CS_OK, "scanner, 4 threads opens");
			if (!sc)
				continue;
			ok_eq_u64(t, cs_scanner_max_mapnr(sc), max, "scanner max_mapnr");
			cs_bitmap_init_window(&p1, 0, span, &err);
			cs_bitmap_init_window(&p2, 0, span, &err);
			for (pfn_t first = 0; first < max; first += span) {
				cs_bitmap_move_window(&p1, first, CS_MIN(first + span, max));
				cs_bitmap_move_window(&p2, first, CS_MIN(first + span, max));
				cs_scanner_window(sc, &p1, &p2, &pst, &err);
				for (pfn_t p = first; p < p1.nbits && same; p++)
					same = cs_bitmap_test(&p1, p) == cs_bitmap_test(&b1, p) &&
					       cs_bitmap_test(&p2, p) == cs_bitmap_test(&b2, p);
			}
			ok(t, memcmp(&pst, &st, sizeof(st)) == 0, "4 threads, windows of %" PRIu64 " pfns: same counts",
			   span);
			ok(t, same, "4 threads, windows of %" PRIu64 " pfns: same bitmaps", span);
			cs_bitmap_deinit(&p1);
			cs_bitmap_deinit(&p2);
			cs_scanner_close(sc);
		}
	}
	cs_bitmap_deinit(&b1);
	cs_bitmap_deinit(&b2);

	/* -d 1 with PG_hwpoison known: hwpoison and offline still go (bitmaps of -d 31 reused). */
	ok(t, cs_scan(k, &src, 1, &b1, &b2, &st, &err) == CS_OK, "scan -d 1 after -d 31");
	ok(t, st.hwpoison == 1 && st.offline == 1 && st.free == 0 && st.user == 0, "-d 1: hwpoison/offline only");
	cs_bitmap_deinit(&b1);
	cs_bitmap_deinit(&b2);

	/* A page whose first byte is in no segment is never classified (makedumpfile is_in_segs). */
	{
		static const pfn_t uc[] = {36, 37};
		src.unconsulted = uc;
		src.nr_unconsulted = 2;
		ok(t, cs_scan(k, &src, 31, &b1, &b2, &st, &err) == CS_OK && st.hwpoison == 0 && st.offline == 0 &&
			      cs_bitmap_test(&b2, 36) && cs_bitmap_test(&b2, 37) && st.free == 16 + 1024 + 8,
		   "unconsulted pfns kept unclassified");
		src.unconsulted = NULL;
		src.nr_unconsulted = 0;
		cs_bitmap_deinit(&b1);
		cs_bitmap_deinit(&b2);
	}
	/* Pages without data are in no class (makedumpfile counts only bits it clears). */
	{
		f->ranges[1].data_end = 3 * PPS + 2052;
		ok(t, cs_scan(k, &src, 31, &b1, &b2, &st, &err) == CS_OK && st.free == 16 + 1024 + 4,
		   "free block half without data counts 4");
		f->ranges[1].data_end = 3 * PPS + 2500;
		cs_bitmap_deinit(&b1);
		cs_bitmap_deinit(&b2);
	}

	/* Without a model only levels 0/1 work. */
	cs_kernel_deinit(k);
	ok(t, cs_kernel_init_source(k, &src, NULL, &err) == CS_OK && !k->have_model, "no vmcoreinfo: init ok");
	ok(t, cs_scan(k, &src, 31, &b1, &b2, &st, &err) == CS_ERR_ARGS &&
		      strstr(err.msg, "doesn't contain vmcoreinfo"),
	   "no vmcoreinfo: -d 31 refused: %s", err.msg);
	ok(t, cs_scan(k, &src, 1, &b1, &b2, &st, &err) == CS_OK && st.total == src.max_pfn &&
		      st.remaining == st.total - st.hole,
	   "no vmcoreinfo: -d 1 keeps everything present");
	cs_bitmap_deinit(&b1);
	cs_bitmap_deinit(&b2);
	cs_kernel_deinit(k);
	free(k);
}

static void test_utsname(struct tap *t, struct fake *f)
{
	struct cs_source src;
	struct cs_kmodel km;
	struct cs_kernel *k = calloc(1, sizeof(*k));
	struct cs_err err;
	char uts[6][65];

	fake_init(f, &src);
	base_km(&km);
	cs_km_set(&km, KM_SYM_init_uts_ns, KV(0x8000));
	strcpy((char *)f->kreg + 0x8000 + 4, "Linux");
	strcpy((char *)f->kreg + 0x8000 + 4 + 2 * 65, "6.12.0-test");
	cs_kernel_init_source(k, &src, &km, &err);
	ok(t, cs_kernel_utsname(k, uts, &err) == CS_OK && !strcmp(uts[0], "Linux") &&
		      !strcmp(uts[2], "6.12.0-test"),
	   "utsname at init_uts_ns + 4 without OFFSET(uts_namespace.name)");
	cs_km_set(&k->km, KM_OFF_uts_namespace_name, 0);
	ok(t, cs_kernel_utsname(k, uts, &err) == CS_OK && !strcmp(uts[0], ""),
	   "OFFSET(uts_namespace.name) honoured");
	free(k);
}

/*
 * An excluded unit larger than a mem_map block (an anonymous order-16 compound page over
 * sections 0 and 1) crosses the boundary between two walkers' shares: the threaded
 * scanner must notice and walk again serially, giving cs_scan's result.
 */
static void test_scan_share_overflow(struct tap *t, struct fake *f)
{
	struct cs_source src;
	struct cs_kmodel km;
	struct cs_kernel *k = calloc(1, sizeof(*k));
	struct cs_err err;
	struct cs_bitmap b1 = {0}, b2 = {0}, p1 = {0}, p2 = {0};
	struct cs_page_stats st, pst = {0};
	struct cs_scanner *sc = NULL;
	const uint64_t LRU = 1ULL << 5, ANON = 0xffff888000100001ULL;
	bool same = true;

	fake_init(f, &src);
	base_km(&km);
	for (pfn_t p = 0; p < NSEC * PPS; p++)
		put32(spage(f, p) + 48, 0xffffffffu);
	mk_compound(f, 0, 16, LRU, ANON, 0xffffffffu);
	ok(t, cs_kernel_init_source(k, &src, &km, &err) == CS_OK, "overflow: kernel init");
	ok(t, cs_scan(k, &src, 31, &b1, &b2, &st, &err) == CS_OK, "overflow: serial scan");
	ok_eq_u64(t, st.user, 2 * PPS, "overflow: the order-16 page is user data, excluded whole");
	ok(t, cs_scanner_open(k, &src, 31, 4, &sc, &err) == CS_OK && sc, "overflow: scanner, 4 threads");
	if (sc) {
		cs_bitmap_init(&p1, cs_scanner_max_mapnr(sc), &err);
		cs_bitmap_init(&p2, cs_scanner_max_mapnr(sc), &err);
		cs_scanner_window(sc, &p1, &p2, &pst, &err);
		for (pfn_t p = 0; p < st.total && same; p++)
			same = cs_bitmap_test(&p1, p) == cs_bitmap_test(&b1, p) &&
			       cs_bitmap_test(&p2, p) == cs_bitmap_test(&b2, p);
		ok(t, same && memcmp(&pst, &st, sizeof(st)) == 0,
		   "overflow: 4 threads give the serial bitmaps and counts");
		cs_scanner_close(sc);
	}
	cs_bitmap_deinit(&b1);
	cs_bitmap_deinit(&b2);
	cs_bitmap_deinit(&p1);
	cs_bitmap_deinit(&p2);
	cs_kernel_deinit(k);
	free(k);
}

/* --config's ranges translated once by the page tables: split where a mapping ends, unmapped fails. */
static void test_erase_virt(struct tap *t, struct fake *f)
{
	struct cs_source src;
	struct cs_kmodel km;
	struct cs_kernel *k = calloc(1, sizeof(*k));
	struct cs_erase_map m = {0};
	struct cs_err err;
	const vaddr_t two_mb = 2ULL << 20;

	fake_init(f, &src);
	base_km(&km);
	ok(t, cs_kernel_init_source(k, &src, &km, &err) == CS_OK, "erase: kernel init (%s)", err.msg);
	ok(t, cs_erase_map_add_virt(&m, k, VMEMMAP + two_mb - 8, 24, 'X', &err) == CS_OK &&
		      cs_erase_map_add_virt(&m, k, VMEMMAP + 100, 4, 0, &err) == CS_OK,
	   "erase: vmemmap ranges translate (%s)", err.msg);
	cs_erase_map_finish(&m);
	ok(t, m.n == 3 && m.r[0].paddr == VMM_PA + 100 && m.r[0].len == 4 && m.r[0].fill == 0 &&
		      m.r[1].paddr == VMM_PA + two_mb - 8 && m.r[1].len == 8 && m.r[1].fill == 'X' &&
		      m.r[2].paddr == VMM_PA + two_mb && m.r[2].len == 16 && m.bytes == 28,
	   "erase: a range across a 2 MiB mapping is two pieces (8 + 16 bytes), sorted by paddr");
	ok(t, cs_erase_map_add_virt(&m, k, VMEMMAP + VMM_SIZE + two_mb, 8, 'X', &err) != CS_OK &&
		      strstr(err.msg, "cannot translate the erased vaddr 0xffffea"),
	   "erase: an unmapped vaddr fails, named (%s)", err.msg);
	cs_erase_map_free(&m);
	cs_kernel_deinit(k);
	free(k);
}

/*
 * --config end to end below the CLI (engine/erase.c): tests/fixtures/kstructs.c built
 * -no-pie is the vmlinux, and its PT_LOADs are the crashed kernel's memory at their
 * link addresses, mapped by one 2 MiB page (0x400000 -> VMM_PA + 4 MiB) of the fake's
 * page tables: pointers are read and ranges translated through the walker.
 */
#define FIX_VA 0x400000ULL
#define FIX_PA (VMM_PA + (4ULL << 20))

static bool load_fixture_image(struct fake *f, const char *bin)
{
	FILE *fp = fopen(bin, "rb");
	uint8_t *file;
	long size;
	const Elf64_Ehdr *eh;
	bool good = true;

	if (!fp || fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) <= 0 || fseek(fp, 0, SEEK_SET) != 0)
		return false;
	file = malloc((size_t)size);
	if (!file || fread(file, 1, (size_t)size, fp) != (size_t)size)
		good = false;
	fclose(fp);
	eh = (const Elf64_Ehdr *)(void *)file;
	for (unsigned i = 0; good && i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(void *)(file + eh->e_phoff) + i;

		if (ph->p_type != PT_LOAD)
			continue;
		good = ph->p_vaddr >= FIX_VA && ph->p_vaddr + ph->p_memsz <= FIX_VA + (2ULL << 20);
		if (good)
			memcpy(f->vmm + (FIX_PA - VMM_PA) + (ph->p_vaddr - FIX_VA), file + ph->p_offset,
			       ph->p_filesz);
	}
	free(file);
	return good;
}

static uint64_t nm_addr(const char *bin, const char *sym)
{
	char cmd[700], line[256];
	uint64_t v = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "nm '%s'", bin);
	if (!(p = popen(cmd, "r")))
		return 0;
	while (fgets(line, sizeof(line), p)) {
		unsigned long long a;
		char type, name[200];

		if (sscanf(line, "%llx %c %199s", &a, &type, name) == 3 && !strcmp(name, sym))
			v = a;
	}
	pclose(p);
	return v;
}

static void test_erase_build(struct tap *t, struct fake *f)
{
	const char *root = getenv("CS_ROOT");
	char src_c[512], dir[] = "/tmp/cs-erase-build-XXXXXX", bin[600], conf[600], cmd[2048];
	struct cs_source src;
	struct cs_kmodel km;
	struct cs_kernel *k = calloc(1, sizeof(*k));
	struct cs_erase_map m = {0};
	struct cs_err err;
	FILE *fp;

	snprintf(src_c, sizeof(src_c), "%s/tests/fixtures/kstructs.c", root ? root : ".");
	fp = fopen(src_c, "r");
	if (fp)
		fclose(fp);
	if (!fp || !mkdtemp(dir)) {
		printf("# SKIP erase build: %s not found\n", src_c);
		free(k);
		return;
	}
	snprintf(bin, sizeof(bin), "%s/erasek", dir);
	snprintf(conf, sizeof(conf), "%s/erase.conf", dir);
	snprintf(cmd, sizeof(cmd), "cc -g -no-pie -o '%s' '%s'", bin, src_c);
	ok(t, system(cmd) == 0, "erase build: the fixture compiles");
	fake_init(f, &src);
	{
		uint64_t pud = link(f, O_PGD, FIX_VA, X86_P4D_SHIFT);
		uint64_t pmd = link(f, pud, FIX_VA, X86_PUD_SHIFT);
		kq(f, pmd)[x86_pt_index(FIX_VA, X86_PMD_SHIFT)] = FIX_PA | P | X86_PTE_PSE;
	}
	ok(t, load_fixture_image(f, bin), "erase build: its PT_LOADs are the memory at 0x400000");
	base_km(&km);
	ok(t, cs_kernel_init_source(k, &src, &km, &err) == CS_OK, "erase build: kernel init");
	fp = fopen(conf, "w");
	fputs("erase erase_first.name\n"                                  /* char *: "Hello World" */
	      "for n in erase_list_head within erase_s1:list\n"
	      "  erase n.key size n.key_size\n"                           /* 8, 7, 0 bytes */
	      "endfor\n"
	      "erase erase_first.addr1 nullify\n", fp);
	fclose(fp);
#ifdef HAVE_LIBDW
	uint64_t pa = FIX_PA - FIX_VA;
	cs_status st = cs_erase_build(conf, bin, k, &m, &err);
	ok(t, st == CS_OK, "erase build: resolved and translated (%s)", st ? err.msg : "ok");
	ok(t, m.n == 4 && m.r[0].paddr == pa + nm_addr(bin, "erase_hello") && m.r[0].len == 11 &&
		      m.r[0].fill == 'X' && m.r[1].paddr == pa + nm_addr(bin, "erase_key0") && m.r[1].len == 8 &&
		      m.r[2].paddr == pa + nm_addr(bin, "erase_key1") && m.r[2].len == 7 &&
		      m.r[3].paddr == pa + nm_addr(bin, "erase_nodes") + 8 && m.r[3].len == 8 &&
		      m.r[3].fill == 0,
	   "erase build: 4 physical ranges, pointers read through the page tables, sorted by paddr");
	{
		uint8_t page[4096];
		paddr_t hello = m.n ? m.r[0].paddr : 0;

		memcpy(page, f->vmm + (hello & ~4095ULL) - VMM_PA, sizeof(page));
		cs_erase_map_apply(&m, hello & ~4095ULL, page, sizeof(page));
		ok(t, !memcmp(page + (hello & 4095), "XXXXXXXXXXX", 11) && page[(hello & 4095) + 11] == 0,
		   "erase build: \"Hello World\" becomes 11 'X', its NUL stays");
	}
	fp = fopen(conf, "w");
	fputs("# line 1\nerase erase_first.nope\n", fp);
	fclose(fp);
	ok(t, cs_erase_build(conf, bin, k, &m, &err) == CS_ERR_ARGS && m.n == 0 && strstr(err.msg, ":2: ") &&
		      strstr(err.msg, "has no member 'nope'"),
	   "erase build: a bad line fails with its FILE:LINE (%s)", err.msg);
#endif
	ok(t, cs_erase_build(conf, NULL, k, &m, &err) == CS_ERR_ARGS && strstr(err.msg, "needs -x"),
	   "erase build: --config without -x is refused (%s)", err.msg);
	cs_erase_map_free(&m);
	cs_kernel_deinit(k);
	free(k);
	remove(conf);
	remove(bin);
	remove(dir);
}

int main(void)
{
	struct tap t = {0};
	struct fake f = {.kreg = calloc(1, KREG_SIZE), .vmm = calloc(1, VMM_SIZE)};

	test_discovery(&t, &f);
	test_scan(&t, &f);
	test_scan_share_overflow(&t, &f);
	test_utsname(&t, &f);
	test_erase_virt(&t, &f);
	test_erase_build(&t, &f);
	free(f.kreg);
	free(f.vmm);
	return tap_done(&t);
}
