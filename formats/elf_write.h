/* formats/elf_write.h: the filtered ELF output (-E): segment plan, writer, and the zero pre-pass writer. */
#ifndef CS_ELF_WRITE_H
#define CS_ELF_WRITE_H

/* e_flags bit makedumpfile sets on an incomplete ELF dump (DUMP_ELF_INCOMPLETE). */
#define DUMP_ELF_INCOMPLETE 0x1

#include "core/types.h"
#include "core/error.h"
#include "core/bitmap.h"
#include "formats/writer.h"

struct cs_source;

/*
 * The output's PT_LOADs, computed from the 2nd bitmap before any page is
 * written, exactly as makedumpfile 1.7 lays them out (formats/elf_write.c):
 * per input PT_LOAD, in program header order, a run of >= 256 excluded pages
 * followed by a dumpable page ends a segment, shorter runs are copied with
 * their original contents, excluded pages at the end of an input PT_LOAD
 * only count in p_memsz. A run holding a page the input has no data for
 * (a kdump input's excluded page) always ends the segment: we never invent
 * contents. Inputs: an ELF dump (its program headers are re-read from
 * src->path) or a kdump-compressed one (one PT_LOAD per present range).
 */
struct cs_elf_plan;

struct cs_elf_plan_info {
	bool elf64;
	size_t nr_loads;        /* output PT_LOADs */
	uint64_t excluded;      /* pages actually dropped ("in ELF format" in the report) */
	uint64_t data_pages;    /* set bits of pages (pfns whose bytes the file holds) */
	uint64_t data_bytes;    /* sum of p_filesz */
};

/*
 * Plan the output for `bitmap2` (zero pages already cleared for level bit 1).
 * The plan keeps no pointer to src or bitmap2.
 */
cs_status cs_elf_plan_create(const struct cs_source *src, const struct cs_bitmap *bitmap2,
			     struct cs_elf_plan **ret, struct cs_err *err);
void cs_elf_plan_destroy(struct cs_elf_plan *plan);
void cs_elf_plan_get_info(const struct cs_elf_plan *plan, struct cs_elf_plan_info *info);
/*
 * The pfns whose bytes go into the file (dumpable pages, copied short
 * excluded runs, partial first pages): the pipeline walks this bitmap
 * instead of the 2nd bitmap. Its nbits may exceed max_mapnr.
 */
const struct cs_bitmap *cs_elf_plan_pages(const struct cs_elf_plan *plan);

/*
 * The ELF writer: run the pipeline with bitmap2 = cs_elf_plan_pages(plan),
 * writer_arg = plan, no codec, exclude_zero false, hdr->max_mapnr =
 * that bitmap's nbits. Pages arrive in pfn order and are written at their
 * segments' file offsets (a pfn in two overlapping input PT_LOADs, e.g. the
 * kernel text, is written twice). abort() shrinks every p_filesz to the data
 * that reached the file and sets e_flags |= 1 (incomplete).
 */
extern const struct cs_writer_ops cs_elf_writer;

/*
 * The zero pre-pass: run the pipeline with cfg.zero_scan, exclude_zero,
 * no codec and writer_arg = the (mutable) 2nd bitmap: every all-zero page is
 * cleared from it. Bits are cleared by the committing thread, which is also
 * the only one reading the bitmap (the planner), so no locking is needed.
 */
extern const struct cs_writer_ops cs_zero_scan_writer;

/* OR DUMP_ELF_INCOMPLETE into the e_flags of the ELF64 file at path. */
cs_status cs_elf_mark_incomplete(const char *path, struct cs_err *err);

#endif
