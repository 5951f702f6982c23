/*
 * trap.c — dispatch of every vector: exceptions are fatal and reported by
 * panic_trap(); device interrupts and IPIs go to registered handlers and are
 * acknowledged at the local APIC.
 *
 * This file runs in interrupt context: compiled -mgeneral-regs-only.
 */
#include <stddef.h>
#include "arch/x86_64/trap.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/lapic.h"
#include "kernel/panic.h"

static TrapHandler handlers[256];

void trap_set_handler(uint8_t vector, TrapHandler h) { handlers[vector] = h; }

void trap_dispatch(TrapFrame *tf);
void trap_dispatch(TrapFrame *tf)
{
    uint64_t v = tf->vector;
    if (v < 32) {
        if (handlers[v]) {          /* e.g. a self-test expecting this fault */
            handlers[v](tf);
            return;
        }
        panic_trap(tf);             /* never returns */
    }
    if (v == VEC_SPURIOUS)
        return;                     /* spurious: no EOI */
    if (handlers[v])
        handlers[v](tf);
    else if (v >= VEC_IRQ_BASE && v < VEC_IRQ_BASE + 24)
        irq_dispatch((int)v);
    lapic_eoi();
}
