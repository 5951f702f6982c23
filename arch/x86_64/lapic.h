/* lapic.h — the local APIC of each CPU: EOI, IPIs, its timer. */
#ifndef BEAMOS_ARCH_LAPIC_H
#define BEAMOS_ARCH_LAPIC_H

#include <stdint.h>

void lapic_init(uint64_t phys);       /* BSP: map the registers, then lapic_init_cpu */
void lapic_init_cpu(void);            /* every CPU: enable, mask LVTs */
uint32_t lapic_id(void);
void lapic_eoi(void);

void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
void lapic_send_init(uint32_t apic_id);
void lapic_send_sipi(uint32_t apic_id, uint8_t page);
/* Stop every other CPU with an NMI (the panic path). */
void lapic_stop_others(void);

/* Timer. lapic_timer_calibrate() (BSP, after the TSC is calibrated) measures
 * the APIC timer against the TSC. lapic_timer_arm_ns() fires VEC_LAPIC_TIMER
 * once, after `ns`, on the calling CPU: TSC-deadline mode when the CPU has it,
 * one-shot count-down otherwise. */
void lapic_timer_calibrate(void);
void lapic_timer_arm_ns(uint64_t ns);
void lapic_timer_cancel(void);
int lapic_has_tsc_deadline(void);
uint64_t lapic_timer_hz(void);

#endif

#include "arch/x86_64/trap.h"
/* The timer vector's handler (counts per CPU, then calls lapic_timer_hook,
 * which must be interrupt-safe and -mgeneral-regs-only). */
void lapic_timer_interrupt(TrapFrame *tf);
extern void (*lapic_timer_hook)(void);
