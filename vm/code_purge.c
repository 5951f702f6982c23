/*
 * code_purge.c — check_process_code, the process side of literal-area
 * collection, and the BIFs OTP's erlang.erl and our erts_code_purger use:
 * erts_internal:check_process_code/1, erts_internal:request_system_task/3
 * ({check_process_code, ReqId, Module}) and erts_internal:purge_module/2
 * (see code_purge.h, code.h, docs/code_purge.md).
 */
#include "vm/code_purge.h"

#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/code.h"
#include "vm/export.h"
#include "vm/gc.h"
#include "vm/literal_area.h"
#include "vm/proc.h"
#include "vm/signal.h"
#include "vm/term_copy.h"

/* ---- check_process_code ---- */

/* OTP 25's check_process_code: does p execute old code of `module` — its
 * current instruction, a return address or a catch handler on its stack
 * inside the old version? A fun of the old code that p merely holds does
 * not count (OTP 25 answers false too): calling it after the purge raises
 * {badfun, Fun} (LoadedFun.purged_stub), as on OTP. */
static bool runs_old_code(Process *p, term_t module)
{
    const ModuleCode *old = code_module_old(module);
    if (!old) return false;
    if (code_in_version(old, p->i)) return true;
    for (const term_t *w = p->h.hend; w < p->heap_end; w++) {
        term_t t = *w;
        if (primary_tag(t) == TAG_PRIMARY_HEADER && t && code_in_version(old, (const void *)(uintptr_t)t))
            return true;
        if (is_catch(t) && code_in_version(old, code_catch_addr(catch_index(t)))) return true;
    }
    return false;
}

/* Reply to a MSG_CPC request: extra = {Tag, ReqId}; the answer is
 * {check_process_code, ReqId, Result} (Tag = check_process_code, OTP's
 * request_system_task) or {ReqId, Result} (Tag = [], for
 * erts_internal:await_result/1). */
static void cpc_reply(term_t from, const Message *req, term_t result)
{
    term_t tag = tuple_element(req->extra, 1), id = tuple_element(req->extra, 2);
    term_t buf[4], t;
    if (tag == NIL) {
        buf[1] = id;
        buf[2] = result;
        t = make_tuple_header(buf, 2);
    } else {
        buf[1] = tag;
        buf[2] = id;
        buf[3] = result;
        t = make_tuple_header(buf, 3);
    }
    term_t *hp;
    Message *m = sig_new(MSG_MESSAGE, from, term_copy_size(t), &hp);
    m->msg = term_copy(t, &hp, &m->off_heap);
    sig_send(req->from, m);
}

/* ---- serving ---- */

void code_purge_serve(Process *p)
{
    while (p->code_tasks) {
        Message *m = p->code_tasks;
        p->code_tasks = m->next;
        m->next = NULL;
        if (m->kind == MSG_LITERAL_GC)
            lit_area_serve(p, m);
        else
            cpc_reply(p->id, m, runs_old_code(p, m->msg) ? ATOM_true : ATOM_false);
        sig_free(m);
    }
}

void code_purge_task_dead(const Message *m)
{
    if (m->kind == MSG_LITERAL_GC)
        lit_area_ack(m);
    else
        cpc_reply(NIL, m, ATOM_false);
}

void code_purge_drain(Process *p)
{
    while (p->code_tasks) {
        Message *m = p->code_tasks;
        p->code_tasks = m->next;
        code_purge_task_dead(m);
        sig_free(m);
    }
}

/* ---- BIFs ---- */

static void send_cpc(Process *p, Process *q, term_t tag, term_t id, term_t module)
{
    term_t buf[3];
    buf[1] = tag;
    buf[2] = id;
    term_t t = make_tuple_header(buf, 2), *hp;
    Message *m = sig_new(MSG_CPC, p->id, term_copy_size(t), &hp);
    m->extra = term_copy(t, &hp, &m->off_heap);
    m->msg = module;
    if (q) {
        sig_send_proc(q, m);     /* a closed queue answers false (sig_undeliverable) */
    } else {
        code_purge_task_dead(m);
        sig_free(m);
    }
}

/* erts_internal:request_system_task(Pid, Prio, {check_process_code, ReqId, Module}):
 * the answer {check_process_code, ReqId, Bool} comes as a message, false
 * at once for a dead process (OTP). Other tasks are not supported. */
term_t bif_erts_internal_request_system_task_3(Process *p, term_t *args)
{
    term_t pid = args[0], req = args[2];
    if (!is_internal_pid(pid) || !is_atom(args[1]) || !is_tuple(req) || tuple_arity(req) != 3 ||
        tuple_element(req, 1) != ATOM_check_process_code || !is_atom(tuple_element(req, 3)))
        BIF_ERROR(p, ATOM_badarg);
    Process *q = proc_lookup(pid);
    send_cpc(p, q, ATOM_check_process_code, tuple_element(req, 2), tuple_element(req, 3));
    return ATOM_ok;
}

/* erts_internal:check_process_code(Module) for the calling process: it
 * cannot look at its own stack while running, so it sends itself the
 * request and waits for the answer in erts_internal:await_result/1; it is
 * served between slices like any other. */
term_t bif_erts_internal_check_process_code_1(Process *p, term_t *args)
{
    if (!is_atom(args[0])) BIF_ERROR(p, ATOM_badarg);
    term_t ref = proc_make_ref(p);
    send_cpc(p, p, NIL, ref, args[0]);
    args[0] = ref;
    p->i = export_addr(export_get(ATOM_erts_internal, ATOM_await_result, 1));
    p->freason = EXC_TRAP;
    return THE_NON_VALUE;
}

/* erts_internal:purge_module(Module, prepare | abort | complete): code.h. */
term_t bif_erts_internal_purge_module_2(Process *p, term_t *args)
{
    term_t mod = args[0], op = args[1];
    if (!is_atom(mod)) BIF_ERROR(p, ATOM_badarg);
    if (op == ATOM_prepare) return code_purge_prepare(mod) ? ATOM_true : ATOM_false;
    if (op == ATOM_abort) {
        code_purge_abort(mod);
        return ATOM_true;
    }
    if (op == ATOM_complete) return code_purge_complete(mod) ? ATOM_true : ATOM_false;
    BIF_ERROR(p, ATOM_badarg);
}
