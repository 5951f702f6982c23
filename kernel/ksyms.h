/* ksyms.h — kernel symbol lookup for backtraces. */
#ifndef BEAMOS_KERNEL_KSYMS_H
#define BEAMOS_KERNEL_KSYMS_H

#include <stdint.h>

/* Name of the function containing addr and the offset into it, or NULL. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

#endif
