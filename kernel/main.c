/*
 * main.c — the boot sequence. The bootstrap CPU arrives from boot.asm in
 * kmain() on the boot stack; once memory is up it moves to a guarded stack
 * and continues in kmain_late(). Application processors start in smp.c.
 */
#include <stdio.h>
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/mm.h"
#include "kernel/multiboot2.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/power.h"
#include "kernel/selftest.h"
#include "kernel/time.h"
#include "kernel/version.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/tsc.h"
#include "drivers/serial.h"
#include "vm/boot.h"

void kmain(uint32_t magic, uint64_t boot_info_phys) __attribute__((noreturn));
static void kmain_late(void) __attribute__((noreturn));

/* Switch to `stack_top` and call fn there; the old stack is abandoned. */
static void __attribute__((noreturn)) run_on_stack(uint64_t stack_top, void (*fn)(void))
{
    __asm__ volatile("mov %0, %%rsp\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "push $0\n\t"          /* fake return address ends backtraces */
                     "jmp *%1" ::"r"(stack_top), "r"(fn) : "memory");
    __builtin_unreachable();
}

void kmain(uint32_t magic, uint64_t boot_info_phys)
{
    time_mark_entry();                      /* boot timing starts here */
    serial_init();                          /* console first: everything after can report */
    percpu_install(0);                      /* GS → cpus[0] */
    idt_init();                             /* exceptions are reported from here on */
    idt_load();
    multiboot2_parse(magic, boot_info_phys);/* command line, memory map, modules, RSDP */
    cmdline_parse(boot_info.cmdline);       /* erl-style flags */
    mm_init();                              /* real page tables, page allocator */
    if (cpu_alloc_stacks(&cpus[0]) < 0)     /* guarded stack + IST stacks for the BSP */
        panic("out of memory for the boot CPU's stacks");
    run_on_stack(cpus[0].kstack_top, kmain_late);
}

static void panic_nmi(TrapFrame *tf)
{
    /* An NMI from a panicking CPU means: stop here. Otherwise it is fatal. */
    if (panic_in_progress())
        halt_forever();
    panic_trap(tf);
}

static void print_banner(uint64_t cpus_up_us, const char *tsc_source)
{
    kprintf("\nBeamOS %s (x86-64 unikernel) — built %s\n", BEAMOS_VERSION, BEAMOS_BUILD_DATE);
    kprintf("boot loader: %s\n", boot_info.loader_name ? boot_info.loader_name : "unknown");
    kprintf("command line: %s\n", boot_info.cmdline);
    kprintf("memory: %llu MiB total, %llu MiB usable, %llu KiB free pages\n",
            (unsigned long long)(mem_stats.total_bytes >> 20),
            (unsigned long long)(mem_stats.usable_bytes >> 20),
            (unsigned long long)(pmm_free_page_count() * 4));
    kprintf("TSC: %llu.%03llu MHz (calibrated against %s)%s\n",
            (unsigned long long)(tsc_hz() / 1000000), (unsigned long long)(tsc_hz() / 1000 % 1000),
            tsc_source, tsc_invariant() ? ", invariant" : "");
    kprintf("LAPIC timer: %s; FPU: %s; ACPI OEM '%s'%s\n",
            lapic_has_tsc_deadline() ? "TSC-deadline" : "one-shot", cpu_fpu_mode(), acpi_info.oem,
            acpi_info.hpet_phys ? ", HPET present" : "");
    char ids[MAX_CPUS * 4 + 1];
    int n = 0;
    for (uint32_t i = 0; i < cpu_count && n < (int)sizeof ids - 4; i++)
        if (cpus[i].online)
            n += snprintf(ids + n, sizeof ids - (size_t)n, "%s%u", i ? "," : "", cpus[i].apic_id);
    kprintf("CPUs online: %u of %u (APIC ids %s)\n", cpus_online, acpi_info.cpu_count, ids);
    kprintf("kernel entry to all CPUs online: %llu us\n", (unsigned long long)cpus_up_us);
}

static void kmain_late(void)
{
    Cpu *bsp = &cpus[0];
    if (acpi_init(boot_info.rsdp_phys) < 0) /* MADT: CPUs, I/O APICs; HPET */
        panic("ACPI tables unusable; BeamOS needs the MADT to find CPUs and interrupts");
    const char *tsc_source = tsc_calibrate(acpi_info.hpet_phys); /* the time base */
    time_init();                            /* wall clock from the RTC */
    lapic_init(acpi_info.lapic_phys);       /* this CPU's local APIC */
    bsp->apic_id = lapic_id();
    cpu_setup_local(bsp);                   /* per-CPU GDT/TSS (IST stacks), FPU/XSAVE */
    trap_set_handler(2, panic_nmi);         /* NMIs stop CPUs during a panic */
    trap_set_handler(VEC_LAPIC_TIMER, lapic_timer_interrupt);
    smp_init_ipis();                        /* wake and call vectors */
    lapic_timer_calibrate();                /* APIC timer against the TSC */
    ioapic_init();                          /* device interrupts via the I/O APICs */
    serial_enable_rx_irq();                 /* console input by interrupt */
    bsp->online = 1;
    cpus_online = 1;
    irq_enable();
    smp_start_aps();                        /* every other CPU in the MADT */
    uint64_t cpus_up_us = time_monotonic_ns() / 1000;
    print_banner(cpus_up_us, tsc_source);

    if (kernel_args.crash)
        selftest_crash(kernel_args.crash);  /* deliberate fault: never returns */
    if (kernel_args.selftest) {
        int failed = selftest_run();
        power_off(failed ? 1 : 0);
    }
    vm_main();                              /* the BEAM: schedulers on every CPU; never returns */
}
