/*
 * term_copy.c — size and deep copy of terms (see term_copy.h).
 *
 * Neither walk recurses in C (docs/terms.md, "Walking terms"):
 *
 * - term_copy_size keeps the parts still to visit on a TermStack. Only
 *   pointers are pushed (immediates are counted in their object's words),
 *   and the walk continues with the last pointer of a tuple, fun env or
 *   cons cell instead of pushing it, so a long list, a 1M-deep [[[…]]] or
 *   {{{…}}} and a map nested in maps all keep the stack at a few entries.
 * - term_copy copies the top object shallowly to the destination and then
 *   scans the destination words it has written, Cheney-style, as the GC
 *   does (gc_copy.c): every pointer met in a copied object still points at
 *   the source, and is replaced by a shallow copy of what it points at,
 *   appended at the end. No stack at all; each word is read from the
 *   source once and written once, and the scan reads back words that are
 *   hot in the cache. The copy is a walkable heap area in breadth-first
 *   order: exactly term_copy_size(t) words (sharing is not preserved, so
 *   both count the flattened term).
 */
#include "vm/term_copy.h"

#include <stdlib.h>
#include <string.h>

#include "vm/binary.h"
#include "vm/fun.h"
#include "vm/magic.h"
#include "vm/map.h"
#include "vm/platform.h"
#include "vm/term_stack.h"

HeapFragment *term_fragment_new(size_t words)
{
    HeapFragment *f = malloc(sizeof *f + (words ? words : 1) * sizeof(term_t));
    if (!f) plat_fatal("term_copy: out of memory for a message fragment");
    f->next = NULL;
    f->alloc_words = words;
    f->used_words = words;
    return f;
}

static _Noreturn void not_copyable(term_t w)
{
    if (primary_tag(w) == TAG_PRIMARY_HEADER && header_subtag(w) == MATCHSTATE_SUBTAG)
        plat_fatal("term_copy: a match state is not a term and cannot be copied");
    plat_fatal("term_copy: not a term (header word or THE_NON_VALUE)");
}

/* Words of the copy of the boxed object whose header is hdr (its own
 * words only, not what its elements point at). */
static inline size_t boxed_copy_words(term_t hdr)
{
    switch (header_subtag(hdr)) {
    case MAP_SUBTAG: return 1 + map_header_val(hdr);
    case SUB_BINARY_SUBTAG: return SUB_BIN_WORDS; /* a match context becomes a plain sub binary */
    case MATCHSTATE_SUBTAG: not_copyable(hdr);
    default: return header_object_words(hdr);
    }
}

size_t term_copy_size(term_t t)
{
    if (is_immed(t)) return 0;
    TermStack s;
    term_stack_init(&s);
    size_t sz = 0;
    for (;;) {
        /* t is a list or boxed pointer; find its words and the pointer to
         * go on with (0 when none) */
        term_t next = 0;
        if (is_list(t)) {
            const term_t *c = list_val(t);
            term_t h = c[0];
            sz += CONS_WORDS;
            next = c[1];
            if (!is_immed(h)) {
                if (is_immed(next)) {
                    next = h;
                } else {
                    term_stack_push(&s, h);
                }
            } else if (is_immed(next)) {
                next = 0;
            }
        } else {
            if (__builtin_expect(primary_tag(t) != TAG_PRIMARY_BOXED, 0)) not_copyable(t);
            const term_t *p = boxed_val(t);
            term_t hdr = p[0];
            size_t n;
            switch (header_subtag(hdr)) {
            case TUPLE_SUBTAG:
                n = header_arity(hdr);
                sz += 1 + n;
                p += 1;
                break;
            case MAP_SUBTAG:
                n = map_header_val(hdr);
                sz += 1 + n;
                p += 1;
                break;
            case FUN_SUBTAG:
                n = header_arity(hdr) - 1;
                sz += 2 + n;
                p += 2;
                break;
            case SUB_BINARY_SUBTAG:
                sz += SUB_BIN_WORDS;
                p = &((const SubBin *)p)->orig;
                n = 1;
                break;
            case MATCHSTATE_SUBTAG:
                not_copyable(hdr);
            default:
                sz += header_object_words(hdr);
                n = 0;
                break;
            }
            /* the terms p[0..n): push the pointers but the last, go on
             * with the last */
            for (size_t i = 0; i < n; i++) {
                term_t e = p[i];
                if (is_immed(e)) continue;
                if (next) term_stack_push(&s, next);
                next = e;
            }
        }
        if (next) {
            t = next;
            continue;
        }
        if (term_stack_empty(&s)) break;
        t = term_stack_pop(&s);
    }
    term_stack_free(&s);
    return sz;
}

/* A shallow copy of the boxed object obj (not a tuple) at `to`; returns the
 * words written. Its elements still point at the source. */
static size_t copy_boxed(const term_t *obj, term_t *to, OffHeap *oh)
{
    term_t hdr = obj[0];
    switch (header_subtag(hdr)) {
    case SUB_BINARY_SUBTAG: {
        const SubBin *s = (const SubBin *)obj;
        SubBin *c = (SubBin *)to;
        c->thing_word = make_header(SUB_BIN_WORDS - 1, SUB_BINARY_SUBTAG);
        c->size_bits = s->size_bits;
        c->offset_bits = s->offset_bits;
        c->orig = s->orig;
        return SUB_BIN_WORDS;
    }
    case REFC_BINARY_SUBTAG: {
        ProcBin *c = (ProcBin *)to;
        *c = *(const ProcBin *)obj;
        c->flags = 0;           /* only the owner may grow it (and its pad bits) */
        binary_ref(c->val);
        /* INVARIANT (heap.h): every ProcBin on a heap is on its off-heap list. */
        c->next = oh->first;
        oh->first = (OffHeapHeader *)c;
        oh->overhead += c->size;
        return PROC_BIN_WORDS;
    }
    case REF_SUBTAG:
        if (header_arity(hdr) == MAGIC_REF_WORDS - 1) {
            /* Shared by count, like a ProcBin; the copy joins oh. */
            MagicRef *c = (MagicRef *)to;
            *c = *(const MagicRef *)obj;
            magic_bin_ref(c->mb);
            c->next = oh->first;
            oh->first = (OffHeapHeader *)c;
            return MAGIC_REF_WORDS;
        }
        break;
    default:
        break;
    }
    /* maps, funs (elements still to be scanned) and raw objects */
    size_t w = boxed_copy_words(hdr);
    memcpy(to, obj, w * sizeof(term_t));
    return w;
}

/* A shallow copy of what pointer t points at, at *hpp (advanced); returns
 * the pointer to the copy. Cons cells and tuples inline. */
#define COPY_SHALLOW(t, hp, oh, out)                                          \
    do {                                                                      \
        term_t *to_ = (hp);                                                   \
        if (is_list(t)) {                                                     \
            const term_t *c_ = list_val(t);                                   \
            to_[0] = c_[0];                                                   \
            to_[1] = c_[1];                                                   \
            (hp) = to_ + CONS_WORDS;                                          \
            (out) = make_list(to_);                                           \
        } else {                                                              \
            if (__builtin_expect(primary_tag(t) != TAG_PRIMARY_BOXED, 0))     \
                not_copyable(t);                                              \
            const term_t *o_ = boxed_val(t);                                  \
            term_t h_ = o_[0];                                                \
            if (header_subtag(h_) == TUPLE_SUBTAG) {                          \
                size_t w_ = header_arity(h_) + 1;                             \
                for (size_t i_ = 0; i_ < w_; i_++) to_[i_] = o_[i_];          \
                (hp) = to_ + w_;                                              \
            } else {                                                          \
                (hp) = to_ + copy_boxed(o_, to_, (oh));                       \
            }                                                                 \
            (out) = make_boxed(to_);                                          \
        }                                                                     \
    } while (0)

term_t term_copy(term_t t, term_t **hpp, OffHeap *oh)
{
    if (is_immed(t)) return t;
    term_t *hp = *hpp, *scan = hp;
    term_t result;
    COPY_SHALLOW(t, hp, oh, result);
    /* Cheney scan of the copy: [scan, hp) is copied but may still point at
     * the source. */
    while (scan < hp) {
        term_t w = *scan;
        switch (primary_tag(w)) {
        case TAG_PRIMARY_IMMED1:
            scan++;
            break;
        case TAG_PRIMARY_LIST:
        case TAG_PRIMARY_BOXED:
            COPY_SHALLOW(w, hp, oh, *scan);
            scan++;
            break;
        default: /* a header written by copy_shallow */
            switch (header_subtag(w)) {
            case TUPLE_SUBTAG:
            case MAP_SUBTAG:
                scan += 1; /* every word after the header is a term */
                break;
            case FUN_SUBTAG:
                scan += 2; /* the FunEntry pointer is raw; then the env */
                break;
            case SUB_BINARY_SUBTAG:
                scan += 3; /* size and offset are raw; then orig */
                break;
            default:
                scan += header_object_words(w);
                break;
            }
            break;
        }
    }
    *hpp = hp;
    return result;
}
