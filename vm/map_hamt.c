/*
 * map_hamt.c — large maps as a hash array mapped trie (layout and
 * invariants in map_hamt.h). Updates copy the path from the head to the
 * changed entry; untouched subtrees are shared.
 */
#include "vm/map_hamt.h"

#include <stdlib.h>
#include <string.h>

#include "vm/map_hash.h"
#include "vm/term_compare.h"

/* The 32-bit hash that places key on levels 8r .. 8r+7: round 0 is the
 * key's own hash, round r the hash of the cons [r | Key] (OTP 25's
 * rehash; the cell is only read, so it may live on the C stack). */
static uint32_t round_hash(term_t key, unsigned round) {
    if (round == 0) return map_hash(key, 0);
    term_t cell[2] = {make_small((int64_t)round), key};
    return map_hash_term(make_list(cell), 0);
}
static inline uint32_t hash_at(term_t key, unsigned depth) { return round_hash(key, depth / 8); }
static inline unsigned nibble(uint32_t h, unsigned depth) { return (h >> (4 * (depth % 8))) & 0xF; }
static inline bool is_head(const term_t *n) { return ((n[0] >> 6) & 3) == MAP_KIND_HAMT_HEAD_BITMAP; }
/* Words before the entries (header, [size], bitmap). */
static inline unsigned prefix(const term_t *n) { return is_head(n) ? 3 : 2; }
static inline uint32_t node_bitmap(const term_t *n) { return (uint32_t)small_value(n[prefix(n) - 1]); }
static inline unsigned node_count(const term_t *n) { return (unsigned)map_header_val(n[0]) - (prefix(n) - 1); }
static inline unsigned node_words(const term_t *n) { return 1 + (unsigned)map_header_val(n[0]); }
static inline term_t *node_entries(term_t *n) { return n + prefix(n); }
/* Bit count of a 16-bit bitmap by halves (SWAR), inline:
 * __builtin_popcount becomes a libgcc call on the baseline x86-64
 * target, which has no popcnt instruction. */
static inline unsigned popcount16(uint32_t x) {
    x = x - ((x >> 1) & 0x5555u);
    x = (x & 0x3333u) + ((x >> 2) & 0x3333u);
    x = (x + (x >> 4)) & 0x0F0Fu;
    return (x + (x >> 8)) & 0x1Fu;
}
/* Key a =:= key. Two immediates are equal only if they are the same
 * word, so the common keys (smalls, atoms) never call the comparison. */
static inline bool key_eq(term_t a, term_t key) {
    return a == key || (!is_immed(key) && term_compare_exact(a, key) == 0);
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

/* Iterative: the head, then inner nodes (bitmap at word 1), one nibble of
 * the key's hash a level, shifted down as we go; a new round's hash only
 * every 8 levels (keys equal in all 32 bits of the previous one). */
term_t hamt_get(term_t m, term_t key) {
    uint32_t hv = map_hash(key, 0);
    const term_t *n = boxed_val(m);
    uint32_t bm = (uint32_t)small_value(n[2]);
    const term_t *e = n + 3;
    for (unsigned depth = 0;;) {
        if (__builtin_expect(bm == HAMT_COLLISION, 0)) {
            for (unsigned i = 0, k = node_count(n); i < k; i++)
                if (key_eq(cons_head(e[i]), key)) return cons_tail(e[i]);
            return THE_NON_VALUE;
        }
        uint32_t bit = 1u << (hv & 0xF);
        if (!(bm & bit)) return THE_NON_VALUE;
        term_t x = e[popcount16(bm & (bit - 1))];
        if (is_list(x)) {
            const term_t *c = list_val(x);
            return key_eq(c[0], key) ? c[1] : THE_NON_VALUE;
        }
        n = boxed_val(x);
        bm = (uint32_t)small_value(n[1]);
        e = n + 2;
        if (++depth % 8) hv >>= 4;
        else hv = round_hash(key, depth / 8);
    }
}

/* ---- put ----
 * One walk from the head records the path; then one allocation of the
 * exact size holds the new leaf, any new chain of nodes below it, and
 * the copies of the path's nodes, built bottom up. */

enum { PUT_REPLACE, PUT_INSERT, PUT_SPLIT };

term_t hamt_put(Heap *h, term_t m, term_t key, term_t value) {
    const term_t *path[HAMT_MAX_DEPTH + 1];
    unsigned slot[HAMT_MAX_DEPTH + 1];
    uint32_t hv = map_hash(key, 0); /* this round's hash, unshifted */
    const term_t *n = boxed_val(m);
    unsigned pre = 3, depth = 0, i, bit = 0, op;
    term_t old = 0;
    for (;;) {
        uint32_t bm = (uint32_t)small_value(n[pre - 1]);
        const term_t *e = n + pre;
        path[depth] = n;
        if (bm == HAMT_COLLISION) { /* sorted in map-key order */
            unsigned k = node_count(n);
            op = PUT_INSERT;
            for (i = 0; i < k; i++) {
                int c = term_compare_exact(cons_head(e[i]), key);
                if (c == 0) op = PUT_REPLACE;
                if (c >= 0) break;
            }
            if (op == PUT_REPLACE && cons_tail(e[i]) == value) return m;
            break;
        }
        bit = nibble(hv, depth);
        i = popcount16(bm & ((1u << bit) - 1));
        if (!(bm & (1u << bit))) {
            op = PUT_INSERT;
            break;
        }
        term_t x = e[i];
        if (is_list(x)) {
            if (key_eq(cons_head(x), key)) {
                if (cons_tail(x) == value) return m;
                op = PUT_REPLACE;
            } else {
                op = PUT_SPLIT;
                old = x;
            }
            break;
        }
        slot[depth] = i;
        n = boxed_val(x);
        pre = 2;
        if (++depth % 8 == 0) hv = round_hash(key, depth / 8);
    }
    slot[depth] = i;

    /* A split: the old leaf and the new one share `chain` more nibbles
     * (one-entry nodes), then part in a two-entry node at level d, or
     * meet in a collision node past the last level. */
    unsigned chain = 0, d = depth + 1, na = 0, nb = 0;
    uint8_t nib[HAMT_MAX_DEPTH];
    if (op == PUT_SPLIT) {
        term_t okey = cons_head(old);
        uint32_t ha = hash_at(okey, d), hb = d % 8 ? hv : round_hash(key, d / 8);
        while (d < HAMT_MAX_DEPTH && (na = nibble(ha, d)) == (nb = nibble(hb, d))) {
            nib[chain++] = (uint8_t)na;
            if (++d % 8 == 0 && d < HAMT_MAX_DEPTH) {
                ha = round_hash(okey, d / 8);
                hb = round_hash(key, d / 8);
            }
        }
    }

    size_t words = 2 + (op == PUT_SPLIT ? 3 * chain + 4 : 0) + (op == PUT_INSERT);
    for (unsigned l = 0; l <= depth; l++) words += node_words(path[l]);
    term_t *hp = heap_alloc(h, words);

    term_t child = make_cons(hp, key, value);
    hp += 2;
    if (op == PUT_SPLIT) {
        hp[0] = make_map_header(MAP_KIND_HAMT_NODE_BITMAP, 3);
        bool first; /* the old leaf first? */
        if (d >= HAMT_MAX_DEPTH) {
            hp[1] = make_small(HAMT_COLLISION);
            first = term_compare_exact(cons_head(old), key) < 0;
        } else {
            hp[1] = make_small((1u << na) | (1u << nb));
            first = na < nb;
        }
        hp[2] = first ? old : child;
        hp[3] = first ? child : old;
        child = make_boxed(hp);
        hp += 4;
        while (chain--) {
            hp[0] = make_map_header(MAP_KIND_HAMT_NODE_BITMAP, 2);
            hp[1] = make_small(1u << nib[chain]);
            hp[2] = child;
            child = make_boxed(hp);
            hp += 3;
        }
        op = PUT_REPLACE; /* the chain takes the old leaf's slot */
    }
    for (unsigned l = depth + 1; l-- > 0;) {
        const term_t *s = path[l];
        unsigned w = node_words(s), p0 = l ? 2 : 3;
        if (l == depth && op == PUT_INSERT) {
            unsigned k = w - p0;
            uint32_t bm = (uint32_t)small_value(s[p0 - 1]);
            hp[0] = make_map_header(l ? MAP_KIND_HAMT_NODE_BITMAP : MAP_KIND_HAMT_HEAD_BITMAP, w);
            hp[p0 - 1] = make_small(bm == HAMT_COLLISION ? bm : bm | (1u << bit));
            memcpy(hp + p0, s + p0, i * sizeof(term_t));
            hp[p0 + i] = child;
            memcpy(hp + p0 + i + 1, s + p0 + i, (k - i) * sizeof(term_t));
            w++;
        } else {
            memcpy(hp, s, w * sizeof(term_t));
            hp[p0 + slot[l]] = child;
        }
        child = make_boxed(hp);
        if (l == 0) hp[1] = make_small((int64_t)hamt_size(m) + (op == PUT_INSERT || old));
        hp += w;
    }
    return child;
}

/* ---- remove ----
 * One walk records the path to the key's leaf; then, bottom up, each
 * level either drops an entry, takes a replacement entry, or (an inner
 * node left with a single leaf) collapses into its parent. One
 * allocation of the path's size; what a collapse saves is given back. */

static term_t remove_path(Heap *h, term_t m, term_t key) {
    const term_t *path[HAMT_MAX_DEPTH + 1];
    unsigned slot[HAMT_MAX_DEPTH + 1];
    uint32_t hv = map_hash(key, 0);
    const term_t *n = boxed_val(m);
    unsigned pre = 3, depth = 0, i;
    for (;;) {
        uint32_t bm = (uint32_t)small_value(n[pre - 1]);
        const term_t *e = n + pre;
        path[depth] = n;
        if (bm == HAMT_COLLISION) {
            unsigned k = node_count(n);
            for (i = 0; i < k && !key_eq(cons_head(e[i]), key); i++) {}
            if (i == k) return THE_NON_VALUE;
            break;
        }
        unsigned bit = nibble(hv, depth);
        if (!(bm & (1u << bit))) return THE_NON_VALUE;
        i = popcount16(bm & ((1u << bit) - 1));
        term_t x = e[i];
        if (is_list(x)) {
            if (!key_eq(cons_head(x), key)) return THE_NON_VALUE;
            break;
        }
        slot[depth] = i;
        n = boxed_val(x);
        pre = 2;
        if (++depth % 8 == 0) hv = round_hash(key, depth / 8);
    }
    slot[depth] = i;

    size_t words = 0;
    for (unsigned l = 0; l <= depth; l++) words += node_words(path[l]);
    term_t *hp = heap_alloc(h, words), *start = hp;

    /* Going up: drop the entry at slot[l] (child == 0), or put child there. */
    term_t child = 0;
    for (unsigned l = depth + 1; l-- > 0;) {
        const term_t *s = path[l];
        unsigned p0 = l ? 2 : 3, w = node_words(s), k = w - p0, at = slot[l];
        uint32_t bm = (uint32_t)small_value(s[p0 - 1]);
        if (l > 0) {
            if (child == 0 && k == 1) continue; /* empty: drop it from the parent */
            if (child == 0 && k == 2 && is_list(s[p0 + 1 - at])) {
                child = s[p0 + 1 - at]; /* one leaf left: it moves up */
                continue;
            }
            if (child != 0 && k == 1 && is_list(child)) continue; /* collapses into the parent */
        }
        if (child == 0) {
            unsigned b = 0;
            if (bm != HAMT_COLLISION) { /* the bit of entry `at` */
                for (unsigned j = 0, c = 0; j < 16; j++)
                    if (bm & (1u << j) && c++ == at) {
                        b = j;
                        break;
                    }
                bm &= ~(1u << b);
            }
            hp[0] = make_map_header(l ? MAP_KIND_HAMT_NODE_BITMAP : MAP_KIND_HAMT_HEAD_BITMAP, w - 2);
            hp[p0 - 1] = make_small(bm);
            memcpy(hp + p0, s + p0, at * sizeof(term_t));
            memcpy(hp + p0 + at, s + p0 + at + 1, (k - at - 1) * sizeof(term_t));
            w--;
        } else {
            memcpy(hp, s, w * sizeof(term_t));
            hp[p0 + at] = child;
        }
        if (l == 0) hp[1] = make_small((int64_t)hamt_size(m) - 1);
        child = make_boxed(hp);
        hp += w;
    }
    heap_release(h, start, words, words - (size_t)(hp - start));
    return child;
}

term_t hamt_remove(Heap *h, term_t m, term_t key) {
    size_t size = hamt_size(m);
    term_t r = remove_path(h, m, key);
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
    unsigned k = popcount16(bm);
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
