/*
 * code_purge.c — the process side of check_process_code and literal-area
 * collection requests (see code_purge.h, docs/code_purge.md). The BIFs
 * that send them are in bif_code.c; the answer to check_process_code is
 * the code layer's (code.c).
 */
#include "vm/code_purge.h"

#include "vm/atom.h"
#include "vm/gc.h"
#include "vm/literal_area.h"
#include "vm/signal.h"
#include "vm/term_copy.h"

/* ---- check_process_code ---- */

/* The code layer's answer to check_process_code (code_runs_old_code),
 * installed by code_init: the process layer (which serves the request)
 * sits below the code layer and does not link it; with no code layer (the
 * process unit tests) no process runs old code. */
static bool (*runs_old_code)(Process *p, term_t module);

void code_purge_set_checker(bool (*fn)(Process *p, term_t module)) { runs_old_code = fn; }

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
        if (m->kind == MSG_LITERAL_GC) {
            lit_area_serve(p, m);
        } else if (m->kind == MSG_GC_TASK) {
            if (m->msg == ATOM_major) p->flags |= PF_FORCE_GC;
            p->reductions += (uint64_t)gc_collect(p, 0, NULL, 0);
            cpc_reply(p->id, m, ATOM_true);
        } else
            cpc_reply(p->id, m, runs_old_code && runs_old_code(p, m->msg) ? ATOM_true : ATOM_false);
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
