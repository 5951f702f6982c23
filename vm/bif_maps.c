/*
 * bif_maps.c — the BIFs of module maps (those OTP 25's maps.erl leaves to
 * the runtime): get/2, find/2, put/3, update/3, remove/2, take/2,
 * is_key/2, keys/1, values/1, merge/2, from_list/1, from_keys/2; and
 * erlang:map_size/1, map_get/2, is_map_key/2, erts_internal:map_next/3
 * (the engine of maps:next/1 and maps:to_list/1).
 *
 * Errors as OTP: a non-map argument raises {badmap, M}, a missing key in
 * get/update {badkey, K}, a bad list badarg.
 */
#include <stdlib.h>

#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/bignum.h"
#include "vm/map.h"
#include "vm/map_hamt.h"

static term_t tuple2(Process *p, term_t a, term_t b) {
    term_t *hp = heap_alloc(&p->h, tuple_words(2));
    term_t t = make_tuple_header(hp, 2);
    hp[1] = a;
    hp[2] = b;
    return t;
}

static term_t tuple3(Process *p, term_t a, term_t b, term_t c) {
    term_t *hp = heap_alloc(&p->h, tuple_words(3));
    term_t t = make_tuple_header(hp, 3);
    hp[1] = a;
    hp[2] = b;
    hp[3] = c;
    return t;
}

#define BADMAP(p, m) return bif_raise((p), EXC_ERROR, tuple2((p), ATOM_badmap, (m)))
#define BADKEY(p, k) return bif_raise((p), EXC_ERROR, tuple2((p), ATOM_badkey, (k)))

term_t bif_maps_get_2(Process *p, term_t *args) {
    if (!is_map(args[1])) BADMAP(p, args[1]);
    term_t v = map_get(args[1], args[0]);
    if (v == THE_NON_VALUE) BADKEY(p, args[0]);
    return v;
}

term_t bif_erlang_map_get_2(Process *p, term_t *args) { return bif_maps_get_2(p, args); }

term_t bif_maps_find_2(Process *p, term_t *args) {
    if (!is_map(args[1])) BADMAP(p, args[1]);
    term_t v = map_get(args[1], args[0]);
    return v == THE_NON_VALUE ? ATOM_error : tuple2(p, ATOM_ok, v);
}

term_t bif_maps_put_3(Process *p, term_t *args) {
    if (!is_map(args[2])) BADMAP(p, args[2]);
    return map_put(&p->h, args[2], args[0], args[1]);
}

term_t bif_maps_update_3(Process *p, term_t *args) {
    if (!is_map(args[2])) BADMAP(p, args[2]);
    if (map_get(args[2], args[0]) == THE_NON_VALUE) BADKEY(p, args[0]);
    return map_put(&p->h, args[2], args[0], args[1]);
}

term_t bif_maps_remove_2(Process *p, term_t *args) {
    if (!is_map(args[1])) BADMAP(p, args[1]);
    return map_remove(&p->h, args[1], args[0]);
}

term_t bif_maps_take_2(Process *p, term_t *args) {
    if (!is_map(args[1])) BADMAP(p, args[1]);
    term_t v = map_get(args[1], args[0]);
    if (v == THE_NON_VALUE) return ATOM_error;
    return tuple2(p, v, map_remove(&p->h, args[1], args[0]));
}

term_t bif_maps_is_key_2(Process *p, term_t *args) {
    if (!is_map(args[1])) BADMAP(p, args[1]);
    return map_get(args[1], args[0]) != THE_NON_VALUE ? ATOM_true : ATOM_false;
}

term_t bif_erlang_is_map_key_2(Process *p, term_t *args) { return bif_maps_is_key_2(p, args); }

term_t bif_erlang_map_size_1(Process *p, term_t *args) {
    if (!is_map(args[0])) BADMAP(p, args[0]);
    return make_small((int64_t)map_size(args[0]));
}

/* keys or values: flatmaps in key order; HAMTs in reverse iteration
 * order, as OTP 25 (it prepends while it walks the trie). */
static term_t keys_or_values(Process *p, term_t m, bool keys) {
    if (!is_map(m)) BADMAP(p, m);
    size_t n = map_size(m);
    term_t *hp = heap_alloc(&p->h, 2 * n);
    MapIter it;
    map_iter_init(&it, m);
    term_t k, v;
    if (map_kind(m) != MAP_KIND_FLAT) {
        term_t r = NIL;
        while (map_iter_next(&it, &k, &v)) {
            r = make_cons(hp, keys ? k : v, r);
            hp += 2;
        }
        return r;
    }
    term_t r = n ? make_list(hp) : NIL;
    size_t i = 0;
    while (map_iter_next(&it, &k, &v)) {
        hp[0] = keys ? k : v;
        hp[1] = ++i < n ? make_list(hp + 2) : NIL;
        hp += 2;
    }
    return r;
}

term_t bif_maps_keys_1(Process *p, term_t *args) { return keys_or_values(p, args[0], true); }
term_t bif_maps_values_1(Process *p, term_t *args) { return keys_or_values(p, args[0], false); }

/* merge(A, B): B's values win. Puts the smaller map into the larger. */
term_t bif_maps_merge_2(Process *p, term_t *args) {
    term_t a = args[0], b = args[1];
    if (!is_map(a)) BADMAP(p, a);
    if (!is_map(b)) BADMAP(p, b);
    size_t na = map_size(a), nb = map_size(b);
    if (na + nb <= MAP_FLAT_MAX * 4 || na <= nb / 8 || nb <= na / 8) {
        /* insert the smaller into the larger, respecting who wins */
        MapIter it;
        term_t k, v, r;
        if (na <= nb) {
            r = b;
            map_iter_init(&it, a);
            while (map_iter_next(&it, &k, &v))
                if (map_get(b, k) == THE_NON_VALUE) r = map_put(&p->h, r, k, v);
        } else {
            r = a;
            map_iter_init(&it, b);
            while (map_iter_next(&it, &k, &v)) r = map_put(&p->h, r, k, v);
        }
        return r;
    }
    /* both large: one bulk build */
    term_t *ks = malloc((na + nb) * sizeof(term_t)), *vs = malloc((na + nb) * sizeof(term_t));
    if (!ks || !vs) {
        free(ks);
        free(vs);
        BIF_ERROR(p, ATOM_system_limit);
    }
    size_t n = 0;
    MapIter it;
    map_iter_init(&it, a);
    while (map_iter_next(&it, &ks[n], &vs[n])) n++;
    map_iter_init(&it, b);
    while (map_iter_next(&it, &ks[n], &vs[n])) n++;
    term_t r = map_from_pairs(&p->h, ks, vs, n);
    free(ks);
    free(vs);
    return r;
}

/* Key and value arrays for n pairs (for map_from_pairs); false if out of memory. */
static bool pairs_alloc(size_t n, term_t **ks, term_t **vs) {
    *ks = malloc((n + 1) * sizeof(term_t));
    *vs = malloc((n + 1) * sizeof(term_t));
    if (*ks && *vs) return true;
    free(*ks);
    free(*vs);
    return false;
}

term_t bif_maps_from_list_1(Process *p, term_t *args) {
    long n = bif_list_length(args[0]);
    if (n < 0) BIF_ERROR(p, ATOM_badarg);
    term_t *ks, *vs;
    if (!pairs_alloc((size_t)n, &ks, &vs)) BIF_ERROR(p, ATOM_system_limit);
    size_t i = 0;
    for (term_t l = args[0]; is_list(l); l = cons_tail(l)) {
        term_t t = cons_head(l);
        if (!is_tuple(t) || tuple_arity(t) != 2) {
            free(ks);
            free(vs);
            BIF_ERROR(p, ATOM_badarg);
        }
        ks[i] = tuple_element(t, 1);
        vs[i++] = tuple_element(t, 2);
    }
    term_t r = map_from_pairs(&p->h, ks, vs, i);
    free(ks);
    free(vs);
    return r;
}

term_t bif_maps_from_keys_2(Process *p, term_t *args) {
    long n = bif_list_length(args[0]);
    if (n < 0) BIF_ERROR(p, ATOM_badarg);
    term_t *ks, *vs;
    if (!pairs_alloc((size_t)n, &ks, &vs)) BIF_ERROR(p, ATOM_system_limit);
    size_t i = 0;
    for (term_t l = args[0]; is_list(l); l = cons_tail(l)) {
        ks[i] = cons_head(l);
        vs[i++] = args[1];
    }
    term_t r = map_from_pairs(&p->h, ks, vs, i);
    free(ks);
    free(vs);
    return r;
}

/* ---- erts_internal:map_next(Path, Map, Acc) ----
 * Path is opaque to Erlang code (0 = start), a non-negative integer.
 * Flatmaps: the index of the next entry. HAMTs: the iterator's position,
 * 6 bits of depth then 5 bits per level of entries consumed at that
 * level (a bignum when the trie is deep). Up to MAP_NEXT_BATCH pairs per
 * call. Acc = iterator: returns {K, V, Next} chains ending in none or
 * [Path | Map]; Acc = a list: prepends {K, V} pairs, then
 * [Path, Map | Acc] if entries remain. */
#define MAP_NEXT_BATCH 32
#define PATH_DIGITS 3 /* 6 + 5 * MAP_ITER_DEPTH bits */

static inline unsigned path_get(const uint64_t *d, unsigned bit, unsigned width) {
    uint64_t v = d[bit / 64] >> (bit % 64);
    if (bit % 64 + width > 64) v |= d[bit / 64 + 1] << (64 - bit % 64);
    return (unsigned)(v & ((1u << width) - 1));
}

static inline void path_put(uint64_t *d, unsigned bit, unsigned v) {
    d[bit / 64] |= (uint64_t)v << (bit % 64);
    if (bit % 64 + 5 > 64) d[bit / 64 + 1] |= (uint64_t)v >> (64 - bit % 64);
}

/* The path's digits, false if it is not a path. */
static bool path_digits(term_t path, uint64_t d[PATH_DIGITS]) {
    for (unsigned i = 0; i < PATH_DIGITS; i++) d[i] = 0;
    if (is_small(path)) {
        if (small_value(path) < 0) return false;
        d[0] = (uint64_t)small_value(path);
        return true;
    }
    if (!is_big(path) || big_is_neg(path) || big_digits(path) > PATH_DIGITS) return false;
    for (size_t i = 0; i < big_digits(path); i++) d[i] = big_digit_ptr(path)[i];
    return true;
}

static bool iter_resume(MapIter *it, term_t m, const uint64_t *path) {
    map_iter_init(it, m);
    if (map_kind(m) == MAP_KIND_FLAT) {
        if (path[1] || path[2] || path[0] > map_size(m)) return false;
        it->i = path[0];
        return true;
    }
    if (!path[0] && !path[1] && !path[2]) return true;
    unsigned depth = path_get(path, 0, 6);
    if (depth == 0 || depth > MAP_ITER_DEPTH) return false;
    MapIter start = *it;
    it->depth = 0;
    const term_t *entries = start.node[0];
    unsigned count = start.left[0];
    for (unsigned d = 0; d < depth; d++) {
        unsigned used = path_get(path, 6 + 5 * d, 5);
        if (used > count) return false;
        it->node[d] = entries + used;
        it->left[d] = count - used;
        it->depth = d + 1;
        if (d + 1 < depth) {
            if (used == 0 || !is_boxed(entries[used - 1])) return false;
            entries = hamt_node_entries(entries[used - 1], &count);
        }
    }
    it->map = m;
    return true;
}

static term_t iter_path(Heap *h, const MapIter *it) {
    if (map_kind(it->map) == MAP_KIND_FLAT) return make_small((int64_t)it->i);
    /* position: per level, entries consumed = count - left */
    uint64_t d[PATH_DIGITS] = {it->depth, 0, 0};
    term_t node = it->map;
    for (unsigned l = 0; l < it->depth; l++) {
        unsigned count;
        hamt_node_entries(node, &count);
        path_put(d, 6 + 5 * l, count - it->left[l]);
        if (l + 1 < it->depth) node = it->node[l][-1];
    }
    if (!d[1] && !d[2] && d[0] <= (uint64_t)SMALL_MAX) return make_small((int64_t)d[0]);
    return big_from_digits(h, false, d, d[2] ? 3 : d[1] ? 2 : 1);
}

term_t bif_erts_internal_map_next_3(Process *p, term_t *args) {
    term_t path = args[0], m = args[1], acc = args[2];
    MapIter it;
    uint64_t pd[PATH_DIGITS];
    if (!path_digits(path, pd) || !is_map(m) || !iter_resume(&it, m, pd)) BIF_ERROR(p, ATOM_badarg);
    bool as_iter = acc == ATOM_iterator;
    if (!as_iter && !is_list(acc) && !is_nil(acc)) BIF_ERROR(p, ATOM_badarg);
    term_t ks[MAP_NEXT_BATCH], vs[MAP_NEXT_BATCH];
    unsigned n = 0;
    while (n < MAP_NEXT_BATCH && map_iter_next(&it, &ks[n], &vs[n])) n++;
    term_t k, v;
    MapIter peek = it;
    bool more = map_iter_next(&peek, &k, &v);
    term_t rest;
    if (as_iter) {
        if (more) {
            term_t *hp = heap_alloc(&p->h, 2);
            rest = make_cons(hp, iter_path(&p->h, &it), m);
        } else {
            rest = ATOM_iter_none;
        }
        for (unsigned i = n; i-- > 0;) rest = tuple3(p, ks[i], vs[i], rest);
        return rest;
    }
    /* flatmaps come out in key order; HAMT batches prepend in iteration
     * order (as OTP) */
    rest = acc;
    bool flat = map_kind(m) == MAP_KIND_FLAT;
    for (unsigned j = 0; j < n; j++) {
        unsigned i = flat ? n - 1 - j : j;
        rest = make_cons(heap_alloc(&p->h, 2), tuple2(p, ks[i], vs[i]), rest);
    }
    if (more) {
        rest = make_cons(heap_alloc(&p->h, 2), m, rest);
        rest = make_cons(heap_alloc(&p->h, 2), iter_path(&p->h, &it), rest);
    }
    return rest;
}
