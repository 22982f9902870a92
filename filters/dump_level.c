/* filters/dump_level.c: names of the exclusion classes (the decision itself is inline in dump_level.h). */
#include "filters/dump_level.h"

const char *cs_excl_name(enum cs_excl what)
{
	static const char *const names[CS_EXCL_NR] = {
		[CS_KEEP] = "Kept",
		[CS_EXCL_FREE] = "Free pages",
		[CS_EXCL_CACHE] = "Non-private cache",
		[CS_EXCL_CACHE_PRIVATE] = "Private cache",
		[CS_EXCL_USER] = "User process data",
		[CS_EXCL_HWPOISON] = "Hwpoison",
		[CS_EXCL_OFFLINE] = "Offline",
		[CS_KEEP_UNVERIFIED] = "Kept (unverified metadata)",
	};

	return (unsigned)what < CS_EXCL_NR ? names[what] : "?";
}
