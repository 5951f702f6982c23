/*
 * bif_erlang_float_fmt.c — float_to_list/float_to_binary formatting,
 * byte-for-byte as OTP 25:
 *
 *   []  or  [{scientific, D}]   "%.*e" (D = 20 by default, 0..249)
 *   [{decimals, D}] (0..253)    fixed point; [compact] strips trailing zeros
 *                               but keeps one digit after the point. Small
 *                               values round half away from zero on
 *                               f * 10^D + 0.5 (OTP's fast path); others
 *                               use "%.*f".
 *   [short]                     shortest digits that read back the same
 *                               double; decimal notation if it is not
 *                               longer than scientific and |f| < 2^53.
 * Later options override earlier ones. Output over 255 characters is
 * badarg (OTP's buffer limit).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bif_util.h"

#define FLOAT_TEXT_MAX 255
#define FAST_MAX_DECIMALS 23 /* OTP's table of powers of ten: 1e0 .. 1e22 */

enum { FMT_SCIENTIFIC, FMT_DECIMALS, FMT_SHORT };

/* OTP's fast fixed-point path; -1 when the value is out of its range. */
static long decimals_fast(double f, int decimals, char *buf) {
    static const double pow10[FAST_MAX_DECIMALS] = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const double max_float = 9007199254740992.0; /* OTP's MAX_FLOAT: 2^53 */
    bool neg = signbit(f);
    if (neg) f = -f;
    if (decimals >= FAST_MAX_DECIMALS) return -1;
    double af = f * pow10[decimals] + 0.5;
    if (af > max_float) return -1;
    uint64_t v = (uint64_t)af;
    char digits[32];
    int nd = snprintf(digits, sizeof digits, "%0*llu", decimals + 1, (unsigned long long)v);
    long n = 0;
    if (neg) buf[n++] = '-';
    memcpy(buf + n, digits, (size_t)(nd - decimals));
    n += nd - decimals;
    if (decimals) {
        buf[n++] = '.';
        memcpy(buf + n, digits + nd - decimals, (size_t)decimals);
        n += decimals;
    }
    buf[n] = 0;
    return n;
}

/* Shortest digits: fills digits (no point) and returns their count, with
 * *exp10 the exponent of the first digit (d.ddd x 10^exp10). */
static int shortest_digits(double f, char *digits, int *exp10) {
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, f);
        if (strtod(tmp, NULL) == f || prec == 17) {
            int n = 0;
            char *e = strchr(tmp, 'e');
            for (char *c = tmp; c < e; c++)
                if (*c >= '0' && *c <= '9') digits[n++] = *c;
            *exp10 = atoi(e + 1);
            while (n > 1 && digits[n - 1] == '0') n--;
            digits[n] = 0;
            return n;
        }
    }
    return 0; /* not reached */
}

static long format_short(double f, char *buf) {
    long n = 0;
    if (signbit(f)) {
        buf[n++] = '-';
        f = -f;
    }
    if (f == 0) {
        strcpy(buf + n, "0.0");
        return n + 3;
    }
    char digits[24];
    int e, nd = shortest_digits(f, digits, &e);
    /* scientific: d.ddd e X (at least one digit after the point) */
    char sci[48];
    int ns = snprintf(sci, sizeof sci, "%c.%se%d", digits[0], nd > 1 ? digits + 1 : "0", e);
    /* decimal */
    char dec[400];
    int nde = 0;
    if (e >= 0) {
        for (int i = 0; i <= e; i++) dec[nde++] = i < nd ? digits[i] : '0';
        dec[nde++] = '.';
        if (nd > e + 1) {
            for (int i = e + 1; i < nd; i++) dec[nde++] = digits[i];
        } else {
            dec[nde++] = '0';
        }
    } else {
        dec[nde++] = '0';
        dec[nde++] = '.';
        for (int i = 0; i < -e - 1; i++) dec[nde++] = '0';
        for (int i = 0; i < nd; i++) dec[nde++] = digits[i];
    }
    dec[nde] = 0;
    if (f < 9007199254740992.0 && nde <= ns) {
        memcpy(buf + n, dec, (size_t)nde + 1);
        return n + nde;
    }
    memcpy(buf + n, sci, (size_t)ns + 1);
    return n + ns;
}

long bif_format_float(double f, term_t opts, char *buf, size_t cap) {
    int kind = FMT_SCIENTIFIC, prec = 20;
    bool compact = false;
    term_t l = opts;
    for (; is_list(l); l = cons_tail(l)) {
        term_t o = cons_head(l);
        if (o == ATOM_compact) {
            compact = true;
        } else if (o == ATOM_short) {
            kind = FMT_SHORT;
        } else if (is_tuple(o) && tuple_arity(o) == 2 && is_small(tuple_element(o, 2))) {
            int64_t v = small_value(tuple_element(o, 2));
            if (tuple_element(o, 1) == ATOM_decimals && v >= 0 && v <= 253) {
                kind = FMT_DECIMALS;
                prec = (int)v;
            } else if (tuple_element(o, 1) == ATOM_scientific && v >= 0 && v <= 249) {
                kind = FMT_SCIENTIFIC;
                prec = (int)v;
            } else {
                return -1;
            }
        } else {
            return -1;
        }
    }
    if (!is_nil(l) || !isfinite(f)) return -1;
    long n;
    switch (kind) {
    case FMT_SHORT:
        n = format_short(f, buf);
        break;
    case FMT_DECIMALS:
        n = decimals_fast(f, prec, buf);
        if (n < 0) n = snprintf(buf, cap, "%.*f", prec, f);
        if (n > FLOAT_TEXT_MAX) return -1;
        if (compact && prec > 0) {
            /* keep one digit after the point */
            char *dot = strchr(buf, '.');
            while (n > 0 && buf[n - 1] == '0' && buf + n - 1 > dot + 1) n--;
            buf[n] = 0;
        }
        break;
    default:
        n = snprintf(buf, cap, "%.*e", prec, f);
        break;
    }
    return n > FLOAT_TEXT_MAX ? -1 : n;
}
