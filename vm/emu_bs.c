/*
 * emu_bs.c — bit syntax matching on contexts and bs_create_bin (see
 * emu_bs.h). Values are read by copying the bits into an aligned buffer
 * (bits_copy), which handles every alignment the same way.
 */
#include "vm/emu_bs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bignum.h"
#include "vm/emu.h"

static SubBin *ctx_val(term_t c) { return (SubBin *)boxed_val(c); }

/* Bytes of ctx's orig binary (bit offset 0). */
static const uint8_t *ctx_bytes(term_t ctx) {
    const uint8_t *b;
    size_t off, size;
    bitstring_get(ctx_val(ctx)->orig, &b, &off, &size);
    return b;
}

term_t emu_bs_start(Process *p, term_t t) {
    if (!is_bitstring(t)) return THE_NON_VALUE;
    term_t orig = t;
    size_t off = 0, size;
    if (boxed_subtag(t) == SUB_BINARY_SUBTAG) {
        SubBin *sb = (SubBin *)boxed_val(t);
        orig = sb->orig;
        off = sb->offset_bits;
        size = sb->size_bits;
    } else {
        size = bitstring_bit_size(t);
    }
    term_t *hp = heap_alloc(&p->h, MATCH_CTX_WORDS);
    SubBin *c = (SubBin *)hp;
    c->thing_word = make_header(MATCH_CTX_WORDS - 1, SUB_BINARY_SUBTAG);
    c->size_bits = size;
    c->offset_bits = off;
    c->orig = orig;
    hp[MATCH_CTX_WORDS - 1] = 0;
    return make_boxed(hp);
}

/* Copy `bits` bits at the context position into buf, left-aligned. */
static void take(term_t ctx, uint8_t *buf, size_t bits) {
    SubBin *c = ctx_val(ctx);
    memset(buf, 0, (bits + 7) / 8);
    bits_copy(buf, 0, ctx_bytes(ctx), c->offset_bits, bits);
    c->offset_bits += bits;
    c->size_bits -= bits;
}

/* A matching instruction's field flags as the compiler wrote them: `native`
 * is its own bit (16), meaning the machine's order, little-endian on
 * x86-64 (as seg_flags below does for construction). */
static unsigned match_flags(unsigned flags) {
    return (flags & BSF_NATIVE) ? flags | BSF_LITTLE : flags;
}

/* Reverses the bits/8 low bytes of v (bits a multiple of 8, <= 64). */
static inline uint64_t swap_bytes(uint64_t v, unsigned bits) {
    uint64_t r = 0;
    for (unsigned k = 0; k < bits / 8; k++, v >>= 8) r = r << 8 | (v & 0xFF);
    return r;
}

term_t emu_bs_get_integer(Process *p, term_t ctx, int64_t bits, unsigned flags) {
    SubBin *c = ctx_val(ctx);
    flags = match_flags(flags);
    if (bits < 0 || (uint64_t)bits > c->size_bits) return THE_NON_VALUE;
    /* Fast path: the value fits a small and no bit-level reordering is
     * needed (little-endian only for whole bytes, as OTP's byte swap). */
    if (bits <= 56 && (!(flags & BSF_LITTLE) || bits % 8 == 0)) {
        uint64_t u = emu_bs_load_bits(emu_bs_ctx_bytes(c), c->offset_bits, (unsigned)bits);
        if (flags & BSF_LITTLE) u = swap_bytes(u, (unsigned)bits);
        int64_t v = (int64_t)u;
        if ((flags & BSF_SIGNED) && bits > 0 && (u >> (bits - 1) & 1)) v -= (int64_t)(UINT64_C(1) << bits);
        c->offset_bits += (size_t)bits;
        c->size_bits -= (size_t)bits;
        return make_small(v);
    }
    size_t nbytes = ((size_t)bits + 7) / 8;
    uint8_t stackbuf[64];
    uint8_t *buf = nbytes <= sizeof stackbuf ? stackbuf : malloc(nbytes + 1);
    if (!buf) abort();
    take(ctx, buf, (size_t)bits);
    /* Little-endian magnitude bytes le[] of the unsigned value. */
    uint8_t lsb[64];
    uint8_t *le = nbytes <= sizeof lsb ? lsb : malloc(nbytes + 1);
    if (!le) abort();
    unsigned rem = (unsigned)(bits % 8);
    if (flags & BSF_LITTLE) {
        memcpy(le, buf, nbytes);
        if (rem) le[nbytes - 1] >>= (8 - rem);
    } else {
        /* big endian: right-align the bits, then reverse */
        if (rem) {
            unsigned sh = 8 - rem;
            for (size_t i = nbytes; i-- > 0;) {
                uint8_t hi = i ? buf[i - 1] : 0;
                buf[i] = (uint8_t)((buf[i] >> sh) | (hi << (8 - sh)));
            }
        }
        for (size_t i = 0; i < nbytes; i++) le[i] = buf[nbytes - 1 - i];
    }
    bool neg = false;
    if ((flags & BSF_SIGNED) && bits > 0) {
        unsigned topbit = (unsigned)((bits - 1) % 8);
        if (le[nbytes - 1] & (1u << topbit)) {
            neg = true;
            /* sign-extend within the top byte, then negate (two's complement) */
            le[nbytes - 1] |= (uint8_t)(0xFF << topbit);
            unsigned carry = 1;
            for (size_t i = 0; i < nbytes; i++) {
                unsigned v = (uint8_t)~le[i] + carry;
                le[i] = (uint8_t)v;
                carry = v >> 8;
            }
        }
    }
    term_t r;
    if (nbytes <= 7) {
        int64_t v = 0;
        for (size_t i = nbytes; i-- > 0;) v = (v << 8) | le[i];
        r = make_small(neg ? -v : v);
    } else {
        r = big_from_bytes_le(&p->h, neg, le, nbytes);
    }
    if (buf != stackbuf) free(buf);
    if (le != lsb) free(le);
    return r;
}

/* IEEE 754 binary16 bits of a finite double, rounded to nearest even as
 * OTP does; too large for binary16 gives infinity (OTP's result, too). */
static unsigned double_to_half(double d) {
    unsigned sign = signbit(d) ? 0x8000 : 0;
    double a = fabs(d);
    if (a >= 65520.0) return sign | 0x7C00;     /* rounds past 65504 */
    if (a < 0x1p-14)                             /* subnormal: units of 2^-24 */
        return sign | (unsigned)rint(a * 0x1p24);  /* 1024 = the least normal */
    int x;
    double f = frexp(a, &x);                     /* a = f * 2^x, f in [0.5, 1) */
    unsigned q = (unsigned)rint(f * 2048.0);     /* 11 significant bits */
    int e = x - 1 + 15;
    if (q == 2048) { q = 1024; e++; }
    if (e >= 31) return sign | 0x7C00;
    return sign | (unsigned)e << 10 | (q - 1024);
}

term_t emu_bs_get_float(Process *p, term_t ctx, int64_t bits, unsigned flags) {
    SubBin *c = ctx_val(ctx);
    flags = match_flags(flags);
    if ((bits != 64 && bits != 32 && bits != 16) || (uint64_t)bits > c->size_bits)
        return THE_NON_VALUE;
    uint8_t b[8];
    size_t save_off = c->offset_bits, save_size = c->size_bits;
    take(ctx, b, (size_t)bits);
    size_t n = (size_t)bits / 8;
    if (flags & BSF_LITTLE)
        for (size_t i = 0; i < n / 2; i++) { uint8_t t = b[i]; b[i] = b[n - 1 - i]; b[n - 1 - i] = t; }
    double d;
    if (bits == 64) {
        uint64_t u = 0;
        for (int i = 0; i < 8; i++) u = (u << 8) | b[i];
        memcpy(&d, &u, 8);
    } else if (bits == 32) {
        uint32_t u = 0;
        for (int i = 0; i < 4; i++) u = (u << 8) | b[i];
        float fl;
        memcpy(&fl, &u, 4);
        d = fl;
    } else {
        unsigned h = (unsigned)b[0] << 8 | b[1];
        int e = (h >> 10) & 31;
        double m = h & 1023;
        if (e == 31) d = INFINITY;
        else d = e ? ldexp(m + 1024, e - 25) : ldexp(m, -24);
        if (h & 0x8000) d = -d;
    }
    if (!isfinite(d)) {
        c->offset_bits = save_off;
        c->size_bits = save_size;
        return THE_NON_VALUE;
    }
    return make_float(heap_alloc(&p->h, FLOAT_WORDS), d);
}

term_t emu_bs_get_binary(Process *p, term_t ctx, int64_t bits) {
    SubBin *c = ctx_val(ctx);
    if (bits < 0 || (uint64_t)bits > c->size_bits) return THE_NON_VALUE;
    term_t r = sub_binary_new(&p->h, c->orig, c->offset_bits, (size_t)bits);
    c = ctx_val(ctx);
    c->offset_bits += (size_t)bits;
    c->size_bits -= (size_t)bits;
    return r;
}

term_t emu_bs_tail(Process *p, term_t ctx) {
    SubBin *c = ctx_val(ctx);
    return sub_binary_new(&p->h, c->orig, c->offset_bits, c->size_bits);
}

bool emu_bs_match_string(term_t ctx, const uint8_t *s, size_t bits) {
    SubBin *c = ctx_val(ctx);
    if (bits > c->size_bits) return false;
    if (bits_compare(ctx_bytes(ctx), c->offset_bits, s, 0, bits) != 0) return false;
    c->offset_bits += bits;
    c->size_bits -= bits;
    return true;
}

term_t emu_bs_get_utf(Process *p, term_t ctx, unsigned kind, unsigned flags) {
    flags = match_flags(flags);
    (void)p;
    SubBin *c = ctx_val(ctx);
    uint8_t b[4];
    size_t off = c->offset_bits, size = c->size_bits;
    uint32_t cp;
    if (kind == 8) {
        if (size < 8) return THE_NON_VALUE;
        b[0] = 0;
        bits_copy(b, 0, ctx_bytes(ctx), off, 8);
        unsigned n = b[0] < 0x80 ? 1 : (b[0] & 0xE0) == 0xC0 ? 2 : (b[0] & 0xF0) == 0xE0 ? 3
                   : (b[0] & 0xF8) == 0xF0 ? 4 : 0;
        if (!n || size < 8 * n) return THE_NON_VALUE;
        memset(b, 0, 4);
        bits_copy(b, 0, ctx_bytes(ctx), off, 8 * n);
        static const uint32_t mask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
        cp = b[0] & mask[n];
        for (unsigned i = 1; i < n; i++) {
            if ((b[i] & 0xC0) != 0x80) return THE_NON_VALUE;
            cp = cp << 6 | (b[i] & 0x3F);
        }
        static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return THE_NON_VALUE;
        c->offset_bits += 8 * n;
        c->size_bits -= 8 * n;
        return make_small(cp);
    }
    if (kind == 16) {
        if (size < 16) return THE_NON_VALUE;
        bits_copy(b, 0, ctx_bytes(ctx), off, 16);
        unsigned w1 = flags & BSF_LITTLE ? (unsigned)b[1] << 8 | b[0] : (unsigned)b[0] << 8 | b[1];
        if (w1 < 0xD800 || w1 > 0xDFFF) {
            c->offset_bits += 16;
            c->size_bits -= 16;
            return make_small(w1);
        }
        if (w1 > 0xDBFF || size < 32) return THE_NON_VALUE;
        bits_copy(b, 0, ctx_bytes(ctx), off + 16, 16);
        unsigned w2 = flags & BSF_LITTLE ? (unsigned)b[1] << 8 | b[0] : (unsigned)b[0] << 8 | b[1];
        if (w2 < 0xDC00 || w2 > 0xDFFF) return THE_NON_VALUE;
        c->offset_bits += 32;
        c->size_bits -= 32;
        return make_small(0x10000 + ((w1 - 0xD800) << 10) + (w2 - 0xDC00));
    }
    if (size < 32) return THE_NON_VALUE;
    bits_copy(b, 0, ctx_bytes(ctx), off, 32);
    cp = flags & BSF_LITTLE ? (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0]
                            : (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return THE_NON_VALUE;
    c->offset_bits += 32;
    c->size_bits -= 32;
    return make_small(cp);
}

/* ---- construction ---- */

static unsigned seg_flags(term_t fl) {
    unsigned r = 0;
    for (; is_list(fl); fl = cons_tail(fl)) {
        term_t a = cons_head(fl);
        if (a == ATOM_little) r |= BSF_LITTLE;
        else if (a == ATOM_signed) r |= BSF_SIGNED;
        else if (a == ATOM_native) r |= BSF_LITTLE | BSF_NATIVE; /* x86-64 */
    }
    return r;
}

static term_t src_of(const term_t *x, const Process *p, BeamInstr w) {
    if (w & TAG_PRIMARY_MASK) return (term_t)w;
    return (w & 4) ? p->h.hend[w >> 3] : x[w >> 3];
}

static int utf8_encode(uint32_t cp, uint8_t *o) {
    if (cp < 0x80) { o[0] = (uint8_t)cp; return 1; }
    if (cp < 0x800) { o[0] = (uint8_t)(0xC0 | cp >> 6); o[1] = (uint8_t)(0x80 | (cp & 63)); return 2; }
    if (cp < 0x10000) {
        o[0] = (uint8_t)(0xE0 | cp >> 12); o[1] = (uint8_t)(0x80 | ((cp >> 6) & 63));
        o[2] = (uint8_t)(0x80 | (cp & 63)); return 3;
    }
    o[0] = (uint8_t)(0xF0 | cp >> 18); o[1] = (uint8_t)(0x80 | ((cp >> 12) & 63));
    o[2] = (uint8_t)(0x80 | ((cp >> 6) & 63)); o[3] = (uint8_t)(0x80 | (cp & 63));
    return 4;
}

/* Writes the low `bits` (<= 64) bits of v big-endian at dst bit offset
 * off: v is a small's two's complement, so this truncates as OTP does. */
static void put_word(uint8_t *dst, size_t off, uint64_t v, size_t bits) {
    if (bits == 0) return;
    if (off % 8 == 0 && bits % 8 == 0) {
        uint8_t *d = dst + off / 8;
        for (size_t k = bits / 8; k-- > 0; v >>= 8) d[k] = (uint8_t)v;
        return;
    }
    uint8_t tmp[8];
    uint64_t u = v << (64 - bits); /* left-aligned */
    for (int k = 0; k < 8; k++) tmp[k] = (uint8_t)(u >> (56 - 8 * k));
    bits_copy(dst, off, tmp, 0, bits);
}

term_t emu_bs_append_int(Process *p, term_t acc, term_t v, size_t bits, uint64_t unit) {
    if (!is_small(v) || !is_boxed(acc)) return THE_NON_VALUE;
    ProcBin *pb = binary_appendable(acc);
    if (!pb) return THE_NON_VALUE;
    SubBin *view = (SubBin *)boxed_val(acc);
    size_t acc_bits = view->size_bits, view_off = view->offset_bits, end = view_off + acc_bits;
    if (unit > 1 && acc_bits % unit) return THE_NON_VALUE; /* badarg, by the general path */
    uint8_t *buf = binary_writable_extend(&p->h, pb, (end + bits + 7) / 8);
    put_word(buf, end, (uint64_t)small_value(v), bits);
    pb_set_end_bits(pb, end + bits);
    return sub_binary_new(&p->h, make_boxed((term_t *)pb), view_off, acc_bits + bits);
}

/* Writes integer v (small or big) as `bits` bits at dst bit offset off. */
static bool put_integer(uint8_t *dst, size_t off, term_t v, size_t bits, unsigned flags) {
    size_t nbytes = (bits + 7) / 8;
    /* stack buffers for the common small sizes (no malloc per segment) */
    uint8_t le_s[17], out_s[17];
    bool small_buf = nbytes < sizeof le_s;
    uint8_t *le = small_buf ? le_s : calloc(nbytes + 1, 1);
    if (!le) abort();
    if (small_buf) memset(le, 0, nbytes + 1);
    /* two's complement little-endian bytes of v, truncated */
    if (is_small(v)) {
        int64_t s = small_value(v);
        for (size_t i = 0; i < nbytes; i++) le[i] = i < 8 ? (uint8_t)((uint64_t)s >> (8 * i)) : (s < 0 ? 0xFF : 0);
    } else {
        const uint64_t *d = big_digit_ptr(v);
        size_t nd = big_digits(v);
        bool neg = big_is_neg(v);
        unsigned carry = 1;
        for (size_t i = 0; i < nbytes; i++) {
            uint8_t b = i / 8 < nd ? (uint8_t)(d[i / 8] >> (8 * (i % 8))) : 0;
            if (neg) { unsigned t = (uint8_t)~b + carry; b = (uint8_t)t; carry = t >> 8; }
            le[i] = b;
        }
    }
    unsigned rem = (unsigned)(bits % 8);
    uint8_t *out = small_buf ? out_s : calloc(nbytes + 1, 1);
    if (!out) abort();
    if (small_buf) memset(out, 0, nbytes + 1);
    if (flags & BSF_LITTLE) {
        memcpy(out, le, nbytes);
        if (rem) out[nbytes - 1] = (uint8_t)(out[nbytes - 1] << (8 - rem));
    } else {
        for (size_t i = 0; i < nbytes; i++) out[i] = le[nbytes - 1 - i];
        if (rem) { /* left-align: shift the whole big-endian buffer */
            unsigned sh = 8 - rem;
            for (size_t i = 0; i < nbytes; i++)
                out[i] = (uint8_t)(out[i] << sh | (i + 1 < nbytes ? out[i + 1] >> (8 - sh) : 0));
        }
    }
    bits_copy(dst, off, out, 0, bits);
    if (!small_buf) {
        free(le);
        free(out);
    }
    return true;
}

term_t emu_bs_create(Process *p, const BeamInstr *segs, size_t n, const term_t *x) {
    /* pass 1: sizes */
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const BeamInstr *s = segs + 6 * i;
        term_t type = (term_t)s[0], size = src_of(x, p, s[5]);
        term_t src = type == ATOM_string ? NIL : src_of(x, p, s[4]); /* string: s[4] is a pointer */
        uint64_t unit = s[2];
        int64_t bits;
        /* (the commonest types first) */
        if (type == ATOM_integer) {
            if (!is_integer(src)) goto badarg;
            bits = emu_bs_size(0, size, unit);
            if (bits < 0) goto badarg;
        } else if (type == ATOM_string) {
            bits = 8 * small_value(size);
        } else if (type == ATOM_utf8 || type == ATOM_utf16 || type == ATOM_utf32) {
            if (!is_small(src) || small_value(src) < 0 || small_value(src) > 0x10FFFF ||
                (small_value(src) >= 0xD800 && small_value(src) <= 0xDFFF)) goto badarg;
            uint32_t cp = (uint32_t)small_value(src);
            uint8_t tmp[4];
            bits = type == ATOM_utf8 ? 8 * utf8_encode(cp, tmp) : type == ATOM_utf16 ? (cp >= 0x10000 ? 32 : 16) : 32;
        } else if (type == ATOM_binary || type == ATOM_append || type == ATOM_private_append) {
            if (!is_bitstring(src)) goto badarg;
            if (size == ATOM_all || size == ATOM_undefined) {
                bits = (int64_t)bitstring_bit_size(src);
                /* (unit is nearly always a power of two: no division) */
                if (unit > 1 && ((unit & (unit - 1)) ? (uint64_t)bits % unit : (uint64_t)bits & (unit - 1)))
                    goto badarg;
            } else {
                bits = emu_bs_size(0, size, unit ? unit : 1);
                if (bits < 0 || (uint64_t)bits > bitstring_bit_size(src)) goto badarg;
            }
        } else if (type == ATOM_float) {
            if (!is_number(src)) goto badarg;
            bits = emu_bs_size(0, size, unit);
            if (bits != 64 && bits != 32 && bits != 16) goto badarg;
        } else {
            goto badarg;
        }
        total += (size_t)bits;
    }
    {
        size_t nbytes = (total + 7) / 8;
        uint8_t *buf = NULL;
        size_t off = 0, first = 0, view_off = 0;
        term_t wbin = THE_NON_VALUE; /* the writable ProcBin written into, if any */
        /* `<<Acc/binary, ...>>`: append in place when Acc is the newest view
         * of a writable binary; otherwise start one when the result is an
         * off-heap binary, so the next append can (binary.h). */
        term_t type0 = n ? (term_t)segs[0] : NIL;
        if (type0 == ATOM_append || type0 == ATOM_private_append) {
            term_t src0 = src_of(x, p, segs[4]), size0 = src_of(x, p, segs[5]);
            ProcBin *pb = (size0 == ATOM_all || size0 == ATOM_undefined) ? binary_appendable(src0) : NULL;
            if (pb) {
                SubBin *v = (SubBin *)boxed_val(src0);
                view_off = v->offset_bits;
                off = view_off + v->size_bits;
                buf = binary_writable_extend(&p->h, pb, (view_off + total + 7) / 8);
                first = 1; /* Acc's bits are already in place */
                wbin = make_boxed((term_t *)pb);
            } else if (nbytes >= BINARY_HEAP_LIMIT) {
                wbin = binary_new_writable(&p->h, nbytes < 128 ? 256 : 2 * nbytes, nbytes, &buf);
                memset(buf, 0, nbytes);
            }
        }
        bool owned = wbin == THE_NON_VALUE;
        if (owned) {
            buf = calloc(nbytes + 1, 1);
            if (!buf) abort();
        }
        for (size_t i = first; i < n; i++) {
            const BeamInstr *s = segs + 6 * i;
            term_t type = (term_t)s[0], size = src_of(x, p, s[5]);
            term_t src = type == ATOM_string ? NIL : src_of(x, p, s[4]); /* string: s[4] is a pointer */
            unsigned fl = seg_flags((term_t)s[3]);
            uint64_t unit = s[2];
            if (type == ATOM_integer) {
                size_t b = (size_t)emu_bs_size(0, size, unit);
                if (is_small(src) && b <= 64 && (!(fl & BSF_LITTLE) || b % 8 == 0)) {
                    uint64_t v = (uint64_t)small_value(src);
                    put_word(buf, off, (fl & BSF_LITTLE) ? swap_bytes(v, (unsigned)b) : v, b);
                } else {
                    put_integer(buf, off, src, b, fl);
                }
                off += b;
            } else if (type == ATOM_string) {
                size_t b = 8 * (size_t)small_value(size);
                bits_copy(buf, off, (const uint8_t *)s[4], 0, b);
                off += b;
            } else if (type == ATOM_utf8) {
                uint8_t tmp[4];
                int k = utf8_encode((uint32_t)small_value(src), tmp);
                bits_copy(buf, off, tmp, 0, 8 * (size_t)k);
                off += 8 * (size_t)k;
            } else if (type == ATOM_utf16 || type == ATOM_utf32) {
                uint32_t cp = (uint32_t)small_value(src);
                uint32_t units[2];
                int k = 1;
                if (type == ATOM_utf16 && cp >= 0x10000) {
                    units[0] = 0xD800 + ((cp - 0x10000) >> 10);
                    units[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
                    k = 2;
                } else {
                    units[0] = cp;
                }
                size_t w = type == ATOM_utf16 ? 16 : 32;
                for (int j = 0; j < k; j++) {
                    put_integer(buf, off, make_small(units[j]), w, fl);
                    off += w;
                }
            } else if (type == ATOM_float) {
                size_t b = (size_t)emu_bs_size(0, size, unit);
                double d = 0;
                if (is_float(src)) d = float_value(src);
                else if (is_small(src)) d = (double)small_value(src);
                else if (!big_to_double(src, &d)) { if (owned) free(buf); goto badarg; }
                uint8_t tmp[8];
                if (b == 64) {
                    uint64_t u;
                    memcpy(&u, &d, 8);
                    for (int j = 0; j < 8; j++) tmp[j] = (uint8_t)(u >> (56 - 8 * j));
                } else if (b == 32) {
                    float fv = (float)d;
                    uint32_t u;
                    memcpy(&u, &fv, 4);
                    for (int j = 0; j < 4; j++) tmp[j] = (uint8_t)(u >> (24 - 8 * j));
                } else {
                    unsigned h = double_to_half(d);
                    tmp[0] = (uint8_t)(h >> 8);
                    tmp[1] = (uint8_t)h;
                }
                if (fl & BSF_LITTLE)
                    for (size_t j = 0; j < b / 16; j++) { uint8_t t = tmp[j]; tmp[j] = tmp[b / 8 - 1 - j]; tmp[b / 8 - 1 - j] = t; }
                bits_copy(buf, off, tmp, 0, b);
                off += b;
            } else { /* binary, append, private_append */
                const uint8_t *bytes;
                size_t boff, bsize;
                bitstring_get(src, &bytes, &boff, &bsize);
                size_t b = (size == ATOM_all || size == ATOM_undefined) ? bsize
                                                                         : (size_t)emu_bs_size(0, size, unit ? unit : 1);
                bits_copy(buf, off, bytes, boff, b);
                off += b;
            }
        }
        if (!owned) {
            pb_set_end_bits((ProcBin *)boxed_val(wbin), view_off + total);
            return sub_binary_new(&p->h, wbin, view_off, total);
        }
        term_t r = bitstring_new(&p->h, buf, total);
        free(buf);
        return r;
    }
badarg:
    p->fvalue = ATOM_badarg;
    return THE_NON_VALUE;
}
