/* tests/gen/content.c: page bytes as a function of (pfn, seed): zero, text, code, random, sparse, metadata. */
#include "tests/gen/gen.h"
#include "tests/gen/truth.h"
#include "core/sparsemem.h"

#include <stdlib.h>
#include <string.h>

#define CORPUS_LEN (256u << 10)

enum ck { CK_ZERO, CK_TEXT, CK_TEXT_TAIL, CK_RANDOM, CK_SPARSE, CK_PTES };

static const char *const words[] = {
	"the", "kernel", "page", "memory", "of", "and", "to", "a", "in", "is", "for", "file",
	"data", "process", "with", "on", "that", "system", "user", "error", "return", "value",
	"struct", "static", "int", "unsigned", "long", "const", "char", "void", "if", "else",
	"while", "NULL", "0x0", "sizeof", "buffer", "request", "device", "network", "http",
	"GET", "/usr/lib", "systemd", "journal", "session", "Nov", "2025", "INFO", "DEBUG",
	"<div>", "</div>", "class=", "\"id\"", "{", "}", "(", ");", "=", "->", "#include",
};

/* A text corpus (log lines, source, markup) and an x86-like code corpus, from the seed. */
cs_status gen_content_init(struct gen_ctx *c, struct cs_err *err)
{
	struct gen_rng rng;
	size_t n = 0;

	c->corpus_len = CORPUS_LEN;
	c->corpus_text = malloc(CORPUS_LEN + 8);
	c->corpus_code = malloc(CORPUS_LEN + 8);
	if (!c->corpus_text || !c->corpus_code)
		return cs_err_set(err, CS_ERR_NOMEM, "out of memory");
	gen_rng_init(&rng, c->o.seed, 0x7e47);
	while (n < CORPUS_LEN) {
		uint64_t r = gen_rng_next(&rng);
		const char *w = words[r % CS_ARRAY_SIZE(words)];
		size_t len = strlen(w);
		if (n + len + 1 > CORPUS_LEN)
			len = CORPUS_LEN - n - 1;
		memcpy(c->corpus_text + n, w, len);
		n += len;
		c->corpus_text[n++] = (r >> 32) % 11 == 0 ? '\n' : (r >> 32) % 13 == 0 ? '\t' : ' ';
	}
	/* Code: common opcodes and ModRM bytes, small immediates, some zero displacement bytes. */
	static const uint8_t ops[] = {0x48, 0x89, 0x8b, 0x0f, 0x1f, 0x44, 0x00, 0x00, 0xe8, 0xc3,
				      0x55, 0x5d, 0x41, 0x83, 0xc4, 0x85, 0xc0, 0x74, 0x75, 0xff,
				      0x31, 0xd2, 0x4c, 0x8d, 0x90, 0xcc, 0xe9, 0x66};
	for (size_t i = 0; i < CORPUS_LEN; i++) {
		uint64_t r = gen_rng_next(&rng);
		c->corpus_code[i] = (r & 7) < 5 ? ops[(r >> 8) % sizeof(ops)] : (uint8_t)(r >> 16);
	}
	return CS_OK;
}

static void fill_random(uint8_t *buf, uint64_t h)
{
	struct gen_rng r;
	gen_rng_init(&r, h, 0xfa11);
	for (size_t i = 0; i < GEN_PAGE_SIZE; i += 8) {
		uint64_t v = gen_rng_next(&r);
		memcpy(buf + i, &v, 8);
	}
	buf[0] |= 1;
}

/* Mostly zero with a few kernel-looking words: pointers, counters, flags. */
static void fill_sparse(const struct gen_ctx *c, uint8_t *buf, uint64_t h)
{
	unsigned n = 8 + h % 120;

	memset(buf, 0, GEN_PAGE_SIZE);
	for (unsigned i = 0; i < n; i++) {
		uint64_t r = gen_mix64(h + i), v;
		switch (r & 3) {
		case 0: v = gen_dmap(c, ((r >> 8) % c->max_pfn) << GEN_PAGE_SHIFT); break;
		case 1: v = (r >> 20) & 0xffff; break;
		case 2: v = gen_page_vaddr(c, (r >> 8) % c->npfn); break;
		default: v = r; break;
		}
		memcpy(buf + (i == 0 ? 0 : ((r >> 40) % 512) * 8), &v, 8);
	}
	if (!buf[0] && !buf[1])
		buf[0] = 1;
}

/* A user page table: present PTEs pointing at random frames. */
static void fill_ptes(const struct gen_ctx *c, uint8_t *buf, uint64_t h)
{
	unsigned n = 1 + h % 200, start = (h >> 16) % 512;

	memset(buf, 0, GEN_PAGE_SIZE);
	for (unsigned i = 0; i < n && start + i < 512; i++) {
		uint64_t v = ((gen_mix64(h + i) % c->max_pfn) << GEN_PAGE_SHIFT) | 0x8000000000000067ULL;
		memcpy(buf + (start + i) * 8, &v, 8);
	}
}

static void fill_kind(const struct gen_ctx *c, enum ck k, uint8_t *buf, uint64_t h)
{
	size_t off = (h % (c->corpus_len - GEN_PAGE_SIZE)) & ~7ULL;

	switch (k) {
	case CK_ZERO:
		memset(buf, 0, GEN_PAGE_SIZE);
		break;
	case CK_TEXT:
		memcpy(buf, c->corpus_text + off, GEN_PAGE_SIZE);
		break;
	case CK_TEXT_TAIL: {
		size_t n = 256 + (h >> 32) % 3584;
		memcpy(buf, c->corpus_text + off, n);
		memset(buf + n, 0, GEN_PAGE_SIZE - n);
		break;
	}
	case CK_RANDOM:
		fill_random(buf, h);
		break;
	case CK_SPARSE:
		fill_sparse(c, buf, h);
		break;
	case CK_PTES:
		fill_ptes(c, buf, h);
		break;
	}
}

/*
 * The content kind of an ordinary page. Whether a page is zero is decided per
 * 64 KiB group of pfns, or per unit for buddy blocks and compound pages of
 * 64 KiB and more, so zero memory comes in runs the way never-touched memory
 * does. That also keeps the sparse file in few extents: freeing tens of
 * thousands of scattered extents is slow on a filesystem mounted with
 * "discard". The kind of non-zero data is chosen per page by class.
 */
#define ZERO_GROUP_ORDER 4

static enum ck content_kind(const struct gen_ctx *c, pfn_t pfn, uint64_t *h)
{
	uint8_t k = c->kind[pfn];
	pfn_t unit = pfn >> ZERO_GROUP_ORDER << ZERO_GROUP_ORDER;
	double zero_pct = c->o.mix.v[MIX_ZERO];
	unsigned cls = gen_truth_class_of(c, pfn);
	uint64_t r;

	if ((k == PK_TAIL || k == PK_BUDDY_TAIL || k == PK_BUDDY_HEAD || k == PK_THP_HEAD ||
	     k == PK_HUGETLB_HEAD || k == PK_HUGETLB_POOL_HEAD) && c->aux[pfn] >= ZERO_GROUP_ORDER)
		unit = pfn & ~((1ULL << c->aux[pfn]) - 1);
	if (cls == CS_TRUTH_FREE)
		zero_pct = c->o.mix.v[MIX_FREEZERO];
	if (k == PK_RESERVED || k == PK_HOLE)
		zero_pct = 50;
	if ((double)(gen_hash(c->o.seed, 0x2e60, unit) % 10000) < zero_pct * 100)
		return CK_ZERO;
	*h = gen_hash(c->o.seed, 0xc0de, pfn);
	r = *h % 100;
	if (k == PK_PGTABLE)
		return CK_PTES;
	switch (cls) {
	case CS_TRUTH_CACHE:
	case CS_TRUTH_CACHE_PRIVATE:
		return r < 50 ? CK_TEXT : r < 65 ? CK_TEXT_TAIL : CK_RANDOM;
	case CS_TRUTH_USER:
		return r < 40 ? CK_RANDOM : r < 75 ? CK_SPARSE : CK_TEXT;
	case CS_TRUTH_FREE:
		return r < 40 ? CK_TEXT : r < 70 ? CK_RANDOM : CK_SPARSE;
	case CS_TRUTH_KERNEL:
		if (k == PK_RESERVED || k == PK_HOLE)
			return CK_SPARSE;
		return r < 60 ? CK_SPARSE : r < 85 ? CK_TEXT : CK_RANDOM;
	default:
		return r < 50 ? CK_RANDOM : CK_SPARSE;
	}
}

static void memsec_array(const struct gen_ctx *c, uint64_t root, uint8_t *buf)
{
	uint64_t per_root = GEN_PAGE_SIZE / c->sizeof_mem_section, rank = 0;
	uint64_t first = root * per_root;

	memset(buf, 0, GEN_PAGE_SIZE);
	for (uint64_t s = 0; s < first && s < c->nsections; s++)
		rank += c->sec_present[s];
	for (uint64_t i = 0; i < per_root && first + i < c->nsections; i++) {
		uint64_t s = first + i, word, usage;
		if (!c->sec_present[s])
			continue;
		word = cs_section_encode(c->vmemmap_base + s * GEN_PFNS_PER_SECTION * GEN_SIZEOF_PAGE,
					 s * GEN_PFNS_PER_SECTION, GEN_SIZEOF_PAGE,
					 CS_SECTION_MARKED_PRESENT | CS_SECTION_HAS_MEM_MAP |
						 CS_SECTION_IS_ONLINE | CS_SECTION_IS_EARLY);
		usage = gen_dmap(c, c->usage_pfn << GEN_PAGE_SHIFT) + rank++ * GEN_SIZEOF_USAGE;
		memcpy(buf + i * c->sizeof_mem_section, &word, 8);
		memcpy(buf + i * c->sizeof_mem_section + 8, &usage, 8);
	}
}

static bool all_zero(const uint8_t *buf)
{
	static const uint8_t zero[64];
	for (size_t i = 0; i < GEN_PAGE_SIZE; i += 64)
		if (memcmp(buf + i, zero, 64))
			return false;
	return true;
}

bool gen_page_content(const struct gen_ctx *c, pfn_t pfn, const struct gen_extent *ext, uint8_t *buf)
{
	const struct gen_table *t = gen_find_table(c, pfn);
	uint64_t h = 0;

	if (t) {
		memcpy(buf, t->e, GEN_PAGE_SIZE);
		return !all_zero(buf);
	}
	if (!ext) {
		enum ck k = content_kind(c, pfn, &h);
		fill_kind(c, k, buf, h);
		return k != CK_ZERO;
	}
	uint64_t idx = pfn - ext->pfn;
	switch (ext->type) {
	case EXT_KIMAGE:
		gen_kimage_page(c, idx, buf);
		break;
	case EXT_VMEMMAP:
		for (unsigned i = 0; i < GEN_PAGE_SIZE / GEN_SIZEOF_PAGE; i++)
			gen_encode_page(c, ext->param + idx * (GEN_PAGE_SIZE / GEN_SIZEOF_PAGE) + i,
					buf + i * GEN_SIZEOF_PAGE);
		break;
	case EXT_MEMSEC_ROOT:
		memset(buf, 0, GEN_PAGE_SIZE);
		for (uint64_t i = 0; i < GEN_PAGE_SIZE / 8; i++) {
			uint64_t r = idx * (GEN_PAGE_SIZE / 8) + i, v;
			if (r >= c->nused_roots || !c->memsec_array_pfn[r])
				continue;
			v = gen_dmap(c, c->memsec_array_pfn[r] << GEN_PAGE_SHIFT);
			memcpy(buf + i * 8, &v, 8);
		}
		break;
	case EXT_MEMSEC_ARRAY:
		memsec_array(c, ext->param, buf);
		break;
	case EXT_USAGE:
		/* subsection_map all set, pageblock migratetypes MOVABLE (1) */
		memset(buf, 0, GEN_PAGE_SIZE);
		for (size_t off = 0; off + GEN_SIZEOF_USAGE <= GEN_PAGE_SIZE; off += GEN_SIZEOF_USAGE) {
			if ((idx * GEN_PAGE_SIZE + off) / GEN_SIZEOF_USAGE >= c->nsections)
				break;
			memset(buf + off, 0xff, 8);
			memset(buf + off + 8, 0x11, 32);
		}
		break;
	case EXT_NODE_DATA:
		fill_sparse(c, buf, gen_hash(c->o.seed, 0x9d47, pfn));
		break;
	}
	return !all_zero(buf);
}
