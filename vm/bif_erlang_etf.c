/*
 * bif_erlang_etf.c — the external term format and portable hashing:
 * term_to_binary/1,2, binary_to_term/1,2, phash2/1,2.
 *
 * term_to_binary/2 options: {minor_version, 0..2} (2 = UTF-8 atoms),
 * deterministic (our encoding is always deterministic), compressed (zlib
 * level 6) and {compressed, 0..9}: tag 80 with the uncompressed size and a
 * zlib stream, kept only when it is smaller, as OTP does.
 * binary_to_term/2 options: used, safe. With `safe` an atom that does not
 * exist yet (in atoms, pid/port/ref nodes, exports) makes the decode fail
 * with badarg before anything is built, so no atom is ever created.
 */
#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/bif_yield.h"
#include "vm/binary.h"
#include "vm/etf.h"
#include "vm/code.h"
#include "vm/export.h"
#include "vm/inflate_glue.h"
#include "vm/phash.h"

#include <stdlib.h>
#include <string.h>

/* The compressed form of the external term `ext` (131 followed by the
 * encoding): 131, 80, the encoding's size (32 bits, big-endian), then the
 * encoding deflated at `level`. OTP keeps it only when it is smaller than
 * `ext`; otherwise, or when memory runs short, `ext` is returned as it is. */
static term_t compress_ext(Process *p, term_t ext, int level) {
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

term_t bif_erlang_term_to_binary_2(Process *p, term_t *args) {
    EtfOptions o = {0};
    int level = 0;
    term_t l = args[1];
    for (; is_list(l); l = cons_tail(l)) {
        term_t x = cons_head(l);
        if (x == ATOM_compressed) { level = 6; continue; }
        if (x == ATOM_deterministic) continue;
        if (is_tuple(x) && tuple_arity(x) == 2 && is_small(tuple_element(x, 2))) {
            int64_t v = small_value(tuple_element(x, 2));
            if (tuple_element(x, 1) == ATOM_compressed && v >= 0 && v <= 9) { level = (int)v; continue; }
            if (tuple_element(x, 1) == ATOM_minor_version && v >= 0 && v <= 2) {
                o.utf8_atoms = v == 2;
                continue;
            }
        }
        BIF_ERROR(p, ATOM_badarg);
    }
    if (!is_nil(l)) BIF_ERROR(p, ATOM_badarg);
    term_t out;
    EtfError e = etf_term_to_binary(&p->h, args[0], &o, &out);
    if (e == ETF_ERR_TOO_BIG) BIF_ERROR(p, ATOM_system_limit);
    if (e != ETF_OK) BIF_ERROR(p, ATOM_badarg);
    /* Not sliced (yet): the whole encoding happens in this call, and its
     * cost is charged so the process is preempted right after. */
    bif_charge(p, bitstring_bit_size(out) / 8 / BIF_BYTES_PER_UNIT);
    return level ? compress_ext(p, out, level) : out;
}

term_t bif_erlang_term_to_binary_1(Process *p, term_t *args) {
    term_t a[2] = {args[0], NIL};
    return bif_erlang_term_to_binary_2(p, a);
}

/* EXPORT_EXT (fun M:F/A): the export entry, created if new — or, with
 * `safe`, only an existing one (OTP: no new external function refs). */
static const ErtsMFA *resolve_export(void *safe, term_t m, term_t f, uint32_t arity) {
    Export *ep = safe ? export_find(m, f, arity) : export_get(m, f, arity);
    return ep ? &ep->mfa : NULL;
}

/* NEW_FUN_EXT: the fun in the current or old code of the module whose
 * MD5 matches (loading the module first if it is not loaded, unless
 * `safe`). OTP would also make a fun for code that is nowhere; calling it
 * would raise badfun. Here decoding fails instead (badarg). */
static const FunEntry *resolve_fun(void *safe, term_t m, uint32_t index, const uint8_t uniq[16],
                                   uint32_t arity, uint32_t num_free) {
    if (!code_is_loaded(m) && !safe) code_autoload(m);
    const ModuleCode *versions[2] = {code_module_current(m), code_module_old(m)};
    for (int v = 0; v < 2; v++) {
        const ModuleCode *mc = versions[v];
        if (!mc || memcmp(mc->md5, uniq, 16) != 0) continue;
        for (uint32_t i = 0; i < mc->fun_count; i++) {
            const FunEntry *fe = &mc->funs[i].fe;
            if (fe->index == index && fe->arity == arity && fe->num_free == num_free) return fe;
        }
    }
    return NULL;
}

static term_t decode(Process *p, term_t bin, bool used, bool safe) {
    if (!is_binary(bin)) BIF_ERROR(p, ATOM_badarg);
    const uint8_t *bytes;
    size_t off, bits;
    bitstring_get(bin, &bytes, &off, &bits);
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
    EtfOptions o = {0};
    o.existing_atoms_only = safe;
    o.resolve_export = resolve_export;
    o.resolve_fun = resolve_fun;
    o.resolve_arg = safe ? (void *)1 : NULL;
    EtfError e = used ? etf_decode_prefix(&p->h, bytes, len, &o, &t, &n_used)
                      : etf_decode(&p->h, bytes, len, &o, &t);
    free(tmp);
    if (e != ETF_OK) BIF_ERROR(p, ATOM_badarg);
    bif_charge(p, n_used / BIF_BYTES_PER_UNIT);      /* not sliced (yet), like term_to_binary */
    if (!used) return t;
    term_t *hp = heap_alloc(&p->h, tuple_words(2));
    term_t r = make_tuple_header(hp, 2);
    hp[1] = t;
    hp[2] = bif_make_uint64(&p->h, n_used);
    return r;
}

term_t bif_erlang_binary_to_term_1(Process *p, term_t *args) { return decode(p, args[0], false, false); }

term_t bif_erlang_binary_to_term_2(Process *p, term_t *args) {
    bool used = false, safe = false;
    term_t l = args[1];
    for (; is_list(l); l = cons_tail(l)) {
        if (cons_head(l) == ATOM_used) used = true;
        else if (cons_head(l) == ATOM_safe) safe = true;
        else BIF_ERROR(p, ATOM_badarg);
    }
    if (!is_nil(l)) BIF_ERROR(p, ATOM_badarg);
    return decode(p, args[0], used, safe);
}

term_t bif_erlang_phash2_1(Process *p, term_t *args) {
    (void)p;
    return make_small(phash2(args[0]));
}

/* phash2(Term, Range): 1 =< Range =< 2^32. */
term_t bif_erlang_phash2_2(Process *p, term_t *args) {
    term_t r = args[1];
    uint64_t range;
    if (is_small(r) && small_value(r) >= 1 && small_value(r) <= ((int64_t)1 << 32)) range = (uint64_t)small_value(r);
    else BIF_ERROR(p, ATOM_badarg);
    return make_small(phash2_range(args[0], range));
}
