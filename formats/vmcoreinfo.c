/* formats/vmcoreinfo.c: parse VMCOREINFO text into the typed kernel model, and write it back. */
#include "formats/vmcoreinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A -i file is a few KiB of text; anything far bigger is not a VMCOREINFO file. */
#define VMCOREINFO_FILE_MAX (16u << 20)
#define VALUE_MAX 63 /* longest value text we parse (a 64-bit number in any base fits) */

static bool parse_u64(const char *s, int base, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ' || *s == '\t')
		return false;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static bool parse_s64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!*s || *s == ' ' || *s == '\t' || *s == '+')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

/*
 * Decimal with makedumpfile's hex fallback (read_vmcoreinfo_long: strtol base
 * 10, and base 16 if that leaves junk). `sign` allows a leading '-'.
 */
static bool parse_dec(const char *s, bool sign, uint64_t *out)
{
	int64_t sv;

	if (sign && parse_s64(s, &sv)) {
		*out = (uint64_t)sv;
		return true;
	}
	if (parse_u64(s, 10, out))
		return true;
	return parse_u64(s, 16, out);
}

static bool is_pg_bit(enum cs_km_id id)
{
	switch (id) {
	case KM_NUM_PG_lru: case KM_NUM_PG_private: case KM_NUM_PG_swapcache:
	case KM_NUM_PG_swapbacked: case KM_NUM_PG_slab: case KM_NUM_PG_buddy:
	case KM_NUM_PG_hwpoison: case KM_NUM_PG_hugetlb:
		return true;
	default:
		return false;
	}
}

/* Per-field plausibility: a value outside these bounds is data we must not trust. */
static bool plausible(enum cs_km_id id, uint64_t v)
{
	const char *key = cs_km_key(id);

	switch (id) {
	case KM_PAGESIZE:
		return v >= 512 && v <= 65536 && (v & (v - 1)) == 0;
	case KM_SIZE_page:
		/* struct page holds longs and pointers: its size is a multiple of 4 (8 on 64-bit). */
		return v >= 8 && v <= 1024 && v % 4 == 0;
	case KM_NUM_SECTION_SIZE_BITS:
	case KM_NUM_MAX_PHYSMEM_BITS:
		return v >= 1 && v <= 64;
	case KM_NUM_pgtable_l5_enabled:
		return v <= 1;
	case KM_NUM_PG_head_mask:
		return v != 0;
	default:
		break;
	}
	if (is_pg_bit(id))
		return v <= 63;
	switch (cs_km_kind_of(id)) {
	case KM_SYM:
		return v != 0 && v != UINT64_MAX;
	case KM_DEC:
		if (!strncmp(key, "SIZE(", 5) || !strncmp(key, "OFFSET(", 7))
			return v <= (16u << 20);
		if (!strncmp(key, "LENGTH(", 7))
			return v <= UINT32_MAX;
		return true;
	default:
		return true;
	}
}

static void note_rejected(struct cs_vmcoreinfo_stats *st, const char *line, size_t len)
{
	st->rejected++;
	if (st->rejected == 1) {
		size_t n = CS_MIN(len, sizeof(st->first_rejected) - 1);
		memcpy(st->first_rejected, line, n);
		st->first_rejected[n] = '\0';
	}
}

static void parse_line(const char *line, size_t len, uint64_t sym_offset, struct cs_kmodel *km,
		       struct cs_vmcoreinfo_stats *st)
{
	const char *eq = memchr(line, '=', len);
	size_t klen, vlen;
	char val[VALUE_MAX + 1];
	uint64_t v;
	int id;
	bool good;

	if (!eq || eq == line) {
		st->malformed++;
		return;
	}
	klen = (size_t)(eq - line);
	vlen = len - klen - 1;
	if (klen == 9 && !memcmp(line, "OSRELEASE", 9)) {
		if (km->osrelease[0]) {
			st->duplicates++;
		} else if (vlen == 0 || vlen >= CS_OSRELEASE_MAX) {
			note_rejected(st, line, len);
		} else {
			memcpy(km->osrelease, eq + 1, vlen);
			km->osrelease[vlen] = '\0';
			st->stored++;
		}
		return;
	}
	id = cs_km_lookup(line, klen);
	if (id < 0) {
		st->unknown++;
		return;
	}
	if (km->have[id]) {
		st->duplicates++;
		return;
	}
	if (vlen == 0 || vlen > VALUE_MAX) {
		note_rejected(st, line, len);
		return;
	}
	memcpy(val, eq + 1, vlen);
	val[vlen] = '\0';
	switch (cs_km_kind_of((enum cs_km_id)id)) {
	case KM_SYM:
		good = parse_u64(val, 16, &v);
		if (good)
			v += sym_offset;
		break;
	case KM_HEX:
		good = parse_u64(val, 16, &v);
		break;
	case KM_NUM:
		good = parse_dec(val, true, &v);
		break;
	case KM_DEC:
	default:
		good = parse_dec(val, false, &v);
		break;
	}
	if (!good || !plausible((enum cs_km_id)id, v)) {
		note_rejected(st, line, len);
		return;
	}
	cs_km_set(km, (enum cs_km_id)id, v);
	st->stored++;
}

/* Offsets into struct page must lie inside it (once both are known). */
static void check_page_offsets(struct cs_kmodel *km, struct cs_vmcoreinfo_stats *st)
{
	static const enum cs_km_id page_offs[] = {
		KM_OFF_page_flags, KM_OFF_page__refcount, KM_OFF_page__count,
		KM_OFF_page_mapping, KM_OFF_page_lru, KM_OFF_page__mapcount,
		KM_OFF_page_private, KM_OFF_page_compound_dtor, KM_OFF_page_compound_order,
		KM_OFF_page_compound_head, KM_OFF_page_compound_info,
	};

	if (!cs_km_has(km, KM_SIZE_page))
		return;
	for (size_t i = 0; i < CS_ARRAY_SIZE(page_offs); i++) {
		enum cs_km_id id = page_offs[i];
		if (cs_km_has(km, id) && cs_km_get(km, id) >= cs_km_get(km, KM_SIZE_page)) {
			char line[80];
			int n = snprintf(line, sizeof(line), "%s=%" PRIu64, cs_km_key(id),
					 cs_km_get(km, id));
			note_rejected(st, line, (size_t)CS_MAX(n, 0));
			km->have[id] = 0;
			km->val[id] = 0;
			st->stored--;
		}
	}
}

void cs_vmcoreinfo_parse(const char *text, size_t len, uint64_t sym_offset, struct cs_kmodel *km,
			 struct cs_vmcoreinfo_stats *st)
{
	struct cs_vmcoreinfo_stats local;
	size_t pos = 0;

	if (!st)
		st = &local;
	memset(st, 0, sizeof(*st));
	if (!text)
		return;
	len = strnlen(text, len);
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - line) : len - pos;

		pos += llen + (nl ? 1 : 0);
		/* Tolerate CRLF and trailing blanks (hand-edited -i files). */
		while (llen && (line[llen - 1] == '\r' || line[llen - 1] == ' ' ||
				line[llen - 1] == '\t'))
			llen--;
		if (!llen)
			continue;
		st->lines++;
		parse_line(line, llen, sym_offset, km, st);
	}
	check_page_offsets(km, st);
}

cs_status cs_vmcoreinfo_load_file(const char *path, struct cs_kmodel *km, struct cs_err *err)
{
	struct cs_kmodel *fresh;
	struct stat stb;
	char *text = NULL;
	size_t got = 0;
	uint64_t sym_offset = 0;
	bool dump_has_koff = cs_km_has(km, KM_KERNELOFFSET);
	cs_status st = CS_OK;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cs_err_sys(err, errno, "cannot open VMCOREINFO file '%s'", path);
	if (fstat(fd, &stb) < 0) {
		st = cs_err_sys(err, errno, "cannot stat VMCOREINFO file '%s'", path);
		goto out;
	}
	if (!S_ISREG(stb.st_mode) || stb.st_size > (off_t)VMCOREINFO_FILE_MAX) {
		st = cs_err_set(err, CS_ERR_FORMAT,
				"'%s' is not a VMCOREINFO text file (not a regular file of at most %u bytes)",
				path, VMCOREINFO_FILE_MAX);
		goto out;
	}
	text = malloc((size_t)stb.st_size + 1);
	fresh = calloc(1, sizeof(*fresh));
	if (!text || !fresh) {
		free(fresh);
		st = cs_err_set(err, CS_ERR_NOMEM, "cannot read VMCOREINFO file '%s'", path);
		goto out;
	}
	while (got < (size_t)stb.st_size) {
		ssize_t n = read(fd, text + got, (size_t)stb.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(fresh);
			st = cs_err_sys(err, errno, "cannot read VMCOREINFO file '%s' at offset %zu",
					path, got);
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (dump_has_koff)
		sym_offset = cs_km_get(km, KM_KERNELOFFSET);
	cs_vmcoreinfo_parse(text, got, sym_offset, fresh, NULL);
	if (!fresh->osrelease[0] && !cs_km_has(fresh, KM_PAGESIZE)) {
		free(fresh);
		st = cs_err_set(err, CS_ERR_FORMAT,
				"'%s' is not a VMCOREINFO file (no OSRELEASE= or PAGESIZE= line)", path);
		goto out;
	}
	if (dump_has_koff)
		cs_km_set(fresh, KM_KERNELOFFSET, sym_offset);
	*km = *fresh;
	free(fresh);
out:
	free(text);
	close(fd);
	return st;
}

static size_t append(char *buf, size_t size, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t append(char *buf, size_t size, size_t pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(pos < size ? buf + pos : NULL, pos < size ? size - pos : 0, fmt, ap);
	va_end(ap);
	return pos + (n > 0 ? (size_t)n : 0);
}

size_t cs_vmcoreinfo_format(const struct cs_kmodel *km, char *buf, size_t size)
{
	size_t pos = 0;

	if (size)
		buf[0] = '\0';
	if (km->osrelease[0])
		pos = append(buf, size, pos, "OSRELEASE=%s\n", km->osrelease);
	if (cs_km_has(km, KM_PAGESIZE))
		pos = append(buf, size, pos, "PAGESIZE=%" PRIu64 "\n", cs_km_get(km, KM_PAGESIZE));
	for (int i = 0; i < KM_NR_FIELDS; i++) {
		enum cs_km_id id = (enum cs_km_id)i;
		uint64_t v = cs_km_get(km, id);

		if (id == KM_PAGESIZE || !cs_km_has(km, id))
			continue;
		switch (cs_km_kind_of(id)) {
		case KM_SYM:
		case KM_HEX:
			pos = append(buf, size, pos, "%s=%" PRIx64 "\n", cs_km_key(id), v);
			break;
		case KM_NUM:
			pos = append(buf, size, pos, "%s=%" PRId64 "\n", cs_km_key(id), (int64_t)v);
			break;
		case KM_DEC:
			pos = append(buf, size, pos, "%s=%" PRIu64 "\n", cs_km_key(id), v);
			break;
		}
	}
	return pos;
}
