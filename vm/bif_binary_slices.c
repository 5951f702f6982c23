/*
 * bif_binary_slices.c — binary_to_list and list_to_binary on large inputs,
 * in slices (bif_yield.h).
 *
 * binary_to_list/1,3 and bitstring_to_list/1 trap here when the list is
 * longer than one slice: beamos:binary_to_list_slice(Bin, Start, End, Acc)
 * conses bytes [Start, End) of Bin in front of Acc from the end backwards,
 * one slice per call, rewriting End and Acc and yielding until Start is
 * reached. Every argument is checked, so calling it directly is harmless.
 *
 * iolist_to_binary/1, list_to_binary/1 and list_to_bitstring/1 trap here
 * when their input is longer than one slice:
 * beamos:iolist_to_binary_slice(Cur, Stack, State) walks the iolist with
 * the list being walked in Cur and the tails still to visit in Stack (an
 * Erlang list, so the collector sees and moves them between slices). The
 * bytes go into State, a magic reference (magic.h) owning a growing
 * buffer: it cannot be forged from Erlang, and it is freed by the
 * collector if the process dies or the call fails half way.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/bif_yield.h"
#include "vm/binary.h"
#include "vm/magic.h"
#include "vm/proc.h"

/* ---- binary_to_list ---- */

static const Export *binary_to_list_slice_export(void)
{
    return export_get(atom_intern_cstr("beamos"), atom_intern_cstr("binary_to_list_slice"), 4);
}

/* Bytes [start, end) of bitstring b (whose bits start at bit `off` of
 * `bytes`) in front of tail. Needs 2 * (end - start) words. */
static term_t cons_bytes(Heap *h, const uint8_t *bytes, size_t off, size_t start, size_t end, term_t tail)
{
    term_t *hp = heap_alloc(h, 2 * (end - start));
    for (size_t i = end; i-- > start;) {
        uint8_t byte;
        if (off == 0) byte = bytes[i];
        else bits_copy(&byte, 0, bytes, off + i * 8, 8);
        tail = make_cons(hp + 2 * (i - start), make_small(byte), tail);
    }
    return tail;
}

term_t bif_binary_bytes_to_list(Process *p, term_t *args, term_t b, size_t start, size_t len, term_t tail)
{
    const uint8_t *bytes;
    size_t off, bits;
    bitstring_get(b, &bytes, &off, &bits);
    if (len <= bif_work_budget(p)) {
        bif_charge(p, len);
        return cons_bytes(&p->h, bytes, off, start, start + len, tail);
    }
    args[0] = b;
    args[1] = make_small((int64_t)start);
    args[2] = make_small((int64_t)(start + len));
    args[3] = tail;
    return bif_trap(p, binary_to_list_slice_export());
}

term_t bif_beamos_binary_to_list_slice_4(Process *p, term_t *args)
{
    if (!is_bitstring(args[0]) || !is_small(args[1]) || !is_small(args[2])) BIF_ERROR(p, ATOM_badarg);
    const uint8_t *bytes;
    size_t off, bits;
    bitstring_get(args[0], &bytes, &off, &bits);
    int64_t start = small_value(args[1]), end = small_value(args[2]);
    if (start < 0 || end < start || (uint64_t)end > bits / 8) BIF_ERROR(p, ATOM_badarg);
    size_t n = (size_t)(end - start), budget = bif_work_budget(p);
    size_t from = n <= budget ? (size_t)start : (size_t)end - budget;
    bif_charge(p, (size_t)end - from);
    term_t acc = cons_bytes(&p->h, bytes, off, from, (size_t)end, args[3]);
    if (from == (size_t)start) return acc;
    args[2] = make_small((int64_t)from);
    args[3] = acc;
    return bif_yield(p);
}

/* ---- iolist_to_binary ---- */

typedef struct {
    uint8_t *buf;
    size_t bits, cap;           /* bits written; bytes allocated */
    bool allow_bits;            /* list_to_bitstring: any bitstring anywhere */
    bool iovec;                 /* iolist_to_iovec: the result is [Binary] */
} IoAcc;

static void ioacc_destroy(MagicBin *mb)
{
    free(((IoAcc *)mb->data)->buf);
}

static const Export *iolist_slice_export(void)
{
    return export_get(atom_intern_cstr("beamos"), atom_intern_cstr("iolist_to_binary_slice"), 3);
}

/* Appends n bits from src at bit src_off; false when memory is short. */
static bool ioacc_put(IoAcc *a, const uint8_t *src, size_t src_off, size_t n)
{
    size_t need = (a->bits + n + 7) / 8;
    if (need > a->cap) {
        size_t cap = a->cap * 2 > need ? a->cap * 2 : need;
        uint8_t *nb = realloc(a->buf, cap);
        if (!nb) return false;
        a->buf = nb;
        a->cap = cap;
    }
    if (a->bits % 8 == 0 && src_off % 8 == 0) {
        memcpy(a->buf + a->bits / 8, src + src_off / 8, n / 8);
        if (n % 8) bits_copy(a->buf, a->bits + n - n % 8, src, src_off + n - n % 8, n % 8);
    } else {
        bits_copy(a->buf, a->bits, src, src_off, n);
    }
    a->bits += n;
    return true;
}

enum { IO_DONE, IO_MORE, IO_BADARG, IO_NOMEM };

/* One slice of the walk. *cur and *stack are updated in place. */
static int iolist_slice(Process *p, IoAcc *a, term_t *cur, term_t *stack)
{
    size_t budget = bif_work_budget(p), units = 0;
    term_t x = *cur, st = *stack;
    int r = IO_MORE;
    for (;;) {
        if (units >= budget) break;
        units++;
        if (is_list(x)) {
            term_t hd = cons_head(x);
            if (is_byte(hd)) {
                if (a->bits % 8 && !a->allow_bits) { r = IO_BADARG; break; }
                uint8_t byte = (uint8_t)small_value(hd);
                if (!ioacc_put(a, &byte, 0, 8)) { r = IO_NOMEM; break; }
                x = cons_tail(x);
            } else if (is_list(hd) || is_nil(hd) || is_bitstring(hd)) {
                st = make_cons(heap_alloc(&p->h, CONS_WORDS), cons_tail(x), st);
                x = hd;
            } else {
                r = IO_BADARG;
                break;
            }
            continue;
        }
        if (is_bitstring(x)) {
            const uint8_t *b;
            size_t off, n;
            bitstring_get(x, &b, &off, &n);
            if (!a->allow_bits && (n % 8 || a->bits % 8)) { r = IO_BADARG; break; }
            if (!ioacc_put(a, b, off, n)) { r = IO_NOMEM; break; }
            units += n / 8 / BIF_BYTES_PER_UNIT;
            x = NIL;
        }
        if (!is_nil(x)) { r = IO_BADARG; break; }
        if (is_nil(st)) { r = IO_DONE; break; }
        x = cons_head(st);
        st = cons_tail(st);
    }
    bif_charge(p, units);
    *cur = x;
    *stack = st;
    return r;
}

/* Entry from iolist_to_binary/list_to_binary/list_to_bitstring for a term
 * that did not fit one slice: sets up the state and traps. */
term_t bif_iolist_to_binary_sliced(Process *p, term_t *args, term_t t, bool allow_bits, bool iovec)
{
    MagicBin *mb = magic_bin_alloc(sizeof(IoAcc), ioacc_destroy);
    if (!mb) BIF_ERROR(p, ATOM_system_limit);
    IoAcc *a = (IoAcc *)mb->data;
    a->buf = NULL;
    a->bits = a->cap = 0;
    a->allow_bits = allow_bits;
    a->iovec = iovec;
    uint32_t num[REF_NUMBERS];
    proc_make_ref_numbers(p, num);
    args[0] = t;
    args[1] = NIL;
    args[2] = magic_ref_make(&p->h, mb, num);
    return bif_trap(p, iolist_slice_export());
}

term_t bif_beamos_iolist_to_binary_slice_3(Process *p, term_t *args)
{
    MagicBin *mb = magic_ref_bin(args[2], ioacc_destroy);
    if (!mb || (!is_list(args[1]) && !is_nil(args[1]))) BIF_ERROR(p, ATOM_badarg);
    IoAcc *a = (IoAcc *)mb->data;
    term_t cur = args[0], stack = args[1];
    switch (iolist_slice(p, a, &cur, &stack)) {
    case IO_MORE:
        args[0] = cur;
        args[1] = stack;
        return bif_yield(p);
    case IO_DONE: {
        term_t r = bitstring_new(&p->h, a->buf ? a->buf : (const uint8_t *)"", a->bits);
        free(a->buf);                 /* the state is spent; its ref dies with the GC */
        a->buf = NULL;
        a->bits = a->cap = 0;
        return a->iovec ? make_cons(heap_alloc(&p->h, CONS_WORDS), r, NIL) : r;
    }
    case IO_NOMEM:
        BIF_ERROR(p, ATOM_system_limit);
    default:
        BIF_ERROR(p, ATOM_badarg);
    }
}
