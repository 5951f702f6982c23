/*
 * gc.h — per-process garbage collection (copying; generational: young heap
 * and old heap). Only the emulator calls the collector, at points where it
 * knows which X registers are live; BIFs never collect (see bif.h).
 * The GC work owns the implementation (gc*.c); design notes: docs/gc.md.
 */
#ifndef BEAMOS_VM_GC_H
#define BEAMOS_VM_GC_H

#include <stdbool.h>
#include <stddef.h>

#include "vm/process.h"

/* Collect p so that at least need_words are free between h.htop and the
 * stack top. Roots: x_reg[0..live), the stack, the process dictionary,
 * fvalue/ftrace, received messages' fragments (h.mbuf), the message queue.
 * Terms outside the process's heaps (literals, unreceived message
 * fragments) are left where they are. Returns the reductions to charge.
 *
 * Added (GC work; backward compatible): x_reg == NULL means "p is not
 * running": its live registers are then p->arg_reg[0..p->arity) (as saved
 * when it was scheduled out). With a non-NULL x_reg, arg_reg is not a root.
 * A full sweep is done when PF_FORCE_GC is set (erlang:garbage_collect sets
 * it; the collector clears it), after max_gen_gcs minor collections, when the
 * old heap is full, or when the virtual binary heap is exceeded. Every raw
 * pointer into p's heaps is invalid after the call. */
int gc_collect(Process *p, size_t need_words, term_t *x_reg, unsigned live);

/* A literal-area collection (docs/code_purge.md): a major collection of
 * p, which is not running (x_reg == NULL: its registers are arg_reg),
 * whose from-space also holds the n literal ranges [lo, hi). Every term of p that points into them is
 * copied into p's heap (sharing kept; nothing is written into the
 * ranges, which other processes read concurrently); copied ProcBins and
 * magic refs take a reference of their own. Afterwards p holds no
 * pointer into the ranges. Returns the reductions to charge. */
typedef struct {
    term_t *lo, *hi;
} GcLitRange;
int gc_collect_literals(Process *p, const GcLitRange *ranges, size_t n);

/* The heap block sizes OTP uses, in words: the smallest >= words. */
size_t gc_next_heap_size(size_t words);

/* Allocate p's first heap block of `words` (min_heap_size). 0 or -1.
 * Added (GC work): also sets min_heap_size = words, an empty old
 * generation, max_gen_gcs = GC_DEFAULT_FULLSWEEP_AFTER and bin_vheap_sz =
 * GC_MIN_BIN_VHEAP_WORDS; a spawn_opt caller overrides them afterwards. */
int gc_alloc_initial_heap(Process *p, size_t words);
/* Free every heap block, fragment and off-heap reference of p. */
void gc_free_process_memory(Process *p);

/* ---- added by the GC work: defaults, when to collect, stress mode ---- */

#define GC_DEFAULT_MIN_HEAP_WORDS 233       /* min_heap_size */
#define GC_DEFAULT_FULLSWEEP_AFTER 65535    /* fullsweep_after */
#define GC_MIN_BIN_VHEAP_WORDS 46422        /* min_bin_vheap_size */

/* Build with -DGC_STRESS to make gc_is_desired() always true: the emulator
 * then collects at every allocation opportunity (every test-heap, every BIF
 * return), so a raw heap pointer kept across one is caught at once. */
#ifdef GC_STRESS
#define GC_STRESS_ENABLED 1
#else
#define GC_STRESS_ENABLED 0
#endif
static inline bool gc_stress_enabled(void) { return GC_STRESS_ENABLED; }

/* Should the emulator collect now (with need 0) although the heap has room?
 * OTP's test after a BIF call: heap fragments exist (BIF spill-over or
 * received messages), the off-heap binaries referenced exceed the virtual
 * binary heap, or a collection was requested. */
/* The off-heap binaries referenced exceed the virtual binary heap: a
 * collection (a major one, gc_collect) would drop the dead ones. The
 * emulator checks this at its heap checks (HEAP_NEED) and before
 * bs_create_bin, so binary garbage is reclaimed although it takes little
 * heap. */
static inline bool gc_vheap_exceeded(const Process *p) {
    return p->h.off_heap.overhead / sizeof(term_t) >= p->bin_vheap_sz;
}

/* Heap fragments (received messages, results of BIFs and map updates made
 * when the heap was full) pass no heap check, so a loop that allocates only
 * through them would never collect and keep every fragment forever. The
 * emulator collects at the end of a slice and before waiting in receive
 * once they hold more words than the young heap (whose next size then
 * takes them in): fragment memory stays within the heap's own, and data a
 * long BIF builds in fragments slice after slice is not copied at every
 * slice (a test against the free heap instead copied a sliced
 * binary_to_list's growing list at each of its slices: +35% GC work in
 * yield_test's binary_to_list_long_test, by callgrind). */
static inline bool gc_fragments_due(const Process *p) {
    return p->h.mbuf_sz > p->heap_sz;
}

static inline bool gc_is_desired(const Process *p) {
    return GC_STRESS_ENABLED || p->h.mbuf != NULL || (p->flags & PF_FORCE_GC) ||
           gc_vheap_exceeded(p);
}

#endif
