/*
 * ioapic.c — I/O APIC redirection tables, and ISA interrupt registration.
 * The legacy 8259 PICs are remapped away from the exception vectors and
 * masked: every device interrupt arrives through an I/O APIC.
 * irq_dispatch() runs in interrupt context: this file is -mgeneral-regs-only.
 */
#include <stddef.h>
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "kernel/mm.h"
#include "kernel/console.h"

typedef struct {
    volatile uint32_t *regs;
    uint32_t gsi_base, inputs;
} IoApic;

static IoApic ioapics[ACPI_MAX_IOAPICS];
static uint32_t ioapic_count;

static uint32_t rd(IoApic *a, uint32_t reg) { a->regs[0] = reg; return a->regs[4]; }
static void wr(IoApic *a, uint32_t reg, uint32_t v) { a->regs[0] = reg; a->regs[4] = v; }

static void pic_disable(void)
{
    /* ICW1-4: remap master to 0x20, slave to 0x28, then mask everything. */
    outb(0x20, 0x11); outb(0xa0, 0x11);
    outb(0x21, 0x20); outb(0xa1, 0x28);
    outb(0x21, 0x04); outb(0xa1, 0x02);
    outb(0x21, 0x01); outb(0xa1, 0x01);
    outb(0x21, 0xff); outb(0xa1, 0xff);
}

void ioapic_init(void)
{
    pic_disable();
    for (uint32_t i = 0; i < acpi_info.ioapic_count; i++) {
        IoApic *a = &ioapics[ioapic_count++];
        a->regs = mmio_map(acpi_info.ioapics[i].phys, 32);
        a->gsi_base = acpi_info.ioapics[i].gsi_base;
        a->inputs = ((rd(a, 1) >> 16) & 0xff) + 1;
        for (uint32_t pin = 0; pin < a->inputs; pin++) {
            wr(a, 0x10 + 2 * pin, 1u << 16);          /* masked */
            wr(a, 0x11 + 2 * pin, 0);
        }
    }
}

int ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id, uint16_t flags)
{
    for (uint32_t i = 0; i < ioapic_count; i++) {
        IoApic *a = &ioapics[i];
        if (gsi < a->gsi_base || gsi >= a->gsi_base + a->inputs)
            continue;
        uint32_t pin = gsi - a->gsi_base;
        uint32_t low = vector;                         /* fixed delivery, physical destination */
        if ((flags & 3) == 3) low |= 1u << 13;         /* active low */
        if (((flags >> 2) & 3) == 3) low |= 1u << 15;  /* level triggered */
        wr(a, 0x11 + 2 * pin, apic_id << 24);
        wr(a, 0x10 + 2 * pin, low);
        return 0;
    }
    return -1;
}

/* ---- ISA IRQ registration ---- */

static struct { IrqHandler fn; void *arg; } isa_handlers[16];

void irq_route_isa(int irq, IrqHandler handler, void *arg)
{
    if (irq < 0 || irq >= 16)
        return;
    isa_handlers[irq].arg = arg;
    isa_handlers[irq].fn = handler;
    if (ioapic_route(acpi_info.isa_irq[irq].gsi, (uint8_t)(VEC_IRQ_BASE + irq), cpus[0].apic_id,
                     acpi_info.isa_irq[irq].flags) < 0)
        kprintf("irq: no I/O APIC input for ISA IRQ %d (GSI %u)\n", irq, acpi_info.isa_irq[irq].gsi);
}

void irq_dispatch(int vector)
{
    int irq = vector - VEC_IRQ_BASE;
    if (irq >= 0 && irq < 16 && isa_handlers[irq].fn)
        isa_handlers[irq].fn(isa_handlers[irq].arg);
}
