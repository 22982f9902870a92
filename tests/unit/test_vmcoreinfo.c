/* tests/unit/test_vmcoreinfo.c: VMCOREINFO parsing (kinds, malformed input, limits), -i files and -g text. */
#include "formats/vmcoreinfo.h"
#include "tests/lib/tap.h"

#include <unistd.h>

static void parse(const char *text, struct cs_kmodel *km, struct cs_vmcoreinfo_stats *st)
{
	memset(km, 0, sizeof(*km));
	cs_vmcoreinfo_parse(text, strlen(text), km, st);
}

int main(void)
{
	struct tap t = {0};
	struct cs_kmodel km;
	struct cs_vmcoreinfo_stats st;

	/* A realistic fragment of a 6.1 x86_64 note. */
	parse("OSRELEASE=6.1.0-18-amd64\n"
	      "BUILD-ID=0123abcd\n"
	      "PAGESIZE=4096\n"
	      "SYMBOL(init_uts_ns)=ffffffff82a16760\n"
	      "SYMBOL(mem_section)=ffff88807ffd3000\n"
	      "LENGTH(mem_section)=2048\n"
	      "SIZE(page)=64\n"
	      "OFFSET(page.flags)=0\n"
	      "OFFSET(page._mapcount)=48\n"
	      "NUMBER(PG_lru)=4\n"
	      "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	      "NUMBER(phys_base)=-2147483648\n"
	      "NUMBER(sme_mask)=0\n"
	      "KERNELOFFSET=1000000\n"
	      "CRASHTIME=1700000000\n",
	      &km, &st);
	ok(&t, !strcmp(km.osrelease, "6.1.0-18-amd64"), "OSRELEASE string");
	ok_eq_u64(&t, cs_km_get(&km, KM_PAGESIZE), 4096, "PAGESIZE decimal");
	ok_eq_u64(&t, cs_km_get(&km, KM_SYM_init_uts_ns), 0xffffffff82a16760ULL, "SYMBOL hex");
	ok_eq_u64(&t, cs_km_get(&km, KM_LEN_mem_section), 2048, "LENGTH decimal");
	ok_eq_u64(&t, cs_km_get(&km, KM_OFF_page_flags), 0, "OFFSET 0 is present");
	ok(&t, cs_km_has(&km, KM_OFF_page_flags), "OFFSET(page.flags) present bit");
	ok_eq_u64(&t, cs_km_num(&km, KM_NUM_PAGE_BUDDY_MAPCOUNT_VALUE), (uint64_t)-129LL, "negative NUMBER");
	ok_eq_u64(&t, cs_km_num(&km, KM_NUM_phys_base), (uint64_t)-2147483648LL, "NUMBER(phys_base) negative");
	ok(&t, cs_km_has(&km, KM_NUM_sme_mask) && cs_km_get(&km, KM_NUM_sme_mask) == 0, "NUMBER zero present");
	ok_eq_u64(&t, cs_km_get(&km, KM_KERNELOFFSET), 0x1000000, "KERNELOFFSET hex");
	ok_eq_u64(&t, cs_km_get(&km, KM_CRASHTIME), 1700000000, "CRASHTIME");
	ok_eq_u64(&t, st.unknown, 1, "BUILD-ID counted as unknown");
	ok_eq_u64(&t, st.malformed + st.rejected + st.duplicates, 0, "nothing malformed");
	ok(&t, !cs_km_has(&km, KM_SYM_prb), "missing key is absent");
	ok(&t, !cs_km_has(&km, KM_OFF_page_mapping) && cs_km_get(&km, KM_OFF_page_mapping) == 0,
	   "missing OFFSET absent and zero");

	/* Malformed lines, duplicates, no trailing newline. */
	parse("garbage line\n=novalue\n\n\r\nPAGESIZE=4096\nPAGESIZE=8192\n"
	      "OSRELEASE=a\nOSRELEASE=b\nSIZE(page)=64\r\nOFFSET(page.mapping)=24", &km, &st);
	ok_eq_u64(&t, st.malformed, 2, "two malformed lines");
	ok_eq_u64(&t, st.duplicates, 2, "two duplicates");
	ok_eq_u64(&t, cs_km_get(&km, KM_PAGESIZE), 4096, "first PAGESIZE wins");
	ok(&t, !strcmp(km.osrelease, "a"), "first OSRELEASE wins");
	ok_eq_u64(&t, cs_km_get(&km, KM_SIZE_page), 64, "CRLF line");
	ok_eq_u64(&t, cs_km_get(&km, KM_OFF_page_mapping), 24, "last line without newline");

	/* Hex fallback, and values rejected per field. */
	parse("SIZE(page)=0x40\nOFFSET(page.lru)=1f\nPAGESIZE=4095\nNUMBER(SECTION_SIZE_BITS)=65\n"
	      "SYMBOL(mem_section)=0\nSYMBOL(prb)=ffffffffffffffff\nSIZE(zone)=-5\n"
	      "NUMBER(PG_lru)=99\nOFFSET(page.flags)=12abc!\nSYMBOL(node_data)=xyz\n"
	      "NUMBER(N_ONLINE)=99999999999999999999999\nNUMBER(MAX_PHYSMEM_BITS)=46\n"
	      "LENGTH(node_data)=1024\nNUMBER(pgtable_l5_enabled)=1\n", &km, &st);
	ok_eq_u64(&t, cs_km_get(&km, KM_SIZE_page), 64, "0x hex fallback");
	ok_eq_u64(&t, cs_km_get(&km, KM_OFF_page_lru), 0x1f, "bare hex fallback");
	ok(&t, !cs_km_has(&km, KM_PAGESIZE), "PAGESIZE 4095 rejected");
	ok(&t, !cs_km_has(&km, KM_NUM_SECTION_SIZE_BITS), "SECTION_SIZE_BITS 65 rejected");
	ok(&t, !cs_km_has(&km, KM_SYM_mem_section), "SYMBOL 0 rejected");
	ok(&t, !cs_km_has(&km, KM_SYM_prb), "SYMBOL all-ones rejected");
	ok(&t, !cs_km_has(&km, KM_SIZE_zone), "negative SIZE rejected");
	ok(&t, !cs_km_has(&km, KM_NUM_PG_lru), "PG bit 99 rejected");
	ok(&t, !cs_km_has(&km, KM_OFF_page_flags), "junk value rejected");
	ok(&t, !cs_km_has(&km, KM_SYM_node_data), "non-hex SYMBOL rejected");
	ok(&t, !cs_km_has(&km, KM_NUM_N_ONLINE), "overflowing NUMBER rejected");
	ok_eq_u64(&t, cs_km_get(&km, KM_NUM_MAX_PHYSMEM_BITS), 46, "MAX_PHYSMEM_BITS kept");
	ok_eq_u64(&t, cs_km_get(&km, KM_NUM_pgtable_l5_enabled), 1, "pgtable_l5_enabled");
	ok_eq_u64(&t, st.rejected, 9, "nine rejected");
	ok(&t, !strcmp(st.first_rejected, "PAGESIZE=4095"), "first rejected line recorded (%s)",
	   st.first_rejected);

	parse("PAGESIZE=131072\nSIZE(page)=4096\nOSRELEASE=0123456789012345678901234567890123456789"
	      "01234567890123456789012345\n", &km, &st);
	ok(&t, !cs_km_has(&km, KM_PAGESIZE), "PAGESIZE > 64 KiB rejected");
	ok(&t, !cs_km_has(&km, KM_SIZE_page), "SIZE(page) > 1024 rejected");
	ok(&t, !km.osrelease[0], "OSRELEASE over 64 chars rejected");

	parse("SIZE(page)=64\nOFFSET(page.private)=64\nOFFSET(page.mapping)=24\n", &km, &st);
	ok(&t, !cs_km_has(&km, KM_OFF_page_private), "OFFSET(page.x) >= SIZE(page) rejected");
	ok(&t, cs_km_has(&km, KM_OFF_page_mapping), "OFFSET inside struct page kept");

	/* NUL inside the buffer ends the text; huge random bytes never crash. */
	{
		char buf[4096];
		memcpy(buf, "PAGESIZE=4096\n\0SIZE(page)=64\n", 30);
		memset(&km, 0, sizeof(km));
		cs_vmcoreinfo_parse(buf, 30, &km, &st);
		ok(&t, cs_km_has(&km, KM_PAGESIZE) && !cs_km_has(&km, KM_SIZE_page), "NUL ends the text");
		uint32_t x = 12345;
		for (int round = 0; round < 200; round++) {
			for (size_t i = 0; i < sizeof(buf); i++) {
				x = x * 1103515245 + 12345;
				buf[i] = "=\n(SIZE)PAGESIZE0123456789abcdefx-"[(x >> 16) % 34];
			}
			memset(&km, 0, sizeof(km));
			cs_vmcoreinfo_parse(buf, sizeof(buf), &km, NULL);
		}
		ok(&t, 1, "random text parsed without crashing");
	}

	/* -i FILE: symbols get the dump's KERNELOFFSET, other fields come from the file. */
	{
		char path[] = "/tmp/cs-vmcoreinfo-XXXXXX";
		int fd = mkstemp(path);
		const char *text = "OSRELEASE=6.1.0\nPAGESIZE=4096\nSYMBOL(mem_section)=ffffffff82000000\n"
				   "SIZE(page)=64\n";
		struct cs_err err;
		ok(&t, fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write -i file");
		close(fd);
		memset(&km, 0, sizeof(km));
		cs_km_set(&km, KM_KERNELOFFSET, 0x2a000000);
		cs_km_set(&km, KM_SYM_prb, 0xffffffff83000000ULL);
		ok(&t, cs_vmcoreinfo_load_file(path, &km, &err) == CS_OK, "load -i file");
		ok_eq_u64(&t, cs_km_get(&km, KM_SYM_mem_section), 0xffffffff82000000ULL + 0x2a000000,
			  "SYMBOL relocated by the dump's KERNELOFFSET");
		ok_eq_u64(&t, cs_km_get(&km, KM_KERNELOFFSET), 0x2a000000, "KERNELOFFSET kept");
		ok(&t, !cs_km_has(&km, KM_SYM_prb), "fields the file lacks are absent");
		ok(&t, !strcmp(km.osrelease, "6.1.0"), "OSRELEASE from the file");

		memset(&km, 0, sizeof(km));
		ok(&t, cs_vmcoreinfo_load_file(path, &km, &err) == CS_OK &&
		   cs_km_get(&km, KM_SYM_mem_section) == 0xffffffff82000000ULL,
		   "no dump KERNELOFFSET: symbol as is");
		unlink(path);
		ok(&t, cs_vmcoreinfo_load_file(path, &km, &err) == CS_ERR_SYSTEM &&
		   strstr(err.msg, path) != NULL, "missing file: error names it (%s)", err.msg);
		ok(&t, cs_vmcoreinfo_load_file("/etc/hostname", &km, &err) == CS_ERR_FORMAT ||
		   access("/etc/hostname", R_OK) != 0, "non-VMCOREINFO file rejected");
	}

	/* -g: format and parse back. */
	{
		struct cs_kmodel a, b;
		char buf[8192];
		size_t need, len;

		parse("OSRELEASE=6.8.0\nPAGESIZE=4096\nSYMBOL(mem_section)=ffffffff82000000\n"
		      "SIZE(page)=64\nOFFSET(page._mapcount)=48\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
		      "KERNELOFFSET=2a000000\nLENGTH(zone.free_area)=11\n", &a, &st);
		need = cs_vmcoreinfo_format(&a, NULL, NULL, 0);
		len = cs_vmcoreinfo_format(&a, NULL, buf, sizeof(buf));
		ok(&t, need == len && len == strlen(buf), "format length %zu", len);
		ok(&t, !strncmp(buf, "OSRELEASE=6.8.0\nPAGESIZE=4096\n", 30), "OSRELEASE and PAGESIZE first");
		ok(&t, strstr(buf, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n") != NULL, "negative NUMBER text");
		ok(&t, strstr(buf, "SYMBOL(mem_section)=ffffffff82000000\n") != NULL, "SYMBOL text");
		parse(buf, &b, &st);
		ok(&t, !memcmp(&a, &b, sizeof(a)), "format -> parse round trip");
		ok_eq_u64(&t, cs_vmcoreinfo_format(&a, NULL, buf, 10), len, "truncated buffer returns full length");
		ok(&t, strlen(buf) == 9, "truncated output NUL-terminated");
	}
	/* -g's order (makedumpfile 1.7.2): SYMBOL, SIZE, OFFSET, LENGTH, NUMBER, SRCFILE, then the rest. */
	{
		struct cs_kmodel a;
		char buf[8192];

		parse("KERNELOFFSET=2a000000\nNUMBER(PG_lru)=4\nLENGTH(zone.free_area)=11\n"
		      "OFFSET(page.lru)=8\nSIZE(page)=64\nSYMBOL(mem_section)=ffffffff82000000\n"
		      "PAGESIZE=4096\nOSRELEASE=6.1.0\n", &a, &st);
		cs_vmcoreinfo_format(&a, "include/linux/pgtable.h", buf, sizeof(buf));
		ok(&t, !strcmp(buf, "OSRELEASE=6.1.0\nPAGESIZE=4096\nSYMBOL(mem_section)=ffffffff82000000\n"
				    "SIZE(page)=64\nOFFSET(page.lru)=8\nLENGTH(zone.free_area)=11\n"
				    "NUMBER(PG_lru)=4\nSRCFILE(pud_t)=include/linux/pgtable.h\n"
				    "KERNELOFFSET=2a000000\n"),
		   "-g order:\n%s", buf);
	}
	return tap_done(&t);
}
