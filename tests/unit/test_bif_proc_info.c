/*
 * test_bif_proc_info.c — process_info, statistics, system_info, memory,
 * atomics/counters and persistent_term at the C level, on real processes
 * from proc_spawn (the real emulator sets up their calls; the tests never
 * run them, so a spawned process stays runnable and its code need not be
 * loaded).
 */
#include <stdlib.h>

#include "tests/unit/check.h"
#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/binary.h"
#include "vm/emu.h"
#include "vm/gc.h"
#include "vm/mailbox.h"
#include "vm/map.h"
#include "vm/proc.h"
#include "vm/registry.h"
#include "vm/sched.h"
#include "vm/code_purge.h"
#include "vm/literal_area.h"
#include "vm/signal.h"
#include "vm/term_compare.h"

static SpawnOpts def;
static term_t sm(int64_t v) { return make_small(v); }
static term_t atom(const char *s) { return atom_intern_cstr(s); }

static Process *spawn_idle(void)
{
    term_t err = NIL;
    Process *p = proc_spawn(NULL, ATOM_erlang, atom("idle"), NIL, &def, NULL, &err);
    CHECK(p != NULL);
    return p;
}

/* What the scheduler does for a process between slices. */
static void serve_code_tasks(Process *q, void *arg)
{
    (void)arg;
    CHECK(sig_take_in(q));
    code_purge_serve(q);
}

/* Calls a BIF with up to 4 arguments. */
static term_t call(BifFn f, Process *p, term_t a, term_t b, term_t c, term_t d)
{
    term_t args[4] = {a, b, c, d};
    p->freason = EXC_NONE;
    return f(p, args);
}
#define BIF1(f, p, a) call(f, p, a, NIL, NIL, NIL)
#define BIF2(f, p, a, b) call(f, p, a, b, NIL, NIL)

static bool is_tuple_n(term_t t, unsigned n) { return is_tuple(t) && tuple_arity(t) == n; }
static term_t el(term_t t, unsigned i) { return tuple_element(t, i); }
static long len(term_t l) { long n = 0; for (; is_list(l); l = cons_tail(l)) n++; return is_nil(l) ? n : -1; }
/* process_info of another process is a request signal (vm/proc_info.h):
 * the BIF traps to erts_internal:await_result(Ref). Here the target takes
 * in its signals (building and sending the answer) and the caller finds
 * {Ref, Result} in its own queue, which is the whole protocol minus the
 * Erlang receive. */
static term_t pinfo_call(BifFn f, Process *p, Process *q, term_t item)
{
    term_t args[4] = {q->id, item, NIL, NIL};
    p->freason = EXC_NONE;
    term_t r = f(p, args);
    if (r != THE_NON_VALUE || p->freason != EXC_TRAP) return r;
    p->freason = EXC_NONE;
    term_t ref = args[0];
    CHECK(is_ref(ref));
    CHECK(sig_take_in(q));
    CHECK(sig_take_in(p));
    for (Message *m = p->msg_first; m; m = m->next)
        if (is_tuple_n(m->msg, 2) && term_compare_exact(el(m->msg, 1), ref) == 0) return el(m->msg, 2);
    CHECK(!"no reply to the process_info request");
    return THE_NON_VALUE;
}
static term_t pi(Process *p, Process *q, term_t item) { return pinfo_call(bif_erlang_process_info_2, p, q, item); }

TEST(process_info_items)
{
    Process *a = spawn_idle(), *b = spawn_idle();
    term_t r = pi(a, b, ATOM_status);
    CHECK(is_tuple_n(r, 2) && el(r, 1) == ATOM_status && el(r, 2) == ATOM_runnable);
    CHECK(el(pi(a, a, ATOM_status), 2) == ATOM_running);

    term_t *hp = heap_alloc(&a->h, 3);
    hp[1] = ATOM_ok; hp[2] = sm(7);
    term_t msg = make_tuple_header(hp, 2);
    CHECK(mbox_send(a, b->id, msg) == 0);
    CHECK(mbox_send(a, b->id, sm(2)) == 0);
    CHECK(el(pi(a, b, ATOM_message_queue_len), 2) == sm(2));   /* taken in before the request */
    term_t msgs = el(pi(a, b, ATOM_messages), 2);
    CHECK_EQ_INT(len(msgs), 2);
    CHECK(term_compare_exact(cons_head(msgs), msg) == 0);      /* oldest first */
    CHECK(cons_head(cons_tail(msgs)) == sm(2));

    CHECK(pi(a, b, ATOM_registered_name) == NIL);              /* OTP: [] */
    CHECK(reg_register(atom("pi_b"), b) == 0);
    r = pi(a, b, ATOM_registered_name);
    CHECK(is_tuple_n(r, 2) && el(r, 2) == atom("pi_b"));

    term_t l = BIF1(bif_erlang_link_1, a, b->id);
    CHECK(l == ATOM_true);
    term_t links = el(pi(a, a, ATOM_links), 2);
    CHECK(len(links) == 1 && cons_head(links) == b->id);

    term_t ic = el(pi(a, b, ATOM_initial_call), 2);
    CHECK(is_tuple_n(ic, 3) && el(ic, 1) == ATOM_erlang && el(ic, 2) == atom("idle") && el(ic, 3) == sm(0));
    CHECK(el(pi(a, b, ATOM_trap_exit), 2) == ATOM_false);
    CHECK(el(pi(a, b, ATOM_priority), 2) == ATOM_normal);
    CHECK(el(pi(a, b, ATOM_heap_size), 2) == sm((int64_t)b->heap_sz));
    int64_t mem = small_value(el(pi(a, b, ATOM_memory), 2));
    CHECK(mem >= (int64_t)(sizeof(Process) + b->heap_sz * 8));
    CHECK(el(pi(a, b, ATOM_monitors), 2) == NIL);
    CHECK(el(pi(a, b, ATOM_error_handler), 2) == ATOM_error_handler);

    term_t gcl = el(pi(a, b, ATOM_garbage_collection), 2);
    CHECK_EQ_INT(len(gcl), 5);
    CHECK(el(cons_head(gcl), 1) == ATOM_max_heap_size && is_map(el(cons_head(gcl), 2)));

    /* a list of items, duplicates kept */
    term_t items = make_cons(heap_alloc(&a->h, 2), ATOM_reductions, NIL);
    items = make_cons(heap_alloc(&a->h, 2), ATOM_status, items);
    items = make_cons(heap_alloc(&a->h, 2), ATOM_status, items);
    r = pi(a, b, items);
    CHECK_EQ_INT(len(r), 3);
    CHECK(el(cons_head(r), 1) == ATOM_status);

    /* process_info/1: registered_name first when registered, 16 OTP keys */
    term_t all = pinfo_call(bif_erlang_process_info_1, a, b, NIL);
    CHECK_EQ_INT(len(all), 17);
    CHECK(el(cons_head(all), 1) == ATOM_registered_name);
    CHECK_EQ_INT(len(BIF1(bif_erlang_process_info_1, a, a->id)), 16);

    /* bad item / bad pid -> badarg; dead pid -> undefined */
    CHECK(BIF2(bif_erlang_process_info_2, a, b->id, atom("no_such_item")) == THE_NON_VALUE &&
          a->fvalue == ATOM_badarg);
    CHECK(BIF2(bif_erlang_process_info_2, a, sm(1), ATOM_status) == THE_NON_VALUE);
    term_t dead = make_internal_pid(199, 12345);
    CHECK(BIF2(bif_erlang_process_info_2, a, dead, ATOM_status) == ATOM_undefined);
    CHECK(BIF2(bif_erlang_process_info_2, a, dead, atom("bogus")) == THE_NON_VALUE);
    CHECK(BIF1(bif_erlang_process_info_1, a, dead) == ATOM_undefined);
    reg_unregister(atom("pi_b"));
}

TEST(statistics_and_system_info)
{
    Process *p = spawn_idle();
    term_t r = BIF1(bif_erlang_statistics_1, p, ATOM_reductions);
    CHECK(is_tuple_n(r, 2) && is_small(el(r, 1)) && is_small(el(r, 2)));
    r = BIF1(bif_erlang_statistics_1, p, ATOM_context_switches);
    CHECK(is_tuple_n(r, 2) && is_small(el(r, 1)) && el(r, 2) == sm(0));
    CHECK(is_small(BIF1(bif_erlang_statistics_1, p, ATOM_run_queue)));
    CHECK_EQ_INT(len(BIF1(bif_erlang_statistics_1, p, ATOM_run_queue_lengths)), sched_count);
    CHECK(is_tuple_n(BIF1(bif_erlang_statistics_1, p, ATOM_runtime), 2));
    CHECK(is_tuple_n(BIF1(bif_erlang_statistics_1, p, ATOM_wall_clock), 2));
    CHECK(is_tuple_n(BIF1(bif_erlang_statistics_1, p, ATOM_garbage_collection), 3));
    CHECK(BIF1(bif_erlang_statistics_1, p, ATOM_scheduler_wall_time) == ATOM_undefined);
    CHECK(BIF2(bif_erlang_system_flag_2, p, ATOM_scheduler_wall_time, ATOM_true) == ATOM_false);
    r = BIF1(bif_erlang_statistics_1, p, ATOM_scheduler_wall_time);
    CHECK(len(r) == (long)sched_count && is_tuple_n(cons_head(r), 3) && el(cons_head(r), 1) == sm(1));
    CHECK(BIF2(bif_erlang_system_flag_2, p, ATOM_scheduler_wall_time, ATOM_false) == ATOM_true);
    CHECK(BIF1(bif_erlang_statistics_1, p, atom("bogus")) == THE_NON_VALUE);

    r = BIF1(bif_erlang_system_info_1, p, ATOM_otp_release);
    CHECK(len(r) == 2 && cons_head(r) == sm('2'));
    CHECK(BIF1(bif_erlang_system_info_1, p, ATOM_wordsize) == sm(8));
    CHECK(BIF1(bif_erlang_system_info_1, p, ATOM_process_count) == sm(proc_count()));
    CHECK(BIF1(bif_erlang_system_info_1, p, ATOM_schedulers) == sm(sched_count));
    r = BIF1(bif_erlang_system_info_1, p, ATOM_fullsweep_after);
    CHECK(is_tuple_n(r, 2) && el(r, 2) == sm(65535));
    CHECK(BIF1(bif_erlang_system_info_1, p, atom("bogus")) == THE_NON_VALUE);

    term_t m = BIF1(bif_erlang_memory_0, p, NIL);
    CHECK_EQ_INT(len(m), 9);
    int64_t total = small_value(el(cons_head(m), 2));
    int64_t procs = small_value(BIF1(bif_erlang_memory_1, p, ATOM_processes));
    int64_t sys = small_value(BIF1(bif_erlang_memory_1, p, ATOM_system));
    CHECK(procs > 0 && sys > 0 && total >= procs + sys - 4096);
    CHECK(BIF1(bif_erlang_memory_1, p, atom("bogus")) == THE_NON_VALUE);
}

TEST(atomics_and_counters)
{
    Process *p = spawn_idle();
    term_t a = BIF2(bif_erts_internal_atomics_new_2, p, sm(3), sm(1));   /* signed */
    CHECK(a != THE_NON_VALUE);
    CHECK(call(bif_atomics_add_get_3, p, a, sm(1), sm(5), NIL) == sm(5));
    CHECK(call(bif_atomics_add_get_3, p, a, sm(1), sm(-7), NIL) == sm(-2));
    CHECK(call(bif_atomics_compare_exchange_4, p, a, sm(1), sm(-2), sm(10)) == ATOM_ok);
    CHECK(call(bif_atomics_compare_exchange_4, p, a, sm(1), sm(0), sm(1)) == sm(10));
    CHECK(call(bif_atomics_exchange_3, p, a, sm(3), sm(4), NIL) == sm(0));
    CHECK(BIF2(bif_atomics_get_2, p, a, sm(3)) == sm(4));
    CHECK(BIF2(bif_atomics_get_2, p, a, sm(4)) == THE_NON_VALUE);         /* index out of range */
    CHECK(BIF2(bif_atomics_get_2, p, sm(1), sm(1)) == THE_NON_VALUE);
    term_t info = BIF1(bif_atomics_info_1, p, a);
    CHECK(is_map(info) && map_get(info, ATOM_size) == sm(3));

    term_t u = BIF2(bif_erts_internal_atomics_new_2, p, sm(1), sm(0));   /* unsigned */
    CHECK(call(bif_atomics_put_3, p, u, sm(1), sm(-1), NIL) == THE_NON_VALUE);
    CHECK(call(bif_atomics_add_get_3, p, u, sm(1), sm(-1), NIL) != THE_NON_VALUE);  /* wraps to 2^64-1 */
    CHECK(is_big(BIF2(bif_atomics_get_2, p, u, sm(1))));
    CHECK(BIF2(bif_erts_internal_atomics_new_2, p, sm(0), sm(0)) == THE_NON_VALUE);

    /* a plain binary of the right size is not an array */
    uint8_t junk[64] = {0};
    term_t fake = binary_new(&p->h, junk, sizeof junk);
    CHECK(BIF2(bif_atomics_get_2, p, fake, sm(1)) == THE_NON_VALUE);

    /* the array survives a collection and is shared, not copied */
    Binary *bin = ((ProcBin *)boxed_val(a))->val;
    term_t x[1] = {a};
    gc_collect(p, 0, x, 1);
    CHECK(x[0] != a && ((ProcBin *)boxed_val(x[0]))->val == bin);
    CHECK(BIF2(bif_atomics_get_2, p, x[0], sm(1)) == sm(10));

    term_t c = BIF1(bif_erts_internal_counters_new_1, p, sm(2));
    CHECK(call(bif_erts_internal_counters_add_3, p, c, sm(2), sm(-3), NIL) == ATOM_ok);
    CHECK(BIF2(bif_erts_internal_counters_get_2, p, c, sm(2)) == sm(-3));
    CHECK(call(bif_erts_internal_counters_put_3, p, c, sm(1), sm(9), NIL) == ATOM_ok);
    CHECK(BIF2(bif_erts_internal_counters_get_2, p, c, sm(1)) == sm(9));
    CHECK(BIF2(bif_atomics_get_2, p, c, sm(1)) == THE_NON_VALUE);          /* kinds do not mix */
    CHECK(map_get(BIF1(bif_erts_internal_counters_info_1, p, c), ATOM_size) == sm(2));
}

TEST(persistent_terms)
{
    Process *p = spawn_idle();
    term_t *hp = heap_alloc(&p->h, 3);
    hp[1] = ATOM_ok; hp[2] = sm(42);
    term_t v = make_tuple_header(hp, 2);
    term_t key = atom("pt_key");
    CHECK(BIF2(bif_persistent_term_put_2, p, key, v) == ATOM_ok);
    term_t g = BIF1(bif_persistent_term_get_1, p, key);
    CHECK(g != v && term_compare_exact(g, v) == 0);                /* a permanent copy */
    CHECK(BIF2(bif_persistent_term_get_2, p, atom("pt_none"), sm(5)) == sm(5));
    CHECK(BIF1(bif_persistent_term_get_1, p, atom("pt_none")) == THE_NON_VALUE);
    CHECK(BIF2(bif_persistent_term_put_2, p, key, sm(1)) == ATOM_ok);
    CHECK(BIF1(bif_persistent_term_get_1, p, key) == sm(1));
    CHECK(term_compare_exact(g, v) == 0);                          /* old copy still readable */
    term_t all = BIF1(bif_persistent_term_get_0, p, NIL);
    CHECK_EQ_INT(len(all), 1);
    term_t info = BIF1(bif_persistent_term_info_0, p, NIL);
    CHECK(map_get(info, ATOM_count) == sm(1) && small_value(map_get(info, ATOM_memory)) > 0);
    CHECK(BIF1(bif_persistent_term_erase_1, p, key) == ATOM_true);
    CHECK(BIF1(bif_persistent_term_erase_1, p, key) == ATOM_false);
    CHECK(BIF1(bif_persistent_term_get_0, p, NIL) == NIL);
    /* The replaced and the erased value wait for every process to collect
     * against them (docs/code_purge.md); serve the requests as the
     * scheduler would, and both are freed. */
    CHECK_EQ_INT(lit_area_outstanding(), 2);
    proc_foreach(serve_code_tasks, NULL);
    CHECK_EQ_INT(lit_area_outstanding(), 0);
    info = BIF1(bif_persistent_term_info_0, p, NIL);
    CHECK(map_get(info, ATOM_count) == sm(0));
}

int main(void)
{
    atom_init();
    emu_init();                /* export_get (the await_result trap) needs it */
    proc_init(200);
    sched_init(1);
    proc_spawn_opts_default(&def);
    RUN(process_info_items);
    RUN(statistics_and_system_info);
    RUN(atomics_and_counters);
    RUN(persistent_terms);
    return CHECK_DONE();
}
