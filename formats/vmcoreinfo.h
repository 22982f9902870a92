/* formats/vmcoreinfo.h: VMCOREINFO text <-> struct cs_kmodel, both ways (the note, `-i FILE`, `-g FILE`). */
#ifndef CS_VMCOREINFO_H
#define CS_VMCOREINFO_H

#include "core/kmodel.h"

/* What the parser saw besides the values it stored (for warnings and tests). */
struct cs_vmcoreinfo_stats {
	unsigned lines;      /* non-empty lines */
	unsigned stored;     /* values stored into the model */
	unsigned malformed;  /* no '=', empty key, NUL bytes, ... */
	unsigned unknown;    /* well-formed keys the model has no field for (BUILD-ID, ...) */
	unsigned duplicates; /* a key seen again (the first occurrence wins) */
	unsigned rejected;   /* known key, value unparsable or implausible */
	char first_rejected[80]; /* "KEY=VALUE" of the first rejected line, for a warning */
};

/*
 * Parse VMCOREINFO text (`len` bytes; need not be NUL-terminated, parsing
 * stops at the first NUL) into *km, which the caller initialised (a zeroed
 * struct cs_kmodel is the empty model). Keys already
 * present in *km are kept (first occurrence wins, as in makedumpfile).
 * Malformed lines are skipped and counted; implausible values (PAGESIZE not a
 * power of two in [512, 64 KiB], SECTION_SIZE_BITS > 64, SIZE(page) > 1024,
 * SYMBOL 0 or all-ones, ...) are rejected and counted, never stored.
 * SYMBOL()s are stored as written (cs_km_relocate applies a KASLR offset).
 * Never fails; `st` may be NULL.
 */
void cs_vmcoreinfo_parse(const char *text, size_t len, struct cs_kmodel *km,
			 struct cs_vmcoreinfo_stats *st);

/*
 * `-i FILE`: read a VMCOREINFO text file (makedumpfile `-g` format) into *km.
 * On entry *km holds the dump's own model, or is empty. If it has KERNELOFFSET,
 * that offset is added to every SYMBOL() of the file (the file was made from
 * an unrelocated vmlinux; docs/filtering.md) and KERNELOFFSET keeps the dump's
 * value. Every other field is replaced by the file's (fields the file lacks
 * become absent). *km is written only on success. Errors name the file.
 */
cs_status cs_vmcoreinfo_load_file(const char *path, struct cs_kmodel *km, struct cs_err *err);

/*
 * Write the model as VMCOREINFO text into buf (size bytes, NUL-terminated when
 * size > 0), in the order makedumpfile 1.7.2's -g writes its keys (OSRELEASE,
 * PAGESIZE, SYMBOL, SIZE, OFFSET, LENGTH, NUMBER, then SRCFILE(pud_t) when
 * srcfile_pud_t is not NULL), followed by every other present field in table
 * order (keys 1.7.2 does not write, e.g. OFFSET(printk_info.caller_id)).
 * Returns the length the full text needs (excluding the NUL), as snprintf.
 */
size_t cs_vmcoreinfo_format(const struct cs_kmodel *km, const char *srcfile_pud_t, char *buf,
			    size_t size);

#endif
