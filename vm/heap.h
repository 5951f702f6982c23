/*
 * heap.h — where terms are allocated: a process heap (or any term arena).
 *
 * Field names are OTP's (heap, htop, hend, mbuf, off_heap) so the BEAM
 * literature maps onto this code. The process/GC work embeds a Heap in
 * Process and makes allocation GC-aware; every allocation of term words goes
 * through heap_alloc() so there is exactly one place to change.
 *
 * Invariants:
 *   heap <= htop <= hend; words in [heap, htop) are initialised terms/objects.
 *   When the main block is full, heap_alloc() falls back to a heap fragment
 *   (mbuf list, as OTP's HAlloc does); the GC merges fragments into the new
 *   heap at its next collection. A pointer returned by heap_alloc() stays
 *   valid until the next garbage collection.
 *   Every ProcBin and magic ref (magic.h) (and, later, every
 *   off-heap-referencing thing) allocated on this heap is linked into
 *   off_heap.first, so the GC can drop references to off-heap data that
 *   died.
 *
 * Heap-need rule: a function that builds terms documents (or exports a
 * *_need_words() companion computing) the worst-case number of words it will
 * allocate. Callers that may collect do so BEFORE the call, ensuring that
 * much space; the function then never triggers a collection itself. Unused
 * words of a worst-case allocation are given back with heap_release() when
 * they are the last ones allocated; otherwise they stay as unreferenced
 * garbage, which a copying GC never visits.
 */
#ifndef BEAMOS_VM_HEAP_H
#define BEAMOS_VM_HEAP_H

#include <stddef.h>
#include <stdint.h>

#include "vm/term.h"

/* Start of every off-heap-referencing object on a heap (ProcBin, magic
 * ref; later external things): its header word, its size, and the
 * off_heap link. */
typedef struct OffHeapHeader {
    term_t thing_word;
    uint64_t size;
    struct OffHeapHeader *next;
} OffHeapHeader;

typedef struct {
    OffHeapHeader *first;     /* newest first */
    uint64_t overhead;        /* bytes of off-heap binaries referenced (virtual heap) */
} OffHeap;

/* A block that heap_alloc() used because the main heap was full. */
typedef struct HeapFragment {
    struct HeapFragment *next;
    size_t alloc_words;       /* capacity of mem */
    size_t used_words;
    term_t mem[];
} HeapFragment;

typedef struct {
    term_t *heap;             /* start of the main block */
    term_t *htop;             /* first free word */
    term_t *hend;             /* one past the last word */
    HeapFragment *mbuf;       /* fragments, newest first */
    size_t mbuf_sz;           /* total words used in fragments */
    OffHeap off_heap;
    /* Words heap_alloc() always leaves free below hend. A process heap
     * keeps 1: its hend is the stack top, and a call pushes its return
     * address there without a check of its own (vm/emu.c). 0 elsewhere. */
    size_t reserve;
} Heap;

/* Slow path of heap_alloc: a new fragment of at least `words`. Never NULL
 * (the host build aborts on out-of-memory; the kernel will panic). */
term_t *heap_alloc_fragment(Heap *h, size_t words);

/* The one allocation funnel. Returns `words` uninitialised words. */
static inline term_t *heap_alloc(Heap *h, size_t words) {
    term_t *p = h->htop;
    if ((size_t)(h->hend - p) >= words + h->reserve) {
        h->htop = p + words;
        return p;
    }
    return heap_alloc_fragment(h, words);
}

/* Give back the last `unused` words of the allocation that started at p
 * and was `alloc_words` long, if it is the newest one. */
static inline void heap_release(Heap *h, term_t *p, size_t alloc_words, size_t unused) {
    if (p + alloc_words == h->htop) {
        h->htop -= unused;
    } else if (h->mbuf && p + alloc_words == h->mbuf->mem + h->mbuf->used_words) {
        h->mbuf->used_words -= unused;
        h->mbuf_sz -= unused;
    }
}

/* Free words left in the main block. */
static inline size_t heap_free_words(const Heap *h) { return (size_t)(h->hend - h->htop); }

/* Host/test arena: a main block of `words` words from malloc. */
void heap_init(Heap *h, size_t words);
/* Frees the block and fragments and drops the off-heap references. */
void heap_destroy(Heap *h);
/* Drops the one count that off-heap object o holds (a ProcBin's Binary, a
 * magic ref's MagicBin); o itself is heap memory and is not touched. */
void off_heap_drop(OffHeapHeader *o);
/* Drops every off-heap reference in the list (off_heap_drop each). */
void heap_off_heap_release(OffHeap *oh);

#endif
