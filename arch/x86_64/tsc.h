/* tsc.h — the time-stamp counter: calibrated once, then the time base. */
#ifndef BEAMOS_ARCH_TSC_H
#define BEAMOS_ARCH_TSC_H

#include <stdint.h>

/* Measure the TSC frequency against the HPET (from ACPI) if present, else
 * against PIT channel 2. Returns the source's name. */
const char *tsc_calibrate(uint64_t hpet_phys);
uint64_t tsc_hz(void);
uint64_t tsc_ns_to_ticks(uint64_t ns);
uint64_t tsc_ticks_to_ns(uint64_t ticks);
int tsc_invariant(void);

#endif
