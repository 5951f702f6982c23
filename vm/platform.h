/*
 * platform.h — the one seam between the VM and what runs it.
 *
 * vm/ includes nothing from arch/, kernel/ or drivers/: everything it needs
 * from below is declared here and implemented twice, by the kernel
 * (kernel/vm_platform.c, bare metal) and by the hosted build
 * (vm/host/platform_host.c, Linux threads as schedulers). The standard C
 * library (malloc, string, math, snprintf, strtod) is available on both
 * (newlib in the kernel, glibc on the host) and is used directly.
 *
 * Threading model: the VM runs one scheduler per CPU (kernel) or per host
 * thread. plat_cpu_index() names the scheduler the caller runs on; the VM
 * itself uses C11 atomics for all synchronization (vm/lock.h,
 * vm/ets_lock.h); the platform supplies only a way to sleep on a word.
 */
#ifndef BEAMOS_VM_PLATFORM_H
#define BEAMOS_VM_PLATFORM_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* ---- identity ---- */
const char *plat_name(void);              /* "beamos" or "host" */
unsigned plat_cpu_count(void);            /* CPUs (kernel) / hardware threads (host) */

/* ---- time ---- */
uint64_t plat_monotonic_ns(void);         /* never goes back; any CPU */
uint64_t plat_system_time_ns(void);       /* wall clock, ns since 1970-01-01 UTC */

/* ---- console ---- */
void plat_console_write(const char *bytes, size_t len);
/* Up to `len` bytes of console input if any is buffered; 0 if none;
 * -1 at end of input (host stdin closed). Never blocks. */
long plat_console_read(char *buf, size_t len);
/* A count that grows whenever console input arrives (or input ends). When
 * it grows the platform makes sure some scheduler runs its loop soon (the
 * receive interrupt wakes its CPU from idle; the host's stdin watcher calls
 * plat_wake(0)), so vm/console_input.c can wake a process waiting for
 * input instead of having it poll. */
uint64_t plat_console_input_seq(void);

/* ---- schedulers ----
 * plat_start_schedulers(n, entry) runs entry(1) .. entry(n-1) on other CPUs
 * (or threads); the caller is scheduler 0 and calls entry(0) itself. */
void plat_start_schedulers(unsigned n, void (*entry)(unsigned index));
unsigned plat_sched_index(void);          /* the calling scheduler's index */
/* Sleep the calling scheduler until plat_wake(it) or until the monotonic
 * clock reaches deadline_ns (0 = no deadline). May return early. */
void plat_idle_wait(uint64_t deadline_ns);
/* Wake scheduler `index` from plat_idle_wait (an IPI in the kernel). */
void plat_wake(unsigned index);

/* ---- waiting on a lock word ----
 * A lock that stays contended after a bounded spin parks its caller here.
 * plat_park(word, expected): if *word still equals expected, wait until a
 * plat_unpark(word, ...) or spuriously; return at once if it differs. The
 * comparison and the sleep are one step with respect to plat_unpark, so
 * a waker that changes *word before calling plat_unpark is never missed.
 * plat_unpark(word, n): wake up to n callers parked on word (INT_MAX: all).
 * Host: futex(2), so a waiter gives its CPU to the thread it waits for.
 * Kernel: a scheduler is alone on its CPU, but its CPU may be a vCPU the
 * hypervisor (or QEMU TCG, several vCPUs on fewer host CPUs) does not run
 * while a spinning vCPU does: plat_park spins briefly, then halts until
 * plat_unpark's wake IPI (or a bounded time, or any other wake);
 * plat_unpark sends the IPI to up to n CPUs halted on word. */
void plat_park(atomic_int *word, int expected);
void plat_unpark(atomic_int *word, int n);

/* ---- boot ---- */
/* The kernel/host command line as erl-style words (argv[0] is the first flag). */
void plat_args(int *argc, char ***argv);
/* The boot archive (ustar of .beam files), or size 0 if there is none.
 * The host build returns none and finds modules with plat_read_file. */
void plat_boot_archive(const uint8_t **data, size_t *size);
/* Read a whole file (host: -pa directories and OTP's lib dir; kernel: no
 * file system, returns -1). On success *data is malloc'ed. */
int plat_read_file(const char *path, uint8_t **data, size_t *size);

/* The environment the VM starts with, as "NAME=VALUE" strings ending in
 * NULL (host: the process environment; kernel: none). os:getenv/putenv work
 * on the VM's own copy. */
char **plat_environ(void);

/* ---- end ---- */
/* Power off (kernel) or exit (host) with `status`. Never returns. */
void plat_halt(int status) __attribute__((noreturn));
/* A fatal VM error: report and stop (kernel panic / host abort). */
void plat_fatal(const char *msg) __attribute__((noreturn));

#endif
