/* tests/fuzz/fuzz_pgtable.c: fuzz target: the x86_64 page-table walker (core/arch/x86_64.c) through core/kernel.h on a fake source whose physical memory is built from the input. */
#include "fuzz_common.h"
#include "core/arch/x86_64_paging.h"
#include "core/kernel.h"
#include "formats/source.h"

/*
 * Input: 16-byte header, then `nrec` 11-byte records (u8 page, u16 entry,
 * u64 value) that write page-table entries into FZ_PAGES pages of fake
 * physical memory at paddr [0, FZ_PAGES * 4096), then u64 vaddrs to translate.
 * Pages no record touched read as "not in the dump" (CS_ERR_NODATA).
 */
#define FZ_PAGES 64
#define PG 4096u
#define MAX_VADDRS 64

struct fake {
	uint8_t mem[FZ_PAGES * PG];
	bool defined[FZ_PAGES];
	uint64_t reads;
};

static cs_status fake_read_paddr(struct cs_source *src, paddr_t paddr, void *buf, size_t len,
				 struct cs_err *err)
{
	struct fake *m = src->priv;

	m->reads++;
	FZ_ASSERT(len > 0 && len <= (1u << 20));
	if (paddr >= FZ_PAGES * PG || len > FZ_PAGES * PG - paddr)
		return cs_err_set(err, CS_ERR_NODATA, "paddr 0x%" PRIx64 " is not in the dump", paddr);
	for (paddr_t p = paddr & ~(paddr_t)(PG - 1); p < paddr + len; p += PG)
		if (!m->defined[p / PG])
			return cs_err_set(err, CS_ERR_NODATA, "paddr 0x%" PRIx64 " is not in the dump", p);
	memcpy(buf, m->mem + paddr, len);
	return CS_OK;
}

static const struct cs_source_ops fake_ops = {
	.name = "fuzz",
	.read_paddr = fake_read_paddr,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake *m;
	struct cs_source src = {0};
	struct cs_kmodel km = {0};
	struct cs_kernel *k, *k2;
	struct cs_err err;
	size_t pos = 16, nrec;
	uint8_t flags;

	if (size < 16)
		return 0;
	m = calloc(1, sizeof(*m));
	k = calloc(1, sizeof(*k));
	k2 = calloc(1, sizeof(*k2));
	if (!m || !k || !k2)
		abort();
	flags = data[0];
	/* The root table: init_top_pgt (or the pre-4.13 name) somewhere in the image's first pages. */
	vaddr_t root = X86_START_KERNEL_MAP + (vaddr_t)data[1] * PG + ((flags & 0x40) ? data[2] : 0);
	cs_km_set(&km, (flags & 0x10) ? KM_SYM_init_level4_pgt : KM_SYM_init_top_pgt, root);
	if (flags & 0x01)
		cs_km_set(&km, KM_NUM_pgtable_l5_enabled, 1);
	if (flags & 0x02)
		cs_km_set(&km, KM_NUM_sme_mask, 1ULL << (data[3] & 63));
	if (flags & 0x04) /* phys_base: a page multiple, occasionally huge */
		cs_km_set(&km, KM_NUM_phys_base, (uint64_t)(int64_t)(int16_t)(data[4] | data[5] << 8) * PG);
	if (flags & 0x08)
		cs_km_set(&km, KM_NUM_KERNEL_IMAGE_SIZE, (uint64_t)fz_ld32(data + 6) << 8);
	nrec = data[10];
	for (size_t r = 0; r < nrec && pos + 11 <= size; r++, pos += 11) {
		unsigned page = data[pos] % FZ_PAGES, ent = (data[pos + 1] | data[pos + 2] << 8) % 512;
		memcpy(m->mem + page * PG + ent * 8, data + pos + 3, 8);
		m->defined[page] = true;
	}
	src.ops = &fake_ops;
	src.priv = m;
	src.path = "fuzz";
	src.kind = CS_SRC_ELF;
	src.page_size = PG;
	src.e_machine = 62;
	src.have_phys_base = (flags & 0x20) != 0;
	src.phys_base = (uint64_t)data[11] * PG;

	if (cs_kernel_init_source(k, &src, &km, &err) != CS_OK) {
		fz_check_msg(err.msg);
		goto out;
	}
	FZ_ASSERT(k->have_arch);
	*k2 = *k;
	/* Translate each vaddr with warm caches, then again from a cold walker: both must agree. */
	for (size_t i = 0; i < MAX_VADDRS && pos + 8 <= size; i++, pos += 8) {
		vaddr_t va = fz_ld64(data + pos);
		paddr_t pa = 0, pa2 = 0;
		uint64_t contig = 0, contig2 = 0;
		cs_status st, st2;

		st = cs_kernel_vtop(k, va, &pa, &contig, &err);
		if (st != CS_OK)
			fz_check_msg(err.msg);
		cs_arch_cache_reset(&k2->arch);
		st2 = cs_kernel_vtop(k2, va, &pa2, &contig2, &err);
		if (st2 != CS_OK)
			fz_check_msg(err.msg);
		FZ_ASSERT(st == st2);
		if (st == CS_OK) {
			FZ_ASSERT(pa == pa2);
			FZ_ASSERT(contig >= 1);
			/* A cached answer is the answer a fresh walk gives. */
			FZ_ASSERT(contig == contig2);
			/* The last byte of the mapping translates consistently. */
			if (contig > 1 && va + contig - 1 > va) {
				paddr_t pl;
				uint64_t cl;
				if (cs_kernel_vtop(k, va + contig - 1, &pl, &cl, &err) == CS_OK)
					FZ_ASSERT(pl == pa + contig - 1 && cl == 1);
			}
		}
		/* A short read across the translation, which may span two mappings. */
		uint8_t buf[64];
		if (cs_kernel_read(k, va - 16, buf, sizeof(buf), &err) != CS_OK)
			fz_check_msg(err.msg);
	}
	/* The fixed addresses the engine actually reads: vmemmap, direct map, text. */
	static const vaddr_t fixed[] = {0xffffea0000000000ULL, 0xffff888000000000ULL,
					0xffd4000000000000ULL, 0xff11000000000000ULL,
					X86_START_KERNEL_MAP, 0xffffffffc0000000ULL};
	for (size_t i = 0; i < CS_ARRAY_SIZE(fixed); i++) {
		paddr_t pa;
		uint64_t c;
		if (cs_kernel_vtop(k, fixed[i], &pa, &c, &err) != CS_OK)
			fz_check_msg(err.msg);
	}
	cs_kernel_deinit(k);
out:
	free(m);
	free(k);
	free(k2);
	return 0;
}
