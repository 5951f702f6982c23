/*
 * bif_erlang_time.c — time BIFs over vm/platform.h: monotonic_time/0,1,
 * system_time/0,1, time_offset/0,1, convert_time_unit/3, timestamp/0,
 * os:timestamp/0, unique_integer/0,1, universaltime/0, localtime/0,
 * date/0, time/0.
 *
 * The native time unit is the nanosecond (as OTP 25 on Linux), and so is
 * perf_counter. Conversion rounds toward minus infinity (OTP's
 * erts_napi_convert_time_unit). BeamOS keeps no time zone: local time is
 * UTC.
 */
#include <stdatomic.h>

#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/platform.h"

#define NATIVE_PER_SEC 1000000000LL

/* Parts per second of a time unit term; 0 if not a unit. */
static int64_t unit_hz(term_t u) {
    switch (u) {
    case ATOM_second: case ATOM_seconds: return 1;
    case ATOM_millisecond: case ATOM_milli_seconds: return 1000;
    case ATOM_microsecond: case ATOM_micro_seconds: return 1000000;
    case ATOM_nanosecond: case ATOM_nano_seconds: case ATOM_native: case ATOM_perf_counter:
        return NATIVE_PER_SEC;
    default:
        if (is_small(u) && small_value(u) > 0) return small_value(u);
        return 0;
    }
}

/* floor(v * to / from), exactly, for integer terms v (may be bignums). */
static term_t convert(Process *p, term_t v, int64_t from, int64_t to) {
    if (from == to) return v;
    if (is_small(v)) {
        __int128 x = (__int128)small_value(v) * to;
        __int128 q = x / from, r = x % from;
        if (r != 0 && (r < 0) != (from < 0)) q--;
        if (q >= SMALL_MIN && q <= SMALL_MAX) return make_small((int64_t)q);
    }
    /* general case with bignums: floor((v * to) / from) */
    term_t tt = bif_make_int64(&p->h, to), ft = bif_make_int64(&p->h, from);
    term_t x = big_mul(&p->h, v, tt);
    term_t rem;
    term_t q = big_divrem(&p->h, x, ft, &rem);
    bool rneg = is_small(rem) ? small_value(rem) < 0 : big_is_neg(rem);
    if (rem != make_small(0) && rneg) q = big_sub(&p->h, q, make_small(1));
    return q;
}

static term_t time_in(Process *p, int64_t native, term_t unit) {
    int64_t hz = unit_hz(unit);
    if (!hz) BIF_ERROR(p, ATOM_badarg);
    return convert(p, bif_make_int64(&p->h, native), NATIVE_PER_SEC, hz);
}

term_t bif_erlang_monotonic_time_0(Process *p, term_t *args) {
    (void)args;
    return bif_make_int64(&p->h, (int64_t)plat_monotonic_ns());
}
term_t bif_erlang_monotonic_time_1(Process *p, term_t *args) {
    return time_in(p, (int64_t)plat_monotonic_ns(), args[0]);
}
term_t bif_erlang_system_time_0(Process *p, term_t *args) {
    (void)args;
    return bif_make_int64(&p->h, (int64_t)plat_system_time_ns());
}
term_t bif_erlang_system_time_1(Process *p, term_t *args) {
    return time_in(p, (int64_t)plat_system_time_ns(), args[0]);
}
/* system time = monotonic time + offset (a snapshot: the offset may drift). */
term_t bif_erlang_time_offset_0(Process *p, term_t *args) {
    (void)args;
    return bif_make_int64(&p->h, (int64_t)plat_system_time_ns() - (int64_t)plat_monotonic_ns());
}
term_t bif_erlang_time_offset_1(Process *p, term_t *args) {
    return time_in(p, (int64_t)plat_system_time_ns() - (int64_t)plat_monotonic_ns(), args[0]);
}

term_t bif_erlang_convert_time_unit_3(Process *p, term_t *args) {
    int64_t from = unit_hz(args[1]), to = unit_hz(args[2]);
    if (!is_integer(args[0]) || !from || !to) BIF_ERROR(p, ATOM_badarg);
    return convert(p, args[0], from, to);
}

static term_t tuple3(Process *p, term_t a, term_t b, term_t c) {
    term_t *hp = heap_alloc(&p->h, tuple_words(3));
    term_t t = make_tuple_header(hp, 3);
    hp[1] = a;
    hp[2] = b;
    hp[3] = c;
    return t;
}

term_t bif_erlang_timestamp_0(Process *p, term_t *args) {
    (void)args;
    uint64_t us = plat_system_time_ns() / 1000;
    return tuple3(p, make_small((int64_t)(us / 1000000000000ULL)),
                  make_small((int64_t)(us / 1000000 % 1000000)), make_small((int64_t)(us % 1000000)));
}

/* One counter for every unique_integer call: unique in this node, and
 * strictly increasing, so `monotonic` needs nothing extra. Relaxed order:
 * only atomicity of the increment matters. Without `positive`, values are
 * offset to start at -2^59 as OTP's may be negative. */
static _Atomic uint64_t unique_counter;

term_t bif_erlang_unique_integer_1(Process *p, term_t *args) {
    bool positive = false;
    term_t l = args[0];
    for (; is_list(l); l = cons_tail(l)) {
        if (cons_head(l) == ATOM_positive) positive = true;
        else if (cons_head(l) != ATOM_monotonic) BIF_ERROR(p, ATOM_badarg);
    }
    if (!is_nil(l)) BIF_ERROR(p, ATOM_badarg);
    uint64_t n = atomic_fetch_add_explicit(&unique_counter, 1, memory_order_relaxed);
    if (positive) return bif_make_uint64(&p->h, n + 1);
    return bif_make_int64(&p->h, (int64_t)n + SMALL_MIN);
}

term_t bif_erlang_unique_integer_0(Process *p, term_t *args) {
    (void)args;
    term_t a[1] = {NIL};
    return bif_erlang_unique_integer_1(p, a);
}

/* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static void utc_now(int64_t *y, unsigned *mo, unsigned *d, unsigned *h, unsigned *mi, unsigned *s) {
    int64_t secs = (int64_t)(plat_system_time_ns() / 1000000000ULL);
    int64_t days = secs / 86400, rem = secs % 86400;
    civil_from_days(days, y, mo, d);
    *h = (unsigned)(rem / 3600);
    *mi = (unsigned)(rem / 60 % 60);
    *s = (unsigned)(rem % 60);
}

term_t bif_erlang_universaltime_0(Process *p, term_t *args) {
    (void)args;
    int64_t y;
    unsigned mo, d, h, mi, s;
    utc_now(&y, &mo, &d, &h, &mi, &s);
    term_t date = tuple3(p, make_small(y), make_small(mo), make_small(d));
    term_t time = tuple3(p, make_small(h), make_small(mi), make_small(s));
    term_t *hp = heap_alloc(&p->h, tuple_words(2));
    term_t t = make_tuple_header(hp, 2);
    hp[1] = date;
    hp[2] = time;
    return t;
}

term_t bif_erlang_localtime_0(Process *p, term_t *args) { return bif_erlang_universaltime_0(p, args); }

term_t bif_erlang_date_0(Process *p, term_t *args) {
    (void)args;
    int64_t y;
    unsigned mo, d, h, mi, s;
    utc_now(&y, &mo, &d, &h, &mi, &s);
    return tuple3(p, make_small(y), make_small(mo), make_small(d));
}

term_t bif_erlang_time_0(Process *p, term_t *args) {
    (void)args;
    int64_t y;
    unsigned mo, d, h, mi, s;
    utc_now(&y, &mo, &d, &h, &mi, &s);
    return tuple3(p, make_small(h), make_small(mi), make_small(s));
}
