/* paging.h — 4-level page tables for the one kernel address space. */
#ifndef BEAMOS_ARCH_PAGING_H
#define BEAMOS_ARCH_PAGING_H

#include <stdint.h>

#define PTE_P   (1ULL << 0)
#define PTE_W   (1ULL << 1)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_PS  (1ULL << 7)
#define PTE_G   (1ULL << 8)
#define PTE_NX  (1ULL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

/* Page-table pages come from this allocator: physical address of a zeroed
 * page reachable through the direct map, or 0 when memory is exhausted. */
typedef uint64_t (*PtAllocFn)(void);

/* Start an empty address space (the kernel's); tables from `alloc`. */
void paging_begin(PtAllocFn alloc);
void paging_set_allocator(PtAllocFn alloc);
/* Map one 4 KiB or 2 MiB page. Returns 0, or -1 if a table could not be allocated. */
int paging_map(uint64_t va, uint64_t pa, uint64_t flags);
int paging_map_large(uint64_t va, uint64_t pa, uint64_t flags);
/* Physical address mapped at va, or -1 if unmapped. */
uint64_t paging_translate(uint64_t va);
/* The leaf entry mapping va (with its flags), or 0 if unmapped. */
uint64_t paging_leaf_entry(uint64_t va);
/* Load the kernel address space on this CPU. */
void paging_activate(void);
uint64_t paging_root_phys(void);

#endif
