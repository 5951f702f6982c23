/*
 * suspend.h — erlang:suspend_process/1,2 and resume_process/1.
 *
 * The suspender keeps the processes it has suspended, with counts
 * (Process.suspendees), so resume_process and `unless_suspending` are
 * answered without asking the suspendee, and its suspensions end when it
 * exits. The suspendee learns of them through signals (MSG_SUSPEND,
 * MSG_RESUME), ordered with everything else the suspender sent, and
 * counts them in Process.suspend_count. A process with a count stops at
 * the end of its slice (or before the next one): status suspended, in no
 * run queue. A signal to it still wakes it, but only to take signals in
 * (so resume_process, exit signals and kill work on it); it runs code
 * again once its count is back to 0. A synchronous suspend_process, or
 * one with {asynchronous, Tag}, is answered when the suspendee has
 * stopped.
 */
#ifndef BEAMOS_VM_SUSPEND_H
#define BEAMOS_VM_SUSPEND_H

#include "vm/mailbox.h"

/* sig_take_in's handler for MSG_SUSPEND / MSG_RESUME (p is the target,
 * in its own context). Returns true when it kept m (free it otherwise). */
bool suspend_handle(Process *p, Message *m);
/* The scheduler, after a slice or instead of one: p is stopped. Answers
 * the suspend requests waiting for that. */
void suspend_stopped(Process *p);
/* A suspend request whose target is gone (sig_undeliverable), or pending
 * when it exited. Does not free m. */
void suspend_dead(const Message *m);
/* p exits: the suspensions it made end, its pending requests are answered. */
void suspend_proc_exit(Process *p);

#endif
