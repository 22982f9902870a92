/* tests/unit/test_erase_resolve.c: --config commands resolved through DWARF and memory (formats/erase_resolve.c) against tests/fixtures/kstructs.c's own addresses and sizes. */
#include "formats/erase_resolve.h"
#include "tests/lib/tap.h"

#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The fixture, built -no-pie, is both the "vmlinux" (symbols, DWARF) and the
 * crashed kernel's memory: its PT_LOADs at their link addresses.
 */
struct image {
	uint8_t *file;
	size_t size;
	const Elf64_Phdr *ph;
	size_t nph;
};

static cs_status image_read(void *ctx, vaddr_t vaddr, void *buf, size_t len, struct cs_err *err)
{
	const struct image *im = ctx;

	for (size_t i = 0; i < im->nph; i++) {
		const Elf64_Phdr *p = &im->ph[i];

		if (p->p_type != PT_LOAD || vaddr < p->p_vaddr || vaddr + len > p->p_vaddr + p->p_memsz)
			continue;
		for (size_t k = 0; k < len; k++) {
			uint64_t o = vaddr + k - p->p_vaddr;
			((uint8_t *)buf)[k] = o < p->p_filesz ? im->file[p->p_offset + o] : 0;
		}
		return CS_OK;
	}
	return cs_err_set(err, CS_ERR_NODATA, "0x%" PRIx64 " is not in the image", vaddr);
}

static bool image_load(const char *path, struct image *im)
{
	struct stat sb;
	int fd = open(path, O_RDONLY);
	const Elf64_Ehdr *eh;

	if (fd < 0 || fstat(fd, &sb) != 0)
		return false;
	im->size = (size_t)sb.st_size;
	im->file = malloc(im->size);
	if (!im->file || read(fd, im->file, im->size) != (ssize_t)im->size)
		return false;
	close(fd);
	eh = (const Elf64_Ehdr *)(void *)im->file;
	im->ph = (const Elf64_Phdr *)(void *)(im->file + eh->e_phoff);
	im->nph = eh->e_phnum;
	return true;
}

/* NAME=0xVALUE lines of the truth program. */
struct truth {
	char name[32][32];
	uint64_t val[32];
	int n;
};

static uint64_t T(const struct truth *t, const char *name)
{
	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->name[i], name))
			return t->val[i];
	printf("# no truth for %s\n", name);
	return 0;
}

static bool load_truth(const char *prog, struct truth *t)
{
	char line[128];
	FILE *p = popen(prog, "r");

	if (!p)
		return false;
	t->n = 0;
	while (t->n < 32 && fgets(line, sizeof(line), p)) {
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		snprintf(t->name[t->n], sizeof(t->name[0]), "%.31s", line);
		t->val[t->n++] = strtoull(eq + 1, NULL, 16);
	}
	return pclose(p) == 0 && t->n > 20;
}

struct want {
	uint64_t vaddr, len;
	bool nullify;
	unsigned line;
};

static cs_status resolve(const struct cs_erase_env *env, const char *text, struct cs_erase_vrange **r,
			 size_t *n, struct cs_err *err)
{
	struct cs_erase_config cfg;
	cs_status st = cs_erase_config_parse("t.conf", text, strlen(text), &cfg, err);

	*r = NULL;
	*n = 0;
	if (st != CS_OK) {
		printf("# parse: %s\n", err->msg);
		return st;
	}
	st = cs_erase_resolve(&cfg, env, r, n, err);
	cs_erase_config_free(&cfg);
	return st;
}

static void check_ranges(struct tap *t, const struct cs_erase_env *env, const char *what,
			 const char *text, const struct want *w, size_t nw)
{
	struct cs_erase_vrange *r;
	size_t n, bad = 0;
	struct cs_err err;
	cs_status st = resolve(env, text, &r, &n, &err);

	ok(t, st == CS_OK, "%s: resolves (%s)", what, st ? err.msg : "ok");
	for (size_t i = 0; i < n || i < nw; i++) {
		bool same = i < n && i < nw && r[i].vaddr == w[i].vaddr && r[i].len == w[i].len &&
			    r[i].nullify == w[i].nullify && r[i].line == w[i].line;
		if (!same) {
			bad++;
			printf("#   %s range %zu: got ", what, i);
			if (i < n)
				printf("0x%" PRIx64 "+%" PRIu64 "%s line %u", r[i].vaddr, r[i].len,
				       r[i].nullify ? " nullify" : "", r[i].line);
			printf(", want ");
			if (i < nw)
				printf("0x%" PRIx64 "+%" PRIu64 "%s line %u", w[i].vaddr, w[i].len,
				       w[i].nullify ? " nullify" : "", w[i].line);
			printf("\n");
		}
	}
	ok(t, st == CS_OK && bad == 0 && n == nw, "%s: exactly the %zu expected ranges", what, nw);
	free(r);
}

static void test_erase(struct tap *t, const struct cs_erase_env *env, const struct truth *tr)
{
	uint64_t n0 = T(tr, "erase_nodes"), s1 = T(tr, "sizeof_s1");
	uint64_t n2 = n0 + 2 * s1;
	const char *text =
		"erase erase_array\n"                                       /* 1 */
		"erase erase_nodes\n"                                       /* 2 */
		"erase erase_first.buffer size 25\n"                        /* 3 */
		"erase erase_first.name\n"                                  /* 4 */
		"erase erase_first.addr1 nullify\n"                         /* 5 */
		"erase erase_first.addr2 size 1K\n"                         /* 6 */
		"erase mystruct2.addr size mystruct2.addr_size\n"           /* 7 */
		"erase erase_first.key size erase_first.small_size\n"       /* 8 */
		"erase erase_first.next.next.private\n"                     /* 9 */
		"erase erase_first.next.next.next.private\n"                /* 10: NULL on the way */
		"erase erase_matrix\n"                                      /* 11 */
		"erase erase_blob size erase_first.mid_size\n"              /* 12 */
		"erase erase_first.list\n"                                  /* 13 */
		"erase erase_null.buffer\n"                                 /* 14: NULL */
		"erase erase_first\n"                                       /* 15: what it points to */
		"erase erase_first nullify\n";                              /* 16 */
	const struct want w[] = {
		{T(tr, "erase_array"), 100, false, 1},
		{n0, 3 * s1, false, 2},
		{n0 + T(tr, "s1.buffer"), 25, false, 3},
		{T(tr, "erase_hello"), 11, false, 4},
		{n0 + T(tr, "s1.addr1"), 8, true, 5},
		{T(tr, "erase_blob"), 1024, false, 6},
		{T(tr, "erase_blob"), 100, false, 7},
		{T(tr, "erase_key0"), 3, false, 8},
		{n2 + T(tr, "s1.private"), 100, false, 9},
		{T(tr, "erase_matrix"), T(tr, "sizeof_matrix"), false, 11},
		{T(tr, "erase_blob"), 300, false, 12},
		{n0 + T(tr, "s1.list"), 16, false, 13},
		{n0, s1, false, 15},
		{T(tr, "erase_first"), 8, true, 16},
	};

	check_ranges(t, env, "erase forms", text, w, sizeof(w) / sizeof(w[0]));
}

static void test_loops(struct tap *t, const struct cs_erase_env *env, const struct truth *tr)
{
	uint64_t n0 = T(tr, "erase_nodes"), s1 = T(tr, "sizeof_s1");
	uint64_t priv = T(tr, "s1.private"), buf = T(tr, "s1.buffer"), ks = T(tr, "s1.key_size");
	const char *text =
		"for e in erase_nodes\n"                                    /* 1 */
		"  erase e.private\n"                                       /* 2 */
		"  erase e.key size e.key_size\n"                           /* 3 */
		"endfor\n"
		"for n in erase_first via next\n"                           /* 5 */
		"  erase n.buffer size 8\n"                                 /* 6 */
		"endfor\n"
		"for n in erase_ring_a via next erase n.key size n.key_size endfor\n" /* 8 */
		"for n in erase_list_head.next within erase_s1:list\n"      /* 9 */
		"  erase n.private size 9\n"                                /* 10 */
		"endfor\n"
		"for n in erase_list_head within erase_s1:list erase n.key_size endfor\n" /* 12 */
		"for p in erase_ptrs erase p.key size 1 endfor\n"           /* 13 */
		"for e in erase_null via next erase e.buffer endfor\n";     /* 14: nothing */
	const struct want w[] = {
		{n0 + priv, 100, false, 2},
		{T(tr, "erase_key0"), 8, false, 3},
		{n0 + s1 + priv, 100, false, 2},
		{T(tr, "erase_key1"), 7, false, 3},
		{n0 + 2 * s1 + priv, 100, false, 2},
		/* key2: key_size 0, nothing */
		{n0 + buf, 8, false, 6},
		{n0 + s1 + buf, 8, false, 6},
		{n0 + 2 * s1 + buf, 8, false, 6},
		{T(tr, "erase_key0"), 4, false, 8},
		{T(tr, "erase_key1"), 5, false, 8},
		{n0 + priv, 9, false, 10},
		{n0 + s1 + priv, 9, false, 10},
		{n0 + 2 * s1 + priv, 9, false, 10},
		{n0 + ks, 8, false, 12},
		{n0 + s1 + ks, 8, false, 12},
		{n0 + 2 * s1 + ks, 8, false, 12},
		{T(tr, "erase_key0"), 1, false, 13},
		{T(tr, "erase_key2"), 1, false, 13},
	};

	check_ranges(t, env, "loops", text, w, sizeof(w) / sizeof(w[0]));
}

static void test_errors(struct tap *t, const struct cs_erase_env *env)
{
	static const struct {
		const char *text;
		const char *want; /* the whole message starts "t.conf:LINE: " and holds this */
		unsigned line;
	} bad[] = {
		{"erase no_such_symbol\n", "unknown symbol 'no_such_symbol'", 1},
		{"\nerase erase_first.nope\n", "'erase_first' (struct erase_s1) has no member 'nope'", 2},
		{"erase erase_first.next.nope\n", "'erase_first.next' (struct erase_s1) has no member 'nope'", 1},
		{"erase erase_array.x\n", "'erase_array' is not a struct or union: it has no member 'x'", 1},
		{"erase erase_array size 101\n", "size 101 is beyond 'erase_array' (100 bytes)", 1},
		{"erase erase_first.buffer size 51\n", "size 51 is beyond 'erase_first.buffer' (50 bytes)", 1},
		{"erase erase_first size 1K\n", "size 1024 is beyond 'erase_first' (232 bytes)", 1},
		{"erase erase_blob size erase_first.int_size\n", "size 70000 is beyond 'erase_blob' (1024 bytes)", 1},
		{"erase erase_first.addr1\n", "'erase_first.addr1' points to void: give 'size N'", 1},
		{"erase erase_array nullify\n", "'erase_array' is not a pointer: nullify", 1},
		{"erase erase_blob size erase_first.buffer\n", "the size 'erase_first.buffer' is not an integer", 1},
		{"erase erase_blob size erase_first.key\n", "the size 'erase_first.key' is not an integer", 1},
		{"erase erase_blob size nope.x\n", "unknown symbol 'nope'", 1},
		{"for e in erase_first erase e.key endfor\n", "'erase_first' is not an array", 1},
		{"for n in erase_cyc_first via next\n erase n.key_size\nendfor\n",
		 "the list from 'erase_cyc_first' via 'next' does not end", 1},
		{"for n in erase_bad_head within erase_s1:list erase n.key_size endfor\n",
		 "the list 'erase_bad_head' does not get back to its head", 1},
		{"for n in erase_first via key endfor\n", "'via key': the member is not a pointer to struct erase_s1", 1},
		{"for n in erase_first via nope endfor\n", "'via nope': struct erase_s1 has no member 'nope'", 1},
		{"for n in erase_nodes via next endfor\n", "is not a struct or a pointer to one", 1},
		{"for n in erase_list_head within nostruct:list endfor\n", "unknown struct 'nostruct'", 1},
		{"for n in erase_list_head within erase_s1:buffer endfor\n",
		 "struct erase_s1 has no struct list_head member 'buffer'", 1},
		{"for n in erase_array within erase_s1:list endfor\n", "'erase_array' is not a struct list_head", 1},
		{"for n in erase_nodes\n erase n.nope\nendfor\n", "'n' (struct erase_s1) has no member 'nope'", 2},
		{"erase erase_array\n[mymod]\nerase x\n", "[mymod]: erasing data of a module is not supported yet", 3},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cs_erase_vrange *r;
		struct cs_err err;
		char prefix[32];
		size_t n;
		cs_status st = resolve(env, bad[i].text, &r, &n, &err);

		snprintf(prefix, sizeof(prefix), "t.conf:%u: ", bad[i].line);
		ok(t, st != CS_OK && !strncmp(err.msg, prefix, strlen(prefix)) && strstr(err.msg, bad[i].want) &&
			      !r && n == 0,
		   "error %zu: %s%s", i, prefix, bad[i].want);
		if (st == CS_OK || !strstr(err.msg, bad[i].want) || strncmp(err.msg, prefix, strlen(prefix)))
			printf("#   got: %s\n", st ? err.msg : "success");
		free(r);
	}
}

int main(void)
{
	struct tap t = {0};
	const char *root = getenv("CS_ROOT");
	char src[512], dir[] = "/tmp/cs-erase-resolve-XXXXXX", cmd[2048], bin[600];
	struct truth tr;
	struct image im = {0};
	struct cs_erase_env env;
	struct cs_erase_vrange *r;
	struct cs_err err;
	size_t n;

	snprintf(src, sizeof(src), "%s/tests/fixtures/kstructs.c", root ? root : ".");
	if (access(src, R_OK) != 0) {
		printf("SKIP: %s not found (run from the repository root or set CS_ROOT)\n", src);
		return 0;
	}
	if (!mkdtemp(dir))
		return 1;
	snprintf(bin, sizeof(bin), "%s/erasek", dir);
	snprintf(cmd, sizeof(cmd), "cc -g -no-pie -DKSTRUCTS_ERASE_TRUTH -o '%s' '%s'", bin, src);
	ok(&t, system(cmd) == 0, "the fixture builds: %s", cmd);
	ok(&t, load_truth(bin, &tr), "its truth program prints the addresses and sizes");
	ok(&t, image_load(bin, &im), "its memory image is read");
	env = (struct cs_erase_env){.vmlinux = bin, .read = image_read, .read_ctx = &im};
#ifdef HAVE_LIBDW
	test_erase(&t, &env, &tr);
	test_loops(&t, &env, &tr);
	test_errors(&t, &env);
	{
		/* KERNELOFFSET moves every symbol: the range moves with it (memory is not read here). */
		struct cs_erase_env moved = env;
		moved.kaslr_offset = 0x100000;
		ok(&t, resolve(&moved, "erase erase_array size 4\n", &r, &n, &err) == CS_OK && n == 1 &&
			       r[0].vaddr == T(&tr, "erase_array") + 0x100000,
		   "the kaslr offset is added to symbol values");
		free(r);
	}
	env.vmlinux = "/nonexistent/vmlinux";
	ok(&t, resolve(&env, "erase x\n", &r, &n, &err) != CS_OK && strstr(err.msg, "/nonexistent/vmlinux") &&
		       !strncmp(err.msg, "t.conf: ", 8),
	   "a missing vmlinux is named (%s)", err.msg);
#else
	ok(&t, resolve(&env, "erase x\n", &r, &n, &err) == CS_ERR_NOTSUP, "no libdw: not supported");
#endif
	ok(&t, resolve(&env, "# nothing\n", &r, &n, &err) == CS_OK && n == 0 && !r,
	   "an empty config: no ranges, no vmlinux opened");
	free(im.file);
	unlink(bin);
	rmdir(dir);
	return tap_done(&t);
}
