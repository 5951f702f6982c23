/* serial.h — 16550 UART on COM1: the console. */
#ifndef BEAMOS_DRIVERS_SERIAL_H
#define BEAMOS_DRIVERS_SERIAL_H

#include <stddef.h>

void serial_init(void);
void serial_write(const char *s, size_t len);
/* Route COM1's receive interrupt through the I/O APIC (after ioapic_init). */
void serial_enable_rx_irq(void);
/* Next received byte, or -1 if none is buffered. */
int serial_getc(void);
/* Bytes received so far (for self-tests and statistics). */
unsigned long serial_rx_count(void);

#endif
