/*
 * match_spec_compile.c — a match specification term to the program of
 * match_spec_impl.h, with OTP's diagnostics for malformed specs.
 *
 * The dialect is OTP 25's (erts' db_match_compile, checked against stock
 * erlang:match_spec_test/3): the functions allowed in guards and bodies are
 * the table `ms_funcs` below; {const, T}, {self}, 'andalso', 'orelse',
 * 'and', 'or' and {{...}} (tuple construction) are special forms; lists and
 * map literals in expressions are built from their evaluated elements. The
 * trace-only actions (message, return_trace, ...) compile only for
 * MS_KIND_TRACE. Errors are collected per clause, in order (repeats
 * included), and
 * compilation stops after the first clause that has any, as OTP does, so
 * erlang:match_spec_test/3 returns the same list of messages.
 *
 * Heads (patterns) are walked with an explicit stack (TermStack), since
 * ets:match/match_object make a head of any term, however deep (cut off
 * at MS_MAX_DEPTH). Guards and bodies (expr) are compiled with an
 * explicit stack of work items too, never C recursion per level: the
 * kernel's scheduler stack is 32 KB (docs/terms.md); MS_EXPR_MAX_DEPTH
 * refuses what OTP refuses.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/map.h"
#include "vm/match_spec_impl.h"
#include "vm/platform.h"
#include "vm/term_compare.h"
#include "vm/term_copy.h"
#include "vm/term_stack.h"
#include "vm/match_spec_text.h"

#define MS_MAX_DEPTH 1000
/* Guards and bodies: deeper is refused as OTP 25 refuses it ("Excessive
 * nesting", system_limit in ets:select). OTP's own limit is where its
 * recursive compiler runs out of C stack: from about 2,280 levels
 * ({{...}} tuples) to 3,190 (calls, andalso, lists) on a stock build, so
 * everything we accept, OTP accepts. */
#define MS_EXPR_MAX_DEPTH 2000

/* ---- guard and body functions (OTP 25's guard_tab, table dialect) ---- */

typedef struct {
    const char *name;
    uint8_t arity;
    BifFn fn;
} MsFunc;

static const MsFunc ms_funcs[] = {
    {"is_atom", 1, bif_erlang_is_atom_1},
    {"is_float", 1, bif_erlang_is_float_1},
    {"is_integer", 1, bif_erlang_is_integer_1},
    {"is_list", 1, bif_erlang_is_list_1},
    {"is_number", 1, bif_erlang_is_number_1},
    {"is_pid", 1, bif_erlang_is_pid_1},
    {"is_port", 1, bif_erlang_is_port_1},
    {"is_reference", 1, bif_erlang_is_reference_1},
    {"is_tuple", 1, bif_erlang_is_tuple_1},
    {"is_map", 1, bif_erlang_is_map_1},
    {"is_map_key", 2, bif_erlang_is_map_key_2},
    {"is_binary", 1, bif_erlang_is_binary_1},
    {"is_function", 1, bif_erlang_is_function_1},
    {"is_record", 3, bif_erlang_is_record_3},
    {"abs", 1, bif_erlang_abs_1},
    {"element", 2, bif_erlang_element_2},
    {"hd", 1, bif_erlang_hd_1},
    {"length", 1, bif_erlang_length_1},
    {"map_get", 2, bif_erlang_map_get_2},
    {"map_size", 1, bif_erlang_map_size_1},
    {"node", 1, bif_erlang_node_1},
    {"node", 0, bif_erlang_node_0},
    {"round", 1, bif_erlang_round_1},
    {"size", 1, bif_erlang_size_1},
    {"bit_size", 1, bif_erlang_bit_size_1},
    {"byte_size", 1, bif_erlang_byte_size_1},
    {"binary_part", 2, bif_erlang_binary_part_2},
    {"binary_part", 3, bif_erlang_binary_part_3},
    {"tl", 1, bif_erlang_tl_1},
    {"trunc", 1, bif_erlang_trunc_1},
    {"float", 1, bif_erlang_float_1},
    {"+", 1, bif_erlang_uplus_1},
    {"-", 1, bif_erlang_uminus_1},
    {"+", 2, bif_erlang_plus_2},
    {"-", 2, bif_erlang_minus_2},
    {"*", 2, bif_erlang_times_2},
    {"/", 2, bif_erlang_div_2},
    {"div", 2, bif_erlang_intdiv_2},
    {"rem", 2, bif_erlang_rem_2},
    {"band", 2, bif_erlang_band_2},
    {"bor", 2, bif_erlang_bor_2},
    {"bxor", 2, bif_erlang_bxor_2},
    {"bnot", 1, bif_erlang_bnot_1},
    {"bsl", 2, bif_erlang_bsl_2},
    {"bsr", 2, bif_erlang_bsr_2},
    {">", 2, bif_erlang_gt_2},
    {">=", 2, bif_erlang_ge_2},
    {"<", 2, bif_erlang_lt_2},
    {"=<", 2, bif_erlang_le_2},
    {"=:=", 2, bif_erlang_eqx_2},
    {"==", 2, bif_erlang_eq_2},
    {"=/=", 2, bif_erlang_neqx_2},
    {"/=", 2, bif_erlang_neq_2},
    {"not", 1, bif_erlang_not_1},
    {"xor", 2, bif_erlang_xor_2},
};

/* Functions of the trace dialect only. In a table spec, and set_tcw in a
 * trace guard, they are "cannot be called in this context". */
static const struct {
    MsFunc f;
    bool in_guard;
} ms_trace_funcs[] = {
    {{"get_tcw", 0, ms_bif_get_tcw}, true},
    {{"set_tcw", 1, ms_bif_set_tcw}, false},
    {{"set_tcw_fake", 1, ms_bif_set_tcw_fake}, false},
};

/* The trace dialect's special forms (actions), indexed by MsTraceAction.
 * `reported` is the name OTP's diagnostics use (it says 'set_seq_trace'
 * for set_seq_token). Only is_seq_trace may appear in a guard. */
static const struct {
    const char *name;
    const char *reported;
    uint8_t min_args, max_args;
} ms_trace_forms[MS_T_COUNT] = {
    [MS_T_MESSAGE] = {"message", "message", 1, 1},
    [MS_T_RETURN_TRACE] = {"return_trace", "return_trace", 0, 0},
    [MS_T_EXCEPTION_TRACE] = {"exception_trace", "exception_trace", 0, 0},
    [MS_T_PROCESS_DUMP] = {"process_dump", "process_dump", 0, 0},
    [MS_T_ENABLE_TRACE] = {"enable_trace", "enable_trace", 1, 2},
    [MS_T_DISABLE_TRACE] = {"disable_trace", "disable_trace", 1, 2},
    [MS_T_DISPLAY] = {"display", "display", 1, 1},
    [MS_T_CALLER] = {"caller", "caller", 0, 0},
    [MS_T_CALLER_LINE] = {"caller_line", "caller_line", 0, 0},
    [MS_T_SET_SEQ_TOKEN] = {"set_seq_token", "set_seq_trace", 2, 2},
    [MS_T_GET_SEQ_TOKEN] = {"get_seq_token", "get_seq_token", 0, 0},
    [MS_T_IS_SEQ_TRACE] = {"is_seq_trace", "is_seq_trace", 0, 0},
    [MS_T_SILENT] = {"silent", "silent", 1, 1},
    [MS_T_TRACE] = {"trace", "trace", 2, 3},
};

/* ---- compiler state ---- */

typedef struct {
    term_t t;        /* the constant to copy into the spec */
    uint32_t at;     /* code index of the word to patch with the copy */
} MsConstRef;

typedef struct {
    int kind;
    MsErrors *errs;          /* NULL: no diagnostics wanted */
    unsigned clause_errors;  /* errors found in the current clause */
    bool any_error;
    MsWord *code;
    uint32_t len, cap;
    MsConstRef *consts;
    uint32_t n_consts, cap_consts;
    /* the current clause's variables: sorted '$N' numbers; slot = index */
    uint32_t *vars;
    uint32_t n_vars, cap_vars;
    bool *bound;             /* head pass: seen already */
    bool needs_tracer;       /* uses an action only a tracer can perform */
    int depth, max_depth;    /* value stack while emitting */
    bool too_deep;           /* an expression past MS_EXPR_MAX_DEPTH */
} Comp;

static void oom(void) { plat_fatal("match_spec: out of memory"); }

static void *xrealloc(void *p, size_t bytes) {
    void *q = realloc(p, bytes ? bytes : 1);
    if (!q) oom();
    return q;
}

/* Records a diagnostic (OTP's text). */
static void error(Comp *c, const char *fmt, ...) {
    c->any_error = true;
    c->clause_errors++;
    if (!c->errs) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > MS_ERROR_MAX_BYTES) n = MS_ERROR_MAX_BYTES; /* OTP's buffer */
    char *s = malloc((size_t)n + 1);
    if (!s) oom();
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (c->errs->n == MS_MAX_ERRORS) {
        free(s);
        return;
    }
    c->errs->msg[c->errs->n++] = s;
}

/* A term as erts prints it in a diagnostic (malloc'ed; no longer than a
 * diagnostic may be). */
static char *term_text(term_t t) {
    char *s = malloc(MS_ERROR_MAX_BYTES + 1);
    if (!s) oom();
    ms_text_term(s, MS_ERROR_MAX_BYTES + 1, t);
    return s;
}

static void emit(Comp *c, MsWord w) {
    if (c->len == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->code = xrealloc(c->code, c->cap * sizeof *c->code);
    }
    c->code[c->len++] = w;
}

/* Emits a constant operand: immediates as they are, boxed terms patched
 * with their copy once the spec's constant block exists. */
static void emit_const(Comp *c, term_t t) {
    if (!is_immed(t)) {
        if (c->n_consts == c->cap_consts) {
            c->cap_consts = c->cap_consts ? c->cap_consts * 2 : 16;
            c->consts = xrealloc(c->consts, c->cap_consts * sizeof *c->consts);
        }
        c->consts[c->n_consts++] = (MsConstRef){t, c->len};
    }
    emit(c, t);
}

static void push(Comp *c, int n) {
    c->depth += n;
    if (c->depth > c->max_depth) c->max_depth = c->depth;
}

/* ---- variables ---- */

/* The number of variable '$N', or -1 if t is not one. OTP's rule: '$0',
 * or '$' and digits without a leading zero, read while the number so far
 * is at most 100000000. */
static long var_number(term_t t) {
    if (!is_atom(t)) return -1;
    const Atom *a = atom_get(t);
    if (a->len_bytes < 2 || a->name[0] != '$') return -1;
    const uint8_t *s = a->name + 1;
    size_t n = a->len_bytes - 1;
    if (s[0] == '0') return n == 1 ? 0 : -1;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        if (v > 100000000) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool ms_is_variable(term_t t) { return var_number(t) >= 0; }

static bool atom_is(term_t t, const char *text) {
    if (!is_atom(t)) return false;
    const Atom *a = atom_get(t);
    size_t n = strlen(text);
    return a->len_bytes == n && !memcmp(a->name, text, n);
}

static bool is_wildcard(term_t t) { return atom_is(t, "_"); }
static bool is_all_vars(term_t t) { return atom_is(t, "$$"); }
static bool is_object(term_t t) { return atom_is(t, "$_"); }

/* ---- walking pattern terms ----
 * The walkers over a pattern or an expression term keep what is still to
 * visit on a TermStack of (term, depth) pairs instead of recursing in C
 * (docs/terms.md, "Walking terms"): a scheduler's stack in the kernel is
 * 32 KB, and ets:match_object/2 makes a head of any term it is given.
 * depth counts nesting through list heads, tuple elements and map parts
 * (a list's tail is not deeper); the MS_MAX_DEPTH cut-offs are where the
 * recursive versions had them. */
static void push2(TermStack *s, term_t t, int depth) {
    term_stack_push(s, t);
    term_stack_push(s, (term_t)depth);
}
static bool pop2(TermStack *s, term_t *t, int *depth) {
    if (term_stack_empty(s)) return false;
    *depth = (int)term_stack_pop(s);
    *t = term_stack_pop(s);
    return true;
}

/* Collects the head's variable numbers (unsorted, with repeats); nothing
 * past MS_MAX_DEPTH (head_pattern reports it). */
static void collect_vars(Comp *c, term_t t0) {
    TermStack s;
    term_stack_init(&s);
    push2(&s, t0, 0);
    term_t t;
    int depth;
    while (pop2(&s, &t, &depth)) {
        if (depth > MS_MAX_DEPTH) continue;
        if (is_list(t)) {
            push2(&s, cons_tail(t), depth);
            push2(&s, cons_head(t), depth + 1);
        } else if (is_tuple(t)) {
            for (uint64_t i = tuple_arity(t); i >= 1; i--) push2(&s, tuple_element(t, i), depth + 1);
        } else if (is_map(t)) {
            MapIter it;
            term_t k, v;
            map_iter_init(&it, t);
            while (map_iter_next(&it, &k, &v)) push2(&s, v, depth + 1);
        } else {
            long n = var_number(t);
            if (n >= 0) {
                if (c->n_vars == c->cap_vars) {
                    c->cap_vars = c->cap_vars ? c->cap_vars * 2 : 16;
                    c->vars = xrealloc(c->vars, c->cap_vars * sizeof *c->vars);
                }
                c->vars[c->n_vars++] = (uint32_t)n;
            }
        }
    }
    term_stack_free(&s);
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Slot of variable number n in the current clause, or -1 if unbound. */
static long var_slot(const Comp *c, long n) {
    uint32_t lo = 0, hi = c->n_vars;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (c->vars[mid] == (uint32_t)n) return mid;
        if (c->vars[mid] < (uint32_t)n) lo = mid + 1; else hi = mid;
    }
    return -1;
}

/* ---- heads ---- */

/* True if the pattern t matches exactly the terms =:= to it, so it can be
 * one MS_H_EQ: no variable, no '_', and no map (a map pattern matches
 * any map that has at least its keys). False also past MS_MAX_DEPTH. */
static bool is_ground(term_t t0) {
    TermStack s;
    term_stack_init(&s);
    push2(&s, t0, 0);
    term_t t;
    int depth;
    bool ground = true;
    while (ground && pop2(&s, &t, &depth)) {
        if (depth > MS_MAX_DEPTH) {
            ground = false;
        } else if (is_list(t)) {
            push2(&s, cons_tail(t), depth);
            push2(&s, cons_head(t), depth + 1);
        } else if (is_tuple(t)) {
            for (uint64_t i = tuple_arity(t); i >= 1; i--) push2(&s, tuple_element(t, i), depth + 1);
        } else if (is_map(t)) {
            ground = false;
        } else {
            ground = !is_wildcard(t) && var_number(t) < 0;
        }
    }
    term_stack_free(&s);
    return ground;
}


/* Whether a map key in a head holds a variable or a '_' (OTP refuses
 * both, with different messages); keys are compared, never bound. */
static void key_vars(term_t t0, bool *var, bool *underscore) {
    TermStack s;
    term_stack_init(&s);
    push2(&s, t0, 0);
    term_t t;
    int depth;
    while (pop2(&s, &t, &depth)) {
        if (depth > MS_MAX_DEPTH) {
            *var = true;
        } else if (is_list(t)) {
            push2(&s, cons_tail(t), depth);
            push2(&s, cons_head(t), depth + 1);
        } else if (is_tuple(t)) {
            for (uint64_t i = tuple_arity(t); i >= 1; i--) push2(&s, tuple_element(t, i), depth + 1);
        } else if (is_map(t)) {
            MapIter it;
            term_t k, v;
            map_iter_init(&it, t);
            while (map_iter_next(&it, &k, &v)) {
                push2(&s, v, depth + 1);
                push2(&s, k, depth + 1);
            }
        } else {
            if (is_wildcard(t)) *underscore = true;
            if (var_number(t) >= 0) *var = true;
        }
    }
    term_stack_free(&s);
}

/* head_pattern's work items: three words, (t, rest, depth << 1 | cont).
 * cont: t is what is left of a list pattern whose cells from `rest` on are
 * one ground constant. */
static void push_head(TermStack *s, term_t t, term_t rest, int depth, bool cont) {
    term_stack_push(s, t);
    term_stack_push(s, rest);
    term_stack_push(s, (term_t)depth << 1 | cont);
}

/* A map pattern: its keys must be literals (OTP's two messages). Its
 * values are pushed on s, to be compiled in iteration order. */
static void head_map(Comp *c, TermStack *s, term_t t, int depth) {
    size_t n = map_size(t);
    MapIter it;
    term_t k, v;
    map_iter_init(&it, t);
    while (map_iter_next(&it, &k, &v)) {
        bool var = false, underscore = false;
        key_vars(k, &var, &underscore);
        if (var || underscore) {
            error(c, var ? "Variable found in map key." : "Underscore found in map key.");
            return;
        }
    }
    emit(c, MS_H_MAP);
    emit(c, n);
    map_iter_init(&it, t);
    while (map_iter_next(&it, &k, &v)) emit_const(c, k);
    push(c, (int)n - 1);
    /* pushed forward, then the items reversed, so the first pops first */
    size_t from = term_stack_depth(s);
    map_iter_init(&it, t);
    while (map_iter_next(&it, &k, &v)) push_head(s, v, THE_NON_VALUE, depth + 1, false);
    for (term_t *lo = s->start + from, *hi = s->sp - 3; lo < hi; lo += 3, hi -= 3) {
        for (int i = 0; i < 3; i++) {
            term_t x = lo[i];
            lo[i] = hi[i];
            hi[i] = x;
        }
    }
}

/* The first cell of list t from which the rest is ground, or
 * THE_NON_VALUE if its tail pattern is not ground. */
static term_t ground_suffix(term_t t) {
    term_t rest = t;
    for (; is_list(t); t = cons_tail(t))
        if (!is_ground(cons_head(t))) rest = cons_tail(t);
    return is_ground(t) ? rest : THE_NON_VALUE;
}

/* Emits the head code for pattern t0, depth first, in the order the
 * matcher takes the parts off its stack. depth counts nesting through
 * tuples and list heads, as collect_vars does (a list's tail is not
 * deeper), so both give up at the same place. */
static void head_pattern(Comp *c, term_t t0, int depth0) {
    TermStack s;
    term_stack_init(&s);
    push_head(&s, t0, THE_NON_VALUE, depth0, false);
    while (!term_stack_empty(&s)) {
        term_t w = term_stack_pop(&s), rest = term_stack_pop(&s), t = term_stack_pop(&s);
        int depth = (int)(w >> 1);
        if (w & 1) {
            /* a list pattern: one cons test per cell up to where the rest
             * of the list is ground, then one compare for that rest:
             * linear in the list's length, however late its last variable
             * comes */
            if (t == rest) {
                emit(c, MS_H_EQ);
                emit_const(c, t);
                push(c, -1);
                continue;
            }
            if (is_list(t)) {
                emit(c, MS_H_CONS);
                push(c, 1);
                push_head(&s, cons_tail(t), rest, depth, true);
                push_head(&s, cons_head(t), THE_NON_VALUE, depth + 1, false);
                continue;
            }
            /* the tail pattern ('$N' or '_'), at the list's depth */
        }
        if (depth > MS_MAX_DEPTH) {
            error(c, "Match expression is too deeply nested.");
            continue;
        }
        long v = var_number(t);
        if (v >= 0) {
            long slot = var_slot(c, v);
            if (slot < 0) continue; /* cannot happen below MS_MAX_DEPTH */
            emit(c, c->bound[slot] ? MS_H_SAME : MS_H_BIND);
            emit(c, (MsWord)slot);
            c->bound[slot] = true;
            push(c, -1);
        } else if (is_wildcard(t)) {
            emit(c, MS_H_SKIP);
            push(c, -1);
        } else if (is_ground(t)) {
            emit(c, MS_H_EQ);
            emit_const(c, t);
            push(c, -1);
        } else if (is_list(t)) {
            push_head(&s, t, ground_suffix(t), depth, true);
        } else if (is_tuple(t)) {
            uint64_t n = tuple_arity(t); /* n >= 1: a {} is ground */
            emit(c, MS_H_TUPLE);
            emit(c, n);
            push(c, (int)n - 1);
            for (uint64_t i = n; i >= 1; i--) push_head(&s, tuple_element(t, i), THE_NON_VALUE, depth + 1, false);
        } else if (is_map(t)) {
            head_map(c, &s, t, depth);
        }
    }
    term_stack_free(&s);
}

/* ---- guards and bodies ----
 *
 * An expression is compiled to postfix code without C recursion: a
 * TermStack of work items, three words each (kind | depth << 8, a, b),
 * replaces the recursive descent, so a guard nested 100,000 deep costs
 * heap, not the scheduler's 32 KB stack. Items run in the order the
 * recursion would have: an expression's parts are pushed last first,
 * above the item that emits the expression's own instruction. depth is
 * the nesting level (the recursion depth it replaces); an expression
 * deeper than MS_EXPR_MAX_DEPTH is refused with OTP's message for specs
 * its recursive compiler cannot take (docs/match_spec.md).
 */

enum {
    W_EXPR,     /* a = the expression */
    W_LIST,     /* a = the rest of a list with computed elements */
    W_CONS,     /* a = cells: emit that many MS_E_CONS */
    W_TUPLE,    /* a = arity: MS_E_TUPLE */
    W_MAP,      /* a = pairs: MS_E_MAP */
    W_CALL,     /* a = the BifFn, b = arity: MS_E_CALL */
    W_LOGIC,    /* a = MS_E_AND/OR, b = arity */
    W_TRACE,    /* a = the action, b = arity: MS_E_TRACE */
    W_SC_TEST,  /* a = MS_E_ANDALSO/ORELSE, b = index of its W_SC_END */
    W_SC_END,   /* a = chain of jump slots to patch (0: none) */
};

#define ITEM_WORDS 3

static void item(TermStack *s, unsigned kind, int depth, term_t a, term_t b) {
    term_stack_push(s, (term_t)kind | (term_t)depth << 8);
    term_stack_push(s, a);
    term_stack_push(s, b);
}

/* Reverses the items pushed since stack depth `from`. */
static void reverse_items(TermStack *s, size_t from) {
    term_t *lo = s->start + from, *hi = s->sp - ITEM_WORDS;
    for (; lo < hi; lo += ITEM_WORDS, hi -= ITEM_WORDS) {
        term_t tmp[ITEM_WORDS];
        memcpy(tmp, lo, sizeof tmp);
        memcpy(lo, hi, sizeof tmp);
        memcpy(hi, tmp, sizeof tmp);
    }
}

/* True if t evaluates to itself: no variables, '$_', '$$', tuples (calls
 * or constructions) or maps with computed parts. */
static bool is_literal(term_t t0) {
    TermStack s;
    term_stack_init(&s);
    push2(&s, t0, 0);
    term_t t;
    int depth;
    bool literal = true;
    while (literal && pop2(&s, &t, &depth)) {
        if (depth > MS_MAX_DEPTH) {
            literal = false;
        } else if (is_list(t)) {
            push2(&s, cons_tail(t), depth);
            push2(&s, cons_head(t), depth + 1);
        } else if (is_tuple(t)) {
            literal = false;
        } else if (is_map(t)) {
            MapIter it;
            term_t k, v;
            map_iter_init(&it, t);
            while (map_iter_next(&it, &k, &v)) {
                push2(&s, v, depth + 1);
                push2(&s, k, depth + 1);
            }
        } else if (is_atom(t)) {
            literal = var_number(t) < 0 && !is_all_vars(t) && !is_object(t);
        }
    }
    term_stack_free(&s);
    return literal;
}


static void emit_constant(Comp *c, term_t t) {
    emit(c, MS_E_CONST);
    emit_const(c, t);
    emit(c, term_copy_size(t));
    push(c, 1);
}

static void variable(Comp *c, long n) {
    long slot = var_slot(c, n);
    if (slot < 0) {
        error(c, "Variable $%ld is unbound.", n);
        push(c, 1); /* keep the depth count right while collecting errors */
        return;
    }
    emit(c, MS_E_VAR);
    emit(c, (MsWord)slot);
    push(c, 1);
}

static void special_error(Comp *c, term_t t, const char *form, const char *what) {
    char *s = term_text(t);
    error(c, "Special form '%s' called %s in %s.", form, what, s);
    free(s);
}

/* {Name, Args...} where Name is an atom: a special form or a function.
 * Emits what needs no operands; pushes the items for the rest. */
static void call(Comp *c, TermStack *s, term_t t, int depth, bool in_body) {
    uint64_t n = tuple_arity(t);
    term_t name = tuple_element(t, 1);
    unsigned arity = (unsigned)(n - 1);
    int d = depth + 1;

    if (atom_is(name, "const")) {
        if (n != 2) special_error(c, t, "const", "with more than one argument");
        else emit_constant(c, tuple_element(t, 2));
        if (n != 2) push(c, 1);
        return;
    }
    if (atom_is(name, "self")) {
        if (n != 1) special_error(c, t, "self", "with arguments");
        else emit(c, MS_E_SELF);
        push(c, 1);
        return;
    }
    static const struct { const char *name; int op; } logic[] = {
        {"andalso", MS_E_ANDALSO}, {"orelse", MS_E_ORELSE}, {"and", MS_E_AND}, {"or", MS_E_OR},
    };
    for (size_t i = 0; i < sizeof logic / sizeof logic[0]; i++) {
        if (!atom_is(name, logic[i].name)) continue;
        if (n == 1) {
            special_error(c, t, logic[i].name, "without arguments");
            push(c, 1);
            return;
        }
        if (logic[i].op == MS_E_ANDALSO || logic[i].op == MS_E_ORELSE) {
            /* every operand but the last is tested and jumps out: E2 TEST
             * E3 TEST ... En END; END patches the TESTs' jumps */
            size_t end = term_stack_depth(s);
            item(s, W_SC_END, depth, 0, 0);
            for (uint64_t k = n; k >= 2; k--) {
                if (k < n) item(s, W_SC_TEST, depth, (term_t)logic[i].op, (term_t)end);
                item(s, W_EXPR, d, tuple_element(t, k), 0);
            }
        } else {
            item(s, W_LOGIC, depth, (term_t)logic[i].op, arity);
            for (uint64_t k = n; k >= 2; k--) item(s, W_EXPR, d, tuple_element(t, k), 0);
        }
        return;
    }
    for (unsigned i = 0; i < MS_T_COUNT; i++) {
        if (!atom_is(name, ms_trace_forms[i].name)) continue;
        const char *form = ms_trace_forms[i].reported;
        if (c->kind != MS_KIND_TRACE) {
            error(c, "Special form '%s' used in wrong dialect.", form);
        } else if (!in_body && i != MS_T_IS_SEQ_TRACE) {
            error(c, "Special form '%s' called in guard context.", form);
        } else if (arity < ms_trace_forms[i].min_args || arity > ms_trace_forms[i].max_args) {
            special_error(c, t, ms_trace_forms[i].name,
                          ms_trace_forms[i].max_args ? "with wrong number of arguments" : "with arguments");
        } else {
            item(s, W_TRACE, depth, i, arity);
            for (uint64_t k = 2; k <= n; k++) item(s, W_EXPR, d, tuple_element(t, k), 0);
            return;
        }
        push(c, 1);
        return;
    }
    const MsFunc *f = NULL;
    for (size_t i = 0; i < sizeof ms_funcs / sizeof ms_funcs[0]; i++)
        if (ms_funcs[i].arity == arity && atom_is(name, ms_funcs[i].name)) f = &ms_funcs[i];
    for (size_t i = 0; !f && i < sizeof ms_trace_funcs / sizeof ms_trace_funcs[0]; i++) {
        if (ms_trace_funcs[i].f.arity != arity || !atom_is(name, ms_trace_funcs[i].f.name)) continue;
        if (c->kind == MS_KIND_TRACE && (in_body || ms_trace_funcs[i].in_guard)) {
            f = &ms_trace_funcs[i].f;
        } else {
            char *txt = term_text(name);
            error(c, "Function %s/%u cannot be called in this context.", txt, arity);
            free(txt);
            push(c, 1);
            return;
        }
    }
    if (!f) {
        char *txt = term_text(name);
        error(c, "Function %s/%u does_not_exist.", txt, arity);
        free(txt);
        push(c, 1);
        return;
    }
    /* Arguments last to first (OTP's order, which orders its diagnostics):
     * the first argument ends on top of the stack. */
    item(s, W_CALL, depth, (term_t)(uintptr_t)f->fn, arity);
    for (uint64_t k = 2; k <= n; k++) item(s, W_EXPR, d, tuple_element(t, k), 0);
}

static void expr_tuple(Comp *c, TermStack *s, term_t t, int depth, bool in_body) {
    uint64_t n = tuple_arity(t);
    term_t first = n ? tuple_element(t, 1) : THE_NON_VALUE;
    if (n == 1 && is_tuple(first)) {
        /* {{E1, ..., En}}: build a tuple; elements last to first, so the
         * first element ends on top */
        uint64_t k = tuple_arity(first);
        item(s, W_TUPLE, depth, k, 0);
        for (uint64_t i = 1; i <= k; i++) item(s, W_EXPR, depth + 1, tuple_element(first, i), 0);
        return;
    }
    /* {'$1', ...} is neither: a variable never names a function */
    if (n >= 1 && is_atom(first) && var_number(first) < 0) {
        call(c, s, t, depth, in_body);
        return;
    }
    char *txt = term_text(t);
    error(c, "%s is neither a function call, nor a tuple (tuples are written {{ ... }}).", txt);
    free(txt);
    push(c, 1);
}

static void expr_map(TermStack *s, term_t t, int depth) {
    MapIter it;
    term_t k, v;
    item(s, W_MAP, depth, map_size(t), 0);
    size_t from = term_stack_depth(s);
    map_iter_init(&it, t);
    while (map_iter_next(&it, &k, &v)) {   /* k1 v1 k2 v2 ..., then reversed */
        item(s, W_EXPR, depth + 1, k, 0);
        item(s, W_EXPR, depth + 1, v, 0);
    }
    reverse_items(s, from);
}

/* One expression at `depth`: emitted at once, or taken apart onto s. */
static void expr_one(Comp *c, TermStack *s, term_t t, int depth, bool in_body) {
    if (depth > MS_EXPR_MAX_DEPTH) {
        char *txt = term_text(t);
        error(c, "Excessive nesting; system limit reached near: %s", txt);
        free(txt);
        c->too_deep = true;
        push(c, 1);
        return;
    }
    long v;
    if (is_literal(t)) {
        emit_constant(c, t);
    } else if ((v = var_number(t)) >= 0) {
        variable(c, v);
    } else if (is_object(t)) {
        emit(c, MS_E_OBJ);
        push(c, 1);
    } else if (is_all_vars(t)) {
        emit(c, MS_E_ALLVARS);
        push(c, 1);
    } else if (is_list(t)) {
        /* a list with computed elements, built from its values: all the
         * heads, then the tail, then one cons per element */
        uint64_t k = 0;
        for (term_t l = t; is_list(l); l = cons_tail(l)) k++;
        item(s, W_CONS, depth, k, 0);
        item(s, W_LIST, depth, t, 0);
    } else if (is_tuple(t)) {
        expr_tuple(c, s, t, depth, in_body);
    } else if (is_map(t)) {
        expr_map(s, t, depth);
    } else {
        emit_constant(c, t);
    }
}

static void expr(Comp *c, term_t t0, bool in_body) {
    TermStack s;
    term_stack_init(&s);
    item(&s, W_EXPR, 1, t0, 0);
    while (!term_stack_empty(&s)) {
        term_t b = term_stack_pop(&s), a = term_stack_pop(&s), kd = term_stack_pop(&s);
        unsigned kind = (unsigned)(kd & 0xFF);
        int depth = (int)(kd >> 8);
        switch (kind) {
        case W_EXPR:
            expr_one(c, &s, a, depth, in_body);
            break;
        case W_LIST:   /* the next head, then the rest (the tail last) */
            if (is_list(a)) {
                item(&s, W_LIST, depth, cons_tail(a), 0);
                item(&s, W_EXPR, depth + 1, cons_head(a), 0);
            } else {
                item(&s, W_EXPR, depth + 1, a, 0);
            }
            break;
        case W_CONS:
            for (uint64_t i = 0; i < a; i++) emit(c, MS_E_CONS);
            push(c, -(int)a);
            break;
        case W_TUPLE:
            emit(c, MS_E_TUPLE);
            emit(c, a);
            push(c, 1 - (int)a);
            break;
        case W_MAP:
            emit(c, MS_E_MAP);
            emit(c, a);
            push(c, 1 - 2 * (int)a);
            break;
        case W_CALL:
            emit(c, MS_E_CALL);
            emit(c, (MsWord)a);
            emit(c, b);
            push(c, 1 - (int)b);
            break;
        case W_LOGIC:
            emit(c, (MsWord)a);
            emit(c, b);
            push(c, 1 - (int)b);
            break;
        case W_TRACE:
            emit(c, MS_E_TRACE);
            emit(c, a);
            emit(c, b);
            push(c, 1 - (int)b);
            if (ms_trace_needs_tracer((unsigned)a)) c->needs_tracer = true;
            break;
        case W_SC_TEST: {   /* the jump slot joins its END's chain */
            term_t *end = s.start + b;
            emit(c, (MsWord)a);
            uint32_t slot = c->len;
            emit(c, (MsWord)end[1]);
            end[1] = slot;
            push(c, -1);
            break;
        }
        case W_SC_END:
            for (uint32_t at = (uint32_t)a; at;) {
                uint32_t next = (uint32_t)c->code[at];
                c->code[at] = c->len;
                at = next;
            }
            break;
        default:
            plat_fatal("match_spec: bad work item");
        }
    }
    term_stack_free(&s);
}

/* Walks a proper list; false (with OTP's message) if t is not one. */
static bool expr_list_ok(Comp *c, term_t t) {
    if (!is_list(t) && !is_nil(t)) {
        error(c, "Match expression is not a list.");
        return false;
    }
    while (is_list(t)) t = cons_tail(t);
    if (!is_nil(t)) {
        error(c, "Match expression is not a proper list.");
        return false;
    }
    return true;
}

/* ---- clauses ---- */

/* A trace spec is matched against the call's argument list. Its head is a
 * list pattern, '_' or a variable, or a tuple, which OTP matches element
 * by element against the arguments (MS_H_ARRAY). False if the head was
 * compiled here or refused. */
static bool kind_trace_head(Comp *c, term_t head) {
    if (c->kind != MS_KIND_TRACE || is_nil(head) || is_wildcard(head) || var_number(head) >= 0)
        return true;
    if (is_list(head)) return true; /* proper: checked before any clause */
    if (!is_tuple(head)) {
        error(c, "Match head is invalid in this context.");
        return false;
    }
    uint64_t n = tuple_arity(head);
    emit(c, MS_H_ARRAY);
    emit(c, n);
    push(c, (int)n - 1);
    for (uint64_t i = 1; i <= n; i++) head_pattern(c, tuple_element(head, i), 1);
    return false;
}

static void clause(Comp *c, term_t cl, MsClause *out) {
    term_t head = tuple_element(cl, 1), guards = tuple_element(cl, 2), body = tuple_element(cl, 3);

    c->n_vars = 0;
    collect_vars(c, head);
    if (c->n_vars) qsort(c->vars, c->n_vars, sizeof *c->vars, cmp_u32);
    uint32_t u = 0;
    for (uint32_t i = 0; i < c->n_vars; i++)
        if (u == 0 || c->vars[u - 1] != c->vars[i]) c->vars[u++] = c->vars[i];
    c->n_vars = u;
    c->bound = xrealloc(c->bound, (u ? u : 1) * sizeof *c->bound);
    memset(c->bound, 0, (u ? u : 1) * sizeof *c->bound);

    out->head_pc = c->len;
    out->n_vars = u;
    out->head = head;
    out->returns_object = is_nil(guards) && is_list(body) && is_nil(cons_tail(body)) &&
                          is_object(cons_head(body));

    c->depth = 1; /* the object */
    unsigned errors_before = c->clause_errors;
    if (kind_trace_head(c, head)) head_pattern(c, head, 0);
    if (c->clause_errors != errors_before) return; /* OTP stops at a bad head */
    emit(c, MS_H_END);
    out->expr_pc = c->len;

    c->depth = 0;
    if (expr_list_ok(c, guards)) {
        for (term_t g = guards; is_list(g); g = cons_tail(g)) {
            expr(c, cons_head(g), false);
            emit(c, MS_E_GUARD);
            push(c, -1);
        }
    }
    emit(c, MS_E_BODY);
    if (is_nil(body) && c->kind == MS_KIND_TRACE) {
        /* a trace clause may do nothing: its value is true */
        emit_constant(c, ATOM_true);
        emit(c, MS_E_RETURN);
        return;
    }
    if (!is_list(body)) {
        error(c, "Body clause does not return anything.");
        return;
    }
    if (!expr_list_ok(c, body)) return;
    for (term_t b = body; is_list(b); b = cons_tail(b)) {
        expr(c, cons_head(b), true);
        if (is_list(cons_tail(b))) {
            emit(c, MS_E_POP);
            push(c, -1);
        }
    }
    emit(c, MS_E_RETURN);
}

/* Copies every boxed constant (and each clause's head) into one block the
 * spec owns, and patches the code to point at the copies. */
static void own_constants(Comp *c, MatchSpec *ms) {
    size_t words = 0;
    for (uint32_t i = 0; i < c->n_consts; i++) words += term_copy_size(c->consts[i].t);
    for (uint32_t i = 0; i < ms->n_clauses; i++) words += term_copy_size(ms->clauses[i].head);
    ms->consts_oh.first = NULL;
    ms->consts_oh.overhead = 0;
    if (words == 0) {
        ms->consts = NULL;
        return;
    }
    ms->consts = term_fragment_new(words);
    term_t *hp = ms->consts->mem;
    for (uint32_t i = 0; i < c->n_consts; i++)
        c->code[c->consts[i].at] = term_copy(c->consts[i].t, &hp, &ms->consts_oh);
    for (uint32_t i = 0; i < ms->n_clauses; i++)
        ms->clauses[i].head = term_copy(ms->clauses[i].head, &hp, &ms->consts_oh);
}

/* OTP checks that every list head of a trace spec is proper before it
 * compiles any clause, so that error wins over any other. */
static bool trace_heads_proper(Comp *c, term_t spec) {
    for (; is_list(spec); spec = cons_tail(spec)) {
        term_t cl = cons_head(spec);
        if (!is_tuple(cl) || tuple_arity(cl) != 3) return true; /* reported in order later */
        term_t t = tuple_element(cl, 1);
        if (!is_list(t)) continue;
        while (is_list(t)) t = cons_tail(t);
        if (is_nil(t)) continue;
        char *s = term_text(tuple_element(cl, 1));
        error(c, "Match expression part %s is not a proper list.", s);
        free(s);
        return false;
    }
    return true;
}

static MatchSpec *compile(term_t spec, int kind, MsErrors *errs, bool *too_deep);

MatchSpec *ms_compile_diag(term_t spec, int kind, MsErrors *errs) {
    bool too_deep;
    return compile(spec, kind, errs, &too_deep);
}

MatchSpec *ms_compile_limit(term_t spec, int kind, bool *system_limit) {
    return compile(spec, kind, NULL, system_limit);
}

static MatchSpec *compile(term_t spec, int kind, MsErrors *errs, bool *too_deep) {
    *too_deep = false;
    if (errs) errs->n = 0;
    Comp c;
    memset(&c, 0, sizeof c);
    c.kind = kind;
    c.errs = errs;
    if (kind != MS_KIND_TABLE && kind != MS_KIND_TRACE) {
        error(&c, "Unknown match specification kind.");
        return NULL;
    }
    /* [] is a spec with no clauses (ets:select(T, []) is []); only
     * erlang:match_spec_test/3 refuses it, with this same message. */
    if (!is_list(spec) && !is_nil(spec)) {
        error(&c, "Match programs are not in a list.");
        return NULL;
    }
    uint32_t n = 0;
    term_t t = spec;
    for (; is_list(t); t = cons_tail(t)) n++;
    if (!is_nil(t)) {
        error(&c, "Match programs are not in a proper list.");
        return NULL;
    }

    MatchSpec *ms = calloc(1, sizeof *ms);
    if (!ms) oom();
    ms->kind = kind;
    ms->clauses = calloc(n ? n : 1, sizeof *ms->clauses);
    if (!ms->clauses) oom();
    uint32_t max_vars = 0;
    int max_depth = 1;
    if (kind == MS_KIND_TRACE && !trace_heads_proper(&c, spec)) {
        free(ms->clauses);
        free(ms);
        return NULL;
    }
    for (t = spec; is_list(t); t = cons_tail(t)) {
        term_t cl = cons_head(t);
        if (!is_tuple(cl) || tuple_arity(cl) != 3) {
            error(&c, "Match program part is not a tuple of arity 3.");
            break;
        }
        c.clause_errors = 0;
        c.max_depth = 1;
        clause(&c, cl, &ms->clauses[ms->n_clauses++]);
        if (c.clause_errors) break; /* OTP reports the first bad clause only */
        if (c.n_vars > max_vars) max_vars = c.n_vars;
        if (c.max_depth > max_depth) max_depth = c.max_depth;
    }
    if (c.any_error) {
        *too_deep = c.too_deep;
        free(c.code);
        free(c.consts);
        free(c.vars);
        free(c.bound);
        free(ms->clauses);
        free(ms);
        return NULL;
    }
    ms->code = c.code;
    ms->code_len = c.len;
    ms->max_vars = max_vars;
    ms->max_stack = (uint32_t)max_depth;
    ms->needs_tracer = c.needs_tracer;
    own_constants(&c, ms);
    free(c.consts);
    free(c.vars);
    free(c.bound);
    return ms;
}

MatchSpec *ms_compile(term_t spec, int kind) { return ms_compile_diag(spec, kind, NULL); }

void ms_free(MatchSpec *ms) {
    if (!ms) return;
    heap_off_heap_release(&ms->consts_oh);
    free(ms->consts);
    free(ms->code);
    free(ms->clauses);
    free(ms);
}

void ms_errors_free(MsErrors *errs) {
    for (unsigned i = 0; i < errs->n; i++) free(errs->msg[i]);
    errs->n = 0;
}

/* ---- questions the ETS work asks of a compiled spec ---- */

bool ms_bound_key(const MatchSpec *ms, unsigned keypos, term_t *key) {
    if (ms->n_clauses == 0 || keypos == 0) return false;
    term_t k = THE_NON_VALUE;
    for (uint32_t i = 0; i < ms->n_clauses; i++) {
        term_t h = ms->clauses[i].head;
        if (!is_tuple(h) || tuple_arity(h) < keypos) return false;
        term_t e = tuple_element(h, keypos);
        if (!is_ground(e)) return false;
        if (i == 0) k = e;
        else if (!term_eq_exact(k, e)) return false;
    }
    *key = k;
    return true;
}

bool ms_returns_object(const MatchSpec *ms) {
    if (ms->n_clauses == 0) return false;
    for (uint32_t i = 0; i < ms->n_clauses; i++)
        if (!ms->clauses[i].returns_object) return false;
    return true;
}
