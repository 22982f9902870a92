/* core/kmodel.c: the kernel-model key table (names and kinds of VMCOREINFO facts). */
#include "core/kmodel.h"

#include <string.h>

static const struct {
	const char *key;
	enum cs_km_kind kind;
} km_table[KM_NR_FIELDS] = {
#define CS_KM_ROW(id, key, kind) [KM_##id] = {key, kind},
	CS_KM_FIELDS(CS_KM_ROW)
#undef CS_KM_ROW
};

const char *cs_km_key(enum cs_km_id id)
{
	return km_table[id].key;
}

enum cs_km_kind cs_km_kind_of(enum cs_km_id id)
{
	return km_table[id].kind;
}

void cs_km_relocate(struct cs_kmodel *km, uint64_t kernel_offset)
{
	if (!kernel_offset)
		return;
	for (int i = 0; i < KM_NR_FIELDS; i++)
		if (km->have[i] && km_table[i].kind == KM_SYM)
			km->val[i] += kernel_offset;
	cs_km_set(km, KM_KERNELOFFSET, kernel_offset);
}

int cs_km_lookup(const char *key, size_t len)
{
	for (int i = 0; i < KM_NR_FIELDS; i++)
		if (strlen(km_table[i].key) == len && memcmp(km_table[i].key, key, len) == 0)
			return i;
	return -1;
}
