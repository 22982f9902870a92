/* tests/unit/test_erase_config.c: the --config filter language (formats/erase_config.c): every form and every error, with its FILE:LINE. */
#include "formats/erase_config.h"
#include "tests/lib/tap.h"

#include <stdio.h>
#include <unistd.h>

static cs_status parse(const char *text, struct cs_erase_config *cfg, struct cs_err *err)
{
	cs_err_clear(err);
	return cs_erase_config_parse("f.conf", text, strlen(text), cfg, err);
}

/* "a.b.c" of an expression. */
static const char *joined(const struct cs_erase_expr *e, char *buf, size_t len)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < e->nparts; i++)
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", i ? "." : "", e->part[i]);
	return buf;
}

static void test_erase_forms(struct tap *t)
{
	struct cs_erase_config c;
	struct cs_err err;
	char b[256];
	const char *text =
		"# a comment line\n"
		"\n"
		"erase array_var\n"                        /* 3: no section: vmlinux */
		"erase mystruct1.buffer size 25   # tail\n" /* 4 */
		"[vmlinux]\n"
		"\terase  mystruct1.name\n"                /* 6 */
		"erase mystruct1.addr1 nullify\n"          /* 7 */
		"erase mystruct1.addr2 size 1K\n"          /* 8 */
		"erase a.b.c.d size 2m\n"                  /* 9 */
		"erase mystruct2.addr size mystruct2.addr_size\n" /* 10 */
		"[mymodule]\n"
		"erase\n  modvar\n  size\n 0x10\n"          /* 12..15: one command over four lines */
		"erase big size 3M\r\n";                   /* 16: CRLF */

	ok(t, parse(text, &c, &err) == CS_OK, "the erase forms parse (%s)", err.msg);
	ok_eq_u64(t, c.nfilters, 9, "nine commands");
	if (c.nfilters != 9)
		return;
	ok(t, !c.filter[0].is_loop && c.filter[0].line == 3 && !strcmp(c.filter[0].section, "vmlinux") &&
		      c.filter[0].erase.size_kind == CS_ERASE_SIZE_TYPE &&
		      !strcmp(joined(&c.filter[0].erase.target, b, sizeof(b)), "array_var"),
	   "erase SYMBOL: line 3, section vmlinux by default, size from the type");
	ok(t, c.filter[1].line == 4 && c.filter[1].erase.size_kind == CS_ERASE_SIZE_VALUE &&
		      c.filter[1].erase.size_value == 25 && c.filter[1].erase.target.nparts == 2 &&
		      !strcmp(c.filter[1].erase.target.part[1], "buffer"),
	   "erase SYMBOL.member size 25 (comment after it ignored)");
	ok(t, c.filter[2].line == 6 && c.filter[2].erase.size_kind == CS_ERASE_SIZE_TYPE &&
		      !strcmp(c.filter[2].section, "vmlinux"), "tab and double blanks separate tokens");
	ok(t, c.filter[3].erase.size_kind == CS_ERASE_NULLIFY, "nullify");
	ok_eq_u64(t, c.filter[4].erase.size_value, 1024, "size 1K = 1024");
	ok(t, c.filter[5].erase.size_value == 2u << 20 && c.filter[5].erase.target.nparts == 4 &&
		      !strcmp(joined(&c.filter[5].erase.target, b, sizeof(b)), "a.b.c.d"),
	   "size 2m = 2 MiB; a.b.c.d has four parts");
	ok(t, c.filter[6].erase.size_kind == CS_ERASE_SIZE_EXPR &&
		      !strcmp(joined(&c.filter[6].erase.size_expr, b, sizeof(b)), "mystruct2.addr_size"),
	   "size SYMBOL.member");
	ok(t, c.filter[7].line == 12 && !strcmp(c.filter[7].section, "mymodule") &&
		      c.filter[7].erase.size_value == 16, "a [module] section; a command over 4 lines; 0x10");
	ok(t, c.filter[8].line == 16 && c.filter[8].erase.size_value == 3u << 20 &&
		      !strcmp(c.filter[8].erase.target.part[0], "big"), "CRLF line ends");
	cs_erase_config_free(&c);

	ok(t, parse("", &c, &err) == CS_OK && c.nfilters == 0, "an empty file: no commands");
	cs_erase_config_free(&c);
	ok(t, parse("# only\n   \n[vmlinux]\n", &c, &err) == CS_OK && c.nfilters == 0,
	   "comments, blanks and a section alone: no commands");
	cs_erase_config_free(&c);
}

static void test_loop_forms(struct tap *t)
{
	struct cs_erase_config c;
	struct cs_err err;
	char b[256];
	const char *text =
		"[mymodule]\n"
		"for mys1 in mystruct1 via next\n"          /* 2 */
		"     erase mys1.private\n"
		"     erase mys1.key size mys1.key_size\n"
		"endfor\n"
		"for mys1 in s1_list_head.next within s1:list\n" /* 6 */
		"     erase mys1.private nullify\n"
		"endfor\n"
		"for e in myarray erase e size 8 erase e.x.y endfor\n" /* 9: all on one line */
		"for e in lh within s2\n"                   /* 10: member defaults to "list" */
		"endfor\n";

	ok(t, parse(text, &c, &err) == CS_OK, "the loop forms parse (%s)", err.msg);
	ok_eq_u64(t, c.nfilters, 4, "four loops");
	if (c.nfilters != 4)
		return;
	const struct cs_erase_loop *L = &c.filter[0].loop;
	ok(t, c.filter[0].is_loop && c.filter[0].line == 2 && L->kind == CS_ERASE_LOOP_VIA &&
		      !strcmp(L->id, "mys1") && !strcmp(L->via_member, "next") &&
		      !strcmp(joined(&L->list, b, sizeof(b)), "mystruct1") && L->nbody == 2 &&
		      !strcmp(c.filter[0].section, "mymodule"),
	   "for ID in STRUCT via NEXT: two erases");
	ok(t, L->nbody == 2 && L->body[0].line == 3 && L->body[1].line == 4 &&
		      L->body[1].size_kind == CS_ERASE_SIZE_EXPR &&
		      !strcmp(joined(&L->body[1].size_expr, b, sizeof(b)), "mys1.key_size"),
	   "the body's lines and its size ID.member");
	L = &c.filter[1].loop;
	ok(t, L->kind == CS_ERASE_LOOP_WITHIN && !strcmp(L->struct_name, "s1") &&
		      !strcmp(L->list_member, "list") &&
		      !strcmp(joined(&L->list, b, sizeof(b)), "s1_list_head.next") && L->nbody == 1 &&
		      L->body[0].size_kind == CS_ERASE_NULLIFY,
	   "for ID in LISTHEAD within STRUCT:MEMBER");
	L = &c.filter[2].loop;
	ok(t, L->kind == CS_ERASE_LOOP_ARRAY && L->nbody == 2 && L->body[0].size_value == 8 &&
		      L->body[1].target.nparts == 3 && c.filter[2].line == 9,
	   "for ID in ARRAY, the whole loop on one line");
	L = &c.filter[3].loop;
	ok(t, L->kind == CS_ERASE_LOOP_WITHIN && !strcmp(L->struct_name, "s2") &&
		      !strcmp(L->list_member, "list") && L->nbody == 0,
	   "within STRUCT alone: member 'list' (makedumpfile's default); an empty body");
	cs_erase_config_free(&c);
}

/* Each bad file fails with exactly "f.conf:LINE: ..." containing `what`. */
static void test_errors(struct tap *t)
{
	static const struct {
		const char *text;
		unsigned line;
		const char *what;
	} bad[] = {
		{"erase\n", 1, "expected a symbol after 'erase'"},
		{"erase a\nerase size 4\n", 2, "expected a symbol after 'erase'"},
		{"erase a.\n", 1, "'a.' is not SYMBOL[.member...]"},
		{"erase .a\n", 1, "'.a' is not SYMBOL"},
		{"erase a..b\n", 1, "'a..b' is not SYMBOL"},
		{"erase 9a\n", 1, "'9a' is not SYMBOL"},
		{"\n\nerase a.b-c\n", 3, "'a.b-c' is not SYMBOL"},
		{"erase a size\n", 1, "expected a size after 'size'"},
		{"erase a size nullify\n", 1, "expected a size after 'size'"},
		{"erase a size 0\n", 1, "size '0' must be positive"},
		{"erase a size 12X\n", 1, "invalid size '12X'"},
		{"erase a size 1KB\n", 1, "invalid size '1KB'"},
		{"erase a size 99999999999999999999\n", 1, "size '99999999999999999999' is too large"},
		{"erase a size 17592186044416M\n", 1, "is too large"},
		{"erase a size b.\n", 1, "'b.' is not SYMBOL"},
		{"erase a nullify size 4\n", 1, "unexpected 'size'"},
		{"erase a b\n", 1, "unexpected 'b' (expected 'erase', 'for' or a [section])"},
		{"hello\n", 1, "unexpected 'hello'"},
		{"[vmlinux\nerase a\n", 1, "invalid section header '[vmlinux'"},
		{"[]\n", 1, "invalid section header '[]'"},
		{"[a b]\n", 1, "invalid section header '[a'"},
		{"erase a [mod]\n", 1, "invalid section header '[mod]'"},
		{"[mod] erase a\n", 1, "unexpected 'erase a' after the section header [mod]"},
		{"[mod]x\n", 1, "invalid section header '[mod]x'"},
		{"endfor\n", 1, "'endfor' without a 'for'"},
		{"for\n", 1, "expected an iteration variable after 'for'"},
		{"for a.b in x\n", 1, "'a.b' is not a valid iteration variable"},
		{"for e x\n", 1, "expected 'in' after 'for e', not 'x'"},
		{"for e\n", 1, "expected 'in' after 'for e'"},
		{"for e in\n", 1, "expected a list after 'in'"},
		{"for e in endfor\n", 1, "expected a list after 'in'"},
		{"for e in l via\n", 1, "expected a member after 'via'"},
		{"for e in l via a.b\nendfor\n", 1, "'via a.b': the next member must be one member name"},
		{"for e in l within\n", 1, "expected STRUCT:MEMBER after 'within'"},
		{"for e in l within s:\nendfor\n", 1, "'within s:': expected STRUCT:MEMBER"},
		{"for e in l within :m\nendfor\n", 1, "'within :m': expected STRUCT:MEMBER"},
		{"for e in l\n erase e.a\n", 2, "no 'endfor' for the 'for' at line 1"},
		{"for e in l\n erase x.a\nendfor\n", 2, "'erase x' inside the loop does not use its variable 'e'"},
		{"for e in l\n for f in m\n", 2, "'for' inside the 'for' at line 1 (loops do not nest)"},
		{"for e in l\n erase e\n[mod]\n", 3, "section [mod] inside the 'for' at line 1"},
		{"for e in l\n nullify\nendfor\n", 2, "unexpected 'nullify' inside the 'for' at line 1"},
		{"erase a\0b\n", 1, "a NUL byte"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cs_erase_config c;
		struct cs_err err;
		char want[64];
		size_t len = strlen(bad[i].text);
		cs_status st;

		if (strstr(bad[i].what, "NUL"))
			len = 10;
		cs_err_clear(&err);
		st = cs_erase_config_parse("f.conf", bad[i].text, len, &c, &err);
		snprintf(want, sizeof(want), "f.conf:%u: ", bad[i].line);
		ok(t, st == CS_ERR_FORMAT && !strncmp(err.msg, want, strlen(want)) &&
			      strstr(err.msg, bad[i].what) && c.nfilters == 0 && !c.arena,
		   "error %zu: %s%s", i, want, bad[i].what);
		if (st != CS_ERR_FORMAT || !strstr(err.msg, bad[i].what))
			printf("#   got: %s\n", err.msg);
		if (st == CS_OK)
			cs_erase_config_free(&c);
	}
}

static void test_load(struct tap *t)
{
	char path[] = "/tmp/cs-erase-config-XXXXXX";
	struct cs_erase_config c;
	struct cs_err err;
	int fd = mkstemp(path);
	const char *text = "erase init_task.comm\n";

	ok(t, fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "a filter file written");
	close(fd);
	ok(t, cs_erase_config_load(path, &c, &err) == CS_OK && c.nfilters == 1 &&
		      !strcmp(c.filter[0].erase.target.part[1], "comm") && !strcmp(c.path, path),
	   "loaded from a file");
	cs_erase_config_free(&c);
	unlink(path);
	ok(t, cs_erase_config_load(path, &c, &err) == CS_ERR_SYSTEM && strstr(err.msg, path),
	   "a missing file names itself (%s)", err.msg);
	ok(t, cs_erase_config_load("/tmp", &c, &err) == CS_ERR_ARGS && strstr(err.msg, "regular file"),
	   "a directory is refused (%s)", err.msg);
}

int main(void)
{
	struct tap t = {0};

	test_erase_forms(&t);
	test_loop_forms(&t);
	test_errors(&t);
	test_load(&t);
	return tap_done(&t);
}
