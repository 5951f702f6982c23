/*
 * gc_impl.h — the collector's internals, shared by vm/gc*.c only.
 *
 * A collection copies every live object of from-space into to-space
 * (Cheney). From-space is a set of address ranges (GcSpace): the young heap
 * [h.heap, h.htop), every fragment on h.mbuf and, in a full sweep, the old
 * heap [old_heap, old_htop). A pointer outside those ranges (literals,
 * unreceived message fragments, the old heap during a minor collection) is
 * left as it is.
 *
 * Forwarding (OTP's scheme): a moved boxed object's header word is replaced
 * by a boxed pointer to the copy (a header word's primary tag is 00, so any
 * other tag there means "moved"); a moved cons cell gets THE_NON_VALUE in its
 * head (never a term) and the list pointer to the copy in its tail.
 *
 * INVARIANT during a collection: to-space holds only copied objects, and
 * every word below a scan pointer holds no pointer into from-space.
 */
#ifndef BEAMOS_VM_GC_IMPL_H
#define BEAMOS_VM_GC_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "vm/process.h"
#include "vm/term.h"

/* One from-space range, [lo, hi). */
typedef struct {
    term_t *lo, *hi;
    HeapFragment *frag;   /* the fragment it belongs to, or NULL */
    /* A literal area being released (docs/code_purge.md): shared with
     * every other process, so its objects are copied WITHOUT forwarding
     * words written into them (GcCopy.lit_fwd remembers the copies). */
    bool literal;
} GcRange;

/* From-space: ranges sorted by address, searched by bisection. */
typedef struct {
    GcRange *r;
    size_t n;
    /* The young heap's range (empty if unused), tested before the
     * bisection: most pointers a collection follows point into it. */
    uintptr_t young_lo, young_hi;
} GcSpace;

/* Copy state. Objects in [mature_lo, mature_hi) go to the old heap
 * (promotion, minor collections only); every other from-space object goes to
 * the young to-space at n_htop. */
typedef struct {
    GcSpace from;
    term_t *mature_lo, *mature_hi;
    term_t *n_htop;
    term_t *old_htop;
    size_t copied_words;
    /* Literal-area collection only (gc_collect_literals): an open-address
     * table old address -> copy (a tagged term) for objects copied out of
     * a `literal` range, so sharing inside the area is kept and nothing
     * is written into it; the copied ProcBins and magic refs join
     * *lit_oh (the process's off-heap list) with a reference of their
     * own. lit_cap == 0 when unused. */
    struct GcLitFwd { const term_t *from; term_t to; } *lit_fwd;
    size_t lit_cap, lit_n;
    OffHeap *lit_oh;
} GcCopy;

/* ---- ranges (gc_copy.c) ---- */
/* Builds from-space for p: young heap, h.mbuf fragments and (when
 * with_old) the used old heap. Returns 0, or -1 when out of memory. */
int gc_space_init(GcSpace *s, const Process *p, bool with_old);
/* Same, plus `n_extra` literal ranges (sorted in with the rest). */
int gc_space_init_ex(GcSpace *s, const Process *p, bool with_old, const GcRange *extra, size_t n_extra);
void gc_space_free(GcSpace *s);
/* The range holding ptr, or NULL. */
const GcRange *gc_space_find(const GcSpace *s, const term_t *ptr);
static inline bool gc_in_space(const GcSpace *s, const term_t *ptr) {
    uintptr_t a = (uintptr_t)ptr;
    if (a >= s->young_lo && a < s->young_hi) return true;
    return gc_space_find(s, ptr) != NULL;
}

/* ---- object layout ---- */
/* For the object starting with header word hdr: its total size in words,
 * and which words hold terms the collector follows: [first, first + n).
 * Everything else is raw (digits, bytes, code pointers, ProcBin links). */
typedef struct {
    size_t words;
    size_t first;
    size_t n_terms;
} GcLayout;
GcLayout gc_layout(term_t hdr);

/* ---- copying (gc_copy.c) ---- */
/* Evacuates *slot if it points into from-space, updating it to the copy. */
void gc_evacuate(GcCopy *c, term_t *slot);
/* Scans [*scan, c->n_htop) and [*old_scan, c->old_htop) until both are
 * exhausted (copying may append to either). old_scan may be NULL when
 * nothing is promoted. */
void gc_scan(GcCopy *c, term_t **scan, term_t **old_scan);

/* ---- relocation (gc_copy.c): used when a heap block is moved whole ---- */
/* Adds delta (bytes, modulo 2^64) to every pointer in [hp, end) that points
 * into [lo, hi). The area must be a walkable heap (objects and cons cells). */
void gc_offset_heap(term_t *hp, term_t *end, term_t delta, const term_t *lo, const term_t *hi);
/* Same for a vector of root words (stack or registers: tag-00 words are
 * continuation pointers and are skipped). */
void gc_offset_words(term_t *v, size_t n, term_t delta, const term_t *lo, const term_t *hi);

/* ---- off-heap sweep (gc_offheap.c) ---- */
/* After copying: relinks the ProcBins that were copied (forwarded), keeps
 * those outside from-space, drops the reference of every dead one (binary
 * refcount). Recomputes h.off_heap.overhead. Returns binaries released. */
size_t gc_sweep_off_heap(Process *p, const GcSpace *from);

/* ---- sizes (gc_sizes.c) ---- */
/* OTP's next_vheap_size: the virtual binary heap limit after a collection
 * that left `vheap_words` of live off-heap binaries. */
uint64_t gc_next_vheap_size(uint64_t vheap_words, uint64_t vheap_sz);

#endif
