/* formats/notes.h: ELF note iteration and construction over a byte buffer (bounds-checked). */
#ifndef CS_NOTES_H
#define CS_NOTES_H

#include "core/types.h"

/* ELF note types and names the readers and writers care about. */
#define CS_NT_PRSTATUS 1
#define CS_NOTE_NAME_CORE "CORE"
#define CS_NOTE_NAME_VMCOREINFO "VMCOREINFO"
#define CS_NOTE_NAME_ERASEINFO "ERASEINFO"

/* One note, pointing into the iterated buffer (borrowed). */
struct cs_note {
	uint32_t type;
	const char *name;   /* not necessarily NUL-terminated */
	size_t name_len;    /* name bytes without trailing NULs */
	const uint8_t *desc;
	size_t descsz;
	size_t off;         /* offset of the note header within the buffer */
	size_t desc_off;    /* offset of the descriptor within the buffer */
};

/*
 * Iterator over notes in host byte order (Elf64_Nhdr and Elf32_Nhdr have the
 * same 12-byte layout). Name and descriptor are each padded to 4 bytes.
 */
struct cs_note_iter {
	const uint8_t *buf;
	size_t size;
	size_t pos;
	bool bad; /* set when iteration stopped on a malformed note (not at the end) */
};

void cs_note_iter_init(struct cs_note_iter *it, const void *buf, size_t size);
/*
 * Next note into *note; false at the end of the buffer, at zero padding (a
 * note header of all zeros, as old kexec-tools left in per-cpu buffers), or on
 * a note whose sizes overrun the buffer (then it->bad is set).
 */
bool cs_note_next(struct cs_note_iter *it, struct cs_note *note);

/* True if the note's name is exactly `name` (ignoring the trailing NUL). */
bool cs_note_is(const struct cs_note *note, const char *name);

/* What the engine needs from a note buffer. */
struct cs_note_summary {
	bool have_vmcoreinfo;
	size_t vmcoreinfo_off;  /* descriptor offset within the buffer */
	size_t vmcoreinfo_size;
	int nr_cpus;            /* "CORE" NT_PRSTATUS notes */
	bool bad;               /* a malformed note stopped the scan */
};

/* Scan a note buffer; the first VMCOREINFO note wins. */
void cs_notes_summarize(const void *buf, size_t size, struct cs_note_summary *sum);

/* Bytes a note with these name (incl. NUL) and descriptor sizes occupies. */
static inline size_t cs_note_size(size_t namesz, size_t descsz)
{
	return 12 + CS_ALIGN_UP(namesz, 4) + CS_ALIGN_UP(descsz, 4);
}

/*
 * Write a note (name NUL-terminated, padding zeroed) at buf, which must have
 * room for cs_note_size(strlen(name) + 1, descsz) bytes. Returns the bytes written.
 */
size_t cs_note_write(void *buf, const char *name, uint32_t type, const void *desc, size_t descsz);

#endif
