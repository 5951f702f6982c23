/*
 * beam_parse.h — internals shared by beam_file.c (container and tables)
 * and beam_code.c (the Code chunk): a bounds-checked byte reader, the
 * compact term reader, and error reporting. Not for use outside the loader.
 *
 * Reader invariant: p <= end always; every read checks the remaining length
 * first and fails (returns -1, zeroing the output) without moving when it
 * is too short.
 */
#ifndef BEAMOS_VM_BEAM_PARSE_H
#define BEAMOS_VM_BEAM_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "vm/beam_file.h"

typedef struct {
    const uint8_t *p, *end;
} BeamReader;

static inline size_t rd_left(const BeamReader *r) { return (size_t)(r->end - r->p); }

static inline int rd_u8(BeamReader *r, uint32_t *v)
{
    if (rd_left(r) < 1) return *v = 0, -1;
    *v = *r->p++;
    return 0;
}

static inline int rd_u16(BeamReader *r, uint32_t *v)
{
    if (rd_left(r) < 2) return *v = 0, -1;
    *v = (uint32_t)r->p[0] << 8 | r->p[1];
    r->p += 2;
    return 0;
}

static inline int rd_u32(BeamReader *r, uint32_t *v)
{
    if (rd_left(r) < 4) return *v = 0, -1;
    *v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
    r->p += 4;
    return 0;
}

static inline int rd_bytes(BeamReader *r, size_t n, const uint8_t **out)
{
    if (rd_left(r) < n) return *out = NULL, -1;
    *out = r->p;
    r->p += n;
    return 0;
}

/* Compact term tags (the low 3 bits of the first byte). */
enum { CT_U, CT_I, CT_A, CT_X, CT_Y, CT_F, CT_H, CT_Z };

/* A decoded compact term: tag and value. Values that fit int64_t are in
 * val (big = NULL); wider ones are the minimal big-endian two's complement
 * bytes big[0..big_len), big_len >= 9. */
typedef struct {
    int tag;
    int64_t val;
    const uint8_t *big;
    uint32_t big_len;
} BeamCompact;

/* Read one compact term. Returns 0, or -1 with *why set to a static
 * message ("truncated", ...). */
int beam_compact_read(BeamReader *r, BeamCompact *c, const char **why);

/* Parse context: the file being built and the error buffer. */
typedef struct {
    BeamFile *bf;
    char *err;
    size_t errlen;
} BeamParse;

/* Format "chunk: message" into the error buffer; returns -1. */
int beam_fail(BeamParse *ps, const char *chunk, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Decode and validate the Code chunk body (after the chunk id and size);
 * all other chunks are already parsed into ps->bf. */
int beam_code_parse(BeamParse *ps, const uint8_t *chunk, size_t size);

/* Growable-array helper: make room for n more items of size sz in *arr
 * holding *len with capacity *cap. Returns 0, or -1 on overflow/OOM. */
int beam_grow(void **arr, uint32_t *cap, uint32_t len, uint32_t n, size_t sz);

#endif
