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

/* Format into buf (cut at its size); returns the bytes to write. */
static size_t format(char *buf, size_t cap, const char *fmt, va_list ap)
{
    int n = vsnprintf(buf, cap, fmt, ap);
    if (n < 0)
        return 0;
    return (size_t)n < cap ? (size_t)n : cap - 1;
}

void kprintf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    size_t n = format(buf, sizeof buf, fmt, ap);
    va_end(ap);
    console_write(buf, n);
}

void kprintf_unlocked(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    size_t n = format(buf, sizeof buf, fmt, ap);
    va_end(ap);
    serial_write(buf, n);
}
