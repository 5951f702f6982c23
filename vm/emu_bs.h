/*
 * emu_bs.h — bit syntax for the emulator: match contexts and bs_create_bin.
 *
 * A match context is a private, mutable sub binary with one extra word
 *   [header(SUB_BINARY, 4), size_bits = bits left, offset_bits = position,
 *    orig, 0]
 * so the GC needs no new object kind: it follows `orig` as for any sub
 * binary and copies the fifth (raw) word. That word only makes the header
 * differ from a user sub binary's (arity 3): bs_start_match4 given a
 * context reuses it instead of allocating a new one, as OTP does with its
 * match states (the compiler passes a context only to code that accepts
 * one, marked `accepts_match_context`). A user sub binary is never
 * mutated: it gets a fresh context. A copy of a context (term_copy) is a
 * plain sub binary. bs_get_position is offset_bits, and the end of the
 * match window is offset_bits + size_bits.
 * Flags (field_flags): 2 little, 4 signed, 16 native.
 */
#ifndef BEAMOS_VM_EMU_BS_H
#define BEAMOS_VM_EMU_BS_H

#include <stdbool.h>

#include "vm/atom.h"
#include "vm/binary.h"
#include "vm/process.h"

#define BSF_LITTLE 2u
#define BSF_SIGNED 4u
#define BSF_NATIVE 16u

#define MATCH_CTX_WORDS 5
static inline bool emu_bs_is_ctx(term_t t) {
    return is_boxed(t) && *boxed_val(t) == make_header(MATCH_CTX_WORDS - 1, SUB_BINARY_SUBTAG);
}
/* A new context over bitstring t (not a context), or THE_NON_VALUE if t
 * is not a bitstring. Allocates MATCH_CTX_WORDS. */
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
static inline int64_t emu_bs_size(term_t ctx, term_t size, uint64_t unit) {
    if (size == ATOM_all) return ctx ? (int64_t)((SubBin *)boxed_val(ctx))->size_bits : -1;
    if (!is_small(size) || small_value(size) < 0) return -1;
    uint64_t v = (uint64_t)small_value(size), bits;
    /* (no division: this runs for every segment) */
    if (__builtin_mul_overflow(v, unit, &bits) || bits > (uint64_t)INT64_MAX) return -1;
    return (int64_t)bits;
}

/* Where a context's bits are: its orig is a heap binary or a ProcBin
 * (emu_bs_start unwraps sub binaries). */
static inline const uint8_t *emu_bs_ctx_bytes(const SubBin *c) {
    const term_t *o = boxed_val(c->orig);
    return header_subtag(o[0]) == HEAP_BINARY_SUBTAG ? (const uint8_t *)(o + 2) : ((const ProcBin *)o)->bytes;
}

/* Bits [off, off + bits) of b as an unsigned big-endian number; bits <= 56
 * so that the bytes covering them (at most 8) fit one word. Reads only
 * bytes that hold some of those bits. */
static inline uint64_t emu_bs_load_bits(const uint8_t *b, size_t off, unsigned bits) {
    const uint8_t *q = b + off / 8;
    unsigned sh = (unsigned)(off % 8), nb = (sh + bits + 7) / 8;
    uint64_t acc = 0;
    for (unsigned i = 0; i < nb; i++) acc = acc << 8 | q[i];
    return (acc >> (nb * 8 - sh - bits)) & ((UINT64_C(1) << bits) - 1);
}

/* bs_create_bin: n segments of 6 words each (type, seg, unit, flags, src,
 * size). Returns the bitstring, or THE_NON_VALUE with p->fvalue set to the
 * error reason (badarg, system_limit...). */
term_t emu_bs_create(Process *p, const BeamInstr *segs, size_t n, const term_t *x);
/* The most heap words emu_bs_create allocates: a heap binary of 63 bytes
 * and a sub binary over it (an off-heap result needs a ProcBin and a sub
 * binary, fewer). The caller ensures them, so the result is never built
 * in a heap fragment. */
/* `<<Acc/binary, V:bits>>` (V big-endian unsigned, bits <= 64) when Acc
 * can be extended in place and V is a small, else THE_NON_VALUE with
 * nothing changed (the caller then runs the general bs_create_bin).
 * Needs BS_CREATE_RESULT_WORDS. */
term_t emu_bs_append_int(Process *p, term_t acc, term_t v, size_t bits, uint64_t unit);
#define BS_CREATE_RESULT_WORDS (2 + (BINARY_HEAP_LIMIT + 7) / 8 + SUB_BIN_WORDS)

#endif
