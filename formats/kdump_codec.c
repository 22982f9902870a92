/* formats/kdump_codec.c: which kdump flag bit names which codec (the codecs know no format). */
#include "formats/kdump_codec.h"
#include "formats/kdump_format.h"

#include <string.h>

static const struct {
	uint32_t flag;
	const char *name; /* cs_codec name; known even when this build lacks it */
} kdump_codecs[] = {
	{CS_DUMP_DH_COMPRESSED_ZLIB, "zlib"},
	{CS_DUMP_DH_COMPRESSED_LZO, "lzo"},
	{CS_DUMP_DH_COMPRESSED_SNAPPY, "snappy"},
	{CS_DUMP_DH_COMPRESSED_ZSTD, "zstd"},
};

uint32_t cs_kdump_codec_flag(const struct cs_codec *c)
{
	for (size_t i = 0; i < CS_ARRAY_SIZE(kdump_codecs); i++)
		if (!strcmp(kdump_codecs[i].name, c->name))
			return kdump_codecs[i].flag;
	return 0;
}

static const char *flag_name(uint32_t flag)
{
	for (size_t i = 0; i < CS_ARRAY_SIZE(kdump_codecs); i++)
		if (kdump_codecs[i].flag == flag)
			return kdump_codecs[i].name;
	return NULL;
}

const struct cs_codec *cs_kdump_codec_by_flag(uint32_t flag)
{
	const char *name = flag ? flag_name(flag) : "none";

	return name ? cs_codec_by_name(name) : NULL;
}

cs_status cs_kdump_decode_page(uint32_t flags, const void *src, size_t n, void *dst,
			       size_t page_size, struct cs_err *err)
{
	const struct cs_codec *c;

	flags &= CS_DUMP_DH_COMPRESSION_MASK;
	if (!flags) {
		if (n != page_size)
			return cs_err_set(err, CS_ERR_CORRUPT,
					  "raw page of %zu bytes, expected %zu", n, page_size);
		memcpy(dst, src, page_size);
		return CS_OK;
	}
	c = cs_kdump_codec_by_flag(flags);
	if (!c) {
		const char *name = flag_name(flags);
		if (name)
			return cs_err_set(err, CS_ERR_NOTSUP,
					  "the page is compressed with %s, which this build lacks", name);
		return cs_err_set(err, CS_ERR_CORRUPT, "unknown page compression flags 0x%x", flags);
	}
	return c->decompress(src, n, dst, page_size, err);
}
