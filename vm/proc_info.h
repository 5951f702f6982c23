/*
 * proc_info.h — process_info of another process as a signal (SMP safety).
 *
 * A process's heap, stack, dictionary, message queue, links and monitors
 * are [run] state: only the scheduler running it may read them. So
 * process_info(Pid, ...) for Pid =/= self() does what OTP does: the caller
 * sends Pid a MSG_PROCESS_INFO signal carrying the item list and a fresh
 * reference, then waits in erts_internal:await_result/1 (OTP's own module,
 * a `receive {Ref, Result} -> Result end`). The target builds the answer
 * itself when it handles the signal (in send order with everything else
 * the caller sent it) and replies with {Ref, Result}. A target that dies
 * first answers {Ref, undefined} from proc_exit's signal drain, so the
 * caller never waits forever.
 */
#ifndef BEAMOS_VM_PROC_INFO_H
#define BEAMOS_VM_PROC_INFO_H

#include "vm/mailbox.h"

/* q handles a MSG_PROCESS_INFO request (called from sig_take_in). */
void pinfo_handle_request(Process *q, const Message *req);
/* The target of the request is dead: reply undefined. */
void pinfo_answer_dead(const Message *req);

#endif
