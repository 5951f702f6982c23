/*
 * bif_ets_ms.c — compiled match specifications as Erlang terms:
 * ets:match_spec_compile/1, ets:match_spec_run_r/3 (behind ets.beam's
 * match_spec_run/2, which reverses its result) and ets:is_compiled_ms/1.
 *
 * As on OTP 25, a compiled specification is a magic reference (magic.h):
 * the MagicBin's data is one pointer to the MatchSpec, and its destructor
 * (ms_bin_destroy, which is also its kind tag) frees the program when the
 * last reference to it dies, whichever heap or message it was on. A
 * MatchSpec is read-only after compilation and owns copies of its
 * constants (match_spec.h), so any number of processes may run one at
 * once. A plain reference (make_ref(), or a decoded copy whose object is
 * gone) and a magic reference of another kind (atomics) are not compiled
 * specifications: is_compiled_ms/1 is false, match_spec_run_r/3 badarg.
 *
 * match_spec_run_r/3 runs at most RUN_SLICE elements per call, then yields
 * with its first argument replaced by the rest of the list and its third
 * by the results so far (OTP traps the same way).
 */
#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/magic.h"
#include "vm/match_spec.h"
#include "vm/proc.h"

typedef struct {
    MatchSpec *ms;
} MsBin;

static void ms_bin_destroy(MagicBin *mb)
{
    MsBin *b = (MsBin *)mb->data;
    ms_free(b->ms);
    b->ms = NULL;
}

/* The program of compiled specification t, or NULL. */
static const MatchSpec *compiled_of(term_t t)
{
    MagicBin *mb = magic_ref_bin(t, ms_bin_destroy);
    return mb ? ((MsBin *)mb->data)->ms : NULL;
}

term_t bif_ets_match_spec_compile_1(Process *p, term_t *args)
{
    /* OTP: a non-empty proper list of clauses ([] is badarg here, though
     * ets:select(T, []) accepts it). */
    if (!is_list(args[0])) BIF_ERROR(p, ATOM_badarg);
    bool too_deep;
    MatchSpec *ms = ms_compile_limit(args[0], MS_KIND_TABLE, &too_deep);
    if (!ms) BIF_ERROR(p, too_deep ? ATOM_system_limit : ATOM_badarg);
    MagicBin *mb = magic_bin_alloc(sizeof(MsBin), ms_bin_destroy);
    if (!mb) {
        ms_free(ms);
        BIF_ERROR(p, ATOM_system_limit);
    }
    ((MsBin *)mb->data)->ms = ms;
    uint32_t num[REF_NUMBERS];
    proc_make_ref_numbers(p, num);
    return magic_ref_make(&p->h, mb, num);
}

term_t bif_ets_is_compiled_ms_1(Process *p, term_t *args)
{
    (void)p;
    return compiled_of(args[0]) ? ATOM_true : ATOM_false;
}

#define RUN_SLICE 1000

term_t bif_ets_match_spec_run_r_3(Process *p, term_t *args)
{
    term_t l = args[0], acc = args[2];
    const MatchSpec *ms = compiled_of(args[1]);
    if ((!is_list(l) && !is_nil(l)) || !ms) BIF_ERROR(p, ATOM_badarg);
    /* The spec cannot die while we run it: args[1] holds a count. */
    for (unsigned n = 0; is_list(l); l = cons_tail(l), n++) {
        if (n == RUN_SLICE) {
            args[0] = l;
            args[2] = acc;
            p->freason = EXC_YIELD;
            return THE_NON_VALUE;
        }
        term_t r;
        if (ms_run(ms, p, cons_head(l), &r)) acc = make_cons(heap_alloc(&p->h, CONS_WORDS), r, acc);
    }
    if (!is_nil(l)) BIF_ERROR(p, ATOM_badarg);
    return acc;
}
