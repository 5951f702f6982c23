/*
 * match_spec_impl.h — the compiled form of a match specification, shared
 * by the compiler (match_spec_compile.c) and the interpreter
 * (match_spec_run.c). Nothing outside those two files looks inside.
 *
 * A compiled spec is one array of words, `code`, holding every clause's
 * program back to back. A clause is two programs:
 *
 *  - the head program matches the object with a small stack of terms still
 *    to be matched. It starts with the object alone on the stack; each
 *    instruction pops the top term and either checks it (MS_H_EQ, _SAME),
 *    binds it (MS_H_BIND), drops it (MS_H_SKIP) or takes it apart and
 *    pushes its parts (MS_H_TUPLE, _CONS, _MAP), first part on top, so the
 *    instructions that follow match the parts in order. A subterm with no
 *    variable and no '_' is one MS_H_EQ against a constant.
 *
 *  - the expression program evaluates the guards, then the body, on a
 *    stack of values (postfix order: operands first, then the operation).
 *    MS_E_GUARD pops a guard's value and fails the clause unless it is
 *    `true`. MS_E_BODY marks where the body starts: from there on a failing
 *    call yields 'EXIT' instead of failing the clause (OTP's semantics), and
 *    every value taken from the object, a variable or a constant is copied
 *    onto the caller's heap, so the result never points into the table or
 *    into the spec.
 *
 * Invariant: the compiler computes each clause's deepest stack (head and
 * expression) and number of variables; the interpreter sizes its arrays
 * from the spec's maxima and never checks bounds while running.
 *
 * Constants live in `consts`, a block the spec owns (term_copy'ed, its
 * off-heap binary references in `consts_oh`), so a spec holds no pointer
 * into any process heap.
 */
#ifndef BEAMOS_VM_MATCH_SPEC_IMPL_H
#define BEAMOS_VM_MATCH_SPEC_IMPL_H

#include <stdint.h>

#include "vm/bif.h"
#include "vm/heap.h"
#include "vm/match_spec.h"

typedef uintptr_t MsWord;

enum {
    /* head: operands in brackets */
    MS_H_TUPLE,      /* [arity] top must be a tuple of that arity */
    MS_H_CONS,       /* top must be a cons cell; pushes tail, then head */
    MS_H_MAP,        /* [n, key1..keyn] top must be a map with these keys */
    MS_H_ARRAY,      /* [n] top must be a proper list of n terms (trace heads) */
    MS_H_BIND,       /* [slot] first occurrence of a variable */
    MS_H_SAME,       /* [slot] later occurrence: must be =:= */
    MS_H_EQ,         /* [term] must be =:= a constant */
    MS_H_SKIP,       /* '_' */
    MS_H_END,        /* head matched; the expression program follows */

    /* expressions */
    MS_E_CONST,      /* [term, words] push a constant (copied in the body) */
    MS_E_VAR,        /* [slot] push a variable (copied in the body) */
    MS_E_OBJ,        /* push '$_' */
    MS_E_ALLVARS,    /* push '$$' */
    MS_E_SELF,       /* push the running process's pid */
    MS_E_CALL,       /* [fn, arity] call a BIF on the top `arity` values */
    MS_E_TUPLE,      /* [arity] build a tuple from the top `arity` values */
    MS_E_CONS,       /* build [Head | Tail] from the top two (Tail on top) */
    MS_E_MAP,        /* [n] build a map from n key/value pairs */
    MS_E_ANDALSO,    /* [target] pop; true: go on; false: push false, jump */
    MS_E_ORELSE,     /* [target] pop; false: go on; true: push true, jump */
    MS_E_AND,        /* [n] strict and of the top n values */
    MS_E_OR,         /* [n] strict or of the top n values */
    MS_E_TRACE,      /* [form, arity] a trace-only action (MS_KIND_TRACE) */
    MS_E_GUARD,      /* pop; the clause fails unless it is `true` */
    MS_E_BODY,       /* guards passed; failures now yield 'EXIT' */
    MS_E_POP,        /* drop a body expression's value (not the last) */
    MS_E_RETURN,     /* the top value is the clause's result */
};

/* The trace dialect's actions (operand of MS_E_TRACE). */
typedef enum {
    MS_T_MESSAGE,
    MS_T_RETURN_TRACE,
    MS_T_EXCEPTION_TRACE,
    MS_T_PROCESS_DUMP,
    MS_T_ENABLE_TRACE,
    MS_T_DISABLE_TRACE,
    MS_T_DISPLAY,
    MS_T_CALLER,
    MS_T_CALLER_LINE,
    MS_T_SET_SEQ_TOKEN,
    MS_T_GET_SEQ_TOKEN,
    MS_T_IS_SEQ_TRACE,
    MS_T_SILENT,
    MS_T_TRACE,
    MS_T_COUNT
} MsTraceAction;

/* Actions that change tracing state or read the process's internals,
 * which need the tracer BeamOS does not have yet (match_spec_run.c). */
static inline bool ms_trace_needs_tracer(unsigned a) {
    return a == MS_T_PROCESS_DUMP || a == MS_T_ENABLE_TRACE || a == MS_T_DISABLE_TRACE ||
           a == MS_T_SET_SEQ_TOKEN || a == MS_T_TRACE;
}

/* The trace control word functions of the trace dialect (get_tcw/0,
 * set_tcw/1, set_tcw_fake/1), BIF-shaped so MS_E_CALL can call them. */
term_t ms_bif_get_tcw(Process *p, term_t *args);
term_t ms_bif_set_tcw(Process *p, term_t *args);
term_t ms_bif_set_tcw_fake(Process *p, term_t *args);

typedef struct {
    uint32_t head_pc;        /* index in code of the head program */
    uint32_t expr_pc;        /* ... and of the guards-and-body program */
    uint32_t n_vars;         /* variable slots, in '$N' number order */
    term_t head;             /* the head pattern (in consts): ms_bound_key */
    bool returns_object;     /* no guards, body ['$_'] */
} MsClause;

struct MatchSpec {
    int kind;                /* MS_KIND_* */
    uint32_t n_clauses;
    MsClause *clauses;
    MsWord *code;
    uint32_t code_len;
    uint32_t max_vars;       /* over all clauses */
    uint32_t max_stack;      /* deepest head or expression stack */
    bool needs_tracer;       /* see ms_trace_needs_tracer */
    HeapFragment *consts;    /* owned constants (NULL if none needed) */
    OffHeap consts_oh;       /* their off-heap binary references */
};

#endif
