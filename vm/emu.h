/*
 * emu.h — the emulator: runs loaded (translated, threaded) code.
 *
 * Loaded code is an array of BeamInstr words. The first word of every
 * instruction is the address of its implementation in the emulator's
 * dispatch loop (computed goto); operands follow, already resolved: X/Y
 * register offsets, literal terms, jump targets as BeamInstr pointers,
 * Export pointers for calls. The emulator work owns this file beyond the
 * interface below.
 */
#ifndef BEAMOS_VM_EMU_H
#define BEAMOS_VM_EMU_H

#include "vm/process.h"
#include "vm/sched.h"

typedef enum {
    EMU_YIELD,   /* reductions used up (or erlang:yield): re-queue */
    EMU_WAIT,    /* receive with no matching message: wait for a signal/timeout */
    EMU_EXIT,    /* the process finished: p->fvalue is its exit reason */
} EmuResult;

void emu_init(void);
/* Run p on scheduler s until it yields, waits or exits. */
EmuResult emu_execute(Scheduler *s, Process *p);
/* Set p up to call module:function(args...) when it next runs (args is a
 * proper list). Returns 0, or -1 if args is not a proper list. */
int emu_setup_call(Process *p, term_t module, term_t function, term_t args);

#endif
