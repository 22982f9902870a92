/* formats/source.h: the reader interface: one dump source over ELF, kdump-compressed, flattened and split inputs. */
#ifndef CS_SOURCE_H
#define CS_SOURCE_H

#include "core/types.h"
#include "core/error.h"
#include "core/bitmap.h"
#include "core/loss.h"
#include "core/kernel.h"

/* A run of physical memory present in the input (the 1st bitmap). */
struct cs_pfn_range {
	pfn_t start;    /* first pfn present */
	pfn_t end;      /* one past the last pfn present */
	pfn_t data_end; /* pfns in [data_end, end) have no data (ELF p_filesz < p_memsz) */
};

/* What kind of input this is (decides what the writer may copy over). */
enum cs_source_kind {
	CS_SRC_ELF,  /* /proc/vmcore or a QEMU / makedumpfile ELF dump */
	CS_SRC_KDUMP /* kdump-compressed (plain, flattened or a split set) */
};

#define CS_UTS_LEN 65

struct cs_source_ops;

/*
 * An opened input. All fields are filled by open() and read-only afterwards,
 * so workers may share a source; read_pages() is safe to call from several
 * threads at once. read_paddr() is for the (single-threaded) metadata scan.
 */
struct cs_source {
	const struct cs_source_ops *ops;
	void *priv;
	const char *path;      /* first input file, for messages */
	enum cs_source_kind kind;
	uint32_t page_size;    /* from the input format when it says, else the default arch's smallest */
	uint16_t e_machine;    /* ELF EM_* (kdump input: from utsname.machine) */
	bool use_mmap;         /* set before open(): false for --non-mmap */

	struct cs_pfn_range *ranges; /* sorted, non-overlapping */
	size_t nr_ranges;
	pfn_t max_pfn;               /* one past the highest present pfn */

	/*
	 * Pages of the input that carry data. NULL for ELF inputs (every present
	 * pfn below its range's data_end has data). For kdump inputs the input's
	 * 2nd bitmap: pages it excluded stay excluded.
	 */
	const struct cs_bitmap *dumpable;

	/*
	 * Present pfns whose first byte lies in no segment (a segment starting
	 * mid-page): makedumpfile never consults their struct page (is_in_segs),
	 * so the scan keeps them unclassified. Sorted; NULL/0 when none.
	 */
	const pfn_t *unconsulted;
	size_t nr_unconsulted;
	pfn_t *unconsulted_owned; /* the reader's allocation behind unconsulted; freed by close */

	/*
	 * ELF inputs whose 1st bitmap rounds up partial last pages (makedumpfile's
	 * bitmap-file mode, see formats/elf_read.c): the pfns present only through
	 * that rounding. makedumpfile --split always runs cyclic (its bitmap budget
	 * is divided among the pieces), which floors them: --split leaves them out
	 * of the pieces' 1st bitmap. Sorted; NULL/0 when none. Freed by close.
	 */
	pfn_t *rounded_up;
	size_t nr_rounded_up;

	/* Verbatim copy of the input's note data (all PT_NOTEs concatenated, or the kdump notes). */
	uint8_t *notes;
	size_t notes_size;
	size_t vmcoreinfo_off;  /* offset of the VMCOREINFO descriptor within notes */
	size_t vmcoreinfo_size; /* 0 if the input has no VMCOREINFO */
	int nr_cpus;            /* "CORE" NT_PRSTATUS notes */

	/* Hints from ELF program headers (by the arch's map bases): valid when have_* is set. */
	bool have_phys_base;    /* from the kernel-text PT_LOAD */
	uint64_t phys_base;
	bool have_page_offset;  /* from a direct-map PT_LOAD: p_vaddr - p_paddr */
	uint64_t page_offset;

	/* A cut copy: PT_LOAD data the file should hold but does not (0 if whole). */
	uint64_t truncated_bytes;
	foff_t truncated_at; /* the file's size, where the missing data starts */

	/*
	 * What the input declares present but cannot give, known at open: the
	 * dumpable pfns of a split set that no piece given holds, PT_LOAD pages
	 * past the end of a cut ELF file. Per-page losses found while reading
	 * go to the reader's ledger argument instead (read_pages).
	 */
	struct cs_loss loss;
	/* The input says it is incomplete (kdump status 0x8, ELF e_flags bit 0). */
	bool input_incomplete;

	/* kdump inputs only (zero otherwise). */
	int input_dump_level;
	uint32_t input_status;
	int64_t input_timestamp;
	char input_utsname[6][CS_UTS_LEN];
	uint64_t input_phys_base;
	uint8_t *eraseinfo;
	size_t eraseinfo_size;
};

struct cs_source_ops {
	const char *name; /* "ELF", "kdump-compressed", ... */
	/* CS_OK if `head` (the first bytes of the file) looks like this format, CS_NOPROBE if not. */
	cs_status (*probe)(const uint8_t *head, size_t len);
	/* Fill *src from the open files (nfiles > 1 only for split sets). */
	cs_status (*open)(struct cs_source *src, const char *const *paths, size_t nfiles,
			  struct cs_err *err);
	/*
	 * Read `len` bytes at physical address paddr. Bytes outside any range, or
	 * in pages without data, fail with CS_ERR_NODATA naming the address.
	 */
	cs_status (*read_paddr)(struct cs_source *src, paddr_t paddr, void *buf, size_t len,
				struct cs_err *err);
	/*
	 * Read n whole pages [pfn, pfn + n) into buf (n * page_size bytes). Pages
	 * without data are zero-filled and reported as CS_ERR_NODATA only if
	 * every page is missing. A page with data that cannot be given (a bad
	 * descriptor, a cut file, data that does not decompress): with a ledger
	 * it is zero-filled and booked in *loss by reason (core/loss.h), never
	 * silently; without one (loss NULL) the call fails naming the pfn and
	 * the file offset. Thread-safe (each thread its own ledger).
	 */
	cs_status (*read_pages)(struct cs_source *src, pfn_t pfn, size_t n, void *buf,
				struct cs_loss *loss, struct cs_err *err);
	/*
	 * Optional zero-copy access: a pointer to the data of [pfn, pfn + n) if
	 * the input holds it contiguously in memory (mmap), else NULL. Thread-safe.
	 */
	const void *(*map_pages)(struct cs_source *src, pfn_t pfn, size_t n);
	/* Tell the source the caller is done with [pfn, pfn + n) (drops mmap'd pages from RSS). */
	void (*release_pages)(struct cs_source *src, pfn_t pfn, size_t n);
	void (*close)(struct cs_source *src);
};

/* The readers, in probe order (formats/elf_read.c, formats/kdump_read.c). */
extern const struct cs_source_ops cs_elf_source_ops;
extern const struct cs_source_ops cs_kdump_source_ops;

/*
 * Probe the readers in order and open `paths` (a split set is several files).
 * The message names the file and, where it can, the remedy.
 */
cs_status cs_source_open(struct cs_source *src, const char *const *paths, size_t nfiles,
			 bool use_mmap, struct cs_err *err);
void cs_source_close(struct cs_source *src);

/* The present range holding pfn, or NULL (binary search). */
const struct cs_pfn_range *cs_source_range_of(const struct cs_source *src, pfn_t pfn);
/* True if pfn lies in a present range (1st bitmap). */
bool cs_source_present(const struct cs_source *src, pfn_t pfn);
/* True if pfn has data in the input (present, below data_end, and dumpable). */
bool cs_source_has_data(const struct cs_source *src, pfn_t pfn);

/* The VMCOREINFO text of the source (not NUL-terminated), or NULL. */
static inline const char *cs_source_vmcoreinfo(const struct cs_source *src, size_t *len)
{
	*len = src->vmcoreinfo_size;
	return src->vmcoreinfo_size ? (const char *)src->notes + src->vmcoreinfo_off : NULL;
}

/*
 * What the kernel model needs from src (core/kernel.h): its header facts and
 * its physical-memory reader; pointers into src, valid while it is open.
 */
void cs_source_kernel_input(struct cs_source *src, struct cs_kernel_input *in);

/*
 * The kernel of src: with override (-i / -x, may be NULL) as its model, else
 * the model in src's VMCOREINFO note, else none.
 */
cs_status cs_kernel_init_source(struct cs_kernel *k, struct cs_source *src,
				const struct cs_kmodel *override, struct cs_err *err);

#endif
