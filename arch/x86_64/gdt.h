/* gdt.h — per-CPU GDT and TSS. */
#ifndef BEAMOS_ARCH_GDT_H
#define BEAMOS_ARCH_GDT_H

#include "kernel/percpu.h"

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define TSS_SEL   0x18

/* Build and load this CPU's GDT and TSS (IST stacks from cpu->ist_top). */
void gdt_init_cpu(Cpu *cpu);

#endif
