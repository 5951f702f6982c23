/*
 * bif_ets_info.c — what ETS says about its tables: info/1, info/2, the
 * table list behind ets:all/0 (internal_request_all/0), and emptying a
 * table (internal_delete_all/2, behind delete_all_objects/1 and the
 * match-everything select_delete/2).
 *
 * Memory is reported in words, as OTP does, and is the real size of what
 * the table holds: the table structure, its bucket array or tree nodes,
 * every stored object's block (dead ones waiting for an unfix included).
 */
#include <math.h>
#include <stdlib.h>

#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/bif_util.h"
#include "vm/ets_table.h"
#include "vm/mailbox.h"
#include "vm/proc.h"
#include "vm/sched.h"
#include "vm/signal.h"
#include "vm/term_compare.h"

static term_t type_atom(EtsTable *t)
{
    static const term_t types[] = {ATOM_set, ATOM_ordered_set, ATOM_bag, ATOM_duplicate_bag};
    return types[t->type];
}

static term_t access_atom(EtsTable *t)
{
    static const term_t acc[] = {ATOM_private, ATOM_protected, ATOM_public};
    return acc[t->access];
}

static term_t boolean(bool b) { return b ? ATOM_true : ATOM_false; }

static term_t tuple2(Heap *h, term_t a, term_t b)
{
    term_t *hp = heap_alloc(h, 3);
    hp[1] = a;
    hp[2] = b;
    return make_tuple_header(hp, 2);
}

/* [{Pid, Count}] of the current fixations (fix_lock taken here). */
static term_t fixers(EtsTable *t, Heap *h)
{
    term_t l = NIL;
    spin_lock(&t->fix_lock);
    size_t n = 0;
    for (EtsFix *f = t->fixes; f; f = f->next) n++;
    term_t *hp = heap_alloc(h, n * (3 + CONS_WORDS));
    for (EtsFix *f = t->fixes; f; f = f->next) {
        hp[1] = f->pid;
        hp[2] = make_small((int64_t)f->count);
        term_t tup = make_tuple_header(hp, 2);
        l = make_cons(hp + 3, tup, l);
        hp += 3 + CONS_WORDS;
    }
    spin_unlock(&t->fix_lock);
    return l;
}

/* info(T, stats) of a hash table, in OTP 25's shape (erl_db.c, from
 * erl_db_hash.c's db_calc_stats_hash):
 *   {Buckets, AvgChainLen, StdDevChainLen, ExpectedStdDev,
 *    MinChainLen, MaxChainLen, KeptDeadObjects, Locks}
 * Chain lengths count dead objects too (deleted while the table is fixed,
 * still chained: they are also KeptDeadObjects); ExpectedStdDev is what a
 * uniform hash would give (binomial); Locks is the number of stripe locks
 * (1 without write_concurrency). Averages in single precision as OTP
 * computes them. */
static term_t hash_stats(Process *p, EtsTable *t)
{
    uint64_t sum = 0, sq_sum = 0, kept = 0, min = UINT64_MAX, max = 0;
    ets_lock_all(t, false);
    size_t nb = t->nbuckets;
    for (size_t b = 0; b < nb; b++) {
        uint64_t len = 0;
        for (EtsObj *o = t->buckets[b]; o; o = o->link[0]) {
            len++;
            kept += o->dead;
        }
        sum += len;
        sq_sum += len * len;
        if (len < min) min = len;
        if (len > max) max = len;
    }
    ets_unlock_all(t, false);
    float avg = (float)sum / (float)nb;
    double var = ((double)sq_sum - (double)avg * (double)sum) / (double)nb;
    float dev = (float)sqrt(var > 0 ? var : 0);      /* rounding: never NaN */
    float expected = (float)sqrt(avg * (1.0 - 1.0 / (double)nb));
    Heap *h = &p->h;
    term_t e[8] = {bif_make_uint64(h, nb), bif_make_double(h, avg), bif_make_double(h, dev),
                   bif_make_double(h, expected), bif_make_uint64(h, min), bif_make_uint64(h, max),
                   bif_make_uint64(h, kept), make_small(t->write_conc ? ETS_STRIPES : 1)};
    term_t *hp = heap_alloc(h, 9);
    for (int i = 0; i < 8; i++) hp[i + 1] = e[i];
    return make_tuple_header(hp, 8);
}

/* info(T, stats) of an ordered_set: OTP 25's {RouteNodes, BaseNodes,
 * MaxDepth} for a contention-adapting tree (write_concurrency), false for
 * a plain one, as erl_db_catree.c and erl_db_tree.c answer. */
static term_t tree_stats(Process *p, EtsTable *t)
{
    if (!t->catree) return ATOM_false;
    EtsCaStats st;
    ets_lock_all(t, false);
    ets_catree_stats(t, &st);
    ets_unlock_all(t, false);
    Heap *h = &p->h;
    term_t e[3] = {bif_make_uint64(h, st.routes), bif_make_uint64(h, st.bases), make_small(st.max_depth)};
    term_t *hp = heap_alloc(h, 4);
    for (int i = 0; i < 3; i++) hp[i + 1] = e[i];
    return make_tuple_header(hp, 3);
}

/* The value of one info item; THE_NON_VALUE for an unknown item. */
static term_t info_item(Process *p, EtsTable *t, term_t item)
{
    Heap *h = &p->h;
    switch (item) {
    case ATOM_id: return ets_tid_term(t, h, false);
    case ATOM_decentralized_counters: return boolean(t->decentralized);
    case ATOM_read_concurrency: return boolean(t->read_conc);
    case ATOM_write_concurrency: return boolean(t->write_conc);
    case ATOM_compressed: return boolean(t->compressed);
    case ATOM_memory: {
        ets_lock_all(t, false);
        size_t bytes = ets_table_bytes(t);
        ets_unlock_all(t, false);
        return bif_make_uint64(h, (bytes + sizeof(term_t) - 1) / sizeof(term_t));
    }
    case ATOM_owner: return atomic_load(&t->owner);
    case ATOM_heir: return t->heir;
    case ATOM_name: return t->name;
    case ATOM_size: return bif_make_int64(h, ets_table_size(t));
    case ATOM_node: {
        term_t node = term_local_node();
        return is_atom(node) ? node : ATOM_nonode_at_nohost;
    }
    case ATOM_named_table: return boolean(t->named);
    case ATOM_type: return type_atom(t);
    case ATOM_keypos: return make_small(t->keypos);
    case ATOM_protection: return access_atom(t);
    case ATOM_fixed: return boolean(atomic_load(&t->fix_count) > 0);
    case ATOM_stats: return ets_is_hash(t) ? hash_stats(p, t) : tree_stats(p, t);
    case ATOM_safe_fixed:
    case ATOM_safe_fixed_monotonic_time: {
        if (!atomic_load(&t->fix_count)) return ATOM_false;
        term_t when;
        if (item == ATOM_safe_fixed) {
            /* erlang:timestamp() form of the first fixation's time. */
            uint64_t us = t->fix_sys_ns / 1000;
            term_t *hp = heap_alloc(h, 4);
            hp[1] = make_small((int64_t)(us / 1000000000000ull));
            hp[2] = make_small((int64_t)(us / 1000000 % 1000000));
            hp[3] = make_small((int64_t)(us % 1000000));
            when = make_tuple_header(hp, 3);
        } else {
            when = bif_make_int64(h, (int64_t)t->fix_mono_ns);
        }
        return tuple2(h, when, fixers(t, h));
    }
    default: return THE_NON_VALUE;
    }
}

term_t bif_ets_info_2(Process *p, term_t *args)
{
    if (!ets_tid_shaped(args[0])) BIF_ERROR_CAUSE(p, ATOM_badarg, ATOM_type);
    EtsTable *t = ets_acquire_any(args[0]);
    if (!t) return ATOM_undefined;
    term_t v = info_item(p, t, args[1]);
    ets_release(t);
    if (v == THE_NON_VALUE) BIF_ERROR(p, ATOM_badarg);
    return v;
}

term_t bif_ets_info_1(Process *p, term_t *args)
{
    static const int n_items = 15;
    term_t items[15] = {ATOM_id, ATOM_decentralized_counters, ATOM_read_concurrency,
                        ATOM_write_concurrency, ATOM_compressed, ATOM_memory, ATOM_owner,
                        ATOM_heir, ATOM_name, ATOM_size, ATOM_node, ATOM_named_table,
                        ATOM_type, ATOM_keypos, ATOM_protection};
    if (!ets_tid_shaped(args[0])) BIF_ERROR_CAUSE(p, ATOM_badarg, ATOM_type);
    EtsTable *t = ets_acquire_any(args[0]);
    if (!t) return ATOM_undefined;
    term_t l = NIL;
    for (int i = n_items; i-- > 0;) {
        term_t pair = tuple2(&p->h, items[i], info_item(p, t, items[i]));
        l = make_cons(heap_alloc(&p->h, CONS_WORDS), pair, l);
    }
    ets_release(t);
    return l;
}

/* ets:all/0 asks every scheduler for its tables and waits for one
 * {Ref, Tables} message per scheduler (system_info(schedulers)). The
 * registry is global here, so the first message carries every table and
 * the others are empty. */
term_t bif_ets_internal_request_all_0(Process *p, term_t *args)
{
    (void)args;
    uint32_t num[3];
    proc_make_ref_numbers(p, num);
    term_t all = ets_all_tids(p);
    long len = bif_list_length(all);
    for (unsigned s = 0; s < sched_count; s++) {
        term_t l = s == 0 ? all : NIL;
        size_t words = 3 + REF_WORDS + (s == 0 ? (size_t)len * (CONS_WORDS + REF_WORDS) : 0);
        term_t *hp;
        Message *m = sig_new(MSG_MESSAGE, p->id, words, &hp);
        term_t *tup = hp;
        hp += 3;
        term_t ref = make_internal_ref(hp, num);
        hp += REF_WORDS;
        term_t copy = NIL, *tail = &copy;
        for (; is_list(l); l = cons_tail(l)) {
            term_t id = cons_head(l);
            if (is_ref(id)) {
                uint32_t r[3] = {ref_number(id, 0), ref_number(id, 1), ref_number(id, 2)};
                id = make_internal_ref(hp, r);
                hp += REF_WORDS;
            }
            *tail = make_cons(hp, id, NIL);
            tail = &hp[1];
            hp += CONS_WORDS;
        }
        tup[1] = ref;
        tup[2] = copy;
        m->msg = make_tuple_header(tup, 2);
        sig_send(p->id, m);
    }
    return make_internal_ref(heap_alloc(&p->h, REF_WORDS), num);
}

/* internal_delete_all(Tab, undefined): empties the table and returns how
 * many objects it held. The storage is detached in O(1) under the table's
 * write lock and freed a little at a time (ets_reclaim.c). In a fixed hash
 * table the objects are marked dead instead (traversals in progress
 * continue past them) and go at the unfix. */
typedef struct {
    size_t n;
} MarkAll;

static bool mark_dead(EtsTable *t, EtsObj *o, void *arg)
{
    o->dead = 1;
    atomic_fetch_add(&t->dead_count, 1);
    ((MarkAll *)arg)->n++;
    return true;
}

term_t bif_ets_internal_delete_all_2(Process *p, term_t *args)
{
    EtsTable *t = ets_acquire(p, args[0], true);
    if (!t) ETS_TABLE_ERROR(p, args[0]);
    ets_lock_all(t, true);
    long n = ets_table_size(t);
    if (ets_is_hash(t) && atomic_load(&t->fix_count)) {
        MarkAll m = {0};
        ets_hash_foreach(t, mark_dead, &m);
        ets_count_add(t, -(long)m.n);
    } else {
        ets_reclaim_later(t);
        if (ets_is_hash(t)) ets_hash_init(t);
        else ets_tree_init(t);
    }
    ets_unlock_all(t, true);
    ets_release(t);
    return bif_make_int64(&p->h, n);
}
