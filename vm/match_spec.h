/*
 * match_spec.h — match specifications (ets:select and friends,
 * erlang:match_spec_test/3, later tracing): compiled once per call into a
 * small program, then run against any number of terms.
 *
 * A match specification is a proper list of clauses {Head, Guards, Body}.
 * The head is a pattern ('$N' variables, '_' wildcards, repeated variables
 * must be =:=); guards and body are expressions over the head's variables,
 * '$_' (the whole object) and '$$' (the list of the head's variables in
 * variable-number order). The first clause whose head matches and whose
 * guards are all exactly `true` gives the result: the value of its last
 * body expression. docs/match_spec.md describes the dialect, the program
 * and how OTP's semantics (guard exception = false, body exception =
 * 'EXIT') are kept.
 *
 * This interface is fixed: the ETS work codes against it.
 */
#ifndef BEAMOS_VM_MATCH_SPEC_H
#define BEAMOS_VM_MATCH_SPEC_H

#include <stdbool.h>

#include "vm/process.h"
#include "vm/term.h"

typedef struct MatchSpec MatchSpec;

enum { MS_KIND_TABLE, MS_KIND_TRACE };

/* Compile a match specification (a proper list of {Head, Guards, Body}).
 * NULL if it is malformed (the caller raises badarg). The compiled program
 * owns copies of every constant it uses, so it never points into any
 * process heap and may be kept, shared and run from any scheduler. */
MatchSpec *ms_compile(term_t spec, int kind);
void ms_free(MatchSpec *ms);

/* Run ms on obj (any term; for ETS a tuple stored in the table). Returns
 * true and sets *result when a clause's head matches, its guards are true
 * and its body evaluates; the result lives wholly on p's heap (built with
 * heap_alloc, which never collects; any part of obj it returns is copied).
 * Returns false when no clause matches; a guard that raises counts as
 * false, as in OTP. Never raises, never collects, thread-safe. */
bool ms_run(const MatchSpec *ms, Process *p, term_t obj, term_t *result);

/* When every clause's head is a tuple whose element `keypos` (1-based) is
 * fully bound (no variables, no '_'), and all clauses bind the same key,
 * *key is that key (a term owned by ms) and the result is true: a set or
 * bag table then looks up one key instead of scanning. */
bool ms_bound_key(const MatchSpec *ms, unsigned keypos, term_t *key);

/* True if the spec's every clause returns '$_' unchanged with no guards
 * (ets:match_object / select of whole objects: the caller may copy the
 * stored object directly). */
bool ms_returns_object(const MatchSpec *ms);

/* ---- beyond the fixed interface: OTP's compile diagnostics ----
 * erlang:match_spec_test/3 reports why a spec is malformed with OTP's own
 * messages. ms_compile_diag is ms_compile that also collects them: on
 * NULL, errs holds at least one message (OTP's text, e.g. "Variable $3 is
 * unbound."). Messages are malloc'ed; ms_errors_free releases them. */
#define MS_MAX_ERRORS 32
typedef struct {
    unsigned n;
    char *msg[MS_MAX_ERRORS];
} MsErrors;

MatchSpec *ms_compile_diag(term_t spec, int kind, MsErrors *errs);
/* ms_compile that also says why a NULL is not badarg: *system_limit when
 * a guard or body is nested too deep ("Excessive nesting"), which OTP's
 * ets:select and friends raise as system_limit. */
MatchSpec *ms_compile_limit(term_t spec, int kind, bool *system_limit);

/* Is t a match variable ('$0', '$1', ...; OTP's rule, docs/match_spec.md)? */
bool ms_is_variable(term_t t);
void ms_errors_free(MsErrors *errs);

/* ---- beyond the fixed interface: the trace dialect ----
 * A trace spec runs against a call's argument list. What a tracer needs
 * besides the body's value: the last {message, X} (THE_NON_VALUE if none
 * ran) and the return_trace/exception_trace requests. ms_run_trace is
 * ms_run that also fills *out (zeroed first); dry_run (OTP's
 * match_spec_test) makes set_tcw report the old word without changing it.
 * ms_needs_tracer: the spec
 * uses an action that changes tracing state or dumps the process
 * (enable_trace, disable_trace, trace, set_seq_token, process_dump); with
 * no tracer in BeamOS those evaluate as a raising call ('EXIT'). */
typedef struct {
    term_t message;
    bool return_trace, exception_trace;
} MsTraceOut;

bool ms_run_trace(const MatchSpec *ms, Process *p, term_t args, bool dry_run, term_t *result,
                  MsTraceOut *out);
bool ms_needs_tracer(const MatchSpec *ms);

#endif
