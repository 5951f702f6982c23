/*
 * bif_erlang_types.c — type tests: is_atom/1 ... is_function/2.
 * (is_record is compiled inline by erlc and is not a BIF here.)
 */
#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/binary.h"
#include "vm/fun.h"

static inline term_t boolean(bool b) { return b ? ATOM_true : ATOM_false; }

#define TYPE_TEST(name, expr)                                               \
    term_t bif_erlang_##name##_1(Process *p, term_t *args) {                \
        (void)p;                                                            \
        term_t t = args[0];                                                 \
        return boolean(expr);                                               \
    }

TYPE_TEST(is_atom, is_atom(t))
TYPE_TEST(is_binary, is_binary(t))
TYPE_TEST(is_bitstring, is_bitstring(t))
TYPE_TEST(is_boolean, t == ATOM_true || t == ATOM_false)
TYPE_TEST(is_float, is_float(t))
TYPE_TEST(is_function, is_any_fun(t))
TYPE_TEST(is_integer, is_integer(t))
TYPE_TEST(is_list, is_list(t) || is_nil(t))
TYPE_TEST(is_map, is_map(t))
TYPE_TEST(is_number, is_number(t))
TYPE_TEST(is_pid, is_pid(t))
TYPE_TEST(is_port, is_port(t))
TYPE_TEST(is_reference, is_reference(t))
TYPE_TEST(is_tuple, is_tuple(t))

/* is_function(F, Arity): badarg unless Arity is a non-negative integer. */
term_t bif_erlang_is_function_2(Process *p, term_t *args) {
    term_t f = args[0], a = args[1];
    if (is_big(a) && !big_is_neg(a)) return ATOM_false;
    if (!is_small(a) || small_value(a) < 0) BIF_ERROR(p, ATOM_badarg);
    uint64_t arity = (uint64_t)small_value(a);
    if (is_fun(f)) return boolean(fun_val(f)->entry->arity == arity);
    if (is_export(f)) return boolean(export_mfa(f)->arity == arity);
    return ATOM_false;
}
