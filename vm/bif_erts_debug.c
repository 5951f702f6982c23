/*
 * bif_erts_debug.c — erts_debug:flat_size/1 and erts_debug:size/1: a
 * term's size in words as OTP 25 counts it on a 64-bit machine, without
 * (flat_size) and with (size) sharing.
 *
 * The counts are OTP's, not our layout's, where the two differ: a sub
 * binary counts as what copying it makes on OTP (nothing for a
 * byte-aligned one, ERL_SUB_BIN_SIZE = 5 words otherwise, plus a ProcBin
 * of 6 words or a heap binary of its bytes), a HAMT head 2 words plus its
 * entries and an inner node 1 plus its entries (ours keep the bitmap in a
 * word of its own), every ref 3 words (ours: a magic ref is 6), a fun 5
 * words plus its environment. The empty tuple counts 0 (a literal on
 * OTP). Immediates count 0.
 *
 * size/1 is OTP's erts_debug:size/1 (Erlang there): each object counted
 * once however often it is referenced, by identity, maps' nodes included
 * (a map built by maps:put from another shares most of its nodes). Here it
 * is one walk with a set of the addresses seen.
 *
 * Both walk with a TermStack (never C recursion per level) and run in one
 * call, charged by the words visited; OTP's do not yield either.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/bif_util.h"
#include "vm/bif_yield.h"
#include "vm/binary.h"
#include "vm/bignum.h"
#include "vm/fun.h"
#include "vm/map.h"
#include "vm/map_hamt.h"
#include "vm/platform.h"
#include "vm/term_stack.h"

#define OTP_SUB_BIN_WORDS 5
#define OTP_PROC_BIN_WORDS 6
#define OTP_REF_WORDS 3
#define OTP_FUN_WORDS 5

/* ---- a set of object addresses (size/1) ---- */

typedef struct {
    uintptr_t *slot;     /* 0 = empty */
    size_t cap, n;       /* cap: a power of two */
} PtrSet;

static void set_put(PtrSet *s, uintptr_t a)
{
    size_t mask = s->cap - 1, i = (a >> 3) * 0x9E3779B97F4A7C15ull >> 20 & mask;
    while (s->slot[i]) i = (i + 1) & mask;
    s->slot[i] = a;
    s->n++;
}

/* Adds a; true if it was there already. */
static bool set_seen(PtrSet *s, const void *p)
{
    uintptr_t a = (uintptr_t)p;
    size_t mask = s->cap - 1;
    for (size_t i = (a >> 3) * 0x9E3779B97F4A7C15ull >> 20 & mask; s->slot[i]; i = (i + 1) & mask)
        if (s->slot[i] == a) return true;
    if (2 * (s->n + 1) > s->cap) {
        PtrSet g = {calloc(2 * s->cap, sizeof(uintptr_t)), 2 * s->cap, 0};
        if (!g.slot) plat_fatal("erts_debug: out of memory");
        for (size_t i = 0; i < s->cap; i++)
            if (s->slot[i]) set_put(&g, s->slot[i]);
        free(s->slot);
        *s = g;
    }
    set_put(s, a);
    return false;
}

/* ---- OTP's words for one object ---- */

/* What OTP's copy of the bitstring t takes (its size_object). */
static uint64_t bitstring_words(term_t t)
{
    unsigned st = boxed_subtag(t);
    if (st == HEAP_BINARY_SUBTAG) return heap_bin_words(bitstring_bit_size(t) / 8);
    if (st == REFC_BINARY_SUBTAG) return OTP_PROC_BIN_WORDS;
    const SubBin *sb = (const SubBin *)boxed_val(t);
    uint64_t bitsize = sb->size_bits % 8, bitoffs = sb->offset_bits % 8, bytes = sb->size_bits / 8;
    uint64_t words = 0, extra = 0;
    if (bitsize + bitoffs > 8) {
        words = OTP_SUB_BIN_WORDS;
        extra = 2;
    } else if (bitsize + bitoffs > 0) {
        words = OTP_SUB_BIN_WORDS;
        extra = 1;
    }
    if (boxed_subtag(sb->orig) == REFC_BINARY_SUBTAG) return words + OTP_PROC_BIN_WORDS;
    return words + heap_bin_words(bytes + extra);
}

/* Words of the boxed object t itself (not its parts), pushing the parts
 * that are terms onto s. */
static uint64_t object_words(term_t t, TermStack *s)
{
    switch (boxed_subtag(t)) {
    case TUPLE_SUBTAG: {
        uint64_t n = tuple_arity(t);
        for (uint64_t i = 1; i <= n; i++) term_stack_push(s, tuple_element(t, i));
        return n ? 1 + n : 0;
    }
    case MAP_SUBTAG: {
        unsigned kind = map_kind(t);
        if (kind == MAP_KIND_FLAT) {
            size_t n = flatmap_size(t);
            term_stack_push(s, flatmap_keys(t));
            for (size_t i = 0; i < n; i++) term_stack_push(s, flatmap_values(t)[i]);
            return 3 + n;
        }
        unsigned k;
        const term_t *e = hamt_node_entries(t, &k);
        for (unsigned i = 0; i < k; i++) term_stack_push(s, e[i]);
        return (kind == MAP_KIND_HAMT_HEAD_BITMAP ? 2 : 1) + (uint64_t)k;
    }
    case FUN_SUBTAG: {
        uint32_t nf = fun_num_free(t);
        for (uint32_t i = 0; i < nf; i++) term_stack_push(s, fun_val(t)->env[i]);
        return OTP_FUN_WORDS + nf;
    }
    case EXPORT_SUBTAG:
        return OTP_FUN_WORDS;
    case FLOAT_SUBTAG:
        return 2;
    case POS_BIG_SUBTAG:
    case NEG_BIG_SUBTAG:
        return 1 + big_digits(t);
    case REF_SUBTAG:
        return OTP_REF_WORDS;
    case EXTERNAL_PID_SUBTAG:
    case EXTERNAL_PORT_SUBTAG:
        return 4;
    case EXTERNAL_REF_SUBTAG:
        return 3 + (external_val(t)->n_num + 1) / 2;
    case REFC_BINARY_SUBTAG:
    case HEAP_BINARY_SUBTAG:
    case SUB_BINARY_SUBTAG:
        return bitstring_words(t);
    default:
        return 0;
    }
}

/* The words of t; with `seen`, each object once. */
static uint64_t term_words(term_t t0, PtrSet *seen, uint64_t *visited)
{
    TermStack s;
    term_stack_init(&s);
    term_stack_push(&s, t0);
    uint64_t sum = 0, n = 0;
    while (!term_stack_empty(&s)) {
        term_t t = term_stack_pop(&s);
        for (;;) {     /* a list's tail without a push */
            n++;
            if (is_list(t)) {
                if (seen && set_seen(seen, list_val(t))) break;
                sum += 2;
                term_stack_push(&s, cons_head(t));
                t = cons_tail(t);
                continue;
            }
            if (!is_boxed(t)) break;
            if (is_tuple(t) && tuple_arity(t) == 0) break;
            if (seen && set_seen(seen, boxed_val(t))) break;
            sum += object_words(t, &s);
            break;
        }
    }
    term_stack_free(&s);
    *visited = n;
    return sum;
}

term_t bif_erts_debug_flat_size_1(Process *p, term_t *args)
{
    uint64_t visited;
    uint64_t w = term_words(args[0], NULL, &visited);
    bif_charge(p, visited / 32);
    return bif_make_uint64(&p->h, w);
}

term_t bif_erts_debug_size_1(Process *p, term_t *args)
{
    PtrSet seen = {calloc(64, sizeof(uintptr_t)), 64, 0};
    if (!seen.slot) plat_fatal("erts_debug: out of memory");
    uint64_t visited;
    uint64_t w = term_words(args[0], &seen, &visited);
    free(seen.slot);
    bif_charge(p, visited / 32);
    return bif_make_uint64(&p->h, w);
}
