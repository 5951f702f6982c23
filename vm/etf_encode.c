/*
 * etf_encode.c — term_to_binary. One traversal writes or, with no buffer,
 * only counts, so the size pass and the write pass cannot disagree. Nested
 * terms are handled with an explicit stack of terms still to emit.
 */
#include "vm/etf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bignum.h"
#include "vm/binary.h"
#include "vm/magic.h"
#include "vm/map.h"
#include "vm/term_compare.h"

typedef struct {
    uint8_t *buf; /* NULL: count only */
    size_t cap, pos;
} Writer;

static void w_bytes(Writer *w, const void *p, size_t n) {
    if (w->buf && w->pos + n <= w->cap) memcpy(w->buf + w->pos, p, n);
    w->pos += n;
}
static void w_u8(Writer *w, unsigned v) {
    uint8_t b = (uint8_t)v;
    w_bytes(w, &b, 1);
}
static void w_u16(Writer *w, unsigned v) {
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    w_bytes(w, b, 2);
}
static void w_u32(Writer *w, uint32_t v) {
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    w_bytes(w, b, 4);
}

static void w_atom(Writer *w, term_t a, const EtfOptions *o) {
    const Atom *at = atom_get(a);
    if (!o->utf8_atoms && at->latin1_chars >= 0) {
        /* OTP 25 default: Latin-1 text as ATOM_EXT */
        w_u8(w, ETF_ATOM);
        w_u16(w, (unsigned)at->latin1_chars);
        for (size_t i = 0; i < at->len_bytes; i++) {
            uint8_t c = at->name[i];
            if (c >= 0x80) {
                c = (uint8_t)(((c & 0x03) << 6) | (at->name[i + 1] & 0x3F));
                i++;
            }
            w_u8(w, c);
        }
        return;
    }
    if (at->len_bytes < 256) {
        w_u8(w, ETF_SMALL_ATOM_UTF8);
        w_u8(w, at->len_bytes);
    } else {
        w_u8(w, ETF_ATOM_UTF8);
        w_u16(w, at->len_bytes);
    }
    w_bytes(w, at->name, at->len_bytes);
}

static void w_integer(Writer *w, term_t t) {
    if (is_small(t)) {
        int64_t v = small_value(t);
        if (v >= 0 && v <= 255) {
            w_u8(w, ETF_SMALL_INTEGER);
            w_u8(w, (unsigned)v);
            return;
        }
        if (v >= INT32_MIN && v <= INT32_MAX) {
            w_u8(w, ETF_INTEGER);
            w_u32(w, (uint32_t)v);
            return;
        }
    }
    uint64_t one;
    const uint64_t *d;
    size_t n;
    bool neg;
    if (is_small(t)) {
        one = uabs64(small_value(t));
        d = &one;
        n = 1;
        neg = small_value(t) < 0;
    } else {
        d = big_digit_ptr(t);
        n = big_digits(t);
        neg = big_is_neg(t);
    }
    size_t bytes = n * 8;
    while (bytes > 1 && ((d[(bytes - 1) / 8] >> (8 * ((bytes - 1) % 8))) & 0xFF) == 0) bytes--;
    if (bytes < 256) {
        w_u8(w, ETF_SMALL_BIG);
        w_u8(w, (unsigned)bytes);
    } else {
        w_u8(w, ETF_LARGE_BIG);
        w_u32(w, (uint32_t)bytes);
    }
    w_u8(w, neg);
    for (size_t i = 0; i < bytes; i++) w_u8(w, (unsigned)(d[i / 8] >> (8 * (i % 8))));
}

static void w_bitstring(Writer *w, term_t t) {
    const uint8_t *p;
    size_t off, bits;
    bitstring_get(t, &p, &off, &bits);
    size_t bytes = (bits + 7) / 8;
    if (bits % 8 == 0) {
        w_u8(w, ETF_BINARY);
        w_u32(w, (uint32_t)bytes);
    } else {
        w_u8(w, ETF_BIT_BINARY);
        w_u32(w, (uint32_t)bytes);
        w_u8(w, bits % 8);
    }
    if (off == 0) {
        if (bits % 8 == 0) {
            w_bytes(w, p, bytes);
        } else {
            w_bytes(w, p, bytes - 1);
            w_u8(w, p[bytes - 1] & (0xFF00u >> (bits % 8)));
        }
        return;
    }
    /* unaligned: a byte at a time */
    for (size_t i = 0; i < bytes; i++) {
        uint8_t b = 0;
        size_t n = bits - i * 8 < 8 ? bits - i * 8 : 8;
        bits_copy(&b, 0, p, off + i * 8, n);
        w_u8(w, b);
    }
}

/* Length of a proper list of bytes, or -1 (STRING_EXT test). */
static long byte_string_len(term_t t) {
    long n = 0;
    for (; is_list(t); t = cons_tail(t)) {
        if (!is_byte(cons_head(t)) || n == 65535) return -1;
        n++;
    }
    return is_nil(t) ? n : -1;
}

typedef struct {
    term_t *v;
    size_t len, cap;
    term_t local[64];
} Stack;

/* A local fun's Size field is known only after its free variables are
 * written: the encoder pushes this mark below them, and patches the field
 * when it pops the mark. Primary tag 0 words are headers, never terms;
 * the fun's byte offset is kept above the tag bits (never 0: the version
 * byte comes first). */
static term_t fun_end_mark(size_t start) { return (term_t)start << 8; }
static bool is_fun_end_mark(term_t t) { return t != THE_NON_VALUE && (t & TAG_PRIMARY_MASK) == 0; }

static void push(Stack *s, term_t t) {
    if (s->len == s->cap) {
        size_t cap = s->cap * 2;
        term_t *n = malloc(cap * sizeof *n);
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

static EtfError encode(term_t t, const EtfOptions *o, Writer *w) {
    Stack s;
    s.v = s.local;
    s.len = 0;
    s.cap = sizeof s.local / sizeof s.local[0];
    EtfError err = ETF_OK;
    term_t node = o->node ? o->node : term_local_node();
    uint32_t creation = o->node ? o->creation : term_local_creation();
    w_u8(w, ETF_VERSION);
    push(&s, t);
    while (s.len && !err) {
        t = s.v[--s.len];
        if (is_fun_end_mark(t)) {
            size_t start = (size_t)(t >> 8);  /* the NEW_FUN_EXT tag */
            uint32_t size = (uint32_t)(w->pos - start - 1);
            size_t end = w->pos;
            w->pos = start + 1;
            w_u32(w, size);
            w->pos = end;
        } else if (is_integer(t)) {
            w_integer(w, t);
        } else if (is_atom(t)) {
            w_atom(w, t, o);
        } else if (is_nil(t)) {
            w_u8(w, ETF_NIL);
        } else if (is_list(t)) {
            long sl = byte_string_len(t);
            if (sl >= 0) {
                w_u8(w, ETF_STRING);
                w_u16(w, (unsigned)sl);
                for (; is_list(t); t = cons_tail(t)) w_u8(w, (unsigned)small_value(cons_head(t)));
                continue;
            }
            uint32_t n = 0;
            term_t l = t;
            for (; is_list(l); l = cons_tail(l)) n++;
            w_u8(w, ETF_LIST);
            w_u32(w, n);
            push(&s, l); /* tail, emitted last */
            size_t base = s.len;
            for (uint32_t i = 0; i < n; i++) push(&s, THE_NON_VALUE);
            l = t;
            for (uint32_t i = 0; i < n; i++, l = cons_tail(l)) s.v[base + n - 1 - i] = cons_head(l);
        } else if (is_float(t)) {
            double d = float_value(t);
            uint64_t bits;
            memcpy(&bits, &d, sizeof bits);
            w_u8(w, ETF_NEW_FLOAT);
            w_u32(w, (uint32_t)(bits >> 32));
            w_u32(w, (uint32_t)bits);
        } else if (is_tuple(t)) {
            uint64_t n = tuple_arity(t);
            if (n < 256) {
                w_u8(w, ETF_SMALL_TUPLE);
                w_u8(w, (unsigned)n);
            } else {
                w_u8(w, ETF_LARGE_TUPLE);
                w_u32(w, (uint32_t)n);
            }
            for (uint64_t i = n; i >= 1; i--) push(&s, tuple_element(t, i));
        } else if (is_map(t)) {
            size_t n = map_size(t);
            w_u8(w, ETF_MAP);
            w_u32(w, (uint32_t)n);
            /* Pairs in iteration order, as OTP: flatmaps in key order,
             * HAMTs in trie order. (OTP's trie is keyed by its internal
             * hash, ours by phash2, so large maps' pair order differs from
             * erl's bytes; decoders accept any order.) */
            size_t base = s.len;
            for (size_t i = 0; i < 2 * n; i++) push(&s, THE_NON_VALUE);
            MapIter it;
            term_t k, v;
            size_t i = 0;
            map_iter_init(&it, t);
            while (i < n && map_iter_next(&it, &k, &v)) {
                s.v[base + 2 * (n - 1 - i) + 1] = k;
                s.v[base + 2 * (n - 1 - i)] = v;
                i++;
            }
        } else if (is_bitstring(t)) {
            w_bitstring(w, t);
        } else if (is_internal_pid(t)) {
            w_u8(w, ETF_NEW_PID);
            w_atom(w, node, o);
            w_u32(w, pid_number(t));
            w_u32(w, pid_serial(t));
            w_u32(w, creation);
        } else if (is_internal_port(t)) {
            uint64_t n = port_number(t);
            if (n >> 32) {
                w_u8(w, ETF_V4_PORT);
                w_atom(w, node, o);
                w_u32(w, (uint32_t)(n >> 32));
                w_u32(w, (uint32_t)n);
            } else {
                w_u8(w, ETF_NEW_PORT);
                w_atom(w, node, o);
                w_u32(w, (uint32_t)n);
            }
            w_u32(w, creation);
        } else if (is_ref(t)) {
            /* magic.h: a decode on this node can find the object again */
            if (is_magic_ref(t)) magic_export(t);
            w_u8(w, ETF_NEWER_REFERENCE);
            w_u16(w, REF_NUMBERS);
            w_atom(w, node, o);
            w_u32(w, creation);
            for (int i = 0; i < REF_NUMBERS; i++) w_u32(w, ref_number(t, i));
        } else if (is_external_pid(t) || is_external_port(t) || is_external_ref(t)) {
            ExternalThing *e = external_val(t);
            if (is_external_pid(t)) {
                w_u8(w, ETF_NEW_PID);
                w_atom(w, e->node, o);
                w_u32(w, e->num[0]);
                w_u32(w, e->num[1]);
            } else if (is_external_port(t)) {
                if (e->num[1]) {
                    w_u8(w, ETF_V4_PORT);
                    w_atom(w, e->node, o);
                    w_u32(w, e->num[1]);
                    w_u32(w, e->num[0]);
                } else {
                    w_u8(w, ETF_NEW_PORT);
                    w_atom(w, e->node, o);
                    w_u32(w, e->num[0]);
                }
            } else {
                w_u8(w, ETF_NEWER_REFERENCE);
                w_u16(w, e->n_num);
                w_atom(w, e->node, o);
            }
            if (is_external_ref(t)) {
                w_u32(w, e->creation);
                for (uint32_t i = 0; i < e->n_num; i++) w_u32(w, e->num[i]);
            } else {
                w_u32(w, e->creation);
            }
        } else if (is_export(t)) {
            const ErtsMFA *m = export_mfa(t);
            w_u8(w, ETF_EXPORT);
            w_atom(w, m->module, o);
            w_atom(w, m->function, o);
            w_u8(w, ETF_SMALL_INTEGER);
            w_u8(w, m->arity);
        } else if (is_fun(t)) {
            /* NEW_FUN_EXT: Size Arity Uniq Index NumFree Module OldIndex
             * OldUniq Pid FreeVars. Funs keep no creator, so the pid is
             * <0.0.0> of the encoding node (OTP 26 does likewise). */
            const FunEntry *fe = fun_val(t)->entry;
            uint32_t nf = fun_num_free(t);
            size_t start = w->pos;
            w_u8(w, ETF_NEW_FUN);
            w_u32(w, 0);
            w_u8(w, fe->arity);
            w_bytes(w, fe->uniq, 16);
            w_u32(w, fe->index);
            w_u32(w, nf);
            w_atom(w, fe->module, o);
            w_integer(w, make_small(fe->index));
            w_integer(w, make_small((int32_t)fe->old_uniq));
            w_u8(w, ETF_NEW_PID);
            w_atom(w, node, o);
            w_u32(w, 0);
            w_u32(w, 0);
            w_u32(w, creation);
            push(&s, fun_end_mark(start));
            for (uint32_t i = nf; i > 0; i--) push(&s, fun_val(t)->env[i - 1]);
        } else {
            err = ETF_ERR_NOTSUP; /* match states */
        }
    }
    if (s.v != s.local) free(s.v);
    return err;
}

static const EtfOptions default_opts;

size_t etf_encoded_size(term_t t, const EtfOptions *opts, EtfError *err) {
    Writer w = {NULL, 0, 0};
    EtfError e = encode(t, opts ? opts : &default_opts, &w);
    if (err) *err = e;
    return e ? 0 : w.pos;
}

EtfError etf_encode(term_t t, const EtfOptions *opts, uint8_t *buf, size_t cap, size_t *len) {
    Writer w = {buf, cap, 0};
    EtfError e = encode(t, opts ? opts : &default_opts, &w);
    if (e) return e;
    if (w.pos > cap) return ETF_ERR_BUFFER;
    *len = w.pos;
    return ETF_OK;
}

EtfError etf_term_to_binary(Heap *h, term_t t, const EtfOptions *opts, term_t *out) {
    EtfError e;
    size_t n = etf_encoded_size(t, opts, &e);
    if (e) return e;
    uint8_t *data;
    term_t bin = binary_new_uninit(h, n, &data);
    size_t len;
    e = etf_encode(t, opts, data, n, &len);
    if (e) return e;
    *out = bin;
    return ETF_OK;
}

const char *etf_error_name(EtfError e) {
    static const char *const names[] = {
        "ok", "truncated", "bad_version", "bad_tag", "bad_size", "bad_atom", "bad_value",
        "trailing", "notsup", "compressed", "too_big", "buffer",
    };
    return (unsigned)e < sizeof names / sizeof names[0] ? names[e] : "unknown";
}
