/*
 * idt.c — one interrupt descriptor table shared by every CPU.
 *
 * All 256 vectors are interrupt gates (interrupts off on entry) into the stubs
 * of vectors.asm. Double fault, NMI and machine check switch to their own IST
 * stacks, so they are reported even when the faulting stack is unusable (a
 * kernel stack overflow into its guard page ends in a double fault).
 */
#include <stdint.h>
#include "arch/x86_64/trap.h"

typedef struct __attribute__((packed)) {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t zero;
} IdtGate;

static IdtGate idt[256] __attribute__((aligned(16)));
extern const uint64_t trap_vectors[256];

#define KERNEL_CS 0x08
#define GATE_INTERRUPT 0x8e   /* present, ring 0, 64-bit interrupt gate */

static void set_gate(int vec, uint64_t handler, int ist)
{
    idt[vec] = (IdtGate){
        .offset_lo = (uint16_t)handler,
        .selector = KERNEL_CS,
        .ist = (uint8_t)ist,
        .type_attr = GATE_INTERRUPT,
        .offset_mid = (uint16_t)(handler >> 16),
        .offset_hi = (uint32_t)(handler >> 32),
    };
}

void idt_init(void)
{
    for (int v = 0; v < 256; v++)
        set_gate(v, trap_vectors[v], 0);
    set_gate(2, trap_vectors[2], IST_NMI);
    set_gate(8, trap_vectors[8], IST_DOUBLE_FAULT);
    set_gate(18, trap_vectors[18], IST_MACHINE_CHECK);
}

void idt_load(void)
{
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } ptr = {
        sizeof idt - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" ::"m"(ptr));
}
