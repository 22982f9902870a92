/* tests/gen/kernel.c: the kernel image's bytes, the VMCOREINFO text and the PT_NOTE (PRSTATUS + VMCOREINFO). */
#include "tests/gen/gen.h"

#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- kernel image ---- */

/* struct new_utsname: six 65-byte strings. */
static void utsname(const struct gen_ctx *c, uint8_t out[390])
{
	memset(out, 0, 390);
	snprintf((char *)out + 0 * 65, 65, "Linux");
	snprintf((char *)out + 1 * 65, 65, "mkvmcore-%" PRIu64, c->o.seed);
	snprintf((char *)out + 2 * 65, 65, "%s", c->o.osrelease);
	snprintf((char *)out + 3 * 65, 65, "#1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 (2025-11-09)");
	snprintf((char *)out + 4 * 65, 65, "%s", c->o.arm64 ? "aarch64" : "x86_64");
	snprintf((char *)out + 5 * 65, 65, "(none)");
}

/* Copy the part of blob [off, off+len) (image offsets) that falls into image page `page`. */
static void overlay(uint8_t *buf, uint64_t page, uint64_t off, const void *blob, size_t len)
{
	uint64_t p0 = page * GEN_PAGE_SIZE, p1 = p0 + GEN_PAGE_SIZE;
	uint64_t a = CS_MAX(p0, off), b = CS_MIN(p1, off + len);

	if (a < b)
		memcpy(buf + (a - p0), (const uint8_t *)blob + (a - off), b - a);
}

/*
 * Content by section: text and init are code, rodata is strings, data and
 * bss are sparse structures (a good part of bss still zero), brk is unused
 * beyond the early page tables (which the writer takes from the tables).
 * The symbols VMCOREINFO names hold what the kernel would.
 */
void gen_kimage_page(const struct gen_ctx *c, uint64_t page, uint8_t *buf)
{
	uint64_t off = page * GEN_PAGE_SIZE, h = gen_hash(c->o.seed, 0x1ae6, page);
	size_t coff = (h % (c->corpus_len - GEN_PAGE_SIZE)) & ~7ULL;

	if (off < GEN_KIMG_TEXT_END || (off >= GEN_KIMG_INIT && off < GEN_KIMG_BSS))
		memcpy(buf, c->corpus_code + coff, GEN_PAGE_SIZE);
	else if (off >= GEN_KIMG_RODATA && off < GEN_KIMG_DATA)
		memcpy(buf, c->corpus_text + coff, GEN_PAGE_SIZE);
	else if ((off >= GEN_KIMG_DATA && off < GEN_KIMG_INIT) ||
		 (off >= GEN_KIMG_BSS && off < GEN_KIMG_BRK && h % 10 < 4)) {
		memset(buf, 0, GEN_PAGE_SIZE);
		for (unsigned i = 0; i < 24 + h % 64; i++) {
			uint64_t r = gen_mix64(h + i), v = r & 1 ? gen_ksym(c, (r >> 8) % GEN_KIMG_SIZE) & ~7ULL
							     : (r >> 16) & 0xffffff;
			memcpy(buf + ((r >> 40) % 512) * 8, &v, 8);
		}
	} else {
		memset(buf, 0, GEN_PAGE_SIZE);
	}
	if (off + GEN_PAGE_SIZE <= GEN_KIMG_DATA || off >= GEN_KIMG_INIT)
		return;

	uint8_t uts[390];
	uint64_t v[4];
	uint8_t nodemask[128] = {1}; /* node 0 online */

	utsname(c, uts);
	overlay(buf, page, GEN_OFF_init_uts_ns, uts, sizeof(uts));
	overlay(buf, page, GEN_OFF_node_online_map, nodemask, sizeof(nodemask));
	/* node_data[MAX_NUMNODES]: node 0's pglist_data, the other 1023 NULL */
	uint64_t nd[1024] = {gen_dmap(c, c->node_data_pfn << GEN_PAGE_SHIFT)};
	overlay(buf, page, GEN_OFF_node_data, nd, sizeof(nd));
	v[0] = v[1] = gen_ksym(c, GEN_OFF_vmap_area_list); /* LIST_HEAD(vmap_area_list), empty */
	overlay(buf, page, GEN_OFF_vmap_area_list, v, 16);
	v[0] = gen_ksym(c, GEN_OFF_printk_rb_static); /* prb = &printk_rb_static */
	overlay(buf, page, GEN_OFF_prb, v, 8);
}

/* ---- VMCOREINFO ---- */

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

__attribute__((format(printf, 2, 3))) static void sb_add(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(s->p ? s->p + s->len : NULL, s->p ? s->cap - s->len : 0, fmt, ap);
		va_end(ap);
		if (n >= 0 && s->p && s->len + (size_t)n < s->cap) {
			s->len += (size_t)n;
			return;
		}
		size_t cap = s->cap ? s->cap * 2 : 4096;
		char *q = realloc(s->p, cap);
		if (!q) {
			s->oom = true;
			return;
		}
		s->p = q;
		s->cap = cap;
	}
}

/*
 * The keys and their order follow crash_save_vmcoreinfo_init() (kernel/crash_core.c),
 * log_buf_vmcoreinfo_setup() (kernel/printk/printk.c) and
 * arch_crash_save_vmcoreinfo() (arch/x86/kernel/crash_core_64.c) of Linux 6.1,
 * with Debian's config (NUMA, SPARSEMEM_VMEMMAP, PAGE_EXTENSION, MEMORY_FAILURE,
 * HUGETLB_PAGE, X86_5LEVEL). Keys, order and the non-address values were checked
 * against the VMCOREINFO of a real Debian 6.1.0-56-amd64 dump (4- and 5-level).
 * CRASHTIME is appended at crash time (a dump of a running guest has none).
 */
cs_status gen_vmcoreinfo(struct gen_ctx *c, struct cs_err *err)
{
	struct sbuf s = {0};
	vaddr_t mem_section = gen_dmap(c, c->memsec_root_pfn << GEN_PAGE_SHIFT);

	sb_add(&s, "OSRELEASE=%s\n", c->o.osrelease);
	sb_add(&s, "BUILD-ID=");
	for (int i = 0; i < 20; i++)
		sb_add(&s, "%02x", c->build_id[i]);
	sb_add(&s, "\nPAGESIZE=%" PRIu64 "\n", GEN_PAGE_SIZE);
	sb_add(&s, "SYMBOL(init_uts_ns)=%" PRIx64 "\n", gen_ksym(c, GEN_OFF_init_uts_ns));
	sb_add(&s, "OFFSET(uts_namespace.name)=0\n");
	sb_add(&s, "SYMBOL(node_online_map)=%" PRIx64 "\n", gen_ksym(c, GEN_OFF_node_online_map));
	sb_add(&s, "SYMBOL(swapper_pg_dir)=%" PRIx64 "\n", gen_ksym(c, GEN_OFF_init_top_pgt));
	sb_add(&s, "SYMBOL(_stext)=%" PRIx64 "\n", gen_ksym(c, 0));
	sb_add(&s, "SYMBOL(vmap_area_list)=%" PRIx64 "\n", gen_ksym(c, GEN_OFF_vmap_area_list));
	sb_add(&s, "SYMBOL(mem_section)=%" PRIx64 "\n", mem_section);
	sb_add(&s, "LENGTH(mem_section)=%" PRIu64 "\n", c->nr_roots);
	sb_add(&s, "SIZE(mem_section)=%" PRIu64 "\n", c->sizeof_mem_section);
	sb_add(&s, "OFFSET(mem_section.section_mem_map)=0\n");
	sb_add(&s, "NUMBER(SECTION_SIZE_BITS)=%d\n", GEN_SECTION_SIZE_BITS);
	sb_add(&s, "NUMBER(MAX_PHYSMEM_BITS)=%u\n", c->max_physmem_bits);
	sb_add(&s, "SIZE(page)=%" PRIu64 "\n", GEN_SIZEOF_PAGE);
	sb_add(&s, "SIZE(pglist_data)=174208\n");
	sb_add(&s, "SIZE(zone)=1536\n");
	sb_add(&s, "SIZE(free_area)=88\n");
	sb_add(&s, "SIZE(list_head)=16\n");
	sb_add(&s, "SIZE(nodemask_t)=128\n");
	sb_add(&s, "OFFSET(page.flags)=0\n");
	sb_add(&s, "OFFSET(page._refcount)=52\n");
	sb_add(&s, "OFFSET(page.mapping)=24\n");
	sb_add(&s, "OFFSET(page.lru)=8\n");
	sb_add(&s, "OFFSET(page._mapcount)=48\n");
	sb_add(&s, "OFFSET(page.private)=40\n");
	sb_add(&s, "OFFSET(page.compound_dtor)=16\n");
	sb_add(&s, "OFFSET(page.compound_order)=17\n");
	sb_add(&s, "OFFSET(page.compound_head)=8\n");
	sb_add(&s, "OFFSET(pglist_data.node_zones)=0\n");
	sb_add(&s, "OFFSET(pglist_data.nr_zones)=171552\n");
	sb_add(&s, "OFFSET(pglist_data.node_start_pfn)=171560\n");
	sb_add(&s, "OFFSET(pglist_data.node_spanned_pages)=171576\n");
	sb_add(&s, "OFFSET(pglist_data.node_id)=171584\n");
	sb_add(&s, "OFFSET(zone.free_area)=256\n");
	sb_add(&s, "OFFSET(zone.vm_stat)=1344\n");
	sb_add(&s, "OFFSET(zone.spanned_pages)=144\n");
	sb_add(&s, "OFFSET(free_area.free_list)=0\n");
	sb_add(&s, "OFFSET(list_head.next)=0\n");
	sb_add(&s, "OFFSET(list_head.prev)=8\n");
	sb_add(&s, "OFFSET(vmap_area.va_start)=0\n");
	sb_add(&s, "OFFSET(vmap_area.list)=40\n");
	sb_add(&s, "LENGTH(zone.free_area)=%d\n", GEN_MAX_ORDER);
	sb_add(&s, "SYMBOL(prb)=%" PRIx64 "\n", gen_ksym(c, GEN_OFF_prb));
	sb_add(&s, "SYMBOL(printk_rb_static)=%" PRIx64 "\n", gen_ksym(c, GEN_OFF_printk_rb_static));
	sb_add(&s, "SYMBOL(clear_seq)=%" PRIx64 "\n", gen_ksym(c, GEN_OFF_clear_seq));
	sb_add(&s, "SIZE(printk_ringbuffer)=88\n"
		   "OFFSET(printk_ringbuffer.desc_ring)=0\n"
		   "OFFSET(printk_ringbuffer.text_data_ring)=48\n"
		   "OFFSET(printk_ringbuffer.fail)=80\n"
		   "SIZE(prb_desc_ring)=48\n"
		   "OFFSET(prb_desc_ring.count_bits)=0\n"
		   "OFFSET(prb_desc_ring.descs)=8\n"
		   "OFFSET(prb_desc_ring.infos)=16\n"
		   "OFFSET(prb_desc_ring.head_id)=24\n"
		   "OFFSET(prb_desc_ring.tail_id)=32\n"
		   "SIZE(prb_desc)=24\n"
		   "OFFSET(prb_desc.state_var)=0\n"
		   "OFFSET(prb_desc.text_blk_lpos)=8\n"
		   "SIZE(prb_data_blk_lpos)=16\n"
		   "OFFSET(prb_data_blk_lpos.begin)=0\n"
		   "OFFSET(prb_data_blk_lpos.next)=8\n"
		   "SIZE(printk_info)=88\n"
		   "OFFSET(printk_info.seq)=0\n"
		   "OFFSET(printk_info.ts_nsec)=8\n"
		   "OFFSET(printk_info.text_len)=16\n"
		   "OFFSET(printk_info.caller_id)=20\n"
		   "OFFSET(printk_info.dev_info)=24\n"
		   "SIZE(dev_printk_info)=64\n"
		   "OFFSET(dev_printk_info.subsystem)=0\n"
		   "LENGTH(printk_info_subsystem)=16\n"
		   "OFFSET(dev_printk_info.device)=16\n"
		   "LENGTH(printk_info_device)=48\n"
		   "SIZE(prb_data_ring)=32\n"
		   "OFFSET(prb_data_ring.size_bits)=0\n"
		   "OFFSET(prb_data_ring.data)=8\n"
		   "OFFSET(prb_data_ring.head_lpos)=16\n"
		   "OFFSET(prb_data_ring.tail_lpos)=24\n"
		   "SIZE(atomic_long_t)=8\n"
		   "OFFSET(atomic_long_t.counter)=0\n"
		   "SIZE(latched_seq)=24\n"
		   "OFFSET(latched_seq.val)=8\n");
	sb_add(&s, "LENGTH(free_area.free_list)=5\n");
	sb_add(&s, "NUMBER(NR_FREE_PAGES)=0\n");
	sb_add(&s, "NUMBER(PG_lru)=%d\n", GEN_PG_lru);
	sb_add(&s, "NUMBER(PG_private)=%d\n", GEN_PG_private);
	sb_add(&s, "NUMBER(PG_swapcache)=%d\n", GEN_PG_swapcache);
	sb_add(&s, "NUMBER(PG_swapbacked)=%d\n", GEN_PG_swapbacked);
	sb_add(&s, "NUMBER(PG_slab)=%d\n", GEN_PG_slab);
	sb_add(&s, "NUMBER(PG_hwpoison)=%d\n", GEN_PG_hwpoison);
	sb_add(&s, "NUMBER(PG_head_mask)=%d\n", 1 << GEN_PG_head);
	sb_add(&s, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=%d\n", GEN_PAGE_BUDDY_MAPCOUNT);
	sb_add(&s, "NUMBER(HUGETLB_PAGE_DTOR)=%d\n", GEN_HUGETLB_PAGE_DTOR);
	sb_add(&s, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=%d\n", GEN_PAGE_OFFLINE_MAPCOUNT);
	/* Debian's 6.1 carries the kallsyms VMCOREINFO backport (used by makedumpfile 1.8 extensions). */
	sb_add(&s, "SYMBOL(kallsyms_names)=%" PRIx64 "\n", gen_ksym(c, GEN_OFF_kallsyms_names));
	sb_add(&s, "SYMBOL(kallsyms_num_syms)=%" PRIx64 "\n", gen_ksym(c, GEN_OFF_kallsyms_num_syms));
	sb_add(&s, "SYMBOL(kallsyms_token_table)=%" PRIx64 "\n", gen_ksym(c, GEN_OFF_kallsyms_token_table));
	sb_add(&s, "SYMBOL(kallsyms_token_index)=%" PRIx64 "\n", gen_ksym(c, GEN_OFF_kallsyms_token_index));
	sb_add(&s, "SYMBOL(kallsyms_offsets)=%" PRIx64 "\n", gen_ksym(c, GEN_OFF_kallsyms_offsets));
	sb_add(&s, "SYMBOL(kallsyms_relative_base)=%" PRIx64 "\n", gen_ksym(c, GEN_OFF_kallsyms_relative_base));
	if (c->o.arm64) {
		sb_add(&s, "SYMBOL(node_data)=%" PRIx64 "\n", gen_ksym(c, GEN_OFF_node_data));
		sb_add(&s, "LENGTH(node_data)=1024\n");
		/* arch_crash_save_vmcoreinfo() of arch/arm64/kernel/crash_core.c (6.1); numbers in hex. */
		sb_add(&s, "NUMBER(VA_BITS)=%u\n", c->o.va_bits);
		sb_add(&s, "NUMBER(kimage_voffset)=0x%" PRIx64 "\n", c->ktext_vaddr - c->kimage_paddr);
		sb_add(&s, "NUMBER(PHYS_OFFSET)=0x%" PRIx64 "\n", c->phys_base);
		sb_add(&s, "NUMBER(TCR_EL1_T1SZ)=0x%x\n", 64 - c->o.va_bits);
		sb_add(&s, "KERNELPACMASK=0x0\n");
		sb_add(&s, "KERNELOFFSET=%" PRIx64 "\n", c->kaslr_offset);
	} else {
		sb_add(&s, "NUMBER(phys_base)=%" PRId64 "\n", (int64_t)c->phys_base);
		sb_add(&s, "SYMBOL(init_top_pgt)=%" PRIx64 "\n", gen_ksym(c, GEN_OFF_init_top_pgt));
		sb_add(&s, "NUMBER(pgtable_l5_enabled)=%d\n", c->o.levels == 5);
		sb_add(&s, "SYMBOL(node_data)=%" PRIx64 "\n", gen_ksym(c, GEN_OFF_node_data));
		sb_add(&s, "LENGTH(node_data)=1024\n");
		sb_add(&s, "KERNELOFFSET=%" PRIx64 "\n", c->kaslr_offset);
		sb_add(&s, "NUMBER(KERNEL_IMAGE_SIZE)=%llu\n", 1ULL << 30);
		sb_add(&s, "NUMBER(sme_mask)=0\n");
	}
	sb_add(&s, "CRASHTIME=%" PRIu64 "\n", c->crashtime);
	if (s.oom)
		return cs_err_set(err, CS_ERR_NOMEM, "out of memory");
	c->vmcoreinfo = s.p;
	c->vmcoreinfo_len = s.len;
	return CS_OK;
}

/* ---- notes ---- */

static size_t note(uint8_t *buf, size_t cap, size_t at, const char *name, uint32_t type, const void *desc,
		   size_t descsz)
{
	Elf64_Nhdr nh = {(Elf64_Word)(strlen(name) + 1), (Elf64_Word)descsz, type};
	size_t namesz = CS_ALIGN_UP(nh.n_namesz, 4), total = sizeof(nh) + namesz + CS_ALIGN_UP(descsz, 4);

	if (buf && at + total <= cap) {
		memset(buf + at, 0, total);
		memcpy(buf + at, &nh, sizeof(nh));
		memcpy(buf + at + sizeof(nh), name, nh.n_namesz - 1);
		memcpy(buf + at + sizeof(nh) + namesz, desc, descsz);
	}
	return total;
}

/*
 * The merged PT_NOTE of /proc/vmcore: one "CORE" NT_PRSTATUS per CPU
 * (struct elf_prstatus, 336 bytes on x86_64) and the "VMCOREINFO" note.
 * Returns the size; writes only if it fits in cap (call with NULL to size).
 */
size_t gen_notes(const struct gen_ctx *c, uint8_t *buf, size_t cap)
{
	size_t at = 0;

	for (unsigned cpu = 0; cpu < c->o.ncpus; cpu++) {
		uint8_t st[336] = {0};
		uint64_t regs[27] = {0}, h = gen_hash(c->o.seed, 0xc9u, cpu);
		int32_t pid = cpu == 0 ? 1000 + (int32_t)(h % 30000) : 0; /* the crashing task, idle elsewhere */
		int16_t sig = cpu == 0 ? 11 : 0;

		memcpy(st + 12, &sig, 2);   /* pr_cursig */
		memcpy(st + 32, &pid, 4);   /* pr_pid */
		for (int i = 0; i < 15; i++) /* r15..rax, rcx..rdi */
			regs[i] = gen_mix64(h + i) & (i % 3 ? 0xffffffffULL : ~0ULL);
		regs[15] = UINT64_MAX;                                       /* orig_ax */
		regs[16] = gen_ksym(c, (h >> 20) % GEN_KIMG_TEXT_END);         /* ip */
		regs[17] = 0x10;                                             /* cs */
		regs[18] = 0x10246;                                          /* flags */
		regs[19] = gen_dmap(c, ((h >> 8) % c->max_pfn) << GEN_PAGE_SHIFT) + 0xe80; /* sp */
		regs[20] = 0x18;                                             /* ss */
		memcpy(st + 112, regs, sizeof(regs));                        /* pr_reg */
		at += note(buf, cap, at, "CORE", NT_PRSTATUS, st, sizeof(st));
	}
	at += note(buf, cap, at, "VMCOREINFO", 0, c->vmcoreinfo, c->vmcoreinfo_len);
	return at;
}
