/* smp.h — starting the other CPUs, and cross-CPU calls. */
#ifndef BEAMOS_ARCH_SMP_H
#define BEAMOS_ARCH_SMP_H

#include <stdint.h>
#include "kernel/percpu.h"

/* Per-CPU setup shared by the BSP and APs: GDT/TSS, IDT, LAPIC, FPU/XSAVE. */
void cpu_setup_local(Cpu *cpu);
/* Allocate a CPU's stacks (main + IST). Returns 0, or -1 if out of memory. */
int cpu_alloc_stacks(Cpu *cpu);
/* Start every CPU the MADT lists (INIT-SIPI-SIPI, one at a time).
 * Returns the number online, including the BSP. */
uint32_t smp_start_aps(void);
/* What every AP runs once it is up; set before smp_start_aps (the VM's
 * scheduler later; by default an idle loop serving IPIs). */
extern void (*ap_idle_entry)(void);

/* Run fn(arg) on CPU `target` from its IPI handler and wait until it has
 * finished (bounded: returns -1 after timeout_ns). fn runs in interrupt
 * context: it must be built -mgeneral-regs-only. */
int smp_call(uint32_t target, CpuCallFn fn, void *arg, uint64_t timeout_ns);
/* Post fn(arg) to `target`'s idle loop, to run in normal context (SSE
 * allowed). Returns -1 if the CPU is offline or already has work. On the
 * calling CPU itself, runs fn at once. */
int smp_run_on(uint32_t target, CpuCallFn fn, void *arg);
/* Wait until the work posted to `target` has finished; -1 on timeout. */
int smp_wait_work(uint32_t target, uint64_t timeout_ns);
/* One IPI round trip: `target` bumps its ipi_wakes counter in its handler. */
int smp_ping(uint32_t target, uint64_t timeout_ns);
/* Wake `target` from hlt (no other effect). */
void smp_wake(uint32_t target);
void smp_init_ipis(void);
/* Idle: halt until an interrupt arrives. */
void cpu_idle(void);
const char *cpu_fpu_mode(void);

#endif
