/*
 * binary.h — binaries and bitstrings on the heap and off it.
 *
 * Layouts (sizes in words):
 *   heap binary  [header(HEAP_BINARY, 1 + ceil(n/8)), n bytes, data...]
 *                for byte sizes n < BINARY_HEAP_LIMIT (64).
 *   ProcBin      [header(REFC_BINARY, 5), size bytes, next, Binary *val,
 *                 uint8_t *bytes, flags] — references an off-heap Binary
 *                 holding n >= 64 bytes; linked into the heap's off_heap
 *                 list. Its first three words are an OffHeapHeader (heap.h).
 *   sub binary   [header(SUB_BINARY, 3), size in bits, offset in bits,
 *                 orig] — a window onto a heap binary or ProcBin `orig`
 *                 (never onto another sub binary). Every bitstring whose
 *                 size is not a multiple of 8 is a sub binary.
 *
 * Bits are numbered from the most significant bit of the first byte, as
 * Erlang's bit syntax does.
 *
 * Writable binaries (in-place append, OTP's erts_bs_append):
 *   `<<Acc/binary, ...>>` (bs_create_bin whose first segment is `append` /
 *   `private_append`) returns a sub binary onto a ProcBin flagged
 *   PB_WRITABLE whose Binary has spare capacity (orig_size > pb->size).
 *   INVARIANTS:
 *   - A PB_WRITABLE ProcBin is created only by binary_new_writable() and is
 *     never itself a term value: it is only referenced as the `orig` of sub
 *     binaries, which carry their own sizes. So growing pb->size changes no
 *     existing term; bytes [0, pb->size) are never modified once written.
 *   - Only a view that ends exactly at pb->size (the last thing written)
 *     may extend it (binary_appendable()); an older view ends earlier and is
 *     copied instead, so two appends to one value never clash.
 *   - The flag lives only on the owning process's heap: term_copy() (messages,
 *     ETS, persistent terms) clears it in the copy, and the copy's size is
 *     fixed. The GC moves the ProcBin with its flag.
 *   - The Binary is realloc'ed (moved) only while refc == 1: then every view
 *     reaches the bytes through this one ProcBin, whose `bytes` is updated.
 *     With other holders (a copy in another process), growth allocates a new
 *     Binary, copies the used bytes and drops this ProcBin's old reference;
 *     the other holders keep the old bytes, which never change.
 *   - h.off_heap.overhead is charged with each growth of pb->size.
 *
 * Binary (off-heap) refcount: one per ProcBin (and per other holder, e.g.
 * ETS). Increments are relaxed (the holder already has a reference);
 * the decrement is acq_rel so the last owner sees every write before free.
 */
#ifndef BEAMOS_VM_BINARY_H
#define BEAMOS_VM_BINARY_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/heap.h"
#include "vm/term.h"

#define BINARY_HEAP_LIMIT 64 /* bytes; ERL_ONHEAP_BIN_LIMIT */

typedef struct {
    _Atomic uint64_t refc;
    size_t orig_size;        /* bytes allocated (a writable binary's capacity;
                              * the bytes in use are its ProcBin's size) */
    uint8_t orig_bytes[];
} Binary;

typedef struct {
    term_t thing_word;
    uint64_t size;           /* bytes */
    OffHeapHeader *next;
    Binary *val;
    uint8_t *bytes;          /* into val->orig_bytes */
    uint64_t flags;          /* PB_* */
} ProcBin;

#define PB_WRITABLE 1u       /* may grow in place (see above) */
/* Bits 8..10 of a writable ProcBin's flags: how many low bits of its last
 * byte no view has written yet, so a bitstring accumulator of any bit size
 * (`<<Acc/bitstring, X:3>>`) is appended in place, and only by the view
 * that ends exactly at pb_end_bits(). */
#define PB_PAD_SHIFT 8
static inline size_t pb_end_bits(const ProcBin *pb) {
    return pb->size * 8 - ((pb->flags >> PB_PAD_SHIFT) & 7);
}
/* After writing up to bit `end` (within the last byte of pb->size). */
static inline void pb_set_end_bits(ProcBin *pb, size_t end) {
    pb->flags = (pb->flags & ~((uint64_t)7 << PB_PAD_SHIFT)) | ((uint64_t)(pb->size * 8 - end) << PB_PAD_SHIFT);
}

#define PROC_BIN_WORDS (sizeof(ProcBin) / sizeof(term_t))
#define SUB_BIN_WORDS 4

typedef struct {
    term_t thing_word;
    uint64_t size_bits;
    uint64_t offset_bits;
    term_t orig;
} SubBin;

/* Off-heap Binary with refcount 1, contents uninitialised. */
Binary *binary_alloc(size_t bytes);
static inline void binary_ref(Binary *b) {
    atomic_fetch_add_explicit(&b->refc, 1, memory_order_relaxed);
}
void binary_deref(Binary *b);
/* b cut to its first `bytes` bytes (it may move). Precondition: the
 * caller holds the only reference and nothing points into it yet. */
Binary *binary_shrink(Binary *b, size_t bytes);
/* Bytes of all live Binary objects (erlang:memory(binary)). */
uint64_t binary_allocated_bytes(void);

static inline size_t heap_bin_words(size_t bytes) { return 2 + (bytes + 7) / 8; }
/* Heap words needed by binary_new/binary_new_uninit for `bytes` bytes. */
static inline size_t binary_need_words(size_t bytes) {
    return bytes < BINARY_HEAP_LIMIT ? heap_bin_words(bytes) : PROC_BIN_WORDS;
}
/* Heap words needed by bitstring_new for `bits` bits. */
static inline size_t bitstring_need_words(size_t bits) {
    return binary_need_words((bits + 7) / 8) + (bits % 8 ? SUB_BIN_WORDS : 0);
}

/* A binary of `len` bytes; *data receives where to write them. */
term_t binary_new_uninit(Heap *h, size_t len, uint8_t **data);
/* A binary holding a copy of bytes[0..len). */
term_t binary_new(Heap *h, const uint8_t *bytes, size_t len);
/* A bitstring holding the first `bits` bits of bytes (aligned). */
term_t bitstring_new(Heap *h, const uint8_t *bytes, size_t bits);
/* A ProcBin for an existing Binary (takes over one reference). */
term_t binary_wrap(Heap *h, Binary *b, size_t offset_bytes, size_t len);
/* A PB_WRITABLE ProcBin (not a term value: wrap it in a sub binary) over
 * a new Binary of `capacity` >= len bytes, of which len are in use; *data
 * receives the bytes (contents uninitialised). Needs PROC_BIN_WORDS. */
term_t binary_new_writable(Heap *h, size_t capacity, size_t len, uint8_t **data);
/* The writable ProcBin that bitstring `bin` may be extended in place in,
 * or NULL: bin must be a sub binary ending exactly at its PB_WRITABLE
 * orig's size. */
ProcBin *binary_appendable(term_t bin);
/* Grows writable pb to new_size >= pb->size bytes (zeroing the new bytes,
 * growing the capacity geometrically, charging h's virtual binary heap)
 * and returns pb->bytes, which may have moved. */
uint8_t *binary_writable_extend(Heap *h, ProcBin *pb, size_t new_size);
/* Window [offset_bits, offset_bits + size_bits) of bitstring `bin`.
 * Needs SUB_BIN_WORDS. Precondition: it lies within bin. */
term_t sub_binary_new(Heap *h, term_t bin, size_t offset_bits, size_t size_bits);

/* Where the bits of any bitstring term are: its first byte, the bit offset
 * (0..7) into it, and the size in bits. */
void bitstring_get(term_t bin, const uint8_t **bytes, size_t *bit_offset, size_t *bit_size);
size_t bitstring_bit_size(term_t bin);
static inline bool is_binary(term_t t) { return is_bitstring(t) && bitstring_bit_size(t) % 8 == 0; }

/* Copies n bits from src (starting at bit src_off) to dst at bit dst_off;
 * bits of dst outside the range are kept. */
void bits_copy(uint8_t *dst, size_t dst_off, const uint8_t *src, size_t src_off, size_t n);
/* Compares n bits, memcmp-like. */
int bits_compare(const uint8_t *a, size_t a_off, const uint8_t *b, size_t b_off, size_t n);
/* Compares two bitstring terms in Erlang order (bytes, then size). */
int bitstring_compare(term_t a, term_t b);

#endif
