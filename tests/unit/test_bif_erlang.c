/*
 * test_bif_erlang.c — the pure BIFs of module erlang against stock erl
 * (OTP 25): every row of bif_cases.inc (tests/unit/gen/bifgen.erl) is
 * called here and its result or error compared exactly (=:=).
 */
#include "tests/unit/bif_test_util.h"
#include "vm/binary.h"

static const struct bif_case cases[] = {
#include "tests/unit/bif_cases.inc"
};

static Process *P;

TEST(erl_rows) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) test_run_case(P, &cases[i]);
}

TEST(float_printing_round_trips) {
    /* float_to_list(F, [short]) must read back as F */
    BifFn to = test_bif_lookup("erlang", "float_to_list", 2), from = test_bif_lookup("erlang", "list_to_float", 1);
    term_t shortopt[1];
    term_t *hp = heap_alloc(&P->h, 2);
    shortopt[0] = make_cons(hp, ATOM_short, NIL);
    double vals[] = {1e-310, 3.0e-5, 123.456e100, 0.1 + 0.2, 1.0 / 3};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        term_t a[2] = {make_float(heap_alloc(&P->h, FLOAT_WORDS), vals[i]), shortopt[0]};
        term_t l = to(P, a);
        term_t b[1] = {l};
        term_t f = from(P, b);
        CHECK(f != THE_NON_VALUE && float_value(f) == vals[i]);
    }
}

int main(void) {
    atom_init();
    P = test_proc();
    RUN(erl_rows);
    RUN(float_printing_round_trips);
    return CHECK_DONE();
}
