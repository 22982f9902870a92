/* formats/vmlinux.h: read a vmlinux (ELF symbols, DWARF via libdw): type sizes, members, enumerators, symbols. */
#ifndef CS_VMLINUX_H
#define CS_VMLINUX_H

#include "core/error.h"
#include "core/types.h"

/* An enumerator wanted: from the enum named enum_name (listed in .enums), or any enum if NULL. */
struct cs_vmlinux_enumerator {
	const char *enum_name;
	const char *name;
};

/*
 * The names a caller will ask about. Opening reads them all in one pass over
 * the top-level DIEs of every compilation unit (makedumpfile re-walks all the
 * DWARF for every key; kernel types are top-level DIEs in C). Answers are
 * asked by index into these arrays. For each name the first definition wins:
 *   types        struct/union tags with a size; a typedef of that name answers
 *                too (atomic_long_t, nodemask_t, pud_t)
 *   vars         variables: the first with a bounded array type, else the first
 *   syms         ELF .symtab names (first symbol of that name)
 *   enums        enum tags (the first with enumerators)
 *   enumerators  see struct cs_vmlinux_enumerator (the first found)
 */
struct cs_vmlinux_query {
	const char *const *types;
	size_t nr_types;
	const char *const *vars;
	size_t nr_vars;
	const char *const *syms;
	size_t nr_syms;
	const char *const *enums;
	size_t nr_enums;
	const struct cs_vmlinux_enumerator *enumerators;
	size_t nr_enumerators;
};

struct cs_vmlinux;

/*
 * Open `path` (it must hold the debug info itself: no /usr/lib/debug search)
 * and index the query's names. The query's arrays must outlive *out. Without
 * libdw (HAVE_LIBDW unset) this fails with CS_ERR_NOTSUP.
 */
cs_status cs_vmlinux_open(const char *path, const struct cs_vmlinux_query *q,
			  struct cs_vmlinux **out, struct cs_err *err);
void cs_vmlinux_close(struct cs_vmlinux *v);

/* The ELF header's e_machine. */
uint16_t cs_vmlinux_machine(const struct cs_vmlinux *v);

/* DW_AT_byte_size of types[type] (its typedef's target when only a typedef was seen). */
bool cs_vmlinux_type_size(const struct cs_vmlinux *v, size_t type, uint64_t *size);
/*
 * Offset of `member` in types[type], searched as makedumpfile's search_member():
 * depth-first through members whose type is a struct or union (anonymous
 * unions of struct page), a union member at offset 0.
 */
bool cs_vmlinux_member_offset(const struct cs_vmlinux *v, size_t type, const char *member,
			      int64_t *off);
/* Offset of the first union member of types[type] (makedumpfile's page.mapping fallback). */
bool cs_vmlinux_first_union_offset(const struct cs_vmlinux *v, size_t type, int64_t *off);
/* Array length (first dimension) of `member` of types[type], searched as above. */
bool cs_vmlinux_member_length(const struct cs_vmlinux *v, size_t type, const char *member,
			      uint64_t *len);
/* DW_AT_decl_file of the typedef named types[type]; NULL if none. */
const char *cs_vmlinux_typedef_file(const struct cs_vmlinux *v, size_t type);
/* Array length of the variable vars[var] (only when its type is a bounded array). */
bool cs_vmlinux_var_length(const struct cs_vmlinux *v, size_t var, uint64_t *len);
/* DW_AT_byte_size of the enum enums[en]. */
bool cs_vmlinux_enum_size(const struct cs_vmlinux *v, size_t en, uint64_t *size);
/* Value of enumerators[i]. */
bool cs_vmlinux_enumerator(const struct cs_vmlinux *v, size_t i, int64_t *val);
/* Value of the ELF symbol syms[sym] (it may be 0). */
bool cs_vmlinux_symbol(const struct cs_vmlinux *v, size_t sym, uint64_t *value);
/* Copy len bytes of the file's data at syms[sym] + add (false: not in a section with data). */
bool cs_vmlinux_symbol_bytes(const struct cs_vmlinux *v, size_t sym, uint64_t add, void *buf,
			     size_t len);


/*
 * Types for walking SYMBOL.member.member (--config): a DWARF type with its
 * typedefs and qualifiers peeled, named by its DIE's offset.
 */
enum cs_vmlinux_kind {
	CS_VT_VOID,      /* no type (what void * points to) */
	CS_VT_BASE,      /* integer, char, enum, float */
	CS_VT_STRUCT,    /* struct or union */
	CS_VT_ARRAY,
	CS_VT_POINTER,
	CS_VT_OTHER,     /* function, ... */
};

struct cs_vmlinux_type {
	uint64_t die;    /* private: the peeled type's DIE offset */
	enum cs_vmlinux_kind kind;
	uint64_t size;   /* bytes (an array: all of it); 0 unknown (void, incomplete, flexible array) */
	uint64_t nelem;  /* CS_VT_ARRAY: elements, every dimension multiplied; 0 unknown */
	const char *name; /* struct, union or base type name; NULL if anonymous */
};

/* The type of the variable vars[var]. */
bool cs_vmlinux_var_type(const struct cs_vmlinux *v, size_t var, struct cs_vmlinux_type *t);
/* The struct or union types[type] (its definition, or what its typedef names). */
bool cs_vmlinux_struct_type(const struct cs_vmlinux *v, size_t type, struct cs_vmlinux_type *t);
/* Member `member` of the struct/union agg, searched as cs_vmlinux_member_offset: its offset and type. */
bool cs_vmlinux_member(const struct cs_vmlinux *v, const struct cs_vmlinux_type *agg,
		       const char *member, uint64_t *off, struct cs_vmlinux_type *mt);
/* What a pointer points to (CS_VT_VOID for void *), or an array's element type. */
bool cs_vmlinux_target(const struct cs_vmlinux *v, const struct cs_vmlinux_type *t,
		       struct cs_vmlinux_type *out);
/* Same type (after peeling)? */
bool cs_vmlinux_same_type(const struct cs_vmlinux_type *a, const struct cs_vmlinux_type *b);

#endif
