/* tests/unit/test_encoding.c: the encodings mkvmcore shares with the engine: x86_64 PTEs and indices, SPARSEMEM sections, truth bytes. */
#include "core/arch/arch.h"
#include "core/arch/x86_64_paging.h"
#include "core/sparsemem.h"
#include "tests/gen/truth.h"
#include "tests/lib/tap.h"

/*
 * A toy physical memory of 64 page-table pages, so that the helpers can be
 * checked the way both sides use them: the generator writes entries with
 * x86_pte_make() at x86_pt_index(), the engine walks them with x86_pte_paddr().
 */
#define NPAGES 64
struct toymem {
	uint64_t page[NPAGES][512];
	unsigned used;
};

static paddr_t toy_alloc(struct toymem *m)
{
	return (paddr_t)(m->used++) << 12;
}

static uint64_t *toy_table(struct toymem *m, paddr_t pa)
{
	return m->page[pa >> 12];
}

static const unsigned shifts[] = {0, X86_PAGE_SHIFT, X86_PMD_SHIFT, X86_PUD_SHIFT, X86_P4D_SHIFT,
				  X86_PGD5_SHIFT};

/* Map vaddr -> paddr with a leaf at `leaf` (1 = 4K, 2 = 2M, 3 = 1G), as mkvmcore does. */
static void toy_map(struct toymem *m, paddr_t root, int levels, vaddr_t va, paddr_t pa, int leaf,
		    uint64_t sme)
{
	paddr_t t = root;
	for (int l = levels; l > leaf; l--) {
		uint64_t *e = &toy_table(m, t)[x86_pt_index(va, shifts[l])];
		if (!(*e & X86_PTE_PRESENT))
			*e = x86_pte_make(toy_alloc(m), X86_PTE_PRESENT | X86_PTE_RW) | sme;
		t = x86_pte_paddr(*e, sme);
	}
	toy_table(m, t)[x86_pt_index(va, shifts[leaf])] =
		x86_pte_make(pa, X86_PTE_PRESENT | X86_PTE_NX | (leaf > 1 ? X86_PTE_PSE : 0)) | sme;
}

/* A 4/5-level x86_64 walk (as core/arch/walk.c does); returns UINT64_MAX when not mapped. */
static paddr_t toy_walk(struct toymem *m, paddr_t root, int levels, vaddr_t va, uint64_t sme)
{
	paddr_t t = root;
	for (int l = levels; l >= 1; l--) {
		uint64_t e = toy_table(m, t)[x86_pt_index(va, shifts[l])];
		if (!(e & X86_PTE_PRESENT))
			return UINT64_MAX;
		if (l == 1 || ((l == 2 || l == 3) && (e & X86_PTE_PSE))) {
			uint64_t mask = (1ULL << shifts[l]) - 1;
			return (x86_pte_paddr(e, sme) & ~mask) + (va & mask);
		}
		t = x86_pte_paddr(e, sme);
	}
	return UINT64_MAX;
}

static void test_paging(struct tap *t)
{
	static const struct cs_paging_form va48 = {.va_bits = 48}, va57 = {.va_bits = 57};
	/* Indices of well-known addresses. */
	ok_eq_u64(t, x86_pt_index(0xffffffff81000000ULL, X86_P4D_SHIFT), 511, "__START_KERNEL pgd index 511");
	ok_eq_u64(t, x86_pt_index(0xffffffff81000000ULL, X86_PUD_SHIFT), 510, "__START_KERNEL pud index 510");
	ok_eq_u64(t, x86_pt_index(0xffffffff81000000ULL, X86_PMD_SHIFT), 8, "__START_KERNEL pmd index 8");
	ok_eq_u64(t, x86_pt_index(0xffffffff81000000ULL, X86_PAGE_SHIFT), 0, "__START_KERNEL pte index 0");
	ok_eq_u64(t, x86_pt_index(0xffff888000000000ULL, X86_P4D_SHIFT), 273, "4-level direct map pgd index 273");
	ok_eq_u64(t, x86_pt_index(0xffff888000000000ULL, X86_PUD_SHIFT), 0, "4-level direct map pud index 0");
	ok_eq_u64(t, x86_pt_index(0xff11000000000000ULL, X86_PGD5_SHIFT), 273, "5-level direct map pgd index 273");
	ok_eq_u64(t, x86_pt_index(0xffd4000000000000ULL, X86_PGD5_SHIFT), 0x1d4, "5-level vmemmap pgd index 0x1d4");
	ok_eq_u64(t, x86_pt_index(0x0000000000201000ULL, X86_PAGE_SHIFT), 1, "pte index of 0x201000");
	ok_eq_u64(t, x86_pt_index(0x0000000000201000ULL, X86_PMD_SHIFT), 1, "pmd index of 0x201000");

	/* Entry encoding. */
	ok_eq_u64(t, x86_pte_make(0x123456789000ULL, X86_PTE_PRESENT | X86_PTE_RW), 0x123456789003ULL,
		  "pte_make: address | flags");
	ok_eq_u64(t, x86_pte_make(0xfff0123456789abcULL, 0), 0x0000123456789000ULL,
		  "pte_make: drops the page offset and bits above 51");
	ok_eq_u64(t, x86_pte_paddr(X86_PTE_NX | 0x7ff0000000000000ULL | 0x1234000ULL | 0x63, 0), 0x1234000ULL,
		  "pte_paddr: drops NX, software bits 52..62 and flags");
	ok_eq_u64(t, x86_pte_paddr((1ULL << 47) | 0x1234000ULL | 0x63, 1ULL << 47), 0x1234000ULL,
		  "pte_paddr: strips the SME C-bit");
	ok_eq_u64(t, x86_pte_paddr(x86_pte_make(0xabcdef000ULL, X86_PTE_PRESENT | X86_PTE_PSE), 0), 0xabcdef000ULL,
		  "pte_paddr(pte_make(pa)) == pa");
	ok(t, X86_PTE_PSE == 0x80 && X86_PTE_PRESENT == 1 && X86_PTE_NX == 1ULL << 63, "flag bit positions");

	/* Canonical addresses (the generic walker's, for x86_64's 48- and 57-bit forms). */
	ok_eq_u64(t, cs_walk_canonical(&va48, 0x0000800000000000ULL), 0xffff800000000000ULL, "canonical 4L: bit 47 extends");
	ok_eq_u64(t, cs_walk_canonical(&va48, 0x00007fffffffffffULL), 0x00007fffffffffffULL, "canonical 4L: user top stays");
	ok_eq_u64(t, cs_walk_canonical(&va48, 0xffff888000000000ULL), 0xffff888000000000ULL, "canonical 4L: kernel stays");
	ok_eq_u64(t, cs_walk_canonical(&va48, 0x0000888000000000ULL | (1ULL << 47)), 0xffff888000000000ULL,
		  "canonical 4L: rebuilds the direct map base");
	ok_eq_u64(t, cs_walk_canonical(&va57, 0x0100000000000000ULL), 0xff00000000000000ULL, "canonical 5L: bit 56 extends");
	ok_eq_u64(t, cs_walk_canonical(&va57, 0x0011000000000000ULL | (1ULL << 56)), 0xff11000000000000ULL,
		  "canonical 5L: rebuilds the direct map base");
	ok_eq_u64(t, cs_walk_canonical(&va57, 0x00ff800000000000ULL), 0x00ff800000000000ULL, "canonical 5L: bit 47 is not the sign");

	/* Map and walk through both paging modes, with and without an SME mask. */
	struct toymem *mp = malloc(sizeof(*mp));
	if (!ok(t, mp != NULL, "allocate the toy memory"))
		return;
#define m (*mp)
	for (int levels = 4; levels <= 5; levels++) {
		for (int s = 0; s < 2; s++) {
			uint64_t sme = s ? 1ULL << 51 : 0;
			vaddr_t dmap = levels == 5 ? 0xff11000000000000ULL : 0xffff888000000000ULL;
			vaddr_t vmemmap = levels == 5 ? 0xffd4000000000000ULL : 0xffffea0000000000ULL;
			paddr_t root;

			memset(&m, 0, sizeof(m));
			root = toy_alloc(&m);
			toy_map(&m, root, levels, dmap + (1ULL << 30), 1ULL << 30, 3, sme);
			toy_map(&m, root, levels, vmemmap, 0x7fe00000ULL, 2, sme);
			toy_map(&m, root, levels, vmemmap + 0x200000, 0x12345000ULL, 1, sme);
			toy_map(&m, root, levels, 0xffffffff81000000ULL, 0x5000000ULL, 2, sme);
			ok_eq_u64(t, toy_walk(&m, root, levels, dmap + (1ULL << 30) + 0x1234567, sme),
				  (1ULL << 30) + 0x1234567, "%d-level%s: 1 GiB page", levels, s ? " +SME" : "");
			ok_eq_u64(t, toy_walk(&m, root, levels, vmemmap + 0x1fffc0, sme), 0x7fe00000ULL + 0x1fffc0,
				  "%d-level%s: 2 MiB page", levels, s ? " +SME" : "");
			ok_eq_u64(t, toy_walk(&m, root, levels, vmemmap + 0x200040, sme), 0x12345040ULL,
				  "%d-level%s: 4 KiB page", levels, s ? " +SME" : "");
			ok_eq_u64(t, toy_walk(&m, root, levels, 0xffffffff810a4567ULL, sme), 0x50a4567ULL,
				  "%d-level%s: kernel text", levels, s ? " +SME" : "");
			ok_eq_u64(t, toy_walk(&m, root, levels, vmemmap + 0x201000, sme), UINT64_MAX,
				  "%d-level%s: unmapped PTE slot", levels, s ? " +SME" : "");
			ok_eq_u64(t, toy_walk(&m, root, levels, dmap + (5ULL << 30), sme), UINT64_MAX,
				  "%d-level%s: unmapped PUD slot", levels, s ? " +SME" : "");
		}
	}
#undef m
	free(mp);
}

static void test_sparsemem(struct tap *t)
{
	const uint64_t sz = 64;
	struct cs_sparse_geom g4 = {27, 46, 12, 32, true}, g5 = {27, 52, 12, 32, true};
	struct cs_sparse_geom g16 = {27, 46, 12, 16, true}, flat = {27, 46, 12, 32, false};

	/* Geometry: Debian 6.1 has a 32-byte mem_section (CONFIG_PAGE_EXTENSION). */
	ok_eq_u64(t, cs_pfns_per_section(&g4), 32768, "pfns per 128 MiB section");
	ok_eq_u64(t, cs_nr_mem_sections(&g4), 1ULL << 19, "NR_MEM_SECTIONS, 46 bits");
	ok_eq_u64(t, cs_nr_mem_sections(&g5), 1ULL << 25, "NR_MEM_SECTIONS, 52 bits");
	ok_eq_u64(t, cs_sections_per_root(&g4), 128, "SECTIONS_PER_ROOT, 32-byte mem_section");
	ok_eq_u64(t, cs_sections_per_root(&g16), 256, "SECTIONS_PER_ROOT, 16-byte mem_section");
	ok_eq_u64(t, cs_nr_section_roots(&g4), 4096, "NR_SECTION_ROOTS = Debian 4-level LENGTH(mem_section)");
	ok_eq_u64(t, cs_nr_section_roots(&g5), 262144, "NR_SECTION_ROOTS = Debian 5-level LENGTH(mem_section)");
	ok_eq_u64(t, cs_nr_section_roots(&g16), 2048, "NR_SECTION_ROOTS, 16-byte mem_section");
	ok_eq_u64(t, cs_sections_per_root(&flat), 1, "not EXTREME: one section per root");
	ok_eq_u64(t, cs_nr_section_roots(&flat), 1ULL << 19, "not EXTREME: roots = sections");

	/* With SPARSEMEM_VMEMMAP every section's coded pointer is vmemmap_base. */
	vaddr_t vmemmap = 0xfffff80e40000000ULL;
	uint64_t flags = CS_SECTION_MARKED_PRESENT | CS_SECTION_HAS_MEM_MAP | CS_SECTION_IS_ONLINE |
			 CS_SECTION_IS_EARLY;
	for (uint64_t s = 0; s < 4; s++) {
		pfn_t start = s * 32768;
		uint64_t w = cs_section_encode(vmemmap + start * sz, start, sz, flags);
		ok_eq_u64(t, w, vmemmap | 0xf, "vmemmap section %" PRIu64 ": word as in a real 6.1 dump", s);
		ok_eq_u64(t, cs_section_decode(w), vmemmap, "vmemmap section %" PRIu64 ": decode", s);
		ok_eq_u64(t, cs_section_page_vaddr(cs_section_decode(w), start + 5, sz), vmemmap + (start + 5) * sz,
			  "vmemmap section %" PRIu64 ": struct page of pfn start+5", s);
	}
	/* A mem_map that is not vmemmap-shaped (e.g. allocated per section). */
	vaddr_t mm = 0xffff888012345640ULL;
	pfn_t start = 7 * 32768;
	uint64_t w = cs_section_encode(mm, start, sz, flags);
	ok_eq_u64(t, cs_section_page_vaddr(cs_section_decode(w), start, sz), mm, "per-section mem_map: first page");
	ok_eq_u64(t, cs_section_page_vaddr(cs_section_decode(w), start + 32767, sz), mm + 32767 * sz,
		  "per-section mem_map: last page");
	ok(t, cs_section_present(w), "present bit set");
	ok(t, !cs_section_present(w & ~CS_SECTION_MARKED_PRESENT), "present bit clear");
	ok(t, !cs_section_present(0), "absent section word 0");
	/* Bit 5 (SECTION_CANNOT_OPTIMIZE_VMEMMAP, 5.19+) must not leak into the pointer. */
	ok_eq_u64(t, cs_section_decode(w | (1ULL << 5) | (1ULL << 4)), cs_section_decode(w),
		  "decode masks flag bits 4 and 5");
	ok_eq_u64(t, CS_SECTION_MARKED_PRESENT | CS_SECTION_HAS_MEM_MAP | CS_SECTION_IS_ONLINE | CS_SECTION_IS_EARLY,
		  0xf, "kernel flag bit values 0..3");
}

static void test_truth(struct tap *t)
{
	unsigned char b = CS_TRUTH_CACHE_PRIVATE | CS_TRUTH_F_ZERO | CS_TRUTH_F_PARTIAL;

	ok_eq_u64(t, cs_truth_class(b), CS_TRUTH_CACHE_PRIVATE, "truth: class survives flags");
	ok(t, (CS_TRUTH_F_ZERO | CS_TRUTH_F_NODATA | CS_TRUTH_F_PARTIAL) & CS_TRUTH_CLASS_MASK ? 0 : 1,
	   "truth: flags do not overlap the class bits");
	ok(t, CS_TRUTH_NCLASSES <= CS_TRUTH_CLASS_MASK + 1, "truth: classes fit the class bits");
	ok(t, CS_TRUTH_HOLE == 0, "truth: a zero byte is a hole");
}

int main(void)
{
	struct tap t = {0};

	test_paging(&t);
	test_sparsemem(&t);
	test_truth(&t);
	return tap_done(&t);
}
