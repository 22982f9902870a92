/* engine/erase.h: --config turned into the physical bytes to erase, once, before any page is written. */
#ifndef CS_ENGINE_ERASE_H
#define CS_ENGINE_ERASE_H

#include "core/erase.h"
#include "core/kernel.h"

/*
 * Load the filter file `config` (formats/erase_config.h), resolve it against
 * `vmlinux` and k's memory (formats/erase_resolve.h; symbols moved by k's
 * KERNELOFFSET), translate every range by k's page tables and add it to *m,
 * finished (cs_erase_map_finish). *m is left empty on failure; a filter
 * line's error starts "CONFIG:LINE: ".
 */
cs_status cs_erase_build(const char *config, const char *vmlinux, struct cs_kernel *k,
			 struct cs_erase_map *m, struct cs_err *err);

#endif
