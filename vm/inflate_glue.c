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
    size_t used;
    return inflate_prefix(src, srclen, dst, dstlen, &used, err);
}

int inflate_prefix(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen,
                   size_t *src_used, const char **err)
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
    /* what is left of src: the bytes not yet handed over, and those handed
     * over but not consumed */
    *src_used = srclen - in_left - zs.avail_in;
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

/* ---- streams ---- */

struct ZStream {
    z_stream zs;
    int deflating;
};

static ZStream *zstream_new(int deflating, int level)
{
    ZStream *z = calloc(1, sizeof *z);
    if (!z) return NULL;
    z->zs.zalloc = glue_zalloc;
    z->zs.zfree = glue_zfree;
    z->deflating = deflating;
    int rc = deflating ? deflateInit(&z->zs, level) : inflateInit(&z->zs);
    if (rc != Z_OK) {
        free(z);
        return NULL;
    }
    return z;
}

ZStream *zstream_inflate_new(void) { return zstream_new(0, 0); }
ZStream *zstream_deflate_new(int level) { return zstream_new(1, level); }

int zstream_step(ZStream *z, const uint8_t **src, size_t *src_left, uint8_t **dst, size_t *dst_left,
                 int finish)
{
    z_stream *zs = &z->zs;
    for (;;) {
        uInt in = *src_left > UINT_MAX ? UINT_MAX : (uInt)*src_left;
        uInt out = *dst_left > UINT_MAX ? UINT_MAX : (uInt)*dst_left;
        zs->next_in = (Bytef *)(uintptr_t)*src;  /* zlib never writes through it */
        zs->avail_in = in;
        zs->next_out = *dst;
        zs->avail_out = out;
        int last = finish && in == *src_left;
        int rc = z->deflating ? deflate(zs, last ? Z_FINISH : Z_NO_FLUSH) : inflate(zs, Z_NO_FLUSH);
        size_t used = in - zs->avail_in, made = out - zs->avail_out;
        *src += used;
        *src_left -= used;
        *dst += made;
        *dst_left -= made;
        if (rc == Z_STREAM_END) return ZS_END;
        if (rc != Z_OK && rc != Z_BUF_ERROR) return ZS_ERROR;
        /* stuck for want of input or output space: the caller decides */
        if ((!used && !made) || *dst_left == 0 || (*src_left == 0 && !finish)) return ZS_MORE;
    }
}

void zstream_free(ZStream *z)
{
    if (!z) return;
    if (z->deflating) deflateEnd(&z->zs);
    else inflateEnd(&z->zs);
    free(z);
}
