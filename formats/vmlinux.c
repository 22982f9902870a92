/* formats/vmlinux.c: read a vmlinux's ELF symbols and DWARF (libdw) by name; what to take is formats/dwarf_layout.c's. */
#include "formats/vmlinux.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool cs_vmlinux_same_type(const struct cs_vmlinux_type *a, const struct cs_vmlinux_type *b)
{
	return a->kind == b->kind && a->die == b->die;
}

#ifndef HAVE_LIBDW

cs_status cs_vmlinux_open(const char *path, const struct cs_vmlinux_query *q,
			  struct cs_vmlinux **out, struct cs_err *err)
{
	(void)q;
	*out = NULL;
	return cs_err_set(err, CS_ERR_NOTSUP,
			  "cannot read '%s': this build of coresieve has no DWARF support (rebuild with "
			  "libdw-dev); use -i VMCOREINFO instead of -x", path);
}

/* Never reached without a successful open. */
void cs_vmlinux_close(struct cs_vmlinux *v) { (void)v; }
uint16_t cs_vmlinux_machine(const struct cs_vmlinux *v) { (void)v; return 0; }
bool cs_vmlinux_type_size(const struct cs_vmlinux *v, size_t type, uint64_t *size)
{ (void)v, (void)type, (void)size; return false; }
bool cs_vmlinux_member_offset(const struct cs_vmlinux *v, size_t type, const char *member,
			      int64_t *off)
{ (void)v, (void)type, (void)member, (void)off; return false; }
bool cs_vmlinux_first_union_offset(const struct cs_vmlinux *v, size_t type, int64_t *off)
{ (void)v, (void)type, (void)off; return false; }
bool cs_vmlinux_member_length(const struct cs_vmlinux *v, size_t type, const char *member,
			      uint64_t *len)
{ (void)v, (void)type, (void)member, (void)len; return false; }
const char *cs_vmlinux_typedef_file(const struct cs_vmlinux *v, size_t type)
{ (void)v, (void)type; return NULL; }
bool cs_vmlinux_var_length(const struct cs_vmlinux *v, size_t var, uint64_t *len)
{ (void)v, (void)var, (void)len; return false; }
bool cs_vmlinux_enum_size(const struct cs_vmlinux *v, size_t en, uint64_t *size)
{ (void)v, (void)en, (void)size; return false; }
bool cs_vmlinux_enumerator(const struct cs_vmlinux *v, size_t i, int64_t *val)
{ (void)v, (void)i, (void)val; return false; }
bool cs_vmlinux_symbol(const struct cs_vmlinux *v, size_t sym, uint64_t *value)
{ (void)v, (void)sym, (void)value; return false; }
bool cs_vmlinux_symbol_bytes(const struct cs_vmlinux *v, size_t sym, uint64_t add, void *buf,
			     size_t len)
{ (void)v, (void)sym, (void)add, (void)buf, (void)len; return false; }

bool cs_vmlinux_var_type(const struct cs_vmlinux *v, size_t var, struct cs_vmlinux_type *t)
{ (void)v, (void)var, (void)t; return false; }
bool cs_vmlinux_struct_type(const struct cs_vmlinux *v, size_t type, struct cs_vmlinux_type *t)
{ (void)v, (void)type, (void)t; return false; }
bool cs_vmlinux_member(const struct cs_vmlinux *v, const struct cs_vmlinux_type *agg,
		       const char *member, uint64_t *off, struct cs_vmlinux_type *mt)
{ (void)v, (void)agg, (void)member, (void)off, (void)mt; return false; }
bool cs_vmlinux_target(const struct cs_vmlinux *v, const struct cs_vmlinux_type *t,
		       struct cs_vmlinux_type *out)
{ (void)v, (void)t, (void)out; return false; }

#else /* HAVE_LIBDW */

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>

#define MEMBER_DEPTH_MAX 32

struct sym_loc {
	bool found;
	uint64_t value;
	size_t shndx;
};

/* Name lookup: a small open hash over every name of the query. */
#define NAME_BUCKETS 512

enum name_kind { N_TYPE, N_VAR, N_SYM };

struct name_ent {
	const char *name;
	uint8_t kind;
	uint16_t index;
	int16_t next;
};

struct cs_vmlinux {
	const char *path;
	const struct cs_vmlinux_query *q;
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Elf *elf;
	Dwarf *dbg;
	GElf_Ehdr ehdr;
	int16_t head[NAME_BUCKETS];
	struct name_ent *ent;
	int nent;
	/* per type: first struct definition (with a size), first typedef */
	Dwarf_Die *type_die, *typedef_die;
	bool *have_type, *have_typedef;
	/* per variable: the first with a bounded array type, else the first at all */
	Dwarf_Die *var_die;
	int *var_state; /* 0 none, 1 any, 2 bounded array */
	/* per enum: the first definition with enumerators */
	Dwarf_Die *enum_die;
	bool *have_enum;
	bool *enumerator_found;
	int64_t *enumerator_val;
	struct sym_loc *syms;
};

static int no_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
			const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
			char **debuginfo_file_name)
{
	(void)mod, (void)userdata, (void)modname, (void)base, (void)file_name;
	(void)debuglink_file, (void)debuglink_crc, (void)debuginfo_file_name;
	/* -x names the file with the debug info: never search /usr/lib/debug for another. */
	return -1;
}

static const Dwfl_Callbacks dwfl_cb = {
	.find_debuginfo = no_debuginfo,
	.section_address = dwfl_offline_section_address,
};

static cs_status dw_open(struct cs_vmlinux *d, const char *path, struct cs_err *err)
{
	Dwarf_Addr bias;
	int fd;

	d->path = path;
	/* Open it ourselves first: libdwfl's messages do not say "No such file". */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cs_err_sys(err, errno, "cannot open the vmlinux '%s'", path);
	d->dwfl = dwfl_begin(&dwfl_cb);
	if (!d->dwfl) {
		close(fd);
		return cs_err_set(err, CS_ERR_NOMEM, "cannot start libdwfl: %s", dwfl_errmsg(-1));
	}
	/* dwfl_report_offline takes the fd on success; ET_REL objects get relocated. */
	d->mod = dwfl_report_offline(d->dwfl, "vmlinux", path, fd);
	if (!d->mod) {
		close(fd);
		return cs_err_set(err, CS_ERR_FORMAT, "'%s' is not an ELF file libdw can read: %s", path,
				  dwfl_errmsg(-1));
	}
	if (dwfl_report_end(d->dwfl, NULL, NULL) != 0)
		return cs_err_set(err, CS_ERR_FORMAT, "cannot read '%s': %s", path, dwfl_errmsg(-1));
	d->elf = dwfl_module_getelf(d->mod, &bias);
	if (!d->elf || !gelf_getehdr(d->elf, &d->ehdr))
		return cs_err_set(err, CS_ERR_FORMAT, "cannot read the ELF header of '%s': %s", path,
				  dwfl_errmsg(-1));
	d->dbg = dwfl_module_getdwarf(d->mod, &bias);
	if (!d->dbg)
		return cs_err_set(err, CS_ERR_FORMAT,
				  "'%s' has no DWARF debug information (use the vmlinux from the kernel's "
				  "-dbg / debuginfo package): %s", path, dwfl_errmsg(-1));
	return CS_OK;
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static void name_add(struct cs_vmlinux *t, const char *name, enum name_kind kind, size_t index)
{
	uint32_t b = name_hash(name) % NAME_BUCKETS;
	struct name_ent *e = &t->ent[t->nent];

	e->name = name;
	e->kind = (uint8_t)kind;
	e->index = (uint16_t)index;
	e->next = t->head[b];
	t->head[b] = (int16_t)t->nent++;
}

/* Index (into its query array) of the entry named `name` of `kind`, or -1. */
static int name_find(const struct cs_vmlinux *t, const char *name, enum name_kind kind)
{
	for (int i = t->head[name_hash(name) % NAME_BUCKETS]; i >= 0; i = t->ent[i].next)
		if (t->ent[i].kind == kind && strcmp(t->ent[i].name, name) == 0)
			return t->ent[i].index;
	return -1;
}

/* ---------------------------------------------------------------------------------------- */
/* DWARF helpers. */

static bool die_type(Dwarf_Die *die, Dwarf_Die *type)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(die, DW_AT_type, &a) && dwarf_formref_die(&a, type);
}

static bool is_aggregate(Dwarf_Die *die)
{
	int tag = dwarf_tag(die);

	return tag == DW_TAG_structure_type || tag == DW_TAG_union_type;
}

/* DW_AT_data_member_location: a constant (DWARF 3+) or a DW_OP_plus_uconst expression. */
static bool member_location(Dwarf_Die *die, int64_t *off)
{
	Dwarf_Attribute a;
	Dwarf_Word u;
	Dwarf_Op *ops;
	size_t nops;

	if (!dwarf_attr(die, DW_AT_data_member_location, &a))
		return false;
	switch (dwarf_whatform(&a)) {
	case DW_FORM_data1: case DW_FORM_data2: case DW_FORM_data4: case DW_FORM_data8:
	case DW_FORM_udata: case DW_FORM_sdata: case DW_FORM_implicit_const:
		if (dwarf_formudata(&a, &u) != 0)
			return false;
		*off = (int64_t)u;
		return true;
	default:
		if (dwarf_getlocation(&a, &ops, &nops) != 0 || nops < 1)
			return false;
		*off = (int64_t)ops[0].number;
		return true;
	}
}

/*
 * makedumpfile's search_member(): walk the members in order; a member whose
 * name differs and whose (immediate) type is a struct or union is searched
 * first, depth-first, adding its own offset when it has one; a member of a
 * union is at offset 0. Anonymous unions/structs of struct page work this way.
 */
static bool find_member(Dwarf_Die *agg, const char *member, int depth, int64_t *off,
			Dwarf_Die *die)
{
	Dwarf_Die child, type;
	bool in_union = dwarf_tag(agg) == DW_TAG_union_type;

	if (depth > MEMBER_DEPTH_MAX || dwarf_child(agg, &child) != 0)
		return false;
	do {
		const char *name;

		if (dwarf_tag(&child) != DW_TAG_member)
			continue;
		name = dwarf_diename(&child);
		if (!name || strcmp(name, member) != 0) {
			int64_t sub, loc;

			if (die_type(&child, &type) && is_aggregate(&type) &&
			    find_member(&type, member, depth + 1, &sub, die)) {
				if (member_location(&child, &loc))
					sub += loc;
				*off = sub;
				return true;
			}
			continue;
		}
		if (in_union || member_location(&child, off)) {
			if (in_union)
				*off = 0;
			if (die)
				*die = child;
			return true;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

/* makedumpfile's fallback for page.mapping: the offset of the first union member (+ 8). */
static bool first_union_offset(Dwarf_Die *agg, int depth, int64_t *off)
{
	Dwarf_Die child, type;

	if (depth > MEMBER_DEPTH_MAX || dwarf_child(agg, &child) != 0)
		return false;
	do {
		int64_t sub, loc;

		if (dwarf_tag(&child) != DW_TAG_member || !die_type(&child, &type))
			continue;
		if (dwarf_tag(&type) == DW_TAG_structure_type && first_union_offset(&type, depth + 1, &sub)) {
			if (member_location(&child, &loc))
				sub += loc;
			*off = sub;
			return true;
		}
		if (dwarf_tag(&type) == DW_TAG_union_type && member_location(&child, off))
			return true;
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

/* Elements of one DW_TAG_subrange_type (DW_AT_count, or DW_AT_upper_bound + 1). */
static bool subrange_length(Dwarf_Die *sub, uint64_t *len)
{
	Dwarf_Attribute a;
	Dwarf_Word u;

	if (dwarf_attr(sub, DW_AT_count, &a) && dwarf_formudata(&a, &u) == 0) {
		*len = u;
		return true;
	}
	if (dwarf_attr(sub, DW_AT_upper_bound, &a) && dwarf_formudata(&a, &u) == 0) {
		*len = u + 1;
		return true;
	}
	return false;
}

/* Length of the (first dimension of the) array type `type` (const peeled). */
static bool array_length(Dwarf_Die *type, uint64_t *len)
{
	Dwarf_Die t = *type, sub;

	while (dwarf_tag(&t) == DW_TAG_const_type || dwarf_tag(&t) == DW_TAG_volatile_type)
		if (!die_type(&t, &t))
			return false;
	if (dwarf_tag(&t) != DW_TAG_array_type || dwarf_child(&t, &sub) != 0)
		return false;
	do {
		if (dwarf_tag(&sub) != DW_TAG_subrange_type)
			continue;
		return subrange_length(&sub, len);
	} while (dwarf_siblingof(&sub, &sub) == 0);
	return false;
}

/* The aggregate for types[t]: the struct definition, else what its typedef names. */
static bool type_aggregate(const struct cs_vmlinux *d, size_t t, Dwarf_Die *out)
{
	Dwarf_Die td, tdef;

	if (t >= d->q->nr_types)
		return false;
	if (d->have_type[t]) {
		*out = d->type_die[t];
		return true;
	}
	tdef = d->typedef_die[t];
	if (!d->have_typedef[t] || !die_type(&tdef, &td))
		return false;
	if (dwarf_peel_type(&td, out) != 0 || !is_aggregate(out))
		return false;
	return true;
}

static bool enumerator_value(Dwarf_Die *e, int64_t *v)
{
	Dwarf_Attribute a;
	Dwarf_Word u;
	Dwarf_Sword s;

	if (!dwarf_attr(e, DW_AT_const_value, &a))
		return false;
	if (dwarf_whatform(&a) == DW_FORM_sdata || dwarf_whatform(&a) == DW_FORM_implicit_const) {
		if (dwarf_formsdata(&a, &s) != 0)
			return false;
		*v = s;
		return true;
	}
	if (dwarf_formudata(&a, &u) != 0)
		return false;
	*v = (int64_t)u;
	return true;
}

/* Enumerators of one enum against the requests: `enum_name` NULL, the "any enum" ones. */
static void scan_enum(struct cs_vmlinux *d, Dwarf_Die *en, const char *enum_name)
{
	const struct cs_vmlinux_query *q = d->q;
	Dwarf_Die e;

	if (dwarf_child(en, &e) != 0)
		return;
	do {
		const char *name;

		if (dwarf_tag(&e) != DW_TAG_enumerator || !(name = dwarf_diename(&e)))
			continue;
		for (size_t i = 0; i < q->nr_enumerators; i++) {
			const char *want = q->enumerators[i].enum_name;

			if ((enum_name ? want && !strcmp(want, enum_name) : !want) &&
			    !d->enumerator_found[i] && strcmp(q->enumerators[i].name, name) == 0 &&
			    enumerator_value(&e, &d->enumerator_val[i]))
				d->enumerator_found[i] = true;
		}
	} while (dwarf_siblingof(&e, &e) == 0);
}

static bool any_enum_pending(const struct cs_vmlinux *d)
{
	for (size_t i = 0; i < d->q->nr_enumerators; i++)
		if (!d->q->enumerators[i].enum_name && !d->enumerator_found[i])
			return true;
	return false;
}

static int enum_find(const struct cs_vmlinux *d, const char *name)
{
	for (size_t i = 0; i < d->q->nr_enums; i++)
		if (strcmp(d->q->enums[i], name) == 0)
			return (int)i;
	return -1;
}

/*
 * One pass over the top-level DIEs of every compilation unit: the first
 * struct definition of each wanted type, typedefs, the wanted enums,
 * enumerators and variables.
 */
static cs_status scan_dwarf(struct cs_vmlinux *d, struct cs_err *err)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	bool enums_pending = true;
	unsigned nunits = 0;

	while (dwarf_nextcu(d->dbg, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;

		if (!dwarf_offdie(d->dbg, off + hsize, &cu)) {
			off = next;
			continue;
		}
		off = next;
		nunits++;
		if (dwarf_child(&cu, &die) != 0)
			continue;
		do {
			int tag = dwarf_tag(&die), idx;
			const char *name = dwarf_diename(&die);

			switch (tag) {
			case DW_TAG_structure_type:
				if (!name || (idx = name_find(d, name, N_TYPE)) < 0 || d->have_type[idx])
					break;
				if (dwarf_hasattr(&die, DW_AT_declaration) || dwarf_bytesize(&die) <= 0)
					break;
				d->type_die[idx] = die;
				d->have_type[idx] = true;
				break;
			case DW_TAG_typedef:
				if (name && (idx = name_find(d, name, N_TYPE)) >= 0 && !d->have_typedef[idx]) {
					d->typedef_die[idx] = die;
					d->have_typedef[idx] = true;
				}
				break;
			case DW_TAG_enumeration_type:
				if (name && (idx = enum_find(d, name)) >= 0 && !d->have_enum[idx] &&
				    dwarf_haschildren(&die)) {
					d->enum_die[idx] = die;
					d->have_enum[idx] = true;
					scan_enum(d, &die, name);
				}
				if (enums_pending) {
					scan_enum(d, &die, NULL);
					enums_pending = any_enum_pending(d);
				}
				break;
			case DW_TAG_variable: {
				Dwarf_Die type;
				uint64_t len;
				int state;

				if (!name || (idx = name_find(d, name, N_VAR)) < 0 || d->var_state[idx] == 2)
					break;
				state = (die_type(&die, &type) && array_length(&type, &len)) ? 2 : 1;
				if (state > d->var_state[idx]) {
					d->var_die[idx] = die;
					d->var_state[idx] = state;
				}
				break;
			}
			default:
				break;
			}
		} while (dwarf_siblingof(&die, &die) == 0);
	}
	if (nunits == 0)
		return cs_err_set(err, CS_ERR_FORMAT, "'%s' has no DWARF compilation units", d->path);
	return CS_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* ELF symbols. */

static cs_status scan_symbols(struct cs_vmlinux *d, struct cs_err *err)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(d->elf, scn)) != NULL)
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			break;
	if (!scn)
		return cs_err_set(err, CS_ERR_FORMAT, "'%s' has no symbol table (.symtab)", d->path);
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || sh.sh_entsize == 0)
		return cs_err_set(err, CS_ERR_FORMAT, "cannot read the symbol table of '%s'", d->path);
	size_t n = sh.sh_size / sh.sh_entsize;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *name;
		int idx;

		if (!gelf_getsym(data, (int)i, &sym) || sym.st_name == 0)
			continue;
		name = elf_strptr(d->elf, sh.sh_link, sym.st_name);
		if (!name || (idx = name_find(d, name, N_SYM)) < 0)
			continue;
		/* First symbol of that name wins, as in makedumpfile's get_symbol_addr(). */
		if (d->syms[idx].found)
			continue;
		d->syms[idx].found = true;
		d->syms[idx].value = sym.st_value;
		d->syms[idx].shndx = sym.st_shndx;
	}
	return CS_OK;
}

/* ---------------------------------------------------------------------------------------- */

void cs_vmlinux_close(struct cs_vmlinux *v)
{
	if (!v)
		return;
	if (v->dwfl)
		dwfl_end(v->dwfl);
	free(v->ent);
	free(v->type_die);
	free(v->typedef_die);
	free(v->have_type);
	free(v->have_typedef);
	free(v->var_die);
	free(v->var_state);
	free(v->enum_die);
	free(v->have_enum);
	free(v->enumerator_found);
	free(v->enumerator_val);
	free(v->syms);
	free(v);
}

cs_status cs_vmlinux_open(const char *path, const struct cs_vmlinux_query *q,
			  struct cs_vmlinux **out, struct cs_err *err)
{
	struct cs_vmlinux *v = calloc(1, sizeof(*v));
	size_t nnames = q->nr_types + q->nr_vars + q->nr_syms;
	cs_status st;

	*out = NULL;
	if (!v)
		return cs_err_set(err, CS_ERR_NOMEM, "cannot allocate the DWARF reader");
	v->q = q;
	/* calloc(0) may return NULL: every array gets at least one element. */
#define ALLOC(p, n) ((p) = calloc((n) ? (n) : 1, sizeof(*(p))))
	if (nnames > INT16_MAX || !ALLOC(v->ent, nnames) || !ALLOC(v->type_die, q->nr_types) ||
	    !ALLOC(v->typedef_die, q->nr_types) || !ALLOC(v->have_type, q->nr_types) ||
	    !ALLOC(v->have_typedef, q->nr_types) || !ALLOC(v->var_die, q->nr_vars) ||
	    !ALLOC(v->var_state, q->nr_vars) || !ALLOC(v->enum_die, q->nr_enums) ||
	    !ALLOC(v->have_enum, q->nr_enums) || !ALLOC(v->enumerator_found, q->nr_enumerators) ||
	    !ALLOC(v->enumerator_val, q->nr_enumerators) || !ALLOC(v->syms, q->nr_syms)) {
		cs_vmlinux_close(v);
		return cs_err_set(err, CS_ERR_NOMEM, "cannot allocate the DWARF reader");
	}
#undef ALLOC
	memset(v->head, 0xff, sizeof(v->head));
	for (size_t i = 0; i < q->nr_types; i++)
		name_add(v, q->types[i], N_TYPE, i);
	for (size_t i = 0; i < q->nr_vars; i++)
		name_add(v, q->vars[i], N_VAR, i);
	for (size_t i = 0; i < q->nr_syms; i++)
		name_add(v, q->syms[i], N_SYM, i);
	if ((st = dw_open(v, path, err)) != CS_OK || (st = scan_symbols(v, err)) != CS_OK ||
	    (st = scan_dwarf(v, err)) != CS_OK) {
		cs_vmlinux_close(v);
		return st;
	}
	*out = v;
	return CS_OK;
}

uint16_t cs_vmlinux_machine(const struct cs_vmlinux *v)
{
	return v->ehdr.e_machine;
}

bool cs_vmlinux_type_size(const struct cs_vmlinux *v, size_t type, uint64_t *size)
{
	Dwarf_Die agg;
	Dwarf_Word sz;

	if (!type_aggregate(v, type, &agg) || dwarf_aggregate_size(&agg, &sz) != 0 || sz == 0)
		return false;
	*size = sz;
	return true;
}

bool cs_vmlinux_member_offset(const struct cs_vmlinux *v, size_t type, const char *member,
			      int64_t *off)
{
	Dwarf_Die agg;

	return type_aggregate(v, type, &agg) && find_member(&agg, member, 0, off, NULL);
}

bool cs_vmlinux_first_union_offset(const struct cs_vmlinux *v, size_t type, int64_t *off)
{
	Dwarf_Die agg;

	return type_aggregate(v, type, &agg) && first_union_offset(&agg, 0, off);
}

bool cs_vmlinux_member_length(const struct cs_vmlinux *v, size_t type, const char *member,
			      uint64_t *len)
{
	Dwarf_Die agg, mem, t;
	int64_t off;

	return type_aggregate(v, type, &agg) && find_member(&agg, member, 0, &off, &mem) &&
	       die_type(&mem, &t) && array_length(&t, len);
}

const char *cs_vmlinux_typedef_file(const struct cs_vmlinux *v, size_t type)
{
	Dwarf_Die td;

	if (type >= v->q->nr_types || !v->have_typedef[type])
		return NULL;
	td = v->typedef_die[type];
	return dwarf_decl_file(&td);
}

bool cs_vmlinux_var_length(const struct cs_vmlinux *v, size_t var, uint64_t *len)
{
	Dwarf_Die die, type;

	if (var >= v->q->nr_vars || v->var_state[var] != 2)
		return false;
	die = v->var_die[var];
	return die_type(&die, &type) && array_length(&type, len);
}

bool cs_vmlinux_enum_size(const struct cs_vmlinux *v, size_t en, uint64_t *size)
{
	Dwarf_Die die;
	int sz;

	if (en >= v->q->nr_enums || !v->have_enum[en])
		return false;
	die = v->enum_die[en];
	if ((sz = dwarf_bytesize(&die)) <= 0)
		return false;
	*size = (uint64_t)sz;
	return true;
}

bool cs_vmlinux_enumerator(const struct cs_vmlinux *v, size_t i, int64_t *val)
{
	if (i >= v->q->nr_enumerators || !v->enumerator_found[i])
		return false;
	*val = v->enumerator_val[i];
	return true;
}

bool cs_vmlinux_symbol(const struct cs_vmlinux *v, size_t sym, uint64_t *value)
{
	if (sym >= v->q->nr_syms || !v->syms[sym].found)
		return false;
	*value = v->syms[sym].value;
	return true;
}

bool cs_vmlinux_symbol_bytes(const struct cs_vmlinux *v, size_t sym, uint64_t add, void *buf,
			     size_t len)
{
	const struct sym_loc *s;
	Elf_Scn *scn;
	GElf_Shdr sh;
	Elf_Data *data;
	uint64_t off;

	if (sym >= v->q->nr_syms)
		return false;
	s = &v->syms[sym];
	if (!s->found || s->shndx == SHN_UNDEF || s->shndx >= SHN_LORESERVE ||
	    !(scn = elf_getscn(v->elf, s->shndx)) || !gelf_getshdr(scn, &sh) ||
	    sh.sh_type == SHT_NOBITS)
		return false;
	/* ET_REL symbol values are section offsets; otherwise addresses. */
	off = v->ehdr.e_type == ET_REL ? s->value : s->value - sh.sh_addr;
	off += add;
	if (v->ehdr.e_type != ET_REL && s->value < sh.sh_addr)
		return false;
	data = elf_rawdata(scn, NULL);
	if (!data || !data->d_buf || off > data->d_size || len > data->d_size - off)
		return false;
	memcpy(buf, (const char *)data->d_buf + off, len);
	return true;
}

/* ---------------------------------------------------------------------------------------- */
/* Types by DIE offset (--config's SYMBOL.member walks). */

/* Describe the type DIE `die` (peeled here) into *t. */
static bool describe_type(Dwarf_Die *die, struct cs_vmlinux_type *t)
{
	Dwarf_Die peeled, sub;
	Dwarf_Word sz;
	int tag;

	memset(t, 0, sizeof(*t));
	if (dwarf_peel_type(die, &peeled) != 0)
		return false;
	t->die = dwarf_dieoffset(&peeled);
	tag = dwarf_tag(&peeled);
	t->name = dwarf_diename(&peeled);
	switch (tag) {
	case DW_TAG_base_type: case DW_TAG_enumeration_type:
		t->kind = CS_VT_BASE;
		break;
	case DW_TAG_structure_type: case DW_TAG_union_type: case DW_TAG_class_type:
		t->kind = CS_VT_STRUCT;
		break;
	case DW_TAG_pointer_type:
		t->kind = CS_VT_POINTER;
		break;
	case DW_TAG_array_type:
		t->kind = CS_VT_ARRAY;
		break;
	default:
		t->kind = CS_VT_OTHER;
		break;
	}
	if (dwarf_hasattr(&peeled, DW_AT_declaration))
		return true;
	if (tag == DW_TAG_pointer_type && dwarf_bytesize(&peeled) <= 0) {
		/* No DW_AT_byte_size on a pointer: the unit's address size. */
		Dwarf_Die cu;
		uint8_t asz;

		if (dwarf_diecu(&peeled, &cu, &asz, NULL))
			t->size = asz;
		return true;
	}
	if (dwarf_aggregate_size(&peeled, &sz) == 0)
		t->size = sz;
	if (t->kind == CS_VT_ARRAY) {
		uint64_t n = 1, len;

		if (dwarf_child(&peeled, &sub) != 0)
			return true;
		do {
			if (dwarf_tag(&sub) != DW_TAG_subrange_type)
				continue;
			if (!subrange_length(&sub, &len) || len == 0) {
				t->size = 0;
				return true;
			}
			n *= len;
		} while (dwarf_siblingof(&sub, &sub) == 0);
		t->nelem = n;
	}
	return true;
}

static bool type_at(const struct cs_vmlinux *v, uint64_t off, Dwarf_Die *die)
{
	return dwarf_offdie(v->dbg, (Dwarf_Off)off, die) != NULL;
}

bool cs_vmlinux_var_type(const struct cs_vmlinux *v, size_t var, struct cs_vmlinux_type *t)
{
	Dwarf_Die die, type;

	if (var >= v->q->nr_vars || v->var_state[var] == 0)
		return false;
	die = v->var_die[var];
	return die_type(&die, &type) && describe_type(&type, t);
}

bool cs_vmlinux_struct_type(const struct cs_vmlinux *v, size_t type, struct cs_vmlinux_type *t)
{
	Dwarf_Die agg;

	return type_aggregate(v, type, &agg) && describe_type(&agg, t);
}

bool cs_vmlinux_member(const struct cs_vmlinux *v, const struct cs_vmlinux_type *agg,
		       const char *member, uint64_t *off, struct cs_vmlinux_type *mt)
{
	Dwarf_Die die, mem, type;
	int64_t o;

	if (agg->kind != CS_VT_STRUCT || !type_at(v, agg->die, &die) ||
	    !find_member(&die, member, 0, &o, &mem) || o < 0 || !die_type(&mem, &type))
		return false;
	*off = (uint64_t)o;
	return describe_type(&type, mt);
}

bool cs_vmlinux_target(const struct cs_vmlinux *v, const struct cs_vmlinux_type *t,
		       struct cs_vmlinux_type *out)
{
	Dwarf_Die die, target;

	if ((t->kind != CS_VT_POINTER && t->kind != CS_VT_ARRAY) || !type_at(v, t->die, &die))
		return false;
	if (!die_type(&die, &target)) {
		/* A pointer without DW_AT_type is void *. */
		memset(out, 0, sizeof(*out));
		out->kind = CS_VT_VOID;
		return t->kind == CS_VT_POINTER;
	}
	return describe_type(&target, out);
}

#endif /* HAVE_LIBDW */
