/* formats/notes.c: ELF note iteration and construction (bounds-checked, no overflow). */
#include "formats/notes.h"
#include "core/endian.h"

#include <string.h>

void cs_note_iter_init(struct cs_note_iter *it, const void *buf, size_t size)
{
	it->buf = buf;
	it->size = buf ? size : 0;
	it->pos = 0;
	it->bad = false;
}

bool cs_note_next(struct cs_note_iter *it, struct cs_note *note)
{
	size_t left = it->size - it->pos;
	const uint8_t *p;
	uint32_t namesz, descsz, type;
	size_t name_pad, desc_pad;

	if (left < 12)
		return false;
	p = it->buf + it->pos; /* only now: buf may be NULL for an empty buffer (NULL + 0 is UB) */
	namesz = cs_load_le32(p);
	descsz = cs_load_le32(p + 4);
	type = cs_load_le32(p + 8);
	if (namesz == 0 && descsz == 0 && type == 0)
		return false; /* zero padding ends the notes */
	/* Sizes are at most 2^32-1, so the 4-byte round-ups cannot overflow size_t. */
	name_pad = CS_ALIGN_UP((size_t)namesz, 4);
	desc_pad = CS_ALIGN_UP((size_t)descsz, 4);
	left -= 12;
	if (name_pad > left || (size_t)descsz > left - name_pad) {
		it->bad = true;
		return false;
	}
	note->type = type;
	note->name = (const char *)p + 12;
	note->name_len = namesz;
	while (note->name_len && note->name[note->name_len - 1] == '\0')
		note->name_len--;
	note->off = it->pos;
	note->desc_off = it->pos + 12 + name_pad;
	note->desc = it->buf + note->desc_off;
	note->descsz = descsz;
	/* The last note's descriptor padding may be missing; stop cleanly then. */
	if (desc_pad > left - name_pad)
		it->pos = it->size;
	else
		it->pos += 12 + name_pad + desc_pad;
	return true;
}

bool cs_note_is(const struct cs_note *note, const char *name)
{
	size_t len = strlen(name);

	return note->name_len == len && memcmp(note->name, name, len) == 0;
}

void cs_notes_summarize(const void *buf, size_t size, struct cs_note_summary *sum)
{
	struct cs_note_iter it;
	struct cs_note n;

	memset(sum, 0, sizeof(*sum));
	cs_note_iter_init(&it, buf, size);
	while (cs_note_next(&it, &n)) {
		if (n.type == CS_NT_PRSTATUS && cs_note_is(&n, CS_NOTE_NAME_CORE))
			sum->nr_cpus++;
		else if (!sum->have_vmcoreinfo && cs_note_is(&n, CS_NOTE_NAME_VMCOREINFO)) {
			sum->have_vmcoreinfo = true;
			sum->vmcoreinfo_off = n.desc_off;
			sum->vmcoreinfo_size = n.descsz;
		}
	}
	sum->bad = it.bad;
}

size_t cs_note_write(void *buf, const char *name, uint32_t type, const void *desc, size_t descsz)
{
	uint8_t *p = buf;
	uint32_t namesz = (uint32_t)strlen(name) + 1, dsz = (uint32_t)descsz;
	size_t total = cs_note_size(namesz, descsz);

	memset(p, 0, total);
	memcpy(p, &namesz, 4);
	memcpy(p + 4, &dsz, 4);
	memcpy(p + 8, &type, 4);
	memcpy(p + 12, name, namesz);
	if (descsz)
		memcpy(p + 12 + CS_ALIGN_UP((size_t)namesz, 4), desc, descsz);
	return total;
}
