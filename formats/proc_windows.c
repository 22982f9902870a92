/* formats/proc_windows.c: a small LRU cache of 4 MiB mmap windows over /proc/vmcore (see the header). */
#include "formats/proc_windows.h"

#include <string.h>
#include <sys/mman.h>

void cs_proc_windows_init(struct cs_proc_windows *pw, int fd, uint64_t file_size)
{
	memset(pw, 0, sizeof(*pw));
	pw->fd = fd;
	pw->file_size = file_size;
	pthread_mutex_init(&pw->lock, NULL);
}

void cs_proc_windows_deinit(struct cs_proc_windows *pw)
{
	for (size_t i = 0; i < CS_PROC_WINDOWS; i++)
		if (pw->win[i].map)
			munmap(pw->win[i].map, pw->win[i].len);
	pthread_mutex_destroy(&pw->lock);
	memset(pw->win, 0, sizeof(pw->win));
}

/*
 * The window holding foff, mapped if need be, with its use count raised; NULL
 * when it cannot be mapped or every slot is busy.
 */
static struct cs_proc_window *acquire(struct cs_proc_windows *pw, uint64_t foff)
{
	uint64_t base = foff - foff % CS_PROC_WINDOW_BYTES;
	struct cs_proc_window *w = NULL, *victim = NULL;
	size_t len;
	void *map;

	pthread_mutex_lock(&pw->lock);
	for (size_t i = 0; i < CS_PROC_WINDOWS; i++) {
		struct cs_proc_window *c = &pw->win[i];

		if (c->map && c->foff == base) {
			w = c;
			break;
		}
		if (!c->users && (!victim || !c->map || (victim->map && c->used_at < victim->used_at)))
			victim = c;
	}
	if (!w && victim) {
		/* The kernel refuses a mapping past the end of /proc/vmcore. */
		len = (size_t)CS_MIN((uint64_t)CS_PROC_WINDOW_BYTES, pw->file_size - base);
		map = mmap(NULL, len, PROT_READ, MAP_SHARED, pw->fd, (off_t)base);
		if (map != MAP_FAILED) {
			if (victim->map)
				munmap(victim->map, victim->len);
			victim->map = map;
			victim->len = len;
			victim->foff = base;
			w = victim;
		}
	}
	if (w) {
		w->users++;
		w->used_at = ++pw->tick;
	}
	pthread_mutex_unlock(&pw->lock);
	return w;
}

static void release(struct cs_proc_windows *pw, struct cs_proc_window *w)
{
	pthread_mutex_lock(&pw->lock);
	w->users--;
	pthread_mutex_unlock(&pw->lock);
}

bool cs_proc_windows_copy(struct cs_proc_windows *pw, void *buf, size_t len, uint64_t foff)
{
	uint8_t *out = buf;

	if (foff > pw->file_size || len > pw->file_size - foff)
		return false;
	while (len) {
		struct cs_proc_window *w = acquire(pw, foff);
		size_t off, n;

		if (!w)
			return false; /* the caller preads the whole range again: harmless */
		off = (size_t)(foff - w->foff);
		n = CS_MIN(len, w->len - off);
		memcpy(out, w->map + off, n);
		release(pw, w);
		out += n;
		foff += n;
		len -= n;
	}
	return true;
}
