/*
 * inflate_glue.h — the VM's only door to zlib: inflate a whole zlib stream
 * whose uncompressed size is known in advance (LitT chunks, compressed
 * external terms, tag 80), and deflate a buffer (term_to_binary's
 * `compressed` option). Nothing else in vm/ includes zlib.h.
 */
#ifndef BEAMOS_VM_INFLATE_GLUE_H
#define BEAMOS_VM_INFLATE_GLUE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Inflate the zlib stream src[0..srclen) into dst[0..dstlen).
 * Succeeds (returns 0) only if the stream is well formed, ends within src,
 * and produces exactly dstlen bytes. Otherwise returns -1 and sets *err to a
 * static message ("truncated stream", "larger than announced", zlib's
 * message...). Never reads or writes outside the two buffers. Allocates
 * zlib's window with malloc and frees it before returning.
 */
int inflate_buffer(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen,
                   const char **err);

/*
 * Deflate src[0..srclen) as one zlib stream at `level` (0..9) into
 * dst[0..dstcap). Returns 0 with *dstlen set, or -1 if the stream does not
 * fit in dstcap bytes (or memory ran out). Never writes outside dst.
 */
int deflate_buffer(const uint8_t *src, size_t srclen, int level, uint8_t *dst, size_t dstcap,
                   size_t *dstlen);

#endif
