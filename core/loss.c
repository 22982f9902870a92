/* core/loss.c: the loss ledger (core/loss.h): merging counts and naming reasons. */
#include "core/loss.h"

void cs_loss_merge(struct cs_loss *dst, const struct cs_loss *src)
{
	for (int i = 0; i < CS_LOSS_NR; i++)
		cs_loss_add(dst, (enum cs_loss_reason)i, src->first[i], src->pages[i]);
}

uint64_t cs_loss_total(const struct cs_loss *l)
{
	uint64_t n = 0;

	for (int i = 0; i < CS_LOSS_NR; i++)
		n += l->pages[i];
	return n;
}

const char *cs_loss_reason_text(enum cs_loss_reason why)
{
	switch (why) {
	case CS_LOSS_UNWRITTEN: return "page descriptor never written (the input is incomplete)";
	case CS_LOSS_CUT: return "descriptor or data past the end of the input (it is cut short)";
	case CS_LOSS_BAD_DESC: return "corrupt page descriptor (offset, size or compression flags)";
	case CS_LOSS_DECODE: return "data that does not decompress to a page";
	case CS_LOSS_SPLIT_GAP: return "in no piece of the split set given (a piece is missing)";
	case CS_LOSS_BEYOND_MAX: return "marked dumpable beyond the header's max_mapnr (a corrupt header)";
	case CS_LOSS_NR: break;
	}
	return "unknown reason";
}
