/* irq.h — device interrupts: handler registration and I/O APIC routing. */
#ifndef BEAMOS_ARCH_IRQ_H
#define BEAMOS_ARCH_IRQ_H

#include <stdint.h>

typedef void (*IrqHandler)(void *arg);

/* Route ISA IRQ `irq` (after ACPI interrupt source overrides) to the
 * bootstrap CPU and call handler(arg) in interrupt context for it. */
void irq_route_isa(int irq, IrqHandler handler, void *arg);

/* Called by trap dispatch for device vectors. */
void irq_dispatch(int vector);

#endif
