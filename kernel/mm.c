/*
 * mm.c — memory at boot, and the kernel's virtual regions.
 *
 * Boot order: note the physical ranges GRUB used (kernel, boot information,
 * modules, the first MiB), carve an early region right after them for the
 * page allocator's metadata and the first page tables, build the real page
 * tables and switch to them, then free every remaining available page into
 * the buddy allocator (pmm.c).
 */
#include <string.h>
#include "kernel/mm.h"
#include "kernel/mm_internal.h"
#include "kernel/multiboot2.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "arch/x86_64/memlayout.h"
#include "arch/x86_64/paging.h"

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __kernel_end[];
extern char __kernel_phys_start[], __kernel_phys_end[];
extern char boot_stack[], boot_stack_top[];

MemStats mem_stats;

typedef struct { uint64_t start, end; } Range;
#define MAX_RESERVED (MB2_MAX_MODULES + 8)
static Range reserved[MAX_RESERVED];
static int reserved_count;

static uint64_t early_start, early_next, early_limit;

static void reserve(uint64_t start, uint64_t end)
{
    if (reserved_count == MAX_RESERVED)
        panic("mm: too many reserved ranges");
    reserved[reserved_count++] = (Range){start & ~(PAGE_SIZE - 1), (end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)};
}

static uint64_t early_alloc(uint64_t bytes)
{
    bytes = (bytes + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    if (early_next + bytes > early_limit)
        panic("mm: early memory exhausted (%llu bytes wanted)", (unsigned long long)bytes);
    uint64_t pa = early_next;
    early_next += bytes;
    return pa;
}

static uint64_t early_alloc_page(void) { return early_alloc(PAGE_SIZE); }
static uint64_t pmm_alloc_table(void) { return pmm_alloc_pages(0); }

static int is_ram(uint32_t type) { return type == 1 || type == 3 || type == 4; }

/* Find room for the early region: after every reserved range, in RAM,
 * below the 1 GiB the boot page tables map. */
static void early_region_init(uint64_t bytes_needed)
{
    uint64_t start = 0;
    for (int i = 0; i < reserved_count; i++)
        if (reserved[i].end > start)
            start = reserved[i].end;
    for (int i = 0; i < boot_info.mmap_count; i++) {
        const MemRegion *r = &boot_info.mmap[i];
        if (r->type != 1 || start < r->base || start >= r->base + r->length)
            continue;
        uint64_t end = r->base + r->length;
        if (end > (1ULL << 30))
            end = 1ULL << 30;
        if (end > start && end - start >= bytes_needed) {
            early_start = early_next = start;
            early_limit = end;
            return;
        }
    }
    panic("mm: no %llu bytes of RAM after the kernel and modules below 1 GiB",
          (unsigned long long)bytes_needed);
}

static void map_range(uint64_t va_start, uint64_t va_end, uint64_t flags)
{
    for (uint64_t va = va_start; va < va_end; va += PAGE_SIZE)
        if (paging_map(va, va - KERNEL_VMA, flags) < 0)
            panic("mm: out of memory mapping the kernel");
}

static void map_direct(void)
{
    /* All RAM-like regions and the first MiB (BIOS data, ACPI RSDP area). */
    for (uint64_t pa = 0; pa < (1ULL << 20); pa += LARGE_PAGE_SIZE)
        paging_map_large(PHYS_MAP_BASE + pa, pa, PTE_W | PTE_NX | PTE_G);
    for (int i = 0; i < boot_info.mmap_count; i++) {
        const MemRegion *r = &boot_info.mmap[i];
        if (!is_ram(r->type))
            continue;
        uint64_t s = r->base & ~(LARGE_PAGE_SIZE - 1), e = r->base + r->length;
        for (uint64_t pa = s; pa < e; pa += LARGE_PAGE_SIZE)
            if (paging_translate(PHYS_MAP_BASE + pa) == (uint64_t)-1 &&
                paging_map_large(PHYS_MAP_BASE + pa, pa, PTE_W | PTE_NX | PTE_G) < 0)
                panic("mm: out of memory building the direct map");
    }
}

/* Free [s, e) minus the reserved ranges and the early region. */
static void add_free(uint64_t s, uint64_t e)
{
    for (int i = 0; i <= reserved_count; i++) {
        Range r = i < reserved_count ? reserved[i] : (Range){early_start, early_next};
        if (r.end <= s || r.start >= e)
            continue;
        if (r.start > s)
            add_free(s, r.start);
        s = r.end;
        if (s >= e)
            return;
    }
    if (s < e) {
        pmm_add_range(s, e);
        mem_stats.usable_bytes += e - s;
    }
}

void mm_init(void)
{
    for (int i = 0; i < boot_info.mmap_count; i++) {
        const MemRegion *r = &boot_info.mmap[i];
        if (r->type != 1)
            continue;
        mem_stats.total_bytes += r->length;
        if (r->base + r->length > mem_stats.highest_phys)
            mem_stats.highest_phys = r->base + r->length;
    }
    if (mem_stats.highest_phys == 0)
        panic("mm: the boot loader reported no available memory");

    reserve(0, 1ULL << 20);
    reserve((uint64_t)(uintptr_t)__kernel_phys_start, (uint64_t)(uintptr_t)__kernel_phys_end);
    reserve(boot_info.info_phys, boot_info.info_phys + boot_info.info_size);
    for (int i = 0; i < boot_info.module_count; i++)
        reserve(boot_info.modules[i].start, boot_info.modules[i].end);

    uint64_t frames = mem_stats.highest_phys >> PAGE_SHIFT;
    uint64_t gib = (mem_stats.highest_phys >> 30) + 1;
    /* frame states + one PD per GiB of direct map + kernel tables + slack */
    early_region_init(frames + (gib + 64) * PAGE_SIZE);
    uint8_t *frame_state = phys_to_virt(early_alloc(frames));

    paging_begin(early_alloc_page);
    map_range((uint64_t)(uintptr_t)__text_start, (uint64_t)(uintptr_t)__text_end, PTE_G);
    map_range((uint64_t)(uintptr_t)__rodata_start, (uint64_t)(uintptr_t)__rodata_end, PTE_G | PTE_NX);
    map_range((uint64_t)(uintptr_t)__data_start, (uint64_t)(uintptr_t)__kernel_end,
              PTE_G | PTE_NX | PTE_W);
    map_direct();
    paging_activate();

    pmm_setup(frames, frame_state);
    for (int i = 0; i < boot_info.mmap_count; i++)
        if (boot_info.mmap[i].type == 1)
            add_free(boot_info.mmap[i].base, boot_info.mmap[i].base + boot_info.mmap[i].length);
    paging_set_allocator(pmm_alloc_table);
}

/* ---- kernel stacks ---- */

#define KSTACK_SLOTS 1024
static uint32_t kstack_slots_used;

uint64_t kstack_alloc(void)
{
    uint32_t slot = __atomic_fetch_add(&kstack_slots_used, 1, __ATOMIC_RELAXED);
    if (slot >= KSTACK_SLOTS)
        return 0;
    uint64_t base = KSTACK_BASE + slot * KSTACK_SLOT_SIZE;   /* guard page at base */
    for (uint64_t p = 1; p <= KSTACK_PAGES; p++) {
        uint64_t pa = pmm_alloc_pages(0);
        if (!pa || paging_map(base + p * PAGE_SIZE, pa, PTE_W | PTE_NX | PTE_G) < 0)
            return 0;
    }
    return base + KSTACK_SLOT_SIZE;
}

int mm_is_guard_page(uint64_t addr)
{
    uint32_t used = __atomic_load_n(&kstack_slots_used, __ATOMIC_RELAXED);
    if (addr < KSTACK_BASE || addr >= KSTACK_BASE + (uint64_t)used * KSTACK_SLOT_SIZE)
        return 0;
    return (addr - KSTACK_BASE) % KSTACK_SLOT_SIZE < PAGE_SIZE;
}

int mm_stack_address_valid(uint64_t addr, uint64_t len)
{
    uint64_t end = addr + len;
    if (addr >= (uint64_t)(uintptr_t)boot_stack && end <= (uint64_t)(uintptr_t)boot_stack_top)
        return 1;
    uint32_t used = __atomic_load_n(&kstack_slots_used, __ATOMIC_RELAXED);
    if (addr < KSTACK_BASE || end > KSTACK_BASE + (uint64_t)used * KSTACK_SLOT_SIZE)
        return 0;
    uint64_t slot_start = KSTACK_BASE + (addr - KSTACK_BASE) / KSTACK_SLOT_SIZE * KSTACK_SLOT_SIZE;
    return addr >= slot_start + PAGE_SIZE && end <= slot_start + KSTACK_SLOT_SIZE;
}

/* ---- device and firmware mappings ---- */

static Spinlock window_lock = SPINLOCK_INIT;
static uint64_t window_next = MMIO_BASE;

static void *map_window(uint64_t phys, uint64_t size, uint64_t flags)
{
    uint64_t first = phys & ~(PAGE_SIZE - 1), last = (phys + size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    uint64_t irq = spin_lock_irqsave(&window_lock);
    uint64_t va = window_next;
    window_next += last - first;
    spin_unlock_irqrestore(&window_lock, irq);
    for (uint64_t pa = first; pa < last; pa += PAGE_SIZE)
        if (paging_map(va + (pa - first), pa, flags) < 0)
            panic("mm: out of memory mapping %#llx", (unsigned long long)phys);
    return (void *)(uintptr_t)(va + (phys - first));
}

void *mmio_map(uint64_t phys, uint64_t size)
{
    return map_window(phys, size, PTE_W | PTE_PCD | PTE_PWT | PTE_NX | PTE_G);
}

void *phys_map(uint64_t phys, uint64_t size)
{
    if (paging_translate(PHYS_MAP_BASE + phys) == phys &&
        paging_translate(PHYS_MAP_BASE + phys + size - 1) == phys + size - 1)
        return phys_to_virt(phys);
    return map_window(phys, size, PTE_NX | PTE_G);
}

/* ---- kernel heap ---- */

static Spinlock heap_lock = SPINLOCK_INIT;
static uint64_t heap_brk = KHEAP_BASE, heap_mapped = KHEAP_BASE;

void *kheap_grow(intptr_t bytes)
{
    if (bytes < 0)
        return (void *)-1;            /* the heap never shrinks */
    uint64_t irq = spin_lock_irqsave(&heap_lock);
    uint64_t old = heap_brk, want = heap_brk + (uint64_t)bytes;
    if (want > KHEAP_BASE + KHEAP_MAX_BYTES)
        goto fail;
    while (heap_mapped < want) {
        uint64_t pa = pmm_alloc_pages(0);
        if (!pa || paging_map(heap_mapped, pa, PTE_W | PTE_NX | PTE_G) < 0) {
            if (pa)
                pmm_free_pages(pa, 0);
            goto fail;
        }
        heap_mapped += PAGE_SIZE;
    }
    heap_brk = want;
    spin_unlock_irqrestore(&heap_lock, irq);
    return (void *)(uintptr_t)old;
fail:
    spin_unlock_irqrestore(&heap_lock, irq);
    return (void *)-1;
}
