/*
 * bif_lists.c — the BIFs of module lists (OTP implements these natively):
 * reverse/2, member/2, keyfind/3, keymember/3, keysearch/3.
 *
 * member uses exact equality (=:=); the key functions compare keys with
 * == (so 1 matches 1.0), as OTP's keyfind does.
 */
#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/bif_yield.h"
#include "vm/term_compare.h"

/* Works in slices (bif_yield.h): reverse(L, T) = reverse(Rest, Acc) once
 * a prefix of L has been moved onto T, so a long list yields by rewriting
 * its own arguments, as OTP's lists:reverse/2 traps. A list that turns out
 * improper raises badarg with the arguments of that slice, as on OTP. */
term_t bif_lists_reverse_2(Process *p, term_t *args) {
    size_t budget = bif_work_budget(p), n = 0;
    term_t l = args[0];
    for (; is_list(l) && n < budget; l = cons_tail(l)) n++;
    if (!is_list(l) && !is_nil(l)) BIF_ERROR(p, ATOM_badarg);
    term_t *hp = heap_alloc(&p->h, 2 * n);
    term_t r = args[1];
    l = args[0];
    for (size_t i = 0; i < n; i++, l = cons_tail(l)) {
        r = make_cons(hp, cons_head(l), r);
        hp += 2;
    }
    bif_charge(p, n);
    if (is_nil(l)) return r;
    args[0] = l;
    args[1] = r;
    return bif_yield(p);
}

term_t bif_lists_member_2(Process *p, term_t *args) {
    term_t x = args[0], l = args[1];
    for (; is_list(l); l = cons_tail(l))
        if (term_eq_exact(cons_head(l), x)) return ATOM_true;
    if (!is_nil(l)) BIF_ERROR(p, ATOM_badarg);
    return ATOM_false;
}

/* The first tuple in list whose element n == key; NIL-like THE_NON_VALUE
 * if none; *bad set on badarg. */
static term_t keyfind(term_t key, term_t pos, term_t list, bool *bad) {
    *bad = false;
    if (!is_small(pos) || small_value(pos) < 1) {
        *bad = true;
        return THE_NON_VALUE;
    }
    uint64_t n = (uint64_t)small_value(pos);
    term_t l = list;
    for (; is_list(l); l = cons_tail(l)) {
        term_t t = cons_head(l);
        if (is_tuple(t) && tuple_arity(t) >= n && term_eq(tuple_element(t, n), key)) return t;
    }
    if (!is_nil(l)) *bad = true;
    return THE_NON_VALUE;
}

term_t bif_lists_keyfind_3(Process *p, term_t *args) {
    bool bad;
    term_t t = keyfind(args[0], args[1], args[2], &bad);
    if (bad) BIF_ERROR(p, ATOM_badarg);
    return t == THE_NON_VALUE ? ATOM_false : t;
}

term_t bif_lists_keymember_3(Process *p, term_t *args) {
    bool bad;
    term_t t = keyfind(args[0], args[1], args[2], &bad);
    if (bad) BIF_ERROR(p, ATOM_badarg);
    return t == THE_NON_VALUE ? ATOM_false : ATOM_true;
}

term_t bif_lists_keysearch_3(Process *p, term_t *args) {
    bool bad;
    term_t t = keyfind(args[0], args[1], args[2], &bad);
    if (bad) BIF_ERROR(p, ATOM_badarg);
    if (t == THE_NON_VALUE) return ATOM_false;
    term_t *hp = heap_alloc(&p->h, tuple_words(2));
    term_t r = make_tuple_header(hp, 2);
    hp[1] = ATOM_value;
    hp[2] = t;
    return r;
}
