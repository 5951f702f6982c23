/*
 * etf_decode_slices.c — binary_to_term/1,2 in slices (bif_yield.h).
 *
 * Fast path: input (inflated size, when compressed) of at most a slice's
 * budget in bytes is decoded in one call, straight onto the heap, as
 * before. Otherwise the call traps to beamos:binary_to_term_slice(Bin,
 * State), which goes on in phases, one slice per call:
 *   INFLATE (compressed input) inflate a slice's worth of the zlib stream
 *           into a buffer of the announced size;
 *   SCAN    pass 1: validate, count the heap words (etf_impl.h);
 *   BUILD   pass 2: fill a heap fragment of exactly that many words.
 * When the build ends the fragment joins the process's h.mbuf (as a
 * received message's does) and its off-heap list joins the heap's: only
 * then does the term become visible, complete.
 *
 * GC INVARIANT. Between slices the process may be collected. What survives
 * a slice is Bin (an argument: a GC root; only an offset into it is kept,
 * since a heap binary's bytes move) and State, a magic ref owning a
 * B2tState: the inflated or realigned bytes, the zlib stream, the decoder
 * and the fragment. The fragment is malloc'ed and on no heap list, so the
 * collector neither sees nor moves it, and nothing in it points into the
 * process heap (a decoded term refers only to itself, atoms, code, and
 * off-heap objects held by its own off-heap list), so the decoder's slot
 * pointers stay valid. If the input is bad the call raises badarg and
 * frees all of it at once; if the process dies mid-decode the magic ref
 * dies with its heap and the destructor frees it (ProcBins and magic refs
 * already built drop their counts).
 * Funs decoded into a fragment that is not yet on the heap are not seen
 * by a code purge meanwhile (as for a message still in a queue).
 */
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/bif_yield.h"
#include "vm/binary.h"
#include "vm/code.h"
#include "vm/etf_impl.h"
#include "vm/etf_slices.h"
#include "vm/export.h"
#include "vm/inflate_glue.h"
#include "vm/magic.h"
#include "vm/proc.h"

/* Inflating costs about a work unit per output byte. */
#define INFLATE_BYTES_PER_UNIT 1

enum { PH_INFLATE, PH_SCAN, PH_BUILD, PH_DONE };

typedef struct {
    EtfOptions o;
    bool used_opt;
    int phase;
    size_t in_len;            /* bytes of Bin (a forged call with another fails) */
    uint8_t *plain;           /* inflated or realigned bytes (version byte first); NULL: Bin's */
    size_t plain_len;
    bool compressed;
    ZStream *z;               /* INFLATE */
    size_t zin, zout;         /* INFLATE: stream bytes read, bytes made */
    size_t pos;               /* SCAN/BUILD: position in the plain bytes */
    HeapFragment *frag;       /* BUILD */
    term_t result;            /* BUILD: the term, in frag */
    EtfDecoder d;
} B2tState;

/* Frees what st holds; the call is over (done or failed). */
static void b2t_release(B2tState *st)
{
    st->phase = PH_DONE;
    free(st->plain);
    st->plain = NULL;
    zstream_free(st->z);
    st->z = NULL;
    etf_dec_free(&st->d);
    heap_off_heap_release(&st->d.sub.off_heap);
    st->d.sub.off_heap.first = NULL;
    free(st->frag);
    st->frag = NULL;
}

static void b2t_destroy(MagicBin *mb) { b2t_release((B2tState *)mb->data); }

static const Export *slice_export(void)
{
    return export_get(atom_intern_cstr("beamos"), atom_intern_cstr("binary_to_term_slice"), 2);
}

/* EXPORT_EXT (fun M:F/A): the export entry, created if new — or, with
 * `safe`, only an existing one (OTP: no new external function refs). */
static const ErtsMFA *resolve_export(void *safe, term_t m, term_t f, uint32_t arity)
{
    Export *ep = safe ? export_find(m, f, arity) : export_get(m, f, arity);
    return ep ? &ep->mfa : NULL;
}

/* NEW_FUN_EXT: the fun in the current or old code of the module whose
 * MD5 matches; if there is none, a fun for code that is not loaded, as
 * OTP 25 makes (with or without `safe`): calling it loads the module, or
 * raises badfun or undef (code.h, code_fun_dangling). Nothing is loaded
 * here: OTP loads when the fun is called. */
static const FunEntry *resolve_fun(void *safe, term_t m, uint32_t index, uint32_t old_uniq,
                                   const uint8_t uniq[16], uint32_t arity, uint32_t num_free)
{
    (void)safe;
    const LoadedFun *lf = code_fun_find(m, index, uniq, arity, num_free);
    if (!lf) lf = code_fun_dangling(m, index, old_uniq, uniq, arity, num_free);
    return lf ? &lf->fe : NULL;
}

static void options(EtfOptions *o, bool safe)
{
    memset(o, 0, sizeof *o);
    o->existing_atoms_only = safe;
    o->resolve_export = resolve_export;
    o->resolve_fun = resolve_fun;
    o->resolve_arg = safe ? (void *)1 : NULL;
}

static term_t with_used(Process *p, term_t t, bool used, size_t n_used)
{
    if (!used) return t;
    term_t *hp = heap_alloc(&p->h, tuple_words(2));
    term_t r = make_tuple_header(hp, 2);
    hp[1] = t;
    hp[2] = bif_make_uint64(&p->h, n_used);
    return r;
}

static size_t announced_size(const uint8_t *b)
{
    return ((size_t)b[2] << 24) | ((size_t)b[3] << 16) | ((size_t)b[4] << 8) | b[5];
}

/* ---- one slice ---- */

static term_t b2t_fail(Process *p, B2tState *st, size_t units)
{
    b2t_release(st);
    bif_charge(p, units);
    BIF_ERROR(p, ATOM_badarg);
}

static term_t b2t_slice(Process *p, term_t *args, B2tState *st)
{
    size_t budget = bif_work_budget(p), units = 0;
    const uint8_t *in;
    size_t off, bits;
    if (!is_binary(args[0])) return b2t_fail(p, st, 0);
    bitstring_get(args[0], &in, &off, &bits);
    if (bits / 8 != st->in_len || (off && !st->plain)) return b2t_fail(p, st, 0);
    const uint8_t *buf = st->plain ? st->plain : in;
    size_t len = st->plain ? st->plain_len : st->in_len;
    bool more = false;
    while (units < budget) {
        switch (st->phase) {
        case PH_INFLATE: {
            size_t chunk = (budget - units) * INFLATE_BYTES_PER_UNIT;
            if (chunk < 4096) chunk = 4096;
            size_t in_left = st->in_len - 6 - st->zin;
            if (chunk > in_left) chunk = in_left;
            const uint8_t *src = in + 6 + st->zin;
            uint8_t *dst = st->plain + 1 + st->zout;
            size_t src_left = chunk, dst_left = st->plain_len - 1 - st->zout;
            int rc = zstream_step(st->z, &src, &src_left, &dst, &dst_left, 0);
            size_t made = (size_t)(dst - st->plain) - 1 - st->zout, read = chunk - src_left;
            st->zin += read;
            st->zout += made;
            units += 1 + (made > read ? made : read) / INFLATE_BYTES_PER_UNIT;
            if (rc == ZS_END) {
                if (st->zout != st->plain_len - 1) return b2t_fail(p, st, units);  /* smaller than announced */
                zstream_free(st->z);
                st->z = NULL;
                st->phase = PH_SCAN;
                st->pos = 1;
            } else if (rc == ZS_ERROR || dst_left == 0 || st->zin == st->in_len - 6) {
                return b2t_fail(p, st, units);   /* corrupt, larger than announced, or truncated */
            }
            break;
        }
        case PH_SCAN: {
            if (etf_dec_scan(&st->d, buf, len, &st->pos, budget - units, &units, &more))
                return b2t_fail(p, st, units);
            if (more) break;
            st->frag = malloc(sizeof(HeapFragment) + (st->d.words ? st->d.words : 1) * sizeof(term_t));
            if (!st->frag) {
                b2t_release(st);
                BIF_ERROR(p, ATOM_system_limit);
            }
            st->frag->next = NULL;
            st->frag->alloc_words = st->d.words;
            st->frag->used_words = 0;
            if (!st->compressed) st->plain_len = st->pos;   /* `used`: the term's bytes */
            st->result = NIL;
            etf_dec_build_begin(&st->d, st->frag->mem, &st->result);
            st->phase = PH_BUILD;
            st->pos = 1;
            break;
        }
        case PH_BUILD: {
            if (etf_dec_build(&st->d, buf, len, &st->pos, budget - units, &units, &more))
                return b2t_fail(p, st, units);
            if (more) break;
            /* Complete: the fragment and its off-heap objects join the heap. */
            HeapFragment *f = st->frag;
            st->frag = NULL;
            f->used_words = (size_t)(st->d.sub.htop - f->mem);
            if (f->used_words) {
                f->next = p->h.mbuf;
                p->h.mbuf = f;
                p->h.mbuf_sz += f->used_words;
            } else {
                free(f);
            }
            etf_off_heap_splice(&p->h, &st->d.sub.off_heap);
            size_t n_used = st->compressed ? 6 + st->zin : st->plain_len;
            term_t r = with_used(p, st->result, st->used_opt, n_used);
            b2t_release(st);
            bif_charge(p, units);
            return r;
        }
        default:
            BIF_ERROR(p, ATOM_badarg);   /* spent or failed already */
        }
        if (more) break;
    }
    bif_charge(p, units);
    return bif_yield(p);
}

/* ---- entry ---- */

/* One call, straight onto the heap (the bytes fit a slice). */
static term_t decode_direct(Process *p, const uint8_t *bytes, size_t off, size_t bits, bool used, bool safe)
{
    size_t len = bits / 8;
    uint8_t *tmp = NULL;
    if (off) {
        tmp = malloc(len ? len : 1);
        if (!tmp) BIF_ERROR(p, ATOM_system_limit);
        bits_copy(tmp, 0, bytes, off, bits);
        bytes = tmp;
    }
    size_t n_used = len;
    term_t t;
    EtfOptions o;
    options(&o, safe);
    /* Bytes after the term are ignored, with or without `used` (OTP 25). */
    EtfError e = etf_decode_prefix(&p->h, bytes, len, &o, &t, &n_used);
    free(tmp);
    if (e != ETF_OK) BIF_ERROR(p, ATOM_badarg);
    bif_charge(p, n_used / BIF_BYTES_PER_UNIT);
    return with_used(p, t, used, n_used);
}

term_t etf_binary_to_term_bif(Process *p, term_t *args, term_t bin, bool used, bool safe)
{
    if (!is_binary(bin)) BIF_ERROR(p, ATOM_badarg);
    const uint8_t *bytes;
    size_t off, bits;
    bitstring_get(bin, &bytes, &off, &bits);
    size_t len = bits / 8, budget = bif_work_budget(p);
    /* bytes to decode: the announced size, when compressed */
    bool compressed = len >= 6 && off == 0 && bytes[0] == ETF_VERSION && bytes[1] == ETF_COMPRESSED;
    size_t work = compressed ? announced_size(bytes) : len;
    if (work <= budget || len < 2 || (compressed && !etf_plausible_inflated_size(work, len - 6)))
        return decode_direct(p, bytes, off, bits, used, safe);
    uint8_t v0;
    bits_copy(&v0, 0, bytes, off, 8);
    if (v0 != ETF_VERSION) BIF_ERROR(p, ATOM_badarg);
    MagicBin *mb = magic_bin_alloc(sizeof(B2tState), b2t_destroy);
    if (!mb) BIF_ERROR(p, ATOM_system_limit);
    B2tState *st = (B2tState *)mb->data;
    memset(st, 0, sizeof *st);
    options(&st->o, safe);
    etf_dec_init(&st->d, &st->o);
    st->used_opt = used;
    st->in_len = len;
    st->compressed = compressed;
    st->phase = PH_SCAN;
    st->pos = 1;
    if (compressed || off) {
        st->plain_len = compressed ? work + 1 : len;
        st->plain = malloc(st->plain_len);
        if (st->plain && compressed) st->z = zstream_inflate_new();
        if (!st->plain || (compressed && !st->z)) {
            b2t_release(st);
            magic_bin_deref(mb);
            BIF_ERROR(p, ATOM_system_limit);
        }
        if (compressed) {
            st->plain[0] = ETF_VERSION;
            st->phase = PH_INFLATE;
        } else {
            bits_copy(st->plain, 0, bytes, off, bits);   /* realigned, once */
            bif_charge(p, len / BIF_BYTES_PER_UNIT);
        }
    }
    uint32_t num[REF_NUMBERS];
    proc_make_ref_numbers(p, num);
    args[0] = bin;
    args[1] = magic_ref_make(&p->h, mb, num);
    return bif_trap(p, slice_export());
}

term_t bif_beamos_binary_to_term_slice_2(Process *p, term_t *args)
{
    MagicBin *mb = magic_ref_bin(args[1], b2t_destroy);
    if (!mb) BIF_ERROR(p, ATOM_badarg);
    B2tState *st = (B2tState *)mb->data;
    if (st->phase == PH_DONE) BIF_ERROR(p, ATOM_badarg);
    return b2t_slice(p, args, st);
}
