/* cli/help.h: usage and version text. */
#ifndef CS_HELP_H
#define CS_HELP_H

#include <stdio.h>

#ifdef HAVE_ZLIB
#define HAVE_ZLIB_STR "enabled"
#else
#define HAVE_ZLIB_STR "disabled"
#endif
#ifdef HAVE_LZO
#define HAVE_LZO_STR "enabled"
#else
#define HAVE_LZO_STR "disabled"
#endif
#ifdef HAVE_SNAPPY
#define HAVE_SNAPPY_STR "enabled"
#else
#define HAVE_SNAPPY_STR "disabled"
#endif
#ifdef HAVE_ZSTD
#define HAVE_ZSTD_STR "enabled"
#else
#define HAVE_ZSTD_STR "disabled"
#endif

void cs_print_help(FILE *out);
void cs_print_version(FILE *out);

#endif
