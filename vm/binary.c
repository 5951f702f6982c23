/*
 * binary.c — creating binaries, windows onto them, and bit-level copies.
 */
#include "vm/binary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes of off-heap binary data alive now, for erlang:memory(binary): each
 * Binary counted once however many processes share it. A relaxed atomic:
 * an independent tally, never used to order other accesses. */
static _Atomic uint64_t allocated_bytes;

uint64_t binary_allocated_bytes(void) {
    return atomic_load_explicit(&allocated_bytes, memory_order_relaxed);
}

Binary *binary_alloc(size_t bytes) {
    Binary *b = malloc(sizeof *b + (bytes ? bytes : 1));
    if (!b) {
        fputs("binary: out of memory\n", stderr);
        abort();
    }
    atomic_init(&b->refc, 1);
    b->orig_size = bytes;
    atomic_fetch_add_explicit(&allocated_bytes, bytes, memory_order_relaxed);
    return b;
}

void binary_deref(Binary *b) {
    if (atomic_fetch_sub_explicit(&b->refc, 1, memory_order_acq_rel) == 1) {
        atomic_fetch_sub_explicit(&allocated_bytes, b->orig_size, memory_order_relaxed);
        free(b);
    }
}

Binary *binary_shrink(Binary *b, size_t bytes) {
    if (bytes >= b->orig_size) return b;
    Binary *nb = realloc(b, sizeof *b + (bytes ? bytes : 1));
    if (!nb) return b;              /* keeps the larger block: still correct */
    atomic_fetch_sub_explicit(&allocated_bytes, nb->orig_size - bytes, memory_order_relaxed);
    nb->orig_size = bytes;
    return nb;
}

term_t binary_wrap(Heap *h, Binary *b, size_t offset_bytes, size_t len) {
    ProcBin *pb = (ProcBin *)heap_alloc(h, PROC_BIN_WORDS);
    pb->thing_word = make_header(PROC_BIN_WORDS - 1, REFC_BINARY_SUBTAG);
    pb->size = len;
    pb->val = b;
    pb->bytes = b->orig_bytes + offset_bytes;
    pb->flags = 0;
    pb->next = h->off_heap.first;
    h->off_heap.first = (OffHeapHeader *)pb;
    h->off_heap.overhead += len;
    return make_boxed((term_t *)pb);
}

term_t binary_new_writable(Heap *h, size_t capacity, size_t len, uint8_t **data) {
    Binary *b = binary_alloc(capacity < len ? len : capacity);
    term_t t = binary_wrap(h, b, 0, len);
    ((ProcBin *)boxed_val(t))->flags = PB_WRITABLE;
    *data = b->orig_bytes;
    return t;
}

ProcBin *binary_appendable(term_t bin) {
    term_t *p = boxed_val(bin);
    if (header_subtag(p[0]) != SUB_BINARY_SUBTAG) return NULL;
    SubBin *s = (SubBin *)p;
    term_t *o = boxed_val(s->orig);
    if (header_subtag(o[0]) != REFC_BINARY_SUBTAG) return NULL;
    ProcBin *pb = (ProcBin *)o;
    if (!(pb->flags & PB_WRITABLE) || s->offset_bits + s->size_bits != pb_end_bits(pb)) return NULL;
    return pb;
}

uint8_t *binary_writable_extend(Heap *h, ProcBin *pb, size_t new_size) {
    Binary *b = pb->val;
    if (new_size > b->orig_size) {
        size_t cap = 2 * new_size;
        if (cap < 256) cap = 256;
        if (atomic_load_explicit(&b->refc, memory_order_acquire) == 1) {
            /* Only pb refers to b: every view follows pb->bytes. */
            Binary *nb = realloc(b, sizeof *b + cap);
            if (!nb) {
                fputs("binary: out of memory\n", stderr);
                abort();
            }
            atomic_fetch_add_explicit(&allocated_bytes, cap - nb->orig_size, memory_order_relaxed);
            nb->orig_size = cap;
            b = nb;
        } else {
            /* Shared (a copy elsewhere holds the old bytes): leave them. */
            Binary *nb = binary_alloc(cap);
            memcpy(nb->orig_bytes, pb->bytes, pb->size);
            binary_deref(b);
            b = nb;
        }
        pb->val = b;
        pb->bytes = b->orig_bytes;
    }
    if (new_size <= pb->size) return pb->bytes;     /* the growth fits the last byte's pad bits */
    size_t end = pb_end_bits(pb);
    memset(pb->bytes + pb->size, 0, new_size - pb->size);
    h->off_heap.overhead += new_size - pb->size;
    pb->size = new_size;
    pb_set_end_bits(pb, end);                       /* the caller sets the new end */
    return pb->bytes;
}

term_t binary_new_uninit(Heap *h, size_t len, uint8_t **data) {
    if (len >= BINARY_HEAP_LIMIT) {
        Binary *b = binary_alloc(len);
        *data = b->orig_bytes;
        return binary_wrap(h, b, 0, len);
    }
    size_t words = heap_bin_words(len);
    term_t *hp = heap_alloc(h, words);
    hp[0] = make_header(words - 1, HEAP_BINARY_SUBTAG);
    hp[1] = len;
    hp[words - 1] = 0; /* no uninitialised padding bytes */
    *data = (uint8_t *)(hp + 2);
    return make_boxed(hp);
}

term_t binary_new(Heap *h, const uint8_t *bytes, size_t len) {
    uint8_t *d;
    term_t t = binary_new_uninit(h, len, &d);
    if (len) memcpy(d, bytes, len);
    return t;
}

term_t bitstring_new(Heap *h, const uint8_t *bytes, size_t bits) {
    size_t len = (bits + 7) / 8;
    uint8_t *d;
    term_t t = binary_new_uninit(h, len, &d);
    if (len) {
        memcpy(d, bytes, len);
        if (bits % 8) d[len - 1] &= (uint8_t)(0xFF00u >> (bits % 8));
    }
    if (bits % 8 == 0) return t;
    return sub_binary_new(h, t, 0, bits);
}

term_t sub_binary_new(Heap *h, term_t bin, size_t offset_bits, size_t size_bits) {
    if (boxed_subtag(bin) == SUB_BINARY_SUBTAG) {
        SubBin *s = (SubBin *)boxed_val(bin);
        offset_bits += s->offset_bits;
        bin = s->orig;
    }
    SubBin *sb = (SubBin *)heap_alloc(h, SUB_BIN_WORDS);
    sb->thing_word = make_header(SUB_BIN_WORDS - 1, SUB_BINARY_SUBTAG);
    sb->size_bits = size_bits;
    sb->offset_bits = offset_bits;
    sb->orig = bin;
    return make_boxed((term_t *)sb);
}

static const uint8_t *base_bytes(term_t bin, size_t *bits) {
    term_t *p = boxed_val(bin);
    if (header_subtag(p[0]) == HEAP_BINARY_SUBTAG) {
        *bits = p[1] * 8;
        return (const uint8_t *)(p + 2);
    }
    ProcBin *pb = (ProcBin *)p;
    *bits = pb->size * 8;
    return pb->bytes;
}

void bitstring_get(term_t bin, const uint8_t **bytes, size_t *bit_offset, size_t *bit_size) {
    term_t *p = boxed_val(bin);
    if (header_subtag(p[0]) == SUB_BINARY_SUBTAG) {
        SubBin *s = (SubBin *)p;
        size_t ignored;
        const uint8_t *b = base_bytes(s->orig, &ignored);
        *bytes = b + s->offset_bits / 8;
        *bit_offset = s->offset_bits % 8;
        *bit_size = s->size_bits;
        return;
    }
    *bytes = base_bytes(bin, bit_size);
    *bit_offset = 0;
}

size_t bitstring_bit_size(term_t bin) {
    term_t *p = boxed_val(bin);
    switch (header_subtag(p[0])) {
    case SUB_BINARY_SUBTAG: return ((SubBin *)p)->size_bits;
    case HEAP_BINARY_SUBTAG: return p[1] * 8;
    default: return ((ProcBin *)p)->size * 8;
    }
}

/* The byte made of bits [off, off+8) of s (bits past the source's end are
 * never used by callers: they mask them away). */
static inline uint8_t get_byte(const uint8_t *s, size_t off, size_t avail_bits) {
    const uint8_t *p = s + off / 8;
    unsigned sh = off % 8;
    if (sh == 0) return p[0];
    uint8_t hi = (uint8_t)(p[0] << sh);
    return avail_bits > 8 - sh ? (uint8_t)(hi | (p[1] >> (8 - sh))) : hi;
}

void bits_copy(uint8_t *dst, size_t dst_off, const uint8_t *src, size_t src_off, size_t n) {
    if (n == 0) return;
    if (dst_off % 8 == 0 && src_off % 8 == 0) {
        memmove(dst + dst_off / 8, src + src_off / 8, n / 8);
        if (n % 8) {
            uint8_t mask = (uint8_t)(0xFF00u >> (n % 8));
            uint8_t *d = dst + dst_off / 8 + n / 8;
            *d = (uint8_t)((*d & ~mask) | (src[src_off / 8 + n / 8] & mask));
        }
        return;
    }
    while (n > 0) {
        size_t chunk = 8 - dst_off % 8;
        if (chunk > n) chunk = n;
        uint8_t b = get_byte(src, src_off, n);           /* next source bits, MSB-aligned */
        unsigned dsh = dst_off % 8;
        uint8_t mask = (uint8_t)((uint8_t)(0xFF00u >> chunk) >> dsh);
        uint8_t *d = dst + dst_off / 8;
        *d = (uint8_t)((*d & ~mask) | ((b >> dsh) & mask));
        dst_off += chunk;
        src_off += chunk;
        n -= chunk;
    }
}

int bits_compare(const uint8_t *a, size_t a_off, const uint8_t *b, size_t b_off, size_t n) {
    if (a_off % 8 == 0 && b_off % 8 == 0) {
        int c = memcmp(a + a_off / 8, b + b_off / 8, n / 8);
        if (c) return c < 0 ? -1 : 1;
        a_off += n / 8 * 8;
        b_off += n / 8 * 8;
        n %= 8;
    }
    while (n > 0) {
        size_t chunk = n < 8 ? n : 8;
        uint8_t mask = (uint8_t)(0xFF00u >> chunk);
        uint8_t x = get_byte(a, a_off, n) & mask, y = get_byte(b, b_off, n) & mask;
        if (x != y) return x < y ? -1 : 1;
        a_off += chunk;
        b_off += chunk;
        n -= chunk;
    }
    return 0;
}

int bitstring_compare(term_t a, term_t b) {
    const uint8_t *ap, *bp;
    size_t ao, as, bo, bs;
    bitstring_get(a, &ap, &ao, &as);
    bitstring_get(b, &bp, &bo, &bs);
    int c = bits_compare(ap, ao, bp, bo, as < bs ? as : bs);
    if (c) return c;
    return as < bs ? -1 : as > bs ? 1 : 0;
}
