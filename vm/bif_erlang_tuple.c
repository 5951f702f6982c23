/*
 * bif_erlang_tuple.c — tuple BIFs: element/2, setelement/3, tuple_size/1,
 * size/1, make_tuple/2,3, append_element/2, tuple_to_list/1,
 * list_to_tuple/1.
 */
#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/binary.h"

#define MAX_TUPLE_ARITY ((1ull << 26) - 1) /* OTP's MAX_ARITY */

/* A 1-based index into a tuple of `arity`, or 0 if out of range. */
static uint64_t index_arg(term_t i, uint64_t arity) {
    if (!is_small(i)) return 0;
    int64_t v = small_value(i);
    return v >= 1 && (uint64_t)v <= arity ? (uint64_t)v : 0;
}

term_t bif_erlang_element_2(Process *p, term_t *args) {
    if (!is_tuple(args[1])) BIF_ERROR(p, ATOM_badarg);
    uint64_t i = index_arg(args[0], tuple_arity(args[1]));
    if (!i) BIF_ERROR(p, ATOM_badarg);
    return tuple_element(args[1], i);
}

term_t bif_erlang_setelement_3(Process *p, term_t *args) {
    if (!is_tuple(args[1])) BIF_ERROR(p, ATOM_badarg);
    uint64_t n = tuple_arity(args[1]);
    uint64_t i = index_arg(args[0], n);
    if (!i) BIF_ERROR(p, ATOM_badarg);
    term_t *hp = heap_alloc(&p->h, tuple_words(n));
    memcpy(hp, tuple_val(args[1]), tuple_words(n) * sizeof(term_t));
    hp[i] = args[2];
    return make_boxed(hp);
}

term_t bif_erlang_tuple_size_1(Process *p, term_t *args) {
    if (!is_tuple(args[0])) BIF_ERROR(p, ATOM_badarg);
    return make_small((int64_t)tuple_arity(args[0]));
}

/* size/1: tuple arity or binary byte size (bitstrings: whole bytes). */
term_t bif_erlang_size_1(Process *p, term_t *args) {
    if (is_tuple(args[0])) return make_small((int64_t)tuple_arity(args[0]));
    if (is_bitstring(args[0])) return make_small((int64_t)(bitstring_bit_size(args[0]) / 8));
    BIF_ERROR(p, ATOM_badarg);
}

term_t bif_erlang_make_tuple_2(Process *p, term_t *args) {
    if (!is_small(args[0]) || small_value(args[0]) < 0) BIF_ERROR(p, ATOM_badarg);
    uint64_t n = (uint64_t)small_value(args[0]);
    if (n > MAX_TUPLE_ARITY) BIF_ERROR(p, ATOM_badarg);
    term_t *hp = heap_alloc(&p->h, tuple_words(n));
    term_t t = make_tuple_header(hp, n);
    for (uint64_t i = 1; i <= n; i++) hp[i] = args[1];
    return t;
}

/* make_tuple(N, Default, [{Pos, Value}]): later entries win. */
term_t bif_erlang_make_tuple_3(Process *p, term_t *args) {
    if (!is_small(args[0]) || small_value(args[0]) < 0) BIF_ERROR(p, ATOM_badarg);
    uint64_t n = (uint64_t)small_value(args[0]);
    if (n > MAX_TUPLE_ARITY || bif_list_length(args[2]) < 0) BIF_ERROR(p, ATOM_badarg);
    for (term_t l = args[2]; is_list(l); l = cons_tail(l)) {
        term_t e = cons_head(l);
        if (!is_tuple(e) || tuple_arity(e) != 2 || !index_arg(tuple_element(e, 1), n))
            BIF_ERROR(p, ATOM_badarg);
    }
    term_t *hp = heap_alloc(&p->h, tuple_words(n));
    term_t t = make_tuple_header(hp, n);
    for (uint64_t i = 1; i <= n; i++) hp[i] = args[1];
    for (term_t l = args[2]; is_list(l); l = cons_tail(l)) {
        term_t e = cons_head(l);
        hp[small_value(tuple_element(e, 1))] = tuple_element(e, 2);
    }
    return t;
}

term_t bif_erlang_append_element_2(Process *p, term_t *args) {
    if (!is_tuple(args[0])) BIF_ERROR(p, ATOM_badarg);
    uint64_t n = tuple_arity(args[0]);
    if (n + 1 > MAX_TUPLE_ARITY) BIF_ERROR(p, ATOM_badarg);
    term_t *hp = heap_alloc(&p->h, tuple_words(n + 1));
    term_t t = make_tuple_header(hp, n + 1);
    memcpy(hp + 1, tuple_val(args[0]) + 1, n * sizeof(term_t));
    hp[n + 1] = args[1];
    return t;
}

term_t bif_erlang_tuple_to_list_1(Process *p, term_t *args) {
    if (!is_tuple(args[0])) BIF_ERROR(p, ATOM_badarg);
    uint64_t n = tuple_arity(args[0]);
    const term_t *el = tuple_val(args[0]) + 1;
    term_t *hp = heap_alloc(&p->h, 2 * n);
    term_t l = NIL;
    for (uint64_t i = n; i-- > 0;) l = make_cons(hp + 2 * i, el[i], l);
    return l;
}

term_t bif_erlang_list_to_tuple_1(Process *p, term_t *args) {
    long n = bif_list_length(args[0]);
    if (n < 0 || (uint64_t)n > MAX_TUPLE_ARITY) BIF_ERROR(p, ATOM_badarg);
    term_t *hp = heap_alloc(&p->h, tuple_words((size_t)n));
    term_t t = make_tuple_header(hp, (size_t)n);
    size_t i = 1;
    for (term_t l = args[0]; is_list(l); l = cons_tail(l)) hp[i++] = cons_head(l);
    return t;
}
