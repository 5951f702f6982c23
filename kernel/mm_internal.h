/* mm_internal.h — between mm.c (boot-time setup) and pmm.c. */
#ifndef BEAMOS_KERNEL_MM_INTERNAL_H
#define BEAMOS_KERNEL_MM_INTERNAL_H

#include <stdint.h>

void pmm_setup(uint64_t frames, uint8_t *state);
void pmm_add_range(uint64_t start, uint64_t end);

#endif
