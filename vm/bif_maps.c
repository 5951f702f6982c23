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

/* keys or values, in iteration order (OTP's order for both). */
static term_t keys_or_values(Process *p, term_t m, bool keys) {
    if (!is_map(m)) BADMAP(p, m);
    size_t n = map_size(m);
    term_t *hp = heap_alloc(&p->h, 2 * n);
    term_t r = n ? make_list(hp) : NIL;
    MapIter it;
    map_iter_init(&it, m);
    term_t k, v;
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
 * Path is opaque to Erlang code (0 = start). Flatmaps: the index of the
 * next entry. HAMTs: the iterator's position, 4 bits of depth then 5 bits
 * per level of entries consumed at that level. Up to MAP_NEXT_BATCH pairs
 * per call. Acc = iterator: returns {K, V, Next} chains ending in none or
 * [Path | Map]; Acc = a list: prepends {K, V} pairs, then [Path, Map | Acc]
 * if entries remain. */
#define MAP_NEXT_BATCH 32

static bool iter_resume(MapIter *it, term_t m, uint64_t path) {
    map_iter_init(it, m);
    if (map_kind(m) == MAP_KIND_FLAT) {
        if (path > map_size(m)) return false;
        it->i = path;
        return true;
    }
    if (path == 0) return true;
    unsigned depth = path & 0xF;
    if (depth == 0 || depth > MAP_ITER_DEPTH) return false;
    MapIter start = *it;
    it->depth = 0;
    const term_t *entries = start.node[0];
    unsigned count = start.left[0];
    for (unsigned d = 0; d < depth; d++) {
        unsigned used = (unsigned)(path >> (4 + 5 * d)) & 0x1F;
        if (used > count) return false;
        it->node[d] = entries + used;
        it->left[d] = count - used;
        it->depth = d + 1;
        if (d + 1 < depth) {
            if (used == 0 || !is_boxed(entries[used - 1])) return false;
            term_t *n = boxed_val(entries[used - 1]);
            /* entries of a child node */
            unsigned pre = (((n[0] >> 6) & 3) == MAP_KIND_HAMT_HEAD_BITMAP) ? 3 : 2;
            entries = n + pre;
            count = (unsigned)map_header_val(n[0]) - (pre - 1);
        }
    }
    it->map = m;
    return true;
}

static uint64_t iter_path(const MapIter *it) {
    if (map_kind(it->map) == MAP_KIND_FLAT) return it->i;
    /* position: per level, entries consumed = count - left */
    uint64_t path = it->depth;
    const term_t *n = boxed_val(it->map);
    for (unsigned d = 0; d < it->depth; d++) {
        unsigned pre = (((n[0] >> 6) & 3) == MAP_KIND_HAMT_HEAD_BITMAP) ? 3 : 2;
        unsigned count = (unsigned)map_header_val(n[0]) - (pre - 1);
        unsigned used = count - it->left[d];
        path |= (uint64_t)used << (4 + 5 * d);
        if (d + 1 < it->depth) n = boxed_val(it->node[d][-1]);
    }
    return path;
}

term_t bif_erts_internal_map_next_3(Process *p, term_t *args) {
    term_t path = args[0], m = args[1], acc = args[2];
    MapIter it;
    if (!is_small(path) || small_value(path) < 0 || !is_map(m) ||
        !iter_resume(&it, m, (uint64_t)small_value(path)))
        BIF_ERROR(p, ATOM_badarg);
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
            rest = make_cons(hp, bif_make_uint64(&p->h, iter_path(&it)), m);
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
        rest = make_cons(heap_alloc(&p->h, 2), bif_make_uint64(&p->h, iter_path(&it)), rest);
    }
    return rest;
}
