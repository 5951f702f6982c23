/*
 * serial.c — 16550 UART on COM1 (I/O port 0x3f8), 115200 8N1.
 *
 * Output is polled: the console must work before interrupts, and panics must
 * get through with interrupts off. Input arrives by interrupt (IRQ 4 through
 * the I/O APIC) into a single-producer single-consumer ring: the interrupt
 * handler is the only writer of rx_head, readers the only writers of rx_tail.
 */
#include <stdint.h>
#include "drivers/serial.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/irq.h"

#define COM1 0x3f8
enum { DATA = 0, IER = 1, FCR = 2, LCR = 3, MCR = 4, LSR = 5 };
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20

#define RX_RING 1024
static volatile uint8_t rx_ring[RX_RING];
static volatile uint32_t rx_head, rx_tail;
static volatile unsigned long rx_total;

void serial_init(void)
{
    outb(COM1 + IER, 0x00);       /* no interrupts yet */
    outb(COM1 + LCR, 0x80);       /* DLAB on: divisor follows */
    outb(COM1 + DATA, 0x01);      /* 115200 baud */
    outb(COM1 + IER, 0x00);
    outb(COM1 + LCR, 0x03);       /* 8N1, DLAB off */
    outb(COM1 + FCR, 0xc7);       /* FIFOs on, cleared, 14-byte threshold */
    outb(COM1 + MCR, 0x0b);       /* DTR, RTS, OUT2 (IRQ line enabled) */
}

static void put_byte(uint8_t c)
{
    /* Bounded wait: a missing UART must not hang the kernel. */
    for (int spins = 0; spins < 100000 && !(inb(COM1 + LSR) & LSR_THR_EMPTY); spins++)
        cpu_relax();
    outb(COM1 + DATA, c);
}

void serial_write(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n')
            put_byte('\r');
        put_byte((uint8_t)s[i]);
    }
}

static void serial_irq(void *arg)
{
    (void)arg;
    while (inb(COM1 + LSR) & LSR_DATA_READY) {
        uint8_t c = inb(COM1 + DATA);
        uint32_t head = rx_head;
        if (head - rx_tail < RX_RING) {  /* full ring drops the byte */
            rx_ring[head % RX_RING] = c;
            __atomic_store_n(&rx_head, head + 1, __ATOMIC_RELEASE);
        }
        rx_total++;
    }
}

void serial_enable_rx_irq(void)
{
    irq_route_isa(4, serial_irq, 0);
    outb(COM1 + IER, 0x01);       /* data-available interrupt */
}

int serial_getc(void)
{
    uint32_t tail = rx_tail;
    if (tail == __atomic_load_n(&rx_head, __ATOMIC_ACQUIRE))
        return -1;
    int c = rx_ring[tail % RX_RING];
    __atomic_store_n(&rx_tail, tail + 1, __ATOMIC_RELEASE);
    return c;
}

unsigned long serial_rx_count(void) { return rx_total; }
