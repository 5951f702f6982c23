/*
 * test_proc.c — processes, mailboxes, signals, registry, timers and the
 * scheduler loop at the C level. Processes run C callbacks through the
 * test-only emulator stand-in (standin_emu.c).
 */
#include <stdarg.h>
#include <stdlib.h>

#include "tests/unit/check.h"
#include "tests/unit/standin_emu.h"
#include "vm/atom.h"
#include "vm/binary.h"
#include "vm/bignum.h"
#include "vm/fun.h"
#include "vm/mailbox.h"
#include "vm/map.h"
#include "vm/platform.h"
#include "vm/proc.h"
#include "vm/registry.h"
#include "vm/sched.h"
#include "vm/signal.h"
#include "vm/term_compare.h"
#include "vm/term_copy.h"
#include "vm/timer.h"

static Heap th;   /* where tests build terms */

static term_t tup(int n, ...)
{
    term_t *hp = heap_alloc(&th, 1 + n);
    va_list ap;
    va_start(ap, n);
    for (int i = 1; i <= n; i++) hp[i] = va_arg(ap, term_t);
    va_end(ap);
    return make_tuple_header(hp, n);
}
static term_t cons(term_t h, term_t t) { return make_cons(heap_alloc(&th, 2), h, t); }
static term_t atom(const char *s) { return atom_intern_cstr(s); }
static term_t sm(int64_t v) { return make_small(v); }

/* ---- term_copy ---- */

static void check_copy(term_t t, size_t want_words)
{
    size_t n = term_copy_size(t);
    CHECK_EQ_INT(n, want_words);
    term_t *buf = malloc((n ? n : 1) * sizeof(term_t)), *hp = buf;
    OffHeap oh = {0};
    term_t c = term_copy(t, &hp, &oh);
    CHECK_EQ_INT(hp - buf, n);
    CHECK(term_compare_exact(c, t) == 0);
    heap_off_heap_release(&oh);
    free(buf);
}

static const FunEntry test_fe = {ATOM_erlang, 3, 77, 1, 2, NULL};
static const ErtsMFA test_mfa = {ATOM_erlang, ATOM_apply, 2};

TEST(copy_every_kind)
{
    check_copy(sm(42), 0);
    check_copy(ATOM_ok, 0);
    check_copy(NIL, 0);
    check_copy(make_internal_pid(5, 1), 0);
    check_copy(cons(sm(1), cons(sm(2), NIL)), 4);
    check_copy(cons(sm(1), sm(2)), 2);                       /* improper */
    check_copy(tup(0), 1);
    check_copy(tup(3, sm(1), tup(2, ATOM_ok, NIL), cons(sm(3), NIL)), 4 + 3 + 2);
    term_t *fp = heap_alloc(&th, FLOAT_WORDS);
    check_copy(make_float(fp, 2.5), 2);
    term_t *bp = heap_alloc(&th, 3);
    bp[0] = make_header(2, POS_BIG_SUBTAG);
    bp[1] = 0;
    bp[2] = 1;                                               /* 2^64 */
    check_copy(make_boxed(bp), 3);
    uint32_t rn[3] = {1, 2, 3};
    check_copy(make_internal_ref(heap_alloc(&th, REF_WORDS), rn), REF_WORDS);
    uint8_t bytes[200];
    for (int i = 0; i < 200; i++) bytes[i] = (uint8_t)i;
    check_copy(binary_new(&th, bytes, 10), heap_bin_words(10));
    term_t big = binary_new(&th, bytes, 200);
    check_copy(big, PROC_BIN_WORDS);
    check_copy(sub_binary_new(&th, big, 3, 100), SUB_BIN_WORDS + PROC_BIN_WORDS);
    term_t *fn = heap_alloc(&th, fun_words(2));
    FunThing *f = (FunThing *)fn;
    fn[0] = make_header(1 + 2, FUN_SUBTAG);
    f->entry = &test_fe;
    f->env[0] = tup(1, sm(9));
    f->env[1] = cons(sm(1), NIL);
    check_copy(make_boxed(fn), fun_words(2) + 2 + 2);
    check_copy(make_export_fun(heap_alloc(&th, EXPORT_FUN_WORDS), &test_mfa), EXPORT_FUN_WORDS);
    term_t keys[2] = {ATOM_ok, sm(1)}, vals[2] = {tup(1, NIL), sm(2)};
    term_t m = map_from_pairs(&th, keys, vals, 2);
    check_copy(m, flatmap_words(2) + tuple_words(2) + 2);
    term_t *ep = heap_alloc(&th, external_words(2));
    ExternalThing *e = (ExternalThing *)ep;
    ep[0] = make_header(external_words(2) - 1, EXTERNAL_PID_SUBTAG);
    e->node = atom("a@b");
    e->creation = 1;
    e->n_num = 2;
    e->num[0] = 7;
    e->num[1] = 0;
    check_copy(make_boxed(ep), external_words(2));
}

TEST(copy_procbin_shares_binary)
{
    uint8_t bytes[100] = {1, 2, 3};
    term_t b = binary_new(&th, bytes, sizeof bytes);
    Binary *bin = ((ProcBin *)boxed_val(b))->val;
    uint64_t before = atomic_load(&bin->refc);
    term_t *buf = malloc(PROC_BIN_WORDS * 8), *hp = buf;
    OffHeap oh = {0};
    term_t c = term_copy(b, &hp, &oh);
    CHECK_EQ_INT(atomic_load(&bin->refc), before + 1);
    CHECK(oh.first == (OffHeapHeader *)boxed_val(c));
    CHECK_EQ_INT(oh.overhead, 100);
    CHECK(((ProcBin *)boxed_val(c))->val == bin);
    heap_off_heap_release(&oh);
    CHECK_EQ_INT(atomic_load(&bin->refc), before);
    free(buf);
}

/* A writable binary (binary.h): only the newest view extends it, older
 * views keep their bytes, a copy is not writable, growth while shared
 * leaves the other holder's bytes alone. */
TEST(writable_binary_append)
{
    uint8_t *d;
    OffHeapHeader *before = th.off_heap.first;
    term_t w = binary_new_writable(&th, 256, 100, &d);
    ProcBin *pb = (ProcBin *)boxed_val(w);
    CHECK(pb->flags & PB_WRITABLE && pb->val->orig_size == 256 && th.off_heap.first != before);
    for (int i = 0; i < 100; i++) d[i] = (uint8_t)i;
    term_t v1 = sub_binary_new(&th, w, 0, 800);
    CHECK(binary_appendable(v1) == pb);
    CHECK(binary_appendable(w) == NULL); /* the ProcBin itself is no view */
    uint64_t oh0 = th.off_heap.overhead;
    uint8_t *b2 = binary_writable_extend(&th, pb, 300); /* past capacity: realloc */
    CHECK(pb->size == 300 && pb->val->orig_size >= 300 && b2 == pb->bytes && b2[99] == 99 && b2[100] == 0);
    CHECK_EQ_INT(th.off_heap.overhead, oh0 + 200);
    term_t v2 = sub_binary_new(&th, w, 0, 2400);
    CHECK(binary_appendable(v1) == NULL && binary_appendable(v2) == pb);
    CHECK_EQ_INT(bitstring_bit_size(v1), 800);
    /* a copy elsewhere: not writable, shares the Binary */
    term_t *buf = malloc((SUB_BIN_WORDS + PROC_BIN_WORDS) * 8), *hp = buf;
    OffHeap oh = {0};
    term_t c = term_copy(v2, &hp, &oh);
    CHECK(binary_appendable(c) == NULL);
    ProcBin *cpb = (ProcBin *)oh.first;
    CHECK(!(cpb->flags & PB_WRITABLE) && cpb->val == pb->val && atomic_load(&pb->val->refc) == 2);
    /* growing past capacity while shared: a new Binary, old bytes kept */
    Binary *old = pb->val;
    binary_writable_extend(&th, pb, old->orig_size + 1);
    CHECK(pb->val != old && cpb->val == old && atomic_load(&old->refc) == 1);
    CHECK(pb->bytes[99] == 99 && cpb->bytes[99] == 99 && cpb->size == 300);
    heap_off_heap_release(&oh);
    free(buf);
}

/* ---- processes run by the stand-in emulator ---- */

static SpawnOpts def;

static Process *spawn_fn(Process *parent, const char *fn, term_t args)
{
    term_t err = NIL;
    Process *p = proc_spawn(parent, ATOM_erlang, atom(fn), args, &def, NULL, &err);
    CHECK(p != NULL);
    return p;
}

/* "idle": waits forever, receiving nothing. */
static EmuResult fn_idle(Scheduler *s, Process *p) { (void)s; (void)p; return EMU_WAIT; }

/* "exiter": exits with the reason given as its first argument. */
static EmuResult fn_exiter(Scheduler *s, Process *p)
{
    (void)s;
    p->fvalue = cons_head(p->arg_reg[0]);
    return EMU_EXIT;
}

/* "collector": takes every message into a log kept on the test heap. */
static term_t collected[64];
static unsigned ncollected;
static EmuResult fn_collector(Scheduler *s, Process *p)
{
    (void)s;
    Message *m;
    while ((m = mbox_peek(p))) {
        term_t *hp = heap_alloc(&th, term_copy_size(m->msg));
        collected[ncollected++] = term_copy(m->msg, &hp, &th.off_heap);
        mbox_remove(p);
    }
    return EMU_WAIT;
}

static void run(void) { sched_run_until_idle(0); }

TEST(mailbox_order_and_selective_receive)
{
    Process *p = spawn_fn(NULL, "idle", NIL);
    run();
    for (int i = 1; i <= 5; i++) CHECK_EQ_INT(mbox_send(NULL, p->id, tup(2, ATOM_ok, sm(i))), 0);
    /* select {ok, 3}: walk with the save pointer */
    Message *m;
    int seen = 0;
    while ((m = mbox_peek(p)) && tuple_element(m->msg, 2) != sm(3)) {
        seen++;
        mbox_next(p);
    }
    CHECK(m != NULL);
    CHECK_EQ_INT(seen, 2);
    mbox_remove(p);
    CHECK_EQ_INT(p->msg_len, 4);
    /* after remove the save pointer is back at the start: 1 2 4 5 */
    int want[] = {1, 2, 4, 5};
    for (int i = 0; i < 4; i++) {
        m = mbox_peek(p);
        CHECK(m && tuple_element(m->msg, 2) == sm(want[i]));
        mbox_remove(p);
    }
    CHECK(mbox_peek(p) == NULL);
    CHECK(p->h.mbuf != NULL);             /* received fragments joined the heap */
    mbox_send(NULL, p->id, ATOM_ok);       /* immediate: no fragment */
    m = mbox_peek(p);
    CHECK(m && m->msg == ATOM_ok && m->frag == NULL);
    mbox_remove(p);
    CHECK_EQ_INT(mbox_send(NULL, atom("nobody_has_this"), ATOM_ok), -1);
}

TEST(receive_markers)
{
    Process *p = spawn_fn(NULL, "idle", NIL);
    run();
    for (int i = 0; i < 3; i++) mbox_send(NULL, p->id, sm(i));   /* old mail */
    term_t ref = proc_make_ref(p);
    term_t marker = mbox_marker_reserve(p);
    mbox_marker_bind(p, marker, ref);
    mbox_send(NULL, p->id, tup(2, ref, ATOM_ok));
    mbox_marker_use(p, ref);
    Message *m = mbox_peek(p);
    CHECK(m && is_tuple(m->msg));          /* skipped the three old ones */
    mbox_remove(p);
    mbox_marker_clear(p, ref);
    CHECK(p->msg_mark == NULL);
    m = mbox_peek(p);
    CHECK(m && m->msg == sm(0));           /* old mail still there, in order */
    /* a marker whose message position is removed moves back safely */
    marker = mbox_marker_reserve(p);       /* mark after sm(2) */
    mbox_marker_bind(p, marker, ref);
    mbox_next(p);
    mbox_next(p);
    mbox_remove(p);                        /* removes sm(2), the marked one */
    mbox_send(NULL, p->id, ATOM_ok);
    mbox_marker_use(p, ref);
    m = mbox_peek(p);
    CHECK(m && m->msg == ATOM_ok);
    uint32_t other[3] = {9, 9, 9};
    term_t ref2 = make_internal_ref(heap_alloc(&th, REF_WORDS), other);
    mbox_timeout(p);
    mbox_marker_use(p, ref2);              /* unknown ref: scan from start */
    m = mbox_peek(p);
    CHECK(m && m->msg == sm(0));
}

TEST(registry)
{
    Process *a = spawn_fn(NULL, "idle", NIL), *b = spawn_fn(NULL, "idle", NIL);
    run();
    term_t n = atom("reg_a");
    CHECK_EQ_INT(reg_register(n, a), 0);
    CHECK_EQ_INT(reg_register(n, b), -1);                /* taken */
    CHECK_EQ_INT(reg_register(atom("reg_b"), a), -1);    /* a has a name */
    CHECK_EQ_INT(reg_register(ATOM_undefined, b), -1);
    CHECK(reg_whereis(n) == a->id);
    CHECK(a->registered_name == n);
    CHECK_EQ_INT(mbox_send(NULL, n, ATOM_ok), 0);
    CHECK(mbox_peek(a) && mbox_peek(a)->msg == ATOM_ok);
    mbox_remove(a);
    for (int i = 0; i < 100; i++) {        /* grow and tombstones */
        char buf[32];
        snprintf(buf, sizeof buf, "reg_many_%d", i);
        Process *q = spawn_fn(NULL, "idle", NIL);
        CHECK_EQ_INT(reg_register(atom(buf), q), 0);
        sig_send_exit(NIL, q->id, ATOM_kill, false);
    }
    run();                                 /* all 100 die: names go */
    CHECK_EQ_INT(reg_count(), 1);
    CHECK(reg_whereis(atom("reg_many_5")) == ATOM_undefined);
    CHECK_EQ_INT(reg_unregister(n), 0);
    CHECK(a->registered_name == NIL);
    CHECK(reg_whereis(n) == ATOM_undefined);
    CHECK_EQ_INT(reg_unregister(n), -1);
}

TEST(link_exit_trap_and_kill)
{
    ncollected = 0;
    Process *a = spawn_fn(NULL, "collector", NIL);
    a->flags |= PF_TRAP_EXIT;
    SpawnOpts lo = def;
    lo.link = true;
    term_t err;
    Process *b = proc_spawn(a, ATOM_erlang, atom("exiter"), cons(atom("boom"), NIL), &lo, NULL, &err);
    term_t bpid = b->id;
    CHECK(link_find(a, bpid) != NULL);
    run();
    CHECK(proc_lookup(bpid) == NULL);
    CHECK(link_find(a, bpid) == NULL);
    CHECK_EQ_INT(ncollected, 1);
    CHECK(term_compare_exact(collected[0], tup(3, ATOM_EXIT, bpid, atom("boom"))) == 0);

    /* not trapping: a linked process dying abnormally kills; normal doesn't */
    Process *c = spawn_fn(NULL, "idle", NIL);
    term_t cpid = c->id;
    Process *d = proc_spawn(c, ATOM_erlang, atom("exiter"), cons(ATOM_normal, NIL), &lo, NULL, &err);
    (void)d;
    run();
    CHECK(proc_lookup(cpid) == c);
    Process *e = proc_spawn(c, ATOM_erlang, atom("exiter"), cons(atom("bad"), NIL), &lo, NULL, &err);
    (void)e;
    run();
    CHECK(proc_lookup(cpid) == NULL);

    /* exit/2: kill is untrappable and becomes killed; normal is ignored */
    ncollected = 0;
    Process *t = spawn_fn(NULL, "collector", NIL);
    t->flags |= PF_TRAP_EXIT;
    Process *mon = spawn_fn(NULL, "collector", NIL);
    uint32_t ref[3];
    proc_make_ref_numbers(mon, ref);
    mon_add(mon, ref, t->id, NIL, true);
    sig_send_monitor(mon->id, t->id, ref, NIL);
    term_t tpid = t->id;
    sig_send_exit(mon->id, tpid, ATOM_normal, false);
    sig_send_exit(mon->id, tpid, atom("why"), false);
    run();
    CHECK_EQ_INT(ncollected, 2);   /* t trapped both as messages */
    CHECK(term_compare_exact(collected[0], tup(3, ATOM_EXIT, mon->id, ATOM_normal)) == 0);
    sig_send_exit(mon->id, tpid, ATOM_kill, false);
    run();
    CHECK(proc_lookup(tpid) == NULL);
    CHECK_EQ_INT(ncollected, 3);   /* mon got DOWN with killed */
    term_t rt = make_internal_ref(heap_alloc(&th, REF_WORDS), ref);
    CHECK(term_compare_exact(collected[2], tup(5, ATOM_DOWN, rt, ATOM_process, tpid, ATOM_killed)) == 0);
}

TEST(dead_targets_noproc_and_unlink)
{
    ncollected = 0;
    Process *a = spawn_fn(NULL, "collector", NIL);
    a->flags |= PF_TRAP_EXIT;
    Process *b = spawn_fn(NULL, "exiter", cons(ATOM_normal, NIL));
    term_t bpid = b->id;
    run();
    CHECK(proc_lookup(bpid) == NULL);
    /* monitor of a dead pid: DOWN noproc; link to a dead pid: exit noproc */
    uint32_t ref[3];
    proc_make_ref_numbers(a, ref);
    mon_add(a, ref, bpid, NIL, true);
    sig_send_monitor(a->id, bpid, ref, NIL);
    link_add(a, bpid);
    sig_send_link(a->id, bpid);
    run();
    CHECK_EQ_INT(ncollected, 2);
    term_t rt = make_internal_ref(heap_alloc(&th, REF_WORDS), ref);
    CHECK(term_compare_exact(collected[0], tup(5, ATOM_DOWN, rt, ATOM_process, bpid, ATOM_noproc)) == 0);
    CHECK(term_compare_exact(collected[1], tup(3, ATOM_EXIT, bpid, ATOM_noproc)) == 0);
    CHECK(link_find(a, bpid) == NULL);

    /* unlink: while our unlink is in flight, the old link's exit is void */
    ncollected = 0;
    Process *c = spawn_fn(NULL, "idle", NIL);
    link_add(a, c->id);
    sig_send_link(a->id, c->id);
    run();
    CHECK(link_find(c, a->id) != NULL);
    LinkEntry *l = link_find(a, c->id);
    l->unlinking = ++a->unlink_id;
    sig_send_unlink(a->id, c->id, l->unlinking);
    sig_send_exit(c->id, a->id, atom("late"), true);  /* crosses the unlink */
    run();
    CHECK(link_find(c, a->id) == NULL);
    CHECK(link_find(a, c->id) == NULL);                /* ack arrived */
    CHECK_EQ_INT(ncollected, 0);

    /* demonitor: a DOWN already under way is dropped */
    Process *d = spawn_fn(NULL, "exiter", cons(atom("x"), NIL));
    proc_make_ref_numbers(a, ref);
    mon_add(a, ref, d->id, NIL, true);
    sig_send_monitor(a->id, d->id, ref, NIL);
    mon_remove(a, ref, true);
    run();
    CHECK_EQ_INT(ncollected, 0);
}

/* ---- timers ---- */

static uint64_t fired_at[8];
static unsigned nfired;
/* "sleeper": receive after Ms -> record, exit */
static EmuResult fn_sleeper(Scheduler *s, Process *p)
{
    (void)s;
    if (p->flags & PF_TIMEOUT) {
        mbox_timeout(p);
        fired_at[nfired++] = (uint64_t)small_value(cons_head(p->arg_reg[0]));
        p->fvalue = ATOM_normal;
        return EMU_EXIT;
    }
    if (mbox_peek(p)) return EMU_WAIT;
    CHECK_EQ_INT(mbox_set_timer(p, cons_head(p->arg_reg[0])), 0);
    return EMU_WAIT;
}

TEST(receive_after_fires_in_order)
{
    nfired = 0;
    uint64_t t0 = plat_monotonic_ns();
    spawn_fn(NULL, "sleeper", cons(sm(30), NIL));
    spawn_fn(NULL, "sleeper", cons(sm(10), NIL));
    spawn_fn(NULL, "sleeper", cons(sm(0), NIL));
    spawn_fn(NULL, "sleeper", cons(sm(20), NIL));
    run();
    CHECK_EQ_INT(nfired, 4);
    CHECK_EQ_INT(fired_at[0], 0);
    CHECK_EQ_INT(fired_at[1], 10);
    CHECK_EQ_INT(fired_at[2], 20);
    CHECK_EQ_INT(fired_at[3], 30);
    CHECK(plat_monotonic_ns() - t0 >= 30000000u);
    CHECK_EQ_INT(timer_count(schedulers[0]), 0);
    Process *p = spawn_fn(NULL, "idle", NIL);
    run();
    CHECK_EQ_INT(mbox_set_timer(p, sm(-1)), -1);
    CHECK_EQ_INT(mbox_set_timer(p, ATOM_ok), -1);
    CHECK_EQ_INT(mbox_set_timer(p, ATOM_infinity), 0);
    CHECK_EQ_INT(mbox_set_timer(p, sm(1000)), 0);      /* cancelled by a message */
    mbox_send(NULL, p->id, ATOM_ok);
    CHECK(mbox_peek(p) != NULL);
    mbox_remove(p);
    CHECK(!(p->flags & PF_ACTIVE_TIMER));
    CHECK_EQ_INT(timer_count(schedulers[0]), 0);
}

TEST(bif_timers)
{
    ncollected = 0;
    Process *c = spawn_fn(NULL, "collector", NIL);
    run();
    term_t r3 = timer_bif_start(c, 30, 0, c->id, sm(3), false);
    term_t r1 = timer_bif_start(c, 10, 0, c->id, sm(1), true);
    term_t rx = timer_bif_start(c, 5000, 0, c->id, sm(99), false);
    timer_bif_start(c, 20, 0, c->id, sm(2), false);
    int64_t left = timer_bif_read(rx);
    CHECK(left > 4900 && left <= 5000);
    CHECK(timer_bif_cancel(rx) > 4900);
    CHECK_EQ_INT(timer_bif_cancel(rx), -1);
    run();
    CHECK_EQ_INT(ncollected, 3);
    CHECK(term_compare_exact(collected[0], tup(3, ATOM_timeout, r1, sm(1))) == 0);
    CHECK(collected[1] == sm(2));
    CHECK(collected[2] == sm(3));
    CHECK_EQ_INT(timer_bif_read(r3), -1);
}

/* ---- scheduling ---- */

static char order[64];
static unsigned norder;
/* "tick": logs its letter (first argument) each run, yields N times. */
static EmuResult fn_tick(Scheduler *s, Process *p)
{
    (void)s;
    order[norder++] = (char)small_value(cons_head(p->arg_reg[0]));
    int64_t n = small_value(p->arg_reg[1]) + 1;
    p->arg_reg[1] = make_small(n);
    if (n >= small_value(cons_head(cons_tail(p->arg_reg[0])))) {
        p->fvalue = ATOM_normal;
        return EMU_EXIT;
    }
    return EMU_YIELD;
}

static void spawn_tick(char c, int times, int prio)
{
    SpawnOpts o = def;
    o.prio = prio;
    term_t err;
    CHECK(proc_spawn(NULL, ATOM_erlang, atom("tick"), cons(sm(c), cons(sm(times), NIL)), &o, NULL, &err));
}

TEST(priorities)
{
    norder = 0;
    spawn_tick('n', 10, PRIO_NORMAL);
    spawn_tick('l', 2, PRIO_LOW);
    spawn_tick('h', 2, PRIO_HIGH);
    spawn_tick('m', 1, PRIO_MAX);
    run();
    order[norder] = 0;
    /* max, high twice, then normal with low getting a turn after 8 normals */
    CHECK_EQ_STR(order, "mhhnnnnnnnnlnnl");
}

TEST(spawn_monitor_and_limit)
{
    ncollected = 0;
    Process *a = spawn_fn(NULL, "collector", NIL);
    SpawnOpts o = def;
    o.monitor = true;
    uint32_t ref[3];
    term_t err;
    Process *b = proc_spawn(a, ATOM_erlang, atom("exiter"), cons(atom("bye"), NIL), &o, ref, &err);
    term_t bpid = b->id;
    run();
    CHECK_EQ_INT(ncollected, 1);
    term_t rt = make_internal_ref(heap_alloc(&th, REF_WORDS), ref);
    CHECK(term_compare_exact(collected[0], tup(5, ATOM_DOWN, rt, ATOM_process, bpid, atom("bye"))) == 0);
    CHECK(proc_spawn(a, ATOM_erlang, atom("exiter"), sm(1), &def, NULL, &err) == NULL);
    CHECK(err == ATOM_badarg);
    /* fill the table to the limit: system_limit, then room again */
    unsigned before = proc_count(), made = 0;
    Process *last = NULL;
    while ((last = proc_spawn(NULL, ATOM_erlang, atom("idle"), NIL, &def, NULL, &err))) made++;
    CHECK(err == ATOM_system_limit);
    CHECK_EQ_INT(before + made, proc_limit());
    CHECK_EQ_INT(proc_count(), proc_limit());
    run();
    term_t pids[256];
    size_t n = proc_list_pids(pids, 256);
    CHECK_EQ_INT(n, proc_limit());
    for (size_t i = 0; i < n; i++) sig_send_exit(NIL, pids[i], ATOM_kill, false);
    run();
    CHECK_EQ_INT(proc_count(), 0);
    /* pids of dead processes are not reused for new ones */
    Process *q = spawn_fn(NULL, "idle", NIL);
    for (size_t i = 0; i < n; i++) CHECK(q->id != pids[i]);
    CHECK(proc_lookup(pids[0]) == NULL);
}

/* Monitors past MON_INDEX_MIN go through the hash index: find and remove
 * in FIFO, LIFO and mixed order, both sides (origin true/false) of the same
 * reference apart, the list and the count kept in step. */
TEST(many_monitors_indexed)
{
    Process *a = spawn_fn(NULL, "idle", NIL);
    enum { N = 1000 };
    static uint32_t refs[N][3];
    for (int i = 0; i < N; i++) {
        proc_make_ref_numbers(a, refs[i]);
        mon_add(a, refs[i], a->id, NIL, true);
        if (i % 3 == 0) mon_add(a, refs[i], a->id, NIL, false);
    }
    CHECK_EQ_INT(a->n_mons, N + (N + 2) / 3);
    int bad = 0;
    for (int i = 0; i < N; i++) {
        MonEntry *m = mon_find(a, refs[i], true);
        if (!m || m->ref[0] != refs[i][0] || !m->origin) bad++;
        if ((mon_find(a, refs[i], false) != NULL) != (i % 3 == 0)) bad++;
    }
    CHECK_EQ_INT(bad, 0);
    /* oldest first (spawn_monitor's DOWNs), then newest first, then the rest */
    for (int i = 0; i < N / 3; i++) if (!mon_remove(a, refs[i], true)) bad++;
    for (int i = N - 1; i >= 2 * N / 3; i--) if (!mon_remove(a, refs[i], true)) bad++;
    for (int i = N / 3; i < 2 * N / 3; i += 2) if (!mon_remove(a, refs[i], true)) bad++;
    CHECK_EQ_INT(bad, 0);
    CHECK(!mon_remove(a, refs[0], true));
    unsigned listed = 0;
    for (MonEntry *m = a->monitors; m; m = m->next) listed++;
    CHECK_EQ_INT(listed, a->n_mons);
    for (int i = 0; i < N; i++) {
        bool in = i >= N / 3 && i < 2 * N / 3 && (i - N / 3) % 2 == 1;
        if ((mon_find(a, refs[i], true) != NULL) != in) bad++;
    }
    CHECK_EQ_INT(bad, 0);
    for (int i = 0; i < N; i++) {
        mon_remove(a, refs[i], true);
        mon_remove(a, refs[i], false);
    }
    CHECK_EQ_INT(a->n_mons, 0);
    CHECK(a->monitors == NULL);
    CHECK(a->mon_index == NULL);
    for (int i = 0; i < 40; i++) mon_add(a, refs[i], a->id, NIL, true);
    CHECK(a->mon_index != NULL);
    links_free_all(a);
    CHECK(a->mon_index == NULL);
}

int main(void)
{
    atom_init();
    heap_init(&th, 1 << 16);
    proc_init(200);
    sched_init(1);
    proc_spawn_opts_default(&def);
    standin_emu_register(atom("idle"), fn_idle);
    standin_emu_register(atom("exiter"), fn_exiter);
    standin_emu_register(atom("collector"), fn_collector);
    standin_emu_register(atom("sleeper"), fn_sleeper);
    standin_emu_register(atom("tick"), fn_tick);
    RUN(copy_every_kind);
    RUN(copy_procbin_shares_binary);
    RUN(writable_binary_append);
    RUN(mailbox_order_and_selective_receive);
    RUN(receive_markers);
    RUN(registry);
    RUN(link_exit_trap_and_kill);
    RUN(dead_targets_noproc_and_unlink);
    RUN(receive_after_fires_in_order);
    RUN(bif_timers);
    RUN(priorities);
    RUN(spawn_monitor_and_limit);
    RUN(many_monitors_indexed);
    heap_destroy(&th);
    return CHECK_DONE();
}
