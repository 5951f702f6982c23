/* ioapic.h — I/O APICs: route global system interrupts to CPUs. */
#ifndef BEAMOS_ARCH_IOAPIC_H
#define BEAMOS_ARCH_IOAPIC_H

#include <stdint.h>

void ioapic_init(void);    /* map every I/O APIC from the MADT, mask all inputs */
/* Route `gsi` to `vector` on the CPU with `apic_id`; flags are MPS INTI flags. */
int ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id, uint16_t flags);

#endif
