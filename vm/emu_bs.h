/*
 * emu_bs.h — bit syntax for the emulator: match contexts and bs_create_bin.
 *
 * A match context is a private, mutable sub binary
 *   [header(SUB_BINARY, 3), size_bits = bits left, offset_bits = position,
 *    orig]
 * so the GC needs no new object kind: it follows `orig` as for any sub
 * binary. The context is created fresh by bs_start_match (never shared
 * with user terms); bs_get_position is offset_bits, and the end of the
 * match window is offset_bits + size_bits.
 * Flags (field_flags): 2 little, 4 signed, 16 native.
 */
#ifndef BEAMOS_VM_EMU_BS_H
#define BEAMOS_VM_EMU_BS_H

#include <stdbool.h>

#include "vm/binary.h"
#include "vm/process.h"

#define BSF_LITTLE 2u
#define BSF_SIGNED 4u
#define BSF_NATIVE 16u

/* A new context over bitstring t, or THE_NON_VALUE if t is not one. */
term_t emu_bs_start(Process *p, term_t t);
/* Each returns THE_NON_VALUE when the match fails (context unchanged). */
term_t emu_bs_get_integer(Process *p, term_t ctx, int64_t bits, unsigned flags);
term_t emu_bs_get_float(Process *p, term_t ctx, int64_t bits, unsigned flags);
term_t emu_bs_get_binary(Process *p, term_t ctx, int64_t bits);
term_t emu_bs_get_utf(Process *p, term_t ctx, unsigned kind, unsigned flags); /* 8, 16, 32 */
bool emu_bs_match_string(term_t ctx, const uint8_t *s, size_t bits);
/* The rest of the context as a bitstring. */
term_t emu_bs_tail(Process *p, term_t ctx);
/* Size in bits of a segment: size * unit, or -1 if size is not a
 * non-negative integer. The atom `all` gives the bits left. */
int64_t emu_bs_size(term_t ctx, term_t size, uint64_t unit);

/* bs_create_bin: n segments of 6 words each (type, seg, unit, flags, src,
 * size). Returns the bitstring, or THE_NON_VALUE with p->fvalue set to the
 * error reason (badarg, system_limit...). */
term_t emu_bs_create(Process *p, const BeamInstr *segs, size_t n, const term_t *x);

#endif
