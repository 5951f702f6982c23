/*
 * ets_registry.c — table identifiers, the table registry and the table
 * lifecycle: creation, deletion, rename, owner death, heir and give_away,
 * safe_fixtable bookkeeping, memory accounting.
 *
 * Every table has a reference as its identifier (ets:whereis/1 returns it
 * even for named tables, as OTP 25 does); a named table is also found by
 * its name. Two chained hash tables map reference numbers and names to
 * tables; `all` lists every table. All three, and every table's existence,
 * are guarded by ets_registry_lock, whose readers (every ETS call) touch
 * only their own scheduler's cache line; creation, deletion and rename take
 * it in write mode, which waits until no call is inside any table. That is
 * what makes freeing a table safe without reference counts on the hot path.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/ets_table.h"
#include "vm/mailbox.h"
#include "vm/platform.h"
#include "vm/proc.h"
#include "vm/signal.h"
#include "vm/term_copy.h"

/* Usable before ets_init (unit tests that never boot the VM): one shared
 * indicator; ets_init gives it one line per scheduler. */
static EtsSlot registry_boot_slot;
EtsRwLock ets_registry_lock = {.nslots = 1, .slots = &registry_boot_slot};

#define REG_BUCKETS 1024u
static EtsTable *by_id[REG_BUCKETS];      /* [ets_registry_lock] */
static EtsTable *by_name[REG_BUCKETS];    /* [ets_registry_lock] */
static EtsTable *all_tables;              /* [ets_registry_lock] */
static atomic_long table_count;           /* tables in the registry (fast path of ets_proc_exit) */

void ets_init(void) { ets_rw_init(&ets_registry_lock, true); }   /* boot: no caller yet */

static unsigned id_slot(const uint32_t ref[3]) { return (ref[0] ^ ref[1] * 31u ^ ref[2] * 131u) % REG_BUCKETS; }
static unsigned name_slot(term_t name) { return (unsigned)(atom_index(name) % REG_BUCKETS); }

static EtsTable *find(term_t tid)
{
    if (is_atom(tid)) {
        for (EtsTable *t = by_name[name_slot(tid)]; t; t = t->name_next)
            if (t->name == tid) return t;
        return NULL;
    }
    if (!ets_tid_shaped(tid)) return NULL;
    uint32_t r[3] = {ref_number(tid, 0), ref_number(tid, 1), ref_number(tid, 2)};
    for (EtsTable *t = by_id[id_slot(r)]; t; t = t->id_next)
        if (!memcmp(t->ref, r, sizeof r)) return t;
    return NULL;
}

EtsTable *ets_acquire_any(term_t tid)
{
    /* Every ETS call pays a bounded share of freeing deleted tables
     * (ets_reclaim.c), before it takes any lock. */
    ets_reclaim(ETS_RECLAIM_BUDGET);
    ets_rw_rlock(&ets_registry_lock);
    EtsTable *t = find(tid);
    if (!t) ets_rw_runlock(&ets_registry_lock);
    return t;
}

EtsTable *ets_acquire(Process *p, term_t tid, bool write)
{
    EtsTable *t = ets_acquire_any(tid);
    if (!t) return NULL;
    bool owner = atomic_load_explicit(&t->owner, memory_order_relaxed) == p->id;
    bool ok = owner || t->access == ETS_PUBLIC || (!write && t->access == ETS_PROTECTED);
    if (!ok) {
        ets_rw_runlock(&ets_registry_lock);
        return NULL;
    }
    return t;
}

term_t ets_error_cause(term_t tid)
{
    if (!ets_tid_shaped(tid)) return ATOM_type;
    ets_rw_rlock(&ets_registry_lock);
    bool exists = find(tid) != NULL;
    ets_rw_runlock(&ets_registry_lock);
    return exists ? ATOM_access : ATOM_id;
}

void ets_release(EtsTable *t)
{
    (void)t;
    ets_rw_runlock(&ets_registry_lock);
}

term_t ets_tid_term(EtsTable *t, Heap *h, bool prefer_name)
{
    if (prefer_name && t->named) return t->name;
    return make_internal_ref(heap_alloc(h, REF_WORDS), t->ref);
}

size_t ets_table_bytes(EtsTable *t)
{
    size_t b = sizeof *t + ets_locks_bytes(t) + (size_t)ets_table_obj_bytes(t);
    if (ets_is_hash(t)) b += t->nbuckets * sizeof(EtsObj *);
    return b;
}

uint64_t ets_memory_bytes(void)
{
    uint64_t b = 0;
    ets_rw_rlock(&ets_registry_lock);
    for (EtsTable *t = all_tables; t; t = t->all_next) b += ets_table_bytes(t);
    ets_rw_runlock(&ets_registry_lock);
    return b + ets_garbage_bytes();
}

bool ets_register(EtsTable *t)
{
    ets_rw_wlock(&ets_registry_lock);
    if (t->named && find(t->name)) {
        ets_rw_wunlock(&ets_registry_lock);
        return false;
    }
    unsigned s = id_slot(t->ref);
    t->id_next = by_id[s];
    by_id[s] = t;
    if (t->named) {
        s = name_slot(t->name);
        t->name_next = by_name[s];
        by_name[s] = t;
    }
    t->all_next = all_tables;
    all_tables = t;
    atomic_fetch_add(&table_count, 1);
    ets_rw_wunlock(&ets_registry_lock);
    return true;
}

static void unlink_name(EtsTable *t)
{
    for (EtsTable **pp = &by_name[name_slot(t->name)]; *pp; pp = &(*pp)->name_next)
        if (*pp == t) { *pp = t->name_next; return; }
}

/* Remove t from the registry (write lock held). */
static void unregister(EtsTable *t)
{
    for (EtsTable **pp = &by_id[id_slot(t->ref)]; *pp; pp = &(*pp)->id_next)
        if (*pp == t) { *pp = t->id_next; break; }
    if (t->named) unlink_name(t);
    for (EtsTable **pp = &all_tables; *pp; pp = &(*pp)->all_next)
        if (*pp == t) { *pp = t->all_next; break; }
    atomic_fetch_sub(&table_count, 1);
}

/* Free an unregistered table: no call can reach it any more. */
static void table_free(EtsTable *t)
{
    ets_reclaim_later(t);      /* the objects go a little at a time */
    for (EtsFix *f = t->fixes, *n; f; f = n) { n = f->next; free(f); }
    if (t->heir_frag) {
        heap_off_heap_release(&t->heir_oh);
        free(t->heir_frag);
    }
    ets_locks_destroy(t);
    free(t);
}

bool ets_delete_table(term_t tid, Process *p)
{
    ets_rw_wlock(&ets_registry_lock);
    EtsTable *t = find(tid);
    bool ok = t && (t->access == ETS_PUBLIC || atomic_load(&t->owner) == p->id);
    if (ok) unregister(t);
    ets_rw_wunlock(&ets_registry_lock);
    if (ok) table_free(t);
    return ok;
}

int ets_rename_table(Process *p, term_t tid, term_t name, bool *named)
{
    ets_rw_wlock(&ets_registry_lock);
    EtsTable *t = find(tid);
    int rc = 0;
    if (!t || !(t->access == ETS_PUBLIC || atomic_load(&t->owner) == p->id)) {
        rc = -1;
    } else if (t->named && t->name == name) {
        *named = true;
    } else if (t->named && find(name)) {
        rc = -1;
    } else {
        *named = t->named;
        if (t->named) unlink_name(t);
        t->name = name;
        if (t->named) {
            unsigned s = name_slot(name);
            t->name_next = by_name[s];
            by_name[s] = t;
        }
    }
    ets_rw_wunlock(&ets_registry_lock);
    return rc;
}

/* Send {'ETS-TRANSFER', Tid, From, Data} to `to` and make it the owner
 * (the caller holds the registry write lock). */
static void ets_transfer(EtsTable *t, term_t to, term_t from, term_t data)
{
    /* {'ETS-TRANSFER', Tid, FromPid, Data}: Tid is the name of a named
     * table, else its reference, as ets:new returned it. */
    size_t words = 5 + (t->named ? 0 : REF_WORDS) + term_copy_size(data);
    term_t *hp;
    Message *m = sig_new(MSG_MESSAGE, from, words, &hp);
    term_t *tup = hp;
    hp += 5;
    term_t tid = t->named ? t->name : make_internal_ref(hp, t->ref);
    if (!t->named) hp += REF_WORDS;
    tup[1] = ATOM_ETS_TRANSFER;
    tup[2] = tid;
    tup[3] = from;
    tup[4] = term_copy(data, &hp, &m->off_heap);
    m->msg = make_tuple_header(tup, 4);
    atomic_store(&t->owner, to);
    sig_send(to, m);
}

/* The receiver's liveness is checked and the owner changed under the
 * registry's write lock, as an heir is given a table in ets_proc_exit.
 * A dying process leaves the process table (proc.c) before its
 * ets_proc_exit looks for its tables under the registry lock, so either
 * proc_lookup here already fails (badarg: the table stays with the giver,
 * as OTP has it), or the receiver's scan comes after this write lock is
 * released and finds the table it now owns (heir or deletion). Checking
 * before taking the lock, or under the read lock, which that scan also
 * takes, would let the table go to a process that has already cleaned up:
 * owned by a dead pid for ever. */
term_t ets_give_away(Process *p, term_t tid, term_t to, term_t data)
{
    if (!ets_tid_shaped(tid)) return ATOM_type;
    ets_rw_wlock(&ets_registry_lock);
    EtsTable *t = find(tid);
    term_t cause = THE_NON_VALUE;
    if (!t) cause = ATOM_id;
    else if (!proc_lookup(to)) cause = ATOM_badarg;
    else if (atomic_load(&t->owner) != p->id) cause = t->access == ETS_PUBLIC ? ATOM_not_owner : ATOM_access;
    else if (to == p->id) cause = ATOM_owner;
    else ets_transfer(t, to, p->id, data);
    ets_rw_wunlock(&ets_registry_lock);
    return cause;
}

term_t ets_all_tids(Process *p)
{
    ets_rw_rlock(&ets_registry_lock);
    size_t n = 0;
    for (EtsTable *t = all_tables; t; t = t->all_next) n++;
    term_t *hp = heap_alloc(&p->h, n * (CONS_WORDS + REF_WORDS));
    term_t l = NIL;
    for (EtsTable *t = all_tables; t; t = t->all_next) {
        term_t id = t->named ? t->name : make_internal_ref(hp, t->ref);
        hp += REF_WORDS;
        l = make_cons(hp, id, l);
        hp += CONS_WORDS;
    }
    ets_rw_runlock(&ets_registry_lock);
    return l;
}

/* ---- safe_fixtable ---- */

void ets_fix(EtsTable *t, term_t pid)
{
    spin_lock(&t->fix_lock);
    EtsFix *f = t->fixes;
    while (f && f->pid != pid) f = f->next;
    if (!f) {
        f = calloc(1, sizeof *f);
        if (!f) plat_fatal("ets: out of memory");
        f->pid = pid;
        f->next = t->fixes;
        t->fixes = f;
    }
    f->count++;
    if (atomic_fetch_add(&t->fix_count, 1) == 0) {
        t->fix_mono_ns = plat_monotonic_ns();
        t->fix_sys_ns = plat_system_time_ns();
    }
    spin_unlock(&t->fix_lock);
}

/* Drop `count` fixations of pid (all of them if count is 0); true if the
 * table is no longer fixed by anyone. */
static bool unfix(EtsTable *t, term_t pid, bool all)
{
    bool released = false;
    spin_lock(&t->fix_lock);
    for (EtsFix **pp = &t->fixes; *pp; pp = &(*pp)->next) {
        EtsFix *f = *pp;
        if (f->pid != pid) continue;
        uint64_t n = all ? f->count : 1;
        f->count -= n;
        if (!f->count) { *pp = f->next; free(f); }
        released = atomic_fetch_sub(&t->fix_count, (long)n) == (long)n;
        break;
    }
    spin_unlock(&t->fix_lock);
    return released;
}

void ets_unfix(EtsTable *t, term_t pid)
{
    if (unfix(t, pid, false) && ets_is_hash(t)) {
        ets_rw_wlock(&t->lock);
        if (!atomic_load(&t->fix_count)) ets_hash_purge_dead(t);
        ets_rw_wunlock(&t->lock);
    }
}

/* ---- owner death ---- */

static bool involves(EtsTable *t, term_t pid)
{
    if (atomic_load(&t->owner) == pid) return true;
    if (!atomic_load(&t->fix_count)) return false;
    bool fixer = false;
    spin_lock(&t->fix_lock);
    for (EtsFix *f = t->fixes; f; f = f->next) if (f->pid == pid) fixer = true;
    spin_unlock(&t->fix_lock);
    return fixer;
}

void ets_proc_exit(Process *p)
{
    if (!atomic_load(&table_count)) return;
    term_t pid = p->id;
    /* Most processes own and fix nothing: find that out without the write
     * lock, which would stop every ETS call on every CPU. */
    bool any = false;
    ets_rw_rlock(&ets_registry_lock);
    for (EtsTable *t = all_tables; t && !any; t = t->all_next) any = involves(t, pid);
    ets_rw_runlock(&ets_registry_lock);
    if (!any) return;

    EtsTable *dying = NULL;
    ets_rw_wlock(&ets_registry_lock);
    for (EtsTable *t = all_tables, *next; t; t = next) {
        next = t->all_next;
        if (atomic_load(&t->fix_count) && unfix(t, pid, true) && ets_is_hash(t)) ets_hash_purge_dead(t);
        if (atomic_load(&t->owner) != pid) continue;
        /* The heir inherits if it is alive and is not the dying owner. A
         * dying heir has left the process table before its own
         * ets_proc_exit (proc.c), and both run under this write lock, so a
         * table is never handed to a heir that has already cleaned up. */
        if (is_internal_pid(t->heir) && t->heir != pid && proc_lookup(t->heir)) {
            term_t heir = t->heir;
            ets_transfer(t, heir, pid, t->heir_data);
            continue;
        }
        unregister(t);
        t->all_next = dying;
        dying = t;
    }
    ets_rw_wunlock(&ets_registry_lock);
    while (dying) {
        EtsTable *next = dying->all_next;
        table_free(dying);
        dying = next;
    }
}
