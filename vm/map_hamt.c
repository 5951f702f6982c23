/*
 * map_hamt.c — large maps as a hash array mapped trie (layout and
 * invariants in map_hamt.h). Updates copy the path from the head to the
 * changed entry; untouched subtrees are shared.
 */
#include "vm/map_hamt.h"

#include <stdlib.h>

#include "vm/map_hash.h"
#include "vm/term_compare.h"

/* The hash a key is placed by at `depth`: for levels 0..7 the key's
 * hash, for levels 8r..8r+7 the hash of the cons [r | Key] (OTP 25's
 * rehash; the cell is only read, so it may live on the C stack). */
static uint32_t rehash(term_t key, unsigned round) {
    term_t cell[2] = {make_small((int64_t)round), key};
    return map_hash(make_list(cell), 0);
}
static inline uint32_t hash_at(term_t key, unsigned depth) {
    return depth < 8 ? map_hash(key, 0) : rehash(key, depth / 8);
}
/* The hash for depth + 1, given h for depth. */
static inline uint32_t hash_next(uint32_t h, term_t key, unsigned depth) {
    return (depth + 1) % 8 ? h : rehash(key, (depth + 1) / 8);
}
static inline unsigned nibble(uint32_t h, unsigned depth) { return (h >> (4 * (depth % 8))) & 0xF; }
static inline bool is_head(const term_t *n) { return ((n[0] >> 6) & 3) == MAP_KIND_HAMT_HEAD_BITMAP; }
/* Words before the entries (header, [size], bitmap). */
static inline unsigned prefix(const term_t *n) { return is_head(n) ? 3 : 2; }
static inline uint32_t node_bitmap(const term_t *n) { return (uint32_t)small_value(n[prefix(n) - 1]); }
static inline unsigned node_count(const term_t *n) { return (unsigned)map_header_val(n[0]) - (prefix(n) - 1); }
static inline term_t *node_entries(term_t *n) { return n + prefix(n); }
/* Bit count by halves (SWAR), inline: __builtin_popcount becomes a libgcc
 * call on the baseline x86-64 target, which has no popcnt instruction. */
static inline unsigned popcount(uint32_t x) {
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0Fu;
    return (x * 0x01010101u) >> 24;
}

static term_t *new_node(Heap *h, bool head, uint32_t bitmap, unsigned k, size_t size) {
    unsigned pre = head ? 3 : 2;
    term_t *n = heap_alloc(h, pre + k);
    n[0] = make_map_header(head ? MAP_KIND_HAMT_HEAD_BITMAP : MAP_KIND_HAMT_NODE_BITMAP, pre - 1 + k);
    if (head) n[1] = make_small((int64_t)size);
    n[pre - 1] = make_small(bitmap);
    return n;
}

static term_t leaf(Heap *h, term_t k, term_t v) { return make_cons(heap_alloc(h, 2), k, v); }

size_t hamt_size(term_t m) { return (size_t)small_value(boxed_val(m)[1]); }

term_t hamt_get(term_t m, term_t key) {
    uint32_t hv = map_hash(key, 0); /* shifted down 4 bits a level */
    term_t *n = boxed_val(m);
    for (unsigned depth = 0;; depth++) {
        uint32_t bm = node_bitmap(n);
        term_t *e = node_entries(n);
        if (bm == HAMT_COLLISION) {
            for (unsigned i = 0; i < node_count(n); i++)
                if (term_eq_exact(cons_head(e[i]), key)) return cons_tail(e[i]);
            return THE_NON_VALUE;
        }
        unsigned bit = hv & 0xF;
        if (!(bm & (1u << bit))) return THE_NON_VALUE;
        term_t x = e[popcount(bm & ((1u << bit) - 1))];
        if (is_list(x)) return term_eq_exact(cons_head(x), key) ? cons_tail(x) : THE_NON_VALUE;
        n = boxed_val(x);
        hv = (depth + 1) % 8 ? hv >> 4 : rehash(key, (depth + 1) / 8);
    }
}

/* A subtree holding leaves a and b (different keys) from `depth` on. */
static term_t two_leaves(Heap *h, term_t a, uint32_t ha, term_t b, uint32_t hb, unsigned depth) {
    if (depth >= HAMT_MAX_DEPTH) {
        term_t *n = new_node(h, false, HAMT_COLLISION, 2, 0);
        bool ab = term_compare_exact(cons_head(a), cons_head(b)) < 0;
        n[2] = ab ? a : b;
        n[3] = ab ? b : a;
        return make_boxed(n);
    }
    unsigned na = nibble(ha, depth), nb = nibble(hb, depth);
    if (na == nb) {
        term_t *n = new_node(h, false, 1u << na, 1, 0);
        ha = hash_next(ha, cons_head(a), depth);
        hb = hash_next(hb, cons_head(b), depth);
        n[2] = two_leaves(h, a, ha, b, hb, depth + 1);
        return make_boxed(n);
    }
    term_t *n = new_node(h, false, (1u << na) | (1u << nb), 2, 0);
    n[2] = na < nb ? a : b;
    n[3] = na < nb ? b : a;
    return make_boxed(n);
}

/* Copy of node n (with `size` if a head) where entry slot i is replaced
 * (replace), inserted (insert, bit `bit`) or removed. */
static term_t *node_edit(Heap *h, const term_t *n, size_t size, unsigned i, term_t x, int op, unsigned bit) {
    uint32_t bm = node_bitmap(n);
    unsigned k = node_count(n);
    const term_t *e = n + prefix(n);
    unsigned nk = op > 0 ? k + 1 : op < 0 ? k - 1 : k;
    uint32_t nbm = bm == HAMT_COLLISION ? bm : op > 0 ? bm | (1u << bit) : op < 0 ? bm & ~(1u << bit) : bm;
    term_t *r = new_node(h, is_head(n), nbm, nk, size);
    term_t *re = r + prefix(r);
    unsigned o = 0;
    for (unsigned j = 0; j < k; j++) {
        if (j == i) {
            if (op > 0) {
                re[o++] = x;
                re[o++] = e[j];
            } else if (op == 0) {
                re[o++] = x;
            }
            continue;
        }
        re[o++] = e[j];
    }
    if (op > 0 && i == k) re[o++] = x;
    return r;
}

/* Insert into subtree node n at depth; *grew set if the key was new. */
static term_t put_rec(Heap *h, term_t *n, size_t size, term_t key, term_t value, uint32_t hv, unsigned depth,
                      bool *grew) {
    uint32_t bm = node_bitmap(n);
    term_t *e = node_entries(n);
    if (bm == HAMT_COLLISION) {
        unsigned k = node_count(n), at = k;
        for (unsigned i = 0; i < k; i++) {
            int c = term_compare_exact(cons_head(e[i]), key);
            if (c == 0) {
                if (cons_tail(e[i]) == value) return make_boxed(n);
                return make_boxed(node_edit(h, n, size, i, leaf(h, key, value), 0, 0));
            }
            if (c > 0 && at == k) at = i;
        }
        *grew = true;
        return make_boxed(node_edit(h, n, size, at, leaf(h, key, value), 1, 0));
    }
    unsigned bit = nibble(hv, depth), i = popcount(bm & ((1u << bit) - 1));
    if (!(bm & (1u << bit))) {
        *grew = true;
        return make_boxed(node_edit(h, n, size + 1, i, leaf(h, key, value), 1, bit));
    }
    term_t x = e[i], nx;
    if (is_list(x)) {
        if (term_eq_exact(cons_head(x), key)) {
            if (cons_tail(x) == value) return make_boxed(n);
            nx = leaf(h, key, value);
        } else {
            *grew = true;
            nx = two_leaves(h, x, hash_at(cons_head(x), depth + 1), leaf(h, key, value),
                            hash_next(hv, key, depth), depth + 1);
        }
    } else {
        nx = put_rec(h, boxed_val(x), 0, key, value, hash_next(hv, key, depth), depth + 1, grew);
        if (nx == x) return make_boxed(n);
    }
    return make_boxed(node_edit(h, n, size + (*grew ? 1 : 0), i, nx, 0, 0));
}

term_t hamt_put(Heap *h, term_t m, term_t key, term_t value) {
    bool grew = false;
    return put_rec(h, boxed_val(m), hamt_size(m), key, value, hash_at(key, 0), 0, &grew);
}

#define REMOVED_EMPTY ((term_t)1) /* subtree became empty (never a term: tag 01 with address 0) */

/* Remove from subtree n: THE_NON_VALUE if the key is absent, else the new
 * entry (a node, a collapsed leaf, or REMOVED_EMPTY). */
static term_t remove_rec(Heap *h, term_t *n, size_t size, term_t key, uint32_t hv, unsigned depth) {
    uint32_t bm = node_bitmap(n);
    term_t *e = node_entries(n);
    unsigned k = node_count(n);
    if (bm == HAMT_COLLISION) {
        for (unsigned i = 0; i < k; i++) {
            if (!term_eq_exact(cons_head(e[i]), key)) continue;
            if (k == 2) return e[1 - i];
            return make_boxed(node_edit(h, n, 0, i, 0, -1, 0));
        }
        return THE_NON_VALUE;
    }
    unsigned bit = nibble(hv, depth), i = popcount(bm & ((1u << bit) - 1));
    if (!(bm & (1u << bit))) return THE_NON_VALUE;
    term_t x = e[i], nx;
    if (is_list(x)) {
        if (!term_eq_exact(cons_head(x), key)) return THE_NON_VALUE;
        nx = REMOVED_EMPTY;
    } else {
        nx = remove_rec(h, boxed_val(x), 0, key, hash_next(hv, key, depth), depth + 1);
        if (nx == THE_NON_VALUE) return nx;
    }
    bool head = is_head(n);
    if (nx == REMOVED_EMPTY) {
        if (!head && k == 1) return REMOVED_EMPTY;
        /* an inner node left with one leaf collapses into its parent */
        if (!head && k == 2 && is_list(e[1 - i])) return e[1 - i];
        return make_boxed(node_edit(h, n, size - 1, i, 0, -1, bit));
    }
    if (!head && k == 1 && is_list(nx)) return nx;
    return make_boxed(node_edit(h, n, head ? size - 1 : 0, i, nx, 0, 0));
}

term_t hamt_remove(Heap *h, term_t m, term_t key) {
    size_t size = hamt_size(m);
    term_t r = remove_rec(h, boxed_val(m), size, key, hash_at(key, 0), 0);
    if (r == THE_NON_VALUE) return m;
    if (size - 1 > MAP_FLAT_MAX) return r;
    /* back to a flatmap (sorted by map_from_pairs) */
    term_t ks[MAP_FLAT_MAX], vs[MAP_FLAT_MAX];
    size_t n = 0;
    MapIter it;
    hamt_iter_init(&it, r);
    while (n < MAP_FLAT_MAX && hamt_iter_next(&it, &ks[n], &vs[n])) n++;
    return map_from_pairs(h, ks, vs, n);
}

size_t hamt_put_need(term_t m) {
    (void)m;
    /* path of at most HAMT_MAX_DEPTH + 1 nodes of up to 19 words, a leaf,
     * and a new chain of up to HAMT_MAX_DEPTH nodes of 4 words with a
     * 4-word collision node; a collision node's copy is bounded by the
     * keys sharing all 128 hash bits (few). */
    return (HAMT_MAX_DEPTH + 1) * 19 + 2 + HAMT_MAX_DEPTH * 4 + 4 + 64;
}

/* ---- bulk build ---- */

typedef struct {
    uint32_t order; /* the hash for the current salt, nibbles reversed */
    size_t idx;     /* position in the input: among duplicates the last wins */
    term_t key, value;
} Pair;

/* Nibbles reversed, so that numeric order is trie order: level 0's nibble
 * (the low one) becomes the most significant. */
static uint32_t nibble_rev(uint32_t h) {
    uint32_t r = 0;
    for (int i = 0; i < 8; i++) r = (r << 4) | ((h >> (4 * i)) & 0xF);
    return r;
}

static int pair_cmp(const void *a, const void *b) {
    const Pair *x = a, *y = b;
    if (x->order != y->order) return x->order < y->order ? -1 : 1;
    int c = term_compare_exact(x->key, y->key);
    if (c) return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Subtree of the n (>= 1, unique) pairs p, sorted by trie order, whose
 * hashes agree on every level above depth. */
static term_t build(Heap *h, Pair *p, size_t n, unsigned depth, bool head, size_t total) {
    if (n == 1 && !head) return leaf(h, p[0].key, p[0].value);
    if (depth >= HAMT_MAX_DEPTH) {
        term_t *node = new_node(h, false, HAMT_COLLISION, (unsigned)n, 0);
        for (size_t i = 0; i < n; i++) node[2 + i] = leaf(h, p[i].key, p[i].value);
        return make_boxed(node);
    }
    if (depth > 0 && depth % 8 == 0) {
        /* the previous 32 bits are all equal: rehash with the next salt */
        for (size_t i = 0; i < n; i++) p[i].order = nibble_rev(hash_at(p[i].key, depth));
        qsort(p, n, sizeof *p, pair_cmp);
    }
    unsigned shift = 28 - 4 * (depth % 8);
    uint32_t bm = 0;
    for (size_t i = 0; i < n; i++) bm |= 1u << ((p[i].order >> shift) & 0xF);
    unsigned k = popcount(bm);
    term_t *node = new_node(h, head, bm, k, total);
    term_t *e = node + (head ? 3 : 2);
    size_t i = 0;
    for (unsigned j = 0; j < k; j++) {
        unsigned nb = (p[i].order >> shift) & 0xF;
        size_t s = i;
        while (i < n && ((p[i].order >> shift) & 0xF) == nb) i++;
        e[j] = build(h, p + s, i - s, depth + 1, false, 0);
    }
    return make_boxed(node);
}

term_t hamt_from_pairs(Heap *h, const term_t *keys, const term_t *values, size_t n) {
    Pair *p = malloc((n ? n : 1) * sizeof *p);
    if (!p) return THE_NON_VALUE;
    for (size_t i = 0; i < n; i++) p[i] = (Pair){nibble_rev(hash_at(keys[i], 0)), i, keys[i], values[i]};
    qsort(p, n, sizeof *p, pair_cmp);
    /* keep the last of each run of equal keys */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && p[i + 1].order == p[i].order && term_eq_exact(p[i + 1].key, p[i].key)) continue;
        p[m++] = p[i];
    }
    term_t r;
    if (m <= MAP_FLAT_MAX) {
        term_t ks[MAP_FLAT_MAX], vs[MAP_FLAT_MAX];
        for (size_t i = 0; i < m; i++) {
            ks[i] = p[i].key;
            vs[i] = p[i].value;
        }
        r = map_from_pairs(h, ks, vs, m);
    } else {
        r = build(h, p, m, 0, true, m);
    }
    free(p);
    return r;
}

/* ---- iteration ---- */

const term_t *hamt_node_entries(term_t node, unsigned *count) {
    term_t *n = boxed_val(node);
    *count = node_count(n);
    return node_entries(n);
}

void hamt_iter_init(MapIter *it, term_t m) {
    it->map = m;
    it->i = 0;
    term_t *n = boxed_val(m);
    it->depth = 1;
    it->node[0] = node_entries(n);
    it->left[0] = node_count(n);
}

bool hamt_iter_next(MapIter *it, term_t *key, term_t *value) {
    while (it->depth) {
        unsigned d = it->depth - 1;
        if (!it->left[d]) {
            it->depth--;
            continue;
        }
        term_t x = *it->node[d]++;
        it->left[d]--;
        if (is_list(x)) {
            *key = cons_head(x);
            *value = cons_tail(x);
            it->i++;
            return true;
        }
        term_t *n = boxed_val(x);
        it->node[it->depth] = node_entries(n);
        it->left[it->depth] = node_count(n);
        it->depth++;
    }
    return false;
}
