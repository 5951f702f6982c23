/*
 * ets_lock.h — the reader-writer lock ETS uses for its table registry and
 * for each table (C11 atomics, in the style of vm/lock.h).
 *
 * Two reader indicators:
 *  - shared: one counter of readers (plain tables: cheap, one cache line);
 *  - per-scheduler: one counter per scheduler, each on its own cache line
 *    ({read_concurrency, true} and the registry, which every ETS call
 *    reads). A reader touches only its own scheduler's line, so readers on
 *    different CPUs never share a cache line; a writer pays by scanning
 *    every line.
 *
 * Protocol (Dekker style, so every access here is seq_cst): a reader
 * announces itself in its indicator, then checks `writer`; if a writer is
 * there it withdraws and waits. A writer first claims `writer` (one at a
 * time), then waits until no reader is announced. Writers therefore win
 * over newly arriving readers and cannot starve.
 *
 * A reader's lock and unlock run in the same BIF call, so on the same
 * scheduler: plat_sched_index() names the same indicator both times.
 *
 * These locks may be held while copying terms into the calling process's
 * heap (heap_alloc never collects; it may malloc a fragment), which
 * vm/lock.h's spinlocks forbid: ETS must copy a stored object while it is
 * guaranteed to exist. Lock order: registry, then table, then stripe.
 */
#ifndef BEAMOS_VM_ETS_LOCK_H
#define BEAMOS_VM_ETS_LOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "vm/platform.h"
#include "vm/sched.h"

typedef struct {
    _Alignas(64) atomic_long n;
} EtsReaderSlot;

typedef struct {
    atomic_int writer;            /* 1 while a writer holds or waits for the lock */
    atomic_long readers;          /* shared indicator (slots == NULL) */
    EtsReaderSlot *slots;         /* per-scheduler indicators, or NULL */
    void *slots_mem;              /* the malloc'ed block slots is aligned within */
} EtsRwLock;

static inline void ets_rw_init(EtsRwLock *l, bool per_scheduler)
{
    atomic_init(&l->writer, 0);
    atomic_init(&l->readers, 0);
    l->slots = NULL;
    l->slots_mem = NULL;
    if (per_scheduler) {
        /* One spare line so the slots can start on a cache-line boundary
         * (malloc only promises 16-byte alignment). */
        l->slots_mem = malloc(sizeof(EtsReaderSlot) * (MAX_SCHEDULERS + 1));
        if (!l->slots_mem) plat_fatal("ets: out of memory");
        l->slots = (EtsReaderSlot *)(((uintptr_t)l->slots_mem + 63) & ~(uintptr_t)63);
        for (unsigned i = 0; i < MAX_SCHEDULERS; i++) atomic_init(&l->slots[i].n, 0);
    }
}

static inline void ets_rw_destroy(EtsRwLock *l) { free(l->slots_mem); l->slots = NULL; l->slots_mem = NULL; }

static inline size_t ets_rw_bytes(const EtsRwLock *l)
{
    return l->slots ? sizeof(EtsReaderSlot) * (MAX_SCHEDULERS + 1) : 0;
}

static inline atomic_long *ets_rw_indicator(EtsRwLock *l)
{
    return l->slots ? &l->slots[plat_sched_index() % MAX_SCHEDULERS].n : &l->readers;
}

static inline void ets_rw_rlock(EtsRwLock *l)
{
    atomic_long *ind = ets_rw_indicator(l);
    for (;;) {
        atomic_fetch_add(ind, 1);
        if (!atomic_load(&l->writer)) return;
        atomic_fetch_sub(ind, 1);
        while (atomic_load_explicit(&l->writer, memory_order_relaxed)) __builtin_ia32_pause();
    }
}

static inline void ets_rw_runlock(EtsRwLock *l)
{
    atomic_fetch_sub_explicit(ets_rw_indicator(l), 1, memory_order_release);
}

static inline void ets_rw_wlock(EtsRwLock *l)
{
    for (;;) {
        int expect = 0;
        if (atomic_compare_exchange_weak(&l->writer, &expect, 1)) break;
        while (atomic_load_explicit(&l->writer, memory_order_relaxed)) __builtin_ia32_pause();
    }
    if (l->slots) {
        for (unsigned i = 0; i < MAX_SCHEDULERS; i++)
            while (atomic_load(&l->slots[i].n)) __builtin_ia32_pause();
    } else {
        while (atomic_load(&l->readers)) __builtin_ia32_pause();
    }
}

static inline void ets_rw_wunlock(EtsRwLock *l)
{
    atomic_store_explicit(&l->writer, 0, memory_order_release);
}

#endif
