/* formats/split.c: --split piece boundaries (pfn ranges of about equal kept pages). */
#include "formats/split.h"

cs_status cs_split_ranges(const struct cs_bitmap *bitmap2, pfn_t max_mapnr, size_t n,
			  uint64_t splitblock_pages, pfn_t *starts, struct cs_err *err)
{
	pfn_t end = CS_MIN(max_mapnr, bitmap2->nbits);
	uint64_t total = cs_bitmap_count(bitmap2, 0, end);

	if (n < 1)
		return cs_err_set(err, CS_ERR_ARGS, "no split pieces");
	starts[0] = 0;
	starts[n] = max_mapnr;
	if (splitblock_pages) {
		/* makedumpfile's calculate_end_pfn_by_splitblock(). */
		uint64_t nblocks = CS_DIV_ROUND_UP(max_mapnr, splitblock_pages), cur = 0;
		for (size_t i = 1; i < n; i++) {
			int64_t needed = (int64_t)(total / n);
			while (cur < nblocks && needed > 0) {
				pfn_t a = cur * splitblock_pages, b = CS_MIN(a + splitblock_pages, end);
				needed -= a < b ? (int64_t)cs_bitmap_count(bitmap2, a, b) : 0;
				cur++;
			}
			starts[i] = CS_MIN(cur * splitblock_pages, max_mapnr);
		}
		return CS_OK;
	}
	/* Exact balance on word steps: piece i ends where the running count reaches total * i / n. */
	{
		uint64_t seen = 0;
		pfn_t pfn = 0;
		for (size_t i = 1; i < n; i++) {
			uint64_t want = (uint64_t)((unsigned __int128)total * i / n);
			while (pfn < end && seen < want) {
				pfn_t next = CS_MIN(end, (pfn | 63) + 1);
				seen += cs_bitmap_count(bitmap2, pfn, next);
				pfn = next;
			}
			starts[i] = CS_MIN(pfn, max_mapnr);
		}
	}
	return CS_OK;
}
