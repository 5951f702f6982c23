/*
 * bif_binary_match.c — binary:compile_pattern/1, match/2,3, matches/2,3,
 * split/2,3.
 *
 * Semantics (OTP's): a pattern is a non-empty binary or a non-empty list
 * of non-empty binaries. A search finds the leftmost match and, among
 * patterns matching there, the longest; matches/split continue after the
 * end of the previous match (non-overlapping). {scope, {Start, Length}}
 * (Length may be negative, the last scope option wins) limits where
 * matches may lie; reported positions and split parts are always relative
 * to the whole subject.
 *
 * compile_pattern returns {bm, Binary} for one pattern and
 * {ac, {Binary, ...}} for several. OTP returns {bm | ac, MagicRef}; the
 * term is opaque, so only its shape differs, and match/matches/split
 * accept both this form and the plain pattern. The search is a plain scan
 * (O(subject x patterns x pattern length)), not Boyer-Moore/Aho-Corasick.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bif_binary.h"
#include "vm/bif_util.h"
#include "vm/binary.h"

typedef struct {
    const uint8_t *bytes;
    size_t len;
    uint8_t *owned;
} Pat;

typedef struct {
    Pat *v;
    size_t n;
} Pats;

static void pats_free(Pats *ps) {
    for (size_t i = 0; i < ps->n; i++) free(ps->v[i].owned);
    free(ps->v);
    ps->v = NULL;
    ps->n = 0;
}

static bool pat_add(Pats *ps, term_t b, size_t cap) {
    if (!is_binary(b) || bitstring_bit_size(b) == 0 || ps->n >= cap) return false;
    Pat *x = &ps->v[ps->n++];
    x->bytes = binbif_bytes(b, &x->len, &x->owned);
    return true;
}

/* Parses a pattern (binary, list of binaries, or a compiled pattern);
 * false (badarg) if malformed. */
static bool pats_parse(term_t t, Pats *ps) {
    ps->v = NULL;
    ps->n = 0;
    size_t cap;
    if (is_tuple(t) && tuple_arity(t) == 2 && tuple_element(t, 1) == ATOM_bm) {
        t = tuple_element(t, 2);
        if (!is_binary(t)) return false;
    } else if (is_tuple(t) && tuple_arity(t) == 2 && tuple_element(t, 1) == ATOM_ac) {
        term_t tup = tuple_element(t, 2);
        if (!is_tuple(tup) || tuple_arity(tup) == 0) return false;
        cap = tuple_arity(tup);
        ps->v = malloc(cap * sizeof *ps->v);
        if (!ps->v) abort();
        for (size_t i = 1; i <= cap; i++)
            if (!pat_add(ps, tuple_element(tup, i), cap)) return pats_free(ps), false;
        return true;
    }
    if (is_binary(t)) {
        ps->v = malloc(sizeof *ps->v);
        if (!ps->v) abort();
        if (!pat_add(ps, t, 1)) return pats_free(ps), false;
        return true;
    }
    long n = bif_list_length(t);
    if (n <= 0) return false;
    cap = (size_t)n;
    ps->v = malloc(cap * sizeof *ps->v);
    if (!ps->v) abort();
    for (term_t l = t; is_list(l); l = cons_tail(l))
        if (!pat_add(ps, cons_head(l), cap)) return pats_free(ps), false;
    return true;
}

/* Leftmost-longest match within [from, to) of s; false if none. */
static bool find(const uint8_t *s, size_t from, size_t to, const Pats *ps, size_t *at, size_t *len) {
    for (size_t i = from; i < to; i++) {
        size_t best = 0;
        for (size_t k = 0; k < ps->n; k++) {
            const Pat *x = &ps->v[k];
            if (x->len > best && x->len <= to - i && memcmp(s + i, x->bytes, x->len) == 0) best = x->len;
        }
        if (best) {
            *at = i;
            *len = best;
            return true;
        }
    }
    return false;
}

enum { OPT_GLOBAL = 1, OPT_TRIM = 2, OPT_TRIM_ALL = 4 };

/* Options: {scope, {S, L}} always; global/trim/trim_all when split.
 * The scope becomes [*from, *to). OTP walks the list while it is a cons
 * (an improper tail after valid options is ignored). */
static bool opts_parse(term_t opts, term_t subject, bool split, size_t *from, size_t *to, unsigned *flags) {
    *from = 0;
    *to = bitstring_bit_size(subject) / 8;
    *flags = 0;
    if (!is_list(opts) && !is_nil(opts)) return false;
    for (; is_list(opts); opts = cons_tail(opts)) {
        term_t o = cons_head(opts);
        if (is_tuple(o) && tuple_arity(o) == 2 && tuple_element(o, 1) == ATOM_scope) {
            term_t sc = tuple_element(o, 2);
            size_t f, n;
            if (!is_tuple(sc) || tuple_arity(sc) != 2 ||
                !bif_part_bounds(subject, tuple_element(sc, 1), tuple_element(sc, 2), &f, &n))
                return false;
            *from = f;
            *to = f + n;
        } else if (split && o == ATOM_global) {
            *flags |= OPT_GLOBAL;
        } else if (split && o == ATOM_trim) {
            *flags |= OPT_TRIM;
        } else if (split && o == ATOM_trim_all) {
            *flags |= OPT_TRIM_ALL;
        } else {
            return false;
        }
    }
    return true;
}

static term_t pos_len(Process *p, size_t at, size_t len) {
    term_t *hp = heap_alloc(&p->h, tuple_words(2));
    term_t t = make_tuple_header(hp, 2);
    hp[1] = bif_make_uint64(&p->h, at);
    hp[2] = bif_make_uint64(&p->h, len);
    return t;
}

term_t bif_binary_compile_pattern_1(Process *p, term_t *args) {
    Pats ps;
    if (!pats_parse(args[0], &ps)) BIF_ERROR(p, ATOM_badarg);
    size_t n = ps.n;
    pats_free(&ps);
    term_t t = args[0];
    if (is_tuple(t)) return t; /* already compiled */
    term_t body;
    if (is_binary(t)) {
        body = t;
    } else if (n == 1) {
        body = cons_head(t);
    } else {
        term_t *hp = heap_alloc(&p->h, tuple_words(n));
        body = make_tuple_header(hp, n);
        size_t i = 1;
        for (term_t l = t; is_list(l); l = cons_tail(l)) hp[i++] = cons_head(l);
    }
    term_t *hp = heap_alloc(&p->h, tuple_words(2));
    term_t r = make_tuple_header(hp, 2);
    hp[1] = n == 1 ? ATOM_bm : ATOM_ac;
    hp[2] = body;
    return r;
}

/* Shared front end: checks subject, pattern and options. */
static bool prepare(term_t subj, term_t pat, term_t opts, bool split, Pats *ps, const uint8_t **s,
                    uint8_t **owned, size_t *from, size_t *to, unsigned *flags) {
    if (!is_binary(subj)) return false;
    if (!pats_parse(pat, ps)) return false;
    if (!opts_parse(opts, subj, split, from, to, flags)) return pats_free(ps), false;
    size_t len;
    *s = binbif_bytes(subj, &len, owned);
    return true;
}

static term_t match(Process *p, term_t subj, term_t pat, term_t opts) {
    Pats ps;
    const uint8_t *s;
    uint8_t *owned;
    size_t from, to, at, len;
    unsigned flags;
    if (!prepare(subj, pat, opts, false, &ps, &s, &owned, &from, &to, &flags)) BIF_ERROR(p, ATOM_badarg);
    bool found = find(s, from, to, &ps, &at, &len);
    pats_free(&ps);
    free(owned);
    return found ? pos_len(p, at, len) : ATOM_nomatch;
}

term_t bif_binary_match_2(Process *p, term_t *args) { return match(p, args[0], args[1], NIL); }
term_t bif_binary_match_3(Process *p, term_t *args) { return match(p, args[0], args[1], args[2]); }

/* All non-overlapping matches in [from, to), appended to arrays at/len
 * (malloc'ed, *n entries); at most `max` of them. */
static size_t find_all(const uint8_t *s, size_t from, size_t to, const Pats *ps, size_t max, size_t **at,
                       size_t **len) {
    size_t n = 0, cap = 8;
    *at = malloc(cap * sizeof **at);
    *len = malloc(cap * sizeof **len);
    if (!*at || !*len) abort();
    size_t a, l;
    while (n < max && find(s, from, to, ps, &a, &l)) {
        if (n == cap) {
            cap *= 2;
            *at = realloc(*at, cap * sizeof **at);
            *len = realloc(*len, cap * sizeof **len);
            if (!*at || !*len) abort();
        }
        (*at)[n] = a;
        (*len)[n] = l;
        n++;
        from = a + l;
    }
    return n;
}

static term_t matches(Process *p, term_t subj, term_t pat, term_t opts) {
    Pats ps;
    const uint8_t *s;
    uint8_t *owned;
    size_t from, to, *at, *len;
    unsigned flags;
    if (!prepare(subj, pat, opts, false, &ps, &s, &owned, &from, &to, &flags)) BIF_ERROR(p, ATOM_badarg);
    size_t n = find_all(s, from, to, &ps, (size_t)-1, &at, &len);
    pats_free(&ps);
    free(owned);
    term_t r = NIL;
    for (size_t i = n; i-- > 0;) r = make_cons(heap_alloc(&p->h, 2), pos_len(p, at[i], len[i]), r);
    free(at);
    free(len);
    return r;
}

term_t bif_binary_matches_2(Process *p, term_t *args) { return matches(p, args[0], args[1], NIL); }
term_t bif_binary_matches_3(Process *p, term_t *args) { return matches(p, args[0], args[1], args[2]); }

static term_t split(Process *p, term_t subj, term_t pat, term_t opts) {
    Pats ps;
    const uint8_t *s;
    uint8_t *owned;
    size_t from, to, *at, *len;
    unsigned flags;
    if (!prepare(subj, pat, opts, true, &ps, &s, &owned, &from, &to, &flags)) BIF_ERROR(p, ATOM_badarg);
    size_t n = find_all(s, from, to, &ps, flags & OPT_GLOBAL ? (size_t)-1 : 1, &at, &len);
    pats_free(&ps);
    free(owned);
    /* parts: [0, at0), [at0+len0, at1), ..., [at_{n-1}+len_{n-1}, size) */
    size_t size = bitstring_bit_size(subj) / 8, parts = n + 1;
    size_t *ps_start = malloc(parts * sizeof *ps_start), *ps_len = malloc(parts * sizeof *ps_len);
    if (!ps_start || !ps_len) abort();
    size_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        ps_start[i] = prev;
        ps_len[i] = at[i] - prev;
        prev = at[i] + len[i];
    }
    ps_start[n] = prev;
    ps_len[n] = size - prev;
    free(at);
    free(len);
    size_t last = parts; /* parts [0, last) are kept */
    if (flags & (OPT_TRIM | OPT_TRIM_ALL))
        while (last > 0 && ps_len[last - 1] == 0) last--;
    term_t r = NIL;
    for (size_t i = last; i-- > 0;) {
        if ((flags & OPT_TRIM_ALL) && ps_len[i] == 0) continue;
        r = make_cons(heap_alloc(&p->h, 2), bif_binary_window(p, subj, ps_start[i], ps_len[i]), r);
    }
    free(ps_start);
    free(ps_len);
    return r;
}

term_t bif_binary_split_2(Process *p, term_t *args) { return split(p, args[0], args[1], NIL); }
term_t bif_binary_split_3(Process *p, term_t *args) { return split(p, args[0], args[1], args[2]); }
