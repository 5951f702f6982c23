/*
 * test_bigmap.c — large maps (HAMTs, more than MAP_FLAT_MAX keys) through
 * the generic term code: phash2, term order and equality, the external
 * term format both ways, printing. Expected values are stock erl's (OTP 25),
 * each with the command that produced it.
 */
#include <stdlib.h>

#include "tests/unit/check.h"
#include "vm/atom.h"
#include "vm/binary.h"
#include "vm/etf.h"
#include "vm/heap.h"
#include "vm/map.h"
#include "vm/phash.h"
#include "vm/term_compare.h"
#include "vm/term_print.h"

static Heap H;

/* term_to_binary(maps:from_list([{I, I*2} || I <- lists:seq(1,100)])) */
static const uint8_t m100_etf[] = {
    131, 116, 0, 0, 0, 100, 97, 33, 97, 66, 97, 12, 97, 24, 97, 73, 97, 146, 97, 44,
    97, 88, 97, 23, 97, 46, 97, 29, 97, 58, 97, 47, 97, 94, 97, 89, 97, 178, 97, 61,
    97, 122, 97, 30, 97, 60, 97, 43, 97, 86, 97, 39, 97, 78, 97, 45, 97, 90, 97, 48,
    97, 96, 97, 57, 97, 114, 97, 26, 97, 52, 97, 69, 97, 138, 97, 88, 97, 176, 97, 63,
    97, 126, 97, 100, 97, 200, 97, 71, 97, 142, 97, 46, 97, 92, 97, 31, 97, 62, 97, 98,
    97, 196, 97, 81, 97, 162, 97, 11, 97, 22, 97, 37, 97, 74, 97, 9, 97, 18, 97, 76,
    97, 152, 97, 32, 97, 64, 97, 34, 97, 68, 97, 25, 97, 50, 97, 28, 97, 56, 97, 85,
    97, 170, 97, 91, 97, 182, 97, 64, 97, 128, 97, 6, 97, 12, 97, 72, 97, 144, 97, 68,
    97, 136, 97, 86, 97, 172, 97, 51, 97, 102, 97, 80, 97, 160, 97, 38, 97, 76, 97, 13,
    97, 26, 97, 59, 97, 118, 97, 40, 97, 80, 97, 77, 97, 154, 97, 95, 97, 190, 97, 41,
    97, 82, 97, 20, 97, 40, 97, 78, 97, 156, 97, 15, 97, 30, 97, 14, 97, 28, 97, 60,
    97, 120, 97, 2, 97, 4, 97, 7, 97, 14, 97, 83, 97, 166, 97, 74, 97, 148, 97, 99,
    97, 198, 97, 1, 97, 2, 97, 97, 97, 194, 97, 8, 97, 16, 97, 3, 97, 6, 97, 75,
    97, 150, 97, 90, 97, 180, 97, 58, 97, 116, 97, 55, 97, 110, 97, 17, 97, 34, 97, 22,
    97, 44, 97, 52, 97, 104, 97, 87, 97, 174, 97, 21, 97, 42, 97, 96, 97, 192, 97, 4,
    97, 8, 97, 82, 97, 164, 97, 36, 97, 72, 97, 53, 97, 106, 97, 50, 97, 100, 97, 66,
    97, 132, 97, 24, 97, 48, 97, 10, 97, 20, 97, 35, 97, 70, 97, 70, 97, 140, 97, 56,
    97, 112, 97, 62, 97, 124, 97, 49, 97, 98, 97, 27, 97, 54, 97, 84, 97, 168, 97, 94,
    97, 188, 97, 92, 97, 184, 97, 42, 97, 84, 97, 19, 97, 38, 97, 67, 97, 134, 97, 93,
    97, 186, 97, 65, 97, 130, 97, 5, 97, 10, 97, 54, 97, 108, 97, 18, 97, 36, 97, 79,
    97, 158, 97, 16, 97, 32,
};

/* #{I => I * Mul || I <- [From..To]} built by map_from_pairs */
static term_t int_map(long from, long to, long mul) {
    size_t n = (size_t)(to - from + 1);
    term_t *ks = malloc(n * sizeof *ks), *vs = malloc(n * sizeof *vs);
    for (size_t i = 0; i < n; i++) {
        ks[i] = make_small(from + (long)i);
        vs[i] = make_small((from + (long)i) * mul);
    }
    term_t m = map_from_pairs(&H, ks, vs, n);
    free(ks);
    free(vs);
    return m;
}

/* keys {I} when I rem 3 == 0, atom kI when 1, integer_to_binary(I) when 2 */
static term_t mixed_map(void) {
    term_t ks[100], vs[100];
    for (int i = 1; i <= 100; i++) {
        char b[16];
        if (i % 3 == 0) {
            term_t *hp = heap_alloc(&H, 2);
            ks[i - 1] = make_tuple_header(hp, 1);
            hp[1] = make_small(i);
        } else if (i % 3 == 1) {
            snprintf(b, sizeof b, "k%d", i);
            ks[i - 1] = atom_intern_cstr(b);
        } else {
            int n = snprintf(b, sizeof b, "%d", i);
            ks[i - 1] = binary_new(&H, (const uint8_t *)b, (size_t)n);
        }
        vs[i - 1] = make_small(i);
    }
    return map_from_pairs(&H, ks, vs, 100);
}

TEST(bigmap_phash2) {
    term_t m100 = int_map(1, 100, 2), m1000 = int_map(1, 1000, 2);
    CHECK(map_kind(m100) == MAP_KIND_HAMT_HEAD_BITMAP);
    /* erl: M100 = maps:from_list([{I, I*2} || I <- lists:seq(1,100)]),
     *      {erlang:phash2(M100), erlang:phash2(M100, 1 bsl 32)} */
    CHECK_EQ_INT(phash2(m100), 99439621);
    CHECK_EQ_INT(phash2_range(m100, (uint64_t)1 << 32), 2112705541u);
    /* same with lists:seq(1,1000) */
    CHECK_EQ_INT(phash2(m1000), 123381397);
    CHECK_EQ_INT(phash2_range(m1000, (uint64_t)1 << 32), 2807735957u);
    /* Mix = maps:from_list([{if I rem 3 =:= 0 -> {I}; I rem 3 =:= 1 ->
     *   list_to_atom("k" ++ integer_to_list(I)); true -> integer_to_binary(I)
     *   end, I} || I <- lists:seq(1,100)]) */
    term_t mix = mixed_map();
    CHECK_EQ_INT(phash2(mix), 22505446);
    CHECK_EQ_INT(phash2_range(mix, (uint64_t)1 << 32), 2572642278u);
    /* erlang:phash2(#{a => M100, b => [M1000]}) */
    term_t ks[2] = {atom_intern_cstr("a"), atom_intern_cstr("b")};
    term_t vs[2] = {m100, make_cons(heap_alloc(&H, 2), m1000, NIL)};
    CHECK_EQ_INT(phash2(map_from_pairs(&H, ks, vs, 2)), 79244171);
}

TEST(bigmap_compare) {
    term_t m100 = int_map(1, 100, 2), again = int_map(1, 100, 2);
    CHECK(m100 != again);
    CHECK(term_compare(m100, again) == 0 && term_eq_exact(m100, again));
    /* erl: M100b = M100#{100 => 201}, M100 < M100b  -> true */
    term_t m100b = map_put(&H, m100, make_small(100), make_small(201));
    CHECK(term_compare(m100, m100b) < 0 && term_compare(m100b, m100) > 0);
    /* M100c = maps:remove(1, M100#{101 => 2}): M100 < M100c -> true,
     * M100c < M100b -> false */
    term_t m100c = map_remove(&H, map_put(&H, m100, make_small(101), make_small(2)), make_small(1));
    CHECK_EQ_INT(map_size(m100c), 100);
    CHECK(term_compare(m100, m100c) < 0);
    CHECK(term_compare(m100c, m100b) > 0);
    /* maps:put(50, 100.0, M100) == M100 -> true; =:= -> false; < -> false */
    double d = 100.0;
    term_t *fp = heap_alloc(&H, FLOAT_WORDS);
    term_t f100 = make_float(fp, d);
    term_t mf = map_put(&H, m100, make_small(50), f100);
    CHECK(term_compare(mf, m100) == 0);
    CHECK(!term_eq_exact(mf, m100));
    /* size first: a 101-key map is greater than any 100-key map */
    term_t m101 = map_put(&H, m100, make_small(0), make_small(0));
    CHECK(term_compare(m101, m100c) > 0);
    /* F = #{float(I) => I || 1..40}, G = #{I => I || 1..40}:
     * F == G -> false, F < G -> false (integer keys sort first) */
    term_t ks[40], vs[40];
    for (int i = 0; i < 40; i++) {
        ks[i] = make_float(heap_alloc(&H, FLOAT_WORDS), (double)(i + 1));
        vs[i] = make_small(i + 1);
    }
    term_t F = map_from_pairs(&H, ks, vs, 40), G = int_map(1, 40, 1);
    CHECK(term_compare(F, G) > 0 && term_compare(G, F) < 0);
    /* a large map inside a tuple compares after its siblings */
    term_t *hp = heap_alloc(&H, 3), *hq = heap_alloc(&H, 3);
    term_t ta = make_tuple_header(hp, 2), tb = make_tuple_header(hq, 2);
    hp[1] = hq[1] = ATOM_ok;
    hp[2] = m100;
    hq[2] = m100b;
    CHECK(term_compare(ta, tb) < 0);
}

TEST(bigmap_etf) {
    EtfOptions o = {0};
    term_t m100 = int_map(1, 100, 2), d;
    /* erl's bytes decode to a HAMT equal to ours */
    CHECK_EQ_INT(etf_decode(&H, m100_etf, sizeof m100_etf, &o, &d), ETF_OK);
    CHECK(is_map(d) && map_kind(d) == MAP_KIND_HAMT_HEAD_BITMAP && map_size(d) == 100);
    CHECK(term_eq_exact(d, m100));
    CHECK_EQ_INT(phash2(d), 99439621);
    /* ours encode to the same length (the pair order differs: see etf_encode.c) */
    EtfError e;
    size_t n = etf_encoded_size(m100, &o, &e);
    CHECK_EQ_INT(n, sizeof m100_etf);
    uint8_t *buf = malloc(n);
    size_t len = 0;
    CHECK_EQ_INT(etf_encode(m100, &o, buf, n, &len), ETF_OK);
    CHECK_EQ_INT(len, n);
    CHECK(memcmp(buf, m100_etf, 6) == 0); /* 131, MAP_EXT, size 100 */
    term_t back;
    CHECK_EQ_INT(etf_decode(&H, buf, len, &o, &back), ETF_OK);
    CHECK(term_eq_exact(back, m100));
    free(buf);
    /* 1000 keys and mixed keys round-trip */
    term_t ts[2] = {int_map(-500, 499, 3), mixed_map()};
    for (int i = 0; i < 2; i++) {
        n = etf_encoded_size(ts[i], &o, &e);
        buf = malloc(n);
        CHECK_EQ_INT(etf_encode(ts[i], &o, buf, n, &len), ETF_OK);
        CHECK_EQ_INT(etf_decode(&H, buf, len, &o, &back), ETF_OK);
        CHECK(term_eq_exact(back, ts[i]));
        free(buf);
    }
    /* a duplicate key in a large MAP_EXT is rejected, as erl's
     * binary_to_term: pair 2's key byte := pair 1's key byte */
    uint8_t dup[sizeof m100_etf];
    memcpy(dup, m100_etf, sizeof dup);
    dup[6 + 4 + 1] = dup[6 + 1];
    CHECK(etf_decode(&H, dup, sizeof dup, &o, &back) != ETF_OK);
}

TEST(bigmap_print) {
    term_t m = int_map(1, 40, 2);
    char buf[1024];
    size_t n = term_print(buf, sizeof buf, m);
    CHECK(n > 40 && n < sizeof buf);
    CHECK(strncmp(buf, "#{", 2) == 0 && buf[n - 1] == '}');
    CHECK(strstr(buf, "40 => 80") != NULL && strstr(buf, "1 => 2") != NULL);
}

int main(void) {
    atom_init();
    heap_init(&H, 1 << 16);
    RUN(bigmap_phash2);
    RUN(bigmap_compare);
    RUN(bigmap_etf);
    RUN(bigmap_print);
    heap_destroy(&H);
    return CHECK_DONE();
}
