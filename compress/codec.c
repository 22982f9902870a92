/* compress/codec.c: the table of built-in codecs and lookups by CLI flag and name. */
#include "compress/codec.h"

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
