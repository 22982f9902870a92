/* tests/gen/gen.h: mkvmcore's internal model (physical layout, page kinds, tables) shared by its files. */
#ifndef CS_GEN_H
#define CS_GEN_H

#include "core/types.h"
#include "core/error.h"

#define GEN_PAGE_SIZE UINT64_C(4096)
#define GEN_PAGE_SHIFT 12
#define GEN_SIZEOF_PAGE UINT64_C(64)         /* SIZE(page) on x86_64 6.1 */
#define GEN_SECTION_SIZE_BITS 27
#define GEN_PFNS_PER_SECTION (1ULL << (GEN_SECTION_SIZE_BITS - GEN_PAGE_SHIFT))
#define GEN_PAGEBLOCK 512ULL            /* pfns per 2 MiB */
#define GEN_MAX_ORDER 11                /* LENGTH(zone.free_area): orders 0..10 */

/* Linux 6.1 x86_64 constants the struct pages are encoded with (include/linux/page-flags.h). */
#define GEN_PG_referenced 1
#define GEN_PG_uptodate 2
#define GEN_PG_dirty 3
#define GEN_PG_lru 4
#define GEN_PG_active 5
#define GEN_PG_slab 9
#define GEN_PG_owner_priv_1 10 /* == PG_swapcache */
#define GEN_PG_swapcache 10
#define GEN_PG_reserved 12
#define GEN_PG_private 13
#define GEN_PG_head 16
#define GEN_PG_swapbacked 19
#define GEN_PG_hwpoison 23
#define GEN_PAGE_BUDDY_MAPCOUNT (-129)   /* ~PG_buddy (0x80) */
#define GEN_PAGE_OFFLINE_MAPCOUNT (-257) /* ~PG_offline (0x100) */
#define GEN_PAGE_TABLE_MAPCOUNT (-513)   /* ~PG_table (0x200) */
#define GEN_COMPOUND_PAGE_DTOR 1
#define GEN_HUGETLB_PAGE_DTOR 2
#define GEN_TRANSHUGE_PAGE_DTOR 3
#define GEN_ZONES_PGSHIFT 51             /* 64 - NODES_SHIFT(10) - ZONES_WIDTH(3) */
/* LAST_CPUPID (8 pid + 13 cpu bits for NR_CPUS=8192) below the zone, all ones = none. */
#define GEN_LAST_CPUPID_MASK (0x1fffffULL << 30)
#define GEN_PG_anon_exclusive 17 /* == PG_mappedtodisk */
#define GEN_TAIL_MAPPING 0xdead000000000400ULL
#define GEN_LIST_POISON1 0xdead000000000100ULL
#define GEN_SIZEOF_USAGE 56 /* struct mem_section_usage on Debian 6.1 */
#define GEN_LIST_POISON2 0xdead000000000122ULL

/*
 * The kernel image: _text at physical kimage_paddr, virtual ktext_vaddr. The
 * section boundaries are ours; the symbol offsets from _text are those of
 * Debian's 6.1.0-56-amd64 (read from a real dump's VMCOREINFO).
 */
#define GEN_KIMG_SIZE (52ULL << 20)
#define GEN_KIMG_TEXT_END (14ULL << 20)
#define GEN_KIMG_RODATA (16ULL << 20)
#define GEN_KIMG_DATA (26ULL << 20)
#define GEN_KIMG_INIT (30ULL << 20)
#define GEN_KIMG_BSS (34ULL << 20)
#define GEN_KIMG_BRK (50ULL << 20)
#define GEN_KIMG_BRK_PAGES 512 /* early page tables come from brk, as in the kernel */
#define GEN_OFF_kallsyms_offsets 0x11619c8
#define GEN_OFF_kallsyms_relative_base 0x11bdab0
#define GEN_OFF_kallsyms_num_syms 0x11bdab8
#define GEN_OFF_kallsyms_names 0x11bdac0
#define GEN_OFF_kallsyms_token_table 0x132ddd8
#define GEN_OFF_kallsyms_token_index 0x132e170
#define GEN_OFF_init_top_pgt 0x1a10000 /* == swapper_pg_dir */
#define GEN_OFF_level4_kernel_pgt 0x1a11000
#define GEN_OFF_level3_kernel_pgt 0x1a12000
#define GEN_OFF_level2_kernel_pgt 0x1a13000
#define GEN_OFF_level2_fixmap_pgt 0x1a14000
#define GEN_OFF_level1_fixmap_pgt 0x1a15000
#define GEN_OFF_prb 0x1a643e0
#define GEN_OFF_printk_rb_static 0x1a64400
#define GEN_OFF_vmap_area_list 0x1b5c430
#define GEN_OFF_init_uts_ns 0x1bfb000
#define GEN_OFF_node_data 0x1c393a0
#define GEN_OFF_node_online_map 0x1c3df40
#define GEN_OFF_clear_seq 0x2faad20

/* ---- deterministic randomness: everything is a function of the seed ---- */

static inline uint64_t gen_mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* A stateless hash of (seed, salt, a): used where the answer must not depend on call order. */
static inline uint64_t gen_hash(uint64_t seed, uint64_t salt, uint64_t a)
{
	return gen_mix64(gen_mix64(seed ^ (salt * 0x2545f4914f6cdd1dULL)) ^ a);
}

struct gen_rng {
	uint64_t s[4];
};

static inline void gen_rng_init(struct gen_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = gen_hash(seed, 0x5eed, stream);
	for (int i = 0; i < 4; i++)
		r->s[i] = x = gen_mix64(x);
}

static inline uint64_t gen_rng_next(struct gen_rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = ((s[1] * 5) << 7 | (s[1] * 5) >> 57) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = s[3] << 45 | s[3] >> 19;
	return res;
}

static inline uint64_t gen_rng_below(struct gen_rng *r, uint64_t n)
{
	return n ? gen_rng_next(r) % n : 0;
}

static inline double gen_rng_unit(struct gen_rng *r)
{
	return (double)(gen_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* ---- options ---- */

enum gen_mix_key {
	MIX_FREE,
	MIX_CACHE,
	MIX_CACHEPRIV,
	MIX_SWAPCACHE,
	MIX_ANON,
	MIX_THP,
	MIX_HUGETLB,
	MIX_SLAB,
	MIX_PGTABLE,
	MIX_KERNEL,
	MIX_HWPOISON,
	MIX_OFFLINE,
	MIX_NCLASSES,
	MIX_ZERO = MIX_NCLASSES, /* % of non-free pages whose content is zero */
	MIX_FREEZERO,            /* % of free blocks whose content is zero */
	MIX_NKEYS
};

struct gen_mix {
	double v[MIX_NKEYS];
};

struct gen_hole {
	paddr_t start, end; /* [start, end) */
};

struct gen_opts {
	uint64_t ram;   /* bytes of RAM */
	uint64_t seed;
	int levels;     /* x86_64: 4 or 5; arm64: 3 (VA_BITS 39) or 4 (48) */
	bool arm64;     /* --arch arm64: 4 KiB granule, the flipped (5.4+) layout of 6.1 */
	unsigned va_bits; /* arm64: 39 or 48 */
	unsigned ncpus;
	bool unaligned;
	const char *osrelease;
	const char *out_path;
	const char *truth_path;
	const char *verify_path; /* --verify-kdump mode */
	int verify_level;
	struct gen_mix mix;
	struct gen_hole *holes;
	size_t nholes;
};

/* ---- the model ---- */

/* What a pfn holds, as its struct page will say. */
enum gen_kind {
	PK_AVAIL,        /* not yet assigned (temporary), data in the dump */
	PK_AVAIL_NODATA, /* not yet assigned (temporary), past p_filesz */
	PK_HOLE,         /* no RAM: struct page (if its section exists) is reserved */
	PK_RESERVED,     /* PG_reserved: kernel image, memblock allocations, partial pages */
	PK_KERNEL,       /* a kernel allocation without flags */
	PK_OWNERPRIV,    /* PG_owner_priv_1 (== PG_swapcache) without PG_swapbacked */
	PK_SLAB,         /* PG_slab, order 0 */
	PK_SLAB_HEAD,    /* PG_slab|PG_head, order in aux */
	PK_PGTABLE,      /* page_type PG_table */
	PK_CACHE,        /* PG_lru, mapping = address_space */
	PK_CACHE_PRIV,   /* PG_lru|PG_private */
	PK_CFOLIO_HEAD,  /* large page-cache folio head (PG_lru|PG_head) */
	PK_CFOLIO_PRIV_HEAD,
	PK_SWAPCACHE,     /* PG_swapcache|PG_swapbacked, not on LRU, mapping NULL */
	PK_SWAPCACHE_LRU, /* same, on LRU */
	PK_ANON,          /* PG_lru|PG_swapbacked, mapping = anon_vma|1 */
	PK_SWAPCACHE_ANON,
	PK_THP_HEAD,          /* anon THP head, order 9 */
	PK_HUGETLB_HEAD,      /* mapped hugetlb page, order 9 */
	PK_HUGETLB_POOL_HEAD, /* hugetlb page free in the pool */
	PK_TAIL,              /* compound tail; aux = order of the unit */
	PK_BUDDY_HEAD,        /* first page of a free block; aux = order */
	PK_BUDDY_TAIL,        /* other pages of a free block; aux = order */
	PK_HWPOISON,
	PK_OFFLINE,
	PK_NKINDS
};

/* A RAM range: one PT_LOAD. [start, end) physical; filesz bytes of it are in the file. */
struct gen_range {
	paddr_t start, end;
	uint64_t filesz;
};

struct gen_load {
	vaddr_t vaddr;
	paddr_t paddr;
	uint64_t memsz, filesz;
	uint64_t foff;       /* p_offset */
	uint64_t chunk_foff; /* file offset of the page containing paddr */
};

/* A page table page; entries are built in memory, the page's pfn is where it lives. */
struct gen_table {
	pfn_t pfn;
	int level;       /* 1 = PTE ... 5 = PGD of 5-level */
	uint64_t e[512];
	int32_t child[512]; /* index of the next-level table, -1 if none */
};

enum gen_ext_type {
	EXT_KIMAGE,       /* the kernel image; param unused */
	EXT_VMEMMAP,      /* struct pages; param = pfn described by the first struct page */
	EXT_MEMSEC_ROOT,  /* the mem_section root pointer array */
	EXT_MEMSEC_ARRAY, /* one page of struct mem_section; param = root index */
	EXT_USAGE,        /* mem_section_usage structs */
	EXT_NODE_DATA,    /* pglist_data of node 0 */
};

/* A run of pfns with generated (not class-derived) content, sorted by pfn. */
struct gen_extent {
	pfn_t pfn;
	uint64_t npages;
	enum gen_ext_type type;
	uint64_t param;
};

struct gen_ctx {
	struct gen_opts o;

	/* physical layout */
	struct gen_range *ram;
	size_t nram;
	struct gen_load *loads; /* loads[0] is the kernel image */
	size_t nloads;
	pfn_t max_pfn;   /* max_mapnr: pfn after the highest byte of any PT_LOAD, rounded up */
	pfn_t npfn;      /* per-pfn arrays cover [0, npfn): max_pfn rounded up to a section */
	uint64_t nsections;

	/* KASLR and friends */
	vaddr_t page_offset_base, vmalloc_base, vmemmap_base;
	uint64_t kaslr_offset;  /* KERNELOFFSET */
	paddr_t kimage_paddr;   /* physical address of _text */
	vaddr_t ktext_vaddr;    /* _text */
	uint64_t phys_base;
	unsigned max_physmem_bits;
	uint64_t crashtime;
	uint8_t build_id[20];

	/* per pfn */
	uint8_t *kind;  /* enum gen_kind */
	uint8_t *aux;   /* order for heads, tails and buddy pages */
	uint8_t *truth; /* CS_TRUTH_* (zero flags filled by the writer) */

	/* sparsemem */
	uint64_t sizeof_mem_section;
	uint64_t nr_roots;
	uint8_t *sec_present; /* per section < nsections */
	pfn_t memsec_root_pfn;
	uint64_t memsec_root_pages;
	pfn_t *memsec_array_pfn; /* per root used by RAM (roots < nused_roots), 0 = none */
	uint64_t nused_roots;
	pfn_t usage_pfn;
	uint64_t usage_pages;
	pfn_t node_data_pfn;

	/* page tables */
	struct gen_table *tables;
	size_t ntables, tables_cap;
	int32_t *table_order; /* table indices sorted by pfn */
	int32_t t_top, t_l4k, t_l3k, t_l2k, t_l2fix, t_l1fix;
	unsigned brk_used; /* pages of the kernel's brk area used for page tables */

	/* extents with generated content */
	struct gen_extent *ext;
	size_t next, ext_cap;

	/* top-down boot allocator (memblock-like) */
	pfn_t alloc_top;

	/* content */
	uint8_t *corpus_text, *corpus_code;
	size_t corpus_len;

	/* the VMCOREINFO note text */
	char *vmcoreinfo;
	size_t vmcoreinfo_len;

	/* statistics for the manifest */
	uint64_t kind_count[PK_NKINDS];
	uint64_t pages_written, bytes_written;
};

static inline vaddr_t gen_dmap(const struct gen_ctx *c, paddr_t pa)
{
	return c->page_offset_base + pa;
}
static inline vaddr_t gen_page_vaddr(const struct gen_ctx *c, pfn_t pfn)
{
	return c->vmemmap_base + pfn * GEN_SIZEOF_PAGE;
}
static inline vaddr_t gen_ksym(const struct gen_ctx *c, uint64_t off)
{
	return c->ktext_vaddr + off;
}

/* layout.c */
cs_status gen_parse_size(const char *s, uint64_t *ret, struct cs_err *err);
cs_status gen_parse_holes(const char *spec, struct gen_opts *o, struct cs_err *err);
cs_status gen_parse_mix(const char *spec, struct gen_mix *mix, struct cs_err *err);
void gen_mix_defaults(struct gen_mix *mix);
cs_status gen_layout(struct gen_ctx *c, struct cs_err *err);
cs_status gen_alloc(struct gen_ctx *c, uint64_t npages, uint64_t align, pfn_t *ret, struct cs_err *err);
cs_status gen_add_extent(struct gen_ctx *c, pfn_t pfn, uint64_t npages, enum gen_ext_type type,
			 uint64_t param, struct cs_err *err);
void gen_sort_extents(struct gen_ctx *c);
const struct gen_extent *gen_find_extent(const struct gen_ctx *c, pfn_t pfn);
bool gen_pfn_in_segs(const struct gen_ctx *c, pfn_t pfn);

/* mm.c: page tables, sparsemem, kernel placement */
cs_status gen_build_mm(struct gen_ctx *c, struct cs_err *err);
/* The page table living at pfn, or NULL. */
const struct gen_table *gen_find_table(const struct gen_ctx *c, pfn_t pfn);

/* pages.c */
cs_status gen_assign_pages(struct gen_ctx *c, struct cs_err *err);
void gen_encode_page(const struct gen_ctx *c, pfn_t pfn, uint8_t out[64]);
unsigned gen_truth_class_of(const struct gen_ctx *c, pfn_t pfn);

/* content.c */
cs_status gen_content_init(struct gen_ctx *c, struct cs_err *err);
/* Fill buf with the page's bytes; returns false when the page is all zero. */
bool gen_page_content(const struct gen_ctx *c, pfn_t pfn, const struct gen_extent *ext, uint8_t *buf);

/* kernel.c: kernel image content, VMCOREINFO, notes */
cs_status gen_vmcoreinfo(struct gen_ctx *c, struct cs_err *err);
void gen_kimage_page(const struct gen_ctx *c, uint64_t page_index, uint8_t *buf);
size_t gen_notes(const struct gen_ctx *c, uint8_t *buf, size_t cap);

/* writer.c */
cs_status gen_write_vmcore(struct gen_ctx *c, struct cs_err *err);

/* manifest.c */
cs_status gen_write_manifest(struct gen_ctx *c, struct cs_err *err);
cs_status gen_write_truth(struct gen_ctx *c, struct cs_err *err);

/* verify.c: count pfns where a kdump-compressed file made at `level` disagrees with a truth file. */
cs_status gen_verify_kdump(const char *kdump, const char *truth_path, unsigned level, uint64_t *ret_bad,
			   struct cs_err *err);

#endif
