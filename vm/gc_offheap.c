/*
 * gc_offheap.c — the off-heap sweep after a copy: the ProcBins and magic
 * refs a process heap holds are linked through h.off_heap (heap.h); each
 * owns one reference to its off-heap Binary (binary.h) or MagicBin
 * (magic.h).
 *
 * INVARIANT after the sweep: h.off_heap lists exactly the ProcBins and
 * magic refs that live on the process's heaps (young and old), each once;
 * every one that died in from-space has dropped its reference (the last
 * drop frees the Binary / runs the MagicBin's destructor); overhead is the
 * byte total of the listed ProcBins (the virtual binary heap; magic refs
 * are not charged to it).
 */
#include "vm/binary.h"
#include "vm/gc_impl.h"

size_t gc_sweep_off_heap(Process *p, const GcSpace *from) {
    OffHeapHeader *first = NULL, **tail = &first;
    uint64_t overhead = 0;
    size_t dropped = 0;

    for (OffHeapHeader *o = p->h.off_heap.first, *next; o; o = next) {
        /* Copying overwrites only the header word of a moved object, so the
         * link of an old copy is still readable here. */
        next = o->next;
        OffHeapHeader *live = o;
        if (gc_in_space(from, (const term_t *)o)) {
            if (is_header(o->thing_word)) { /* not copied: dead */
                off_heap_drop(o);
                dropped++;
                continue;
            }
            live = (OffHeapHeader *)boxed_val(o->thing_word);
        }
        /* Outside from-space (the old heap in a minor collection) or copied. */
        *tail = live;
        tail = &live->next;
        if (header_subtag(live->thing_word) == REFC_BINARY_SUBTAG) overhead += live->size;
    }
    *tail = NULL;
    p->h.off_heap.first = first;
    p->h.off_heap.overhead = overhead;
    return dropped;
}
