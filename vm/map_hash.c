/*
 * map_hash.c — OTP 25's internal term hash (make_internal_hash), which
 * places keys in large maps. See map_hash.h for what is and is not the
 * same as on stock erl.
 *
 * Shape: a running 32-bit value, started from salt ^ SALT_BASE, into which
 * Bob Jenkins' 96-bit mix folds each piece of the term in a pre-order
 * walk (containers push their remaining parts on an explicit stack).
 * The order of the walk is part of the value:
 *   - a list folds its leading run of bytes four at a time, then each
 *     non-byte element (head, then a CDR marker if the tail is not a list,
 *     then the tail); a tail reached inside the byte run is hashed plainly;
 *   - a tuple folds its arity, then its elements left to right;
 *   - a flatmap folds its size, then key, value in key order; a HAMT folds
 *     its size, then key, value in reverse trie order (OTP pushes a node's
 *     entries in order and pops them last first).
 */
#include "vm/map_hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/binary.h"
#include "vm/bignum.h"
#include "vm/fun.h"
#include "vm/hash_mix.h"
#include "vm/map.h"
#include "vm/map_hamt.h"

/* The golden ratio 0x9e3779b9 times n, mod 2^32 (OTP's HCONST_n). */
#define K(n) ((uint32_t)(HASH_GOLDEN * (uint32_t)(n)))

#define SALT_BASE MAP_HASH_SALT_BASE

/* Stack markers (header words, never terms). */
#define MARK_CDR make_header(1, REF_SUBTAG)

/* OTP's process and port tables (default sizes: 2^18 processes, 2^16
 * ports) keep an id's table index in the word's upper half, with the
 * index's low bits rotated up by 3 so neighbours land on different
 * cache lines. A local pid's number (15 bits) and serial (13 bits) make
 * the 28-bit id data, which also fills bits 4..31. */
#define PID_INDEX_BITS 18
#define PORT_INDEX_BITS 16
static uint64_t otp_id_word(uint64_t data, unsigned index_bits, unsigned tag) {
    uint64_t mask = ((uint64_t)1 << index_bits) - 1, ix = data & mask;
    uint64_t pix = ((ix << 3) | (ix >> (index_bits - 3))) & mask;
    return (pix << 32) | ((data & 0xFFFFFFFu) << 4) | tag;
}


static inline uint32_t mix_word(uint32_t hash, uint64_t w, uint32_t k) {
    return hash_mix2(hash, (uint32_t)w, (uint32_t)(w >> 32), k);
}

static inline uint32_t rotate_const(uint32_t hash, uint32_t k) {
    hash ^= k;
    return (hash << 17) ^ (hash >> 15);
}

static uint32_t hash_immediate(uint32_t hash, term_t t) {
    uint64_t w = t;
    if (is_internal_pid(t))
        w = otp_id_word(((uint64_t)(pid_serial(t) & 0x1FFF) << 15) | (pid_number(t) & 0x7FFF), PID_INDEX_BITS, 0x3);
    else if (is_internal_port(t))
        w = otp_id_word(port_number(t), PORT_INDEX_BITS, 0x7);
    return mix_word(hash, w, K(1));
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("map_hash: out of memory\n", stderr);
        abort();
    }
    return p;
}

static uint32_t hash_bitstring(uint32_t hash, term_t t) {
    const uint8_t *p;
    size_t off, bits;
    bitstring_get(t, &p, &off, &bits);
    uint32_t con = K(13) + hash;
    size_t sz = bits / 8;
    unsigned tail = bits % 8;
    if (sz == 0 && tail == 0) return con;
    uint8_t *copy = NULL;
    if (off) {
        copy = xmalloc(sz + 1);
        copy[sz] = 0;
        bits_copy(copy, 0, p, off, sz * 8 + tail);
        p = copy;
    }
    hash = hash_block(p, sz, con);
    if (tail) hash = hash_mix2(hash, tail, (uint32_t)(p[sz] >> (8 - tail)), K(15));
    free(copy);
    return hash;
}

typedef struct {
    term_t *v;
    size_t len, cap;
    term_t local[32];
} Stack;

static void push(Stack *s, term_t t) {
    if (s->len == s->cap) {
        size_t cap = s->cap * 2;
        term_t *n = xmalloc(cap * sizeof *n);
        memcpy(n, s->v, s->len * sizeof *n);
        if (s->v != s->local) free(s->v);
        s->v = n;
        s->cap = cap;
    }
    s->v[s->len++] = t;
}

/* Pushes a HAMT node's entries so they pop last first, leaves as key
 * then value. */
static void push_hamt_node(Stack *s, term_t node) {
    unsigned k;
    const term_t *e = hamt_node_entries(node, &k);
    for (unsigned i = 0; i < k; i++) {
        if (is_list(e[i])) {
            push(s, cons_tail(e[i]));
            push(s, cons_head(e[i]));
        } else {
            push(s, e[i]);
        }
    }
}

uint32_t map_hash_term(term_t term, uint32_t salt) {
    uint32_t hash = salt ^ SALT_BASE;
    if (is_small(term) || is_atom(term)) return mix_word(hash, term, K(1)); /* the common keys */
    if (is_immed(term)) return hash_immediate(hash, term);

    Stack s;
    s.v = s.local;
    s.len = 0;
    s.cap = sizeof s.local / sizeof s.local[0];
    for (;;) {
        /* Hash `term`: either continue with one of its parts, or fall to
         * the bottom to take the next term from the stack. */
        if (is_list(term)) {
            const term_t *ptr = list_val(term);
            uint32_t sh = 0, c = 0;
            while (is_byte(ptr[0])) {
                sh = (sh << 8) + (uint32_t)small_value(ptr[0]);
                if (c == 3) {
                    hash = hash_mix2(hash, sh, 0, K(4));
                    c = sh = 0;
                } else {
                    c++;
                }
                term = ptr[1];
                if (!is_list(term)) break;
                ptr = list_val(term);
            }
            if (c > 0) hash = hash_mix2(hash, sh, c, K(22));
            if (is_list(term)) {
                term_t tail = ptr[1];
                hash = rotate_const(hash, K(17));
                push(&s, tail);
                if (!is_list(tail)) push(&s, MARK_CDR);
                term = ptr[0];
            }
            continue; /* the head, or the tail the byte run ended on */
        }
        if (is_immed(term)) {
            hash = hash_immediate(hash, term);
        } else {
            term_t *p = boxed_val(term);
            switch (header_subtag(p[0])) {
            case TUPLE_SUBTAG: {
                uint64_t n = header_arity(p[0]);
                hash = hash_mix2(hash, (uint32_t)n, 0, K(9));
                if (n == 0) break;
                for (uint64_t i = n; i > 1; i--) push(&s, p[i]);
                term = p[1];
                continue;
            }
            case MAP_SUBTAG:
                if (map_kind(term) == MAP_KIND_FLAT) {
                    size_t n = flatmap_size(term);
                    const term_t *ks = tuple_val(flatmap_keys(term)) + 1, *vs = flatmap_values(term);
                    hash = hash_mix2(hash, (uint32_t)n, 0, K(16));
                    for (size_t i = n; i-- > 0;) {
                        push(&s, vs[i]);
                        push(&s, ks[i]);
                    }
                } else {
                    if (map_kind(term) == MAP_KIND_HAMT_HEAD_BITMAP)
                        hash = hash_mix2(hash, (uint32_t)hamt_size(term), 0, K(16));
                    push_hamt_node(&s, term);
                }
                break;
            case POS_BIG_SUBTAG:
            case NEG_BIG_SUBTAG: {
                uint32_t con = big_is_neg(term) ? K(10) : K(11);
                const uint64_t *d = big_digit_ptr(term);
                for (size_t i = 0, n = big_digits(term); i < n; i++) hash = mix_word(hash, d[i], con);
                break;
            }
            case FLOAT_SUBTAG: {
                double d = float_value(term);
                if (d == 0.0) d = 0.0; /* -0.0 hashes as +0.0 */
                uint64_t w;
                memcpy(&w, &d, sizeof w);
                hash = mix_word(hash, w, K(12));
                break;
            }
            case REFC_BINARY_SUBTAG:
            case HEAP_BINARY_SUBTAG:
            case SUB_BINARY_SUBTAG: hash = hash_bitstring(hash, term); break;
            case REF_SUBTAG:
                hash = hash_mix2(hash, ref_number(term, 0), 0, K(7));
                hash = hash_mix2(hash, ref_number(term, 1), ref_number(term, 2), K(8));
                break;
            case EXTERNAL_REF_SUBTAG: {
                /* OTP: the numbers from the last pair down, then the node
                 * (its address; here its name) with the first number. */
                const ExternalThing *e = external_val(term);
                uint32_t n = e->n_num;
                if (n >= 4) hash = hash_mix2(hash, e->num[3], n >= 5 ? e->num[4] : 0, K(9));
                if (n >= 2) hash = hash_mix2(hash, e->num[1], n >= 3 ? e->num[2] : 0, K(8));
                hash = mix_word(hash, e->node, K(7));
                if (n >= 1) hash = hash_mix2(hash, e->num[0], 0, K(7));
                break;
            }
            case EXTERNAL_PID_SUBTAG: {
                const ExternalThing *e = external_val(term);
                hash = mix_word(hash, e->node, K(5));
                hash = hash_mix2(hash, e->num[0], e->n_num > 1 ? e->num[1] : 0, K(5));
                break;
            }
            case EXTERNAL_PORT_SUBTAG: {
                const ExternalThing *e = external_val(term);
                hash = mix_word(hash, e->node, K(6));
                hash = hash_mix2(hash, e->num[0], e->n_num > 1 ? e->num[1] : 0, K(6));
                break;
            }
            case EXPORT_SUBTAG: hash = mix_word(hash, (uint64_t)(uintptr_t)export_mfa(term), K(14)); break;
            case FUN_SUBTAG: {
                const FunThing *f = fun_val(term);
                uint32_t nf = fun_num_free(term);
                hash = hash_mix2(hash, nf, (uint32_t)f->entry->module, K(20));
                hash = hash_mix2(hash, f->entry->index, f->entry->old_uniq, K(21));
                if (nf == 0) break;
                for (uint32_t i = nf; i > 1; i--) push(&s, f->env[i - 1]);
                term = f->env[0];
                continue;
            }
            default: break;
            }
        }
        for (;;) {
            if (s.len == 0) {
                if (s.v != s.local) free(s.v);
                return hash;
            }
            term = s.v[--s.len];
            if (term != MARK_CDR) break;
            hash = rotate_const(hash, K(18));
        }
    }
}
