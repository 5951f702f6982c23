/* power.h — leaving the machine: QEMU's isa-debug-exit, then halt. */
#ifndef BEAMOS_KERNEL_POWER_H
#define BEAMOS_KERNEL_POWER_H

#include <stdint.h>

/* Exit status conventions (QEMU exits with (status << 1) | 1):
 * halt(N) gives N; a kernel panic gives POWER_STATUS_PANIC. */
#define POWER_STATUS_PANIC 0x7f

/* Power off with `status` (QEMU's isa-debug-exit device); if that device is
 * absent (bare metal), stop every CPU and halt. Never returns. */
void power_off(uint32_t status) __attribute__((noreturn));
void halt_forever(void) __attribute__((noreturn));

#endif
