/*
 * etf_encode_slices.c — term_to_binary/1,2 in slices (bif_yield.h).
 *
 * Fast path: the encoder (etf_impl.h) counts the size with half a slice's
 * budget; if that is enough, the binary is allocated and written at once,
 * as before, with no allocation beyond the result. Otherwise the call
 * traps to beamos:term_to_binary_slice(Term, Saved, State), which goes on
 * in three phases, one slice per call:
 *   COUNT   finish counting the size;
 *   WRITE   encode again into an off-heap Binary of exactly that size;
 *   DEFLATE (compressed) deflate the Binary into a second one, a slice of
 *           input per call; kept only when smaller, as OTP does.
 *
 * GC INVARIANT. Between slices the process runs no Erlang code, but it may
 * be collected (a garbage_collect request, a heap check on rescheduling),
 * which moves every term on its heap. So what survives a slice is either
 *   - an Erlang term in the continuation's arguments (X registers saved
 *     with the process, hence GC roots): Term, and Saved — the encoder's
 *     stack of frames, every word a term (etf_impl.h), stored as a list of
 *     tuples of at most SAVE_CHUNK frames, topmost chunk first; or
 *   - off the heap and never pointing into it: State, a magic ref
 *     (magic.h) owning a TtbState — phase, byte position, the Binaries
 *     written, the zlib stream.
 * The encoder's C stack exists only within one call: each slice loads the
 * top chunk of Saved, runs, and dumps what is left. Only the chunk loaded
 * and the frames pushed in the slice are copied, so a deep term costs no
 * more per slice than its work. If the process dies or the call fails,
 * the magic ref becomes garbage and its destructor frees the Binaries and
 * the stream.
 *
 * Saved can be forged by calling the continuation directly; every frame is
 * checked when loaded (frame_ok), so a forgery gives badarg, never a
 * crash. State cannot be forged (a magic ref of this kind only).
 */
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/bif_yield.h"
#include "vm/binary.h"
#include "vm/etf_impl.h"
#include "vm/etf_slices.h"
#include "vm/fun.h"
#include "vm/inflate_glue.h"
#include "vm/magic.h"
#include "vm/map.h"
#include "vm/map_hamt.h"
#include "vm/proc.h"

_Static_assert(ETF_BYTES_PER_UNIT == BIF_BYTES_PER_UNIT, "etf_impl.h and bif_yield.h agree on units");

/* Deflating costs about this many work units per input byte (zlib level
 * 6 is some ten times slower than copying). */
#define DEFLATE_UNITS_PER_BYTE 4
/* Frames per saved tuple. */
#define SAVE_CHUNK 1024

enum { PH_COUNT, PH_WRITE, PH_DEFLATE, PH_DONE };

typedef struct {
    EtfOptions o;
    int level;                /* compression, 0 = none */
    bool iovec;               /* term_to_iovec: the result in a list */
    int phase;
    bool begun;               /* WRITE: the version byte is written */
    size_t pos;               /* COUNT/WRITE: bytes counted/written */
    size_t size;              /* WRITE/DEFLATE: bytes of the encoding */
    Binary *out;              /* WRITE/DEFLATE: the encoding */
    ZStream *z;               /* DEFLATE */
    Binary *zout;             /* DEFLATE: 6 header bytes, then the stream */
    size_t zin, zlen;         /* DEFLATE: input bytes consumed, stream bytes made */
} TtbState;

/* Frees what st holds; the call is over (done or failed). */
static void ttb_release(TtbState *st)
{
    st->phase = PH_DONE;
    if (st->out) binary_deref(st->out);
    if (st->zout) binary_deref(st->zout);
    zstream_free(st->z);
    st->out = st->zout = NULL;
    st->z = NULL;
}

static void ttb_destroy(MagicBin *mb) { ttb_release((TtbState *)mb->data); }

static const Export *slice_export(void)
{
    return export_get(atom_intern_cstr("beamos"), atom_intern_cstr("term_to_binary_slice"), 3);
}

/* ---- the saved stack ---- */

/* Pushes e's frames onto saved, bottom first, in chunks. */
static term_t dump(Heap *h, const EtfEncoder *e, term_t saved)
{
    for (size_t at = 0; at < e->len; at += SAVE_CHUNK) {
        size_t k = e->len - at < SAVE_CHUNK ? e->len - at : SAVE_CHUNK;
        term_t *hp = heap_alloc(h, tuple_words(ETF_FRAME_WORDS * k) + CONS_WORDS);
        term_t tup = make_tuple_header(hp, ETF_FRAME_WORDS * k);
        memcpy(hp + 1, &e->v[at], k * sizeof(EtfFrame));
        saved = make_cons(hp + tuple_words(ETF_FRAME_WORDS * k), tup, saved);
    }
    return saved;
}

static bool is_small_in(term_t t, int64_t lo, int64_t hi)
{
    return is_small(t) && small_value(t) >= lo && small_value(t) <= hi;
}

static bool is_hamt_node(term_t t)
{
    if (!is_map(t)) return false;            /* inner nodes have the map subtag too */
    unsigned k = map_kind(t);
    return k == MAP_KIND_HAMT_HEAD_BITMAP || k == MAP_KIND_HAMT_NODE_BITMAP;
}

/* Could the engine have made this frame? (Ops as in etf_encode.c.) */
static bool frame_ok(const EtfFrame *f)
{
    term_t a = f->a, b = f->b;
    if (!is_small(f->op) || !is_small(f->b) || !is_small(f->c)) return false;
    switch (small_value(f->op)) {
    case 0: return true;                                                   /* TERM */
    case 1: return is_list(a) && small_value(b) >= 0 && small_value(f->c) >= 0; /* LIST */
    case 2: return is_tuple(a) && is_small_in(b, 1, (int64_t)tuple_arity(a));   /* TUPLE */
    case 3:                                                                     /* FLATMAP */
        return is_map(a) && map_kind(a) == MAP_KIND_FLAT && is_small_in(b, 0, 2 * (int64_t)flatmap_size(a) - 1);
    case 4: {                                                                   /* HAMT */
        if (!is_hamt_node(a)) return false;
        unsigned k;
        hamt_node_entries(a, &k);
        return is_small_in(b, 0, (int64_t)k - 1);
    }
    case 5: return is_fun(a) && is_small_in(b, 0, (int64_t)fun_num_free(a) - 1); /* FUNENV */
    case 6: return is_small(a) && small_value(a) >= 0;                         /* FUN_END */
    case 7:                                                                     /* BIN */
        return is_bitstring(a) && is_small_in(b, 0, (int64_t)(bitstring_bit_size(a) + 7) / 8);
    default: return false;
    }
}

/* Loads the topmost saved chunk into the (empty) encoder; false if saved
 * is not what dump() makes. */
static bool load(EtfEncoder *e, term_t *saved)
{
    if (!is_list(*saved)) return false;
    term_t tup = cons_head(*saved);
    if (!is_tuple(tup) || tuple_arity(tup) == 0 || tuple_arity(tup) % ETF_FRAME_WORDS) return false;
    size_t k = tuple_arity(tup) / ETF_FRAME_WORDS;
    const EtfFrame *f = (const EtfFrame *)(tuple_val(tup) + 1);
    for (size_t i = 0; i < k; i++)
        if (!frame_ok(&f[i])) return false;
    for (size_t i = 0; i < k; i++) etf_enc_push_frame(e, &f[i]);
    *saved = cons_tail(*saved);
    return true;
}

/* ---- results ---- */

/* b's first `len` bytes as a binary term; takes over the caller's count. */
static term_t bin_term(Process *p, Binary *b, size_t len)
{
    if (len < BINARY_HEAP_LIMIT) {
        term_t t = binary_new(&p->h, b->orig_bytes, len);
        binary_deref(b);
        return t;
    }
    return binary_wrap(&p->h, b, 0, len);
}

static term_t ttb_error(Process *p, EtfError e)
{
    if (e == ETF_ERR_TOO_BIG) BIF_ERROR(p, ATOM_system_limit);
    BIF_ERROR(p, ATOM_badarg);
}

/* The compressed form of the whole encoding ext (131 followed by the
 * encoding): 131, 80, the encoding's size (32 bits, big-endian), then the
 * encoding deflated at `level`. OTP keeps it only when it is smaller than
 * ext; otherwise, or when memory runs short, ext is returned as it is. */
static term_t compress_ext(Process *p, term_t ext, int level)
{
    const uint8_t *bytes;
    size_t off, bits;
    bitstring_get(ext, &bytes, &off, &bits);
    size_t len = bits / 8;
    if (level == 0 || len < 2 || len - 1 > UINT32_MAX) return ext;
    size_t cap = len - 6;      /* anything longer does not pay */
    uint8_t *z = len > 6 ? malloc(cap) : NULL;
    size_t zlen;
    if (!z || deflate_buffer(bytes + 1, len - 1, level, z, cap, &zlen) != 0 || 6 + zlen >= len) {
        free(z);
        return ext;
    }
    uint8_t *d;
    term_t out = binary_new_uninit(&p->h, 6 + zlen, &d);
    uint32_t n = (uint32_t)(len - 1);
    d[0] = 131; d[1] = 80;
    d[2] = (uint8_t)(n >> 24); d[3] = (uint8_t)(n >> 16); d[4] = (uint8_t)(n >> 8); d[5] = (uint8_t)n;
    memcpy(d + 6, z, zlen);
    free(z);
    return out;
}

static term_t as_result(Process *p, term_t bin, bool iovec)
{
    return iovec ? make_cons(heap_alloc(&p->h, CONS_WORDS), bin, NIL) : bin;
}

/* ---- one slice ---- */

/* Ends the DEFLATE phase: the compressed form if it paid, else the plain
 * encoding. */
static term_t deflate_done(Process *p, TtbState *st, bool paid)
{
    term_t r;
    if (paid && 6 + st->zlen < st->size) {
        uint8_t *d = st->zout->orig_bytes;
        uint32_t n = (uint32_t)(st->size - 1);
        d[0] = 131; d[1] = 80;
        d[2] = (uint8_t)(n >> 24); d[3] = (uint8_t)(n >> 16); d[4] = (uint8_t)(n >> 8); d[5] = (uint8_t)n;
        r = bin_term(p, binary_shrink(st->zout, 6 + st->zlen), 6 + st->zlen);
        st->zout = NULL;
    } else {
        r = bin_term(p, st->out, st->size);
        st->out = NULL;
    }
    bool iovec = st->iovec;
    ttb_release(st);
    return as_result(p, r, iovec);
}

/* Deflates input worth the budget left; THE_NON_VALUE when more remains. */
static term_t deflate_slice(Process *p, TtbState *st, size_t budget, size_t *units)
{
    if (st->size < 8 || st->size - 1 > UINT32_MAX) return deflate_done(p, st, false);
    if (!st->z) {
        st->z = zstream_deflate_new(st->level);
        if (!st->z) return deflate_done(p, st, false);
        st->zout = binary_alloc(st->size);
    }
    size_t left = budget > *units ? (budget - *units) / DEFLATE_UNITS_PER_BYTE : 0;
    if (left < 4096) left = 4096;
    size_t in_left = st->size - 1 - st->zin;
    size_t chunk = in_left < left ? in_left : left;
    const uint8_t *src = st->out->orig_bytes + 1 + st->zin;
    uint8_t *dst = st->zout->orig_bytes + 6 + st->zlen;
    size_t src_left = chunk, dst_left = st->size - 6 - st->zlen;
    int rc = zstream_step(st->z, &src, &src_left, &dst, &dst_left, chunk == in_left);
    st->zin += chunk - src_left;
    st->zlen = (size_t)(dst - st->zout->orig_bytes) - 6;
    *units += (chunk - src_left) * DEFLATE_UNITS_PER_BYTE;
    if (rc == ZS_END) return deflate_done(p, st, true);
    if (rc == ZS_ERROR || dst_left == 0) return deflate_done(p, st, false); /* does not pay */
    return THE_NON_VALUE;
}

/* Runs phases until done, an error, or the budget is spent. */
static term_t ttb_slice(Process *p, term_t *args, TtbState *st)
{
    size_t budget = bif_work_budget(p), units = 0;
    term_t saved = args[1];
    while (st->phase != PH_DEFLATE) {
        bool writing = st->phase == PH_WRITE;
        EtfEncoder e;
        etf_enc_init(&e, &st->o, writing ? st->out->orig_bytes : NULL, writing ? st->size : 0, st->pos);
        if (writing && !st->begun) {
            etf_enc_begin(&e, args[0]);
            st->begun = true;
        }
        EtfError err = ETF_OK;
        bool more = false;
        for (;;) {
            if (!e.len) {
                if (is_nil(saved)) break;
                if (!load(&e, &saved)) {
                    err = ETF_ERR_BAD_VALUE;
                    break;
                }
            }
            err = etf_enc_run(&e, budget > units ? budget - units : 0, &units, &more);
            if (err || more) break;
        }
        st->pos = e.pos;
        if (err) {
            etf_enc_free(&e);
            ttb_release(st);
            bif_charge(p, units);
            return ttb_error(p, err);
        }
        if (more) {
            args[1] = dump(&p->h, &e, saved);
            etf_enc_free(&e);
            bif_charge(p, units);
            return bif_yield(p);
        }
        etf_enc_free(&e);
        if (!writing) {
            st->size = st->pos;
            st->out = binary_alloc(st->size);
            st->phase = PH_WRITE;
            st->pos = 0;
            st->begun = false;
            saved = NIL;
        } else {
            if (st->pos != st->size) {    /* Term is not the one counted */
                ttb_release(st);
                BIF_ERROR(p, ATOM_badarg);
            }
            if (!st->level) {
                bif_charge(p, units);
                term_t r = bin_term(p, st->out, st->size);
                st->out = NULL;
                ttb_release(st);
                return as_result(p, r, st->iovec);
            }
            st->phase = PH_DEFLATE;
        }
        args[1] = NIL;
        if (units >= budget) {
            bif_charge(p, units);
            return bif_yield(p);
        }
    }
    term_t r = deflate_slice(p, st, budget, &units);
    bif_charge(p, units);
    return r != THE_NON_VALUE ? r : bif_yield(p);
}

/* A new sliced call's state, in args[2]; NULL when memory is short. */
static TtbState *ttb_start(Process *p, term_t *args, const EtfOptions *o, int level, bool iovec, int phase)
{
    MagicBin *mb = magic_bin_alloc(sizeof(TtbState), ttb_destroy);
    if (!mb) return NULL;
    TtbState *st = (TtbState *)mb->data;
    memset(st, 0, sizeof *st);
    st->o = *o;
    st->level = level;
    st->iovec = iovec;
    st->phase = phase;
    uint32_t num[REF_NUMBERS];
    proc_make_ref_numbers(p, num);
    args[2] = magic_ref_make(&p->h, mb, num);
    return st;
}

term_t etf_term_to_binary_bif(Process *p, term_t *args, term_t t, const EtfOptions *o, int level, bool iovec)
{
    size_t budget = bif_work_budget(p), units = 0;
    bool more;
    EtfEncoder e;
    etf_enc_init(&e, o, NULL, 0, 0);
    etf_enc_begin(&e, t);
    EtfError err = etf_enc_run(&e, budget / 2, &units, &more);
    if (err) {
        etf_enc_free(&e);
        bif_charge(p, units);
        return ttb_error(p, err);
    }
    if (more) {                 /* a large term: on in slices */
        TtbState *st = ttb_start(p, args, o, level, iovec, PH_COUNT);
        if (!st) {
            etf_enc_free(&e);
            BIF_ERROR(p, ATOM_system_limit);
        }
        st->pos = e.pos;
        args[0] = t;
        args[1] = dump(&p->h, &e, NIL);
        etf_enc_free(&e);
        bif_charge(p, units);
        return bif_trap(p, slice_export());
    }
    size_t n = e.pos;
    etf_enc_free(&e);
    uint8_t *data;
    term_t bin = binary_new_uninit(&p->h, n, &data);
    etf_enc_init(&e, o, data, n, 0);
    etf_enc_begin(&e, t);
    etf_enc_run(&e, SIZE_MAX, &units, &more);
    etf_enc_free(&e);
    bif_charge(p, units);
    if (!level) return as_result(p, bin, iovec);
    if (n < BINARY_HEAP_LIMIT || n * DEFLATE_UNITS_PER_BYTE <= bif_work_budget(p))
        return as_result(p, compress_ext(p, bin, level), iovec);
    /* a large encoding: deflate it in slices */
    TtbState *st = ttb_start(p, args, o, level, iovec, PH_DEFLATE);
    if (!st) return as_result(p, bin, iovec);
    ProcBin *pb = (ProcBin *)boxed_val(bin);
    binary_ref(pb->val);
    st->out = pb->val;
    st->size = n;
    args[0] = NIL;
    args[1] = NIL;
    return bif_trap(p, slice_export());
}

term_t bif_beamos_term_to_binary_slice_3(Process *p, term_t *args)
{
    MagicBin *mb = magic_ref_bin(args[2], ttb_destroy);
    if (!mb) BIF_ERROR(p, ATOM_badarg);
    TtbState *st = (TtbState *)mb->data;
    if (st->phase == PH_DONE) BIF_ERROR(p, ATOM_badarg);   /* spent or failed already */
    return ttb_slice(p, args, st);
}
