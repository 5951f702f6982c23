/*
 * bif_erlang_etf.c — the external term format and portable hashing:
 * term_to_binary/1,2, binary_to_term/1,2, phash2/1,2.
 *
 * term_to_binary/2 options: {minor_version, 0..2} (2 = UTF-8 atoms),
 * deterministic (our encoding is always deterministic), compressed and
 * {compressed, 0..9}: accepted, output left uncompressed — OTP itself
 * returns the uncompressed form whenever compression does not pay, so the
 * result is valid and decodes to the same term; only the size differs.
 * binary_to_term/2 options: used, safe. `safe` is checked after decoding
 * (badarg if the decode created atoms); unlike OTP the new atoms were
 * interned already — the atom table is not protected yet.
 */
#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/binary.h"
#include "vm/etf.h"
#include "vm/phash.h"

#include <stdlib.h>

term_t bif_erlang_term_to_binary_2(Process *p, term_t *args) {
    EtfOptions o = {0};
    term_t l = args[1];
    for (; is_list(l); l = cons_tail(l)) {
        term_t x = cons_head(l);
        if (x == ATOM_compressed || x == ATOM_deterministic) continue;
        if (is_tuple(x) && tuple_arity(x) == 2 && is_small(tuple_element(x, 2))) {
            int64_t v = small_value(tuple_element(x, 2));
            if (tuple_element(x, 1) == ATOM_compressed && v >= 0 && v <= 9) continue;
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
    return out;
}

term_t bif_erlang_term_to_binary_1(Process *p, term_t *args) {
    term_t a[2] = {args[0], NIL};
    return bif_erlang_term_to_binary_2(p, a);
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
    size_t atoms_before = atom_count(), n_used = len;
    term_t t;
    EtfError e = used ? etf_decode_prefix(&p->h, bytes, len, NULL, &t, &n_used)
                      : etf_decode(&p->h, bytes, len, NULL, &t);
    free(tmp);
    if (e != ETF_OK || (safe && atom_count() != atoms_before)) BIF_ERROR(p, ATOM_badarg);
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
