/*
 * signal.h — signals between processes: messages, exit, link, unlink,
 * monitor, demonitor, DOWN, and the receive timeout.
 *
 * Every signal is a Message (mailbox.h) pushed on the receiver's sig_in
 * (a lock-free Treiber stack: push is one CAS; the receiver takes the whole
 * stack with one exchange and reverses it). So signals from one sender to
 * one receiver are handled in the order they were sent, whatever their
 * kind, which is Erlang's ordering guarantee.
 *
 * The receiver handles signals itself (sig_take_in), in order: messages
 * join its private queue; link/monitor signals update its own link and
 * monitor lists (only the owner ever touches them, so they need no lock);
 * an exit signal may kill it. Signals to a process that is gone are
 * answered as OTP does: a link gets an exit signal `noproc` back, a monitor
 * gets a DOWN `noproc`, an unlink gets its ack; everything else is dropped.
 *
 * Once a dying process has answered its last signal it closes sig_in (the
 * SIG_CLOSED sentinel); a sender that still holds its Process* then answers
 * for it as above.
 */
#ifndef BEAMOS_VM_SIGNAL_H
#define BEAMOS_VM_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/mailbox.h"

#define SIG_CLOSED ((Message *)(uintptr_t)1)

/* ---- links and monitors (owned by the process; proc_links.c) ---- */
typedef struct LinkEntry {
    struct LinkEntry *next;
    term_t pid;
    uint64_t unlinking;        /* 0: active; else the id of our unlink in flight */
} LinkEntry;

typedef struct MonEntry {
    struct MonEntry *next, *prev;  /* Process.monitors, newest first */
    struct MonEntry *hnext;        /* bucket chain of Process.mon_index */
    uint32_t ref[3];
    term_t pid;                /* the other process */
    term_t name;               /* atom if the origin monitored by name, else NIL */
    bool origin;               /* true: we monitor pid; false: pid monitors us */
    /* Added (aliases): origin side only. alias: the ALIAS_* mode of the
     * alias this monitor's reference is (ALIAS_NONE if none). tag: the
     * {tag, Tag} option (THE_NON_VALUE: 'DOWN'), copied into tag_frag. */
    uint8_t alias;
    term_t tag;
    HeapFragment *tag_frag;
    OffHeap tag_oh;
} MonEntry;

/* ---- aliases (owned by the process; proc_links.c) ---- */
enum { ALIAS_NONE = 0, ALIAS_EXPLICIT, ALIAS_DEMONITOR, ALIAS_REPLY_DEMONITOR, ALIAS_REPLY };
typedef struct AliasEntry {
    struct AliasEntry *next;
    uint32_t ref[3];
    uint8_t mode;              /* ALIAS_* */
} AliasEntry;

AliasEntry *alias_find(Process *p, const uint32_t ref[3]);
void alias_add(Process *p, const uint32_t ref[3], uint8_t mode);
bool alias_remove(Process *p, const uint32_t ref[3]);
/* Set m's DOWN tag (a copy of tag; THE_NON_VALUE for none). */
void mon_set_tag(MonEntry *m, term_t tag);

LinkEntry *link_find(Process *p, term_t pid);
LinkEntry *link_add(Process *p, term_t pid);
void link_remove(Process *p, term_t pid);
MonEntry *mon_find(Process *p, const uint32_t ref[3], bool origin);
MonEntry *mon_add(Process *p, const uint32_t ref[3], term_t pid, term_t name, bool origin);
bool mon_remove(Process *p, const uint32_t ref[3], bool origin);
void links_free_all(Process *p);

/* ---- building and sending ---- */
/* A signal of `kind` from `from` with a fragment of `words` words (0: none);
 * *hp receives where to build its terms. */
Message *sig_new(uint32_t kind, term_t from, size_t words, term_t **hp);
/* As sig_new, with the Message in its fragment's block (one allocation;
 * Message.in_frag). For messages: a received one's fragment joins the
 * receiver's heap with the Message in it. */
Message *sig_new_inline(uint32_t kind, term_t from, size_t words, term_t **hp);
void sig_free(Message *m);
/* Deliver m to the local pid `to` (takes ownership). */
void sig_send(term_t to, Message *m);
/* Deliver m to process `to` (its Process* from proc_lookup). */
void sig_send_proc(Process *to, Message *m);

/* exit/2 (link=false) or a dying linked process (link=true). */
void sig_send_exit(term_t from, term_t to, term_t reason, bool link);
void sig_send_link(term_t from, term_t to);
void sig_send_unlink(term_t from, term_t to, uint64_t id);
void sig_send_monitor(term_t from, term_t to, const uint32_t ref[3], term_t name);
void sig_send_demonitor(term_t from, term_t to, const uint32_t ref[3]);
/* {'DOWN', Ref, process, Item, Reason} to the monitoring process `to`
 * (Item is the pid `from`, or {Name, node()} for a monitor by name). */
void sig_send_down(term_t from, term_t to, const uint32_t ref[3], term_t item, term_t reason);
void sig_send_timeout(term_t to, uint64_t seq);
/* Remove p's own monitor `ref` (origin side) and tell the monitored
 * process; deactivates the alias of a demonitor-mode monitor alias.
 * Returns whether there was such a monitor. */
bool sig_demonitor(Process *p, const uint32_t ref[3]);

/* ---- the receiver (mailbox.c, the scheduler) ---- */
/* Take in and handle every signal that has arrived. Returns false if an
 * exit signal killed p (p->exit_reason set; the rest stays in
 * p->sig_private for proc_exit). */
bool sig_take_in(Process *p);
/* Answer for the dead process `dead` a signal it never handled. */
void sig_undeliverable(term_t dead, Message *m);

#endif
