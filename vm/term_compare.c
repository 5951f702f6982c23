/*
 * term_compare.c — term order, iteratively: nested tuples, lists and maps
 * push their element arrays on an explicit stack, so deep terms cannot
 * overflow the C stack.
 */
#include "vm/term_compare.h"

#include <stdio.h>
#include <stdlib.h>

#include "vm/atom.h"
#include "vm/bignum.h"
#include "vm/binary.h"
#include "vm/fun.h"
#include "vm/map.h"

static term_t local_node = ATOM_nonode_at_nohost;
static uint32_t local_creation;

void term_set_local_node(term_t node_atom, uint32_t creation) {
    local_node = node_atom;
    local_creation = creation;
}
term_t term_local_node(void) { return local_node; }
uint32_t term_local_creation(void) { return local_creation; }

enum {
    CLASS_NUMBER, CLASS_ATOM, CLASS_REF, CLASS_FUN, CLASS_PORT, CLASS_PID,
    CLASS_TUPLE, CLASS_MAP, CLASS_NIL, CLASS_LIST, CLASS_BITSTRING,
};

static int term_class(term_t t) {
    switch (primary_tag(t)) {
    case TAG_PRIMARY_LIST: return CLASS_LIST;
    case TAG_PRIMARY_BOXED:
        switch (boxed_subtag(t)) {
        case TUPLE_SUBTAG: return CLASS_TUPLE;
        case POS_BIG_SUBTAG: case NEG_BIG_SUBTAG: case FLOAT_SUBTAG: return CLASS_NUMBER;
        case REF_SUBTAG: case EXTERNAL_REF_SUBTAG: return CLASS_REF;
        case FUN_SUBTAG: case EXPORT_SUBTAG: return CLASS_FUN;
        case EXTERNAL_PID_SUBTAG: return CLASS_PID;
        case EXTERNAL_PORT_SUBTAG: return CLASS_PORT;
        case MAP_SUBTAG: return CLASS_MAP;
        default: return CLASS_BITSTRING;
        }
    default:
        if (is_small(t)) return CLASS_NUMBER;
        if (is_atom(t)) return CLASS_ATOM;
        if (is_nil(t)) return CLASS_NIL;
        if (is_internal_pid(t)) return CLASS_PID;
        if (is_internal_port(t)) return CLASS_PORT;
        return CLASS_NUMBER; /* catch words never meet term order */
    }
}

static int sgn(int64_t x) { return x < 0 ? -1 : x > 0; }
static int ucmp(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }

static int cmp_numbers(term_t a, term_t b, bool exact) {
    bool fa = is_float(a), fb = is_float(b);
    if (fa && fb) {
        double x = float_value(a), y = float_value(b);
        return x < y ? -1 : x > y;
    }
    if (!fa && !fb) return big_compare(a, b);
    if (exact) return fa ? 1 : -1;
    return fa ? -big_compare_double(b, float_value(a)) : big_compare_double(a, float_value(b));
}

/* Identity of a pid/port/ref: node, creation-independent numbers. */
typedef struct {
    term_t node;
    uint32_t n;
    uint32_t num[5];
} Ident;

static void ident(term_t t, Ident *id) {
    if (is_internal_pid(t)) {
        id->node = local_node;
        id->n = 2;
        id->num[0] = pid_number(t);
        id->num[1] = pid_serial(t);
    } else if (is_internal_port(t)) {
        id->node = local_node;
        id->n = 2;
        id->num[0] = (uint32_t)port_number(t);
        id->num[1] = (uint32_t)(port_number(t) >> 32);
    } else if (is_ref(t)) {
        id->node = local_node;
        id->n = 3;
        for (int i = 0; i < 3; i++) id->num[i] = ref_number(t, i);
    } else {
        ExternalThing *e = external_val(t);
        id->node = e->node;
        id->n = e->n_num > 5 ? 5 : e->n_num;
        for (uint32_t i = 0; i < id->n; i++) id->num[i] = e->num[i];
    }
}

/* OTP: node name first; then pids by serial then number, ports by number,
 * refs by their numbers from the most significant. */
static int cmp_ident(term_t a, term_t b, int cls) {
    Ident x, y;
    ident(a, &x);
    ident(b, &y);
    if (x.node != y.node) return atom_compare(x.node, y.node);
    if (cls == CLASS_PID) {
        int c = ucmp(x.num[1], y.num[1]);
        return c ? c : ucmp(x.num[0], y.num[0]);
    }
    if (cls == CLASS_PORT) {
        return ucmp(((uint64_t)x.num[1] << 32) | x.num[0], ((uint64_t)y.num[1] << 32) | y.num[0]);
    }
    if (x.n != y.n) return x.n < y.n ? -1 : 1;
    for (uint32_t i = x.n; i-- > 0;) {
        int c = ucmp(x.num[i], y.num[i]);
        if (c) return c;
    }
    return 0;
}

typedef struct {
    const term_t *a, *b;
    size_t n;
    bool exact;
} Frame;

/* A malloc'd block of terms the stack's frames point into (the sorted
 * pairs of a HAMT); freed when the comparison ends. */
typedef struct Owned {
    struct Owned *next;
    term_t w[];
} Owned;

typedef struct {
    Frame *f;
    size_t len, cap;
    Owned *owned;
    Frame local[32];
} Stack;

static void *xmalloc(size_t bytes) {
    void *p = malloc(bytes ? bytes : 1);
    if (!p) {
        fputs("term_compare: out of memory\n", stderr);
        abort();
    }
    return p;
}

typedef struct {
    term_t k, v;
} Pair;

static int pair_cmp(const void *x, const void *y) {
    term_t a = ((const Pair *)x)->k, b = ((const Pair *)y)->k;
    /* the usual large-map keys without a full comparison */
    if (is_small(a) && is_small(b)) return small_value(a) < small_value(b) ? -1 : small_value(a) > small_value(b);
    if (is_atom(a) && is_atom(b)) return a == b ? 0 : atom_compare(a, b);
    return term_compare_exact(a, b);
}

/* The n pairs of map m, keys in map-key order (term_compare_exact), into
 * keys[0..n) and values[0..n). Flatmaps are already in that order; a HAMT
 * is in hash order and is sorted here. */
static void sorted_pairs(term_t m, size_t n, term_t *keys, term_t *values) {
    Pair *p = xmalloc(n * sizeof *p);
    MapIter it;
    size_t i = 0;
    map_iter_init(&it, m);
    while (i < n && map_iter_next(&it, &p[i].k, &p[i].v)) i++;
    qsort(p, i, sizeof *p, pair_cmp);
    for (size_t j = 0; j < i; j++) {
        keys[j] = p[j].k;
        values[j] = p[j].v;
    }
    free(p);
}

static void push(Stack *s, const term_t *a, const term_t *b, size_t n, bool exact) {
    if (n == 0) return;
    if (s->len == s->cap) {
        size_t cap = s->cap * 2;
        Frame *nf = xmalloc(cap * sizeof *nf);
        for (size_t i = 0; i < s->len; i++) nf[i] = s->f[i];
        if (s->f != s->local) free(s->f);
        s->f = nf;
        s->cap = cap;
    }
    s->f[s->len++] = (Frame){a, b, n, exact};
}

/* Compares two non-identical terms of the same class that are not
 * containers; containers push their parts and return 0. */
static int cmp_step(term_t a, term_t b, int cls, bool exact, bool eq_only, Stack *s) {
    switch (cls) {
    case CLASS_NUMBER: return cmp_numbers(a, b, exact);
    case CLASS_ATOM: return atom_compare(a, b);
    case CLASS_NIL: return 0;
    case CLASS_REF: case CLASS_PORT: case CLASS_PID: return cmp_ident(a, b, cls);
    case CLASS_BITSTRING: return bitstring_compare(a, b);
    case CLASS_TUPLE: {
        uint64_t na = tuple_arity(a), nb = tuple_arity(b);
        if (na != nb) return na < nb ? -1 : 1;
        push(s, tuple_val(a) + 1, tuple_val(b) + 1, na, exact);
        return 0;
    }
    case CLASS_LIST:
        /* tail after head: push the tail pair first */
        push(s, list_val(a) + 1, list_val(b) + 1, 1, exact);
        push(s, list_val(a), list_val(b), 1, exact);
        return 0;
    case CLASS_MAP: {
        size_t na = map_size(a), nb = map_size(b);
        if (na != nb) return na < nb ? -1 : 1;
        /* keys in map-key order (always exact), then values in key order;
         * a map's kind is a function of its size, so both are flat or both
         * are HAMTs */
        if (map_kind(a) == MAP_KIND_FLAT && map_kind(b) == MAP_KIND_FLAT) {
            push(s, flatmap_values(a), flatmap_values(b), na, exact);
            push(s, tuple_val(flatmap_keys(a)) + 1, tuple_val(flatmap_keys(b)) + 1, na, true);
            return 0;
        }
        if (eq_only) {
            /* Equality needs no order: each key of a looked up in b (keys
             * match exactly), then the value pairs compared. */
            Owned *o = xmalloc(sizeof *o + 2 * na * sizeof(term_t));
            o->next = s->owned;
            s->owned = o;
            term_t *va = o->w, *vb = va + na, k, v;
            size_t i = 0;
            MapIter it;
            map_iter_init(&it, a);
            while (i < na && map_iter_next(&it, &k, &v)) {
                term_t w = map_get(b, k);
                if (w == THE_NON_VALUE) return 1;
                va[i] = v;
                vb[i++] = w;
            }
            push(s, va, vb, i, exact);
            return 0;
        }
        Owned *o = xmalloc(sizeof *o + 4 * na * sizeof(term_t));
        o->next = s->owned;
        s->owned = o;
        term_t *ka = o->w, *va = ka + na, *kb = va + na, *vb = kb + na;
        sorted_pairs(a, na, ka, va);
        sorted_pairs(b, na, kb, vb);
        push(s, va, vb, na, exact);
        push(s, ka, kb, na, true);
        return 0;
    }
    case CLASS_FUN: {
        bool ea = is_export(a), eb = is_export(b);
        if (ea != eb) return ea ? 1 : -1;
        if (ea) {
            const ErtsMFA *x = export_mfa(a), *y = export_mfa(b);
            int c = atom_compare(x->module, y->module);
            if (!c) c = atom_compare(x->function, y->function);
            if (!c) c = sgn((int64_t)x->arity - (int64_t)y->arity);
            return c;
        }
        const FunEntry *x = fun_val(a)->entry, *y = fun_val(b)->entry;
        int c = atom_compare(x->module, y->module);
        if (!c) c = ucmp(x->index, y->index);
        if (!c) c = ucmp(x->old_uniq, y->old_uniq);
        if (!c) c = ucmp(fun_num_free(a), fun_num_free(b));
        if (!c) push(s, fun_val(a)->env, fun_val(b)->env, fun_num_free(a), exact);
        return c;
    }
    }
    return 0;
}

/* eq_only: the caller wants to know only whether a and b are equal, so
 * any difference may be reported as 1 (large maps then skip sorting). */
static int compare(term_t a, term_t b, bool exact, bool eq_only) {
    Stack s;
    s.f = s.local;
    s.len = 0;
    s.cap = sizeof s.local / sizeof s.local[0];
    s.owned = NULL;
    int result = 0;
    for (;;) {
        if (a != b) {
            int ca = term_class(a), cb = term_class(b);
            if (ca != cb) {
                result = ca < cb ? -1 : 1;
                break;
            }
            result = cmp_step(a, b, ca, exact, eq_only, &s);
            if (result) break;
        }
        if (s.len == 0) break;
        Frame *f = &s.f[s.len - 1];
        a = *f->a++;
        b = *f->b++;
        exact = f->exact;
        if (--f->n == 0) s.len--;
    }
    if (s.f != s.local) free(s.f);
    while (s.owned) {
        Owned *next = s.owned->next;
        free(s.owned);
        s.owned = next;
    }
    return result;
}

int term_compare(term_t a, term_t b) { return a == b ? 0 : compare(a, b, false, false); }
int term_compare_exact(term_t a, term_t b) { return a == b ? 0 : compare(a, b, true, false); }
bool term_equal(term_t a, term_t b, bool exact) { return a == b || compare(a, b, exact, true) == 0; }
