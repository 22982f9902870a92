/* compress/codec.c: the table of built-in codecs and lookups by CLI flag, kdump flag and name. */
#include "compress/codec.h"
#include "formats/kdump_format.h"

#include <string.h>

static const struct cs_codec *const codecs[] = {
	&cs_codec_none,
#ifdef HAVE_ZLIB
	&cs_codec_zlib,
#endif
#ifdef HAVE_LZO
	&cs_codec_lzo,
#endif
#ifdef HAVE_SNAPPY
	&cs_codec_snappy,
#endif
#ifdef HAVE_ZSTD
	&cs_codec_zstd,
#endif
	NULL,
};

const struct cs_codec *const *cs_codec_list(void)
{
	return codecs;
}

const struct cs_codec *cs_codec_by_cli_flag(char flag)
{
	for (size_t i = 0; codecs[i]; i++)
		if (codecs[i]->cli_flag == flag)
			return codecs[i];
	return NULL;
}

const struct cs_codec *cs_codec_by_kdump_flag(uint32_t flag)
{
	for (size_t i = 0; codecs[i]; i++)
		if (codecs[i]->kdump_flag == flag)
			return codecs[i];
	return NULL;
}

const struct cs_codec *cs_codec_by_name(const char *name)
{
	for (size_t i = 0; codecs[i]; i++)
		if (!strcmp(codecs[i]->name, name))
			return codecs[i];
	return NULL;
}

bool cs_codec_known_but_missing(char cli_flag)
{
	return strchr("clpz", cli_flag) && cli_flag && !cs_codec_by_cli_flag(cli_flag);
}

static const char *flag_name(uint32_t flags)
{
	switch (flags) {
	case CS_DUMP_DH_COMPRESSED_ZLIB: return "zlib";
	case CS_DUMP_DH_COMPRESSED_LZO: return "lzo";
	case CS_DUMP_DH_COMPRESSED_SNAPPY: return "snappy";
	case CS_DUMP_DH_COMPRESSED_ZSTD: return "zstd";
	}
	return NULL;
}

cs_status cs_codec_decode_page(uint32_t flags, const void *src, size_t n, void *dst,
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
	c = cs_codec_by_kdump_flag(flags);
	if (!c) {
		const char *name = flag_name(flags);
		if (name)
			return cs_err_set(err, CS_ERR_NOTSUP,
					  "the page is compressed with %s, which this build lacks", name);
		return cs_err_set(err, CS_ERR_CORRUPT, "unknown page compression flags 0x%x", flags);
	}
	return c->decompress(src, n, dst, page_size, err);
}
