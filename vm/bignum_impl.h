/*
 * bignum_impl.h — magnitude arithmetic shared by the bignum_*.c files.
 * Not for use outside them. Magnitudes are arrays of 64-bit digits, least
 * significant first; lengths in digits.
 */
#ifndef BEAMOS_VM_BIGNUM_IMPL_H
#define BEAMOS_VM_BIGNUM_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/bignum.h"

typedef unsigned __int128 u128;

/* An integer term seen as sign + magnitude; a small is copied into buf. */
typedef struct {
    const uint64_t *d;
    size_t n;        /* 0 for zero */
    bool neg;
    uint64_t buf;
} IntView;

void big_view(term_t t, IntView *v);

/* Normalised length (strips high zero digits). */
static inline size_t big_mag_norm(const uint64_t *d, size_t n) {
    while (n && d[n - 1] == 0) n--;
    return n;
}
int big_mag_cmp(const uint64_t *a, size_t na, const uint64_t *b, size_t nb);
/* r = a + b, na >= nb; r has room for na + 1; returns length. */
size_t big_mag_add(uint64_t *r, const uint64_t *a, size_t na, const uint64_t *b, size_t nb);
/* r = a - b, a >= b; returns normalised length. r may alias a. */
size_t big_mag_sub(uint64_t *r, const uint64_t *a, size_t na, const uint64_t *b, size_t nb);
/* r[0 .. na+nb) = a * b. r must not alias a or b. */
void big_mag_mul(uint64_t *r, const uint64_t *a, size_t na, const uint64_t *b, size_t nb);
/* q[0 .. na-nb+1) = a / b, r[0 .. nb) = a % b (either may be NULL);
 * na >= nb >= 1, b[nb-1] != 0. */
void big_mag_divrem(uint64_t *q, uint64_t *r, const uint64_t *a, size_t na, const uint64_t *b, size_t nb);
/* a[0..n) /= d in place; returns the remainder. */
uint64_t big_mag_div1(uint64_t *a, size_t n, uint64_t d);

/* Allocates need words for a result; digits go at hp + 1. */
static inline term_t *big_result_alloc(Heap *h, size_t need) { return heap_alloc(h, need); }
/* Finishes a result whose magnitude (n digits, maybe not normalised) is at
 * hp + 1 in an allocation of `need` words: small if it fits, else bignum. */
term_t big_result_finish(Heap *h, term_t *hp, size_t need, size_t n, bool neg);

void *big_scratch(size_t digits);
void big_scratch_free(void *p);

#endif
