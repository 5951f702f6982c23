/* percpu.c — the per-CPU areas and the GS base that finds them. */
#include "kernel/percpu.h"
#include "arch/x86_64/cpu.h"

Cpu cpus[MAX_CPUS];
uint32_t cpu_count = 1;
volatile uint32_t cpus_online;

void percpu_install(uint32_t id)
{
    Cpu *c = &cpus[id];
    c->self = c;
    c->id = id;
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)c);
}
