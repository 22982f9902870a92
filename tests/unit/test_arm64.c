/* tests/unit/test_arm64.c: the arm64 row on hand-built translation tables in memory, for every paging form. */
#include "core/arch/arch.h"
#include "core/arch/arm64_paging.h"
#include "tests/lib/tap.h"

#define NPAGES 48
#define MAX_PAGE (64u << 10)
/* Lower attributes of a kernel page: AttrIndx 4, inner shareable, AF, nG; upper: DBM, PXN, UXN, software bits. */
#define ATTRS ((4ULL << 2) | (3ULL << 8) | A64_DESC_AF | (1ULL << 11) | (1ULL << 51) | A64_DESC_PXN | \
	       A64_DESC_UXN | (0xfULL << 55))

/* Fake RAM: NPAGES pages of the granule from base (which is also PHYS_OFFSET). */
struct fakemem {
	uint8_t *bytes;
	paddr_t base;
	uint64_t page;
	unsigned next;
	unsigned reads;
};

static cs_status fake_read(void *ctx, paddr_t paddr, void *buf, size_t len, struct cs_err *err)
{
	struct fakemem *m = ctx;

	m->reads++;
	if (paddr < m->base || paddr + len > m->base + NPAGES * m->page)
		return cs_err_set(err, CS_ERR_NODATA, "paddr 0x%" PRIx64 " not in the dump", paddr);
	memcpy(buf, m->bytes + (paddr - m->base), len);
	return CS_OK;
}

/* One case: granule, VA_BITS, the levels the kernel's Kconfig gives it, 52-bit PA. */
struct form_case {
	unsigned page_shift, va_bits, levels;
	bool pa52;
};

static const struct form_case cases[] = {
	{12, 39, 3, false}, {12, 48, 4, false}, {14, 36, 2, false}, {14, 47, 3, false},
	{14, 48, 4, false}, {16, 42, 2, false}, {16, 48, 3, false}, {16, 52, 3, true},
};

/* The architecture's geometry, computed here independently of the row's tables. */
struct geo {
	unsigned ps, levels, va_bits;
	unsigned shift[CS_ARCH_MAX_LEVELS], bits[CS_ARCH_MAX_LEVELS];
	unsigned max_block_shift;
};

static struct geo geo_of(const struct form_case *c)
{
	struct geo g = {.ps = c->page_shift, .levels = c->levels, .va_bits = c->va_bits};

	for (unsigned l = 0; l < c->levels; l++) {
		g.shift[l] = c->page_shift + (c->levels - 1 - l) * (c->page_shift - 3);
		g.bits[l] = c->page_shift - 3;
	}
	g.bits[0] = c->va_bits - g.shift[0];
	/* Block sizes the ARM ARM allows (no LPA2): 4K 1 GiB/2 MiB, 16K 32 MiB, 64K 512 MiB. */
	g.max_block_shift = c->page_shift == 12 ? 30 : c->page_shift == 14 ? 25 : 29;
	return g;
}

/* The test's own descriptor encoder (64K with 52-bit PA: PA[51:48] into bits [15:12]). */
static uint64_t desc(const struct geo *g, paddr_t pa, uint64_t type)
{
	uint64_t d = pa & 0x0000ffffffffffffULL & ~((1ULL << g->ps) - 1);

	if (g->ps == 16)
		d |= (pa >> 48 & 0xf) << 12;
	return d | type;
}

static uint64_t *entry(struct fakemem *m, const struct geo *g, paddr_t table, vaddr_t va, unsigned l)
{
	unsigned idx = (unsigned)((va >> g->shift[l]) & ((1ULL << g->bits[l]) - 1));

	return (uint64_t *)(m->bytes + (table - m->base)) + idx;
}

/* The table at level `l` for va, creating the tables above it: returns its paddr. */
static paddr_t table_at(struct fakemem *m, const struct geo *g, vaddr_t va, unsigned l)
{
	paddr_t t = m->base; /* page 0 is the PGD */

	for (unsigned i = 0; i < l; i++) {
		uint64_t *e = entry(m, g, t, va, i);
		if (!(*e & A64_DESC_VALID)) {
			*e = desc(g, m->base + m->next * m->page, A64_DESC_PAGE);
			m->next++;
		}
		t = (*e & 0x0000ffffffffffffULL & ~(m->page - 1)) | (g->ps == 16 ? (*e >> 12 & 0xf) << 48 : 0);
	}
	return t;
}

static void put(struct fakemem *m, const struct geo *g, vaddr_t va, unsigned l, uint64_t d)
{
	*entry(m, g, table_at(m, g, va, l), va, l) = d;
}

static void set_km(struct cs_kmodel *km, const struct form_case *c, paddr_t base, vaddr_t image_va)
{
	memset(km, 0, sizeof(*km));
	cs_km_set(km, KM_PAGESIZE, 1ULL << c->page_shift);
	cs_km_set(km, KM_NUM_VA_BITS, c->va_bits);
	cs_km_set(km, KM_NUM_PHYS_OFFSET, base);
	/* swapper_pg_dir is the image's first page, loaded at base: root = base. */
	cs_km_set(km, KM_NUM_kimage_voffset, image_va - base);
	cs_km_set(km, KM_SYM_swapper_pg_dir, image_va);
}

static void setup(struct cs_arch *a, struct fakemem *m, const struct form_case *c, paddr_t base)
{
	m->page = 1ULL << c->page_shift;
	m->base = base;
	m->next = 1;
	m->reads = 0;
	memset(m->bytes, 0, NPAGES * MAX_PAGE);
	memset(a, 0, sizeof(*a));
	a->read_paddr = fake_read;
	a->read_ctx = m;
}

/* The kernel image of a flipped (5.4+) layout: 256 MiB above the bottom of the upper half. */
static vaddr_t image_va_of(unsigned va_bits)
{
	return ~((1ULL << (CS_MIN(va_bits, 48) - 1)) - 1) + 0x10000000ULL;
}

static unsigned nr_translations;

/* Translate va and check the exact paddr and the bytes to the end of its mapping. */
static void check_xlat(struct tap *t, struct cs_arch *a, vaddr_t va, paddr_t want, uint64_t want_contig,
		       const char *what, const char *form)
{
	struct cs_err err = {0};
	paddr_t pa = 0;
	uint64_t contig = 0;

	nr_translations++;
	ok(t, cs_arch_vtop(a, va, &pa, &contig, &err) == CS_OK, "%s %s: vaddr 0x%" PRIx64 " %s", form, what, va,
	   err.msg);
	ok_eq_u64(t, pa, want, "%s %s: paddr", form, what);
	ok_eq_u64(t, contig, want_contig, "%s %s: bytes to the end of the mapping", form, what);
}

static void test_form(struct tap *t, struct cs_arch *a, struct fakemem *m, const struct form_case *c)
{
	struct geo g = geo_of(c);
	char form[32];
	struct cs_kmodel km;
	struct cs_err err = {0};
	/* 52-bit PA: RAM (and so every table) above 2^48, and pages with PA[51:48] = 0xa. */
	paddr_t base = c->pa52 ? 0x0003000040000000ULL : 0x40000000ULL;
	paddr_t hi = c->pa52 ? 0x000a000000000000ULL : 0;
	vaddr_t up = ~((1ULL << (c->va_bits - 1)) - 1); /* the walked (upper) half of the kernel range */
	uint64_t slot = 1ULL << (c->va_bits - 3);       /* four slots in the upper half */
	vaddr_t page_offset = ~((1ULL << c->va_bits) - 1);
	uint64_t pg = 1ULL << c->page_shift;
	vaddr_t va_page = up + slot + 7 * pg + 0x123;
	paddr_t pa_page = hi | (0x876543210000ULL & ~(pg - 1));
	paddr_t pa_page2 = hi | (0x123456780000ULL & ~(pg - 1));
	unsigned reads, nblock = 0, bad_level = 0;
	paddr_t pa;
	uint64_t contig;

	snprintf(form, sizeof(form), "%uK/%u", 1u << (c->page_shift - 10), c->va_bits);
	setup(a, m, c, base);
	set_km(&km, c, base, image_va_of(c->va_bits));
	if (c->pa52)
		cs_km_set(&km, KM_NUM_MAX_PHYSMEM_BITS, 52);
	ok(t, cs_arch_init(a, &cs_arch_arm64, &km, NULL, &err) == CS_OK, "%s: init %s", form, err.msg);
	ok_eq_u64(t, a->walk.form->levels, c->levels, "%s: levels", form);
	ok_eq_u64(t, a->walk.root, base, "%s: root = swapper_pg_dir - kimage_voffset", form);
	ok_eq_u64(t, a->walk.form->section_size_bits, c->page_shift == 16 ? 29 : 27, "%s: section bits", form);
	ok_eq_u64(t, a->walk.form->max_physmem_bits, c->pa52 ? 52 : 48, "%s: max physmem bits", form);

	/* A page through every level, with all attribute bits and the contiguous hint set. */
	put(m, &g, va_page, c->levels - 1, desc(&g, pa_page, A64_DESC_PAGE | ATTRS | A64_DESC_CONT));
	put(m, &g, va_page + pg, c->levels - 1, desc(&g, pa_page2, A64_DESC_PAGE | ATTRS));
	check_xlat(t, a, va_page, pa_page + 0x123, pg - 0x123, "page (contiguous bit)", form);
	ok_eq_u64(t, a->walk.nr_table_reads, c->levels, "%s: one table read per level", form);
	reads = m->reads;
	check_xlat(t, a, (va_page & ~(pg - 1)) + pg + 8, pa_page2 + 8, pg - 8, "next page", form);
	ok_eq_u64(t, m->reads, reads, "%s: the next page re-reads no table", form);

	/* Blocks (sections) at each level that may have one, in slots 2 and 3. */
	for (unsigned l = 0; l + 1 < c->levels; l++) {
		uint64_t size = 1ULL << g.shift[l];
		vaddr_t va;
		paddr_t blk = hi | ((0x123ULL << g.shift[l]) & 0x0000ffffffffffffULL);
		char what[40];

		if (g.shift[l] > g.max_block_shift) {
			bad_level = l;
			continue;
		}
		va = up + (2 + nblock++) * slot;
		put(m, &g, va, l, desc(&g, blk, A64_DESC_BLOCK | ATTRS));
		cs_arch_cache_reset(a); /* the walker caches tables it read before this change */
		snprintf(what, sizeof(what), "%" PRIu64 " MiB block", size >> 20);
		check_xlat(t, a, va + size / 2 + 0x345, blk + size / 2 + 0x345, size / 2 - 0x345, what, form);
	}
	ok(t, nblock == (c->page_shift == 12 ? 2u : 1u), "%s: %u block level(s)", form, nblock);

	/* Not mapped: an empty entry, and the reserved 0b01 at the last level. */
	ok(t, cs_arch_vtop(a, va_page + 2 * pg, &pa, &contig, &err) == CS_ERR_NODATA &&
		   strstr(err.msg, "not mapped (PTE entry 0x0"),
	   "%s: empty PTE: %s", form, err.msg);
	put(m, &g, va_page + 3 * pg, c->levels - 1, desc(&g, pa_page, A64_DESC_BLOCK | ATTRS));
	cs_arch_cache_reset(a);
	ok(t, cs_arch_vtop(a, va_page + 3 * pg, &pa, &contig, &err) == CS_ERR_NODATA, "%s: 0b01 at the last level: %s",
	   form, err.msg);
	ok(t, cs_arch_vtop(a, up, &pa, &contig, &err) == CS_ERR_NODATA && strstr(err.msg, "not mapped"),
	   "%s: slot 0 not mapped: %s", form, err.msg);
	/* A block where the granule has none (4K level 0, 16K levels 0-1, 64K level 1). */
	if (bad_level || g.shift[0] > g.max_block_shift) {
		put(m, &g, up, bad_level, desc(&g, 0x40000000ULL, A64_DESC_BLOCK | ATTRS));
		cs_arch_cache_reset(a);
		ok(t, cs_arch_vtop(a, up, &pa, &contig, &err) == CS_ERR_CORRUPT, "%s: block at level %u: %s", form,
		   bad_level, err.msg);
	}
	/* A table entry pointing back at the PGD: a loop, not an endless walk. */
	put(m, &g, up + slot / 2, c->levels - 2, desc(&g, base, A64_DESC_PAGE));
	cs_arch_cache_reset(a);
	ok(t, cs_arch_vtop(a, up + slot / 2, &pa, &contig, &err) == CS_ERR_CORRUPT && strstr(err.msg, "loop"),
	   "%s: loop: %s", form, err.msg);

	/* The linear map: PAGE_OFFSET = -(1 << VA_BITS) maps PHYS_OFFSET, with no table read. */
	reads = m->reads;
	check_xlat(t, a, page_offset + 0x1234567, base + 0x1234567, (1ULL << (c->va_bits - 1)) - 0x1234567,
		   "linear map", form);
	ok_eq_u64(t, m->reads, reads, "%s: the linear map reads no table", form);
	ok(t, cs_arch_is_kvaddr(a, page_offset) && cs_arch_is_kvaddr(a, ~0ULL) && !cs_arch_is_kvaddr(a, page_offset - 1) &&
		   !cs_arch_is_kvaddr(a, 0x1000),
	   "%s: kernel addresses are [-(1 << VA_BITS), 2^64)", form);
	ok(t, cs_arch_vtop(a, page_offset - pg, &pa, &contig, &err) != CS_OK && strstr(err.msg, "canonical"),
	   "%s: below the kernel range: %s", form, err.msg);
}

/* 64K pages with 48-bit PA: descriptor bits [15:12] are RES0, not PA[51:48] (unless MAX_PHYSMEM_BITS=52). */
static void test_pa48_strip(struct tap *t, struct cs_arch *a, struct fakemem *m)
{
	static const struct form_case c = {16, 48, 3, false};
	struct geo g = geo_of(&c);
	struct cs_kmodel km;
	struct cs_err err = {0};
	vaddr_t va = ~((1ULL << 47) - 1) + (1ULL << 45) + 0x42;

	for (int pa52 = 0; pa52 <= 1; pa52++) {
		setup(a, m, &c, 0x40000000ULL);
		set_km(&km, &c, 0x40000000ULL, image_va_of(48));
		if (pa52)
			cs_km_set(&km, KM_NUM_MAX_PHYSMEM_BITS, 52);
		ok(t, cs_arch_init(a, &cs_arch_arm64, &km, NULL, &err) == CS_OK, "64K/48 PA%d init", pa52 ? 52 : 48);
		put(m, &g, va, 2, 0x0000123456780000ULL | (0x5ULL << 12) | A64_DESC_PAGE | ATTRS);
		check_xlat(t, a, va, (pa52 ? 0x0005123456780000ULL : 0x0000123456780000ULL) + 0x42, 0x10000 - 0x42,
			   pa52 ? "bits 15:12 are PA[51:48]" : "bits 15:12 ignored", "64K/48");
	}
}

/* Which half the linear map is in, by the keys a kernel has (never its version). */
static void test_layouts(struct tap *t, struct cs_arch *a, struct fakemem *m)
{
	static const struct form_case c4 = {12, 48, 4, false}, c64 = {16, 52, 3, true};
	struct geo g = geo_of(&c64);
	struct cs_kmodel km;
	struct cs_err err = {0};
	paddr_t base = 0x80000000ULL;
	vaddr_t va;

	/* Pre-5.4: the image (swapper_pg_dir) in the lower half, PAGE_OFFSET = -(1 << 47) on top. */
	setup(a, m, &c4, base);
	set_km(&km, &c4, base, 0xffff000010000000ULL);
	ok(t, cs_arch_init(a, &cs_arch_arm64, &km, NULL, &err) == CS_OK, "pre-5.4 layout init %s", err.msg);
	check_xlat(t, a, 0xffff800000000000ULL + 0x5000, base + 0x5000, (1ULL << 47) - 0x5000,
		   "pre-5.4 linear map (upper half)", "4K/48");
	check_xlat(t, a, ~0ULL, base + (1ULL << 47) - 1, 1, "pre-5.4 linear map's last byte", "4K/48");
	/* _stext, when there, is the image address that decides. */
	cs_km_set(&km, KM_SYM__stext, image_va_of(48) + 0x10000);
	ok(t, cs_arch_init(a, &cs_arch_arm64, &km, NULL, &err) == CS_OK, "SYMBOL(_stext) init");
	check_xlat(t, a, 0xffff000000000000ULL + 0x5000, base + 0x5000, (1ULL << 47) - 0x5000,
		   "flipped by SYMBOL(_stext) in the upper half", "4K/48");

	/* 52-bit VA on a CPU without LVA: TCR_EL1_T1SZ = 16, PAGE_OFFSET = -(1 << 48). */
	base = 0x0003000040000000ULL;
	setup(a, m, &c64, base);
	set_km(&km, &c64, base, image_va_of(52));
	cs_km_set(&km, KM_NUM_TCR_EL1_T1SZ, 16);
	ok(t, cs_arch_init(a, &cs_arch_arm64, &km, NULL, &err) == CS_OK, "TCR_EL1_T1SZ=16 init %s", err.msg);
	check_xlat(t, a, 0xffff000000000000ULL + 0x20000, base + 0x20000, (1ULL << 47) - 0x20000,
		   "vabits_actual 48: linear map at -(1 << 48)", "64K/52");
	/* A 48-bit address walks the 52-bit PGD in its top 64 entries. */
	va = 0xffff900000000000ULL + 0x30042;
	ok(t, ((va >> 42) & 1023) >= 960, "48-bit vaddr indexes the PGD's top 64 entries");
	put(m, &g, va, 2, desc(&g, 0x0002000000000000ULL, A64_DESC_PAGE | ATTRS));
	check_xlat(t, a, va, 0x0002000000000000ULL + 0x42, 0x10000 - 0x42, "48-bit vaddr in a 52-bit kernel",
		   "64K/52");
	cs_km_set(&km, KM_NUM_TCR_EL1_T1SZ, 8);
	ok(t, cs_arch_init(a, &cs_arch_arm64, &km, NULL, &err) == CS_ERR_CORRUPT && strstr(err.msg, "TCR_EL1_T1SZ"),
	   "T1SZ 8 (56 bits) > VA_BITS: %s", err.msg);
}

static void test_init_errors(struct tap *t, struct cs_arch *a, struct fakemem *m)
{
	static const struct form_case c = {12, 48, 4, false};
	static const enum cs_km_id need[] = {KM_PAGESIZE, KM_NUM_VA_BITS, KM_NUM_kimage_voffset, KM_NUM_PHYS_OFFSET,
					     KM_SYM_swapper_pg_dir};
	struct cs_kmodel km;
	struct cs_err err = {0};

	setup(a, m, &c, 0x40000000ULL);
	for (size_t i = 0; i < CS_ARRAY_SIZE(need); i++) {
		set_km(&km, &c, 0x40000000ULL, image_va_of(48));
		km.have[need[i]] = 0;
		ok(t, cs_arch_init(a, &cs_arch_arm64, &km, NULL, &err) == CS_ERR_FORMAT && strstr(err.msg, cs_km_key(need[i])),
		   "no %s: %s", cs_km_key(need[i]), err.msg);
	}
	set_km(&km, &c, 0x40000000ULL, image_va_of(48));
	cs_km_set(&km, KM_NUM_VA_BITS, 52);
	ok(t, cs_arch_init(a, &cs_arch_arm64, &km, NULL, &err) == CS_ERR_NOTSUP &&
		   !strcmp(err.msg, "arm64 paging with 4 KiB pages and NUMBER(VA_BITS)=52 is not supported"),
	   "4K/52 (LPA2) refused: %s", err.msg);
	set_km(&km, &c, 0x40000800ULL, image_va_of(48));
	ok(t, cs_arch_init(a, &cs_arch_arm64, &km, NULL, &err) == CS_ERR_CORRUPT && strstr(err.msg, "PHYS_OFFSET"),
	   "unaligned PHYS_OFFSET: %s", err.msg);
	set_km(&km, &c, 0x40000000ULL, image_va_of(48));
	cs_km_set(&km, KM_NUM_kimage_voffset, image_va_of(48) - 0x40000800ULL);
	ok(t, cs_arch_init(a, &cs_arch_arm64, &km, NULL, &err) == CS_ERR_CORRUPT && strstr(err.msg, "swapper_pg_dir"),
	   "root not a page: %s", err.msg);
	set_km(&km, &c, 0x40000000ULL, 0x0000400000000000ULL);
	ok(t, cs_arch_init(a, &cs_arch_arm64, &km, NULL, &err) == CS_ERR_CORRUPT, "user-space swapper_pg_dir: %s",
	   err.msg);
}

/* The row: found by EM_AARCH64 and both utsname spellings; x86_64 stays the default. */
static void test_table(struct tap *t)
{
	const struct cs_arch_info *r = cs_arch_find(183);

	ok(t, r == &cs_arch_arm64 && !strcmp(r->name, "arm64"), "EM_AARCH64 (183) is the arm64 row");
	ok(t, cs_arch_find_name("aarch64", 65) == r && cs_arch_find_name("arm64", 65) == r, "utsname aarch64 / arm64");
	ok(t, cs_arch_default() == &cs_arch_x86_64, "the default arch is unchanged");
	ok_eq_u64(t, r->page_size_mask, 0x15000, "page sizes 4K, 16K, 64K");
	ok_eq_u64(t, cs_arch_min_page_size(r), 4096, "smallest page 4K");
	ok(t, cs_arch_find(21) == NULL, "ppc64 is still unsupported");
}

int main(void)
{
	struct tap t = {0};
	struct fakemem m = {.bytes = calloc(NPAGES, MAX_PAGE)};
	struct cs_arch *a = calloc(1, sizeof(*a));

	for (size_t i = 0; i < CS_ARRAY_SIZE(cases); i++)
		test_form(&t, a, &m, &cases[i]);
	test_pa48_strip(&t, a, &m);
	test_layouts(&t, a, &m);
	test_init_errors(&t, a, &m);
	test_table(&t);
	printf("# %u translations checked over %zu paging forms\n", nr_translations, CS_ARRAY_SIZE(cases));
	free(a);
	free(m.bytes);
	return tap_done(&t);
}
