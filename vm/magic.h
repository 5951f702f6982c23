/*
 * magic.h — magic references: reference terms that also own a reference
 * count on an off-heap runtime object (a MagicBin), as OTP's atomics and
 * counters handles are.
 *
 * To Erlang code a magic ref is an ordinary internal reference: is_reference/1
 * is true, it prints as #Ref<0.A.B.C>, compares, hashes and is encoded by
 * term_to_binary by its three numbers only (term.h ref_number()), so it is
 * equal to a plain ref with the same numbers — which is what
 * binary_to_term(term_to_binary(Magic)) gives back (OTP does the same; the
 * decoded copy has lost the object and a BIF given it raises badarg).
 *
 * Heap object (MAGIC_REF_WORDS, subtag REF_SUBTAG, told from a plain ref by
 * its arity): the first three words are an OffHeapHeader, so the object is
 * linked into its heap's off_heap list exactly like a ProcBin (heap.h); the
 * numbers sit in the last two words, where a plain ref has them too.
 *
 *   [header(5, REF)] [size = 0] [next] [MagicBin *] [num0 | num1 << 32] [num2]
 *
 * `size` is 0: the object is not charged to the virtual binary heap (OTP
 * accounts atomics as system memory, not binary; see magic_bytes_in_use()).
 *
 * Export table: OTP keeps a magic ref that term_to_binary encoded in a
 * node-wide table, so that binary_to_term of that encoding on this node
 * gives back a magic ref to the same object while the object lives, and a
 * plain ref (badarg to every BIF) once it has been freed; ref_to_list/1
 * and list_to_ref/1 do the same. magic_export() and magic_import() are that
 * table (etf_encode.c, etf_decode.c, bif_erlang_text.c); entries
 * never hold a count, the last magic_bin_deref() removes the entry.
 *
 * MagicBin: a refcounted block whose kind is its destructor (OTP's
 * convention: ERTS_MAGIC_BIN_DESTRUCTOR names the type, so a BIF checks
 * that a handle is of its kind by comparing the function pointer; a ref of
 * another kind is badarg). Lifetime: every MagicRef on any heap (process,
 * message, persistent term) holds one count; the GC's off-heap sweep
 * (gc_offheap.c), heap_off_heap_release() and term_copy() keep the counts,
 * and the last drop runs the destructor and frees the block.
 */
#ifndef BEAMOS_VM_MAGIC_H
#define BEAMOS_VM_MAGIC_H

#include <stdatomic.h>
#include <stdint.h>

#include "vm/heap.h"
#include "vm/term.h"

typedef struct MagicBin MagicBin;
/* Runs just before the block is freed (may do nothing); also the kind tag. */
typedef void (*MagicDestructor)(MagicBin *mb);

struct MagicBin {
    _Atomic uint64_t refc;
    MagicDestructor destroy;
    uint64_t bytes;                 /* whole block, header included */
    uint32_t num[REF_NUMBERS];      /* of its refs: the export table's key */
    uint32_t exported;              /* in the export table (under its lock) */
    _Alignas(8) uint8_t data[];     /* the kind's object */
};

typedef struct {
    term_t thing_word;
    uint64_t size;                  /* always 0 (see above) */
    OffHeapHeader *next;
    MagicBin *mb;
    term_t num01;                   /* numbers: as a plain ref's two words */
    term_t num2;
} MagicRef;

/* A new block with refc 1 and data_bytes of uninitialised data; NULL when
 * memory is short (the BIF raises system_limit then). */
MagicBin *magic_bin_alloc(size_t data_bytes, MagicDestructor destroy);
static inline void magic_bin_ref(MagicBin *mb) {
    atomic_fetch_add_explicit(&mb->refc, 1, memory_order_relaxed);
}
void magic_bin_deref(MagicBin *mb);
/* Bytes of all MagicBins alive now (erlang:memory(system) includes them). */
uint64_t magic_bytes_in_use(void);

/* Builds a magic ref (MAGIC_REF_WORDS on h) with numbers num, taking over
 * one count of mb (the caller's), and links it into h's off-heap list.
 * num must be new numbers (proc_make_ref_numbers) the first time; mb keeps
 * them. */
term_t magic_ref_make(Heap *h, MagicBin *mb, const uint32_t num[REF_NUMBERS]);

/* Enters magic ref t's object in the export table (idempotent). */
void magic_export(term_t t);
/* The exported, still live object with these ref numbers, with one count
 * taken for the caller; NULL if there is none. */
MagicBin *magic_import(const uint32_t num[REF_NUMBERS]);

static inline MagicRef *magic_ref_val(term_t t) { return (MagicRef *)boxed_val(t); }
/* The block of t if t is a magic ref of the given kind, else NULL. */
static inline MagicBin *magic_ref_bin(term_t t, MagicDestructor kind) {
    if (!is_magic_ref(t)) return NULL;
    MagicBin *mb = magic_ref_val(t)->mb;
    return mb->destroy == kind ? mb : NULL;
}

#endif
