/*
 * smp.c — bring-up of the application processors and the IPIs between CPUs.
 *
 * APs start one at a time: the BSP fills the trampoline's parameter block
 * (page tables, stack, CPU index), sends INIT, SIPI, SIPI with the waits the
 * Intel MP spec gives, and waits (bounded) until the AP marks itself online
 * before touching the shared parameter block again.
 */
#include <string.h>
#include "arch/x86_64/smp.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/memlayout.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/tsc.h"
#include "kernel/console.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"

extern const char ap_trampoline_start[], ap_trampoline_end[], ap_trampoline_params[];

typedef struct { uint64_t cr3, stack, entry, cpu; } TrampolineParams;

void (*ap_idle_entry)(void);
static const char *fpu_mode = "FXSAVE/SSE";

const char *cpu_fpu_mode(void) { return fpu_mode; }

static void fpu_enable(void)
{
    uint32_t a, b, c, d;
    cpuid(1, 0, &a, &b, &c, &d);
    if (c & (1u << 26)) {                          /* XSAVE */
        write_cr4(read_cr4() | (1u << 18));        /* OSXSAVE */
        uint64_t xcr0 = 0x3;                       /* x87 | SSE */
        if (c & (1u << 28))
            xcr0 |= 0x4;                           /* AVX */
        xsetbv(0, xcr0);
        fpu_mode = (xcr0 & 4) ? "XSAVE/AVX" : "XSAVE/SSE";
    }
    __asm__ volatile("fninit");
    uint32_t mxcsr = 0x1f80;                       /* all exceptions masked */
    __asm__ volatile("ldmxcsr %0" ::"m"(mxcsr));
}

void cpu_setup_local(Cpu *cpu)
{
    gdt_init_cpu(cpu);
    idt_load();
    lapic_init_cpu();
    fpu_enable();
}

int cpu_alloc_stacks(Cpu *cpu)
{
    cpu->kstack_top = kstack_alloc();
    for (int i = 1; i <= 3; i++)
        cpu->ist_top[i] = kstack_alloc();
    return cpu->kstack_top && cpu->ist_top[1] && cpu->ist_top[2] && cpu->ist_top[3] ? 0 : -1;
}

void cpu_idle(void)
{
    cpu_idle_wait();
    irq_disable();
}

/* The AP idle loop until the VM's scheduler takes over: run posted work,
 * otherwise halt. Work is checked with interrupts off and the halt is
 * `sti; hlt`, so a wake-up IPI arriving in between is never lost. */
static void default_ap_idle(void)
{
    Cpu *c = this_cpu();
    for (;;) {
        irq_disable();
        CpuCallFn fn = __atomic_load_n(&c->work_fn, __ATOMIC_ACQUIRE);
        if (fn) {
            irq_enable();
            fn(c->work_arg);
            __atomic_store_n(&c->work_fn, (CpuCallFn)0, __ATOMIC_RELEASE);
            __atomic_fetch_add(&c->work_done, 1, __ATOMIC_RELEASE);
            continue;
        }
        cpu_idle_wait();
    }
}

int smp_run_on(uint32_t target, CpuCallFn fn, void *arg)
{
    if (target >= cpu_count || !cpus[target].online)
        return -1;
    Cpu *c = &cpus[target];
    if (c == this_cpu()) {
        fn(arg);
        __atomic_fetch_add(&c->work_done, 1, __ATOMIC_RELEASE);
        return 0;
    }
    if (__atomic_load_n(&c->work_fn, __ATOMIC_ACQUIRE))
        return -1;
    c->work_arg = arg;
    __atomic_store_n(&c->work_fn, fn, __ATOMIC_RELEASE);
    lapic_send_ipi(c->apic_id, VEC_IPI_WAKE);
    return 0;
}

int smp_wait_work(uint32_t target, uint64_t timeout_ns)
{
    Cpu *c = &cpus[target];
    uint64_t end = rdtsc() + tsc_ns_to_ticks(timeout_ns);
    while (__atomic_load_n(&c->work_fn, __ATOMIC_ACQUIRE))
        if (rdtsc() > end)
            return -1;
    return 0;
}

static void ping_handler(void *arg)
{
    (void)arg;
    this_cpu()->ipi_wakes++;
}

int smp_ping(uint32_t target, uint64_t timeout_ns) { return smp_call(target, ping_handler, 0, timeout_ns); }

void ap_main(uint64_t id) __attribute__((noreturn));
void ap_main(uint64_t id)
{
    Cpu *cpu = &cpus[id];
    percpu_install((uint32_t)id);
    cpu_setup_local(cpu);
    __atomic_store_n(&cpu->online, 1, __ATOMIC_RELEASE);
    __atomic_fetch_add(&cpus_online, 1, __ATOMIC_RELEASE);
    (ap_idle_entry ? ap_idle_entry : default_ap_idle)();
    panic("CPU %u: idle loop returned", (unsigned)id);
}

static void delay_us(uint64_t us)
{
    uint64_t end = rdtsc() + tsc_ns_to_ticks(us * 1000);
    while (rdtsc() < end)
        cpu_relax();
}

static int wait_online(Cpu *cpu, uint64_t us)
{
    uint64_t end = rdtsc() + tsc_ns_to_ticks(us * 1000);
    while (rdtsc() < end)
        if (__atomic_load_n(&cpu->online, __ATOMIC_ACQUIRE))
            return 1;
    return 0;
}

uint32_t smp_start_aps(void)
{
    size_t len = (size_t)(ap_trampoline_end - ap_trampoline_start);
    if (paging_root_phys() >= (1ULL << 32))
        panic("smp: kernel page tables above 4 GiB; APs cannot load them");
    /* The trampoline page: written through the direct map, executed via the
     * identity mapping (read-only + executable). */
    memcpy(phys_to_virt(AP_TRAMPOLINE_PHYS), ap_trampoline_start, len);
    paging_map(AP_TRAMPOLINE_PHYS, AP_TRAMPOLINE_PHYS, 0);
    TrampolineParams *params =
        phys_to_virt(AP_TRAMPOLINE_PHYS + (uint64_t)(ap_trampoline_params - ap_trampoline_start));

    uint32_t bsp_apic = lapic_id();
    uint32_t next = 1;
    for (uint32_t i = 0; i < acpi_info.cpu_count; i++) {
        uint32_t apic = acpi_info.apic_ids[i];
        if (apic == bsp_apic)
            continue;
        Cpu *cpu = &cpus[next];
        cpu->id = next;
        cpu->apic_id = apic;
        if (cpu_alloc_stacks(cpu) < 0) {
            kprintf("smp: out of memory for CPU %u's stacks\n", next);
            break;
        }
        params->cr3 = paging_root_phys();
        params->stack = cpu->kstack_top;
        params->entry = (uint64_t)(uintptr_t)ap_main;
        params->cpu = next;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        lapic_send_init(apic);
        delay_us(10000);
        lapic_send_sipi(apic, (uint8_t)(AP_TRAMPOLINE_PHYS >> 12));
        if (!wait_online(cpu, 200)) {
            lapic_send_sipi(apic, (uint8_t)(AP_TRAMPOLINE_PHYS >> 12));
            if (!wait_online(cpu, 2000000)) {      /* TCG can be slow: 2 s */
                kprintf("smp: CPU with APIC id %u did not start\n", apic);
                continue;
            }
        }
        next++;
    }
    cpu_count = next;
    return __atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE);
}

/* ---- IPIs ---- */

static Spinlock call_lock[MAX_CPUS];

static void ipi_call_handler(TrapFrame *tf)
{
    (void)tf;
    Cpu *c = this_cpu();
    CpuCallFn fn = c->call_fn;
    if (fn) {
        fn(c->call_arg);
        c->call_fn = 0;
        __atomic_fetch_add(&c->call_done, 1, __ATOMIC_RELEASE);
    }
}

static void ipi_wake_handler(TrapFrame *tf)
{
    (void)tf;
    this_cpu()->ipi_wakes++;
}

void smp_init_ipis(void)
{
    trap_set_handler(VEC_IPI_CALL, ipi_call_handler);
    trap_set_handler(VEC_IPI_WAKE, ipi_wake_handler);
}

int smp_call(uint32_t target, CpuCallFn fn, void *arg, uint64_t timeout_ns)
{
    if (target >= cpu_count || !cpus[target].online)
        return -1;
    Cpu *c = &cpus[target];
    spin_lock(&call_lock[target]);
    uint64_t done = __atomic_load_n(&c->call_done, __ATOMIC_ACQUIRE);
    c->call_arg = arg;
    __atomic_store_n(&c->call_fn, fn, __ATOMIC_RELEASE);
    lapic_send_ipi(c->apic_id, VEC_IPI_CALL);
    uint64_t end = rdtsc() + tsc_ns_to_ticks(timeout_ns);
    int ok = 0;
    while (rdtsc() < end)
        if (__atomic_load_n(&c->call_done, __ATOMIC_ACQUIRE) != done) {
            ok = 1;
            break;
        }
    if (!ok)
        c->call_fn = 0;
    spin_unlock(&call_lock[target]);
    return ok ? 0 : -1;
}

void smp_wake(uint32_t target)
{
    if (target < cpu_count && cpus[target].online)
        lapic_send_ipi(cpus[target].apic_id, VEC_IPI_WAKE);
}
