/*
 * bif_phash_legacy.c — erlang:phash/2, OTP's legacy portable hash
 * (make_hash in erts/emulator/beam/utils.c), kept for old code and for
 * data whose layout depends on its values (old dets files, hashed
 * partitions), so every value must equal stock erl's.
 *
 * The hash is H = H * P + X (mod 2^32) with a different large prime P per
 * kind of data, fed byte by byte for integers (least significant first,
 * in 32-bit groups, so a value hashes the same whether it is a small or
 * a bignum) and for binaries. Containers hash their parts in order and
 * then close with a marker step (tuples: arity; list tails: a multiply),
 * so nesting changes the value. Maps are the exception: OTP hashes them
 * with make_hash2 (vm/phash.c), whose value does not depend on the map's
 * internal order.
 *
 * Traversal uses an explicit stack, so deep terms cannot overflow the C
 * stack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/binary.h"
#include "vm/fun.h"
#include "vm/phash.h"

/* OTP's primes just above 2^28, by their OTP names (FUNNY_NUMBERn). */
#define P1 268440163u
#define P2 268439161u
#define P3 268435459u
#define P4 268436141u
#define P5 268438633u
#define P6 268437017u
#define P8 268437511u
#define P9 268439627u
#define P10 268440479u
#define P11 268440577u
#define P12 268440581u
#define P13 268440593u
#define P14 268440611u

/* Pending work. ARRAY hashes n terms from ptr in order; LIST_TAIL is the
 * tail after a non-byte list element (continue the list, or hash the
 * improper tail and close); CLOSE_LIST and CLOSE_TUPLE are the closing
 * steps after a list tail and after a tuple's elements. */
enum { OP_ARRAY, OP_LIST_TAIL, OP_CLOSE_LIST, OP_CLOSE_TUPLE };

typedef struct {
    unsigned op;
    const term_t *ptr; /* OP_ARRAY */
    term_t t;          /* OP_LIST_TAIL */
    uint64_t n;        /* OP_ARRAY: terms left; OP_CLOSE_TUPLE: arity */
} Work;

typedef struct {
    Work *v;
    size_t len, cap;
    Work local[32];
} WorkStack;

static void push(WorkStack *s, Work w) {
    if (s->len == s->cap) {
        size_t cap = s->cap * 2;
        Work *n = malloc(cap * sizeof *n);
        if (!n) {
            fputs("phash: out of memory\n", stderr);
            abort();
        }
        memcpy(n, s->v, s->len * sizeof *n);
        if (s->v != s->local) free(s->v);
        s->v = n;
        s->cap = cap;
    }
    s->v[s->len++] = w;
}

/* The four bytes of x, least significant first. */
static uint32_t step_u32(uint32_t hash, uint32_t x, uint32_t prime) {
    for (int i = 0; i < 4; i++) hash = hash * prime + ((x >> (8 * i)) & 0xFF);
    return hash;
}

/* An integer's magnitude, as 64-bit digits (least significant first):
 * every byte of all digits but the last, then 4 or 8 bytes of the last
 * (8 only if its high half is used). A small is a one-digit number. */
static uint32_t hash_magnitude(uint32_t hash, const uint64_t *d, size_t n, bool neg) {
    for (size_t i = 0; i + 1 < n; i++)
        for (int j = 0; j < 8; j++) hash = hash * P2 + (uint32_t)((d[i] >> (8 * j)) & 0xFF);
    uint64_t last = d[n - 1];
    int bytes = (last >> 32) ? 8 : 4;
    for (int j = 0; j < bytes; j++) hash = hash * P2 + (uint32_t)((last >> (8 * j)) & 0xFF);
    return hash * (neg ? P4 : P3);
}

static uint32_t hash_bits(uint32_t hash, term_t t) {
    const uint8_t *p;
    size_t off, bits;
    bitstring_get(t, &p, &off, &bits);
    size_t bytes = bits / 8;
    unsigned tail = bits % 8;
    for (size_t i = 0; i < bytes; i++) {
        uint8_t b;
        bits_copy(&b, 0, p, off + 8 * i, 8);
        hash = hash * P1 + b;
    }
    if (tail) {
        uint8_t b = 0;
        bits_copy(&b, 0, p, off + 8 * bytes, tail);
        b >>= 8 - tail; /* the tail bits as a number */
        hash = (hash * P1 + b) * P12 + tail;
    }
    /* OTP adds the byte size only: the tail bits were counted above. */
    return hash * P4 + (uint32_t)bytes;
}

static inline uint32_t atom_hv(term_t a) { return atom_get(a)->hvalue; }

/* OTP's make_hash. */
static uint32_t make_hash(term_t term) {
    WorkStack s;
    s.v = s.local;
    s.len = 0;
    s.cap = sizeof s.local / sizeof s.local[0];
    uint32_t hash = 0;

    for (;;) {
        /* Hash `term`; a container hashes its first part by `continue`
         * and leaves the rest on the stack. */
        if (is_list(term)) {
            const term_t *c = list_val(term);
            for (;;) {
                if (!is_byte(c[0])) {
                    push(&s, (Work){.op = OP_LIST_TAIL, .t = c[1]});
                    term = c[0];
                    break;
                }
                hash = hash * P2 + (uint32_t)small_value(c[0]);
                if (!is_list(c[1])) {
                    push(&s, (Work){.op = OP_CLOSE_LIST});
                    term = c[1];
                    break;
                }
                c = list_val(c[1]);
            }
            continue;
        }
        if (is_nil(term)) {
            hash = hash * P3 + 1;
        } else if (is_atom(term)) {
            hash = hash * P1 + atom_hv(term);
        } else if (is_small(term)) {
            int64_t v = small_value(term);
            uint64_t mag = uabs64(v);
            hash = hash_magnitude(hash, &mag, 1, v < 0);
        } else if (is_internal_pid(term)) {
            hash = step_u32(hash, pid_number(term), P5) * P6;
        } else if (is_internal_port(term)) {
            hash = step_u32(hash, (uint32_t)port_number(term), P9) * P10;
        } else {
            term_t *p = boxed_val(term);
            switch (header_subtag(p[0])) {
            case TUPLE_SUBTAG: {
                uint64_t n = header_arity(p[0]);
                push(&s, (Work){.op = OP_CLOSE_TUPLE, .n = n});
                push(&s, (Work){.op = OP_ARRAY, .ptr = p + 1, .n = n});
                break;
            }
            case POS_BIG_SUBTAG:
            case NEG_BIG_SUBTAG:
                hash = hash_magnitude(hash, big_digit_ptr(term), big_digits(term), big_is_neg(term));
                break;
            case FLOAT_SUBTAG: {
                double d = float_value(term);
                if (d == 0.0) d = 0.0; /* -0.0 hashes as +0.0 */
                uint64_t w;
                memcpy(&w, &d, sizeof w);
                hash = hash * P6 + ((uint32_t)w ^ (uint32_t)(w >> 32));
                break;
            }
            case REFC_BINARY_SUBTAG:
            case HEAP_BINARY_SUBTAG:
            case SUB_BINARY_SUBTAG:
                hash = hash_bits(hash, term);
                break;
            case MAP_SUBTAG:
                hash = hash * P13 + P14 + phash2_make_hash2(term);
                break;
            case REF_SUBTAG:
                hash = step_u32(hash, ref_number(term, 0), P9) * P10;
                break;
            case EXTERNAL_REF_SUBTAG:
            case EXTERNAL_PORT_SUBTAG:
                hash = step_u32(hash, external_val(term)->num[0], P9) * P10;
                break;
            case EXTERNAL_PID_SUBTAG:
                hash = step_u32(hash, external_val(term)->num[0], P5) * P6;
                break;
            case EXPORT_SUBTAG: {
                const ErtsMFA *m = export_mfa(term);
                hash = hash * P11 + (uint32_t)m->arity;
                hash = hash * P1 + atom_hv(m->module);
                hash = hash * P1 + atom_hv(m->function);
                break;
            }
            case FUN_SUBTAG: {
                const FunThing *f = fun_val(term);
                uint32_t nf = fun_num_free(term);
                hash = hash * P10 + nf;
                hash = hash * P1 + atom_hv(f->entry->module);
                hash = hash * P2 + f->entry->index;
                hash = hash * P2 + f->entry->old_uniq;
                if (nf) push(&s, (Work){.op = OP_ARRAY, .ptr = f->env, .n = nf});
                break;
            }
            default:
                break;
            }
        }

        /* Next piece of work. */
        for (;;) {
            if (s.len == 0) {
                if (s.v != s.local) free(s.v);
                return hash;
            }
            Work *w = &s.v[s.len - 1];
            if (w->op == OP_ARRAY) {
                if (w->n == 0) {
                    s.len--;
                    continue;
                }
                term = *w->ptr++;
                w->n--;
                break;
            }
            s.len--;
            if (w->op == OP_CLOSE_TUPLE) {
                hash = hash * P9 + (uint32_t)w->n;
            } else if (w->op == OP_CLOSE_LIST) {
                hash *= P8;
            } else { /* OP_LIST_TAIL */
                term = w->t;
                if (!is_list(term)) push(&s, (Work){.op = OP_CLOSE_LIST});
                break;
            }
        }
    }
}

/* phash(Term, Range): 1 =< Range =< 2^32; the result is in 1..Range. */
term_t bif_erlang_phash_2(Process *p, term_t *args) {
    term_t r = args[1];
    if (!is_small(r) || small_value(r) < 1 || small_value(r) > ((int64_t)1 << 32)) BIF_ERROR(p, ATOM_badarg);
    uint64_t range = (uint64_t)small_value(r);
    uint64_t h = make_hash(args[0]);
    return make_small((int64_t)(h % range + 1));
}
