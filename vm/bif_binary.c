/*
 * bif_binary.c — the binary module's BIFs that do not search: part, at,
 * first, last, copy, decode_unsigned, encode_unsigned, list_to_bin,
 * longest_common_prefix/suffix, referenced_byte_size. Searching (match,
 * matches, split, compile_pattern) is in bif_binary_match.c.
 * Every failure is badarg, as OTP's binary module.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bif_binary.h"
#include "vm/bif_util.h"
#include "vm/binary.h"

const uint8_t *binbif_bytes(term_t b, size_t *len, uint8_t **owned) {
    const uint8_t *p;
    size_t off, bits;
    bitstring_get(b, &p, &off, &bits);
    *len = bits / 8;
    *owned = NULL;
    if (off == 0) return p;
    uint8_t *c = malloc(*len ? *len : 1);
    if (!c) abort();
    bits_copy(c, 0, p, off, bits);
    *owned = c;
    return c;
}

term_t bif_binary_part_3(Process *p, term_t *args) { return bif_erlang_binary_part_3(p, args); }
term_t bif_binary_part_2(Process *p, term_t *args) { return bif_erlang_binary_part_2(p, args); }

/* Byte i of binary b; precondition: i < byte size. */
static unsigned byte_at(term_t b, size_t i) {
    const uint8_t *bytes;
    size_t off, bits;
    bitstring_get(b, &bytes, &off, &bits);
    size_t bit = off + 8 * i;
    if (bit % 8 == 0) return bytes[bit / 8];
    return (uint8_t)((bytes[bit / 8] << (bit % 8)) | (bytes[bit / 8 + 1] >> (8 - bit % 8)));
}

static size_t byte_size(term_t b) { return bitstring_bit_size(b) / 8; }

term_t bif_binary_at_2(Process *p, term_t *args) {
    if (!is_binary(args[0]) || !is_small(args[1]) || small_value(args[1]) < 0 ||
        (size_t)small_value(args[1]) >= byte_size(args[0]))
        BIF_ERROR(p, ATOM_badarg);
    return make_small(byte_at(args[0], (size_t)small_value(args[1])));
}

term_t bif_binary_first_1(Process *p, term_t *args) {
    if (!is_binary(args[0]) || byte_size(args[0]) == 0) BIF_ERROR(p, ATOM_badarg);
    return make_small(byte_at(args[0], 0));
}

term_t bif_binary_last_1(Process *p, term_t *args) {
    if (!is_binary(args[0]) || byte_size(args[0]) == 0) BIF_ERROR(p, ATOM_badarg);
    return make_small(byte_at(args[0], byte_size(args[0]) - 1));
}

static term_t copy_n(Process *p, term_t b, term_t count) {
    if (!is_binary(b) || !is_small(count) || small_value(count) < 0) BIF_ERROR(p, ATOM_badarg);
    size_t n = (size_t)small_value(count), len;
    uint8_t *owned, *d;
    if (n && byte_size(b) > ((size_t)1 << 40) / n) BIF_ERROR(p, ATOM_badarg); /* OTP: system_limit-like */
    const uint8_t *src = binbif_bytes(b, &len, &owned);
    term_t r = binary_new_uninit(&p->h, len * n, &d);
    for (size_t i = 0; i < n; i++) memcpy(d + i * len, src, len);
    free(owned);
    return r;
}

term_t bif_binary_copy_1(Process *p, term_t *args) { return copy_n(p, args[0], make_small(1)); }
term_t bif_binary_copy_2(Process *p, term_t *args) { return copy_n(p, args[0], args[1]); }

/* big | little -> true for little; -1 if neither */
static int endianness(term_t e) { return e == ATOM_little ? 1 : e == ATOM_big ? 0 : -1; }

static term_t decode_unsigned(Process *p, term_t b, term_t e) {
    int little = endianness(e);
    if (!is_binary(b) || little < 0) BIF_ERROR(p, ATOM_badarg);
    size_t len;
    uint8_t *owned;
    const uint8_t *src = binbif_bytes(b, &len, &owned);
    uint8_t *le = malloc(len ? len : 1);
    if (!le) abort();
    for (size_t i = 0; i < len; i++) le[i] = little ? src[i] : src[len - 1 - i];
    free(owned);
    size_t n = len; /* drop high zero bytes */
    while (n && le[n - 1] == 0) n--;
    term_t r;
    if (n <= 7) {
        uint64_t v = 0;
        for (size_t i = n; i-- > 0;) v = (v << 8) | le[i];
        r = bif_make_uint64(&p->h, v);
    } else {
        r = big_from_bytes_le(&p->h, false, le, n);
    }
    free(le);
    return r;
}

term_t bif_binary_decode_unsigned_1(Process *p, term_t *args) { return decode_unsigned(p, args[0], ATOM_big); }
term_t bif_binary_decode_unsigned_2(Process *p, term_t *args) { return decode_unsigned(p, args[0], args[1]); }

static term_t encode_unsigned(Process *p, term_t v, term_t e) {
    int little = endianness(e);
    if (!is_integer(v) || little < 0) BIF_ERROR(p, ATOM_badarg);
    const uint64_t *d;
    uint64_t one;
    size_t nd;
    if (is_small(v)) {
        if (small_value(v) < 0) BIF_ERROR(p, ATOM_badarg);
        one = (uint64_t)small_value(v);
        d = &one;
        nd = 1;
    } else {
        if (big_is_neg(v)) BIF_ERROR(p, ATOM_badarg);
        d = big_digit_ptr(v);
        nd = big_digits(v);
    }
    size_t n = nd * 8; /* significant bytes, at least one */
    while (n > 1 && ((d[(n - 1) / 8] >> (8 * ((n - 1) % 8))) & 0xFF) == 0) n--;
    uint8_t *out;
    term_t r = binary_new_uninit(&p->h, n, &out);
    for (size_t i = 0; i < n; i++) {
        uint8_t byte = (uint8_t)(d[i / 8] >> (8 * (i % 8)));
        out[little ? i : n - 1 - i] = byte;
    }
    return r;
}

term_t bif_binary_encode_unsigned_1(Process *p, term_t *args) { return encode_unsigned(p, args[0], ATOM_big); }
term_t bif_binary_encode_unsigned_2(Process *p, term_t *args) { return encode_unsigned(p, args[0], args[1]); }

term_t bif_binary_list_to_bin_1(Process *p, term_t *args) {
    size_t n;
    if (!is_list(args[0]) && !is_nil(args[0])) BIF_ERROR(p, ATOM_badarg);
    if (!bif_iolist_size(args[0], &n)) BIF_ERROR(p, ATOM_badarg);
    uint8_t *d;
    term_t r = binary_new_uninit(&p->h, n, &d);
    bif_iolist_copy(args[0], d);
    return r;
}

/* Longest common prefix (suffix when from_end) of a non-empty proper list
 * of binaries. */
static term_t common(Process *p, term_t l, bool from_end) {
    long n = bif_list_length(l);
    if (n <= 0) BIF_ERROR(p, ATOM_badarg);
    for (term_t t = l; is_list(t); t = cons_tail(t))
        if (!is_binary(cons_head(t))) BIF_ERROR(p, ATOM_badarg);
    term_t first = cons_head(l);
    size_t best = byte_size(first);
    for (term_t t = cons_tail(l); is_list(t) && best; t = cons_tail(t)) {
        term_t b = cons_head(t);
        size_t lb = byte_size(b), lf = byte_size(first), k = 0;
        if (best > lb) best = lb;
        while (k < best && byte_at(first, from_end ? lf - 1 - k : k) == byte_at(b, from_end ? lb - 1 - k : k)) k++;
        best = k;
    }
    return make_small((int64_t)best);
}

term_t bif_binary_longest_common_prefix_1(Process *p, term_t *args) { return common(p, args[0], false); }
term_t bif_binary_longest_common_suffix_1(Process *p, term_t *args) { return common(p, args[0], true); }

/* Bytes of the binary object that b keeps alive: a sub binary refers to
 * its whole original. (OTP 25 extracts sub binaries under 64 bytes as
 * copies, so it answers their own size there; we keep sub binaries.) */
term_t bif_binary_referenced_byte_size_1(Process *p, term_t *args) {
    term_t b = args[0];
    if (!is_bitstring(b)) BIF_ERROR(p, ATOM_badarg);
    term_t *x = boxed_val(b);
    if (header_subtag(x[0]) == SUB_BINARY_SUBTAG) b = ((SubBin *)x)->orig;
    x = boxed_val(b);
    if (header_subtag(x[0]) == HEAP_BINARY_SUBTAG) return make_small((int64_t)x[1]);
    return bif_make_uint64(&p->h, ((ProcBin *)x)->val->orig_size);
}
