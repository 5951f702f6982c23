/*
 * bif_proc.c — process BIFs: spawn, send, exit, link, monitor, names,
 * process_flag, processes (bifs_proc.def). Every term is built with
 * heap_alloc(&p->h, ...), which never collects (bif.h).
 */
#include <stdlib.h>

#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/bif_util.h"
#include "vm/gc.h"
#include "vm/mailbox.h"
#include "vm/proc.h"
#include "vm/registry.h"
#include "vm/sched.h"
#include "vm/signal.h"
#include "vm/term_compare.h"
#include "vm/term_copy.h"

term_t bif_erlang_self_0(Process *p, term_t *args) { (void)args; return p->id; }

static term_t do_spawn(Process *p, term_t m, term_t f, term_t a, const SpawnOpts *o)
{
    uint32_t ref[3];
    term_t err;
    Process *c = proc_spawn(p, m, f, a, o, ref, &err);
    if (!c) BIF_ERROR(p, err);
    if (!o->monitor) return c->id;
    term_t r = make_internal_ref(heap_alloc(&p->h, REF_WORDS), ref);
    term_t *hp = heap_alloc(&p->h, 3);
    hp[1] = c->id;
    hp[2] = r;
    return make_tuple_header(hp, 2);
}

term_t bif_erlang_spawn_3(Process *p, term_t *args)
{
    SpawnOpts o;
    proc_spawn_opts_default(&o);
    return do_spawn(p, args[0], args[1], args[2], &o);
}

term_t bif_erlang_spawn_link_3(Process *p, term_t *args)
{
    SpawnOpts o;
    proc_spawn_opts_default(&o);
    o.link = true;
    return do_spawn(p, args[0], args[1], args[2], &o);
}

term_t bif_erlang_spawn_opt_4(Process *p, term_t *args)
{
    SpawnOpts o;
    if (!proc_spawn_opts_parse(args[3], &o)) BIF_ERROR(p, ATOM_badarg);
    return do_spawn(p, args[0], args[1], args[2], &o);
}

/* The reply options of a spawn_request list whose other options are bad:
 * OTP still honours them for the badopt reply. */
static void request_reply_opts(term_t list, SpawnOpts *o)
{
    for (; is_list(list); list = cons_tail(list)) {
        term_t opt = cons_head(list);
        if (!is_tuple(opt) || tuple_arity(opt) != 2) continue;
        term_t k = tuple_element(opt, 1), v = tuple_element(opt, 2);
        if (k == ATOM_reply_tag) o->reply_tag = v;
        else if (k == ATOM_reply && (v == ATOM_yes || v == ATOM_no || v == ATOM_error_only ||
                                     v == ATOM_success_only))
            o->reply = v;
    }
}

/* erts_internal:spawn_request(M, F, A, Opts), under erlang:spawn_request/1..5
 * for this node: returns the request's reference, or badarg (M, F, A) or
 * badopt (Opts not a proper list) for erlang.erl to raise. A local request
 * completes here, as OTP's answers: the reply {ReplyTag, ReqId, ok, Pid},
 * or {ReplyTag, ReqId, error, badopt | system_limit}, is in the caller's
 * queue before the child runs, so it precedes anything the child sends; a
 * monitor asked for takes ReqId as its reference. */
term_t bif_erts_internal_spawn_request_4(Process *p, term_t *args)
{
    term_t m = args[0], f = args[1], a = args[2], opts = args[3];
    if (!is_atom(m) || !is_atom(f) || bif_list_length(a) < 0) return ATOM_badarg;
    if (bif_list_length(opts) < 0) return ATOM_badopt;
    SpawnOpts o;
    bool opts_ok = proc_spawn_request_opts_parse(opts, &o);
    if (!opts_ok) {
        proc_spawn_opts_default(&o);
        request_reply_opts(opts, &o);
    }
    uint32_t ref[3];
    bool alias = opts_ok && o.monitor && o.mon_alias != ALIAS_NONE;
    if (alias) {
        proc_make_alias_numbers(p, ref);
        alias_add(p, ref, o.mon_alias);
    } else {
        proc_make_ref_numbers(p, ref);
    }
    o.mon_ref_given = o.defer_start = true;
    term_t req = make_internal_ref(heap_alloc(&p->h, REF_WORDS), ref), err = ATOM_badopt;
    Process *c = opts_ok ? proc_spawn(p, m, f, a, &o, ref, &err) : NULL;
    if (!c && alias) alias_remove(p, ref);
    bool ok = c != NULL;
    if (o.reply == ATOM_yes || o.reply == (ok ? ATOM_success_only : ATOM_error_only)) {
        term_t *hp = heap_alloc(&p->h, 5);
        hp[1] = o.reply_tag;
        hp[2] = req;
        hp[3] = ok ? ATOM_ok : ATOM_error;
        hp[4] = ok ? c->id : err;
        mbox_send(p, p->id, make_tuple_header(hp, 4));
    }
    if (c) proc_start(c);
    return req;
}

/* erlang:spawn_request_abandon(ReqId): true only for a request still in
 * progress. Requests to this node complete inside spawn_request, and there
 * are no others without distribution, so every reference gets false. */
term_t bif_erlang_spawn_request_abandon_1(Process *p, term_t *args)
{
    if (!is_reference(args[0])) BIF_ERROR(p, ATOM_badarg);
    return ATOM_false;
}

/* erlang:spawn_opt({M, F, A, Opts}), which older erlang.erl calls. */
term_t bif_erlang_spawn_opt_1(Process *p, term_t *args)
{
    term_t t = args[0];
    if (!is_tuple(t) || tuple_arity(t) != 4) BIF_ERROR(p, ATOM_badarg);
    term_t a[4] = {tuple_element(t, 1), tuple_element(t, 2), tuple_element(t, 3), tuple_element(t, 4)};
    return bif_erlang_spawn_opt_4(p, a);
}

term_t bif_erlang_send_2(Process *p, term_t *args)
{
    if (mbox_send(p, args[0], args[1]) != 0) BIF_ERROR(p, ATOM_badarg);
    return args[1];
}

term_t bif_erlang_send_3(Process *p, term_t *args)
{
    term_t o = args[2];
    for (; is_list(o); o = cons_tail(o))
        if (cons_head(o) != ATOM_nosuspend && cons_head(o) != ATOM_noconnect) BIF_ERROR(p, ATOM_badarg);
    if (!is_nil(o) || mbox_send(p, args[0], args[1]) != 0) BIF_ERROR(p, ATOM_badarg);
    return ATOM_ok;
}

/* exit/2. A signal to the caller itself takes effect before the BIF
 * returns, as in OTP: the caller takes in its signals at once (its own
 * exit signal is the newest, so everything sent before it is handled
 * first). If that kills it, the BIF asks to be descheduled (EXC_YIELD)
 * and the scheduler sees the pending exit_reason and ends the process
 * without running another instruction of it. */
term_t bif_erlang_exit_2(Process *p, term_t *args)
{
    if (is_internal_pid(args[0])) {
        sig_send_exit(p->id, args[0], args[1], false);
        if (args[0] == p->id && !sig_take_in(p)) {
            p->freason = EXC_YIELD;
            return THE_NON_VALUE;
        }
        return ATOM_true;
    }
    if (is_external_pid(args[0]) || is_port(args[0])) return ATOM_true;  /* unreachable */
    BIF_ERROR(p, ATOM_badarg);
}

term_t bif_erlang_link_1(Process *p, term_t *args)
{
    term_t pid = args[0];
    if (!is_internal_pid(pid)) {
        if (is_pid(pid) || is_port(pid)) BIF_ERROR(p, ATOM_notsup);  /* no dist, no ports */
        BIF_ERROR(p, ATOM_badarg);
    }
    if (pid == p->id) return ATOM_true;
    LinkEntry *l = link_find(p, pid);
    if (l && !l->unlinking) return ATOM_true;
    if (!proc_lookup(pid)) {
        if (!(p->flags & PF_TRAP_EXIT)) BIF_ERROR(p, ATOM_noproc);
        if (!l) link_add(p, pid);
        else l->unlinking = 0;
        sig_send_exit(pid, p->id, ATOM_noproc, true);   /* {'EXIT', Pid, noproc} */
        return ATOM_true;
    }
    if (!l) link_add(p, pid);
    else l->unlinking = 0;
    sig_send_link(p->id, pid);
    return ATOM_true;
}

term_t bif_erlang_unlink_1(Process *p, term_t *args)
{
    term_t pid = args[0];
    if (!is_pid(pid) && !is_port(pid)) BIF_ERROR(p, ATOM_badarg);
    LinkEntry *l = link_find(p, pid);
    if (l && !l->unlinking) {
        l->unlinking = ++p->unlink_id;
        sig_send_unlink(p->id, pid, l->unlinking);
    }
    return ATOM_true;
}

static term_t do_monitor(Process *p, term_t *args, uint8_t alias, term_t tag)
{
    if (args[0] != ATOM_process) BIF_ERROR(p, is_atom(args[0]) && args[0] == ATOM_port ? ATOM_notsup : ATOM_badarg);
    term_t target = args[1], name = NIL;
    if (is_tuple(target) && tuple_arity(target) == 2 && is_atom(tuple_element(target, 1)) &&
        is_atom(tuple_element(target, 2))) {
        term_t node = tuple_element(target, 2), local = term_local_node();
        if (node != local && !(!is_atom(local) && node == ATOM_nonode_at_nohost))
            BIF_ERROR(p, ATOM_notsup);                 /* remote: no distribution yet */
        target = tuple_element(target, 1);
    }
    if (is_atom(target)) {
        name = target;
        target = reg_whereis(name);
    } else if (!is_internal_pid(target)) {
        BIF_ERROR(p, is_pid(target) ? ATOM_notsup : ATOM_badarg);
    }
    uint32_t ref[3];
    if (alias != ALIAS_NONE) {
        proc_make_alias_numbers(p, ref);
        alias_add(p, ref, alias);
    } else {
        proc_make_ref_numbers(p, ref);
    }
    term_t r = make_internal_ref(heap_alloc(&p->h, REF_WORDS), ref);
    MonEntry *me = mon_add(p, ref, is_internal_pid(target) ? target : NIL, name, true);
    me->alias = alias;
    if (tag != THE_NON_VALUE) mon_set_tag(me, tag);
    if (!is_internal_pid(target)) {                    /* name not registered */
        term_t item[3];
        term_t node = term_local_node();
        item[1] = name;
        item[2] = is_atom(node) ? node : ATOM_nonode_at_nohost;
        sig_send_down(NIL, p->id, ref, make_tuple_header(item, 2), ATOM_noproc);
        return r;
    }
    sig_send_monitor(p->id, target, ref, name);
    return r;
}

term_t bif_erlang_monitor_2(Process *p, term_t *args)
{
    return do_monitor(p, args, ALIAS_NONE, THE_NON_VALUE);
}

/* monitor/3: options {alias, explicit_unalias | demonitor | reply_demonitor}
 * and {tag, Tag} (the last of each kind wins, as in OTP). */
term_t bif_erlang_monitor_3(Process *p, term_t *args)
{
    uint8_t alias;
    term_t tag;
    if (!proc_monitor_opts_parse(args[2], &alias, &tag)) BIF_ERROR(p, ATOM_badarg);
    return do_monitor(p, args, alias, tag);
}

static term_t make_alias(Process *p, uint8_t mode)
{
    uint32_t ref[3];
    proc_make_alias_numbers(p, ref);
    alias_add(p, ref, mode);
    return make_internal_ref(heap_alloc(&p->h, REF_WORDS), ref);
}

term_t bif_erlang_alias_0(Process *p, term_t *args)
{
    (void)args;
    return make_alias(p, ALIAS_EXPLICIT);
}

/* alias/1: options explicit_unalias (the default) and reply. */
term_t bif_erlang_alias_1(Process *p, term_t *args)
{
    uint8_t mode = ALIAS_EXPLICIT;
    term_t o = args[0];
    for (; is_list(o); o = cons_tail(o)) {
        if (cons_head(o) == ATOM_explicit_unalias) mode = ALIAS_EXPLICIT;
        else if (cons_head(o) == ATOM_reply) mode = ALIAS_REPLY;
        else BIF_ERROR(p, ATOM_badarg);
    }
    if (!is_nil(o)) BIF_ERROR(p, ATOM_badarg);
    return make_alias(p, mode);
}

term_t bif_erlang_unalias_1(Process *p, term_t *args)
{
    term_t r = args[0];
    if (!is_reference(r)) BIF_ERROR(p, ATOM_badarg);
    if (!is_ref(r)) return ATOM_false;
    uint32_t n[3] = {ref_number(r, 0), ref_number(r, 1), ref_number(r, 2)};
    return alias_remove(p, n) ? ATOM_true : ATOM_false;
}

/* {Tag, Ref, process, _, _}: Tag is 'DOWN' or the monitor's {tag, Tag}. */
static bool is_down_for(Message *m, term_t ref)
{
    return is_tuple(m->msg) && tuple_arity(m->msg) == 5 && tuple_element(m->msg, 3) == ATOM_process &&
           term_compare_exact(tuple_element(m->msg, 2), ref) == 0;
}

static term_t demonitor(Process *p, term_t ref, bool flush, bool info)
{
    if (!is_ref(ref)) BIF_ERROR(p, ATOM_badarg);
    uint32_t r[3] = {ref_number(ref, 0), ref_number(ref, 1), ref_number(ref, 2)};
    bool found = sig_demonitor(p, r);
    if (flush) {
        /* The DOWN may already be a message: take in everything, drop it. */
        struct Message **save = p->msg_save;
        p->msg_save = &p->msg_first;
        Message *msg;
        while ((msg = mbox_peek(p))) {
            if (is_down_for(msg, ref)) {
                mbox_remove(p);
                break;
            }
            mbox_next(p);
        }
        p->msg_save = save == &p->msg_first ? save : &p->msg_first;
    }
    if (!info) return ATOM_true;
    return found ? ATOM_true : ATOM_false;
}

term_t bif_erlang_demonitor_1(Process *p, term_t *args) { return demonitor(p, args[0], false, false); }

term_t bif_erlang_demonitor_2(Process *p, term_t *args)
{
    bool flush = false, info = false;
    term_t o = args[1];
    for (; is_list(o); o = cons_tail(o)) {
        if (cons_head(o) == ATOM_flush) flush = true;
        else if (cons_head(o) == ATOM_info) info = true;
        else BIF_ERROR(p, ATOM_badarg);
    }
    if (!is_nil(o)) BIF_ERROR(p, ATOM_badarg);
    return demonitor(p, args[0], flush, info);
}

term_t bif_erlang_register_2(Process *p, term_t *args)
{
    Process *q = is_internal_pid(args[1]) ? proc_lookup(args[1]) : NULL;
    if (!q || reg_register(args[0], q) != 0) BIF_ERROR(p, ATOM_badarg);
    return ATOM_true;
}

term_t bif_erlang_unregister_1(Process *p, term_t *args)
{
    if (!is_atom(args[0]) || reg_unregister(args[0]) != 0) BIF_ERROR(p, ATOM_badarg);
    return ATOM_true;
}

term_t bif_erlang_whereis_1(Process *p, term_t *args)
{
    if (!is_atom(args[0])) BIF_ERROR(p, ATOM_badarg);
    return reg_whereis(args[0]);
}

term_t bif_erlang_registered_0(Process *p, term_t *args)
{
    (void)args;
    return reg_names(&p->h);
}

static term_t prio_atom(int prio)
{
    static const term_t a[PRIO_COUNT] = {ATOM_max, ATOM_high, ATOM_normal, ATOM_low};
    return a[prio];
}

term_t bif_erlang_process_flag_2(Process *p, term_t *args)
{
    term_t v = args[1];
    switch (args[0]) {
    case ATOM_trap_exit: {
        if (v != ATOM_true && v != ATOM_false) break;
        term_t old = (p->flags & PF_TRAP_EXIT) ? ATOM_true : ATOM_false;
        if (v == ATOM_true) p->flags |= PF_TRAP_EXIT;
        else p->flags &= ~PF_TRAP_EXIT;
        return old;
    }
    case ATOM_priority: {
        int prio;
        if (!proc_prio_from_atom(v, &prio)) break;
        term_t old = prio_atom(p->prio);
        p->prio = (uint8_t)prio;       /* takes effect at the next enqueue */
        return old;
    }
    case ATOM_min_heap_size: {
        if (!is_small(v) || small_value(v) < 0) break;
        term_t old = make_small((int64_t)p->min_heap_size);
        size_t w = (size_t)small_value(v);
        p->min_heap_size = w < PROC_DEFAULT_HEAP_WORDS ? PROC_DEFAULT_HEAP_WORDS : gc_next_heap_size(w);
        return old;
    }
    case ATOM_min_bin_vheap_size: {
        if (!is_small(v) || small_value(v) < 0) break;
        term_t old = bif_make_uint64(&p->h, p->min_bin_vheap_size);
        uint64_t w = (uint64_t)small_value(v);
        p->min_bin_vheap_size = w < GC_MIN_BIN_VHEAP_WORDS ? GC_MIN_BIN_VHEAP_WORDS : gc_next_heap_size(w);
        if (p->bin_vheap_sz < p->min_bin_vheap_size) p->bin_vheap_sz = p->min_bin_vheap_size;
        return old;
    }
    case ATOM_max_heap_size: {
        MaxHeap m = p->max_heap;
        if (!max_heap_parse(v, p->min_heap_size, &m)) break;
        term_t old = max_heap_term(&p->h, &p->max_heap);
        p->max_heap = m;              /* checked at the next collection */
        return old;
    }
    case ATOM_message_queue_data: {
        /* Where a queue waits is a hint here: messages always stay in
         * their own fragments (OTP's off_heap) until received. */
        if (v != ATOM_on_heap && v != ATOM_off_heap) break;
        term_t old = (p->flags & PF_MQD_OFF_HEAP) ? ATOM_off_heap : ATOM_on_heap;
        if (v == ATOM_off_heap) p->flags |= PF_MQD_OFF_HEAP;
        else p->flags &= ~PF_MQD_OFF_HEAP;
        return old;
    }
    case ATOM_sensitive: {
        /* No tracing exists to hide from; process_info shows a sensitive
         * process's messages and dictionary as [] (OTP). */
        if (v != ATOM_true && v != ATOM_false) break;
        term_t old = (p->flags & PF_SENSITIVE) ? ATOM_true : ATOM_false;
        if (v == ATOM_true) p->flags |= PF_SENSITIVE;
        else p->flags &= ~PF_SENSITIVE;
        return old;
    }
    case ATOM_fullsweep_after: {
        if (!is_small(v) || small_value(v) < 0) break;
        term_t old = make_small(p->max_gen_gcs);
        p->max_gen_gcs = small_value(v) > 65535 ? 65535 : (uint16_t)small_value(v);
        return old;
    }
    default:
        break;
    }
    BIF_ERROR(p, ATOM_badarg);
}

term_t bif_erlang_is_process_alive_1(Process *p, term_t *args)
{
    if (!is_internal_pid(args[0])) BIF_ERROR(p, ATOM_badarg);
    Process *q = proc_lookup(args[0]);
    if (!q) return ATOM_false;
    if (q == p) return ATOM_true;
    int st = atomic_load(&q->status);
    return st == PROC_EXITING || st == PROC_FREE ? ATOM_false : ATOM_true;
}

/* This VM has no ports (open_port/2 is undef): the list of them is
 * empty, which tools that walk erlang:ports() (observer, recon, the
 * shell's i/0) handle. */
term_t bif_erlang_ports_0(Process *p, term_t *args)
{
    (void)p;
    (void)args;
    return NIL;
}

term_t bif_erlang_processes_0(Process *p, term_t *args)
{
    (void)args;
    size_t n = proc_count() + 64, got;
    term_t *pids;
    for (;;) {
        pids = malloc(n * sizeof *pids);
        if (!pids) BIF_ERROR(p, ATOM_system_limit);
        got = proc_list_pids(pids, n);
        if (got <= n) break;
        free(pids);
        n = got + 64;
    }
    term_t list = NIL, *hp = heap_alloc(&p->h, got * CONS_WORDS);
    for (size_t i = got; i-- > 0;) {
        list = make_cons(hp, pids[i], list);
        hp += CONS_WORDS;
    }
    free(pids);
    return list;
}

term_t bif_erlang_make_ref_0(Process *p, term_t *args)
{
    (void)args;
    return proc_make_ref(p);
}

term_t bif_erlang_group_leader_0(Process *p, term_t *args)
{
    (void)args;
    return p->group_leader;
}

/* group_leader(GL, Pid). Another process's group_leader is its [run]
 * state, so it gets a MSG_GROUP_LEADER signal and sets the field itself
 * (as OTP does); being in send order with the caller's other signals, a
 * later process_info(Pid, group_leader) from the caller sees the change. */
term_t bif_erlang_group_leader_2(Process *p, term_t *args)
{
    term_t gl = args[0];
    if (!is_pid(gl) || !is_internal_pid(args[1])) BIF_ERROR(p, ATOM_badarg);
    Process *q = proc_lookup(args[1]);
    if (!q) BIF_ERROR(p, ATOM_badarg);
    if (q == p) {
        if (!is_internal_pid(gl)) {       /* boxed: keep a copy on our heap */
            term_t *hp = heap_alloc(&p->h, term_copy_size(gl));
            gl = term_copy(gl, &hp, &p->h.off_heap);
        }
        p->group_leader = gl;
        return ATOM_true;
    }
    term_t *hp;
    Message *m = sig_new(MSG_GROUP_LEADER, p->id, term_copy_size(gl), &hp);
    m->extra = term_copy(gl, &hp, &m->off_heap);
    sig_send_proc(q, m);
    return ATOM_true;
}
