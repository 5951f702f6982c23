/*
 * test_bif_misc.c — vm/bif_erlang_misc.c and vm/bif_erlang_text.c against
 * results taken from stock erl (OTP 25, TZ=UTC).
 */
#include "tests/unit/bif_test_util.h"
#include "vm/bif_util.h"

static Process *P;

static term_t call(const char *m, const char *f, unsigned a, term_t *args) {
    BifFn fn = test_bif_lookup(m, f, a);
    if (!fn) return THE_NON_VALUE;
    P->freason = EXC_NONE;
    return fn(P, args);
}

static term_t str(const char *s) { return bif_bytes_to_list(&P->h, (const uint8_t *)s, strlen(s), NIL); }
static term_t atom(const char *s) { return atom_intern_cstr(s); }
static term_t tup(unsigned n, const term_t *e) {
    term_t *hp = heap_alloc(&P->h, tuple_words(n));
    term_t t = make_tuple_header(hp, n);
    memcpy(hp + 1, e, n * sizeof(term_t));
    return t;
}
static term_t dt(int64_t y, int64_t mo, int64_t d, int64_t h, int64_t mi, int64_t s) {
    term_t a[3] = {make_small(y), make_small(mo), make_small(d)}, b[3] = {make_small(h), make_small(mi), make_small(s)};
    term_t c[2] = {tup(3, a), tup(3, b)};
    return tup(2, c);
}

/* Checks that the result prints as `want` ("badarg" = that error). */
static void expect(const char *what, term_t got, const char *want) {
    char b[600];
    if (got == THE_NON_VALUE) {
        snprintf(b, sizeof b, "%s", P->fvalue == ATOM_badarg ? "badarg" : "error");
    } else {
        term_print(b, sizeof b, got);
    }
    if (strcmp(b, want)) CHECK_FAIL_("%s = %s, expected %s", what, b, want);
}

#define E1(f, a0, want) do { term_t av_[1] = {a0}; expect(#f "(" #a0 ")", call("erlang", f, 1, av_), want); } while (0)
#define E2(f, a0, a1, want) do { term_t av_[2] = {a0, a1}; expect(#f "(" #a0 "," #a1 ")", call("erlang", f, 2, av_), want); } while (0)
#define E3(f, a0, a1, a2, want) do { term_t av_[3] = {a0, a1, a2}; expect(#f "(" #a0 "," #a1 "," #a2 ")", call("erlang", f, 3, av_), want); } while (0)

TEST(ident_text) {
    E1("list_to_pid", str("<0.1.2>"), "<0.1.2>");
    E1("list_to_pid", str("<00.01.2>"), "<0.1.2>");
    E1("list_to_pid", str("<0.32767.8191>"), "<0.32767.8191>");
    E1("list_to_pid", str("<0.1.2> "), "badarg");
    E1("list_to_pid", str("<1.1.2>"), "badarg");
    E1("list_to_pid", str("<0.-1.2>"), "badarg");
    E1("list_to_pid", str("<0..2>"), "badarg");
    E1("list_to_pid", str("<0.1.2"), "badarg");
    E1("list_to_pid", str(""), "badarg");
    E1("list_to_pid", str("<0.268435456.2>"), "badarg");
    E1("list_to_pid", str("<0.1.4294967296>"), "badarg");
    E1("list_to_pid", atom("a"), "badarg");
    E1("pid_to_list", make_internal_pid(9, 0), "\"<0.9.0>\"");
    E1("pid_to_list", atom("a"), "badarg");
    E1("list_to_port", str("#Port<0.5>"), "#Port<0.5>");
    E1("list_to_port", str("#Port<0.268435455>"), "#Port<0.268435455>");
    E1("list_to_port", str("#Port<0.268435456>"), "badarg");
    E1("list_to_port", str("#Port<1.5>"), "badarg");
    E1("list_to_port", str("#port<0.1>"), "badarg");
    E1("list_to_port", str("#Port<0.>"), "badarg");
    E1("port_to_list", make_internal_port(5), "\"#Port<0.5>\"");
    E1("port_to_list", make_internal_pid(1, 1), "badarg");
    E1("list_to_ref", str("#Ref<0.1.2.3>"), "#Ref<0.1.2.3>");
    E1("list_to_ref", str("#Ref<0.0.0.0>"), "#Ref<0.0.0.0>");
    E1("list_to_ref", str("#Ref<0.1.2>"), "badarg");
    E1("list_to_ref", str("#Ref<0.1.2.3.4>"), "badarg");
    E1("list_to_ref", str("#Ref<1.1.2.3>"), "badarg");
    E1("list_to_ref", str("#Ref<0.4294967296.2.3>"), "badarg");
    term_t a[1] = {str("#Ref<0.1.2.262143>")};
    term_t r = call("erlang", "list_to_ref", 1, a);
    E1("ref_to_list", r, "\"#Ref<0.1.2.262143>\"");
    CHECK(ref_number(r, 0) == 262143 && ref_number(r, 2) == 1);
    E1("ref_to_list", atom("x"), "badarg");
}

TEST(fun_text) {
    static const ErtsMFA mfa = {0, 0, 2}, q = {0, 0, 0};
    ErtsMFA m1 = mfa, m2 = q;
    m1.module = atom("lists"); m1.function = atom("map");
    m2.module = atom("A b"); m2.function = atom("c d");
    term_t f1 = make_export_fun(heap_alloc(&P->h, EXPORT_FUN_WORDS), &m1);
    term_t f2 = make_export_fun(heap_alloc(&P->h, EXPORT_FUN_WORDS), &m2);
    E1("fun_to_list", f1, "\"fun lists:map/2\"");
    E1("fun_to_list", f2, "\"fun 'A b':'c d'/0\"");
    FunEntry fe = {atom("t"), 101, 75393720, 1, 0, NULL};
    term_t *hp = heap_alloc(&P->h, fun_words(0));
    hp[0] = make_header(1, FUN_SUBTAG);
    hp[1] = (term_t)(uintptr_t)&fe;
    E1("fun_to_list", make_boxed(hp), "\"#Fun<t.101.75393720>\"");
    E1("fun_to_list", atom("a"), "badarg");
}

TEST(nodes) {
    term_t none[1] = {NIL};
    expect("node()", call("erlang", "node", 0, none), "nonode@nohost");
    E1("node", make_internal_pid(1, 0), "nonode@nohost");
    E1("node", atom("a"), "badarg");
    expect("nodes()", call("erlang", "nodes", 0, none), "[]");
    E1("nodes", atom("visible"), "[]");
    E1("nodes", atom("this"), "[nonode@nohost]");
    E1("nodes", atom("known"), "[nonode@nohost]");
    E1("nodes", atom("a"), "badarg");
    E1("nodes", NIL, "[]");
    term_t l = make_cons(heap_alloc(&P->h, 2), atom("connected"), NIL);
    l = make_cons(heap_alloc(&P->h, 2), atom("this"), l);
    E1("nodes", l, "[nonode@nohost]");
    E1("nodes", make_cons(heap_alloc(&P->h, 2), atom("this"), atom("x")), "badarg");
    E1("nodes", make_cons(heap_alloc(&P->h, 2), atom("foo"), NIL), "badarg");
}

TEST(builtin_and_records) {
    E3("is_builtin", atom("erlang"), atom("crc32"), make_small(1), "true");
    E3("is_builtin", atom("erlang"), atom("crc32"), make_small(3), "false");
    E3("is_builtin", atom("erlang"), atom("self"), make_small(-1), "false");
    E3("is_builtin", atom("erlang"), str("self"), make_small(0), "badarg");
    term_t r[2] = {atom("r"), atom("undefined")};
    term_t rec = tup(2, r);
    E2("is_record", rec, atom("r"), "true");
    E2("is_record", rec, str("r"), "badarg");
    E2("is_record", atom("x"), atom("r"), "false");
    E2("is_record", tup(0, r), atom("r"), "false");
    E3("is_record", rec, atom("r"), make_small(2), "true");
    E3("is_record", rec, atom("r"), make_small(3), "false");
    E3("is_record", rec, atom("r"), make_small(-1), "false");
    E3("is_record", atom("x"), atom("r"), atom("a"), "badarg");
    E3("is_record", rec, atom("r"), bif_make_int64(&P->h, INT64_MAX), "badarg");
}

TEST(tuples) {
    term_t e[3] = {atom("a"), atom("b"), atom("c")};
    term_t t = tup(3, e);
    E2("delete_element", make_small(2), t, "{a,c}");
    E2("delete_element", make_small(1), tup(1, e), "{}");
    E2("delete_element", make_small(0), t, "badarg");
    E2("delete_element", make_small(4), t, "badarg");
    E2("delete_element", make_small(1), tup(0, e), "badarg");
    E2("delete_element", atom("a"), t, "badarg");
    E3("insert_element", make_small(4), t, atom("d"), "{a,b,c,d}");
    E3("insert_element", make_small(1), t, atom("d"), "{d,a,b,c}");
    E3("insert_element", make_small(2), t, atom("d"), "{a,d,b,c}");
    E3("insert_element", make_small(5), t, atom("d"), "badarg");
    E3("insert_element", make_small(1), tup(0, e), atom("d"), "{d}");
    E3("insert_element", make_small(0), t, atom("d"), "badarg");
    E3("insert_element", make_small(1), atom("x"), atom("d"), "badarg");
}

TEST(checksums) {
    E1("crc32", str("hello"), "907060870");
    term_t l = make_cons(heap_alloc(&P->h, 2), str("llo"), NIL);
    E2("crc32", make_small(5), make_cons(heap_alloc(&P->h, 2), str("he"), l), "4277152246");
    E2("crc32", make_small(-1), str("a"), "badarg");
    E2("crc32", make_small(4294967296), str("a"), "badarg");
    E2("crc32", make_small(4294967295), str("a"), "3310005809");
    E2("crc32", make_small(4294967295), NIL, "4294967295");
    E1("crc32", make_cons(heap_alloc(&P->h, 2), make_small(256), NIL), "badarg");
    E1("adler32", str("hello"), "103547413");
    E2("adler32", make_small(7), str("hello"), "105513499");
    E2("adler32", make_small(0), str(""), "0");
    E2("adler32", make_small(4294967295), str("abc"), "42074420");
    E2("adler32", make_small(4294967296), str(""), "badarg");
    E1("adler32", make_small(123), "badarg");
    uint8_t big[10000];
    memset(big, 255, sizeof big);
    E1("adler32", bif_bytes_to_list(&P->h, big, sizeof big, NIL), "3055807275");
    E1("crc32", bif_bytes_to_list(&P->h, big, sizeof big, NIL), "322730253");
}

TEST(calendar) {
    E2("localtime_to_universaltime", dt(2020, 1, 1, 0, 0, 0), atom("true"), "{{2019,12,31},{23,0,0}}");
    E2("localtime_to_universaltime", dt(2020, 1, 1, 0, 0, 0), atom("undefined"), "{{2020,1,1},{0,0,0}}");
    E2("localtime_to_universaltime", dt(2020, 1, 1, 0, 0, 0), atom("foo"), "badarg");
    E2("localtime_to_universaltime", dt(2020, 2, 30, 0, 0, 0), atom("false"), "badarg");
    E2("localtime_to_universaltime", dt(2020, 2, 29, 0, 0, 0), atom("false"), "{{2020,2,29},{0,0,0}}");
    E2("localtime_to_universaltime", dt(2100, 2, 29, 0, 0, 0), atom("false"), "badarg");
    E2("localtime_to_universaltime", dt(2020, 1, 1, 24, 0, 0), atom("false"), "badarg");
    E2("localtime_to_universaltime", dt(1600, 1, 1, 0, 0, 0), atom("false"), "badarg");
    E2("localtime_to_universaltime", dt(1970, 1, 1, 0, 30, 0), atom("true"), "{{1969,12,31},{23,30,0}}");
    E2("localtime_to_universaltime", dt(100000, 1, 1, 0, 0, 0), atom("false"), "{{100000,1,1},{0,0,0}}");
    E1("universaltime_to_localtime", dt(1969, 1, 1, 0, 0, 0), "{{1969,1,1},{0,0,0}}");
    E1("universaltime_to_localtime", dt(2020, 1, 1, 0, 0, 60), "badarg");
    E1("universaltime_to_localtime", dt(1901, 12, 31, 23, 59, 59), "badarg");
    E1("universaltime_to_localtime", dt(2147483647, 1, 1, 0, 0, 0), "badarg");
    E1("universaltime_to_posixtime", dt(2020, 1, 1, 0, 0, 0), "1577836800");
    E1("universaltime_to_posixtime", dt(1969, 12, 31, 23, 59, 59), "-1");
    E1("universaltime_to_posixtime", dt(1901, 12, 31, 23, 59, 59), "-2145916801");
    E1("universaltime_to_posixtime", dt(1600, 1, 1, 0, 0, 0), "-11676096000");
    E1("universaltime_to_posixtime", dt(2147483646, 1, 1, 0, 0, 0), "67767976170460800");
    E1("universaltime_to_posixtime", dt(2147483647, 1, 1, 0, 0, 0), "badarg");
    E1("universaltime_to_posixtime", dt(1, 1, 1, 0, 0, 0), "badarg");
    E1("universaltime_to_posixtime", dt(2020, 13, 1, 0, 0, 0), "badarg");
    E1("posixtime_to_universaltime", make_small(1577836800), "{{2020,1,1},{0,0,0}}");
    E1("posixtime_to_universaltime", make_small(-1), "{{1969,12,31},{23,59,59}}");
    /* Years <= 0: OTP 25 gives {{-1,12,31},{0,0,0}} for -62167219200 (its
     * day arithmetic is off by a year there); we give the proleptic
     * Gregorian {{0,1,1},{0,0,0}}. Not copied, not tested. */
    E1("posixtime_to_universaltime", make_small(-62135596800), "{{1,1,1},{0,0,0}}");
    E1("posixtime_to_universaltime", make_small(253402300800), "{{10000,1,1},{0,0,0}}");
    E1("posixtime_to_universaltime", make_small(67767976233316799), "{{2147483647,12,29},{11,59,59}}");
    E1("posixtime_to_universaltime", atom("a"), "badarg");
}

TEST(misc) {
    term_t none[1] = {NIL};
    P->fcalls = 4000;
    E1("bump_reductions", make_small(10), "true");
    CHECK(P->fcalls == 3990);
    E1("bump_reductions", make_small(-1), "badarg");
    E1("bump_reductions", atom("a"), "badarg");
    expect("os:getpid()", call("os", "getpid", 0, none), "\"1\"");
    term_t a = call("os", "perf_counter", 0, none), b = call("os", "perf_counter", 0, none);
    CHECK(is_small(a) && is_small(b) && small_value(b) >= small_value(a));
    term_t u[1] = {atom("second")};
    term_t st = call("os", "system_time", 1, u);
    if (!is_small(st) || small_value(st) < 1600000000) { char sb[100]; term_print(sb, sizeof sb, st); CHECK_FAIL_("os:system_time(second) = %s", sb); }
    term_t bad[1] = {atom("a")};
    CHECK(call("os", "system_time", 1, bad) == THE_NON_VALUE);
    term_t prev = call("erlang", "now", 0, none);
    for (int i = 0; i < 1000; i++) {
        term_t n = call("erlang", "now", 0, none);
        CHECK(is_tuple(n) && tuple_arity(n) == 3);
        CHECK(small_value(tuple_element(n, 2)) < 1000000 && small_value(tuple_element(n, 3)) < 1000000);
        CHECK(term_compare(prev, n) < 0);
        prev = n;
    }
}

int main(void) {
    atom_init();
    P = test_proc();
    RUN(ident_text);
    RUN(fun_text);
    RUN(nodes);
    RUN(builtin_and_records);
    RUN(tuples);
    RUN(checksums);
    RUN(calendar);
    RUN(misc);
    return CHECK_DONE();
}
