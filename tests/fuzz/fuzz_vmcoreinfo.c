/* tests/fuzz/fuzz_vmcoreinfo.c: fuzz target: VMCOREINFO text -> kernel model (formats/vmcoreinfo.c), its writer round trip and the -i file loader. */
#include "fuzz_common.h"
#include "formats/vmcoreinfo.h"

static void models_equal(const struct cs_kmodel *a, const struct cs_kmodel *b)
{
	FZ_ASSERT(strcmp(a->osrelease, b->osrelease) == 0);
	for (int i = 0; i < KM_NR_FIELDS; i++) {
		FZ_ASSERT(!a->have[i] == !b->have[i]);
		if (a->have[i])
			FZ_ASSERT(a->val[i] == b->val[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cs_kmodel *km = calloc(1, sizeof(*km)), *km2 = calloc(1, sizeof(*km2));
	struct cs_vmcoreinfo_stats st, st2;
	struct fz_file f;
	struct cs_err err;
	size_t need;
	char *text;

	if (!km || !km2)
		abort();
	/* The note text is not NUL-terminated: parse a private copy ASan can bound. */
	char *copy = malloc(size ? size : 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	cs_vmcoreinfo_parse(copy, size, km, &st);
	FZ_ASSERT(st.stored <= st.lines);
	FZ_ASSERT(memchr(st.first_rejected, 0, sizeof(st.first_rejected)) != NULL);
	FZ_ASSERT(memchr(km->osrelease, 0, sizeof(km->osrelease)) != NULL);
	for (int i = 0; i < KM_NR_FIELDS; i++)
		FZ_ASSERT(km->have[i] <= 1);

	/* Writing the model and parsing it again gives the same model. */
	need = cs_vmcoreinfo_format(km, NULL, NULL, 0);
	text = malloc(need + 1);
	if (!text)
		abort();
	FZ_ASSERT(cs_vmcoreinfo_format(km, NULL, text, need + 1) == need);
	FZ_ASSERT(strlen(text) == need);
	cs_vmcoreinfo_parse(text, need, km2, &st2);
	FZ_ASSERT(st2.rejected == 0 && st2.malformed == 0 && st2.unknown == 0 && st2.duplicates == 0);
	models_equal(km, km2);
	free(text);

	/* The same bytes as a `-i` file, with and without a dump KERNELOFFSET to relocate by. */
	fz_file_open(&f, data, size);
	memset(km2, 0, sizeof(*km2));
	if (cs_vmcoreinfo_load_file(f.path, km2, &err) == CS_OK)
		models_equal(km, km2);
	else
		fz_check_msg(err.msg);
	memset(km2, 0, sizeof(*km2));
	cs_km_set(km2, KM_KERNELOFFSET, 0x1000000);
	if (cs_vmcoreinfo_load_file(f.path, km2, &err) == CS_OK)
		FZ_ASSERT(cs_km_get(km2, KM_KERNELOFFSET) == 0x1000000);
	else
		fz_check_msg(err.msg);
	fz_file_close(&f);
	free(copy);
	free(km);
	free(km2);
	return 0;
}
