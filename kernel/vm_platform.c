/*
 * vm_platform.c — vm/platform.h on bare metal: one scheduler per CPU,
 * TSC time, the serial console, the boot archive from GRUB, power-off by
 * isa-debug-exit.
 *
 * Idle and wake: a scheduler with nothing to run calls plat_idle_wait(); it
 * checks its `wake_pending` flag with interrupts off, arms the LAPIC timer
 * for the deadline and halts with `sti; hlt`, so a wake IPI that arrives
 * between the check and the halt still ends the halt. plat_wake() sets the
 * flag first and then sends the IPI (release/acquire on the flag).
 */
#include <string.h>

#include "vm/platform.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/mm.h"
#include "kernel/multiboot2.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/power.h"
#include "kernel/slab.h"
#include "kernel/time.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/memlayout.h"
#include "arch/x86_64/smp.h"
#include "drivers/serial.h"

static volatile uint32_t wake_pending[MAX_CPUS];
static void (*sched_entry)(unsigned);

const char *plat_name(void) { return "beamos"; }
unsigned plat_cpu_count(void) { return cpus_online; }
uint64_t plat_monotonic_ns(void) { return time_monotonic_ns(); }
uint64_t plat_system_time_ns(void) { return time_wall_ns(); }

void plat_console_write(const char *bytes, size_t len) { console_write(bytes, len); }

long plat_console_read(char *buf, size_t len)
{
    size_t n = 0;
    int c;
    while (n < len && (c = serial_getc()) >= 0)
        buf[n++] = (char)c;
    return (long)n;
}

/* The receive interrupt counts every byte; it also ends the idle hlt of
 * the CPU it arrives on, whose scheduler then looks at this. */
uint64_t plat_console_input_seq(void) { return serial_rx_count(); }

static void run_scheduler(void *arg)
{
    sched_entry((unsigned)(uintptr_t)arg);
    panic("scheduler %u returned", (unsigned)(uintptr_t)arg);
}

void plat_start_schedulers(unsigned n, void (*entry)(unsigned index))
{
    sched_entry = entry;
    for (unsigned i = 1; i < n && i < cpu_count; i++)
        if (smp_run_on(i, run_scheduler, (void *)(uintptr_t)i) < 0)
            kprintf("vm: CPU %u could not start a scheduler\n", i);
}

unsigned plat_sched_index(void) { return cpu_id(); }

void plat_idle_wait(uint64_t deadline_ns)
{
    uint32_t me = cpu_id();
    slab_reclaim();                        /* blocks other CPUs freed into our full slabs */
    irq_disable();
    if (!__atomic_exchange_n(&wake_pending[me], 0, __ATOMIC_ACQUIRE)) {
        if (deadline_ns) {
            uint64_t now = time_monotonic_ns();
            lapic_timer_arm_ns(deadline_ns > now ? deadline_ns - now : 1);
        }
        cpu_idle_wait();                   /* sti; hlt */
        irq_disable();
        if (deadline_ns)
            lapic_timer_cancel();
        __atomic_store_n(&wake_pending[me], 0, __ATOMIC_RELAXED);
    }
    irq_enable();
}

void plat_wake(unsigned index)
{
    if (index >= cpu_count)
        return;
    __atomic_store_n(&wake_pending[index], 1, __ATOMIC_RELEASE);
    if (index != cpu_id())
        smp_wake(index);
}

/* Waiting for a VM lock (vm/platform.h). The VM's locks have spun
 * already (vm/ets_lock.h) before they park, so the holder is slow: under
 * QEMU TCG, or a hypervisor, its vCPU may not be running at all, and a
 * waiter that keeps spinning takes host time from it. So the waiter spins
 * a little more, then halts as an idle scheduler does (sti; hlt) until
 * plat_unpark sends it the wake IPI.
 *
 * parked_on[cpu]: the word that CPU is halted on (NULL: none). No wake is
 * lost (Dekker, seq_cst on both sides): the parker stores parked_on, then
 * reads *word; the waker has changed *word, then reads parked_on. Either
 * the parker sees the new value and does not halt, or the waker sees the
 * parker and sends the IPI, which, if it comes while the parker still has
 * interrupts off, stays pending and ends the hlt at once. A plat_wake of
 * the scheduler, a stale IPI or PARK_MAX_NS passing also end the halt: a
 * spurious return, which plat_park allows (the caller looks again). */
#define PARK_SPIN_PAUSES 128
#define PARK_MAX_NS 10000000ull        /* 10 ms: a bound, never the expected wake */

static atomic_int *_Atomic parked_on[MAX_CPUS];

void plat_park(atomic_int *word, int expected)
{
    for (int i = 0; i < PARK_SPIN_PAUSES; i++) {
        if (atomic_load_explicit(word, memory_order_relaxed) != expected)
            return;
        __builtin_ia32_pause();
    }
    uint32_t me = cpu_id();
    uint64_t flags = irq_save();                         /* cli */
    if (!(flags & (1u << 9)))
        return;                                          /* called with interrupts off: never halt there */
    atomic_store(&parked_on[me], word);                  /* seq_cst: before the load of *word */
    if (atomic_load(word) == expected) {
        lapic_timer_arm_ns(PARK_MAX_NS);
        cpu_idle_wait();                                 /* sti; hlt */
        irq_disable();
        lapic_timer_cancel();
    }
    atomic_store_explicit(&parked_on[me], NULL, memory_order_relaxed);
    irq_restore(flags);
}

void plat_unpark(atomic_int *word, int n)
{
    atomic_thread_fence(memory_order_seq_cst);           /* the caller's change to *word, then parked_on */
    uint32_t me = cpu_id();
    for (uint32_t i = 0; i < cpu_count && n > 0; i++) {
        if (i == me || atomic_load_explicit(&parked_on[i], memory_order_relaxed) != word)
            continue;
        smp_wake(i);
        n--;
    }
}

void plat_args(int *argc, char ***argv)
{
    *argc = kernel_args.argc;
    *argv = kernel_args.argv;
}

void plat_boot_archive(const uint8_t **data, size_t *size)
{
    for (int i = 0; i < boot_info.module_count; i++) {
        const BootModule *m = &boot_info.modules[i];
        if (m->name && strstr(m->name, "bootfs")) {
            *data = phys_to_virt(m->start);
            *size = m->end - m->start;
            return;
        }
    }
    *data = NULL;
    *size = 0;
}

int plat_read_file(const char *path, uint8_t **data, size_t *size)
{
    (void)path; (void)data; (void)size;
    return -1;                          /* no file system: modules come from the boot archive */
}

void plat_halt(int status) { power_off((uint32_t)status); }
void plat_fatal(const char *msg) { panic("vm: %s", msg); }

char **plat_environ(void)
{
    static char *none[] = {NULL};
    return none;                        /* a unikernel has no inherited environment */
}
