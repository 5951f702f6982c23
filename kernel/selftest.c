/*
 * selftest.c — kernel tests on the real (or emulated) machine, selected by
 * -selftest on the command line. Each test prints "ok - name" or
 * "FAIL - name: why"; the last line is "N passed, N failed", which the host
 * runner (scripts/run-tests) reads. Every wait is bounded by the TSC.
 */
#include <malloc.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/selftest.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/ksyms.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/slab.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/memlayout.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/tsc.h"

#define SECOND_NS 1000000000ULL

static char fail_reason[256];

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fail_reason, sizeof fail_reason, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- memory ---- */

static int test_pmm_exhaust(void)
{
    uint64_t before = pmm_free_page_count(), blocks_before[PMM_MAX_ORDER + 1], blocks_after[PMM_MAX_ORDER + 1];
    pmm_free_block_counts(blocks_before);
    /* Take every page, chaining them through their first word. */
    uint64_t head = 0, taken = 0, pa;
    while ((pa = pmm_alloc_pages(0)) != 0) {
        *(uint64_t *)phys_to_virt(pa) = head;
        head = pa;
        taken++;
    }
    uint64_t left = pmm_free_page_count();
    while (head) {
        uint64_t next = *(uint64_t *)phys_to_virt(head);
        pmm_free_pages(head, 0);
        head = next;
    }
    pmm_free_block_counts(blocks_after);
    if (taken != before || left != 0)
        return fail("took %llu pages of %llu free, %llu left", (unsigned long long)taken,
                    (unsigned long long)before, (unsigned long long)left);
    if (pmm_free_page_count() != before)
        return fail("%llu pages free after freeing all, expected %llu",
                    (unsigned long long)pmm_free_page_count(), (unsigned long long)before);
    if (memcmp(blocks_before, blocks_after, sizeof blocks_before) != 0)
        return fail("free blocks did not merge back to their original sizes");
    kprintf("     (%llu MiB allocated and freed in 4 KiB pages)\n", (unsigned long long)(taken >> 8));
    return 0;
}

static int test_pmm_orders(void)
{
    uint64_t before = pmm_free_page_count();
    uint64_t blocks[PMM_MAX_ORDER + 1];
    for (unsigned o = 0; o <= PMM_MAX_ORDER; o++) {
        blocks[o] = pmm_alloc_pages(o);
        if (!blocks[o] && o < 8)
            return fail("no free block of order %u", o);
        if (blocks[o] & ((PAGE_SIZE << o) - 1))
            return fail("order-%u block %#llx misaligned", o, (unsigned long long)blocks[o]);
    }
    for (unsigned o = 0; o <= PMM_MAX_ORDER; o++)
        if (blocks[o])
            pmm_free_pages(blocks[o], o);
    if (pmm_free_page_count() != before)
        return fail("leaked %lld pages", (long long)(before - pmm_free_page_count()));
    return 0;
}

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static int heap_round(void)
{
    enum { N = 2000 };
    rng_state = 12345;                 /* the same sequence every round */
    static uint8_t *blocks[N];
    static size_t sizes[N];
    for (int i = 0; i < N; i++) {
        sizes[i] = 1 + rng() % ((i % 50 == 0) ? 200000 : 4096);
        blocks[i] = malloc(sizes[i]);
        if (!blocks[i])
            return fail("malloc(%zu) failed", sizes[i]);
        memset(blocks[i], (uint8_t)i, sizes[i]);
    }
    for (int i = 0; i < N; i++)
        for (size_t j = 0; j < sizes[i]; j += 97)
            if (blocks[i][j] != (uint8_t)i)
                return fail("block %d corrupted at %zu", i, j);
    for (int i = 0; i < N; i++) {     /* free in a scrambled order */
        int k = (int)((uint32_t)i * 7919u % N);
        free(blocks[k]);
    }
    return 0;
}

static int test_heap(void)
{
    if (heap_round() < 0)
        return -1;
    void *brk1 = kheap_grow(0);
    for (int r = 0; r < 3; r++)
        if (heap_round() < 0)
            return -1;
    void *brk2 = kheap_grow(0);
    if (brk2 != brk1)
        return fail("heap grew by %lld bytes on repeating the same work (leak)",
                    (long long)((char *)brk2 - (char *)brk1));
    void *big = malloc(64 << 20);
    if (!big)
        return fail("malloc(64 MiB) failed");
    memset(big, 0xa5, 64 << 20);
    free(big);
    return 0;
}

/* malloc's two back ends: slabs (<= 8 KiB, direct map) and newlib's heap. */
static int in_slab(const void *p) { return (uintptr_t)p - PHYS_MAP_BASE < mem_stats.highest_phys; }
static int in_heap(const void *p) { return (uintptr_t)p - KHEAP_BASE < KHEAP_MAX_BYTES; }

static int test_kmalloc(void)
{
    SlabStats before, after;
    slab_arena_stats(0, &before);
    for (size_t n = 1; n <= 3 * SLAB_MAX_BYTES; n = n * 5 / 4 + 1) {
        uint8_t *p = malloc(n);
        if (!p || ((uintptr_t)p & 15) || malloc_usable_size(p) < n)
            return fail("malloc(%zu) gave %p (usable %zu)", n, p, p ? malloc_usable_size(p) : 0);
        if (n <= SLAB_MAX_BYTES ? !in_slab(p) : !in_heap(p))
            return fail("malloc(%zu) = %p came from the wrong allocator", n, p);
        memset(p, 0x5a, n);
        free(p);
    }
    /* realloc across the two kinds keeps the contents. */
    uint8_t *p = malloc(100);
    for (int i = 0; i < 100; i++) p[i] = (uint8_t)i;
    p = realloc(p, 20000);
    if (!p || !in_heap(p))
        return fail("realloc to 20000 bytes gave %p, expected newlib's heap", p);
    for (int i = 0; i < 100; i++)
        if (p[i] != (uint8_t)i) return fail("realloc slab -> heap lost byte %d", i);
    p = realloc(p, 50);
    if (!p || !in_slab(p))
        return fail("realloc down to 50 bytes gave %p, expected a slab", p);
    for (int i = 0; i < 50; i++)
        if (p[i] != (uint8_t)i) return fail("realloc heap -> slab lost byte %d", i);
    free(p);
    /* calloc clears reused slab memory. */
    uint8_t *dirty = malloc(200);
    memset(dirty, 0xff, 200);
    free(dirty);
    uint8_t *clean = calloc(1, 200);
    for (int i = 0; i < 200; i++)
        if (clean[i]) return fail("calloc returned a dirty byte at %d", i);
    free(clean);
    /* Alignment: slab classes up to 4 KiB, newlib beyond. */
    static const size_t aligns[] = {32, 64, 256, 4096, 8192, 65536};
    for (size_t i = 0; i < sizeof aligns / sizeof aligns[0]; i++) {
        void *a = aligned_alloc(aligns[i], 100), *b = NULL;
        if (!a || ((uintptr_t)a & (aligns[i] - 1)))
            return fail("aligned_alloc(%zu, 100) gave %p", aligns[i], a);
        if (posix_memalign(&b, aligns[i], 3000) != 0 || ((uintptr_t)b & (aligns[i] - 1)))
            return fail("posix_memalign(%zu, 3000) gave %p", aligns[i], b);
        free(a);
        free(b);
    }
    /* newlib's own allocations (strdup -> _malloc_r) are freed by free(). */
    char *dup = strdup("beamos");
    if (!dup || !in_heap(dup) || strcmp(dup, "beamos") != 0)
        return fail("strdup gave %p", dup);
    free(dup);
    slab_arena_stats(0, &after);
    if (after.used_bytes != before.used_bytes)
        return fail("CPU 0's slabs hold %lld bytes more than before", (long long)(after.used_bytes - before.used_bytes));
    return 0;
}

static int test_newlib(void)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.3f|%lld|%x|%s", 3.14159, -1234567890123LL, 0xbeefu, "ok");
    if (strcmp(buf, "3.142|-1234567890123|beef|ok") != 0)
        return fail("snprintf gave '%s'", buf);
    if (strtod("2.5e3", NULL) != 2500.0)
        return fail("strtod");
    double s = sqrt(2.0), e = exp(1.0), sn = sin(M_PI / 6);
    if (fabs(s - 1.41421356237) > 1e-9 || fabs(e - 2.71828182846) > 1e-9 || fabs(sn - 0.5) > 1e-12)
        return fail("libm: sqrt(2)=%.12f exp(1)=%.12f sin(pi/6)=%.12f", s, e, sn);
    snprintf(buf, sizeof buf, "%.17g", 0.1 + 0.2);
    if (strcmp(buf, "0.30000000000000004") != 0)
        return fail("float formatting gave %s", buf);
    return 0;
}

static int test_paging(void)
{
    extern char __text_start[], __data_start[], __rodata_start[];
    uint64_t text = paging_leaf_entry((uint64_t)(uintptr_t)__text_start);
    uint64_t rodata = paging_leaf_entry((uint64_t)(uintptr_t)__rodata_start);
    uint64_t data = paging_leaf_entry((uint64_t)(uintptr_t)__data_start);
    uint64_t direct = paging_leaf_entry(PHYS_MAP_BASE + (1ULL << 20));
    if (paging_leaf_entry(0) != 0)
        return fail("page 0 is mapped");
    if (!text || (text & PTE_W) || (text & PTE_NX))
        return fail("kernel text is not read-only executable (entry %#llx)", (unsigned long long)text);
    if (!rodata || (rodata & PTE_W) || !(rodata & PTE_NX))
        return fail("rodata is not read-only NX");
    if (!data || !(data & PTE_W) || !(data & PTE_NX))
        return fail("data is not writable NX");
    if (!direct || !(direct & PTE_NX))
        return fail("direct map is not NX");
    uint64_t top = cpus[0].kstack_top;
    uint64_t guard = top - KSTACK_SLOT_SIZE;
    if (paging_leaf_entry(guard) != 0 || !mm_is_guard_page(guard))
        return fail("no guard page under the boot CPU's stack");
    return 0;
}

/* A page fault the test expects: the handler checks it and jumps back. */
static jmp_buf fault_jmp;
static volatile uint64_t fault_cr2, fault_error;
static void expected_fault(TrapFrame *tf)
{
    fault_cr2 = read_cr2();
    fault_error = tf->error;
    longjmp(fault_jmp, 1);
}

static int test_fault_caught(void)
{
    volatile uint64_t *bad = (volatile uint64_t *)(uintptr_t)0xdead0000ULL;
    trap_set_handler(14, expected_fault);
    int faulted = setjmp(fault_jmp);
    if (!faulted)
        *bad = 1;
    trap_set_handler(14, 0);
    irq_enable();                        /* the fault entered with interrupts off */
    if (!faulted)
        return fail("write to an unmapped page did not fault");
    if (fault_cr2 != 0xdead0000ULL || !(fault_error & 2))
        return fail("fault reported CR2 %#llx error %#llx", (unsigned long long)fault_cr2,
                    (unsigned long long)fault_error);
    return 0;
}

static int test_ksyms(void)
{
    extern void kmain(uint32_t, uint64_t);
    uint64_t off = 0;
    const char *name = ksym_lookup((uint64_t)(uintptr_t)kmain + 5, &off);
    if (!name || strcmp(name, "kmain") != 0 || off != 5)
        return fail("kmain+5 symbolized as %s+%llu", name ? name : "(none)", (unsigned long long)off);
    return 0;
}

static int test_cmdline(void)
{
    KernelArgs saved = kernel_args;
    cmdline_parse("-s mymod start extra +S 3 -name n@h -bogus x -setcookie c +P 5000 -eval \"io:format(\\\"hi\\\")\"");
    KernelArgs got = kernel_args;
    kernel_args = saved;
    if (got.schedulers != 3 || got.process_limit != 5000 || !got.node_name ||
        strcmp(got.node_name, "n@h") != 0 || !got.cookie || strcmp(got.cookie, "c") != 0)
        return fail("decoded +S %d +P %ld name %s cookie %s", got.schedulers, got.process_limit,
                    got.node_name ? got.node_name : "-", got.cookie ? got.cookie : "-");
    if (got.warnings != 1)
        return fail("%d warnings, expected 1 (for -bogus)", got.warnings);
    if (got.argc < 4 || strcmp(got.argv[0], "-s") != 0 || strcmp(got.argv[3], "extra") != 0)
        return fail("argv not kept in order");
    return 0;
}

static int test_rtc(void)
{
    uint64_t s = time_wall_ns() / SECOND_NS;
    if (s < 1577836800ULL)   /* 2020-01-01 */
        return fail("wall clock reads %llu s since 1970", (unsigned long long)s);
    return 0;
}

/* ---- every CPU ---- */

static Spinlock hammer_lock = SPINLOCK_INIT;
static volatile uint64_t hammer_counter;
/* Total handoffs stay fixed as CPUs are added: under an emulator with more
 * virtual CPUs than host cores a ticket lock hands off slowly (the next
 * waiter may not be running), and this test checks exclusion, not speed. */
#define HAMMER_TOTAL 4000
static int hammer_rounds;

static TasLock hammer_tas = TASLOCK_INIT;

/* arg != NULL: the test-and-set lock instead of the ticket lock. */
static void hammer(void *arg)
{
    for (int i = 0; i < hammer_rounds; i++) {
        if (arg) tas_lock(&hammer_tas); else spin_lock(&hammer_lock);
        uint64_t v = hammer_counter;   /* non-atomic read-modify-write */
        cpu_relax();
        hammer_counter = v + 1;
        if (arg) tas_unlock(&hammer_tas); else spin_unlock(&hammer_lock);
    }
}

/* Run fn on every online CPU at once (the BSP last, in place). */
static int on_all_cpus(CpuCallFn fn, void *arg)
{
    for (uint32_t i = 1; i < cpu_count; i++)
        if (cpus[i].online && smp_run_on(i, fn, arg) < 0)
            return fail("could not post work to CPU %u", i);
    fn(arg);
    for (uint32_t i = 1; i < cpu_count; i++)
        if (cpus[i].online && smp_wait_work(i, 60 * SECOND_NS) < 0)
            return fail("CPU %u did not finish its work in 60 s", i);
    return 0;
}

static int hammer_all_cpus(void *tas)
{
    hammer_counter = 0;
    hammer_rounds = HAMMER_TOTAL / (int)cpus_online;
    if (on_all_cpus(hammer, tas) < 0)
        return -1;
    uint64_t want = (uint64_t)cpus_online * (uint64_t)hammer_rounds;
    if (hammer_counter != want)
        return fail("counter %llu, expected %llu (lost updates)", (unsigned long long)hammer_counter,
                    (unsigned long long)want);
    return 0;
}

static int test_spinlock_all_cpus(void) { return hammer_all_cpus(NULL); }
static int test_taslock_all_cpus(void) { return hammer_all_cpus(&hammer_tas); }

/* An IPI, a timer interrupt or another CPU's answer must arrive, however
 * long a loaded host keeps a TCG vCPU from running: these bounds only
 * catch what never comes; they are no latency targets (latencies are
 * printed, not judged). */
#define LIVENESS_BOUND_NS (30 * SECOND_NS)

static int test_ipi_round_trips(void)
{
    uint64_t worst = 0, total = 0, n = 0;
    for (uint32_t i = 1; i < cpu_count; i++) {
        uint64_t before = cpus[i].ipi_wakes;
        for (int r = 0; r < 100; r++) {
            uint64_t t0 = rdtsc();
            if (smp_ping(i, LIVENESS_BOUND_NS) < 0)
                return fail("CPU %u did not answer IPI %d within 30 s", i, r);
            uint64_t dt = rdtsc() - t0;
            total += dt;
            n++;
            if (dt > worst) worst = dt;
        }
        if (cpus[i].ipi_wakes - before != 100)
            return fail("CPU %u counted %llu IPIs, expected 100", i,
                        (unsigned long long)(cpus[i].ipi_wakes - before));
    }
    if (n)
        kprintf("     (%llu round trips: mean %llu ns, worst %llu ns)\n", (unsigned long long)n,
                (unsigned long long)tsc_ticks_to_ns(total / n), (unsigned long long)tsc_ticks_to_ns(worst));
    return 0;
}

/* Every CPU pings the next one, all at once: IPIs between any two CPUs. */
static volatile int ring_result[MAX_CPUS];

static void ping_next(void *arg)
{
    (void)arg;
    uint32_t me = cpu_id(), next = (me + 1) % cpu_count;
    int ok = 1;
    for (int r = 0; r < 50 && ok; r++)
        ok = smp_ping(next, LIVENESS_BOUND_NS) == 0;
    ring_result[me] = ok ? 1 : -1;
}

static int test_ipi_ring(void)
{
    if (cpu_count < 2)
        return 0;
    for (uint32_t i = 0; i < cpu_count; i++)
        ring_result[i] = 0;
    if (on_all_cpus(ping_next, 0) < 0)
        return -1;
    for (uint32_t i = 0; i < cpu_count; i++)
        if (ring_result[i] != 1)
            return fail("CPU %u could not interrupt CPU %u", i, (i + 1) % cpu_count);
    return 0;
}

static volatile int timer_result[MAX_CPUS];

static void timer_wait(void *arg)
{
    (void)arg;
    Cpu *c = this_cpu();
    uint64_t before = c->timer_ticks, start = rdtsc();
    lapic_timer_arm_ns(2000000);            /* 2 ms */
    while (c->timer_ticks == before && rdtsc() - start < tsc_ns_to_ticks(LIVENESS_BOUND_NS)) {
        irq_disable();
        if (c->timer_ticks == before)
            cpu_idle_wait();                /* the timer interrupt wakes us */
        irq_enable();
    }
    uint64_t waited = tsc_ticks_to_ns(rdtsc() - start);
    timer_result[c->id] = c->timer_ticks != before ? (waited >= 1900000 ? 1 : -2) : -1;
}

static int test_lapic_timer_all_cpus(void)
{
    for (uint32_t i = 0; i < cpu_count; i++)
        timer_result[i] = 0;
    if (on_all_cpus(timer_wait, 0) < 0)
        return -1;
    for (uint32_t i = 0; i < cpu_count; i++) {
        if (!cpus[i].online)
            continue;
        if (timer_result[i] == -1)
            return fail("LAPIC timer never fired on CPU %u", i);
        if (timer_result[i] == -2)
            return fail("LAPIC timer fired early on CPU %u", i);
        if (timer_result[i] != 1)
            return fail("CPU %u did not run the timer test", i);
    }
    return 0;
}

/* TSC ordering across CPUs: a value read on one CPU and published must not
 * be greater than a TSC read afterwards on another CPU. */
static volatile uint64_t tsc_stamp, tsc_seq;
static volatile int tsc_bad;
#define TSC_ROUNDS 2000

static void tsc_partner(void *arg)
{
    (void)arg;
    for (uint64_t r = 1; r <= TSC_ROUNDS; r++) {
        uint64_t deadline = rdtsc() + tsc_ns_to_ticks(LIVENESS_BOUND_NS);
        while (__atomic_load_n(&tsc_seq, __ATOMIC_ACQUIRE) != 2 * r - 1)
            if (rdtsc() > deadline) { tsc_bad = 2; return; }
        uint64_t now = rdtsc();
        if (now < tsc_stamp) tsc_bad = 1;
        tsc_stamp = rdtsc();
        __atomic_store_n(&tsc_seq, 2 * r, __ATOMIC_RELEASE);
    }
}

static int test_tsc_monotonic_across_cpus(void)
{
    for (uint32_t i = 1; i < cpu_count; i++) {
        tsc_seq = 0;
        tsc_bad = 0;
        if (smp_run_on(i, tsc_partner, 0) < 0)
            return fail("could not start CPU %u", i);
        for (uint64_t r = 1; r <= TSC_ROUNDS && !tsc_bad; r++) {
            tsc_stamp = rdtsc();
            __atomic_store_n(&tsc_seq, 2 * r - 1, __ATOMIC_RELEASE);
            uint64_t deadline = rdtsc() + tsc_ns_to_ticks(LIVENESS_BOUND_NS);
            while (__atomic_load_n(&tsc_seq, __ATOMIC_ACQUIRE) != 2 * r && !tsc_bad)
                if (rdtsc() > deadline) return fail("CPU %u stopped answering", i);
            if (rdtsc() < tsc_stamp) tsc_bad = 1;
        }
        if (smp_wait_work(i, 2 * LIVENESS_BOUND_NS) < 0)
            return fail("CPU %u did not finish", i);
        if (tsc_bad == 1)
            return fail("TSC went backwards between CPU 0 and CPU %u", i);
        if (tsc_bad)
            return fail("CPU %u timed out", i);
    }
    return 0;
}

/* Every CPU allocates blocks, the next CPU frees them (remote frees into
 * slabs their owner retired as full), then every CPU trims its arena: all
 * memory must come back to where it was. */
#define XFREE_BLOCKS 2000
#define XFREE_ROUNDS 3
static uint8_t *(*xfree_blocks)[XFREE_BLOCKS];   /* [cpus_online], from the big path */
static volatile uint32_t xfree_arrived;
static volatile int xfree_result[MAX_CPUS];

static int xfree_barrier(uint32_t phase)
{
    uint64_t deadline = rdtsc() + tsc_ns_to_ticks(LIVENESS_BOUND_NS);
    __atomic_fetch_add(&xfree_arrived, 1, __ATOMIC_ACQ_REL);
    while (__atomic_load_n(&xfree_arrived, __ATOMIC_ACQUIRE) < phase * cpus_online)
        if (rdtsc() > deadline)
            return -1;
    return 0;
}

static size_t xfree_size(uint32_t cpu, int k) { return 1 + (cpu * 7919u + (uint32_t)k * 104729u) % 1200; }

static void xfree_work(void *arg)
{
    (void)arg;
    uint32_t me = cpu_id(), victim = (me + 1) % cpus_online, phase = 0;
    int result = 1;
    for (int r = 0; r < XFREE_ROUNDS && result == 1; r++) {
        for (int k = 0; k < XFREE_BLOCKS; k++) {
            uint8_t *p = malloc(xfree_size(me, k));
            if (!p) { result = -1; break; }
            memset(p, (int)(me * 31 + (uint32_t)k), xfree_size(me, k));
            xfree_blocks[me][k] = p;
        }
        if (xfree_barrier(++phase) < 0) { result = -2; break; }
        for (int k = 0; k < XFREE_BLOCKS && result == 1; k++) {
            uint8_t *p = xfree_blocks[victim][k];
            size_t n = xfree_size(victim, k);
            if (!p) continue;
            if (p[0] != (uint8_t)(victim * 31 + (uint32_t)k) || p[n - 1] != p[0])
                result = -3;
            free(p);
            xfree_blocks[victim][k] = NULL;
        }
        if (xfree_barrier(++phase) < 0) { result = -2; break; }
        slab_trim();                          /* take back what the others freed */
    }
    xfree_result[me] = result;
}

static void trim_here(void *arg) { (void)arg; slab_trim(); }

static int test_kmalloc_cross_cpu(void)
{
    SlabStats before, after;
    if (on_all_cpus(trim_here, 0) < 0)
        return -1;
    xfree_blocks = calloc(cpus_online, sizeof *xfree_blocks);   /* > 8 KiB: newlib's heap */
    if (!xfree_blocks)
        return fail("no memory for the block table");
    slab_stats(&before);
    xfree_arrived = 0;
    for (uint32_t i = 0; i < cpu_count; i++)
        xfree_result[i] = 0;
    if (on_all_cpus(xfree_work, 0) < 0)
        return -1;
    free(xfree_blocks);
    for (uint32_t i = 0; i < cpus_online; i++) {
        if (xfree_result[i] == -1) return fail("malloc failed on CPU %u", i);
        if (xfree_result[i] == -2) return fail("CPU %u waited 30 s for the others", i);
        if (xfree_result[i] == -3) return fail("a block CPU %u freed was corrupted", i);
        if (xfree_result[i] != 1) return fail("CPU %u did not run", i);
    }
    slab_stats(&after);
    if (after.used_bytes != before.used_bytes || after.slab_bytes != before.slab_bytes)
        return fail("slabs: %llu bytes in use, %llu held; before: %llu, %llu",
                    (unsigned long long)after.used_bytes, (unsigned long long)after.slab_bytes,
                    (unsigned long long)before.used_bytes, (unsigned long long)before.slab_bytes);
    uint64_t remote = after.remote_blocks - before.remote_blocks, reclaims = after.reclaims - before.reclaims;
    if (cpus_online > 1 && (remote != (uint64_t)cpus_online * XFREE_BLOCKS * XFREE_ROUNDS || reclaims == 0))
        return fail("%llu blocks came back from other CPUs (expected %llu), %llu slabs reclaimed",
                    (unsigned long long)remote, (unsigned long long)cpus_online * XFREE_BLOCKS * XFREE_ROUNDS,
                    (unsigned long long)reclaims);
    kprintf("     (%llu blocks freed on another CPU, %llu full slabs handed back; %llu KiB in slabs)\n",
            (unsigned long long)remote, (unsigned long long)reclaims, (unsigned long long)(after.slab_bytes >> 10));
    return 0;
}

static int test_all_cpus_online(void)
{
    if (cpus_online != acpi_cpu_count_reported())
        return fail("%u CPUs online, firmware lists %u", cpus_online, acpi_cpu_count_reported());
    return 0;
}

typedef struct { const char *name; int (*fn)(void); } SelfTest;
static const SelfTest tests[] = {
    {"all CPUs online", test_all_cpus_online},
    {"page allocator: every order, no leak", test_pmm_orders},
    {"page allocator: exhaust and free all memory", test_pmm_exhaust},
    {"heap: malloc/free, no growth on reuse, 64 MiB block", test_heap},
    {"kmalloc: slab and heap blocks, realloc across them, alignment, strdup", test_kmalloc},
    {"newlib: printf, strtod, libm", test_newlib},
    {"paging: W^X kernel, NX direct map, page 0 and stack guard unmapped", test_paging},
    {"page fault caught with CR2 and error code", test_fault_caught},
    {"kernel symbols for backtraces", test_ksyms},
    {"command line: erl flags decoded, unknown flag warned", test_cmdline},
    {"RTC wall clock", test_rtc},
    {"spinlock hammered from every CPU", test_spinlock_all_cpus},
    {"test-and-set lock hammered from every CPU", test_taslock_all_cpus},
    {"IPI round trips to every CPU", test_ipi_round_trips},
    {"IPIs between every pair of neighbouring CPUs at once", test_ipi_ring},
    {"LAPIC timer fires on every CPU", test_lapic_timer_all_cpus},
    {"TSC monotonic across CPUs", test_tsc_monotonic_across_cpus},
    {"kmalloc: blocks freed on other CPUs return to their owner", test_kmalloc_cross_cpu},
};

int selftest_run(void)
{
    int passed = 0, failed = 0;
    kprintf("selftest: %zu kernel tests on %u CPUs\n", sizeof tests / sizeof tests[0], cpus_online);
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        fail_reason[0] = 0;
        uint64_t t0 = time_monotonic_ns();
        int r = tests[i].fn();
        uint64_t ms = (time_monotonic_ns() - t0) / 1000000;
        if (r == 0) {
            passed++;
            kprintf("ok - %s (%llu ms)\n", tests[i].name, (unsigned long long)ms);
        } else {
            failed++;
            kprintf("FAIL - %s: %s\n", tests[i].name, fail_reason);
        }
    }
    kprintf("%d passed, %d failed\n", passed, failed);
    return failed;
}

/* ---- deliberate faults ---- */

static volatile int zero = 0;

static uint64_t __attribute__((noinline)) recurse(uint64_t depth)
{
    volatile char pad[512];
    pad[0] = (char)depth;
    if (depth == UINT64_MAX)           /* never: keeps the compiler from calling this infinite */
        return 0;
    return recurse(depth + 1) + pad[0];
}

void selftest_crash(const char *kind)
{
    kprintf("crash: faulting on purpose (%s)\n", kind);
    if (strcmp(kind, "pagefault") == 0) {
        *(volatile uint64_t *)(uintptr_t)0xdead0000ULL = 1;
    } else if (strcmp(kind, "divide") == 0) {
        volatile int r = 10 / zero;
        (void)r;
    } else if (strcmp(kind, "stackoverflow") == 0) {
        recurse(0);
    } else if (strcmp(kind, "nullcall") == 0) {
        void (*volatile fn)(void) = 0;
        fn();
    } else if (strcmp(kind, "invalidop") == 0) {
        __asm__ volatile("ud2");
    } else {
        panic("-crash: unknown kind '%s' (pagefault, divide, stackoverflow, nullcall, invalidop)", kind);
    }
    panic("-crash %s: the fault did not happen", kind);
}
