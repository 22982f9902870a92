/* formats/kdump_format.h: on-disk structs of the kdump-compressed file and the flattened stream (the kdump-compressed file and the flattened stream). */
#ifndef CS_KDUMP_FORMAT_H
#define CS_KDUMP_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/*
 * LP64 layouts, in the byte order of the dumped machine (we only write
 * little-endian dumps; readers must byte-swap on BE input).
 * The flattened wrapper headers are always big endian.
 */

#define CS_KDUMP_SIGNATURE "KDUMP   "    /* 8 bytes, no NUL */
#define CS_DISKDUMP_SIGNATURE "DISKDUMP" /* legacy diskdump (reader only) */
#define CS_KDUMP_SIG_LEN 8
#define CS_KDUMP_HEADER_VERSION 6        /* what makedumpfile 1.7 writes */

/* disk_dump_header.status bits; the same values are used in page_desc.flags. */
#define CS_DUMP_DH_COMPRESSED_ZLIB 0x01u
#define CS_DUMP_DH_COMPRESSED_LZO 0x02u
#define CS_DUMP_DH_COMPRESSED_SNAPPY 0x04u
#define CS_DUMP_DH_COMPRESSED_INCOMPLETE 0x08u
#define CS_DUMP_DH_EXCLUDED_VMEMMAP 0x10u
#define CS_DUMP_DH_COMPRESSED_ZSTD 0x20u
#define CS_DUMP_DH_COMPRESSION_MASK                                                      \
	(CS_DUMP_DH_COMPRESSED_ZLIB | CS_DUMP_DH_COMPRESSED_LZO |                        \
	 CS_DUMP_DH_COMPRESSED_SNAPPY | CS_DUMP_DH_COMPRESSED_ZSTD)

#define CS_KDUMP_UTS_LEN 65

/* struct new_utsname: 6 x char[65]. */
struct cs_kdump_utsname {
	char sysname[CS_KDUMP_UTS_LEN];
	char nodename[CS_KDUMP_UTS_LEN];
	char release[CS_KDUMP_UTS_LEN];
	char version[CS_KDUMP_UTS_LEN];
	char machine[CS_KDUMP_UTS_LEN];
	char domainname[CS_KDUMP_UTS_LEN];
};

/* struct timeval as the LP64 kernel/libc lays it out. */
struct cs_kdump_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

/* disk_dump_header: block 0 of the file (464 bytes; rest of the block is zero). */
struct cs_disk_dump_header {
	char signature[CS_KDUMP_SIG_LEN];  /*   0: "KDUMP   " */
	int32_t header_version;            /*   8: 6 */
	struct cs_kdump_utsname utsname;   /*  12: init_uts_ns.name */
	char pad_[6];                      /* 402 */
	struct cs_kdump_timeval timestamp; /* 408: CRASHTIME, usec 0 */
	uint32_t status;                   /* 424: CS_DUMP_DH_* */
	int32_t block_size;                /* 428: page size */
	int32_t sub_hdr_size;              /* 432: blocks of sub header + notes */
	uint32_t bitmap_blocks;            /* 436: blocks of both bitmaps */
	uint32_t max_mapnr;                /* 440: MIN(max_mapnr, UINT_MAX) */
	uint32_t total_ram_blocks;         /* 444: 0 */
	uint32_t device_blocks;            /* 448: 0 */
	uint32_t written_blocks;           /* 452: 0 */
	uint32_t current_cpu;              /* 456: 0 */
	int32_t nr_cpus;                   /* 460: CORE NT_PRSTATUS notes */
};

/* kdump_sub_header: at file offset block_size, followed (unaligned) by the notes. */
struct cs_kdump_sub_header {
	uint64_t phys_base;         /*   0 */
	int32_t dump_level;         /*   8  (header_version >= 1) */
	int32_t split;              /*  12  (>= 2) */
	uint64_t start_pfn;         /*  16  (>= 2) truncated to UINT_MAX */
	uint64_t end_pfn;           /*  24  (>= 2) truncated to UINT_MAX */
	int64_t offset_vmcoreinfo;  /*  32  (>= 3) */
	uint64_t size_vmcoreinfo;   /*  40  (>= 3) */
	int64_t offset_note;        /*  48  (>= 4) = block_size + 104 */
	uint64_t size_note;         /*  56  (>= 4) */
	int64_t offset_eraseinfo;   /*  64  (>= 5) */
	uint64_t size_eraseinfo;    /*  72  (>= 5) */
	uint64_t start_pfn_64;      /*  80  (>= 6) */
	uint64_t end_pfn_64;        /*  88  (>= 6) */
	uint64_t max_mapnr_64;      /*  96  (>= 6) */
};

/* page_desc: one per set bit of the 2nd bitmap, in pfn order. */
struct cs_page_desc {
	int64_t offset;      /* absolute file offset of the page data */
	uint32_t size;       /* bytes of data (block_size when raw) */
	uint32_t flags;      /* CS_DUMP_DH_COMPRESSED_* of this page, or 0 (raw) */
	uint64_t page_flags; /* always 0 */
};

/* Flattened stream (-F / -R): 4096-byte header, then records, then (-1,-1). */
#define CS_FLAT_SIGNATURE "makedumpfile"
#define CS_FLAT_SIG_LEN 16        /* "makedumpfile" + 4 NUL */
#define CS_FLAT_TYPE 1            /* TYPE_FLAT_HEADER */
#define CS_FLAT_VERSION 1         /* VERSION_FLAT_HEADER */
#define CS_FLAT_HEADER_SIZE 4096  /* MAX_SIZE_MDF_HEADER */

struct cs_flat_header {
	char signature[CS_FLAT_SIG_LEN];
	int64_t type;    /* big endian */
	int64_t version; /* big endian */
};

struct cs_flat_data_header {
	int64_t offset;   /* big endian; -1 in the end marker */
	int64_t buf_size; /* big endian; -1 in the end marker */
};

/* Layout helpers (all in bytes unless named _blocks). */
static inline uint64_t cs_kdump_len_bitmap(uint64_t max_mapnr, uint32_t block_size)
{
	uint64_t bytes = (max_mapnr + 7) / 8;
	return 2 * ((bytes + block_size - 1) / block_size) * block_size;
}

static inline uint32_t cs_kdump_sub_hdr_blocks(uint64_t size_note, uint32_t block_size)
{
	return (uint32_t)((sizeof(struct cs_kdump_sub_header) + size_note + block_size - 1) /
			  block_size);
}

_Static_assert(sizeof(struct cs_kdump_utsname) == 390, "utsname size");
_Static_assert(sizeof(struct cs_disk_dump_header) == 464, "disk_dump_header size");
_Static_assert(offsetof(struct cs_disk_dump_header, header_version) == 8, "dh.header_version");
_Static_assert(offsetof(struct cs_disk_dump_header, utsname) == 12, "dh.utsname");
_Static_assert(offsetof(struct cs_disk_dump_header, utsname.release) == 142, "dh.release");
_Static_assert(offsetof(struct cs_disk_dump_header, utsname.machine) == 272, "dh.machine");
_Static_assert(offsetof(struct cs_disk_dump_header, timestamp) == 408, "dh.timestamp");
_Static_assert(offsetof(struct cs_disk_dump_header, status) == 424, "dh.status");
_Static_assert(offsetof(struct cs_disk_dump_header, block_size) == 428, "dh.block_size");
_Static_assert(offsetof(struct cs_disk_dump_header, sub_hdr_size) == 432, "dh.sub_hdr_size");
_Static_assert(offsetof(struct cs_disk_dump_header, bitmap_blocks) == 436, "dh.bitmap_blocks");
_Static_assert(offsetof(struct cs_disk_dump_header, max_mapnr) == 440, "dh.max_mapnr");
_Static_assert(offsetof(struct cs_disk_dump_header, nr_cpus) == 460, "dh.nr_cpus");
_Static_assert(sizeof(struct cs_kdump_sub_header) == 104, "kdump_sub_header size");
_Static_assert(offsetof(struct cs_kdump_sub_header, dump_level) == 8, "sh.dump_level");
_Static_assert(offsetof(struct cs_kdump_sub_header, offset_vmcoreinfo) == 32, "sh.vmcoreinfo");
_Static_assert(offsetof(struct cs_kdump_sub_header, offset_note) == 48, "sh.offset_note");
_Static_assert(offsetof(struct cs_kdump_sub_header, offset_eraseinfo) == 64, "sh.eraseinfo");
_Static_assert(offsetof(struct cs_kdump_sub_header, start_pfn_64) == 80, "sh.start_pfn_64");
_Static_assert(offsetof(struct cs_kdump_sub_header, max_mapnr_64) == 96, "sh.max_mapnr_64");
_Static_assert(sizeof(struct cs_page_desc) == 24, "page_desc size");
_Static_assert(offsetof(struct cs_page_desc, size) == 8, "pd.size");
_Static_assert(offsetof(struct cs_page_desc, flags) == 12, "pd.flags");
_Static_assert(offsetof(struct cs_page_desc, page_flags) == 16, "pd.page_flags");
_Static_assert(sizeof(struct cs_flat_header) == 32, "flat header size");
_Static_assert(sizeof(struct cs_flat_data_header) == 16, "flat data header size");

#endif
