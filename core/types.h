/* core/types.h: the value types every room shares (pfn, addresses, file offsets). */
#ifndef CS_TYPES_H
#define CS_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>

typedef uint64_t pfn_t;   /* page frame number */
typedef uint64_t paddr_t; /* physical address */
typedef uint64_t vaddr_t; /* kernel virtual address */
typedef int64_t foff_t;   /* offset in a file */

#define PRIxPFN PRIx64

#define CS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define CS_MAX(a, b) ((a) > (b) ? (a) : (b))
#define CS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define CS_ALIGN_UP(x, a) (((x) + (a) - 1) / (a) * (a))
#define CS_DIV_ROUND_UP(x, a) (((x) + (a) - 1) / (a))

#endif
