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
/* The same; bytes of src after the end of the stream are not looked at,
 * and *src_used says where the stream ended (binary_to_term's `used`). */
int inflate_prefix(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen,
                   size_t *src_used, const char **err);

/*
 * Deflate src[0..srclen) as one zlib stream at `level` (0..9) into
 * dst[0..dstcap). Returns 0 with *dstlen set, or -1 if the stream does not
 * fit in dstcap bytes (or memory ran out). Never writes outside dst.
 */
int deflate_buffer(const uint8_t *src, size_t srclen, int level, uint8_t *dst, size_t dstcap,
                   size_t *dstlen);

/*
 * Streams, for work done in slices (term_to_binary / binary_to_term of
 * large terms): each step consumes input from *src and produces output at
 * *dst, advancing both, and stops when either runs out. Only the stream's
 * own state survives between steps, so the buffers may move in between.
 * A deflate stream's bytes do not depend on how its input is split.
 */
typedef struct ZStream ZStream;
enum { ZS_MORE = 0, ZS_END = 1, ZS_ERROR = -1 };
/* NULL when memory is short. */
ZStream *zstream_inflate_new(void);
ZStream *zstream_deflate_new(int level);
/* finish (deflate): src holds the last of the input. ZS_END: the stream
 * is complete; ZS_ERROR: corrupt input; ZS_MORE: src is used up (and not
 * finish), or dst is full, or no progress is possible without more input
 * or output space — which, the caller knows. */
int zstream_step(ZStream *z, const uint8_t **src, size_t *src_left, uint8_t **dst, size_t *dst_left,
                 int finish);
void zstream_free(ZStream *z);

#endif
