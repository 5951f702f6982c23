/*
 * bif_ets_update.c — in-place updates of one object: update_counter/3,4
 * and update_element/3 (set and ordered_set only, as OTP).
 *
 * Both work the same way under the key's write lock (update_counter
 * first tries the fast case: small integers over small integers are
 * written in place): read the stored
 * tuple's elements into a scratch array, apply the updates, build a
 * scratch tuple (outside every heap; its elements point into the stored
 * object or the caller's heap, both valid while the lock is held), store a
 * copy of it in place of the old object, and free the old one. New integer
 * values are built on the caller's heap (they may be bignums) and are also
 * the results returned.
 */
#include <stdlib.h>

#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/bif_util.h"
#include "vm/ets_table.h"
#include "vm/term_compare.h"

typedef struct {
    uint64_t pos;
    term_t incr, threshold, setvalue;   /* threshold: THE_NON_VALUE if none */
} CounterOp;

/* One UpdateOp: Incr | {Pos, Incr} | {Pos, Incr, Threshold, SetValue}. */
static bool parse_op(term_t op, uint32_t keypos, CounterOp *out)
{
    out->threshold = out->setvalue = THE_NON_VALUE;
    if (is_integer(op)) {
        out->pos = keypos + 1;
        out->incr = op;
        return true;
    }
    if (!is_tuple(op)) return false;
    uint64_t n = tuple_arity(op);
    if (n != 2 && n != 4) return false;
    term_t pos = tuple_element(op, 1);
    if (!is_small(pos) || small_value(pos) < 1 || !is_integer(tuple_element(op, 2))) return false;
    out->pos = (uint64_t)small_value(pos);
    out->incr = tuple_element(op, 2);
    if (n == 4) {
        out->threshold = tuple_element(op, 3);
        out->setvalue = tuple_element(op, 4);
        if (!is_integer(out->threshold) || !is_integer(out->setvalue)) return false;
    }
    return true;
}

static bool is_negative(term_t i) { return term_compare(i, make_small(0)) < 0; }

static term_t add(Heap *h, term_t a, term_t b)
{
    if (is_small(a) && is_small(b)) {
        int64_t s = small_value(a) + small_value(b);   /* 60-bit values: no overflow */
        if (small_fits(s)) return make_small(s);
    }
    return big_add(h, a, b);
}

/* Scratch arrays: on the C stack when small (the usual counter tuple and
 * operation list), so an update allocates nothing but what it stores. */
#define SCRATCH_SMALL 16
typedef struct {
    void *v;
    union { term_t t[SCRATCH_SMALL]; CounterOp op[SCRATCH_SMALL]; } buf;
} Scratch;

static void *scratch_get(Scratch *s, size_t n, size_t elem_bytes)
{
    if (n <= SCRATCH_SMALL) return s->v = &s->buf;
    s->v = malloc(n * elem_bytes);
    if (!s->v) plat_fatal("ets: out of memory");
    return s->v;
}

static void scratch_put(Scratch *s)
{
    if (s->v != (void *)&s->buf) free(s->v);
}

/* Store a tuple of `elems` (arity n) in place of the object with its key
 * (key lock held). */
static void replace(EtsTable *t, term_t *elems, uint64_t n)
{
    Scratch sc;
    term_t *tupv = scratch_get(&sc, n + 1, sizeof(term_t));
    for (uint64_t i = 1; i <= n; i++) tupv[i] = elems[i];
    term_t tup = make_tuple_header(tupv, n);
    EtsObj *o = ets_obj_new(t, tup);
    if (ets_is_hash(t)) ets_hash_insert(t, o);
    else ets_tree_insert(t, o);
    scratch_put(&sc);
}

/* The elements of tuple tup, 1-based, in a scratch array. */
static term_t *elements_of(term_t tup, uint64_t *n, Scratch *sc)
{
    *n = tuple_arity(tup);
    term_t *e = scratch_get(sc, *n + 1, sizeof(term_t));
    for (uint64_t i = 1; i <= *n; i++) e[i] = tuple_element(tup, i);
    return e;
}

static term_t update_counter(Process *p, term_t tid, term_t key, term_t ops, term_t deflt)
{
    bool listed = is_list(ops) || is_nil(ops);
    long nops = listed ? bif_list_length(ops) : 1;
    if (nops < 0) BIF_ERROR(p, ATOM_badarg);
    EtsTable *t = ets_acquire(p, tid, true);
    if (!t) ETS_TABLE_ERROR(p, tid);
    Scratch vsc;
    CounterOp *v = scratch_get(&vsc, (size_t)(nops ? nops : 1), sizeof *v);
    bool ok = t->type == ETS_SET || t->type == ETS_ORDERED_SET;
    if (listed) {
        long i = 0;
        for (term_t l = ops; ok && is_list(l); l = cons_tail(l)) ok = parse_op(cons_head(l), t->keypos, &v[i++]);
    } else {
        ok = ok && parse_op(ops, t->keypos, &v[0]);
    }
    if (ok && deflt != THE_NON_VALUE) ok = is_tuple(deflt) && tuple_arity(deflt) >= t->keypos;
    term_t res = THE_NON_VALUE, cause = THE_NON_VALUE;   /* error_info cause */
    bool added = false;                                  /* a default object was inserted */
    if (ok) {
        uint32_t h = ets_is_hash(t) ? ets_key_hash(key) : 0;
        ets_lock_key(t, key, h, true);
        EtsObj *o = ets_find(t, key, h);
        term_t base = o ? ets_obj_tuple(o) : deflt;
        added = !o;
        if (base != THE_NON_VALUE) {
            uint64_t n;
            Scratch esc, rsc;
            term_t *e = elements_of(base, &n, &esc);
            if (!o) e[t->keypos] = key;      /* a default object takes the key */
            term_t *results = scratch_get(&rsc, (size_t)(nops ? nops : 1), sizeof(term_t));
            for (long i = 0; ok && i < nops; i++) {
                CounterOp *op = &v[i];
                if (op->pos == t->keypos || op->pos > n || !is_integer(e[op->pos])) {
                    if (op->pos == t->keypos) cause = ATOM_keypos;
                    else if (op->pos > n) cause = ATOM_position;
                    ok = false;
                    break;
                }
                term_t nv = add(&p->h, e[op->pos], op->incr);
                if (op->threshold != THE_NON_VALUE) {
                    int c = term_compare(nv, op->threshold);
                    if (is_negative(op->incr) ? c < 0 : c > 0) nv = op->setvalue;
                }
                e[op->pos] = results[i] = nv;
            }
            if (ok) {
                /* Small integers replacing small integers (the usual
                 * counter) are written into the stored tuple in place:
                 * the key's write lock excludes every reader of it. */
                bool in_place = o != NULL;
                for (long i = 0; in_place && i < nops; i++)
                    in_place = is_small(tuple_element(ets_obj_tuple(o), v[i].pos)) && is_small(e[v[i].pos]);
                if (in_place) {
                    for (long i = 0; i < nops; i++) tuple_val(ets_obj_tuple(o))[v[i].pos] = e[v[i].pos];
                } else {
                    replace(t, e, n);
                }
                if (listed) {
                    term_t *hp = heap_alloc(&p->h, (size_t)nops * CONS_WORDS);
                    res = NIL;
                    for (long i = nops; i-- > 0;) {
                        res = make_cons(hp, results[i], res);
                        hp += CONS_WORDS;
                    }
                } else {
                    res = results[0];
                }
            }
            scratch_put(&rsc);
            scratch_put(&esc);
        } else {
            cause = ATOM_badkey;
        }
        ets_unlock_key(t, key, h, true);
    }
    scratch_put(&vsc);
    /* Only an inserted default object can make the table outgrow its
     * buckets; the grow check reads every scheduler's counters. */
    if (res != THE_NON_VALUE && added && ets_is_hash(t)) ets_hash_maybe_grow(t);
    ets_release(t);
    /* setvalue/threshold constants may be on the caller's heap: fine. */
    if (res == THE_NON_VALUE && cause != THE_NON_VALUE) BIF_ERROR_CAUSE(p, ATOM_badarg, cause);
    if (res == THE_NON_VALUE) BIF_ERROR(p, ATOM_badarg);
    return res;
}

term_t bif_ets_update_counter_3(Process *p, term_t *args)
{
    return update_counter(p, args[0], args[1], args[2], THE_NON_VALUE);
}

term_t bif_ets_update_counter_4(Process *p, term_t *args)
{
    return update_counter(p, args[0], args[1], args[2], args[3]);
}

/* One {Pos, Value} of update_element. */
static bool elem_op(term_t op, uint64_t *pos, term_t *val)
{
    if (!is_tuple(op) || tuple_arity(op) != 2) return false;
    term_t ps = tuple_element(op, 1);
    if (!is_small(ps) || small_value(ps) < 1) return false;
    *pos = (uint64_t)small_value(ps);
    *val = tuple_element(op, 2);
    return true;
}

term_t bif_ets_update_element_3(Process *p, term_t *args)
{
    term_t ops = args[2];
    bool listed = is_list(ops) || is_nil(ops);
    if (listed && bif_list_length(ops) < 0) BIF_ERROR(p, ATOM_badarg);
    if (!listed && !is_tuple(ops)) BIF_ERROR(p, ATOM_badarg);
    EtsTable *t = ets_acquire(p, args[0], true);
    if (!t) ETS_TABLE_ERROR(p, args[0]);
    bool ok = t->type == ETS_SET || t->type == ETS_ORDERED_SET, keypos = false;
    uint64_t pos;
    term_t val;
    if (listed) {
        for (term_t l = ops; ok && is_list(l); l = cons_tail(l)) {
            ok = elem_op(cons_head(l), &pos, &val) && !(keypos = pos == t->keypos);
        }
    } else {
        ok = ok && elem_op(ops, &pos, &val) && !(keypos = pos == t->keypos);
    }
    term_t res = THE_NON_VALUE;
    if (ok) {
        uint32_t h = ets_is_hash(t) ? ets_key_hash(args[1]) : 0;
        ets_lock_key(t, args[1], h, true);
        EtsObj *o = ets_find(t, args[1], h);
        if (!o) {
            res = ATOM_false;
        } else {
            uint64_t n;
            Scratch esc;
            term_t *e = elements_of(ets_obj_tuple(o), &n, &esc);
            term_t l = listed ? ops : NIL;
            term_t one = listed ? THE_NON_VALUE : ops;
            while (ok && (one != THE_NON_VALUE || is_list(l))) {
                term_t op = one != THE_NON_VALUE ? one : cons_head(l);
                elem_op(op, &pos, &val);
                if (pos > n) ok = false;
                else e[pos] = val;
                if (one != THE_NON_VALUE) one = THE_NON_VALUE, l = NIL;
                else l = cons_tail(l);
            }
            if (ok) {
                replace(t, e, n);
                res = ATOM_true;
            }
            scratch_put(&esc);
        }
        ets_unlock_key(t, args[1], h, true);
    }
    ets_release(t);
    if (keypos) BIF_ERROR_CAUSE(p, ATOM_badarg, ATOM_keypos);
    if (res == THE_NON_VALUE) BIF_ERROR(p, ATOM_badarg);
    return res;
}
