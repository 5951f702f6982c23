/*
 * gc.h — per-process garbage collection (copying; generational: young heap
 * and old heap). Only the emulator calls the collector, at points where it
 * knows which X registers are live; BIFs never collect (see bif.h).
 * The GC work owns the implementation (gc.c).
 */
#ifndef BEAMOS_VM_GC_H
#define BEAMOS_VM_GC_H

#include <stddef.h>

#include "vm/process.h"

/* Collect p so that at least need_words are free between h.htop and the
 * stack top. Roots: x_reg[0..live), the stack, the process dictionary,
 * fvalue/ftrace, received messages' fragments (h.mbuf), the message queue.
 * Terms outside the process's heaps (literals, unreceived message
 * fragments) are left where they are. Returns the reductions to charge. */
int gc_collect(Process *p, size_t need_words, term_t *x_reg, unsigned live);

/* The heap block sizes OTP uses, in words: the smallest >= words. */
size_t gc_next_heap_size(size_t words);

/* Allocate p's first heap block of `words` (min_heap_size). 0 or -1. */
int gc_alloc_initial_heap(Process *p, size_t words);
/* Free every heap block, fragment and off-heap reference of p. */
void gc_free_process_memory(Process *p);

#endif
