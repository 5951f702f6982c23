/*
 * bif_yield.h — long-running BIFs work in slices.
 *
 * A BIF reached through its export stub (i_call_bif; every BIF that is not
 * a guard BIF) sees the process's remaining reductions in p->fcalls. A BIF
 * whose work grows with its input (lists:reverse/2, binary_to_list/1,
 * list_to_binary/1, ...) does at most bif_work_budget() units in one call,
 * charges what it did with bif_charge(), and when work remains either
 *   - rewrites its own arguments so that calling it again continues (the
 *     arguments are X registers: the emulator saves them with the process)
 *     and returns bif_yield(p): the process goes to the back of its run
 *     queue and the stub calls the BIF again when it next runs; or
 *   - traps to a continuation BIF with more arguments (bif_trap()), which
 *     yields the same way.
 * So one call never holds a scheduler for more than about one time slice,
 * as OTP's trapping BIFs do. Guard BIFs (bif/gc_bif instructions) never
 * yield (emu raises system_limit if one tries).
 */
#ifndef BEAMOS_VM_BIF_YIELD_H
#define BEAMOS_VM_BIF_YIELD_H

#include <stddef.h>

#include "vm/export.h"
#include "vm/process.h"

/* Work units per reduction: a list cell visited or built, or
 * BIF_BYTES_PER_UNIT bytes copied. At the default budget of 2000
 * reductions a slice is 64k list cells (about 0.1-0.3 ms). */
#define BIF_WORK_PER_RED 32
#define BIF_BYTES_PER_UNIT 16

/* Units this call may do: the slice's remaining reductions' worth, and at
 * least one reduction's worth so every call makes progress. */
static inline size_t bif_work_budget(const Process *p)
{
    long reds = p->fcalls > 1 ? p->fcalls : 1;
    return (size_t)reds * BIF_WORK_PER_RED;
}

/* Charges `units` of work to the process's reductions. */
static inline void bif_charge(Process *p, size_t units)
{
    p->fcalls -= (int32_t)(units / BIF_WORK_PER_RED);
}

/* Ends this call: the process is rescheduled and the BIF called again with
 * its (rewritten) arguments. */
static inline term_t bif_yield(Process *p)
{
    p->freason = EXC_YIELD;
    return THE_NON_VALUE;
}

/* Continues at the export `ep` with the arguments the caller has written
 * into args[0 .. ep's arity). */
static inline term_t bif_trap(Process *p, const Export *ep)
{
    p->i = export_addr(ep);
    p->freason = EXC_TRAP;
    return THE_NON_VALUE;
}

#endif
