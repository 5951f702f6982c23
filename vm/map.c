/*
 * map.c — flatmap operations. Each public function switches on the map kind
 * so HAMT support is added case by case.
 */
#include "vm/map.h"

#include <stdio.h>
#include <stdlib.h>

#include "vm/term_compare.h"

static void not_flat(const char *what) {
    fprintf(stderr, "map: %s: HAMT maps are not implemented\n", what);
    abort();
}

size_t map_size(term_t m) {
    switch (map_kind(m)) {
    case MAP_KIND_FLAT: return flatmap_size(m);
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
        if (n + 1 > MAP_FLAT_MAX) return THE_NON_VALUE; /* HAMT needed */
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
    default: not_flat("map_remove"); return THE_NON_VALUE;
    }
}

term_t map_from_pairs(Heap *h, const term_t *keys, const term_t *values, size_t n) {
    if (n > MAP_FLAT_MAX) return THE_NON_VALUE; /* HAMT needed */
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

bool map_iter_next(MapIter *it, term_t *key, term_t *value) {
    switch (map_kind(it->map)) {
    case MAP_KIND_FLAT:
        if (it->i >= flatmap_size(it->map)) return false;
        *key = tuple_val(flatmap_keys(it->map))[1 + it->i];
        *value = flatmap_values(it->map)[it->i];
        it->i++;
        return true;
    default: not_flat("map_iter_next"); return false;
    }
}
