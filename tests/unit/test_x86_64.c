/* tests/unit/test_x86_64.c: the x86_64 page-table walker on hand-built tables in memory. */
#include "core/arch/arch.h"
#include "core/arch/x86_64_paging.h"
#include "tests/lib/tap.h"

/* Fake physical memory: NPAGES 4 KiB pages starting at MEM_BASE. */
#define MEM_BASE 0x1000000ULL
#define NPAGES 64
#define PG 4096ULL
#define P (X86_PTE_PRESENT | X86_PTE_RW)

struct fakemem {
	uint64_t *words; /* NPAGES * 512 */
	unsigned next;   /* next free page */
	unsigned reads;
};

static cs_status fake_read(void *ctx, paddr_t paddr, void *buf, size_t len, struct cs_err *err)
{
	struct fakemem *m = ctx;

	m->reads++;
	if (paddr < MEM_BASE || paddr + len > MEM_BASE + NPAGES * PG)
		return cs_err_set(err, CS_ERR_NODATA, "paddr 0x%" PRIx64 " not in the dump", paddr);
	memcpy(buf, (uint8_t *)m->words + (paddr - MEM_BASE), len);
	return CS_OK;
}

static paddr_t new_table(struct fakemem *m)
{
	paddr_t pa = MEM_BASE + (paddr_t)m->next * PG;
	m->next++;
	return pa;
}

static uint64_t *tbl(struct fakemem *m, paddr_t pa)
{
	return m->words + (pa - MEM_BASE) / 8;
}

/* Install entry at the level with `shift` for vaddr under table `t`; returns the next table. */
static paddr_t link(struct fakemem *m, paddr_t t, vaddr_t va, unsigned shift)
{
	uint64_t *e = &tbl(m, t)[x86_pt_index(va, shift)];

	if (!(*e & X86_PTE_PRESENT))
		*e = x86_pte_make(new_table(m), P);
	return x86_pte_paddr(*e, 0);
}

static void setup(struct cs_arch *a, struct fakemem *m, int levels, uint64_t sme, struct tap *t)
{
	struct cs_kmodel km = {0};
	struct cs_err err;
	const struct cs_arch_info *info = cs_arch_find(62);

	memset(m->words, 0, NPAGES * PG);
	m->next = 1; /* page 0 is the PGD */
	m->reads = 0;
	/* init_top_pgt at __START_KERNEL_map + 0, phys_base = MEM_BASE -> PGD at MEM_BASE. */
	cs_km_set(&km, KM_SYM_init_top_pgt, X86_START_KERNEL_MAP);
	cs_km_set(&km, KM_NUM_phys_base, MEM_BASE);
	cs_km_set(&km, KM_NUM_KERNEL_IMAGE_SIZE, 1ULL << 30);
	if (levels == 5)
		cs_km_set(&km, KM_NUM_pgtable_l5_enabled, 1);
	if (sme)
		cs_km_set(&km, KM_NUM_sme_mask, sme);
	memset(a, 0, sizeof(*a));
	a->read_paddr = fake_read;
	a->read_ctx = m;
	ok(t, info && cs_arch_init(a, info, &km, NULL, &err) == CS_OK, "init %d-level", levels);
}

static void test_4level(struct tap *t, struct cs_arch *a, struct fakemem *m)
{
	struct cs_err err;
	paddr_t pa, pud, pmd, pte;
	uint64_t contig;
	vaddr_t va4k = 0xffffea0000001234ULL, va2m = 0xffffea0000200000ULL + 0x12345;
	vaddr_t va1g = 0xffff888040000000ULL + 0x123456;

	setup(a, m, 4, 0, t);
	/* 4 KiB: PGD -> PUD -> PMD -> PTE -> 0xabc000 */
	pud = link(m, MEM_BASE, va4k, X86_P4D_SHIFT);
	pmd = link(m, pud, va4k, X86_PUD_SHIFT);
	pte = link(m, pmd, va4k, X86_PMD_SHIFT);
	tbl(m, pte)[x86_pt_index(va4k, X86_PAGE_SHIFT)] = x86_pte_make(0xabc000, P | X86_PTE_NX | (0x7fULL << 52));
	/* 2 MiB in the same PMD table; PAT (bit 12) set in the large entry must be ignored. */
	tbl(m, pmd)[x86_pt_index(va2m, X86_PMD_SHIFT)] = 0x40000000ULL | 0x1000 | P | X86_PTE_PSE;
	/* 1 GiB in the direct map. */
	pud = link(m, MEM_BASE, va1g, X86_P4D_SHIFT);
	tbl(m, pud)[x86_pt_index(va1g, X86_PUD_SHIFT)] = 0x80000000ULL | P | X86_PTE_PSE;

	ok(t, cs_arch_vtop(a, va4k, &pa, &contig, &err) == CS_OK, "4k vtop: %s", err.msg);
	ok_eq_u64(t, pa, 0xabc234, "4k paddr (NX and software bits dropped)");
	ok_eq_u64(t, contig, PG - 0x234, "4k contig");
	ok(t, cs_arch_vtop(a, va2m, &pa, &contig, &err) == CS_OK, "2m vtop");
	ok_eq_u64(t, pa, 0x40000000ULL + 0x12345, "2m paddr (PAT bit ignored)");
	ok_eq_u64(t, contig, (2ULL << 20) - 0x12345, "2m contig");
	ok(t, cs_arch_vtop(a, va1g, &pa, &contig, &err) == CS_OK, "1g vtop");
	ok_eq_u64(t, pa, 0x80000000ULL + 0x123456, "1g paddr");
	ok_eq_u64(t, contig, (1ULL << 30) - 0x123456, "1g contig");

	/* Kernel text fast path: no walk. */
	{
		uint64_t walks = a->walk.nr_walks;
		ok(t, cs_arch_vtop(a, X86_START_KERNEL_MAP + 0x1000123, &pa, &contig, &err) == CS_OK,
		   "text vtop");
		ok_eq_u64(t, pa, MEM_BASE + 0x1000123, "text paddr = va - START + phys_base");
		ok_eq_u64(t, a->walk.nr_walks, walks, "text needs no walk");
	}

	/* Caches: 2 MiB mapping walked once for all of its 4 KiB pages. */
	cs_arch_cache_reset(a);
	{
		uint64_t walks0 = a->walk.nr_walks, reads0 = a->walk.nr_table_reads;
		bool all = true;
		vaddr_t base = 0xffffea0000200000ULL;
		for (unsigned i = 0; i < 512; i++)
			all &= cs_arch_vtop(a, base + i * PG + 8, &pa, &contig, &err) == CS_OK &&
			       pa == 0x40000000ULL + i * PG + 8;
		ok(t, all, "2m mapping: 512 translations right");
		ok_eq_u64(t, a->walk.nr_walks - walks0, 1, "2m mapping: one walk");
		ok_eq_u64(t, a->walk.nr_table_reads - reads0, 3, "2m mapping: three table reads");
	}
	/* 4 KiB pages under one PTE table: one walk each, but no table re-read. */
	{
		paddr_t ptt = pte;
		uint64_t reads0;
		bool all = true;
		for (unsigned i = 0; i < 512; i++)
			tbl(m, ptt)[i] = x86_pte_make(0x100000000ULL + i * 2 * PG, P);
		cs_arch_cache_reset(a);
		reads0 = a->walk.nr_table_reads;
		for (unsigned i = 0; i < 512; i++)
			all &= cs_arch_vtop(a, 0xffffea0000000000ULL + i * PG, &pa, &contig, &err) == CS_OK &&
			       pa == 0x100000000ULL + i * 2 * PG;
		ok(t, all, "4k pages: 512 translations right");
		ok_eq_u64(t, a->walk.nr_table_reads - reads0, 4, "4k pages: each table read once");
	}

	/* Non-present entries at each level name the vaddr. */
	{
		vaddr_t holes[] = {0xffff900000000000ULL, /* PGD */
				   0xffffea0080000000ULL, /* PUD */
				   0xffffea0000600000ULL, /* PMD */
				   0xffffea0000000000ULL + 511 * PG + PG * 0}; /* set below */
		const char *lvl[] = {"PGD", "PUD", "PMD", "PTE"};
		tbl(m, pte)[511] = 0; /* PTE not present */
		cs_arch_cache_reset(a);
		holes[3] = 0xffffea0000000000ULL + 511 * PG;
		for (int i = 0; i < 4; i++) {
			char want[64];
			cs_status st = cs_arch_vtop(a, holes[i], &pa, &contig, &err);
			snprintf(want, sizeof(want), "vaddr 0x%" PRIx64, holes[i]);
			ok(t, st == CS_ERR_NODATA && strstr(err.msg, want) && strstr(err.msg, lvl[i]),
			   "%s not present: %s", lvl[i], err.msg);
		}
	}
	/* Out-of-range table address. */
	{
		vaddr_t va = 0xffffea0000800000ULL;
		tbl(m, pmd)[x86_pt_index(va, X86_PMD_SHIFT)] = x86_pte_make(0x7fff00000000ULL, P);
		cs_arch_cache_reset(a);
		ok(t, cs_arch_vtop(a, va, &pa, &contig, &err) != CS_OK && strstr(err.msg, "ffffea0000800000") &&
			   strstr(err.msg, "7fff00000000"),
		   "table outside the dump: %s", err.msg);
	}
	/* Loops: a PUD entry pointing back at the PGD, a PMD entry at the PUD table. */
	{
		vaddr_t va = 0xffffea00c0000000ULL;
		tbl(m, pud)[x86_pt_index(0xffff8881c0000000ULL, X86_PUD_SHIFT)] = x86_pte_make(MEM_BASE, P);
		cs_arch_cache_reset(a);
		ok(t, cs_arch_vtop(a, 0xffff8881c0000000ULL, &pa, &contig, &err) == CS_ERR_CORRUPT &&
			   strstr(err.msg, "loop"),
		   "loop to PGD: %s", err.msg);
		pud = link(m, MEM_BASE, va, X86_P4D_SHIFT);
		tbl(m, pud)[x86_pt_index(va, X86_PUD_SHIFT)] = x86_pte_make(new_table(m), P);
		pmd = x86_pte_paddr(tbl(m, pud)[x86_pt_index(va, X86_PUD_SHIFT)], 0);
		tbl(m, pmd)[x86_pt_index(va, X86_PMD_SHIFT)] = x86_pte_make(pud, P);
		cs_arch_cache_reset(a);
		ok(t, cs_arch_vtop(a, va, &pa, &contig, &err) == CS_ERR_CORRUPT && strstr(err.msg, "loop"),
		   "loop to PUD: %s", err.msg);
	}
	/* Large-page bit at the PGD level is corrupt. */
	{
		vaddr_t va = 0xffffc00000000000ULL;
		tbl(m, MEM_BASE)[x86_pt_index(va, X86_P4D_SHIFT)] = x86_pte_make(0, P | X86_PTE_PSE);
		cs_arch_cache_reset(a);
		ok(t, cs_arch_vtop(a, va, &pa, &contig, &err) == CS_ERR_CORRUPT, "PSE in PGD: %s", err.msg);
	}
	ok(t, cs_arch_vtop(a, 0x0000800000000000ULL, &pa, &contig, &err) != CS_OK &&
		   strstr(err.msg, "canonical"),
	   "non-canonical: %s", err.msg);
	ok(t, cs_arch_is_kvaddr(a, 0xffffea0000000000ULL) && !cs_arch_is_kvaddr(a, 0x1000) &&
		   !cs_arch_is_kvaddr(a, 0xff11000000000000ULL),
	   "is_kvaddr 4-level");
}

static void test_5level(struct tap *t, struct cs_arch *a, struct fakemem *m)
{
	struct cs_err err;
	paddr_t pa, p4d, pud, pmd, pte;
	uint64_t contig;
	vaddr_t va = 0xffd4000000000000ULL + 0x3456789abcULL; /* 5-level vmemmap */
	vaddr_t va2 = 0xff11000000000000ULL + 0x40000000ULL;  /* 5-level direct map */

	setup(a, m, 5, 0, t);
	p4d = link(m, MEM_BASE, va, X86_PGD5_SHIFT);
	pud = link(m, p4d, va, X86_P4D_SHIFT);
	pmd = link(m, pud, va, X86_PUD_SHIFT);
	pte = link(m, pmd, va, X86_PMD_SHIFT);
	tbl(m, pte)[x86_pt_index(va, X86_PAGE_SHIFT)] = x86_pte_make(0x123456000ULL, P);
	p4d = link(m, MEM_BASE, va2, X86_PGD5_SHIFT);
	pud = link(m, p4d, va2, X86_P4D_SHIFT);
	tbl(m, pud)[x86_pt_index(va2, X86_PUD_SHIFT)] = 0xc0000000ULL | P | X86_PTE_PSE;

	ok(t, cs_arch_vtop(a, va, &pa, &contig, &err) == CS_OK, "5-level 4k: %s", err.msg);
	ok_eq_u64(t, pa, 0x123456000ULL + (va & 0xfff), "5-level 4k paddr");
	ok(t, cs_arch_vtop(a, va2 + 77, &pa, &contig, &err) == CS_OK, "5-level 1g");
	ok_eq_u64(t, pa, 0xc0000000ULL + 77, "5-level 1g paddr");
	ok(t, cs_arch_vtop(a, 0xff20000000000000ULL, &pa, &contig, &err) == CS_ERR_NODATA &&
		   strstr(err.msg, "PGD"),
	   "5-level top not present: %s", err.msg);
	ok(t, cs_arch_is_kvaddr(a, 0xff11000000000000ULL), "is_kvaddr 5-level");
	/* A 4-level walker would have looked at a different index: the P4D level exists. */
	ok_eq_u64(t, a->walk.form->levels, 5, "levels = 5 from pgtable_l5_enabled");
	ok_eq_u64(t, a->walk.form->section_size_bits, 27, "5-level form: 128 MiB sections");
}

static void test_sme(struct tap *t, struct cs_arch *a, struct fakemem *m)
{
	struct cs_err err;
	const uint64_t c = 1ULL << 47;
	paddr_t pa, pud, pmd;
	uint64_t contig;
	vaddr_t va = 0xffffea0000000000ULL + 0x5000;
	uint64_t *e;

	setup(a, m, 4, c, t);
	e = &tbl(m, MEM_BASE)[x86_pt_index(va, X86_P4D_SHIFT)];
	pud = new_table(m);
	*e = x86_pte_make(pud, P) | c;
	pmd = new_table(m);
	tbl(m, pud)[x86_pt_index(va, X86_PUD_SHIFT)] = x86_pte_make(pmd, P) | c;
	tbl(m, pmd)[x86_pt_index(va, X86_PMD_SHIFT)] = 0x200000ULL | c | P | X86_PTE_PSE;
	ok(t, cs_arch_vtop(a, va, &pa, &contig, &err) == CS_OK, "sme vtop: %s", err.msg);
	ok_eq_u64(t, pa, 0x205000ULL, "sme C-bit stripped from tables and page");
}

static void test_init_errors(struct tap *t)
{
	struct cs_arch *a = calloc(1, sizeof(*a));
	struct cs_kmodel km = {0};
	struct cs_err err;

	ok(t, cs_arch_init(a, &cs_arch_x86_64, &km, NULL, &err) == CS_ERR_FORMAT && strstr(err.msg, "init_top_pgt"),
	   "no root symbol: %s", err.msg);
	cs_km_set(&km, KM_SYM_init_top_pgt, 0xffff888000001000ULL);
	ok(t, cs_arch_init(a, &cs_arch_x86_64, &km, NULL, &err) == CS_ERR_CORRUPT, "root outside the image: %s", err.msg);
	/* phys_base from the PT_LOAD hint when VMCOREINFO lacks it. */
	{
		struct cs_arch_hints h = {.have_phys_base = true, .phys_base = 0x3000000};
		cs_km_set(&km, KM_SYM_init_level4_pgt, X86_START_KERNEL_MAP + 0x2000);
		km.have[KM_SYM_init_top_pgt] = 0;
		ok(t, cs_arch_init(a, &cs_arch_x86_64, &km, &h, &err) == CS_OK, "init_level4_pgt + hint");
		ok_eq_u64(t, a->walk.root, 0x3002000, "pgd paddr uses hinted phys_base");
		ok_eq_u64(t, a->phys_base, 0x3000000, "phys_base from hint");
	}
	free(a);
}

/* What a traced walk reported: "PGD@paddr=entry;..." */
struct trace_log {
	char text[512];
};

static void trace_rec(void *ctx, const char *level, paddr_t entry_paddr, uint64_t entry)
{
	struct trace_log *l = ctx;
	size_t n = strlen(l->text);

	snprintf(l->text + n, sizeof(l->text) - n, "%s@%" PRIx64 "=%" PRIx64 ";", level, entry_paddr, entry);
}

/* --vtop's traced walk: every entry from the root, even where vtop would take a shortcut. */
static void test_trace(struct tap *t, struct cs_arch *a, struct fakemem *m)
{
	struct trace_log log = {{0}};
	struct cs_err err;
	paddr_t pa, pud, pmd;
	uint64_t contig;
	vaddr_t text = X86_START_KERNEL_MAP + 0x200123, hole = 0xffffc90000000000ULL;
	char want[512];

	setup(a, m, 4, 0, t);
	pud = link(m, MEM_BASE, text, X86_P4D_SHIFT);
	pmd = link(m, pud, text, X86_PUD_SHIFT);
	tbl(m, pmd)[x86_pt_index(text, X86_PMD_SHIFT)] = (MEM_BASE + 0x200000) | P | X86_PTE_PSE;
	/* Warm the caches: the traced walk must not use them. */
	ok(t, cs_arch_vtop(a, text, &pa, &contig, &err) == CS_OK, "text vtop (shortcut)");
	a->trace = trace_rec;
	a->trace_ctx = &log;
	ok(t, cs_arch_vtop(a, text, &pa, &contig, &err) == CS_OK && pa == MEM_BASE + 0x200123,
	   "traced text vtop walks to the same paddr");
	snprintf(want, sizeof(want), "PGD@%" PRIx64 "=%" PRIx64 ";PUD@%" PRIx64 "=%" PRIx64 ";PMD@%" PRIx64
		 "=%" PRIx64 ";",
		 (uint64_t)(MEM_BASE + x86_pt_index(text, X86_P4D_SHIFT) * 8),
		 tbl(m, MEM_BASE)[x86_pt_index(text, X86_P4D_SHIFT)],
		 pud + x86_pt_index(text, X86_PUD_SHIFT) * 8, tbl(m, pud)[x86_pt_index(text, X86_PUD_SHIFT)],
		 pmd + x86_pt_index(text, X86_PMD_SHIFT) * 8, tbl(m, pmd)[x86_pt_index(text, X86_PMD_SHIFT)]);
	ok(t, !strcmp(log.text, want), "trace: each entry's paddr and value (%s)", log.text);
	log.text[0] = '\0';
	ok(t, cs_arch_vtop(a, hole, &pa, &contig, &err) == CS_ERR_NODATA, "traced unmapped vtop fails");
	snprintf(want, sizeof(want), "PGD@%" PRIx64 "=0;",
		 (uint64_t)(MEM_BASE + x86_pt_index(hole, X86_P4D_SHIFT) * 8));
	ok(t, !strcmp(log.text, want), "trace: the empty PGD entry is reported (%s)", log.text);
	a->trace = NULL;
	a->trace_ctx = NULL;
}

/* The arch table: rows found by e_machine and utsname.machine, names for any machine. */
static void test_table(struct tap *t)
{
	const struct cs_arch_info *x = cs_arch_find(62);
	bool root_key = false;

	ok(t, x == &cs_arch_x86_64 && cs_arch_default() == x, "x86_64 is row 62 and the default");
	ok(t, cs_arch_find_name("x86_64", 65) == x && !cs_arch_find_name("ppc64le", 65) &&
		   !cs_arch_find_name("x86_64x", 65),
	   "find by utsname.machine");
	ok(t, cs_arch_machine_of("arm64", 65) == 183 && cs_arch_machine_of("sparc64", 65) == 0,
	   "machine_of: known unsupported and unknown");
	ok(t, !strcmp(cs_arch_machine_name(183), "aarch64") && !strcmp(cs_arch_machine_name(21), "ppc64") &&
		   !strcmp(cs_arch_machine_name(2), "unknown"),
	   "machine names for messages");
	ok(t, x->page_size_mask == 4096 && x->kernel_map_base == X86_START_KERNEL_MAP, "x86_64 row facts");
	for (const enum cs_km_id *k = x->keys; *k != KM_NR_FIELDS; k++)
		root_key |= *k == KM_SYM_init_top_pgt;
	ok(t, root_key, "x86_64 row lists SYMBOL(init_top_pgt) among its keys");
}

int main(void)
{
	struct tap t = {0};
	struct fakemem m = {.words = calloc(NPAGES, PG)};
	struct cs_arch *a = calloc(1, sizeof(*a));

	test_4level(&t, a, &m);
	test_5level(&t, a, &m);
	test_sme(&t, a, &m);
	test_init_errors(&t);
	test_trace(&t, a, &m);
	test_table(&t);
	free(a);
	free(m.words);
	return tap_done(&t);
}
