/*
 * ets_hash.c — set, bag and duplicate_bag: a chained hash table.
 *
 * nbuckets is a power of two; an object with key hash h is in chain
 * h & (nbuckets - 1), and its stripe lock is h % ETS_STRIPES, the same
 * whatever nbuckets is (nbuckets >= ETS_STRIPES), so a resize never moves
 * an object to another stripe. Objects with equal keys are adjacent in
 * their chain, in insertion order (bag lookups return them in that order).
 * New keys go to the chain's head, so a traversal that has passed a chain
 * never sees an object twice.
 *
 * Fixed tables (safe_fixtable): a deleted object is marked dead and stays
 * in its chain until the last fixation ends (ets_hash_purge_dead), and the
 * table does not resize, so next/2 from any key returned earlier still
 * finds its place. Replacing an object (set insert) swaps it in place.
 */
#include <stdlib.h>

#include "vm/ets_table.h"
#include "vm/platform.h"
#include "vm/term_compare.h"

static EtsObj **alloc_buckets(size_t n)
{
    EtsObj **b = calloc(n, sizeof *b);
    if (!b) plat_fatal("ets: out of memory");
    return b;
}

void ets_hash_init(EtsTable *t)
{
    t->nbuckets = ETS_MIN_BUCKETS;
    t->buckets = alloc_buckets(t->nbuckets);
}

static inline EtsObj **chain_of(EtsTable *t, uint32_t h) { return &t->buckets[h & (t->nbuckets - 1)]; }

static inline bool same_key(EtsTable *t, EtsObj *o, term_t key, uint32_t h)
{
    return o->hash == h && term_eq_exact(ets_obj_key(t, o), key);
}

static bool fixed(EtsTable *t) { return atomic_load(&t->fix_count) > 0; }

EtsObj *ets_hash_find(EtsTable *t, term_t key, uint32_t h)
{
    for (EtsObj *o = *chain_of(t, h); o; o = o->link[0])
        if (!o->dead && same_key(t, o, key, h)) return o;
    return NULL;
}

void ets_hash_lookup(EtsTable *t, term_t key, uint32_t h, EtsObjVec *out)
{
    for (EtsObj *o = *chain_of(t, h); o; o = o->link[0]) {
        if (!same_key(t, o, key, h)) continue;
        for (; o && same_key(t, o, key, h); o = o->link[0])
            if (!o->dead) ets_vec_push(out, o);
        return;
    }
}

bool ets_hash_insert(EtsTable *t, EtsObj *o)
{
    term_t key = ets_obj_key(t, o);
    uint32_t h = o->hash;
    EtsObj **pp = chain_of(t, h);
    EtsObj **group = NULL;      /* link to the first object with this key */
    for (EtsObj **q = pp; *q; q = &(*q)->link[0])
        if (same_key(t, *q, key, h)) { group = q; break; }

    if (!group) {               /* a new key: chain head */
        o->link[0] = *pp;
        *pp = o;
        ets_count_add(t, 1);
        return true;
    }
    if (t->type == ETS_SET) {
        /* Replace the live object; skip dead ones of the same key (a dead
         * one and a live one can only coexist while fixed). */
        for (EtsObj **q = group; *q && same_key(t, *q, key, h); q = &(*q)->link[0]) {
            if ((*q)->dead) continue;
            EtsObj *old = *q;
            o->link[0] = old->link[0];
            *q = o;
            ets_obj_free(t, old);
            return true;
        }
        o->link[0] = *group;    /* only dead ones: a live object again */
        *group = o;
        ets_count_add(t, 1);
        return true;
    }
    /* bag / duplicate_bag: append to the group. */
    EtsObj **q = group;
    for (; *q && same_key(t, *q, key, h); q = &(*q)->link[0])
        if (t->type == ETS_BAG && !(*q)->dead && term_eq_exact(ets_obj_tuple(*q), ets_obj_tuple(o))) return false;
    o->link[0] = *q;
    *q = o;
    ets_count_add(t, 1);
    return true;
}

size_t ets_hash_remove(EtsTable *t, term_t key, uint32_t h, term_t match, EtsObjVec *taken)
{
    size_t n = 0;
    bool fix = fixed(t);
    EtsObj **q = chain_of(t, h);
    while (*q && !same_key(t, *q, key, h)) q = &(*q)->link[0];
    while (*q && same_key(t, *q, key, h)) {
        EtsObj *o = *q;
        if (o->dead || (match != THE_NON_VALUE && !term_eq_exact(ets_obj_tuple(o), match))) {
            q = &o->link[0];
            continue;
        }
        n++;
        ets_count_add(t, -1);
        if (fix) {
            /* Keep it chained for traversals; a taker gets it too (still
             * valid until the unfix purge) and, seeing `dead`, does not
             * free it. */
            o->dead = 1;
            atomic_fetch_add(&t->dead_count, 1);
            if (taken) ets_vec_push(taken, o);
            q = &o->link[0];
            continue;
        }
        *q = o->link[0];
        if (taken) ets_vec_push(taken, o);
        else ets_obj_free(t, o);
    }
    return n;
}

void ets_hash_unlink(EtsTable *t, EtsObj *o)
{
    ets_count_add(t, -1);
    if (fixed(t)) {
        o->dead = 1;
        atomic_fetch_add(&t->dead_count, 1);
        return;
    }
    for (EtsObj **q = chain_of(t, o->hash); *q; q = &(*q)->link[0])
        if (*q == o) {
            *q = o->link[0];
            break;
        }
    ets_obj_free(t, o);
}

void ets_hash_replace(EtsTable *t, EtsObj *o, EtsObj *repl)
{
    for (EtsObj **q = chain_of(t, o->hash); *q; q = &(*q)->link[0])
        if (*q == o) {
            repl->link[0] = o->link[0];
            *q = repl;
            ets_obj_free(t, o);
            return;
        }
}

static term_t first_live_from(EtsTable *t, size_t bucket, EtsObj *o)
{
    for (;;) {
        for (; o; o = o->link[0])
            if (!o->dead) return ets_obj_key(t, o);
        if (++bucket >= t->nbuckets) return THE_NON_VALUE;
        o = t->buckets[bucket];
    }
}

term_t ets_hash_first(EtsTable *t) { return first_live_from(t, 0, t->buckets[0]); }

term_t ets_hash_next(EtsTable *t, term_t key, bool *found)
{
    uint32_t h = ets_key_hash(key);
    size_t b = h & (t->nbuckets - 1);
    EtsObj *o = t->buckets[b];
    while (o && !same_key(t, o, key, h)) o = o->link[0];
    *found = o != NULL;
    if (!o) return THE_NON_VALUE;
    while (o && same_key(t, o, key, h)) o = o->link[0];
    return first_live_from(t, b, o);
}

void ets_hash_foreach(EtsTable *t, EtsVisit fn, void *arg)
{
    for (size_t b = 0; b < t->nbuckets; b++)
        for (EtsObj *o = t->buckets[b], *next; o; o = next) {
            next = o->link[0];     /* fn may free o (select_delete) */
            if (!o->dead && !fn(t, o, arg)) return;
        }
}

/* Rehash into twice as many buckets, keeping each key group together and
 * in order (a group is moved as a unit). */
static void grow(EtsTable *t)
{
    size_t nb = t->nbuckets * 2;
    EtsObj **nbk = alloc_buckets(nb);
    for (size_t b = 0; b < t->nbuckets; b++) {
        EtsObj *o = t->buckets[b];
        while (o) {
            EtsObj *last = o;       /* the group o..last has one key */
            while (last->link[0] && last->link[0]->hash == o->hash &&
                   term_eq_exact(ets_obj_key(t, last->link[0]), ets_obj_key(t, o)))
                last = last->link[0];
            EtsObj *next = last->link[0];
            EtsObj **dst = &nbk[o->hash & (nb - 1)];
            last->link[0] = *dst;
            *dst = o;
            o = next;
        }
    }
    free(t->buckets);
    t->buckets = nbk;
    t->nbuckets = nb;
}

/* With per-scheduler counters, summing them reads every scheduler's line,
 * so a caller looks only when its own slot's count reaches a multiple of
 * 64: the table grows at most 64 objects per slot late. */
void ets_hash_maybe_grow(EtsTable *t)
{
    if (t->lock.nslots > 1 && (atomic_load_explicit(&ets_rw_slot(&t->lock)->count, memory_order_relaxed) & 63))
        return;
    if ((size_t)ets_table_size(t) <= t->nbuckets * 2 || fixed(t)) return;
    ets_rw_wlock(&t->lock);
    if ((size_t)ets_table_size(t) > t->nbuckets * 2 && !fixed(t)) grow(t);
    ets_rw_wunlock(&t->lock);
}

void ets_hash_purge_dead(EtsTable *t)
{
    if (!atomic_load(&t->dead_count)) return;
    for (size_t b = 0; b < t->nbuckets; b++) {
        EtsObj **q = &t->buckets[b];
        while (*q) {
            EtsObj *o = *q;
            if (o->dead) {
                *q = o->link[0];
                ets_obj_free(t, o);
            } else {
                q = &o->link[0];
            }
        }
    }
    atomic_store(&t->dead_count, 0);
}
