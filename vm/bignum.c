/*
 * bignum.c — bignum arithmetic: add, sub, mul (schoolbook, Karatsuba),
 * division (Knuth, TAOCP vol. 2, 4.3.1, algorithm D), comparison and
 * conversion to and from machine numbers and doubles.
 */
#include "vm/bignum_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KARATSUBA_THRESHOLD 32 /* digits; below it schoolbook is faster */

void *big_scratch(size_t digits) {
    void *p = malloc((digits ? digits : 1) * sizeof(uint64_t));
    if (!p) {
        fputs("bignum: out of memory\n", stderr);
        abort();
    }
    return p;
}

void big_scratch_free(void *p) { free(p); }

void big_view(term_t t, IntView *v) {
    if (is_small(t)) {
        int64_t s = small_value(t);
        v->neg = s < 0;
        v->buf = uabs64(s);
        v->d = &v->buf;
        v->n = s != 0;
        return;
    }
    v->neg = big_is_neg(t);
    v->d = big_digit_ptr(t);
    v->n = big_digits(t);
}

static bool mag_fits_small(const uint64_t *d, size_t n, bool neg) {
    if (n == 0) return true;
    if (n > 1) return false;
    return neg ? d[0] <= (uint64_t)SMALL_MAX + 1 : d[0] <= (uint64_t)SMALL_MAX;
}

term_t big_result_finish(Heap *h, term_t *hp, size_t need, size_t n, bool neg) {
    uint64_t *d = (uint64_t *)(hp + 1);
    n = big_mag_norm(d, n);
    if (mag_fits_small(d, n, neg)) {
        int64_t v = n ? (neg ? (int64_t)(0 - d[0]) : (int64_t)d[0]) : 0;
        heap_release(h, hp, need, need);
        return make_small(v);
    }
    hp[0] = make_header(n, neg ? NEG_BIG_SUBTAG : POS_BIG_SUBTAG);
    heap_release(h, hp, need, need - (n + 1));
    return make_boxed(hp);
}

/* ---- magnitude primitives ---- */

int big_mag_cmp(const uint64_t *a, size_t na, const uint64_t *b, size_t nb) {
    if (na != nb) return na < nb ? -1 : 1;
    while (na--) {
        if (a[na] != b[na]) return a[na] < b[na] ? -1 : 1;
    }
    return 0;
}

size_t big_mag_add(uint64_t *r, const uint64_t *a, size_t na, const uint64_t *b, size_t nb) {
    uint64_t carry = 0;
    size_t i = 0;
    for (; i < nb; i++) {
        u128 s = (u128)a[i] + b[i] + carry;
        r[i] = (uint64_t)s;
        carry = (uint64_t)(s >> 64);
    }
    for (; i < na; i++) {
        uint64_t s = a[i] + carry;
        carry = s < carry;
        r[i] = s;
    }
    r[na] = carry;
    return na + (carry != 0);
}

size_t big_mag_sub(uint64_t *r, const uint64_t *a, size_t na, const uint64_t *b, size_t nb) {
    uint64_t borrow = 0;
    size_t i = 0;
    for (; i < nb; i++) {
        uint64_t x = a[i], y = b[i];
        uint64_t d = x - y - borrow;
        borrow = (x < y) || (x - y < borrow);
        r[i] = d;
    }
    for (; i < na; i++) {
        uint64_t x = a[i];
        r[i] = x - borrow;
        borrow = x < borrow;
    }
    return big_mag_norm(r, na);
}

static void mul_school(uint64_t *r, const uint64_t *a, size_t na, const uint64_t *b, size_t nb) {
    memset(r, 0, (na + nb) * sizeof *r);
    for (size_t j = 0; j < nb; j++) {
        uint64_t carry = 0, bj = b[j];
        if (bj == 0) continue;
        for (size_t i = 0; i < na; i++) {
            u128 p = (u128)a[i] * bj + r[i + j] + carry;
            r[i + j] = (uint64_t)p;
            carry = (uint64_t)(p >> 64);
        }
        r[j + na] = carry;
    }
}

/* r[off ..] += x[0..n), carrying as far as needed (r is large enough). */
static void add_into(uint64_t *r, const uint64_t *x, size_t n) {
    uint64_t carry = 0;
    size_t i = 0;
    for (; i < n; i++) {
        u128 s = (u128)r[i] + x[i] + carry;
        r[i] = (uint64_t)s;
        carry = (uint64_t)(s >> 64);
    }
    for (; carry; i++) {
        r[i] += 1;
        carry = r[i] == 0;
    }
}

/* r[0..2n) = a[0..n) * b[0..n). */
static void mul_karatsuba(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n) {
    if (n < KARATSUBA_THRESHOLD) {
        mul_school(r, a, n, b, n);
        return;
    }
    size_t m = n / 2, hi = n - m; /* low halves m digits, high halves hi */
    mul_karatsuba(r, a, b, m);                    /* z0 -> r[0 .. 2m) */
    mul_karatsuba(r + 2 * m, a + m, b + m, hi);   /* z2 -> r[2m .. 2n) */
    uint64_t *t = big_scratch(4 * hi + 4);
    uint64_t *sa = t, *sb = t + hi + 1, *z1 = t + 2 * hi + 2;
    size_t la = big_mag_add(sa, a + m, hi, a, m);
    size_t lb = big_mag_add(sb, b + m, hi, b, m);
    for (size_t i = la; i <= hi; i++) sa[i] = 0;
    for (size_t i = lb; i <= hi; i++) sb[i] = 0;
    /* z1 = sa * sb - z0 - z2, which is >= 0 and < 2^(128 hi + 1) */
    if (sa[hi] == 0 && sb[hi] == 0) {
        mul_karatsuba(z1, sa, sb, hi);
        z1[2 * hi] = z1[2 * hi + 1] = 0;
    } else {
        mul_karatsuba(z1, sa, sb, hi + 1);
    }
    size_t lz = big_mag_norm(z1, 2 * hi + 2);
    lz = big_mag_sub(z1, z1, lz, r, big_mag_norm(r, 2 * m));
    lz = big_mag_sub(z1, z1, lz, r + 2 * m, big_mag_norm(r + 2 * m, 2 * hi));
    add_into(r + m, z1, lz);
    big_scratch_free(t);
}

void big_mag_mul(uint64_t *r, const uint64_t *a, size_t na, const uint64_t *b, size_t nb) {
    if (na < nb) {
        const uint64_t *t = a; a = b; b = t;
        size_t tn = na; na = nb; nb = tn;
    }
    if (nb < KARATSUBA_THRESHOLD) {
        mul_school(r, a, na, b, nb);
        return;
    }
    if (na == nb) {
        mul_karatsuba(r, a, b, na);
        return;
    }
    /* Unbalanced: multiply nb-digit slices of a by b and accumulate. */
    memset(r, 0, (na + nb) * sizeof *r);
    uint64_t *t = big_scratch(2 * nb);
    for (size_t off = 0; off < na; off += nb) {
        size_t len = na - off < nb ? na - off : nb;
        if (len == nb) mul_karatsuba(t, a + off, b, nb);
        else big_mag_mul(t, b, nb, a + off, len);
        add_into(r + off, t, len + nb);
    }
    big_scratch_free(t);
}

uint64_t big_mag_div1(uint64_t *a, size_t n, uint64_t d) {
    uint64_t rem = 0;
    while (n--) {
        u128 cur = ((u128)rem << 64) | a[n];
        a[n] = (uint64_t)(cur / d);
        rem = (uint64_t)(cur % d);
    }
    return rem;
}

void big_mag_divrem(uint64_t *q, uint64_t *r, const uint64_t *a, size_t na, const uint64_t *b, size_t nb) {
    if (nb == 1) {
        uint64_t *t = big_scratch(na);
        memcpy(t, a, na * sizeof *t);
        uint64_t rem = big_mag_div1(t, na, b[0]);
        if (q) memcpy(q, t, na * sizeof *t);
        if (r) r[0] = rem;
        big_scratch_free(t);
        return;
    }
    /* D1: normalise so the divisor's top bit is set. */
    unsigned s = (unsigned)__builtin_clzll(b[nb - 1]);
    uint64_t *t = big_scratch(nb + na + 1);
    uint64_t *vn = t, *un = t + nb;
    for (size_t i = nb - 1; i > 0; i--)
        vn[i] = (b[i] << s) | (s ? b[i - 1] >> (64 - s) : 0);
    vn[0] = b[0] << s;
    un[na] = s ? a[na - 1] >> (64 - s) : 0;
    for (size_t i = na - 1; i > 0; i--)
        un[i] = (a[i] << s) | (s ? a[i - 1] >> (64 - s) : 0);
    un[0] = a[0] << s;

    uint64_t vtop = vn[nb - 1], vnext = vn[nb - 2];
    for (size_t j = na - nb + 1; j-- > 0;) {
        /* D3: estimate qhat from the top two digits, correct it twice at most. */
        u128 num = ((u128)un[j + nb] << 64) | un[j + nb - 1];
        u128 qhat = num / vtop, rhat = num % vtop;
        while (qhat >> 64 || qhat * vnext > ((rhat << 64) | un[j + nb - 2])) {
            qhat--;
            rhat += vtop;
            if (rhat >> 64) break;
        }
        /* D4: multiply and subtract. */
        uint64_t borrow = 0, carry = 0;
        for (size_t i = 0; i < nb; i++) {
            u128 p = qhat * vn[i] + carry;
            carry = (uint64_t)(p >> 64);
            uint64_t lo = (uint64_t)p, x = un[i + j];
            uint64_t d = x - lo - borrow;
            borrow = (x < lo) || (x - lo < borrow);
            un[i + j] = d;
        }
        uint64_t x = un[j + nb];
        uint64_t d = x - carry - borrow;
        bool neg = (x < carry) || (x - carry < borrow);
        un[j + nb] = d;
        /* D5/D6: if it went negative, add the divisor back once. */
        if (neg) {
            qhat--;
            uint64_t c = 0;
            for (size_t i = 0; i < nb; i++) {
                u128 sum = (u128)un[i + j] + vn[i] + c;
                un[i + j] = (uint64_t)sum;
                c = (uint64_t)(sum >> 64);
            }
            un[j + nb] += c;
        }
        if (q) q[j] = (uint64_t)qhat;
    }
    /* D8: unnormalise the remainder. */
    if (r) {
        for (size_t i = 0; i < nb - 1; i++)
            r[i] = (un[i] >> s) | (s ? un[i + 1] << (64 - s) : 0);
        r[nb - 1] = un[nb - 1] >> s;
    }
    big_scratch_free(t);
}

/* ---- needs ---- */

static size_t cap_need(size_t digits) {
    return digits > BIG_MAX_DIGITS ? BIG_NEED_TOO_BIG : digits + 1;
}
static size_t max_sz(size_t a, size_t b) { return a > b ? a : b; }

size_t big_need_add(term_t a, term_t b) { return cap_need(max_sz(int_digits(a), int_digits(b)) + 1); }
size_t big_need_mul(term_t a, term_t b) { return cap_need(int_digits(a) + int_digits(b)); }
size_t big_need_div(term_t a, term_t b) { (void)b; return cap_need(int_digits(a)); }
size_t big_need_rem(term_t a, term_t b) { (void)a; return cap_need(int_digits(b)); }
size_t big_need_bitwise(term_t a, term_t b) { return cap_need(max_sz(int_digits(a), int_digits(b)) + 1); }
size_t big_need_neg(term_t a) { return cap_need(int_digits(a) + 1); }
size_t big_need_shift(term_t a, int64_t shift) {
    if (shift <= 0) return cap_need(int_digits(a) + 1);
    if ((uint64_t)shift / 64 > BIG_MAX_DIGITS) return BIG_NEED_TOO_BIG;
    return cap_need(int_digits(a) + (size_t)shift / 64 + 1);
}
size_t big_need_from_double(double d) {
    int e;
    frexp(d, &e);
    return cap_need(e > 64 ? (size_t)(e + 63) / 64 : 1);
}

/* ---- construction ---- */

term_t big_from_digits(Heap *h, bool neg, const uint64_t *d, size_t n) {
    n = big_mag_norm(d, n);
    if (mag_fits_small(d, n, neg)) return make_small(n ? (neg ? (int64_t)(0 - d[0]) : (int64_t)d[0]) : 0);
    term_t *hp = heap_alloc(h, n + 1);
    memcpy(hp + 1, d, n * sizeof *d);
    hp[0] = make_header(n, neg ? NEG_BIG_SUBTAG : POS_BIG_SUBTAG);
    return make_boxed(hp);
}

term_t big_from_bytes_le(Heap *h, bool neg, const uint8_t *bytes, size_t n) {
    size_t digits = (n + 7) / 8;
    size_t need = digits + 1;
    term_t *hp = big_result_alloc(h, need);
    uint64_t *d = (uint64_t *)(hp + 1);
    memset(d, 0, digits * sizeof *d);
    for (size_t i = 0; i < n; i++) d[i / 8] |= (uint64_t)bytes[i] << (8 * (i % 8));
    return big_result_finish(h, hp, need, digits, neg);
}

term_t big_from_int64(Heap *h, int64_t v) {
    if (small_fits(v)) return make_small(v);
    uint64_t m = uabs64(v);
    return big_from_digits(h, v < 0, &m, 1);
}

term_t big_from_uint64(Heap *h, uint64_t v) {
    if (v <= (uint64_t)SMALL_MAX) return make_small((int64_t)v);
    return big_from_digits(h, false, &v, 1);
}

term_t big_from_double(Heap *h, double d) {
    double t = trunc(d);
    if (t > -9.2e18 && t < 9.2e18) return big_from_int64(h, (int64_t)t);
    int e;
    double fr = frexp(fabs(t), &e);           /* |t| = fr * 2^e, e > 63 */
    uint64_t mant = (uint64_t)ldexp(fr, 53);  /* exact: 53 significant bits */
    int shift = e - 53;
    size_t n = (size_t)(e + 63) / 64;
    uint64_t buf[17] = {0};
    buf[shift / 64] = mant << (shift % 64);
    if (shift % 64) buf[shift / 64 + 1] = mant >> (64 - shift % 64);
    return big_from_digits(h, d < 0, buf, n);
}

/* ---- arithmetic ---- */

/* Signed addition of views into a fresh result. */
static term_t add_views(Heap *h, const IntView *x, const IntView *y, size_t need) {
    term_t *hp = big_result_alloc(h, need);
    uint64_t *r = (uint64_t *)(hp + 1);
    size_t n;
    bool neg;
    if (x->neg == y->neg) {
        neg = x->neg;
        n = x->n >= y->n ? big_mag_add(r, x->d, x->n, y->d, y->n) : big_mag_add(r, y->d, y->n, x->d, x->n);
    } else if (big_mag_cmp(x->d, x->n, y->d, y->n) >= 0) {
        neg = x->neg;
        n = big_mag_sub(r, x->d, x->n, y->d, y->n);
    } else {
        neg = y->neg;
        n = big_mag_sub(r, y->d, y->n, x->d, x->n);
    }
    return big_result_finish(h, hp, need, n, neg);
}

term_t big_add(Heap *h, term_t a, term_t b) {
    IntView x, y;
    big_view(a, &x);
    big_view(b, &y);
    return add_views(h, &x, &y, big_need_add(a, b));
}

term_t big_sub(Heap *h, term_t a, term_t b) {
    IntView x, y;
    big_view(a, &x);
    big_view(b, &y);
    y.neg = !y.neg;
    return add_views(h, &x, &y, big_need_add(a, b));
}

term_t big_neg(Heap *h, term_t a) {
    IntView x;
    big_view(a, &x);
    size_t need = big_need_neg(a);
    term_t *hp = big_result_alloc(h, need);
    memcpy(hp + 1, x.d, x.n * sizeof *x.d);
    return big_result_finish(h, hp, need, x.n, !x.neg);
}

term_t big_mul(Heap *h, term_t a, term_t b) {
    IntView x, y;
    big_view(a, &x);
    big_view(b, &y);
    if (x.n == 0 || y.n == 0) return make_small(0);
    size_t need = big_need_mul(a, b);
    term_t *hp = big_result_alloc(h, need);
    big_mag_mul((uint64_t *)(hp + 1), x.d, x.n, y.d, y.n);
    return big_result_finish(h, hp, need, x.n + y.n, x.neg != y.neg);
}

term_t big_divrem(Heap *h, term_t a, term_t b, term_t *rem) {
    IntView x, y;
    big_view(a, &x);
    big_view(b, &y);
    if (y.n == 0) return THE_NON_VALUE;
    if (big_mag_cmp(x.d, x.n, y.d, y.n) < 0) {
        if (rem) *rem = a;
        return make_small(0);
    }
    size_t qneed = big_need_div(a, b), rneed = big_need_rem(a, b);
    term_t *qp = big_result_alloc(h, qneed);
    term_t *rp = rem ? big_result_alloc(h, rneed) : NULL;
    big_mag_divrem((uint64_t *)(qp + 1), rp ? (uint64_t *)(rp + 1) : NULL, x.d, x.n, y.d, y.n);
    /* Finish the later allocation first so heap_release can trim both. */
    if (rem) *rem = big_result_finish(h, rp, rneed, y.n, x.neg);
    return big_result_finish(h, qp, qneed, x.n - y.n + 1, x.neg != y.neg);
}

term_t big_div(Heap *h, term_t a, term_t b) { return big_divrem(h, a, b, NULL); }

term_t big_rem(Heap *h, term_t a, term_t b) {
    IntView x, y;
    big_view(a, &x);
    big_view(b, &y);
    if (y.n == 0) return THE_NON_VALUE;
    if (big_mag_cmp(x.d, x.n, y.d, y.n) < 0) return a;
    size_t need = big_need_rem(a, b);
    term_t *rp = big_result_alloc(h, need);
    big_mag_divrem(NULL, (uint64_t *)(rp + 1), x.d, x.n, y.d, y.n);
    return big_result_finish(h, rp, need, y.n, x.neg);
}

/* ---- comparison and conversion ---- */

int big_compare(term_t a, term_t b) {
    if (is_small(a) && is_small(b)) {
        int64_t x = small_value(a), y = small_value(b);
        return x < y ? -1 : x > y;
    }
    IntView x, y;
    big_view(a, &x);
    big_view(b, &y);
    if (x.neg != y.neg) return x.neg ? -1 : 1;
    int c = big_mag_cmp(x.d, x.n, y.d, y.n);
    return x.neg ? -c : c;
}

int big_compare_double(term_t a, double f) {
    IntView x;
    big_view(a, &x);
    int sa = x.n == 0 ? 0 : x.neg ? -1 : 1;
    int sf = f > 0 ? 1 : f < 0 ? -1 : 0;
    if (sa != sf) return sa < sf ? -1 : 1;
    if (sa == 0) return 0;
    /* Same sign, both non-zero: compare magnitudes exactly. */
    double af = fabs(f);
    uint64_t fd[17] = {0};
    size_t fn;
    bool frac;
    if (af < 18446744073709551616.0) {
        double ip = trunc(af);
        fd[0] = (uint64_t)ip;
        fn = fd[0] != 0;
        frac = ip != af;
    } else {
        int e;
        double fr = frexp(af, &e);
        uint64_t mant = (uint64_t)ldexp(fr, 53);
        int shift = e - 53;
        fd[shift / 64] = mant << (shift % 64);
        if (shift % 64) fd[shift / 64 + 1] = mant >> (64 - shift % 64);
        fn = big_mag_norm(fd, (size_t)(e + 63) / 64);
        frac = false;
    }
    int c = big_mag_cmp(x.d, x.n, fd, fn);
    if (c == 0 && frac) c = -1;
    return sa > 0 ? c : -c;
}

bool big_to_double(term_t a, double *out) {
    if (is_small(a)) {
        *out = (double)small_value(a);
        return true;
    }
    /* OTP's big_to_double, digit by digit from the top (its rounding, too). */
    const uint64_t *d = big_digit_ptr(a);
    size_t n = big_digits(a);
    double r = 0.0;
    while (n--) {
        r = r * 18446744073709551616.0 + (double)d[n];
        if (!isfinite(r)) return false;
    }
    *out = big_is_neg(a) ? -r : r;
    return true;
}

bool big_to_int64(term_t a, int64_t *out) {
    if (is_small(a)) {
        *out = small_value(a);
        return true;
    }
    if (big_digits(a) != 1) return false;
    uint64_t m = big_digit_ptr(a)[0];
    if (big_is_neg(a)) {
        if (m > (uint64_t)INT64_MAX + 1) return false;
        *out = (int64_t)(0 - m);
    } else {
        if (m > (uint64_t)INT64_MAX) return false;
        *out = (int64_t)m;
    }
    return true;
}

bool big_to_uint64(term_t a, uint64_t *out) {
    if (is_small(a)) {
        if (small_value(a) < 0) return false;
        *out = (uint64_t)small_value(a);
        return true;
    }
    if (big_is_neg(a) || big_digits(a) != 1) return false;
    *out = big_digit_ptr(a)[0];
    return true;
}
