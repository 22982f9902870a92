/* tests/fuzz/fuzz_elf.c: fuzz target: the ELF dump reader (formats/elf_read.c), then the kernel model and mem_map scan on what it opened. */
#include "fuzz_common.h"
#include "fuzz_source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Only ELF inputs: the kdump and flattened readers have targets of their own. */
	if (size < 4 || memcmp(data, "\177ELF", 4) != 0)
		return 0;
	fz_source_exercise(data, size, FZ_SRC_SCAN | FZ_SRC_REFILTER);
	return 0;
}
