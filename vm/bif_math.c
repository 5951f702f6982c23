/*
 * bif_math.c — module math's BIFs (math:pi/0 is Erlang code in OTP).
 * Arguments are numbers (integers converted to doubles): a non-number or an
 * integer too large for a double raises badarg; a result that is not
 * finite (math:log(0), math:sqrt(-1)) raises badarith, as OTP.
 * ceil/floor return floats here (math:ceil/1, unlike erlang:ceil/1).
 */
#include <math.h>

#include "vm/atom.h"
#include "vm/bif_util.h"

static term_t result(Process *p, double r) {
    if (!isfinite(r)) BIF_ERROR(p, ATOM_badarith);
    return bif_make_double(&p->h, r);
}

#define MATH1(name, expr)                                                    \
    term_t bif_math_##name##_1(Process *p, term_t *args) {                   \
        double x;                                                            \
        if (!bif_number_to_double(args[0], &x)) BIF_ERROR(p, ATOM_badarg); \
        return result(p, expr);                                              \
    }
#define MATH2(name, expr)                                                    \
    term_t bif_math_##name##_2(Process *p, term_t *args) {                   \
        double x, y;                                                         \
        if (!bif_number_to_double(args[0], &x) || !bif_number_to_double(args[1], &y)) \
            BIF_ERROR(p, ATOM_badarg);                                       \
        return result(p, expr);                                              \
    }

MATH1(sin, sin(x))
MATH1(cos, cos(x))
MATH1(tan, tan(x))
MATH1(asin, asin(x))
MATH1(acos, acos(x))
MATH1(atan, atan(x))
MATH1(sinh, sinh(x))
MATH1(cosh, cosh(x))
MATH1(tanh, tanh(x))
MATH1(asinh, asinh(x))
MATH1(acosh, acosh(x))
MATH1(atanh, atanh(x))
MATH1(exp, exp(x))
MATH1(log, log(x))
MATH1(log2, log2(x))
MATH1(log10, log10(x))
MATH1(sqrt, sqrt(x))
MATH1(erf, erf(x))
MATH1(erfc, erfc(x))
MATH1(ceil, ceil(x))
MATH1(floor, floor(x))
MATH2(atan2, atan2(x, y))
MATH2(pow, pow(x, y))
MATH2(fmod, fmod(x, y))
