/*
 * bignum.h — arbitrary-precision integers as terms.
 *
 * Layout: [header(POS_BIG | NEG_BIG, n), d0, d1, ... d(n-1)]: sign and
 * magnitude, 64-bit digits, least significant first.
 * INVARIANT (normalisation): a bignum term's top digit is non-zero and its
 * value does not fit a small integer. Every function here returns a small
 * integer whenever the result fits one, so `is_big(x)` implies |x| > 2^59.
 *
 * Arguments are integer terms (small or big); passing anything else is a
 * precondition violation (callers raise badarith first).
 *
 * Heap-need rule: each builder allocates at most big_need_*() words, in one
 * heap_alloc() of exactly that size, and gives back what it did not use
 * (heap_release). A caller that may garbage-collect ensures that many free
 * words before the call; the call itself never collects. The need functions
 * return BIG_NEED_TOO_BIG when the result would exceed BIG_MAX_DIGITS:
 * callers raise system_limit without calling the builder.
 */
#ifndef BEAMOS_VM_BIGNUM_H
#define BEAMOS_VM_BIGNUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/heap.h"
#include "vm/term.h"

#define BIG_MAX_DIGITS ((size_t)1 << 22) /* 2^28 bits: OTP's limit is similar */
#define BIG_NEED_TOO_BIG ((size_t)-1)

static inline size_t big_digits(term_t t) { return header_arity(*boxed_val(t)); }
static inline const uint64_t *big_digit_ptr(term_t t) { return (const uint64_t *)(boxed_val(t) + 1); }
static inline bool big_is_neg(term_t t) { return (boxed_subtag(t) & BIG_SIGN_BIT) != 0; }
/* Digits of any integer term (1 for a small). */
static inline size_t int_digits(term_t t) { return is_small(t) ? 1 : big_digits(t); }

/* ---- heap needs (words) ---- */
size_t big_need_add(term_t a, term_t b);      /* add, sub */
size_t big_need_mul(term_t a, term_t b);
size_t big_need_div(term_t a, term_t b);      /* quotient */
size_t big_need_rem(term_t a, term_t b);      /* remainder */
size_t big_need_bitwise(term_t a, term_t b);  /* band, bor, bxor */
size_t big_need_neg(term_t a);                /* neg, bnot */
size_t big_need_shift(term_t a, int64_t shift); /* bsl by shift (negative = bsr) */
size_t big_need_from_double(double d);
size_t big_need_from_text(size_t len, unsigned base);
#define BIG_NEED_INT64 2

/* ---- construction ---- */
term_t big_from_int64(Heap *h, int64_t v);
term_t big_from_uint64(Heap *h, uint64_t v);
/* Builds from a sign and a magnitude of n digits (normalises). */
term_t big_from_digits(Heap *h, bool neg, const uint64_t *d, size_t n);
/* From n bytes of magnitude, least significant first (ETF bignums).
 * Needs (n + 7) / 8 + 1 words. */
term_t big_from_bytes_le(Heap *h, bool neg, const uint8_t *bytes, size_t n);
/* Truncates toward zero. Precondition: d is finite. */
term_t big_from_double(Heap *h, double d);
/* Parses [+-]digits in base 2..36 (either case). THE_NON_VALUE if empty or
 * a character is not a digit of the base. */
term_t big_from_text(Heap *h, const char *text, size_t len, unsigned base);

/* ---- arithmetic (results normalised) ---- */
term_t big_add(Heap *h, term_t a, term_t b);
term_t big_sub(Heap *h, term_t a, term_t b);
term_t big_mul(Heap *h, term_t a, term_t b);
term_t big_neg(Heap *h, term_t a);
/* Truncating division (Erlang div / rem). THE_NON_VALUE if b == 0. */
term_t big_div(Heap *h, term_t a, term_t b);
term_t big_rem(Heap *h, term_t a, term_t b);
/* Both at once; *rem receives the remainder. Needs div + rem words. */
term_t big_divrem(Heap *h, term_t a, term_t b, term_t *rem);

/* ---- bitwise (two's complement, infinite sign extension) ---- */
term_t big_band(Heap *h, term_t a, term_t b);
term_t big_bor(Heap *h, term_t a, term_t b);
term_t big_bxor(Heap *h, term_t a, term_t b);
term_t big_bnot(Heap *h, term_t a);
/* a bsl shift; a negative shift shifts right (arithmetic, rounds toward
 * minus infinity, as Erlang's bsr). */
term_t big_bsl(Heap *h, term_t a, int64_t shift);

/* ---- comparison and conversion ---- */
int big_compare(term_t a, term_t b);          /* integers: -1, 0, 1 */
/* Integer vs double, exactly (no rounding): -1, 0, 1. */
int big_compare_double(term_t a, double f);
/* As OTP's big_to_double: false if the value is too large for a double. */
bool big_to_double(term_t a, double *out);
/* False if the value does not fit. */
bool big_to_int64(term_t a, int64_t *out);
bool big_to_uint64(term_t a, uint64_t *out);

/* Characters big_to_text may write for a in base (no NUL). */
size_t big_text_len_max(term_t a, unsigned base);
/* Writes a in base 2..36 (upper-case letters, leading '-' if negative) and
 * a NUL if room; returns the length, or 0 if cap is too small. */
size_t big_to_text(term_t a, unsigned base, char *buf, size_t cap);

#endif
