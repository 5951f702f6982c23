/*
 * inflate_glue.c — inflate_buffer() and deflate_buffer() over zlib built
 * with Z_SOLO (no stdio,
 * no default allocator), see scripts/build-zlib.sh. The stream is fed in
 * pieces of at most UINT_MAX bytes because zlib's counters are uInt.
 */
#define Z_SOLO
#include <limits.h>
#include <stdlib.h>
#include <zlib.h>

#include "vm/inflate_glue.h"

static voidpf glue_zalloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return calloc(items, size);
}

static void glue_zfree(voidpf opaque, voidpf p)
{
    (void)opaque;
    free(p);
}

int inflate_buffer(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen,
                   const char **err)
{
    z_stream zs = {0};
    static const char *const oom = "out of memory";
    zs.zalloc = glue_zalloc;
    zs.zfree = glue_zfree;
    if (inflateInit(&zs) != Z_OK) {
        *err = zs.msg ? zs.msg : oom;
        return -1;
    }
    size_t in_left = srclen, out_left = dstlen;
    int rc;
    zs.next_in = (Bytef *)(uintptr_t)src;  /* zlib never writes through it */
    zs.next_out = dst;
    do {
        if (zs.avail_in == 0 && in_left) {
            zs.avail_in = in_left > UINT_MAX ? UINT_MAX : (uInt)in_left;
            in_left -= zs.avail_in;
        }
        if (zs.avail_out == 0 && out_left) {
            zs.avail_out = out_left > UINT_MAX ? UINT_MAX : (uInt)out_left;
            out_left -= zs.avail_out;
        }
        rc = inflate(&zs, Z_NO_FLUSH);
    } while (rc == Z_OK);  /* Z_OK means progress; no progress is Z_BUF_ERROR */

    int ok = 0;
    if (rc == Z_STREAM_END) {
        if (zs.avail_out || out_left) *err = "smaller than announced";
        else ok = 1;
    } else if (rc == Z_OK || rc == Z_BUF_ERROR) {
        /* Stopped with input or output exhausted, but no stream end. */
        *err = (zs.avail_out || out_left) ? "truncated stream" : "larger than announced";
    } else if (rc == Z_MEM_ERROR) {
        *err = oom;
    } else {
        *err = zs.msg ? zs.msg : "corrupt stream";
    }
    /* zs.msg points at zlib's static strings, valid after inflateEnd. */
    inflateEnd(&zs);
    return ok ? 0 : -1;
}

int deflate_buffer(const uint8_t *src, size_t srclen, int level, uint8_t *dst, size_t dstcap,
                   size_t *dstlen)
{
    z_stream zs = {0};
    zs.zalloc = glue_zalloc;
    zs.zfree = glue_zfree;
    if (deflateInit(&zs, level) != Z_OK) return -1;
    size_t in_left = srclen, out_left = dstcap;
    int rc;
    zs.next_in = (Bytef *)(uintptr_t)src;  /* zlib never writes through it */
    zs.next_out = dst;
    do {
        if (zs.avail_in == 0 && in_left) {
            zs.avail_in = in_left > UINT_MAX ? UINT_MAX : (uInt)in_left;
            in_left -= zs.avail_in;
        }
        if (zs.avail_out == 0 && out_left) {
            zs.avail_out = out_left > UINT_MAX ? UINT_MAX : (uInt)out_left;
            out_left -= zs.avail_out;
        }
        rc = deflate(&zs, in_left || zs.avail_in ? Z_NO_FLUSH : Z_FINISH);
    } while (rc == Z_OK);
    *dstlen = (size_t)(zs.next_out - dst);
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? 0 : -1;
}
