/*
 * export.h — the export table: one entry per Module:Function/Arity.
 *
 * An entry is created on demand (a call site, an import, apply, fun M:F/A,
 * a BIF at start-up) and never freed, so an Export * and its ErtsMFA are
 * valid for the life of the node; an export fun (fun.h) points at `mfa`.
 *
 * INVARIANT: `addr` is always callable. It is either the entry of the
 * function in the module's *current* code, or one of the entry's own stubs:
 *   stub = [I_i_call_bif, this]        the function is a BIF (bif != NULL)
 *   stub = [I_i_call_undefined, this]  nothing defines it (autoload / undef)
 * A remote call is "push CP; I = ep->addr", so loading or deleting a
 * module switches every caller at once.
 *
 * Concurrency: entries are inserted under the table lock; `addr` is
 * published with release stores and read with acquire loads, so a caller
 * on another scheduler sees either the old or the new code, whole.
 */
#ifndef BEAMOS_VM_EXPORT_H
#define BEAMOS_VM_EXPORT_H

#include <stdatomic.h>
#include <stdbool.h>

#include "vm/bif.h"
#include "vm/fun.h"
#include "vm/process.h"

typedef struct Export {
    ErtsMFA mfa;                       /* first: export funs point here */
    const BeamInstr *_Atomic addr;     /* where a call goes (see above) */
    BifFn bif;                         /* the C function when a BIF */
    uint8_t bif_flags;                 /* BIF_* */
    BeamInstr stub[2];                 /* [instruction, (BeamInstr)this] */
    struct Export *hnext;              /* hash chain [table lock] */
} Export;

/* Creates an entry for every BIF in bif_table. Called by code_init(). */
void export_init(void);

/* The entry for M:F/A, created (undefined) if new. Never NULL for atoms. */
Export *export_get(term_t module, term_t function, uint32_t arity);
/* The entry if it exists, else NULL. */
Export *export_find(term_t module, term_t function, uint32_t arity);

static inline const BeamInstr *export_addr(const Export *ep) {
    return atomic_load_explicit(&ep->addr, memory_order_acquire);
}
/* True if a call would run code or a BIF (not the undefined stub). */
bool export_is_defined(const Export *ep);

/* Point ep at loaded code (NULL: back to its BIF or undefined stub). */
void export_set_code(Export *ep, const BeamInstr *code);

static inline Export *export_from_mfa(const ErtsMFA *mfa) { return (Export *)mfa; }

/* Calls fn for every entry (for erlang:loaded/0 and module_info). */
void export_foreach(void (*fn)(Export *ep, void *arg), void *arg);

#endif
