/*
 * timer.c — per-scheduler timer wheels (timer.h): a binary min-heap of
 * Timer pointers ordered by deadline, each Timer knowing its index so it
 * can be removed in O(log n). TimerWheel.lock guards heap/n/cap and every
 * Timer.idx of the timers in it; a popped (firing) timer has idx NO_IDX and
 * belongs to the firing scheduler alone.
 * BIF timers are found by reference with a linear scan of the wheel named
 * by the reference (cancel/read are rare next to start and fire).
 */
#include "vm/timer.h"

#include <stdlib.h>

#include "vm/atom.h"
#include "vm/lock.h"
#include "vm/mailbox.h"
#include "vm/platform.h"
#include "vm/proc.h"
#include "vm/registry.h"
#include "vm/signal.h"
#include "vm/term_copy.h"

#define NO_IDX SIZE_MAX

enum { TMR_RECEIVE, TMR_BIF };

typedef struct TimerWheel TimerWheel;

typedef struct Timer {
    uint64_t deadline_ns;
    size_t idx;                /* position in wheel->heap, or NO_IDX */
    TimerWheel *wheel;
    uint8_t kind;
    term_t dest;               /* receive: the pid; BIF: pid or name atom */
    uint64_t seq;              /* receive: the tmo_seq it was armed with */
    uint32_t ref[3];           /* BIF: its reference */
    Message *msg;              /* BIF: the message to deliver */
    struct Timer *fire_next;   /* the firing scheduler's list of due timers */
    /* Receive timers: one reference held by the wheel/firer and one by the
     * process (p->timer); the last to let go frees it, so a process
     * cancelling on another scheduler never touches freed memory. */
    _Atomic int refs;
} Timer;

struct TimerWheel {
    SpinLock lock;
    Timer **heap;
    size_t n, cap;
};

void timer_wheel_init(Scheduler *s)
{
    TimerWheel *w = calloc(1, sizeof *w);
    if (!w) plat_fatal("timer: out of memory");
    spin_init(&w->lock);
    s->timers = w;
}

static void set(TimerWheel *w, size_t i, Timer *t)
{
    w->heap[i] = t;
    t->idx = i;
}

static void sift_up(TimerWheel *w, size_t i)
{
    Timer *t = w->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (w->heap[parent]->deadline_ns <= t->deadline_ns) break;
        set(w, i, w->heap[parent]);
        i = parent;
    }
    set(w, i, t);
}

static void sift_down(TimerWheel *w, size_t i)
{
    Timer *t = w->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= w->n) break;
        if (c + 1 < w->n && w->heap[c + 1]->deadline_ns < w->heap[c]->deadline_ns) c++;
        if (w->heap[c]->deadline_ns >= t->deadline_ns) break;
        set(w, i, w->heap[c]);
        i = c;
    }
    set(w, i, t);
}

/* Under w->lock. */
static void insert(TimerWheel *w, Timer *t)
{
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->heap = realloc(w->heap, w->cap * sizeof *w->heap);
        if (!w->heap) plat_fatal("timer: out of memory");
    }
    t->wheel = w;
    set(w, w->n++, t);
    sift_up(w, t->idx);
}

/* Under w->lock; t is in the heap. */
static void remove_at(TimerWheel *w, Timer *t)
{
    size_t i = t->idx;
    Timer *last = w->heap[--w->n];
    t->idx = NO_IDX;
    if (last != t) {
        set(w, i, last);
        sift_up(w, i);
        sift_down(w, last->idx);
    }
}

uint64_t timer_next_deadline_ns(Scheduler *s)
{
    TimerWheel *w = s->timers;
    spin_lock(&w->lock);
    uint64_t d = w->n ? w->heap[0]->deadline_ns : 0;
    spin_unlock(&w->lock);
    return d ? d : 0;
}

unsigned timer_count(Scheduler *s)
{
    TimerWheel *w = s->timers;
    spin_lock(&w->lock);
    unsigned n = (unsigned)w->n;
    spin_unlock(&w->lock);
    return n;
}

static void fire(Timer *t)
{
    if (t->kind == TMR_RECEIVE) {
        sig_send_timeout(t->dest, t->seq);
        if (atomic_fetch_sub(&t->refs, 1) == 1) free(t);
        return;
    } else if (is_atom(t->dest)) {
        term_t pid = reg_whereis(t->dest);
        if (is_internal_pid(pid)) sig_send(pid, t->msg);
        else sig_free(t->msg);  /* name not registered: OTP drops it too */
    } else {
        Process *q = proc_lookup(t->dest);
        if (q) {
            atomic_fetch_sub(&q->bif_timers_in, 1);
            sig_send_proc(q, t->msg);
        } else {
            sig_free(t->msg);   /* gone: its exit cancelled or will cancel */
        }
    }
    free(t);
}

unsigned timer_run_due(Scheduler *s, uint64_t now_ns)
{
    TimerWheel *w = s->timers;
    Timer *due = NULL;
    unsigned count = 0;
    spin_lock(&w->lock);
    while (w->n && w->heap[0]->deadline_ns <= now_ns) {
        Timer *t = w->heap[0];
        remove_at(w, t);
        t->fire_next = due;
        due = t;
        count++;
    }
    spin_unlock(&w->lock);
    /* due is newest-first; reverse so timers fire in deadline order */
    Timer *in_order = NULL;
    while (due) {
        Timer *n = due->fire_next;
        due->fire_next = in_order;
        in_order = due;
        due = n;
    }
    while (in_order) {
        Timer *n = in_order->fire_next;
        fire(in_order);
        in_order = n;
    }
    return count;
}

static TimerWheel *wheel_for(Process *p)
{
    Scheduler *s = sched_for(p);
    if (!s) plat_fatal("timer: no scheduler (sched_init not called)");
    return s->timers;
}

static uint64_t deadline_after_ms(uint64_t ms)
{
    uint64_t now = plat_monotonic_ns();
    if (ms > (UINT64_MAX - now) / 1000000u) return UINT64_MAX;
    return now + ms * 1000000u;
}

void timer_start_receive(Process *p, uint64_t ms)
{
    Timer *t = calloc(1, sizeof *t);
    if (!t) plat_fatal("timer: out of memory");
    t->kind = TMR_RECEIVE;
    t->dest = p->id;
    t->seq = ++p->tmo_seq;
    t->deadline_ns = deadline_after_ms(ms);
    atomic_init(&t->refs, 2);
    TimerWheel *w = wheel_for(p);
    spin_lock(&w->lock);
    insert(w, t);
    spin_unlock(&w->lock);
    p->timer = t;
    p->flags |= PF_ACTIVE_TIMER;
    p->flags &= ~PF_TIMEOUT;
}

void timer_cancel_receive(Process *p)
{
    Timer *t = p->timer;
    p->timer = NULL;
    p->flags &= ~PF_ACTIVE_TIMER;
    p->tmo_seq++;                  /* a MSG_TIMEOUT in flight is now stale */
    if (!t) return;
    TimerWheel *w = t->wheel;
    int drop = 1;
    spin_lock(&w->lock);
    if (t->idx != NO_IDX) {        /* not fired: the wheel's reference too */
        remove_at(w, t);
        drop = 2;
    }
    spin_unlock(&w->lock);
    if (atomic_fetch_sub(&t->refs, drop) == drop) free(t);
}

term_t timer_bif_start(Process *p, uint64_t ms, uint64_t abs_ns, term_t dest, term_t msg,
                       bool start_timer)
{
    Timer *t = calloc(1, sizeof *t);
    if (!t) plat_fatal("timer: out of memory");
    proc_make_ref_numbers(p, t->ref);
    term_t ref = make_internal_ref(heap_alloc(&p->h, REF_WORDS), t->ref);
    t->kind = TMR_BIF;
    t->dest = dest;
    t->deadline_ns = abs_ns ? abs_ns : deadline_after_ms(ms);
    term_t *hp;
    size_t words = term_copy_size(msg) + (start_timer ? 4 + REF_WORDS : 0);
    t->msg = sig_new(MSG_MESSAGE, p->id, words, &hp);
    term_t copy = term_copy(msg, &hp, &t->msg->off_heap);
    if (start_timer) {         /* {timeout, TimerRef, Msg} */
        term_t *tup = hp;
        hp += 4;
        tup[1] = ATOM_timeout;
        tup[2] = make_internal_ref(hp, t->ref);
        tup[3] = copy;
        copy = make_tuple_header(tup, 3);
    }
    t->msg->msg = copy;
    /* To a pid: the timer goes with the process (OTP). A dead one gets
     * none; a live one counts it, so its exit knows to look (see
     * timer_bif_cancel_to for why the re-check below closes the race). */
    Process *q = is_internal_pid(dest) ? proc_lookup(dest) : NULL;
    if (is_internal_pid(dest)) {
        if (!q) {
            sig_free(t->msg);
            free(t);
            return ref;
        }
        atomic_fetch_add(&q->bif_timers_in, 1);
    }
    /* The wheel named by the reference (proc_make_ref_numbers: ref[2] is
     * the scheduler index + 1). */
    unsigned idx = t->ref[2] ? t->ref[2] - 1 : 0;
    TimerWheel *w = schedulers[idx]->timers;
    spin_lock(&w->lock);
    insert(w, t);
    spin_unlock(&w->lock);
    if (q) {
        int st = atomic_load(&q->status);
        if (st == PROC_EXITING || st == PROC_FREE) timer_bif_cancel(ref);
    }
    return ref;
}

static int64_t bif_find(term_t ref, bool cancel)
{
    if (!is_ref(ref)) return -1;
    uint32_t r[3] = {ref_number(ref, 0), ref_number(ref, 1), ref_number(ref, 2)};
    unsigned idx = r[2] ? r[2] - 1 : 0;
    if (idx >= sched_count) return -1;
    TimerWheel *w = schedulers[idx]->timers;
    Timer *found = NULL;
    int64_t left = -1;
    spin_lock(&w->lock);
    for (size_t i = 0; i < w->n; i++) {
        Timer *t = w->heap[i];
        if (t->kind == TMR_BIF && t->ref[0] == r[0] && t->ref[1] == r[1] && t->ref[2] == r[2]) {
            uint64_t now = plat_monotonic_ns();
            uint64_t ns = t->deadline_ns > now ? t->deadline_ns - now : 0;
            left = (int64_t)((ns + 999999u) / 1000000u);
            if (cancel) {
                remove_at(w, t);
                found = t;
            }
            break;
        }
    }
    spin_unlock(&w->lock);
    if (found) {
        if (is_internal_pid(found->dest)) {
            Process *q = proc_lookup(found->dest);
            if (q) atomic_fetch_sub(&q->bif_timers_in, 1);
        }
        sig_free(found->msg);
        free(found);
    }
    return left;
}

int64_t timer_bif_cancel(term_t ref) { return bif_find(ref, true); }
int64_t timer_bif_read(term_t ref) { return bif_find(ref, false); }

/* Race with a creator (timer_bif_start): the creator counts the timer,
 * inserts it, then reads the target's status; proc_exit stores EXITING,
 * then reads the count here (all seq_cst). Either the creator sees
 * EXITING and cancels the timer itself, or its insert came before our
 * scan, which then finds it. Cancelling twice is harmless (the second
 * finds nothing). The cost: one scan of every wheel, only for a process
 * that still has timers aimed at it. */
void timer_bif_cancel_to(Process *p)
{
    if (atomic_load(&p->bif_timers_in) == 0) return;
    for (unsigned s = 0; s < sched_count; s++) {
        TimerWheel *w = schedulers[s]->timers;
        Timer *gone = NULL;
        spin_lock(&w->lock);
        for (size_t i = 0; i < w->n;) {
            Timer *t = w->heap[i];
            if (t->kind == TMR_BIF && t->dest == p->id) {
                remove_at(w, t);       /* moves another timer into slot i */
                t->fire_next = gone;
                gone = t;
            } else {
                i++;
            }
        }
        spin_unlock(&w->lock);
        while (gone) {
            Timer *n = gone->fire_next;
            sig_free(gone->msg);
            free(gone);
            gone = n;
        }
    }
    atomic_store(&p->bif_timers_in, 0);
}
