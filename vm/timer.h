/*
 * timer.h — timers: one wheel per scheduler (a binary min-heap on the
 * deadline), driven by the scheduler loop (timer_run_due with
 * plat_monotonic_ns) and bounding its idle sleep (timer_next_deadline_ns).
 *
 * Two kinds: the receive ... after timer of a process (fires by sending it a
 * MSG_TIMEOUT signal, so it is ordered with its other signals), and the
 * erlang:send_after/start_timer timers (fire by sending the prepared
 * message). A BIF timer is named by a reference whose third number says
 * which scheduler's wheel holds it, so cancel_timer/read_timer go straight
 * to that wheel from any scheduler.
 *
 * Locking: each wheel has a spinlock (TimerWheel.lock) guarding its heap;
 * any scheduler may add or cancel, only the owner fires. Firing pops the
 * due timers under the lock and delivers them after releasing it.
 */
#ifndef BEAMOS_VM_TIMER_H
#define BEAMOS_VM_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/process.h"
#include "vm/sched.h"

void timer_wheel_init(Scheduler *s);
/* The earliest deadline on s's wheel, or 0 if it is empty. */
uint64_t timer_next_deadline_ns(Scheduler *s);
/* Fire every timer of s due at now_ns; returns how many fired. */
unsigned timer_run_due(Scheduler *s, uint64_t now_ns);
/* Timers pending on s's wheel. */
unsigned timer_count(Scheduler *s);

/* receive ... after ms: arm p's timer (p->timer, PF_ACTIVE_TIMER, tmo_seq). */
void timer_start_receive(Process *p, uint64_t ms);
/* Disarm it (no-op if none); a MSG_TIMEOUT already in flight turns stale. */
void timer_cancel_receive(Process *p);

/* erlang:send_after/start_timer: after `ms` (or at monotonic deadline
 * `abs_ns` if non-zero) send msg (start_timer: {timeout, Ref, Msg}) to dest
 * (a local pid or an atom). Returns the timer reference on p's heap. */
term_t timer_bif_start(Process *p, uint64_t ms, uint64_t abs_ns, term_t dest, term_t msg,
                       bool start_timer);
/* Cancel / read the BIF timer `ref`: the ms left, or -1 if there is no
 * such timer (fired, cancelled, never existed). */
int64_t timer_bif_cancel(term_t ref);
int64_t timer_bif_read(term_t ref);
/* Cancel every BIF timer aimed at the exiting process p (OTP cancels a
 * pid's timers when it exits). Called by proc_exit after p is marked
 * exiting and gone from the process table. */
void timer_bif_cancel_to(Process *p);

#endif
