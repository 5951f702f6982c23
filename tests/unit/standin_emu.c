/*
 * standin_emu.c — TEST-ONLY stand-in for the emulator (vm/emu.h), linked
 * only into test_proc until engineer A's emu_execute exists. A "process" is
 * a C callback registered under a function atom; emu_setup_call records
 * which one and keeps the argument list in arg_reg[0]; emu_execute calls it.
 */
#include "tests/unit/standin_emu.h"

#include "vm/code.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_FNS 64
static struct {
    term_t name;
    StandinFn fn;
} fns[MAX_FNS];
static unsigned nfns;

void standin_emu_register(term_t function, StandinFn fn)
{
    fns[nfns].name = function;
    fns[nfns].fn = fn;
    nfns++;
}

void emu_init(void) {}

int emu_setup_call(Process *p, term_t module, term_t function, term_t args)
{
    (void)module;
    for (unsigned i = 0; i < nfns; i++) {
        if (fns[i].name == function) {
            p->i = (const BeamInstr *)(uintptr_t)((i + 1) * 8);
            p->arg_reg[0] = args;
            p->arg_reg[1] = make_small(0);   /* the callback's state */
            p->arity = 2;
            return 0;
        }
    }
    fprintf(stderr, "standin_emu: no callback registered for this function\n");
    abort();
}

EmuResult emu_execute(Scheduler *s, Process *p)
{
    unsigned i = (unsigned)((uintptr_t)p->i / 8) - 1;
    p->reductions++;
    return fns[i].fn(s, p);
}

/* No module code exists in test_proc: process_info's location items find
 * none (and vm/code.c, which needs the real emulator, stays unlinked). */
bool code_lookup_address(const BeamInstr *pc, const ErtsMFA **mfa, term_t *file, uint32_t *line)
{
    (void)pc; (void)mfa; (void)file; (void)line;
    return false;
}
