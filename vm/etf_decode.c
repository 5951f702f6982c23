/*
 * etf_decode.c — binary_to_term in two passes.
 *
 * Pass 1 (scan) walks the bytes with a count of terms still to read (a
 * container adds its element count), so it needs no stack; it checks every
 * tag, length and atom, and sums the heap words needed.
 * Pass 2 (build) allocates those words once and fills the term in, keeping
 * an explicit stack of slots (where the next decoded terms go: a run of
 * slots per container, so the stack grows with nesting, not length) and of
 * maps to finish (sort keys) once their pairs are decoded.
 * Both passes are resumable engines with a work budget (etf_impl.h); the
 * one-call functions of etf.h run them with none.
 */
#include "vm/etf.h"
#include "vm/etf_impl.h"
#include "vm/inflate_glue.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bignum.h"
#include "vm/binary.h"
#include "vm/magic.h"
#include "vm/map.h"
#include "vm/term_compare.h"

#define MAX_REF_NUMBERS 5

typedef struct {
    const uint8_t *p;
    size_t len, pos;
} Reader;


/* FLOAT_EXT: 31 bytes of text, NUL-padded. OTP takes only the whole text
 * up to the first NUL as [+-]digits(.|,)digits[(e|E)[+-]digits] and a
 * finite value; anything else (trailing bytes, no fraction, a bare
 * exponent) is badarg. *d gets the value; text is a 32-byte scratch. */
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool float_text(const uint8_t *in, char text[32], double *d)
{
    memcpy(text, in, 31);
    text[31] = '\0';
    char *c = text;
    if (*c == '+' || *c == '-') c++;
    if (!is_digit(*c)) return false;
    while (is_digit(*c)) c++;
    if (*c != '.' && *c != ',') return false;
    *c++ = '.';                           /* strtod's radix character */
    if (!is_digit(*c)) return false;
    while (is_digit(*c)) c++;
    if (*c == 'e' || *c == 'E') {
        c++;
        if (*c == '+' || *c == '-') c++;
        if (!is_digit(*c)) return false;
        while (is_digit(*c)) c++;
    }
    if (*c) return false;
    *d = strtod(text, NULL);
    return isfinite(*d);
}

static bool has(const Reader *r, size_t n) { return r->len - r->pos >= n; }
static uint8_t u8(Reader *r) { return r->p[r->pos++]; }
static uint16_t u16(Reader *r) {
    uint16_t v = (uint16_t)((r->p[r->pos] << 8) | r->p[r->pos + 1]);
    r->pos += 2;
    return v;
}
static uint32_t u32(Reader *r) {
    const uint8_t *b = r->p + r->pos;
    r->pos += 4;
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

#define NEED(n)                                                            \
    do {                                                                   \
        if (!has(r, (n))) return ETF_ERR_TRUNCATED;                        \
    } while (0)

/* ---- atoms (both passes) ---- */

/* True if the atom with this text exists already. */
static bool atom_exists(const uint8_t *text, size_t n, bool latin1) {
    if (!latin1) return atom_lookup(text, n) != THE_NON_VALUE;
    uint8_t utf8[2 * ATOM_MAX_CHARS];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] < 0x80) {
            utf8[k++] = text[i];
        } else {
            utf8[k++] = (uint8_t)(0xC0 | (text[i] >> 6));
            utf8[k++] = (uint8_t)(0x80 | (text[i] & 0x3F));
        }
    }
    return atom_lookup(utf8, k) != THE_NON_VALUE;
}

/* Reads an atom; with intern=false only validates (and, with
 * existing_only, fails on an atom that does not exist). */
static EtfError read_atom_checked(Reader *r, bool intern, bool existing_only, term_t *out) {
    NEED(1);
    uint8_t tag = u8(r);
    size_t n;
    bool latin1;
    switch (tag) {
    case ETF_ATOM: NEED(2); n = u16(r); latin1 = true; break;
    case ETF_SMALL_ATOM: NEED(1); n = u8(r); latin1 = true; break;
    case ETF_ATOM_UTF8: NEED(2); n = u16(r); latin1 = false; break;
    case ETF_SMALL_ATOM_UTF8: NEED(1); n = u8(r); latin1 = false; break;
    case ETF_ATOM_CACHE_REF: return ETF_ERR_NOTSUP;
    default: return ETF_ERR_BAD_TAG;
    }
    NEED(n);
    const uint8_t *text = r->p + r->pos;
    r->pos += n;
    if (latin1 ? n > ATOM_MAX_CHARS : !atom_text_valid(text, n)) return ETF_ERR_BAD_ATOM;
    if (existing_only && !atom_exists(text, n, latin1)) return ETF_ERR_BAD_ATOM;
    if (!intern) return ETF_OK;
    *out = latin1 ? atom_intern_latin1(text, n) : atom_intern(text, n);
    return *out == THE_NON_VALUE ? ETF_ERR_BAD_ATOM : ETF_OK;
}

static EtfError read_atom(Reader *r, bool intern, term_t *out) {
    return read_atom_checked(r, intern, false, out);
}

/* NEW_FUN_EXT's OldIndex and OldUniq: SMALL_INTEGER_EXT or INTEGER_EXT. */
static EtfError skip_small_int(Reader *r) {
    NEED(1);
    uint8_t tag = u8(r);
    size_t n = tag == ETF_SMALL_INTEGER ? 1 : tag == ETF_INTEGER ? 4 : 0;
    if (!n) return ETF_ERR_BAD_VALUE;
    NEED(n);
    r->pos += n;
    return ETF_OK;
}

/* NEW_FUN_EXT's OldUniq (validated by skip_small_int in the scan). */
static uint32_t read_small_int(Reader *r) {
    return u8(r) == ETF_SMALL_INTEGER ? u8(r) : u32(r);
}

/* NEW_FUN_EXT's creator pid, which funs do not keep: PID_EXT or NEW_PID_EXT. */
static EtfError skip_pid(Reader *r, const EtfOptions *o) {
    NEED(1);
    uint8_t tag = u8(r);
    if (tag != ETF_NEW_PID && tag != ETF_PID) return ETF_ERR_BAD_VALUE;
    term_t node;
    EtfError e = read_atom_checked(r, false, o->existing_atoms_only, &node);
    if (e) return e;
    size_t n = tag == ETF_NEW_PID ? 12 : 9;
    NEED(n);
    r->pos += n;
    return ETF_OK;
}

/* ---- pass 1 ---- */

/* Scans until d->todo is 0 or the budget is spent (*more). */
static EtfError scan(Reader *r, EtfDecoder *dec, size_t budget, size_t *units_out, bool *more) {
    const EtfOptions *o = dec->o;
    size_t todo = dec->todo, words = dec->words, units = 0;
    term_t dummy;
    EtfError e;
    while (todo) {
        if (units >= budget) {
            *more = true;
            break;
        }
        units++;
        todo--;
        NEED(1);
        uint8_t tag = r->p[r->pos];
        if (tag == ETF_ATOM || tag == ETF_SMALL_ATOM || tag == ETF_ATOM_UTF8 ||
            tag == ETF_SMALL_ATOM_UTF8 || tag == ETF_ATOM_CACHE_REF) {
            if ((e = read_atom_checked(r, false, o->existing_atoms_only, &dummy))) return e;
            continue;
        }
        r->pos++;
        switch (tag) {
        case ETF_SMALL_INTEGER: NEED(1); r->pos += 1; break;
        case ETF_INTEGER: NEED(4); r->pos += 4; break;
        case ETF_NEW_FLOAT: {
            NEED(8);
            uint64_t bits = ((uint64_t)u32(r) << 32);
            bits |= u32(r);
            double d;
            memcpy(&d, &bits, sizeof d);
            if (!isfinite(d)) return ETF_ERR_BAD_VALUE;
            words += FLOAT_WORDS;
            break;
        }
        case ETF_FLOAT: {
            NEED(31);
            char text[32];
            double d;
            if (!float_text(r->p + r->pos, text, &d)) return ETF_ERR_BAD_VALUE;
            r->pos += 31;
            words += FLOAT_WORDS;
            break;
        }
        case ETF_SMALL_BIG:
        case ETF_LARGE_BIG: {
            size_t n;
            if (tag == ETF_SMALL_BIG) { NEED(2); n = u8(r); }
            else { NEED(5); n = u32(r); }
            (void)u8(r);                    /* sign: any byte but 0 is negative, as OTP */
            NEED(n);
            r->pos += n;
            units += n / ETF_BYTES_PER_UNIT;
            if ((n + 7) / 8 > BIG_MAX_DIGITS) return ETF_ERR_TOO_BIG;
            words += (n + 7) / 8 + 1;
            break;
        }
        case ETF_SMALL_TUPLE:
        case ETF_LARGE_TUPLE: {
            size_t n;
            if (tag == ETF_SMALL_TUPLE) { NEED(1); n = u8(r); }
            else { NEED(4); n = u32(r); }
            if (n > r->len - r->pos) return ETF_ERR_BAD_SIZE;
            words += tuple_words(n);
            todo += n;
            break;
        }
        case ETF_NIL: break;
        case ETF_STRING: {
            NEED(2);
            size_t n = u16(r);
            NEED(n);
            r->pos += n;
            words += 2 * n;
            units += n / ETF_BYTES_PER_UNIT;
            break;
        }
        case ETF_LIST: {
            NEED(4);
            size_t n = u32(r);
            if (n > r->len - r->pos) return ETF_ERR_BAD_SIZE;
            words += 2 * n;
            todo += n + 1;
            break;
        }
        case ETF_BINARY: {
            NEED(4);
            size_t n = u32(r);
            NEED(n);
            r->pos += n;
            units += n / ETF_BYTES_PER_UNIT;
            words += binary_need_words(n);
            break;
        }
        case ETF_BIT_BINARY: {
            NEED(5);
            size_t n = u32(r);
            unsigned bits = u8(r);
            if (n == 0 || bits == 0 || bits > 8) return ETF_ERR_BAD_SIZE;
            NEED(n);
            r->pos += n;
            words += bitstring_need_words((n - 1) * 8 + bits);
            break;
        }
        case ETF_MAP: {
            NEED(4);
            size_t n = u32(r);
            if (n > (r->len - r->pos) / 2) return ETF_ERR_BAD_SIZE;
            units += n;     /* building a large map sorts its pairs */
            /* a large map is staged in a 2n-tuple, then built as a HAMT */
            words += map_from_pairs_need(n) + (n > MAP_FLAT_MAX ? tuple_words(2 * n) : 0);
            todo += 2 * n;
            break;
        }
        case ETF_PID:
        case ETF_NEW_PID:
            if ((e = read_atom_checked(r, false, o->existing_atoms_only, &dummy))) return e;
            NEED(tag == ETF_PID ? 9 : 12);
            r->pos += tag == ETF_PID ? 9 : 12;
            words += external_words(2);
            break;
        case ETF_PORT:
        case ETF_NEW_PORT:
        case ETF_V4_PORT: {
            if ((e = read_atom_checked(r, false, o->existing_atoms_only, &dummy))) return e;
            size_t n = tag == ETF_PORT ? 5 : tag == ETF_NEW_PORT ? 8 : 12;
            NEED(n);
            r->pos += n;
            words += external_words(2);
            break;
        }
        case ETF_REFERENCE:
            if ((e = read_atom_checked(r, false, o->existing_atoms_only, &dummy))) return e;
            NEED(5);
            r->pos += 5;
            words += external_words(1);
            break;
        case ETF_NEW_REFERENCE:
        case ETF_NEWER_REFERENCE: {
            NEED(2);
            size_t n = u16(r);
            if (n == 0 || n > MAX_REF_NUMBERS) return ETF_ERR_BAD_SIZE;
            if ((e = read_atom_checked(r, false, o->existing_atoms_only, &dummy))) return e;
            size_t bytes = (tag == ETF_NEW_REFERENCE ? 1 : 4) + 4 * n;
            NEED(bytes);
            r->pos += bytes;
            /* a local ref may come back as a magic ref (magic_import) */
            words += external_words(n) > MAGIC_REF_WORDS ? external_words(n) : MAGIC_REF_WORDS;
            break;
        }
        case ETF_EXPORT: {
            if ((e = read_atom_checked(r, false, o->existing_atoms_only, &dummy))) return e;
            if ((e = read_atom_checked(r, false, o->existing_atoms_only, &dummy))) return e;
            NEED(2);
            if (u8(r) != ETF_SMALL_INTEGER) return ETF_ERR_BAD_VALUE;
            r->pos++;
            if (!o->resolve_export) return ETF_ERR_NOTSUP;
            words += EXPORT_FUN_WORDS;
            break;
        }
        case ETF_NEW_FUN: {
            NEED(4 + 1 + 16 + 4 + 4);
            r->pos += 4 + 1 + 16 + 4;
            uint32_t nf = u32(r);
            if ((e = read_atom_checked(r, false, o->existing_atoms_only, &dummy))) return e;
            if ((e = skip_small_int(r)) || (e = skip_small_int(r))) return e; /* OldIndex, OldUniq */
            if ((e = skip_pid(r, o))) return e;
            if (!o->resolve_fun) return ETF_ERR_NOTSUP;
            if (nf > r->len - r->pos) return ETF_ERR_BAD_SIZE;  /* each needs a byte */
            todo += nf;
            words += fun_words(nf);
            break;
        }
        case ETF_FUN: case ETF_LOCAL: case ETF_COMPRESSED:
            return ETF_ERR_NOTSUP;
        default:
            return ETF_ERR_BAD_TAG;
        }
    }
    dec->todo = todo;
    dec->words = words;
    *units_out += units;
    return ETF_OK;
}

/* ---- pass 2 ---- */

typedef EtfDecoder Stack;

static void push_todo(Stack *s, EtfTodo t) {
    if (s->len == s->cap) {
        size_t cap = s->cap * 2;
        EtfTodo *n = malloc(cap * sizeof *n);
        if (!n) {
            fputs("etf: out of memory\n", stderr);
            abort();
        }
        memcpy(n, s->v, s->len * sizeof *n);
        if (s->v != s->local) free(s->v);
        s->v = n;
        s->cap = cap;
    }
    s->v[s->len++] = t;
}
/* count terms go to slot, slot + stride, ...; list: they are the heads of
 * consecutive cells, each linked to the next as it is filled. */
static void push_run(Stack *s, term_t *slot, size_t count, unsigned stride, bool list) {
    if (count) push_todo(s, (EtfTodo){slot, 0, NULL, count, stride, list});
}
static void push(Stack *s, term_t *slot, term_t map) {
    push_todo(s, (EtfTodo){slot, map, NULL, 1, 1, false});
}
static void push3(Stack *s, term_t *slot, term_t map, term_t *dest) {
    push_todo(s, (EtfTodo){slot, map, dest, 1, 1, false});
}

/* Sorts a decoded flatmap's pairs into key order; false on a duplicate. */
static bool finish_map(term_t m) {
    size_t n = flatmap_size(m);
    term_t *ks = tuple_val(flatmap_keys(m)) + 1, *vs = flatmap_values(m);
    for (size_t i = 1; i < n; i++) {
        term_t k = ks[i], v = vs[i];
        size_t j = i;
        int c = 1;
        while (j > 0 && (c = term_compare_exact(ks[j - 1], k)) > 0) {
            ks[j] = ks[j - 1];
            vs[j] = vs[j - 1];
            j--;
        }
        if (j > 0 && c == 0) return false;
        ks[j] = k;
        vs[j] = v;
    }
    return true;
}

/* Builds a large map from its staging tuple {K1, V1, K2, V2, ...} into
 * *dest; false on a duplicate key (OTP rejects those). */
static bool finish_large_map(Heap *h, term_t staging, term_t *dest) {
    size_t n = tuple_arity(staging) / 2;
    term_t *ks = malloc(2 * n * sizeof *ks);
    if (!ks) {
        fputs("etf: out of memory\n", stderr);
        abort();
    }
    term_t *vs = ks + n;
    for (size_t i = 0; i < n; i++) {
        ks[i] = tuple_element(staging, 2 * i + 1);
        vs[i] = tuple_element(staging, 2 * i + 2);
    }
    term_t m = map_from_pairs(h, ks, vs, n);
    free(ks);
    *dest = m;
    return map_size(m) == n;
}

static bool is_local(const EtfOptions *o, term_t node, uint32_t creation) {
    term_t ln = o->node ? o->node : term_local_node();
    uint32_t lc = o->node ? o->creation : term_local_creation();
    return node == ln && creation == lc;
}

static term_t make_external(Heap *h, unsigned subtag, term_t node, uint32_t creation,
                            const uint32_t *num, uint32_t n) {
    size_t words = external_words(n);
    term_t *hp = heap_alloc(h, words);
    ExternalThing *e = (ExternalThing *)hp;
    memset(hp, 0, words * sizeof *hp);
    e->header = make_header(words - 1, subtag);
    e->node = node;
    e->creation = creation;
    e->n_num = n;
    memcpy(e->num, num, n * sizeof *num);
    return make_boxed(hp);
}

/* Decodes the term at r into *slot; containers push their parts. */
static EtfError build_one(Reader *r, Heap *h, const EtfOptions *o, term_t *slot, Stack *s) {
    EtfError e;
    uint8_t tag = r->p[r->pos];
    if (tag == ETF_ATOM || tag == ETF_SMALL_ATOM || tag == ETF_ATOM_UTF8 || tag == ETF_SMALL_ATOM_UTF8)
        return read_atom(r, true, slot);
    r->pos++;
    switch (tag) {
    case ETF_SMALL_INTEGER: *slot = make_small(u8(r)); return ETF_OK;
    case ETF_INTEGER: *slot = make_small((int32_t)u32(r)); return ETF_OK;
    case ETF_NEW_FLOAT: {
        uint64_t bits = (uint64_t)u32(r) << 32;
        bits |= u32(r);
        double d;
        memcpy(&d, &bits, sizeof d);
        *slot = make_float(heap_alloc(h, FLOAT_WORDS), d);
        return ETF_OK;
    }
    case ETF_FLOAT: {
        char text[32];
        double d;
        float_text(r->p + r->pos, text, &d);   /* checked by the sizing pass */
        r->pos += 31;
        *slot = make_float(heap_alloc(h, FLOAT_WORDS), d);
        return ETF_OK;
    }
    case ETF_SMALL_BIG:
    case ETF_LARGE_BIG: {
        size_t n = tag == ETF_SMALL_BIG ? u8(r) : u32(r);
        bool neg = u8(r) != 0;
        *slot = big_from_bytes_le(h, neg, r->p + r->pos, n);
        r->pos += n;
        return ETF_OK;
    }
    case ETF_SMALL_TUPLE:
    case ETF_LARGE_TUPLE: {
        size_t n = tag == ETF_SMALL_TUPLE ? u8(r) : u32(r);
        term_t *hp = heap_alloc(h, tuple_words(n));
        *slot = make_tuple_header(hp, n);
        push_run(s, hp + 1, n, 1, false);
        return ETF_OK;
    }
    case ETF_NIL: *slot = NIL; return ETF_OK;
    case ETF_STRING: {
        size_t n = u16(r);
        term_t *hp = heap_alloc(h, 2 * n);
        term_t list = NIL;
        for (size_t i = n; i-- > 0;) list = make_cons(hp + 2 * i, make_small(r->p[r->pos + i]), list);
        r->pos += n;
        *slot = list;
        return ETF_OK;
    }
    case ETF_LIST: {
        size_t n = u32(r);
        if (n == 0) {               /* no cells: the term is the tail (as OTP) */
            push(s, slot, 0);
            return ETF_OK;
        }
        term_t *hp = heap_alloc(h, 2 * n);
        *slot = make_list(hp);
        push(s, hp + 2 * n - 1, 0); /* the tail, decoded last */
        push_run(s, hp, n, 2, true);
        return ETF_OK;
    }
    case ETF_BINARY: {
        size_t n = u32(r);
        *slot = binary_new(h, r->p + r->pos, n);
        r->pos += n;
        return ETF_OK;
    }
    case ETF_BIT_BINARY: {
        size_t n = u32(r);
        unsigned bits = u8(r);
        *slot = bitstring_new(h, r->p + r->pos, (n - 1) * 8 + bits);
        r->pos += n;
        return ETF_OK;
    }
    case ETF_MAP: {
        size_t n = u32(r);
        if (n > MAP_FLAT_MAX) {
            term_t *st = heap_alloc(h, tuple_words(2 * n));
            term_t staging = make_tuple_header(st, 2 * n);
            push3(s, NULL, staging, slot);
            push_run(s, st + 1, 2 * n, 1, false);
            return ETF_OK;
        }
        term_t *ks, *vs;
        term_t m = map_new_flat(h, n, &ks, &vs);
        *slot = m;
        push(s, NULL, m);
        for (size_t i = n; i-- > 0;) {
            push(s, vs + i, 0);
            push(s, ks + i, 0);
        }
        return ETF_OK;
    }
    case ETF_PID:
    case ETF_NEW_PID: {
        term_t node;
        if ((e = read_atom(r, true, &node))) return e;
        uint32_t num[2];
        num[0] = u32(r);
        num[1] = u32(r);
        uint32_t creation = tag == ETF_PID ? u8(r) : u32(r);
        if (is_local(o, node, creation)) {
            if (num[0] >> PID_NUMBER_BITS) return ETF_ERR_BAD_VALUE;
            *slot = make_internal_pid(num[0], num[1]);
        } else {
            *slot = make_external(h, EXTERNAL_PID_SUBTAG, node, creation, num, 2);
        }
        return ETF_OK;
    }
    case ETF_PORT:
    case ETF_NEW_PORT:
    case ETF_V4_PORT: {
        term_t node;
        if ((e = read_atom(r, true, &node))) return e;
        uint64_t id = tag == ETF_V4_PORT ? ((uint64_t)u32(r) << 32) : 0;
        id |= u32(r);
        uint32_t creation = tag == ETF_PORT ? u8(r) : u32(r);
        if (is_local(o, node, creation) && id < ((uint64_t)1 << 60)) {
            *slot = make_internal_port(id);
        } else {
            uint32_t num[2] = {(uint32_t)id, (uint32_t)(id >> 32)};
            *slot = make_external(h, EXTERNAL_PORT_SUBTAG, node, creation, num, 2);
        }
        return ETF_OK;
    }
    case ETF_REFERENCE:
    case ETF_NEW_REFERENCE:
    case ETF_NEWER_REFERENCE: {
        uint32_t n = tag == ETF_REFERENCE ? 1 : u16(r);
        term_t node;
        if ((e = read_atom(r, true, &node))) return e;
        uint32_t num[MAX_REF_NUMBERS], creation = 0;
        if (tag == ETF_REFERENCE) {
            num[0] = u32(r);
            creation = u8(r);
        } else {
            creation = tag == ETF_NEW_REFERENCE ? u8(r) : u32(r);
            for (uint32_t i = 0; i < n; i++) num[i] = u32(r);
        }
        MagicBin *mb;
        if (n == REF_NUMBERS && is_local(o, node, creation) && !o->node && (mb = magic_import(num)))
            *slot = magic_ref_make(h, mb, num);
        else if (n == REF_NUMBERS && is_local(o, node, creation))
            *slot = make_internal_ref(heap_alloc(h, REF_WORDS), num);
        else
            *slot = make_external(h, EXTERNAL_REF_SUBTAG, node, creation, num, n);
        return ETF_OK;
    }
    case ETF_EXPORT: {
        term_t m, f;
        if ((e = read_atom(r, true, &m))) return e;
        if ((e = read_atom(r, true, &f))) return e;
        r->pos++;
        uint32_t arity = u8(r);
        const ErtsMFA *mfa = o->resolve_export(o->resolve_arg, m, f, arity);
        if (!mfa) return ETF_ERR_NOTSUP;
        *slot = make_export_fun(heap_alloc(h, EXPORT_FUN_WORDS), mfa);
        return ETF_OK;
    }
    case ETF_NEW_FUN: {
        r->pos += 4;                              /* Size */
        uint32_t arity = u8(r);
        const uint8_t *uniq = r->p + r->pos;
        r->pos += 16;
        uint32_t index = u32(r), nf = u32(r);
        term_t m;
        if ((e = read_atom(r, true, &m))) return e;
        skip_small_int(r);                        /* OldIndex; validated by scan */
        uint32_t old_uniq = read_small_int(r);
        skip_pid(r, o);
        const FunEntry *fe = o->resolve_fun(o->resolve_arg, m, index, old_uniq, uniq, arity, nf);
        if (!fe) return ETF_ERR_NOTSUP;
        term_t *hp = heap_alloc(h, fun_words(nf));
        hp[0] = make_header(1 + nf, FUN_SUBTAG);
        hp[1] = (term_t)(uintptr_t)fe;
        push_run(s, hp + 2, nf, 1, false);
        *slot = make_boxed(hp);
        return ETF_OK;
    }
    default:
        return ETF_ERR_BAD_TAG; /* scan rejected everything else */
    }
}

/* Builds until the stack is empty or the budget is spent (*more). */
static EtfError build(Reader *r, EtfDecoder *d, size_t budget, size_t *units_out, bool *more) {
    EtfError e = ETF_OK;
    size_t units = 0;
    while (d->len && !e) {
        if (units >= budget) {
            *more = true;
            break;
        }
        units++;
        EtfTodo *t = &d->v[d->len - 1];
        if (!t->slot) {
            term_t map = t->map, *dest = t->dest;
            d->len--;
            if (dest) {
                if (!finish_large_map(&d->sub, map, dest)) e = ETF_ERR_BAD_VALUE;
            } else if (!finish_map(map)) {
                e = ETF_ERR_BAD_VALUE;
            }
            continue;
        }
        term_t *slot = t->slot;
        if (t->count > 1) {
            if (t->list) slot[1] = make_list(slot + 2);
            t->slot += t->stride;
            t->count--;
        } else {
            d->len--;
        }
        size_t before = r->pos;
        e = build_one(r, &d->sub, d->o, slot, d);
        units += (r->pos - before) / ETF_BYTES_PER_UNIT;
    }
    *units_out += units;
    return e;
}

void etf_dec_init(EtfDecoder *d, const EtfOptions *opts) {
    d->o = opts;
    d->todo = 1;
    d->words = 0;
    d->sub = (Heap){NULL, NULL, NULL, NULL, 0, {NULL, 0}, 0};
    d->v = d->local;
    d->len = 0;
    d->cap = ETF_DEC_LOCAL_TODOS;
}

EtfError etf_dec_scan(EtfDecoder *d, const uint8_t *buf, size_t len, size_t *pos, size_t budget,
                      size_t *units, bool *more) {
    Reader r = {buf, len, *pos};
    *more = false;
    EtfError e = scan(&r, d, budget, units, more);
    *pos = r.pos;
    return e;
}

void etf_dec_build_begin(EtfDecoder *d, term_t *block, term_t *out) {
    d->sub = (Heap){block, block, block + d->words, NULL, 0, {NULL, 0}, 0};
    d->len = 0;
    push(d, out, 0);
}

EtfError etf_dec_build(EtfDecoder *d, const uint8_t *buf, size_t len, size_t *pos, size_t budget,
                       size_t *units, bool *more) {
    Reader r = {buf, len, *pos};
    *more = false;
    EtfError e = build(&r, d, budget, units, more);
    *pos = r.pos;
    if (d->sub.mbuf) {
        fputs("etf: heap need underestimated\n", stderr);
        abort();
    }
    return e;
}

void etf_dec_free(EtfDecoder *d) {
    if (d->v != d->local) free(d->v);
    d->v = d->local;
    d->len = 0;
}

/* ---- entry points ---- */

static const EtfOptions default_opts;

EtfError etf_inflate(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len) {
    const char *why;
    return inflate_buffer(src, src_len, dst, dst_len, &why) == 0 ? ETF_OK : ETF_ERR_COMPRESSED;
}

EtfError etf_decode_size(const uint8_t *buf, size_t len, const EtfOptions *opts,
                         size_t *heap_words, size_t *used_bytes) {
    if (!opts) opts = &default_opts;
    if (len < 1) return ETF_ERR_TRUNCATED;
    if (buf[0] != ETF_VERSION) return ETF_ERR_BAD_VERSION;
    if (len >= 2 && buf[1] == ETF_COMPRESSED) return ETF_ERR_COMPRESSED;
    EtfDecoder d;
    etf_dec_init(&d, opts);
    size_t pos = 1, units = 0;
    bool more;
    EtfError e = etf_dec_scan(&d, buf, len, &pos, SIZE_MAX, &units, &more);
    if (e) return e;
    *heap_words = d.words;
    *used_bytes = pos;
    return ETF_OK;
}

/* whole: fail with ETF_ERR_TRAILING, before building, if the term does
 * not fill buf. */
static EtfError decode_plain(Heap *h, const uint8_t *buf, size_t len, const EtfOptions *opts,
                             term_t *out, size_t *used_bytes, bool whole) {
    size_t words, used;
    EtfError e = etf_decode_size(buf, len, opts, &words, &used);
    if (e) return e;
    if (whole && used != len) return ETF_ERR_TRAILING;
    /* One allocation; builders run on a sub-arena over it so they cannot
     * spill into fragments, then its off-heap list joins the heap's. */
    term_t *block = heap_alloc(h, words);
    EtfDecoder d;
    etf_dec_init(&d, opts);
    d.words = words;
    term_t result = NIL;
    etf_dec_build_begin(&d, block, &result);
    size_t pos = 1, units = 0;
    bool more;
    e = etf_dec_build(&d, buf, len, &pos, SIZE_MAX, &units, &more);
    etf_dec_free(&d);
    if (e) {
        heap_off_heap_release(&d.sub.off_heap);
        heap_release(h, block, words, words);
        return e;
    }
    heap_release(h, block, words, (size_t)(d.sub.hend - d.sub.htop));
    etf_off_heap_splice(h, &d.sub.off_heap);
    *out = result;
    *used_bytes = used;
    return ETF_OK;
}

void etf_off_heap_splice(Heap *h, OffHeap *oh) {
    if (!oh->first) return;
    OffHeapHeader *last = oh->first;
    while (last->next) last = last->next;
    last->next = h->off_heap.first;
    h->off_heap.first = oh->first;
    h->off_heap.overhead += oh->overhead;
    oh->first = NULL;
    oh->overhead = 0;
}

static EtfError decode(Heap *h, const uint8_t *buf, size_t len, const EtfOptions *opts,
                       term_t *out, size_t *used_bytes, bool whole) {
    if (!opts) opts = &default_opts;
    if (len >= 2 && buf[0] == ETF_VERSION && buf[1] == ETF_COMPRESSED) {
        if (len < 6) return ETF_ERR_TRUNCATED;
        size_t size = ((size_t)buf[2] << 24) | ((size_t)buf[3] << 16) | ((size_t)buf[4] << 8) | buf[5];
        /* a tiny malicious binary must not make us allocate gigabytes */
        if (!etf_plausible_inflated_size(size, len - 6)) return ETF_ERR_COMPRESSED;
        uint8_t *plain = malloc(size + 1);
        if (!plain) return ETF_ERR_TOO_BIG;
        plain[0] = ETF_VERSION;
        /* The stream ends where zlib says; `whole` also holds for what it
         * inflates to. Without it, bytes after the stream and after the term
         * inside it are ignored, as OTP 25's binary_to_term does. */
        const char *why;
        size_t zused, used;
        EtfError e = inflate_prefix(buf + 6, len - 6, plain + 1, size, &zused, &why) == 0
                         ? ETF_OK : ETF_ERR_COMPRESSED;
        if (!e && whole && zused != len - 6) e = ETF_ERR_TRAILING;
        if (!e) e = decode_plain(h, plain, size + 1, opts, out, &used, whole);
        free(plain);
        if (!e) *used_bytes = 6 + zused;
        return e;
    }
    return decode_plain(h, buf, len, opts, out, used_bytes, whole);
}

EtfError etf_decode_prefix(Heap *h, const uint8_t *buf, size_t len, const EtfOptions *opts,
                           term_t *out, size_t *used_bytes) {
    return decode(h, buf, len, opts, out, used_bytes, false);
}

EtfError etf_decode(Heap *h, const uint8_t *buf, size_t len, const EtfOptions *opts, term_t *out) {
    size_t used;
    return decode(h, buf, len, opts, out, &used, true);
}
