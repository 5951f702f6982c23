/*
 * md5.h — MD5 (RFC 1321) over byte buffers, streaming.
 */
#ifndef BEAMOS_VM_MD5_H
#define BEAMOS_VM_MD5_H

#include <stddef.h>
#include <stdint.h>

/* Plain data: erlang:md5_init/0 hands it to Erlang code as a binary. */
typedef struct {
    uint32_t state[4];
    uint64_t length_bytes;   /* total bytes fed so far */
    uint8_t block[64];       /* block[0 .. length_bytes % 64) pending */
} Md5Ctx;

void md5_start(Md5Ctx *x);
void md5_feed(Md5Ctx *x, const uint8_t *d, size_t n);
void md5_finish(Md5Ctx *x, uint8_t out[16]);

#endif
