/*
 * system_monitor.h — erlang:system_monitor/0,1,2: one process (the
 * monitor) is sent {monitor, Pid, Event, Info} when a garbage collection
 * takes long (long_gc), leaves a large heap (large_heap), or a process
 * runs uninterrupted for long (long_schedule). OTP's semantics; busy_port
 * and busy_dist_port are accepted and reported back, and never fire: this
 * VM has no ports, and no distribution ports yet.
 *
 * The settings change rarely and are read by every scheduler: a mask of
 * enabled events is one atomic word, checked before anything is timed;
 * the rest sits under a spinlock taken only when an event may be due.
 */
#ifndef BEAMOS_VM_SYSTEM_MONITOR_H
#define BEAMOS_VM_SYSTEM_MONITOR_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vm/process.h"

enum {
    SYSMON_LONG_GC = 1u << 0,
    SYSMON_LARGE_HEAP = 1u << 1,
    SYSMON_LONG_SCHEDULE = 1u << 2,
    SYSMON_BUSY_PORT = 1u << 3,
    SYSMON_BUSY_DIST_PORT = 1u << 4,
};

extern _Atomic unsigned sysmon_mask;

static inline bool sysmon_on(unsigned event)
{
    return (atomic_load_explicit(&sysmon_mask, memory_order_relaxed) & event) != 0;
}

/* After a collection of p that took gc_ns (0 when long_gc was off as it
 * started): sends long_gc / large_heap when due. */
void sysmon_after_gc(Process *p, uint64_t gc_ns);
/* After p ran ns without a break, from code address in_pc to out_pc
 * (either may be outside module code). */
void sysmon_after_slice(Process *p, uint64_t ns, const BeamInstr *in_pc, const BeamInstr *out_pc);
/* p is exiting: if it is the monitor, monitoring stops (as OTP). */
void sysmon_process_gone(term_t pid);

#endif
