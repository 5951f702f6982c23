/*
 * bif_proc_info.c — erlang:process_info/1,2: what a process looks like
 * from outside (items and result shapes as OTP 25's).
 *
 * This file checks the arguments and, for another process, sends the
 * request (proc_info.h); the answers are built in proc_info.c, only ever
 * by the process they describe. The one thing read here about another
 * process is `status` (an atomic): the target would always see itself
 * running, so the requester's view travels with the request.
 */
#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/bif_util.h"
#include "vm/export.h"
#include "vm/proc.h"
#include "vm/proc_info.h"
#include "vm/signal.h"
#include "vm/term_copy.h"

/* What the requester sees of q's state (an atomic read; q itself would
 * always see "running"). */
static term_t status_of(Process *q)
{
    switch (atomic_load(&q->status)) {
    case PROC_RUNNABLE: return ATOM_runnable;
    case PROC_RUNNING: return ATOM_running;
    case PROC_WAITING: return ATOM_waiting;
    case PROC_SUSPENDED: return ATOM_suspended;
    default: return ATOM_exiting;
    }
}

/* Ask q (=/= p) for `items` and wait for the answer in
 * erts_internal:await_result(Ref), as OTP does. */
static term_t request(Process *p, term_t *args, Process *q, term_t items)
{
    term_t ref = proc_make_ref(p), status = status_of(q), *hp;
    Message *m = sig_new(MSG_PROCESS_INFO, p->id, 3 + term_copy_size(items) + term_copy_size(ref), &hp);
    term_t *tup = hp;
    hp += 3;
    tup[1] = term_copy(items, &hp, &m->off_heap);
    tup[2] = status;
    m->msg = make_tuple_header(tup, 2);
    m->extra = term_copy(ref, &hp, &m->off_heap);
    sig_send_proc(q, m);
    args[0] = ref;
    p->i = export_addr(export_get(ATOM_erts_internal, ATOM_await_result, 1));
    p->freason = EXC_TRAP;
    return THE_NON_VALUE;
}

/* The live target of process_info, NULL if dead; *bad if pid is not a
 * local pid. */
static Process *target(term_t pid, bool *bad)
{
    *bad = !is_internal_pid(pid);
    if (*bad) return NULL;
    Process *q = proc_lookup(pid);
    if (!q) return NULL;
    int st = atomic_load(&q->status);
    return st == PROC_FREE ? NULL : q;
}

term_t bif_erlang_process_info_1(Process *p, term_t *args)
{
    bool bad;
    Process *q = target(args[0], &bad);
    if (bad) BIF_ERROR(p, ATOM_badarg);
    if (!q) return ATOM_undefined;
    if (q != p) return request(p, args, q, PINFO_DEFAULT);
    return pinfo_result(p, PINFO_DEFAULT, ATOM_running, &p->h, true);
}

/* True for the items pinfo_item answers (the check OTP makes even when
 * the target is dead). */
static bool item_known(term_t item)
{
    switch (item) {
    case ATOM_status: case ATOM_message_queue_len: case ATOM_messages:
    case ATOM_heap_size: case ATOM_total_heap_size: case ATOM_stack_size:
    case ATOM_reductions: case ATOM_memory: case ATOM_links: case ATOM_monitors:
    case ATOM_monitored_by: case ATOM_trap_exit: case ATOM_priority:
    case ATOM_current_function: case ATOM_current_stacktrace:
    case ATOM_initial_call: case ATOM_registered_name:
    case ATOM_dictionary: case ATOM_group_leader: case ATOM_garbage_collection:
    case ATOM_error_handler: case ATOM_parent: case ATOM_catchlevel: case ATOM_suspending:
    case ATOM_current_location: case ATOM_garbage_collection_info: case ATOM_binary:
    case ATOM_min_heap_size: case ATOM_min_bin_vheap_size: case ATOM_message_queue_data:
    case ATOM_last_calls: case ATOM_sequential_trace_token: case ATOM_trace:
        return true;
    default:
        return false;
    }
}

term_t bif_erlang_process_info_2(Process *p, term_t *args)
{
    bool bad;
    term_t items = args[1];
    if (is_atom(items)) {
        if (!item_known(items)) BIF_ERROR(p, ATOM_badarg);
    } else {
        if (bif_list_length(items) < 0) BIF_ERROR(p, ATOM_badarg);
        for (term_t l = items; is_list(l); l = cons_tail(l))
            if (!is_atom(cons_head(l)) || !item_known(cons_head(l))) BIF_ERROR(p, ATOM_badarg);
    }
    Process *q = target(args[0], &bad);
    if (bad) BIF_ERROR(p, ATOM_badarg);
    if (!q) return ATOM_undefined;
    if (q != p) return request(p, args, q, items);
    return pinfo_result(p, items, ATOM_running, &p->h, true);
}
