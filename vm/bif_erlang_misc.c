/*
 * bif_erlang_misc.c — small BIFs of module erlang (and os) that belong to
 * no larger family: node/0,1, nodes/0,1, is_builtin/3, now/0,
 * os:getpid/0, os:perf_counter/0, delete_element/2, insert_element/3,
 * bump_reductions/1, is_record/2,3, and the calendar conversions
 * localtime_to_universaltime/2, universaltime_to_localtime/1,
 * universaltime_to_posixtime/1, posixtime_to_universaltime/1.
 *
 * Local time is UTC on BeamOS (there is no time zone database). Like OTP
 * on a UTC host, localtime_to_universaltime(T, true) still subtracts the
 * hour of daylight saving time the caller asserts.
 *
 * The node is not distributed yet: nodes/0 is [], and only `this`/`known`
 * name a node (ours) in nodes/1.
 */
#include <stdatomic.h>

#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/platform.h"
#include "vm/term_compare.h"

/* ---- nodes ---- */

term_t bif_erlang_node_0(Process *p, term_t *args) {
    (void)p;
    (void)args;
    return term_local_node();
}

term_t bif_erlang_node_1(Process *p, term_t *args) {
    term_t t = args[0];
    if (is_internal_pid(t) || is_internal_port(t) || is_ref(t)) return term_local_node();
    if (is_external_pid(t) || is_external_port(t) || is_external_ref(t)) return external_val(t)->node;
    BIF_ERROR(p, ATOM_badarg);
}

term_t bif_erlang_nodes_0(Process *p, term_t *args) {
    (void)p;
    (void)args;
    return NIL;
}

/* One node type of nodes/1: sets *self if it includes this node; false
 * if it is not a node type. */
static bool node_type(term_t a, bool *self) {
    switch (a) {
    case ATOM_visible: case ATOM_hidden: case ATOM_connected: return true;
    case ATOM_this: case ATOM_known: *self = true; return true;
    default: return false;
    }
}

term_t bif_erlang_nodes_1(Process *p, term_t *args) {
    term_t t = args[0];
    bool self = false;
    if (is_atom(t)) {
        if (!node_type(t, &self)) BIF_ERROR(p, ATOM_badarg);
    } else {
        for (; is_list(t); t = cons_tail(t))
            if (!node_type(cons_head(t), &self)) BIF_ERROR(p, ATOM_badarg);
        if (!is_nil(t)) BIF_ERROR(p, ATOM_badarg);
    }
    if (!self) return NIL;
    return make_cons(heap_alloc(&p->h, CONS_WORDS), term_local_node(), NIL);
}

/* ---- code ---- */

static bool atom_is_text(term_t a, const char *s) {
    const Atom *at = atom_get(a);
    size_t n = strlen(s);
    return at->len_bytes == n && memcmp(at->name, s, n) == 0;
}

/* True iff M:F/A is in the BIF table. OTP also counts functions it runs
 * as instructions (apply/3 ...); those are here only if they are BIFs. */
term_t bif_erlang_is_builtin_3(Process *p, term_t *args) {
    if (!is_atom(args[0]) || !is_atom(args[1]) || !is_small(args[2])) BIF_ERROR(p, ATOM_badarg);
    int64_t a = small_value(args[2]);
    if (a < 0 || a > 255) return ATOM_false;
    for (unsigned i = 0; i < bif_table_count; i++) {
        const BifEntry *e = &bif_table[i];
        if (e->arity == a && atom_is_text(args[1], e->name) && atom_is_text(args[0], e->module))
            return ATOM_true;
    }
    return ATOM_false;
}

/* ---- time ---- */

/* The last value now/0 returned, in microseconds since the epoch. Each
 * call returns a later value than every earlier call on any scheduler:
 * the CAS orders the calls (relaxed suffices, nothing else is published). */
static _Atomic uint64_t now_last_us;

term_t bif_erlang_now_0(Process *p, term_t *args) {
    (void)args;
    uint64_t sys = plat_system_time_ns() / 1000, prev = atomic_load_explicit(&now_last_us, memory_order_relaxed), us;
    do {
        us = sys > prev ? sys : prev + 1;
    } while (!atomic_compare_exchange_weak_explicit(&now_last_us, &prev, us, memory_order_relaxed,
                                                    memory_order_relaxed));
    term_t *hp = heap_alloc(&p->h, tuple_words(3));
    term_t t = make_tuple_header(hp, 3);
    hp[1] = make_small((int64_t)(us / 1000000000000ULL));
    hp[2] = make_small((int64_t)(us / 1000000 % 1000000));
    hp[3] = make_small((int64_t)(us % 1000000));
    return t;
}

/* os:perf_counter/0: nanoseconds (the perf_counter unit, bif_erlang_time.c). */
term_t bif_os_perf_counter_0(Process *p, term_t *args) {
    (void)args;
    return bif_make_uint64(&p->h, plat_monotonic_ns());
}

/* os:getpid/0: the VM is the only OS process there is. */
term_t bif_os_getpid_0(Process *p, term_t *args) {
    (void)args;
    return bif_bytes_to_list(&p->h, (const uint8_t *)"1", 1, NIL);
}

/* ---- tuples ---- */

term_t bif_erlang_delete_element_2(Process *p, term_t *args) {
    term_t ix = args[0], t = args[1];
    if (!is_small(ix) || !is_tuple(t)) BIF_ERROR(p, ATOM_badarg);
    uint64_t n = tuple_arity(t);
    int64_t i = small_value(ix);
    if (i < 1 || (uint64_t)i > n) BIF_ERROR(p, ATOM_badarg);
    term_t *hp = heap_alloc(&p->h, tuple_words(n - 1));
    term_t *src = tuple_val(t);
    term_t r = make_tuple_header(hp, n - 1);
    memcpy(hp + 1, src + 1, (size_t)(i - 1) * sizeof(term_t));
    memcpy(hp + i, src + i + 1, (size_t)(n - (uint64_t)i) * sizeof(term_t));
    return r;
}

term_t bif_erlang_insert_element_3(Process *p, term_t *args) {
    term_t ix = args[0], t = args[1];
    if (!is_small(ix) || !is_tuple(t)) BIF_ERROR(p, ATOM_badarg);
    uint64_t n = tuple_arity(t);
    int64_t i = small_value(ix);
    if (i < 1 || (uint64_t)i > n + 1) BIF_ERROR(p, ATOM_badarg);
    term_t *hp = heap_alloc(&p->h, tuple_words(n + 1));
    term_t *src = tuple_val(t);
    term_t r = make_tuple_header(hp, n + 1);
    memcpy(hp + 1, src + 1, (size_t)(i - 1) * sizeof(term_t));
    hp[i] = args[2];
    memcpy(hp + i + 1, src + i, (size_t)(n + 1 - (uint64_t)i) * sizeof(term_t));
    return r;
}

/* ---- records ---- */

term_t bif_erlang_is_record_2(Process *p, term_t *args) {
    term_t t = args[0], tag = args[1];
    if (!is_atom(tag)) BIF_ERROR(p, ATOM_badarg);
    return is_tuple(t) && tuple_arity(t) >= 1 && tuple_element(t, 1) == tag ? ATOM_true : ATOM_false;
}

term_t bif_erlang_is_record_3(Process *p, term_t *args) {
    term_t t = args[0], tag = args[1], size = args[2];
    if (!is_atom(tag) || !is_small(size)) BIF_ERROR(p, ATOM_badarg);
    int64_t n = small_value(size);
    return n >= 1 && is_tuple(t) && tuple_arity(t) == (uint64_t)n && tuple_element(t, 1) == tag
               ? ATOM_true : ATOM_false;
}

/* ---- scheduling ---- */

#define BUMP_MAX_REDS 4000 /* OTP's CONTEXT_REDS: at most one time slice */

term_t bif_erlang_bump_reductions_1(Process *p, term_t *args) {
    if (!is_small(args[0]) || small_value(args[0]) < 0) BIF_ERROR(p, ATOM_badarg);
    int64_t reds = small_value(args[0]);
    if (reds > BUMP_MAX_REDS) reds = BUMP_MAX_REDS;
    p->fcalls -= (int32_t)reds;
    return ATOM_true;
}

/* ---- calendar ---- */

typedef struct {
    int64_t year;
    int64_t month, day, hour, minute, second;
} DateTime;

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * algorithm; exact for every year that fits in 32 bits). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, DateTime *dt) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    dt->day = doy - (153 * mp + 2) / 5 + 1;
    dt->month = mp < 10 ? mp + 3 : mp - 9;
    dt->year = yoe + era * 400 + (dt->month <= 2);
}

static bool leap_year(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static bool small_in(term_t t, int64_t lo, int64_t hi, int64_t *out) {
    if (!is_small(t)) return false;
    *out = small_value(t);
    return *out >= lo && *out <= hi;
}

static bool tuple_n(term_t t, uint64_t n) { return is_tuple(t) && tuple_arity(t) == n; }

/* {{Y,M,D},{H,Mi,S}} with a valid date and time and min_year <= Y <=
 * INT_MAX - 1 (OTP's ranges: 1600 for posix time, 1902 for local time). */
static bool get_datetime(term_t t, int64_t min_year, DateTime *dt) {
    static const int8_t mdays[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!tuple_n(t, 2)) return false;
    term_t d = tuple_element(t, 1), c = tuple_element(t, 2);
    if (!tuple_n(d, 3) || !tuple_n(c, 3)) return false;
    if (!small_in(tuple_element(d, 1), min_year, INT32_MAX - 1, &dt->year) ||
        !small_in(tuple_element(d, 2), 1, 12, &dt->month) ||
        !small_in(tuple_element(d, 3), 1, 31, &dt->day) ||
        !small_in(tuple_element(c, 1), 0, 23, &dt->hour) ||
        !small_in(tuple_element(c, 2), 0, 59, &dt->minute) ||
        !small_in(tuple_element(c, 3), 0, 59, &dt->second))
        return false;
    int64_t dim = mdays[dt->month] + (dt->month == 2 && leap_year(dt->year));
    return dt->day <= dim;
}

static int64_t datetime_to_seconds(const DateTime *dt) {
    return days_from_civil(dt->year, dt->month, dt->day) * 86400 + dt->hour * 3600 +
           dt->minute * 60 + dt->second;
}

static void seconds_to_datetime(int64_t secs, DateTime *dt) {
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    civil_from_days(days, dt);
    dt->hour = rem / 3600;
    dt->minute = rem / 60 % 60;
    dt->second = rem % 60;
}

static term_t make_datetime(Process *p, const DateTime *dt) {
    term_t *hp = heap_alloc(&p->h, 2 * tuple_words(3) + tuple_words(2));
    term_t d = make_tuple_header(hp, 3);
    hp[1] = bif_make_int64(&p->h, dt->year);
    hp[2] = make_small(dt->month);
    hp[3] = make_small(dt->day);
    hp += tuple_words(3);
    term_t c = make_tuple_header(hp, 3);
    hp[1] = make_small(dt->hour);
    hp[2] = make_small(dt->minute);
    hp[3] = make_small(dt->second);
    hp += tuple_words(3);
    term_t r = make_tuple_header(hp, 2);
    hp[1] = d;
    hp[2] = c;
    return r;
}

#define LOCAL_MIN_YEAR 1902 /* OTP's BASEYEAR */
#define POSIX_MIN_YEAR 1600

term_t bif_erlang_localtime_to_universaltime_2(Process *p, term_t *args) {
    DateTime dt;
    term_t dst = args[1];
    if (!get_datetime(args[0], LOCAL_MIN_YEAR, &dt)) BIF_ERROR(p, ATOM_badarg);
    if (dst != ATOM_true && dst != ATOM_false && dst != ATOM_undefined) BIF_ERROR(p, ATOM_badarg);
    if (dst != ATOM_true) return args[0];
    seconds_to_datetime(datetime_to_seconds(&dt) - 3600, &dt);
    return make_datetime(p, &dt);
}

term_t bif_erlang_universaltime_to_localtime_1(Process *p, term_t *args) {
    DateTime dt;
    if (!get_datetime(args[0], LOCAL_MIN_YEAR, &dt)) BIF_ERROR(p, ATOM_badarg);
    return args[0];
}

term_t bif_erlang_universaltime_to_posixtime_1(Process *p, term_t *args) {
    DateTime dt;
    if (!get_datetime(args[0], POSIX_MIN_YEAR, &dt)) BIF_ERROR(p, ATOM_badarg);
    return bif_make_int64(&p->h, datetime_to_seconds(&dt));
}

/* Exact for every small integer; OTP wraps the year to 32 bits beyond
 * about +-6.7e16 s, and we do not copy that. Bignums are badarg. */
term_t bif_erlang_posixtime_to_universaltime_1(Process *p, term_t *args) {
    if (!is_small(args[0])) BIF_ERROR(p, ATOM_badarg);
    DateTime dt;
    seconds_to_datetime(small_value(args[0]), &dt);
    return make_datetime(p, &dt);
}
