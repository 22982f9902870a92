/* formats/erase_resolve.c: --config's erase commands and loops resolved through DWARF (formats/vmlinux.h) and the dump's memory into kernel-virtual ranges. */
#include "formats/erase_resolve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/endian.h"
#include "formats/vmlinux.h"

/* makedumpfile's upper bound for a char * string's length. */
#define STRING_MAX 1024
/* A list or array longer than this is taken for a corrupt one (the run fails, naming it). */
#define LOOP_MAX (1u << 24)

/* An lvalue of the crashed kernel: where it is and its type. */
struct obj {
	vaddr_t addr;
	struct cs_vmlinux_type t;
};

/* The loop variable, bound to one element. */
struct binding {
	const char *id;
	struct obj o;
};

struct resolver {
	const struct cs_erase_config *cfg;
	const struct cs_erase_env *env;
	struct cs_vmlinux *v;
	const char **names;       /* symbols/variables: first parts of the expressions */
	size_t nnames;
	const char **types;       /* struct names of 'within' loops */
	size_t ntypes;
	struct cs_erase_vrange *out;
	size_t nout, cap;
	struct cs_err *err;
};

/* A filter line that cannot be resolved: "FILE:LINE: message". */
#define rerr(R, line, ...) cs_erase_config_err((R)->err, CS_ERR_ARGS, (R)->cfg->path, (line), __VA_ARGS__)

/* The first n parts of e joined by '.', for messages. */
static const char *expr_text(const struct cs_erase_expr *e, size_t n, char *buf, size_t len)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && i < e->nparts && pos < len; i++)
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", i ? "." : "", e->part[i]);
	return buf;
}

static int name_index(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

static cs_status add_name(struct resolver *R, const char ***arr, size_t *n, const char *name)
{
	size_t cap = *n; /* grown one at a time: a filter names a few symbols */

	if (name_index(*arr, *n, name) >= 0)
		return CS_OK;
	if (!cs_array_grow(arr, *n, &cap, sizeof(**arr)))
		return cs_err_set(R->err, CS_ERR_NOMEM, "cannot allocate the filter's symbol names");
	(*arr)[(*n)++] = name;
	return CS_OK;
}

/* The symbol an expression starts with, unless it is the loop variable. */
static cs_status add_expr_name(struct resolver *R, const struct cs_erase_expr *e, const char *id)
{
	if (!e->nparts || (id && strcmp(e->part[0], id) == 0))
		return CS_OK;
	return add_name(R, &R->names, &R->nnames, e->part[0]);
}

static cs_status collect_names(struct resolver *R)
{
	cs_status st = CS_OK;

	for (size_t i = 0; i < R->cfg->nfilters && st == CS_OK; i++) {
		const struct cs_erase_filter *f = &R->cfg->filter[i];

		if (!f->is_loop) {
			if ((st = add_expr_name(R, &f->erase.target, NULL)) == CS_OK)
				st = add_expr_name(R, &f->erase.size_expr, NULL);
			continue;
		}
		st = add_expr_name(R, &f->loop.list, NULL);
		for (size_t j = 0; j < f->loop.nbody && st == CS_OK; j++)
			st = add_expr_name(R, &f->loop.body[j].size_expr, f->loop.id);
		if (st == CS_OK && f->loop.kind == CS_ERASE_LOOP_WITHIN)
			st = add_name(R, &R->types, &R->ntypes, f->loop.struct_name);
	}
	return st;
}

static cs_status read_mem(struct resolver *R, unsigned line, vaddr_t vaddr, void *buf, size_t len,
			  const char *what)
{
	cs_status st = R->env->read(R->env->read_ctx, vaddr, buf, len, R->err);

	if (st != CS_OK)
		return cs_err_ctx(R->err, "%s:%u: cannot read %s at 0x%" PRIx64, R->cfg->path, line, what,
				  vaddr);
	return CS_OK;
}

/* An unsigned integer of 1, 2, 4 or 8 bytes (little-endian: the kernels coresieve reads). */
static cs_status read_uint(struct resolver *R, unsigned line, vaddr_t vaddr, uint64_t size,
			   uint64_t *val, const char *what)
{
	uint8_t b[8];
	cs_status st;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return rerr(R, line, "%s is %" PRIu64 " bytes, not an integer of 1, 2, 4 or 8", what, size);
	if ((st = read_mem(R, line, vaddr, b, (size_t)size, what)) != CS_OK)
		return st;
	*val = size == 1 ? b[0] : size == 2 ? cs_load_le16(b) : size == 4 ? cs_load_le32(b) : cs_load_le64(b);
	return CS_OK;
}

/*
 * Evaluate SYMBOL.member... (or ID.member... with b bound) to the lvalue *o.
 * *null: a pointer on the way was NULL (nothing there to erase).
 */
static cs_status eval(struct resolver *R, unsigned line, const struct cs_erase_expr *e,
		      const struct binding *b, struct obj *o, bool *null)
{
	char text[512];
	int idx;

	*null = false;
	if (b && strcmp(e->part[0], b->id) == 0) {
		*o = b->o;
	} else {
		uint64_t value;

		idx = name_index(R->names, R->nnames, e->part[0]);
		if (idx < 0 || !cs_vmlinux_symbol(R->v, (size_t)idx, &value) || value == 0)
			return rerr(R, line, "unknown symbol '%s' (not in the symbol table of '%s')",
				    e->part[0], R->env->vmlinux);
		if (!cs_vmlinux_var_type(R->v, (size_t)idx, &o->t))
			return rerr(R, line, "'%s' has no DWARF variable in '%s' (not a variable?)", e->part[0],
				    R->env->vmlinux);
		o->addr = value + R->env->kaslr_offset;
	}
	for (size_t i = 1; i < e->nparts; i++) {
		struct cs_vmlinux_type mt;
		uint64_t off;

		expr_text(e, i, text, sizeof(text));
		if (o->t.kind == CS_VT_POINTER) {
			struct cs_vmlinux_type target;
			uint64_t ptr;
			cs_status st;

			/* '.' follows a pointer as makedumpfile's does ('->' is not written). */
			if ((st = read_uint(R, line, o->addr, o->t.size, &ptr, text)) != CS_OK)
				return st;
			if (!cs_vmlinux_target(R->v, &o->t, &target))
				return rerr(R, line, "cannot read the type '%s' points to", text);
			if (ptr == 0) {
				*null = true;
				return CS_OK;
			}
			o->addr = ptr;
			o->t = target;
		}
		if (o->t.kind != CS_VT_STRUCT)
			return rerr(R, line, "'%s' is not a struct or union: it has no member '%s'", text,
				    e->part[i]);
		if (!cs_vmlinux_member(R->v, &o->t, e->part[i], &off, &mt))
			return rerr(R, line, "'%s' (%s %s) has no member '%s'", text, "struct",
				    o->t.name ? o->t.name : "(anonymous)", e->part[i]);
		if (o->addr + off < o->addr)
			return rerr(R, line, "'%s.%s': the address wraps", text, e->part[i]);
		o->addr += off;
		o->t = mt;
	}
	return CS_OK;
}

static bool is_char(const struct cs_vmlinux_type *t)
{
	return t->kind == CS_VT_BASE && t->size == 1 && t->name &&
	       (!strcmp(t->name, "char") || !strcmp(t->name, "signed char") ||
		!strcmp(t->name, "unsigned char"));
}

/* Length of the NUL-terminated string at vaddr, at most STRING_MAX (read up to each page's end). */
static cs_status string_length(struct resolver *R, unsigned line, vaddr_t vaddr, uint64_t *len,
			       const char *what)
{
	char buf[STRING_MAX];
	size_t got = 0;
	cs_status st;

	while (got < STRING_MAX) {
		size_t n = CS_MIN((size_t)(STRING_MAX - got), (size_t)(4096 - ((vaddr + got) & 4095)));
		char *nul;

		if ((st = read_mem(R, line, vaddr + got, buf + got, n, what)) != CS_OK)
			return st;
		if ((nul = memchr(buf + got, '\0', n)) != NULL) {
			*len = (uint64_t)(nul - buf);
			return CS_OK;
		}
		got += n;
	}
	*len = STRING_MAX;
	return CS_OK;
}

static cs_status add_range(struct resolver *R, unsigned line, vaddr_t vaddr, uint64_t len, bool nullify)
{
	struct cs_erase_vrange *r;

	if (len == 0)
		return CS_OK;
	if (vaddr + len < vaddr)
		return rerr(R, line, "%" PRIu64 " bytes at 0x%" PRIx64 " wrap the address space", len, vaddr);
	if (!cs_array_grow(&R->out, R->nout, &R->cap, sizeof(*R->out)))
		return cs_err_set(R->err, CS_ERR_NOMEM, "cannot allocate the erase ranges");
	r = &R->out[R->nout++];
	r->vaddr = vaddr;
	r->len = len;
	r->nullify = nullify;
	r->line = line;
	return CS_OK;
}

/* One erase command (b: the loop variable's element, or NULL). */
static cs_status erase_one(struct resolver *R, const struct cs_erase_cmd *c, const struct binding *b)
{
	char text[512], stext[512];
	struct obj o, so;
	vaddr_t addr;
	uint64_t obj_size, len;
	bool null, known = true;
	cs_status st;

	expr_text(&c->target, c->target.nparts, text, sizeof(text));
	if ((st = eval(R, c->line, &c->target, b, &o, &null)) != CS_OK || null)
		return st;
	if (c->size_kind == CS_ERASE_NULLIFY) {
		if (o.t.kind != CS_VT_POINTER)
			return rerr(R, c->line, "'%s' is not a pointer: nullify zeroes a pointer", text);
		return add_range(R, c->line, o.addr, o.t.size, true);
	}
	addr = o.addr;
	obj_size = o.t.size;
	if (o.t.kind == CS_VT_POINTER) {
		/* A pointer: what it points to is erased (makedumpfile's rule). */
		struct cs_vmlinux_type target;
		uint64_t ptr;

		if ((st = read_uint(R, c->line, o.addr, o.t.size, &ptr, text)) != CS_OK)
			return st;
		if (!cs_vmlinux_target(R->v, &o.t, &target))
			return rerr(R, c->line, "cannot read the type '%s' points to", text);
		if (ptr == 0)
			return CS_OK;
		addr = ptr;
		obj_size = target.size;
		known = target.kind != CS_VT_VOID && !is_char(&target) && obj_size;
		if (is_char(&target) && (st = string_length(R, c->line, ptr, &obj_size, text)) != CS_OK)
			return st;
		if (target.kind == CS_VT_VOID && c->size_kind == CS_ERASE_SIZE_TYPE)
			return rerr(R, c->line, "'%s' points to void: give 'size N', 'size SYMBOL' or 'nullify'",
				    text);
	}
	if (!obj_size && c->size_kind == CS_ERASE_SIZE_TYPE)
		return rerr(R, c->line, "the size of '%s' is unknown (incomplete type): give 'size N'", text);
	switch (c->size_kind) {
	case CS_ERASE_SIZE_VALUE:
		len = c->size_value;
		break;
	case CS_ERASE_SIZE_EXPR:
		expr_text(&c->size_expr, c->size_expr.nparts, stext, sizeof(stext));
		if ((st = eval(R, c->line, &c->size_expr, b, &so, &null)) != CS_OK)
			return st;
		if (null)
			return CS_OK;
		if (so.t.kind != CS_VT_BASE)
			return rerr(R, c->line, "the size '%s' is not an integer", stext);
		if ((st = read_uint(R, c->line, so.addr, so.t.size, &len, stext)) != CS_OK)
			return st;
		break;
	default:
		len = obj_size;
		break;
	}
	if (known && len > obj_size)
		return rerr(R, c->line, "size %" PRIu64 " is beyond '%s' (%" PRIu64 " bytes)", len, text,
			    obj_size);
	return add_range(R, c->line, addr, len, false);
}

static cs_status loop_body(struct resolver *R, const struct cs_erase_loop *L, const struct binding *b)
{
	cs_status st;

	for (size_t i = 0; i < L->nbody; i++)
		if ((st = erase_one(R, &L->body[i], b)) != CS_OK)
			return st;
	return CS_OK;
}

/*
 * Brent's cycle check for a list walk: false when node repeats a node seen
 * since the walk began (a list that never gets back to its end).
 */
struct walk {
	vaddr_t tortoise;
	uint64_t power, lam, steps;
};

static bool walk_step(struct walk *w, vaddr_t node)
{
	if (node == w->tortoise || ++w->steps > LOOP_MAX)
		return false;
	if (w->lam == w->power) {
		w->tortoise = node;
		w->power *= 2;
		w->lam = 0;
	}
	w->lam++;
	return true;
}

static cs_status loop_array(struct resolver *R, const struct cs_erase_filter *f, const struct obj *list,
			    const char *text)
{
	const struct cs_erase_loop *L = &f->loop;
	struct binding b = {.id = L->id};
	uint64_t stride;

	if (list->t.kind != CS_VT_ARRAY)
		return rerr(R, f->line, "'for %s in %s': '%s' is not an array (a list needs 'via MEMBER' or "
			    "'within STRUCT:MEMBER')", L->id, text, text);
	if (!list->t.nelem || !list->t.size || !cs_vmlinux_target(R->v, &list->t, &b.o.t))
		return rerr(R, f->line, "'for %s in %s': the array's length is unknown", L->id, text);
	stride = list->t.size / list->t.nelem;
	if (list->t.nelem > LOOP_MAX)
		return rerr(R, f->line, "'for %s in %s': %" PRIu64 " elements (more than %u)", L->id, text,
			    list->t.nelem, LOOP_MAX);
	for (uint64_t i = 0; i < list->t.nelem; i++) {
		cs_status st;

		b.o.addr = list->addr + i * stride;
		if ((st = loop_body(R, L, &b)) != CS_OK)
			return st;
	}
	return CS_OK;
}

static cs_status loop_via(struct resolver *R, const struct cs_erase_filter *f, const struct obj *list,
			  const char *text)
{
	const struct cs_erase_loop *L = &f->loop;
	struct binding b = {.id = L->id, .o = *list};
	struct cs_vmlinux_type next_t, next_target;
	struct walk w = {.power = 1, .lam = 1};
	uint64_t next_off;
	vaddr_t first;
	cs_status st;

	if (list->t.kind == CS_VT_POINTER) {
		if ((st = read_uint(R, f->line, list->addr, list->t.size, &first, text)) != CS_OK)
			return st;
		if (!cs_vmlinux_target(R->v, &list->t, &b.o.t))
			return rerr(R, f->line, "cannot read the type '%s' points to", text);
		if (!first)
			return CS_OK;
	} else {
		first = list->addr;
	}
	if (b.o.t.kind != CS_VT_STRUCT)
		return rerr(R, f->line, "'for %s in %s via %s': '%s' is not a struct or a pointer to one",
			    L->id, text, L->via_member, text);
	if (!cs_vmlinux_member(R->v, &b.o.t, L->via_member, &next_off, &next_t))
		return rerr(R, f->line, "'via %s': struct %s has no member '%s'", L->via_member,
			    b.o.t.name ? b.o.t.name : "(anonymous)", L->via_member);
	if (next_t.kind != CS_VT_POINTER || !cs_vmlinux_target(R->v, &next_t, &next_target) ||
	    !cs_vmlinux_same_type(&next_target, &b.o.t))
		return rerr(R, f->line, "'via %s': the member is not a pointer to struct %s", L->via_member,
			    b.o.t.name ? b.o.t.name : "(anonymous)");
	w.tortoise = first;
	for (vaddr_t node = first;;) {
		b.o.addr = node;
		if ((st = loop_body(R, L, &b)) != CS_OK)
			return st;
		if ((st = read_uint(R, f->line, node + next_off, next_t.size, &node, L->via_member)) != CS_OK)
			return st;
		/* The end: NULL, or back at the first node of a circular list. */
		if (node == 0 || node == first)
			return CS_OK;
		if (!walk_step(&w, node))
			return rerr(R, f->line, "the list from '%s' via '%s' does not end (node 0x%" PRIx64
				    " comes again, or more than %u nodes)", text, L->via_member, node, LOOP_MAX);
	}
}

static cs_status loop_within(struct resolver *R, const struct cs_erase_filter *f, const struct obj *list,
			     const char *text)
{
	const struct cs_erase_loop *L = &f->loop;
	struct binding b = {.id = L->id};
	struct cs_vmlinux_type lh_t, next_t;
	struct walk w = {.power = 1, .lam = 1};
	uint64_t lh_off, next_off;
	vaddr_t head = list->addr, pos;
	int ti = name_index(R->types, R->ntypes, L->struct_name);
	cs_status st;

	if (list->t.kind != CS_VT_STRUCT || !list->t.name || strcmp(list->t.name, "list_head") != 0)
		return rerr(R, f->line, "'for %s in %s within ...': '%s' is not a struct list_head", L->id,
			    text, text);
	if (ti < 0 || !cs_vmlinux_struct_type(R->v, (size_t)ti, &b.o.t))
		return rerr(R, f->line, "'within %s:%s': unknown struct '%s'", L->struct_name,
			    L->list_member, L->struct_name);
	if (!cs_vmlinux_member(R->v, &b.o.t, L->list_member, &lh_off, &lh_t) ||
	    lh_t.kind != CS_VT_STRUCT || !lh_t.name || strcmp(lh_t.name, "list_head") != 0)
		return rerr(R, f->line, "'within %s:%s': struct %s has no struct list_head member '%s'",
			    L->struct_name, L->list_member, L->struct_name, L->list_member);
	if (!cs_vmlinux_member(R->v, &list->t, "next", &next_off, &next_t) || next_t.kind != CS_VT_POINTER)
		return rerr(R, f->line, "struct list_head has no pointer member 'next'");
	w.tortoise = head;
	if ((st = read_uint(R, f->line, head + next_off, next_t.size, &pos, text)) != CS_OK)
		return st;
	/* list_for_each_entry: from head->next until back at the head (NULL: a broken list ends). */
	while (pos != head && pos != 0) {
		if (!walk_step(&w, pos))
			return rerr(R, f->line, "the list '%s' does not get back to its head (entry 0x%" PRIx64
				    " comes again, or more than %u entries)", text, pos, LOOP_MAX);
		b.o.addr = pos - lh_off;
		if ((st = loop_body(R, L, &b)) != CS_OK)
			return st;
		if ((st = read_uint(R, f->line, pos + next_off, next_t.size, &pos, text)) != CS_OK)
			return st;
	}
	return CS_OK;
}

static cs_status run_loop(struct resolver *R, const struct cs_erase_filter *f)
{
	const struct cs_erase_loop *L = &f->loop;
	struct cs_erase_expr list = L->list;
	char text[512];
	struct obj o;
	bool null;
	cs_status st;

	/* "HEAD.next within S:M" names the head by its first pointer, as in makedumpfile(5)'s example. */
	if (L->kind == CS_ERASE_LOOP_WITHIN && list.nparts > 1 &&
	    strcmp(list.part[list.nparts - 1], "next") == 0)
		list.nparts--;
	expr_text(&list, list.nparts, text, sizeof(text));
	if ((st = eval(R, f->line, &list, NULL, &o, &null)) != CS_OK || null)
		return st;
	switch (L->kind) {
	case CS_ERASE_LOOP_ARRAY:
		return loop_array(R, f, &o, text);
	case CS_ERASE_LOOP_VIA:
		return loop_via(R, f, &o, text);
	default:
		return loop_within(R, f, &o, text);
	}
}

cs_status cs_erase_resolve(const struct cs_erase_config *cfg, const struct cs_erase_env *env,
			   struct cs_erase_vrange **out, size_t *nout, struct cs_err *err)
{
	struct resolver R = {.cfg = cfg, .env = env, .err = err};
	struct cs_vmlinux_query q = {0};
	cs_status st = CS_OK;

	*out = NULL;
	*nout = 0;
	cs_err_clear(err);
	for (size_t i = 0; i < cfg->nfilters; i++)
		if (strcmp(cfg->filter[i].section, "vmlinux") != 0)
			return cs_erase_config_err(err, CS_ERR_NOTSUP, cfg->path, cfg->filter[i].line,
						   "[%s]: erasing data of a module is not supported yet "
						   "(only the [vmlinux] section)", cfg->filter[i].section);
	if (cfg->nfilters == 0)
		return CS_OK;
	if ((st = collect_names(&R)) != CS_OK)
		goto out;
	q.vars = R.names;
	q.nr_vars = R.nnames;
	q.syms = R.names;
	q.nr_syms = R.nnames;
	q.types = R.types;
	q.nr_types = R.ntypes;
	if ((st = cs_vmlinux_open(env->vmlinux, &q, &R.v, err)) != CS_OK) {
		cs_err_ctx(err, "%s", cfg->path);
		goto out;
	}
	for (size_t i = 0; i < cfg->nfilters && st == CS_OK; i++) {
		const struct cs_erase_filter *f = &cfg->filter[i];

		st = f->is_loop ? run_loop(&R, f) : erase_one(&R, &f->erase, NULL);
	}
out:
	cs_vmlinux_close(R.v);
	free((void *)R.names);
	free((void *)R.types);
	if (st != CS_OK) {
		free(R.out);
		return st;
	}
	*out = R.out;
	*nout = R.nout;
	return CS_OK;
}
