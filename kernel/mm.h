/*
 * mm.h — physical pages, the kernel address space, stacks, heap and MMIO.
 */
#ifndef BEAMOS_KERNEL_MM_H
#define BEAMOS_KERNEL_MM_H

#include <stddef.h>
#include <stdint.h>

/* Boot: reserve what GRUB loaded, build the real page tables (W^X kernel,
 * NX direct map of all RAM, page 0 unmapped), then hand all free RAM to the
 * page allocator. */
void mm_init(void);

/* Page allocator (buddy system). order 0 = 4 KiB .. PMM_MAX_ORDER.
 * Returns a physical address, or 0 when no block of that size is free. */
#define PMM_MAX_ORDER 12
uint64_t pmm_alloc_pages(unsigned order);
void pmm_free_pages(uint64_t pa, unsigned order);
uint64_t pmm_free_page_count(void);
void pmm_free_block_counts(uint64_t counts[PMM_MAX_ORDER + 1]);

/* Memory totals for the banner and statistics (bytes). */
typedef struct {
    uint64_t total_bytes;      /* all RAM the firmware reports as available */
    uint64_t usable_bytes;     /* handed to the page allocator at boot */
    uint64_t highest_phys;     /* end of the highest RAM region */
} MemStats;
extern MemStats mem_stats;

/* A kernel stack of KSTACK_PAGES pages above an unmapped guard page;
 * returns the top (initial RSP), or 0. */
uint64_t kstack_alloc(void);
int mm_stack_address_valid(uint64_t addr, uint64_t len);
int mm_is_guard_page(uint64_t addr);

/* Map device registers uncached; returns their virtual address. */
void *mmio_map(uint64_t phys, uint64_t size);
/* Virtual address for reading firmware tables at `phys` (direct map when it
 * covers them, otherwise a fresh cached mapping). */
void *phys_map(uint64_t phys, uint64_t size);

/* The heap behind newlib's malloc (kernel/syscalls.c): grow by `bytes`,
 * returning the old break, or (void *)-1. */
void *kheap_grow(intptr_t bytes);

#endif
