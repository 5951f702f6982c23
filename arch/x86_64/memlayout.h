/*
 * memlayout.h — the kernel's virtual address map (hardware facts in one place).
 *
 *   0x0000000000000000  page 0: never mapped (NULL dereferences fault)
 *   0x0000000000008000  AP trampoline page, identity mapped (real mode → long mode)
 *   PHYS_MAP_BASE       all physical RAM, 2 MiB pages, RW + NX (the direct map)
 *   MMIO_BASE           device registers (LAPIC, I/O APIC, HPET), uncached, NX
 *   KHEAP_BASE          the kernel heap (newlib malloc via sbrk), grown on demand
 *   KSTACK_BASE         kernel stacks, each under an unmapped guard page
 *   KERNEL_VMA + 1 MiB  the kernel image: text RX, rodata R+NX, data/bss RW+NX
 */
#ifndef BEAMOS_ARCH_MEMLAYOUT_H
#define BEAMOS_ARCH_MEMLAYOUT_H

#define KERNEL_VMA      0xffffffff80000000ULL
#define PHYS_MAP_BASE   0xffff800000000000ULL
#define MMIO_BASE       0xffffa00000000000ULL
#define KSTACK_BASE     0xffffc00000000000ULL
#define KHEAP_BASE      0xffffb00000000000ULL
#define KHEAP_MAX_BYTES (1ULL << 40)

#define PAGE_SIZE       4096ULL
#define PAGE_SHIFT      12
#define LARGE_PAGE_SIZE (2ULL << 20)

#define AP_TRAMPOLINE_PHYS 0x8000ULL

/* Kernel stacks: KSTACK_PAGES usable pages above one guard page, per slot. */
#define KSTACK_PAGES     8
#define KSTACK_SLOT_SIZE ((KSTACK_PAGES + 1) * PAGE_SIZE)

#ifndef __ASSEMBLER__
#include <stdint.h>
static inline void *phys_to_virt(uint64_t pa) { return (void *)(uintptr_t)(pa + PHYS_MAP_BASE); }
static inline uint64_t virt_to_phys(const void *va)
{
    uint64_t v = (uint64_t)(uintptr_t)va;
    return v >= KERNEL_VMA ? v - KERNEL_VMA : v - PHYS_MAP_BASE;
}
#endif

#endif
