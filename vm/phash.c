/*
 * phash.c — make_hash2, bit-compatible with OTP (erts/emulator/beam
 * utils.c, later erl_term_hashing.c). Structure: Bob Jenkins' 96-bit mix
 * applied per element; containers push their parts on an explicit stack,
 * maps hash each key/value pair independently and xor the results so the
 * value does not depend on the map's internal order.
 */
#include "vm/phash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bignum.h"
#include "vm/binary.h"
#include "vm/fun.h"
#include "vm/hash_mix.h"
#include "vm/map.h"

/* HCONST (the golden ratio) times 1..19, mod 2^32 */
#define HCONST HASH_GOLDEN
#define HCONST_2 0x3c6ef372u
#define HCONST_3 0xdaa66d2bu
#define HCONST_4 0x78dde6e4u
#define HCONST_5 0x1715609du
#define HCONST_6 0xb54cda56u
#define HCONST_7 0x5384540fu
#define HCONST_9 0x8ff34781u
#define HCONST_10 0x2e2ac13au
#define HCONST_11 0xcc623af3u
#define HCONST_12 0x6a99b4acu
#define HCONST_13 0x08d12e65u
#define HCONST_14 0xa708a81eu
#define HCONST_15 0x454021d7u
#define HCONST_16 0xe3779b90u
#define HCONST_19 0xbe1e08bbu

#define NIL_DEF 0x2u           /* OTP's tag_val_def for [] (hashed as a number) */
#define NIL_TOP_HASH 3468870702u /* phash2([]) before masking */

/* Stack markers: header words, which are never terms. */
#define MARK_MAP_TAIL make_header(1, REF_SUBTAG)
#define MARK_MAP_PAIR make_header(2, REF_SUBTAG)

static inline uint32_t hash1(uint32_t hash, uint32_t x, uint32_t k) { return hash_mix2(hash, x, 0, k); }

static uint32_t hash_small(uint32_t hash, int64_t v) {
    if (v >= -(1 << 27) && v < (1 << 27)) {
        int32_t y = (int32_t)v;
        if (y < 0) hash = hash1(hash, (uint32_t)-y, HCONST); /* mixed twice, as OTP */
        return hash1(hash, (uint32_t)y, HCONST);
    }
    uint64_t t = uabs64(v);
    return hash_mix2(hash, (uint32_t)t, (uint32_t)(t >> 32), v < 0 ? HCONST_10 : HCONST_11);
}

static uint32_t hash_bitstring(uint32_t hash, term_t t) {
    const uint8_t *p;
    size_t off, bits;
    bitstring_get(t, &p, &off, &bits);
    uint32_t con = HCONST_13 + hash;
    /* OTP truncates the byte size to 32 bits for compatibility. */
    size_t sz = (bits / 8) & 0xFFFFFFFFu;
    unsigned tail = bits % 8;
    if (sz == 0 && tail == 0) return con;
    uint8_t *copy = NULL;
    if (off) {
        copy = malloc(sz + 1);
        if (!copy) {
            fputs("phash2: out of memory\n", stderr);
            abort();
        }
        copy[sz] = 0;
        bits_copy(copy, 0, p, off, sz * 8 + tail);
        p = copy;
    }
    hash = hash_block(p, sz, con);
    if (tail) hash = hash_mix2(hash, tail, (uint32_t)(p[sz] >> (8 - tail)), HCONST_15);
    free(copy);
    return hash;
}

typedef struct {
    term_t *v;
    size_t len, cap;
    term_t local[64];
} Stack;

static void push(Stack *s, term_t t) {
    if (s->len == s->cap) {
        size_t cap = s->cap * 2;
        term_t *n = malloc(cap * sizeof *n);
        if (!n) {
            fputs("phash2: out of memory\n", stderr);
            abort();
        }
        memcpy(n, s->v, s->len * sizeof *n);
        if (s->v != s->local) free(s->v);
        s->v = n;
        s->cap = cap;
    }
    s->v[s->len++] = t;
}

uint32_t phash2_make_hash2(term_t term) {
    if (is_atom(term)) return atom_get(term)->hvalue;
    if (is_small(term)) return hash_small(0, small_value(term));

    Stack s;
    s.v = s.local;
    s.len = 0;
    s.cap = sizeof s.local / sizeof s.local[0];
    uint32_t hash = 0, xor_pairs = 0;

    for (;;) {
        /* Hash `term`; either continue with a part of it (`continue`) or
         * fall to the bottom to take the next term from the stack. */
        if (is_list(term)) {
            const term_t *ptr = list_val(term);
            uint32_t sh = 0;
            int c = 0;
            while (is_byte(ptr[0])) {
                /* strings: four bytes per mix */
                sh = (sh << 8) + (uint32_t)small_value(ptr[0]);
                if (c == 3) {
                    hash = hash1(hash, sh, HCONST_4);
                    c = 0;
                    sh = 0;
                } else {
                    c++;
                }
                term = ptr[1];
                if (!is_list(term)) break;
                ptr = list_val(term);
            }
            if (c > 0) hash = hash1(hash, sh, HCONST_4);
            if (is_list(term)) {
                push(&s, ptr[1]);
                term = ptr[0];
            }
            continue;
        }
        if (is_small(term)) {
            hash = hash_small(hash, small_value(term));
        } else if (is_atom(term)) {
            uint32_t hv = atom_get(term)->hvalue;
            hash = hash == 0 ? hv : hash1(hash, hv, HCONST_3);
        } else if (is_nil(term)) {
            hash = hash == 0 ? NIL_TOP_HASH : hash1(hash, NIL_DEF, HCONST_2);
        } else if (is_internal_pid(term)) {
            hash = hash1(hash, pid_number(term), HCONST_5);
        } else if (is_internal_port(term)) {
            uint64_t n = port_number(term);
            hash = hash_mix2(hash, (uint32_t)n, (uint32_t)(n >> 32), HCONST_6);
        } else {
            term_t *p = boxed_val(term);
            switch (header_subtag(p[0])) {
            case TUPLE_SUBTAG: {
                uint64_t n = header_arity(p[0]);
                hash = hash1(hash, (uint32_t)n, HCONST_9);
                if (n == 0) break;
                for (uint64_t i = n; i > 1; i--) push(&s, p[i]);
                term = p[1];
                continue;
            }
            case MAP_SUBTAG: {
                /* The pair hashes are xor-ed, so the visiting order does
                 * not matter: flatmaps and HAMTs (OTP walks its nodes)
                 * give the same value for the same pairs. */
                size_t n = map_size(term);
                hash = hash1(hash, (uint32_t)n, HCONST_16);
                if (n == 0) break;
                push(&s, xor_pairs);
                push(&s, hash);
                push(&s, MARK_MAP_TAIL);
                hash = 0;
                xor_pairs = 0;
                MapIter it;
                term_t k, v;
                map_iter_init(&it, term);
                while (map_iter_next(&it, &k, &v)) {
                    push(&s, MARK_MAP_PAIR);
                    push(&s, v);
                    push(&s, k);
                }
                break;
            }
            case POS_BIG_SUBTAG:
            case NEG_BIG_SUBTAG: {
                uint32_t con = big_is_neg(term) ? HCONST_10 : HCONST_11;
                const uint64_t *d = big_digit_ptr(term);
                for (size_t i = 0, n = big_digits(term); i < n; i++)
                    hash = hash_mix2(hash, (uint32_t)d[i], (uint32_t)(d[i] >> 32), con);
                break;
            }
            case FLOAT_SUBTAG: {
                double d = float_value(term);
                if (d == 0.0) d = 0.0; /* -0.0 hashes as +0.0 */
                uint64_t w;
                memcpy(&w, &d, sizeof w);
                hash = hash_mix2(hash, (uint32_t)(w >> 32), (uint32_t)w, HCONST_12);
                break;
            }
            case REFC_BINARY_SUBTAG:
            case HEAP_BINARY_SUBTAG:
            case SUB_BINARY_SUBTAG:
                hash = hash_bitstring(hash, term);
                break;
            case REF_SUBTAG:
                hash = hash1(hash, ref_number(term, 0), HCONST_7);
                break;
            case EXTERNAL_REF_SUBTAG:
                hash = hash1(hash, external_val(term)->num[0], HCONST_7);
                break;
            case EXTERNAL_PID_SUBTAG:
                hash = hash1(hash, external_val(term)->num[0], HCONST_5);
                break;
            case EXTERNAL_PORT_SUBTAG: {
                ExternalThing *e = external_val(term);
                hash = hash_mix2(hash, e->num[0], e->n_num > 1 ? e->num[1] : 0, HCONST_6);
                break;
            }
            case EXPORT_SUBTAG: {
                const ErtsMFA *m = export_mfa(term);
                hash = hash_mix2(hash, m->arity, atom_get(m->module)->hvalue, HCONST);
                hash = hash1(hash, atom_get(m->function)->hvalue, HCONST_14);
                break;
            }
            case FUN_SUBTAG: {
                FunThing *f = fun_val(term);
                uint32_t nf = fun_num_free(term);
                hash = hash_mix2(hash, nf, atom_get(f->entry->module)->hvalue, HCONST);
                hash = hash_mix2(hash, f->entry->index, f->entry->old_uniq, HCONST);
                if (nf == 0) break;
                for (uint32_t i = nf; i > 1; i--) push(&s, f->env[i - 1]);
                term = f->env[0];
                continue;
            }
            default:
                break;
            }
        }
        /* hash2_common: next term from the stack, handling map markers */
        for (;;) {
            if (s.len == 0) {
                if (s.v != s.local) free(s.v);
                return hash;
            }
            term = s.v[--s.len];
            if (term == MARK_MAP_TAIL) {
                hash = (uint32_t)s.v[--s.len];
                hash = hash1(hash, xor_pairs, HCONST_19);
                xor_pairs = (uint32_t)s.v[--s.len];
            } else if (term == MARK_MAP_PAIR) {
                xor_pairs ^= hash;
                hash = 0;
            } else {
                break;
            }
        }
    }
}
