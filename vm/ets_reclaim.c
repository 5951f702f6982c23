/*
 * ets_reclaim.c — freeing a whole table's objects a little at a time.
 *
 * Deleting a table, emptying it (delete_all_objects) or its owner's death
 * must not hold a scheduler for as long as freeing a million objects
 * takes. So those operations only detach the storage — a hash table's
 * bucket array, or each base node's tree root (a handful with
 * write_concurrency), under the table's write lock — and
 * queue it here; every ETS call then frees at most ETS_RECLAIM_BUDGET
 * objects of the queue before it starts (ets_acquire). The queued objects
 * are still counted in erlang:memory(ets) until they are freed.
 *
 * A tree is taken apart without a stack: rotate right while the root has a
 * left child, else free the root and continue with its right subtree; each
 * step is O(1), so a budget bounds the work exactly.
 *
 * Lock: garbage_lock guards the queue. A reclaimer pops one entry, works on
 * it without the lock, and pushes it back if its budget ran out first.
 */
#include <stdlib.h>

#include "vm/ets_table.h"
#include "vm/lock.h"
#include "vm/platform.h"

typedef struct Garbage {
    struct Garbage *next;
    EtsObj **buckets;          /* hash storage (NULL for a tree) */
    size_t nbuckets, cursor;   /* the next bucket to empty */
    EtsObj *chain;             /* the chain being freed, or the tree's root */
} Garbage;

static SpinLock garbage_lock = SPINLOCK_INIT;
static Garbage *garbage;                 /* [garbage_lock] */
static atomic_long garbage_entries;      /* queue length: the fast "nothing to do" test */
static atomic_long garbage_bytes;        /* objects and bucket arrays not yet freed */

static void push(Garbage *g)
{
    spin_lock(&garbage_lock);
    g->next = garbage;
    garbage = g;
    spin_unlock(&garbage_lock);
    atomic_fetch_add(&garbage_entries, 1);
}

/* One base node's AVL tree (ets_catree_take_roots). */
static void queue_tree(EtsObj *root)
{
    Garbage *g = calloc(1, sizeof *g);
    if (!g) plat_fatal("ets: out of memory");
    g->chain = root;
    push(g);
}

void ets_reclaim_later(EtsTable *t)
{
    long bytes = ets_counters_reset(t);
    if (ets_is_hash(t)) {
        Garbage *g = calloc(1, sizeof *g);
        if (!g) plat_fatal("ets: out of memory");
        g->buckets = t->buckets;
        g->nbuckets = t->nbuckets;
        bytes += (long)(t->nbuckets * sizeof(EtsObj *));
        t->buckets = NULL;
        t->nbuckets = 0;
        atomic_store(&t->dead_count, 0);
        push(g);
    } else {
        ets_catree_take_roots(t, queue_tree);   /* the route and base nodes go now */
    }
    atomic_fetch_add(&garbage_bytes, bytes);
}

/* Frees o; its bytes are added to *freed, which work() takes off
 * garbage_bytes once per call instead of one atomic per object. */
static void free_obj(EtsObj *o, long *freed)
{
    *freed += (long)ets_obj_bytes(o);
    heap_off_heap_release(&o->off_heap);
    free(o);
}

static bool work_steps(Garbage *g, long *budget, long *freed)
{
    while (*budget > 0) {
        if (g->buckets) {
            if (g->chain) {
                EtsObj *o = g->chain;
                g->chain = o->link[0];
                free_obj(o, freed);
            } else if (g->cursor < g->nbuckets) {
                g->chain = g->buckets[g->cursor++];
            } else {
                atomic_fetch_sub(&garbage_bytes, (long)(g->nbuckets * sizeof(EtsObj *)));
                free(g->buckets);
                return true;
            }
        } else {
            EtsObj *r = g->chain;
            if (!r) return true;
            if (r->link[0]) {                 /* rotate right */
                EtsObj *l = r->link[0];
                r->link[0] = l->link[1];
                l->link[1] = r;
                g->chain = l;
            } else {
                g->chain = r->link[1];
                free_obj(r, freed);
            }
        }
        (*budget)--;
    }
    return false;
}

/* Up to `budget` steps on g; true when g is empty. */
static bool work(Garbage *g, long *budget)
{
    long freed = 0;
    bool done = work_steps(g, budget, &freed);
    atomic_fetch_sub(&garbage_bytes, freed);
    return done;
}

void ets_reclaim(long budget)
{
    while (budget > 0 && atomic_load_explicit(&garbage_entries, memory_order_relaxed)) {
        spin_lock(&garbage_lock);
        Garbage *g = garbage;
        if (g) garbage = g->next;
        spin_unlock(&garbage_lock);
        if (!g) return;
        atomic_fetch_sub(&garbage_entries, 1);
        if (work(g, &budget)) free(g);
        else push(g);
    }
}

uint64_t ets_garbage_bytes(void) { return (uint64_t)atomic_load(&garbage_bytes); }
