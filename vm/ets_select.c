/*
 * ets_select.c — the ETS BIFs driven by match specifications (vm/match_spec.h):
 * match/1,2,3, match_object/1,2,3, select/1,2,3, select_reverse/1,2,3,
 * select_count/2, internal_select_delete/2 (behind select_delete/2 and
 * match_delete/2) and select_replace/2. ets:tab2list/1 is match_object(T, '_').
 *
 * A match pattern P is the specification [{P, [], ['$$']}] (match) or
 * [{P, [], ['$_']}] (match_object). The specification is compiled once per
 * call. When every clause binds the key (ms_bound_key), a set or bag table
 * looks at that key's objects only instead of scanning.
 *
 * Chunked calls (the /3 forms and /1 continuations) return
 * {Results, Continuation} or '$end_of_table'. The continuation has OTP's
 * 6-tuple shape {Tid, Position, Limit, Spec, [], 0}: Position is the next
 * bucket of a hash table, or the last key returned from an ordered_set
 * (the next chunk starts after it, so it stays valid whatever changes
 * meanwhile); Spec is the specification as given (compiled again by the
 * next call: a compiled program never leaves C). A hash table's chunk ends
 * at a bucket boundary, so it may hold a few more than Limit results, as
 * OTP's does.
 */
#include <stdlib.h>

#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/bif_util.h"
#include "vm/ets_table.h"
#include "vm/lock.h"
#include "vm/match_spec.h"
#include "vm/proc.h"
#include "vm/term_compare.h"
#include "vm/term_copy.h"

/* ---- specifications from patterns ---- */

/* [{Pattern, [], [Body]}] on p's heap (the compiler copies what it keeps). */
static term_t pattern_spec(Process *p, term_t pattern, term_t body)
{
    term_t *hp = heap_alloc(&p->h, 4 + 3 * CONS_WORDS);
    term_t body_list = make_cons(hp, body, NIL);
    term_t *tup = hp + CONS_WORDS;
    tup[1] = pattern;
    tup[2] = NIL;
    tup[3] = body_list;
    term_t clause = make_tuple_header(tup, 3);
    return make_cons(tup + 4, clause, NIL);
}

/* '$$' and '$_' are interned here rather than in atoms.def, which the
 * match-spec work may also extend (a duplicate predefined atom is fatal). */
static term_t match_spec_of(Process *p, term_t pattern) { return pattern_spec(p, pattern, atom_intern_cstr("$$")); }
static term_t object_spec_of(Process *p, term_t pattern) { return pattern_spec(p, pattern, atom_intern_cstr("$_")); }

/* ---- the scan ---- */

typedef enum { COLLECT, COUNT, DELETE, REPLACE } ScanMode;

typedef struct {
    Process *p;
    const MatchSpec *ms;
    ScanMode mode;
    term_t acc;                /* COLLECT: results, newest first */
    size_t n;                  /* results collected / counted / deleted */
    EtsObjVec hits;            /* DELETE/REPLACE: objects to change after the scan */
    EtsObjVec repl;            /* REPLACE: their new objects */
} Scan;

static bool visit(EtsTable *t, EtsObj *o, void *arg)
{
    Scan *s = arg;
    term_t r;
    if (!ms_run(s->ms, s->p, ets_obj_tuple(o), &r)) return true;
    switch (s->mode) {
    case COLLECT:
        s->acc = make_cons(heap_alloc(&s->p->h, CONS_WORDS), r, s->acc);
        s->n++;
        break;
    case COUNT:
        if (r == ATOM_true) s->n++;
        break;
    case DELETE:
        if (r == ATOM_true) ets_vec_push(&s->hits, o);
        break;
    case REPLACE:
        /* keeps_key() let only specifications through whose results keep
         * the matched object's key; this check is what keeps a forged
         * resume state from breaking the table: anything else is left
         * alone. */
        if (!is_tuple(r) || tuple_arity(r) < t->keypos ||
            !term_eq_exact(tuple_element(r, t->keypos), ets_obj_key(t, o)))
            break;
        ets_vec_push(&s->hits, o);
        ets_vec_push(&s->repl, ets_obj_new(t, r));
        break;
    }
    return true;
}

/* Run the scan over the objects the spec can match: one key's objects if
 * the spec binds the key, else the whole table (reverse: ordered_set from
 * the last key). Table lock held by the caller. */
static void scan_table(EtsTable *t, Scan *s, bool reverse)
{
    term_t key;
    if (ms_bound_key(s->ms, t->keypos, &key)) {
        EtsObjVec v = {0};
        if (ets_is_hash(t)) {
            ets_hash_lookup(t, key, ets_key_hash(key), &v);
        } else {
            EtsObj *o = ets_tree_lookup(t, key);
            if (o) ets_vec_push(&v, o);
        }
        for (size_t i = 0; i < v.n; i++)
            if (!visit(t, v.v[i], s)) break;
        ets_vec_free(&v);
        return;
    }
    if (ets_is_hash(t)) ets_hash_foreach(t, visit, s);
    else ets_tree_foreach(t, reverse, visit, s);
}

static term_t reverse_list(Heap *h, term_t l)
{
    term_t r = NIL;
    for (; is_list(l); l = cons_tail(l)) r = make_cons(heap_alloc(h, CONS_WORDS), cons_head(l), r);
    return r;
}

/* Compile spec (before any lock: compiling mallocs and is as long as the
 * spec) and acquire the table; NULL: the caller raises badarg with *cause
 * (THE_NON_VALUE: none). As OTP's error_info has it, a table that is not
 * there or not accessible is reported before a bad specification. */
static EtsTable *begin(Process *p, term_t tid, term_t spec, bool write, MatchSpec **ms, term_t *cause)
{
    *cause = THE_NON_VALUE;
    bool too_deep;
    *ms = ms_compile_limit(spec, MS_KIND_TABLE, &too_deep);
    EtsTable *t = ets_acquire(p, tid, write);
    if (!t) {
        *cause = ets_error_cause(tid);
        if (*ms) ms_free(*ms);
        return NULL;
    }
    if (!*ms) {
        ets_release(t);
        if (too_deep) *cause = ATOM_system_limit;   /* OTP: nested too deep */
        return NULL;
    }
    return t;
}

/* cause: an error_info cause, THE_NON_VALUE, or system_limit (raised as
 * such: a spec nested too deep) */
static term_t badarg(Process *p, term_t cause)
{
    if (cause == ATOM_system_limit) return bif_raise(p, EXC_ERROR, ATOM_system_limit);
    if (cause != THE_NON_VALUE) return bif_raise_cause(p, ATOM_badarg, cause);
    return bif_raise(p, EXC_ERROR, ATOM_badarg);
}

/* ---- select_replace's key check ----
 * OTP refuses (badarg, nothing replaced) a select_replace specification
 * unless every clause can be seen, from its text alone, to give back an
 * object with the matched object's key (erts' db_match_keeps_key): the
 * body is the single expression '$_', or a single tuple construction
 * {{...}} or constant {const, {...}} whose key element either is
 * {element, KeyPos, '$_'} or constructs exactly the term that the head's
 * key element matched. The same rules here, so the same specifications
 * are accepted; visit() checks every result again. */

#define KEEPS_KEY_DEPTH 1000

/* Does constructing term b (an expression; const_mode: a {const, _}
 * literal) always give the term that pattern a matched? */
static bool eq_body(term_t a, term_t b, bool const_mode, unsigned depth)
{
    if (depth > KEEPS_KEY_DEPTH) return false;
    for (;;) {
        if (is_list(b)) {
            if (!is_list(a) || !eq_body(cons_head(a), cons_head(b), const_mode, depth + 1)) return false;
            a = cons_tail(a);
            b = cons_tail(b);
            continue;
        }
        if (is_tuple(b)) {
            if (!const_mode) {
                if (tuple_arity(b) == 1 && is_tuple(tuple_element(b, 1))) {
                    b = tuple_element(b, 1);          /* {{...}}: construction */
                } else if (tuple_arity(b) == 2 && tuple_element(b, 1) == atom_intern_cstr("const")) {
                    return eq_body(a, tuple_element(b, 2), true, depth + 1);
                } else {
                    return false;                     /* a call, or not valid */
                }
            }
            if (!is_tuple(a) || tuple_arity(a) != tuple_arity(b)) return false;
            for (unsigned i = 1; i <= tuple_arity(a); i++)
                if (!eq_body(tuple_element(a, i), tuple_element(b, i), const_mode, depth + 1)) return false;
            return true;
        }
        if (is_map(b)) return false;                  /* the object may hold more pairs */
        if (is_boxed(b)) return term_eq_exact(a, b);
        /* an immediate: the same one, and not a wildcard or a variable
         * that a constant would not bind */
        return a == b && a != atom_intern_cstr("_") && a != atom_intern_cstr("$$") &&
               a != atom_intern_cstr("$_") && !(const_mode && ms_is_variable(a));
    }
}

static bool clause_keeps_key(term_t clause, unsigned keypos)
{
    if (!is_tuple(clause) || tuple_arity(clause) != 3) return false;
    term_t head = tuple_element(clause, 1), body = tuple_element(clause, 3);
    if (!is_list(body) || cons_tail(body) != NIL) return false;
    term_t expr = cons_head(body);
    if (expr == atom_intern_cstr("$_")) return true;
    if (!is_tuple(expr) || !is_tuple(head) || tuple_arity(head) < keypos) return false;
    term_t head_key = tuple_element(head, keypos), sub;
    bool const_mode;
    if (tuple_arity(expr) == 2 && tuple_element(expr, 1) == atom_intern_cstr("const")) {
        sub = tuple_element(expr, 2);
        const_mode = true;
    } else if (tuple_arity(expr) == 1) {
        sub = tuple_element(expr, 1);
        const_mode = false;
    } else {
        return false;
    }
    if (!is_tuple(sub) || tuple_arity(sub) < keypos) return false;
    term_t body_key = tuple_element(sub, keypos);
    if (eq_body(head_key, body_key, const_mode, 0)) return true;
    if (const_mode) return false;
    return is_tuple(body_key) && tuple_arity(body_key) == 3 &&
           tuple_element(body_key, 1) == atom_intern_cstr("element") &&
           tuple_element(body_key, 2) == make_small(keypos) &&
           tuple_element(body_key, 3) == atom_intern_cstr("$_");
}

/* Every clause keeps the key (spec already compiled: a proper list). */
static bool keeps_key_at(term_t spec, unsigned keypos)
{
    for (; is_list(spec); spec = cons_tail(spec))
        if (!clause_keeps_key(cons_head(spec), keypos)) return false;
    return true;
}

/* ---- whole-table calls, in slices ----
 * select/2, select_reverse/2, match/2 and match_object/2 (so tab2list/1)
 * scan at most SLICE_OBJECTS objects per call. If more remain, the BIF
 * yields (EXC_YIELD: the process is rescheduled and the BIF called again
 * with its argument registers) after replacing its second argument with a
 * resume state {Marker, Spec, Position, Acc}: Marker is a reference made
 * once per VM (so no pattern a program writes is taken for a state), Spec
 * the specification, Position as in a continuation, Acc the results so far
 * (newest first, on the process heap, where the GC keeps them: they are in
 * an argument register). Every field is checked again on resumption, so a
 * forged state can only give wrong answers to its forger, never a crash.
 * A hash table is fixed from the first yield to the last slice, so its
 * buckets stay put between slices, as OTP fixes a table while trapping. */
#define SLICE_OBJECTS 4000

static SpinLock marker_lock = SPINLOCK_INIT;
static uint32_t marker[3];                 /* [marker_lock] */
static bool marker_made;                   /* [marker_lock] */

static void get_marker(Process *p, uint32_t out[3])
{
    spin_lock(&marker_lock);
    if (!marker_made) {
        proc_make_ref_numbers(p, marker);
        marker_made = true;
    }
    for (int i = 0; i < 3; i++) out[i] = marker[i];
    spin_unlock(&marker_lock);
}

/* Is a a resume state? Sets its fields. */
static bool resume_state(Process *p, term_t a, term_t *spec, term_t *pos, term_t *acc)
{
    if (!is_tuple(a) || tuple_arity(a) != 4 || !is_ref(tuple_element(a, 1))) return false;
    uint32_t m[3];
    get_marker(p, m);
    term_t r = tuple_element(a, 1);
    for (int i = 0; i < 3; i++)
        if (ref_number(r, i) != m[i]) return false;
    *spec = tuple_element(a, 2);
    *pos = tuple_element(a, 3);
    *acc = tuple_element(a, 4);
    return true;
}

static term_t make_state(Process *p, term_t spec, term_t pos, term_t acc)
{
    uint32_t m[3];
    get_marker(p, m);
    term_t *hp = heap_alloc(&p->h, 5 + REF_WORDS);
    hp[1] = make_internal_ref(hp + 5, m);
    hp[2] = spec;
    hp[3] = pos;
    hp[4] = acc;
    return make_tuple_header(hp, 4);
}

/* A walk over a hash table's buckets reaches objects in hash order,
 * scattered over memory: each is a cache miss, most of a select's time.
 * Asking for the object of a bucket some way ahead (its header and the
 * start of its tuple, which may straddle two lines), and for the second
 * object of a chain whose head was asked for earlier, overlaps the misses
 * (select over 100k objects: 7.2 ms -> 5.3 ms).
 * always_inline: GCC 12 finds a function of prefetches alone pure and
 * deletes its calls. */
#define SCAN_PREFETCH_AHEAD 16
static inline __attribute__((always_inline)) void prefetch_obj(const EtsObj *o)
{
    if (!o) return;
    __builtin_prefetch(o);
    __builtin_prefetch(o->data);
}

static inline __attribute__((always_inline)) void prefetch_bucket(const EtsTable *t, size_t b)
{
    if (b >= t->nbuckets) return;
    prefetch_obj(t->buckets[b]);
    const EtsObj *head = t->buckets[b - SCAN_PREFETCH_AHEAD / 2];
    if (head) prefetch_obj(head->link[0]);
}

/* select/2 and friends: every result, in table order (reverse: an
 * ordered_set from its last key); select_count/2 (COUNT) and
 * select_delete/2 (DELETE) the same way, their Acc a count. args[1] is the
 * spec or a resume state. */
static term_t select_all(Process *p, term_t *args, term_t spec, bool reverse, ScanMode mode)
{
    term_t tid = args[0], pos = THE_NON_VALUE, acc = mode == COLLECT ? NIL : make_small(0);
    bool resumed = resume_state(p, args[1], &spec, &pos, &acc);
    bool write = mode == DELETE || mode == REPLACE;
    MatchSpec *ms;
    term_t cause;
    EtsTable *t = begin(p, tid, spec, write, &ms, &cause);
    if (!t) return badarg(p, cause);   /* a fixation of a deleted table went with it */
    if (mode == REPLACE && (t->type == ETS_BAG || !keeps_key_at(spec, t->keypos))) {
        /* OTP: bag tables are not supported (duplicate_bag is). */
        if (resumed && ets_is_hash(t)) ets_unfix(t, p->id);
        ets_release(t);
        ms_free(ms);
        BIF_ERROR(p, ATOM_badarg);
    }
    Scan s = {.p = p, .ms = ms, .mode = mode, .acc = NIL};
    bool ok = true;
    if (mode == COLLECT) s.acc = acc;
    else if (is_small(acc) && small_value(acc) >= 0) s.n = (size_t)small_value(acc);
    else ok = false;
    term_t next = THE_NON_VALUE, key;
    size_t seen = 0;
    ets_lock_all(t, write);
    if (!ok) {
        /* a forged state: nothing to scan */
    } else if (ms_bound_key(ms, t->keypos, &key)) {
        if (!resumed) scan_table(t, &s, reverse);
    } else if (ets_is_hash(t)) {
        if (resumed && !(is_small(pos) && small_value(pos) >= 0)) ok = false;
        size_t b = resumed && ok ? (size_t)small_value(pos) : 0;
        for (; ok && b < t->nbuckets && seen < SLICE_OBJECTS; b++) {
            prefetch_bucket(t, b + SCAN_PREFETCH_AHEAD);
            for (EtsObj *o = t->buckets[b]; o; o = o->link[0], seen++)
                if (!o->dead) visit(t, o, &s);
        }
        if (ok && b < t->nbuckets) next = make_small((int64_t)b);
    } else {
        term_t k = resumed ? ets_tree_next(t, pos, reverse) : ets_tree_first(t, reverse);
        while (k != THE_NON_VALUE) {
            visit(t, ets_tree_lookup(t, k), &s);
            term_t after = ets_tree_next(t, k, reverse);
            if (++seen >= SLICE_OBJECTS && after != THE_NON_VALUE) {
                term_t *hp = heap_alloc(&p->h, term_copy_size(k));
                next = term_copy(k, &hp, &p->h.off_heap);   /* before k's object can go */
                break;
            }
            k = after;
        }
    }
    /* select_delete / select_replace: change this slice's hits now that
     * the walk is over. A replacement has its object's key, so it takes
     * the object's place (in its chain, or as the tree's node for that
     * key) and no walk, this one or a resumed one, sees it again. */
    for (size_t i = 0; i < s.hits.n; i++) {
        EtsObj *o = s.hits.v[i];
        if (mode == REPLACE) {
            if (ets_is_hash(t)) ets_hash_replace(t, o, s.repl.v[i]);
            else ets_tree_insert(t, s.repl.v[i]);
        } else if (ets_is_hash(t)) {
            ets_hash_unlink(t, o);
        } else {
            ets_tree_remove(t, ets_obj_key(t, o), THE_NON_VALUE, NULL);
        }
    }
    s.n += s.hits.n;
    ets_vec_free(&s.hits);
    ets_vec_free(&s.repl);
    /* Fix before unlocking, so no resize slips in after this slice. */
    if (ok && next != THE_NON_VALUE && !resumed && ets_is_hash(t)) ets_fix(t, p->id);
    ets_unlock_all(t, write);
    ms_free(ms);
    term_t total = mode == COLLECT ? s.acc : bif_make_uint64(&p->h, s.n);
    if (ok && next != THE_NON_VALUE) {
        ets_release(t);
        args[1] = make_state(p, spec, next, total);
        p->freason = EXC_YIELD;
        return THE_NON_VALUE;
    }
    if (resumed && ets_is_hash(t)) ets_unfix(t, p->id);
    ets_release(t);
    if (!ok) BIF_ERROR(p, ATOM_badarg);
    return mode == COLLECT ? reverse_list(&p->h, s.acc) : total;
}

/* ---- chunks ---- */

static term_t make_tuple2(Heap *h, term_t a, term_t b)
{
    term_t *hp = heap_alloc(h, 3);
    hp[1] = a;
    hp[2] = b;
    return make_tuple_header(hp, 2);
}

/* One chunk of at least `limit` results starting at `pos` (a bucket index
 * or, for an ordered_set, the key after which to go on; THE_NON_VALUE: the
 * beginning). */
static term_t select_chunk(Process *p, term_t tid, term_t spec, int64_t limit, term_t pos, bool reverse)
{
    MatchSpec *ms;
    term_t cause;
    EtsTable *t = begin(p, tid, spec, false, &ms, &cause);
    if (!t) return badarg(p, cause);
    Scan s = {.p = p, .ms = ms, .mode = COLLECT, .acc = NIL};
    term_t next = THE_NON_VALUE;   /* the continuation's position; none: the end */
    bool ok = true;
    term_t key;
    ets_lock_all(t, false);
    if (ms_bound_key(ms, t->keypos, &key)) {
        if (pos == THE_NON_VALUE) scan_table(t, &s, reverse);   /* one key: one chunk */
    } else if (ets_is_hash(t)) {
        if (pos != THE_NON_VALUE && !(is_small(pos) && small_value(pos) >= 0)) ok = false;
        size_t b = pos == THE_NON_VALUE ? 0 : (size_t)small_value(pos);
        for (; ok && b < t->nbuckets && (int64_t)s.n < limit; b++)
            for (EtsObj *o = t->buckets[b]; o; o = o->link[0])
                if (!o->dead) visit(t, o, &s);
        if (ok && b < t->nbuckets) next = make_small((int64_t)b);
    } else {
        term_t k = pos == THE_NON_VALUE ? ets_tree_first(t, reverse) : ets_tree_next(t, pos, reverse);
        while (k != THE_NON_VALUE && (int64_t)s.n < limit) {
            visit(t, ets_tree_lookup(t, k), &s);
            term_t after = ets_tree_next(t, k, reverse);
            if ((int64_t)s.n >= limit && after != THE_NON_VALUE) {
                term_t *hp = heap_alloc(&p->h, term_copy_size(k));
                next = term_copy(k, &hp, &p->h.off_heap);
            }
            k = after;
        }
    }
    ets_unlock_all(t, false);
    ets_release(t);
    ms_free(ms);
    if (!ok) BIF_ERROR(p, ATOM_badarg);
    term_t results = reverse_list(&p->h, s.acc);
    if (next == THE_NON_VALUE && s.n == 0) return ATOM_dollar_end_of_table;
    term_t cont = ATOM_dollar_end_of_table;
    if (next != THE_NON_VALUE) {
        term_t *hp = heap_alloc(&p->h, 7);
        hp[1] = tid;
        hp[2] = next;
        hp[3] = make_small(limit);
        hp[4] = spec;
        hp[5] = NIL;
        hp[6] = make_small(0);
        cont = make_tuple_header(hp, 6);
    }
    return make_tuple2(&p->h, results, cont);
}

static bool valid_limit(term_t l) { return is_small(l) && small_value(l) > 0; }

static term_t select_first_chunk(Process *p, term_t tid, term_t spec, term_t limit, bool reverse)
{
    if (!valid_limit(limit)) BIF_ERROR(p, ATOM_badarg);
    return select_chunk(p, tid, spec, small_value(limit), THE_NON_VALUE, reverse);
}

static term_t select_continue(Process *p, term_t cont, bool reverse)
{
    if (cont == ATOM_dollar_end_of_table) return ATOM_dollar_end_of_table;
    if (!is_tuple(cont) || tuple_arity(cont) != 6 || !valid_limit(tuple_element(cont, 3)))
        BIF_ERROR(p, ATOM_badarg);
    return select_chunk(p, tuple_element(cont, 1), tuple_element(cont, 4),
                        small_value(tuple_element(cont, 3)), tuple_element(cont, 2), reverse);
}

/* ---- the BIFs ---- */

term_t bif_ets_select_2(Process *p, term_t *args) { return select_all(p, args, args[1], false, COLLECT); }
term_t bif_ets_select_3(Process *p, term_t *args) { return select_first_chunk(p, args[0], args[1], args[2], false); }
term_t bif_ets_select_1(Process *p, term_t *args) { return select_continue(p, args[0], false); }
term_t bif_ets_select_reverse_2(Process *p, term_t *args) { return select_all(p, args, args[1], true, COLLECT); }
term_t bif_ets_select_reverse_3(Process *p, term_t *args) { return select_first_chunk(p, args[0], args[1], args[2], true); }
term_t bif_ets_select_reverse_1(Process *p, term_t *args) { return select_continue(p, args[0], true); }

/* A resumed call carries the spec in its state: no pattern to convert. */
static bool resuming(Process *p, term_t a)
{
    term_t x, y, z;
    return resume_state(p, a, &x, &y, &z);
}

term_t bif_ets_match_2(Process *p, term_t *args)
{
    return select_all(p, args, resuming(p, args[1]) ? NIL : match_spec_of(p, args[1]), false, COLLECT);
}
term_t bif_ets_match_3(Process *p, term_t *args)
{
    return select_first_chunk(p, args[0], match_spec_of(p, args[1]), args[2], false);
}
term_t bif_ets_match_1(Process *p, term_t *args) { return select_continue(p, args[0], false); }

term_t bif_ets_match_object_2(Process *p, term_t *args)
{
    return select_all(p, args, resuming(p, args[1]) ? NIL : object_spec_of(p, args[1]), false, COLLECT);
}
term_t bif_ets_match_object_3(Process *p, term_t *args)
{
    return select_first_chunk(p, args[0], object_spec_of(p, args[1]), args[2], false);
}
term_t bif_ets_match_object_1(Process *p, term_t *args) { return select_continue(p, args[0], false); }

term_t bif_ets_select_count_2(Process *p, term_t *args)
{
    return select_all(p, args, args[1], false, COUNT);
}

/* select_delete/2 (and match_delete/2, through ets.beam): objects are
 * collected during a slice's walk and removed after it, so the walk never
 * follows a chain or tree it is changing. */
term_t bif_ets_internal_select_delete_2(Process *p, term_t *args)
{
    return select_all(p, args, args[1], false, DELETE);
}

/* select_replace/2: in slices like select_delete/2, each object replaced
 * in place as its slice is walked. As on OTP, the specification must be
 * seen to keep every matched object's key (keeps_key_at) or the call fails
 * with badarg before anything is replaced; bag tables are badarg. The
 * whole call is not atomic (nor is OTP's): each replacement is. */
term_t bif_ets_select_replace_2(Process *p, term_t *args)
{
    return select_all(p, args, args[1], false, REPLACE);
}
