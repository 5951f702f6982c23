/*
 * md5.c — MD5 (RFC 1321), written from the RFC. Used by erlang:md5/1 and
 * friends (bif_md5.c) and by the loader for module_info(md5), which is
 * also every fun's Uniq in the external term format.
 */
#include "vm/md5.h"

#include <string.h>

static const uint32_t K[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
static const uint8_t R[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                              5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                              4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                              6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};

static void md5_block(uint32_t st[4], const uint8_t *b) {
    uint32_t m[16], a = st[0], bb = st[1], c = st[2], d = st[3];
    for (int i = 0; i < 16; i++)
        m[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 | (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16) { f = (bb & c) | (~bb & d); g = i; }
        else if (i < 32) { f = (d & bb) | (~d & c); g = (5 * i + 1) % 16; }
        else if (i < 48) { f = bb ^ c ^ d; g = (3 * i + 5) % 16; }
        else { f = c ^ (bb | ~d); g = (7 * i) % 16; }
        uint32_t x = a + f + K[i] + m[g];
        a = d;
        d = c;
        c = bb;
        bb = bb + (x << R[i] | x >> (32 - R[i]));
    }
    st[0] += a; st[1] += bb; st[2] += c; st[3] += d;
}

void md5_start(Md5Ctx *x) {
    memset(x, 0, sizeof *x);
    x->state[0] = 0x67452301; x->state[1] = 0xefcdab89;
    x->state[2] = 0x98badcfe; x->state[3] = 0x10325476;
}

void md5_feed(Md5Ctx *x, const uint8_t *d, size_t n) {
    size_t have = x->length_bytes % 64;
    x->length_bytes += n;
    if (have) {
        size_t k = 64 - have < n ? 64 - have : n;
        memcpy(x->block + have, d, k);
        d += k; n -= k; have += k;
        if (have < 64) return;
        md5_block(x->state, x->block);
    }
    for (; n >= 64; d += 64, n -= 64) md5_block(x->state, d);
    memcpy(x->block, d, n);
}

void md5_finish(Md5Ctx *x, uint8_t out[16]) {
    uint64_t bits = x->length_bytes * 8;
    uint8_t pad[72] = {0x80};
    size_t have = x->length_bytes % 64, padn = (have < 56 ? 56 : 120) - have;
    for (int i = 0; i < 8; i++) pad[padn + i] = (uint8_t)(bits >> (8 * i));
    md5_feed(x, pad, padn + 8);
    for (int i = 0; i < 16; i++) out[i] = (uint8_t)(x->state[i / 4] >> (8 * (i % 4)));
}

