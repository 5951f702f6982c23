/*
 * etf_encode.c — term_to_binary. One traversal writes or, with no buffer,
 * only counts, so the size pass and the write pass cannot disagree. The
 * traversal is the resumable engine of etf_impl.h (a stack of frames, a
 * work budget); the one-call functions of etf.h run it with no budget.
 */
#include "vm/etf.h"
#include "vm/etf_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bignum.h"
#include "vm/binary.h"
#include "vm/magic.h"
#include "vm/map.h"
#include "vm/map_hamt.h"
#include "vm/term_compare.h"

typedef EtfEncoder Writer;

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

/* BINARY_EXT / BIT_BINARY_EXT up to the bytes. */
static void w_bitstring_head(Writer *w, size_t bits) {
    size_t bytes = (bits + 7) / 8;
    if (bits % 8 == 0) {
        w_u8(w, ETF_BINARY);
        w_u32(w, (uint32_t)bytes);
    } else {
        w_u8(w, ETF_BIT_BINARY);
        w_u32(w, (uint32_t)bytes);
        w_u8(w, bits % 8);
    }
}

/* Bytes [from, to) of bitstring t's encoded body: its bits from the first,
 * the unused low bits of the last byte cleared. */
static void w_bitstring_body(Writer *w, term_t t, size_t from, size_t to) {
    const uint8_t *p;
    size_t off, bits;
    bitstring_get(t, &p, &off, &bits);
    size_t n = to - from;
    if (!w->buf || w->pos + n > w->cap) {
        w->pos += n;
        return;
    }
    uint8_t *d = w->buf + w->pos;
    if (off == 0) {
        memcpy(d, p + from, n);
    } else {
        size_t end_bits = to * 8 < bits ? to * 8 : bits;
        memset(d, 0, n);
        bits_copy(d, 0, p, off + from * 8, end_bits - from * 8);
    }
    if (to == (bits + 7) / 8 && bits % 8 && n) d[n - 1] &= (uint8_t)(0xFF00u >> (bits % 8));
    w->pos += n;
}

/* Overwrites 4 bytes at `at` (a LIST_EXT length, a NEW_FUN_EXT size). */
static void w_patch_u32(Writer *w, size_t at, uint32_t v) {
    if (!w->buf || at + 4 > w->cap) return;
    w->buf[at] = (uint8_t)(v >> 24);
    w->buf[at + 1] = (uint8_t)(v >> 16);
    w->buf[at + 2] = (uint8_t)(v >> 8);
    w->buf[at + 3] = (uint8_t)v;
}

/* Length of a proper list of bytes, or -1 (STRING_EXT test); *walked
 * receives the cells looked at. */
static long byte_string_len(term_t t, size_t *walked) {
    long n = 0;
    for (; is_list(t); t = cons_tail(t)) {
        if (!is_byte(cons_head(t)) || n == 65535) {
            *walked += (size_t)n;
            return -1;
        }
        n++;
    }
    *walked += (size_t)n;
    return is_nil(t) ? n : -1;
}

/* ---- the engine (etf_impl.h) ---- */

/* Frame ops. a/b/c per op:
 *   TERM     a = the term to encode
 *   LIST     a = the cell whose head is next, b = where its LIST_EXT length
 *            goes, c = heads written so far
 *   TUPLE    a = the tuple, b = index of the next element (1-based)
 *   FLATMAP  a = the map, b = next of key0, value0, key1, ... (0-based)
 *   HAMT     a = a trie node (head or inner), b = its next entry
 *   FUNENV   a = the fun, b = its next free variable
 *   FUN_END  a = offset of the NEW_FUN_EXT tag (its Size is patched)
 *   BIN      a = the bitstring, b = body bytes written so far */
enum { OP_TERM, OP_LIST, OP_TUPLE, OP_FLATMAP, OP_HAMT, OP_FUNENV, OP_FUN_END, OP_BIN };

/* Bodies up to this size are copied at once; longer ones in budgeted
 * steps of the BIN frame. */
#define BIN_DIRECT_BYTES 4096

static void push(EtfEncoder *e, unsigned op, term_t a, term_t b, term_t c) {
    if (e->len == e->cap_frames) {
        size_t cap = e->cap_frames * 2;
        EtfFrame *n = malloc(cap * sizeof *n);
        if (!n) {
            fputs("etf: out of memory\n", stderr);
            abort();
        }
        memcpy(n, e->v, e->len * sizeof *n);
        if (e->v != e->local) free(e->v);
        e->v = n;
        e->cap_frames = cap;
    }
    e->v[e->len++] = (EtfFrame){make_small(op), a, b, c};
}

/* A HAMT node's entries are written last first (see OP_HAMT). */
static void push_hamt_node(EtfEncoder *e, term_t node) {
    unsigned k;
    hamt_node_entries(node, &k);
    push(e, OP_HAMT, node, make_small((int64_t)k - 1), make_small(0));
}

static const EtfOptions default_opts;

void etf_enc_init(EtfEncoder *e, const EtfOptions *opts, uint8_t *buf, size_t cap, size_t pos) {
    e->buf = buf;
    e->cap = cap;
    e->pos = pos;
    e->o = opts ? opts : &default_opts;
    e->node = e->o->node ? e->o->node : term_local_node();
    e->creation = e->o->node ? e->o->creation : term_local_creation();
    e->v = e->local;
    e->len = 0;
    e->cap_frames = ETF_ENC_LOCAL_FRAMES;
}

void etf_enc_begin(EtfEncoder *e, term_t t) {
    w_u8(e, ETF_VERSION);
    push(e, OP_TERM, t, make_small(0), make_small(0));
}

void etf_enc_push_frame(EtfEncoder *e, const EtfFrame *f) {
    push(e, (unsigned)small_value(f->op), f->a, f->b, f->c);
    e->v[e->len - 1].op = f->op;
}

void etf_enc_free(EtfEncoder *e) {
    if (e->v != e->local) free(e->v);
    e->v = e->local;
    e->len = 0;
}

static int pair_compare(const void *a, const void *b) {
    return term_compare_exact(*(const term_t *)a, *(const term_t *)b);
}

/* A tuple {K1, V1, ..., Kn, Vn} of the large map m's pairs in map-key
 * order (term_compare_exact, which is also a flatmap's order). */
static term_t sorted_pairs(Heap *h, term_t m, size_t n) {
    term_t *hp = heap_alloc(h, tuple_words(2 * n));
    term_t tup = make_tuple_header(hp, 2 * n);
    MapIter it;
    map_iter_init(&it, m);
    term_t *at = hp + 1;
    while (map_iter_next(&it, &at[0], &at[1])) at += 2;
    qsort(hp + 1, n, 2 * sizeof(term_t), pair_compare);
    return tup;
}

/* Writes what t's encoding starts with and pushes frames for its parts. */
static EtfError encode_one(EtfEncoder *w, term_t t, size_t *units) {
    const EtfOptions *o = w->o;
    if (is_integer(t)) {
        if (!is_small(t)) *units += big_digits(t) * 8 / ETF_BYTES_PER_UNIT;
        w_integer(w, t);
    } else if (is_atom(t)) {
        w_atom(w, t, o);
    } else if (is_nil(t)) {
        w_u8(w, ETF_NIL);
    } else if (is_list(t)) {
        long sl = byte_string_len(t, units);
        if (sl >= 0) {
            w_u8(w, ETF_STRING);
            w_u16(w, (unsigned)sl);
            for (; is_list(t); t = cons_tail(t)) w_u8(w, (unsigned)small_value(cons_head(t)));
            return ETF_OK;
        }
        w_u8(w, ETF_LIST);
        size_t at = w->pos;
        w_u32(w, 0);                  /* the length, when the list ends */
        push(w, OP_LIST, t, make_small((int64_t)at), make_small(0));
    } else if (is_float(t) && o->float_text) {
        /* FLOAT_EXT: 31 bytes of "%.20e", zero padded (minor_version 0) */
        char text[32] = {0};
        snprintf(text, sizeof text, "%.20e", float_value(t));
        w_u8(w, ETF_FLOAT);
        w_bytes(w, text, 31);
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
        if (n) push(w, OP_TUPLE, t, make_small(1), make_small(0));
    } else if (is_map(t)) {
        size_t n = map_size(t);
        w_u8(w, ETF_MAP);
        w_u32(w, (uint32_t)n);
        /* Pairs in OTP 25's order: flatmaps in key order, HAMTs in
         * reverse trie order (each node's entries last first), which is
         * maps:keys/1's order (map_hamt.h). */
        if (map_kind(t) == MAP_KIND_FLAT) {
            if (n) push(w, OP_FLATMAP, t, make_small(0), make_small(0));
        } else if (o->sort_maps_on) {
            /* deterministic: {K1, V1, K2, V2, ...} in key order, written
             * as a tuple's elements are */
            push(w, OP_TUPLE, sorted_pairs(o->sort_maps_on, t, n), make_small(1), make_small(0));
            *units += n;
        } else {
            push_hamt_node(w, t);
        }
    } else if (is_bitstring(t)) {
        size_t bits = bitstring_bit_size(t), bytes = (bits + 7) / 8;
        w_bitstring_head(w, bits);
        if (!w->buf || bytes <= BIN_DIRECT_BYTES) {
            w_bitstring_body(w, t, 0, bytes);
            *units += bytes / ETF_BYTES_PER_UNIT;
        } else {
            push(w, OP_BIN, t, make_small(0), make_small(0));
        }
    } else if (is_internal_pid(t)) {
        w_u8(w, ETF_NEW_PID);
        w_atom(w, w->node, o);
        w_u32(w, pid_number(t));
        w_u32(w, pid_serial(t));
        w_u32(w, w->creation);
    } else if (is_internal_port(t)) {
        uint64_t n = port_number(t);
        if (n >> 32) {
            w_u8(w, ETF_V4_PORT);
            w_atom(w, w->node, o);
            w_u32(w, (uint32_t)(n >> 32));
            w_u32(w, (uint32_t)n);
        } else {
            w_u8(w, ETF_NEW_PORT);
            w_atom(w, w->node, o);
            w_u32(w, (uint32_t)n);
        }
        w_u32(w, w->creation);
    } else if (is_ref(t)) {
        /* magic.h: a decode on this node can find the object again */
        if (is_magic_ref(t)) magic_export(t);
        w_u8(w, ETF_NEWER_REFERENCE);
        w_u16(w, REF_NUMBERS);
        w_atom(w, w->node, o);
        w_u32(w, w->creation);
        for (int i = 0; i < REF_NUMBERS; i++) w_u32(w, ref_number(t, i));
    } else if (is_external_pid(t) || is_external_port(t) || is_external_ref(t)) {
        ExternalThing *x = external_val(t);
        if (is_external_pid(t)) {
            w_u8(w, ETF_NEW_PID);
            w_atom(w, x->node, o);
            w_u32(w, x->num[0]);
            w_u32(w, x->num[1]);
        } else if (is_external_port(t)) {
            if (x->num[1]) {
                w_u8(w, ETF_V4_PORT);
                w_atom(w, x->node, o);
                w_u32(w, x->num[1]);
                w_u32(w, x->num[0]);
            } else {
                w_u8(w, ETF_NEW_PORT);
                w_atom(w, x->node, o);
                w_u32(w, x->num[0]);
            }
        } else {
            w_u8(w, ETF_NEWER_REFERENCE);
            w_u16(w, x->n_num);
            w_atom(w, x->node, o);
        }
        w_u32(w, x->creation);
        if (is_external_ref(t))
            for (uint32_t i = 0; i < x->n_num; i++) w_u32(w, x->num[i]);
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
         * <0.0.0> of the encoding node (OTP 26 does likewise). Size is
         * patched by the FUN_END frame below the free variables. */
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
        w_atom(w, w->node, o);
        w_u32(w, 0);
        w_u32(w, 0);
        w_u32(w, w->creation);
        push(w, OP_FUN_END, make_small((int64_t)start), make_small(0), make_small(0));
        if (nf) push(w, OP_FUNENV, t, make_small(0), make_small(0));
    } else {
        return ETF_ERR_NOTSUP; /* match states */
    }
    return ETF_OK;
}

EtfError etf_enc_run(EtfEncoder *e, size_t budget, size_t *units_out, bool *more) {
    size_t units = 0;
    EtfError err = ETF_OK;
    *more = false;
    while (e->len) {
        if (units >= budget) {
            *more = true;
            break;
        }
        units++;
        EtfFrame *f = &e->v[e->len - 1];
        term_t t;
        switch (small_value(f->op)) {
        case OP_TERM:
            t = f->a;
            e->len--;
            break;
        case OP_LIST: {
            term_t l = f->a, tl = cons_tail(l);
            int64_t n = small_value(f->c) + 1;
            t = cons_head(l);
            if (is_list(tl)) {
                f->a = tl;
                f->c = make_small(n);
            } else {
                w_patch_u32(e, (size_t)small_value(f->b), (uint32_t)n);
                f->op = make_small(OP_TERM); /* the tail, after the last head */
                f->a = tl;
                push(e, OP_TERM, t, make_small(0), make_small(0));
                continue;
            }
            break;
        }
        case OP_TUPLE: {
            int64_t i = small_value(f->b);
            t = tuple_element(f->a, (uint64_t)i);
            if ((uint64_t)i == tuple_arity(f->a)) e->len--;
            else f->b = make_small(i + 1);
            break;
        }
        case OP_FLATMAP: {
            int64_t j = small_value(f->b);
            term_t m = f->a;
            t = j % 2 ? flatmap_values(m)[j / 2] : tuple_val(flatmap_keys(m))[1 + j / 2];
            if ((size_t)j + 1 == 2 * flatmap_size(m)) e->len--;
            else f->b = make_small(j + 1);
            break;
        }
        case OP_HAMT: { /* entries from index b down to 0 */
            unsigned k;
            const term_t *ents = hamt_node_entries(f->a, &k);
            int64_t i = small_value(f->b);
            term_t x = ents[i];
            if (i == 0) e->len--;
            else f->b = make_small(i - 1);
            if (is_list(x)) {   /* a leaf [Key | Value] */
                push(e, OP_TERM, cons_tail(x), make_small(0), make_small(0));
                t = cons_head(x);
            } else {            /* an inner node */
                push_hamt_node(e, x);
                continue;
            }
            break;
        }
        case OP_FUNENV: {
            int64_t i = small_value(f->b);
            t = fun_val(f->a)->env[i];
            if ((uint32_t)i + 1 == fun_num_free(f->a)) e->len--;
            else f->b = make_small(i + 1);
            break;
        }
        case OP_FUN_END: {
            size_t start = (size_t)small_value(f->a); /* the NEW_FUN_EXT tag */
            e->len--;
            w_patch_u32(e, start + 1, (uint32_t)(e->pos - start - 1));
            continue;
        }
        case OP_BIN: {
            size_t bytes = (bitstring_bit_size(f->a) + 7) / 8, from = (size_t)small_value(f->b);
            size_t left = budget - units + 1, chunk = bytes - from;
            size_t allow = left > SIZE_MAX / ETF_BYTES_PER_UNIT ? SIZE_MAX : left * ETF_BYTES_PER_UNIT;
            if (allow < BIN_DIRECT_BYTES) allow = BIN_DIRECT_BYTES;
            if (chunk > allow) chunk = allow;
            w_bitstring_body(e, f->a, from, from + chunk);
            units += chunk / ETF_BYTES_PER_UNIT;
            if (from + chunk == bytes) e->len--;
            else f->b = make_small((int64_t)(from + chunk));
            continue;
        }
        default:
            err = ETF_ERR_BAD_VALUE;  /* not a frame op */
            goto out;
        }
        if ((err = encode_one(e, t, &units))) break;
    }
out:
    *units_out += units;
    return err;
}

static EtfError encode(term_t t, const EtfOptions *o, uint8_t *buf, size_t cap, size_t *len) {
    EtfEncoder e;
    etf_enc_init(&e, o, buf, cap, 0);
    etf_enc_begin(&e, t);
    size_t units = 0;
    bool more;
    EtfError err = etf_enc_run(&e, SIZE_MAX, &units, &more);
    etf_enc_free(&e);
    *len = e.pos;
    return err;
}

size_t etf_encoded_size(term_t t, const EtfOptions *opts, EtfError *err) {
    size_t n;
    EtfError e = encode(t, opts, NULL, 0, &n);
    if (err) *err = e;
    return e ? 0 : n;
}

EtfError etf_encode(term_t t, const EtfOptions *opts, uint8_t *buf, size_t cap, size_t *len) {
    size_t n;
    EtfError e = encode(t, opts, buf, cap, &n);
    if (e) return e;
    if (n > cap) return ETF_ERR_BUFFER;
    *len = n;
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
