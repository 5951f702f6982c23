/*
 * bif_ets.c — the ETS BIFs that create, read and write tables by key:
 * new/2, delete/1,2, insert/2, insert_new/2, lookup/2, lookup_element/3,
 * member/2, delete_object/2, take/2, first/1, next/2, last/1, prev/2,
 * slot/2, rename/2, whereis/1, give_away/3, setopts/2, safe_fixtable/2.
 * Counters and element updates are in bif_ets_update.c, info/all/
 * delete_all in bif_ets_info.c, match specifications in ets_select.c.
 *
 * Each BIF: ets_acquire (registry read lock, access check; badarg if the
 * table is gone or the caller may not do this), the key or table lock,
 * the work, unlock, ets_release. Arguments are checked before any lock is
 * taken wherever the check needs no table (OTP raises the same badarg).
 * Results are copied into the caller's heap while the lock still
 * guarantees the stored objects exist.
 */
#include <stdlib.h>

#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/bif_util.h"
#include "vm/ets_table.h"
#include "vm/proc.h"
#include "vm/term_copy.h"

/* ---- ets:new/2 ---- */

static bool parse_new_opts(EtsTable *t, term_t opts)
{
    for (; is_list(opts); opts = cons_tail(opts)) {
        term_t o = cons_head(opts);
        if (o == ATOM_set) t->type = ETS_SET;
        else if (o == ATOM_ordered_set) t->type = ETS_ORDERED_SET;
        else if (o == ATOM_bag) t->type = ETS_BAG;
        else if (o == ATOM_duplicate_bag) t->type = ETS_DUPLICATE_BAG;
        else if (o == ATOM_public) t->access = ETS_PUBLIC;
        else if (o == ATOM_protected) t->access = ETS_PROTECTED;
        else if (o == ATOM_private) t->access = ETS_PRIVATE;
        else if (o == ATOM_named_table) t->named = true;
        else if (o == ATOM_compressed) t->compressed = true;
        else if (is_tuple(o) && tuple_arity(o) == 2) {
            term_t k = tuple_element(o, 1), v = tuple_element(o, 2);
            bool b = v == ATOM_true;
            bool is_bool = b || v == ATOM_false;
            if (k == ATOM_keypos && is_small(v) && small_value(v) >= 1 && small_value(v) < (1 << 24))
                t->keypos = (uint32_t)small_value(v);
            else if (k == ATOM_write_concurrency && (is_bool || v == ATOM_auto))
                t->write_conc = b || v == ATOM_auto;
            else if (k == ATOM_read_concurrency && is_bool) t->read_conc = b;
            else if (k == ATOM_decentralized_counters && is_bool) t->decentralized = b;
            else if (k == ATOM_heir && v == ATOM_iter_none) t->heir = ATOM_iter_none;
            else return false;
        } else if (is_tuple(o) && tuple_arity(o) == 3 && tuple_element(o, 1) == ATOM_heir &&
                   is_internal_pid(tuple_element(o, 2))) {
            t->heir = tuple_element(o, 2);
            t->heir_data = tuple_element(o, 3);   /* copied below */
        } else {
            return false;
        }
    }
    return is_nil(opts);
}

/* Keep a copy of the heir data (owned by the table). */
static void set_heir(EtsTable *t, term_t heir, term_t data)
{
    if (t->heir_frag) {
        heap_off_heap_release(&t->heir_oh);
        free(t->heir_frag);
        t->heir_frag = NULL;
    }
    t->heir_oh.first = NULL;
    t->heir_oh.overhead = 0;
    t->heir = heir;
    t->heir_data = ATOM_undefined;
    if (heir == ATOM_iter_none) return;
    size_t words = term_copy_size(data);
    if (words) {
        t->heir_frag = term_fragment_new(words);
        term_t *hp = t->heir_frag->mem;
        t->heir_data = term_copy(data, &hp, &t->heir_oh);
    } else {
        t->heir_data = data;
    }
}

term_t bif_ets_new_2(Process *p, term_t *args)
{
    if (!is_atom(args[0])) BIF_ERROR(p, ATOM_badarg);
    EtsTable *t = calloc(1, sizeof *t);
    if (!t) BIF_ERROR(p, ATOM_system_limit);
    t->type = ETS_SET;
    t->access = ETS_PROTECTED;
    t->keypos = 1;
    t->heir = ATOM_iter_none;
    t->heir_data = THE_NON_VALUE;
    if (!parse_new_opts(t, args[1])) {
        free(t);
        BIF_ERROR(p, ATOM_badarg);
    }
    t->name = args[0];
    atomic_init(&t->owner, p->id);
    set_heir(t, t->heir, t->heir_data);
    ets_locks_init(t);
    if (ets_is_hash(t)) ets_hash_init(t);
    else ets_tree_init(t);
    proc_make_ref_numbers(p, t->ref);
    t->ref[2] |= ETS_TID_TAG;
    if (!ets_register(t)) {     /* the name is taken */
        free(t->buckets);
        if (!ets_is_hash(t)) ets_catree_take_roots(t, NULL);   /* one empty base */
        set_heir(t, ATOM_iter_none, NIL);
        ets_locks_destroy(t);
        free(t);
        BIF_ERROR_CAUSE(p, ATOM_badarg, ATOM_already_exists);
    }
    return t->named ? args[0] : make_internal_ref(heap_alloc(&p->h, REF_WORDS), t->ref);
}

/* ---- delete ---- */

term_t bif_ets_delete_1(Process *p, term_t *args)
{
    if (!ets_delete_table(args[0], p)) ETS_TABLE_ERROR(p, args[0]);
    return ATOM_true;
}

/* A tuple that can be stored in t: arity >= keypos. */
static bool storable(EtsTable *t, term_t o) { return is_tuple(o) && tuple_arity(o) >= t->keypos; }

static uint32_t hash_if(EtsTable *t, term_t key) { return ets_is_hash(t) ? ets_key_hash(key) : 0; }

/* Remove the objects with key (all, or those equal to match). */
static void remove_key(EtsTable *t, term_t key, term_t match)
{
    uint32_t h = hash_if(t, key);
    ets_lock_key(t, key, h, true);
    if (ets_is_hash(t)) ets_hash_remove(t, key, h, match, NULL);
    else ets_tree_remove(t, key, match, NULL);
    ets_unlock_key(t, key, h, true);
}

term_t bif_ets_delete_2(Process *p, term_t *args)
{
    EtsTable *t = ets_acquire(p, args[0], true);
    if (!t) ETS_TABLE_ERROR(p, args[0]);
    remove_key(t, args[1], THE_NON_VALUE);
    ets_release(t);
    return ATOM_true;
}

term_t bif_ets_delete_object_2(Process *p, term_t *args)
{
    EtsTable *t = ets_acquire(p, args[0], true);
    if (!t) ETS_TABLE_ERROR(p, args[0]);
    if (!storable(t, args[1])) {
        ets_release(t);
        BIF_ERROR(p, ATOM_badarg);
    }
    remove_key(t, tuple_element(args[1], t->keypos), args[1]);
    ets_release(t);
    return ATOM_true;
}

/* ---- insert ---- */

/* The objects of insert's argument (one tuple or a proper list of them),
 * copied out of the caller's heap before any lock is taken. NULL: badarg.
 * A single tuple's object goes in *one (no allocation for the vector). */
static EtsObj **prepare(EtsTable *t, term_t arg, size_t *n, EtsObj **one)
{
    if (is_tuple(arg)) {
        if (!storable(t, arg)) return NULL;
        one[0] = ets_obj_new(t, arg);
        *n = 1;
        return one;
    }
    long len = bif_list_length(arg);
    if (len < 0) return NULL;
    for (term_t l = arg; is_list(l); l = cons_tail(l))
        if (!storable(t, cons_head(l))) return NULL;
    EtsObj **v = malloc((size_t)(len ? len : 1) * sizeof *v);
    if (!v) plat_fatal("ets: out of memory");
    size_t i = 0;
    for (term_t l = arg; is_list(l); l = cons_tail(l)) v[i++] = ets_obj_new(t, cons_head(l));
    *n = (size_t)len;
    return v;
}

static void put(EtsTable *t, EtsObj *o)
{
    bool kept = ets_is_hash(t) ? ets_hash_insert(t, o) : ets_tree_insert(t, o);
    if (!kept) ets_obj_free(t, o);
}

static bool key_present(EtsTable *t, term_t key, uint32_t h) { return ets_find(t, key, h) != NULL; }

static term_t do_insert(Process *p, term_t *args, bool only_new)
{
    EtsTable *t = ets_acquire(p, args[0], true);
    if (!t) ETS_TABLE_ERROR(p, args[0]);
    size_t n;
    EtsObj *one;
    EtsObj **objs = prepare(t, args[1], &n, &one);
    if (!objs) {
        ets_release(t);
        BIF_ERROR(p, ATOM_badarg);
    }
    bool inserted = true;
    if (n == 1) {
        /* The key as the caller's tuple has it: still valid after the
         * unlock, when the stored object may be gone already. */
        term_t key = tuple_element(args[1], t->keypos);
        uint32_t h = objs[0]->hash;
        ets_lock_key(t, key, h, true);
        if (only_new && key_present(t, key, h)) inserted = false;
        else put(t, objs[0]);
        ets_unlock_key(t, key, h, true);
        if (!inserted) ets_obj_free(t, objs[0]);
    } else if (n > 1) {
        /* A list is inserted atomically: the whole table is locked. */
        ets_lock_all(t, true);
        if (only_new)
            for (size_t i = 0; i < n && inserted; i++)
                if (key_present(t, ets_obj_key(t, objs[i]), objs[i]->hash)) inserted = false;
        if (inserted)
            for (size_t i = 0; i < n; i++) put(t, objs[i]);
        ets_unlock_all(t, true);
        if (!inserted)
            for (size_t i = 0; i < n; i++) ets_obj_free(t, objs[i]);
    }
    if (objs != &one) free(objs);
    if (ets_is_hash(t)) ets_hash_maybe_grow(t);
    ets_release(t);
    return only_new ? (inserted ? ATOM_true : ATOM_false) : ATOM_true;
}

term_t bif_ets_insert_2(Process *p, term_t *args) { return do_insert(p, args, false); }
term_t bif_ets_insert_new_2(Process *p, term_t *args) { return do_insert(p, args, true); }

/* ---- lookup ---- */

/* The live objects with key, into v (lock held). */
static void collect(EtsTable *t, term_t key, uint32_t h, EtsObjVec *v)
{
    if (ets_is_hash(t)) {
        ets_hash_lookup(t, key, h, v);
    } else {
        EtsObj *o = ets_tree_lookup(t, key);
        if (o) ets_vec_push(v, o);
    }
}

/* A list of copies of v's objects on p's heap. */
static term_t copy_list(Process *p, EtsObjVec *v)
{
    size_t words = v->n * CONS_WORDS;
    for (size_t i = 0; i < v->n; i++) words += ets_obj_copy_words(v->v[i]);
    term_t *hp = heap_alloc(&p->h, words);
    term_t l = NIL;
    for (size_t i = v->n; i-- > 0;) {
        term_t o = ets_obj_copy_out(v->v[i], &hp, &p->h.off_heap);
        l = make_cons(hp, o, l);
        hp += CONS_WORDS;
    }
    return l;
}

term_t bif_ets_lookup_2(Process *p, term_t *args)
{
    EtsTable *t = ets_acquire(p, args[0], false);
    if (!t) ETS_TABLE_ERROR(p, args[0]);
    term_t key = args[1];
    uint32_t h = hash_if(t, key);
    term_t res;
    ets_lock_key(t, key, h, false);
    if (t->type == ETS_SET || t->type == ETS_ORDERED_SET) {
        /* At most one object: no vector. */
        EtsObj *o = ets_find(t, key, h);
        if (o) {
            term_t *hp = heap_alloc(&p->h, ets_obj_copy_words(o) + CONS_WORDS);
            term_t c = ets_obj_copy_out(o, &hp, &p->h.off_heap);
            res = make_cons(hp, c, NIL);
        } else {
            res = NIL;
        }
    } else {
        EtsObjVec v = {0};
        collect(t, key, h, &v);
        res = copy_list(p, &v);
        ets_vec_free(&v);
    }
    ets_unlock_key(t, key, h, false);
    ets_release(t);
    return res;
}

term_t bif_ets_member_2(Process *p, term_t *args)
{
    EtsTable *t = ets_acquire(p, args[0], false);
    if (!t) ETS_TABLE_ERROR(p, args[0]);
    uint32_t h = hash_if(t, args[1]);
    ets_lock_key(t, args[1], h, false);
    bool found = key_present(t, args[1], h);
    ets_unlock_key(t, args[1], h, false);
    ets_release(t);
    return found ? ATOM_true : ATOM_false;
}

term_t bif_ets_lookup_element_3(Process *p, term_t *args)
{
    if (!is_small(args[2]) || small_value(args[2]) < 1) BIF_ERROR(p, ATOM_badarg);
    uint64_t pos = (uint64_t)small_value(args[2]);
    EtsTable *t = ets_acquire(p, args[0], false);
    if (!t) ETS_TABLE_ERROR(p, args[0]);
    uint32_t h = hash_if(t, args[1]);
    ets_lock_key(t, args[1], h, false);
    EtsObjVec v = {0};
    collect(t, args[1], h, &v);
    bool ok = v.n > 0, nokey = v.n == 0;
    for (size_t i = 0; i < v.n && ok; i++) ok = tuple_arity(ets_obj_tuple(v.v[i])) >= pos;
    term_t res = THE_NON_VALUE;
    if (ok) {
        bool single = t->type == ETS_SET || t->type == ETS_ORDERED_SET;
        size_t words = single ? 0 : v.n * CONS_WORDS;
        for (size_t i = 0; i < v.n; i++) words += term_copy_size(tuple_element(ets_obj_tuple(v.v[i]), pos));
        term_t *hp = heap_alloc(&p->h, words);
        if (single) {
            res = term_copy(tuple_element(ets_obj_tuple(v.v[0]), pos), &hp, &p->h.off_heap);
        } else {
            res = NIL;
            for (size_t i = v.n; i-- > 0;) {
                term_t e = term_copy(tuple_element(ets_obj_tuple(v.v[i]), pos), &hp, &p->h.off_heap);
                res = make_cons(hp, e, res);
                hp += CONS_WORDS;
            }
        }
    }
    ets_vec_free(&v);
    ets_unlock_key(t, args[1], h, false);
    ets_release(t);
    if (nokey) BIF_ERROR_CAUSE(p, ATOM_badarg, ATOM_badkey);
    if (res == THE_NON_VALUE) BIF_ERROR(p, ATOM_badarg);
    return res;
}

term_t bif_ets_take_2(Process *p, term_t *args)
{
    EtsTable *t = ets_acquire(p, args[0], true);
    if (!t) ETS_TABLE_ERROR(p, args[0]);
    uint32_t h = hash_if(t, args[1]);
    EtsObjVec v = {0};
    ets_lock_key(t, args[1], h, true);
    if (ets_is_hash(t)) ets_hash_remove(t, args[1], h, THE_NON_VALUE, &v);
    else ets_tree_remove(t, args[1], THE_NON_VALUE, &v);
    term_t res = copy_list(p, &v);
    /* Dead-marked objects (fixed table) stay chained until the unfix. */
    for (size_t i = 0; i < v.n; i++)
        if (!v.v[i]->dead) ets_obj_free(t, v.v[i]);
    ets_unlock_key(t, args[1], h, true);
    ets_vec_free(&v);
    ets_release(t);
    return res;
}

/* ---- traversal ---- */

static term_t copy_key(Process *p, term_t key)
{
    if (key == THE_NON_VALUE) return ATOM_dollar_end_of_table;
    term_t *hp = heap_alloc(&p->h, term_copy_size(key));
    return term_copy(key, &hp, &p->h.off_heap);
}

static term_t first_last(Process *p, term_t tid, bool last)
{
    EtsTable *t = ets_acquire(p, tid, false);
    if (!t) ETS_TABLE_ERROR(p, tid);
    ets_lock_all(t, false);
    term_t k = ets_is_hash(t) ? ets_hash_first(t) : ets_tree_first(t, last);
    term_t res = copy_key(p, k);
    ets_unlock_all(t, false);
    ets_release(t);
    return res;
}

static term_t next_prev(Process *p, term_t tid, term_t key, bool prev)
{
    EtsTable *t = ets_acquire(p, tid, false);
    if (!t) ETS_TABLE_ERROR(p, tid);
    bool found = true;
    ets_lock_all(t, false);
    term_t k = ets_is_hash(t) ? ets_hash_next(t, key, &found) : ets_tree_next(t, key, prev);
    term_t res = found ? copy_key(p, k) : THE_NON_VALUE;
    ets_unlock_all(t, false);
    ets_release(t);
    if (!found) BIF_ERROR(p, ATOM_badarg);
    return res;
}

term_t bif_ets_first_1(Process *p, term_t *args) { return first_last(p, args[0], false); }
term_t bif_ets_last_1(Process *p, term_t *args) { return first_last(p, args[0], true); }
term_t bif_ets_next_2(Process *p, term_t *args) { return next_prev(p, args[0], args[1], false); }
term_t bif_ets_prev_2(Process *p, term_t *args) { return next_prev(p, args[0], args[1], true); }

typedef struct {
    int64_t skip;
    EtsObj *found;
} SlotWalk;

static bool slot_visit(EtsTable *t, EtsObj *o, void *arg)
{
    (void)t;
    SlotWalk *w = arg;
    if (w->skip-- == 0) { w->found = o; return false; }
    return true;
}

term_t bif_ets_slot_2(Process *p, term_t *args)
{
    EtsTable *t = ets_acquire(p, args[0], false);
    if (!t) ETS_TABLE_ERROR(p, args[0]);
    if (!is_small(args[1]) || small_value(args[1]) < 0) {
        ets_release(t);
        BIF_ERROR(p, ATOM_badarg);
    }
    int64_t i = small_value(args[1]);
    term_t res = THE_NON_VALUE;
    ets_lock_all(t, false);
    if (ets_is_hash(t)) {
        /* A slot is a bucket: its live objects, in chain order. */
        if ((uint64_t)i < t->nbuckets) {
            EtsObjVec v = {0};
            for (EtsObj *o = t->buckets[i]; o; o = o->link[0])
                if (!o->dead) ets_vec_push(&v, o);
            res = copy_list(p, &v);
            ets_vec_free(&v);
        } else if ((uint64_t)i == t->nbuckets) {
            res = ATOM_dollar_end_of_table;
        }
    } else {
        /* A slot is a position in key order. */
        int64_t n = ets_table_size(t);
        if (i < n) {
            SlotWalk w = {i, NULL};
            ets_tree_foreach(t, false, slot_visit, &w);
            EtsObjVec v = {0};
            ets_vec_push(&v, w.found);
            res = copy_list(p, &v);
            ets_vec_free(&v);
        } else if (i == n) {
            res = ATOM_dollar_end_of_table;
        }
    }
    ets_unlock_all(t, false);
    ets_release(t);
    if (res == THE_NON_VALUE) BIF_ERROR(p, ATOM_badarg);
    return res;
}

/* ---- names and ownership ---- */

term_t bif_ets_whereis_1(Process *p, term_t *args)
{
    if (!is_atom(args[0])) BIF_ERROR(p, ATOM_badarg);
    EtsTable *t = ets_acquire_any(args[0]);
    if (!t) return ATOM_undefined;
    term_t res = ets_tid_term(t, &p->h, false);
    ets_release(t);
    return res;
}

/* Returns the new name for a named table, and the table's reference (the
 * identifier it still goes by) for an unnamed one, as OTP does. */
term_t bif_ets_rename_2(Process *p, term_t *args)
{
    bool named = false;
    if (!is_atom(args[1]) || ets_rename_table(p, args[0], args[1], &named) < 0) BIF_ERROR(p, ATOM_badarg);
    return named ? args[1] : args[0];
}

/* Only the owner may give a table away or change its heir. */
static EtsTable *acquire_owned(Process *p, term_t tid)
{
    EtsTable *t = ets_acquire_any(tid);
    if (t && atomic_load(&t->owner) != p->id) {
        ets_release(t);
        return NULL;
    }
    return t;
}

/* give_away/3: see ets_give_away (ets_registry.c) for why the receiver's
 * liveness is checked under the registry's write lock. */
term_t bif_ets_give_away_3(Process *p, term_t *args)
{
    term_t to = args[1];
    if (!is_internal_pid(to)) BIF_ERROR(p, ATOM_badarg);
    ets_reclaim(ETS_RECLAIM_BUDGET);
    term_t cause = ets_give_away(p, args[0], to, args[2]);
    if (cause == ATOM_badarg) BIF_ERROR(p, ATOM_badarg);
    if (cause != THE_NON_VALUE) BIF_ERROR_CAUSE(p, ATOM_badarg, cause);
    return ATOM_true;
}

/* setopts/2: {heir, Pid, Data} and {heir, none}, alone or in a list (the
 * only options OTP lets a table change after creation). */
static bool heir_opt(term_t o, term_t *heir, term_t *data)
{
    if (!is_tuple(o) || tuple_element(o, 1) != ATOM_heir) return false;
    if (tuple_arity(o) == 2 && tuple_element(o, 2) == ATOM_iter_none) {
        *heir = ATOM_iter_none;
        *data = NIL;
        return true;
    }
    if (tuple_arity(o) == 3 && is_internal_pid(tuple_element(o, 2))) {
        *heir = tuple_element(o, 2);
        *data = tuple_element(o, 3);
        return true;
    }
    return false;
}

term_t bif_ets_setopts_2(Process *p, term_t *args)
{
    term_t opts = args[1], heir = THE_NON_VALUE, data = NIL;
    if (is_tuple(opts)) {
        if (!heir_opt(opts, &heir, &data)) BIF_ERROR(p, ATOM_badarg);
    } else {
        if (bif_list_length(opts) < 0) BIF_ERROR(p, ATOM_badarg);
        for (term_t l = opts; is_list(l); l = cons_tail(l))
            if (!heir_opt(cons_head(l), &heir, &data)) BIF_ERROR(p, ATOM_badarg);
    }
    EtsTable *t = acquire_owned(p, args[0]);
    if (!t) {
        term_t cause = ets_error_cause(args[0]);
        if (cause == ATOM_access) BIF_ERROR(p, ATOM_badarg);   /* OTP: no cause */
        BIF_ERROR_CAUSE(p, ATOM_badarg, cause);
    }
    if (heir != THE_NON_VALUE) {
        ets_lock_all(t, true);
        set_heir(t, heir, data);
        ets_unlock_all(t, true);
    }
    ets_release(t);
    return ATOM_true;
}

term_t bif_ets_safe_fixtable_2(Process *p, term_t *args)
{
    if (args[1] != ATOM_true && args[1] != ATOM_false) BIF_ERROR(p, ATOM_badarg);
    EtsTable *t = ets_acquire(p, args[0], false);
    if (!t) ETS_TABLE_ERROR(p, args[0]);
    if (args[1] == ATOM_true) ets_fix(t, p->id);
    else ets_unfix(t, p->id);
    ets_release(t);
    return ATOM_true;
}
