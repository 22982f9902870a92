/* tests/unit/test_dwarf.c: -x / -g: the kernel model read from DWARF of tests/fixtures/kstructs.c equals its offsetof/sizeof truth. */
#include "formats/dwarf_layout.h"
#include "formats/vmcoreinfo.h"
#include "tests/lib/tap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct env {
	char dir[256];
	char src[512];
};

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* Run a program and parse its KEY=VALUE output as VMCOREINFO (the truth program). */
static bool load_truth(const char *prog, struct cs_kmodel *km)
{
	char buf[16384];
	size_t n;
	FILE *p = popen(prog, "r");

	if (!p)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	if (pclose(p) != 0)
		return false;
	memset(km, 0, sizeof(*km));
	cs_vmcoreinfo_parse(buf, n, km, NULL);
	return km->osrelease[0] != 0;
}

/* Every key of `truth` has the same value in `got`. */
static void check_against(struct tap *t, const struct cs_kmodel *truth, const struct cs_kmodel *got,
			  const char *what)
{
	int bad = 0, n = 0;

	for (int i = 0; i < KM_NR_FIELDS; i++) {
		if (!truth->have[i])
			continue;
		n++;
		if (!got->have[i] || got->val[i] != truth->val[i]) {
			bad++;
			printf("#   %s: %s want %" PRId64 ", got %s%" PRId64 "\n", what, cs_km_key(i),
			       (int64_t)truth->val[i], got->have[i] ? "" : "(absent) ", (int64_t)got->val[i]);
		}
	}
	ok(t, bad == 0 && n > 70, "%s: %d SIZE/OFFSET/LENGTH/NUMBER keys equal the offsetof/sizeof truth",
	   what, n);
}

/* SYMBOL value as `nm` prints it. */
static uint64_t nm_value(const char *bin, const char *sym)
{
	char cmd[700], line[256];
	uint64_t v = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "nm '%s' 2>/dev/null", bin);
	p = popen(cmd, "r");
	if (!p)
		return 0;
	while (fgets(line, sizeof(line), p)) {
		char name[200], type;
		unsigned long long a;

		if (sscanf(line, "%llx %c %199s", &a, &type, name) == 3 && !strcmp(name, sym))
			v = a;
	}
	pclose(p);
	return v;
}

static bool find_source(struct env *e)
{
	const char *root = getenv("CS_ROOT");
	struct stat st;

	if (root) {
		snprintf(e->src, sizeof(e->src), "%s/tests/fixtures/kstructs.c", root);
		if (stat(e->src, &st) == 0)
			return true;
	}
	snprintf(e->src, sizeof(e->src), "%s/tests/fixtures/kstructs.c", ".");
	if (stat(e->src, &st) == 0) {
		char *abs = realpath(e->src, NULL);

		if (abs) {
			snprintf(e->src, sizeof(e->src), "%s", abs);
			free(abs);
		}
		return true;
	}
	return false;
}

static void test_model_for_dump(struct tap *t, const char *exe, const struct cs_kmodel *truth)
{
	struct cs_kmodel dump, out;
	struct cs_err err;
	uint64_t uts = nm_value(exe, "init_uts_ns");

	/* What the dump's note would say: relocated symbols, #defines, a wrong SIZE(page). */
	memset(&dump, 0, sizeof(dump));
	cs_km_set(&dump, KM_KERNELOFFSET, 0x3a000000);
	cs_km_set(&dump, KM_SYM_init_uts_ns, uts + 0x3a000000);
	cs_km_set(&dump, KM_NUM_PAGE_BUDDY_MAPCOUNT_VALUE, (uint64_t)-129);
	cs_km_set(&dump, KM_NUM_SECTION_SIZE_BITS, 27);
	cs_km_set(&dump, KM_SIZE_page, 999);
	cs_km_set(&dump, KM_SYM_mem_section, 0xffff8880dead0000ull);
	snprintf(dump.osrelease, sizeof(dump.osrelease), "6.1.0-other");
	cs_err_clear(&err);
	ok(t, cs_dwarf_model_for_dump(exe, &dump, 4096, &out, &err) == CS_ERR_RELEASE &&
		      strstr(err.msg, "6.1.0-kstructs") && strstr(err.msg, "6.1.0-other"),
	   "vmlinux of another kernel refused (%s)", err.msg);
	snprintf(dump.osrelease, sizeof(dump.osrelease), "6.1.0-kstructs");
	cs_err_clear(&err);
	ok(t, cs_dwarf_model_for_dump(exe, &dump, 4096, &out, &err) == CS_OK, "model for a dump (%s)",
	   err.msg);
	ok_eq_u64(t, cs_km_get(&out, KM_SYM_init_uts_ns), uts + 0x3a000000, "SYMBOL relocated by KERNELOFFSET");
	ok_eq_u64(t, cs_km_get(&out, KM_SYM_mem_section), nm_value(exe, "mem_section") + 0x3a000000,
		  "SYMBOL(mem_section) stays the vmlinux's pointer variable (engine dereferences)");
	ok_eq_u64(t, cs_km_get(&out, KM_KERNELOFFSET), 0x3a000000, "KERNELOFFSET from the dump");
	ok_eq_u64(t, cs_km_get(&out, KM_SIZE_page), cs_km_get(truth, KM_SIZE_page),
		  "DWARF values win over the note (makedumpfile READ_* order)");
	ok(t, cs_km_has(&out, KM_NUM_PAGE_BUDDY_MAPCOUNT_VALUE) &&
		      cs_km_num(&out, KM_NUM_PAGE_BUDDY_MAPCOUNT_VALUE) == -129 &&
		      cs_km_get(&out, KM_NUM_SECTION_SIZE_BITS) == 27,
	   "#define'd NUMBERs filled from the note");
	ok(t, !strcmp(out.osrelease, "6.1.0-kstructs"), "OSRELEASE from the vmlinux");
	cs_err_clear(&err);
	ok(t, cs_dwarf_model_for_dump(exe, &dump, 8192, &out, &err) == CS_ERR_ARGS &&
		      strstr(err.msg, "page size"),
	   "page size mismatch refused (%s)", err.msg);
	cs_err_clear(&err);
	ok(t, cs_dwarf_model_for_dump(exe, NULL, 0, &out, &err) == CS_OK &&
		      cs_km_get(&out, KM_SYM_init_uts_ns) == uts && !cs_km_has(&out, KM_KERNELOFFSET),
	   "a dump without VMCOREINFO: symbols unrelocated");

	/* merge_missing alone */
	struct cs_kmodel a, b;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	cs_km_set(&a, KM_SIZE_page, 64);
	cs_km_set(&b, KM_SIZE_page, 80);
	cs_km_set(&b, KM_OFF_page_flags, 0);
	snprintf(b.osrelease, sizeof(b.osrelease), "x");
	cs_kmodel_merge_missing(&a, &b);
	ok(t, cs_km_get(&a, KM_SIZE_page) == 64 && cs_km_has(&a, KM_OFF_page_flags) &&
		      !strcmp(a.osrelease, "x"),
	   "merge_missing keeps dst, fills the rest");
}

static void test_gen_text(struct tap *t, const char *exe)
{
	struct cs_kmodel direct, back;
	struct cs_err err;
	char *text = NULL;
	size_t len = 0;
	int diff = 0;

	cs_err_clear(&err);
	ok(t, cs_dwarf_vmcoreinfo_text(exe, &text, &len, &err) == CS_OK && text, "-g text (%s)", err.msg);
	if (!text)
		return;
	ok(t, !strncmp(text, "OSRELEASE=6.1.0-kstructs\nPAGESIZE=4096\nSYMBOL(mem_section)=", 59),
	   "-g starts as makedumpfile's: OSRELEASE, PAGESIZE, SYMBOL(mem_section)");
	ok(t, strlen(text) == len && text[len - 1] == '\n', "-g text length and final newline");
	/* 1.7.2 order: SIZE(latched_seq) before OFFSET(page.flags); extras after NUMBER(). */
	const char *a = strstr(text, "SIZE(latched_seq)="), *b = strstr(text, "OFFSET(page.flags)="),
		   *c = strstr(text, "NUMBER(HUGETLB_PAGE_DTOR)="), *d = strstr(text, "OFFSET(printk_info.seq)=");
	ok(t, a && b && c && d && a < b && b < c && c < d, "-g key order (makedumpfile's, then extras)");
	memset(&direct, 0, sizeof(direct));
	memset(&back, 0, sizeof(back));
	cs_dwarf_load(exe, &direct, &err);
	cs_vmcoreinfo_parse(text, len, &back, NULL);
	for (int i = 0; i < KM_NR_FIELDS; i++)
		if (direct.have[i] != back.have[i] || direct.val[i] != back.val[i]) {
			diff++;
			printf("#   %s: load %" PRIu64 " text %" PRIu64 "\n", cs_km_key(i), direct.val[i],
			       back.val[i]);
		}
	ok(t, diff == 0 && !strcmp(direct.osrelease, back.osrelease),
	   "-g text parses back to the loaded model (as -i reads it)");
	free(text);
}

int main(void)
{
	struct tap t = {0};
	struct env e;
	struct cs_kmodel truth, km;
	struct cs_err err;
	char path[512], exe[512];
	const char *tmp = getenv("TMPDIR");
	static const struct {
		const char *flags, *what;
	} variants[] = {
		{"-g -c", "object file (ET_REL, cc -g -c, relocated by libdwfl)"},
		{"-g", "executable (DWARF 5)"},
		{"-gdwarf-4", "executable (DWARF 4)"},
		{"-gdwarf-2 -gstrict-dwarf", "executable (DWARF 2: member offsets as expressions)"},
		{"-g -O2", "optimised executable"},
	};

#ifndef HAVE_LIBDW
	cs_err_clear(&err);
	memset(&km, 0, sizeof(km));
	printf("SKIP: built without libdw (checked: -x fails cleanly)\n");
	return cs_dwarf_load("/nonexistent", &km, &err) == CS_ERR_NOTSUP ? 77 : 1;
#endif
	if (!find_source(&e)) {
		printf("SKIP: tests/fixtures/kstructs.c not found (run from the repository root or set CS_ROOT)\n");
		return 77;
	}
	if (sh("cc --version >/dev/null 2>&1") != 0) {
		printf("SKIP: no C compiler (cc) to build the DWARF fixture\n");
		return 77;
	}
	snprintf(e.dir, sizeof(e.dir), "%s/cs-dwarf-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(e.dir)) {
		printf("SKIP: cannot create a temporary folder: %s\n", strerror(errno));
		return 77;
	}

	ok(&t, sh("cc -g -DKSTRUCTS_TRUTH -o '%s/truth' '%s'", e.dir, e.src) == 0, "build the truth program");
	snprintf(path, sizeof(path), "'%s/truth'", e.dir);
	ok(&t, load_truth(path, &truth), "run the truth program");

	for (size_t v = 0; v < CS_ARRAY_SIZE(variants); v++) {
		bool obj = strstr(variants[v].flags, "-c") != NULL;

		snprintf(exe, sizeof(exe), "%s/k%zu%s", e.dir, v, obj ? ".o" : "");
		if (sh("cc %s -o '%s' '%s' 2>/dev/null", variants[v].flags, exe, e.src) != 0) {
			ok(&t, 1, "%s # SKIP the compiler refuses %s", variants[v].what, variants[v].flags);
			continue;
		}
		memset(&km, 0, sizeof(km));
		cs_err_clear(&err);
		ok(&t, cs_dwarf_load(exe, &km, &err) == CS_OK, "%s: load (%s)", variants[v].what, err.msg);
		check_against(&t, &truth, &km, variants[v].what);
		ok_eq_u64(&t, cs_km_get(&km, KM_PAGESIZE), 4096, "%s: PAGESIZE", variants[v].what);
		ok(&t, !cs_km_has(&km, KM_LEN_mem_section),
		   "%s: no LENGTH(mem_section) for the pointer form", variants[v].what);
		ok(&t, !cs_km_has(&km, KM_NUM_PAGE_BUDDY_MAPCOUNT_VALUE) && !cs_km_has(&km, KM_NUM_PG_buddy),
		   "%s: no #define'd NUMBERs invented", variants[v].what);
		if (!obj) {
			ok(&t, !strcmp(km.osrelease, "6.1.0-kstructs"), "%s: OSRELEASE from init_uts_ns (%s)",
			   variants[v].what, km.osrelease);
			ok_eq_u64(&t, cs_km_get(&km, KM_SYM_init_uts_ns), nm_value(exe, "init_uts_ns"),
				  "%s: SYMBOL(init_uts_ns) = nm", variants[v].what);
			ok_eq_u64(&t, cs_km_get(&km, KM_SYM_prb), nm_value(exe, "prb"), "%s: SYMBOL(prb) = nm",
				  variants[v].what);
			ok_eq_u64(&t, cs_km_get(&km, KM_SYM__stext), nm_value(exe, "_stext"),
				  "%s: SYMBOL(_stext) (a function) = nm", variants[v].what);
		}
	}

	/* Traps: a declaration of struct page first, PG_buddy in another enum, a named struct
	 * member holding a "private" (makedumpfile's depth-first search), an unbounded extern. */
	snprintf(exe, sizeof(exe), "%s/decoy", e.dir);
	ok(&t, sh("cc -g -DKSTRUCTS_DECOY -o '%s' '%s'", exe, e.src) == 0, "build the decoy variant");
	memset(&km, 0, sizeof(km));
	cs_err_clear(&err);
	ok(&t, cs_dwarf_load(exe, &km, &err) == CS_OK, "decoy: load (%s)", err.msg);
	check_against(&t, &truth, &km, "decoy");
	ok(&t, !cs_km_has(&km, KM_NUM_PG_buddy), "decoy: PG_buddy of another enum is not a page flag");

	/* The linux_banner fallback when init_uts_ns holds no release. */
	snprintf(exe, sizeof(exe), "%s/k1", e.dir);
	test_model_for_dump(&t, exe, &truth);
	test_gen_text(&t, exe);

	/* Errors: missing file, not ELF, no DWARF, not a kernel. */
	cs_err_clear(&err);
	memset(&km, 0, sizeof(km));
	ok(&t, cs_dwarf_load("/nonexistent/vmlinux", &km, &err) == CS_ERR_SYSTEM &&
		       strstr(err.msg, "/nonexistent/vmlinux") && strstr(err.msg, "No such file"),
	   "missing vmlinux (%s)", err.msg);
	ok(&t, cs_dwarf_load(e.src, &km, &err) == CS_ERR_FORMAT, "not an ELF file (%s)", err.msg);
	snprintf(exe, sizeof(exe), "%s/nodebug", e.dir);
	sh("cc -g0 -o '%s' '%s'", exe, e.src);
	cs_err_clear(&err);
	ok(&t, cs_dwarf_load(exe, &km, &err) == CS_ERR_FORMAT && strstr(err.msg, "DWARF"),
	   "no debug info (%s)", err.msg);
	{
		char *text = NULL;
		size_t len;

		snprintf(exe, sizeof(exe), "%s/truth", e.dir); /* has DWARF, but no init_uts_ns of its own? it does */
		snprintf(path, sizeof(path), "%s/k0.o", e.dir);
		cs_err_clear(&err);
		ok(&t, cs_dwarf_vmcoreinfo_text(path, &text, &len, &err) == CS_ERR_FORMAT && !text,
		   "-g of an object whose init_uts_ns is at 0 fails as makedumpfile (%s)", err.msg);
		free(text);
	}

	sh("rm -rf '%s'", e.dir);
	return tap_done(&t);
}
