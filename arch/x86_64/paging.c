/*
 * paging.c — the kernel's single address space, shared by every CPU.
 *
 * Tables are reached through the direct map, so every table page must lie in
 * directly mapped RAM (true for the early allocator below 1 GiB and for the
 * page allocator afterwards). Mappings are only ever added: the kernel never
 * unmaps, so no TLB shootdown is needed. paging_lock serializes writers;
 * readers (the MMU, paging_translate) see either the old or the new entry
 * because each entry is written with one 8-byte store.
 */
#include <stddef.h>
#include <string.h>
#include "arch/x86_64/paging.h"
#include "arch/x86_64/memlayout.h"
#include "arch/x86_64/cpu.h"
#include "kernel/spinlock.h"

static uint64_t root_phys;
static PtAllocFn pt_alloc;
static Spinlock paging_lock = SPINLOCK_INIT;

static uint64_t new_table(void)
{
    uint64_t pa = pt_alloc ? pt_alloc() : 0;
    if (pa)
        memset(phys_to_virt(pa), 0, PAGE_SIZE);
    return pa;
}

void paging_begin(PtAllocFn alloc)
{
    pt_alloc = alloc;
    root_phys = new_table();
}

void paging_set_allocator(PtAllocFn alloc) { pt_alloc = alloc; }
uint64_t paging_root_phys(void) { return root_phys; }

/* The entry for va at `level` (3 = PDPT entry, 2 = PD, 1 = PT), creating
 * intermediate tables; NULL if a table could not be allocated. */
static uint64_t *walk(uint64_t va, int level)
{
    uint64_t *table = phys_to_virt(root_phys);
    for (int l = 4; l > level; l--) {
        uint64_t *e = &table[(va >> (12 + 9 * (l - 1))) & 511];
        if (!(*e & PTE_P)) {
            uint64_t pa = new_table();
            if (!pa)
                return NULL;
            /* Intermediate entries are permissive; the leaf decides. */
            *e = pa | PTE_P | PTE_W;
        }
        table = phys_to_virt(*e & PTE_ADDR_MASK);
    }
    return &table[(va >> (12 + 9 * (level - 1))) & 511];
}

int paging_map(uint64_t va, uint64_t pa, uint64_t flags)
{
    uint64_t irq = spin_lock_irqsave(&paging_lock);
    uint64_t *e = walk(va, 1);
    if (e)
        *e = (pa & PTE_ADDR_MASK) | flags | PTE_P;
    spin_unlock_irqrestore(&paging_lock, irq);
    if (e)
        invlpg(va);
    return e ? 0 : -1;
}

int paging_map_large(uint64_t va, uint64_t pa, uint64_t flags)
{
    uint64_t irq = spin_lock_irqsave(&paging_lock);
    uint64_t *e = walk(va, 2);
    if (e)
        *e = (pa & PTE_ADDR_MASK) | flags | PTE_P | PTE_PS;
    spin_unlock_irqrestore(&paging_lock, irq);
    if (e)
        invlpg(va);
    return e ? 0 : -1;
}

uint64_t paging_translate(uint64_t va)
{
    uint64_t *table = phys_to_virt(root_phys);
    for (int l = 4; l >= 1; l--) {
        uint64_t e = table[(va >> (12 + 9 * (l - 1))) & 511];
        if (!(e & PTE_P))
            return (uint64_t)-1;
        if (l == 1 || (l == 2 && (e & PTE_PS)))
            return (e & PTE_ADDR_MASK & ~((1ULL << (12 + 9 * (l - 1))) - 1)) |
                   (va & ((1ULL << (12 + 9 * (l - 1))) - 1));
        table = phys_to_virt(e & PTE_ADDR_MASK);
    }
    return (uint64_t)-1;
}

uint64_t paging_leaf_entry(uint64_t va)
{
    uint64_t *table = phys_to_virt(root_phys);
    for (int l = 4; l >= 1; l--) {
        uint64_t e = table[(va >> (12 + 9 * (l - 1))) & 511];
        if (!(e & PTE_P))
            return 0;
        if (l == 1 || (l == 2 && (e & PTE_PS)))
            return e;
        table = phys_to_virt(e & PTE_ADDR_MASK);
    }
    return 0;
}

void paging_activate(void) { write_cr3(root_phys); }
