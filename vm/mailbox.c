/*
 * mailbox.c — sending messages and the receive primitives (mailbox.h).
 *
 * The private queue msg_first..msg_last holds messages in arrival order;
 * msg_last points at the `next` field of the last message (or at msg_first
 * when empty). msg_save points at the link (msg_first or some message's
 * `next`) that holds the message receive examines next. msg_mark, when not
 * NULL, is a link position recorded by recv_marker_reserve: every message
 * after it arrived after the marker was made. All of it is [run]: only the
 * owner's scheduler touches it. Senders only ever touch sig_in.
 *
 * INVARIANT: messages in the private queue never point into the
 * receiver's heap (they live in their own fragments), so the GC needs not
 * visit the queue; a received message's fragment joins h.mbuf.
 */
#include "vm/mailbox.h"

#include <stdlib.h>

#include "vm/atom.h"
#include "vm/proc.h"
#include "vm/registry.h"
#include "vm/signal.h"
#include "vm/term_compare.h"
#include "vm/term_copy.h"
#include "vm/timer.h"

/* The queue is exhausted at the save pointer: take in what arrived. */
Message *mbox_peek_slow(Process *p)
{
    if (!sig_take_in(p))
        return NULL;      /* killed: the emulator waits, the scheduler exits p */
    return *p->msg_save;
}

void mbox_remove(Process *p)
{
    Message *m = *p->msg_save;
    *p->msg_save = m->next;
    if (p->msg_last == &m->next) p->msg_last = p->msg_save;
    if (p->msg_mark == &m->next) p->msg_mark = p->msg_save;
    p->msg_len--;
    if (m->frag) {
        p->msg_frag_words -= m->frag->alloc_words;
        p->h.mbuf_sz += m->frag->used_words;
        m->frag->next = p->h.mbuf;
        p->h.mbuf = m->frag;
    }
    if (m->off_heap.first) {       /* heap.h: ProcBins on the heap's list */
        OffHeapHeader *last = m->off_heap.first;
        while (last->next) last = last->next;
        last->next = p->h.off_heap.first;
        p->h.off_heap.first = m->off_heap.first;
        p->h.off_heap.overhead += m->off_heap.overhead;
    }
    if (!m->in_frag) free(m);   /* else m went to h.mbuf inside its fragment */
    p->msg_save = &p->msg_first;
    if (p->flags & PF_ACTIVE_TIMER) timer_cancel_receive(p);
    p->flags &= ~(PF_TIMEOUT | PF_ENDLESS_TIMER);
}

int mbox_set_timer(Process *p, term_t timeout)
{
    /* An endless timer is marked armed all the same: wait_timeout runs
     * again after every wake-up, and its timeout operand (often an X
     * register) is gone by then. */
    if (timeout == ATOM_infinity) { p->flags |= PF_ENDLESS_TIMER; return 0; }
    if (!is_small(timeout) || small_value(timeout) < 0) {
        /* A bignum timeout (> 2^59 ms, ~18 million years) never fires
         * in practice; accept non-negative ones as infinity. */
        if (is_big(timeout) && header_subtag(*boxed_val(timeout)) == POS_BIG_SUBTAG) {
            p->flags |= PF_ENDLESS_TIMER;
            return 0;
        }
        return -1;
    }
    if (p->flags & (PF_ACTIVE_TIMER | PF_TIMEOUT)) return 0;
    if (small_value(timeout) == 0) {
        /* after 0: timed out at once; nothing to arm. The emulator checks
         * PF_TIMEOUT right after this call (and the scheduler re-runs a
         * waiting process that has it set). */
        p->flags |= PF_TIMEOUT;
        return 0;
    }
    timer_start_receive(p, (uint64_t)small_value(timeout));
    return 0;
}

void mbox_timeout(Process *p)
{
    if (p->flags & PF_ACTIVE_TIMER) timer_cancel_receive(p);
    p->flags &= ~(PF_TIMEOUT | PF_ENDLESS_TIMER);
    p->msg_save = &p->msg_first;
}

/* OTP 24+ receive markers. One marker per process: reserving a new one
 * replaces the old, after which mbox_marker_use() of the old ref finds
 * nothing and receive scans from the start (correct, just slower). */
term_t mbox_marker_reserve(Process *p)
{
    /* Everything already sent must be before the marker. */
    if (sig_take_in(p)) {
        p->msg_mark = p->msg_last;
        p->msg_mark_ref = make_small(0);       /* reserved, not bound */
    } else {
        p->msg_mark = NULL;
        p->msg_mark_ref = NIL;
    }
    return make_small(1);
}

void mbox_marker_bind(Process *p, term_t marker, term_t ref)
{
    if (!p->msg_mark || marker != make_small(1) || !is_ref(ref)) return;
    for (int i = 0; i < 3; i++) p->mark_ref[i] = ref_number(ref, i);
    p->msg_mark_ref = make_small(1);           /* bound to mark_ref */
}

static bool mark_matches(Process *p, term_t ref)
{
    return p->msg_mark && p->msg_mark_ref == make_small(1) && is_ref(ref) &&
           ref_number(ref, 0) == p->mark_ref[0] && ref_number(ref, 1) == p->mark_ref[1] &&
           ref_number(ref, 2) == p->mark_ref[2];
}

void mbox_marker_use(Process *p, term_t ref)
{
    if (mark_matches(p, ref)) p->msg_save = p->msg_mark;
}

void mbox_marker_clear(Process *p, term_t ref)
{
    if (mark_matches(p, ref)) {
        p->msg_mark = NULL;
        p->msg_mark_ref = NIL;
    }
}

static term_t sender_pid(Process *from) { return from ? from->id : NIL; }

static void send_copy(Process *from, term_t to_pid, Process *to, term_t msg)
{
    term_t *hp;
    size_t words = term_copy_size(msg);
    Message *m = sig_new_inline(MSG_MESSAGE, sender_pid(from), words, &hp);
    m->msg = term_copy(msg, &hp, &m->off_heap);
    if (to)
        sig_send_proc(to, m);
    else
        sig_send(to_pid, m);
}

/* To an alias: a MSG_ALIAS_MESSAGE carrying the alias; the owner decides
 * (signal.c) whether the alias is active. */
static void send_alias(Process *from, Process *to, term_t alias, term_t msg)
{
    term_t *hp;
    size_t words = term_copy_size(msg) + REF_WORDS;
    Message *m = sig_new_inline(MSG_ALIAS_MESSAGE, sender_pid(from), words, &hp);
    m->msg = term_copy(msg, &hp, &m->off_heap);
    m->extra = term_copy(alias, &hp, &m->off_heap);
    sig_send_proc(to, m);
}

int mbox_send(Process *from, term_t to, term_t msg)
{
    if (is_ref(to)) {
        Process *p = proc_alias_owner(to);
        if (p) send_alias(from, p, to, msg);
        return 0;                  /* not an alias: silently nothing */
    }
    if (is_external_ref(to)) return 0;   /* unreachable node: dropped */
    if (is_internal_pid(to)) {
        Process *p = proc_lookup(to);
        if (p) send_copy(from, to, p, msg);
        return 0;                  /* to a dead pid: silently nothing */
    }
    if (is_atom(to)) {
        term_t pid = reg_whereis(to);
        if (!is_internal_pid(pid)) return -1;
        send_copy(from, pid, NULL, msg);
        return 0;
    }
    if (is_tuple(to) && tuple_arity(to) == 2 && is_atom(tuple_element(to, 1)) &&
        is_atom(tuple_element(to, 2))) {
        term_t node = tuple_element(to, 2), local = term_local_node();
        if (node == local || (!is_atom(local) && node == ATOM_nonode_at_nohost))
            return mbox_send(from, tuple_element(to, 1), msg);
        return 0;                  /* another node, no distribution: dropped */
    }
    if (is_external_pid(to)) return 0;   /* unreachable node: dropped */
    if (is_port(to))                     /* ports are not in this VM yet */
        return -1;
    return -1;
}
