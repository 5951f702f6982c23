/* console.h — kernel log output on the serial console. */
#ifndef BEAMOS_KERNEL_CONSOLE_H
#define BEAMOS_KERNEL_CONSOLE_H

#include <stddef.h>

void console_write(const char *s, size_t len);   /* serialized across CPUs */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* For the panic path: no lock (the lock holder may be the CPU that died). */
void console_write_unlocked(const char *s, size_t len);
void kprintf_unlocked(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
