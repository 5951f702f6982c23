/*
 * kmalloc.c — malloc, free and friends for the kernel image.
 *
 * Requests up to SLAB_MAX_BYTES (8 KiB) come from the per-CPU slab
 * allocator (kernel/slab.c): no lock on the path the VM takes for process
 * structs, heaps, heap fragments and messages. Larger requests go to
 * newlib's malloc through its reentrant entry points (_malloc_r ...), one
 * arena under the lock in kernel/syscalls.c. Defining malloc/free/... here
 * keeps newlib's own malloc.o, calloc.o, realloc.o, malign.o, msize.o and
 * aligned_alloc.o out of the link (nothing else needs them); newlib's
 * internal allocations (stdio buffers, dtoa, strdup) still call _malloc_r
 * and so land in its heap.
 *
 * free() tells the two kinds apart by address: slabs are 16-page buddy
 * blocks seen through the direct map (PHYS_MAP_BASE..), newlib's heap is
 * KHEAP_BASE.. (sbrk -> kheap_grow). Anything else is a panic naming the
 * pointer. The link wraps newlib's _free_r and _realloc_r
 * (mk/toolchain.mk, --wrap) so that newlib code handed a block from
 * malloc() (getdelim's buffer, reallocf) routes it the same way instead of
 * corrupting its arena.
 *
 * Alignment: every slab block is 16-byte aligned. memalign & co. with an
 * alignment that is a power of two up to SLAB_MAX_ALIGN (4 KiB) and a size
 * up to 8 KiB use the smallest class that is a multiple of the alignment
 * (its blocks are aligned to it, see slab.c); larger alignments go to
 * newlib's _memalign_r.
 *
 * CPU: the arena is the calling CPU's; until the boot CPU marks itself
 * online (cpus_online == 0) it is CPU 0's. No interrupt handler allocates
 * (slab.c says why that matters).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <reent.h>
#include "kernel/slab.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "arch/x86_64/memlayout.h"

/* Declared here rather than through <malloc.h>, whose macros rename the
 * reentrant entry points. */
void *memalign(size_t align, size_t bytes);
size_t malloc_usable_size(void *p);
void *_memalign_r(struct _reent *r, size_t align, size_t bytes);
size_t _malloc_usable_size_r(struct _reent *r, void *p);
void __real__free_r(struct _reent *r, void *p);
void *__real__realloc_r(struct _reent *r, void *p, size_t bytes);
void __wrap__free_r(struct _reent *r, void *p);
void *__wrap__realloc_r(struct _reent *r, void *p, size_t bytes);

/* ---- the slab allocator's backend ---- */

#define SLAB_ORDER 4                    /* 2^4 pages: buddy blocks are aligned to their size */
_Static_assert((PAGE_SIZE << SLAB_ORDER) == SLAB_BYTES, "a slab is one buddy block");
_Static_assert(MAX_CPUS <= SLAB_MAX_ARENAS, "one slab arena per CPU");

void *slab_backend_chunk_alloc(void)
{
    uint64_t pa = pmm_alloc_pages(SLAB_ORDER);
    return pa ? phys_to_virt(pa) : NULL;
}

void slab_backend_chunk_free(void *chunk) { pmm_free_pages(virt_to_phys(chunk), SLAB_ORDER); }
unsigned slab_backend_cpu(void) { return cpus_online ? cpu_id() : 0; }
void slab_backend_fatal(const char *what, const void *ptr) { panic("kmalloc: %s (%p)", what, ptr); }

/* ---- which allocator owns a block ---- */

enum { KIND_OTHER, KIND_SLAB, KIND_HEAP };

static int block_kind(const void *p)
{
    uintptr_t v = (uintptr_t)p;
    if (v - PHYS_MAP_BASE < mem_stats.highest_phys)
        return KIND_SLAB;
    if (v - KHEAP_BASE < KHEAP_MAX_BYTES)
        return KIND_HEAP;
    return KIND_OTHER;
}

static void __attribute__((noreturn)) bad_pointer(const char *fn, const void *p)
{
    panic("%s(%p): not a block from malloc (neither a slab in the direct map nor newlib's heap)", fn, p);
}

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

/* ---- the C library's interface ---- */

void *malloc(size_t bytes)
{
    if (bytes <= SLAB_MAX_BYTES) {
        void *p = slab_alloc(bytes);
        if (p)
            return p;                   /* else no pages left for a slab: try newlib's heap */
    }
    return _malloc_r(_REENT, bytes);
}

void free(void *p)
{
    if (!p)
        return;
    switch (block_kind(p)) {
    case KIND_SLAB: slab_free(p); return;
    case KIND_HEAP: __real__free_r(_REENT, p); return;
    default: bad_pointer("free", p);
    }
}

void *calloc(size_t n, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    if (bytes <= SLAB_MAX_BYTES) {
        void *p = slab_alloc(bytes);
        if (p)
            return memset(p, 0, bytes);  /* slab blocks are reused: clear */
    }
    return _calloc_r(_REENT, n, size);
}

static void *realloc_slab(void *p, size_t bytes)
{
    size_t old = slab_block_bytes(p);
    if (bytes == 0) {
        slab_free(p);
        return NULL;
    }
    if (bytes <= SLAB_MAX_BYTES && slab_round_bytes(bytes) == old)
        return p;                       /* same class: nothing to gain by moving */
    void *q = malloc(bytes);
    if (!q)
        return NULL;                    /* p stays valid, as realloc promises */
    memcpy(q, p, min_size(old, bytes));
    slab_free(p);
    return q;
}

static void *realloc_heap(struct _reent *r, void *p, size_t bytes)
{
    if (bytes == 0 || bytes > SLAB_MAX_BYTES)
        return __real__realloc_r(r, p, bytes);
    void *q = slab_alloc(bytes);        /* shrunk to slab size: move it out of the heap */
    if (!q)
        return __real__realloc_r(r, p, bytes);
    memcpy(q, p, min_size(_malloc_usable_size_r(r, p), bytes));
    __real__free_r(r, p);
    return q;
}

void *realloc(void *p, size_t bytes)
{
    if (!p)
        return malloc(bytes);
    switch (block_kind(p)) {
    case KIND_SLAB: return realloc_slab(p, bytes);
    case KIND_HEAP: return realloc_heap(_REENT, p, bytes);
    default: bad_pointer("realloc", p);
    }
}

void *memalign(size_t align, size_t bytes)
{
    if (align <= 16)
        return malloc(bytes);
    if (align & (align - 1)) {
        errno = EINVAL;
        return NULL;
    }
    if (align <= SLAB_MAX_ALIGN && bytes <= SLAB_MAX_BYTES) {
        void *p = slab_alloc_aligned(bytes, align);
        if (p)
            return p;
    }
    return _memalign_r(_REENT, align, bytes);
}

void *aligned_alloc(size_t align, size_t bytes) { return memalign(align, bytes); }

int posix_memalign(void **out, size_t align, size_t bytes)
{
    if (align < sizeof(void *) || (align & (align - 1)))
        return EINVAL;
    void *p = memalign(align, bytes);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

size_t malloc_usable_size(void *p)
{
    if (!p)
        return 0;
    switch (block_kind(p)) {
    case KIND_SLAB: return slab_block_bytes(p);
    case KIND_HEAP: return _malloc_usable_size_r(_REENT, p);
    default: bad_pointer("malloc_usable_size", p);
    }
}

/* ---- newlib's own frees and reallocs (ld --wrap) ---- */

void __wrap__free_r(struct _reent *r, void *p)
{
    if (!p)
        return;
    switch (block_kind(p)) {
    case KIND_SLAB: slab_free(p); return;
    case KIND_HEAP: __real__free_r(r, p); return;
    default: bad_pointer("_free_r", p);
    }
}

void *__wrap__realloc_r(struct _reent *r, void *p, size_t bytes)
{
    if (!p)
        return _malloc_r(r, bytes);
    switch (block_kind(p)) {
    case KIND_SLAB: return realloc_slab(p, bytes);
    case KIND_HEAP: return __real__realloc_r(r, p, bytes);
    default: bad_pointer("_realloc_r", p);
    }
}
