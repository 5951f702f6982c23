/*
 * packet_http.c — the HTTP packet types of erlang:decode_packet/3 (http,
 * httph, http_bin, httph_bin): where a line ends and what it means.
 *
 * OTP's parser is deliberately lenient, and callers (inets, cowboy-era
 * code, tests) depend on its exact results for odd input, so the rules
 * below follow OTP 25 step by step rather than RFC 7230:
 *  - a line ends at LF; a trailing CR is dropped, a lone LF is accepted;
 *  - a request line is Method SP+ URI SP+ "HTTP/" Major "." Minor, where
 *    anything after the minor digits is ignored and a missing version means
 *    HTTP/0.9; a status line is "HTTP/" Major "." Minor SP+ Code SP* Reason;
 *  - header names are "token" characters up to ':', returned in canonical
 *    capitalisation (first letter and each letter after '-' upper case,
 *    the rest lower case); the 52 names OTP knows become atoms, with the
 *    table position + 1 as the "bit" (0 for other names);
 *  - anything else is {http_error, WholeLine}.
 */
#include <stdatomic.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/binary.h"
#include "vm/packet.h"

/* A name that becomes an atom. The atom is interned on first use and
 * cached; schedulers may race to fill the cache, which is harmless because
 * interning the same text always gives the same atom. So relaxed order is
 * enough: only the word itself is shared. */
typedef struct {
    const char *text;
    size_t len;
    _Atomic term_t atom; /* 0 until interned */
} KnownName;

#define NAME(s) {s, sizeof s - 1, 0}

/* OTP's known header names, in OTP's order. A name's position + 1 is the
 * Bit field of {http_header, Bit, ...}, which applications use as an index. */
static KnownName known_headers[] = {
    NAME("Cache-Control"), NAME("Connection"), NAME("Date"), NAME("Pragma"),
    NAME("Transfer-Encoding"), NAME("Upgrade"), NAME("Via"), NAME("Accept"),
    NAME("Accept-Charset"), NAME("Accept-Encoding"), NAME("Accept-Language"),
    NAME("Authorization"), NAME("From"), NAME("Host"), NAME("If-Modified-Since"),
    NAME("If-Match"), NAME("If-None-Match"), NAME("If-Range"), NAME("If-Unmodified-Since"),
    NAME("Max-Forwards"), NAME("Proxy-Authorization"), NAME("Range"), NAME("Referer"),
    NAME("User-Agent"), NAME("Age"), NAME("Location"), NAME("Proxy-Authenticate"),
    NAME("Public"), NAME("Retry-After"), NAME("Server"), NAME("Vary"), NAME("Warning"),
    NAME("Www-Authenticate"), NAME("Allow"), NAME("Content-Base"), NAME("Content-Encoding"),
    NAME("Content-Language"), NAME("Content-Length"), NAME("Content-Location"),
    NAME("Content-Md5"), NAME("Content-Range"), NAME("Content-Type"), NAME("Etag"),
    NAME("Expires"), NAME("Last-Modified"), NAME("Accept-Ranges"), NAME("Set-Cookie"),
    NAME("Set-Cookie2"), NAME("X-Forwarded-For"), NAME("Cookie"), NAME("Keep-Alive"),
    NAME("Proxy-Connection"),
};

/* Methods that become atoms (matched case-sensitively, as OTP does). */
static KnownName known_methods[] = {
    NAME("OPTIONS"), NAME("GET"), NAME("HEAD"), NAME("POST"), NAME("PUT"), NAME("DELETE"), NAME("TRACE"),
};

/* The index of s[0..n) in table, or -1. */
static long find_name(KnownName *table, size_t count, const uint8_t *s, size_t n) {
    for (size_t i = 0; i < count; i++)
        if (table[i].len == n && table[i].text[0] == s[0] && memcmp(table[i].text, s, n) == 0) return (long)i;
    return -1;
}

static term_t name_atom(KnownName *k) {
    term_t a = atomic_load_explicit(&k->atom, memory_order_relaxed);
    if (a == 0) {
        a = atom_intern((const uint8_t *)k->text, k->len);
        atomic_store_explicit(&k->atom, a, memory_order_relaxed);
    }
    return a;
}

/* Longest header name that is canonicalised; longer names are returned
 * as they came (OTP's fixed name buffer). */
#define MAX_CANONICAL_NAME 50

static inline bool is_sp(uint8_t c) { return c == ' ' || c == '\t'; }
static inline bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
static inline bool is_lower(uint8_t c) { return c >= 'a' && c <= 'z'; }
static inline bool is_upper(uint8_t c) { return c >= 'A' && c <= 'Z'; }

/* RFC 2616 "separators" and everything outside 33..127: characters that
 * end a method or header-name token. DEL (127) is not one, as in OTP. */
static bool is_tspecial(uint8_t c) {
    if (c <= 32 || c >= 128) return true;
    return strchr("()<>@,;:\\\"/[]?={}", c) != NULL;
}

static bool prefix_nocase(const uint8_t *s, size_t n, const char *lit) {
    size_t l = strlen(lit);
    if (n < l) return false;
    for (size_t i = 0; i < l; i++) {
        uint8_t c = s[i];
        if (is_upper(c)) c = (uint8_t)(c - 'A' + 'a');
        if (c != (uint8_t)lit[i]) return false;
    }
    return true;
}

static const uint8_t *find_byte(const uint8_t *s, size_t n, uint8_t c) { return n ? memchr(s, c, n) : NULL; }

long packet_http_length(const uint8_t *buf, size_t n, uint32_t max_bytes, bool header) {
    if ((n == 1 && buf[0] == '\n') || (n == 2 && buf[0] == '\r' && buf[1] == '\n')) return (long)n;
    size_t from = 0;
    for (;;) {
        const uint8_t *nl = find_byte(buf + from, n - from, '\n');
        if (!nl) return (max_bytes && n >= max_bytes) ? -1 : 0;
        size_t len = (size_t)(nl - buf) + 1;
        bool too_long = max_bytes && len > max_bytes;
        if (!header) return too_long ? -1 : (long)len;
        if (len == n) return too_long ? -1 : 0; /* a continuation line may follow */
        if (len > 2 && is_sp(buf[len])) {
            from = len; /* the header's value continues on the next line */
            continue;
        }
        return too_long ? -1 : (long)len;
    }
}

/* ---- building results ---- */

typedef struct {
    Process *p;
    bool as_bin;
} Out;

static term_t str(Out *o, const uint8_t *s, size_t n) {
    return o->as_bin ? binary_new(&o->p->h, s, n) : bif_bytes_to_list(&o->p->h, s, n, NIL);
}

term_t packet_tuple(Process *p, size_t n, const term_t *elems) {
    term_t *hp = heap_alloc(&p->h, tuple_words(n));
    term_t t = make_tuple_header(hp, n);
    memcpy(hp + 1, elems, n * sizeof *elems);
    return t;
}

static term_t tuple2(Out *o, term_t a, term_t b) { return packet_tuple(o->p, 2, (term_t[]){a, b}); }

/* Decimal digits as OTP's int accumulator reads them: wrapping at 32 bits
 * (only absurd input gets there). */
static size_t read_digits(const uint8_t *s, size_t n, int32_t *value) {
    uint32_t v = 0;
    size_t i = 0;
    while (i < n && is_digit(s[i])) v = v * 10u + (uint32_t)(s[i++] - '0');
    *value = (int32_t)v;
    return i;
}

/* "Major.Minor" at s (after "HTTP/"): bytes used, or 0 if malformed. */
static size_t read_version(const uint8_t *s, size_t n, int32_t *major, int32_t *minor) {
    size_t i = read_digits(s, n, major);
    if (i == 0 || i == n || s[i] != '.') return 0;
    i++;
    size_t j = read_digits(s + i, n - i, minor);
    return j ? i + j : 0;
}

/* ---- request URIs ---- */

/* {absoluteURI, Scheme, Host, Port | undefined, Path} from what follows
 * "http://" or "https://": the path starts at the first '/' ("/" if none);
 * the port is the digits after the host's first ':', if they are all
 * digits and not 0. */
static term_t absolute_uri(Out *o, term_t scheme, const uint8_t *s, size_t n) {
    const uint8_t *slash = find_byte(s, n, '/');
    const uint8_t *path = slash ? slash : (const uint8_t *)"/";
    size_t path_len = slash ? n - (size_t)(slash - s) : 1;
    size_t hostport = slash ? (size_t)(slash - s) : n;
    const uint8_t *colon = find_byte(s, hostport, ':');
    size_t host_len = colon ? (size_t)(colon - s) : hostport;
    term_t port = ATOM_undefined;
    if (colon) {
        size_t rest = hostport - host_len - 1;
        int32_t v;
        if (read_digits(colon + 1, rest, &v) == rest && v != 0) port = make_small(v);
    }
    term_t host = str(o, s, host_len);
    term_t p = str(o, path, path_len);
    return packet_tuple(o->p, 5, (term_t[]){ATOM_absoluteURI, scheme, host, port, p});
}

static term_t request_uri(Out *o, const uint8_t *s, size_t n) {
    if (n == 1 && s[0] == '*') return ATOM_Times;
    if (n <= 1 || s[0] == '/') return tuple2(o, ATOM_abs_path, str(o, s, n));
    if (prefix_nocase(s, n, "http://")) return absolute_uri(o, ATOM_http, s + 7, n - 7);
    if (prefix_nocase(s, n, "https://")) return absolute_uri(o, ATOM_https, s + 8, n - 8);
    const uint8_t *colon = find_byte(s, n, ':');
    if (!colon) return str(o, s, n);
    size_t k = (size_t)(colon - s);
    term_t scheme = str(o, s, k);
    return packet_tuple(o->p, 3, (term_t[]){ATOM_scheme, scheme, str(o, colon + 1, n - k - 1)});
}

/* ---- the three kinds of line ---- */

/* "HTTP/..." status line (s points after "HTTP/"); THE_NON_VALUE if malformed. */
static term_t status_line(Out *o, const uint8_t *s, size_t n) {
    int32_t major, minor, code;
    size_t i = read_version(s, n, &major, &minor);
    if (i == 0) return THE_NON_VALUE;
    size_t sp = i;
    while (i < n && is_sp(s[i])) i++;
    if (i == sp) return THE_NON_VALUE;
    i += read_digits(s + i, n - i, &code);
    sp = i;
    while (i < n && is_sp(s[i])) i++;
    if (i == sp && i < n) return THE_NON_VALUE; /* code not followed by a space */
    term_t version = tuple2(o, make_small(major), make_small(minor));
    term_t reason = str(o, s + i, n - i);
    return packet_tuple(o->p, 4, (term_t[]){ATOM_http_response, version, make_small(code), reason});
}

static term_t request_line(Out *o, const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n && !is_tspecial(s[i])) i++;
    size_t meth_len = i;
    if (i == n || meth_len == 0 || !is_sp(s[i])) return THE_NON_VALUE;
    while (i < n && is_sp(s[i])) i++;
    size_t uri_at = i;
    while (i < n && !is_sp(s[i])) i++;
    size_t uri_len = i - uri_at;
    if (uri_len == 0) return THE_NON_VALUE;
    while (i < n && is_sp(s[i])) i++;
    int32_t major = 0, minor = 9; /* no version: HTTP/0.9 */
    if (i < n) {
        if (n - i < 8 || memcmp(s + i, "HTTP/", 5) != 0) return THE_NON_VALUE;
        i += 5;
        if (read_version(s + i, n - i, &major, &minor) == 0) return THE_NON_VALUE;
    }
    long known = find_name(known_methods, sizeof known_methods / sizeof known_methods[0], s, meth_len);
    term_t method = known >= 0 ? name_atom(&known_methods[known]) : str(o, s, meth_len);
    term_t uri = request_uri(o, s + uri_at, uri_len);
    term_t version = tuple2(o, make_small(major), make_small(minor));
    return packet_tuple(o->p, 4, (term_t[]){ATOM_http_request, method, uri, version});
}

static term_t header_line(Out *o, const uint8_t *s, size_t n) {
    if (n == 0) return ATOM_http_eoh;
    uint8_t canon[MAX_CANONICAL_NAME];
    bool upper_next = true;
    size_t i = 0;
    while (!is_tspecial(s[i])) {
        uint8_t c = s[i];
        if (upper_next) {
            if (is_lower(c)) c = (uint8_t)(c - 'a' + 'A');
            upper_next = false;
        } else if (is_upper(c)) {
            c = (uint8_t)(c - 'A' + 'a');
        } else if (c == '-') {
            upper_next = true;
        }
        if (i < MAX_CANONICAL_NAME) canon[i] = c;
        if (++i == n) return THE_NON_VALUE; /* no ':' */
    }
    if (s[i] != ':') return THE_NON_VALUE;
    size_t name_len = i;
    i++;
    while (i < n && is_sp(s[i])) i++;

    term_t bit = make_small(0), name = THE_NON_VALUE;
    if (name_len <= MAX_CANONICAL_NAME) {
        long known = name_len ? find_name(known_headers, sizeof known_headers / sizeof known_headers[0], canon, name_len) : -1;
        if (known >= 0) {
            bit = make_small(known + 1);
            name = name_atom(&known_headers[known]);
        } else {
            name = str(o, canon, name_len);
        }
    } else {
        name = str(o, s, name_len);
    }
    term_t original = str(o, s, name_len);
    term_t value = str(o, s + i, n - i);
    return packet_tuple(o->p, 5, (term_t[]){ATOM_http_header, bit, name, original, value});
}

term_t packet_http_decode(Process *p, const uint8_t *buf, size_t len, bool header, bool as_bin) {
    Out o = {p, as_bin};
    size_t n = len;
    if (n >= 2 && buf[n - 2] == '\r') n -= 2;
    else if (n >= 1 && buf[n - 1] == '\n') n -= 1;

    term_t r;
    if (header) r = header_line(&o, buf, n);
    else if (n >= 5 && memcmp(buf, "HTTP/", 5) == 0) r = status_line(&o, buf + 5, n - 5);
    else r = request_line(&o, buf, n);
    if (r == THE_NON_VALUE) r = tuple2(&o, ATOM_http_error, str(&o, buf, len));
    return r;
}
