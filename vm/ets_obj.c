/*
 * ets_obj.c — stored objects (one malloc'ed block each, a flat copy of the
 * tuple) and the locking helpers every ETS operation goes through.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/ets_table.h"
#include "vm/phash.h"
#include "vm/platform.h"
#include "vm/term_compare.h"
#include "vm/term_copy.h"

/* Words of tup's copy if every element is an immediate (the commonest
 * objects: {Key, Counter}, {Atom, Pid}...), else 0: such a tuple is copied
 * with one pass and no term walk. */
static size_t flat_tuple_words(term_t tup)
{
    const term_t *e = tuple_val(tup);
    size_t n = tuple_arity(tup);
    for (size_t i = 1; i <= n; i++)
        if (!is_immed(e[i])) return 0;
    return n + 1;
}

EtsObj *ets_obj_new(EtsTable *t, term_t tup)
{
    size_t flat = flat_tuple_words(tup);
    size_t words = flat ? flat : term_copy_size(tup);
    EtsObj *o = malloc(sizeof *o + words * sizeof(term_t));
    if (!o) plat_fatal("ets: out of memory");
    o->link[0] = o->link[1] = NULL;
    o->height = 1;
    o->dead = 0;
    o->flat = flat != 0;
    o->words = words;
    o->off_heap.first = NULL;
    o->off_heap.overhead = 0;
    if (flat) {
        memcpy(o->data, tuple_val(tup), flat * sizeof(term_t));
    } else {
        term_t *hp = o->data;
        term_copy(tup, &hp, &o->off_heap);     /* the root lands at data[0] */
    }
    o->key = tuple_element(ets_obj_tuple(o), t->keypos);
    o->hash = ets_is_hash(t) ? ets_key_hash(ets_obj_key(t, o)) : 0;
    ets_bytes_add(t, (long)ets_obj_bytes(o));
    return o;
}

void ets_obj_free(EtsTable *t, EtsObj *o)
{
    ets_bytes_add(t, -(long)ets_obj_bytes(o));
    heap_off_heap_release(&o->off_heap);
    free(o);
}

/* The stored copy is flat and self-contained, so copying it out is one
 * more term_copy (ProcBins gain a reference for the caller's heap), or a
 * memcpy for a tuple of immediates. */
term_t ets_obj_copy_out(const EtsObj *o, term_t **hpp, OffHeap *oh)
{
    if (o->flat) {
        term_t *hp = *hpp;
        memcpy(hp, o->data, o->words * sizeof(term_t));
        *hpp = hp + o->words;
        return make_boxed(hp);
    }
    return term_copy(ets_obj_tuple(o), hpp, oh);
}

bool ets_key_eq(const EtsTable *t, term_t a, term_t b)
{
    return ets_is_hash(t) ? term_eq_exact(a, b) : term_eq(a, b);
}

/* Small integers (the commonest keys) skip phash2 for a multiply-xorshift
 * mix (splitmix64's finaliser): consecutive integers spread over every
 * bucket. Any hash consistent with =:= will do; it is never shown. */
uint32_t ets_key_hash(term_t key)
{
    if (!is_small(key)) return phash2_make_hash2(key);
    uint64_t x = (uint64_t)key;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return (uint32_t)(x ^ (x >> 31));
}

void ets_vec_push(EtsObjVec *v, EtsObj *o)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        EtsObj **nv = realloc(v->v, cap * sizeof *nv);
        if (!nv) plat_fatal("ets: out of memory");
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = o;
}

/* Stripe locks exist only in write_concurrency hash tables: there a
 * single-key writer holds the table lock in read mode, so the stripe is
 * what keeps two writers (or a writer and a reader) of one chain apart.
 * Each stripe has its own cache line: writers of different stripes share
 * nothing. */
static bool striped(const EtsTable *t) { return t->stripes != NULL; }

void ets_locks_init(EtsTable *t)
{
    ets_rw_init(&t->lock, t->read_conc || t->write_conc);
    t->stripes = NULL;
    t->stripes_mem = NULL;
    spin_init(&t->fix_lock);
    t->catree = t->write_conc && !ets_is_hash(t);
    if (!(t->write_conc && ets_is_hash(t))) return;
    t->stripes_mem = malloc(sizeof(EtsMutexLine) * (ETS_STRIPES + 1));
    if (!t->stripes_mem) plat_fatal("ets: out of memory");
    t->stripes = (EtsMutexLine *)(((uintptr_t)t->stripes_mem + 63) & ~(uintptr_t)63);
    for (unsigned i = 0; i < ETS_STRIPES; i++) ets_mutex_init(&t->stripes[i].m);
}

void ets_locks_destroy(EtsTable *t)
{
    ets_rw_destroy(&t->lock);
    free(t->stripes_mem);
    t->stripes = NULL;
    t->stripes_mem = NULL;
}

size_t ets_locks_bytes(const EtsTable *t)
{
    return ets_rw_bytes(&t->lock) + (t->stripes ? sizeof(EtsMutexLine) * (ETS_STRIPES + 1) : 0) +
           (ets_is_hash(t) ? 0 : t->tree_bytes);
}

void ets_lock_key(EtsTable *t, term_t key, uint32_t h, bool write)
{
    if (striped(t)) {
        ets_rw_rlock(&t->lock);
        ets_mutex_lock(&t->stripes[h % ETS_STRIPES].m);
    } else if (t->catree) {
        ets_rw_rlock(&t->lock);
        ets_catree_lock_base(t, key);
    } else if (write) {
        ets_rw_wlock(&t->lock);
    } else {
        ets_rw_rlock(&t->lock);
    }
}

void ets_unlock_key(EtsTable *t, term_t key, uint32_t h, bool write)
{
    if (striped(t)) {
        ets_mutex_unlock(&t->stripes[h % ETS_STRIPES].m);
        ets_rw_runlock(&t->lock);
    } else if (t->catree) {
        bool adapt = ets_catree_unlock_base(t, key);
        ets_rw_runlock(&t->lock);
        if (adapt) ets_catree_adapt(t, key);
    } else if (write) {
        ets_rw_wunlock(&t->lock);
    } else {
        ets_rw_runlock(&t->lock);
    }
}

/* A whole-table reader of a striped table or a contention-adapting tree
 * takes the write lock: it then excludes the single-key writers without
 * taking every stripe or base lock. */
void ets_lock_all(EtsTable *t, bool write)
{
    if (write || striped(t) || t->catree) ets_rw_wlock(&t->lock);
    else ets_rw_rlock(&t->lock);
}

void ets_unlock_all(EtsTable *t, bool write)
{
    if (write || striped(t) || t->catree) ets_rw_wunlock(&t->lock);
    else ets_rw_runlock(&t->lock);
}
