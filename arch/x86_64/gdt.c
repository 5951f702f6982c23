/*
 * gdt.c — every CPU gets its own GDT (null, code, data, 16-byte TSS
 * descriptor) and TSS, whose IST slots point at that CPU's emergency stacks.
 */
#include <stdint.h>
#include "arch/x86_64/gdt.h"

typedef struct __attribute__((packed)) {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} Tss;

typedef struct {
    uint64_t gdt[5];
    Tss tss;
} __attribute__((aligned(64))) CpuTables;

static CpuTables tables[MAX_CPUS];

void gdt_init_cpu(Cpu *cpu)
{
    CpuTables *t = &tables[cpu->id];
    Tss *tss = &t->tss;
    for (int i = 1; i <= 3; i++)
        tss->ist[i - 1] = cpu->ist_top[i];
    tss->rsp[0] = cpu->kstack_top;
    tss->iomap_base = sizeof(Tss);   /* no I/O permission bitmap */

    uint64_t base = (uint64_t)(uintptr_t)tss, limit = sizeof(Tss) - 1;
    t->gdt[0] = 0;
    t->gdt[1] = 0x00209a0000000000ULL;                     /* 64-bit code */
    t->gdt[2] = 0x0000920000000000ULL;                     /* data */
    t->gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
                (0x89ULL << 40) |                           /* present, 64-bit TSS */
                (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    t->gdt[4] = base >> 32;
    cpu->tss = tss;

    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } ptr = {
        sizeof t->gdt - 1, (uint64_t)(uintptr_t)t->gdt};
    __asm__ volatile(
        "lgdt %0\n\t"
        "pushq %1\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movw %w2, %%ax\n\t"
        "movw %%ax, %%ds\n\t"
        "movw %%ax, %%es\n\t"
        "movw %%ax, %%ss\n\t"
        "ltr %w3\n\t"
        :
        : "m"(ptr), "i"(KERNEL_CS), "r"(KERNEL_DS), "r"(TSS_SEL)
        : "rax", "memory");
}
