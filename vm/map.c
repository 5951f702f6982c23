/*
 * map.c — flatmap operations. Each public function switches on the map kind
 * so HAMT support is added case by case.
 */
#include "vm/map.h"

#include <stdio.h>
#include <stdlib.h>

#include "vm/map_hamt.h"

#include "vm/term_compare.h"

static void not_flat(const char *what) {
    fprintf(stderr, "map: %s: HAMT maps are not implemented\n", what);
    abort();
}

size_t map_size(term_t m) {
    switch (map_kind(m)) {
    case MAP_KIND_FLAT: return flatmap_size(m);
    case MAP_KIND_HAMT_HEAD_BITMAP: return hamt_size(m);
    default: not_flat("map_size"); return 0;
    }
}

/* Index of key in the sorted keys, or -(insertion point) - 1. */
static long flat_find(term_t m, term_t key) {
    const term_t *ks = tuple_val(flatmap_keys(m)) + 1;
    long lo = 0, hi = (long)flatmap_size(m) - 1;
    if (is_immed(key)) {
        /* Common case (atoms, smalls): identity is equality. */
        for (long i = 0; i <= hi; i++) {
            if (ks[i] == key) return i;
        }
    }
    while (lo <= hi) {
        long mid = (lo + hi) / 2;
        int c = term_compare_exact(ks[mid], key);
        if (c == 0) return mid;
        if (c < 0) lo = mid + 1;
        else hi = mid - 1;
    }
    return -lo - 1;
}

term_t map_get(term_t m, term_t key) {
    switch (map_kind(m)) {
    case MAP_KIND_FLAT: {
        long i = flat_find(m, key);
        return i >= 0 ? flatmap_values(m)[i] : THE_NON_VALUE;
    }
    case MAP_KIND_HAMT_HEAD_BITMAP: return hamt_get(m, key);
    default: not_flat("map_get"); return THE_NON_VALUE;
    }
}

term_t map_new_flat(Heap *h, size_t n, term_t **keys, term_t **values) {
    term_t *hp = heap_alloc(h, tuple_words(n) + flatmap_words(n));
    term_t kt = make_tuple_header(hp, n);
    *keys = hp + 1;
    term_t *mp = hp + tuple_words(n);
    mp[0] = make_map_header(MAP_KIND_FLAT, 1 + n);
    mp[1] = kt;
    *values = mp + 2;
    return make_boxed(mp);
}

term_t map_put(Heap *h, term_t m, term_t key, term_t value) {
    switch (map_kind(m)) {
    case MAP_KIND_FLAT: {
        size_t n = flatmap_size(m);
        long i = flat_find(m, key);
        const term_t *ks = tuple_val(flatmap_keys(m)) + 1, *vs = flatmap_values(m);
        if (i >= 0) {
            if (vs[i] == value) return m;
            /* same keys: share the keys tuple */
            term_t *mp = heap_alloc(h, flatmap_words(n));
            mp[0] = *boxed_val(m);
            mp[1] = flatmap_keys(m);
            for (size_t j = 0; j < n; j++) mp[2 + j] = vs[j];
            mp[2 + i] = value;
            return make_boxed(mp);
        }
        if (n + 1 > MAP_FLAT_MAX) {
            /* grows into a HAMT */
            term_t ks2[MAP_FLAT_MAX + 1], vs2[MAP_FLAT_MAX + 1];
            memcpy(ks2, ks, n * sizeof(term_t));
            memcpy(vs2, vs, n * sizeof(term_t));
            ks2[n] = key;
            vs2[n] = value;
            return hamt_from_pairs(h, ks2, vs2, n + 1);
        }
        size_t at = (size_t)(-i - 1);
        term_t *nk, *nv;
        term_t r = map_new_flat(h, n + 1, &nk, &nv);
        for (size_t j = 0, o = 0; j <= n; j++) {
            if (j == at) {
                nk[j] = key;
                nv[j] = value;
            } else {
                nk[j] = ks[o];
                nv[j] = vs[o];
                o++;
            }
        }
        return r;
    }
    case MAP_KIND_HAMT_HEAD_BITMAP: return hamt_put(h, m, key, value);
    default: not_flat("map_put"); return THE_NON_VALUE;
    }
}

term_t map_remove(Heap *h, term_t m, term_t key) {
    switch (map_kind(m)) {
    case MAP_KIND_FLAT: {
        long i = flat_find(m, key);
        if (i < 0) return m;
        size_t n = flatmap_size(m);
        const term_t *ks = tuple_val(flatmap_keys(m)) + 1, *vs = flatmap_values(m);
        term_t *nk, *nv;
        term_t r = map_new_flat(h, n - 1, &nk, &nv);
        for (size_t j = 0, o = 0; j < n; j++) {
            if ((long)j == i) continue;
            nk[o] = ks[j];
            nv[o] = vs[j];
            o++;
        }
        return r;
    }
    case MAP_KIND_HAMT_HEAD_BITMAP: return hamt_remove(h, m, key);
    default: not_flat("map_remove"); return THE_NON_VALUE;
    }
}

term_t map_from_pairs(Heap *h, const term_t *keys, const term_t *values, size_t n) {
    if (n > MAP_FLAT_MAX) return hamt_from_pairs(h, keys, values, n);
    /* Insertion sort of indexes by key (n <= 32); a later duplicate wins. */
    size_t idx[MAP_FLAT_MAX];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = m;
        int c = 1;
        while (j > 0 && (c = term_compare_exact(keys[idx[j - 1]], keys[i])) > 0) j--;
        if (j > 0 && c == 0) {
            idx[j - 1] = i;
            continue;
        }
        for (size_t k = m; k > j; k--) idx[k] = idx[k - 1];
        idx[j] = i;
        m++;
    }
    term_t *nk, *nv;
    term_t r = map_new_flat(h, m, &nk, &nv);
    for (size_t i = 0; i < m; i++) {
        nk[i] = keys[idx[i]];
        nv[i] = values[idx[i]];
    }
    return r;
}

void map_iter_init(MapIter *it, term_t m) {
    if (map_kind(m) == MAP_KIND_HAMT_HEAD_BITMAP) {
        hamt_iter_init(it, m);
        return;
    }
    it->map = m;
    it->i = 0;
    it->depth = 0;
}

size_t map_put_need(term_t m) {
    size_t n = map_size(m);
    if (map_kind(m) != MAP_KIND_FLAT) return hamt_put_need(m);
    if (n + 1 <= MAP_FLAT_MAX) return flatmap_words(n + 1) + tuple_words(n + 1);
    return map_from_pairs_need(n + 1);
}

size_t map_remove_need(term_t m) {
    size_t n = map_size(m);
    if (map_kind(m) != MAP_KIND_FLAT) return hamt_put_need(m) + map_from_pairs_need(MAP_FLAT_MAX);
    return flatmap_words(n) + tuple_words(n);
}

/* A HAMT of n leaves: n cons cells, at most n - 1 inner nodes with two
 * or more entries, and chains of one-child nodes over keys that share a
 * hash prefix, allowed 8 per key (a longer chain needs two keys equal in
 * all 32 bits of a hash; heap_alloc takes a fragment in that rare case),
 * and the entry words. A bound, not exact. */
size_t map_from_pairs_need(size_t n) {
    if (n <= MAP_FLAT_MAX) return flatmap_words(n) + tuple_words(n);
    return 2 * n + (n + 1) * (2 + 1) + 8 * 3 * n + 3;
}

bool map_iter_next(MapIter *it, term_t *key, term_t *value) {
    switch (map_kind(it->map)) {
    case MAP_KIND_HAMT_HEAD_BITMAP: return hamt_iter_next(it, key, value);
    case MAP_KIND_FLAT:
        if (it->i >= flatmap_size(it->map)) return false;
        *key = tuple_val(flatmap_keys(it->map))[1 + it->i];
        *value = flatmap_values(it->map)[it->i];
        it->i++;
        return true;
    default: not_flat("map_iter_next"); return false;
    }
}
