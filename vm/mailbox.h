/*
 * mailbox.h — messages and the receive primitives the emulator uses.
 * The process work owns the implementation (mailbox.c, signal.c).
 *
 * A message is copied by the sender into a heap fragment owned by the
 * message; the receiver's emulator reads it in place. When `receive`
 * accepts a message (remove_message), its fragment joins the receiver's
 * h.mbuf list so the next GC merges it into the heap.
 *
 * The receive instructions map onto these calls:
 *   loop_rec L, x0     m = mbox_peek(p); if !m goto L (wait); x0 = m->msg
 *   remove_message     mbox_remove(p)
 *   loop_rec_end L     mbox_next(p); goto L
 *   wait L             (emulator) p->i = L; return EMU_WAIT
 *   wait_timeout L, T  mbox_set_timer(p, T) then as wait (or fall through on
 *                      timeout: PF_TIMEOUT set when rescheduled)
 *   timeout            mbox_timeout(p)
 *   recv_marker_reserve/bind/clear/use  mbox_marker_*(p, ...)
 */
#ifndef BEAMOS_VM_MAILBOX_H
#define BEAMOS_VM_MAILBOX_H

#include <stdint.h>

#include "vm/process.h"

typedef struct Message {
    struct Message *next;
    term_t msg;                /* the message term (points into frag or is immediate) */
    HeapFragment *frag;        /* owned copy of the term, or NULL */
    uint32_t kind;             /* MSG_* (signals share the queue to keep order) */
    /* True when this Message lives inside its own fragment's block, after
     * the term words (sig_new_inline): freeing frag frees the Message too,
     * and a received message's Message stays allocated until the GC frees
     * the fragment. */
    uint32_t in_frag;
    term_t from;               /* sender pid (signals) */
    term_t extra;              /* signal payload (exit reason, monitor ref, ...) */
    /* Added by the process work: the ProcBins in frag (heap.h invariant);
     * they join the receiver's h.off_heap when the message is received. */
    OffHeap off_heap;
} Message;

enum { MSG_MESSAGE = 0, MSG_EXIT, MSG_LINK, MSG_UNLINK, MSG_MONITOR, MSG_DEMONITOR, MSG_MONITOR_DOWN,
       /* added by the process work (appended, so earlier values keep theirs):
        * the exit signal a dying linked process sends (trappable even for
        * reason kill), the acknowledgement of an unlink (OTP 23+ unlink
        * protocol), and the receive timer's expiry (signal.c). */
       MSG_EXIT_LINK, MSG_UNLINK_ACK, MSG_TIMEOUT,
       /* a message sent to an alias (extra: the alias reference); the
        * receiver drops it unless the alias is active */
       MSG_ALIAS_MESSAGE,
       /* SMP work: another process asks for process_info (msg: {Items,
        * Status}, extra: the reply reference; bif_proc_info.c), and
        * group_leader/2 on another process (extra: the new leader). The
        * target answers or applies them itself, so its [run] fields are
        * never read or written from another CPU. */
       MSG_PROCESS_INFO, MSG_GROUP_LEADER,
       /* code-purge work (docs/code_purge.md): collect out of a literal
        * area being released (extra: the LitArea, literal_area.c), and
        * check_process_code (msg: the module, extra: the request id;
        * from: the requester). Served between slices (Process.code_tasks),
        * as is a collection asked for by erlang:garbage_collect/1,2 on
        * another process (msg: major | minor, extra: {garbage_collect, ReqId}). */
       MSG_LITERAL_GC, MSG_CPC, MSG_GC_TASK,
       /* suspend_process / resume_process (suspend.h): extra is the reply
        * wanted ({Ref}, {Tag, []} or []) / the number of suspensions that end. */
       MSG_SUSPEND, MSG_RESUME };

/* The message at the save pointer, after taking in newly arrived signals;
 * NULL if there is none. Inline: a selective receive runs these once per
 * message it skips. */
Message *mbox_peek_slow(Process *p);
static inline Message *mbox_peek(Process *p)
{
    Message *m = *p->msg_save;
    return m ? m : mbox_peek_slow(p);
}
static inline void mbox_next(Process *p) { p->msg_save = &(*p->msg_save)->next; }
void mbox_remove(Process *p);
/* Arm the receive timer (ms; the atom infinity means none). Returns 0, or
 * -1 for a bad timeout value (the emulator raises timeout_value). */
int mbox_set_timer(Process *p, term_t timeout);
void mbox_timeout(Process *p);
term_t mbox_marker_reserve(Process *p);
void mbox_marker_bind(Process *p, term_t marker, term_t ref);
void mbox_marker_use(Process *p, term_t ref);
void mbox_marker_clear(Process *p, term_t ref);

/* Send msg from `from` (may be NULL for the runtime) to the pid, port,
 * registered name or alias reference `to`. Returns 0, or -1 if `to` is a
 * name nobody has (the caller raises badarg). Sending to a dead pid, or to
 * a reference that is not an active alias, succeeds silently. */
int mbox_send(Process *from, term_t to, term_t msg);

#endif
