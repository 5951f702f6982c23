/*
 * sys_stats.h — node-wide counters for erlang:statistics/1 and
 * erlang:memory/0,1 that no single subsystem owns (vm/sys_stats.c).
 *
 * Every counter is a relaxed atomic: each is an independent tally read for
 * reporting, never used to order other memory accesses.
 */
#ifndef BEAMOS_VM_SYS_STATS_H
#define BEAMOS_VM_SYS_STATS_H

#include <stdint.h>

#include "vm/process.h"

/* The collector finished one collection that freed `reclaimed_words`
 * (live-data words before minus after). Called by gc_collect. */
void sys_stats_gc_done(uint64_t reclaimed_words);
void sys_stats_gc_totals(uint64_t *collections, uint64_t *reclaimed_words);

/* Time the VM started (monotonic ns). sys_stats_start() should be called
 * once at boot; until it is, the first reader fixes the start. */
void sys_stats_start(void);
uint64_t sys_stats_start_ns(void);

/* Bytes one process holds (control block, heap blocks, fragments, queued
 * messages, links, monitors); see bif_proc_info.c for what it reads.
 * Only q's own scheduler may call it. */
uint64_t pinfo_memory_bytes(Process *q);
/* q's scheduler publishes q->mem_bytes / mem_used_bytes (after each time
 * slice and at spawn) for erlang:memory on other schedulers. */
void pinfo_memory_publish(Process *q);

/* Bytes of the persistent_term table and its permanent term copies
 * (bif_persistent_term.c). */
uint64_t pterm_memory_bytes(void);

#endif
