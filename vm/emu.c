/*
 * emu.c — the dispatch loop (computed goto) and the emulator's helpers.
 *
 * Threaded code: every instruction is [&&body, operands...]. Registers:
 * x = the scheduler's X array; Y registers are E[n] where E is the stack
 * pointer, kept in a local and written through to p->h.hend whenever it
 * changes (SET_E), so every heap_alloc() and gc_collect() sees the true
 * stack top; it is reloaded after anything that may move the stack. Calls push the
 * return address (a CP) on the stack; `allocate N` then reserves N Y
 * slots (initialised to NIL so the stack only ever holds terms, catch
 * words and CPs); `return` pops the CP.
 * Anything that may collect is gc_collect() itself, called only by
 * allocate*, test_heap; afterwards no raw pointer into the heap is used.
 * The instruction bodies are in vm/instrs_*.def, by family.
 */
#include "vm/emu.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/bignum.h"
#include "vm/binary.h"
#include "vm/code.h"
#include "vm/emu_bs.h"
#include "vm/gc.h"
#include "vm/mailbox.h"
#include "vm/map.h"
#include "vm/term_compare.h"

static BeamInstr instr_addr[I_COUNT_];
static BeamInstr normal_exit_code[1];
static BeamInstr hibernate_code[1], hibernate_wait_code[1];

static const char *const instr_names[] = {
#define INSTR(name, layout) #name,
#include "vm/instrs.def"
#undef INSTR
};

BeamInstr emu_instr_addr(unsigned op) { return instr_addr[op]; }
const char *emu_instr_name(unsigned op) { return op < I_COUNT_ ? instr_names[op] : "?"; }
int emu_instr_op(BeamInstr word) {
    for (unsigned i = 0; i < I_COUNT_; i++)
        if (instr_addr[i] == word) return (int)i;
    return -1;
}

void emu_init(void) {
    if (instr_addr[0]) return;
    emu_execute(NULL, NULL);
    normal_exit_code[0] = instr_addr[I_i_normal_exit];
    hibernate_code[0] = instr_addr[I_i_hibernate];
    hibernate_wait_code[0] = instr_addr[I_i_hibernate_wait];
}

const BeamInstr *emu_hibernate_addr(void) { return hibernate_code; }

static void save_args(Process *p, const term_t *x, uint32_t n) {
    if (!p->arg_reg) {
        p->arg_reg = p->def_arg_reg;
        p->max_arg_reg = PROC_DEF_ARG_REGS;
    }
    if (n > p->max_arg_reg) {
        term_t *a = malloc(n * sizeof *a);
        if (!a) abort();
        if (p->arg_reg != p->def_arg_reg) free(p->arg_reg);
        p->arg_reg = a;
        p->max_arg_reg = n;
    }
    memcpy(p->arg_reg, x, n * sizeof *x);
    p->arity = n;
}

int emu_setup_call(Process *p, term_t module, term_t function, term_t args) {
    term_t regs[256];
    uint32_t n = 0;
    for (term_t l = args; !is_nil(l); l = cons_tail(l)) {
        if (!is_list(l) || n == 255) return -1;
        regs[n++] = cons_head(l);
    }
    emu_init();
    Export *ep = export_get(module, function, n);
    *--p->h.hend = (term_t)(uintptr_t)normal_exit_code;
    save_args(p, regs, n);
    p->i = export_addr(ep);
    p->current = &ep->mfa;
    p->initial_call = ep->mfa;
    return 0;
}

/* ---- operand access ---- */
/* A register word is n << 3 (X) or n << 3 | 4 (Y): its bits above 2 are
 * already the byte offset from the register file's base, so picking the
 * base (a conditional move) and adding needs no shift and no branch. */
static inline term_t *dst_(term_t *x, term_t *e, BeamInstr w) {
    term_t *base = (w & 4) ? e : x;
    return (term_t *)((char *)base + (w & ~(BeamInstr)7));
}
static inline term_t src_(const term_t *x, const term_t *e, BeamInstr w) {
    if (w & TAG_PRIMARY_MASK) return (term_t)w;
    return *dst_((term_t *)x, (term_t *)e, w);
}

/* NIL into n new Y slots; frames are mostly 1-4 slots, which get straight
 * stores instead of a loop. */
static inline void fill_nil(term_t *y, size_t n) {
    switch (n) {
    case 4: y[3] = NIL; __attribute__((fallthrough));
    case 3: y[2] = NIL; __attribute__((fallthrough));
    case 2: y[1] = NIL; __attribute__((fallthrough));
    case 1: y[0] = NIL; __attribute__((fallthrough));
    case 0: break;
    default:
        for (size_t k = 0; k < n; k++) y[k] = NIL;
    }
}

static term_t tuple2(Process *p, term_t a, term_t b) {
    term_t *hp = heap_alloc(&p->h, 3);
    term_t t = make_tuple_header(hp, 2);
    hp[1] = a;
    hp[2] = b;
    return t;
}

static bool fun_arity_is(term_t f, int64_t a) {
    if (is_fun(f)) return fun_val(f)->entry->arity == a;
    return export_mfa(f)->arity == a;
}

static double num_to_double(term_t t, bool *ok) {
    *ok = true;
    if (is_small(t)) return (double)small_value(t);
    if (is_float(t)) return float_value(t);
    double d;
    if (is_big(t) && big_to_double(t, &d)) return d;
    *ok = false;
    return 0;
}

/* Binary search for an exact word among sorted immediates, else linear
 * search by exact term equality (bignum / float select values). */
static long select_find(const BeamInstr *vals, unsigned n, term_t v) {
    if (is_immed(v)) {
        long lo = 0, hi = (long)n - 1;
        while (lo <= hi) {
            long mid = (lo + hi) / 2;
            if (vals[mid] == v) return mid;
            if (vals[mid] < v) lo = mid + 1; else hi = mid - 1;
        }
        return -1;
    }
    for (unsigned i = 0; i < n; i++)
        if (!is_immed(vals[i]) && term_eq_exact(vals[i], v)) return (long)i;
    return -1;
}

#define S(k) src_(x, E, I[k])
#define D(k) (*dst_(x, E, I[k]))
/* E, the stack top, is a local of emu_execute (a register) that is
 * written through to p->h.hend on every change (SET_E), so heap_alloc,
 * BIFs, the collector and the exception code always see the true
 * boundary without a swap-out, while Y accesses need no load through p.
 * After anything that may move the stack (gc_collect, a BIF:
 * erlang:garbage_collect/0 collects, hibernate) E is reloaded (E_RELOAD). */
#define SET_E(v) (p->h.hend = E = (v))
#define E_RELOAD() (E = p->h.hend)
/* Operand k known (by the loader) to be an X / Y register word: the word
 * is the byte offset (n << 3, plus 4 for Y). */
#define XR(k) (*(term_t *)((char *)x + I[k]))
#define YR(k) (*(term_t *)((char *)E + (I[k] - 4)))
#define LBL(k) ((const BeamInstr *)I[k])
#define LIKELY(c) __builtin_expect(!!(c), 1)
#define UNLIKELY(c) __builtin_expect(!!(c), 0)
#define NEXT goto *(void *)*I
#define JUMP(a) do { I = (a); NEXT; } while (0)
#define OP(name) L_##name:
/* Raise a run-time error at the current instruction. */
#define RAISE(cls, r)                                                   \
    do {                                                                \
        p->freason = (cls);                                             \
        p->fvalue = (r);                                                \
        exc_pc = I; exc_mfa = NULL; exc_args = NIL; exc_flags = 0;      \
        goto handle_error;                                              \
    } while (0)
#define ERROR(r) RAISE(EXC_ERROR, (r))
/* Continue at `target` with `arity` argument registers, charging one
 * reduction; yield when the slice is used up. The test is on the sign of
 * the decremented count (the flags of the decrement itself, even with the
 * count in memory), so a slice is budget + 1 calls. `target` is evaluated
 * on one path or the other, never twice. */
#define DISPATCH_CALL(target, arity)                                    \
    do {                                                                \
        if (UNLIKELY(--FCALLS < 0)) {                                   \
            yield_at = (target);                                        \
            yield_arity = (arity);                                      \
            goto do_yield;                                              \
        }                                                               \
        JUMP(target);                                                   \
    } while (0)
#define FCALLS fcalls
#define PUSH_CP(next) (SET_E(E - 1), E[0] = (term_t)(uintptr_t)(next))
/* Ensure `need` free words between htop and the stack, collecting with
 * `live` X registers as roots. */
/* One word more than asked is always kept free: a call pushes its CP onto
 * the stack without a check of its own, and may do so right after the
 * instructions that used up all of `need`. */
#define HEAP_NEED(need, live)                                           \
    do {                                                                \
        size_t n_ = (need) + 1;                                         \
        if (UNLIKELY((size_t)(E - p->h.htop) < n_ || gc_vheap_exceeded(p) || \
                     gc_stress_enabled())) {                            \
            FCALLS -= gc_collect(p, n_, x, (unsigned)(live));           \
            E_RELOAD();                                                 \
        }                                                               \
    } while (0)
/* The same for a frame of `need` stack words only (allocate): as OTP's
 * allocate, no virtual binary heap test, which a frame cannot change. */
#define STACK_NEED(need, live)                                          \
    do {                                                                \
        size_t n_ = (need) + 1;                                         \
        if (UNLIKELY((size_t)(E - p->h.htop) < n_ || gc_stress_enabled())) { \
            FCALLS -= gc_collect(p, n_, x, (unsigned)(live));           \
            E_RELOAD();                                                 \
        }                                                               \
    } while (0)

EmuResult emu_execute(Scheduler *s, Process *p) {
    static const void *const labels[] = {
#define INSTR(name, layout) &&L_##name,
#include "vm/instrs.def"
#undef INSTR
    };
    if (!p) {
        for (unsigned i = 0; i < I_COUNT_; i++) instr_addr[i] = (BeamInstr)labels[i];
        return EMU_YIELD;
    }
    term_t *x = s->x_reg;
    double *f = s->f_reg;
    const BeamInstr *I = p->i;
    term_t *E = p->h.hend; /* see SET_E */
    const BeamInstr *yield_at;
    uint32_t yield_arity;
    const BeamInstr *exc_pc = NULL;
    const BeamInstr *tail_pc = NULL; /* see call_ext in instrs_calls.def */
    const ErtsMFA *exc_mfa = NULL;
    term_t exc_args = NIL;
    unsigned exc_flags = 0;
    term_t arith_a[2]; /* arguments for gc_bif2_slow */
    int32_t budget = emu_slice_reductions;
    /* The reductions left, kept in a local (a register, mostly) rather
     * than in p->fcalls, which is written back only around BIF calls
     * (i_call_bif) since nothing else outside this function reads it. */
    int32_t fcalls = budget;

    s->current = p;
    p->fcalls = budget;
    if (p->arity) memcpy(x, p->arg_reg, p->arity * sizeof *x);
    p->freason = EXC_NONE;
    NEXT;

#include "vm/instrs_calls.def"
#include "vm/instrs_arith.def"
#include "vm/instrs_data.def"
#include "vm/instrs_exc.def"
#include "vm/instrs_msg.def"
#include "vm/instrs_map.def"
#include "vm/instrs_float.def"
#include "vm/instrs_bs.def"
/* The fused pairs of instrs.def: a's body (BODY_a, written next to a's
 * own definition), then straight into b's. */
#define INSTR(name, layout)
#define FUSE(a, b, layout) OP(a##__##b) BODY_##a(goto L_##b)
#include "vm/instrs.def"
#undef FUSE
#undef INSTR

/* The BIF of an arithmetic instruction whose fast path did not apply
 * (instrs_calls.def, instrs_arith.def: operands of gc_bif2). */
gc_bif2_slow:
    GUARD_BIF((const Export *)I[3], arith_a, 2, 1, 6, 7);

do_yield:
    if (gc_fragments_due(p)) FCALLS -= gc_collect(p, 1, x, yield_arity);   /* gc.h */
    p->i = yield_at;
    save_args(p, x, yield_arity);
    p->reductions += (uint64_t)(budget - FCALLS);
    return EMU_YIELD;

handle_error: {
    uint32_t cls = p->freason & EXC_CLASS_MASK;
    uint32_t fl = p->freason & EXC_F_MASK;
    term_t raw;
    if (fl & EXC_F_TRACE) {
        raw = p->ftrace;
    } else {
        if (fl & EXC_F_ARGS) { exc_args = p->ftrace; exc_flags = RAW_TOP_CURRENT; exc_mfa = NULL; }
        /* A BIF's error_info cause (process.h) rides in the flags. */
        unsigned cause = exc_flags & RAW_TOP_BIF ? p->freason >> EXC_CAUSE_SHIFT : 0;
        raw = emu_raw_trace(p, cls, exc_pc, exc_mfa, exc_args, exc_flags | cause << RAW_CAUSE_SHIFT);
    }
    p->freason = cls;
    p->ftrace = raw;
    term_t *frame;
    term_t *slot = emu_find_catch(p, &frame);
    if (slot) {
        I = code_catch_addr(catch_index(*slot));
        SET_E(frame);
        x[0] = THE_NON_VALUE;
        x[1] = emu_class_atom(cls);
        x[2] = p->fvalue;
        x[3] = raw;
        p->freason = EXC_NONE;
        NEXT;
    }
    /* Uncaught: the process exits. */
    term_t reason = p->fvalue;
    if (cls == EXC_ERROR) reason = tuple2(p, reason, emu_build_stacktrace(p, raw));
    else if (cls == EXC_THROW)
        reason = tuple2(p, tuple2(p, ATOM_nocatch, reason), emu_build_stacktrace(p, raw));
    p->fvalue = reason;
    p->i = I;
    p->arity = 0;
    p->reductions += (uint64_t)(budget - FCALLS);
    return EMU_EXIT;
}
}
