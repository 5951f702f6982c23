/*
 * map_hash.h — the hash that places a key in a large map (HAMT).
 *
 * It is OTP 25's make_internal_hash(Key, Salt) bit for bit, so that a
 * large map has the same trie shape, and therefore the same iteration
 * order, term_to_binary bytes and printed form, as on stock erl.
 * Unlike phash2 this hash is not portable: OTP hashes immediates by their
 * raw word. We hash each immediate as the word OTP would hold for it:
 *   - small integers, [] and atoms have OTP's layout already (an atom's
 *     word holds its index in *our* atom table, which is not OTP's, so
 *     maps keyed by atoms are ordered differently from erl's — on erl
 *     itself that order depends on the order atoms were created);
 *   - local pids and ports are rebuilt into OTP's word (see map_hash.c);
 *   - things OTP hashes by address (export funs, the node of external
 *     pids/ports/refs) use our own address or node atom instead.
 * Salt is the rehash round: the trie uses 4 bits per level, 8 levels per
 * 32-bit hash, and level L uses salt L / 8.
 */
#ifndef BEAMOS_VM_MAP_HASH_H
#define BEAMOS_VM_MAP_HASH_H

#include <stdint.h>

#include "vm/hash_mix.h"
#include "vm/term.h"

#define MAP_HASH_SALT_BASE 3432918353u /* a prime, so the value differs from phash2's */

/* Any term (map_hash.c). */
uint32_t map_hash_term(term_t key, uint32_t salt);

/* Small integers and atoms, the common keys, inline: one mix of the raw
 * word with OTP's HCONST_1 (the large-map lookup calls this per key). */
static inline uint32_t map_hash(term_t key, uint32_t salt) {
    if (is_small(key) || is_atom(key))
        return hash_mix2(salt ^ MAP_HASH_SALT_BASE, (uint32_t)key, (uint32_t)(key >> 32), HASH_GOLDEN);
    return map_hash_term(key, salt);
}

#endif
