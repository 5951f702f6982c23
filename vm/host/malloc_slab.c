/*
 * malloc_slab.c — beamos-host's malloc: the kernel's per-CPU slab allocator
 * (kernel/slab.c) for blocks up to SLAB_MAX_BYTES, glibc's for the rest.
 *
 * Why. The image allocates with kernel/slab.c: one arena per CPU, no lock,
 * one CAS for a free on another CPU. With glibc's malloc, beamos-host paid
 * for something the image never does: a process spawned on scheduler A
 * (its Process and heap come from A's glibc arena) and exiting on
 * scheduler B takes A's arena lock for every free, against A's own
 * mallocs, and a quarter of the `spawn` benchmark at +S 2 was futex
 * wake-ups in glibc (docs/bench.md). The host build exists to measure the
 * VM; it should measure it with the product's allocator. ASan builds keep
 * the sanitizer's allocator (this file is not linked there).
 *
 * Replacing malloc as glibc documents it: malloc, free, calloc, realloc,
 * plus every function that may meet a pointer from here (realloc family,
 * malloc_usable_size, the aligned allocators).
 *
 * Telling the two apart. Slab chunks come from mmap in batches and are never
 * unmapped (an empty chunk is madvise'd away and reused), so "is this a slab
 * block" is a bit per 64 KiB of address space that, once set, never
 * changes: a two-level bitmap, one 8 KiB leaf per 4 GiB touched.
 *
 * Arenas. The slab allocator wants "the calling CPU"; here it is the calling
 * thread: each thread claims the next arena index on its first allocation
 * (schedulers are threads that live as long as the program). Threads past
 * the last arena allocate from glibc and free slab blocks as remote frees
 * through FOREIGN_ARENA, which never allocates.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <malloc.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kernel/slab.h"

void *__libc_malloc(size_t bytes);
void __libc_free(void *p);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t bytes);
void *__libc_memalign(size_t align, size_t bytes);

#define FOREIGN_ARENA (SLAB_MAX_ARENAS - 1)
#define CHUNK_BATCH   64u                 /* chunks per mmap: 4 MiB */
#define LEAF_SHIFT    32u                 /* one leaf per 4 GiB */
#define ROOT_ENTRIES  (1u << (47 - LEAF_SHIFT))
#define LEAF_BITS     (1u << (LEAF_SHIFT - 16))

/* ---- which addresses are slab chunks ---- */

static _Atomic(uint64_t *) chunk_map[ROOT_ENTRIES];

static bool is_slab(const void *p)
{
    uintptr_t a = (uintptr_t)p;
    if (a >> 47) return false;
    uint64_t *leaf = atomic_load_explicit(&chunk_map[a >> LEAF_SHIFT], memory_order_acquire);
    if (!leaf) return false;
    unsigned bit = (unsigned)(a >> 16) & (LEAF_BITS - 1);
    return (atomic_load_explicit((_Atomic uint64_t *)&leaf[bit / 64], memory_order_relaxed) >> (bit % 64)) & 1;
}

/* Called with chunk_lock held, so leaves are created once. */
static bool mark_slab(uintptr_t chunk)
{
    _Atomic(uint64_t *) *root = &chunk_map[chunk >> LEAF_SHIFT];
    uint64_t *leaf = atomic_load_explicit(root, memory_order_relaxed);
    if (!leaf) {
        leaf = mmap(NULL, LEAF_BITS / 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (leaf == MAP_FAILED) return false;
        atomic_store_explicit(root, leaf, memory_order_release);
    }
    unsigned bit = (unsigned)(chunk >> 16) & (LEAF_BITS - 1);
    atomic_fetch_or_explicit((_Atomic uint64_t *)&leaf[bit / 64], 1ull << (bit % 64), memory_order_release);
    return true;
}

/* ---- the slab backend ---- */

static atomic_flag chunk_lock = ATOMIC_FLAG_INIT;
static void *free_chunks;                 /* [chunk_lock] reusable chunks, linked through word 0 */
/* Empty chunks stay mapped and resident up to HOT_CHUNKS (128 MiB), so a
 * program that frees and re-allocates tens of thousands of processes does
 * not page-fault its way back (madvise'd pages come back zeroed, one fault
 * per 4 KiB: that made spawn 1.5x slower); past that they give their pages
 * back to Linux and keep only the address range. */
#define HOT_CHUNKS 2048u
static unsigned hot_chunks;               /* [chunk_lock] free chunks still resident */

static void lock_chunks(void)
{
    while (atomic_flag_test_and_set_explicit(&chunk_lock, memory_order_acquire))
        ;
}

static void unlock_chunks(void) { atomic_flag_clear_explicit(&chunk_lock, memory_order_release); }

/* Maps CHUNK_BATCH aligned chunks, marks them, returns the first and puts
 * the rest on free_chunks. [chunk_lock] */
static void *map_batch(void)
{
    size_t len = (size_t)CHUNK_BATCH * SLAB_BYTES;
    char *raw = mmap(NULL, len + SLAB_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return NULL;
    uintptr_t start = ((uintptr_t)raw + SLAB_BYTES - 1) & ~(uintptr_t)(SLAB_BYTES - 1);
    size_t head = start - (uintptr_t)raw;
    if (head) munmap(raw, head);
    if (SLAB_BYTES - head) munmap((char *)start + len, SLAB_BYTES - head);
    for (unsigned i = 0; i < CHUNK_BATCH; i++)
        if (!mark_slab(start + (uintptr_t)i * SLAB_BYTES)) return NULL;
    for (unsigned i = CHUNK_BATCH - 1; i >= 1; i--) {
        void **c = (void **)(start + (uintptr_t)i * SLAB_BYTES);
        c[1] = c;                         /* not resident: "cold", as after madvise */
        *c = free_chunks;
        free_chunks = c;
    }
    return (void *)start;
}

void *slab_backend_chunk_alloc(void)
{
    lock_chunks();
    void **c = free_chunks;
    if (c) {
        free_chunks = *c;
        if (!c[1]) hot_chunks--;
    } else {
        c = map_batch();
    }
    unlock_chunks();
    if (c) c[0] = c[1] = NULL;            /* a reused chunk's link and mark; fresh ones are zero */
    return c;
}


void slab_backend_chunk_free(void *chunk)
{
    lock_chunks();
    bool keep = hot_chunks < HOT_CHUNKS;
    if (keep) hot_chunks++;
    unlock_chunks();
    if (!keep) madvise(chunk, SLAB_BYTES, MADV_DONTNEED);
    ((void **)chunk)[1] = keep ? NULL : chunk;   /* cold mark, read when reused */
    lock_chunks();
    *(void **)chunk = free_chunks;
    free_chunks = chunk;
    unlock_chunks();
}

static _Atomic unsigned arenas_claimed;
static __thread int thread_arena = -1;

unsigned slab_backend_cpu(void)
{
    if (thread_arena < 0) {
        unsigned i = atomic_fetch_add(&arenas_claimed, 1);
        thread_arena = (int)(i < FOREIGN_ARENA ? i : FOREIGN_ARENA);
    }
    return (unsigned)thread_arena;
}

void slab_backend_fatal(const char *what, const void *ptr)
{
    char line[160];
    int n = snprintf(line, sizeof line, "beamos-host malloc: %s (%p)\n", what, ptr);
    if (n > 0) (void)!write(STDERR_FILENO, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    abort();
}

static bool may_slab(size_t bytes) { return bytes <= SLAB_MAX_BYTES && slab_backend_cpu() != FOREIGN_ARENA; }

/* ---- the malloc interface ---- */

void *malloc(size_t bytes)
{
    if (may_slab(bytes)) {
        void *p = slab_alloc(bytes);
        if (p) return p;
    }
    return __libc_malloc(bytes);
}

void free(void *p)
{
    if (!p) return;
    if (is_slab(p)) slab_free(p);
    else __libc_free(p);
}

void *calloc(size_t n, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    if (may_slab(bytes)) {
        void *p = slab_alloc(bytes);
        if (p) return memset(p, 0, bytes);
    }
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t bytes)
{
    if (!p) return malloc(bytes);
    if (!is_slab(p)) return __libc_realloc(p, bytes);
    if (bytes == 0) {                     /* glibc's meaning: free, return NULL */
        slab_free(p);
        return NULL;
    }
    size_t have = slab_block_bytes(p);
    if (bytes <= have) return p;
    void *q = malloc(bytes);
    if (!q) return NULL;
    memcpy(q, p, have);
    slab_free(p);
    return q;
}

void *reallocarray(void *p, size_t n, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, bytes);
}

void *memalign(size_t align, size_t bytes)
{
    if (align <= SLAB_MAX_ALIGN && !(align & (align - 1)) && may_slab(bytes)) {
        void *p = slab_alloc_aligned(bytes, align < 16 ? 16 : align);
        if (p) return p;
    }
    return __libc_memalign(align, bytes);
}

void *aligned_alloc(size_t align, size_t bytes) { return memalign(align, bytes); }

int posix_memalign(void **out, size_t align, size_t bytes)
{
    if (align < sizeof(void *) || (align & (align - 1))) return EINVAL;
    void *p = memalign(align, bytes);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}

void *valloc(size_t bytes) { return memalign((size_t)sysconf(_SC_PAGESIZE), bytes); }

void *pvalloc(size_t bytes)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return memalign(page, (bytes + page - 1) & ~(page - 1));
}

/* glibc's, for glibc's blocks (found once; dlsym's own allocations come
 * back through malloc above, which never calls this). */
size_t malloc_usable_size(void *p)
{
    static size_t (*libc_usable)(void *);
    if (!p) return 0;
    if (is_slab(p)) return slab_block_bytes(p);
    if (!libc_usable) libc_usable = (size_t (*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");
    return libc_usable ? libc_usable(p) : 0;
}
