/*
 * bif_erlang_compare.c — comparison operators, boolean operators and
 * erlang:min/max. Order and equality are term_compare.h's (OTP 25).
 */
#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/term_compare.h"

static inline term_t boolean(bool b) { return b ? ATOM_true : ATOM_false; }
static inline bool is_boolean(term_t t) { return t == ATOM_true || t == ATOM_false; }

term_t bif_erlang_eq_2(Process *p, term_t *args) { (void)p; return boolean(term_eq(args[0], args[1])); }
term_t bif_erlang_neq_2(Process *p, term_t *args) { (void)p; return boolean(!term_eq(args[0], args[1])); }
term_t bif_erlang_eqx_2(Process *p, term_t *args) { (void)p; return boolean(term_eq_exact(args[0], args[1])); }
term_t bif_erlang_neqx_2(Process *p, term_t *args) { (void)p; return boolean(!term_eq_exact(args[0], args[1])); }
term_t bif_erlang_lt_2(Process *p, term_t *args) { (void)p; return boolean(term_compare(args[0], args[1]) < 0); }
term_t bif_erlang_gt_2(Process *p, term_t *args) { (void)p; return boolean(term_compare(args[0], args[1]) > 0); }
term_t bif_erlang_le_2(Process *p, term_t *args) { (void)p; return boolean(term_compare(args[0], args[1]) <= 0); }
term_t bif_erlang_ge_2(Process *p, term_t *args) { (void)p; return boolean(term_compare(args[0], args[1]) >= 0); }

/* erts_internal:cmp_term(A, B): -1, 0 or 1 in the exact term order (the
 * order of =:=, where 1 sorts before 1.0), as lists:sort uses it. */
term_t bif_erts_internal_cmp_term_2(Process *p, term_t *args)
{
    (void)p;
    int c = term_compare_exact(args[0], args[1]);
    return make_small(c < 0 ? -1 : c > 0);
}

/* min/max: when the terms compare equal, the first is returned. */
term_t bif_erlang_min_2(Process *p, term_t *args) {
    (void)p;
    return term_compare(args[1], args[0]) < 0 ? args[1] : args[0];
}
term_t bif_erlang_max_2(Process *p, term_t *args) {
    (void)p;
    return term_compare(args[1], args[0]) > 0 ? args[1] : args[0];
}

term_t bif_erlang_and_2(Process *p, term_t *args) {
    if (!is_boolean(args[0]) || !is_boolean(args[1])) BIF_ERROR(p, ATOM_badarg);
    return boolean(args[0] == ATOM_true && args[1] == ATOM_true);
}
term_t bif_erlang_or_2(Process *p, term_t *args) {
    if (!is_boolean(args[0]) || !is_boolean(args[1])) BIF_ERROR(p, ATOM_badarg);
    return boolean(args[0] == ATOM_true || args[1] == ATOM_true);
}
term_t bif_erlang_xor_2(Process *p, term_t *args) {
    if (!is_boolean(args[0]) || !is_boolean(args[1])) BIF_ERROR(p, ATOM_badarg);
    return boolean(args[0] != args[1]);
}
term_t bif_erlang_not_1(Process *p, term_t *args) {
    if (!is_boolean(args[0])) BIF_ERROR(p, ATOM_badarg);
    return boolean(args[0] == ATOM_false);
}
