/* acpi.h — what the kernel reads from the ACPI tables (MADT, HPET). */
#ifndef BEAMOS_ARCH_ACPI_H
#define BEAMOS_ARCH_ACPI_H

#include <stdint.h>
#include "kernel/percpu.h"

#define ACPI_MAX_IOAPICS 8

typedef struct {
    uint64_t lapic_phys;
    uint32_t cpu_count;
    uint32_t apic_ids[MAX_CPUS];
    uint32_t cpus_ignored;              /* enabled CPUs beyond MAX_CPUS */
    struct { uint32_t id, gsi_base; uint64_t phys; } ioapics[ACPI_MAX_IOAPICS];
    uint32_t ioapic_count;
    /* ISA IRQ → GSI with MPS INTI flags (polarity bits 0-1, trigger bits 2-3) */
    struct { uint32_t gsi; uint16_t flags; } isa_irq[16];
    uint64_t hpet_phys;                 /* 0 if no HPET table */
    char oem[7];
} AcpiInfo;

extern AcpiInfo acpi_info;

/* Parse RSDP → XSDT/RSDT → MADT, HPET. Returns 0, or -1 (with a console
 * message) if the tables are missing or corrupt. */
int acpi_init(uint64_t rsdp_phys);

static inline uint32_t acpi_cpu_count_reported(void) { return acpi_info.cpu_count; }

#endif
