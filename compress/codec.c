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

cs_status cs_codec_for_cli_flag(char flag, const struct cs_codec **codec, struct cs_err *err)
{
	/* Every letter makedumpfile knows, built in or not, and the library behind it. */
	static const struct { char flag; const char *library; } known[] = {
		{ 'c', "zlib" }, { 'l', "lzo" }, { 'p', "snappy" }, { 'z', "zstd" },
	};

	*codec = NULL;
	if (!flag)
		return CS_OK;
	if ((*codec = cs_codec_by_cli_flag(flag)))
		return CS_OK;
	for (size_t i = 0; i < CS_ARRAY_SIZE(known); i++)
		if (known[i].flag == flag)
			return cs_err_set(err, CS_ERR_NOTSUP, "-%c: this build of coresieve has no %s "
					  "support (rebuild with its -dev package)", flag, known[i].library);
	return cs_err_set(err, CS_ERR_ARGS, "-%c is not a compression option", flag);
}
