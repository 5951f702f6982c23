/*
 * proc.h — the process table, spawning, process exit and references.
 *
 * Process table: one array of `limit` atomic Process pointers, indexed by
 * the pid's number field; the pid's serial field says which incarnation of
 * the slot it names. Lookup is one acquire load and one compare, lock-free
 * from any scheduler. A slot is claimed with a CAS from NULL; `limit`
 * (erl's +P, default PROC_DEFAULT_LIMIT) bounds the live processes, and
 * reaching it makes spawn fail with system_limit.
 *
 * Lifetime: a Process* from proc_lookup() stays readable (never freed) until
 * the looking-up scheduler next passes a quiescent point (top of its loop,
 * proc_quiescent), even if the process exits meanwhile: freed processes
 * are retired per scheduler and freed only once every scheduler has passed
 * a quiescent point after the retirement (quiescent-state-based
 * reclamation, proc.c). Idle schedulers are offline and hold nothing.
 */
#ifndef BEAMOS_VM_PROC_H
#define BEAMOS_VM_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/process.h"

#define PROC_DEFAULT_LIMIT 1048576u
#define PROC_MAX_LIMIT (1u << 27)      /* fits PID_NUMBER_BITS with room */
#define PROC_DEFAULT_HEAP_WORDS 233u
#define PROC_DEFAULT_FULLSWEEP_AFTER 65535u

typedef struct {
    bool link, monitor;
    int prio;                  /* PRIO_* */
    size_t min_heap_size;      /* words */
    unsigned fullsweep_after;
    int scheduler;             /* 0-based index, or -1: the spawner's */
    uint64_t min_bin_vheap_size;  /* words */
    MaxHeap max_heap;
    bool mqd_off_heap;         /* {message_queue_data, off_heap} */
    /* {monitor, MonitorOpts}: the monitor's alias mode (ALIAS_*) and
     * {tag, Tag} (THE_NON_VALUE: 'DOWN'). */
    uint8_t mon_alias;
    term_t mon_tag;
    /* spawn_request: the monitor takes the reference in mon_ref (the
     * request's), and the child is left for proc_start, so that the
     * spawn reply reaches the parent before anything from the child. */
    bool mon_ref_given, defer_start;
    /* spawn_request only: {reply, yes | no | error_only | success_only}
     * and {reply_tag, Tag}. */
    term_t reply, reply_tag;
} SpawnOpts;

/* Create the table for `limit` processes (0: PROC_DEFAULT_LIMIT). */
void proc_init(uint32_t limit);
uint32_t proc_limit(void);
uint32_t proc_count(void);

/* The live process with this local pid, or NULL (dead, never existed, not
 * a local pid). See "Lifetime" above. */
Process *proc_lookup(term_t pid);

void proc_spawn_opts_default(SpawnOpts *o);
/* max/high/normal/low -> PRIO_*; false for anything else. */
bool proc_prio_from_atom(term_t a, int *prio);
/* Parse a spawn_opt option list into *o. false on a bad option (badarg).
 * request: spawn_request's list, which also takes reply and reply_tag. */
bool proc_spawn_opts_parse(term_t list, SpawnOpts *o);
bool proc_spawn_request_opts_parse(term_t list, SpawnOpts *o);
/* monitor/3's option list (also {monitor, Opts} of spawn): {alias, Mode}
 * and {tag, Tag}, the last of each kind winning. false on a bad one. */
bool proc_monitor_opts_parse(term_t list, uint8_t *alias, term_t *tag);
/* Make a child created with opts->defer_start runnable. */
void proc_start(Process *child);

/* Start a process running module:function(args...) (args a proper list,
 * copied into the new heap). With opts->link/monitor the link or monitor
 * exists before the child runs; for monitor, mon_ref receives the
 * reference's numbers. Returns the new process (already runnable), or
 * NULL with *error = badarg (args not a proper list) or system_limit. */
Process *proc_spawn(Process *parent, term_t module, term_t function, term_t args,
                    const SpawnOpts *opts, uint32_t mon_ref[3], term_t *error);

/* p has finished with `reason` (a term on p's heap, in p->exit_sig, or an
 * immediate): tell links and monitors, unregister, cancel the receive
 * timer, answer signals still queued, free the memory. Called by the
 * scheduler running p, after which p must not be touched. */
void proc_exit(Process *p, term_t reason);

/* Wake p if it waits in receive (any scheduler, any time). */
void proc_wake(Process *p);

/* References: unique on this node. Each scheduler counts its own (no shared
 * counter on the hot path); the scheduler index is one of the numbers. */
void proc_make_ref_numbers(Process *p, uint32_t num[3]);
/* A new reference on p's heap (REF_WORDS). */
term_t proc_make_ref(Process *p);
/* Alias references carry their owner so a sender finds it without a global
 * table: number 2 has REF_ALIAS_FLAG set (beside the scheduler index),
 * number 1 holds the owner's pid number (low PID_NUMBER_BITS) and the
 * counter's bits 32..35. */
#define REF_ALIAS_FLAG 0x80000000u
void proc_make_alias_numbers(Process *p, uint32_t num[3]);
/* The process in the slot an alias reference names (maybe another
 * incarnation: the receiver checks its own aliases), or NULL. */
Process *proc_alias_owner(term_t ref);

/* Up to `max` pids of live processes, in table order; returns how many
 * there are in all (may exceed max). */
size_t proc_list_pids(term_t *out, size_t max);

/* Quiescent-state reclamation (see above): the scheduler holds no
 * Process* it got from proc_lookup; free what is safe to free. */
void proc_quiescent(unsigned sched_index);
/* Calls fn for every process in the table (slot order). A process spawned
 * meanwhile may be missed; one that is exiting (its slot already cleared)
 * is: pair this with proc_epoch_advance/proc_epoch_passed to wait for
 * those. fn must not block. */
void proc_foreach(void (*fn)(Process *p, void *arg), void *arg);
/* A new epoch e: once proc_epoch_passed(e), every scheduler has passed a
 * quiescent point (the top of its loop) after this call, so whatever a
 * scheduler was doing then (an exit in progress, a slice) is over. */
uint64_t proc_epoch_advance(void);
bool proc_epoch_passed(uint64_t e);
/* The scheduler goes idle (holds nothing) / comes back. */
void proc_offline(unsigned sched_index);

#endif
