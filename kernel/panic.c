/*
 * panic.c — the report a dying kernel leaves: what happened, on which CPU,
 * every register, the faulting address, and a symbolized backtrace; then the
 * other CPUs are stopped and the machine powers off with POWER_STATUS_PANIC
 * (a failing QEMU exit code). Only the first CPU to panic reports; any later
 * one halts silently so the report stays readable.
 */
#include <stdarg.h>
#include <stdio.h>
#include "kernel/panic.h"
#include "kernel/console.h"
#include "kernel/ksyms.h"
#include "kernel/power.h"
#include "kernel/percpu.h"
#include "kernel/mm.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"

static volatile int panicking;

int panic_in_progress(void) { return __atomic_load_n(&panicking, __ATOMIC_ACQUIRE); }

static const char *const exception_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
    "invalid opcode", "device not available", "double fault", "coprocessor overrun",
    "invalid TSS", "segment not present", "stack fault", "general protection",
    "page fault", "reserved", "x87 floating point", "alignment check",
    "machine check", "SIMD floating point", "virtualization", "control protection",
};

static uint32_t panic_cpu_id(void)
{
    /* GS may not be set up yet on a very early fault. */
    return cpus_online ? this_cpu()->id : 0;
}

/* Claim the panic; a second panicking CPU stops here. */
static void panic_enter(void)
{
    irq_disable();
    if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
        halt_forever();
    lapic_stop_others();
}

void backtrace_print(uint64_t rip, uint64_t rbp)
{
    kprintf_unlocked("backtrace:\n");
    for (int depth = 0; depth < 32; depth++) {
        uint64_t off = 0;
        const char *name = ksym_lookup(rip, &off);
        kprintf_unlocked("  #%-2d %016llx %s+0x%llx\n", depth, (unsigned long long)rip,
                         name ? name : "?", (unsigned long long)off);
        if (rbp == 0 || (rbp & 7) || !mm_stack_address_valid(rbp, 16))
            break;
        uint64_t *frame = (uint64_t *)(uintptr_t)rbp;
        uint64_t next = frame[0];
        rip = frame[1];
        if (rip == 0 || next <= rbp)    /* stacks grow down: frames go up */
            break;
        rbp = next;
    }
}

void panic(const char *fmt, ...)
{
    panic_enter();
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    kprintf_unlocked("\n*** KERNEL PANIC on CPU %u: %s\n", panic_cpu_id(), buf);
    uint64_t rbp;
    __asm__ volatile("mov %%rbp, %0" : "=r"(rbp));
    backtrace_print((uint64_t)(uintptr_t)__builtin_return_address(0), rbp);
    kprintf_unlocked("*** end of panic report\n");
    power_off(POWER_STATUS_PANIC);
}

static void describe_page_fault(const TrapFrame *tf, uint64_t cr2)
{
    uint64_t e = tf->error;
    kprintf_unlocked("page fault at %016llx: %s, %s, %s%s\n", (unsigned long long)cr2,
                     (e & 1) ? "protection violation" : "page not present",
                     (e & 2) ? "write" : "read",
                     (e & 16) ? "instruction fetch" : "data access",
                     (e & 8) ? ", reserved bit set" : "");
    if (cr2 < 4096)
        kprintf_unlocked("  (NULL pointer dereference)\n");
    else if (mm_is_guard_page(cr2))
        kprintf_unlocked("  (kernel stack overflow into a guard page)\n");
}

void panic_trap(TrapFrame *tf)
{
    panic_enter();
    uint64_t cr2 = read_cr2();
    const char *name = tf->vector < 32 && exception_names[tf->vector] ? exception_names[tf->vector]
                                                                         : "unexpected vector";
    kprintf_unlocked("\n*** KERNEL PANIC on CPU %u: %s (vector %llu, error code 0x%llx)\n",
                     panic_cpu_id(), name, (unsigned long long)tf->vector,
                     (unsigned long long)tf->error);
    if (tf->vector == 14 || tf->vector == 8)
        describe_page_fault(tf, cr2);
    kprintf_unlocked("RIP %016llx  CS %04llx  RFLAGS %016llx\n", (unsigned long long)tf->rip,
                     (unsigned long long)tf->cs, (unsigned long long)tf->rflags);
    kprintf_unlocked("RSP %016llx  SS %04llx  CR2 %016llx  CR3 %016llx\n",
                     (unsigned long long)tf->rsp, (unsigned long long)tf->ss,
                     (unsigned long long)cr2, (unsigned long long)read_cr3());
    kprintf_unlocked("RAX %016llx  RBX %016llx  RCX %016llx  RDX %016llx\n",
                     (unsigned long long)tf->rax, (unsigned long long)tf->rbx,
                     (unsigned long long)tf->rcx, (unsigned long long)tf->rdx);
    kprintf_unlocked("RSI %016llx  RDI %016llx  RBP %016llx  R8  %016llx\n",
                     (unsigned long long)tf->rsi, (unsigned long long)tf->rdi,
                     (unsigned long long)tf->rbp, (unsigned long long)tf->r8);
    kprintf_unlocked("R9  %016llx  R10 %016llx  R11 %016llx  R12 %016llx\n",
                     (unsigned long long)tf->r9, (unsigned long long)tf->r10,
                     (unsigned long long)tf->r11, (unsigned long long)tf->r12);
    kprintf_unlocked("R13 %016llx  R14 %016llx  R15 %016llx\n", (unsigned long long)tf->r13,
                     (unsigned long long)tf->r14, (unsigned long long)tf->r15);
    uint64_t off;
    if (!ksym_lookup(tf->rip, &off) && mm_stack_address_valid(tf->rsp, 8)) {
        /* A jump or call to a bad address: the caller's return address is
         * on top of the stack, and RBP still belongs to the caller. */
        kprintf_unlocked("RIP is outside the kernel's code; return address on the stack:\n");
        backtrace_print(*(uint64_t *)(uintptr_t)tf->rsp, tf->rbp);
    } else {
        backtrace_print(tf->rip, tf->rbp);
    }
    kprintf_unlocked("*** end of panic report\n");
    power_off(POWER_STATUS_PANIC);
}
