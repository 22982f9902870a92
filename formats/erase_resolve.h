/* formats/erase_resolve.h: --config's erase commands resolved against a vmlinux's DWARF and the dump's memory into kernel-virtual ranges. */
#ifndef CS_ERASE_RESOLVE_H
#define CS_ERASE_RESOLVE_H

#include "core/error.h"
#include "core/types.h"
#include "formats/erase_config.h"

/* Kernel-virtual bytes to erase: filled with 'X', or zeros for nullify (a pointer). */
struct cs_erase_vrange {
	vaddr_t vaddr;
	uint64_t len;
	bool nullify;
	unsigned line;      /* the filter line it comes from */
};

/* Read len bytes of the crashed kernel at vaddr (core/kernel.h cs_kernel_read for a dump). */
typedef cs_status (*cs_erase_read_fn)(void *ctx, vaddr_t vaddr, void *buf, size_t len,
				      struct cs_err *err);

struct cs_erase_env {
	const char *vmlinux;      /* the -x file: symbols and DWARF */
	uint64_t kaslr_offset;    /* added to every symbol value (the dump's KERNELOFFSET) */
	cs_erase_read_fn read;    /* pointers and size members are read through it */
	void *read_ctx;
};

/*
 * Resolve every command of cfg, as makedumpfile does (makedumpfile.conf(5)):
 *   SYMBOL          its ELF symbol value + kaslr_offset, typed by its DWARF variable
 *   .member         the member's offset (searched through anonymous unions); a
 *                   pointer on the way is read and followed (a NULL one: nothing
 *                   to erase)
 *   no size         the last object's size; a pointer's target: the pointed-to
 *                   type's size, a char * string's length (at most 1024 bytes), a
 *                   void * needs a size or nullify
 *   size N          N bytes of the object (more than the object is an error)
 *   size EXPR       the integer (1, 2, 4 or 8 bytes) stored at EXPR
 *   nullify         the pointer itself, pointer-sized, zeroed
 * Loops bind ID to each element in turn:
 *   for ID in ARRAY               every element (of every dimension)
 *   for ID in S via NEXT          S a struct or a pointer to one; NEXT a pointer
 *                                 to the same struct; ends at NULL or back at S
 *   for ID in H within S:M        list_for_each_entry from the struct list_head
 *                                 H ("H.next" names it too) to H again; ID is
 *                                 the struct S around each member M
 * A list that comes back to a node other than its end, or is longer than
 * 2^24 entries, fails. [module] sections fail (not supported yet). Every
 * error is one line "FILE:LINE: ...". *out (malloc'ed, in command order,
 * empty ranges dropped) is set on success only.
 */
cs_status cs_erase_resolve(const struct cs_erase_config *cfg, const struct cs_erase_env *env,
			   struct cs_erase_vrange **out, size_t *nout, struct cs_err *err);

#endif
