/*
 * ets_lock.h — the locks ETS uses: a mutex (stripe and tree-base locks)
 * and a reader-writer lock (the registry and each table), both spinning a
 * bounded number of times and then parking through the platform seam
 * (plat_park/plat_unpark: a futex on the host; in the kernel a halt until
 * the unparker's wake IPI, see vm/platform.h).
 *
 * Why park: a lock holder can lose its CPU (a host thread preempted by
 * Linux, a vCPU descheduled by the hypervisor). A pure spinlock then burns
 * the waiter's whole time slice, and under load the holder waits for the
 * waiter's CPU: update_counter on one key from two schedulers took 9x the
 * one-scheduler time. Spinning first keeps the uncontended and the
 * briefly-contended cases at a few atomic instructions.
 *
 * Why per-scheduler lines: on a 2-vCPU VM one cache-line transfer costs
 * 40-100 ns, more than a whole ETS lookup. Every lock word that many
 * callers write sits on its own line (EtsSlot, EtsMutexLine), and a table
 * lock whose read mode is the common case (read_concurrency,
 * write_concurrency, the registry) has one reader indicator per scheduler,
 * so a reader writes only its own scheduler's line; any other table has
 * up to ETS_RW_GROUPS of them (reader groups, as OTP's rwlocks have).
 *
 * EtsRwLock protocol (Dekker style, seq_cst on the marked accesses): a
 * reader announces itself in its indicator, then checks `word`; if a
 * writer is there it withdraws and waits for the writer to leave. A writer
 * claims W in `word` (one at a time), then waits until every indicator is
 * zero. Writers therefore win over newly arriving readers.
 *  - word: W (a writer holds or is draining) | P (someone is parked
 *    waiting for W to clear: the writer's unlock wakes them all).
 *  - drain: 1 while a writer is parked waiting for readers to leave; a
 *    reader that leaves (or withdraws) and sees it clears it and wakes
 *    the writer, which looks again.
 *
 * A reader's lock and unlock run in the same BIF call, so on the same
 * scheduler: plat_sched_index() names the same indicator both times. The
 * slots also carry the table's decentralised counters (ets_table.h).
 *
 * These locks may be held while copying terms into the calling process's
 * heap (heap_alloc never collects; it may malloc a fragment), which
 * vm/lock.h's spinlocks forbid: ETS must copy a stored object while it is
 * guaranteed to exist. Lock order: registry, table, stripe or tree base.
 */
#ifndef BEAMOS_VM_ETS_LOCK_H
#define BEAMOS_VM_ETS_LOCK_H

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "vm/platform.h"
#include "vm/sched.h"

/* Spinning before parking: at most ETS_SPIN_PAUSES pauses (~10 ns each
 * here: ~40 µs, about 1% of a host time slice, longer than any ETS
 * critical section on a running CPU, and several futex round trips), in
 * exponentially growing waits between looks (ETS_BACKOFF_MAX at most).
 * The backoff is what keeps a contended line from bouncing: a waiter that
 * polls every pause steals the line from the holder at every look, and
 * the holder then pays a transfer on its unlock and again on its next
 * lock; with backoff it can run many critical sections in a row. */
#define ETS_SPIN_PAUSES 4096
#define ETS_BACKOFF_MAX 256
/* A mutex waiter's first wait before it looks again: a full backoff step.
 * A waiter that looks soon after a failed try mostly finds the lock free
 * for the moment between two of the holder's critical sections and takes
 * it, so a lock hammered from two CPUs changes hands nearly every time
 * and each change moves the lock's and the object's lines (update_counter
 * on one key from two schedulers: 200 ns a call with a first wait of one
 * pause, 55 ns with 256, which is the one-CPU rate: the holder runs many
 * sections in a row). The waiter still looks every ETS_BACKOFF_MAX
 * pauses, and the holder leaves the lock free between sections, so it
 * cannot starve. */
#define ETS_MUTEX_FIRST_WAIT ETS_BACKOFF_MAX

static inline void ets_cpu_relax(void) { __builtin_ia32_pause(); }

/* ---- mutex ----
 * state: 0 free, 1 held, 2 held and someone may be parked (Drepper's
 * "futexes are tricky", mutex 2). A thread that has parked once takes the
 * lock only by exchanging in 2, so the last holder always wakes the rest. */
typedef struct {
    atomic_int state;
} EtsMutex;

typedef struct {
    _Alignas(64) EtsMutex m;    /* one mutex per cache line (stripes) */
} EtsMutexLine;

static inline void ets_mutex_init(EtsMutex *m) { atomic_init(&m->state, 0); }

static inline bool ets_mutex_trylock(EtsMutex *m)
{
    int expect = 0;
    return atomic_compare_exchange_strong_explicit(&m->state, &expect, 1, memory_order_acquire,
                                                   memory_order_relaxed);
}

/* Pause `*delay` times and double it (to ETS_BACKOFF_MAX); false once
 * `*budget` pauses are spent. */
static inline bool ets_backoff(int *delay, int *budget)
{
    if (*budget <= 0) return false;
    for (int i = 0; i < *delay; i++) ets_cpu_relax();
    *budget -= *delay;
    if (*delay < ETS_BACKOFF_MAX) *delay *= 2;
    return true;
}

static inline void ets_mutex_lock_slow(EtsMutex *m)
{
    int delay = ETS_MUTEX_FIRST_WAIT, budget = ETS_SPIN_PAUSES;
    while (ets_backoff(&delay, &budget))
        if (atomic_load_explicit(&m->state, memory_order_relaxed) == 0 && ets_mutex_trylock(m)) return;
    while (atomic_exchange_explicit(&m->state, 2, memory_order_acquire) != 0) plat_park(&m->state, 2);
}

static inline void ets_mutex_lock(EtsMutex *m)
{
    if (!ets_mutex_trylock(m)) ets_mutex_lock_slow(m);
}

static inline void ets_mutex_unlock(EtsMutex *m)
{
    if (atomic_exchange_explicit(&m->state, 0, memory_order_release) == 2) plat_unpark(&m->state, 1);
}

/* ---- reader-writer lock ---- */

/* One cache line per scheduler: its readers, and the table counters
 * (objects and bytes added minus removed by callers on this slot). */
typedef struct {
    _Alignas(64) atomic_long readers;
    atomic_long count;
    atomic_long bytes;
} EtsSlot;

#define ETS_RW_W 1              /* a writer holds the lock, or is draining readers */
#define ETS_RW_P 2              /* someone is parked until W clears */

typedef struct {
    atomic_int word;            /* ETS_RW_W | ETS_RW_P */
    atomic_int drain;           /* 1: a writer is parked until readers leave */
    unsigned nslots;            /* 1: one shared indicator */
    bool own_slots;             /* one slot per scheduler: only it writes its slot's counters */
    EtsSlot *slots;             /* nslots lines, 64-byte aligned inside slots_mem */
    void *slots_mem;
} EtsRwLock;

/* Reader indicators: per_scheduler, one per scheduler (sched_count, or
 * MAX_SCHEDULERS before the schedulers exist); else reader groups, one
 * line per ETS_RW_GROUPS schedulers at most (a writer scans at most that
 * many lines, and readers on up to that many CPUs still share none). */
#define ETS_RW_GROUPS 4u

static inline void ets_rw_init(EtsRwLock *l, bool per_scheduler)
{
    atomic_init(&l->word, 0);
    atomic_init(&l->drain, 0);
    unsigned n = sched_count ? sched_count : MAX_SCHEDULERS;
    if (!per_scheduler && n > ETS_RW_GROUPS) n = ETS_RW_GROUPS;
    l->nslots = n;
    /* sched_count is fixed once the schedulers exist; before, n is
     * MAX_SCHEDULERS, which covers every scheduler there can be. */
    l->own_slots = !sched_count || n >= sched_count;
    /* One spare line so the slots can start on a cache-line boundary
     * (malloc only promises 16-byte alignment). */
    l->slots_mem = malloc(sizeof(EtsSlot) * (n + 1));
    if (!l->slots_mem) plat_fatal("ets: out of memory");
    l->slots = (EtsSlot *)(((uintptr_t)l->slots_mem + 63) & ~(uintptr_t)63);
    for (unsigned i = 0; i < n; i++) {
        atomic_init(&l->slots[i].readers, 0);
        atomic_init(&l->slots[i].count, 0);
        atomic_init(&l->slots[i].bytes, 0);
    }
}

static inline void ets_rw_destroy(EtsRwLock *l) { free(l->slots_mem); l->slots = NULL; l->slots_mem = NULL; }

static inline size_t ets_rw_bytes(const EtsRwLock *l) { return sizeof(EtsSlot) * (l->nslots + 1); }

/* The caller's slot. */
static inline EtsSlot *ets_rw_slot(EtsRwLock *l)
{
    if (l->nslots == 1) return l->slots;
    unsigned i = plat_sched_index();
    return &l->slots[i < l->nslots ? i : i % l->nslots];
}

/* Wait (spin, then park) until no writer holds the lock. */
static inline void ets_rw_wait_writer(EtsRwLock *l)
{
    int delay = 1, budget = ETS_SPIN_PAUSES;
    while (ets_backoff(&delay, &budget))
        if (!(atomic_load_explicit(&l->word, memory_order_relaxed) & ETS_RW_W)) return;
    int w;
    while ((w = atomic_load(&l->word)) & ETS_RW_W) {
        if (!(w & ETS_RW_P) && !atomic_compare_exchange_weak(&l->word, &w, w | ETS_RW_P)) continue;
        plat_park(&l->word, w | ETS_RW_P);
    }
}

/* A reader left: if a writer is parked waiting for that, wake it. */
static inline void ets_rw_reader_left(EtsRwLock *l)
{
    if (atomic_load(&l->drain)) {
        atomic_store(&l->drain, 0);
        plat_unpark(&l->drain, INT_MAX);
    }
}

static inline void ets_rw_rlock(EtsRwLock *l)
{
    atomic_long *ind = &ets_rw_slot(l)->readers;
    for (;;) {
        atomic_fetch_add(ind, 1);                      /* seq_cst: before the load of word */
        if (!(atomic_load(&l->word) & ETS_RW_W)) return;
        atomic_fetch_sub(ind, 1);                      /* withdraw: the writer may be draining */
        ets_rw_reader_left(l);
        ets_rw_wait_writer(l);
    }
}

static inline void ets_rw_runlock(EtsRwLock *l)
{
    atomic_fetch_sub(&ets_rw_slot(l)->readers, 1);     /* seq_cst: before the load of drain */
    ets_rw_reader_left(l);
}

/* Wait until indicator *ind is zero (the caller holds W). */
static inline void ets_rw_drain(EtsRwLock *l, atomic_long *ind)
{
    if (!atomic_load(ind)) return;
    int delay = 1, budget = ETS_SPIN_PAUSES;
    while (ets_backoff(&delay, &budget))
        if (!atomic_load(ind)) return;
    while (atomic_load(ind)) {
        atomic_store(&l->drain, 1);                    /* seq_cst: before the load of ind */
        if (!atomic_load(ind)) break;
        plat_park(&l->drain, 1);
    }
    atomic_store(&l->drain, 0);
}

static inline void ets_rw_wlock(EtsRwLock *l)
{
    for (;;) {
        int w = atomic_load(&l->word);
        if (!(w & ETS_RW_W)) {
            if (atomic_compare_exchange_weak(&l->word, &w, w | ETS_RW_W)) break;
            continue;
        }
        ets_rw_wait_writer(l);
    }
    for (unsigned i = 0; i < l->nslots; i++) ets_rw_drain(l, &l->slots[i].readers);
}

static inline void ets_rw_wunlock(EtsRwLock *l)
{
    if (atomic_exchange_explicit(&l->word, 0, memory_order_release) & ETS_RW_P)
        plat_unpark(&l->word, INT_MAX);
}

#endif
