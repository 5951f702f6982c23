/*
 * proc.c — the process table, spawn, exit, references, and the deferred
 * freeing of dead processes (proc.h).
 *
 * Table: `table[limit]` of atomic Process pointers. A pid's number is its
 * slot, its serial the slot's incarnation: slot = n % limit and serial =
 * n / limit for the n-th spawn (next_number), so a stale pid never names a
 * new process until the 32-bit serial wraps. `live` counts claimed slots
 * and is bumped *before* claiming, so it never exceeds `limit`.
 *
 * Memory order: a spawn fills the whole Process, then publishes it with a
 * seq_cst CAS on its slot; proc_lookup's acquire load therefore sees a
 * fully built process. Exit clears the slot before retiring the Process.
 */
#include "vm/proc.h"

#include <stdlib.h>

#include "vm/atom.h"
#include "vm/emu.h"
#include "vm/ets_table.h"
#include "vm/gc.h"
#include "vm/pdict.h"
#include "vm/mailbox.h"
#include "vm/platform.h"
#include "vm/registry.h"
#include "vm/sched.h"
#include "vm/signal.h"
#include "vm/suspend.h"
#include "vm/sys_stats.h"
#include "vm/system_monitor.h"
#include "vm/term_compare.h"
#include "vm/term_copy.h"
#include "vm/timer.h"
#include "vm/code_purge.h"
#include "vm/literal_area.h"

static Process *_Atomic *table;
static uint32_t limit;
static _Atomic uint32_t live;
static _Atomic uint64_t next_number;

void proc_init(uint32_t max_procs)
{
    if (max_procs == 0) max_procs = PROC_DEFAULT_LIMIT;
    if (max_procs > PROC_MAX_LIMIT) max_procs = PROC_MAX_LIMIT;
    limit = max_procs;
    table = calloc(limit, sizeof *table);
    if (!table) plat_fatal("proc: cannot allocate the process table");
    atomic_store(&live, 0);
    atomic_store(&next_number, 0);
}

uint32_t proc_limit(void) { return limit; }

void proc_foreach(void (*fn)(Process *p, void *arg), void *arg)
{
    for (uint32_t i = 0; i < limit; i++) {
        Process *p = atomic_load_explicit(&table[i], memory_order_acquire);
        if (p) fn(p, arg);
    }
}
uint32_t proc_count(void) { return atomic_load_explicit(&live, memory_order_relaxed); }

Process *proc_lookup(term_t pid)
{
    if (!is_internal_pid(pid) || !table) return NULL;
    uint32_t slot = pid_number(pid);
    if (slot >= limit) return NULL;
    Process *p = atomic_load_explicit(&table[slot], memory_order_acquire);
    return p && p->id == pid ? p : NULL;
}

size_t proc_list_pids(term_t *out, size_t max)
{
    size_t n = 0;
    for (uint32_t i = 0; table && i < limit; i++) {
        Process *p = atomic_load_explicit(&table[i], memory_order_acquire);
        if (!p) continue;
        if (n < max) out[n] = p->id;
        n++;
    }
    return n;
}

/* ---- spawn ---- */

void proc_spawn_opts_default(SpawnOpts *o)
{
    o->link = o->monitor = false;
    o->prio = PRIO_NORMAL;
    o->min_heap_size = PROC_DEFAULT_HEAP_WORDS;
    o->fullsweep_after = PROC_DEFAULT_FULLSWEEP_AFTER;
    o->scheduler = -1;
    o->min_bin_vheap_size = GC_MIN_BIN_VHEAP_WORDS;
    o->max_heap = MAX_HEAP_DEFAULT;
    o->mqd_off_heap = false;
    o->mon_alias = ALIAS_NONE;
    o->mon_tag = THE_NON_VALUE;
    o->mon_ref_given = o->defer_start = false;
    o->reply = ATOM_yes;
    o->reply_tag = ATOM_spawn_reply;
}

bool proc_monitor_opts_parse(term_t list, uint8_t *alias, term_t *tag)
{
    *alias = ALIAS_NONE;
    *tag = THE_NON_VALUE;
    for (; is_list(list); list = cons_tail(list)) {
        term_t opt = cons_head(list);
        if (!is_tuple(opt) || tuple_arity(opt) != 2) return false;
        term_t k = tuple_element(opt, 1), v = tuple_element(opt, 2);
        if (k == ATOM_alias) {
            if (v == ATOM_explicit_unalias) *alias = ALIAS_EXPLICIT;
            else if (v == ATOM_demonitor) *alias = ALIAS_DEMONITOR;
            else if (v == ATOM_reply_demonitor) *alias = ALIAS_REPLY_DEMONITOR;
            else return false;
        } else if (k == ATOM_tag) {
            *tag = v;
        } else {
            return false;
        }
    }
    return is_nil(list);
}


bool proc_prio_from_atom(term_t a, int *prio)
{
    switch (a) {
    case ATOM_max: *prio = PRIO_MAX; return true;
    case ATOM_high: *prio = PRIO_HIGH; return true;
    case ATOM_normal: *prio = PRIO_NORMAL; return true;
    case ATOM_low: *prio = PRIO_LOW; return true;
    default: return false;
    }
}

static bool spawn_opts_parse(term_t list, SpawnOpts *o, bool request)
{
    proc_spawn_opts_default(o);
    term_t pending_max_heap = THE_NON_VALUE;
    for (; is_list(list); list = cons_tail(list)) {
        term_t opt = cons_head(list);
        if (opt == ATOM_link) { o->link = true; continue; }
        if (opt == ATOM_monitor) {
            o->monitor = true;
            o->mon_alias = ALIAS_NONE;
            o->mon_tag = THE_NON_VALUE;
            continue;
        }
        if (!is_tuple(opt) || tuple_arity(opt) != 2) return false;
        term_t k = tuple_element(opt, 1), v = tuple_element(opt, 2);
        if (k == ATOM_monitor) {
            if (!proc_monitor_opts_parse(v, &o->mon_alias, &o->mon_tag)) return false;
            o->monitor = true;
        } else if (request && k == ATOM_reply) {
            if (v != ATOM_yes && v != ATOM_no && v != ATOM_error_only && v != ATOM_success_only)
                return false;
            o->reply = v;
        } else if (request && k == ATOM_reply_tag) {
            o->reply_tag = v;
        } else if (k == ATOM_priority) {
            if (!proc_prio_from_atom(v, &o->prio)) return false;
        } else if (k == ATOM_min_heap_size) {
            if (!is_small(v) || small_value(v) < 0) return false;
            /* OTP rounds up to a size of its heap growth sequence */
            o->min_heap_size = (size_t)small_value(v) < PROC_DEFAULT_HEAP_WORDS
                                   ? PROC_DEFAULT_HEAP_WORDS : gc_next_heap_size((size_t)small_value(v));
        } else if (k == ATOM_fullsweep_after) {
            if (!is_small(v) || small_value(v) < 0) return false;
            o->fullsweep_after = small_value(v) > 65535 ? 65535 : (unsigned)small_value(v);
        } else if (k == ATOM_scheduler) {
            if (!is_small(v) || small_value(v) < 0 || small_value(v) > (int64_t)sched_count)
                return false;
            o->scheduler = (int)small_value(v) - 1;     /* {scheduler, 0}: any */
        } else if (k == ATOM_min_bin_vheap_size) {
            if (!is_small(v) || small_value(v) < 0) return false;
            o->min_bin_vheap_size = (uint64_t)small_value(v) < GC_MIN_BIN_VHEAP_WORDS
                                        ? GC_MIN_BIN_VHEAP_WORDS : gc_next_heap_size((size_t)small_value(v));
        } else if (k == ATOM_max_heap_size) {
            pending_max_heap = v;        /* checked against min_heap_size below */
        } else if (k == ATOM_message_queue_data) {
            /* Messages always wait in their own fragments, outside the
             * heap (OTP's off_heap); on_heap is accepted as a hint. */
            if (v != ATOM_off_heap && v != ATOM_on_heap) return false;
            o->mqd_off_heap = v == ATOM_off_heap;
        } else {
            return false;
        }
    }
    if (pending_max_heap != THE_NON_VALUE && !max_heap_parse(pending_max_heap, o->min_heap_size, &o->max_heap))
        return false;
    return is_nil(list);
}

bool proc_spawn_opts_parse(term_t list, SpawnOpts *o) { return spawn_opts_parse(list, o, false); }
bool proc_spawn_request_opts_parse(term_t list, SpawnOpts *o) { return spawn_opts_parse(list, o, true); }

static int64_t proper_length(term_t l)
{
    int64_t n = 0;
    for (; is_list(l); l = cons_tail(l)) n++;
    return is_nil(l) ? n : -1;
}

Process *proc_spawn(Process *parent, term_t module, term_t function, term_t args,
                    const SpawnOpts *opts, uint32_t mon_ref[3], term_t *error)
{
    int64_t argc = proper_length(args);
    if (argc < 0 || !is_atom(module) || !is_atom(function)) {
        *error = ATOM_badarg;
        return NULL;
    }
    if (atomic_fetch_add(&live, 1) >= limit) {
        atomic_fetch_sub(&live, 1);
        *error = ATOM_system_limit;
        return NULL;
    }
    Process *p = calloc(1, sizeof *p);
    if (!p || gc_alloc_initial_heap(p, opts->min_heap_size) != 0) {
        free(p);
        atomic_fetch_sub(&live, 1);
        *error = ATOM_system_limit;
        return NULL;
    }
    p->min_heap_size = opts->min_heap_size;
    p->max_gen_gcs = (uint16_t)opts->fullsweep_after;
    p->min_bin_vheap_size = opts->min_bin_vheap_size;
    p->bin_vheap_sz = opts->min_bin_vheap_size;
    p->max_heap = opts->max_heap;
    if (opts->mqd_off_heap) p->flags |= PF_MQD_OFF_HEAP;
    p->arg_reg = p->def_arg_reg;
    p->max_arg_reg = PROC_DEF_ARG_REGS;
    p->fvalue = NIL;
    p->ftrace = NIL;
    p->registered_name = NIL;
    p->parent = parent ? parent->id : NIL;
    p->prio = (uint8_t)opts->prio;
    p->pd = NULL;
    p->pd_size = p->pd_count = 0;
    p->msg_first = NULL;
    p->msg_last = p->msg_save = &p->msg_first;
    p->msg_mark = NULL;
    p->msg_mark_ref = NIL;
    p->exit_reason = THE_NON_VALUE;
    p->initial_call.module = module;
    p->initial_call.function = function;
    p->initial_call.arity = (uint32_t)argc;
    p->spawned_ns = plat_monotonic_ns();
    atomic_init(&p->sig_in_head, NULL);
    atomic_init(&p->status, PROC_RUNNABLE);

    term_t *hp = heap_alloc(&p->h, term_copy_size(args));
    term_t my_args = term_copy(args, &hp, &p->h.off_heap);
    if (emu_setup_call(p, module, function, my_args) != 0)
        plat_fatal("proc_spawn: emu_setup_call refused a proper list");
    pinfo_memory_publish(p);

    if (opts->scheduler >= 0 && (unsigned)opts->scheduler < sched_count) {
        p->sched = schedulers[opts->scheduler];
        p->bound = true;
    } else
        p->sched = sched_count ? sched_for(parent) : NULL;

    /* Claim a slot; the CAS publishes the finished process. */
    for (;;) {
        uint64_t n = atomic_fetch_add(&next_number, 1);
        uint32_t slot = (uint32_t)(n % limit);
        Process *expect = NULL;
        p->id = make_internal_pid(slot, (uint32_t)(n / limit));
        if (!parent) p->group_leader = p->id;
        else p->group_leader = parent->group_leader;
        if (atomic_compare_exchange_strong(&table[slot], &expect, p)) break;
    }
    if (opts->link && parent) {
        link_add(parent, p->id);
        link_add(p, parent->id);
    }
    if (opts->monitor && parent) {
        if (opts->mon_ref_given) {
            /* the caller made it (an alias too, if one was asked for) */
        } else if (opts->mon_alias != ALIAS_NONE) {
            proc_make_alias_numbers(parent, mon_ref);
            alias_add(parent, mon_ref, opts->mon_alias);
        } else {
            proc_make_ref_numbers(parent, mon_ref);
        }
        MonEntry *me = mon_add(parent, mon_ref, p->id, NIL, true);
        me->alias = opts->mon_alias;
        if (opts->mon_tag != THE_NON_VALUE) mon_set_tag(me, opts->mon_tag);
        mon_add(p, mon_ref, parent->id, NIL, false);
    }
    if (!opts->defer_start) sched_enqueue(p);
    return p;
}

void proc_start(Process *child) { sched_enqueue(child); }

void proc_wake(Process *p)
{
    int expect = PROC_WAITING;
    if (atomic_compare_exchange_strong(&p->status, &expect, PROC_RUNNABLE)) {
        sched_enqueue(p);
        return;
    }
    /* A suspended process is woken too, but only takes its signals in
     * (run_one): resume_process and exit signals reach it that way. The
     * failed CAS left the status in expect, so a send to a running
     * process still costs one locked instruction. */
    if (expect == PROC_SUSPENDED &&
        atomic_compare_exchange_strong(&p->status, &expect, PROC_RUNNABLE))
        sched_enqueue(p);
}

/* ---- references ---- */

/* One counter per scheduler (each on its own cache line), plus one for
 * code running outside any scheduler (index 0 of the third number). */
static struct {
    _Atomic uint64_t n;
    char pad[56];
} ref_counters[MAX_SCHEDULERS + 1];

void proc_make_ref_numbers(Process *p, uint32_t num[3])
{
    unsigned idx = 0;
    if (sched_count) {
        Scheduler *s = sched_for(p);
        if (s) idx = s->index + 1;
    }
    uint64_t c = atomic_fetch_add_explicit(&ref_counters[idx].n, 1, memory_order_relaxed);
    num[0] = (uint32_t)c;
    num[1] = (uint32_t)(c >> 32);
    num[2] = idx;
}

void proc_make_alias_numbers(Process *p, uint32_t num[3])
{
    proc_make_ref_numbers(p, num);
    num[1] = pid_number(p->id) | ((num[1] & 0xFu) << PID_NUMBER_BITS);
    num[2] |= REF_ALIAS_FLAG;
}

Process *proc_alias_owner(term_t ref)
{
    if (!is_ref(ref) || !(ref_number(ref, 2) & REF_ALIAS_FLAG) || !table) return NULL;
    uint32_t slot = ref_number(ref, 1) & ((1u << PID_NUMBER_BITS) - 1);
    if (slot >= limit) return NULL;
    return atomic_load_explicit(&table[slot], memory_order_acquire);
}

term_t proc_make_ref(Process *p)
{
    uint32_t num[3];
    proc_make_ref_numbers(p, num);
    return make_internal_ref(heap_alloc(&p->h, REF_WORDS), num);
}

/* ---- deferred freeing (quiescent-state-based reclamation) ---- */

static _Atomic uint64_t global_epoch = 1;
/* The epoch each scheduler last saw at a quiescent point; UINT64_MAX while
 * offline (idle or not started). */
static _Atomic uint64_t qs_seen[MAX_SCHEDULERS] = {[0 ... MAX_SCHEDULERS - 1] = UINT64_MAX};
/* Dead processes each scheduler retired, not yet freed, oldest first
 * [owned by it]. Epochs only grow, so the list is in epoch order and
 * reclaim stops at the first one still in its grace period: a pass costs
 * what it frees, however long the list grows while another scheduler is
 * in a long slice. */
static struct {
    Process *head, **tail;
} retired[MAX_SCHEDULERS];

static void reclaim(unsigned idx)
{
    Process *p = retired[idx].head;
    if (!p) return;
    uint64_t min = UINT64_MAX;
    for (unsigned i = 0; i < sched_count; i++) {
        uint64_t s = atomic_load(&qs_seen[i]);
        if (s < min) min = s;
    }
    while (p && p->retire_epoch <= min) {
        Process *next = p->retire_next;
        free(p);
        p = next;
    }
    retired[idx].head = p;
    if (!p) retired[idx].tail = &retired[idx].head;
}

static void retire(Process *p)
{
    if (!sched_count) {
        free(p);
        return;
    }
    unsigned idx = plat_sched_index() % MAX_SCHEDULERS;
    p->retire_epoch = atomic_fetch_add(&global_epoch, 1) + 1;
    p->retire_next = NULL;
    if (!retired[idx].head) retired[idx].tail = &retired[idx].head;
    *retired[idx].tail = p;
    retired[idx].tail = &p->retire_next;
}

uint64_t proc_epoch_advance(void) { return atomic_fetch_add(&global_epoch, 1) + 1; }

bool proc_epoch_passed(uint64_t e)
{
    for (unsigned i = 0; i < sched_count; i++)
        if (atomic_load(&qs_seen[i]) < e) return false;
    return true;
}

void proc_quiescent(unsigned idx)
{
    atomic_store(&qs_seen[idx], atomic_load(&global_epoch));
    reclaim(idx);
    lit_area_poll();
}

void proc_offline(unsigned idx)
{
    atomic_store(&qs_seen[idx], UINT64_MAX);
    reclaim(idx);
}

/* ---- exit ---- */

static void free_queue(Process *p)
{
    for (Message *m = p->msg_first, *n; m; m = n) {
        n = m->next;
        sig_free(m);
    }
    p->msg_first = NULL;
    p->msg_last = p->msg_save = &p->msg_first;
    p->msg_mark = NULL;
    p->msg_len = 0;
    p->msg_frag_words = 0;
}

void proc_exit(Process *p, term_t reason)
{
    atomic_store(&p->status, PROC_EXITING);
    if (p->flags & PF_ACTIVE_TIMER) timer_cancel_receive(p);
    reg_unregister_proc(p);
    sysmon_process_gone(p->id);    /* a dead monitor ends system monitoring */
    atomic_store(&table[pid_number(p->id)], NULL);   /* no new lookups */
    /* Tables go to heirs or die, fixations end. After the slot is cleared:
     * a table whose heir is p is then either passed to p before this call
     * (which passes it on) or, seeing p gone, deleted (ets_registry.c). */
    ets_proc_exit(p);
    atomic_fetch_sub(&live, 1);
    timer_bif_cancel_to(p);       /* a pid's send_after/start_timer timers go with it */

    for (LinkEntry *l = p->links; l; l = l->next)
        if (!l->unlinking) sig_send_exit(p->id, l->pid, reason, true);
    for (MonEntry *m = p->monitors; m; m = m->next) {
        if (m->origin) {
            sig_send_demonitor(p->id, m->pid, m->ref);
        } else {
            term_t item = p->id, buf[3];
            if (is_atom(m->name)) {
                term_t node = term_local_node();
                buf[1] = m->name;
                buf[2] = is_atom(node) ? node : ATOM_nonode_at_nohost;
                item = make_tuple_header(buf, 2);
            }
            sig_send_down(p->id, m->pid, m->ref, item, reason);
        }
    }
    links_free_all(p);

    /* Answer every signal still coming, then close the queue. */
    for (;;) {
        while (p->sig_private) {
            Message *m = p->sig_private;
            p->sig_private = m->next;
            sig_undeliverable(p->id, m);
        }
        Message *m = atomic_exchange(&p->sig_in_head, NULL);
        if (!m) {
            Message *expect = NULL;
            if (atomic_compare_exchange_strong(&p->sig_in_head, &expect, SIG_CLOSED)) break;
            continue;
        }
        Message *in_order = NULL;
        while (m) {
            Message *next = m->next;
            m->next = in_order;
            in_order = m;
            m = next;
        }
        p->sig_private = in_order;
    }
    code_purge_drain(p);          /* after the last read of the heap (exit signals) */
    suspend_proc_exit(p);
    free_queue(p);
    if (p->exit_sig) sig_free(p->exit_sig);
    p->exit_sig = NULL;
    p->exit_reason = THE_NON_VALUE;
    gc_free_process_memory(p);
    pdict_clear(p);
    if (p->arg_reg != p->def_arg_reg) free(p->arg_reg);
    p->arg_reg = p->def_arg_reg;
    atomic_store(&p->status, PROC_FREE);
    retire(p);
}
