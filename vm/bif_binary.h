/*
 * bif_binary.h — helpers shared by the binary module's BIF files
 * (vm/bif_binary.c, vm/bif_binary_match.c).
 */
#ifndef BEAMOS_VM_BIF_BINARY_H
#define BEAMOS_VM_BIF_BINARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/term.h"

/* The bytes of binary b (byte-sized, possibly an unaligned sub binary),
 * byte-aligned: *owned is NULL, or a malloc'ed copy the caller frees.
 * Precondition: is_binary(b). */
const uint8_t *binbif_bytes(term_t b, size_t *len, uint8_t **owned);

#endif
