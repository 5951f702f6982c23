/*
 * bif_atomics.c — atomics (erts_internal:atomics_new/2 and the atomics:*
 * BIFs) and counters (erts_internal:counters_*), as OTP 25's atomics.erl
 * and counters.erl call them.
 *
 * Representation, as OTP's: an array is a MagicBin (magic.h) whose data is
 * an AtomicsArray, and the handle a process holds is a magic reference to
 * it. So is_reference/1 is true on a handle, it prints as #Ref<...>, it is
 * shared between processes by message passing (term_copy adds a count) and
 * the array is freed when the last heap holding a handle has dropped it
 * (GC off-heap sweep or process exit). term_to_binary encodes the handle as
 * an ordinary ref and, as in OTP, decoding it on this node gives back a
 * handle to the array while the array lives (magic.h export table) and a
 * plain ref, on which every BIF here raises badarg, after it was freed.
 *
 * counters.erl keeps its default (atomics) kind in an atomics array and
 * only its write_concurrency kind in erts_internal:counters_new/1; that
 * kind is an array of kind ATOMICS_KIND_COUNTERS laid out as OTP's: one
 * word per counter per scheduler plus a base word, 8 counters to a 64-byte
 * line, the lines of one group of counters side by side (base, scheduler
 * 1, ..., scheduler S). add/3 touches only the caller's scheduler's word,
 * get/2 sums them all (wrapping), put/3 sets the base to the value minus
 * the others' sum (so a put racing an add may lose the add, as in OTP).
 *
 * memory in info/1 is OTP's figure: its magic binary header (24 bytes)
 * plus the array (16 bytes of header + 8 per word for atomics; 8 bytes +
 * 64 per line for counters). Our MagicBin header is 16 bytes longer (it
 * keeps the ref numbers for the export table); erlang:memory(system) counts
 * the true block.
 *
 * Memory order: every atomics operation is sequentially consistent, as
 * OTP's are (the documentation promises a total order per array);
 * write_concurrency counters are relaxed, as OTP's are (no order promised).
 */
#include <stdatomic.h>

#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/bif_util.h"
#include "vm/magic.h"
#include "vm/map.h"
#include "vm/proc.h"
#include "vm/sched.h"

#define ATOMICS_KIND_ATOMICS 0u
#define ATOMICS_KIND_COUNTERS 1u
#define OTP_MAGIC_HEADER_BYTES 24
#define ATOMICS_MAX_ARITY (1u << 27)     /* words; beyond this: system_limit */

#define COUNTERS_PER_LINE 8                /* 64-byte lines of 64-bit words */

typedef struct {
    uint64_t n;           /* logical size: atomics, or counters */
    uint16_t kind;        /* ATOMICS_KIND_* */
    uint16_t is_signed;
    uint32_t stripes;     /* counters: words per counter (1 + schedulers) */
    _Atomic uint64_t v[];
} AtomicsArray;

/* Words of the array of a kind: counters take whole lines per stripe. */
static uint64_t array_words(uint64_t n, uint32_t kind, uint32_t stripes)
{
    if (kind == ATOMICS_KIND_ATOMICS) return n;
    return (n + COUNTERS_PER_LINE - 1) / COUNTERS_PER_LINE * COUNTERS_PER_LINE * stripes;
}

/* The MagicBin kind of every array (magic.h: the destructor is the type
 * tag). The words need no clean-up of their own. */
static void atomics_array_destroy(MagicBin *mb)
{
    AtomicsArray *a = (AtomicsArray *)mb->data;
    a->n = 0;
}

static term_t new_array(Process *p, term_t arity, bool is_signed, uint32_t kind)
{
    uint64_t n;
    if (is_small(arity)) {
        if (small_value(arity) < 1) BIF_ERROR(p, ATOM_badarg);
        n = (uint64_t)small_value(arity);
    } else if (!is_big(arity) || !big_to_uint64(arity, &n)) {
        BIF_ERROR(p, ATOM_badarg);
    }
    if (n > ATOMICS_MAX_ARITY) BIF_ERROR(p, ATOM_system_limit);
    uint32_t stripes = kind == ATOMICS_KIND_COUNTERS ? (sched_count ? sched_count : 1) + 1 : 1;
    uint64_t words = array_words(n, kind, stripes);
    MagicBin *mb = magic_bin_alloc(sizeof(AtomicsArray) + words * sizeof(uint64_t), atomics_array_destroy);
    if (!mb) BIF_ERROR(p, ATOM_system_limit);
    AtomicsArray *a = (AtomicsArray *)mb->data;
    a->n = n;
    a->kind = (uint16_t)kind;
    a->is_signed = is_signed;
    a->stripes = stripes;
    for (uint64_t i = 0; i < words; i++) atomic_init(&a->v[i], 0);
    uint32_t num[REF_NUMBERS];
    proc_make_ref_numbers(p, num);
    return magic_ref_make(&p->h, mb, num);
}

/* The array of handle t of the given kind, or NULL (not a magic ref, a
 * magic ref of another type, or a plain ref such as a decoded copy). */
static AtomicsArray *array_of(term_t t, uint32_t kind)
{
    MagicBin *mb = magic_ref_bin(t, atomics_array_destroy);
    if (!mb) return NULL;
    AtomicsArray *a = (AtomicsArray *)mb->data;
    return a->kind == kind ? a : NULL;
}

/* The word at 1-based index ix, or NULL. */
static _Atomic uint64_t *slot(AtomicsArray *a, term_t ix)
{
    if (!a || !is_small(ix) || small_value(ix) < 1 || (uint64_t)small_value(ix) > a->n) return NULL;
    return &a->v[small_value(ix) - 1];
}

/* A value storable in a: int64 range when signed, uint64 range when not. */
static bool get_value(const AtomicsArray *a, term_t t, uint64_t *out)
{
    if (a->is_signed) {
        int64_t v;
        if (is_small(t)) v = small_value(t);
        else if (!is_big(t) || !big_to_int64(t, &v)) return false;
        *out = (uint64_t)v;
        return true;
    }
    if (is_small(t)) {
        if (small_value(t) < 0) return false;
        *out = (uint64_t)small_value(t);
        return true;
    }
    return is_big(t) && big_to_uint64(t, out);
}

/* An increment: anything in int64 or uint64 range (wrapping arithmetic). */
static bool get_incr(term_t t, uint64_t *out)
{
    int64_t v;
    if (is_small(t)) {
        *out = (uint64_t)small_value(t);
        return true;
    }
    if (!is_big(t)) return false;
    if (big_to_int64(t, &v)) {
        *out = (uint64_t)v;
        return true;
    }
    return big_to_uint64(t, out);
}

static term_t value_term(Process *p, const AtomicsArray *a, uint64_t v)
{
    return a->is_signed ? bif_make_int64(&p->h, (int64_t)v) : bif_make_uint64(&p->h, v);
}

/* ---- atomics ---- */

/* erts_internal:atomics_new(Arity, EncodedOpts): bit 0 of the options is
 * "signed" (atomics.erl's encode_opts). */
term_t bif_erts_internal_atomics_new_2(Process *p, term_t *args)
{
    if (!is_small(args[1]) || small_value(args[1]) < 0) BIF_ERROR(p, ATOM_badarg);
    return new_array(p, args[0], (small_value(args[1]) & 1) != 0, ATOMICS_KIND_ATOMICS);
}

term_t bif_atomics_get_2(Process *p, term_t *args)
{
    AtomicsArray *a = array_of(args[0], ATOMICS_KIND_ATOMICS);
    _Atomic uint64_t *w = slot(a, args[1]);
    if (!w) BIF_ERROR(p, ATOM_badarg);
    return value_term(p, a, atomic_load(w));
}

term_t bif_atomics_put_3(Process *p, term_t *args)
{
    AtomicsArray *a = array_of(args[0], ATOMICS_KIND_ATOMICS);
    _Atomic uint64_t *w = slot(a, args[1]);
    uint64_t v;
    if (!w || !get_value(a, args[2], &v)) BIF_ERROR(p, ATOM_badarg);
    atomic_store(w, v);
    return ATOM_ok;
}

term_t bif_atomics_add_3(Process *p, term_t *args)
{
    AtomicsArray *a = array_of(args[0], ATOMICS_KIND_ATOMICS);
    _Atomic uint64_t *w = slot(a, args[1]);
    uint64_t d;
    if (!w || !get_incr(args[2], &d)) BIF_ERROR(p, ATOM_badarg);
    atomic_fetch_add(w, d);
    return ATOM_ok;
}

term_t bif_atomics_add_get_3(Process *p, term_t *args)
{
    AtomicsArray *a = array_of(args[0], ATOMICS_KIND_ATOMICS);
    _Atomic uint64_t *w = slot(a, args[1]);
    uint64_t d;
    if (!w || !get_incr(args[2], &d)) BIF_ERROR(p, ATOM_badarg);
    return value_term(p, a, atomic_fetch_add(w, d) + d);
}

term_t bif_atomics_exchange_3(Process *p, term_t *args)
{
    AtomicsArray *a = array_of(args[0], ATOMICS_KIND_ATOMICS);
    _Atomic uint64_t *w = slot(a, args[1]);
    uint64_t v;
    if (!w || !get_value(a, args[2], &v)) BIF_ERROR(p, ATOM_badarg);
    return value_term(p, a, atomic_exchange(w, v));
}

/* compare_exchange(Ref, Ix, Expected, Desired) -> ok | Actual. */
term_t bif_atomics_compare_exchange_4(Process *p, term_t *args)
{
    AtomicsArray *a = array_of(args[0], ATOMICS_KIND_ATOMICS);
    _Atomic uint64_t *w = slot(a, args[1]);
    uint64_t expected, desired;
    if (!w || !get_value(a, args[2], &expected) || !get_value(a, args[3], &desired))
        BIF_ERROR(p, ATOM_badarg);
    if (atomic_compare_exchange_strong(w, &expected, desired)) return ATOM_ok;
    return value_term(p, a, expected);
}

/* OTP's info/1 memory figure (see the top of the file). */
static uint64_t array_memory_bytes(const AtomicsArray *a)
{
    if (a->kind == ATOMICS_KIND_ATOMICS) return OTP_MAGIC_HEADER_BYTES + 16 + a->n * sizeof(uint64_t);
    return OTP_MAGIC_HEADER_BYTES + 8 + array_words(a->n, a->kind, a->stripes) * sizeof(uint64_t);
}

/* info(Ref) -> #{size, max, min, memory}. */
term_t bif_atomics_info_1(Process *p, term_t *args)
{
    AtomicsArray *a = array_of(args[0], ATOMICS_KIND_ATOMICS);
    if (!a) BIF_ERROR(p, ATOM_badarg);
    Heap *h = &p->h;
    term_t keys[4] = {ATOM_size, ATOM_max, ATOM_min, ATOM_memory};
    term_t vals[4] = {
        bif_make_uint64(h, a->n),
        a->is_signed ? bif_make_int64(h, INT64_MAX) : bif_make_uint64(h, UINT64_MAX),
        a->is_signed ? bif_make_int64(h, INT64_MIN) : make_small(0),
        bif_make_uint64(h, array_memory_bytes(a)),
    };
    return map_from_pairs(h, keys, vals, 4);
}

/* ---- counters (write_concurrency kind; counters.erl uses atomics for
 * the other kind) ---- */

term_t bif_erts_internal_counters_new_1(Process *p, term_t *args)
{
    return new_array(p, args[0], true, ATOMICS_KIND_COUNTERS);
}

/* Counter ix's word of stripe s (0 = the base), or NULL for a bad index. */
static _Atomic uint64_t *counter_word(AtomicsArray *a, term_t ix, uint32_t s)
{
    if (!a || !is_small(ix) || small_value(ix) < 1 || (uint64_t)small_value(ix) > a->n) return NULL;
    uint64_t i = (uint64_t)small_value(ix) - 1;
    return &a->v[(i / COUNTERS_PER_LINE * a->stripes + s) * COUNTERS_PER_LINE + i % COUNTERS_PER_LINE];
}

/* The stripes of one counter are a line apart. */
static uint64_t counter_sum(_Atomic uint64_t *base, uint32_t from, uint32_t stripes)
{
    uint64_t sum = 0;
    for (uint32_t s = from; s < stripes; s++)
        sum += atomic_load_explicit(base + (uint64_t)s * COUNTERS_PER_LINE, memory_order_relaxed);
    return sum;
}

term_t bif_erts_internal_counters_get_2(Process *p, term_t *args)
{
    AtomicsArray *a = array_of(args[0], ATOMICS_KIND_COUNTERS);
    _Atomic uint64_t *w = counter_word(a, args[1], 0);
    if (!w) BIF_ERROR(p, ATOM_badarg);
    return bif_make_int64(&p->h, (int64_t)counter_sum(w, 0, a->stripes));
}

term_t bif_erts_internal_counters_add_3(Process *p, term_t *args)
{
    AtomicsArray *a = array_of(args[0], ATOMICS_KIND_COUNTERS);
    Scheduler *s = a ? sched_for(p) : NULL;
    uint32_t stripe = s && s->index + 1 < a->stripes ? s->index + 1 : 0;
    _Atomic uint64_t *w = counter_word(a, args[1], stripe);
    uint64_t d;
    if (!w || !get_incr(args[2], &d)) BIF_ERROR(p, ATOM_badarg);
    /* Only this scheduler adds to its stripe, but stripe 0 (no scheduler)
     * is shared: an atomic add is right for both and as cheap uncontended. */
    atomic_fetch_add_explicit(w, d, memory_order_relaxed);
    return ATOM_ok;
}

term_t bif_erts_internal_counters_put_3(Process *p, term_t *args)
{
    AtomicsArray *a = array_of(args[0], ATOMICS_KIND_COUNTERS);
    _Atomic uint64_t *w = counter_word(a, args[1], 0);
    uint64_t v;
    if (!w || !get_value(a, args[2], &v)) BIF_ERROR(p, ATOM_badarg);
    atomic_store_explicit(w, v - counter_sum(w, 1, a->stripes), memory_order_relaxed);
    return ATOM_ok;
}

/* counters_info(Ref) -> #{size, memory}. */
term_t bif_erts_internal_counters_info_1(Process *p, term_t *args)
{
    AtomicsArray *a = array_of(args[0], ATOMICS_KIND_COUNTERS);
    if (!a) BIF_ERROR(p, ATOM_badarg);
    term_t keys[2] = {ATOM_size, ATOM_memory};
    term_t vals[2] = {bif_make_uint64(&p->h, a->n), bif_make_uint64(&p->h, array_memory_bytes(a))};
    return map_from_pairs(&p->h, keys, vals, 2);
}
