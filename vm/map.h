/*
 * map.h — maps: flatmaps up to MAP_FLAT_MAX keys, HAMTs beyond
 * (map_hamt.h; kinds HAMT_HEAD_BITMAP and HAMT_NODE_BITMAP).
 *
 * Map header: subtag MAP, bits 6..7 the kind, bits 8..63 the number of
 * words that follow (flatmap). Every map function switches on map_kind()
 * and handles MAP_KIND_FLAT here and the HAMT kinds in map_hamt.c.
 *
 * flatmap  [header(MAP, kind FLAT, words = 1 + n), keys, v1 ... vn]
 *   keys: a tuple of the n keys, sorted in map-key order (term_compare_exact:
 *   all integers before all floats, otherwise term order), no duplicates.
 *   values: in the order of their keys. n <= MAP_FLAT_MAX.
 *   Several maps may share one keys tuple (map_put of an existing key does).
 */
#ifndef BEAMOS_VM_MAP_H
#define BEAMOS_VM_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include "vm/heap.h"
#include "vm/term.h"

#define MAP_FLAT_MAX 32

enum {
    MAP_KIND_FLAT = 0,
    MAP_KIND_HAMT_HEAD_ARRAY = 1,  /* reserved (never built: heads use a bitmap) */
    MAP_KIND_HAMT_HEAD_BITMAP = 2, /* map_hamt.h */
    MAP_KIND_HAMT_NODE_BITMAP = 3, /* map_hamt.h: inner node, never a map term */
};

static inline unsigned map_kind(term_t m) { return (unsigned)((*boxed_val(m) >> 6) & 3); }
static inline term_t make_map_header(unsigned kind, uint64_t val) {
    return (val << 8) | ((term_t)kind << 6) | MAP_SUBTAG;
}
static inline uint64_t map_header_val(term_t h) { return h >> 8; }

/* Flatmap accessors. Precondition: map_kind(m) == MAP_KIND_FLAT. */
static inline term_t flatmap_keys(term_t m) { return boxed_val(m)[1]; }
static inline term_t *flatmap_values(term_t m) { return boxed_val(m) + 2; }
static inline size_t flatmap_size(term_t m) { return tuple_arity(flatmap_keys(m)); }
static inline size_t flatmap_words(size_t n) { return 2 + n; }

size_t map_size(term_t m);
/* The value of key, or THE_NON_VALUE. Keys match exactly (=:=). */
term_t map_get(term_t m, term_t key);

/* Heap words map_put/map_from_pairs/map_remove may use (worst case; the
 * HAMT cases were added by the BIF work: see map_hamt.h). */
size_t map_put_need(term_t m);
size_t map_remove_need(term_t m);
size_t map_from_pairs_need(size_t n);

/* A flatmap of n entries with uninitialised keys and values; the caller
 * fills them in sorted key order. Needs map_from_pairs_need(n). */
term_t map_new_flat(Heap *h, size_t n, term_t **keys, term_t **values);
/* m with key => value; becomes a HAMT past MAP_FLAT_MAX entries. */
term_t map_put(Heap *h, term_t m, term_t key, term_t value);
/* m without key (m itself if absent). */
term_t map_remove(Heap *h, term_t m, term_t key);
/* A map from n key/value pairs (later duplicates win, as maps:from_list);
 * a HAMT if more than MAP_FLAT_MAX distinct keys. */
term_t map_from_pairs(Heap *h, const term_t *keys, const term_t *values, size_t n);

/* Iteration: flatmaps in key order, HAMTs in trie order (as OTP's
 * maps:iterator; maps:keys/to_list and term_to_binary are the reverse,
 * see map_hamt.h). Flatmap users only ever touch map and i. */
#define MAP_ITER_DEPTH 33 /* HAMT_MAX_DEPTH + 1: head to collision node */
typedef struct {
    term_t map;
    size_t i;
    unsigned depth;                     /* HAMT: nodes on the path */
    const term_t *node[MAP_ITER_DEPTH]; /* HAMT: first entry of each node */
    unsigned left[MAP_ITER_DEPTH];      /* HAMT: entries not yet visited */
} MapIter;
void map_iter_init(MapIter *it, term_t m);
bool map_iter_next(MapIter *it, term_t *key, term_t *value);

#endif
