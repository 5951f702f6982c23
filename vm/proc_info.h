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

/* process_info/1's request: the default item list (plus registered_name
 * when there is one). Never a valid item list, since an item is an atom. */
#define PINFO_DEFAULT make_small(1)

/* The whole answer for `items` (PINFO_DEFAULT, one atom, or a list of
 * atoms the BIF has checked) about q, built on dst. Only q's own scheduler
 * calls it; `status` is what the requester saw; self: q asks about itself
 * (from a BIF, so its position is its caller's return address). The result may point into
 * q's heap (the dictionary): copy it before q runs on. */
term_t pinfo_result(Process *q, term_t items, term_t status, Heap *dst, bool self);

/* q handles a MSG_PROCESS_INFO request (called from sig_take_in). */
void pinfo_handle_request(Process *q, const Message *req);
/* The target of the request is dead: reply undefined. */
void pinfo_answer_dead(const Message *req);

#endif
