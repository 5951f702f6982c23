/*
 * slab.c — per-CPU size-class allocator (see slab.h for the interface).
 *
 * Layout. A slab is SLAB_BYTES from the backend, aligned to SLAB_BYTES. A
 * 192-byte header (three cache lines: fields fixed at set-up, fields only
 * the owner writes, the remote-free word other CPUs write) is followed by
 * blocks of one class, packed against the END of the slab: the first block
 * sits at SLAB_BYTES - n * size. Since SLAB_BYTES is a multiple of every
 * power of two up to it, each block is aligned to the largest power of two
 * dividing its class size (16 for 48, 4096 for 4096...), which is what
 * slab_alloc_aligned relies on; for power-of-two sizes it costs nothing
 * (n = SLAB_BYTES/size - 1 either way).
 *
 * Ownership. Arena i belongs to CPU i: only CPU i reads or writes its
 * current/partial/spare slabs, its counters (other CPUs only read them for
 * statistics) and the owner fields of its slabs. Other CPUs touch a slab in
 * exactly one place, its `remote` word, and an arena in exactly one place,
 * its `reclaim` stack. Nothing here takes a lock.
 *
 * Slab states (owner's view, slab->state):
 *   CURRENT  the class's allocation slab (arena->current[cls])
 *   PARTIAL  on arena->partial[cls]: has free blocks in its local list
 *   RETIRED  every block was handed out when the owner last looked; on no
 *            list, so the owner cannot see frees into it by itself
 *   SPARE    empty, kept as arena->spare[cls] to absorb alloc/free churn
 *
 * The retire/reclaim handshake. A full slab leaves the owner's lists, so a
 * remote free into it must tell the owner, or its blocks would be lost to
 * the owner forever. The classic form is Dekker's: the owner sets a "full"
 * flag and then re-reads the remote stack, a freer pushes and then reads
 * the flag, both sequentially consistent, so at least one sees the other.
 * Here both halves live in ONE word, which makes the same handshake a
 * single atomic step on each side:
 *
 *   remote = 0            no remote frees pending
 *   remote = B            a stack of blocks freed by other CPUs (B->next...)
 *   remote = RETIRED_TAG  the owner retired the slab (only set over 0)
 *
 *   owner retires:   CAS(remote, 0 -> RETIRED_TAG). Failure means a remote
 *                    free raced in: drain it instead and keep allocating.
 *   remote free:     CAS(remote, old -> b) with b->next = old minus the tag.
 *                    The one freer whose CAS removed the tag owns the news:
 *                    it pushes the slab onto the owner arena's `reclaim`
 *                    stack (CAS). Every other freer is done after its CAS.
 *   owner frees into a RETIRED slab: CAS(remote, RETIRED_TAG -> 0) to take
 *                    it back onto the partial list; failure means a freer
 *                    removed the tag and the slab is on its way through
 *                    `reclaim` — leave it there (and never release it).
 *   owner runs out (or idles): exchange the whole reclaim stack for NULL,
 *                    drain each slab's remote stack, list or release it.
 *
 * Exactly one of {owner un-retires, one freer pushes to reclaim} happens per
 * retirement, so a slab is on the reclaim stack at most once and needs no
 * "in reclaim" flag. The two-flag Dekker form also has a use-after-free the
 * single word avoids: a freer that reads a "full" flag AFTER its push may
 * find the slab already drained, emptied and returned to the backend. Here
 * a freer reads nothing after its push except on a RETIRED slab, which no
 * one else can reach until that freer's own reclaim push completes.
 *
 * Memory order: pushes are release, the owner's exchanges acquire, so the
 * `next` links (and reclaim_next) written by a freer are visible to the
 * owner that pops them. Stacks have one consumer (the owner) that takes the
 * whole list at once, so there is no ABA.
 *
 * Counting. `used` (blocks handed out and not yet seen back) is owner-only:
 * a remote free is counted when the owner drains it. A slab whose used
 * count reaches 0 goes back to the backend, except one spare per class.
 *
 * Interrupts. The arena is per CPU and unlocked, so an interrupt handler
 * that allocated would corrupt the arena of the code it interrupted. No
 * handler does (kernel/, drivers/, arch/: the LAPIC timer, IPIs and the
 * serial receive interrupt never allocate), so the hot path carries no
 * pushf/cli/popf. A handler that needs memory must take it beforehand.
 */
#include "kernel/slab.h"

#define SLAB_HEADER_BYTES 192u
#define RETIRED_TAG       ((uintptr_t)1)   /* blocks are 16-aligned: bit 0 is free */
#define SLAB_MAGIC        0x42454d4f534c4142ull
#define CACHE_LINE        64

typedef struct Block { struct Block *next; } Block;

enum { SLAB_CURRENT, SLAB_PARTIAL, SLAB_RETIRED, SLAB_SPARE };

struct Arena;

typedef struct Slab {
    /* Set up by the owner when the slab is taken from the backend; read by
     * any CPU that frees into it. */
    uint64_t magic;                 /* SLAB_MAGIC ^ address; 0 once returned */
    struct Arena *arena;            /* owner */
    uint32_t cls;
    uint32_t block_bytes;
    uint32_t first;                 /* offset of the first block */

    /* Owner CPU only. */
    __attribute__((aligned(CACHE_LINE))) Block *free;
    uint32_t bump;                  /* next never-used block; SLAB_BYTES when none */
    uint32_t used;                  /* blocks out (remote frees not yet drained) */
    uint32_t state;
    struct Slab *next, *prev;       /* arena->partial[cls] */

    /* Any CPU: see the handshake above. */
    __attribute__((aligned(CACHE_LINE))) uintptr_t remote;
    struct Slab *reclaim_next;      /* written by the freer that removed RETIRED_TAG */
} Slab;

_Static_assert(sizeof(Slab) <= SLAB_HEADER_BYTES, "slab header outgrew its space");

typedef struct Arena {
    /* Owner CPU only (counters: read by any CPU, relaxed). */
    Slab *current[SLAB_CLASSES];
    Slab *partial[SLAB_CLASSES];    /* doubly linked, NULL-terminated */
    Slab *spare[SLAB_CLASSES];
    uint64_t slab_bytes, used_bytes, slabs, remote_blocks, reclaims;
    /* Any CPU pushes; the owner takes the whole stack. */
    __attribute__((aligned(CACHE_LINE))) Slab *reclaim;
} __attribute__((aligned(CACHE_LINE))) Arena;

static Arena arenas[SLAB_MAX_ARENAS];

/* ---- size classes ---- */

/* 16..128 by 16, then 4 steps per power of two: (2^p, 2^(p+1)] in steps of 2^(p-2). */
static const uint32_t class_bytes[SLAB_CLASSES] = {
    16,   32,   48,   64,   80,   96,   112,  128,  160,  192,  224,  256,  320,  384,  448,  512,
    640,  768,  896,  1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096, 5120, 6144, 7168, 8192,
};
_Static_assert(SLAB_MAX_BYTES == 8192, "class table ends at SLAB_MAX_BYTES");

/* The class of a request: the table above, computed. */
static inline unsigned size_class(size_t bytes)
{
    if (bytes <= 128)
        return bytes ? (unsigned)((bytes - 1) >> 4) : 0;
    size_t s = bytes - 1;
    unsigned p = 63u - (unsigned)__builtin_clzll(s);
    return 8u + (p - 7u) * 4u + (unsigned)(s >> (p - 2)) - 4u;
}

size_t slab_class_bytes(unsigned cls) { return cls < SLAB_CLASSES ? class_bytes[cls] : 0; }
size_t slab_round_bytes(size_t bytes) { return class_bytes[size_class(bytes)]; }

/* ---- slabs ---- */

static inline Slab *slab_of(const void *p) { return (Slab *)((uintptr_t)p & ~(uintptr_t)(SLAB_BYTES - 1)); }
static inline Arena *my_arena(void) { return &arenas[slab_backend_cpu()]; }

static void count(uint64_t *counter, int64_t delta)
{
    /* Owner-only writer; relaxed so slab_stats may read from any CPU. */
    __atomic_store_n(counter, *counter + (uint64_t)delta, __ATOMIC_RELAXED);
}

static void slab_reset(Slab *s, uint32_t state)
{
    s->free = 0;
    s->bump = s->first;
    s->used = 0;
    s->state = state;
    s->next = s->prev = 0;
    __atomic_store_n(&s->remote, 0, __ATOMIC_RELAXED);
}

static Slab *slab_new(Arena *a, unsigned cls)
{
    Slab *s = slab_backend_chunk_alloc();
    if (!s)
        return 0;
    if ((uintptr_t)s & (SLAB_BYTES - 1))
        slab_backend_fatal("backend chunk not aligned to 64 KiB", s);
    uint32_t size = class_bytes[cls];
    s->magic = SLAB_MAGIC ^ (uintptr_t)s;
    s->arena = a;
    s->cls = cls;
    s->block_bytes = size;
    s->first = SLAB_BYTES - (SLAB_BYTES - SLAB_HEADER_BYTES) / size * size;
    slab_reset(s, SLAB_CURRENT);
    count(&a->slab_bytes, SLAB_BYTES);
    count(&a->slabs, 1);
    return s;
}

static void list_push(Arena *a, Slab *s)
{
    Slab **head = &a->partial[s->cls];
    s->state = SLAB_PARTIAL;
    s->prev = 0;
    s->next = *head;
    if (*head)
        (*head)->prev = s;
    *head = s;
}

static void list_remove(Arena *a, Slab *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        a->partial[s->cls] = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->next = s->prev = 0;
}

/* An empty slab (used == 0, on no list): keep it as the class's spare or
 * give it back. */
static void slab_release(Arena *a, Slab *s, int keep_spare)
{
    if (keep_spare && !a->spare[s->cls]) {
        slab_reset(s, SLAB_SPARE);
        a->spare[s->cls] = s;
        return;
    }
    s->magic = 0;                  /* a late free into it now fails loudly */
    count(&a->slab_bytes, -(int64_t)SLAB_BYTES);
    count(&a->slabs, -1);
    slab_backend_chunk_free(s);
}

/* Move the remote-free stack onto the local free list. Only for a slab that
 * is not RETIRED, or one taken from the reclaim stack (tag already gone).
 * Returns the number of blocks drained. */
static uint32_t drain_remote(Arena *a, Slab *s)
{
    if (!__atomic_load_n(&s->remote, __ATOMIC_RELAXED))
        return 0;
    uintptr_t h = __atomic_exchange_n(&s->remote, 0, __ATOMIC_ACQUIRE);
    if (h & RETIRED_TAG)
        slab_backend_fatal("slab: drained a retired slab", s);
    Block *b = (Block *)h, *tail = b;
    if (!b)
        return 0;
    uint32_t n = 1;
    while (tail->next) {
        tail = tail->next;
        n++;
    }
    tail->next = s->free;
    s->free = b;
    s->used -= n;
    count(&a->used_bytes, -(int64_t)n * s->block_bytes);
    count(&a->remote_blocks, n);
    return n;
}

/* Owner: everything on the reclaim stack comes back to the partial lists. */
static void reclaim_all(Arena *a)
{
    Slab *s = __atomic_exchange_n(&a->reclaim, (Slab *)0, __ATOMIC_ACQUIRE);
    while (s) {
        Slab *next = s->reclaim_next;   /* read before s can be released */
        count(&a->reclaims, 1);
        drain_remote(a, s);
        if (s->used == 0)
            slab_release(a, s, 1);
        else
            list_push(a, s);
        s = next;
    }
}

/* The class's current slab has no free block: find one that has. */
static Slab *refill(Arena *a, unsigned cls)
{
    Slab *s = a->current[cls];
    if (s) {
        if (drain_remote(a, s))
            return s;
        uintptr_t expect = 0;
        if (!__atomic_compare_exchange_n(&s->remote, &expect, RETIRED_TAG, 0, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE)) {
            drain_remote(a, s);        /* a remote free raced in: keep the slab */
            return s;
        }
        s->state = SLAB_RETIRED;
        a->current[cls] = 0;
    }
    if (!a->partial[cls])
        reclaim_all(a);
    s = a->partial[cls];
    if (s) {
        list_remove(a, s);
        s->state = SLAB_CURRENT;
    } else if ((s = a->spare[cls]) != 0) {
        a->spare[cls] = 0;
        s->state = SLAB_CURRENT;
    } else if ((s = slab_new(a, cls)) == 0) {
        return 0;
    }
    a->current[cls] = s;
    return s;
}

static void *alloc_class(unsigned cls)
{
    Arena *a = my_arena();
    Slab *s = a->current[cls];
    Block *b;
    for (;;) {
        if (s) {
            if ((b = s->free) != 0) {
                s->free = b->next;
                break;
            }
            if (s->bump < SLAB_BYTES) {
                b = (Block *)((char *)s + s->bump);
                s->bump += s->block_bytes;
                break;
            }
        }
        if ((s = refill(a, cls)) == 0)
            return 0;
    }
    s->used++;
    count(&a->used_bytes, s->block_bytes);
    return b;
}

void *slab_alloc(size_t bytes) { return bytes <= SLAB_MAX_BYTES ? alloc_class(size_class(bytes)) : 0; }

void *slab_alloc_aligned(size_t bytes, size_t align)
{
    if (align & (align - 1) || align > SLAB_MAX_ALIGN || bytes > SLAB_MAX_BYTES)
        return 0;
    if (align < 16)
        align = 16;
    unsigned cls = size_class(bytes < align ? align : bytes);
    while (class_bytes[cls] & (align - 1))   /* ends at 8192, a multiple of any align */
        cls++;
    return alloc_class(cls);
}

static Slab *checked_slab(const void *p)
{
    Slab *s = slab_of(p);
    if (s->magic != (SLAB_MAGIC ^ (uintptr_t)s) || ((uintptr_t)p & 15) ||
        (uintptr_t)p - (uintptr_t)s < s->first)
        slab_backend_fatal("free or realloc of a pointer that is not a slab block", p);
    return s;
}

size_t slab_block_bytes(const void *p) { return checked_slab(p)->block_bytes; }

static void free_local(Arena *a, Slab *s, Block *b)
{
    b->next = s->free;
    s->free = b;
    s->used--;
    count(&a->used_bytes, -(int64_t)s->block_bytes);
    if (s->state == SLAB_RETIRED) {
        uintptr_t expect = RETIRED_TAG;
        if (!__atomic_compare_exchange_n(&s->remote, &expect, 0, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            return;                    /* a remote freer is handing it back via reclaim */
        list_push(a, s);
    }
    if (s->used == 0 && s->state == SLAB_PARTIAL) {
        list_remove(a, s);
        slab_release(a, s, 1);
    }
}

static void free_remote(Slab *s, Block *b)
{
    uintptr_t old = __atomic_load_n(&s->remote, __ATOMIC_RELAXED);
    do
        b->next = (Block *)(old & ~RETIRED_TAG);
    while (!__atomic_compare_exchange_n(&s->remote, &old, (uintptr_t)b, 1, __ATOMIC_RELEASE,
                                        __ATOMIC_RELAXED));
    if (!(old & RETIRED_TAG))
        return;
    /* We took the tag off a retired slab: only we may tell its owner. */
    Arena *owner = s->arena;
    Slab *head = __atomic_load_n(&owner->reclaim, __ATOMIC_RELAXED);
    do
        s->reclaim_next = head;
    while (!__atomic_compare_exchange_n(&owner->reclaim, &head, s, 1, __ATOMIC_RELEASE,
                                        __ATOMIC_RELAXED));
}

void slab_free(void *p)
{
    Slab *s = checked_slab(p);
    Arena *a = my_arena();
    if (s->arena == a)
        free_local(a, s, p);
    else
        free_remote(s, p);
}

/* ---- maintenance ---- */

void slab_reclaim(void)
{
    Arena *a = my_arena();
    if (__atomic_load_n(&a->reclaim, __ATOMIC_RELAXED))
        reclaim_all(a);
}

void slab_trim(void)
{
    Arena *a = my_arena();
    reclaim_all(a);
    for (unsigned c = 0; c < SLAB_CLASSES; c++) {
        Slab *s = a->current[c];
        if (s) {
            drain_remote(a, s);
            if (s->used == 0) {
                a->current[c] = 0;
                slab_release(a, s, 0);
            }
        }
        for (s = a->partial[c]; s;) {
            Slab *next = s->next;
            drain_remote(a, s);
            if (s->used == 0) {
                list_remove(a, s);
                slab_release(a, s, 0);
            }
            s = next;
        }
        if ((s = a->spare[c]) != 0) {
            a->spare[c] = 0;
            slab_release(a, s, 0);
        }
    }
}

/* ---- statistics ---- */

void slab_arena_stats(unsigned cpu, SlabStats *out)
{
    const Arena *a = &arenas[cpu < SLAB_MAX_ARENAS ? cpu : 0];
    out->slab_bytes = __atomic_load_n(&a->slab_bytes, __ATOMIC_RELAXED);
    out->used_bytes = __atomic_load_n(&a->used_bytes, __ATOMIC_RELAXED);
    out->slabs = __atomic_load_n(&a->slabs, __ATOMIC_RELAXED);
    out->remote_blocks = __atomic_load_n(&a->remote_blocks, __ATOMIC_RELAXED);
    out->reclaims = __atomic_load_n(&a->reclaims, __ATOMIC_RELAXED);
}

void slab_stats(SlabStats *out)
{
    SlabStats sum = {0, 0, 0, 0, 0}, one;
    for (unsigned i = 0; i < SLAB_MAX_ARENAS; i++) {
        slab_arena_stats(i, &one);
        sum.slab_bytes += one.slab_bytes;
        sum.used_bytes += one.used_bytes;
        sum.slabs += one.slabs;
        sum.remote_blocks += one.remote_blocks;
        sum.reclaims += one.reclaims;
    }
    *out = sum;
}
