/*
 * bif_erlang_convert.c — conversions between atoms, integers, floats and
 * their text as lists or binaries: atom_to_list, list_to_atom,
 * list_to_existing_atom, atom_to_binary/1,2, binary_to_atom/1,2,
 * binary_to_existing_atom/1,2, integer_to_list/1,2, list_to_integer/1,2,
 * integer_to_binary/1,2, binary_to_integer/1,2, float_to_list/1,2,
 * float_to_binary/1,2, list_to_float/1, binary_to_float/1.
 *
 * Character lists are lists of Unicode code points; atom text is UTF-8.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/binary.h"

/* ---- UTF-8 ---- */

size_t bif_utf8_encode(uint32_t cp, uint8_t *out) {
    if (cp < 0x80) { out[0] = (uint8_t)cp; return 1; }
    if (cp < 0x800) { out[0] = (uint8_t)(0xC0 | cp >> 6); out[1] = (uint8_t)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | cp >> 12);
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | cp >> 18);
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

long bif_utf8_decode(const uint8_t *s, size_t len, uint32_t *cp) {
    if (len == 0) return -1;
    uint8_t c = s[0];
    if (c < 0x80) { *cp = c; return 1; }
    size_t n;
    uint32_t v, min;
    if ((c & 0xE0) == 0xC0) { n = 2; v = c & 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { n = 3; v = c & 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { n = 4; v = c & 0x07; min = 0x10000; }
    else return -1;
    if (len < n) return -2; /* truncated */
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return -1;
        v = v << 6 | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return -1;
    *cp = v;
    return (long)n;
}

bool bif_is_unicode_char(term_t t) {
    if (!is_small(t)) return false;
    int64_t v = small_value(t);
    return v >= 0 && v <= 0x10FFFF && !(v >= 0xD800 && v <= 0xDFFF);
}

term_t bif_bytes_to_list(Heap *h, const uint8_t *buf, size_t n, term_t tail) {
    term_t *hp = heap_alloc(h, 2 * n);
    for (size_t i = n; i-- > 0;) tail = make_cons(hp + 2 * i, make_small(buf[i]), tail);
    return tail;
}

char *bif_charlist_to_cstr(term_t t, size_t *len) {
    long n = bif_list_length(t);
    if (n < 0) return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s) return NULL;
    size_t i = 0;
    for (; is_list(t); t = cons_tail(t)) {
        if (!is_byte(cons_head(t))) {
            free(s);
            return NULL;
        }
        s[i++] = (char)small_value(cons_head(t));
    }
    s[i] = 0;
    *len = i;
    return s;
}

/* Code points of UTF-8 text as a list (text known valid). */
static term_t utf8_to_list(Heap *h, const uint8_t *s, size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++) n += (s[i] & 0xC0) != 0x80;
    term_t *hp = heap_alloc(h, 2 * n);
    term_t r = n ? make_list(hp) : NIL;
    uint32_t cp;
    for (size_t i = 0; i < len;) {
        i += (size_t)bif_utf8_decode(s + i, len - i, &cp);
        hp[0] = make_small(cp);
        hp[1] = i < len ? make_list(hp + 2) : NIL;
        hp += 2;
    }
    return r;
}

/* ---- atoms ---- */

term_t bif_erlang_atom_to_list_1(Process *p, term_t *args) {
    if (!is_atom(args[0])) BIF_ERROR(p, ATOM_badarg);
    const Atom *a = atom_get(args[0]);
    return utf8_to_list(&p->h, a->name, a->len_bytes);
}

/* The UTF-8 text of a list of code points into buf (4 * ATOM_MAX_CHARS
 * bytes); -1 if not a proper list of chars, -2 if too long. */
static long chars_to_atom_text(term_t l, uint8_t *buf) {
    size_t n = 0, chars = 0;
    for (; is_list(l); l = cons_tail(l)) {
        if (!bif_is_unicode_char(cons_head(l))) return -1;
        if (++chars > ATOM_MAX_CHARS) return -2;
        n += bif_utf8_encode((uint32_t)small_value(cons_head(l)), buf + n);
    }
    return is_nil(l) ? (long)n : -1;
}

static term_t list_to_atom(Process *p, term_t l, bool existing) {
    uint8_t buf[4 * ATOM_MAX_CHARS];
    long n = chars_to_atom_text(l, buf);
    if (n == -2 && bif_list_length(l) >= 0) {
        if (existing) BIF_ERROR(p, ATOM_badarg);
        BIF_ERROR(p, ATOM_system_limit);
    }
    if (n < 0) BIF_ERROR(p, ATOM_badarg);
    term_t a = existing ? atom_lookup(buf, (size_t)n) : atom_intern(buf, (size_t)n);
    if (a == THE_NON_VALUE) BIF_ERROR(p, existing ? ATOM_badarg : ATOM_system_limit);
    return a;
}

term_t bif_erlang_list_to_atom_1(Process *p, term_t *args) { return list_to_atom(p, args[0], false); }
term_t bif_erlang_list_to_existing_atom_1(Process *p, term_t *args) { return list_to_atom(p, args[0], true); }

static bool is_encoding(term_t e) { return e == ATOM_latin1 || e == ATOM_unicode || e == ATOM_utf8; }

term_t bif_erlang_atom_to_binary_2(Process *p, term_t *args) {
    if (!is_atom(args[0]) || !is_encoding(args[1])) BIF_ERROR(p, ATOM_badarg);
    const Atom *a = atom_get(args[0]);
    if (args[1] != ATOM_latin1) return binary_new(&p->h, a->name, a->len_bytes);
    if (a->latin1_chars < 0) BIF_ERROR(p, ATOM_badarg);
    uint8_t *d;
    term_t b = binary_new_uninit(&p->h, (size_t)a->latin1_chars, &d);
    uint32_t cp;
    for (size_t i = 0; i < a->len_bytes;) {
        i += (size_t)bif_utf8_decode(a->name + i, a->len_bytes - i, &cp);
        *d++ = (uint8_t)cp;
    }
    return b;
}

term_t bif_erlang_atom_to_binary_1(Process *p, term_t *args) {
    term_t a[2] = {args[0], ATOM_utf8};
    return bif_erlang_atom_to_binary_2(p, a);
}

static term_t binary_to_atom(Process *p, term_t bin, term_t enc, bool existing) {
    if (!is_binary(bin) || !is_encoding(enc)) BIF_ERROR(p, ATOM_badarg);
    const uint8_t *bytes;
    size_t off, bits;
    bitstring_get(bin, &bytes, &off, &bits);
    size_t len = bits / 8;
    uint8_t *tmp = NULL;
    if (off) {
        tmp = malloc(len ? len : 1);
        bits_copy(tmp, 0, bytes, off, bits);
        bytes = tmp;
    }
    term_t a;
    if (enc == ATOM_latin1) {
        if (len > ATOM_MAX_CHARS) a = THE_NON_VALUE;
        else if (existing) {
            uint8_t u[2 * ATOM_MAX_CHARS];
            size_t n = 0;
            for (size_t i = 0; i < len; i++) n += bif_utf8_encode(bytes[i], u + n);
            a = atom_lookup(u, n);
        } else a = atom_intern_latin1(bytes, len);
    } else {
        a = existing ? atom_lookup(bytes, len) : atom_intern(bytes, len);
    }
    bool valid = enc == ATOM_latin1 || atom_text_valid(bytes, len);
    bool too_long = enc == ATOM_latin1 ? len > ATOM_MAX_CHARS : !valid && len > ATOM_MAX_CHARS;
    free(tmp);
    if (a != THE_NON_VALUE) return a;
    if (existing) BIF_ERROR(p, ATOM_badarg);
    /* Over-long text is system_limit; invalid UTF-8 is badarg. */
    if (too_long || (enc != ATOM_latin1 && len > ATOM_MAX_CHARS * 4)) BIF_ERROR(p, ATOM_system_limit);
    if (enc != ATOM_latin1) {
        /* valid UTF-8 but more than ATOM_MAX_CHARS characters? */
        size_t chars = 0;
        uint32_t cp;
        const uint8_t *b2;
        size_t o2, bits2;
        bitstring_get(bin, &b2, &o2, &bits2);
        bool ok = true;
        uint8_t *t2 = NULL;
        if (o2) {
            t2 = malloc(len ? len : 1);
            bits_copy(t2, 0, b2, o2, bits2);
            b2 = t2;
        }
        for (size_t i = 0; i < len && ok; chars++) {
            long k = bif_utf8_decode(b2 + i, len - i, &cp);
            if (k < 0) ok = false;
            else i += (size_t)k;
        }
        free(t2);
        if (ok && chars > ATOM_MAX_CHARS) BIF_ERROR(p, ATOM_system_limit);
    }
    BIF_ERROR(p, ATOM_badarg);
}

term_t bif_erlang_binary_to_atom_2(Process *p, term_t *args) { return binary_to_atom(p, args[0], args[1], false); }
term_t bif_erlang_binary_to_atom_1(Process *p, term_t *args) { return binary_to_atom(p, args[0], ATOM_utf8, false); }
term_t bif_erlang_binary_to_existing_atom_2(Process *p, term_t *args) {
    return binary_to_atom(p, args[0], args[1], true);
}
term_t bif_erlang_binary_to_existing_atom_1(Process *p, term_t *args) {
    return binary_to_atom(p, args[0], ATOM_utf8, true);
}

/* ---- integers ---- */

static bool base_arg(term_t b, unsigned *base) {
    if (!is_small(b) || small_value(b) < 2 || small_value(b) > 36) return false;
    *base = (unsigned)small_value(b);
    return true;
}

/* Text of integer i in base as a malloc'ed string. */
static char *int_text(term_t i, unsigned base, size_t *len) {
    size_t cap = big_text_len_max(i, base) + 2;
    char *s = malloc(cap);
    if (!s) return NULL;
    *len = big_to_text(i, base, s, cap);
    return s;
}

static term_t integer_to(Process *p, term_t i, term_t b, bool binary) {
    unsigned base = 10;
    if (!is_integer(i) || (b != THE_NON_VALUE && !base_arg(b, &base))) BIF_ERROR(p, ATOM_badarg);
    size_t len;
    char *s = int_text(i, base, &len);
    if (!s) BIF_ERROR(p, ATOM_system_limit);
    term_t r = binary ? binary_new(&p->h, (const uint8_t *)s, len)
                      : bif_bytes_to_list(&p->h, (const uint8_t *)s, len, NIL);
    free(s);
    return r;
}

term_t bif_erlang_integer_to_list_1(Process *p, term_t *args) { return integer_to(p, args[0], THE_NON_VALUE, false); }
term_t bif_erlang_integer_to_list_2(Process *p, term_t *args) { return integer_to(p, args[0], args[1], false); }
term_t bif_erlang_integer_to_binary_1(Process *p, term_t *args) { return integer_to(p, args[0], THE_NON_VALUE, true); }
term_t bif_erlang_integer_to_binary_2(Process *p, term_t *args) { return integer_to(p, args[0], args[1], true); }

static term_t text_to_integer(Process *p, const char *s, size_t len, unsigned base) {
    if (big_need_from_text(len, base) == BIG_NEED_TOO_BIG) BIF_ERROR(p, ATOM_system_limit);
    term_t r = big_from_text(&p->h, s, len, base);
    if (r == THE_NON_VALUE) BIF_ERROR(p, ATOM_badarg);
    return r;
}

/* A binary's bytes as a malloc'ed NUL-terminated copy; NULL if not a binary. */
static char *binary_cstr(term_t b, size_t *len) {
    if (!is_binary(b)) return NULL;
    const uint8_t *bytes;
    size_t off, bits;
    bitstring_get(b, &bytes, &off, &bits);
    *len = bits / 8;
    char *s = malloc(*len + 1);
    if (!s) return NULL;
    bits_copy((uint8_t *)s, 0, bytes, off, bits);
    s[*len] = 0;
    return s;
}

static term_t to_integer(Process *p, term_t t, term_t b, bool binary) {
    unsigned base = 10;
    if (b != THE_NON_VALUE && !base_arg(b, &base)) BIF_ERROR(p, ATOM_badarg);
    size_t len;
    char *s = binary ? binary_cstr(t, &len) : bif_charlist_to_cstr(t, &len);
    if (!s) BIF_ERROR(p, ATOM_badarg);
    term_t r = text_to_integer(p, s, len, base);
    free(s);
    return r;
}

term_t bif_erlang_list_to_integer_1(Process *p, term_t *args) { return to_integer(p, args[0], THE_NON_VALUE, false); }
term_t bif_erlang_list_to_integer_2(Process *p, term_t *args) { return to_integer(p, args[0], args[1], false); }
term_t bif_erlang_binary_to_integer_1(Process *p, term_t *args) { return to_integer(p, args[0], THE_NON_VALUE, true); }
term_t bif_erlang_binary_to_integer_2(Process *p, term_t *args) { return to_integer(p, args[0], args[1], true); }

/* ---- floats ---- */

/* Erlang float syntax, as list_to_float accepts it:
 * [+-] digits '.' digits [ (e|E) [+-] digits ]. */
static bool float_syntax(const char *s, size_t len) {
    size_t i = 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) i++;
    size_t d = i;
    while (i < len && s[i] >= '0' && s[i] <= '9') i++;
    if (i == d || i >= len || s[i] != '.') return false;
    d = ++i;
    while (i < len && s[i] >= '0' && s[i] <= '9') i++;
    if (i == d) return false;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) i++;
        d = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++;
        if (i == d) return false;
    }
    return i == len;
}

static term_t text_to_float(Process *p, char *s, size_t len) {
    bool ok = float_syntax(s, len);
    double d = ok ? strtod(s, NULL) : 0;
    free(s);
    if (!ok || !isfinite(d)) BIF_ERROR(p, ATOM_badarg);
    return bif_make_double(&p->h, d);
}

term_t bif_erlang_list_to_float_1(Process *p, term_t *args) {
    size_t len;
    char *s = bif_charlist_to_cstr(args[0], &len);
    if (!s) BIF_ERROR(p, ATOM_badarg);
    return text_to_float(p, s, len);
}

term_t bif_erlang_binary_to_float_1(Process *p, term_t *args) {
    size_t len;
    char *s = binary_cstr(args[0], &len);
    if (!s) BIF_ERROR(p, ATOM_badarg);
    return text_to_float(p, s, len);
}

static term_t float_to(Process *p, term_t f, term_t opts, bool binary) {
    char buf[512];
    if (!is_float(f)) BIF_ERROR(p, ATOM_badarg);
    long n = bif_format_float(float_value(f), opts, buf, sizeof buf);
    if (n < 0) BIF_ERROR(p, ATOM_badarg);
    return binary ? binary_new(&p->h, (const uint8_t *)buf, (size_t)n)
                  : bif_bytes_to_list(&p->h, (const uint8_t *)buf, (size_t)n, NIL);
}

term_t bif_erlang_float_to_list_1(Process *p, term_t *args) { return float_to(p, args[0], NIL, false); }
term_t bif_erlang_float_to_list_2(Process *p, term_t *args) { return float_to(p, args[0], args[1], false); }
term_t bif_erlang_float_to_binary_1(Process *p, term_t *args) { return float_to(p, args[0], NIL, true); }
term_t bif_erlang_float_to_binary_2(Process *p, term_t *args) { return float_to(p, args[0], args[1], true); }
