/*
 * map_hamt.h — large maps (more than MAP_FLAT_MAX keys): a hash array
 * mapped trie, as OTP's hashmaps.
 *
 * Hash: OTP 25's internal hash (map_hash.h), as OTP's hashmaps, so the
 * trie, and every order that comes from it, is erl's. Level L uses the
 * 4 bits (L % 8) * 4 .. +3 of map_hash(Key, L / 8): 16-way nodes, and a
 * fresh, differently salted 32-bit hash every 8 levels for keys whose
 * previous hashes were all equal. Keys still together after
 * HAMT_MAX_DEPTH levels (equal in 128 hash bits, which OTP 25 never
 * handles: it rehashes forever) meet in a collision node, sorted in
 * map-key order. Keys equal under =:= hash equally, so a key has exactly
 * one place.
 *
 * Layout. INVARIANT: like a flatmap, every map object's header value is the
 * number of words that follow it, and every such word is a term (bitmaps
 * and sizes are stored as small integers), so the GC copies and scans map
 * nodes without knowing their kind.
 *   head   [hdr(HAMT_HEAD_BITMAP, 2 + k), small(size), small(bitmap), e1..ek]
 *   node   [hdr(HAMT_NODE_BITMAP, 1 + k), small(bitmap), e1..ek]   (k >= 1)
 *   coll.  [hdr(HAMT_NODE_BITMAP, 1 + k), small(HAMT_COLLISION), leaf1..leafk]
 * An entry is a leaf, a cons cell [Key | Value], or a boxed node. Entries
 * are in bitmap bit order. An inner node never holds just one leaf (it
 * collapses into its parent). The head is the map term; nodes never
 * escape as terms.
 * A HAMT always has more than MAP_FLAT_MAX keys: removal below that
 * converts back to a flatmap (as OTP 25 does: erts_debug:flat_size of
 * the result is a flatmap's), so a map's kind is a function of its size.
 *
 * Orders (all as OTP 25): map_iter_next walks the trie depth first, each
 * node's entries in bit order; that is maps:iterator/next's order (so
 * maps:fold's and io_lib's). OTP's C functions that build lists by
 * prepending while they walk — maps:keys/values/to_list — and
 * term_to_binary give the reverse order.
 */
#ifndef BEAMOS_VM_MAP_HAMT_H
#define BEAMOS_VM_MAP_HAMT_H

#include <stdbool.h>
#include <stddef.h>

#include "vm/heap.h"
#include "vm/map.h"
#include "vm/term.h"

#define HAMT_COLLISION (1u << 16) /* bitmap value of a collision node */
#define HAMT_MAX_DEPTH 32         /* levels of 4 hash bits (4 salts) */

size_t hamt_size(term_t m);
term_t hamt_get(term_t m, term_t key);
/* m with key => value (a HAMT). */
term_t hamt_put(Heap *h, term_t m, term_t key, term_t value);
/* m without key; a flatmap when the result has MAP_FLAT_MAX keys or fewer. */
term_t hamt_remove(Heap *h, term_t m, term_t key);
/* A HAMT from n pairs (n > MAP_FLAT_MAX after removing duplicates; later
 * duplicates win). Returns a flatmap if the distinct keys are few. */
term_t hamt_from_pairs(Heap *h, const term_t *keys, const term_t *values, size_t n);
/* Worst-case words of one hamt_put / hamt_remove. */
size_t hamt_put_need(term_t m);

/* The entries of a head or inner node (a boxed node term), in iteration
 * order, and how many (etf_encode.c walks the trie with its own stack). */
const term_t *hamt_node_entries(term_t node, unsigned *count);

/* Depth-first iteration state (inside MapIter). */
void hamt_iter_init(MapIter *it, term_t m);
bool hamt_iter_next(MapIter *it, term_t *key, term_t *value);

#endif
