/*
 * sched.h — schedulers: one per CPU, each running processes from its own
 * run queues (four priorities). The scheduler loop picks a process, runs it
 * with emu_execute() until it yields, waits or exits, and repeats; when
 * nothing is runnable it steals work or idles (plat_idle_wait).
 * The scheduler/process work owns this file's implementation (sched.c).
 */
#ifndef BEAMOS_VM_SCHED_H
#define BEAMOS_VM_SCHED_H

#include <stdint.h>

#include "vm/process.h"

/* Contract change (process work): sched.h no longer includes beam_file.h,
 * whose BeamInstr (a parsed generic instruction) clashes with process.h's
 * BeamInstr (a threaded-code word), so no file could include sched.h. The
 * register counts are repeated here; identical redefinitions are legal C,
 * so including beam_file.h as well stays fine. */
#ifndef BEAM_MAX_X_REGS
#define BEAM_MAX_X_REGS 1024
#endif
#ifndef BEAM_MAX_F_REGS
#define BEAM_MAX_F_REGS 1024
#endif

#define MAX_SCHEDULERS 64

typedef struct Scheduler {
    unsigned index;
    /* Registers of the process running here [owned by this scheduler]. */
    term_t x_reg[BEAM_MAX_X_REGS];
    double f_reg[BEAM_MAX_F_REGS];
    Process *current;
    /* ---- run queues, timers, statistics (scheduler work adds fields) ---- */
    void *runq;                /* implementation-private */
    void *timers;              /* timer wheel */
    uint64_t context_switches;
    uint64_t reductions;
    uint64_t busy_ns, idle_ns;
} Scheduler;

extern Scheduler *schedulers[MAX_SCHEDULERS];
extern unsigned sched_count;

/* Create n schedulers (data only). */
void sched_init(unsigned n);
/* The calling thread/CPU becomes scheduler `index` and runs until the VM
 * halts. */
void sched_run(unsigned index);
/* Make p runnable (from any scheduler; wakes an idle one if needed). */
void sched_enqueue(Process *p);
Scheduler *sched_self(void);

/* ---- added by the process work (backward compatible) ---- */
/* Run scheduler `index` on the calling thread until no process is runnable
 * and no timer is pending, then return (tests; single-threaded boot work).
 * Sleeps through plat_idle_wait while only timers are pending. */
void sched_run_until_idle(unsigned index);
/* erlang:system_flag(schedulers_online, N) (1 <= n <= sched_count; the
 * caller checks): returns the previous count. Schedulers n.. stop taking
 * unbound processes; sched_online() is the current count. */
unsigned sched_set_online(unsigned n);
unsigned sched_online(void);
/* Processes in s's run queues (statistics(run_queue)). */
unsigned sched_runq_len(Scheduler *s);
/* The scheduler for a process to use now: its own if it has one, else the
 * caller's. */
Scheduler *sched_for(Process *p);

#endif
