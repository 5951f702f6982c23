/*
 * system_monitor.c — erlang:system_monitor/0,1,2: its settings, the BIFs
 * that read and change them, and the messages it sends
 * (system_monitor.h).
 */
#include "vm/system_monitor.h"

#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/bif_util.h"
#include "vm/bignum.h"
#include "vm/code.h"
#include "vm/lock.h"
#include "vm/proc.h"
#include "vm/signal.h"

typedef struct {
    term_t monitor;            /* a local pid, or NIL: off */
    unsigned mask;             /* SYSMON_* */
    uint64_t long_gc_ms, long_schedule_ms, large_heap_words;
} SysmonState;

_Atomic unsigned sysmon_mask;

/* Guards sysmon_state; sysmon_mask (its mask, for lock-free checks) is
 * written only under it. */
static SpinLock sysmon_lock = SPINLOCK_INIT;
static SysmonState sysmon_state = {.monitor = NIL};

static SysmonState snapshot(void)
{
    spin_lock(&sysmon_lock);
    SysmonState s = sysmon_state;
    spin_unlock(&sysmon_lock);
    return s;
}

/* {monitor, Pid, Event, Info} to the monitor; Info's pairs built by fill
 * (at most `pairs` of them, each value a small). */
typedef struct {
    term_t key;
    uint64_t value;
} Pair;

static void send_event(term_t monitor, term_t pid, term_t event, const Pair *kv, size_t n, term_t extra)
{
    /* pairs: 3 words a tuple + 2 a cons; the 4-tuple: 5; extra: copied */
    size_t words = n * 5 + 5;
    term_t *hp;
    Message *m = sig_new(MSG_MESSAGE, pid, words, &hp);
    term_t info = extra;
    for (size_t i = n; i-- > 0;) {
        term_t *t = hp;
        hp += 3;
        t[1] = kv[i].key;
        t[2] = make_small((int64_t)(kv[i].value > (uint64_t)SMALL_MAX ? (uint64_t)SMALL_MAX : kv[i].value));
        info = make_cons(hp, make_tuple_header(t, 2), info);
        hp += 2;
    }
    hp[1] = ATOM_monitor;
    hp[2] = pid;
    hp[3] = event;
    hp[4] = info;
    m->msg = make_tuple_header(hp, 4);
    sig_send(monitor, m);
}

void sysmon_after_gc(Process *p, uint64_t gc_ns)
{
    SysmonState s = snapshot();
    if (!is_internal_pid(s.monitor)) return;
    uint64_t old_block = p->old_heap ? (uint64_t)(p->old_hend - p->old_heap) : 0;
    uint64_t old_used = p->old_heap ? (uint64_t)(p->old_htop - p->old_heap) : 0;
    /* OTP's order of the sizes */
    Pair kv[7] = {
        {ATOM_timeout, gc_ns / 1000000},
        {ATOM_old_heap_block_size, old_block},
        {ATOM_heap_block_size, p->heap_sz},
        {ATOM_mbuf_size, p->h.mbuf_sz},
        {ATOM_stack_size, (uint64_t)(p->heap_end - p->h.hend)},
        {ATOM_old_heap_size, old_used},
        {ATOM_heap_size, (uint64_t)(p->h.htop - p->h.heap)},
    };
    if ((s.mask & SYSMON_LONG_GC) && gc_ns && gc_ns / 1000000 >= s.long_gc_ms)
        send_event(s.monitor, p->id, ATOM_long_gc, kv, 7, NIL);
    if ((s.mask & SYSMON_LARGE_HEAP) && p->heap_sz + old_block >= s.large_heap_words)
        send_event(s.monitor, p->id, ATOM_large_heap, kv + 1, 6, NIL);
}

/* {M, F, A} of the function at pc, or undefined. */
static term_t mfa_or_undefined(const BeamInstr *pc, term_t *hp)
{
    const ErtsMFA *mfa;
    term_t file;
    uint32_t line;
    if (!pc || !code_lookup_address(pc, &mfa, &file, &line)) return ATOM_undefined;
    hp[1] = mfa->module;
    hp[2] = mfa->function;
    hp[3] = make_small(mfa->arity);
    return make_tuple_header(hp, 3);
}

void sysmon_after_slice(Process *p, uint64_t ns, const BeamInstr *in_pc, const BeamInstr *out_pc)
{
    SysmonState s = snapshot();
    if (!is_internal_pid(s.monitor) || !(s.mask & SYSMON_LONG_SCHEDULE) || ns / 1000000 < s.long_schedule_ms)
        return;
    /* [{timeout, Ms}, {in, Location}, {out, Location}] */
    term_t *hp;
    Message *m = sig_new(MSG_MESSAGE, p->id, 2 * 4 + 3 * (3 + 2) + 5, &hp);
    term_t in = mfa_or_undefined(in_pc, hp), out = mfa_or_undefined(out_pc, hp + 4);
    hp += 8;
    term_t keys[3] = {ATOM_timeout, ATOM_in, ATOM_out};
    term_t vals[3] = {make_small((int64_t)(ns / 1000000)), in, out};
    term_t info = NIL;
    for (int i = 2; i >= 0; i--) {
        hp[1] = keys[i];
        hp[2] = vals[i];
        info = make_cons(hp + 3, make_tuple_header(hp, 2), info);
        hp += 5;
    }
    hp[1] = ATOM_monitor;
    hp[2] = p->id;
    hp[3] = ATOM_long_schedule;
    hp[4] = info;
    m->msg = make_tuple_header(hp, 4);
    sig_send(s.monitor, m);
}

void sysmon_process_gone(term_t pid)
{
    if (!atomic_load_explicit(&sysmon_mask, memory_order_relaxed)) return;
    spin_lock(&sysmon_lock);
    if (sysmon_state.monitor == pid) {
        sysmon_state = (SysmonState){.monitor = NIL};
        atomic_store_explicit(&sysmon_mask, 0, memory_order_relaxed);
    }
    spin_unlock(&sysmon_lock);
}

/* ---- the BIFs ---- */

/* undefined | {MonitorPid, Options}, options in OTP's order */
static term_t settings_term(Heap *h, const SysmonState *s)
{
    if (!is_internal_pid(s->monitor)) return ATOM_undefined;
    term_t l = NIL;
    const struct { unsigned bit; term_t key; uint64_t v; } opts[] = {
        {SYSMON_LONG_GC, ATOM_long_gc, s->long_gc_ms},
        {SYSMON_LONG_SCHEDULE, ATOM_long_schedule, s->long_schedule_ms},
        {SYSMON_LARGE_HEAP, ATOM_large_heap, s->large_heap_words},
    };
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        if (!(s->mask & opts[i].bit)) continue;
        term_t *hp = heap_alloc(h, 3);
        hp[1] = opts[i].key;
        hp[2] = bif_make_uint64(h, opts[i].v);
        l = make_cons(heap_alloc(h, 2), make_tuple_header(hp, 2), l);
    }
    if (s->mask & SYSMON_BUSY_PORT) l = make_cons(heap_alloc(h, 2), ATOM_busy_port, l);
    if (s->mask & SYSMON_BUSY_DIST_PORT) l = make_cons(heap_alloc(h, 2), ATOM_busy_dist_port, l);
    term_t *hp = heap_alloc(h, 3);
    hp[1] = s->monitor;
    hp[2] = l;
    return make_tuple_header(hp, 2);
}

/* A non-negative integer that fits 64 bits (OTP's term_to_Uint). */
static bool get_uint64(term_t t, uint64_t *v)
{
    if (is_small(t)) {
        if (small_value(t) < 0) return false;
        *v = (uint64_t)small_value(t);
        return true;
    }
    return is_big(t) && big_to_uint64(t, v);
}

/* Options into *s (monitor set by the caller); false: badarg. Times of 0
 * become 1 ms and heap sizes below 16384 words become 16384, as OTP. */
static bool parse_options(term_t l, SysmonState *s)
{
    for (; is_list(l); l = cons_tail(l)) {
        term_t o = cons_head(l);
        if (o == ATOM_busy_port) { s->mask |= SYSMON_BUSY_PORT; continue; }
        if (o == ATOM_busy_dist_port) { s->mask |= SYSMON_BUSY_DIST_PORT; continue; }
        if (!is_tuple(o) || tuple_arity(o) != 2) return false;
        uint64_t v;
        if (!get_uint64(tuple_element(o, 2), &v)) return false;
        term_t k = tuple_element(o, 1);
        if (k == ATOM_long_gc) {
            s->mask |= SYSMON_LONG_GC;
            s->long_gc_ms = v ? v : 1;
        } else if (k == ATOM_long_schedule) {
            s->mask |= SYSMON_LONG_SCHEDULE;
            s->long_schedule_ms = v ? v : 1;
        } else if (k == ATOM_large_heap) {
            s->mask |= SYSMON_LARGE_HEAP;
            s->large_heap_words = v < 16384 ? 16384 : v;
        } else {
            return false;
        }
    }
    return is_nil(l);
}

/* Installs `monitor` with `opts` ([] turns monitoring off, whatever the
 * pid); returns the previous setting, or THE_NON_VALUE for badarg. */
static term_t set_monitor(Process *p, term_t monitor, term_t opts)
{
    SysmonState n = {.monitor = NIL};
    if (!is_nil(opts)) {
        if (!is_internal_pid(monitor)) return THE_NON_VALUE;
        Process *q = proc_lookup(monitor);
        int st = q ? atomic_load(&q->status) : PROC_FREE;
        if (!q || st == PROC_EXITING || st == PROC_FREE) return THE_NON_VALUE;
        n.monitor = monitor;
        if (!parse_options(opts, &n)) return THE_NON_VALUE;
    }
    spin_lock(&sysmon_lock);
    SysmonState old = sysmon_state;
    sysmon_state = n;
    atomic_store_explicit(&sysmon_mask, n.mask, memory_order_relaxed);
    spin_unlock(&sysmon_lock);
    return settings_term(&p->h, &old);
}

term_t bif_erlang_system_monitor_0(Process *p, term_t *args)
{
    (void)args;
    SysmonState s = snapshot();
    return settings_term(&p->h, &s);
}

term_t bif_erlang_system_monitor_1(Process *p, term_t *args)
{
    term_t a = args[0], r;
    if (a == ATOM_undefined) r = set_monitor(p, NIL, NIL);
    else if (is_tuple(a) && tuple_arity(a) == 2) r = set_monitor(p, tuple_element(a, 1), tuple_element(a, 2));
    else r = THE_NON_VALUE;
    if (r == THE_NON_VALUE) BIF_ERROR(p, ATOM_badarg);
    return r;
}

term_t bif_erlang_system_monitor_2(Process *p, term_t *args)
{
    term_t r = set_monitor(p, args[0], args[1]);
    if (r == THE_NON_VALUE) BIF_ERROR(p, ATOM_badarg);
    return r;
}
