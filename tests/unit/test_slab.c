/*
 * test_slab.c — the per-CPU slab allocator (kernel/slab.c) on the host.
 *
 * The backend hands out 64 KiB-aligned chunks from aligned_alloc and counts
 * them; the "CPU" is a thread-local index the tests set, so one thread can
 * play several CPUs (and walk the retire/reclaim handshake step by step)
 * and several threads can free each other's blocks.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/slab.h"
#include "tests/unit/check.h"

/* ---- host backend ---- */

static _Thread_local unsigned this_cpu_index;
static atomic_long chunks_out;

void *slab_backend_chunk_alloc(void)
{
    void *p = aligned_alloc(SLAB_BYTES, SLAB_BYTES);
    if (p)
        atomic_fetch_add(&chunks_out, 1);
    return p;
}

void slab_backend_chunk_free(void *chunk)
{
    atomic_fetch_sub(&chunks_out, 1);
    free(chunk);
}

unsigned slab_backend_cpu(void) { return this_cpu_index; }

void slab_backend_fatal(const char *what, const void *ptr)
{
    fprintf(stderr, "slab fatal: %s (%p)\n", what, ptr);
    abort();
}

static SlabStats stats(void)
{
    SlabStats s;
    slab_stats(&s);
    return s;
}

/* Fill a block with a pattern derived from its address and a seed. */
static void fill(void *p, size_t n, uint32_t seed)
{
    uint32_t *w = p;
    for (size_t i = 0; i < n / 4; i++)
        w[i] = seed * 2654435761u + (uint32_t)i;
}

static int intact(const void *p, size_t n, uint32_t seed)
{
    const uint32_t *w = p;
    for (size_t i = 0; i < n / 4; i++)
        if (w[i] != seed * 2654435761u + (uint32_t)i)
            return 0;
    return 1;
}

/* ---- single CPU ---- */

TEST(classes_round_trip)
{
    this_cpu_index = 0;
    CHECK_EQ_INT(slab_class_bytes(0), 16);
    CHECK_EQ_INT(slab_class_bytes(SLAB_CLASSES - 1), SLAB_MAX_BYTES);
    for (unsigned c = 1; c < SLAB_CLASSES; c++) {
        size_t b = slab_class_bytes(c);
        CHECK(b % 16 == 0 && b > slab_class_bytes(c - 1));
    }
    for (size_t n = 0; n <= SLAB_MAX_BYTES; n++) {
        size_t r = slab_round_bytes(n);
        if (r < n || r % 16 || (n > 16 && slab_round_bytes(r) != r)) {
            CHECK_FAIL_("size %zu rounds to %zu", n, r);
            break;
        }
        void *p = slab_alloc(n);
        if (!p || ((uintptr_t)p & 15) || slab_block_bytes(p) != r) {
            CHECK_FAIL_("slab_alloc(%zu) gave %p of %zu bytes", n, p, p ? slab_block_bytes(p) : 0);
            break;
        }
        memset(p, 0xab, r);
        slab_free(p);
    }
    CHECK(slab_alloc(SLAB_MAX_BYTES + 1) == NULL);
    slab_trim();
    CHECK_EQ_INT(stats().used_bytes, 0);
    CHECK_EQ_INT(stats().slab_bytes, 0);
    CHECK_EQ_INT(atomic_load(&chunks_out), 0);
}

TEST(aligned_classes)
{
    this_cpu_index = 0;
    for (size_t align = 1; align <= SLAB_MAX_ALIGN; align <<= 1)
        for (size_t n = 1; n <= SLAB_MAX_BYTES; n = n * 3 + 5) {
            void *p = slab_alloc_aligned(n, align);
            if (!p || ((uintptr_t)p & (align - 1)) || slab_block_bytes(p) < n) {
                CHECK_FAIL_("slab_alloc_aligned(%zu, %zu) gave %p", n, align, p);
                return;
            }
            slab_free(p);
        }
    CHECK(slab_alloc_aligned(16, 3) == NULL);
    CHECK(slab_alloc_aligned(16, 2 * SLAB_MAX_ALIGN) == NULL);
    slab_trim();
    CHECK_EQ_INT(atomic_load(&chunks_out), 0);
}

/* Many live blocks of mixed sizes: patterns survive (no overlap), and all
 * memory goes back when they are freed. */
TEST(no_overlap_and_return)
{
    enum { N = 20000 };
    static void *blocks[N];
    static size_t sizes[N];
    this_cpu_index = 0;
    uint32_t r = 1;
    for (int i = 0; i < N; i++) {
        r = r * 1103515245u + 12345u;
        sizes[i] = 1 + (r >> 8) % (i % 10 == 0 ? SLAB_MAX_BYTES : 256);
        blocks[i] = slab_alloc(sizes[i]);
        if (!blocks[i]) {
            CHECK_FAIL_("slab_alloc(%zu) failed", sizes[i]);
            return;
        }
        fill(blocks[i], sizes[i], (uint32_t)i);
    }
    CHECK(stats().used_bytes >= N);
    for (int i = 0; i < N; i++)
        if (!intact(blocks[i], sizes[i], (uint32_t)i)) {
            CHECK_FAIL_("block %d (%zu bytes) overwritten", i, sizes[i]);
            break;
        }
    for (int i = 0; i < N; i += 2)      /* half, then reuse the holes */
        slab_free(blocks[i]);
    for (int i = 0; i < N; i += 2) {
        blocks[i] = slab_alloc(sizes[i]);
        fill(blocks[i], sizes[i], (uint32_t)i);
    }
    for (int i = 0; i < N; i++)
        if (!intact(blocks[i], sizes[i], (uint32_t)i)) {
            CHECK_FAIL_("block %d (%zu bytes) overwritten after reuse", i, sizes[i]);
            break;
        }
    long peak = atomic_load(&chunks_out);
    for (int i = N - 1; i >= 0; i--)
        slab_free(blocks[i]);
    /* Empty slabs went back as they emptied; per class at most the current
     * slab and one spare stay. */
    CHECK(atomic_load(&chunks_out) <= 2 * (long)SLAB_CLASSES);
    CHECK(peak > 2 * (long)SLAB_CLASSES);
    CHECK_EQ_INT(stats().used_bytes, 0);
    slab_trim();
    CHECK_EQ_INT(atomic_load(&chunks_out), 0);
    CHECK_EQ_INT(stats().slab_bytes, 0);
}

/* ---- the retire/reclaim handshake, one step at a time ---- */

/* Blocks in one 4 KiB-class slab: (64 KiB - header) / 4 KiB. */
#define PER_SLAB ((int)(SLAB_BYTES / 4096) - 1)

TEST(remote_free_into_retired_slab)
{
    void *b[PER_SLAB + 1];
    this_cpu_index = 0;
    for (int i = 0; i <= PER_SLAB; i++)      /* the last one retires the first slab */
        b[i] = slab_alloc(4096);
    CHECK_EQ_INT(atomic_load(&chunks_out), 2);
    this_cpu_index = 1;                       /* CPU 1 frees CPU 0's first slab */
    for (int i = 0; i < PER_SLAB; i++)
        slab_free(b[i]);
    SlabStats a0;
    slab_arena_stats(0, &a0);
    CHECK_EQ_INT(a0.used_bytes, (PER_SLAB + 1) * 4096);   /* not drained yet */
    this_cpu_index = 0;
    slab_reclaim();                           /* the owner takes it back */
    slab_arena_stats(0, &a0);
    CHECK_EQ_INT(a0.used_bytes, 4096);
    CHECK_EQ_INT(a0.reclaims, 1);
    CHECK_EQ_INT(atomic_load(&chunks_out), 2); /* emptied slab kept as the spare */
    slab_free(b[PER_SLAB]);
    slab_trim();
    CHECK_EQ_INT(atomic_load(&chunks_out), 0);
    CHECK_EQ_INT(stats().used_bytes, 0);
}

TEST(owner_free_into_retired_slab)
{
    void *b[PER_SLAB + 1];
    this_cpu_index = 0;
    for (int i = 0; i <= PER_SLAB; i++)
        b[i] = slab_alloc(4096);
    slab_free(b[3]);                          /* un-retires: back on the partial list */
    void *again = slab_alloc(4096);           /* current slab first */
    CHECK(again != b[3]);
    this_cpu_index = 1;                       /* remote frees into a non-retired slab */
    slab_free(b[0]);
    this_cpu_index = 0;
    for (int i = 1; i < PER_SLAB; i++)
        if (i != 3)
            slab_free(b[i]);
    slab_free(b[PER_SLAB]);
    slab_free(again);
    slab_trim();
    CHECK_EQ_INT(stats().used_bytes, 0);
    CHECK_EQ_INT(atomic_load(&chunks_out), 0);
}

/* The owner frees into a retired slab after a remote free took the tag:
 * the slab arrives through reclaim and is released there, not twice. */
TEST(owner_and_remote_race_on_retired_slab)
{
    void *b[PER_SLAB + 1];
    this_cpu_index = 0;
    for (int i = 0; i <= PER_SLAB; i++)
        b[i] = slab_alloc(4096);
    this_cpu_index = 2;
    slab_free(b[0]);                          /* takes the tag, queues for reclaim */
    this_cpu_index = 0;
    for (int i = 1; i < PER_SLAB; i++)        /* owner empties the rest locally */
        slab_free(b[i]);
    CHECK_EQ_INT(atomic_load(&chunks_out), 2);
    slab_reclaim();
    slab_free(b[PER_SLAB]);
    slab_trim();
    CHECK_EQ_INT(stats().used_bytes, 0);
    CHECK_EQ_INT(atomic_load(&chunks_out), 0);
}

/* ---- threads: blocks handed to another CPU and freed there ---- */

#define THREADS 4
#define RING 1024
#define OPS_PER_THREAD 600000

typedef struct {
    _Alignas(64) atomic_uint head;            /* producer */
    _Alignas(64) atomic_uint tail;            /* consumer */
    void *slot[RING];
    uint32_t size[RING];
    atomic_int producer_done;
} Ring;

static Ring rings[THREADS];                   /* ring t: thread t -> thread t+1 */
static atomic_int corrupt, barrier_count;

static void barrier(int round)
{
    atomic_fetch_add(&barrier_count, 1);
    while (atomic_load(&barrier_count) < THREADS * round)
        sched_yield();
}

static int ring_pop(Ring *r, void **p, uint32_t *n)
{
    unsigned t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    if (t == atomic_load_explicit(&r->head, memory_order_acquire))
        return 0;
    *p = r->slot[t % RING];
    *n = r->size[t % RING];
    atomic_store_explicit(&r->tail, t + 1, memory_order_release);
    return 1;
}

static int drain_input(Ring *in, int max)
{
    void *p;
    uint32_t n;
    int got = 0;
    while (got < max && ring_pop(in, &p, &n)) {
        if (!intact(p, n, (uint32_t)(uintptr_t)p))
            atomic_store(&corrupt, 1);
        slab_free(p);
        got++;
    }
    return got;
}

static void *stress_thread(void *arg)
{
    unsigned me = (unsigned)(uintptr_t)arg;
    this_cpu_index = me;
    Ring *out = &rings[me], *in = &rings[(me + THREADS - 1) % THREADS];
    void *keep[64] = {0};
    uint32_t keep_n[64];
    uint32_t r = me * 7919u + 1;
    for (int op = 0; op < OPS_PER_THREAD; op++) {
        r = r * 1103515245u + 12345u;
        uint32_t n = 1 + (r >> 8) % (r % 16 == 0 ? SLAB_MAX_BYTES : 512);
        void *p = slab_alloc(n);
        if (!p) {
            atomic_store(&corrupt, 2);
            break;
        }
        fill(p, n, (uint32_t)(uintptr_t)p);
        if (r & 0x10000) {                    /* cross-CPU: the next thread frees it */
            unsigned h = atomic_load_explicit(&out->head, memory_order_relaxed);
            while (h - atomic_load_explicit(&out->tail, memory_order_acquire) >= RING)
                if (!drain_input(in, RING))
                    sched_yield();
            out->slot[h % RING] = p;
            out->size[h % RING] = n;
            atomic_store_explicit(&out->head, h + 1, memory_order_release);
        } else {                              /* local: keep a while, then free here */
            unsigned k = (r >> 20) % 64;
            if (keep[k]) {
                if (!intact(keep[k], keep_n[k], (uint32_t)(uintptr_t)keep[k]))
                    atomic_store(&corrupt, 1);
                slab_free(keep[k]);
            }
            keep[k] = p;
            keep_n[k] = n;
        }
        if ((op & 15) == 0)
            drain_input(in, 32);
    }
    for (int k = 0; k < 64; k++)
        if (keep[k])
            slab_free(keep[k]);
    atomic_store(&out->producer_done, 1);
    while (!atomic_load(&in->producer_done) || drain_input(in, RING))
        drain_input(in, RING);
    barrier(1);                               /* every free has happened */
    slab_trim();                              /* drain remote frees into my slabs */
    return NULL;
}

TEST(cross_cpu_stress)
{
    pthread_t t[THREADS];
    SlabStats before = stats();
    for (unsigned i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, stress_thread, (void *)(uintptr_t)i);
    for (unsigned i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    CHECK_EQ_INT(atomic_load(&corrupt), 0);
    SlabStats s = stats();
    CHECK_EQ_INT(s.used_bytes, 0);
    CHECK_EQ_INT(s.slab_bytes, 0);
    CHECK_EQ_INT(s.slabs, 0);
    CHECK_EQ_INT(atomic_load(&chunks_out), 0);
    /* The handshake ran: retired slabs came back through reclaim stacks. */
    CHECK(s.remote_blocks - before.remote_blocks > OPS_PER_THREAD);
    CHECK(s.reclaims > before.reclaims);
    printf("     (%d threads x %d allocations; %llu blocks freed across threads, %llu retired slabs reclaimed)\n",
           THREADS, OPS_PER_THREAD, (unsigned long long)(s.remote_blocks - before.remote_blocks),
           (unsigned long long)(s.reclaims - before.reclaims));
}

int main(void)
{
    RUN(classes_round_trip);
    RUN(aligned_classes);
    RUN(no_overlap_and_return);
    RUN(remote_free_into_retired_slab);
    RUN(owner_free_into_retired_slab);
    RUN(owner_and_remote_race_on_retired_slab);
    RUN(cross_cpu_stress);
    return CHECK_DONE();
}
