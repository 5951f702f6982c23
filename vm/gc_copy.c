/*
 * gc_copy.c — the copying core: from-space ranges, object layouts,
 * evacuation with forwarding, the Cheney scan, and pointer relocation for
 * heap blocks that move whole (resizing).
 *
 * INVARIANT (walkable heap): every heap area the collector scans is a
 * sequence of objects that each start with a header word, and of cons cells
 * (two term words). gc_layout() sizes every object from its header, so raw
 * payload words are never mistaken for terms.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/binary.h"
#include "vm/gc_impl.h"
#include "vm/magic.h"
#include "vm/map.h"
#include "vm/platform.h"

/* ---------------------------------------------------------------- ranges */

/* Ranges sorted by lo: an insertion sort for short runs inside a
 * quicksort with the comparison inline. A receiver of many messages has
 * thousands of fragments per collection, allocated wherever the
 * allocator's free lists put them; glibc's qsort with its callback per
 * comparison was a fifth of the fan_in benchmark. */
static void insertion_sort_ranges(GcRange *r, size_t n) {
    for (size_t i = 1; i < n; i++) {
        GcRange t = r[i];
        size_t j = i;
        while (j > 0 && (uintptr_t)r[j - 1].lo > (uintptr_t)t.lo) {
            r[j] = r[j - 1];
            j--;
        }
        r[j] = t;
    }
}

static void quicksort_ranges(GcRange *r, size_t n) {
    while (n > 16) {
        /* median of three as the pivot */
        uintptr_t a = (uintptr_t)r[0].lo, b = (uintptr_t)r[n / 2].lo, c = (uintptr_t)r[n - 1].lo;
        uintptr_t pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        size_t i = 0, j = n - 1;
        for (;;) {
            while ((uintptr_t)r[i].lo < pivot) i++;
            while ((uintptr_t)r[j].lo > pivot) j--;
            if (i >= j) break;
            GcRange t = r[i];
            r[i] = r[j];
            r[j] = t;
            i++;
            j--;
        }
        /* [0, j] <= pivot <= [j + 1, n): recurse into the smaller side */
        size_t left = j + 1;
        if (left < n - left) {
            quicksort_ranges(r, left);
            r += left;
            n -= left;
        } else {
            quicksort_ranges(r + left, n - left);
            n = left;
        }
    }
    insertion_sort_ranges(r, n);
}

/* Fragments are pushed on h.mbuf newest first, and an allocator that hands
 * out rising addresses makes the list descending: check for either order
 * in one pass before sorting. */
static void sort_ranges(GcRange *r, size_t n) {
    bool up = true, down = true;
    for (size_t i = 1; i < n && (up || down); i++) {
        if ((uintptr_t)r[i].lo < (uintptr_t)r[i - 1].lo) up = false;
        else down = false;
    }
    if (up) return;
    if (down) {
        for (size_t i = 0, j = n - 1; i < j; i++, j--) {
            GcRange t = r[i];
            r[i] = r[j];
            r[j] = t;
        }
        return;
    }
    quicksort_ranges(r, n);
}

int gc_space_init(GcSpace *s, const Process *p, bool with_old) {
    return gc_space_init_ex(s, p, with_old, NULL, 0);
}

int gc_space_init_ex(GcSpace *s, const Process *p, bool with_old, const GcRange *extra, size_t n_extra) {
    size_t n = 2 + n_extra;
    for (const HeapFragment *f = p->h.mbuf; f; f = f->next) n++;
    s->r = malloc(n * sizeof *s->r);
    s->n = 0;
    s->young_lo = s->young_hi = 0;
    if (!s->r) return -1;
    if (p->h.htop > p->h.heap) {
        s->r[s->n++] = (GcRange){p->h.heap, p->h.htop, NULL, false};
        s->young_lo = (uintptr_t)p->h.heap;
        s->young_hi = (uintptr_t)p->h.htop;
    }
    if (with_old && p->old_heap && p->old_htop > p->old_heap)
        s->r[s->n++] = (GcRange){p->old_heap, p->old_htop, NULL, false};
    for (HeapFragment *f = p->h.mbuf; f; f = f->next)
        if (f->used_words)
            s->r[s->n++] = (GcRange){f->mem, f->mem + f->used_words, f, false};
    for (size_t i = 0; i < n_extra; i++)
        if (extra[i].hi > extra[i].lo) {
            s->r[s->n] = extra[i];
            s->r[s->n++].literal = true;
        }
    sort_ranges(s->r, s->n);
    return 0;
}

void gc_space_free(GcSpace *s) {
    free(s->r);
    s->r = NULL;
    s->n = 0;
    s->young_lo = s->young_hi = 0;
}

const GcRange *gc_space_find(const GcSpace *s, const term_t *ptr) {
    /* Compared as integers: ptr may belong to any allocation. */
    uintptr_t a = (uintptr_t)ptr;
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const GcRange *r = &s->r[mid];
        if (a < (uintptr_t)r->lo) hi = mid;
        else if (a >= (uintptr_t)r->hi) lo = mid + 1;
        else return r;
    }
    return NULL;
}

/* ---------------------------------------------------------------- layout */

GcLayout gc_layout(term_t hdr) {
    size_t arity = header_arity(hdr);
    switch (header_subtag(hdr)) {
    case TUPLE_SUBTAG:
        return (GcLayout){arity + 1, 1, arity};
    case MAP_SUBTAG: {
        /* The map header keeps its kind in bits 6..7 and the word count in
         * bits 8..63 (map.h). For every kind (flatmap, HAMT head and node,
         * map_hamt.h) all words after the header are terms: keys tuple and
         * values, or bitmaps/sizes as smalls and entries. */
        size_t n = map_header_val(hdr);
        return (GcLayout){n + 1, 1, n};
    }
    case FUN_SUBTAG:
        /* [header, const FunEntry * (raw), env...] (fun.h) */
        return (GcLayout){arity + 1, 2, arity - 1};
    case SUB_BINARY_SUBTAG:
        /* [header, size_bits, offset_bits, orig] (binary.h) */
        return (GcLayout){arity + 1, 3, 1};
    case MATCHSTATE_SUBTAG:
        /* The collector's contract with the bit-syntax work (docs/gc.md):
         * [header(arity), orig (the matched binary term), raw words...].
         * The raw words must not point into heap objects (keep offsets,
         * not byte pointers: a heap binary moves). */
        return (GcLayout){arity + 1, 1, arity ? 1 : 0};
    case POS_BIG_SUBTAG:
    case NEG_BIG_SUBTAG:
    case REF_SUBTAG:
    case FLOAT_SUBTAG:
    case EXPORT_SUBTAG:
    case REFC_BINARY_SUBTAG:
    case HEAP_BINARY_SUBTAG:
    case EXTERNAL_PID_SUBTAG:
    case EXTERNAL_PORT_SUBTAG:
    case EXTERNAL_REF_SUBTAG:
        return (GcLayout){arity + 1, 0, 0};
    default:
        plat_fatal("gc: header word with an unknown subtag on the heap");
    }
}

/* gc_layout with the common objects inline: a tuple (arity in the header)
 * and a map of any kind (word count in bits 8..63) are all terms after
 * the header. Everything else takes the call. */
static inline GcLayout layout(term_t hdr) {
    switch (header_subtag(hdr)) {
    case TUPLE_SUBTAG: return (GcLayout){header_arity(hdr) + 1, 1, header_arity(hdr)};
    case MAP_SUBTAG: return (GcLayout){map_header_val(hdr) + 1, 1, map_header_val(hdr)};
    default: return gc_layout(hdr);
    }
}

/* Small objects (most tuples, map nodes) are copied word by word: a
 * memcpy call costs more than the copy. */
static inline void copy_words(term_t *dst, const term_t *src, size_t n) {
    if (n > 8) {
        memcpy(dst, src, n * sizeof(term_t));
        return;
    }
    for (size_t i = 0; i < n; i++) dst[i] = src[i];
}

/* ------------------------------------------------------------ evacuation */

static inline term_t **dest_for(GcCopy *c, const term_t *ptr) {
    uintptr_t a = (uintptr_t)ptr;
    return (a >= (uintptr_t)c->mature_lo && a < (uintptr_t)c->mature_hi) ? &c->old_htop : &c->n_htop;
}

/* ---- literal-area objects: copied once, never forwarded in place ---- */

static size_t lit_slot(const GcCopy *c, const term_t *from) {
    size_t h = ((uintptr_t)from >> 3) * 0x9E3779B97F4A7C15ull;
    size_t i = h & (c->lit_cap - 1);
    while (c->lit_fwd[i].from && c->lit_fwd[i].from != from) i = (i + 1) & (c->lit_cap - 1);
    return i;
}

static void lit_grow(GcCopy *c) {
    size_t old_cap = c->lit_cap, cap = old_cap ? old_cap * 2 : 256;
    struct GcLitFwd *old = c->lit_fwd;
    c->lit_fwd = calloc(cap, sizeof *c->lit_fwd);
    if (!c->lit_fwd) plat_fatal("gc: out of memory (literal forwarding)");
    c->lit_cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].from) c->lit_fwd[lit_slot(c, old[i].from)] = old[i];
    free(old);
}

/* t points at ptr inside a literal range being released: the copy made
 * in this collection, or a new copy in the young to-space. An off-heap
 * object gets its own reference and joins the process's list. */
static __attribute__((noinline)) term_t lit_evacuate(GcCopy *c, term_t t, term_t *ptr, bool boxed) {
    if (2 * (c->lit_n + 1) > c->lit_cap) lit_grow(c);
    size_t i = lit_slot(c, ptr);
    if (c->lit_fwd[i].from) return c->lit_fwd[i].to;
    term_t *dst = c->n_htop;
    size_t words = boxed ? gc_layout(*ptr).words : CONS_WORDS;
    memcpy(dst, ptr, words * sizeof(term_t));
    c->n_htop = dst + words;
    c->copied_words += words;
    if (boxed) {
        term_t hdr = *ptr;
        if (header_subtag(hdr) == REFC_BINARY_SUBTAG) {
            ProcBin *pb = (ProcBin *)dst;
            pb->flags = 0;
            binary_ref(pb->val);
            pb->next = c->lit_oh->first;
            c->lit_oh->first = (OffHeapHeader *)pb;
        } else if (header_subtag(hdr) == REF_SUBTAG && header_arity(hdr) == MAGIC_REF_WORDS - 1) {
            MagicRef *mr = (MagicRef *)dst;
            magic_bin_ref(mr->mb);
            mr->next = c->lit_oh->first;
            c->lit_oh->first = (OffHeapHeader *)mr;
        }
    }
    term_t to = boxed ? make_boxed(dst) : make_list(dst);
    c->lit_fwd[i] = (struct GcLitFwd){ptr, to};
    c->lit_n++;
    (void)t;
    return to;
}

/* ptr is in from-space: is it in a literal range? Only a literal-area
 * collection (lit_oh set) has such ranges; the young heap never is one. */
static inline bool in_literal(const GcCopy *c, const term_t *ptr) {
    if (!c->lit_oh) return false;
    uintptr_t a = (uintptr_t)ptr;
    if (a >= c->from.young_lo && a < c->from.young_hi) return false;
    const GcRange *r = gc_space_find(&c->from, ptr);
    return r && r->literal;
}

/* The copying half of gc_evacuate, for a boxed or list pointer t = *slot;
 * out of line so the scan loop's test for immediates (about half of the
 * words it visits: list heads, tuple elements) pays no call and no
 * register saves. */
static __attribute__((noinline)) void evacuate_ptr(GcCopy *c, term_t *slot, term_t t) {
    switch (primary_tag(t)) {
    case TAG_PRIMARY_BOXED: {
        term_t *ptr = boxed_val(t);
        if (!gc_in_space(&c->from, ptr)) return;
        if (__builtin_expect(in_literal(c, ptr), 0)) {
            *slot = lit_evacuate(c, t, ptr, true);
            return;
        }
        term_t hdr = *ptr;
        if (!is_header(hdr)) { /* moved: the header holds the new address */
            *slot = hdr;
            return;
        }
        size_t words = layout(hdr).words;
        term_t **top = dest_for(c, ptr);
        term_t *dst = *top;
        copy_words(dst, ptr, words);
        *top = dst + words;
        c->copied_words += words;
        *ptr = make_boxed(dst);
        *slot = make_boxed(dst);
        return;
    }
    case TAG_PRIMARY_LIST: {
        term_t *ptr = list_val(t);
        if (!gc_in_space(&c->from, ptr)) return;
        if (__builtin_expect(in_literal(c, ptr), 0)) {
            *slot = lit_evacuate(c, t, ptr, false);
            return;
        }
        if (ptr[0] == THE_NON_VALUE) { /* moved: the tail holds the new cell */
            *slot = ptr[1];
            return;
        }
        term_t **top = dest_for(c, ptr);
        term_t *dst = *top;
        dst[0] = ptr[0];
        dst[1] = ptr[1];
        *top = dst + CONS_WORDS;
        c->copied_words += CONS_WORDS;
        ptr[0] = THE_NON_VALUE;
        ptr[1] = make_list(dst);
        *slot = make_list(dst);
        return;
    }
    default:
        return;
    }
}

static inline void evacuate(GcCopy *c, term_t *slot) {
    term_t t = *slot;
    unsigned tag = primary_tag(t);
    if (tag == TAG_PRIMARY_BOXED || tag == TAG_PRIMARY_LIST) evacuate_ptr(c, slot, t);
}

void gc_evacuate(GcCopy *c, term_t *slot) { evacuate(c, slot); }

/* Scans one object or cons-cell word at *pp and advances *pp past it. */
static inline void scan_one(GcCopy *c, term_t **pp) {
    term_t *hp = *pp;
    term_t w = *hp;
    if (is_header(w)) {
        GcLayout l = layout(w);
        for (size_t i = 0; i < l.n_terms; i++) evacuate(c, hp + l.first + i);
        *pp = hp + l.words;
    } else {
        evacuate(c, hp);
        *pp = hp + 1;
    }
}

void gc_scan(GcCopy *c, term_t **scan, term_t **old_scan) {
    for (;;) {
        while (*scan < c->n_htop) scan_one(c, scan);
        if (!old_scan || *old_scan >= c->old_htop) break;
        while (*old_scan < c->old_htop) scan_one(c, old_scan);
    }
}

/* ------------------------------------------------------------ relocation */

static inline void offset_word(term_t *slot, term_t delta, uintptr_t lo, uintptr_t hi) {
    term_t t = *slot;
    unsigned tag = primary_tag(t);
    if (tag != TAG_PRIMARY_BOXED && tag != TAG_PRIMARY_LIST) return;
    uintptr_t a = (uintptr_t)(t & ~(term_t)TAG_PRIMARY_MASK);
    if (a >= lo && a < hi) *slot = t + delta;
}

void gc_offset_heap(term_t *hp, term_t *end, term_t delta, const term_t *lo_p, const term_t *hi_p) {
    uintptr_t lo = (uintptr_t)lo_p, hi = (uintptr_t)hi_p;
    while (hp < end) {
        term_t w = *hp;
        if (is_header(w)) {
            GcLayout l = layout(w);
            for (size_t i = 0; i < l.n_terms; i++) offset_word(hp + l.first + i, delta, lo, hi);
            hp += l.words;
        } else {
            offset_word(hp, delta, lo, hi);
            hp++;
        }
    }
}

void gc_offset_words(term_t *v, size_t n, term_t delta, const term_t *lo, const term_t *hi) {
    for (size_t i = 0; i < n; i++) offset_word(&v[i], delta, (uintptr_t)lo, (uintptr_t)hi);
}
