/* formats/kdump_codec.h: the kdump format's {page_desc flag, codec} table and page decoding. */
#ifndef CS_KDUMP_CODEC_H
#define CS_KDUMP_CODEC_H

#include "core/types.h"
#include "core/error.h"
#include "compress/codec.h"

/* The CS_DUMP_DH_COMPRESSED_* flag of codec c; 0 for none (raw pages). */
uint32_t cs_kdump_codec_flag(const struct cs_codec *c);

/* The built codec for a page_desc / header compression flag (0 -> none), or NULL. */
const struct cs_codec *cs_kdump_codec_by_flag(uint32_t flag);

/*
 * Decode one page whose page_desc flags are `flags` (0 = raw: a copy of
 * size == page_size bytes). CS_ERR_NOTSUP names a codec missing from the build.
 */
cs_status cs_kdump_decode_page(uint32_t flags, const void *src, size_t n, void *dst,
			       size_t page_size, struct cs_err *err);

#endif
