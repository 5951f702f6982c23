/*
 * test_etf.c — external term format. Byte sequences are stock erl's
 * term_to_binary output (OTP 25; see etf_cases.inc): decoding them and
 * encoding the result must give the same bytes back. Then malformed input:
 * every truncation and a set of bad tags and sizes must be rejected cleanly.
 */
#include <stdlib.h>

#include "tests/unit/check.h"
#include "vm/atom.h"
#include "vm/binary.h"
#include "vm/etf.h"
#include "vm/etf_impl.h"
#include "vm/heap.h"
#include "vm/map.h"
#include "vm/term_compare.h"
#include "vm/term_print.h"

struct etf_case {
    const char *text;
    const uint8_t *bytes;
    size_t len;
    uint32_t phash2, phash2_7, phash2_2_32;
};
static const struct etf_case cases[] = {
#include "tests/unit/etf_cases.inc"
};

static Heap H;

static const ErtsMFA *resolve(void *arg, term_t m, term_t f, uint32_t a) {
    (void)arg;
    static ErtsMFA mfa;
    mfa.module = m;
    mfa.function = f;
    mfa.arity = a;
    return &mfa;
}

TEST(round_trip_erl_bytes) {
    EtfOptions o = {0};
    o.resolve_export = resolve;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct etf_case *c = &cases[i];
        term_t t;
        EtfError e = etf_decode(&H, c->bytes, c->len, &o, &t);
        if (e) {
            CHECK_FAIL_("decode %s: %s", c->text, etf_error_name(e));
            continue;
        }
        uint8_t out[4096];
        size_t len = 0;
        e = etf_encode(t, &o, out, sizeof out, &len);
        if (e || len != c->len || memcmp(out, c->bytes, len) != 0)
            CHECK_FAIL_("encode(decode(%s)) differs (err %s, len %zu vs %zu)", c->text, etf_error_name(e), len, c->len);
        CHECK_EQ_INT(etf_encoded_size(t, &o, NULL), c->len);
        /* printing gives erl's ~0p text for terms whose text is ASCII */
        if (!strchr(c->text, '?') && c->len < 200) {
            char buf[1024];
            term_print(buf, sizeof buf, t);
            if (strcmp(buf, c->text) != 0) CHECK_FAIL_("print: %s, expected %s", buf, c->text);
        }
    }
}

TEST(decode_heap_need_is_exact_bound) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t words, used;
        EtfOptions o = {0};
        o.resolve_export = resolve;
        CHECK(etf_decode_size(cases[i].bytes, cases[i].len, &o, &words, &used) == ETF_OK);
        CHECK_EQ_INT(used, cases[i].len);
        Heap h;
        heap_init(&h, words);
        term_t t;
        CHECK(etf_decode(&h, cases[i].bytes, cases[i].len, &o, &t) == ETF_OK);
        CHECK(h.mbuf == NULL);
        heap_destroy(&h);
    }
}

TEST(truncations_rejected) {
    /* every proper prefix of every case fails with an error, never a crash
     * (ASan checks the "never reads past the end" part) */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (size_t n = 0; n < cases[i].len; n++) {
            uint8_t *copy = malloc(n ? n : 1);
            memcpy(copy, cases[i].bytes, n);
            term_t t;
            EtfError e = etf_decode(&H, copy, n, NULL, &t);
            if (e == ETF_OK) CHECK_FAIL_("prefix %zu of %s decoded", n, cases[i].text);
            free(copy);
        }
    }
}

TEST(bad_input_rejected) {
    term_t t;
    static const struct { uint8_t b[16]; size_t n; EtfError want; } bad[] = {
        {{130, 106}, 2, ETF_ERR_BAD_VERSION},
        {{131, 200}, 2, ETF_ERR_BAD_TAG},
        {{131, 106, 106}, 3, ETF_ERR_TRAILING},
        {{131, 108, 255, 255, 255, 255, 106}, 7, ETF_ERR_BAD_SIZE},     /* list longer than input */
        {{131, 105, 0, 0, 1, 0, 106}, 7, ETF_ERR_BAD_SIZE},             /* tuple longer than input */
        {{131, 77, 0, 0, 0, 1, 9, 255}, 8, ETF_ERR_BAD_SIZE},           /* 9 bits in last byte */
        {{131, 77, 0, 0, 0, 1, 0, 255}, 8, ETF_ERR_BAD_SIZE},           /* 0 bits */
        {{131, 118, 0, 2, 0xC3, 0x28}, 6, ETF_ERR_BAD_ATOM},            /* invalid UTF-8 */
        {{131, 110, 1, 0}, 4, ETF_ERR_TRUNCATED},                       /* big without its byte */
        {{131, 70, 0x7F, 0xF0, 0, 0, 0, 0, 0, 0}, 10, ETF_ERR_BAD_VALUE}, /* infinity */
        {{131, 116, 0, 0, 0, 2, 97, 1, 97, 1, 97, 1, 97, 2}, 14, ETF_ERR_BAD_VALUE}, /* duplicate key */
        {{131, 112, 0, 0, 0, 0}, 6, ETF_ERR_TRUNCATED},                 /* NEW_FUN_EXT, cut short */
        {{131, 113, 100, 0, 1, 109, 100, 0, 1, 102, 97, 1}, 12, ETF_ERR_NOTSUP}, /* export, no resolver */
        {{131, 80, 0, 0, 0, 3, 120, 156}, 8, ETF_ERR_COMPRESSED},       /* zlib hook */
        {{131, 90, 0, 6, 100, 0, 1, 110}, 8, ETF_ERR_BAD_SIZE},         /* 6 ref numbers */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        EtfError e = etf_decode(&H, bad[i].b, bad[i].n, NULL, &t);
        if (e != bad[i].want) CHECK_FAIL_("bad case %zu: %s, expected %s", i, etf_error_name(e), etf_error_name(bad[i].want));
    }
    /* FLOAT_EXT whose text goes on after the number (OTP: badarg), and a
     * big whose sign byte is neither 0 nor 1 (OTP: negative) */
    uint8_t ft[33] = {131, 99, '3', '.', '1', '4', 'x'};
    CHECK(etf_decode(&H, ft, sizeof ft, NULL, &t) == ETF_ERR_BAD_VALUE);
    static const uint8_t big17[] = {131, 110, 1, 17, 5};
    CHECK(etf_decode(&H, big17, sizeof big17, NULL, &t) == ETF_OK);
    CHECK(is_small(t) && small_value(t) == -5);
    /* a whole NEW_FUN_EXT, but no resolver to find its code */
    static const uint8_t fun[] = {131, 112, 0, 0, 0, 54, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100, 0, 1, 'm', 97, 0, 97,
                                  0, 88, 100, 0, 1, 'n', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    CHECK(etf_decode(&H, fun, sizeof fun, NULL, &t) == ETF_ERR_NOTSUP);
    /* its creator must be a pid */
    uint8_t notpid[sizeof fun];
    memcpy(notpid, fun, sizeof fun);
    notpid[39] = 97;  /* the NEW_PID_EXT tag */
    CHECK(etf_decode(&H, notpid, sizeof notpid, NULL, &t) == ETF_ERR_BAD_VALUE);
    /* 256-char atom: too long (erl rejects it too) */
    uint8_t long_atom[4 + 256] = {131, 100, 1, 0};
    memset(long_atom + 4, 'a', 256);
    CHECK(etf_decode(&H, long_atom, sizeof long_atom, NULL, &t) == ETF_ERR_BAD_ATOM);
}

TEST(old_forms_decoded) {
    term_t t;
    /* SMALL_ATOM_EXT 'ab' */
    static const uint8_t sa[] = {131, 115, 2, 97, 98};
    CHECK(etf_decode(&H, sa, sizeof sa, NULL, &t) == ETF_OK && t == atom_intern_cstr("ab"));
    /* FLOAT_EXT "1.50000000000000000000e+00" */
    uint8_t fl[33] = {131, 99};
    memcpy(fl + 2, "1.50000000000000000000e+00", 26);
    CHECK(etf_decode(&H, fl, sizeof fl, NULL, &t) == ETF_OK && is_float(t) && float_value(t) == 1.5);
    /* PID_EXT from another node */
    static const uint8_t pid[] = {131, 103, 100, 0, 5, 'a', '@', 'h', 'o', 's', 0, 0, 0, 7, 0, 0, 0, 1, 2};
    CHECK(etf_decode(&H, pid, sizeof pid, NULL, &t) == ETF_OK && is_external_pid(t));
    char buf[64];
    term_print(buf, sizeof buf, t);
    CHECK_EQ_STR(buf, "<a@hos.7.1>");
    /* NEW_PID_EXT of this node (erl: term_to_binary(self()) = <0.9.0>) */
    static const uint8_t self[] = {131, 88, 100, 0, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115, 116,
                                   0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0};
    CHECK(etf_decode(&H, self, sizeof self, NULL, &t) == ETF_OK && is_internal_pid(t) && pid_number(t) == 9);
    uint8_t out[64];
    size_t len;
    CHECK(etf_encode(t, NULL, out, sizeof out, &len) == ETF_OK && len == sizeof self && !memcmp(out, self, len));
    /* NEWER_REFERENCE_EXT of this node, as erl printed make_ref() */
    static const uint8_t ref[] = {131, 90, 0, 3, 100, 0, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115, 116,
                                  0, 0, 0, 0, 0, 3, 25, 73, 81, 16, 0, 2, 102, 222, 157, 194};
    CHECK(etf_decode(&H, ref, sizeof ref, NULL, &t) == ETF_OK && is_ref(t));
    CHECK(etf_encode(t, NULL, out, sizeof out, &len) == ETF_OK && len == sizeof ref && !memcmp(out, ref, len));
}

TEST(encode_unaligned_and_utf8_options) {
    static const uint8_t b[] = {1, 2, 3};
    term_t sub = sub_binary_new(&H, binary_new(&H, b, 3), 3, 21);
    /* erl: term_to_binary(<<8,16,3:5>>) */
    static const uint8_t want[] = {131, 77, 0, 0, 0, 3, 5, 8, 16, 24};
    uint8_t out[32];
    size_t len;
    CHECK(etf_encode(sub, NULL, out, sizeof out, &len) == ETF_OK && len == sizeof want && !memcmp(out, want, len));
    /* minor_version 2: atoms as SMALL_ATOM_UTF8 (erl: term_to_binary(abc,
     * [{minor_version,2}]) = <<131,119,3,97,98,99>>) */
    EtfOptions o = {0};
    o.utf8_atoms = true;
    static const uint8_t want2[] = {131, 119, 3, 97, 98, 99};
    CHECK(etf_encode(atom_intern_cstr("abc"), &o, out, sizeof out, &len) == ETF_OK && len == 6 && !memcmp(out, want2, 6));
    CHECK(etf_encode(atom_intern_cstr("abc"), NULL, out, 3, &len) == ETF_ERR_BUFFER);
    term_t bin;
    CHECK(etf_term_to_binary(&H, sub, NULL, &bin) == ETF_OK && is_binary(bin) && bitstring_bit_size(bin) == 80);
}

/* The engines stopped after every unit (budget 1) and resumed give the
 * same bytes and terms as one run: every erl case, each way. */
TEST(engines_resume_after_any_budget) {
    EtfOptions o = {0};
    o.resolve_export = resolve;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct etf_case *c = &cases[i];
        term_t t;
        if (etf_decode(&H, c->bytes, c->len, &o, &t) != ETF_OK) continue;
        uint8_t out[4096];
        EtfEncoder e;
        etf_enc_init(&e, &o, out, sizeof out, 0);
        etf_enc_begin(&e, t);
        size_t units = 0, steps = 0;
        bool more = true;
        while (more && etf_enc_run(&e, 1, &units, &more) == ETF_OK) steps++;
        etf_enc_free(&e);
        if (more || e.pos != c->len || memcmp(out, c->bytes, c->len) != 0)
            CHECK_FAIL_("resumed encode of %s differs", c->text);
        /* decode, a unit at a time */
        EtfDecoder d;
        etf_dec_init(&d, &o);
        size_t pos = 1;
        EtfError err = ETF_OK;
        more = true;
        while (more && !(err = etf_dec_scan(&d, c->bytes, c->len, &pos, 1, &units, &more))) {
        }
        CHECK(err == ETF_OK && pos == c->len);
        Heap h;
        heap_init(&h, d.words + 1);
        term_t r = NIL;
        etf_dec_build_begin(&d, h.heap, &r);
        pos = 1;
        more = true;
        while (more && !(err = etf_dec_build(&d, c->bytes, c->len, &pos, 1, &units, &more))) {
        }
        etf_dec_free(&d);
        if (err || !term_eq_exact(r, t)) CHECK_FAIL_("resumed decode of %s differs", c->text);
        h.off_heap = d.sub.off_heap;
        heap_destroy(&h);
        (void)steps;
    }
}

int main(void) {
    atom_init();
    heap_init(&H, 1 << 18);
    RUN(round_trip_erl_bytes);
    RUN(decode_heap_need_is_exact_bound);
    RUN(truncations_rejected);
    RUN(bad_input_rejected);
    RUN(old_forms_decoded);
    RUN(encode_unaligned_and_utf8_options);
    RUN(engines_resume_after_any_budget);
    heap_destroy(&H);
    return CHECK_DONE();
}
