/*
 * test_match_spec.c — the match-spec compiler and interpreter through the
 * fixed API of vm/match_spec.h: heads, guards, bodies, OTP's exception
 * rules, malformed specs refused with OTP's messages (and never a crash,
 * also for hostile nesting), results that outlive both the object and the
 * spec (ASan checks that nothing points into either), the ETS helpers
 * ms_bound_key/ms_returns_object, and concurrent runs of one spec.
 */
#include <pthread.h>
#include <stdarg.h>

#include "tests/unit/bif_test_util.h"
#include "vm/bif_util.h"
#include "vm/match_spec.h"
#include "vm/term_copy.h"

static Process *P;

/* ---- building terms on a heap ---- */

static Heap *H; /* where the builders allocate */

static term_t A(const char *s) { return atom_intern_cstr(s); }
static term_t I(int64_t v) { return make_small(v); }

static term_t T(unsigned n, ...) {
    va_list ap;
    va_start(ap, n);
    term_t *hp = heap_alloc(H, tuple_words(n));
    term_t t = make_tuple_header(hp, n);
    for (unsigned i = 1; i <= n; i++) hp[i] = va_arg(ap, term_t);
    va_end(ap);
    return t;
}

/* A proper list of n terms. */
static term_t L(unsigned n, ...) {
    va_list ap;
    term_t items[32];
    va_start(ap, n);
    for (unsigned i = 0; i < n; i++) items[i] = va_arg(ap, term_t);
    va_end(ap);
    term_t l = NIL;
    for (unsigned i = n; i-- > 0;) l = make_cons(heap_alloc(H, CONS_WORDS), items[i], l);
    return l;
}

static term_t cons(term_t h, term_t t) { return make_cons(heap_alloc(H, CONS_WORDS), h, t); }

/* One clause {Head, Guards, Body} as a whole spec. */
static term_t spec1(term_t head, term_t guards, term_t body) { return L(1, T(3, head, guards, body)); }

static bool same(term_t a, term_t b) { return term_eq_exact(a, b); }

/* Runs a one-off spec on obj: the result, A("$nomatch") or A("$bad"). */
static term_t run(term_t spec, term_t obj) {
    MatchSpec *ms = ms_compile(spec, MS_KIND_TABLE);
    if (!ms) return A("$bad");
    term_t r;
    bool ok = ms_run(ms, P, obj, &r);
    ms_free(ms);
    return ok ? r : A("$nomatch");
}

/* The first diagnostic for spec, or "" if it compiles. */
static char diag_buf[256];
static const char *diag(term_t spec, int kind) {
    MsErrors e;
    MatchSpec *ms = ms_compile_diag(spec, kind, &e);
    if (ms) {
        ms_free(ms);
        return "";
    }
    snprintf(diag_buf, sizeof diag_buf, "%s", e.n ? e.msg[0] : "(none)");
    ms_errors_free(&e);
    return diag_buf;
}

/* ---- tests ---- */

TEST(heads) {
    term_t obj = T(2, A("a"), I(1));
    CHECK(same(run(spec1(T(2, A("$1"), A("$2")), NIL, L(1, A("$$"))), obj), L(2, A("a"), I(1))));
    CHECK(same(run(spec1(T(2, A("$2"), A("$1")), NIL, L(1, A("$$"))), obj), L(2, I(1), A("a"))));
    CHECK(same(run(spec1(A("_"), NIL, L(1, A("$_"))), obj), obj));
    CHECK(run(spec1(T(3, A("_"), A("_"), A("_")), NIL, L(1, A("x"))), obj) == A("$nomatch"));
    CHECK(run(spec1(T(2, A("$1"), A("$1")), NIL, L(1, A("x"))), obj) == A("$nomatch"));
    CHECK(run(spec1(T(2, A("$1"), A("$1")), NIL, L(1, A("$1"))), T(2, A("b"), A("b"))) == A("b"));
    /* =:= for repeated variables and literals: 1 is not 1.0 */
    term_t f = make_float(heap_alloc(H, FLOAT_WORDS), 1.0);
    CHECK(run(spec1(T(2, A("$1"), A("$1")), NIL, L(1, A("x"))), T(2, I(1), f)) == A("$nomatch"));
    CHECK(run(spec1(T(2, A("a"), I(1)), NIL, L(1, A("x"))), T(2, A("a"), f)) == A("$nomatch"));
    /* lists in heads */
    CHECK(run(spec1(cons(A("$1"), A("_")), NIL, L(1, A("$1"))), L(2, A("h"), A("t"))) == A("h"));
    CHECK(run(spec1(cons(A("$1"), A("_")), NIL, L(1, A("$1"))), NIL) == A("$nomatch"));
}

TEST(guards) {
    term_t obj = T(2, A("a"), I(5));
    term_t head = T(2, A("$1"), A("$2"));
    CHECK(run(spec1(head, L(1, T(3, A(">"), A("$2"), I(3))), L(1, A("yes"))), obj) == A("yes"));
    CHECK(run(spec1(head, L(1, T(3, A(">"), A("$2"), I(9))), L(1, A("yes"))), obj) == A("$nomatch"));
    CHECK(run(spec1(head, L(1, T(2, A("is_atom"), A("$1"))), L(1, A("yes"))), obj) == A("yes"));
    /* a guard that raises is false, and the next clause is tried */
    term_t bad_guard = T(3, A("+"), A("$1"), I(1));
    term_t sp = L(2, T(3, head, L(1, bad_guard), L(1, A("x"))), T(3, A("_"), NIL, L(1, A("y"))));
    CHECK(run(sp, obj) == A("y"));
    /* a value other than true fails the guard */
    CHECK(run(spec1(head, L(1, A("$2")), L(1, A("x"))), obj) == A("$nomatch"));
    /* andalso / orelse short-circuit; and / or are strict */
    CHECK(run(spec1(head, L(1, T(3, A("orelse"), A("true"), bad_guard)), L(1, A("x"))), obj) == A("x"));
    CHECK(run(spec1(head, L(1, T(3, A("or"), A("true"), bad_guard)), L(1, A("x"))), obj) == A("$nomatch"));
}

TEST(bodies) {
    term_t obj = T(2, A("a"), I(5));
    term_t head = T(2, A("$1"), A("$2"));
    /* {{'$2', '$1'}} builds a tuple; arithmetic through the VM's BIFs */
    CHECK(same(run(spec1(head, NIL, L(1, T(1, T(2, A("$2"), A("$1"))))), obj), T(2, I(5), A("a"))));
    CHECK(run(spec1(head, NIL, L(1, T(3, A("*"), A("$2"), I(3)))), obj) == I(15));
    CHECK(run(spec1(head, NIL, L(1, T(3, A("element"), I(1), A("$_")))), obj) == A("a"));
    CHECK(run(spec1(head, NIL, L(1, T(2, A("const"), A("$1")))), obj) == A("$1"));
    CHECK(run(spec1(head, NIL, L(1, T(1, A("self")))), obj) == P->id);
    /* an exception in a body is 'EXIT' where it happened */
    term_t bad = T(3, A("+"), A("$1"), I(1));
    CHECK(run(spec1(head, NIL, L(1, bad)), obj) == A("EXIT"));
    CHECK(same(run(spec1(head, NIL, L(1, L(2, bad, A("$2")))), obj), L(2, A("EXIT"), I(5))));
    CHECK(run(spec1(head, NIL, L(2, bad, A("last"))), obj) == A("last"));
    CHECK(run(spec1(head, NIL, L(1, T(3, A("and"), A("true"), I(5)))), obj) == A("EXIT"));
    CHECK(run(spec1(head, NIL, L(1, T(3, A("andalso"), A("true"), I(5)))), obj) == I(5));
}

/* The result must not point into the object's heap or into the spec: both
 * are freed before the result is read (ASan reports any dangling use). */
TEST(result_is_copied) {
    Heap objheap;
    heap_init(&objheap, 256);
    Heap *saved = H;
    H = &objheap;
    term_t obj = T(2, L(2, A("x"), T(1, I(7))), make_float(heap_alloc(H, FLOAT_WORDS), 2.5));
    H = saved;
    term_t spec = spec1(T(2, A("$1"), A("$2")), NIL,
                        L(1, L(4, A("$1"), A("$_"), A("$$"), T(2, A("const"), T(2, A("k"), A("v"))))));
    MatchSpec *ms = ms_compile(spec, MS_KIND_TABLE);
    CHECK(ms != NULL);
    term_t r = THE_NON_VALUE;
    CHECK(ms && ms_run(ms, P, obj, &r));
    term_t want_copy_size = term_copy_size(obj);
    ms_free(ms);
    heap_destroy(&objheap);
    if (!is_value(r)) return;
    term_t inner = L(2, A("x"), T(1, I(7)));
    term_t fl = make_float(heap_alloc(H, FLOAT_WORDS), 2.5);
    term_t want = L(4, inner, T(2, inner, fl), L(2, inner, fl), T(2, A("k"), A("v")));
    CHECK(same(r, want));
    CHECK(want_copy_size > 0);
}

/* Malformed specs: NULL, with OTP's messages; hostile shapes never crash. */
TEST(malformed) {
    CHECK(ms_compile(A("foo"), MS_KIND_TABLE) == NULL);
    CHECK(ms_compile(cons(T(3, A("_"), NIL, L(1, A("a"))), A("b")), MS_KIND_TABLE) == NULL);
    CHECK(ms_compile(L(1, T(2, A("_"), NIL)), MS_KIND_TABLE) == NULL);
    CHECK(ms_compile(spec1(A("_"), NIL, NIL), MS_KIND_TABLE) == NULL);
    CHECK(ms_compile(spec1(A("_"), NIL, L(1, A("$1"))), MS_KIND_TABLE) == NULL);
    CHECK(ms_compile(spec1(A("_"), A("g"), L(1, A("a"))), MS_KIND_TABLE) == NULL);
    CHECK(ms_compile(spec1(A("_"), NIL, L(1, T(2, I(1), I(2)))), MS_KIND_TABLE) == NULL);
    CHECK(ms_compile(spec1(A("_"), NIL, L(1, T(0))), MS_KIND_TABLE) == NULL);
    CHECK(ms_compile(L(1, T(3, A("_"), NIL, L(1, A("a")))), 7) == NULL);
    CHECK_EQ_STR(diag(A("foo"), MS_KIND_TABLE), "Match programs are not in a list.");
    CHECK_EQ_STR(diag(spec1(A("_"), NIL, L(1, A("$3"))), MS_KIND_TABLE), "Variable $3 is unbound.");
    CHECK_EQ_STR(diag(spec1(A("_"), NIL, L(1, T(2, A("foo"), I(1)))), MS_KIND_TABLE),
                 "Function foo/1 does_not_exist.");
    CHECK_EQ_STR(diag(spec1(A("_"), NIL, L(1, T(2, A("message"), I(1)))), MS_KIND_TABLE),
                 "Special form 'message' used in wrong dialect.");
    CHECK_EQ_STR(diag(spec1(A("_"), NIL, L(1, T(2, A("message"), I(1)))), MS_KIND_TRACE), "");
    CHECK_EQ_STR(diag(spec1(A("_"), NIL, L(1, T(2, I(1), I(2)))), MS_KIND_TABLE),
                 "{1,2} is neither a function call, nor a tuple (tuples are written {{ ... }}).");
    /* [] is a spec with no clauses: it compiles and matches nothing */
    MatchSpec *empty = ms_compile(NIL, MS_KIND_TABLE);
    term_t r;
    CHECK(empty && !ms_run(empty, P, I(1), &r));
    ms_free(empty);

    /* nesting far deeper than any real spec: refused, not a stack overflow */
    term_t deep = A("x");
    for (int i = 0; i < 200000; i++) deep = T(1, deep);
    CHECK(ms_compile(spec1(A("_"), NIL, L(1, deep)), MS_KIND_TABLE) == NULL);
    term_t deep_head = A("$1");
    for (int i = 0; i < 200000; i++) deep_head = T(1, deep_head);
    CHECK(ms_compile(spec1(deep_head, NIL, L(1, A("$1"))), MS_KIND_TABLE) == NULL);
    /* a deep literal in a body is a constant: fine */
    term_t deep_list = NIL;
    for (int i = 0; i < 100000; i++) deep_list = cons(I(i), deep_list);
    CHECK(run(spec1(A("_"), NIL, L(1, T(2, A("length"), T(2, A("const"), deep_list)))), I(0)) == I(100000));
}

TEST(bound_key_and_object) {
    term_t key = T(2, A("k"), I(1));
    MatchSpec *ms = ms_compile(spec1(T(2, key, A("$1")), NIL, L(1, A("$_"))), MS_KIND_TABLE);
    term_t k = THE_NON_VALUE;
    CHECK(ms && ms_bound_key(ms, 1, &k) && same(k, key));
    CHECK(ms && !ms_bound_key(ms, 2, &k));
    CHECK(ms && !ms_bound_key(ms, 3, &k));
    CHECK(ms && ms_returns_object(ms));
    ms_free(ms);
    /* two clauses, same key: still one key; different keys: no */
    term_t two = L(2, T(3, T(2, A("k"), A("_")), NIL, L(1, A("$_"))), T(3, T(2, A("k"), I(2)), NIL, L(1, A("x"))));
    ms = ms_compile(two, MS_KIND_TABLE);
    CHECK(ms && ms_bound_key(ms, 1, &k) && k == A("k"));
    CHECK(ms && !ms_returns_object(ms));
    ms_free(ms);
    term_t diff = L(2, T(3, T(1, A("k")), NIL, L(1, A("$_"))), T(3, T(1, A("j")), NIL, L(1, A("$_"))));
    ms = ms_compile(diff, MS_KIND_TABLE);
    CHECK(ms && !ms_bound_key(ms, 1, &k));
    CHECK(ms && ms_returns_object(ms));
    ms_free(ms);
    /* a key with a variable or '_' inside is not bound */
    ms = ms_compile(spec1(T(1, T(2, A("k"), A("_"))), NIL, L(1, A("$_"))), MS_KIND_TABLE);
    CHECK(ms && !ms_bound_key(ms, 1, &k));
    ms_free(ms);
    /* guards disqualify returns_object */
    ms = ms_compile(spec1(A("_"), L(1, A("true")), L(1, A("$_"))), MS_KIND_TABLE);
    CHECK(ms && !ms_returns_object(ms) && !ms_bound_key(ms, 1, &k));
    ms_free(ms);
}

/* A failing guard or body leaves the process's exception state alone. */
TEST(no_exception_leaks) {
    P->freason = 0;
    P->fvalue = A("untouched");
    CHECK(run(spec1(A("$1"), L(1, T(3, A("+"), A("$1"), I(1))), L(1, A("x"))), A("a")) == A("$nomatch"));
    CHECK(run(spec1(A("$1"), NIL, L(1, T(3, A("+"), A("$1"), I(1)))), A("a")) == A("EXIT"));
    CHECK_EQ_INT(P->freason, 0);
    CHECK(P->fvalue == A("untouched"));
}

/* More variables than the on-stack frame holds: the frame is malloc'ed. */
TEST(many_variables) {
    enum { N = 200 };
    term_t *hp = heap_alloc(H, tuple_words(N)), *ohp = heap_alloc(H, tuple_words(N));
    term_t head = make_tuple_header(hp, N), obj = make_tuple_header(ohp, N);
    for (int i = 1; i <= N; i++) {
        char name[16];
        snprintf(name, sizeof name, "$%d", i);
        hp[i] = A(name);
        ohp[i] = I(i * 3);
    }
    term_t r = run(spec1(head, L(1, T(3, A("=:="), A("$200"), I(600))), L(1, A("$$"))), obj);
    CHECK(is_list(r) && bif_list_length(r) == N && cons_head(r) == I(3));
}

/* One spec, two threads, each with its own process: same answers. */
static MatchSpec *shared_ms;
static void *runner(void *arg) {
    Process *p = test_proc();
    long *bad = arg;
    for (int i = 0; i < 20000; i++) {
        term_t *hp = heap_alloc(&p->h, tuple_words(2));
        term_t obj = make_tuple_header(hp, 2);
        hp[1] = make_small(i);
        hp[2] = make_small(i + 1);
        term_t r;
        bool ok = ms_run(shared_ms, p, obj, &r);
        if (!ok || !is_tuple(r) || tuple_element(r, 1) != make_small(2 * i + 1)) (*bad)++;
        if (heap_free_words(&p->h) < 1000) {
            heap_destroy(&p->h);
            heap_init(&p->h, 1 << 16);
        }
    }
    heap_destroy(&p->h);
    free(p);
    return NULL;
}

TEST(concurrent_runs) {
    term_t spec = spec1(T(2, A("$1"), A("$2")), L(1, T(2, A("is_integer"), A("$1"))),
                        L(1, T(1, T(3, T(3, A("+"), A("$1"), A("$2")), A("$_"), T(2, A("const"), L(1, A("c")))))));
    shared_ms = ms_compile(spec, MS_KIND_TABLE);
    CHECK(shared_ms != NULL);
    if (!shared_ms) return;
    pthread_t a, b;
    long bad_a = 0, bad_b = 0;
    pthread_create(&a, NULL, runner, &bad_a);
    pthread_create(&b, NULL, runner, &bad_b);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    CHECK_EQ_INT(bad_a, 0);
    CHECK_EQ_INT(bad_b, 0);
    ms_free(shared_ms);
}

/* The trace dialect: heads match argument lists; message and the return /
 * exception trace requests come back in MsTraceOut. */
TEST(trace_dialect) {
    term_t args = L(2, A("a"), I(1));
    term_t spec = spec1(L(2, A("$1"), A("_")), NIL, L(2, T(1, A("return_trace")), T(2, A("message"), A("$1"))));
    MatchSpec *ms = ms_compile(spec, MS_KIND_TRACE);
    CHECK(ms != NULL);
    CHECK(ms_compile(spec, MS_KIND_TABLE) == NULL);
    term_t r;
    MsTraceOut out;
    CHECK(ms && ms_run_trace(ms, P, args, true, &r, &out) && out.message == A("a") && out.return_trace &&
          !out.exception_trace && r == A("true"));
    CHECK(ms && !ms_run_trace(ms, P, L(1, A("a")), true, &r, &out) && !is_value(out.message));
    CHECK(ms && !ms_needs_tracer(ms));
    ms_free(ms);
    /* a tuple head is matched against the arguments one by one */
    ms = ms_compile(spec1(T(2, A("$1"), A("$2")), NIL, L(1, T(2, A("message"), A("$2")))), MS_KIND_TRACE);
    CHECK(ms && ms_run_trace(ms, P, args, true, &r, &out) && out.message == I(1));
    CHECK(ms && !ms_run_trace(ms, P, L(3, I(1), I(2), I(3)), true, &r, &out));
    ms_free(ms);
    /* actions that need a tracer compile, are flagged, and fail at run time */
    ms = ms_compile(spec1(A("_"), NIL, L(1, T(2, A("enable_trace"), A("send")))), MS_KIND_TRACE);
    CHECK(ms && ms_needs_tracer(ms));
    CHECK(ms && ms_run_trace(ms, P, args, true, &r, &out) && r == A("EXIT"));
    ms_free(ms);
    CHECK_EQ_STR(diag(spec1(A("x"), NIL, NIL), MS_KIND_TRACE), "Match head is invalid in this context.");
    CHECK_EQ_STR(diag(spec1(A("_"), L(1, T(2, A("message"), I(1))), NIL), MS_KIND_TRACE),
                 "Special form 'message' called in guard context.");
}

int main(void) {
    atom_init();
    P = test_proc();
    P->id = make_internal_pid(42, 1);
    H = &P->h;
    RUN(heads);
    RUN(guards);
    RUN(bodies);
    RUN(result_is_copied);
    RUN(malformed);
    RUN(bound_key_and_object);
    RUN(no_exception_leaks);
    RUN(many_variables);
    RUN(concurrent_runs);
    RUN(trace_dialect);
    return CHECK_DONE();
}
