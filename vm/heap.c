/*
 * heap.c — heap fragments and the malloc-backed arena used by tests and by
 * code that builds terms outside a process (literals, ETS later).
 */
#include "vm/heap.h"

#include <stdio.h>
#include <stdlib.h>

#include "vm/binary.h"
#include "vm/magic.h"

#define FRAGMENT_MIN_WORDS 256

static void *xmalloc(size_t bytes) {
    void *p = malloc(bytes ? bytes : 1);
    if (!p) {
        /* the size tells a runaway request from exhaustion */
        fprintf(stderr, "heap: out of memory (%zu bytes wanted)\n", bytes);
        abort();
    }
    return p;
}

term_t *heap_alloc_fragment(Heap *h, size_t words) {
    HeapFragment *f = h->mbuf;
    if (f && f->alloc_words - f->used_words >= words) {
        term_t *p = f->mem + f->used_words;
        f->used_words += words;
        h->mbuf_sz += words;
        return p;
    }
    /* Capacities grow with what the fragments already hold, so a long
     * run of spills (a loop of large-map updates between two
     * collections) makes a few fragments, not hundreds: the collector
     * finds a pointer's range by bisection over all of them. */
    size_t cap = words > FRAGMENT_MIN_WORDS ? words : FRAGMENT_MIN_WORDS;
    if (cap < h->mbuf_sz) cap = h->mbuf_sz;
    f = xmalloc(sizeof *f + cap * sizeof(term_t));
    f->next = h->mbuf;
    f->alloc_words = cap;
    f->used_words = words;
    h->mbuf = f;
    h->mbuf_sz += words;
    return f->mem;
}

void heap_init(Heap *h, size_t words) {
    h->heap = xmalloc(words * sizeof(term_t));
    h->htop = h->heap;
    h->hend = h->heap + words;
    h->mbuf = NULL;
    h->mbuf_sz = 0;
    h->off_heap.first = NULL;
    h->off_heap.overhead = 0;
    h->reserve = 0;
}

void off_heap_drop(OffHeapHeader *o) {
    switch (header_subtag(o->thing_word)) {
    case REFC_BINARY_SUBTAG:
        binary_deref(((ProcBin *)o)->val);
        break;
    case REF_SUBTAG: /* only magic refs are ever on the list */
        magic_bin_deref(((MagicRef *)o)->mb);
        break;
    }
}

void heap_off_heap_release(OffHeap *oh) {
    for (OffHeapHeader *o = oh->first, *next; o; o = next) {
        next = o->next;
        off_heap_drop(o);
    }
    oh->first = NULL;
    oh->overhead = 0;
}

void heap_destroy(Heap *h) {
    heap_off_heap_release(&h->off_heap);
    while (h->mbuf) {
        HeapFragment *f = h->mbuf;
        h->mbuf = f->next;
        free(f);
    }
    free(h->heap);
    h->heap = h->htop = h->hend = NULL;
    h->mbuf_sz = 0;
}
