/*
 * process.h — an Erlang process: the VM's unit of execution.
 *
 * Memory: one block of heap_sz words. The heap grows up from h.heap to
 * h.htop; the stack grows down from heap_end. h.hend is the *stack top*
 * (OTP's p->stop), so heap_alloc(&p->h, n) can never overwrite the stack:
 * when the gap is too small it spills into a heap fragment (h.mbuf) that the
 * next garbage collection merges. The emulator keeps the stack pointer in a
 * local while running and writes it back to h.hend (SWAPOUT) before calling
 * anything that may allocate or collect.
 *
 *   h.heap                 h.htop          h.hend (stop)          heap_end
 *   | live terms ........ | free ........ | stack (Y regs, CPs) |
 *
 * Stack words are terms, catch words (make_catch) or continuation pointers
 * (CPs: code addresses, 8-byte aligned, so their primary tag is 00 and the GC
 * tells them from terms by that tag).
 *
 * Ownership (no lock needed for a field unless said):
 *  - [run]   touched only by the scheduler currently running the process.
 *  - [sig]   the signal queue: any process appends (lock-free, multi-producer);
 *            only the owner's scheduler takes from it.
 *  - [sched] run-queue linkage and state: the scheduler that owns the
 *            run queue the process is in, through atomics on `state`.
 * Sections are owned by the work that adds fields to them (marked).
 */
#ifndef BEAMOS_VM_PROCESS_H
#define BEAMOS_VM_PROCESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vm/fun.h"
#include "vm/heap.h"
#include "vm/heap_limits.h"
#include "vm/term.h"

/* Code is an array of machine words (threaded code): see emu.h. */
typedef uintptr_t BeamInstr;

struct Scheduler;
struct Message;
struct Export;

/* Exception state: freason says the class, fvalue the reason term. */
enum {
    EXC_NONE = 0,
    EXC_ERROR = 1,   /* erlang:error/1,2 and runtime errors: reason in fvalue */
    EXC_EXIT = 2,    /* erlang:exit/1 */
    EXC_THROW = 3,   /* erlang:throw/1 */
    EXC_CLASS_MASK = 3,
    EXC_TRAP = 4,    /* not an error: a BIF asked the emulator to continue at
                        p->i (e.g. it set up a call to Erlang code) */
    EXC_YIELD = 8,   /* not an error: the BIF wants the process rescheduled
                        and re-called with the same arguments (p->i is the BIF
                        call instruction) */
};

/* Process status (atomic: read by other schedulers, e.g. process_info). */
typedef enum {
    PROC_RUNNABLE = 0,   /* in a run queue */
    PROC_RUNNING,        /* on a scheduler now */
    PROC_WAITING,        /* in receive, no matching message */
    PROC_SUSPENDED,
    PROC_EXITING,
    PROC_FREE,
} ProcStatus;

enum { PRIO_MAX = 0, PRIO_HIGH = 1, PRIO_NORMAL = 2, PRIO_LOW = 3, PRIO_COUNT = 4 };

/* Process flags (bits in Process.flags). */
#define PF_TRAP_EXIT   (1u << 0)
#define PF_ACTIVE_TIMER (1u << 1)  /* receive ... after timer armed */
#define PF_TIMEOUT     (1u << 2)   /* the receive timer fired */
#define PF_FORCE_GC    (1u << 3)   /* erlang:garbage_collect requested */
#define PF_ENDLESS_TIMER (1u << 6) /* receive ... after infinity (or a bignum): "armed", never fires */
#define PF_MQD_OFF_HEAP (1u << 4)  /* message_queue_data = off_heap (what process_info reports;
                                      messages always wait in their own fragments) */
#define PF_SENSITIVE   (1u << 5)   /* process_flag(sensitive, true) */
#define PF_YIELDED     (1u << 8)   /* added (process work): erlang:yield/0 is between its two calls */

#define PROC_DEF_ARG_REGS 6

typedef struct Process {
    /* ---- heap and stack [run] (GC work owns the generational fields) ---- */
    Heap h;                    /* h.hend is the stack top (see above) */
    term_t *heap_end;          /* end of the heap block = stack bottom */
    size_t heap_sz;            /* words in the block */
    size_t min_heap_size;      /* words; default 233 */
    term_t *old_heap, *old_htop, *old_hend;   /* old generation (generational GC) */
    term_t *high_water;        /* young objects below this survived one GC */
    uint16_t gen_gcs, max_gen_gcs;            /* minor GCs since full sweep; fullsweep_after */
    uint64_t bin_vheap_sz;     /* virtual binary heap limit, words */
    uint64_t min_bin_vheap_size;  /* words: bin_vheap_sz never goes below */
    MaxHeap max_heap;          /* heap_limits.h */

    /* ---- execution [run] (emulator work) ---- */
    const BeamInstr *i;        /* where to continue when scheduled */
    int32_t fcalls;            /* reductions left in this time slice */
    uint64_t reductions;       /* total, for statistics/process_info */
    uint32_t arity;            /* live X registers saved in arg_reg */
    term_t *arg_reg;           /* def_arg_reg or a malloc'ed array */
    term_t def_arg_reg[PROC_DEF_ARG_REGS];
    uint32_t max_arg_reg;
    int32_t catches;           /* active catch frames */
    uint32_t freason;          /* EXC_* */
    term_t fvalue;             /* exception reason */
    term_t ftrace;             /* stack trace term, or NIL */
    const ErtsMFA *current;    /* function being executed (process_info) */
    ErtsMFA initial_call;

    /* ---- identity ---- */
    term_t id;                 /* pid; never changes */
    term_t registered_name;    /* atom or NIL */
    term_t group_leader;       /* pid */
    term_t parent;             /* pid of the spawner */
    uint32_t flags;            /* PF_* [run] */
    uint8_t prio;              /* PRIO_* */
    bool bound;                /* spawn_opt {scheduler, N}: never stolen (set at spawn, then read-only) */
    _Atomic int status;        /* ProcStatus [sched] */

    /* ---- messages and signals (process/mailbox work) ----
     * Incoming messages and signals are appended by senders to sig_in
     * (lock-free MPSC); the owner moves them, in order, into the private
     * message queue msg_first..msg_last, handling non-message signals as it
     * goes. msg_save is the receive save pointer; msg_mark supports the
     * recv_marker_* instructions (receive after make_ref skips old mail). */
    struct Message *_Atomic sig_in_head;   /* [sig] newest first (Treiber stack) or MPSC queue */
    struct Message *msg_first;             /* [run] */
    struct Message **msg_last;             /* [run] */
    struct Message **msg_save;             /* [run] */
    struct Message **msg_mark;             /* [run] */
    term_t msg_mark_ref;                   /* [run] the reference msg_mark belongs to */
    uint64_t msg_len;                      /* [run] messages in the private queue */

    /* ---- links, monitors, timers, dictionary (process work) ---- */
    void *links;               /* link/monitor tree or list (owner's choice) */
    void *monitors;
    void *mon_index;           /* [run] hash index over monitors once there are many (proc_links.c) */
    void *timer;               /* receive-after timer */
    term_t *pd;                /* process dictionary slots (vm/pdict.h), NULL when empty [run] */
    uint32_t pd_size, pd_count;
    /* Added by the process work (backward compatible: new fields only).
     * sig_private: signals taken from sig_in but not yet handled, oldest
     * first (left over when an exit signal killed the process mid-batch).
     * exit_reason/exit_sig: a pending kill (exit signal handled, process
     * not yet exited); THE_NON_VALUE if none; the reason lives in exit_sig's
     * fragment (or is an immediate).
     * mark_ref: the numbers of the reference the receive marker is bound to
     * (msg_mark_ref only ever holds an immediate, so the GC needs not visit
     * it). tmo_seq: generation of the receive timer; a MSG_TIMEOUT signal
     * with an older number is stale. unlink_id: last unlink id used. */
    struct Message *sig_private;           /* [run] */
    term_t exit_reason;                    /* [run] */
    struct Message *exit_sig;              /* [run] */
    uint32_t mark_ref[3];                  /* [run] */
    uint64_t tmo_seq;                      /* [run] */
    uint64_t unlink_id;                    /* [run] */
    /* Deferred free (proc.c): a dead Process stays readable until every
     * scheduler has passed a quiescent point after retire_epoch. */
    struct Process *retire_next;
    uint64_t retire_epoch;
    /* Added by the process work: the process's active aliases
     * (erlang:alias/0,1, monitor/3 {alias, _}), an AliasEntry list
     * (signal.h). [run]: only the owner reads or changes it; a message sent
     * to an alias travels as a MSG_ALIAS_MESSAGE signal and the owner checks
     * the alias when it takes the signal in. */
    void *aliases;

    /* ---- memory figures (SMP work) ----
     * msg_frag_words, n_links, n_mons: O(1) tallies the owner keeps [run]
     * (words of the fragments of messages in the private queue; entries in
     * links and monitors) so its memory is known without walking lists.
     * mem_bytes / mem_used_bytes: process_info(memory) and the words in
     * use, published by the owner after each time slice
     * (pinfo_memory_publish) for erlang:memory/0,1 on any scheduler;
     * relaxed atomics: independent tallies, never used for ordering. */
    uint64_t msg_frag_words;
    uint32_t n_links, n_mons;
    _Atomic uint64_t mem_bytes, mem_used_bytes;
    /* Code-purge work (docs/code_purge.md): literal-area collection and
     * check_process_code requests (MSG_LITERAL_GC, MSG_CPC) taken in but
     * not yet served, oldest first. They need the process stopped with
     * its registers saved, so sig_take_in (which also runs inside the
     * emulator) only queues them here and the scheduler serves them
     * between slices (code_purge_serve). [run] */
    struct Message *code_tasks;
    /* suspend_process (suspend.h): suspensions in force on this process,
     * requests to answer once it has stopped, and the processes it has
     * suspended itself. [run] */
    uint32_t suspend_count;
    struct Message *suspend_acks;
    struct Suspendee *suspendees;
    /* BIF timers (send_after/start_timer) aimed at this pid and not yet
     * fired or cancelled, as far as their creators could tell: a hint that
     * makes proc_exit look for them to cancel (timer.c); seq_cst. */
    _Atomic uint32_t bif_timers_in;

    /* ---- scheduling [sched] (scheduler work) ---- */
    struct Process *rq_next;
    struct Scheduler *sched;   /* the scheduler whose run queue holds it */
    uint64_t spawned_ns;
} Process;

/* Raise from a BIF: set the exception and return THE_NON_VALUE. */
static inline term_t bif_raise(Process *p, uint32_t cls, term_t reason)
{
    p->freason = cls;
    p->fvalue = reason;
    return THE_NON_VALUE;
}
#define BIF_ERROR(p, reason) return bif_raise((p), EXC_ERROR, (reason))

/* An error with a cause for the stack trace's error_info map
 * (#{module => ..., cause => Cause}: OTP's erl_stdlib_errors explains ETS
 * errors by it: id, access, badkey, ...). The cause is kept in bits
 * EXC_CAUSE_SHIFT.. of freason as 1 + its atom index, so it must be a
 * predefined atom (atoms.def: small indices); the emulator moves it into
 * the raw stack trace when it raises (emu_exc.c). */
#define EXC_CAUSE_SHIFT 16
static inline term_t bif_raise_cause(Process *p, term_t reason, term_t cause)
{
    p->freason = EXC_ERROR | (uint32_t)((atom_index(cause) + 1) << EXC_CAUSE_SHIFT);
    p->fvalue = reason;
    return THE_NON_VALUE;
}
#define BIF_ERROR_CAUSE(p, reason, cause) return bif_raise_cause((p), (reason), (cause))

#endif
