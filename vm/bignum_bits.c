/*
 * bignum_bits.c — bitwise operations and shifts on integers, with Erlang's
 * semantics: integers behave as infinitely sign-extended two's complement.
 */
#include "vm/bignum_impl.h"

#include <string.h>

/* Writes the two's complement of view v into t[0..n) (n > v->n). */
static void to_twos(uint64_t *t, const IntView *v, size_t n) {
    memset(t, 0, n * sizeof *t);
    if (v->n) memcpy(t, v->d, v->n * sizeof *t);
    if (!v->neg) return;
    /* -m = ~(m - 1) */
    for (size_t i = 0; i < n; i++) {
        if (t[i]--) break;
    }
    for (size_t i = 0; i < n; i++) t[i] = ~t[i];
}

enum { OP_AND, OP_OR, OP_XOR };

static term_t bitwise(Heap *h, term_t a, term_t b, int op) {
    IntView x, y;
    big_view(a, &x);
    big_view(b, &y);
    size_t n = (x.n > y.n ? x.n : y.n) + 1;
    size_t need = big_need_bitwise(a, b);
    uint64_t small_buf[8];
    uint64_t *tb = n <= 4 ? small_buf : big_scratch(2 * n);
    uint64_t *ta = tb + n;
    if (n <= 4) ta = small_buf + 4;
    to_twos(tb, &y, n);
    to_twos(ta, &x, n);
    term_t *hp = big_result_alloc(h, need);
    uint64_t *r = (uint64_t *)(hp + 1);
    for (size_t i = 0; i < n; i++) {
        r[i] = op == OP_AND ? ta[i] & tb[i] : op == OP_OR ? ta[i] | tb[i] : ta[i] ^ tb[i];
    }
    if (tb != small_buf) big_scratch_free(tb);
    bool neg = (r[n - 1] >> 63) != 0;
    if (neg) {
        /* magnitude = ~r + 1 */
        for (size_t i = 0; i < n; i++) r[i] = ~r[i];
        for (size_t i = 0; i < n; i++) {
            if (++r[i]) break;
        }
    }
    return big_result_finish(h, hp, need, n, neg);
}

term_t big_band(Heap *h, term_t a, term_t b) { return bitwise(h, a, b, OP_AND); }
term_t big_bor(Heap *h, term_t a, term_t b) { return bitwise(h, a, b, OP_OR); }
term_t big_bxor(Heap *h, term_t a, term_t b) { return bitwise(h, a, b, OP_XOR); }

term_t big_bnot(Heap *h, term_t a) {
    /* bnot a = -a - 1 */
    if (is_small(a)) return make_small(-small_value(a) - 1);
    IntView x;
    big_view(a, &x);
    size_t need = big_need_neg(a);
    term_t *hp = big_result_alloc(h, need);
    uint64_t *r = (uint64_t *)(hp + 1);
    size_t n;
    if (!x.neg) {
        /* -(m + 1) */
        uint64_t one = 1;
        n = big_mag_add(r, x.d, x.n, &one, 1);
    } else {
        /* m - 1, positive */
        uint64_t one = 1;
        n = big_mag_sub(r, x.d, x.n, &one, 1);
    }
    return big_result_finish(h, hp, need, n, !x.neg);
}

term_t big_bsl(Heap *h, term_t a, int64_t shift) {
    IntView x;
    big_view(a, &x);
    if (x.n == 0) return make_small(0);
    size_t need = big_need_shift(a, shift);
    if (shift >= 0) {
        size_t dshift = (size_t)shift / 64;
        unsigned bshift = (unsigned)(shift % 64);
        term_t *hp = big_result_alloc(h, need);
        uint64_t *r = (uint64_t *)(hp + 1);
        memset(r, 0, dshift * sizeof *r);
        uint64_t carry = 0;
        for (size_t i = 0; i < x.n; i++) {
            r[dshift + i] = (x.d[i] << bshift) | carry;
            carry = bshift ? x.d[i] >> (64 - bshift) : 0;
        }
        r[dshift + x.n] = carry;
        return big_result_finish(h, hp, need, dshift + x.n + 1, x.neg);
    }
    /* Right shift by k = -shift: floor(a / 2^k). For negative a that is
     * -(((m - 1) >> k) + 1). */
    uint64_t k = shift == INT64_MIN ? (uint64_t)INT64_MAX + 1 : (uint64_t)-shift;
    if (k / 64 >= x.n) return make_small(x.neg ? -1 : 0);
    size_t dshift = (size_t)(k / 64);
    unsigned bshift = (unsigned)(k % 64);
    term_t *hp = big_result_alloc(h, need);
    uint64_t *r = (uint64_t *)(hp + 1);
    size_t n = x.n;
    memcpy(r, x.d, n * sizeof *r);
    if (x.neg) {
        for (size_t i = 0; i < n; i++) {
            if (r[i]--) break;
        }
    }
    size_t rn = n - dshift;
    for (size_t i = 0; i < rn; i++) {
        uint64_t lo = r[i + dshift];
        uint64_t hi = i + dshift + 1 < n ? r[i + dshift + 1] : 0;
        r[i] = bshift ? (lo >> bshift) | (hi << (64 - bshift)) : lo;
    }
    if (x.neg) {
        r[rn] = 0;
        for (size_t i = 0; i <= rn; i++) {
            if (++r[i]) break;
        }
        rn++;
    }
    return big_result_finish(h, hp, need, rn, x.neg);
}
