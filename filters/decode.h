/* filters/decode.h: raw struct page bytes -> struct cs_page_view, layout chosen by which VMCOREINFO keys exist. */
#ifndef CS_DECODE_H
#define CS_DECODE_H

#include "core/kmodel.h"
#include "filters/page_view.h"

/* Where the compound order (and hugetlb destructor) live, newest first (filters/decode.c). */
enum cs_order_src {
	CS_ORDER_NONE = 0, /* unknown: compound heads cannot be sized */
	CS_ORDER_FLAGS1,   /* 6.6+: low byte of folio._flags_1 (first tail's flags) */
	CS_ORDER_FOLIO,    /* 6.3-6.5: u8 folio._folio_order / _folio_dtor, minus SIZE(page) */
	CS_ORDER_PAGE8,    /* 4.16-6.2: u8 page.compound_order / compound_dtor in the first tail */
	CS_ORDER_PAGE16,   /* 4.4-4.15: u16 fields */
};

struct cs_page_layout {
	uint32_t size; /* SIZE(page) */
	uint32_t off_flags, off_mapping, off_mapcount, off_private, off_compound_head;
	bool have_mapcount, have_private, have_compound_head;
	uint64_t head_mask; /* NUMBER(PG_head_mask), default 1 << 14 */
	enum cs_order_src order_src;
	/* Offsets within the first tail page (CS_ORDER_FOLIO/PAGE*). */
	uint32_t tail_off_order, tail_off_dtor;
	bool have_dtor;
};

/*
 * Choose the layout from the model. Fails (naming the key) when the fields
 * every filter needs are missing: SIZE(page), OFFSET(page.flags),
 * OFFSET(page.mapping) (makedumpfile: "Can't distinguish the memory type").
 */
cs_status cs_page_layout_init(struct cs_page_layout *lay, const struct cs_kmodel *km,
			      struct cs_err *err);

/*
 * Decode the struct page at `page`. `tail` is the next struct page (the first
 * tail if this is a compound head) or NULL when it is not available.
 */
void cs_page_decode(const struct cs_page_layout *lay, const uint8_t *page, const uint8_t *tail,
		    struct cs_page_view *v);

#endif
