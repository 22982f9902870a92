/* engine/erase.c: --config (filter file + -x vmlinux) resolved through the crashed kernel into the physical ranges the pipeline erases. */
#include "engine/erase.h"

#include <stdlib.h>

#include "formats/erase_config.h"
#include "formats/erase_resolve.h"

static cs_status kernel_read(void *ctx, vaddr_t vaddr, void *buf, size_t len, struct cs_err *err)
{
	return cs_kernel_read(ctx, vaddr, buf, len, err);
}

cs_status cs_erase_build(const char *config, const char *vmlinux, struct cs_kernel *k,
			 struct cs_erase_map *m, struct cs_err *err)
{
	struct cs_erase_config cfg;
	struct cs_erase_vrange *r = NULL;
	size_t n = 0;
	cs_status st;

	cs_erase_map_free(m);
	if (!vmlinux)
		return cs_err_set(err, CS_ERR_ARGS, "--config needs -x VMLINUX (the symbols and types to erase)");
	if (!k->have_arch)
		return cs_err_set(err, CS_ERR_NOTSUP, "--config: the dump has no kernel model to read "
				  "its memory (no VMCOREINFO page-table root)");
	if ((st = cs_erase_config_load(config, &cfg, err)) != CS_OK)
		return st;
	struct cs_erase_env env = {
		.vmlinux = vmlinux,
		.kaslr_offset = cs_km_has(&k->km, KM_KERNELOFFSET) ? cs_km_get(&k->km, KM_KERNELOFFSET) : 0,
		.read = kernel_read,
		.read_ctx = k,
	};
	st = cs_erase_resolve(&cfg, &env, &r, &n, err);
	for (size_t i = 0; i < n && st == CS_OK; i++) {
		st = cs_erase_map_add_virt(m, k, r[i].vaddr, r[i].len, r[i].nullify ? 0 : CS_ERASE_FILL, err);
		if (st != CS_OK)
			cs_erase_config_err(err, st, cfg.path, r[i].line, "%s", err->msg);
	}
	free(r);
	cs_erase_config_free(&cfg);
	if (st != CS_OK) {
		cs_erase_map_free(m);
		return st;
	}
	cs_erase_map_finish(m);
	return CS_OK;
}
