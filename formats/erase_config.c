/* formats/erase_config.c: parse a --config filter file (makedumpfile.conf(5)) into erase commands. */
#include "formats/erase_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/array.h"
#include "core/io.h"

/* A filter file is a few lines written by hand; a bigger one is a mistake (a dump named by accident). */
#define CONFIG_MAX_BYTES (16u << 20)

struct tok {
	char *s;          /* NUL-terminated, in the arena */
	unsigned line;
	bool section;     /* "[NAME]": s is NAME */
};

struct parser {
	const char *path;
	struct tok *tok;
	size_t ntok, pos;
	struct cs_erase_config *cfg;
	struct cs_err *err;
};

static const char *const keywords[] = {"erase", "for", "in", "via", "within", "endfor", "size",
				       "nullify"};

static bool is_keyword(const char *s)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strcmp(s, keywords[i]) == 0)
			return true;
	return false;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_ident(const char *s, size_t n)
{
	if (n == 0 || !(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

cs_status cs_erase_config_err(struct cs_err *err, cs_status status, const char *path, unsigned line,
			      const char *fmt, ...)
{
	char msg[CS_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cs_err_set(err, status, "%s:%u: %s", path, line, msg);
}

#define perr(P, line, ...) cs_erase_config_err((P)->err, CS_ERR_FORMAT, (P)->path, (line), __VA_ARGS__)

static cs_status nomem(struct parser *P)
{
	return cs_err_set(P->err, CS_ERR_NOMEM, "%s: cannot allocate the filter commands", P->path);
}

/* Room for one more element in *arr (n used of *cap). */
static cs_status grow(struct parser *P, void *arr, size_t n, size_t *cap, size_t elsz)
{
	return cs_array_grow(arr, n, cap, elsz) ? CS_OK : nomem(P);
}

/* Cut the arena into tokens: blanks separate, '#' ends a line, "[NAME]" at a line's start is a section. */
static cs_status tokenize(struct parser *P, char *text, size_t len)
{
	size_t cap = 0;
	unsigned line = 0;
	char *p = text, *end = text + len;

	while (p < end) {
		char *eol = memchr(p, '\n', (size_t)(end - p));
		char *hash, *q;

		if (!eol)
			eol = end;
		*eol = '\0';
		line++;
		if (memchr(p, '\0', (size_t)(eol - p)))
			return perr(P, line, "a NUL byte in the line (not a text file?)");
		if ((hash = memchr(p, '#', (size_t)(eol - p))) != NULL)
			*hash = '\0';
		for (q = p; *q; q++) {
			struct tok *t;
			bool more;

			if (is_blank(*q))
				continue;
			if (grow(P, &P->tok, P->ntok, &cap, sizeof(*P->tok)) != CS_OK)
				return P->err->status;
			t = &P->tok[P->ntok++];
			t->line = line;
			t->section = false;
			t->s = q;
			while (*q && !is_blank(*q))
				q++;
			more = *q != '\0';
			*q = '\0';
			if (t->s[0] == '[') {
				char *close = strchr(t->s, ']');
				bool first = P->ntok == 1 || P->tok[P->ntok - 2].line != line;

				/* The whole line must be "[NAME]". */
				if (!first || !close || close[1] != '\0' ||
				    !is_ident(t->s + 1, (size_t)(close - t->s - 1)))
					return perr(P, line, "invalid section header '%s' (expected [vmlinux] or "
						    "[MODULE] alone on its line)", t->s);
				*close = '\0';
				t->s++;
				t->section = true;
				for (char *r = q + 1; more && *r; r++)
					if (!is_blank(*r))
						return perr(P, line, "unexpected '%s' after the section header [%s]",
							    r, t->s);
				break;
			}
			if (!more)
				break;
		}
		p = eol + 1;
	}
	return CS_OK;
}

static struct tok *peek(struct parser *P)
{
	return P->pos < P->ntok ? &P->tok[P->pos] : NULL;
}

/* The next token if it is the keyword kw (and not a section), consumed. */
static bool accept(struct parser *P, const char *kw)
{
	struct tok *t = peek(P);

	if (!t || t->section || strcmp(t->s, kw) != 0)
		return false;
	P->pos++;
	return true;
}

static unsigned last_line(struct parser *P)
{
	return P->pos ? P->tok[P->pos - 1].line : 1;
}

/* The next token as a name operand (not a keyword, not a section); NULL with an error. */
static struct tok *operand(struct parser *P, const char *what_after)
{
	struct tok *t = peek(P);

	if (!t || t->section || is_keyword(t->s)) {
		perr(P, t && !t->section ? t->line : last_line(P), "expected %s", what_after);
		return NULL;
	}
	P->pos++;
	return t;
}

/* Split a token "SYM.member.member" in place into expr. */
static cs_status parse_expr(struct parser *P, struct tok *t, struct cs_erase_expr *e)
{
	size_t n = 1;
	char *s = t->s;

	/* Check every part before cutting, so the message shows the whole token. */
	for (const char *c = s;;) {
		const char *dot = strchr(c, '.');

		if (!is_ident(c, dot ? (size_t)(dot - c) : strlen(c)))
			return perr(P, t->line, "'%s' is not SYMBOL[.member...] (C identifiers joined by '.')",
				    s);
		if (!dot)
			break;
		n++;
		c = dot + 1;
	}
	e->part = calloc(n, sizeof(*e->part));
	if (!e->part)
		return nomem(P);
	e->nparts = 0;
	for (char *c = s;;) {
		char *dot = strchr(c, '.');

		e->part[e->nparts++] = c;
		if (!dot)
			break;
		*dot = '\0';
		c = dot + 1;
	}
	return CS_OK;
}

/* "N", "NK", "NM" (decimal or 0x hex; K and M in either case). */
static cs_status parse_size_value(struct parser *P, struct tok *t, uint64_t *out)
{
	const char *s = t->s;
	char *end;
	uint64_t v, mul = 1;

	errno = 0;
	v = strtoull(s, &end, (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10);
	if (end == s || s[0] == '-' || s[0] == '+')
		return perr(P, t->line, "invalid size '%s'", s);
	if (*end == 'K' || *end == 'k')
		mul = 1024, end++;
	else if (*end == 'M' || *end == 'm')
		mul = 1024 * 1024, end++;
	if (*end != '\0')
		return perr(P, t->line, "invalid size '%s' (a number with an optional K or M suffix)", s);
	if (errno == ERANGE || v > UINT64_MAX / mul)
		return perr(P, t->line, "size '%s' is too large", s);
	if (v == 0)
		return perr(P, t->line, "size '%s' must be positive", s);
	*out = v * mul;
	return CS_OK;
}

/* After "erase": EXPR [size N|size EXPR|nullify]. loop_id: the enclosing loop's variable or NULL. */
static cs_status parse_erase(struct parser *P, struct cs_erase_cmd *c, unsigned line, const char *loop_id)
{
	struct tok *t = operand(P, "a symbol after 'erase'");
	cs_status st;

	memset(c, 0, sizeof(*c));
	c->line = line;
	if (!t)
		return P->err->status;
	if ((st = parse_expr(P, t, &c->target)) != CS_OK)
		return st;
	if (loop_id && strcmp(c->target.part[0], loop_id) != 0)
		return perr(P, t->line, "'erase %s' inside the loop does not use its variable '%s' "
			    "(write erase %s[.member...])", c->target.part[0], loop_id, loop_id);
	if (accept(P, "nullify")) {
		c->size_kind = CS_ERASE_NULLIFY;
	} else if (accept(P, "size")) {
		if (!(t = operand(P, "a size after 'size' (N[K|M] or SYMBOL[.member...])")))
			return P->err->status;
		if (t->s[0] >= '0' && t->s[0] <= '9') {
			c->size_kind = CS_ERASE_SIZE_VALUE;
			return parse_size_value(P, t, &c->size_value);
		}
		c->size_kind = CS_ERASE_SIZE_EXPR;
		return parse_expr(P, t, &c->size_expr);
	}
	return CS_OK;
}

/* After "for": ID in LIST [via M | within S[:M]] { erase ... } endfor. */
static cs_status parse_for(struct parser *P, struct cs_erase_loop *L, unsigned for_line)
{
	struct tok *t = operand(P, "an iteration variable after 'for'");
	size_t cap = 0;
	cs_status st;

	if (!t)
		return P->err->status;
	if (!is_ident(t->s, strlen(t->s)))
		return perr(P, t->line, "'%s' is not a valid iteration variable (a C identifier)", t->s);
	L->id = t->s;
	if (!accept(P, "in")) {
		t = peek(P);
		return perr(P, t && !t->section ? t->line : last_line(P), "expected 'in' after 'for %s'%s%s%s",
			    L->id, t ? ", not '" : "", t ? t->s : "", t ? "'" : "");
	}
	if (!(t = operand(P, "a list after 'in' (ARRAY, STRUCT via MEMBER or LISTHEAD within STRUCT:MEMBER)")))
		return P->err->status;
	if ((st = parse_expr(P, t, &L->list)) != CS_OK)
		return st;
	L->kind = CS_ERASE_LOOP_ARRAY;
	if (accept(P, "via")) {
		if (!(t = operand(P, "a member after 'via'")))
			return P->err->status;
		if (!is_ident(t->s, strlen(t->s)))
			return perr(P, t->line, "'via %s': the next member must be one member name", t->s);
		L->kind = CS_ERASE_LOOP_VIA;
		L->via_member = t->s;
	} else if (accept(P, "within")) {
		char *colon;

		if (!(t = operand(P, "STRUCT:MEMBER after 'within'")))
			return P->err->status;
		colon = strchr(t->s, ':');
		L->kind = CS_ERASE_LOOP_WITHIN;
		L->struct_name = t->s;
		L->list_member = "list";
		if (colon) {
			*colon = '\0';
			L->list_member = colon + 1;
		}
		if (!is_ident(L->struct_name, strlen(L->struct_name)) ||
		    !is_ident(L->list_member, strlen(L->list_member))) {
			if (colon)
				*colon = ':';
			return perr(P, t->line, "'within %s': expected STRUCT:MEMBER (a struct name and its "
				    "struct list_head member)", t->s);
		}
	}
	for (;;) {
		t = peek(P);
		if (!t)
			return perr(P, last_line(P), "no 'endfor' for the 'for' at line %u", for_line);
		if (t->section)
			return perr(P, t->line, "section [%s] inside the 'for' at line %u (missing 'endfor')",
				    t->s, for_line);
		if (accept(P, "endfor"))
			return CS_OK;
		if (accept(P, "erase")) {
			if (grow(P, &L->body, L->nbody, &cap, sizeof(*L->body)) != CS_OK)
				return P->err->status;
			L->nbody++;
			if ((st = parse_erase(P, &L->body[L->nbody - 1], t->line, L->id)) != CS_OK)
				return st;
			continue;
		}
		if (strcmp(t->s, "for") == 0)
			return perr(P, t->line, "'for' inside the 'for' at line %u (loops do not nest)", for_line);
		return perr(P, t->line, "unexpected '%s' inside the 'for' at line %u (expected 'erase' or "
			    "'endfor')", t->s, for_line);
	}
}

static void expr_free(struct cs_erase_expr *e)
{
	free(e->part);
	e->part = NULL;
	e->nparts = 0;
}

static void cmd_free(struct cs_erase_cmd *c)
{
	expr_free(&c->target);
	expr_free(&c->size_expr);
}

void cs_erase_config_free(struct cs_erase_config *cfg)
{
	for (size_t i = 0; i < cfg->nfilters; i++) {
		struct cs_erase_filter *f = &cfg->filter[i];

		cmd_free(&f->erase);
		expr_free(&f->loop.list);
		for (size_t j = 0; j < f->loop.nbody; j++)
			cmd_free(&f->loop.body[j]);
		free(f->loop.body);
	}
	free(cfg->filter);
	free(cfg->path);
	free(cfg->arena);
	memset(cfg, 0, sizeof(*cfg));
}

static cs_status parse_all(struct parser *P)
{
	struct cs_erase_config *cfg = P->cfg;
	const char *section = "vmlinux";
	size_t cap = 0;
	cs_status st;

	while (P->pos < P->ntok) {
		struct tok *t = &P->tok[P->pos];
		struct cs_erase_filter *f;

		if (t->section) {
			section = t->s;
			P->pos++;
			continue;
		}
		if (grow(P, &cfg->filter, cfg->nfilters, &cap, sizeof(*cfg->filter)) != CS_OK)
			return P->err->status;
		f = &cfg->filter[cfg->nfilters];
		memset(f, 0, sizeof(*f));
		f->line = t->line;
		f->section = section;
		if (accept(P, "erase")) {
			cfg->nfilters++;
			st = parse_erase(P, &f->erase, t->line, NULL);
		} else if (accept(P, "for")) {
			cfg->nfilters++;
			f->is_loop = true;
			st = parse_for(P, &f->loop, t->line);
		} else if (strcmp(t->s, "endfor") == 0) {
			st = perr(P, t->line, "'endfor' without a 'for'");
		} else {
			st = perr(P, t->line, "unexpected '%s' (expected 'erase', 'for' or a [section])", t->s);
		}
		if (st != CS_OK)
			return st;
	}
	return CS_OK;
}

cs_status cs_erase_config_parse(const char *path, const char *text, size_t len,
				struct cs_erase_config *cfg, struct cs_err *err)
{
	struct parser P = {.path = path, .cfg = cfg, .err = err};
	cs_status st;

	memset(cfg, 0, sizeof(*cfg));
	cfg->path = strdup(path);
	cfg->arena = malloc(len + 1);
	if (!cfg->path || !cfg->arena) {
		st = nomem(&P);
		goto out;
	}
	memcpy(cfg->arena, text, len);
	cfg->arena[len] = '\0';
	if ((st = tokenize(&P, cfg->arena, len)) == CS_OK)
		st = parse_all(&P);
out:
	free(P.tok);
	if (st != CS_OK)
		cs_erase_config_free(cfg);
	return st;
}

cs_status cs_erase_config_load(const char *path, struct cs_erase_config *cfg, struct cs_err *err)
{
	struct stat sb;
	char *buf;
	cs_status st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(cfg, 0, sizeof(*cfg));
	if (fd < 0)
		return cs_err_sys(err, errno, "cannot open the filter config '%s'", path);
	if (fstat(fd, &sb) != 0) {
		st = cs_err_sys(err, errno, "cannot stat the filter config '%s'", path);
		close(fd);
		return st;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size > (off_t)CONFIG_MAX_BYTES) {
		close(fd);
		return cs_err_set(err, CS_ERR_ARGS, "the filter config '%s' is not a regular file of at "
				  "most %u MiB", path, CONFIG_MAX_BYTES >> 20);
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		close(fd);
		return cs_err_set(err, CS_ERR_NOMEM, "cannot allocate %jd bytes for '%s'",
				  (intmax_t)sb.st_size, path);
	}
	st = cs_pread_full(fd, path, buf, (size_t)sb.st_size, 0, err);
	close(fd);
	if (st == CS_OK)
		st = cs_erase_config_parse(path, buf, (size_t)sb.st_size, cfg, err);
	free(buf);
	return st;
}
