/*
 * phash.h — erlang:phash2/1,2: a portable hash whose values are part of
 * OTP's contract (they must equal stock erl's for the same term).
 */
#ifndef BEAMOS_VM_PHASH_H
#define BEAMOS_VM_PHASH_H

#include <stdint.h>

#include "vm/term.h"

/* OTP's make_hash2: the full 32-bit hash. */
uint32_t phash2_make_hash2(term_t t);
/* erlang:phash2/1: make_hash2 & (2^27 - 1). */
static inline uint32_t phash2(term_t t) { return phash2_make_hash2(t) & ((1u << 27) - 1); }
/* erlang:phash2/2. Precondition: 1 <= range <= 2^32. */
static inline uint32_t phash2_range(term_t t, uint64_t range) {
    uint32_t h = phash2_make_hash2(t);
    return range == ((uint64_t)1 << 32) ? h : (uint32_t)(h % range);
}

#endif
