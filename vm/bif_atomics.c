/*
 * bif_atomics.c — atomics (erts_internal:atomics_new/2 and the atomics:*
 * BIFs) and counters (erts_internal:counters_*), as OTP 25's atomics.erl
 * and counters.erl call them.
 *
 * Representation (binary-backed; the terms layer has no magic references
 * yet): an array is an off-heap Binary whose bytes are an AtomicsHdr
 * followed by `n` 64-bit atomic words, and the handle a process holds is a
 * ProcBin for the whole Binary. So the existing off-heap machinery gives
 * the lifetime for free: the ProcBin is linked into the heap's off_heap
 * list, survives GC by being copied, is shared between processes by
 * message passing (term_copy adds a reference), and the array is freed
 * when the last ProcBin dies (binary_deref).
 *
 * A handle is recognised by: a ProcBin covering the whole Binary, whose
 * header carries ATOMICS_MAGIC and the Binary's own address (`self`). A
 * binary built by Erlang code (or a copy through term_to_binary) cannot
 * have its own address inside, so it is never mistaken for an array.
 * Visible differences from OTP, until magic refs exist: the handle is a
 * binary (is_binary/1 is true, is_reference/1 false) and its bytes can be
 * read by bit syntax (they are the live counter values).
 *
 * Counters use the same array (kind ATOMICS_KIND_COUNTERS, signed, wrapping
 * arithmetic). OTP stripes write_concurrency counters per scheduler and
 * sums on read; one word per counter is exact and is what to stripe
 * later if contention shows.
 *
 * Memory order: every operation is sequentially consistent, as OTP's
 * atomics are (the documentation promises a total order per array).
 */
#include <stdatomic.h>

#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/bif_util.h"
#include "vm/binary.h"
#include "vm/map.h"

#define ATOMICS_MAGIC 0x53434d4f5441u    /* "ATOMCS" */
#define ATOMICS_KIND_ATOMICS 0u
#define ATOMICS_KIND_COUNTERS 1u
#define ATOMICS_MAX_ARITY (1u << 27)     /* words; beyond this: system_limit */

typedef struct {
    uint64_t magic;
    uint64_t self;        /* (uintptr_t) of the owning Binary */
    uint32_t kind;        /* ATOMICS_KIND_* */
    uint32_t is_signed;
    uint64_t n;
    _Atomic uint64_t v[];
} AtomicsHdr;

static term_t new_array(Process *p, term_t arity, bool is_signed, uint32_t kind)
{
    if (!is_integer(arity) || !is_small(arity) || small_value(arity) < 1) BIF_ERROR(p, ATOM_badarg);
    if ((uint64_t)small_value(arity) > ATOMICS_MAX_ARITY) BIF_ERROR(p, ATOM_system_limit);
    uint64_t n = (uint64_t)small_value(arity);
    size_t bytes = sizeof(AtomicsHdr) + n * sizeof(uint64_t);
    if (bytes < BINARY_HEAP_LIMIT) bytes = BINARY_HEAP_LIMIT;   /* a ProcBin is never this small otherwise */
    Binary *b = binary_alloc(bytes);
    AtomicsHdr *a = (AtomicsHdr *)b->orig_bytes;   /* orig_bytes is 8-byte aligned */
    a->magic = ATOMICS_MAGIC;
    a->self = (uint64_t)(uintptr_t)b;
    a->kind = kind;
    a->is_signed = is_signed;
    a->n = n;
    for (uint64_t i = 0; i < n; i++) atomic_init(&a->v[i], 0);
    return binary_wrap(&p->h, b, 0, bytes);
}

/* The array of handle t of the given kind, or NULL. */
static AtomicsHdr *array_of(term_t t, uint32_t kind)
{
    if (!is_boxed_subtag(t, REFC_BINARY_SUBTAG)) return NULL;
    ProcBin *pb = (ProcBin *)boxed_val(t);
    Binary *b = pb->val;
    if (pb->bytes != b->orig_bytes || pb->size != b->orig_size || b->orig_size < sizeof(AtomicsHdr))
        return NULL;
    AtomicsHdr *a = (AtomicsHdr *)b->orig_bytes;
    if (a->magic != ATOMICS_MAGIC || a->self != (uint64_t)(uintptr_t)b || a->kind != kind) return NULL;
    return a;
}

/* The word at 1-based index ix, or NULL. */
static _Atomic uint64_t *slot(AtomicsHdr *a, term_t ix)
{
    if (!a || !is_small(ix) || small_value(ix) < 1 || (uint64_t)small_value(ix) > a->n) return NULL;
    return &a->v[small_value(ix) - 1];
}

/* A value storable in a: int64 range when signed, uint64 range when not. */
static bool get_value(const AtomicsHdr *a, term_t t, uint64_t *out)
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

static term_t value_term(Process *p, const AtomicsHdr *a, uint64_t v)
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
    AtomicsHdr *a = array_of(args[0], ATOMICS_KIND_ATOMICS);
    _Atomic uint64_t *w = slot(a, args[1]);
    if (!w) BIF_ERROR(p, ATOM_badarg);
    return value_term(p, a, atomic_load(w));
}

/* add/3 and put/3 are the same for atomics and counters but for the kind
 * of array they accept. */
static term_t add_of_kind(Process *p, term_t *args, uint32_t kind)
{
    AtomicsHdr *a = array_of(args[0], kind);
    _Atomic uint64_t *w = slot(a, args[1]);
    uint64_t d;
    if (!w || !get_incr(args[2], &d)) BIF_ERROR(p, ATOM_badarg);
    atomic_fetch_add(w, d);
    return ATOM_ok;
}

static term_t put_of_kind(Process *p, term_t *args, uint32_t kind)
{
    AtomicsHdr *a = array_of(args[0], kind);
    _Atomic uint64_t *w = slot(a, args[1]);
    uint64_t v;
    if (!w || !get_value(a, args[2], &v)) BIF_ERROR(p, ATOM_badarg);
    atomic_store(w, v);
    return ATOM_ok;
}

term_t bif_atomics_put_3(Process *p, term_t *args) { return put_of_kind(p, args, ATOMICS_KIND_ATOMICS); }

term_t bif_atomics_add_3(Process *p, term_t *args) { return add_of_kind(p, args, ATOMICS_KIND_ATOMICS); }

term_t bif_atomics_add_get_3(Process *p, term_t *args)
{
    AtomicsHdr *a = array_of(args[0], ATOMICS_KIND_ATOMICS);
    _Atomic uint64_t *w = slot(a, args[1]);
    uint64_t d;
    if (!w || !get_incr(args[2], &d)) BIF_ERROR(p, ATOM_badarg);
    return value_term(p, a, atomic_fetch_add(w, d) + d);
}

term_t bif_atomics_exchange_3(Process *p, term_t *args)
{
    AtomicsHdr *a = array_of(args[0], ATOMICS_KIND_ATOMICS);
    _Atomic uint64_t *w = slot(a, args[1]);
    uint64_t v;
    if (!w || !get_value(a, args[2], &v)) BIF_ERROR(p, ATOM_badarg);
    return value_term(p, a, atomic_exchange(w, v));
}

/* compare_exchange(Ref, Ix, Expected, Desired) -> ok | Actual. */
term_t bif_atomics_compare_exchange_4(Process *p, term_t *args)
{
    AtomicsHdr *a = array_of(args[0], ATOMICS_KIND_ATOMICS);
    _Atomic uint64_t *w = slot(a, args[1]);
    uint64_t expected, desired;
    if (!w || !get_value(a, args[2], &expected) || !get_value(a, args[3], &desired))
        BIF_ERROR(p, ATOM_badarg);
    if (atomic_compare_exchange_strong(w, &expected, desired)) return ATOM_ok;
    return value_term(p, a, expected);
}

static uint64_t array_memory_bytes(const AtomicsHdr *a)
{
    return sizeof(Binary) + sizeof(AtomicsHdr) + a->n * sizeof(uint64_t);
}

/* info(Ref) -> #{size, max, min, memory}. */
term_t bif_atomics_info_1(Process *p, term_t *args)
{
    AtomicsHdr *a = array_of(args[0], ATOMICS_KIND_ATOMICS);
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

term_t bif_erts_internal_counters_get_2(Process *p, term_t *args)
{
    AtomicsHdr *a = array_of(args[0], ATOMICS_KIND_COUNTERS);
    _Atomic uint64_t *w = slot(a, args[1]);
    if (!w) BIF_ERROR(p, ATOM_badarg);
    return bif_make_int64(&p->h, (int64_t)atomic_load(w));
}

term_t bif_erts_internal_counters_add_3(Process *p, term_t *args) { return add_of_kind(p, args, ATOMICS_KIND_COUNTERS); }

term_t bif_erts_internal_counters_put_3(Process *p, term_t *args) { return put_of_kind(p, args, ATOMICS_KIND_COUNTERS); }

/* counters_info(Ref) -> #{size, memory}. */
term_t bif_erts_internal_counters_info_1(Process *p, term_t *args)
{
    AtomicsHdr *a = array_of(args[0], ATOMICS_KIND_COUNTERS);
    if (!a) BIF_ERROR(p, ATOM_badarg);
    term_t keys[2] = {ATOM_size, ATOM_memory};
    term_t vals[2] = {bif_make_uint64(&p->h, a->n), bif_make_uint64(&p->h, array_memory_bytes(a))};
    return map_from_pairs(&p->h, keys, vals, 2);
}
