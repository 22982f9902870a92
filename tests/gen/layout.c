/* tests/gen/layout.c: option values (sizes, holes, mix), the RAM map, per-pfn arrays, the boot allocator. */
#include "tests/gen/gen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

cs_status gen_parse_size(const char *s, uint64_t *ret, struct cs_err *err)
{
	char *end;
	uint64_t v, mul = 1;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (end == s || errno)
		return cs_err_set(err, CS_ERR_ARGS, "invalid size '%s'", s);
	switch (*end) {
	case 'k': case 'K': mul = 1ULL << 10; end++; break;
	case 'm': case 'M': mul = 1ULL << 20; end++; break;
	case 'g': case 'G': mul = 1ULL << 30; end++; break;
	case 't': case 'T': mul = 1ULL << 40; end++; break;
	default: break;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	else if (*end == 'B')
		end++;
	if (*end || (v && mul > UINT64_MAX / v))
		return cs_err_set(err, CS_ERR_ARGS, "invalid size '%s'", s);
	*ret = v * mul;
	return CS_OK;
}

/*
 * The default holes are a PC's: page 0 (BIOS data), the legacy VGA/ROM window
 * 640 KiB-1 MiB and the 32-bit PCI window 3-4 GiB. RAM is laid out from 0
 * upwards around the holes, so memory displaced by a hole reappears above it
 * (as QEMU puts the RAM that does not fit below 3 GiB above 4 GiB).
 */
static const struct gen_hole default_holes[] = {
	{0x0, 0x1000},
	{0xa0000, 0x100000},
	{3ULL << 30, 4ULL << 30},
};

static cs_status add_hole(struct gen_opts *o, paddr_t start, paddr_t end, struct cs_err *err)
{
	struct gen_hole *h;

	if (end <= start || (start | end) & (GEN_PAGE_SIZE - 1))
		return cs_err_set(err, CS_ERR_ARGS,
				  "hole 0x%" PRIx64 "-0x%" PRIx64 ": must be non-empty and page aligned",
				  start, end);
	h = realloc(o->holes, (o->nholes + 1) * sizeof(*h));
	if (!h)
		return cs_err_set(err, CS_ERR_NOMEM, "out of memory");
	o->holes = h;
	h[o->nholes++] = (struct gen_hole){start, end};
	return CS_OK;
}

cs_status gen_parse_holes(const char *spec, struct gen_opts *o, struct cs_err *err)
{
	char *dup = strdup(spec), *save = NULL, *item;
	cs_status st = CS_OK;

	if (!dup)
		return cs_err_set(err, CS_ERR_NOMEM, "out of memory");
	free(o->holes);
	o->holes = NULL;
	o->nholes = 0;
	for (item = strtok_r(dup, ",", &save); item && st == CS_OK; item = strtok_r(NULL, ",", &save)) {
		char *sep;
		uint64_t a, b;

		if (!strcmp(item, "none"))
			continue;
		if (!strcmp(item, "default")) {
			for (size_t i = 0; i < CS_ARRAY_SIZE(default_holes) && st == CS_OK; i++)
				st = add_hole(o, default_holes[i].start, default_holes[i].end, err);
			continue;
		}
		sep = strpbrk(item, "-+");
		if (!sep) {
			st = cs_err_set(err, CS_ERR_ARGS, "hole '%s': expected START-END or START+SIZE", item);
			break;
		}
		char op = *sep;
		*sep = '\0';
		st = gen_parse_size(item, &a, err);
		if (st == CS_OK)
			st = gen_parse_size(sep + 1, &b, err);
		if (st == CS_OK)
			st = add_hole(o, a, op == '+' ? a + b : b, err);
	}
	free(dup);
	if (st != CS_OK)
		return cs_err_ctx(err, "--holes");
	return CS_OK;
}

static const char *const mix_names[MIX_NKEYS] = {
	[MIX_FREE] = "free",       [MIX_CACHE] = "cache",       [MIX_CACHEPRIV] = "cachepriv",
	[MIX_SWAPCACHE] = "swapcache", [MIX_ANON] = "anon",     [MIX_THP] = "thp",
	[MIX_HUGETLB] = "hugetlb", [MIX_SLAB] = "slab",         [MIX_PGTABLE] = "pgtable",
	[MIX_KERNEL] = "kernel",   [MIX_HWPOISON] = "hwpoison", [MIX_OFFLINE] = "offline",
	[MIX_ZERO] = "zero",       [MIX_FREEZERO] = "freezero",
};

/*
 * Default mix: a lightly used VM. Most free memory was never touched (zero),
 * and most other pages are zero too, so the dump's data is ~12 % of RAM and a
 * 64 GiB dump is written in well under a minute. Tests that care about
 * content use --mix zero=10,freezero=50 or similar on small RAM sizes.
 */
void gen_mix_defaults(struct gen_mix *mix)
{
	static const double def[MIX_NKEYS] = {
		[MIX_FREE] = 45,     [MIX_CACHE] = 14,  [MIX_CACHEPRIV] = 3, [MIX_SWAPCACHE] = 1,
		[MIX_ANON] = 12,     [MIX_THP] = 6,     [MIX_HUGETLB] = 4,   [MIX_SLAB] = 6,
		[MIX_PGTABLE] = 1,   [MIX_KERNEL] = 7.5, [MIX_HWPOISON] = 0.02, [MIX_OFFLINE] = 0.3,
		[MIX_ZERO] = 80,     [MIX_FREEZERO] = 97,
	};
	memcpy(mix->v, def, sizeof(def));
}

cs_status gen_parse_mix(const char *spec, struct gen_mix *mix, struct cs_err *err)
{
	char *dup = strdup(spec), *save = NULL, *item;
	cs_status st = CS_OK;

	if (!dup)
		return cs_err_set(err, CS_ERR_NOMEM, "out of memory");
	for (item = strtok_r(dup, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '='), *end;
		int key = -1;
		double v;

		if (!eq) {
			st = cs_err_set(err, CS_ERR_ARGS, "--mix: '%s': expected KEY=PERCENT", item);
			break;
		}
		*eq = '\0';
		for (int k = 0; k < MIX_NKEYS; k++)
			if (!strcmp(item, mix_names[k]))
				key = k;
		if (key < 0) {
			st = cs_err_set(err, CS_ERR_ARGS, "--mix: unknown key '%s'", item);
			break;
		}
		v = strtod(eq + 1, &end);
		if (end == eq + 1 || *end || v < 0 || v > 100) {
			st = cs_err_set(err, CS_ERR_ARGS, "--mix: %s: '%s' is not a percentage", item, eq + 1);
			break;
		}
		mix->v[key] = v;
	}
	free(dup);
	if (st == CS_OK) {
		double sum = 0;
		for (int k = 0; k < MIX_NCLASSES; k++)
			sum += mix->v[k];
		if (sum <= 0)
			st = cs_err_set(err, CS_ERR_ARGS, "--mix: the class weights add up to 0");
	}
	return st;
}

static int hole_cmp(const void *a, const void *b)
{
	const struct gen_hole *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static cs_status add_range(struct gen_ctx *c, paddr_t start, paddr_t end, struct cs_err *err)
{
	struct gen_range *r = realloc(c->ram, (c->nram + 1) * sizeof(*r));
	if (!r)
		return cs_err_set(err, CS_ERR_NOMEM, "out of memory");
	c->ram = r;
	r[c->nram++] = (struct gen_range){start, end, end - start};
	return CS_OK;
}

/*
 * --unaligned: make the segment boundaries look like an odd e820 map and a
 * truncated capture. Every case makedumpfile handles appears at least once:
 * an unaligned start (partial first page, present), an unaligned end (partial
 * last page, not present), p_filesz < p_memsz with an unaligned and with a
 * page-aligned p_filesz.
 */
static void make_unaligned(struct gen_ctx *c)
{
	struct gen_rng rng;
	size_t last = c->nram - 1;

	gen_rng_init(&rng, c->o.seed, 0x0a11);
	/* e820 typically ends the first range at 0x9fc00. */
	if (c->nram > 1) {
		c->ram[0].end -= 0x400 * (1 + gen_rng_below(&rng, 3));
		c->ram[0].filesz = c->ram[0].end - c->ram[0].start;
	}
	/* An unaligned start of the second range. */
	size_t s = c->nram > 1 ? 1 : 0;
	c->ram[s].start += 0x200 * (1 + gen_rng_below(&rng, 7));
	c->ram[s].filesz = c->ram[s].end - c->ram[s].start;
	/* The last range: unaligned end and an unaligned p_filesz well inside it. */
	uint64_t npages = (c->ram[last].end - c->ram[last].start) / GEN_PAGE_SIZE;
	c->ram[last].end -= 0x100 * (1 + gen_rng_below(&rng, 15));
	c->ram[last].filesz = c->ram[last].end - c->ram[last].start -
			      (npages / 32 + 3) * GEN_PAGE_SIZE - 0x480;
	/* A middle range (if any) loses a page-aligned tail. */
	if (c->nram > 2) {
		size_t m = 1 + gen_rng_below(&rng, c->nram - 2);
		c->ram[m].filesz -= 17 * GEN_PAGE_SIZE;
	}
}

cs_status gen_layout(struct gen_ctx *c, struct cs_err *err)
{
	struct gen_hole *h = c->o.holes;
	size_t nh = c->o.nholes;
	uint64_t placed = 0;
	paddr_t addr = 0;
	cs_status st;

	qsort(h, nh, sizeof(*h), hole_cmp);
	while (placed < c->o.ram) {
		paddr_t next_hole = UINT64_MAX, after = 0;
		bool inside = false;

		for (size_t i = 0; i < nh; i++) {
			if (h[i].start <= addr && addr < h[i].end) {
				inside = true;
				after = h[i].end;
				break;
			}
			if (h[i].start > addr && h[i].start < next_hole)
				next_hole = h[i].start;
		}
		if (inside) {
			addr = after;
			continue;
		}
		paddr_t end = addr + (c->o.ram - placed);
		if (end > next_hole)
			end = next_hole;
		if ((st = add_range(c, addr, end, err)) != CS_OK)
			return st;
		placed += end - addr;
		addr = end;
	}
	if (c->o.unaligned)
		make_unaligned(c);

	paddr_t top = c->ram[c->nram - 1].end;
	c->max_pfn = CS_DIV_ROUND_UP(top, GEN_PAGE_SIZE);
	c->npfn = CS_ALIGN_UP(c->max_pfn, GEN_PFNS_PER_SECTION);
	c->nsections = c->npfn / GEN_PFNS_PER_SECTION;
	c->kind = malloc(c->npfn);
	c->aux = calloc(c->npfn, 1);
	c->truth = calloc(c->npfn, 1);
	c->sec_present = calloc(c->nsections, 1);
	if (!c->kind || !c->aux || !c->truth || !c->sec_present)
		return cs_err_set(err, CS_ERR_NOMEM, "out of memory for %" PRIu64 " pfns", c->npfn);
	memset(c->kind, PK_HOLE, c->npfn);

	for (size_t i = 0; i < c->nram; i++) {
		const struct gen_range *r = &c->ram[i];
		pfn_t first = CS_DIV_ROUND_UP(r->start, GEN_PAGE_SIZE), end = r->end / GEN_PAGE_SIZE;
		paddr_t data_end = r->start + r->filesz;

		for (pfn_t p = first; p < end; p++)
			c->kind[p] = (p + 1) * GEN_PAGE_SIZE <= data_end ? PK_AVAIL : PK_AVAIL_NODATA;
		/*
		 * The kernel hands only whole pages to the buddy allocator; the
		 * struct pages of partial pages stay reserved. The page holding
		 * the end of p_filesz is made reserved too, so that no multi-page
		 * unit straddles data and no-data pages.
		 */
		if (r->start % GEN_PAGE_SIZE)
			c->kind[r->start / GEN_PAGE_SIZE] = PK_RESERVED;
		if (r->end % GEN_PAGE_SIZE)
			c->kind[r->end / GEN_PAGE_SIZE] = PK_RESERVED;
		if (data_end % GEN_PAGE_SIZE && data_end < r->end)
			c->kind[data_end / GEN_PAGE_SIZE] = PK_RESERVED;
		for (pfn_t p = r->start / GEN_PAGE_SIZE; p < CS_DIV_ROUND_UP(r->end, GEN_PAGE_SIZE); p++)
			c->sec_present[p / GEN_PFNS_PER_SECTION] = 1;
	}
	/* Linux reserves the first 1 MiB (commit a799c2bd29d1, 5.13). */
	for (pfn_t p = 0; p < 256 && p < c->npfn; p++)
		if (c->kind[p] == PK_AVAIL || c->kind[p] == PK_AVAIL_NODATA)
			c->kind[p] = PK_RESERVED;
	c->alloc_top = c->max_pfn;
	return CS_OK;
}

/*
 * memblock-like top-down allocation of npages pfns aligned to `align` pfns,
 * from pages with data in the dump (the engine must be able to read them).
 */
cs_status gen_alloc(struct gen_ctx *c, uint64_t npages, uint64_t align, pfn_t *ret, struct cs_err *err)
{
	pfn_t p;

	if (c->alloc_top < npages)
		goto fail;
	p = (c->alloc_top - npages) / align * align;
	for (;;) {
		uint64_t i;
		for (i = 0; i < npages; i++)
			if (c->kind[p + i] != PK_AVAIL)
				break;
		if (i == npages) {
			memset(c->kind + p, PK_RESERVED, npages);
			c->alloc_top = p;
			*ret = p;
			return CS_OK;
		}
		/* The next candidate must end at or below the page that blocked this one. */
		pfn_t bad = p + i;
		if (bad < npages)
			break;
		p = (bad - npages) / align * align;
	}
fail:
	return cs_err_set(err, CS_ERR_NOMEM, "the synthetic RAM is too small: cannot allocate %" PRIu64
			  " pages for kernel metadata", npages);
}

cs_status gen_add_extent(struct gen_ctx *c, pfn_t pfn, uint64_t npages, enum gen_ext_type type,
			 uint64_t param, struct cs_err *err)
{
	if (c->next == c->ext_cap) {
		size_t cap = c->ext_cap ? c->ext_cap * 2 : 256;
		struct gen_extent *e = realloc(c->ext, cap * sizeof(*e));
		if (!e)
			return cs_err_set(err, CS_ERR_NOMEM, "out of memory");
		c->ext = e;
		c->ext_cap = cap;
	}
	c->ext[c->next++] = (struct gen_extent){pfn, npages, type, param};
	return CS_OK;
}

static int ext_cmp(const void *a, const void *b)
{
	const struct gen_extent *x = a, *y = b;
	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

void gen_sort_extents(struct gen_ctx *c)
{
	qsort(c->ext, c->next, sizeof(*c->ext), ext_cmp);
}

const struct gen_extent *gen_find_extent(const struct gen_ctx *c, pfn_t pfn)
{
	size_t lo = 0, hi = c->next;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->ext[mid].pfn <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct gen_extent *e = &c->ext[lo - 1];
	return pfn < e->pfn + e->npages ? e : NULL;
}

/* makedumpfile's is_in_segs(): the page's first byte lies inside some segment's file data. */
bool gen_pfn_in_segs(const struct gen_ctx *c, pfn_t pfn)
{
	paddr_t pa = pfn * GEN_PAGE_SIZE;

	for (size_t i = 0; i < c->nram; i++)
		if (c->ram[i].start <= pa && pa < c->ram[i].start + c->ram[i].filesz)
			return true;
	return false;
}
