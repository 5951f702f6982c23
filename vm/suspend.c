/*
 * suspend.c — erlang:suspend_process/1,2 and resume_process/1 (suspend.h).
 */
#include <stdlib.h>

#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/proc.h"
#include "vm/signal.h"
#include "vm/suspend.h"
#include "vm/term_copy.h"

/* One process this one has suspended, and how many times. [run] */
typedef struct Suspendee {
    struct Suspendee *next;
    term_t pid;
    uint32_t count;
} Suspendee;

static Suspendee **find(Process *p, term_t pid)
{
    Suspendee **s = &p->suspendees;
    while (*s && (*s)->pid != pid) s = &(*s)->next;
    return s;
}

/* Reply term of a request: extra = {Ref} (synchronous: {Ref, Result}) or
 * {Tag, []} ({asynchronous, Tag}: {Tag, suspended | badarg}). */
static void answer(const Message *req, bool suspended)
{
    term_t buf[3];
    buf[1] = tuple_element(req->extra, 1);
    if (tuple_arity(req->extra) == 1) buf[2] = suspended ? ATOM_true : ATOM_badarg;
    else buf[2] = suspended ? ATOM_suspended : ATOM_badarg;
    term_t t = make_tuple_header(buf, 2), *hp;
    Message *m = sig_new(MSG_MESSAGE, NIL, term_copy_size(t), &hp);
    m->msg = term_copy(t, &hp, &m->off_heap);
    sig_send(req->from, m);
}

static void send_resume(term_t from, term_t to, uint32_t count)
{
    Message *m = sig_new(MSG_RESUME, from, 0, NULL);
    m->extra = make_small(count);
    sig_send(to, m);
}

bool suspend_handle(Process *p, Message *m)
{
    if (m->kind == MSG_RESUME) {
        uint32_t n = (uint32_t)small_value(m->extra);
        p->suspend_count = p->suspend_count > n ? p->suspend_count - n : 0;
        return false;
    }
    p->suspend_count++;
    if (m->extra == NIL) return false;           /* asynchronous: nobody waits */
    m->next = p->suspend_acks;                   /* answered once p has stopped */
    p->suspend_acks = m;
    return true;
}

void suspend_stopped(Process *p)
{
    while (p->suspend_acks) {
        Message *m = p->suspend_acks;
        p->suspend_acks = m->next;
        answer(m, true);
        sig_free(m);
    }
}

void suspend_dead(const Message *m)
{
    if (m->kind == MSG_SUSPEND && m->extra != NIL) answer(m, false);
}

void suspend_proc_exit(Process *p)
{
    while (p->suspend_acks) {
        Message *m = p->suspend_acks;
        p->suspend_acks = m->next;
        answer(m, false);
        sig_free(m);
    }
    while (p->suspendees) {
        Suspendee *s = p->suspendees;
        p->suspendees = s->next;
        send_resume(p->id, s->pid, s->count);
        free(s);
    }
}

/* erts_internal:suspend_process(Pid, Opts) for erlang:suspend_process/1,2:
 * true or false at once (asynchronous, or unless_suspending that finds a
 * suspension of the caller's in force), badarg / badopt for erlang.erl
 * to raise, or a reference: the answer {Ref, true | badarg} follows once
 * Pid has stopped (or died). */
term_t bif_erts_internal_suspend_process_2(Process *p, term_t *args)
{
    term_t pid = args[0], tag = THE_NON_VALUE;
    bool async = false, unless = false;
    if (!is_internal_pid(pid) || pid == p->id) return ATOM_badarg;
    term_t l = args[1];
    for (; is_list(l); l = cons_tail(l)) {
        term_t o = cons_head(l);
        if (o == ATOM_unless_suspending) unless = true;
        else if (o == ATOM_asynchronous) async = true, tag = THE_NON_VALUE;
        else if (is_tuple(o) && tuple_arity(o) == 2 && tuple_element(o, 1) == ATOM_asynchronous)
            async = true, tag = tuple_element(o, 2);
        else return ATOM_badopt;
    }
    if (!is_nil(l)) return ATOM_badopt;
    Suspendee **s = find(p, pid);
    if (unless && *s) return ATOM_false;
    Process *q = proc_lookup(pid);
    if (!q) {
        if (!async) return ATOM_badarg;
        if (tag != THE_NON_VALUE) {
            term_t *hp = heap_alloc(&p->h, 3);
            hp[1] = tag;
            hp[2] = ATOM_badarg;
            mbox_send(p, p->id, make_tuple_header(hp, 2));
        }
        return ATOM_true;
    }
    if (!*s) {
        Suspendee *n = malloc(sizeof *n);
        if (!n) BIF_ERROR(p, ATOM_system_limit);
        n->next = NULL;
        n->pid = pid;
        n->count = 0;
        *s = n;
    }
    if ((*s)->count >= 2000000000u) BIF_ERROR(p, ATOM_system_limit);
    (*s)->count++;
    /* extra: {Ref} (synchronous), {Tag, []} (asynchronous with a tag) or
     * [] (no answer). */
    term_t req = ATOM_true, reply = NIL, buf[3];
    if (!async) {
        req = proc_make_ref(p);
        buf[1] = req;
        reply = make_tuple_header(buf, 1);
    } else if (tag != THE_NON_VALUE) {
        buf[1] = tag;
        buf[2] = NIL;
        reply = make_tuple_header(buf, 2);
    }
    term_t *hp;
    Message *m = sig_new(MSG_SUSPEND, p->id, term_copy_size(reply), &hp);
    m->extra = term_copy(reply, &hp, &m->off_heap);
    sig_send_proc(q, m);
    return req;
}

/* erlang:resume_process(Pid): one suspension of the caller's ends. */
term_t bif_erlang_resume_process_1(Process *p, term_t *args)
{
    term_t pid = args[0];
    if (!is_internal_pid(pid) || pid == p->id) BIF_ERROR(p, ATOM_badarg);
    Suspendee **s = find(p, pid);
    if (!*s) BIF_ERROR(p, ATOM_badarg);
    if (!proc_lookup(pid)) {
        /* it exited: its suspensions went with it (OTP: badarg) */
        Suspendee *dead = *s;
        *s = dead->next;
        free(dead);
        BIF_ERROR(p, ATOM_badarg);
    }
    if (--(*s)->count == 0) {
        Suspendee *dead = *s;
        *s = dead->next;
        free(dead);
    }
    send_resume(p->id, pid, 1);
    return ATOM_true;
}
