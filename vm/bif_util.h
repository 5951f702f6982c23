/*
 * bif_util.h — small helpers shared by the pure BIF files (vm/bif_*.c).
 *
 * Every helper that builds terms allocates with heap_alloc(&p->h, ...),
 * which never collects (bif.h), so raw pointers stay valid in a BIF.
 */
#ifndef BEAMOS_VM_BIF_UTIL_H
#define BEAMOS_VM_BIF_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/bif.h"
#include "vm/bignum.h"
#include "vm/heap.h"
#include "vm/term.h"

/* An integer term for v (small or bignum). */
static inline term_t bif_make_int64(Heap *h, int64_t v) {
    return small_fits(v) ? make_small(v) : big_from_int64(h, v);
}
static inline term_t bif_make_uint64(Heap *h, uint64_t v) {
    return v <= (uint64_t)SMALL_MAX ? make_small((int64_t)v) : big_from_uint64(h, v);
}
static inline term_t bif_make_double(Heap *h, double d) {
    return make_float(heap_alloc(h, FLOAT_WORDS), d);
}

/* A number as a double; false if t is not a number or a bignum is too
 * large for a double. */
bool bif_number_to_double(term_t t, double *out);

/* Length of a proper list, or -1 if t is not one. */
long bif_list_length(term_t t);

/* Bytes of an iolist (bytes, binaries, nested lists; tail may be a binary).
 * Returns false if t is not an iolist (badarg): bitstrings that are not
 * whole bytes are refused. */
bool bif_iolist_size(term_t t, size_t *bytes);
/* Copies an iolist checked by bif_iolist_size into buf. */
void bif_iolist_copy(term_t t, uint8_t *buf);

/* Long inputs in slices (bif_binary_slices.c, bif_yield.h): bytes
 * [start, start + len) of bitstring b as a list ending in tail, and an
 * iolist (or bitstring list) to a binary. args are the calling BIF's
 * arguments (X registers: at least 4 may be written). */
term_t bif_binary_bytes_to_list(Process *p, term_t *args, term_t b, size_t start, size_t len, term_t tail);
term_t bif_iolist_to_binary_sliced(Process *p, term_t *args, term_t t, bool allow_bits, bool iovec);
/* iolist_to_binary (iovec: iolist_to_iovec, the result in a list). */
term_t bif_iolist_to_binary_common(Process *p, term_t *args, bool iovec);

/* Bytes [start, start + len) of binary bin as a sub binary (bin itself
 * if that is all of it). Needs SUB_BIN_WORDS. */
term_t bif_binary_window(Process *p, term_t bin, size_t start, size_t len);
/* binary_part's {Start, Length} (Length may be negative) as a byte range;
 * false if out of range or not a binary/integers. */
bool bif_part_bounds(term_t bin, term_t start, term_t len, size_t *from, size_t *n);

/* A list of n bytes from buf, ending in tail. Needs 2n words. */
term_t bif_bytes_to_list(Heap *h, const uint8_t *buf, size_t n, term_t tail);

/* Latin-1/ASCII text of a charlist (each element a byte) into a malloc'ed
 * buffer, NUL-terminated; NULL if not a proper list of bytes. */
char *bif_charlist_to_cstr(term_t t, size_t *len);

/* UTF-8: encode one code point (returns bytes, at most 4); decode one
 * (returns bytes used, -1 if invalid, -2 if truncated). */
size_t bif_utf8_encode(uint32_t cp, uint8_t *out);
long bif_utf8_decode(const uint8_t *s, size_t len, uint32_t *cp);
/* A small integer that is a Unicode scalar value (not a surrogate). */
bool bif_is_unicode_char(term_t t);

/* erlang:float_to_list/2: formats d per the options list `opts` (NIL =
 * float_to_list/1) into buf; returns the length, or -1 for badarg (bad
 * options, or text over OTP's 255-character limit). cap >= 512. */
long bif_format_float(double d, term_t opts, char *buf, size_t cap);

#endif
