/*
 * bif_proc_misc.c — the process dictionary, BIF timers, yield, gc request
 * and halt (bifs_proc.def).
 *
 * The dictionary itself is vm/pdict.c (a hash table of buckets).
 */
#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/gc.h"
#include "vm/pdict.h"
#include "vm/platform.h"
#include "vm/term_compare.h"
#include "vm/timer.h"

term_t bif_erlang_put_2(Process *p, term_t *args)
{
    return pdict_put(p, args[0], args[1]);
}

term_t bif_erlang_get_1(Process *p, term_t *args)
{
    term_t v = pdict_get(p, args[0]);
    return is_value(v) ? v : ATOM_undefined;
}

term_t bif_erlang_get_0(Process *p, term_t *args)
{
    (void)args;
    return pdict_list(p, &p->h);
}

term_t bif_erlang_get_keys_0(Process *p, term_t *args) { (void)args; return pdict_keys(p, &p->h, true, NIL); }
term_t bif_erlang_get_keys_1(Process *p, term_t *args) { return pdict_keys(p, &p->h, false, args[0]); }

term_t bif_erlang_erase_1(Process *p, term_t *args)
{
    return pdict_erase(p, args[0]);
}

term_t bif_erlang_erase_0(Process *p, term_t *args)
{
    (void)args;
    term_t all = pdict_list(p, &p->h);
    pdict_clear(p);
    return all;
}

/* ---- timers ---- */

/* Time (ms) and options [{abs, Bool}]: relative ms or an absolute
 * erlang:monotonic_time(millisecond) value. false on badarg. */
static bool timer_args(term_t time, term_t opts, uint64_t *ms, uint64_t *abs_ns)
{
    bool abs = false;
    for (; is_list(opts); opts = cons_tail(opts)) {
        term_t o = cons_head(opts);
        if (!is_tuple(o) || tuple_arity(o) != 2 || tuple_element(o, 1) != ATOM_abs ||
            (tuple_element(o, 2) != ATOM_true && tuple_element(o, 2) != ATOM_false))
            return false;
        abs = tuple_element(o, 2) == ATOM_true;
    }
    if (!is_nil(opts) || !is_small(time)) return false;
    int64_t t = small_value(time);
    *ms = 0;
    *abs_ns = 0;
    if (abs) {
        /* monotonic_time(millisecond) is plat_monotonic_ns() / 1e6 */
        *abs_ns = t <= 0 ? 1 : (uint64_t)t * 1000000u;
        return true;
    }
    if (t < 0) return false;
    *ms = (uint64_t)t;
    return true;
}

static term_t start(Process *p, term_t *args, term_t opts, bool start_timer)
{
    uint64_t ms, abs_ns;
    term_t dest = args[1];
    if (!timer_args(args[0], opts, &ms, &abs_ns) || !(is_internal_pid(dest) || is_atom(dest)))
        BIF_ERROR(p, ATOM_badarg);
    return timer_bif_start(p, ms, abs_ns, dest, args[2], start_timer);
}

term_t bif_erlang_send_after_3(Process *p, term_t *args) { return start(p, args, NIL, false); }
term_t bif_erlang_send_after_4(Process *p, term_t *args) { return start(p, args, args[3], false); }
term_t bif_erlang_start_timer_3(Process *p, term_t *args) { return start(p, args, NIL, true); }
term_t bif_erlang_start_timer_4(Process *p, term_t *args) { return start(p, args, args[3], true); }

/* Options [{async, B}, {info, B}]: the operation is always synchronous
 * here; info false makes the result ok. */
static bool info_opt(term_t opts, bool *info)
{
    *info = true;
    for (; is_list(opts); opts = cons_tail(opts)) {
        term_t o = cons_head(opts);
        if (!is_tuple(o) || tuple_arity(o) != 2) return false;
        term_t v = tuple_element(o, 2);
        if (v != ATOM_true && v != ATOM_false) return false;
        if (tuple_element(o, 1) == ATOM_info) *info = v == ATOM_true;
        else if (tuple_element(o, 1) != atom_intern_cstr("async")) return false;
    }
    return is_nil(opts);
}

static term_t timer_result(int64_t left, bool info)
{
    if (!info) return ATOM_ok;
    return left < 0 ? ATOM_false : make_small(left);
}

term_t bif_erlang_cancel_timer_1(Process *p, term_t *args)
{
    if (!is_reference(args[0])) BIF_ERROR(p, ATOM_badarg);
    return timer_result(timer_bif_cancel(args[0]), true);
}

term_t bif_erlang_cancel_timer_2(Process *p, term_t *args)
{
    bool info;
    if (!is_reference(args[0]) || !info_opt(args[1], &info)) BIF_ERROR(p, ATOM_badarg);
    return timer_result(timer_bif_cancel(args[0]), info);
}

term_t bif_erlang_read_timer_1(Process *p, term_t *args)
{
    if (!is_reference(args[0])) BIF_ERROR(p, ATOM_badarg);
    return timer_result(timer_bif_read(args[0]), true);
}

term_t bif_erlang_read_timer_2(Process *p, term_t *args)
{
    bool info;
    if (!is_reference(args[0]) || !info_opt(args[1], &info)) BIF_ERROR(p, ATOM_badarg);
    return timer_result(timer_bif_read(args[0]), info);
}

/* ---- scheduling, gc, halt ---- */

/* erlang:yield/0: the first call asks to be rescheduled (EXC_YIELD); the
 * emulator re-calls the BIF when the process runs again, which returns.
 * PF_YIELDED (process.h) tells the two calls apart. */
term_t bif_erlang_yield_0(Process *p, term_t *args)
{
    (void)args;
    if (p->flags & PF_YIELDED) {
        p->flags &= ~PF_YIELDED;
        return ATOM_true;
    }
    p->flags |= PF_YIELDED;
    p->freason = EXC_YIELD;
    return THE_NON_VALUE;
}

/* A major collection before returning, as in OTP (code that measures
 * memory right after relies on it). Safe here: the BIF is reached through
 * its export stub, so it is a call and no X register but its (zero)
 * arguments is live, and the stack top is p->h.hend, which the collector
 * moves. */
term_t bif_erlang_garbage_collect_0(Process *p, term_t *args)
{
    p->flags |= PF_FORCE_GC;
    p->fcalls -= gc_collect(p, 0, args, 0);
    return ATOM_true;
}

/* erts_internal:garbage_collect(major | minor), erlang:garbage_collect/1,2
 * on the caller itself: a collection now, full for major. */
term_t bif_erts_internal_garbage_collect_1(Process *p, term_t *args)
{
    if (args[0] != ATOM_major && args[0] != ATOM_minor) BIF_ERROR(p, ATOM_badarg);
    if (args[0] == ATOM_major) p->flags |= PF_FORCE_GC;
    p->fcalls -= gc_collect(p, 0, args, 0);
    return ATOM_true;
}

static int halt_status(term_t s, bool *ok)
{
    *ok = true;
    if (is_small(s) && small_value(s) >= 0) return (int)(small_value(s) & 0xFF);
    if (s == atom_intern_cstr("abort")) return 134;
    if (is_list(s) || is_nil(s)) {     /* a slogan: printed, status 1 */
        for (term_t t = s; is_list(t); t = cons_tail(t)) {
            if (!is_small(cons_head(t))) { *ok = false; return 0; }
            char c = (char)small_value(cons_head(t));
            plat_console_write(&c, 1);
        }
        plat_console_write("\n", 1);
        return 1;
    }
    *ok = false;
    return 0;
}

term_t bif_erlang_halt_0(Process *p, term_t *args)
{
    (void)p;
    (void)args;
    plat_halt(0);
}

term_t bif_erlang_halt_1(Process *p, term_t *args)
{
    bool ok;
    int st = halt_status(args[0], &ok);
    if (!ok) BIF_ERROR(p, ATOM_badarg);
    plat_halt(st);
}

term_t bif_erlang_halt_2(Process *p, term_t *args)
{
    if (!is_list(args[1]) && !is_nil(args[1])) BIF_ERROR(p, ATOM_badarg);
    return bif_erlang_halt_1(p, args);
}
