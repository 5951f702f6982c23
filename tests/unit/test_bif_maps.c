/*
 * test_bif_maps.c — maps and lists BIFs, and the HAMT behind large maps:
 * 33..100000 keys through put/get/remove/iterate, bulk from_list against
 * incremental puts, erts_internal:map_next batches.
 */
#include "tests/unit/bif_test_util.h"
#include "vm/map.h"
#include "vm/map_hamt.h"
#include "vm/bif_util.h"

static Process *P;

static term_t call(const char *m, const char *f, unsigned a, term_t *args) {
    BifFn fn = test_bif_lookup(m, f, a);
    return fn ? fn(P, args) : THE_NON_VALUE;
}

/* Keys: small integers and, every third, a binary-free tuple {K}. */
static term_t key(Process *p, long i) {
    if (i % 3) return make_small(i * 7919);
    term_t *hp = heap_alloc(&p->h, 2);
    term_t t = make_tuple_header(hp, 1);
    hp[1] = make_small(i);
    return t;
}

static size_t count_iter(term_t m) {
    MapIter it;
    map_iter_init(&it, m);
    term_t k, v;
    size_t n = 0;
    while (map_iter_next(&it, &k, &v)) {
        if (map_get(m, k) != v) return (size_t)-1;
        n++;
    }
    return n;
}

TEST(hamt_put_get_remove) {
    long sizes[] = {33, 100, 1000, 100000};
    for (size_t s = 0; s < 4; s++) {
        long N = sizes[s];
        term_t m;
        term_t *nk, *nv;
        m = map_new_flat(&P->h, 0, &nk, &nv);
        bool ok = true;
        for (long i = 0; i < N && ok; i++) {
            m = map_put(&P->h, m, key(P, i), make_small(i));
            ok = map_size(m) == (size_t)i + 1;
            ok = ok && (i + 1 <= MAP_FLAT_MAX) == (map_kind(m) == MAP_KIND_FLAT);
        }
        CHECK(ok);
        for (long i = 0; i < N && ok; i++) ok = map_get(m, key(P, i)) == make_small(i);
        CHECK(ok);
        CHECK(map_get(m, make_small(-1)) == THE_NON_VALUE);
        CHECK_EQ_INT(count_iter(m), N);
        /* overwrite keeps the size */
        term_t m2 = map_put(&P->h, m, key(P, 0), ATOM_ok);
        CHECK_EQ_INT(map_size(m2), N);
        CHECK(map_get(m2, key(P, 0)) == ATOM_ok && map_get(m, key(P, 0)) == make_small(0));
        /* bulk build equals incremental */
        term_t *ks = malloc((size_t)N * sizeof(term_t)), *vs = malloc((size_t)N * sizeof(term_t));
        for (long i = 0; i < N; i++) {
            ks[i] = key(P, i);
            vs[i] = make_small(i);
        }
        term_t b = map_from_pairs(&P->h, ks, vs, (size_t)N);
        CHECK_EQ_INT(map_size(b), N);
        ok = true;
        for (long i = 0; i < N && ok; i++) ok = map_get(b, ks[i]) == vs[i];
        CHECK(ok);
        /* same iteration order: the trie shape depends only on the keys */
        MapIter i1, i2;
        map_iter_init(&i1, m);
        map_iter_init(&i2, b);
        term_t k1, v1, k2, v2;
        ok = true;
        while (ok && map_iter_next(&i1, &k1, &v1)) ok = map_iter_next(&i2, &k2, &v2) && term_eq_exact(k1, k2) && v1 == v2;
        CHECK(ok);
        free(ks);
        free(vs);
        /* remove everything, checking as we go */
        for (long i = 0; i < N && ok; i++) {
            term_t r = map_remove(&P->h, m, key(P, i));
            ok = map_size(r) == (size_t)(N - i - 1) && map_get(r, key(P, i)) == THE_NON_VALUE &&
                 (map_size(r) <= MAP_FLAT_MAX) == (map_kind(r) == MAP_KIND_FLAT);
            if (ok && (i % 997 == 0 || N - i < 40)) ok = count_iter(r) == map_size(r);
            m = r;
        }
        CHECK(ok);
        /* removing a missing key returns the map itself */
        CHECK(map_remove(&P->h, b, make_small(-5)) == b);
    }
}

TEST(map_next_walks_everything) {
    term_t *ks = malloc(5000 * sizeof(term_t)), *vs = malloc(5000 * sizeof(term_t));
    for (long i = 0; i < 5000; i++) {
        ks[i] = key(P, i);
        vs[i] = make_small(i);
    }
    term_t m = map_from_pairs(&P->h, ks, vs, 5000);
    /* iterator form */
    term_t a[3] = {make_small(0), m, ATOM_iterator};
    size_t seen = 0;
    for (int guard = 0; guard < 10000; guard++) {
        term_t r = call("erts_internal", "map_next", 3, a);
        if (r == THE_NON_VALUE) break;
        while (is_tuple(r)) {
            seen++;
            r = tuple_element(r, 3);
        }
        if (r == ATOM_iter_none) break;
        a[0] = cons_head(r);
    }
    CHECK_EQ_INT(seen, 5000);
    /* list form */
    term_t b[3] = {make_small(0), m, NIL};
    term_t r;
    for (;;) {
        r = call("erts_internal", "map_next", 3, b);
        if (r == THE_NON_VALUE || !is_list(r) || !is_small(cons_head(r))) break;
        b[0] = cons_head(r);
        b[2] = cons_tail(cons_tail(r));
    }
    CHECK(r != THE_NON_VALUE && bif_list_length(r) == 5000);
    free(ks);
    free(vs);
}

TEST(maps_bifs_errors) {
    term_t a[3] = {ATOM_ok, make_small(1), ATOM_ok};
    CHECK(call("maps", "get", 2, a) == THE_NON_VALUE && is_tuple(P->fvalue) && tuple_element(P->fvalue, 1) == ATOM_badmap);
    term_t *nk, *nv;
    term_t m = map_new_flat(&P->h, 0, &nk, &nv);
    a[1] = m;
    CHECK(call("maps", "get", 2, a) == THE_NON_VALUE && tuple_element(P->fvalue, 1) == ATOM_badkey);
    CHECK(call("maps", "find", 2, a) == ATOM_error);
    term_t b[3] = {ATOM_ok, ATOM_true, m};
    term_t m1 = call("maps", "put", 3, b);
    a[1] = m1;
    CHECK(call("maps", "get", 2, a) == ATOM_true);
    CHECK(call("erlang", "map_size", 1, &m1) == make_small(1));
}

int main(void) {
    atom_init();
    P = test_proc();
    RUN(hamt_put_get_remove);
    RUN(map_next_walks_everything);
    RUN(maps_bifs_errors);
    return CHECK_DONE();
}
