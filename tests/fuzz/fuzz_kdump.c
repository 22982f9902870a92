/* tests/fuzz/fuzz_kdump.c: fuzz target: the kdump-compressed reader (formats/kdump_read.c), read_pages of every dumpable pfn, then the scan. */
#include "fuzz_common.h"
#include "fuzz_source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* kdump-compressed and legacy diskdump headers only; flattened streams have fuzz_flat. */
	if (size < 8 || (memcmp(data, "KDUMP   ", 8) != 0 && memcmp(data, "DISKDUMP", 8) != 0))
		return 0;
	fz_source_exercise(data, size, FZ_SRC_SCAN | FZ_SRC_REFILTER);
	return 0;
}
