/*
 * test_bif_binary.c — the binary module's BIFs against stock erl (OTP 25):
 * every row of bin_cases.inc (tests/unit/gen/bingen.erl) is called here
 * and its result or error compared exactly (=:=); compiled patterns are
 * checked through match/split, since OTP's are opaque references.
 */
#include "tests/unit/bif_test_util.h"
#include "vm/bif_util.h"
#include "vm/binary.h"

static const struct bif_case cases[] = {
#include "tests/unit/bin_cases.inc"
};

static Process *P;

TEST(erl_rows) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) test_run_case(P, &cases[i]);
}

static term_t bin(const char *s) { return binary_new(&P->h, (const uint8_t *)s, strlen(s)); }
static term_t list2(term_t a, term_t b) {
    return make_cons(heap_alloc(&P->h, 2), a, make_cons(heap_alloc(&P->h, 2), b, NIL));
}

TEST(compiled_patterns) {
    BifFn compile = test_bif_lookup("binary", "compile_pattern", 1), match = test_bif_lookup("binary", "match", 2),
          matches = test_bif_lookup("binary", "matches", 2);
    term_t a1[1] = {list2(bin("bc"), bin("bcd"))};
    term_t cp = compile(P, a1);
    CHECK(cp != THE_NON_VALUE && is_tuple(cp));
    /* binary:match(<<"abcde">>, binary:compile_pattern([<<"bc">>,<<"bcd">>])) -> {1,3} */
    term_t a2[2] = {bin("abcde"), cp};
    term_t r = match(P, a2);
    CHECK(is_tuple(r) && tuple_element(r, 1) == make_small(1) && tuple_element(r, 2) == make_small(3));
    term_t a3[1] = {bin("x")};
    term_t cp1 = compile(P, a3);
    term_t a4[2] = {bin("xaxx"), cp1};
    r = matches(P, a4);
    CHECK(is_list(r) && bif_list_length(r) == 3);
    term_t a5[1] = {NIL};
    CHECK(compile(P, a5) == THE_NON_VALUE);
    term_t a6[1] = {bin("")};
    CHECK(compile(P, a6) == THE_NON_VALUE);
}

int main(void) {
    atom_init();
    P = test_proc();
    RUN(erl_rows);
    RUN(compiled_patterns);
    return CHECK_DONE();
}
