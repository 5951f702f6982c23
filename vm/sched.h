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

#include "vm/beam_file.h"
#include "vm/process.h"

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

#endif
