/*
 * heap_limits.h — a process's max_heap_size and min_bin_vheap_size, as
 * spawn_opt/2,4, process_flag/2 and process_info(P, garbage_collection)
 * see them (OTP's semantics).
 *
 * max_heap_size is checked after every collection (gc_collect): when the
 * process's total heap (young + old generation, in words) is over the
 * limit, an error report is printed if error_logger is set, and the process
 * is killed (exit reason `killed`, which links and monitors see) if kill is
 * set. 0 means no limit.
 */
#ifndef BEAMOS_VM_HEAP_LIMITS_H
#define BEAMOS_VM_HEAP_LIMITS_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/heap.h"
#include "vm/term.h"

typedef struct {
    uint64_t size;             /* words; 0 = no limit */
    bool kill, error_logger;
} MaxHeap;

/* OTP's defaults: no limit, kill and report when one is set. */
#define MAX_HEAP_DEFAULT ((MaxHeap){0, true, true})

struct Process;

/* An integer (words) or a map with size and any of kill, error_logger
 * (missing flags keep `*out`'s values; other keys are ignored); false (badarg) for anything else
 * or a size below min_heap_words. */
bool max_heap_parse(term_t v, uint64_t min_heap_words, MaxHeap *out);
/* #{error_logger => _, kill => _, size => _}. */
term_t max_heap_term(Heap *h, const MaxHeap *m);
/* After a collection: reports and kills p if it is over its limit.
 * Returns extra reductions to charge (a whole slice when p was killed, so
 * the emulator gives up the CPU at its next call). */
int max_heap_check(struct Process *p);

#endif
