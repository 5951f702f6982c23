/*
 * fun_dangling.c — fun entries for code that is not loaded (code.h,
 * code_fun_dangling): binary_to_term of a fun whose module is not loaded,
 * or is loaded in a version with another MD5, makes a fun anyway, as OTP
 * 25 does (its fun table holds entries for code not loaded).
 *
 * An entry is a LoadedFun with no code: mc NULL, name NIL, and addr its
 * own stub [i_undefined_lambda, entry], which resolves the call when it
 * is made (instrs_calls.def). Entries are interned, so decoding the same
 * fun again costs nothing, and never freed: fun terms in any heap,
 * message or table may name them (OTP's entries are counted; ours are few
 * and small). Equality, hashing and encoding read only the FunEntry
 * fields, so a decoded fun is =:= the fun it was encoded from.
 *
 * Lock: `lock` guards the list; an entry never changes once on it.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/code.h"
#include "vm/emu.h"
#include "vm/lock.h"

typedef struct Dangling {
    LoadedFun lf;             /* first: the FunEntry pointer is &lf.fe */
    uint8_t uniq[16];         /* lf.fe.uniq points here */
    struct Dangling *next;
} Dangling;

static SpinLock lock = SPINLOCK_INIT;
static Dangling *entries;     /* guarded by lock */

const LoadedFun *code_fun_dangling(term_t module, uint32_t index, uint32_t old_uniq,
                                   const uint8_t uniq[16], uint32_t arity, uint32_t num_free)
{
    Dangling *fresh = calloc(1, sizeof *fresh);
    if (!fresh) return NULL;
    spin_lock(&lock);
    for (Dangling *d = entries; d; d = d->next) {
        const FunEntry *fe = &d->lf.fe;
        if (fe->module == module && fe->index == index && fe->old_uniq == old_uniq &&
            fe->arity == arity && fe->num_free == num_free && memcmp(d->uniq, uniq, 16) == 0) {
            spin_unlock(&lock);
            free(fresh);
            return &d->lf;
        }
    }
    LoadedFun *lf = &fresh->lf;
    memcpy(fresh->uniq, uniq, 16);
    lf->fe.module = module;
    lf->fe.index = index;
    lf->fe.old_uniq = old_uniq;
    lf->fe.arity = arity;
    lf->fe.num_free = num_free;
    lf->fe.uniq = fresh->uniq;
    lf->mc = NULL;
    lf->name = NIL;
    lf->code_addr = NULL;
    lf->purged_stub[0] = emu_instr_addr(I_i_undefined_lambda);
    lf->purged_stub[1] = (BeamInstr)(uintptr_t)lf;
    lf->addr = lf->purged_stub;
    fresh->next = entries;
    entries = fresh;
    spin_unlock(&lock);
    return lf;
}
