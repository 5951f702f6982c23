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
/* Where erlang:hibernate/3 traps to, with x0..x2 = Module, Function, Args. */
const BeamInstr *emu_hibernate_addr(void);

/* ---- beyond the scheduler's interface: for the loader and code layer ---- */

/* Internal instruction numbers, from vm/instrs.def. */
enum {
#define INSTR(name, layout) I_##name,
#include "vm/instrs.def"
#undef INSTR
    I_COUNT_
};
/* The threaded-code word of instruction op (its body's address). Valid
 * after emu_init(), which code_init() calls. */
BeamInstr emu_instr_addr(unsigned op);
/* The instruction number of a threaded-code word, or -1. */
int emu_instr_op(BeamInstr word);
const char *emu_instr_name(unsigned op);

/* ---- exceptions (emu_exc.c) ----
 * Private bits in Process.freason, set by the emulator's own BIFs next to
 * the class (never seen outside the emulator):
 *   EXC_F_NOFRAME  no {erlang,F,Args} frame for the raising BIF (error/1,
 *                  exit/1, throw/1)
 *   EXC_F_ARGS     erlang:error/2,3: p->ftrace holds the Args list; the top
 *                  frame is the calling function with those Args
 *   EXC_F_TRACE    erlang:raise/3: p->ftrace is already a raw trace */
#define EXC_F_NOFRAME 0x100u
#define EXC_F_ARGS 0x200u
#define EXC_F_TRACE 0x400u
#define EXC_F_MASK 0xF00u

/* A stack word that is a return address (code pointers carry the header
 * tag, which no term on the stack has). */
static inline bool emu_is_cp(term_t w) { return w != 0 && (w & TAG_PRIMARY_MASK) == TAG_PRIMARY_HEADER; }

/* Frames kept in a stack trace (OTP's default backtrace_depth). */
#define EMU_BACKTRACE_DEPTH 8

/* Raw trace flags. */
#define RAW_TOP_BIF 1u      /* top frame: {M,F,Args,[{error_info,...}]} of top_mfa */
#define RAW_TOP_CURRENT 2u  /* top frame: function at pc with Args, pc's location */
#define RAW_CAUSE_SHIFT 8   /* bits 8..: 1 + atom index of the BIF's error_info cause */

/* The raw (unbuilt) stack trace of an exception of class cls raised at pc
 * (may be NULL), with the return addresses on p's stack. A tuple on p's
 * heap; opaque to Erlang code (build_stacktrace turns it into a list). */
term_t emu_raw_trace(Process *p, uint32_t cls, const BeamInstr *pc, const ErtsMFA *top_mfa,
                     term_t args, unsigned flags);
/* A raw trace whose built form is the list `st` (erlang:raise/3). */
term_t emu_raw_trace_built(Process *p, uint32_t cls, term_t st);
/* True if t is a raw trace; *cls receives its class. */
bool emu_is_raw_trace(term_t t, uint32_t *cls);
/* The stack-trace list of a raw trace (allocates on p's heap). */
term_t emu_build_stacktrace(Process *p, term_t raw);
/* The list of x[0..n) on p's heap. */
term_t emu_make_list(Process *p, const term_t *x, unsigned n);
/* The class atom of EXC_ERROR/EXIT/THROW. */
term_t emu_class_atom(uint32_t cls);
/* Stack slot holding the innermost catch word above p->h.hend, or NULL;
 * *frame receives the stack pointer of the frame that owns it. */
term_t *emu_find_catch(Process *p, term_t **frame);

/* Reductions per time slice: EMU_DEFAULT_REDUCTIONS (OTP's 2000) unless
 * the command line's `+reds N` set it before the schedulers started. */
#define EMU_DEFAULT_REDUCTIONS 2000
#define EMU_MIN_REDUCTIONS 10
#define EMU_MAX_REDUCTIONS 10000000
extern int32_t emu_slice_reductions;

#endif
