/*
 * match_spec_run.c — runs a compiled match specification against one term
 * (the program is described in match_spec_impl.h).
 *
 * Guard and body functions are the VM's own BIFs (arithmetic, comparison,
 * type tests, element, ...), called directly: they allocate with
 * heap_alloc on the caller's heap and never collect, so ms_run never
 * collects either. A BIF that raises leaves p->freason/fvalue set; ms_run
 * saves and restores them, so a failing guard or body leaves no trace on
 * the process. Intermediate values that do not end up in the result stay
 * on the heap as garbage, which a copying GC never visits.
 *
 * Thread safety: a spec is read-only after ms_compile; every run keeps its
 * variables and stacks in its own frame (malloc'ed when a spec needs more
 * than fits on the C stack).
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "vm/atom.h"
#include "vm/map.h"
#include "vm/match_spec_impl.h"
#include "vm/platform.h"
#include "vm/term_compare.h"
#include "vm/term_copy.h"

#define MS_LOCAL_WORDS 128 /* frame words kept on the C stack */

typedef struct {
    const MatchSpec *ms;
    Process *p;
    term_t obj;
    term_t obj_copy;   /* '$_' on p's heap, once the body needs it */
    term_t *vars;      /* [max_vars] */
    term_t *copied;    /* [max_vars] each variable on p's heap, or 0 */
    term_t *stack;     /* [max_stack] */
    MsTraceOut *trace; /* trace dialect: what the actions asked for, or NULL */
    bool dry_run;      /* match_spec_test: set_tcw changes nothing */
} Run;

static term_t copy_to_heap(Process *p, term_t t) {
    if (is_immed(t)) return t;
    size_t words = term_copy_size(t);
    term_t *hp = heap_alloc(&p->h, words);
    return term_copy(t, &hp, &p->h.off_heap);
}

/* ---- head ---- */

static bool match_head(Run *r, const MsWord *pc) {
    term_t *sp = r->stack;
    *sp++ = r->obj;
    for (;;) {
        switch (*pc++) {
        case MS_H_TUPLE: {
            term_t t = *--sp;
            uint64_t n = *pc++;
            if (!is_tuple(t) || tuple_arity(t) != n) return false;
            for (uint64_t i = n; i >= 1; i--) *sp++ = tuple_element(t, i);
            break;
        }
        case MS_H_CONS: {
            term_t t = *--sp;
            if (!is_list(t)) return false;
            *sp++ = cons_tail(t);
            *sp++ = cons_head(t);
            break;
        }
        case MS_H_MAP: {
            term_t t = *--sp;
            uint64_t n = *pc++;
            if (!is_map(t)) return false;
            /* values are matched in key order: push the last key's first */
            for (uint64_t i = n; i >= 1; i--) {
                term_t v = map_get(t, (term_t)pc[i - 1]);
                if (!is_value(v)) return false;
                *sp++ = v;
            }
            pc += n;
            break;
        }
        case MS_H_ARRAY: {
            term_t t = *--sp;
            uint64_t n = *pc++, len = 0;
            term_t l = t;
            for (; is_list(l) && len <= n; l = cons_tail(l)) len++;
            if (len != n || !is_nil(l)) return false;
            sp += n; /* first argument on top */
            for (uint64_t i = 1; i <= n; i++, t = cons_tail(t)) sp[-(int64_t)i] = cons_head(t);
            break;
        }
        case MS_H_BIND:
            r->vars[*pc++] = *--sp;
            break;
        case MS_H_SAME: {
            term_t t = *--sp;
            if (!term_eq_exact(r->vars[*pc++], t)) return false;
            break;
        }
        case MS_H_EQ: {
            term_t t = *--sp;
            if (!term_eq_exact((term_t)*pc++, t)) return false;
            break;
        }
        case MS_H_SKIP:
            --sp;
            break;
        case MS_H_END:
            return true;
        default:
            plat_fatal("match_spec: bad head instruction");
        }
    }
}

/* ---- expressions ---- */

/* '$$': the head's variables in number order. */
static term_t all_vars(Run *r, uint32_t n_vars, bool in_body) {
    term_t list = NIL;
    for (uint32_t i = n_vars; i-- > 0;) {
        term_t v = r->vars[i];
        if (in_body) {
            if (!r->copied[i]) r->copied[i] = copy_to_heap(r->p, v);
            v = r->copied[i];
        }
        list = make_cons(heap_alloc(&r->p->h, CONS_WORDS), v, list);
    }
    return list;
}

/* The operands of an and/or: OTP refuses anything but booleans. */
static bool logic(const term_t *v, uint64_t n, bool is_and, term_t *out) {
    bool acc = is_and;
    for (uint64_t i = 0; i < n; i++) {
        if (v[i] != ATOM_true && v[i] != ATOM_false) return false;
        bool b = v[i] == ATOM_true;
        acc = is_and ? acc && b : acc || b;
    }
    *out = acc ? ATOM_true : ATOM_false;
    return true;
}

/* ---- the trace dialect ---- */

/* The trace control word (get_tcw/set_tcw): one per node, as in OTP.
 * Relaxed: it is a flag word user code polls, ordering nothing else. */
static _Atomic uint32_t trace_control_word;

term_t ms_bif_get_tcw(Process *p, term_t *args) {
    (void)p;
    (void)args;
    return make_small(atomic_load_explicit(&trace_control_word, memory_order_relaxed));
}

static bool tcw_arg(term_t t) { return is_small(t) && small_value(t) >= 0 && small_value(t) <= UINT32_MAX; }

term_t ms_bif_set_tcw(Process *p, term_t *args) {
    if (!tcw_arg(args[0])) BIF_ERROR(p, ATOM_badarg);
    uint32_t old = atomic_exchange_explicit(&trace_control_word, (uint32_t)small_value(args[0]),
                                            memory_order_relaxed);
    return make_small(old);
}

/* OTP's test hook: checks its argument like set_tcw, changes nothing. */
term_t ms_bif_set_tcw_fake(Process *p, term_t *args) {
    if (!tcw_arg(args[0])) BIF_ERROR(p, ATOM_badarg);
    return ms_bif_get_tcw(p, args);
}

/* One action. THE_NON_VALUE for what needs a tracer (it fails like a
 * raising call), else the action's value as OTP's match_spec_test/3 shows
 * it. There is no caller outside a traced call and no sequential trace
 * token in BeamOS, so caller is undefined and the token is []. */
static term_t trace_action(Run *r, MsTraceAction a, const term_t *args) {
    switch (a) {
    case MS_T_MESSAGE:
        if (r->trace) r->trace->message = args[0];
        return ATOM_true;
    case MS_T_RETURN_TRACE:
        if (r->trace) r->trace->return_trace = true;
        return ATOM_true;
    case MS_T_EXCEPTION_TRACE:
        if (r->trace) r->trace->exception_trace = true;
        return ATOM_true;
    case MS_T_DISPLAY: {
        term_t arg = args[0];
        return bif_erlang_display_1(r->p, &arg);
    }
    case MS_T_CALLER:
    case MS_T_CALLER_LINE:
        return ATOM_undefined;
    case MS_T_GET_SEQ_TOKEN:
        return NIL;
    case MS_T_IS_SEQ_TRACE:
        return ATOM_false;
    case MS_T_SILENT:
        return ATOM_true;
    default: /* ms_trace_needs_tracer(a) */
        return THE_NON_VALUE;
    }
}

/* Evaluates the guards and the body of a clause whose head matched.
 * THE_NON_VALUE if a guard failed. */
static term_t eval(Run *r, const MsWord *code, const MsWord *pc, uint32_t n_vars) {
    Process *p = r->p;
    term_t *sp = r->stack;
    bool in_body = false;
    for (;;) {
        switch (*pc++) {
        case MS_E_CONST: {
            term_t t = (term_t)*pc++;
            size_t words = *pc++;
            if (in_body && words) {
                term_t *hp = heap_alloc(&p->h, words);
                t = term_copy(t, &hp, &p->h.off_heap);
            }
            *sp++ = t;
            break;
        }
        case MS_E_VAR: {
            MsWord slot = *pc++;
            if (in_body) {
                if (!r->copied[slot]) r->copied[slot] = copy_to_heap(p, r->vars[slot]);
                *sp++ = r->copied[slot];
            } else {
                *sp++ = r->vars[slot];
            }
            break;
        }
        case MS_E_OBJ:
            if (in_body) {
                if (!r->obj_copy) r->obj_copy = copy_to_heap(p, r->obj);
                *sp++ = r->obj_copy;
            } else {
                *sp++ = r->obj;
            }
            break;
        case MS_E_ALLVARS:
            *sp++ = all_vars(r, n_vars, in_body);
            break;
        case MS_E_SELF:
            *sp++ = p->id;
            break;
        case MS_E_CALL: {
            BifFn fn = (BifFn)*pc++;
            uint64_t arity = *pc++;
            /* the first argument is on top: lay them out in order */
            term_t args[3];
            for (uint64_t i = 0; i < arity; i++) args[i] = sp[-1 - (int64_t)i];
            sp -= arity;
            if (fn == ms_bif_set_tcw && r->dry_run) fn = ms_bif_set_tcw_fake;
            term_t v = fn(p, args);
            if (!is_value(v)) {
                if (!in_body) return THE_NON_VALUE;
                v = ATOM_EXIT;
            }
            *sp++ = v;
            break;
        }
        case MS_E_TUPLE: {
            uint64_t n = *pc++;
            term_t *hp = heap_alloc(&p->h, tuple_words(n));
            term_t t = make_tuple_header(hp, n);
            for (uint64_t i = 1; i <= n; i++) hp[i] = sp[-(int64_t)i];
            sp -= n;
            *sp++ = t;
            break;
        }
        case MS_E_CONS: {
            term_t tail = *--sp, head = *--sp;
            *sp++ = make_cons(heap_alloc(&p->h, CONS_WORDS), head, tail);
            break;
        }
        case MS_E_MAP: {
            uint64_t n = *pc++;
            term_t small[2 * 16];
            term_t *kv = n <= 16 ? small : malloc(2 * n * sizeof(term_t));
            if (!kv) plat_fatal("match_spec: out of memory");
            sp -= 2 * n;
            for (uint64_t i = 0; i < n; i++) {
                kv[i] = sp[2 * i];
                kv[n + i] = sp[2 * i + 1];
            }
            *sp++ = map_from_pairs(&p->h, kv, kv + n, n);
            if (kv != small) free(kv);
            break;
        }
        case MS_E_ANDALSO:
        case MS_E_ORELSE: {
            bool is_andalso = pc[-1] == MS_E_ANDALSO;
            MsWord target = *pc++;
            term_t v = *--sp;
            term_t stop = is_andalso ? ATOM_false : ATOM_true;
            term_t go_on = is_andalso ? ATOM_true : ATOM_false;
            if (v == go_on) break;
            if (v != stop) {
                if (!in_body) return THE_NON_VALUE;
                v = ATOM_EXIT;
            }
            *sp++ = v;
            pc = code + target;
            break;
        }
        case MS_E_AND:
        case MS_E_OR: {
            bool is_and = pc[-1] == MS_E_AND;
            uint64_t n = *pc++;
            term_t v;
            sp -= n;
            if (!logic(sp, n, is_and, &v)) {
                if (!in_body) return THE_NON_VALUE;
                v = ATOM_EXIT;
            }
            *sp++ = v;
            break;
        }
        case MS_E_TRACE: {
            MsTraceAction a = (MsTraceAction)*pc++;
            uint64_t arity = *pc++;
            term_t args[3];
            for (uint64_t i = 0; i < arity; i++) args[i] = sp[-1 - (int64_t)i];
            sp -= arity;
            term_t v = trace_action(r, a, args);
            if (!is_value(v)) {
                if (!in_body) return THE_NON_VALUE;
                v = ATOM_EXIT;
            }
            *sp++ = v;
            break;
        }
        case MS_E_GUARD:
            if (*--sp != ATOM_true) return THE_NON_VALUE;
            break;
        case MS_E_BODY:
            in_body = true;
            break;
        case MS_E_POP:
            --sp;
            break;
        case MS_E_RETURN:
            return *--sp;
        default:
            plat_fatal("match_spec: bad expression instruction");
        }
    }
}

static bool run_spec(const MatchSpec *ms, Process *p, term_t obj, term_t *result, MsTraceOut *trace,
                     bool dry_run) {
    size_t words = 2 * (size_t)ms->max_vars + ms->max_stack;
    term_t local[MS_LOCAL_WORDS];
    term_t *frame = words <= MS_LOCAL_WORDS ? local : malloc(words * sizeof(term_t));
    if (!frame) plat_fatal("match_spec: out of memory");
    uint32_t saved_reason = p->freason;
    term_t saved_value = p->fvalue;

    Run r = {ms, p, obj, THE_NON_VALUE, frame, frame + ms->max_vars, frame + 2 * ms->max_vars, trace, dry_run};
    bool found = false;
    for (uint32_t i = 0; i < ms->n_clauses && !found; i++) {
        const MsClause *cl = &ms->clauses[i];
        const MsWord *pc = ms->code + cl->head_pc;
        if (!match_head(&r, pc)) continue;
        for (uint32_t v = 0; v < cl->n_vars; v++) r.copied[v] = THE_NON_VALUE;
        if (trace) *trace = (MsTraceOut){THE_NON_VALUE, false, false}; /* a failed guard's actions do not count */
        r.obj_copy = THE_NON_VALUE;
        term_t v = eval(&r, ms->code, ms->code + cl->expr_pc, cl->n_vars);
        if (is_value(v)) {
            *result = v;
            found = true;
        }
    }

    p->freason = saved_reason;
    p->fvalue = saved_value;
    if (frame != local) free(frame);
    return found;
}

bool ms_run(const MatchSpec *ms, Process *p, term_t obj, term_t *result) {
    return run_spec(ms, p, obj, result, NULL, false);
}

bool ms_run_trace(const MatchSpec *ms, Process *p, term_t args, bool dry_run, term_t *result,
                  MsTraceOut *out) {
    *out = (MsTraceOut){THE_NON_VALUE, false, false};
    bool found = run_spec(ms, p, args, result, out, dry_run);
    if (!found) *out = (MsTraceOut){THE_NON_VALUE, false, false};
    return found;
}

bool ms_needs_tracer(const MatchSpec *ms) { return ms->needs_tracer; }
