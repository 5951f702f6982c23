/* panic.h — fatal errors: a full report on the console, then power off. */
#ifndef BEAMOS_KERNEL_PANIC_H
#define BEAMOS_KERNEL_PANIC_H

#include "arch/x86_64/trap.h"

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void panic_trap(TrapFrame *tf) __attribute__((noreturn));
/* Nonzero once some CPU has begun a panic. */
int panic_in_progress(void);

/* Print a frame-pointer backtrace starting at rbp (bounded, checked). */
void backtrace_print(uint64_t rip, uint64_t rbp);

#define KASSERT(c) \
    do { if (!(c)) panic("assertion failed: %s (%s:%d)", #c, __FILE__, __LINE__); } while (0)

#endif
