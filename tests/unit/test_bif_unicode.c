/*
 * test_bif_unicode.c — unicode:characters_to_binary/2, characters_to_list/2,
 * bin_is_7bit/1 and erlang:md5* against stock erl (OTP 25): every row of
 * uni_cases.inc (tests/unit/gen/unigen.erl) is called and compared (=:=);
 * md5's streaming context is opaque, so it is checked against md5/1.
 */
#include "tests/unit/bif_test_util.h"
#include "vm/bif_util.h"
#include "vm/binary.h"

static const struct bif_case cases[] = {
#include "tests/unit/uni_cases.inc"
};

static Process *P;

TEST(erl_rows) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) test_run_case(P, &cases[i]);
}

TEST(md5_streaming_equals_one_shot) {
    BifFn init = test_bif_lookup("erlang", "md5_init", 0), upd = test_bif_lookup("erlang", "md5_update", 2),
          fin = test_bif_lookup("erlang", "md5_final", 1), one = test_bif_lookup("erlang", "md5", 1);
    uint8_t buf[300];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)(i * 7);
    term_t ctx = init(P, NULL);
    size_t chunks[] = {0, 1, 63, 64, 65, 107};
    size_t at = 0;
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        term_t a[2] = {ctx, binary_new(&P->h, buf + at, chunks[i])};
        ctx = upd(P, a);
        CHECK(ctx != THE_NON_VALUE);
        at += chunks[i];
    }
    term_t whole = binary_new(&P->h, buf, at);
    term_t d1 = fin(P, &ctx), d2 = one(P, &whole);
    CHECK(d1 != THE_NON_VALUE && d2 != THE_NON_VALUE && term_eq_exact(d1, d2));
}

int main(void) {
    atom_init();
    P = test_proc();
    RUN(erl_rows);
    RUN(md5_streaming_equals_one_shot);
    return CHECK_DONE();
}
