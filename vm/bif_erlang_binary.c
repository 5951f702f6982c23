/*
 * bif_erlang_binary.c — binary and iolist BIFs of module erlang:
 * iolist_to_binary, iolist_size, list_to_binary, binary_to_list/1,3,
 * bitstring_to_list, list_to_bitstring, byte_size, bit_size,
 * split_binary, binary_part/2,3.
 *
 * iolists are walked with an explicit stack (no C recursion), so a deeply
 * nested iolist cannot overflow the C stack.
 */
#include <stdlib.h>

#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/bif_yield.h"
#include "vm/binary.h"

/* Explicit stack of list tails still to visit. */
typedef struct {
    term_t *v;
    size_t len, cap;
    term_t local[32];
} TermStack;

static void ts_init(TermStack *s) {
    s->v = s->local;
    s->len = 0;
    s->cap = 32;
}
static bool ts_push(TermStack *s, term_t t) {
    if (s->len == s->cap) {
        term_t *n = malloc(2 * s->cap * sizeof(term_t));
        if (!n) return false;
        memcpy(n, s->v, s->len * sizeof(term_t));
        if (s->v != s->local) free(s->v);
        s->v = n;
        s->cap *= 2;
    }
    s->v[s->len++] = t;
    return true;
}
static void ts_free(TermStack *s) {
    if (s->v != s->local) free(s->v);
}

enum { WALK_BAD, WALK_OK, WALK_LONG };

/* Walks the iolist (or bitstring list if allow_bits), calling out with
 * each byte or bitstring, ending when the stack empties. bits_total gets
 * the size in bits. buf == NULL only measures. Gives up with WALK_LONG
 * after max_units units of work (bif_yield.h: a list cell, or
 * BIF_BYTES_PER_UNIT bytes of a binary); WALK_BAD is badarg. */
static int iolist_walk_max(term_t t, bool allow_bits, uint8_t *buf, size_t *bits_total, size_t max_units,
                           size_t *units_done) {
    TermStack s;
    ts_init(&s);
    size_t bits = 0, units = 0;
    bool ok = true;
    if (is_bitstring(t)) {
        /* top level binary (iolist_to_binary(<<..>>)) */
    } else if (!is_list(t) && !is_nil(t)) {
        ok = false;
    }
    if (ok && !ts_push(&s, t)) ok = false;
    while (ok && s.len && units <= max_units) {
        term_t x = s.v[--s.len];
        while (ok) {
            if (++units > max_units) break;
            if (is_list(x)) {
                term_t hd = cons_head(x);
                if (is_byte(hd)) {
                    if (bits % 8 && !allow_bits) {
                        ok = false;
                        break;
                    }
                    uint8_t byte = (uint8_t)small_value(hd);
                    if (buf) bits_copy(buf, bits, &byte, 0, 8);
                    bits += 8;
                } else if (is_list(hd) || is_nil(hd) || is_bitstring(hd)) {
                    if (!ts_push(&s, cons_tail(x))) { ok = false; break; }
                    x = hd;
                    continue;
                } else {
                    ok = false;
                    break;
                }
                x = cons_tail(x);
            } else if (is_nil(x)) {
                break;
            } else if (is_bitstring(x)) {
                const uint8_t *b;
                size_t off, n;
                bitstring_get(x, &b, &off, &n);
                if ((n % 8 && !allow_bits) || (bits % 8 && !allow_bits)) {
                    ok = false;
                    break;
                }
                if (buf) bits_copy(buf, bits, b, off, n);
                bits += n;
                units += n / 8 / BIF_BYTES_PER_UNIT;
                break;
            } else {
                ok = false;
            }
        }
    }
    ts_free(&s);
    *bits_total = bits;
    if (units_done) *units_done = units;
    if (!ok) return WALK_BAD;
    return units > max_units ? WALK_LONG : WALK_OK;
}

static bool iolist_walk(term_t t, bool allow_bits, uint8_t *buf, size_t *bits_total) {
    return iolist_walk_max(t, allow_bits, buf, bits_total, SIZE_MAX, NULL) == WALK_OK;
}

bool bif_iolist_size(term_t t, size_t *bytes) {
    size_t bits;
    if (!iolist_walk(t, false, NULL, &bits)) return false;
    *bytes = bits / 8;
    return true;
}

void bif_iolist_copy(term_t t, uint8_t *buf) {
    size_t bits;
    iolist_walk(t, false, buf, &bits);
}

/* iolist_to_binary and friends: lists only, unless accept_binary. Input
 * longer than one slice goes to bif_binary_slices.c, which yields. */
static term_t to_binary(Process *p, term_t *args, term_t t, bool accept_binary, bool allow_bits, bool iovec) {
    if (is_bitstring(t)) {
        if (!accept_binary || (!allow_bits && !is_binary(t))) BIF_ERROR(p, ATOM_badarg);
        return t;
    }
    if (!is_list(t) && !is_nil(t)) BIF_ERROR(p, ATOM_badarg);
    size_t bits, units;
    int w = iolist_walk_max(t, allow_bits, NULL, &bits, bif_work_budget(p), &units);
    if (w == WALK_BAD) BIF_ERROR(p, ATOM_badarg);
    if (w == WALK_LONG) return bif_iolist_to_binary_sliced(p, args, t, allow_bits, iovec);
    bif_charge(p, 2 * units);                /* the walk, then the copy */
    size_t bytes = (bits + 7) / 8;
    uint8_t *tmp = calloc(bytes ? bytes : 1, 1);
    if (!tmp) BIF_ERROR(p, ATOM_system_limit);
    iolist_walk(t, allow_bits, tmp, &bits);
    term_t r = bitstring_new(&p->h, tmp, bits);
    free(tmp);
    return r;
}

term_t bif_erlang_iolist_to_binary_1(Process *p, term_t *args) { return to_binary(p, args, args[0], true, false, false); }
term_t bif_iolist_to_binary_common(Process *p, term_t *args, bool iovec) { return to_binary(p, args, args[0], true, false, iovec); }
term_t bif_erlang_list_to_binary_1(Process *p, term_t *args) { return to_binary(p, args, args[0], false, false, false); }
term_t bif_erlang_list_to_bitstring_1(Process *p, term_t *args) { return to_binary(p, args, args[0], false, true, false); }

term_t bif_erlang_iolist_size_1(Process *p, term_t *args) {
    size_t n;
    if (is_binary(args[0])) return make_small((int64_t)(bitstring_bit_size(args[0]) / 8));
    if ((!is_list(args[0]) && !is_nil(args[0])) || !bif_iolist_size(args[0], &n)) BIF_ERROR(p, ATOM_badarg);
    return bif_make_uint64(&p->h, n);
}

term_t bif_erlang_binary_to_list_1(Process *p, term_t *args) {
    if (!is_binary(args[0])) BIF_ERROR(p, ATOM_badarg);
    return bif_binary_bytes_to_list(p, args, args[0], 0, bitstring_bit_size(args[0]) / 8, NIL);
}

/* binary_to_list(Bin, Start, Stop): 1-based, inclusive, Start =< Stop. */
term_t bif_erlang_binary_to_list_3(Process *p, term_t *args) {
    if (!is_binary(args[0]) || !is_small(args[1]) || !is_small(args[2])) BIF_ERROR(p, ATOM_badarg);
    int64_t size = (int64_t)(bitstring_bit_size(args[0]) / 8);
    int64_t start = small_value(args[1]), stop = small_value(args[2]);
    if (start < 1 || start > size || stop < 1 || stop > size || stop < start) BIF_ERROR(p, ATOM_badarg);
    return bif_binary_bytes_to_list(p, args, args[0], (size_t)start - 1, (size_t)(stop - start + 1), NIL);
}

term_t bif_erlang_bitstring_to_list_1(Process *p, term_t *args) {
    if (!is_bitstring(args[0])) BIF_ERROR(p, ATOM_badarg);
    size_t bits = bitstring_bit_size(args[0]);
    term_t tail = NIL;
    if (bits % 8) {
        /* OTP: [B1, ..., Bn, <<Rest:N>>] */
        term_t rest = sub_binary_new(&p->h, args[0], bits - bits % 8, bits % 8);
        tail = make_cons(heap_alloc(&p->h, CONS_WORDS), rest, NIL);
    }
    return bif_binary_bytes_to_list(p, args, args[0], 0, bits / 8, tail);
}

term_t bif_erlang_byte_size_1(Process *p, term_t *args) {
    if (!is_bitstring(args[0])) BIF_ERROR(p, ATOM_badarg);
    return make_small((int64_t)((bitstring_bit_size(args[0]) + 7) / 8));
}

term_t bif_erlang_bit_size_1(Process *p, term_t *args) {
    if (!is_bitstring(args[0])) BIF_ERROR(p, ATOM_badarg);
    return make_small((int64_t)bitstring_bit_size(args[0]));
}

/* A sub binary [start, start + len) bytes of bin (bounds checked by the
 * caller). */
term_t bif_binary_window(Process *p, term_t bin, size_t start, size_t len) {
    if (start == 0 && len * 8 == bitstring_bit_size(bin)) return bin;
    return sub_binary_new(&p->h, bin, start * 8, len * 8);
}

term_t bif_erlang_split_binary_2(Process *p, term_t *args) {
    if (!is_binary(args[0]) || !is_small(args[1])) BIF_ERROR(p, ATOM_badarg);
    int64_t pos = small_value(args[1]);
    size_t size = bitstring_bit_size(args[0]) / 8;
    if (pos < 0 || (size_t)pos > size) BIF_ERROR(p, ATOM_badarg);
    term_t a = bif_binary_window(p, args[0], 0, (size_t)pos);
    term_t b = bif_binary_window(p, args[0], (size_t)pos, size - (size_t)pos);
    term_t *hp = heap_alloc(&p->h, tuple_words(2));
    term_t t = make_tuple_header(hp, 2);
    hp[1] = a;
    hp[2] = b;
    return t;
}

/* Start/Length as binary_part takes them: Length may be negative. */
bool bif_part_bounds(term_t bin, term_t start, term_t len, size_t *from, size_t *n) {
    if (!is_binary(bin) || !is_small(start) || !is_small(len)) return false;
    int64_t size = (int64_t)(bitstring_bit_size(bin) / 8);
    int64_t s = small_value(start), l = small_value(len);
    if (l < 0) {
        s += l;
        l = -l;
    }
    if (s < 0 || s > size || l > size - s) return false;
    *from = (size_t)s;
    *n = (size_t)l;
    return true;
}

term_t bif_erlang_binary_part_3(Process *p, term_t *args) {
    size_t from, n;
    if (!bif_part_bounds(args[0], args[1], args[2], &from, &n)) BIF_ERROR(p, ATOM_badarg);
    return bif_binary_window(p, args[0], from, n);
}

term_t bif_erlang_binary_part_2(Process *p, term_t *args) {
    term_t pl = args[1];
    if (!is_tuple(pl) || tuple_arity(pl) != 2) BIF_ERROR(p, ATOM_badarg);
    term_t a[3] = {args[0], tuple_element(pl, 1), tuple_element(pl, 2)};
    return bif_erlang_binary_part_3(p, a);
}
