/*
 * signal.c — building, sending and handling signals (see signal.h).
 *
 * Memory order of the signal queue: a push is a CAS with release order (the
 * Message and its fragment are fully written before they become visible);
 * the receiver's exchange is acquire. proc_wake() after the push is
 * seq_cst against the receiver's "status = WAITING; look at sig_in" (sched.c),
 * so a receiver never sleeps on a signal it has not seen.
 */
#include "vm/signal.h"
#include "vm/suspend.h"

#include <stdlib.h>

#include "vm/atom.h"
#include "vm/code_purge.h"
#include "vm/platform.h"
#include "vm/proc.h"
#include "vm/proc_info.h"
#include "vm/term_compare.h"
#include "vm/term_copy.h"
#include "vm/timer.h"

static Message *message_init(Message *m, uint32_t kind, term_t from, HeapFragment *frag, bool in_frag)
{
    m->next = NULL;
    m->msg = NIL;
    m->frag = frag;
    m->kind = kind;
    m->in_frag = in_frag;
    m->from = from;
    m->extra = NIL;
    m->off_heap.first = NULL;
    m->off_heap.overhead = 0;
    return m;
}

Message *sig_new(uint32_t kind, term_t from, size_t words, term_t **hp)
{
    Message *m = malloc(sizeof *m);
    if (!m) plat_fatal("signal: out of memory");
    message_init(m, kind, from, words ? term_fragment_new(words) : NULL, false);
    if (words) *hp = m->frag->mem;
    else if (hp) *hp = NULL;
    return m;
}

/* One block: [HeapFragment header][words][Message]. A message costs one
 * allocation instead of two, and a receive that skips it touches adjacent
 * memory (the Message and the term's first word) instead of two blocks. */
Message *sig_new_inline(uint32_t kind, term_t from, size_t words, term_t **hp)
{
    if (!words) return sig_new(kind, from, 0, hp);
    HeapFragment *f = malloc(sizeof *f + words * sizeof(term_t) + sizeof(Message));
    if (!f) plat_fatal("signal: out of memory");
    f->next = NULL;
    f->alloc_words = f->used_words = words;
    *hp = f->mem;
    return message_init((Message *)(f->mem + words), kind, from, f, true);
}

void sig_free(Message *m)
{
    heap_off_heap_release(&m->off_heap);
    if (m->in_frag) {
        /* m is inside its fragment; a NULL frag went to a heap's mbuf
         * with m in it (mbox_remove, group leader) and is freed there. */
        if (m->frag) free(m->frag);
        return;
    }
    free(m->frag);
    free(m);
}

void sig_send_proc(Process *to, Message *m)
{
    Message *head = atomic_load_explicit(&to->sig_in_head, memory_order_relaxed);
    do {
        if (head == SIG_CLOSED) {
            sig_undeliverable(to->id, m);
            return;
        }
        m->next = head;
    } while (!atomic_compare_exchange_weak_explicit(&to->sig_in_head, &head, m,
                                                    memory_order_seq_cst,
                                                    memory_order_relaxed));
    proc_wake(to);
}

void sig_send(term_t to, Message *m)
{
    if (!is_internal_pid(to)) {
        /* No distribution yet: a remote pid is unreachable, and Erlang
         * drops signals to unreachable processes. */
        sig_free(m);
        return;
    }
    Process *p = proc_lookup(to);
    if (p)
        sig_send_proc(p, m);
    else
        sig_undeliverable(to, m);
}

static term_t ref_term(term_t **hp, const uint32_t ref[3])
{
    term_t r = make_internal_ref(*hp, ref);
    *hp += REF_WORDS;
    return r;
}

static void ref_numbers(term_t ref, uint32_t out[3])
{
    for (int i = 0; i < 3; i++) out[i] = ref_number(ref, i);
}

void sig_send_exit(term_t from, term_t to, term_t reason, bool link)
{
    term_t *hp;
    size_t rw = term_copy_size(reason);
    Message *m = sig_new(link ? MSG_EXIT_LINK : MSG_EXIT, from, rw + 4, &hp);
    term_t *tup = hp;
    hp += 4;
    term_t r = term_copy(reason, &hp, &m->off_heap);
    tup[1] = ATOM_EXIT;
    tup[2] = from;
    tup[3] = r;
    m->msg = make_tuple_header(tup, 3);
    m->extra = r;
    sig_send(to, m);
}

void sig_send_link(term_t from, term_t to)
{
    sig_send(to, sig_new(MSG_LINK, from, 0, NULL));
}

void sig_send_unlink(term_t from, term_t to, uint64_t id)
{
    Message *m = sig_new(MSG_UNLINK, from, 0, NULL);
    m->extra = make_small((int64_t)id);
    sig_send(to, m);
}

void sig_send_monitor(term_t from, term_t to, const uint32_t ref[3], term_t name)
{
    term_t *hp;
    Message *m = sig_new(MSG_MONITOR, from, REF_WORDS, &hp);
    m->extra = ref_term(&hp, ref);
    m->msg = name;
    sig_send(to, m);
}

void sig_send_demonitor(term_t from, term_t to, const uint32_t ref[3])
{
    term_t *hp;
    Message *m = sig_new(MSG_DEMONITOR, from, REF_WORDS, &hp);
    m->extra = ref_term(&hp, ref);
    sig_send(to, m);
}

void sig_send_down(term_t from, term_t to, const uint32_t ref[3], term_t item, term_t reason)
{
    term_t *hp;
    size_t words = 6 + REF_WORDS + term_copy_size(item) + term_copy_size(reason);
    Message *m = sig_new(MSG_MONITOR_DOWN, from, words, &hp);
    term_t *tup = hp;
    hp += 6;
    term_t r = ref_term(&hp, ref);
    tup[1] = ATOM_DOWN;
    tup[2] = r;
    tup[3] = ATOM_process;
    tup[4] = term_copy(item, &hp, &m->off_heap);
    tup[5] = term_copy(reason, &hp, &m->off_heap);
    m->msg = make_tuple_header(tup, 5);
    m->extra = r;
    sig_send(to, m);
}

void sig_send_timeout(term_t to, uint64_t seq)
{
    Message *m = sig_new(MSG_TIMEOUT, to, 0, NULL);
    m->extra = make_small((int64_t)seq);
    sig_send(to, m);
}

bool sig_demonitor(Process *p, const uint32_t ref[3])
{
    MonEntry *m = mon_find(p, ref, true);
    if (!m) return false;
    if (m->alias == ALIAS_DEMONITOR || m->alias == ALIAS_REPLY_DEMONITOR) alias_remove(p, ref);
    if (is_internal_pid(m->pid)) sig_send_demonitor(p->id, m->pid, ref);
    mon_remove(p, ref, true);
    return true;
}

/* Give the DOWN message m the tag of a monitor made with {tag, Tag}:
 * rebuild {Tag, Ref, process, Item, Reason} in a fresh fragment. */
static void retag_down(Message *m, term_t tag)
{
    term_t buf[6];
    for (int i = 2; i <= 5; i++) buf[i] = tuple_element(m->msg, i);
    buf[1] = tag;
    term_t t = make_tuple_header(buf, 5);
    OffHeap oh = {0};
    HeapFragment *f = term_fragment_new(term_copy_size(t));
    term_t *hp = f->mem;
    term_t copy = term_copy(t, &hp, &oh);
    heap_off_heap_release(&m->off_heap);
    free(m->frag);
    m->frag = f;
    m->off_heap = oh;
    m->msg = copy;
    m->extra = tuple_element(copy, 2);
}

/* {Name, node()} for a monitor by registered name; written in a small
 * local buffer that term_copy reads from. */
static term_t name_item(term_t buf[3], term_t name)
{
    term_t node = term_local_node();
    buf[1] = name;
    buf[2] = is_atom(node) ? node : ATOM_nonode_at_nohost;
    return make_tuple_header(buf, 2);
}

void sig_undeliverable(term_t dead, Message *m)
{
    switch (m->kind) {
    case MSG_LINK:
        sig_send_exit(dead, m->from, ATOM_noproc, true);
        break;
    case MSG_MONITOR: {
        uint32_t ref[3];
        term_t buf[3];
        ref_numbers(m->extra, ref);
        term_t item = is_atom(m->msg) ? name_item(buf, m->msg) : dead;
        sig_send_down(dead, m->from, ref, item, ATOM_noproc);
        break;
    }
    case MSG_UNLINK: {
        Message *ack = sig_new(MSG_UNLINK_ACK, dead, 0, NULL);
        ack->extra = m->extra;
        sig_send(m->from, ack);
        break;
    }
    case MSG_PROCESS_INFO:
        pinfo_answer_dead(m);
        break;
    case MSG_LITERAL_GC:
    case MSG_CPC:
    case MSG_GC_TASK:
        code_purge_task_dead(m);
        break;
    case MSG_SUSPEND:
        suspend_dead(m);
        break;
    default:
        break;
    }
    sig_free(m);
}

/* ---- the receiving side ---- */

static void queue_message(Process *p, Message *m)
{
    m->kind = MSG_MESSAGE;
    m->next = NULL;
    *p->msg_last = m;
    p->msg_last = &m->next;
    p->msg_len++;
    if (m->frag) p->msg_frag_words += m->frag->alloc_words;
}

enum { H_DONE, H_KILLED };

static int kill_with(Process *p, Message *m, term_t reason)
{
    p->exit_reason = reason;
    p->exit_sig = m;
    return H_KILLED;
}

static int handle(Process *p, Message *m)
{
    switch (m->kind) {
    case MSG_MESSAGE:
        queue_message(p, m);
        return H_DONE;
    case MSG_EXIT: {               /* exit/2 */
        term_t reason = m->extra;
        if (reason == ATOM_kill) return kill_with(p, m, ATOM_killed);
        if (p->flags & PF_TRAP_EXIT) {
            queue_message(p, m);
            return H_DONE;
        }
        if (reason == ATOM_normal && m->from != p->id) break;
        return kill_with(p, m, reason);
    }
    case MSG_EXIT_LINK: {          /* a linked process died */
        LinkEntry *l = link_find(p, m->from);
        if (!l || l->unlinking) break;   /* unlinked: the exit is void */
        link_remove(p, m->from);
        if (p->flags & PF_TRAP_EXIT) {
            queue_message(p, m);
            return H_DONE;
        }
        if (m->extra == ATOM_normal) break;
        return kill_with(p, m, m->extra);
    }
    case MSG_LINK: {
        LinkEntry *l = link_find(p, m->from);
        if (!l)
            link_add(p, m->from);
        else
            l->unlinking = 0;
        break;
    }
    case MSG_UNLINK: {
        LinkEntry *l = link_find(p, m->from);
        /* If we are unlinking too, our own ack will remove the entry. */
        if (l && !l->unlinking) link_remove(p, m->from);
        Message *ack = sig_new(MSG_UNLINK_ACK, p->id, 0, NULL);
        ack->extra = m->extra;
        sig_send(m->from, ack);
        break;
    }
    case MSG_UNLINK_ACK: {
        LinkEntry *l = link_find(p, m->from);
        if (l && l->unlinking == (uint64_t)small_value(m->extra)) link_remove(p, m->from);
        break;
    }
    case MSG_MONITOR: {
        uint32_t ref[3];
        ref_numbers(m->extra, ref);
        mon_add(p, ref, m->from, m->msg, false);
        break;
    }
    case MSG_DEMONITOR: {
        uint32_t ref[3];
        ref_numbers(m->extra, ref);
        mon_remove(p, ref, false);
        break;
    }
    case MSG_MONITOR_DOWN: {
        uint32_t ref[3];
        ref_numbers(m->extra, ref);
        MonEntry *me = mon_find(p, ref, true);
        if (me) {                         /* else demonitored meanwhile */
            if (me->alias == ALIAS_DEMONITOR || me->alias == ALIAS_REPLY_DEMONITOR)
                alias_remove(p, ref);
            if (me->tag != THE_NON_VALUE) retag_down(m, me->tag);
            mon_remove(p, ref, true);
            queue_message(p, m);
            return H_DONE;
        }
        break;
    }
    case MSG_ALIAS_MESSAGE: {
        uint32_t ref[3];
        ref_numbers(m->extra, ref);
        AliasEntry *a = alias_find(p, ref);
        if (!a) break;                    /* not (or no longer) an alias: dropped */
        if (a->mode == ALIAS_REPLY) {
            alias_remove(p, ref);
        } else if (a->mode == ALIAS_REPLY_DEMONITOR) {
            alias_remove(p, ref);
            sig_demonitor(p, ref);
        }
        queue_message(p, m);
        return H_DONE;
    }
    case MSG_TIMEOUT:
        if ((p->flags & PF_ACTIVE_TIMER) && (uint64_t)small_value(m->extra) == p->tmo_seq) {
            timer_cancel_receive(p);      /* lets go of the fired timer */
            p->flags |= PF_TIMEOUT;
        }
        break;
    case MSG_PROCESS_INFO:
        pinfo_handle_request(p, m);
        break;
    case MSG_LITERAL_GC:
    case MSG_CPC:
    case MSG_GC_TASK: {
        /* Served by the scheduler between slices (p may be inside the
         * emulator now, its registers not saved). */
        Message **tail = &p->code_tasks;
        while (*tail) tail = &(*tail)->next;
        m->next = NULL;
        *tail = m;
        return H_DONE;
    }
    case MSG_SUSPEND:
    case MSG_RESUME:
        if (suspend_handle(p, m)) return H_DONE;
        break;
    case MSG_GROUP_LEADER:
        /* A remote leader is boxed and lives in m's fragment: the fragment
         * joins h.mbuf (as a received message's does) so the next GC
         * copies it into the heap. */
        p->group_leader = m->extra;
        if (m->frag) {
            p->h.mbuf_sz += m->frag->used_words;
            m->frag->next = p->h.mbuf;
            p->h.mbuf = m->frag;
            m->frag = NULL;
        }
        break;
    default:
        plat_fatal("signal: unknown signal kind");
    }
    sig_free(m);
    return H_DONE;
}

bool sig_take_in(Process *p)
{
    if (p->exit_reason != THE_NON_VALUE) return false;
    if (!p->sig_private) {
        Message *m = atomic_exchange_explicit(&p->sig_in_head, NULL, memory_order_acquire);
        Message *in_order = NULL;
        while (m) {                /* newest first -> oldest first */
            Message *next = m->next;
            m->next = in_order;
            in_order = m;
            m = next;
        }
        p->sig_private = in_order;
    }
    while (p->sig_private) {
        Message *m = p->sig_private;
        p->sig_private = m->next;
        m->next = NULL;
        if (handle(p, m) == H_KILLED) return false;
    }
    return true;
}
