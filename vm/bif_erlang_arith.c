/*
 * bif_erlang_arith.c — erlang's arithmetic operators and numeric BIFs:
 * + - * / div rem band bor bxor bsl bsr bnot, unary - and +, abs, float/1,
 * trunc, round, floor, ceil.
 *
 * Semantics are OTP 25's (erl_arith.c): integer results are exact (small
 * or bignum, always normalised); a float result that is not finite raises
 * badarith; mixing an integer and a float converts the integer, and an
 * integer too large for a double raises badarith. A bignum result over
 * BIG_MAX_DIGITS raises system_limit.
 */
#include <math.h>

#include "vm/atom.h"
#include "vm/bif_util.h"

bool bif_number_to_double(term_t t, double *out) {
    if (is_small(t)) {
        *out = (double)small_value(t);
        return true;
    }
    if (is_float(t)) {
        *out = float_value(t);
        return true;
    }
    if (is_big(t)) return big_to_double(t, out);
    return false;
}

/* Result of a float operation: badarith unless finite. */
static term_t float_result(Process *p, double d) {
    if (!isfinite(d)) BIF_ERROR(p, ATOM_badarith);
    return bif_make_double(&p->h, d);
}

/* Both operands as doubles, for a mixed or float operation. */
static bool both_double(term_t a, term_t b, double *x, double *y) {
    return bif_number_to_double(a, x) && bif_number_to_double(b, y);
}

#define NEED_OR_LIMIT(p, need)                                             \
    do {                                                                   \
        if ((need) == BIG_NEED_TOO_BIG) BIF_ERROR(p, ATOM_system_limit);   \
    } while (0)

term_t bif_erlang_plus_2(Process *p, term_t *args) {
    term_t a = args[0], b = args[1];
    if (is_small(a) && is_small(b)) return bif_make_int64(&p->h, small_value(a) + small_value(b));
    if (is_integer(a) && is_integer(b)) {
        NEED_OR_LIMIT(p, big_need_add(a, b));
        return big_add(&p->h, a, b);
    }
    double x, y;
    if (!is_number(a) || !is_number(b) || !both_double(a, b, &x, &y)) BIF_ERROR(p, ATOM_badarith);
    return float_result(p, x + y);
}

term_t bif_erlang_minus_2(Process *p, term_t *args) {
    term_t a = args[0], b = args[1];
    if (is_small(a) && is_small(b)) return bif_make_int64(&p->h, small_value(a) - small_value(b));
    if (is_integer(a) && is_integer(b)) {
        NEED_OR_LIMIT(p, big_need_add(a, b));
        return big_sub(&p->h, a, b);
    }
    double x, y;
    if (!is_number(a) || !is_number(b) || !both_double(a, b, &x, &y)) BIF_ERROR(p, ATOM_badarith);
    return float_result(p, x - y);
}

term_t bif_erlang_times_2(Process *p, term_t *args) {
    term_t a = args[0], b = args[1];
    if (is_small(a) && is_small(b)) {
        int64_t r;
        if (!__builtin_mul_overflow(small_value(a), small_value(b), &r)) return bif_make_int64(&p->h, r);
    }
    if (is_integer(a) && is_integer(b)) {
        NEED_OR_LIMIT(p, big_need_mul(a, b));
        return big_mul(&p->h, a, b);
    }
    double x, y;
    if (!is_number(a) || !is_number(b) || !both_double(a, b, &x, &y)) BIF_ERROR(p, ATOM_badarith);
    return float_result(p, x * y);
}

term_t bif_erlang_div_2(Process *p, term_t *args) {
    double x, y;
    if (!is_number(args[0]) || !is_number(args[1]) || !both_double(args[0], args[1], &x, &y))
        BIF_ERROR(p, ATOM_badarith);
    if (y == 0.0) BIF_ERROR(p, ATOM_badarith);
    return float_result(p, x / y);
}

term_t bif_erlang_intdiv_2(Process *p, term_t *args) {
    term_t a = args[0], b = args[1];
    if (!is_integer(a) || !is_integer(b) || b == make_small(0)) BIF_ERROR(p, ATOM_badarith);
    if (is_small(a) && is_small(b)) return bif_make_int64(&p->h, small_value(a) / small_value(b));
    return big_div(&p->h, a, b);
}

term_t bif_erlang_rem_2(Process *p, term_t *args) {
    term_t a = args[0], b = args[1];
    if (!is_integer(a) || !is_integer(b) || b == make_small(0)) BIF_ERROR(p, ATOM_badarith);
    if (is_small(a) && is_small(b)) return make_small(small_value(a) % small_value(b));
    return big_rem(&p->h, a, b);
}

term_t bif_erlang_band_2(Process *p, term_t *args) {
    term_t a = args[0], b = args[1];
    if (is_small(a) && is_small(b)) return make_small(small_value(a) & small_value(b));
    if (!is_integer(a) || !is_integer(b)) BIF_ERROR(p, ATOM_badarith);
    return big_band(&p->h, a, b);
}

term_t bif_erlang_bor_2(Process *p, term_t *args) {
    term_t a = args[0], b = args[1];
    if (is_small(a) && is_small(b)) return make_small(small_value(a) | small_value(b));
    if (!is_integer(a) || !is_integer(b)) BIF_ERROR(p, ATOM_badarith);
    return big_bor(&p->h, a, b);
}

term_t bif_erlang_bxor_2(Process *p, term_t *args) {
    term_t a = args[0], b = args[1];
    if (is_small(a) && is_small(b)) return make_small(small_value(a) ^ small_value(b));
    if (!is_integer(a) || !is_integer(b)) BIF_ERROR(p, ATOM_badarith);
    return big_bxor(&p->h, a, b);
}

/* a bsl shift (shift < 0 shifts right). A bignum shift count means the
 * result is 0 or -1 (right) or too large (left), except for a == 0. */
static term_t shift(Process *p, term_t a, term_t s, bool left) {
    if (!is_integer(a) || !is_integer(s)) BIF_ERROR(p, ATOM_badarith);
    if (is_big(s)) {
        bool right = big_is_neg(s) == left;
        if (a == make_small(0)) return a;
        if (!right) BIF_ERROR(p, ATOM_system_limit);
        bool neg = is_small(a) ? small_value(a) < 0 : big_is_neg(a);
        return make_small(neg ? -1 : 0);
    }
    int64_t n = small_value(s);
    if (!left) n = -n;
    if (is_small(a)) {
        int64_t v = small_value(a);
        if (n <= 0) return make_small(n <= -63 ? (v < 0 ? -1 : 0) : v >> -n);
        if (v == 0) return a;
        if (n < 63) {
            int64_t r = (int64_t)((uint64_t)v << n);
            if ((r >> n) == v && small_fits(r)) return make_small(r);
        }
    }
    NEED_OR_LIMIT(p, big_need_shift(a, n));
    return big_bsl(&p->h, a, n);
}

term_t bif_erlang_bsl_2(Process *p, term_t *args) { return shift(p, args[0], args[1], true); }
term_t bif_erlang_bsr_2(Process *p, term_t *args) { return shift(p, args[0], args[1], false); }

term_t bif_erlang_bnot_1(Process *p, term_t *args) {
    term_t a = args[0];
    if (is_small(a)) return make_small(~small_value(a));
    if (!is_big(a)) BIF_ERROR(p, ATOM_badarith);
    return big_bnot(&p->h, a);
}

term_t bif_erlang_uminus_1(Process *p, term_t *args) {
    term_t a = args[0];
    if (is_small(a)) return bif_make_int64(&p->h, -small_value(a));
    if (is_big(a)) return big_neg(&p->h, a);
    if (is_float(a)) return bif_make_double(&p->h, -float_value(a));
    BIF_ERROR(p, ATOM_badarith);
}

term_t bif_erlang_uplus_1(Process *p, term_t *args) {
    if (!is_number(args[0])) BIF_ERROR(p, ATOM_badarith);
    return args[0];
}

term_t bif_erlang_abs_1(Process *p, term_t *args) {
    term_t a = args[0];
    if (is_small(a)) return small_value(a) < 0 ? bif_make_int64(&p->h, -small_value(a)) : a;
    if (is_big(a)) return big_is_neg(a) ? big_neg(&p->h, a) : a;
    if (is_float(a)) return bif_make_double(&p->h, fabs(float_value(a)));
    BIF_ERROR(p, ATOM_badarg);
}

term_t bif_erlang_float_1(Process *p, term_t *args) {
    term_t a = args[0];
    if (is_float(a)) return a;
    double d;
    if (!is_integer(a) || !bif_number_to_double(a, &d)) BIF_ERROR(p, ATOM_badarg);
    return bif_make_double(&p->h, d);
}

/* An integral double as an integer term. */
static term_t integral_double(Process *p, double d) {
    if (d >= -1e18 && d <= 1e18) return bif_make_int64(&p->h, (int64_t)d);
    NEED_OR_LIMIT(p, big_need_from_double(d));
    return big_from_double(&p->h, d);
}

typedef double (*RoundFn)(double);
static term_t to_integer(Process *p, term_t a, RoundFn f) {
    if (is_integer(a)) return a;
    if (!is_float(a)) BIF_ERROR(p, ATOM_badarg);
    return integral_double(p, f(float_value(a)));
}

term_t bif_erlang_trunc_1(Process *p, term_t *args) { return to_integer(p, args[0], trunc); }
term_t bif_erlang_round_1(Process *p, term_t *args) { return to_integer(p, args[0], round); }
term_t bif_erlang_floor_1(Process *p, term_t *args) { return to_integer(p, args[0], floor); }
term_t bif_erlang_ceil_1(Process *p, term_t *args) { return to_integer(p, args[0], ceil); }
