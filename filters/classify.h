/* filters/classify.h: page_view + kernel constants -> the set of page conditions (pure, table-tested). */
#ifndef CS_CLASSIFY_H
#define CS_CLASSIFY_H

#include "core/kmodel.h"
#include "filters/page_view.h"
#include "filters/decode.h"

/* How free (buddy) pages are recognised (makedumpfile setup_page_is_buddy). */
enum cs_buddy_method {
	CS_BUDDY_NONE = 0, /* no OFFSET(page.private): free pages are kept (no free-list walk yet) */
	CS_BUDDY_PG_FLAG,  /* 2.6.17-2.6.37: NUMBER(PG_buddy) flag bit */
	CS_BUDDY_TYPE,     /* 2.6.38+: _mapcount == PAGE_BUDDY_MAPCOUNT_VALUE */
};

/* How a compound head is recognised as hugetlbfs (filters/decode.c). */
enum cs_hugetlb_method {
	CS_HUGETLB_NONE = 0,
	CS_HUGETLB_DTOR,    /* up to 6.5: first tail's destructor id == NUMBER(HUGETLB_PAGE_DTOR) */
	CS_HUGETLB_PG_FLAG, /* 6.6-6.8: PG_hugetlb in the first tail's flags: NOT trusted, see classify.c */
	CS_HUGETLB_TYPE,    /* 6.9+: head's page_type == PAGE_HUGETLB_MAPCOUNT_VALUE */
};

/* A page-type value as exported in VMCOREINFO (NUMBER(PAGE_*_MAPCOUNT_VALUE)). */
struct cs_page_type {
	bool have;
	bool top_byte; /* 6.12+ form (value << 24, low 24 bits free): compare the top byte */
	bool masked;   /* pre-6.12 PageType(): (v & (PAGE_TYPE_BASE | bit)) == PAGE_TYPE_BASE */
	uint32_t value;
};

struct cs_classify_consts {
	uint64_t pg_lru, pg_private, pg_swapcache, pg_swapbacked; /* flag masks */
	bool have_swapbacked;
	uint64_t pg_slab;     /* flag mask; 0 when slab is a page type (6.10+) */
	uint64_t pg_buddy;    /* flag mask (CS_BUDDY_PG_FLAG) */
	uint64_t pg_hwpoison; /* 0 when NUMBER(PG_hwpoison) is unknown */
	uint64_t pg_hugetlb;  /* 6.6-6.8 */
	struct cs_page_type t_buddy, t_offline, t_slab, t_hugetlb, t_unaccepted;
	bool have_hugetlb_dtor;
	uint64_t hugetlb_dtor;
	enum cs_buddy_method buddy;
	enum cs_hugetlb_method hugetlb;
	bool have_tail_mark;  /* OFFSET(page.compound_head|compound_info) known */
	bool have_order;      /* some compound order source is known */
	unsigned nr_orders;   /* LENGTH(zone.free_area), 0 if unknown */
	/*
	 * Implausible VMCOREINFO values that init refused to use (a page type
	 * that matches an untyped page or another type, a flag bit shared by two
	 * flags): one line for the user, "" when every value is plausible.
	 */
	char implausible[320];
};

/* Page conditions (several may hold; the dump level picks the first matching row). */
enum cs_page_cond {
	CS_PC_TAIL = 1u << 0,           /* compound tail: never decided on its own */
	CS_PC_BUDDY = 1u << 1,          /* head of a free buddy block of 2^buddy_order pages */
	CS_PC_UNACCEPTED = 1u << 2,     /* unaccepted memory block of 2^unaccepted_order pages */
	CS_PC_CACHE = 1u << 3,          /* page cache (LRU, or swap cache) */
	CS_PC_PRIVATE = 1u << 4,        /* PG_private */
	CS_PC_ANON = 1u << 5,           /* anonymous user page (not slab) */
	CS_PC_HUGETLB = 1u << 6,        /* hugetlbfs compound head */
	CS_PC_HWPOISON = 1u << 7,
	CS_PC_OFFLINE = 1u << 8,        /* logically offline (balloon, not onlined) */
	CS_PC_SLAB = 1u << 9,
	CS_PC_COMPOUND = 1u << 10,      /* head with a valid order: the unit is 2^compound_order pages */
	CS_PC_BAD_ORDER = 1u << 11,     /* head whose order is unreadable, >= 64 or misaligned */
	CS_PC_BAD_BUDDY = 1u << 12,     /* buddy mark with an order out of range or misaligned */
	CS_PC_BAD_UNACCEPTED = 1u << 13, /* unaccepted mark, block size unknown or misaligned */
	CS_PC_HUGETLB_UNTRUSTED = 1u << 14, /* 6.6-6.8 PG_hugetlb seen, not trusted (issue 21) */
};

struct cs_page_class {
	uint32_t cond;
	uint8_t buddy_order;      /* with CS_PC_BUDDY */
	uint8_t compound_order;   /* with CS_PC_COMPOUND */
	uint8_t unaccepted_order; /* with CS_PC_UNACCEPTED */
};

/*
 * Derive the constants from the model and the struct page layout chosen for
 * it (defaults for ancient kernels as makedumpfile's get_value_for_old_linux).
 */
void cs_classify_consts_init(struct cs_classify_consts *c, const struct cs_kmodel *km,
			     const struct cs_page_layout *lay);

/* A page-type descriptor for an exported value (exposed for tests). */
struct cs_page_type cs_page_type_make(int64_t number, bool masked);
bool cs_page_type_match(const struct cs_page_type *t, uint32_t mapcount);

/* Classify the page at pfn (pfn is needed only for alignment checks). Pure. */
void cs_classify(const struct cs_page_view *v, pfn_t pfn, const struct cs_classify_consts *c,
		 struct cs_page_class *out);

#endif
