/*
 * term_copy.c — size and deep copy of terms (see term_copy.h).
 *
 * Both walks recurse on every element but the last of a tuple/cons/fun env
 * and loop on the last, so long lists and right-nested terms use constant C
 * stack; only nesting through non-last elements costs stack depth.
 */
#include "vm/term_copy.h"

#include <stdlib.h>

#include "vm/binary.h"
#include "vm/fun.h"
#include "vm/magic.h"
#include "vm/map.h"
#include "vm/platform.h"

HeapFragment *term_fragment_new(size_t words)
{
    HeapFragment *f = malloc(sizeof *f + (words ? words : 1) * sizeof(term_t));
    if (!f) plat_fatal("term_copy: out of memory for a message fragment");
    f->next = NULL;
    f->alloc_words = words;
    f->used_words = words;
    return f;
}

static void unsupported(term_t hdr)
{
    (void)hdr;
    plat_fatal("term_copy: a match state is not a term and cannot be copied");
}

size_t term_copy_size(term_t t)
{
    size_t sz = 0;
    for (;;) {
        switch (primary_tag(t)) {
        case TAG_PRIMARY_IMMED1:
            return sz;
        case TAG_PRIMARY_LIST:
            sz += CONS_WORDS;
            sz += term_copy_size(cons_head(t));
            t = cons_tail(t);
            continue;
        case TAG_PRIMARY_BOXED: {
            term_t *obj = boxed_val(t);
            term_t hdr = obj[0];
            switch (header_subtag(hdr)) {
            case TUPLE_SUBTAG: {
                uint64_t n = header_arity(hdr);
                sz += 1 + n;
                if (n == 0) return sz;
                for (uint64_t i = 1; i < n; i++) sz += term_copy_size(obj[i]);
                t = obj[n];
                continue;
            }
            case FUN_SUBTAG: {
                uint32_t nf = fun_num_free(t);
                sz += fun_words(nf);
                if (nf == 0) return sz;
                FunThing *f = fun_val(t);
                for (uint32_t i = 0; i + 1 < nf; i++) sz += term_copy_size(f->env[i]);
                t = f->env[nf - 1];
                continue;
            }
            case MAP_SUBTAG: {
                /* Every map object (flatmap, HAMT head or node) is a header
                 * whose value counts the words after it, all terms
                 * (map.h, map_hamt.h). */
                uint64_t n = map_header_val(hdr);
                sz += 1 + n;
                for (uint64_t i = 1; i <= n; i++) sz += term_copy_size(obj[i]);
                return sz;
            }
            case SUB_BINARY_SUBTAG:
                sz += SUB_BIN_WORDS;
                t = ((SubBin *)obj)->orig;
                continue;
            case MATCHSTATE_SUBTAG:
                unsupported(hdr);
                return 0;
            default:
                /* raw objects: bignum, ref, float, export, ProcBin, heap
                 * binary, external pid/port/ref */
                return sz + header_object_words(hdr);
            }
        }
        default:
            plat_fatal("term_copy: not a term (header word or THE_NON_VALUE)");
        }
    }
}

term_t term_copy(term_t t, term_t **hpp, OffHeap *oh)
{
    term_t result;
    term_t *dst = &result;      /* where the copy of t is to be stored */
    for (;;) {
        switch (primary_tag(t)) {
        case TAG_PRIMARY_IMMED1:
            *dst = t;
            return result;
        case TAG_PRIMARY_LIST: {
            term_t *cell = *hpp;
            *hpp += CONS_WORDS;
            *dst = make_list(cell);
            cell[0] = term_copy(cons_head(t), hpp, oh);
            dst = &cell[1];
            t = cons_tail(t);
            continue;
        }
        case TAG_PRIMARY_BOXED: {
            term_t *obj = boxed_val(t);
            term_t hdr = obj[0];
            term_t *to = *hpp;
            switch (header_subtag(hdr)) {
            case TUPLE_SUBTAG: {
                uint64_t n = header_arity(hdr);
                *hpp += 1 + n;
                to[0] = hdr;
                *dst = make_boxed(to);
                if (n == 0) return result;
                for (uint64_t i = 1; i < n; i++) to[i] = term_copy(obj[i], hpp, oh);
                dst = &to[n];
                t = obj[n];
                continue;
            }
            case FUN_SUBTAG: {
                uint32_t nf = fun_num_free(t);
                FunThing *f = fun_val(t);
                FunThing *g = (FunThing *)to;
                *hpp += fun_words(nf);
                g->thing_word = hdr;
                g->entry = f->entry;
                *dst = make_boxed(to);
                if (nf == 0) return result;
                for (uint32_t i = 0; i + 1 < nf; i++) g->env[i] = term_copy(f->env[i], hpp, oh);
                dst = &g->env[nf - 1];
                t = f->env[nf - 1];
                continue;
            }
            case MAP_SUBTAG: {
                uint64_t n = map_header_val(hdr);
                *hpp += 1 + n;
                to[0] = hdr;
                *dst = make_boxed(to);
                for (uint64_t i = 1; i <= n; i++) to[i] = term_copy(obj[i], hpp, oh);
                return result;
            }
            case SUB_BINARY_SUBTAG: {
                SubBin *s = (SubBin *)obj, *c = (SubBin *)to;
                *hpp += SUB_BIN_WORDS;
                /* a match context (emu_bs.h) is copied as a plain sub binary */
                c->thing_word = make_header(SUB_BIN_WORDS - 1, SUB_BINARY_SUBTAG);
                c->size_bits = s->size_bits;
                c->offset_bits = s->offset_bits;
                *dst = make_boxed(to);
                dst = &c->orig;
                t = s->orig;
                continue;
            }
            case REFC_BINARY_SUBTAG: {
                ProcBin *pb = (ProcBin *)obj, *c = (ProcBin *)to;
                *hpp += PROC_BIN_WORDS;
                *c = *pb;
                c->flags = 0;           /* only the owner may grow it (and its pad bits) */
                binary_ref(c->val);
                /* INVARIANT (heap.h): every ProcBin on a heap is on its
                 * off-heap list. */
                c->next = oh->first;
                oh->first = (OffHeapHeader *)c;
                oh->overhead += c->size;
                *dst = make_boxed(to);
                return result;
            }
            case REF_SUBTAG:
                if (header_arity(hdr) == MAGIC_REF_WORDS - 1) {
                    /* Shared by count, like a ProcBin; the copy joins
                     * oh (heap.h invariant). */
                    MagicRef *c = (MagicRef *)to;
                    *hpp += MAGIC_REF_WORDS;
                    *c = *(MagicRef *)obj;
                    magic_bin_ref(c->mb);
                    c->next = oh->first;
                    oh->first = (OffHeapHeader *)c;
                    *dst = make_boxed(to);
                    return result;
                }
                goto plain;
            case MATCHSTATE_SUBTAG:
                unsupported(hdr);
                return THE_NON_VALUE;
            default:
            plain: {
                uint64_t w = header_object_words(hdr);
                memcpy(to, obj, w * sizeof(term_t));
                *hpp += w;
                *dst = make_boxed(to);
                return result;
            }
            }
        }
        default:
            plat_fatal("term_copy: not a term (header word or THE_NON_VALUE)");
        }
    }
}
