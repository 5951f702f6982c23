/*
 * slab.h — per-CPU size-class allocator for small blocks (16 B .. 8 KiB).
 *
 * Blocks live in 64 KiB slabs, each 64 KiB-aligned, so a block's slab is
 * `ptr & ~(SLAB_BYTES - 1)` and blocks carry no header. Every CPU has its
 * own arena; allocation and same-CPU frees touch only that arena (no lock,
 * no atomic read-modify-write). A free from another CPU is one CAS onto the
 * slab's remote-free stack. Design and the retire/reclaim handshake:
 * kernel/slab.c and docs/memory.md.
 *
 * slab.c uses nothing but this header, so the same file builds for the
 * kernel (backend in kernel/kmalloc.c) and for a host unit test
 * (tests/unit/test_slab.c). Callers must not migrate between CPUs during a
 * call (true in the kernel: one scheduler per CPU, no kernel preemption) and
 * must not call from interrupt handlers (none allocates; see slab.c).
 */
#ifndef BEAMOS_KERNEL_SLAB_H
#define BEAMOS_KERNEL_SLAB_H

#include <stddef.h>
#include <stdint.h>

#define SLAB_BYTES      65536u   /* size and alignment of one slab */
#define SLAB_MAX_BYTES  8192u    /* largest block; bigger requests go elsewhere */
#define SLAB_MAX_ALIGN  4096u    /* largest alignment slab_alloc_aligned serves */
#define SLAB_CLASSES    32u      /* 16..128 by 16, then 4 steps per power of two */
#define SLAB_MAX_ARENAS 64u      /* one per CPU */

/* ---- the backend: supplied by the kernel, or by a test ---- */
/* A SLAB_BYTES block aligned to SLAB_BYTES, or NULL when memory is out. */
void *slab_backend_chunk_alloc(void);
void slab_backend_chunk_free(void *chunk);
/* The calling CPU's arena index, < SLAB_MAX_ARENAS. */
unsigned slab_backend_cpu(void);
/* A misuse that would corrupt memory (free of a foreign pointer). */
void slab_backend_fatal(const char *what, const void *ptr) __attribute__((noreturn));

/* ---- the allocator ---- */
/* A block of at least `bytes` (<= SLAB_MAX_BYTES; 0 counts as 1), 16-byte
 * aligned; NULL when the backend has no memory. */
void *slab_alloc(size_t bytes);
/* As slab_alloc, aligned to `align` (a power of two <= SLAB_MAX_ALIGN): the
 * block comes from the smallest class that is a multiple of `align`, and
 * every block of such a class is aligned to it (slab.c). */
void *slab_alloc_aligned(size_t bytes, size_t align);
/* Free a block from slab_alloc*, on any CPU. Panics (backend) on a pointer
 * that is not in a live slab. */
void slab_free(void *p);
/* The usable size of a block (its class size). */
size_t slab_block_bytes(const void *p);
/* The class size a request of `bytes` would get (bytes <= SLAB_MAX_BYTES). */
size_t slab_round_bytes(size_t bytes);
size_t slab_class_bytes(unsigned cls);

/* Calling CPU: take back slabs other CPUs freed blocks into after this CPU
 * retired them as full. Cheap when there are none (one load): for idle. */
void slab_reclaim(void);
/* Calling CPU: drain every remote-free stack, return every empty slab and
 * the spare slabs to the backend. */
void slab_trim(void);

/* Plain per-arena counters, summed on demand. used_bytes counts a block
 * freed by another CPU until its owner drains the remote stack. */
typedef struct {
    uint64_t slab_bytes;   /* held in slabs, spares included */
    uint64_t used_bytes;   /* in blocks handed out */
    uint64_t slabs;
    uint64_t remote_blocks;  /* blocks that came back freed by other CPUs */
    uint64_t reclaims;       /* retired slabs handed back by a remote free */
} SlabStats;
void slab_stats(SlabStats *out);                       /* all arenas */
void slab_arena_stats(unsigned cpu, SlabStats *out);   /* one arena */

#endif
