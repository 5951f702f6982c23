/*
 * etf_impl.h — the resumable engines behind etf.h, for the BIFs that run
 * term_to_binary and binary_to_term in slices (etf_encode_slices.c,
 * etf_decode_slices.c; bif_yield.h). Nothing else should need this.
 *
 * Both engines do at most `budget` work units per call (one unit per term
 * visited, plus one per BIF_BYTES_PER_UNIT bytes copied), say how many
 * they did, and stop with *more set when the budget ran out; calling again
 * continues. With budget SIZE_MAX they are etf.h's one-call functions.
 *
 * ENCODER. A stack of frames replaces recursion. INVARIANT: every word of
 * every frame is a term (the op and the counters are small integers; `a`
 * is a term of the value being encoded or a small), so a suspended stack
 * can be stored as Erlang tuples (etf_encode_slices.c) where the collector
 * sees and moves them; the engine keeps no other pointer into a heap
 * between calls. Lists and tuples are walked by a cursor frame, so the
 * stack grows with the nesting depth only, not with the length.
 * A LIST_EXT's length, and a NEW_FUN_EXT's size, are written when the list
 * (fun) ends, at the position the frame remembers, so the list is walked
 * once; a count-only run (buf NULL) writes nothing and gives the size.
 *
 * DECODER. Pass 1 (scan) keeps a count of terms still to read and the
 * words needed; pass 2 (build) fills a block of exactly that many words
 * (heap fragment or heap) through a stack of slots. Every pointer it holds
 * is into that block, which no collector sees or moves until the term is
 * complete; the input is re-read through the Reader each call (its bytes
 * may have moved, only the offset is kept).
 */
#ifndef BEAMOS_VM_ETF_IMPL_H
#define BEAMOS_VM_ETF_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/etf.h"
#include "vm/heap.h"

/* Bytes copied per work unit (bif_yield.h's BIF_BYTES_PER_UNIT). */
#define ETF_BYTES_PER_UNIT 16

/* ---- encoder ---- */

typedef struct {
    term_t op, a, b, c;       /* all terms: see INVARIANT above */
} EtfFrame;

#define ETF_FRAME_WORDS 4
#define ETF_ENC_LOCAL_FRAMES 16

typedef struct {
    uint8_t *buf;             /* NULL: count only */
    size_t cap, pos;          /* pos: bytes written (counted) so far */
    const EtfOptions *o;
    term_t node;
    uint32_t creation;
    EtfFrame *v;              /* the stack: local, or malloc'ed when deep */
    size_t len, cap_frames;
    EtfFrame local[ETF_ENC_LOCAL_FRAMES];
} EtfEncoder;

/* An empty encoder writing into buf[0..cap) from position pos (buf NULL:
 * counting). opts must outlive it. */
void etf_enc_init(EtfEncoder *e, const EtfOptions *opts, uint8_t *buf, size_t cap, size_t pos);
/* Writes the version byte and schedules t. */
void etf_enc_begin(EtfEncoder *e, term_t t);
/* Pushes a frame taken from a suspended stack (bottom first). */
void etf_enc_push_frame(EtfEncoder *e, const EtfFrame *f);
/* Runs until the stack is empty (*more false) or `budget` units are spent
 * (*more true); adds the units done to *units. An error leaves the encoder
 * to be freed only. */
EtfError etf_enc_run(EtfEncoder *e, size_t budget, size_t *units, bool *more);
void etf_enc_free(EtfEncoder *e);

/* ---- decoder ---- */

typedef struct {
    term_t *slot;   /* where the next term goes; NULL: finish a map */
    term_t map;     /* finish: a flatmap, or a large map's staging tuple */
    term_t *dest;   /* finish of a large map: where the built map goes */
    size_t count;   /* slot: this many terms, at slot, slot + stride, ... */
    unsigned stride;
    bool list;      /* slot: heads of a list's cells; link each to the next */
} EtfTodo;

#define ETF_DEC_LOCAL_TODOS 32

typedef struct {
    const EtfOptions *o;
    /* scan */
    size_t todo, words;
    /* build: sub is a heap over the block being filled */
    Heap sub;
    EtfTodo *v;
    size_t len, cap;
    EtfTodo local[ETF_DEC_LOCAL_TODOS];
} EtfDecoder;

/* Both passes read buf[pos..len); *pos advances. Begin with the position
 * just after the version byte. */
void etf_dec_init(EtfDecoder *d, const EtfOptions *opts);
EtfError etf_dec_scan(EtfDecoder *d, const uint8_t *buf, size_t len, size_t *pos, size_t budget,
                      size_t *units, bool *more);
/* After a complete scan: build into block[0..d->words), result at *out
 * (which must stay valid until the build ends). */
void etf_dec_build_begin(EtfDecoder *d, term_t *block, term_t *out);
EtfError etf_dec_build(EtfDecoder *d, const uint8_t *buf, size_t len, size_t *pos, size_t budget,
                       size_t *units, bool *more);
/* Frees the stack; the block and sub.off_heap are the caller's. */
void etf_dec_free(EtfDecoder *d);

/* Puts the objects of oh (a finished build's sub.off_heap) on h's
 * off-heap list, and empties oh. */
void etf_off_heap_splice(Heap *h, OffHeap *oh);

/* Deflate cannot expand data more than about 1032:1. */
static inline bool etf_plausible_inflated_size(size_t size, size_t compressed_len) {
    return size / 1032 <= compressed_len;
}

#endif
