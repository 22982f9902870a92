/* formats/proc_windows.h: reusable mmap windows over /proc/vmcore, shared by the pipeline's readers. */
#ifndef CS_PROC_WINDOWS_H
#define CS_PROC_WINDOWS_H

#include "core/types.h"

#include <pthread.h>

/*
 * Reading /proc/vmcore with read(2) costs an ioremap per page; a mapping
 * costs page-table setup and a TLB flush at munmap. makedumpfile therefore
 * maps 4 MiB windows and serves many reads from each; so does this cache: a
 * few windows of CS_PROC_WINDOW_BYTES (aligned to it in the file), kept until
 * evicted (least recently used among those nobody is copying from) or
 * released at close. A read is copied out under a use count, not under the
 * lock, so the workers copy in parallel. The mappings are of kernel memory
 * by pfn (VM_PFNMAP): they do not count towards the RSS.
 */
#define CS_PROC_WINDOW_BYTES (4u << 20)
#define CS_PROC_WINDOWS 8

struct cs_proc_window {
	uint64_t foff;    /* file offset of map[0] (a multiple of CS_PROC_WINDOW_BYTES) */
	uint8_t *map;     /* NULL: free slot */
	size_t len;
	unsigned users;   /* copies in progress */
	uint64_t used_at; /* tick of the last use (LRU) */
};

struct cs_proc_windows {
	int fd;
	uint64_t file_size;
	pthread_mutex_t lock;
	uint64_t tick;
	struct cs_proc_window win[CS_PROC_WINDOWS];
};

void cs_proc_windows_init(struct cs_proc_windows *pw, int fd, uint64_t file_size);
/* Unmap every window (no copy may be in progress). */
void cs_proc_windows_deinit(struct cs_proc_windows *pw);
/*
 * Copy file bytes [foff, foff + len) through the windows. False when they
 * cannot be mapped (the caller reads them with pread instead).
 */
bool cs_proc_windows_copy(struct cs_proc_windows *pw, void *buf, size_t len, uint64_t foff);

#endif
