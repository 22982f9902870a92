/* tests/unit/test_core_helpers.c: core/range.h's search and core/endian.h's loads against plain loops, and the per-format incomplete flags. */
#include "core/endian.h"
#include "core/range.h"
#include "formats/elf_write.h"
#include "formats/kdump_format.h"
#include "formats/writer.h"
#include "tests/lib/tap.h"
#include "tests/lib/rand.h"

#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct extent {
	uint32_t tag;
	uint64_t start;
	uint64_t len;
};

/* How many elements start at or before x, by a linear scan. */
static size_t linear_upper(const struct extent *e, size_t n, uint64_t x)
{
	size_t k = 0;

	while (k < n && e[k].start <= x)
		k++;
	return k;
}

static void check_range(struct tap *t)
{
	struct extent e[40];
	uint64_t s = 7, pos = 0;
	int bad = 0;

	for (size_t i = 0; i < CS_ARRAY_SIZE(e); i++) {
		pos += test_rand(&s) % 3; /* equal starts too */
		e[i] = (struct extent){(uint32_t)i, pos, 1};
	}
	for (size_t n = 0; n <= CS_ARRAY_SIZE(e); n++)
		for (uint64_t x = 0; x <= pos + 2; x++)
			if (CS_UPPER_BOUND(e, n, start, x) != linear_upper(e, n, x))
				bad++;
	ok(t, bad == 0, "CS_UPPER_BOUND agrees with a linear scan (every n, every x; %d wrong)", bad);
	ok_eq_u64(t, CS_UPPER_BOUND((struct extent *)NULL, 0, start, 5), 0, "empty array");
	ok_eq_u64(t, CS_UPPER_BOUND(e, 1, start, UINT64_MAX), 1, "x = UINT64_MAX");
}

static void check_endian(struct tap *t)
{
	static const uint8_t b[] = {0xff, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};

	/* offset 1: unaligned */
	ok_eq_u64(t, cs_load_le16(b + 1), 0x0201, "le16");
	ok_eq_u64(t, cs_load_le32(b + 1), 0x04030201, "le32");
	ok_eq_u64(t, cs_load_le64(b + 1), 0x0807060504030201ull, "le64");
	ok_eq_u64(t, cs_load_be64(b + 1), 0x0102030405060708ull, "be64");
}

static bool write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	bool good = f && fwrite(buf, 1, len, f) == len;

	return f && fclose(f) == 0 && good;
}

static bool read_u32(const char *path, off_t off, uint32_t *v)
{
	int fd = open(path, O_RDONLY);
	bool good = fd >= 0 && pread(fd, v, sizeof(*v), off) == (ssize_t)sizeof(*v);

	if (fd >= 0)
		close(fd);
	return good;
}

static void check_mark_incomplete(struct tap *t, const char *dir)
{
	char path[512];
	struct cs_err err = {0};
	uint32_t v = 0;

	/* kdump: status |= 0x8, the other bits kept */
	{
		struct cs_disk_dump_header dh;

		memset(&dh, 0, sizeof(dh));
		memcpy(dh.signature, CS_KDUMP_SIGNATURE, CS_KDUMP_SIG_LEN);
		dh.status = 0x1; /* zlib */
		snprintf(path, sizeof(path), "%s/k", dir);
		ok(t, write_file(path, &dh, sizeof(dh)), "write a kdump header");
		ok(t, cs_kdump_mark_incomplete(path, &err) == CS_OK, "kdump: marked (%s)", err.msg);
		v = 0;
		read_u32(path, offsetof(struct cs_disk_dump_header, status), &v);
		ok(t, v == (0x1 | CS_DUMP_DH_COMPRESSED_INCOMPLETE), "kdump: status 0x%x", v);
		unlink(path);
	}
	/* ELF64: e_flags |= 1; not ELF64: refused, file unchanged */
	{
		Elf64_Ehdr eh;

		memset(&eh, 0, sizeof(eh));
		memcpy(eh.e_ident, ELFMAG, SELFMAG);
		eh.e_ident[EI_CLASS] = ELFCLASS64;
		eh.e_flags = 0x100;
		snprintf(path, sizeof(path), "%s/e", dir);
		ok(t, write_file(path, &eh, sizeof(eh)), "write an ELF header");
		ok(t, cs_elf_mark_incomplete(path, &err) == CS_OK, "ELF: marked (%s)", err.msg);
		v = 0;
		read_u32(path, offsetof(Elf64_Ehdr, e_flags), &v);
		ok(t, v == (0x100 | DUMP_ELF_INCOMPLETE), "ELF: e_flags 0x%x", v);
		eh.e_ident[EI_CLASS] = ELFCLASS32;
		eh.e_flags = 0;
		ok(t, write_file(path, &eh, sizeof(eh)), "write an ELF32 ident");
		ok(t, cs_elf_mark_incomplete(path, &err) == CS_ERR_FORMAT, "ELF32: refused (%s)", err.msg);
		v = 1;
		read_u32(path, offsetof(Elf64_Ehdr, e_flags), &v);
		ok(t, v == 0, "ELF32: unchanged (0x%x)", v);
		unlink(path);
	}
	/* the dispatcher: by signature; an empty file is removed */
	{
		Elf64_Ehdr eh;

		memset(&eh, 0, sizeof(eh));
		memcpy(eh.e_ident, ELFMAG, SELFMAG);
		eh.e_ident[EI_CLASS] = ELFCLASS64;
		snprintf(path, sizeof(path), "%s/d", dir);
		write_file(path, &eh, sizeof(eh));
		cs_dump_mark_incomplete(path);
		v = 0;
		read_u32(path, offsetof(Elf64_Ehdr, e_flags), &v);
		ok(t, v == DUMP_ELF_INCOMPLETE, "cs_dump_mark_incomplete: ELF e_flags 0x%x", v);
		write_file(path, "", 0);
		cs_dump_mark_incomplete(path);
		ok(t, access(path, F_OK) != 0, "cs_dump_mark_incomplete: an empty file is removed");
		unlink(path);
	}
}

int main(void)
{
	struct tap t = {0};
	char dir[] = "/tmp/cs-helpers-XXXXXX";

	check_range(&t);
	check_endian(&t);
	if (mkdtemp(dir)) {
		check_mark_incomplete(&t, dir);
		rmdir(dir);
	} else {
		ok(&t, 0, "mkdtemp");
	}
	return tap_done(&t);
}
