/*
 * test_bignum.c — bignum arithmetic against values printed by stock erl
 * (OTP 25; see bignum_*.inc for the generating command), plus identities
 * checked on pseudo-random operands from a fixed-seed PRNG.
 */
#include <math.h>
#include <stdlib.h>

#include "tests/unit/check.h"
#include "vm/atom.h"
#include "vm/bignum.h"
#include "vm/heap.h"
#include "vm/term_compare.h"

static Heap H;

static term_t num(const char *s) {
    term_t t = big_from_text(&H, s, strlen(s), 10);
    if (t == THE_NON_VALUE) printf("bad number text %s\n", s);
    return t;
}

static const char *text(term_t t, unsigned base) {
    static char buf[4][4096];
    static int i;
    char *b = buf[i++ & 3];
    if (!big_to_text(t, base, b, sizeof buf[0])) return "(too long)";
    return b;
}

/* Checks normalisation: bignums never hold values that fit a small. */
static int normalised(term_t t) {
    if (is_small(t)) return 1;
    int64_t v;
    if (big_to_int64(t, &v) && small_fits(v)) return 0;
    return big_digit_ptr(t)[big_digits(t) - 1] != 0;
}

TEST(small_boundaries) {
    CHECK(is_small(big_from_int64(&H, SMALL_MAX)));
    CHECK(is_big(big_from_int64(&H, SMALL_MAX + 1)));
    CHECK(is_small(big_from_int64(&H, SMALL_MIN)));
    CHECK(is_big(big_from_int64(&H, SMALL_MIN - 1)));
    term_t a = big_add(&H, make_small(SMALL_MAX), make_small(1));
    CHECK(is_big(a));
    CHECK_EQ_STR(text(a, 10), "576460752303423488");
    term_t b = big_sub(&H, a, make_small(1));
    CHECK(is_small(b) && small_value(b) == SMALL_MAX);
    CHECK(is_small(big_neg(&H, big_from_int64(&H, SMALL_MAX + 1))));
    CHECK(is_big(big_neg(&H, make_small(SMALL_MIN))));
    int64_t v;
    CHECK(big_to_int64(big_from_int64(&H, INT64_MIN), &v) && v == INT64_MIN);
    CHECK(!big_to_int64(num("9223372036854775808"), &v));
    CHECK(big_to_int64(num("-9223372036854775808"), &v) && v == INT64_MIN);
}

struct op_case { const char *op, *a, *b, *r; };
static const struct op_case op_cases[] = {
#include "tests/unit/bignum_ops.inc"
};

TEST(ops_match_erl) {
    for (size_t i = 0; i < sizeof op_cases / sizeof op_cases[0]; i++) {
        const struct op_case *c = &op_cases[i];
        term_t a = num(c->a), b = num(c->b), r = THE_NON_VALUE;
        int64_t sh = 0;
        if (!strcmp(c->op, "bsl") || !strcmp(c->op, "bsr")) big_to_int64(b, &sh);
        if (!strcmp(c->op, "band")) r = big_band(&H, a, b);
        else if (!strcmp(c->op, "bor")) r = big_bor(&H, a, b);
        else if (!strcmp(c->op, "bxor")) r = big_bxor(&H, a, b);
        else if (!strcmp(c->op, "bsl")) r = big_bsl(&H, a, sh);
        else if (!strcmp(c->op, "bsr")) r = big_bsl(&H, a, -sh);
        else if (!strcmp(c->op, "add")) r = big_add(&H, a, b);
        else if (!strcmp(c->op, "sub")) r = big_sub(&H, a, b);
        else if (!strcmp(c->op, "mul")) r = big_mul(&H, a, b);
        else if (!strcmp(c->op, "div")) r = big_div(&H, a, b);
        else if (!strcmp(c->op, "rem")) r = big_rem(&H, a, b);
        if (r == THE_NON_VALUE || strcmp(text(r, 10), c->r) != 0 || !normalised(r))
            CHECK_FAIL_("%s %s %s = %s, expected %s", c->a, c->op, c->b,
                        r == THE_NON_VALUE ? "none" : text(r, 10), c->r);
    }
}

static const char *const bnot_cases[][2] = {
#include "tests/unit/bignum_bnot.inc"
};

TEST(bnot_matches_erl) {
    for (size_t i = 0; i < sizeof bnot_cases / sizeof bnot_cases[0]; i++)
        CHECK_EQ_STR(text(big_bnot(&H, num(bnot_cases[i][0])), 10), bnot_cases[i][1]);
}

struct base_case { const char *v; unsigned base; const char *text; };
static const struct base_case base_cases[] = {
#include "tests/unit/bignum_bases.inc"
};

TEST(bases_match_erl) {
    for (size_t i = 0; i < sizeof base_cases / sizeof base_cases[0]; i++) {
        const struct base_case *c = &base_cases[i];
        term_t v = num(c->v);
        CHECK_EQ_STR(text(v, c->base), c->text);
        term_t back = big_from_text(&H, c->text, strlen(c->text), c->base);
        CHECK(big_compare(back, v) == 0);
    }
    /* lower-case digits and '+' are accepted; junk is not */
    CHECK(big_compare(big_from_text(&H, "+ff", 3, 16), make_small(255)) == 0);
    CHECK(big_from_text(&H, "12a", 3, 10) == THE_NON_VALUE);
    CHECK(big_from_text(&H, "-", 1, 10) == THE_NON_VALUE);
    CHECK(big_from_text(&H, "", 0, 10) == THE_NON_VALUE);
}

TEST(factorial_100) {
    term_t f = make_small(1);
    for (int i = 2; i <= 100; i++) f = big_mul(&H, f, make_small(i));
    CHECK_EQ_STR(text(f, 10),
                 "93326215443944152681699238856266700490715968264381621468592963895217599993229915608941463976156518286253697920827223758251185210916864000000000000000000000000");
    /* and back down */
    for (int i = 100; i >= 2; i--) {
        term_t r;
        f = big_divrem(&H, f, make_small(i), &r);
        CHECK(r == make_small(0));
    }
    CHECK(f == make_small(1));
}

struct float_case { const char *v; double f; };
static const struct float_case float_cases[] = {
#include "tests/unit/bignum_float.inc"
};

TEST(to_double_matches_erl) {
    for (size_t i = 0; i < sizeof float_cases / sizeof float_cases[0]; i++) {
        double d;
        CHECK(big_to_double(num(float_cases[i].v), &d));
        if (d != float_cases[i].f) CHECK_FAIL_("float(%s) = %.17g, expected %.17g", float_cases[i].v, d, float_cases[i].f);
    }
    /* too large for a double: error, as float(1 bsl 1024) */
    double d;
    CHECK(!big_to_double(big_bsl(&H, make_small(1), 1024), &d));
}

struct trunc_case { double f; const char *v; };
static const struct trunc_case trunc_cases[] = {
#include "tests/unit/bignum_trunc.inc"
};

TEST(from_double_matches_erl) {
    for (size_t i = 0; i < sizeof trunc_cases / sizeof trunc_cases[0]; i++) {
        size_t need = big_need_from_double(trunc_cases[i].f);
        term_t *before = H.htop;
        term_t t = big_from_double(&H, trunc_cases[i].f);
        CHECK((size_t)(H.htop - before) <= need);
        CHECK_EQ_STR(text(t, 10), trunc_cases[i].v);
    }
}

TEST(compare_with_floats) {
    term_t two64 = big_bsl(&H, make_small(1), 64);
    CHECK(big_compare_double(two64, 18446744073709551616.0) == 0);
    CHECK(big_compare_double(big_add(&H, two64, make_small(1)), 18446744073709551616.0) == 1);
    CHECK(big_compare_double(big_neg(&H, two64), -18446744073709551616.0) == 0);
    CHECK(big_compare_double(make_small(3), 3.5) == -1);
    CHECK(big_compare_double(make_small(-3), -3.5) == 1);
    CHECK(big_compare_double(make_small(0), -0.0) == 0);
    CHECK(big_compare_double(big_bsl(&H, make_small(1), 2000), 1e308) == 1);
    /* 2^53 + 1 is not equal to the double 2^53 (no rounding in compare) */
    CHECK(big_compare_double(make_small((1LL << 53) + 1), 9007199254740992.0) == 1);
}

/* xorshift64*: fixed seed, same operands every run */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static term_t random_int(size_t max_digits) {
    size_t n = 1 + rng() % max_digits;
    uint64_t d[200];
    for (size_t i = 0; i < n; i++) d[i] = rng();
    if (rng() % 4 == 0) d[n - 1] >>= rng() % 64; /* vary the top digit */
    return big_from_digits(&H, rng() & 1, d, n);
}

TEST(division_identity_random) {
    for (int i = 0; i < 400; i++) {
        term_t n = random_int(i < 300 ? 12 : 120);
        term_t d = random_int(i % 2 ? 6 : 60);
        if (is_small(d) && small_value(d) == 0) continue;
        term_t r;
        term_t q = big_divrem(&H, n, d, &r);
        CHECK(normalised(q) && normalised(r));
        /* q*d + r == n, |r| < |d|, sign(r) == sign(n) or r == 0 */
        term_t back = big_add(&H, big_mul(&H, q, d), r);
        if (big_compare(back, n) != 0) CHECK_FAIL_("q*d+r != n for %s / %s", text(n, 16), text(d, 16));
        term_t ar = big_compare(r, make_small(0)) < 0 ? big_neg(&H, r) : r;
        term_t ad = big_compare(d, make_small(0)) < 0 ? big_neg(&H, d) : d;
        CHECK(big_compare(ar, ad) < 0);
        CHECK(r == make_small(0) || (big_compare(r, make_small(0)) < 0) == (big_compare(n, make_small(0)) < 0));
    }
}

TEST(karatsuba_matches_schoolbook_identities) {
    /* (a+b)^2 == a^2 + 2ab + b^2 with operands above the Karatsuba threshold,
     * balanced and unbalanced */
    for (int i = 0; i < 20; i++) {
        term_t a = random_int(150), b = random_int(i % 2 ? 150 : 40);
        term_t s = big_add(&H, a, b);
        term_t lhs = big_mul(&H, s, s);
        term_t rhs = big_add(&H, big_add(&H, big_mul(&H, a, a), big_mul(&H, big_mul(&H, a, b), make_small(2))),
                             big_mul(&H, b, b));
        CHECK(big_compare(lhs, rhs) == 0);
        /* (a*b)/b == a */
        if (!(is_small(b) && small_value(b) == 0)) CHECK(big_compare(big_div(&H, big_mul(&H, a, b), b), a) == 0);
    }
}

TEST(text_round_trip_random) {
    for (int i = 0; i < 100; i++) {
        term_t a = random_int(30);
        unsigned base = 2 + (unsigned)(rng() % 35);
        const char *t = text(a, base);
        CHECK(big_compare(big_from_text(&H, t, strlen(t), base), a) == 0);
    }
}

TEST(shift_identities_random) {
    for (int i = 0; i < 200; i++) {
        term_t a = random_int(10);
        int64_t k = (int64_t)(rng() % 300);
        /* (a bsl k) bsr k == a; a bsr k == floor(a / 2^k) */
        CHECK(big_compare(big_bsl(&H, big_bsl(&H, a, k), -k), a) == 0);
        term_t p = big_bsl(&H, make_small(1), k);
        term_t r, q = big_divrem(&H, a, p, &r);
        if (big_compare(r, make_small(0)) < 0) q = big_sub(&H, q, make_small(1));
        CHECK(big_compare(big_bsl(&H, a, -k), q) == 0);
        /* bnot bnot a == a; a bxor a == 0; a band bnot a == 0 */
        CHECK(big_compare(big_bnot(&H, big_bnot(&H, a)), a) == 0);
        CHECK(big_bxor(&H, a, a) == make_small(0));
        CHECK(big_band(&H, a, big_bnot(&H, a)) == make_small(0));
        CHECK(big_bor(&H, a, big_bnot(&H, a)) == make_small(-1));
    }
}

TEST(heap_need_is_respected) {
    term_t a = num("-1606938044258990275541962092341162602522215339461694069869266");
    term_t b = num("265252859812191058636308480000000");
    struct { size_t need; term_t (*f)(Heap *, term_t, term_t); } ops[] = {
        {big_need_add(a, b), big_add}, {big_need_add(a, b), big_sub}, {big_need_mul(a, b), big_mul},
        {big_need_div(a, b), big_div}, {big_need_rem(a, b), big_rem}, {big_need_bitwise(a, b), big_band},
        {big_need_bitwise(a, b), big_bor}, {big_need_bitwise(a, b), big_bxor},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        Heap h;
        heap_init(&h, ops[i].need);
        ops[i].f(&h, a, b);
        CHECK(h.mbuf == NULL); /* fitted in exactly `need` words */
        heap_destroy(&h);
    }
    CHECK(big_need_shift(a, (int64_t)1 << 40) == BIG_NEED_TOO_BIG);
}

int main(void) {
    atom_init();
    heap_init(&H, 1 << 16);
    RUN(small_boundaries);
    RUN(ops_match_erl);
    RUN(bnot_matches_erl);
    RUN(bases_match_erl);
    RUN(factorial_100);
    RUN(to_double_matches_erl);
    RUN(from_double_matches_erl);
    RUN(compare_with_floats);
    RUN(division_identity_random);
    RUN(karatsuba_matches_schoolbook_identities);
    RUN(text_round_trip_random);
    RUN(shift_identities_random);
    RUN(heap_need_is_respected);
    heap_destroy(&H);
    return CHECK_DONE();
}
