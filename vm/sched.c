/*
 * sched.c — schedulers and their run queues (sched.h).
 *
 * Each scheduler owns a RunQueue (Scheduler.runq): four FIFO lists, one
 * per priority, guarded by RunQueue.lock (any scheduler may enqueue; the
 * owner dequeues; a thief takes half of a list). There is no global lock:
 * two schedulers contend only when one enqueues to or steals from the
 * other.
 *
 * Priorities as OTP: max before high before normal/low; normal and low
 * share the rest, low getting one turn after every LOW_EVERY normal picks.
 *
 * Process states (Process.status, atomic): RUNNABLE (in a queue), RUNNING,
 * WAITING, EXITING, FREE. Whoever moves a process WAITING -> RUNNABLE with
 * a CAS enqueues it (proc_wake). A scheduler parking a process after
 * EMU_WAIT stores WAITING and then looks at sig_in (both seq_cst); a sender
 * pushes to sig_in and then tries the CAS (seq_cst). At least one of them
 * sees the other, so a wake-up is never lost.
 */
#include "vm/sched.h"
#include "vm/code_purge.h"

#include <stdio.h>
#include <stdlib.h>

#include "vm/console_input.h"
#include "vm/emu.h"
#include "vm/lock.h"
#include "vm/platform.h"
#include "vm/proc.h"
#include "vm/signal.h"
#include "vm/suspend.h"
#include "vm/sys_stats.h"
#include "vm/system_monitor.h"
#include "vm/term_print.h"
#include "vm/timer.h"

#define LOW_EVERY 8

typedef struct {
    SpinLock lock;             /* guards everything below but `sleeping` */
    Process *head[PRIO_COUNT], *tail[PRIO_COUNT];
    unsigned len[PRIO_COUNT];
    unsigned normal_picks;     /* normal picks since low's last turn */
    unsigned bound;            /* queued processes that may not be stolen */
    atomic_bool sleeping;      /* in plat_idle_wait: wake it on enqueue */
} RunQueue;

Scheduler *schedulers[MAX_SCHEDULERS];
unsigned sched_count;
/* The time slice (emu.h); here, not in emu.c, so that unit tests with a
 * stand-in emulator link. */
int32_t emu_slice_reductions = EMU_DEFAULT_REDUCTIONS;
/* erlang:system_flag(schedulers_online, N): schedulers [0, online) run
 * processes; the others run only processes bound to them ({scheduler, N})
 * and their own timers, hand their queued processes to online ones and
 * never steal. A process whose scheduler is offline moves at its next
 * enqueue (sched_for). */
static _Atomic unsigned online;

static bool is_online(const Scheduler *s) { return s->index < atomic_load_explicit(&online, memory_order_relaxed); }

void sched_init(unsigned n)
{
    if (n == 0 || n > MAX_SCHEDULERS) plat_fatal("sched_init: bad scheduler count");
    for (unsigned i = 0; i < n; i++) {
        Scheduler *s = calloc(1, sizeof *s);
        RunQueue *rq = calloc(1, sizeof *rq);
        if (!s || !rq) plat_fatal("sched_init: out of memory");
        spin_init(&rq->lock);
        atomic_init(&rq->sleeping, false);
        s->index = i;
        s->runq = rq;
        schedulers[i] = s;
        timer_wheel_init(s);
    }
    sched_count = n;
    atomic_store(&online, n);
}

unsigned sched_online(void) { return atomic_load(&online); }

Scheduler *sched_self(void)
{
    unsigned i = plat_sched_index();
    return i < sched_count ? schedulers[i] : NULL;
}

Scheduler *sched_for(Process *p)
{
    Scheduler *s = p && p->sched ? p->sched : sched_self();
    if (!s) return sched_count ? schedulers[0] : NULL;
    if (!is_online(s) && !(p && p->bound)) s = schedulers[s->index % sched_online()];
    return s;
}

static void push(RunQueue *rq, Process *p)
{
    unsigned q = p->prio < PRIO_COUNT ? p->prio : PRIO_NORMAL;
    p->rq_next = NULL;
    if (rq->tail[q]) rq->tail[q]->rq_next = p;
    else rq->head[q] = p;
    rq->tail[q] = p;
    rq->len[q]++;
    rq->bound += p->bound;
}

static Process *pop(RunQueue *rq, unsigned q)
{
    Process *p = rq->head[q];
    if (!p) return NULL;
    rq->head[q] = p->rq_next;
    if (!rq->head[q]) rq->tail[q] = NULL;
    rq->len[q]--;
    rq->bound -= p->bound;
    p->rq_next = NULL;
    return p;
}

/* Wake one sleeping scheduler other than `busy`, if any. */
static void wake_idle_other(Scheduler *busy)
{
    for (unsigned k = 1; k < sched_count; k++) {
        if (!is_online(schedulers[(busy->index + k) % sched_count])) continue;
        RunQueue *orq = schedulers[(busy->index + k) % sched_count]->runq;
        bool expect = true;
        /* Clearing `sleeping` first means one enqueue wakes one sleeper,
         * and concurrent enqueuers pick different ones. */
        if (atomic_load(&orq->sleeping) &&
            atomic_compare_exchange_strong(&orq->sleeping, &expect, false)) {
            Scheduler *o = schedulers[(busy->index + k) % sched_count];
            plat_wake(o->index);
            return;
        }
    }
}

/* Work another scheduler could give away (two or more queued processes
 * that are not bound to it). */
static bool stealable_work(Scheduler *s)
{
    if (!is_online(s)) return false;
    for (unsigned k = 1; k < sched_count; k++) {
        RunQueue *rq = schedulers[(s->index + k) % sched_count]->runq;
        spin_lock(&rq->lock);
        unsigned n = rq->len[0] + rq->len[1] + rq->len[2] + rq->len[3] - rq->bound;
        spin_unlock(&rq->lock);
        if (n >= 2) return true;
    }
    return false;
}

void sched_enqueue(Process *p)
{
    Scheduler *s = sched_for(p);
    if (!s) plat_fatal("sched_enqueue: no scheduler (sched_init not called)");
    p->sched = s;
    RunQueue *rq = s->runq;
    spin_lock(&rq->lock);
    push(rq, p);
    unsigned queued = rq->len[0] + rq->len[1] + rq->len[2] + rq->len[3];
    spin_unlock(&rq->lock);
    if (atomic_load(&rq->sleeping) && sched_self() != s) plat_wake(s->index);
    /* The queue just grew past what s can start now: wake one idle
     * scheduler so it steals (an idle scheduler sleeps until woken, and
     * nobody else would tell it that work piles up here). Only on the
     * step from 1 to 2, so a busy queue does not send an IPI per enqueue. */
    else if (queued == 2) wake_idle_other(s);
}

unsigned sched_runq_len(Scheduler *s)
{
    RunQueue *rq = s->runq;
    spin_lock(&rq->lock);
    unsigned n = rq->len[0] + rq->len[1] + rq->len[2] + rq->len[3];
    spin_unlock(&rq->lock);
    return n;
}

static Process *pick(Scheduler *s)
{
    RunQueue *rq = s->runq;
    Process *p;
    spin_lock(&rq->lock);
    if (!(p = pop(rq, PRIO_MAX)) && !(p = pop(rq, PRIO_HIGH))) {
        if (rq->head[PRIO_NORMAL] && (!rq->head[PRIO_LOW] || rq->normal_picks < LOW_EVERY)) {
            p = pop(rq, PRIO_NORMAL);
            if (rq->head[PRIO_LOW]) rq->normal_picks++;   /* low is being passed over */
        } else if ((p = pop(rq, PRIO_LOW))) {
            rq->normal_picks = 0;
        }
    }
    spin_unlock(&rq->lock);
    return p;
}

/* The first process of list q that may move (not bound by spawn_opt
 * {scheduler, N}), unlinked; NULL if none. */
static Process *pop_unbound(RunQueue *rq, unsigned q)
{
    Process *prev = NULL, *p = rq->head[q];
    while (p && p->bound) { prev = p; p = p->rq_next; }
    if (!p) return NULL;
    if (prev) prev->rq_next = p->rq_next;
    else rq->head[q] = p->rq_next;
    if (rq->tail[q] == p) rq->tail[q] = prev;
    rq->len[q]--;
    p->rq_next = NULL;
    return p;
}

/* Take half of the busiest-looking other scheduler's normal queue (the
 * first non-empty priority found; processes bound to their scheduler
 * stay). Stolen processes move to s. */
static Process *steal(Scheduler *s)
{
    for (unsigned k = 1; k < sched_count; k++) {
        Scheduler *v = schedulers[(s->index + k) % sched_count];
        RunQueue *vq = v->runq;
        Process *got = NULL, *last = NULL;
        unsigned taken = 0;
        spin_lock(&vq->lock);
        for (unsigned q = 0; q < PRIO_COUNT && !got; q++) {
            unsigned take = (vq->len[q] + 1) / 2;
            if (vq->len[q] < 2) take = vq->len[q];
            taken += take;
            while (take--) {
                Process *p = pop_unbound(vq, q);
                if (!p) { taken -= take + 1; break; }
                if (last) last->rq_next = p; else got = p;
                last = p;
            }
        }
        unsigned left = vq->len[0] + vq->len[1] + vq->len[2] + vq->len[3];
        spin_unlock(&vq->lock);
        if (!got) continue;
        /* Still a surplus here or there: pass the wake-up on, so a burst
         * spreads over every idle scheduler, not just the first one woken. */
        if (left >= 2 || taken >= 3) wake_idle_other(s);
        Process *first = got;
        got = got->rq_next;
        first->sched = s;
        if (got) {
            RunQueue *rq = s->runq;
            spin_lock(&rq->lock);
            while (got) {
                Process *n = got->rq_next;
                got->sched = s;
                push(rq, got);
                got = n;
            }
            spin_unlock(&rq->lock);
        }
        return first;
    }
    return NULL;
}

static bool has_signals(Process *p)
{
    return p->sig_private || atomic_load(&p->sig_in_head) != NULL;
}

/* A process that died of an uncaught error is reported on the console, as
 * OTP's runtime reports it to the logger ("Error in process ... with exit
 * value: ..."); exits and throws are not reported, as in OTP. */
static void report_crash(Process *p)
{
    char head[96];
    int n = snprintf(head, sizeof head, "=ERROR REPORT==== Error in process <0.%u.%u> with exit value:\n",
                     pid_number(p->id), pid_serial(p->id));
    size_t cap = 2048;
    char *body = malloc(cap + 2);
    if (!body)
        return;
    size_t len = term_print(body, cap, p->fvalue);
    if (len >= cap)
        len = cap - 1;              /* long reasons are cut, like OTP's depth limit */
    body[len++] = '\n';
    body[len++] = '\n';
    plat_console_write(head, (size_t)n);
    plat_console_write(body, len);
    free(body);
}

static void run_one(Scheduler *s, Process *p)
{
    atomic_store(&p->status, PROC_RUNNING);
    p->sched = s;
    s->current = p;
    s->context_switches++;
    uint64_t reds = p->reductions, t0 = plat_monotonic_ns();
    const BeamInstr *in_pc = p->i;
    EmuResult r;
    if (!sig_take_in(p)) {
        r = EMU_WAIT;             /* killed by a signal before running */
    } else {
        if (p->code_tasks) code_purge_serve(p);   /* registers saved: a safe point */
        /* A collection there may have killed p (max_heap_size); a
         * suspended process was woken only to take its signals in. */
        r = p->exit_reason == THE_NON_VALUE && !p->suspend_count ? emu_execute(s, p) : EMU_WAIT;
        /* Requests taken in during the slice (a receive takes signals in)
         * are served now, before p waits or queues: a waiting process
         * would not run again until a message came. */
        if (r != EMU_EXIT && p->code_tasks && p->exit_reason == THE_NON_VALUE) code_purge_serve(p);
    }
    uint64_t ran_ns = plat_monotonic_ns() - t0;
    s->busy_ns += ran_ns;
    if (sysmon_on(SYSMON_LONG_SCHEDULE) && r != EMU_EXIT && p->exit_reason == THE_NON_VALUE)
        sysmon_after_slice(p, ran_ns, in_pc, p->i);
    s->reductions += p->reductions - reds;
    s->current = NULL;

    if (p->exit_reason != THE_NON_VALUE) {
        proc_exit(p, p->exit_reason);
        return;
    }
    if (r != EMU_EXIT) pinfo_memory_publish(p);   /* for erlang:memory elsewhere */
    if (r != EMU_EXIT && p->suspend_count) {
        /* Stopped until resumed: in no run queue. */
        atomic_store(&p->status, PROC_SUSPENDED);
        suspend_stopped(p);
        if (has_signals(p)) proc_wake(p);     /* a signal raced the parking */
        return;
    }
    switch (r) {
    case EMU_EXIT:
        if ((p->freason & EXC_CLASS_MASK) == EXC_ERROR)
            report_crash(p);
        proc_exit(p, p->fvalue);
        return;
    case EMU_YIELD:
        atomic_store(&p->status, PROC_RUNNABLE);
        sched_enqueue(p);
        return;
    case EMU_WAIT:
        if (p->flags & PF_TIMEOUT) {          /* after 0, or timed out meanwhile */
            atomic_store(&p->status, PROC_RUNNABLE);
            sched_enqueue(p);
            return;
        }
        atomic_store(&p->status, PROC_WAITING);
        if (has_signals(p)) proc_wake(p);     /* a signal raced the parking */
        return;
    }
}

/* An offline scheduler hands the unbound processes in its queues to online
 * ones (they were queued before it went offline). */
static void hand_off_queue(Scheduler *s)
{
    RunQueue *rq = s->runq;
    for (;;) {
        Process *p = NULL;
        spin_lock(&rq->lock);
        for (unsigned q = 0; q < PRIO_COUNT && !p; q++) p = pop_unbound(rq, q);
        spin_unlock(&rq->lock);
        if (!p) return;
        p->sched = NULL;          /* sched_enqueue picks an online one */
        sched_enqueue(p);
    }
}

static bool loop_once(Scheduler *s, bool *idle)
{
    proc_quiescent(s->index);
    timer_run_due(s, plat_monotonic_ns());
    console_input_check();
    bool on = is_online(s);
    if (!on) hand_off_queue(s);
    Process *p = pick(s);
    if (!p && sched_count > 1 && on) p = steal(s);
    if (p) {
        run_one(s, p);
        *idle = false;
        return true;
    }
    *idle = true;
    return false;
}

static void idle_wait(Scheduler *s)
{
    RunQueue *rq = s->runq;
    atomic_store(&rq->sleeping, true);
    proc_offline(s->index);
    if (sched_runq_len(s) == 0 && !stealable_work(s)) {
        uint64_t t0 = plat_monotonic_ns();
        plat_idle_wait(timer_next_deadline_ns(s));
        s->idle_ns += plat_monotonic_ns() - t0;
    }
    atomic_store(&rq->sleeping, false);
}

unsigned sched_set_online(unsigned n)
{
    unsigned old = atomic_exchange(&online, n);
    /* Schedulers coming online steal; those going offline hand off. */
    unsigned lo = old < n ? old : n, hi = old < n ? n : old;
    for (unsigned i = lo; i < hi; i++) plat_wake(i);
    return old;
}

void sched_run(unsigned index)
{
    Scheduler *s = schedulers[index];
    bool idle;
    for (;;) {
        loop_once(s, &idle);
        if (idle) idle_wait(s);
    }
}

void sched_run_until_idle(unsigned index)
{
    Scheduler *s = schedulers[index];
    bool idle;
    for (;;) {
        loop_once(s, &idle);
        if (!idle) continue;
        if (timer_count(s) == 0) break;
        idle_wait(s);
    }
    proc_quiescent(index);
}
