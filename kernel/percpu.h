/*
 * percpu.h — one Cpu per processor, reached through the GS base.
 *
 * cpus[i] is written by the BSP before CPU i starts and afterwards only by
 * CPU i itself, except the fields marked "any CPU" (atomics).
 */
#ifndef BEAMOS_KERNEL_PERCPU_H
#define BEAMOS_KERNEL_PERCPU_H

#include <stdint.h>

#define MAX_CPUS 64

typedef void (*CpuCallFn)(void *arg);

typedef struct Cpu {
    struct Cpu *self;            /* gs:0, so this_cpu() is one load */
    uint32_t id;                 /* dense index, 0 = bootstrap CPU */
    uint32_t apic_id;
    uint64_t kstack_top;         /* this CPU's main kernel stack */
    uint64_t ist_top[4];         /* IST stacks: [1] #DF, [2] NMI, [3] #MC */
    void *tss;                   /* this CPU's TSS (arch/x86_64/gdt.c) */

    volatile uint32_t online;    /* any CPU reads; set once by this CPU */

    /* Cross-CPU function call (IPI): any CPU writes under call_lock in smp.c */
    CpuCallFn volatile call_fn;
    void *volatile call_arg;
    volatile uint64_t call_done; /* bumped by this CPU after running call_fn */

    /* Work posted to this CPU's idle loop (smp_run_on): any CPU posts while
     * work_fn is NULL; this CPU runs it in normal context and clears it. */
    CpuCallFn volatile work_fn;
    void *volatile work_arg;
    volatile uint64_t work_done;

    /* Counters for self-tests and statistics; written by this CPU only. */
    volatile uint64_t ipi_wakes;
    volatile uint64_t timer_ticks;
} Cpu;

extern Cpu cpus[MAX_CPUS];
extern uint32_t cpu_count;        /* CPUs found in the MADT (usable) */
extern volatile uint32_t cpus_online;

static inline Cpu *this_cpu(void)
{
    Cpu *c;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(c));
    return c;
}

static inline uint32_t cpu_id(void)
{
    uint32_t id;
    __asm__ volatile("movl %%gs:%c1, %0" : "=r"(id) : "i"(__builtin_offsetof(Cpu, id)));
    return id;
}

/* Point GS at cpus[id] on the calling CPU. */
void percpu_install(uint32_t id);

#endif
