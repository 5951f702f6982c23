/*
 * hash_mix.h — Bob Jenkins' 96-bit mix and block hash, as OTP uses them
 * in make_hash2 (phash2, vm/phash.c) and make_internal_hash (large-map
 * key placement, vm/map_hash.c). Both hashes must stay bit-identical to
 * OTP's, so this is the one copy of the arithmetic.
 */
#ifndef VM_HASH_MIX_H
#define VM_HASH_MIX_H

#include <stddef.h>
#include <stdint.h>

/* The golden ratio: OTP's HCONST; HCONST_n is HASH_GOLDEN * n mod 2^32. */
#define HASH_GOLDEN 0x9e3779b9u

#define HASH_MIX(a, b, c)                                                  \
    do {                                                                   \
        a -= b; a -= c; a ^= (c >> 13);                                    \
        b -= c; b -= a; b ^= (a << 8);                                     \
        c -= a; c -= b; c ^= (b >> 13);                                    \
        a -= b; a -= c; a ^= (c >> 12);                                    \
        b -= c; b -= a; b ^= (a << 16);                                    \
        c -= a; c -= b; c ^= (b >> 5);                                     \
        a -= b; a -= c; a ^= (c >> 3);                                     \
        b -= c; b -= a; b ^= (a << 10);                                    \
        c -= a; c -= b; c ^= (b >> 15);                                    \
    } while (0)

/* Fold x and y into hash with constant k (OTP's UINT32_HASH_2). */
static inline uint32_t hash_mix2(uint32_t hash, uint32_t x, uint32_t y, uint32_t k) {
    uint32_t a = k + x, b = k + y;
    HASH_MIX(a, b, hash);
    return hash;
}

/* OTP's block_hash: len bytes, little-endian 12-byte rounds, the length
 * folded into c before the tail. */
static inline uint32_t hash_block(const uint8_t *k, size_t len, uint32_t initval) {
    uint32_t a = HASH_GOLDEN, b = HASH_GOLDEN, c = initval;
    size_t full = len;
    while (len >= 12) {
        a += k[0] + ((uint32_t)k[1] << 8) + ((uint32_t)k[2] << 16) + ((uint32_t)k[3] << 24);
        b += k[4] + ((uint32_t)k[5] << 8) + ((uint32_t)k[6] << 16) + ((uint32_t)k[7] << 24);
        c += k[8] + ((uint32_t)k[9] << 8) + ((uint32_t)k[10] << 16) + ((uint32_t)k[11] << 24);
        HASH_MIX(a, b, c);
        k += 12;
        len -= 12;
    }
    c += (uint32_t)full;
    switch (len) { /* every case falls through */
    case 11: c += (uint32_t)k[10] << 24; /* fall through */
    case 10: c += (uint32_t)k[9] << 16; /* fall through */
    case 9: c += (uint32_t)k[8] << 8; /* fall through */
    case 8: b += (uint32_t)k[7] << 24; /* fall through */
    case 7: b += (uint32_t)k[6] << 16; /* fall through */
    case 6: b += (uint32_t)k[5] << 8; /* fall through */
    case 5: b += k[4]; /* fall through */
    case 4: a += (uint32_t)k[3] << 24; /* fall through */
    case 3: a += (uint32_t)k[2] << 16; /* fall through */
    case 2: a += (uint32_t)k[1] << 8; /* fall through */
    case 1: a += k[0]; /* fall through */
    default: break;
    }
    HASH_MIX(a, b, c);
    return c;
}

#endif
