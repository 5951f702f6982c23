/* trap.h — the register frame vectors.asm builds, and the IDT. */
#ifndef BEAMOS_ARCH_TRAP_H
#define BEAMOS_ARCH_TRAP_H

#include <stdint.h>

typedef struct TrapFrame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;   /* pushed by the CPU */
} TrapFrame;

/* Vectors. 0-31 are CPU exceptions. */
#define VEC_IRQ_BASE     0x20   /* ISA IRQs 0-15 through the I/O APIC */
#define VEC_LAPIC_TIMER  0xf0
#define VEC_IPI_WAKE     0xf1   /* wake an idle CPU; no other action */
#define VEC_IPI_CALL     0xf2   /* run the function queued for this CPU */
#define VEC_IPI_PANIC    0xf3   /* another CPU panicked: stop here */
#define VEC_SPURIOUS     0xff

/* IST slots in every TSS. */
#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MACHINE_CHECK 3

void idt_init(void);     /* build the shared IDT once (BSP) */
void idt_load(void);     /* load it on this CPU */

typedef void (*TrapHandler)(TrapFrame *tf);
void trap_set_handler(uint8_t vector, TrapHandler h);

#endif
