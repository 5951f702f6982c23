/*
 * bif_match_spec.c — erlang:match_spec_test/3, what ets:test_ms/2 and
 * dbg:fun2ms-style tooling call to check a match specification against one
 * term without a table.
 *
 * Return shapes are OTP's: {ok, Result, Flags, Warnings} when the spec
 * compiles (Result is false when no clause matches; a body that raised
 * gives 'EXIT' where it raised), {error, [{error, Message}, ...]} with
 * OTP's messages when it does not. The table dialect never has flags or
 * warnings. In the trace dialect the term is a call's argument list, the
 * result is what {message, X} set (true by default) and the flags are
 * the return_trace/exception_trace requests; a spec using an action that
 * needs a tracer (enable_trace, disable_trace, trace, set_seq_token,
 * process_dump) raises notsup, as BeamOS has no tracer yet.
 */
#include <string.h>

#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/bif_util.h"
#include "vm/match_spec.h"

/* A diagnostic as an Erlang string: OTP decodes the UTF-8 of atom names
 * in it into characters. */
static term_t message_string(Process *p, const char *m) {
    size_t n = strlen(m);
    term_t *hp = heap_alloc(&p->h, CONS_WORDS * n), *cell = hp;
    term_t list = NIL, *tailp = &list;
    const uint8_t *s = (const uint8_t *)m;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        long used = bif_utf8_decode(s + i, n - i, &cp);
        if (used <= 0) { /* cut inside a character: keep the byte */
            cp = s[i];
            used = 1;
        }
        i += (size_t)used;
        *tailp = make_cons(cell, make_small(cp), NIL);
        tailp = cell + 1;
        cell += CONS_WORDS;
    }
    heap_release(&p->h, hp, CONS_WORDS * n, (size_t)(hp + CONS_WORDS * n - cell));
    return list;
}

/* {error, [{error, "Message"}, ...]} */
static term_t error_list(Process *p, const MsErrors *errs) {
    term_t list = NIL;
    for (unsigned i = errs->n; i-- > 0;) {
        const char *m = errs->msg[i];
        term_t str = message_string(p, m);
        term_t *hp = heap_alloc(&p->h, tuple_words(2) + CONS_WORDS);
        term_t e = make_tuple_header(hp, 2);
        hp[1] = ATOM_error;
        hp[2] = str;
        list = make_cons(hp + 3, e, list);
    }
    term_t *hp = heap_alloc(&p->h, tuple_words(2));
    term_t r = make_tuple_header(hp, 2);
    hp[1] = ATOM_error;
    hp[2] = list;
    return r;
}

static term_t single_error(Process *p, const char *msg) {
    MsErrors e = {1, {(char *)msg}};
    return error_list(p, &e);
}

/* {ok, Result, Flags, []} */
static term_t ok_result(Process *p, term_t result, term_t flags) {
    term_t *hp = heap_alloc(&p->h, tuple_words(4));
    term_t r = make_tuple_header(hp, 4);
    hp[1] = ATOM_ok;
    hp[2] = result;
    hp[3] = flags;
    hp[4] = NIL;
    return r;
}

/* The trace dialect: the term is the call's argument list; the result is
 * the last {message, X} (true if none), false if no clause matched. */
static term_t test_trace(Process *p, MatchSpec *ms, term_t args) {
    term_t result;
    MsTraceOut out;
    if (!ms_run_trace(ms, p, args, true, &result, &out)) return ok_result(p, ATOM_false, NIL);
    term_t flags = NIL;
    if (out.exception_trace)
        flags = make_cons(heap_alloc(&p->h, CONS_WORDS), ATOM_exception_trace, flags);
    if (out.return_trace)
        flags = make_cons(heap_alloc(&p->h, CONS_WORDS), ATOM_return_trace, flags);
    return ok_result(p, is_value(out.message) ? out.message : ATOM_true, flags);
}

term_t bif_erlang_match_spec_test_3(Process *p, term_t *args) {
    term_t obj = args[0], spec = args[1], kind = args[2];
    int k;
    if (kind == ATOM_table) {
        k = MS_KIND_TABLE;
    } else if (kind == ATOM_trace) {
        if (bif_list_length(obj) < 0) BIF_ERROR(p, ATOM_badarg);
        k = MS_KIND_TRACE;
    } else {
        BIF_ERROR(p, ATOM_badarg);
    }

    /* ms_compile takes [] (a spec that matches nothing, as ets:select
     * does); match_spec_test refuses it as OTP does */
    if (is_nil(spec)) return single_error(p, "Match programs are not in a list.");
    MsErrors errs;
    MatchSpec *ms = ms_compile_diag(spec, k, &errs);
    if (!ms) {
        term_t r = error_list(p, &errs);
        ms_errors_free(&errs);
        return r;
    }
    if (k == MS_KIND_TRACE) {
        /* enable_trace, process_dump, ...: no tracer to act on yet */
        bool unsupported = ms_needs_tracer(ms);
        term_t r = unsupported ? THE_NON_VALUE : test_trace(p, ms, obj);
        ms_free(ms);
        if (unsupported) BIF_ERROR(p, ATOM_notsup);
        return r;
    }
    term_t result;
    if (!ms_run(ms, p, obj, &result)) result = ATOM_false;
    ms_free(ms);
    return ok_result(p, result, NIL);
}
