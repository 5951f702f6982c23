/*
 * bif_decode_packet.c — erlang:decode_packet(Type, Bin, Options): finds the
 * first packet of a byte stream framed as gen_tcp's {packet, Type} option
 * frames it, and returns {ok, Packet, Rest}, {more, Length | undefined} or
 * {error, invalid}.
 *
 * Framing per type (OTP 25's packet_parser.c semantics; the HTTP types are
 * in vm/packet_http.c):
 *   raw | 0        everything there is (more if empty);
 *   1 | 2 | 4      big-endian length header, stripped from Packet;
 *   sunrm          4-byte header (top bit: last fragment), kept;
 *   asn1           BER tag and definite length, kept;
 *   cdr            12-byte GIOP header, size in the flagged byte order, kept;
 *   fcgi           8-byte FastCGI header, kept; padding dropped from Packet;
 *   tpkt           4-byte TPKT header (version 3, length includes it), kept;
 *   line           up to and including the delimiter;
 *   ssl_tls        TLS record (or SSLv2 hello), as {ssl_tls, [], Type,
 *                  {Major, Minor}, Data} (undocumented, but OTP accepts it).
 * Lengths are OTP's 32-bit C ints: a packet of 2 GB or more is invalid.
 * Rest is a sub-binary of Bin; bits past the last whole byte of a
 * bitstring Bin stay at the end of Rest, as in OTP.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/binary.h"
#include "vm/packet.h"

typedef enum {
    PK_RAW, PK_1, PK_2, PK_4, PK_ASN1, PK_SUNRM, PK_CDR, PK_FCGI, PK_TPKT, PK_LINE,
    PK_HTTP, PK_HTTPH, PK_HTTP_BIN, PK_HTTPH_BIN, PK_SSL_TLS,
} PacketType;

static bool packet_type(term_t t, PacketType *out) {
    static const struct {
        term_t atom;
        PacketType type;
    } names[] = {
        {ATOM_raw, PK_RAW},       {ATOM_asn1, PK_ASN1},        {ATOM_sunrm, PK_SUNRM},
        {ATOM_cdr, PK_CDR},       {ATOM_fcgi, PK_FCGI},        {ATOM_tpkt, PK_TPKT},
        {ATOM_line, PK_LINE},     {ATOM_http, PK_HTTP},        {ATOM_httph, PK_HTTPH},
        {ATOM_http_bin, PK_HTTP_BIN}, {ATOM_httph_bin, PK_HTTPH_BIN}, {ATOM_ssl_tls, PK_SSL_TLS},
    };
    if (is_small(t)) {
        switch (small_value(t)) {
        case 0: *out = PK_RAW; return true;
        case 1: *out = PK_1; return true;
        case 2: *out = PK_2; return true;
        case 4: *out = PK_4; return true;
        default: return false;
        }
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].atom == t) {
            *out = names[i].type;
            return true;
        }
    return false;
}

typedef struct {
    uint32_t max_bytes;   /* packet_size; 0 = no limit */
    uint32_t line_length; /* line_length; 0 = no limit */
    uint8_t delimiter;    /* line_delimiter */
} Options;

/* A non-negative integer that fits OTP's unsigned int. */
static bool uint32_arg(term_t t, uint32_t *v) {
    if (!is_small(t) || small_value(t) < 0 || small_value(t) > (int64_t)UINT32_MAX) return false;
    *v = (uint32_t)small_value(t);
    return true;
}

static bool parse_options(term_t l, PacketType type, Options *o) {
    o->max_bytes = 0;
    o->line_length = 0;
    o->delimiter = '\n';
    for (; is_list(l); l = cons_tail(l)) {
        term_t opt = cons_head(l);
        uint32_t v;
        if (!is_tuple(opt) || tuple_arity(opt) != 2 || !uint32_arg(tuple_element(opt, 2), &v)) return false;
        term_t key = tuple_element(opt, 1);
        if (key == ATOM_packet_size) o->max_bytes = v;
        else if (key == ATOM_line_length) o->line_length = v;
        else if (key == ATOM_line_delimiter && type == PK_LINE && v <= 255) o->delimiter = (uint8_t)v;
        else return false;
    }
    return is_nil(l);
}

static uint32_t be16(const uint8_t *s) { return (uint32_t)s[0] << 8 | s[1]; }
static uint32_t be24(const uint8_t *s) { return (uint32_t)s[0] << 16 | be16(s + 1); }
static uint32_t be32(const uint8_t *s) { return (uint32_t)s[0] << 24 | be24(s + 1); }
static uint32_t le32(const uint8_t *s) {
    return (uint32_t)s[3] << 24 | (uint32_t)s[2] << 16 | (uint32_t)s[1] << 8 | s[0];
}

/* A header of hdr bytes announcing body bytes: the packet's total length,
 * or -1 if the body is over the limit (0 = none) or the total is not a
 * positive C int (OTP computes it as one and refuses a sum that wraps). */
static long total_length(uint32_t hdr, uint32_t body, uint32_t max_bytes) {
    if (max_bytes && body > max_bytes) return -1;
    int32_t total = (int32_t)(hdr + body);
    return total < (int32_t)hdr ? -1 : (long)total;
}

/* BER: identifier (low 5 bits all set: more tag bytes follow while their
 * top bit is set), then a short length (< 128) or 0x80 | N followed by an
 * N-byte length, N <= 4 (0: indefinite form, taken as 0). */
static long asn1_length(const uint8_t *s, size_t n, uint32_t max_bytes) {
    if (n < 2) return 0;
    size_t i = 1;
    if ((s[0] & 0x1f) == 0x1f) {
        while (i < n && (s[i] & 0x80)) i++;
        if (n - i < 2) return 0;
        i++;
    }
    uint32_t len = s[i] & 0x7f;
    if (!(s[i] & 0x80)) return total_length((uint32_t)i + 1, len, max_bytes);
    i++;
    if (n - i < len) return 0;
    uint32_t body;
    switch (len) {
    case 0: body = 0; break;
    case 1: body = s[i]; break;
    case 2: body = be16(s + i); break;
    case 3: body = be24(s + i); break;
    case 4: body = be32(s + i); break;
    default: return -1;
    }
    return total_length((uint32_t)(i + len), body, max_bytes);
}

static long line_length(const uint8_t *s, size_t n, const Options *o) {
    const uint8_t *d = n ? memchr(s, o->delimiter, n) : NULL;
    if (!d) {
        if (o->max_bytes && n > o->max_bytes) return -1;
        if (o->line_length && n >= o->line_length) return o->line_length; /* truncated line */
        return 0;
    }
    size_t len = (size_t)(d - s) + 1;
    if (o->max_bytes && len > o->max_bytes) return -1;
    if (o->line_length && len > o->line_length) return o->line_length;
    return (long)len;
}

/* The packet's length: > 0 bytes, 0 = more needed (length unknown),
 * -1 = invalid. A length over n means that many bytes are needed. */
static long packet_length(PacketType type, const uint8_t *s, size_t n, const Options *o) {
    switch (type) {
    case PK_RAW: return (long)n;
    case PK_1: return n < 1 ? 0 : total_length(1, s[0], o->max_bytes);
    case PK_2: return n < 2 ? 0 : total_length(2, be16(s), o->max_bytes);
    case PK_4: return n < 4 ? 0 : total_length(4, be32(s), o->max_bytes);
    case PK_SUNRM: return n < 4 ? 0 : total_length(4, be32(s) & 0x7fffffffu, o->max_bytes);
    case PK_ASN1: return asn1_length(s, n, o->max_bytes);
    case PK_CDR:
        if (n < 12) return 0;
        if (memcmp(s, "GIOP", 4) != 0) return -1;
        return total_length(12, (s[6] & 1) ? le32(s + 8) : be32(s + 8), o->max_bytes);
    case PK_FCGI:
        if (n < 8) return 0;
        if (s[0] != 1) return -1; /* FastCGI version 1 */
        return total_length(8, be16(s + 4) + s[6], o->max_bytes);
    case PK_TPKT:
        if (n < 4) return 0;
        if (s[0] != 3) return -1; /* TPKT version 3 */
        return total_length(4, be16(s + 2) - 4u, o->max_bytes);
    case PK_LINE: return line_length(s, n, o);
    case PK_SSL_TLS:
        if (n < 5) return 0;
        if ((s[0] & 0x80) && s[2] == 1) /* SSLv2 client hello: <<1:1, Len:15, 1, Version:16>> */
            return total_length(5, (be16(s) & 0x7fff) - 3u, o->max_bytes);
        return total_length(5, be16(s + 3), o->max_bytes);
    case PK_HTTP:
    case PK_HTTP_BIN:
    case PK_HTTPH:
    case PK_HTTPH_BIN: {
        /* line_length limits HTTP lines when packet_size is not given
         * (older callers used it that way). */
        uint32_t max = o->max_bytes ? o->max_bytes : o->line_length;
        return packet_http_length(s, n, max, type == PK_HTTPH || type == PK_HTTPH_BIN);
    }
    }
    return -1;
}

/* {ssl_tls, [], ContentType, {Major, Minor}, Data}; an SSLv2 hello's Data
 * is the message prefixed by <<1, Length:24>>, as OTP builds it. */
static term_t ssl_tls_record(Process *p, const uint8_t *s, size_t len) {
    term_t version = packet_tuple(p, 2, (term_t[]){make_small(s[1]), make_small(s[2])});
    term_t type = make_small(s[0]);
    term_t data;
    if ((s[0] & 0x80) && s[2] == 1) {
        uint8_t *d;
        data = binary_new_uninit(&p->h, len + 1, &d);
        uint32_t body = (uint32_t)(len - 3);
        d[0] = 1;
        d[1] = (uint8_t)(body >> 16);
        d[2] = (uint8_t)(body >> 8);
        d[3] = (uint8_t)body;
        memcpy(d + 4, s + 3, len - 3);
        type = make_small(22);
        version = packet_tuple(p, 2, (term_t[]){make_small(s[3]), make_small(s[4])});
    } else {
        data = binary_new(&p->h, s + 5, len - 5);
    }
    return packet_tuple(p, 5, (term_t[]){ATOM_ssl_tls, NIL, type, version, data});
}

static term_t error_invalid(Process *p) { return packet_tuple(p, 2, (term_t[]){ATOM_error, ATOM_invalid}); }

term_t bif_erlang_decode_packet_3(Process *p, term_t *args) {
    term_t bin = args[1];
    PacketType type;
    Options o;
    if (!is_bitstring(bin) || !(is_list(args[2]) || is_nil(args[2]))) BIF_ERROR(p, ATOM_badarg);
    if (!packet_type(args[0], &type) || !parse_options(args[2], type, &o)) BIF_ERROR(p, ATOM_badarg);

    const uint8_t *src;
    size_t off, bits;
    bitstring_get(bin, &src, &off, &bits);
    size_t n = bits / 8;
    /* The parsers want whole bytes at a byte boundary. */
    uint8_t *copy = NULL;
    const uint8_t *s = src;
    if (off) {
        copy = malloc(n ? n : 1);
        if (!copy) BIF_ERROR(p, ATOM_system_limit);
        bits_copy(copy, 0, src, off, n * 8);
        s = copy;
    }

    term_t result;
    long len = packet_length(type, s, n, &o);
    size_t hdr = type == PK_1 ? 1 : type == PK_2 ? 2 : type == PK_4 ? 4 : 0;
    if (len < 0) {
        result = error_invalid(p);
    } else if (len == 0 || (size_t)len > n) {
        term_t need = len == 0 ? ATOM_undefined : bif_make_int64(&p->h, len);
        result = packet_tuple(p, 2, (term_t[]){ATOM_more, need});
    } else {
        size_t plen = (size_t)len;
        term_t packet;
        switch (type) {
        case PK_HTTP:
        case PK_HTTPH:
        case PK_HTTP_BIN:
        case PK_HTTPH_BIN:
            packet = packet_http_decode(p, s, plen, type == PK_HTTPH || type == PK_HTTPH_BIN,
                                        type == PK_HTTP_BIN || type == PK_HTTPH_BIN);
            break;
        case PK_SSL_TLS: packet = ssl_tls_record(p, s, plen); break;
        case PK_FCGI: packet = sub_binary_new(&p->h, bin, 0, (plen - s[6]) * 8); break;
        default: packet = sub_binary_new(&p->h, bin, hdr * 8, (plen - hdr) * 8); break;
        }
        term_t rest = sub_binary_new(&p->h, bin, plen * 8, bits - plen * 8);
        result = packet_tuple(p, 3, (term_t[]){ATOM_ok, packet, rest});
    }
    free(copy);
    return result;
}
