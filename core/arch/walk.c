/* core/arch/walk.c: the one page-table walker (any paging form), its caches, loop detection, and vtop. */
#include "core/arch/arch.h"

#include <string.h>

void cs_walk_reset(struct cs_walker *w)
{
	w->leaf_valid = false;
	for (int i = 0; i < CS_ARCH_MAX_LEVELS; i++)
		w->tc[i].valid = false;
}

cs_status cs_walk(struct cs_walker *w, vaddr_t vaddr, paddr_t *paddr, uint64_t *contig,
		  cs_vtop_trace_fn trace, void *trace_ctx, struct cs_err *err)
{
	const struct cs_paging_form *f = w->form;
	const char *const *name = f->level_name;
	paddr_t seen[CS_ARCH_MAX_LEVELS];
	paddr_t table = w->root;

	if (cs_walk_canonical(f, vaddr) != vaddr)
		return cs_err_set(err, CS_ERR_NODATA,
				  "vaddr 0x%" PRIx64 ": not a canonical %u-level address", vaddr, f->levels);
	w->nr_walks++;
	for (unsigned l = 0; l < f->levels; l++) {
		struct cs_pt_cache *c = &w->tc[l];
		unsigned bits = l == 0 && f->top_index_bits ? f->top_index_bits : f->index_bits;
		unsigned idx = (unsigned)((vaddr >> f->shift[l]) & ((1ULL << bits) - 1));
		/* A table larger than a cache slot is read in aligned slices of CS_ARCH_TABLE_ENTRIES. */
		unsigned slice = CS_MIN(1u << bits, CS_ARCH_TABLE_ENTRIES);
		unsigned first = idx & ~(slice - 1);
		paddr_t next;
		uint64_t e;

		/* A table reached twice in one walk is a loop (or a recursive map Linux never builds). */
		for (unsigned j = 0; j < l; j++)
			if (seen[j] == table)
				return cs_err_set(err, CS_ERR_CORRUPT,
						  "vaddr 0x%" PRIx64 ": page-table loop: %s table at paddr 0x%" PRIx64
						  " is also the %s table",
						  vaddr, name[l], table, name[j]);
		seen[l] = table;
		if (!c->valid || c->table != table || c->first != first) {
			c->valid = false;
			if (w->read_paddr(w->read_ctx, table + first * sizeof(e), c->ent, slice * sizeof(e), err) !=
			    CS_OK)
				return cs_err_ctx(err, "vaddr 0x%" PRIx64 ": cannot read %s table at paddr 0x%" PRIx64,
						  vaddr, name[l], table);
			c->valid = true;
			c->table = table;
			c->first = first;
			w->nr_table_reads++;
		}
		e = c->ent[idx - first];
		if (trace)
			trace(trace_ctx, name[l], table + idx * sizeof(e), e);
		switch (f->decode(w, l, e, &next)) {
		case CS_PTE_NONE:
			return cs_err_set(err, CS_ERR_NODATA,
					  "vaddr 0x%" PRIx64 ": not mapped (%s entry 0x%" PRIx64 " not present)",
					  vaddr, name[l], e);
		case CS_PTE_BAD:
			return cs_err_set(err, CS_ERR_CORRUPT,
					  "vaddr 0x%" PRIx64 ": %s entry 0x%" PRIx64 " has the large-page bit",
					  vaddr, name[l], e);
		case CS_PTE_LEAF: {
			uint64_t size = 1ULL << f->shift[l];
			/* Masking to the mapping size drops any attribute bits inside the address field. */
			paddr_t base = next & ~(size - 1);
			uint64_t off = vaddr & (size - 1);

			w->leaf_valid = true;
			w->leaf_va = vaddr - off;
			w->leaf_size = size;
			w->leaf_pa = base;
			*paddr = base + off;
			*contig = size - off;
			return CS_OK;
		}
		case CS_PTE_TABLE:
			if (l == f->levels - 1)
				break; /* a decoder never says "table" at the last level */
			table = next;
			continue;
		}
		break;
	}
	return cs_err_set(err, CS_ERR_CORRUPT, "vaddr 0x%" PRIx64 ": page-table walk ran off", vaddr);
}

cs_status cs_arch_init(struct cs_arch *a, const struct cs_arch_info *info, const struct cs_kmodel *km,
		       const struct cs_arch_hints *hints, struct cs_err *err)
{
	a->info = info;
	a->phys_base = 0;
	a->lin_va = a->lin_size = a->lin_pa = 0;
	memset(&a->walk, 0, sizeof(a->walk));
	a->walk.read_paddr = a->read_paddr;
	a->walk.read_ctx = a->read_ctx;
	if (info->init(a, km, hints, err) != CS_OK)
		return err->status;
	if (!a->walk.form || a->walk.form->levels > CS_ARCH_MAX_LEVELS || a->walk.form->index_bits > 16 ||
	    a->walk.form->top_index_bits > a->walk.form->index_bits)
		return cs_err_set(err, CS_ERR_NOTSUP, "%s: paging form beyond the walker's limits", info->name);
	return CS_OK;
}

void cs_arch_cache_reset(struct cs_arch *a)
{
	cs_walk_reset(&a->walk);
}

bool cs_arch_is_kvaddr(const struct cs_arch *a, vaddr_t vaddr)
{
	const struct cs_paging_form *f = a->walk.form;

	return cs_walk_canonical(f, vaddr) == vaddr && vaddr >= f->kvaddr_min;
}

cs_status cs_arch_vtop(struct cs_arch *a, vaddr_t vaddr, paddr_t *paddr, uint64_t *contig,
		       struct cs_err *err)
{
	struct cs_walker *w = &a->walk;

	if (a->trace) {
		cs_walk_reset(w);
		return cs_walk(w, vaddr, paddr, contig, a->trace, a->trace_ctx, err);
	}
	if (w->leaf_valid && vaddr - w->leaf_va < w->leaf_size) {
		uint64_t off = vaddr - w->leaf_va;
		*paddr = w->leaf_pa + off;
		*contig = w->leaf_size - off;
		return CS_OK;
	}
	/* The arch's linear window (x86_64: kernel text at phys_base) needs no walk. */
	if (a->lin_size && vaddr >= a->lin_va && vaddr - a->lin_va < a->lin_size) {
		uint64_t off = vaddr - a->lin_va;
		*paddr = off + a->lin_pa;
		*contig = a->lin_size - off;
		return CS_OK;
	}
	return cs_walk(w, vaddr, paddr, contig, NULL, NULL, err);
}
