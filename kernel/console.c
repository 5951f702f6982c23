/*
 * console.c — formatted kernel output to COM1.
 *
 * Lines from different CPUs never interleave: each kprintf formats into a
 * stack buffer and writes it under one IRQ-safe lock. kprintf uses newlib's
 * vsnprintf, which may use SSE, so it must not be called from interrupt
 * handlers (they are built -mgeneral-regs-only); the panic path is the one
 * exception, because it never returns to the interrupted code.
 */
#include <stdarg.h>
#include <stdio.h>
#include "kernel/console.h"
#include "kernel/spinlock.h"
#include "drivers/serial.h"

static Spinlock console_lock = SPINLOCK_INIT;

void console_write(const char *s, size_t len)
{
    uint64_t flags = spin_lock_irqsave(&console_lock);
    serial_write(s, len);
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_write_unlocked(const char *s, size_t len) { serial_write(s, len); }

void kprintf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    console_write(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

void kprintf_unlocked(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    serial_write(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}
