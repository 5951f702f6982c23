/*
 * bif_md5.c — erlang:md5/1 and md5_init/0, md5_update/2, md5_final/1
 * over the algorithm in vm/md5.c.
 *
 * The streaming context is, as in OTP, an opaque binary: here the
 * serialised Md5Ctx of vm/md5.h (MD5_CTX_BYTES bytes). md5_update/md5_final
 * refuse (badarg) a binary of any other size, as OTP does.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/binary.h"
#include "vm/md5.h"

#define MD5_CTX_BYTES sizeof(Md5Ctx)

/* Feeds iodata t into x; false if t is not iodata. */
static bool feed_iodata(Md5Ctx *x, term_t t) {
    size_t n;
    if (!bif_iolist_size(t, &n)) return false;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) return false;
    bif_iolist_copy(t, buf);
    md5_feed(x, buf, n);
    free(buf);
    return true;
}

static bool get_ctx(term_t t, Md5Ctx *x) {
    if (!is_binary(t) || bitstring_bit_size(t) != MD5_CTX_BYTES * 8) return false;
    const uint8_t *s;
    size_t off, bits;
    bitstring_get(t, &s, &off, &bits);
    bits_copy((uint8_t *)x, 0, s, off, bits);
    return true;
}

static term_t put_ctx(Process *p, const Md5Ctx *x) { return binary_new(&p->h, (const uint8_t *)x, sizeof *x); }

term_t bif_erlang_md5_1(Process *p, term_t *args) {
    Md5Ctx x;
    uint8_t out[16];
    md5_start(&x);
    if (!feed_iodata(&x, args[0])) BIF_ERROR(p, ATOM_badarg);
    md5_finish(&x, out);
    return binary_new(&p->h, out, 16);
}

term_t bif_erlang_md5_init_0(Process *p, term_t *args) {
    (void)args;
    Md5Ctx x;
    md5_start(&x);
    return put_ctx(p, &x);
}

term_t bif_erlang_md5_update_2(Process *p, term_t *args) {
    Md5Ctx x;
    if (!get_ctx(args[0], &x) || !feed_iodata(&x, args[1])) BIF_ERROR(p, ATOM_badarg);
    return put_ctx(p, &x);
}

term_t bif_erlang_md5_final_1(Process *p, term_t *args) {
    Md5Ctx x;
    uint8_t out[16];
    if (!get_ctx(args[0], &x)) BIF_ERROR(p, ATOM_badarg);
    md5_finish(&x, out);
    return binary_new(&p->h, out, 16);
}
