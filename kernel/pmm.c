/*
 * pmm.c — physical page allocator: a binary buddy system over all RAM.
 *
 * Free blocks of 2^order pages are kept on per-order doubly linked lists
 * threaded through the free pages themselves (via the direct map). One byte
 * per page frame records "this frame heads a free block of order k" as k+1,
 * which is all that freeing needs to find and merge a free buddy. The
 * metadata costs 1 byte per 4 KiB (256 KiB per GiB) and comes from the early
 * allocator. pmm_lock guards all of it. The per-CPU slab allocator
 * (kernel/slab.c) takes and returns 64 KiB blocks here from every CPU at
 * once during message storms, so pmm_lock is a test-and-set lock: a ticket
 * lock stalled the storm for seconds under an overcommitted hypervisor
 * (kernel/spinlock.h says why).
 */
#include <string.h>
#include "kernel/mm.h"
#include "kernel/mm_internal.h"
#include "kernel/spinlock.h"
#include "kernel/panic.h"
#include "arch/x86_64/memlayout.h"

typedef struct FreeBlock {
    struct FreeBlock *next, *prev;
} FreeBlock;

static FreeBlock free_lists[PMM_MAX_ORDER + 1];   /* circular, sentinel heads */
static uint64_t block_counts[PMM_MAX_ORDER + 1];
static uint8_t *frame_state;                      /* order+1 if free block head */
static uint64_t frame_count;
static uint64_t free_pages;
static TasLock pmm_lock = TASLOCK_INIT;   /* every CPU's slabs come from here */

static void list_push(unsigned order, uint64_t pfn)
{
    FreeBlock *b = phys_to_virt(pfn << PAGE_SHIFT), *head = &free_lists[order];
    b->next = head->next;
    b->prev = head;
    head->next->prev = b;
    head->next = b;
    frame_state[pfn] = (uint8_t)(order + 1);
    block_counts[order]++;
}

static void list_remove(unsigned order, uint64_t pfn)
{
    FreeBlock *b = phys_to_virt(pfn << PAGE_SHIFT);
    b->prev->next = b->next;
    b->next->prev = b->prev;
    frame_state[pfn] = 0;
    block_counts[order]--;
}

void pmm_setup(uint64_t frames, uint8_t *state)
{
    frame_count = frames;
    frame_state = state;
    memset(frame_state, 0, frames);
    for (unsigned o = 0; o <= PMM_MAX_ORDER; o++)
        free_lists[o].next = free_lists[o].prev = &free_lists[o];
}

static void free_locked(uint64_t pfn, unsigned order)
{
    while (order < PMM_MAX_ORDER) {
        uint64_t buddy = pfn ^ (1ULL << order);
        if (buddy >= frame_count || frame_state[buddy] != order + 1)
            break;
        list_remove(order, buddy);
        pfn &= ~(1ULL << order);
        order++;
    }
    list_push(order, pfn);
}

void pmm_add_range(uint64_t start, uint64_t end)
{
    uint64_t pfn = (start + PAGE_SIZE - 1) >> PAGE_SHIFT, last = end >> PAGE_SHIFT;
    if (last > frame_count)
        last = frame_count;
    uint64_t irq = tas_lock_irqsave(&pmm_lock);
    while (pfn < last) {
        /* Largest aligned block that fits. */
        unsigned order = 0;
        while (order < PMM_MAX_ORDER && !(pfn & (1ULL << order)) && pfn + (2ULL << order) <= last)
            order++;
        free_locked(pfn, order);
        free_pages += 1ULL << order;
        pfn += 1ULL << order;
    }
    tas_unlock_irqrestore(&pmm_lock, irq);
}

uint64_t pmm_alloc_pages(unsigned order)
{
    if (order > PMM_MAX_ORDER)
        return 0;
    uint64_t irq = tas_lock_irqsave(&pmm_lock);
    unsigned o = order;
    while (o <= PMM_MAX_ORDER && free_lists[o].next == &free_lists[o])
        o++;
    if (o > PMM_MAX_ORDER) {
        tas_unlock_irqrestore(&pmm_lock, irq);
        return 0;
    }
    FreeBlock *b = free_lists[o].next;
    uint64_t pfn = virt_to_phys(b) >> PAGE_SHIFT;
    list_remove(o, pfn);
    while (o > order) {              /* split, returning upper halves */
        o--;
        list_push(o, pfn + (1ULL << o));
    }
    free_pages -= 1ULL << order;
    tas_unlock_irqrestore(&pmm_lock, irq);
    return pfn << PAGE_SHIFT;
}

void pmm_free_pages(uint64_t pa, unsigned order)
{
    uint64_t pfn = pa >> PAGE_SHIFT;
    if ((pa & (PAGE_SIZE - 1)) || order > PMM_MAX_ORDER || pfn + (1ULL << order) > frame_count ||
        (pfn & ((1ULL << order) - 1)))
        panic("pmm_free_pages: bad block %#llx order %u", (unsigned long long)pa, order);
    uint64_t irq = tas_lock_irqsave(&pmm_lock);
    if (frame_state[pfn])
        panic("pmm_free_pages: double free of %#llx", (unsigned long long)pa);
    free_locked(pfn, order);
    free_pages += 1ULL << order;
    tas_unlock_irqrestore(&pmm_lock, irq);
}

uint64_t pmm_free_page_count(void) { return __atomic_load_n(&free_pages, __ATOMIC_RELAXED); }

void pmm_free_block_counts(uint64_t counts[PMM_MAX_ORDER + 1])
{
    uint64_t irq = tas_lock_irqsave(&pmm_lock);
    memcpy(counts, block_counts, sizeof block_counts);
    tas_unlock_irqrestore(&pmm_lock, irq);
}
