/*
 * bignum_text.c — integers to and from text in bases 2..36.
 *
 * Conversion works a chunk at a time: the largest power of the base that
 * fits in 64 bits (base^k), so a bignum of n digits costs O(n^2) word
 * operations.
 */
#include "vm/bignum_impl.h"

#include <string.h>

/* Largest k with base^k <= 2^64 - 1, and base^k. */
static unsigned chunk_digits(unsigned base, uint64_t *pow) {
    uint64_t p = base;
    unsigned k = 1;
    while (p <= UINT64_MAX / base) {
        p *= base;
        k++;
    }
    *pow = p;
    return k;
}

/* Upper bound of bits per character: ceil(log2(base)). */
static unsigned bits_per_char(unsigned base) {
    unsigned b = 1;
    while ((1u << b) < base) b++;
    return b;
}

size_t big_need_from_text(size_t len, unsigned base) {
    size_t digits = (len * bits_per_char(base) + 63) / 64 + 1;
    return digits > BIG_MAX_DIGITS ? BIG_NEED_TOO_BIG : digits + 1;
}

size_t big_text_len_max(term_t a, unsigned base) {
    IntView x;
    big_view(a, &x);
    /* chars <= bits / floor(log2(base)) + 1, plus the sign */
    unsigned lb = 1;
    while ((1u << (lb + 1)) <= base) lb++;
    return (x.n * 64) / lb + 2;
}

size_t big_to_text(term_t a, unsigned base, char *buf, size_t cap) {
    static const char digit_chars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    IntView x;
    big_view(a, &x);
    if (base < 2 || base > 36) return 0;
    uint64_t pow;
    unsigned k = chunk_digits(base, &pow);
    size_t max = big_text_len_max(a, base);
    char local[80];
    char *rev = max <= sizeof local ? local : big_scratch((max + 7) / 8);
    uint64_t one_digit[1];
    uint64_t *m = x.n <= 1 ? one_digit : big_scratch(x.n);
    if (x.n) memcpy(m, x.d, x.n * sizeof *m);
    size_t n = x.n, len = 0;
    do {
        uint64_t chunk = n ? big_mag_div1(m, n, pow) : 0;
        n = big_mag_norm(m, n);
        for (unsigned i = 0; i < k && (chunk || n); i++) {
            rev[len++] = digit_chars[chunk % base];
            chunk /= base;
        }
        while (chunk) {
            rev[len++] = digit_chars[chunk % base];
            chunk /= base;
        }
    } while (n);
    if (len == 0) rev[len++] = '0';
    size_t total = len + (x.neg ? 1 : 0);
    size_t out = 0;
    if (total <= cap) {
        if (x.neg) buf[out++] = '-';
        while (len) buf[out++] = rev[--len];
        if (out < cap) buf[out] = '\0';
    }
    if (m != one_digit) big_scratch_free(m);
    if (rev != local) big_scratch_free(rev);
    return total <= cap ? total : 0;
}

static int digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'z') return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
    return 99;
}

term_t big_from_text(Heap *h, const char *text, size_t len, unsigned base) {
    if (base < 2 || base > 36) return THE_NON_VALUE;
    size_t i = 0;
    bool neg = false;
    if (len && (text[0] == '-' || text[0] == '+')) {
        neg = text[0] == '-';
        i = 1;
    }
    if (i == len) return THE_NON_VALUE;
    for (size_t j = i; j < len; j++) {
        if (digit_value(text[j]) >= (int)base) return THE_NON_VALUE;
    }
    size_t need = big_need_from_text(len, base);
    if (need == BIG_NEED_TOO_BIG) return THE_NON_VALUE;
    term_t *hp = big_result_alloc(h, need);
    uint64_t *r = (uint64_t *)(hp + 1);
    size_t n = 0;
    uint64_t pow;
    unsigned k = chunk_digits(base, &pow);
    while (i < len) {
        /* Take up to k characters: r = r * base^taken + value. */
        uint64_t val = 0, mul = 1;
        unsigned taken = 0;
        for (; taken < k && i < len; taken++, i++) {
            val = val * base + (uint64_t)digit_value(text[i]);
            mul *= base;
        }
        if (taken < k) {
            /* partial chunk: mul = base^taken fits (taken < k) */
        } else {
            mul = pow;
        }
        uint64_t carry = val;
        for (size_t j = 0; j < n; j++) {
            u128 p = (u128)r[j] * mul + carry;
            r[j] = (uint64_t)p;
            carry = (uint64_t)(p >> 64);
        }
        if (carry) r[n++] = carry;
    }
    return big_result_finish(h, hp, need, n, neg);
}
