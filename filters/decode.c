/* filters/decode.c: pull the classifier's fields out of raw struct page bytes. */
#include "filters/decode.h"
#include "core/endian.h"

#include <string.h>

/* makedumpfile's default for kernels that did not export it: 1 << PG_compound (14). */
#define CS_DEFAULT_PG_HEAD_MASK (1ULL << 14)
#define CS_MAX_SIZEOF_PAGE 1024

static bool field_ok(const struct cs_kmodel *km, enum cs_km_id id, uint64_t size, uint64_t width)
{
	return cs_km_has(km, id) && cs_km_get(km, id) + width <= size;
}

cs_status cs_page_layout_init(struct cs_page_layout *lay, const struct cs_kmodel *km,
			      struct cs_err *err)
{
	struct cs_page_layout l = {0};
	uint64_t size;

	if (!cs_km_has(km, KM_SIZE_page))
		return cs_err_set(err, CS_ERR_FORMAT, "VMCOREINFO has no SIZE(page)");
	size = cs_km_get(km, KM_SIZE_page);
	if (size < 16 || size > CS_MAX_SIZEOF_PAGE)
		return cs_err_set(err, CS_ERR_CORRUPT, "SIZE(page)=%" PRIu64 " is implausible", size);
	if (!field_ok(km, KM_OFF_page_flags, size, 8))
		return cs_err_set(err, CS_ERR_FORMAT, "VMCOREINFO has no usable OFFSET(page.flags)");
	if (!field_ok(km, KM_OFF_page_mapping, size, 8))
		return cs_err_set(err, CS_ERR_FORMAT,
				  "can't distinguish the memory type: no usable OFFSET(page.mapping)");
	l.size = (uint32_t)size;
	l.off_flags = (uint32_t)cs_km_get(km, KM_OFF_page_flags);
	l.off_mapping = (uint32_t)cs_km_get(km, KM_OFF_page_mapping);
	if (field_ok(km, KM_OFF_page__mapcount, size, 4)) {
		l.have_mapcount = true;
		l.off_mapcount = (uint32_t)cs_km_get(km, KM_OFF_page__mapcount);
	}
	if (field_ok(km, KM_OFF_page_private, size, 8)) {
		l.have_private = true;
		l.off_private = (uint32_t)cs_km_get(km, KM_OFF_page_private);
	}
	/* Linux 7.1 renamed page.compound_head to compound_info (same meaning of bit 0). */
	if (field_ok(km, KM_OFF_page_compound_head, size, 8)) {
		l.have_compound_head = true;
		l.off_compound_head = (uint32_t)cs_km_get(km, KM_OFF_page_compound_head);
	} else if (field_ok(km, KM_OFF_page_compound_info, size, 8)) {
		l.have_compound_head = true;
		l.off_compound_head = (uint32_t)cs_km_get(km, KM_OFF_page_compound_info);
	}
	l.head_mask = cs_km_has(km, KM_NUM_PG_head_mask) ? cs_km_get(km, KM_NUM_PG_head_mask)
							: CS_DEFAULT_PG_HEAD_MASK;

	if (cs_km_has(km, KM_NUM_PAGE_HUGETLB_MAPCOUNT_VALUE) || cs_km_has(km, KM_NUM_PG_hugetlb)) {
		/* 6.6+: order in the low byte of folio._flags_1 (makedumpfile 9661c1d, 985e575). */
		l.order_src = CS_ORDER_FLAGS1;
	} else if (cs_km_has(km, KM_OFF_folio__folio_order)) {
		/* 6.3-6.5: folio fields; the first tail starts at SIZE(page) within the folio. */
		uint64_t o = cs_km_get(km, KM_OFF_folio__folio_order);
		if (o >= size && o - size < size) {
			l.order_src = CS_ORDER_FOLIO;
			l.tail_off_order = (uint32_t)(o - size);
			if (cs_km_has(km, KM_OFF_folio__folio_dtor)) {
				uint64_t d = cs_km_get(km, KM_OFF_folio__folio_dtor);
				if (d >= size && d - size < size) {
					l.have_dtor = true;
					l.tail_off_dtor = (uint32_t)(d - size);
				}
			}
		}
	} else if (field_ok(km, KM_OFF_page_compound_order, size, 1)) {
		/*
		 * 4.16 made compound_dtor/compound_order unsigned char (adjacent);
		 * 4.4-4.15 had unsigned short. Tell them apart by the offsets, not
		 * by the release: order - dtor == 1 -> u8, == 2 -> u16.
		 */
		uint64_t o = cs_km_get(km, KM_OFF_page_compound_order);
		l.order_src = CS_ORDER_PAGE8;
		l.tail_off_order = (uint32_t)o;
		if (cs_km_has(km, KM_OFF_page_compound_dtor)) {
			uint64_t d = cs_km_get(km, KM_OFF_page_compound_dtor);
			if (o == d + 2 && o + 2 <= size)
				l.order_src = CS_ORDER_PAGE16;
			else if (o != d + 1)
				l.order_src = CS_ORDER_NONE; /* pre-4.4 (dtor was a pointer): unsupported */
			if (l.order_src != CS_ORDER_NONE) {
				l.have_dtor = true;
				l.tail_off_dtor = (uint32_t)d;
			}
		}
	}
	*lay = l;
	return CS_OK;
}

void cs_page_decode(const struct cs_page_layout *lay, const uint8_t *page, const uint8_t *tail,
		    struct cs_page_view *v)
{
	v->flags = cs_load_le64(page + lay->off_flags);
	v->mapping = cs_load_le64(page + lay->off_mapping);
	/* -1 (no mapping, no page type) when the kernel does not tell. */
	v->mapcount = lay->have_mapcount ? cs_load_le32(page + lay->off_mapcount) : 0xffffffffu;
	v->private_ = lay->have_private ? cs_load_le64(page + lay->off_private) : 0;
	v->compound_head = lay->have_compound_head ? cs_load_le64(page + lay->off_compound_head) : 0;
	v->head = (v->flags & lay->head_mask) != 0;
	v->has_tail = false;
	v->order = 0;
	v->dtor = 0;
	v->flags_1 = 0;
	if (!v->head || !tail)
		return;
	switch (lay->order_src) {
	case CS_ORDER_NONE:
		return;
	case CS_ORDER_FLAGS1:
		v->flags_1 = cs_load_le64(tail + lay->off_flags);
		v->order = v->flags_1 & 0xff;
		break;
	case CS_ORDER_FOLIO:
	case CS_ORDER_PAGE8:
		v->order = tail[lay->tail_off_order];
		if (lay->have_dtor)
			v->dtor = tail[lay->tail_off_dtor];
		break;
	case CS_ORDER_PAGE16:
		v->order = cs_load_le16(tail + lay->tail_off_order);
		if (lay->have_dtor)
			v->dtor = cs_load_le16(tail + lay->tail_off_dtor);
		break;
	}
	v->has_tail = true;
}
