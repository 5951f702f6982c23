/*
 * gc_sizes.c — OTP's heap size sequence and virtual binary heap growth.
 *
 * Heap sizes (erl_gc.c, erts_init_gc): 12, 38, then each the sum of the two
 * before plus one (233 is the sixth: the default min_heap_size) up to the
 * 23rd size, 833026 words; then 20% steps. OTP stops below 2^50 words and
 * (by the way its loop ends) also drops the last size under that limit, so
 * the largest is 885767171276247 words: 137 sizes, as
 * erlang:system_info(heap_sizes) reports.
 * The sequence is computed on the fly (at most 137 steps), so there is no
 * table to initialise and no shared state.
 */
#include "vm/gc.h"
#include "vm/gc_impl.h"

#define FIB_SIZES 23
#define LAST_HEAP_WORDS ((size_t)885767171276247)

size_t gc_next_heap_size(size_t words) {
    size_t a = 12, b = 38; /* sizes i-2 and i-1 */
    if (words <= a) return a;
    if (words <= b) return b;
    for (int i = 2;; i++) {
        size_t next = i < FIB_SIZES ? a + b + 1 : b + b / 5;
        if (next > LAST_HEAP_WORDS) break;
        if (words <= next) return next;
        a = b;
        b = next;
    }
    return words; /* past the table: exactly what was asked */
}

/* OTP's do_next_vheap_size: grow by the golden ratio while the live
 * binaries take more than 3/4 of the limit, halve when they take less than
 * 1/4, else keep it. The caller applies the minimum. */
uint64_t gc_next_vheap_size(uint64_t vheap, uint64_t vheap_sz) {
    if (vheap / 3 > vheap_sz / 4) {
        while (vheap / 3 > vheap_sz / 4) {
            uint64_t grown = vheap_sz + vheap_sz * 618 / 1000 + 1;
            if (grown < vheap_sz) return vheap_sz;
            vheap_sz = grown;
        }
        return vheap_sz;
    }
    if (vheap < vheap_sz / 4) return vheap_sz / 2;
    return vheap_sz;
}
