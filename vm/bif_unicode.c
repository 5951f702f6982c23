/*
 * bif_unicode.c — the C BIFs of module unicode (OTP 25):
 * characters_to_binary/2, characters_to_list/2 and bin_is_7bit/1.
 * characters_to_binary/1,3 and characters_to_list/1 are Erlang code in
 * OTP's unicode.erl that calls these.
 *
 * Conversion walks chardata (nested lists of code points and binaries,
 * with a binary or [] as any list's tail) left to right with an explicit
 * stack, decoding into a buffer of code points. Invariants of the walk:
 *   - stack[0..depth) holds the list cells whose heads are being walked
 *     (outermost first); the error rest is rebuilt from them (wrap()).
 *   - pend[0..npend) holds the bytes of a code point begun at the end of
 *     one binary and not yet completed; OTP completes it with the bytes of
 *     the next binaries, so ["a", <<226>>, <<130,172>>] is "a€".
 * Results, as OTP's: the output; {error, Converted, Rest} at the first
 * invalid code point; {incomplete, Converted, Bytes} when the data ends in
 * the middle of a code point; badarg if the data is not chardata.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/binary.h"

enum { ENC_LATIN1, ENC_UTF8, ENC_UTF16BE, ENC_UTF16LE, ENC_UTF32BE, ENC_UTF32LE };
enum { CONV_OK, CONV_ERROR, CONV_INCOMPLETE, CONV_BADARG, CONV_NOMEM };

typedef struct {
    Process *p;
    int enc;
    uint32_t *cp;          /* decoded code points [0, ncp) */
    size_t ncp, cap;
    term_t *stack;         /* list cells being walked, outermost first */
    size_t depth, stack_cap;
    uint8_t pend[4];
    size_t npend;
    term_t rest;           /* CONV_ERROR / CONV_INCOMPLETE: the rest data */
} Conv;

static int parse_encoding(term_t t) {
    if (t == ATOM_unicode || t == ATOM_utf8) return ENC_UTF8;
    if (t == ATOM_latin1) return ENC_LATIN1;
    if (t == ATOM_utf16) return ENC_UTF16BE;
    if (t == ATOM_utf32) return ENC_UTF32BE;
    if (is_tuple(t) && tuple_arity(t) == 2) {
        term_t e = tuple_element(t, 2);
        int off = e == ATOM_big ? 0 : e == ATOM_little ? 1 : -1;
        if (off < 0) return -1;
        if (tuple_element(t, 1) == ATOM_utf16) return ENC_UTF16BE + off;
        if (tuple_element(t, 1) == ATOM_utf32) return ENC_UTF32BE + off;
    }
    return -1;
}

static bool emit(Conv *c, uint32_t cp) {
    if (c->ncp == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        uint32_t *n = realloc(c->cp, cap * sizeof *n);
        if (!n) return false;
        c->cp = n;
        c->cap = cap;
    }
    c->cp[c->ncp++] = cp;
    return true;
}

static bool push(Conv *c, term_t cell) {
    if (c->depth == c->stack_cap) {
        size_t cap = c->stack_cap ? c->stack_cap * 2 : 16;
        term_t *n = realloc(c->stack, cap * sizeof *n);
        if (!n) return false;
        c->stack = n;
        c->stack_cap = cap;
    }
    c->stack[c->depth++] = cell;
    return true;
}

static bool valid_cp(uint32_t cp) { return cp < 0x110000 && (cp < 0xD800 || cp > 0xDFFF); }

/* One code point from s[0..len) in encoding enc: bytes used, -1 if
 * invalid, -2 if s ends inside it. */
static long decode_one(int enc, const uint8_t *s, size_t len, uint32_t *cp) {
    switch (enc) {
    case ENC_LATIN1:
        *cp = s[0];
        return 1;
    case ENC_UTF8: {
        long r = bif_utf8_decode(s, len, cp);
        /* truncated only if what is there may still begin a code point */
        for (size_t i = 1; r == -2 && i < len; i++)
            if ((s[i] & 0xC0) != 0x80) r = -1;
        return r;
    }
    case ENC_UTF16BE:
    case ENC_UTF16LE: {
        if (len < 2) return -2;
        bool be = enc == ENC_UTF16BE;
        uint32_t w = be ? (uint32_t)s[0] << 8 | s[1] : (uint32_t)s[1] << 8 | s[0];
        if (w >= 0xDC00 && w <= 0xDFFF) return -1;
        if (w < 0xD800 || w > 0xDBFF) {
            *cp = w;
            return 2;
        }
        if (len < 4) return -2;
        uint32_t w2 = be ? (uint32_t)s[2] << 8 | s[3] : (uint32_t)s[3] << 8 | s[2];
        if (w2 < 0xDC00 || w2 > 0xDFFF) return -1;
        *cp = 0x10000 + ((w - 0xD800) << 10) + (w2 - 0xDC00);
        return 4;
    }
    default: {
        if (len < 4) return -2;
        uint32_t v = enc == ENC_UTF32BE
                         ? (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | s[3]
                         : (uint32_t)s[3] << 24 | (uint32_t)s[2] << 16 | (uint32_t)s[1] << 8 | s[0];
        if (!valid_cp(v)) return -1;
        *cp = v;
        return 4;
    }
    }
}

/* The rest data seen from the outermost list: `inner` is the rest at the
 * innermost level; each enclosing level adds [inner | tail after it]. */
static term_t wrap(Conv *c, term_t inner) {
    for (size_t i = c->depth; i-- > 0;) {
        term_t *hp = heap_alloc(&c->p->h, CONS_WORDS);
        inner = make_cons(hp, inner, cons_tail(c->stack[i]));
    }
    return inner;
}

static term_t pend_binary(Conv *c, const uint8_t *more, size_t nmore) {
    uint8_t *d;
    term_t b = binary_new_uninit(&c->p->h, c->npend + nmore, &d);
    memcpy(d, c->pend, c->npend);
    if (nmore) memcpy(d + c->npend, more, nmore);
    return b;
}

/* Bytes left unconverted before `after` (the rest past them): OTP gives
 * [Bytes, After], or just Bytes when nothing follows. */
static term_t pend_rest(Conv *c, term_t bytes, term_t after) {
    if (after == NIL) return bytes;
    term_t *hp = heap_alloc(&c->p->h, 2 * CONS_WORDS);
    return make_cons(hp, bytes, make_cons(hp + 2, after, NIL));
}

/* Decodes binary `bin`. cell is the list cell holding it as head, or NIL if
 * it is a list's tail (or the whole data). */
static int do_binary(Conv *c, term_t bin, term_t cell) {
    const uint8_t *s;
    size_t off, bits;
    bitstring_get(bin, &s, &off, &bits);
    if (bits % 8) return CONV_BADARG;
    size_t n = bits / 8, i = 0;
    uint8_t *tmp = NULL;
    if (off) { /* unaligned sub binary: work on an aligned copy */
        tmp = malloc(n ? n : 1);
        if (!tmp) return CONV_NOMEM;
        bits_copy(tmp, 0, s, off, bits);
        s = tmp;
    }
    int st = CONV_OK;
    if (c->npend) { /* complete the code point begun in an earlier binary */
        uint8_t buf[8];
        size_t take = n < 4 ? n : 4;
        memcpy(buf, c->pend, c->npend);
        memcpy(buf + c->npend, s, take);
        uint32_t cp;
        long r = decode_one(c->enc, buf, c->npend + take, &cp);
        if (r == -2 && c->npend + n <= sizeof c->pend) {
            memcpy(c->pend + c->npend, s, n);
            c->npend += n;
            goto out;
        }
        if (r < 0) {
            term_t after = wrap(c, cell == NIL ? NIL : cons_tail(cell));
            c->rest = pend_rest(c, pend_binary(c, s, n), after);
            c->npend = 0;
            st = CONV_ERROR;
            goto out;
        }
        if (!emit(c, cp)) { st = CONV_NOMEM; goto out; }
        i = (size_t)r - c->npend;
        c->npend = 0;
    }
    while (i < n) {
        uint32_t cp;
        long r = decode_one(c->enc, s + i, n - i, &cp);
        if (r == -2) { /* may be completed by the next binary */
            memcpy(c->pend, s + i, n - i);
            c->npend = n - i;
            break;
        }
        if (r < 0) {
            term_t sub = sub_binary_new(&c->p->h, bin, off + i * 8, (n - i) * 8);
            if (cell != NIL) {
                term_t *hp = heap_alloc(&c->p->h, CONS_WORDS);
                sub = make_cons(hp, sub, cons_tail(cell));
            }
            c->rest = wrap(c, sub);
            st = CONV_ERROR;
            break;
        }
        if (!emit(c, cp)) { st = CONV_NOMEM; break; }
        i += (size_t)r;
    }
out:
    free(tmp);
    return st;
}

/* A code point given as an integer at list cell `cell`. */
static int do_integer(Conv *c, term_t cell) {
    term_t h = cons_head(cell);
    bool ok = c->enc == ENC_LATIN1 ? is_byte(h) : bif_is_unicode_char(h);
    if (ok && !c->npend) return emit(c, (uint32_t)small_value(h)) ? CONV_OK : CONV_NOMEM;
    if (c->npend) {
        c->rest = pend_rest(c, pend_binary(c, NULL, 0), wrap(c, cell));
        c->npend = 0;
    } else {
        c->rest = wrap(c, cell);
    }
    return CONV_ERROR;
}

static int walk(Conv *c, term_t data) {
    if (is_bitstring(data)) return do_binary(c, data, NIL);
    term_t cur = data;
    for (;;) {
        if (cur == NIL || is_bitstring(cur)) {
            if (cur != NIL) {
                int st = do_binary(c, cur, NIL);
                if (st != CONV_OK) return st;
            }
            if (c->depth == 0) return CONV_OK;
            cur = cons_tail(c->stack[--c->depth]);
            continue;
        }
        if (!is_list(cur)) return CONV_BADARG;
        term_t h = cons_head(cur);
        int st;
        if (is_integer(h)) {
            st = do_integer(c, cur);
        } else if (is_bitstring(h)) {
            st = do_binary(c, h, cur);
        } else if (is_list(h) || h == NIL) {
            if (!push(c, cur)) return CONV_NOMEM;
            cur = h;
            continue;
        } else {
            return CONV_BADARG;
        }
        if (st != CONV_OK) return st;
        cur = cons_tail(cur);
    }
}

static term_t make_utf8_binary(Process *p, const uint32_t *cp, size_t n) {
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) bytes += cp[i] < 0x80 ? 1 : cp[i] < 0x800 ? 2 : cp[i] < 0x10000 ? 3 : 4;
    uint8_t *d;
    term_t b = binary_new_uninit(&p->h, bytes, &d);
    for (size_t i = 0; i < n; i++) d += bif_utf8_encode(cp[i], d);
    return b;
}

static term_t make_cp_list(Process *p, const uint32_t *cp, size_t n) {
    term_t *hp = heap_alloc(&p->h, n * CONS_WORDS), l = NIL;
    for (size_t i = n; i-- > 0;) l = make_cons(hp + 2 * i, make_small(cp[i]), l);
    return l;
}

static term_t convert(Process *p, term_t *args, bool to_binary) {
    Conv c = {0};
    c.p = p;
    c.enc = parse_encoding(args[1]);
    if (c.enc < 0) BIF_ERROR(p, ATOM_badarg);
    int st = walk(&c, args[0]);
    if (st == CONV_OK && c.npend) {
        c.rest = pend_binary(&c, NULL, 0);
        st = CONV_INCOMPLETE;
    }
    term_t res = THE_NON_VALUE;
    if (st == CONV_OK || st == CONV_ERROR || st == CONV_INCOMPLETE) {
        res = to_binary ? make_utf8_binary(p, c.cp, c.ncp) : make_cp_list(p, c.cp, c.ncp);
        if (st != CONV_OK) {
            term_t *hp = heap_alloc(&p->h, tuple_words(3));
            term_t t = make_tuple_header(hp, 3);
            hp[1] = st == CONV_ERROR ? ATOM_error : ATOM_incomplete;
            hp[2] = res;
            hp[3] = c.rest;
            res = t;
        }
    }
    free(c.cp);
    free(c.stack);
    if (st == CONV_NOMEM) BIF_ERROR(p, ATOM_system_limit);
    if (res == THE_NON_VALUE) BIF_ERROR(p, ATOM_badarg);
    return res;
}

term_t bif_unicode_characters_to_binary_2(Process *p, term_t *args) { return convert(p, args, true); }
term_t bif_unicode_characters_to_list_2(Process *p, term_t *args) { return convert(p, args, false); }

/* true iff the argument is a binary whose bytes are all below 128. */
term_t bif_unicode_bin_is_7bit_1(Process *p, term_t *args) {
    (void)p;
    if (!is_binary(args[0])) return ATOM_false;
    const uint8_t *s;
    size_t off, bits;
    bitstring_get(args[0], &s, &off, &bits);
    for (size_t i = 0; i < bits / 8; i++) {
        uint8_t b = off ? (uint8_t)(s[i] << off | s[i + 1] >> (8 - off)) : s[i];
        if (b & 0x80) return ATOM_false;
    }
    return ATOM_true;
}
