/*
 * bif.h — built-in functions implemented in C.
 *
 * A BIF receives the calling process and its arguments (args[0..arity), X
 * registers or a copy) and returns the result term, or THE_NON_VALUE with
 * p->freason/p->fvalue set (BIF_ERROR(p, ATOM_badarg)). A BIF allocates its
 * result with heap_alloc(&p->h, words), which never collects (it spills
 * into heap fragments), so a BIF never sees a garbage collection and may
 * hold raw pointers into terms throughout. Long-running BIFs yield
 * (p->freason = EXC_YIELD) or trap into Erlang code (EXC_TRAP, setting p->i).
 *
 * The table of BIFs is defined once, in X-macro files (vm/bifs_*.def, one per
 * area of work), and expanded by vm/bif_table.c; the code layer creates an
 * export entry for every BIF at start-up, so calls, apply and
 * fun erlang:F/A all reach them. A function OTP lists as a BIF that is not
 * in the table stays undefined: calling it raises `undef`, never a fake.
 *
 * BIF(module, name, arity, c_function, flags): module and name are C string
 * literals (names like "+" or "=:=" are not identifiers).
 */
#ifndef BEAMOS_VM_BIF_H
#define BEAMOS_VM_BIF_H

#include <stdint.h>

#include "vm/process.h"

typedef term_t (*BifFn)(Process *p, term_t *args);

#define BIF_GUARD   (1u << 0)  /* pure, never yields: allowed in guards (bif*, gc_bif*) */
#define BIF_YIELDS  (1u << 1)  /* may return EXC_YIELD / EXC_TRAP */

typedef struct {
    const char *module, *name;
    uint8_t arity;
    uint8_t flags;
    BifFn fn;
} BifEntry;

extern const BifEntry bif_table[];
extern const unsigned bif_table_count;

/* Declarations of every BIF function in the table. */
#define BIF(m, n, a, fn, fl) term_t fn(Process *p, term_t *args);
#include "vm/bifs_all.def"
#undef BIF

#endif
