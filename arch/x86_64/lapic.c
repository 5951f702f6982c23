/*
 * lapic.c — local APIC in xAPIC mode (memory-mapped registers).
 *
 * Called from interrupt context (EOI) and the panic path, so this file is
 * built -mgeneral-regs-only.
 */
#include <stddef.h>
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/tsc.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"

enum {
    REG_ID = 0x20, REG_TPR = 0x80, REG_EOI = 0xb0, REG_SVR = 0xf0, REG_ESR = 0x280,
    REG_ICR_LO = 0x300, REG_ICR_HI = 0x310, REG_LVT_TIMER = 0x320,
    REG_LVT_LINT0 = 0x350, REG_LVT_LINT1 = 0x360, REG_LVT_ERROR = 0x370,
    REG_TIMER_INIT = 0x380, REG_TIMER_CUR = 0x390, REG_TIMER_DIV = 0x3e0,
};
#define LVT_MASKED        (1u << 16)
#define LVT_TSC_DEADLINE  (2u << 17)
#define ICR_PENDING       (1u << 12)
#define ICR_LEVEL_ASSERT  (1u << 14)
#define ICR_NMI           (4u << 8)
#define ICR_INIT          (5u << 8)
#define ICR_STARTUP       (6u << 8)
#define ICR_ALL_BUT_SELF  (3u << 18)

static volatile uint32_t *regs;
static int tsc_deadline;
static uint64_t timer_hz;    /* APIC timer ticks per second, divide by 1 */

static inline uint32_t rd(uint32_t reg) { return regs[reg / 4]; }
static inline void wr(uint32_t reg, uint32_t v) { regs[reg / 4] = v; }

void lapic_init(uint64_t phys)
{
    regs = mmio_map(phys, 4096);
    uint32_t a, b, c, d;
    cpuid(1, 0, &a, &b, &c, &d);
    tsc_deadline = (c >> 24) & 1;
    lapic_init_cpu();
}

void lapic_init_cpu(void)
{
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 11));   /* global enable */
    wr(REG_TPR, 0);
    wr(REG_LVT_TIMER, LVT_MASKED | VEC_LAPIC_TIMER);
    wr(REG_LVT_LINT0, LVT_MASKED);
    wr(REG_LVT_LINT1, LVT_MASKED);
    wr(REG_LVT_ERROR, LVT_MASKED);
    wr(REG_ESR, 0);
    wr(REG_SVR, 0x100 | VEC_SPURIOUS);                          /* software enable */
    wr(REG_EOI, 0);
}

uint32_t lapic_id(void) { return rd(REG_ID) >> 24; }
void lapic_eoi(void) { if (regs) wr(REG_EOI, 0); }

static void icr_wait(void)
{
    for (int i = 0; i < 1000000 && (rd(REG_ICR_LO) & ICR_PENDING); i++)
        cpu_relax();
}

static void icr_send(uint32_t apic_id, uint32_t low)
{
    uint64_t flags = irq_save();     /* ICR_HI and ICR_LO must pair up */
    icr_wait();
    wr(REG_ICR_HI, apic_id << 24);
    wr(REG_ICR_LO, low);
    icr_wait();
    irq_restore(flags);
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector) { icr_send(apic_id, vector); }
void lapic_send_init(uint32_t apic_id) { icr_send(apic_id, ICR_INIT | ICR_LEVEL_ASSERT); }
void lapic_send_sipi(uint32_t apic_id, uint8_t page) { icr_send(apic_id, ICR_STARTUP | page); }

void lapic_stop_others(void)
{
    if (!regs)
        return;
    icr_wait();
    wr(REG_ICR_HI, 0);
    wr(REG_ICR_LO, ICR_ALL_BUT_SELF | ICR_NMI);
    icr_wait();
}

void lapic_timer_calibrate(void)
{
    wr(REG_TIMER_DIV, 0xb);                      /* divide by 1 */
    wr(REG_LVT_TIMER, LVT_MASKED | VEC_LAPIC_TIMER);
    wr(REG_TIMER_INIT, 0xffffffff);
    uint64_t t0 = rdtsc(), span = tsc_hz() / 100;  /* 10 ms */
    while (rdtsc() - t0 < span)
        cpu_relax();
    uint32_t elapsed = 0xffffffff - rd(REG_TIMER_CUR);
    uint64_t t1 = rdtsc();
    wr(REG_TIMER_INIT, 0);
    timer_hz = (uint64_t)elapsed * tsc_hz() / (t1 - t0);
}

void lapic_timer_arm_ns(uint64_t ns)
{
    if (tsc_deadline) {
        wr(REG_LVT_TIMER, LVT_TSC_DEADLINE | VEC_LAPIC_TIMER);
        /* The write to the LVT must land before the deadline MSR (SDM 10.5.4.1). */
        __asm__ volatile("mfence" ::: "memory");
        wrmsr(MSR_TSC_DEADLINE, rdtsc() + tsc_ns_to_ticks(ns) + 1);
    } else {
        uint64_t count = (uint64_t)((unsigned __int128)ns * timer_hz / 1000000000ULL);
        if (count == 0) count = 1;
        if (count > 0xffffffffULL) count = 0xffffffffULL;
        wr(REG_TIMER_DIV, 0xb);
        wr(REG_LVT_TIMER, VEC_LAPIC_TIMER);       /* one-shot */
        wr(REG_TIMER_INIT, (uint32_t)count);
    }
}

void lapic_timer_cancel(void)
{
    if (tsc_deadline)
        wrmsr(MSR_TSC_DEADLINE, 0);
    else
        wr(REG_TIMER_INIT, 0);
}

int lapic_has_tsc_deadline(void) { return tsc_deadline; }
uint64_t lapic_timer_hz(void) { return timer_hz; }

/* VEC_LAPIC_TIMER: count, and call the hook the time layer installed. */
void (*lapic_timer_hook)(void);

void lapic_timer_interrupt(TrapFrame *tf)
{
    (void)tf;
    Cpu *c = this_cpu();
    c->timer_ticks++;
    if (lapic_timer_hook)
        lapic_timer_hook();
}
