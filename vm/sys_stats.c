/*
 * sys_stats.c — node-wide statistics counters (sys_stats.h).
 */
#include <stdatomic.h>

#include "vm/platform.h"
#include "vm/sys_stats.h"

static _Atomic uint64_t gc_count, gc_reclaimed_words;
static _Atomic uint64_t start_ns;

void sys_stats_gc_done(uint64_t reclaimed_words)
{
    atomic_fetch_add_explicit(&gc_count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&gc_reclaimed_words, reclaimed_words, memory_order_relaxed);
}

void sys_stats_gc_totals(uint64_t *collections, uint64_t *reclaimed_words)
{
    *collections = atomic_load_explicit(&gc_count, memory_order_relaxed);
    *reclaimed_words = atomic_load_explicit(&gc_reclaimed_words, memory_order_relaxed);
}

void sys_stats_start(void)
{
    atomic_store_explicit(&start_ns, plat_monotonic_ns(), memory_order_relaxed);
}

uint64_t sys_stats_start_ns(void)
{
    uint64_t s = atomic_load_explicit(&start_ns, memory_order_relaxed);
    if (s == 0) {
        uint64_t now = plat_monotonic_ns(), zero = 0;
        /* First reader wins; a concurrent one takes the winner's value. */
        if (!atomic_compare_exchange_strong_explicit(&start_ns, &zero, now, memory_order_relaxed,
                                                     memory_order_relaxed))
            return zero;
        return now;
    }
    return s;
}
