/*
 * bif_erlang_text.c — identifiers and funs as text and back:
 * pid_to_list/1, port_to_list/1, ref_to_list/1, fun_to_list/1,
 * list_to_pid/1, list_to_port/1, list_to_ref/1; and checksums of byte
 * data: crc32/1,2 and adler32/1,2 (zlib's crc32()/adler32() results, in
 * our own table-driven code so the VM does not need zlib's headers).
 *
 * The text is OTP 25's: <0.Number.Serial>, #Port<0.Number>,
 * #Ref<0.N2.N1.N0>, #Fun<Mod.Index.Uniq>, fun M:F/A (atoms quoted as ~p
 * does). It is produced by term_print, which owns those formats, so the
 * shell and these BIFs never disagree.
 *
 * Parsing accepts only local identifiers (node part 0), as a node that is
 * not distributed does. Limits are those of our term layout (term.h), not
 * OTP's narrower ones (pid number 15 bits, serial 13, ref word 0 18 bits),
 * so that every pid and ref this VM makes reads back: list_to_pid
 * ("<0.32768.0>") succeeds here where OTP raises badarg. Ports keep OTP's
 * 28-bit limit.
 */
#include <stdlib.h>

#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/fun.h"
#include "vm/magic.h"
#include "vm/term_print.h"

/* t printed as a charlist; the caller has checked its type. */
static term_t print_as_list(Process *p, term_t t) {
    char buf[2048];
    size_t n = term_print(buf, sizeof buf, t);
    if (n >= sizeof buf) n = sizeof buf - 1; /* atoms are <= 255 chars: never */
    return bif_bytes_to_list(&p->h, (const uint8_t *)buf, n, NIL);
}

term_t bif_erlang_pid_to_list_1(Process *p, term_t *args) {
    if (!is_pid(args[0])) BIF_ERROR(p, ATOM_badarg);
    return print_as_list(p, args[0]);
}

term_t bif_erlang_port_to_list_1(Process *p, term_t *args) {
    if (!is_port(args[0])) BIF_ERROR(p, ATOM_badarg);
    return print_as_list(p, args[0]);
}

term_t bif_erlang_ref_to_list_1(Process *p, term_t *args) {
    if (!is_reference(args[0])) BIF_ERROR(p, ATOM_badarg);
    /* As OTP: the text of a magic ref leads back to its object
     * (list_to_ref/1) while the object lives (magic.h export table). */
    if (is_magic_ref(args[0])) magic_export(args[0]);
    return print_as_list(p, args[0]);
}

term_t bif_erlang_fun_to_list_1(Process *p, term_t *args) {
    if (!is_any_fun(args[0])) BIF_ERROR(p, ATOM_badarg);
    return print_as_list(p, args[0]);
}

/* ---- parsing ---- */

/* Consumes the literal text `lit` at *s. */
static bool eat(const char **s, const char *lit) {
    size_t n = strlen(lit);
    if (strncmp(*s, lit, n) != 0) return false;
    *s += n;
    return true;
}

/* Consumes one or more decimal digits (leading zeros allowed, as OTP)
 * into *v; false if there are none or the value exceeds max. */
static bool eat_uint(const char **s, uint64_t max, uint64_t *v) {
    const char *c = *s;
    uint64_t x = 0;
    if (*c < '0' || *c > '9') return false;
    for (; *c >= '0' && *c <= '9'; c++) {
        uint64_t d = (uint64_t)(*c - '0');
        if (x > (max - d) / 10) return false;
        x = x * 10 + d;
    }
    *s = c;
    *v = x;
    return true;
}

/* The charlist as a C string; NULL if not a list of bytes (or it holds
 * a NUL, which no valid text does). */
static char *list_text(term_t t) {
    size_t len;
    char *s = bif_charlist_to_cstr(t, &len);
    if (s && strlen(s) != len) {
        free(s);
        return NULL;
    }
    return s;
}

term_t bif_erlang_list_to_pid_1(Process *p, term_t *args) {
    char *text = list_text(args[0]);
    if (!text) BIF_ERROR(p, ATOM_badarg);
    const char *s = text;
    uint64_t node, num, ser;
    bool ok = eat(&s, "<") && eat_uint(&s, UINT32_MAX, &node) && node == 0 && eat(&s, ".") &&
              eat_uint(&s, (1u << PID_NUMBER_BITS) - 1, &num) && eat(&s, ".") &&
              eat_uint(&s, UINT32_MAX, &ser) && eat(&s, ">") && *s == 0;
    free(text);
    if (!ok) BIF_ERROR(p, ATOM_badarg);
    return make_internal_pid((uint32_t)num, (uint32_t)ser);
}

term_t bif_erlang_list_to_port_1(Process *p, term_t *args) {
    char *text = list_text(args[0]);
    if (!text) BIF_ERROR(p, ATOM_badarg);
    const char *s = text;
    uint64_t node, num;
    bool ok = eat(&s, "#Port<") && eat_uint(&s, UINT32_MAX, &node) && node == 0 && eat(&s, ".") &&
              eat_uint(&s, (1u << 28) - 1, &num) && eat(&s, ">") && *s == 0;
    free(text);
    if (!ok) BIF_ERROR(p, ATOM_badarg);
    return make_internal_port(num);
}

term_t bif_erlang_list_to_ref_1(Process *p, term_t *args) {
    char *text = list_text(args[0]);
    if (!text) BIF_ERROR(p, ATOM_badarg);
    const char *s = text;
    uint64_t node, n2, n1, n0;
    bool ok = eat(&s, "#Ref<") && eat_uint(&s, UINT32_MAX, &node) && node == 0 && eat(&s, ".") &&
              eat_uint(&s, UINT32_MAX, &n2) && eat(&s, ".") && eat_uint(&s, UINT32_MAX, &n1) &&
              eat(&s, ".") && eat_uint(&s, UINT32_MAX, &n0) && eat(&s, ">") && *s == 0;
    free(text);
    if (!ok) BIF_ERROR(p, ATOM_badarg);
    uint32_t num[REF_NUMBERS] = {(uint32_t)n0, (uint32_t)n1, (uint32_t)n2};
    MagicBin *mb = magic_import(num);
    if (mb) return magic_ref_make(&p->h, mb, num);
    return make_internal_ref(heap_alloc(&p->h, REF_WORDS), num);
}

/* ---- checksums of iodata ---- */

/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320). The table is
 * built once; building it twice is harmless (same values), so concurrent
 * first calls need no lock. */
static uint32_t crc_table[256];
static _Atomic int crc_ready;

static void crc_init(void) {
    if (crc_ready) return;
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
    crc_ready = 1; /* seq_cst store: publishes the table */
}

static uint32_t crc32_update(uint32_t crc, const uint8_t *b, size_t n) {
    crc_init();
    uint32_t c = crc ^ 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) c = crc_table[(c ^ b[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static uint32_t adler32_update(uint32_t adler, const uint8_t *b, size_t n) {
    uint32_t a = adler & 0xFFFF, s = adler >> 16;
    while (n > 0) {
        size_t k = n < 5552 ? n : 5552; /* zlib's NMAX: no 32-bit overflow */
        n -= k;
        while (k--) {
            a += *b++;
            s += a;
        }
        a %= 65521;
        s %= 65521;
    }
    return (s << 16) | a;
}

typedef uint32_t (*ChecksumFn)(uint32_t, const uint8_t *, size_t);

/* Checksum of iodata `data` continuing from `init` (a term: must be an
 * integer 0..2^32-1). */
static term_t checksum(Process *p, term_t init, term_t data, ChecksumFn fn) {
    if (!is_small(init) || small_value(init) < 0 || small_value(init) > (int64_t)UINT32_MAX)
        BIF_ERROR(p, ATOM_badarg);
    size_t n;
    if (!bif_iolist_size(data, &n)) BIF_ERROR(p, ATOM_badarg);
    uint8_t small[256], *buf = n <= sizeof small ? small : malloc(n);
    if (!buf) BIF_ERROR(p, ATOM_system_limit);
    bif_iolist_copy(data, buf);
    uint32_t r = fn((uint32_t)small_value(init), buf, n);
    if (buf != small) free(buf);
    return make_small(r);
}

term_t bif_erlang_crc32_1(Process *p, term_t *args) {
    return checksum(p, make_small(0), args[0], crc32_update);
}

term_t bif_erlang_crc32_2(Process *p, term_t *args) {
    return checksum(p, args[0], args[1], crc32_update);
}

term_t bif_erlang_adler32_1(Process *p, term_t *args) {
    return checksum(p, make_small(1), args[0], adler32_update);
}

term_t bif_erlang_adler32_2(Process *p, term_t *args) {
    return checksum(p, args[0], args[1], adler32_update);
}

/* ---- crc32_combine/3, adler32_combine/3 ----
 * The checksum of A++B from those of A and B and B's length. OTP takes
 * all three as unsigned 32-bit integers (badarg otherwise). */
static bool get_u32(term_t t, uint32_t *v) {
    if (!is_small(t) || small_value(t) < 0 || small_value(t) > (int64_t)UINT32_MAX) return false;
    *v = (uint32_t)small_value(t);
    return true;
}

/* CRC-32 as polynomials over GF(2) in reflected bit order (bit 31 is x^0):
 * a * b modulo the CRC polynomial. */
static uint32_t crc_mulmod(uint32_t a, uint32_t b) {
    uint32_t r = 0;
    for (uint32_t m = 1u << 31; m; m >>= 1) {
        if (a & m) r ^= b;
        b = b & 1 ? (b >> 1) ^ 0xEDB88320u : b >> 1;
    }
    return r;
}

/* x^(8 * len) modulo the polynomial, by square-and-multiply. */
static uint32_t crc_x_pow_bytes(uint32_t len) {
    uint32_t r = 1u << 31, sq = 1u << 23;      /* x^0; x^8 */
    for (; len; len >>= 1, sq = crc_mulmod(sq, sq))
        if (len & 1) r = crc_mulmod(r, sq);
    return r;
}

term_t bif_erlang_crc32_combine_3(Process *p, term_t *args) {
    uint32_t c1, c2, len;
    if (!get_u32(args[0], &c1) || !get_u32(args[1], &c2) || !get_u32(args[2], &len))
        BIF_ERROR(p, ATOM_badarg);
    /* crc(A++B) = crc(A) * x^(8|B|) + crc(B): the pre/post inversions
     * cancel because crc(B) already carries its own. */
    return make_small(crc_mulmod(crc_x_pow_bytes(len), c1) ^ c2);
}

term_t bif_erlang_adler32_combine_3(Process *p, term_t *args) {
    uint32_t a1, a2, len;
    if (!get_u32(args[0], &a1) || !get_u32(args[1], &a2) || !get_u32(args[2], &len))
        BIF_ERROR(p, ATOM_badarg);
    const uint64_t base = 65521;
    uint64_t rem = len % base;
    /* s1 = s1(A) + s1(B) - 1; s2 = s2(A) + s2(B) + |B| * (s1(A) - 1) */
    uint64_t s1 = ((a1 & 0xFFFF) + (a2 & 0xFFFF) + base - 1) % base;
    uint64_t s2 = ((a1 >> 16) + (a2 >> 16) + rem * (a1 & 0xFFFF) + base - rem) % base;
    return make_small((int64_t)((s2 << 16) | s1));
}
