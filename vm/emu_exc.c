/*
 * emu_exc.c — exceptions: raw stack traces, building OTP's stack-trace
 * lists, and finding the innermost catch on the stack.
 *
 * Raw trace (opaque tuple on the process heap, so the GC moves it like
 * any term):
 *   {Class, Built, Args, TopMFA, Flags, Pc0, Cp1, ... Cpn}
 * Class: small EXC_*; Built: the list if already built (raise/3), else
 * the atom undefined; Args: list or NIL; TopMFA: small holding an
 * ErtsMFA * (0 = none); Flags: RAW_TOP_*; Pc0: the faulting instruction
 * (0 = none); Cp1..: return addresses found on the stack, innermost
 * first. Code addresses are stored as small integers (sign-extended
 * canonical addresses fit 60 bits).
 */
#include <stdlib.h>

#include "vm/atom.h"
#include "vm/code.h"
#include "vm/emu.h"
#include "vm/map.h"

#define RAW_FIXED 5

static term_t ptr_small(const void *p) { return make_small((int64_t)(intptr_t)p); }
static const void *small_ptr(term_t t) { return (const void *)(intptr_t)small_value(t); }

term_t emu_class_atom(uint32_t cls) {
    switch (cls & EXC_CLASS_MASK) {
    case EXC_EXIT: return ATOM_exit;
    case EXC_THROW: return ATOM_throw;
    default: return ATOM_error;
    }
}

term_t emu_make_list(Process *p, const term_t *x, unsigned n) {
    term_t *hp = heap_alloc(&p->h, 2 * (size_t)n);
    term_t l = NIL;
    for (unsigned i = n; i-- > 0;) l = make_cons(hp + 2 * i, x[i], l);
    return l;
}

term_t emu_raw_trace(Process *p, uint32_t cls, const BeamInstr *pc, const ErtsMFA *top_mfa,
                     term_t args, unsigned flags) {
    const BeamInstr *cps[EMU_BACKTRACE_DEPTH];
    unsigned n = 0;
    for (term_t *s = p->h.hend; s < p->heap_end && n < EMU_BACKTRACE_DEPTH; s++)
        if (emu_is_cp(*s)) cps[n++] = (const BeamInstr *)*s;
    term_t *hp = heap_alloc(&p->h, tuple_words(RAW_FIXED + 1 + n));
    term_t t = make_tuple_header(hp, RAW_FIXED + 1 + n);
    hp[1] = make_small(cls & EXC_CLASS_MASK);
    hp[2] = ATOM_undefined;
    hp[3] = args;
    hp[4] = ptr_small(top_mfa);
    hp[5] = make_small(flags);
    hp[6] = ptr_small(pc);
    for (unsigned i = 0; i < n; i++) hp[7 + i] = ptr_small(cps[i]);
    return t;
}

term_t emu_raw_trace_built(Process *p, uint32_t cls, term_t st) {
    term_t *hp = heap_alloc(&p->h, tuple_words(RAW_FIXED + 1));
    term_t t = make_tuple_header(hp, RAW_FIXED + 1);
    hp[1] = make_small(cls & EXC_CLASS_MASK);
    hp[2] = st;
    hp[3] = NIL;
    hp[4] = make_small(0);
    hp[5] = make_small(0);
    hp[6] = make_small(0);
    return t;
}

bool emu_is_raw_trace(term_t t, uint32_t *cls) {
    if (!is_tuple(t) || tuple_arity(t) < RAW_FIXED + 1) return false;
    term_t *e = tuple_val(t);
    if (!is_small(e[1]) || !is_small(e[4]) || !is_small(e[5]) || !is_small(e[6])) return false;
    int64_t c = small_value(e[1]);
    if (c < EXC_ERROR || c > EXC_THROW) return false;
    *cls = (uint32_t)c;
    return true;
}

/* [{file,F},{line,L}] or [] */
static term_t location(Process *p, term_t file, uint32_t line) {
    if (line == 0 || file == NIL) return NIL;
    term_t *hp = heap_alloc(&p->h, 3 + 3 + 4);
    term_t f = make_tuple_header(hp, 2);
    hp[1] = ATOM_file;
    hp[2] = file;
    term_t l = make_tuple_header(hp + 3, 2);
    hp[4] = ATOM_line;
    hp[5] = make_small(line);
    term_t tail = make_cons(hp + 6, l, NIL);
    return make_cons(hp + 8, f, tail);
}

/* The module that explains errors of module m's BIFs, as OTP 25 names it
 * in error_info: stdlib's erl_stdlib_errors for the BIFs of the stdlib
 * modules it formats (ets, lists, maps, binary, math, unicode, re, io),
 * erl_erts_errors for the rest. */
static term_t error_info_module(term_t m) {
    static const char *const stdlib[] = {"lists", "maps", "binary", "math", "unicode", "re", "io"};
    if (m == ATOM_ets) return ATOM_erl_stdlib_errors;
    for (size_t i = 0; i < sizeof stdlib / sizeof stdlib[0]; i++)
        if (m == atom_intern_cstr(stdlib[i])) return ATOM_erl_stdlib_errors;
    return ATOM_erl_erts_errors;
}

/* [{error_info, #{module => M}}], or #{cause => C, module => M} when the
 * BIF gave a cause (cause: 1 + its atom index, 0 = none). */
static term_t error_info(Process *p, term_t mod, unsigned cause) {
    term_t k[2] = {ATOM_module, ATOM_cause}, v[2] = {error_info_module(mod), 0};
    unsigned n = 1;
    if (cause) {
        k[0] = ATOM_cause;
        v[0] = make_atom(cause - 1);
        k[1] = ATOM_module;
        v[1] = error_info_module(mod);
        n = 2;
    }
    term_t m = map_from_pairs(&p->h, k, v, n);
    term_t *hp = heap_alloc(&p->h, 3 + 2);
    term_t t = make_tuple_header(hp, 2);
    hp[1] = ATOM_error_info;
    hp[2] = m;
    return make_cons(hp + 3, t, NIL);
}

static term_t frame(Process *p, const ErtsMFA *mfa, term_t arity_or_args, term_t loc) {
    term_t *hp = heap_alloc(&p->h, 5);
    term_t t = make_tuple_header(hp, 4);
    hp[1] = mfa->module;
    hp[2] = mfa->function;
    hp[3] = arity_or_args;
    hp[4] = loc;
    return t;
}

term_t emu_build_stacktrace(Process *p, term_t raw) {
    uint32_t cls;
    if (!emu_is_raw_trace(raw, &cls)) return NIL;
    term_t *e = tuple_val(raw);
    if (e[2] != ATOM_undefined) return e[2];
    unsigned n = (unsigned)tuple_arity(raw) - RAW_FIXED;
    term_t frames[EMU_BACKTRACE_DEPTH + 2];
    unsigned k = 0;
    unsigned flags = (unsigned)small_value(e[5]);
    const ErtsMFA *top = small_ptr(e[4]);
    term_t args = e[3];
    const ErtsMFA *mfa;
    term_t file;
    uint32_t line;
    unsigned first = 0;
    if ((flags & RAW_TOP_BIF) && top) {
        frames[k++] = frame(p, top, args,
                            cls == EXC_ERROR ? error_info(p, top->module, flags >> RAW_CAUSE_SHIFT) : NIL);
    } else if (flags & RAW_TOP_CURRENT) {
        const BeamInstr *pc = small_ptr(e[6]);
        if (pc && code_lookup_address(pc, &mfa, &file, &line))
            frames[k++] = frame(p, mfa, args, location(p, file, line));
        first = 1;
    } else if (top) {
        frames[k++] = frame(p, top, args, NIL); /* undef */
    }
    for (unsigned i = first; i < n && k < EMU_BACKTRACE_DEPTH; i++) {
        const BeamInstr *pc = small_ptr(e[6 + i]);
        if (!pc) continue;
        /* a return address's location is that of the call before it */
        const BeamInstr *at = i == 0 ? pc : pc - 1;
        if (code_lookup_address(at, &mfa, &file, &line))
            frames[k++] = frame(p, mfa, make_small(mfa->arity), location(p, file, line));
    }
    /* Not memoised into the raw tuple: writing a new pointer into an
     * older object would break the generational GC's invariant. */
    return emu_make_list(p, frames, k);
}

term_t *emu_find_catch(Process *p, term_t **frame_out) {
    term_t *frame_sp = p->h.hend;
    for (term_t *s = p->h.hend; s < p->heap_end; s++) {
        if (emu_is_cp(*s)) frame_sp = s + 1;
        else if (is_catch(*s)) {
            *frame_out = frame_sp;
            return s;
        }
    }
    return NULL;
}
