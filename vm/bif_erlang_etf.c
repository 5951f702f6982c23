/*
 * bif_erlang_etf.c — the external term format and portable hashing:
 * term_to_binary/1,2, binary_to_term/1,2, phash2/1,2.
 *
 * term_to_binary/2 options, as OTP 25 (the last of each kind wins):
 * {minor_version, 0..2} (0 = floats as FLOAT_EXT text, 2 = UTF-8 atoms),
 * deterministic (large maps' pairs in map-key order; flatmaps are in that
 * order anyway), compressed (zlib level 6) and {compressed, 0..9}: tag 80
 * with the uncompressed size and a zlib stream, kept only when it is
 * smaller, as OTP does. OTP 25 has no `local` (OTP 26 adds it): badarg.
 * binary_to_term/1,2 ignore bytes after the term (after the zlib stream,
 * when compressed), as OTP 25 does; `used` says how many were read. With
 * `safe` an atom that does not exist yet (in atoms, pid/port/ref nodes,
 * funs, exports) or an export entry that does not exist makes the decode
 * fail with badarg before anything is built, so nothing is ever created
 * (funs of code that is not loaded are made, as OTP: etf_decode_slices.c).
 * Both work in slices on large inputs (etf_slices.h).
 */
#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/bif_yield.h"
#include "vm/binary.h"
#include "vm/etf.h"
#include "vm/etf_slices.h"
#include "vm/phash.h"

term_t bif_term_to_binary_common(Process *p, term_t *args, term_t opts, bool iovec) {
    EtfOptions o = {0};
    int level = 0;
    term_t l = opts;
    for (; is_list(l); l = cons_tail(l)) {
        term_t x = cons_head(l);
        if (x == ATOM_compressed) { level = 6; continue; }
        if (x == ATOM_deterministic) { o.sort_maps_on = &p->h; continue; }
        if (is_tuple(x) && tuple_arity(x) == 2 && is_small(tuple_element(x, 2))) {
            int64_t v = small_value(tuple_element(x, 2));
            if (tuple_element(x, 1) == ATOM_compressed && v >= 0 && v <= 9) { level = (int)v; continue; }
            if (tuple_element(x, 1) == ATOM_minor_version && v >= 0 && v <= 2) {
                o.utf8_atoms = v == 2;
                o.float_text = v == 0;
                continue;
            }
        }
        BIF_ERROR(p, ATOM_badarg);
    }
    if (!is_nil(l)) BIF_ERROR(p, ATOM_badarg);
    return etf_term_to_binary_bif(p, args, args[0], &o, level, iovec);
}

term_t bif_erlang_term_to_binary_2(Process *p, term_t *args) {
    return bif_term_to_binary_common(p, args, args[1], false);
}

term_t bif_erlang_term_to_binary_1(Process *p, term_t *args) {
    return bif_term_to_binary_common(p, args, NIL, false);
}

term_t bif_erlang_binary_to_term_1(Process *p, term_t *args) {
    return etf_binary_to_term_bif(p, args, args[0], false, false);
}

term_t bif_erlang_binary_to_term_2(Process *p, term_t *args) {
    bool used = false, safe = false;
    term_t l = args[1];
    for (; is_list(l); l = cons_tail(l)) {
        if (cons_head(l) == ATOM_used) used = true;
        else if (cons_head(l) == ATOM_safe) safe = true;
        else BIF_ERROR(p, ATOM_badarg);
    }
    if (!is_nil(l)) BIF_ERROR(p, ATOM_badarg);
    return etf_binary_to_term_bif(p, args, args[0], used, safe);
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
