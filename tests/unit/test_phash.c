/*
 * test_phash.c — erlang:phash2/1,2 against stock erl (OTP 25). Each term
 * of etf_cases.inc is rebuilt here by decoding erl's term_to_binary bytes,
 * then hashed; the expected hashes are erl's.
 */
#include "tests/unit/check.h"
#include "vm/atom.h"
#include "vm/binary.h"
#include "vm/etf.h"
#include "vm/heap.h"
#include "vm/phash.h"

struct etf_case {
    const char *text;
    const uint8_t *bytes;
    size_t len;
    uint32_t phash2, phash2_7, phash2_2_32;
};
static const struct etf_case cases[] = {
#include "tests/unit/etf_cases.inc"
};

static Heap H;
static const ErtsMFA lists_map = {0, 0, 2};
static const ErtsMFA *resolve(void *arg, term_t m, term_t f, uint32_t a) {
    (void)arg;
    static ErtsMFA mfa;
    mfa = lists_map;
    mfa.module = m;
    mfa.function = f;
    mfa.arity = a;
    return &mfa;
}

TEST(phash2_matches_erl) {
    EtfOptions o = {0};
    o.resolve_export = resolve;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct etf_case *c = &cases[i];
        term_t t;
        EtfError e = etf_decode(&H, c->bytes, c->len, &o, &t);
        if (e) {
            CHECK_FAIL_("decode %s: %s", c->text, etf_error_name(e));
            continue;
        }
        uint32_t h1 = phash2(t), h7 = phash2_range(t, 7), h32 = phash2_range(t, (uint64_t)1 << 32);
        if (h1 != c->phash2 || h7 != c->phash2_7 || h32 != c->phash2_2_32)
            CHECK_FAIL_("phash2(%s) = %u/%u/%u, expected %u/%u/%u", c->text, h1, h7, h32, c->phash2,
                        c->phash2_7, c->phash2_2_32);
    }
}

TEST(phash2_unaligned_sub_binary) {
    /* <<_:3, Sub/bitstring>> = <<1,2,3>>: erl gives phash2(Sub) = 111020215
     * (row "<<8,16,3:5>>" of etf_cases.inc); here Sub is a real unaligned
     * sub binary, not a copy. */
    static const uint8_t b[] = {1, 2, 3};
    term_t bin = binary_new(&H, b, 3);
    term_t sub = sub_binary_new(&H, bin, 3, 21);
    CHECK_EQ_INT(phash2(sub), 111020215);
    /* and a ProcBin-backed one: a 100-byte binary equals the erl row */
    uint8_t big[100];
    for (int i = 0; i < 100; i++) big[i] = (uint8_t)(i + 1);
    term_t pb = binary_new(&H, big, 100);
    CHECK(boxed_subtag(pb) == REFC_BINARY_SUBTAG);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].len == 106 && cases[i].bytes[1] == ETF_BINARY) CHECK_EQ_INT(phash2(pb), cases[i].phash2);
    }
}

TEST(phash2_immediates) {
    /* erl: phash2(abc) = 26499, phash2(true) = 506293, phash2([]) = 113427502 */
    CHECK_EQ_INT(phash2(atom_intern_cstr("abc")), 26499);
    CHECK_EQ_INT(phash2(ATOM_true), 506293);
    CHECK_EQ_INT(phash2(NIL), 113427502);
    CHECK_EQ_INT(phash2(make_small(0)), 88723725);
    CHECK_EQ_INT(phash2(make_small(SMALL_MAX)), 27520264);
}

int main(void) {
    atom_init();
    heap_init(&H, 1 << 16);
    RUN(phash2_matches_erl);
    RUN(phash2_unaligned_sub_binary);
    RUN(phash2_immediates);
    heap_destroy(&H);
    return CHECK_DONE();
}
